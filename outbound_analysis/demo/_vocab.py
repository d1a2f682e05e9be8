"""The platform's vocabulary and the demo's fixed times: the codes the generator draws and the
labels the downloads write for them (channels, groups, agents, tipificaciones, errors...)."""

from __future__ import annotations

import datetime as dt

import numpy as np

# the platform's names of the origenes, as its downloads write them (re-exported for _writers)
from ..labels import ORIGEN_LABELS as ORIGEN_LABELS

TZ = "America/Argentina/Buenos_Aires"
OFFSET_S = 3 * 3600  # UTC = local + 3 h (Argentina has no DST)
NAT = np.iinfo(np.int64).min  # "no timestamp" in the int64 second arrays (= NaT)
_PERIOD = ("2026-08-01", "2026-11-20")
OVERLAP_DAYS = 3  # the November download repeats the last 3 days of October
LEGACY_UNTIL = "2026-09"  # months up to this one use the legacy (cp1252, ";") style
XLSX_CREATED = dt.datetime(2026, 11, 21, 9, 0, 0)  # fixed, so the .xlsx bytes repeat

ESTADOS = ("exitoso", "fallido", "pendiente")
ESTADO_LABELS = ("Enviado", "Error", "Pendiente")
TIPO_LABELS = {
    "fin_positivo": "Fin positivo",
    "fin_negativo": "Fin negativo",
    "seguimiento": "Seguimiento",
    "fin_autogestion": "Fin autogestión",
    "seguimiento_autogestion": "Seguimiento autogestión",
}
AUTORES = ("bot", "cliente", "agente")
AUTOR_LABELS = ("Bot", "Cliente", "Agente")
FINALIZACIONES = ("abandono", "asignacion", "finalizacion_automatica")
FIN_LABELS = ("Abandono", "Asignación", "Finalización automática")

# (canal, linea); the legacy export writes them as one label "WA +5491155550000"
CHANNELS = (
    ("WA", "+5491155550000"),
    ("WA", "+5491144440000"),
    ("FB", "Tienda Demo"),
    ("IG", "@tienda.demo"),
    ("WEB", "tiendademo.com.ar"),
)
WA1, WA2, FB, IG, WEB = range(5)

GROUPS = ("Ventas", "Cobranzas", "Atención al cliente")
VENTAS, COBRANZAS, ATENCION = range(3)
AGENTS = (  # (name, group); agents of a group are contiguous
    ("Ana Gómez", VENTAS),
    ("Bruno Díaz", VENTAS),
    ("Martín Peña", VENTAS),
    ("Carla Núñez", COBRANZAS),
    ("Julián Ibáñez", COBRANZAS),
    ("Sofía Ríos", ATENCION),
    ("Lucía Fernández", ATENCION),
    ("Tomás Acuña", ATENCION),
)

TIPIFICACIONES = {  # name: (tipo, flagged as venta)
    "Venta concretada": ("fin_positivo", True),
    "Pago comprometido": ("fin_positivo", False),
    "No interesado": ("fin_negativo", False),
    "Número equivocado": ("fin_negativo", False),
    "Volver a contactar": ("seguimiento", False),
    "Consulta resuelta por bot": ("fin_autogestion", False),
    "Baja de la lista": ("fin_autogestion", False),
    "Derivado a la web": ("seguimiento_autogestion", False),
}
TIP_NAMES = tuple(TIPIFICACIONES)
TIPOS = tuple(TIPO_LABELS)
TIP_TIPO = np.array([TIPOS.index(t) for t, _ in TIPIFICACIONES.values()], dtype=np.int8)
TIP_VENTA = np.array([v for _, v in TIPIFICACIONES.values()], dtype=bool)

ETIQUETAS = ("interés alto", "interés medio", "interés bajo", "pago con tarjeta", "pago en efectivo")

ERROR_CODES = ("131026", "131049", "131048", "131056", "131047", "131042", "130472")
ERROR_WEIGHTS = (0.34, 0.20, 0.10, 0.08, 0.15, 0.08, 0.05)

# share of sends by local hour: mostly business hours
HOUR_WEIGHTS = np.array(
    [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 1, 3, 6, 8, 8, 6, 5, 6, 7, 7, 6, 5, 3, 2, 1, 0.6, 0.3]
)
