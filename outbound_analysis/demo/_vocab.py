"""The platform's vocabulary and the demo's fixed times: the codes the generator draws and the
labels the downloads write for them (channels, groups, agents, tipificaciones, errors...)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..labels import ORIGEN_LABELS

TZ = "America/Argentina/Buenos_Aires"
_OFFSET_S = 3 * 3600  # UTC = local + 3 h (Argentina has no DST)
_NAT = np.iinfo(np.int64).min  # "no timestamp" in the int64 second arrays (= NaT)
_PERIOD = ("2026-08-01", "2026-11-20")
_OVERLAP_DAYS = 3  # the November download repeats the last 3 days of October
_LEGACY_UNTIL = "2026-09"  # months up to this one use the legacy (cp1252, ";") style
_XLSX_CREATED = dt.datetime(2026, 11, 21, 9, 0, 0)  # fixed, so the .xlsx bytes repeat

_ORIGEN_LABELS = ORIGEN_LABELS  # the platform's names, as its downloads write them
_ESTADOS = ("exitoso", "fallido", "pendiente")
_ESTADO_LABELS = ("Enviado", "Error", "Pendiente")
_TIPO_LABELS = {
    "fin_positivo": "Fin positivo",
    "fin_negativo": "Fin negativo",
    "seguimiento": "Seguimiento",
    "fin_autogestion": "Fin autogestión",
    "seguimiento_autogestion": "Seguimiento autogestión",
}
_AUTORES = ("bot", "cliente", "agente")
_AUTOR_LABELS = ("Bot", "Cliente", "Agente")
_FINALIZACIONES = ("abandono", "asignacion", "finalizacion_automatica")
_FIN_LABELS = ("Abandono", "Asignación", "Finalización automática")

# (canal, linea); the legacy export writes them as one label "WA +5491155550000"
_CHANNELS = (
    ("WA", "+5491155550000"),
    ("WA", "+5491144440000"),
    ("FB", "Tienda Demo"),
    ("IG", "@tienda.demo"),
    ("WEB", "tiendademo.com.ar"),
)
_WA1, _WA2, _FB, _IG, _WEB = range(5)

_GROUPS = ("Ventas", "Cobranzas", "Atención al cliente")
_VENTAS, _COBRANZAS, _ATENCION = range(3)
_AGENTS = (  # (name, group); agents of a group are contiguous
    ("Ana Gómez", _VENTAS),
    ("Bruno Díaz", _VENTAS),
    ("Martín Peña", _VENTAS),
    ("Carla Núñez", _COBRANZAS),
    ("Julián Ibáñez", _COBRANZAS),
    ("Sofía Ríos", _ATENCION),
    ("Lucía Fernández", _ATENCION),
    ("Tomás Acuña", _ATENCION),
)

_TIPIFICACIONES = {  # name: (tipo, flagged as venta)
    "Venta concretada": ("fin_positivo", True),
    "Pago comprometido": ("fin_positivo", False),
    "No interesado": ("fin_negativo", False),
    "Número equivocado": ("fin_negativo", False),
    "Volver a contactar": ("seguimiento", False),
    "Consulta resuelta por bot": ("fin_autogestion", False),
    "Baja de la lista": ("fin_autogestion", False),
    "Derivado a la web": ("seguimiento_autogestion", False),
}
_TIP_NAMES = tuple(_TIPIFICACIONES)
_TIPOS = tuple(_TIPO_LABELS)
_TIP_TIPO = np.array([_TIPOS.index(t) for t, _ in _TIPIFICACIONES.values()], dtype=np.int8)
_TIP_VENTA = np.array([v for _, v in _TIPIFICACIONES.values()], dtype=bool)

_ETIQUETAS = ("interés alto", "interés medio", "interés bajo", "pago con tarjeta", "pago en efectivo")

_ERROR_CODES = ("131026", "131049", "131048", "131056", "131047", "131042", "130472")
_ERROR_WEIGHTS = (0.34, 0.20, 0.10, 0.08, 0.15, 0.08, 0.05)

# share of sends by local hour: mostly business hours
_HOUR_WEIGHTS = np.array(
    [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 1, 3, 6, 8, 8, 6, 5, 6, 7, 7, 6, 5, 3, 2, 1, 0.6, 0.3]
)
