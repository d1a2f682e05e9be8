"""Deterministic demo data set in the style of the Atom platform's Outbound downloads.

:func:`generate` returns the truth as canonical frames (contract column names and types);
:func:`write` writes the files an analyst would download from the platform: monthly
``envios`` CSV downloads in two export styles (an older Windows-1252 ``;`` style for
August and September, a UTF-8 ``,`` ISO style for October and November), an overlapping
November download that repeats the last days of October (with a few rows whose status
changed in between), and the flow events as one ``.xlsx`` or as JSON lines files.

Everything is vectorized with numpy: conversations are expanded from a small catalog of
"path templates" (sequences of steps with relative time gaps), so a million sends take a
few seconds. The same ``(n_envios, seed)`` always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .labels import ORIGEN_LABELS
from .schema import ENVIOS, EVENTOS, TIPOS_AUTOGESTION

TZ = "America/Argentina/Buenos_Aires"
#: Most rows one written file holds (the platform's download limit); bigger downloads are
#: split into ``_parte2``, ``_parte3``... (envios) or ``eventos_002.json``... (eventos).
MAX_ROWS = 1_000_000
#: Events up to this many rows are written as one ``eventos.xlsx``; more as JSON lines.
XLSX_MAX_EVENTS = 100_000

_OFFSET_S = 3 * 3600  # UTC = local + 3 h (Argentina has no DST)
_NAT = np.iinfo(np.int64).min  # "no timestamp" in the int64 second arrays (= NaT)
_PERIOD = ("2026-08-01", "2026-11-20")
_OVERLAP_DAYS = 3  # the November download repeats the last 3 days of October
_LEGACY_UNTIL = "2026-09"  # months up to this one use the legacy (cp1252, ";") style
_XLSX_CREATED = dt.datetime(2026, 11, 21, 9, 0, 0)  # fixed, so the .xlsx bytes repeat

# ---------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------

_H_ENVIOS = {c.name: c.aliases[0] for c in ENVIOS}  # header the platform writes
_H_EVENTOS = {c.name: c.aliases[0] for c in EVENTOS}

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


@dataclass(frozen=True)
class _Campaign:
    """A campaign and, for those without events, the rates of its flags."""

    name: str
    origen: str
    channels: tuple[tuple[int, float], ...]
    start: str
    end: str
    share: float
    groups: tuple[tuple[int, float], ...]
    p_nueva: float = 0.85  # exitosos that opened a new conversation
    reports_reads: bool = True  # False: leido/respondido are not reported (NA)
    p_resp: float = 0.0
    p_asig_resp: float = 0.0  # asignada among respondidos
    p_asig_other: float = 0.0  # asignada among the rest
    tips: tuple[tuple[str | None, float], ...] = ((None, 1.0),)  # among asignadas
    etiquetas: tuple[tuple[tuple[str, ...], float], ...] = (((), 1.0),)  # among repliers


_CAMPAIGNS: tuple[_Campaign, ...] = (
    _Campaign(
        "Recupero de carrito", "flujo", ((_WA1, 1.0),), "2026-08-01", "2026-11-20", 0.20, ((_VENTAS, 1.0),)
    ),
    _Campaign(
        "Encuesta de satisfacción",
        "flujo",
        ((_WA2, 1.0),),
        "2026-08-10",
        "2026-10-31",
        0.10,
        ((_ATENCION, 1.0),),
    ),
    _Campaign(
        "Bienvenida Instagram",
        "flujo",
        ((_IG, 1.0),),
        "2026-09-01",
        "2026-11-20",
        0.08,
        ((_VENTAS, 0.5), (_ATENCION, 0.5)),
    ),
    _Campaign(
        "Hot Sale Noviembre",
        "plantilla",
        ((_WA1, 1.0),),
        "2026-10-26",
        "2026-11-20",
        0.20,
        ((_VENTAS, 1.0),),
        p_resp=0.16,
        p_asig_resp=0.45,
        p_asig_other=0.01,
        tips=(
            ("Venta concretada", 0.40),
            ("Volver a contactar", 0.25),
            ("No interesado", 0.25),
            (None, 0.10),
        ),
        etiquetas=(
            (("interés alto",), 0.25),
            (("interés medio",), 0.20),
            (("interés bajo",), 0.10),
            (("interés alto", "pago con tarjeta"), 0.15),
            ((), 0.30),
        ),
    ),
    _Campaign(
        "Recordatorio de pago",
        "plantilla",
        ((_WA2, 1.0),),
        "2026-08-01",
        "2026-11-20",
        0.15,
        ((_COBRANZAS, 1.0),),
    ),
    _Campaign(
        "Seguimiento postventa",
        "plantilla_individual",
        ((_WA1, 0.6), (_WA2, 0.4)),
        "2026-08-01",
        "2026-11-20",
        0.09,
        ((_ATENCION, 0.6), (_VENTAS, 0.4)),
        reports_reads=False,
        p_asig_other=0.60,
        tips=(
            ("Volver a contactar", 0.35),
            ("Venta concretada", 0.15),
            ("No interesado", 0.20),
            ("Número equivocado", 0.05),
            (None, 0.25),
        ),
        etiquetas=((("interés medio",), 0.2), ((), 0.8)),
    ),
    _Campaign(
        "Alta desde CRM",
        "webhook",
        ((_WA1, 1.0),),
        "2026-09-15",
        "2026-11-20",
        0.08,
        ((_VENTAS, 1.0),),
        p_resp=0.25,
        p_asig_resp=0.5,
        p_asig_other=0.02,
        tips=(
            ("Venta concretada", 0.30),
            ("Volver a contactar", 0.30),
            ("No interesado", 0.25),
            (None, 0.15),
        ),
        etiquetas=((("interés alto",), 0.3), (("interés medio",), 0.3), ((), 0.4)),
    ),
    _Campaign(
        "Respuesta Messenger",
        "mensaje_agente",
        ((_FB, 1.0),),
        "2026-08-01",
        "2026-11-20",
        0.07,
        ((_ATENCION, 1.0),),
        p_nueva=0.3,
        p_resp=0.5,
        p_asig_resp=0.8,
        p_asig_other=0.3,
        tips=(
            ("Volver a contactar", 0.30),
            ("Venta concretada", 0.15),
            ("No interesado", 0.15),
            (None, 0.40),
        ),
        etiquetas=((("pago en efectivo",), 0.15), (("pago con tarjeta",), 0.15), ((), 0.70)),
    ),
    _Campaign(
        "Prueba interna",
        "otro",
        ((_WEB, 0.8), (_WA1, 0.2)),
        "2026-08-03",
        "2026-08-14",
        0.03,
        ((_VENTAS, 0.3), (_COBRANZAS, 0.3), (_ATENCION, 0.4)),
        p_resp=0.3,
        p_asig_resp=0.2,
        tips=(("Volver a contactar", 0.3), (None, 0.7)),
    ),
)

# ---------------------------------------------------------------------------------------
# Conversation path templates
# ---------------------------------------------------------------------------------------
# A step: (gap_s, autor, mensaje, nodo, opcion, tipificacion, etiqueta, kind). gap_s is
# the typical delay after the previous step: bot gaps are kept exactly (0 = same second,
# a tie), cliente/agente gaps are scaled per conversation.

_BOT, _CLI, _AGT = 0, 1, 2
_ASSIGN, _GREET = 1, 2  # kind bits: the conversation is assigned here / agent greeting

Step = tuple[float, int, str | None, str | None, str | None, str | None, str | None, int]


def _bot(
    msg: str | None,
    nodo: str | None = None,
    gap: float = 2,
    tip: str | None = None,
    et: str | None = None,
    kind: int = 0,
) -> Step:
    return (gap, _BOT, msg, nodo, None, tip, et, kind)


def _cli(msg: str, opcion: str | None = None, gap: float = 150) -> Step:
    return (gap, _CLI, msg, None, opcion, None, None, 0)


def _agt(
    msg: str | None = None, gap: float = 90, tip: str | None = None, et: str | None = None, kind: int = 0
) -> Step:
    return (gap, _AGT, msg, None, None, tip, et, kind)


def _greet(assign: bool = False) -> Step:
    """The agent's greeting; its text names the agent the conversation got."""
    return _agt(None, gap=240, kind=_GREET | (_ASSIGN if assign else 0))


_ASESOR = "Te comunicamos con un asesor. En breve te responde."
_REPROMPT = "Por favor, elegí una de las opciones del menú."

Branches = list[tuple[float, list[Step]]]


def _flow(
    inicio: str,
    menu: str,
    options: list[tuple[str, float, Branches]],
    free_texts: Sequence[str],
    p_no_reply: float = 0.38,
    p_free: float = 0.2,
) -> Branches:
    """Expand a flow (greeting, menu, options with weighted branches) into path templates."""
    prefix = [_bot(inicio, "inicio", gap=0), _bot(menu, "menu_principal", gap=2)]
    reprompt = _bot(_REPROMPT, "menu_principal")
    out: Branches = [(p_no_reply, prefix)]
    p_reply = 1 - p_no_reply
    k = len(free_texts)
    for opt, w_opt, branches in options:
        for w_b, steps in branches:
            w = p_reply * w_opt * w_b
            out.append((w * (1 - p_free), [*prefix, _cli(opt, opt), *steps]))
            for ft in free_texts:  # free text first, then the option
                out.append(
                    (
                        w * p_free * 0.85 / k,
                        [*prefix, _cli(ft, gap=240), reprompt, _cli(opt, opt, gap=60), *steps],
                    )
                )
    for ft in free_texts:  # free text, re-prompt, never an option: abandono at the menu
        out.append((p_reply * p_free * 0.15 / k, [*prefix, _cli(ft, gap=240), reprompt]))
    return out


def _templates() -> dict[str, Branches]:
    """Path templates of the campaigns that have events, by campaign name."""
    asignacion = [_bot(_ASESOR, "asignacion", kind=_ASSIGN)]
    venta_stock = [
        _greet(),
        _cli("¿Tienen stock del talle M?"),
        _agt("Sí, hay stock. ¿Te lo reservo?"),
        _cli("Sí, dale"),
        _agt("¡Listo! Ya quedó reservada tu compra.", tip="Venta concretada"),
    ]
    ofertas = [
        _bot("Tenés 20% de descuento en los productos de tu carrito.", "ofertas", et="interés medio"),
        _bot("¿Querés ver más ofertas?", "ofertas", gap=0),
    ]
    pagar = [
        _cli("Sí, quiero comprar", "Sí, quiero comprar"),
        _bot("¡Genial! ¿Cómo preferís pagar?", "medio_pago", et="interés alto"),
    ]
    link = "Te enviamos el link de pago: tiendademo.com.ar/pagar"
    carrito = _flow(
        "¡Hola! Vimos que dejaste productos en tu carrito de Tienda Demo.",
        "¿Qué querés hacer? 1. Ver ofertas 2. Finalizar compra 3. Hablar con un asesor 4. Dar de baja",
        [
            (
                "Ver ofertas",
                0.40,
                [
                    (0.30, ofertas),
                    (
                        0.12,
                        [
                            *ofertas,
                            _cli("No, gracias", "No, gracias"),
                            _bot(
                                "¡Gracias! Te esperamos cuando quieras.",
                                "cierre",
                                tip="Consulta resuelta por bot",
                                et="interés bajo",
                            ),
                        ],
                    ),
                    (0.58 * 0.20, [*ofertas, *pagar]),
                    (
                        0.58 * 0.35,
                        [
                            *ofertas,
                            *pagar,
                            _cli("Tarjeta", "Tarjeta"),
                            _bot(link, "link_pago", tip="Derivado a la web", et="pago con tarjeta"),
                        ],
                    ),
                    (
                        0.58 * 0.30,
                        [
                            *ofertas,
                            *pagar,
                            _cli("Efectivo", "Efectivo"),
                            _bot(_ASESOR, "asignacion", et="pago en efectivo", kind=_ASSIGN),
                            _greet(),
                            _cli("Quiero pagar en efectivo en el local"),
                            _agt(
                                "Perfecto, te reservo el pedido para que lo retires.", tip="Venta concretada"
                            ),
                        ],
                    ),
                    (
                        0.58 * 0.15,
                        [
                            *ofertas,
                            *pagar,
                            _cli("Tarjeta", "Tarjeta"),
                            _bot(link, "link_pago", tip="Derivado a la web", et="pago con tarjeta"),
                            _cli("No me anda el link"),
                            *asignacion,
                            _greet(),
                            _agt("Ya te generé un link nuevo, probá de nuevo."),
                            _cli("¡Listo, pagado!"),
                            _agt("¡Gracias por tu compra!", gap=30, tip="Venta concretada"),
                        ],
                    ),
                ],
            ),
            (
                "Finalizar compra",
                0.15,
                [
                    (
                        0.8,
                        [
                            _bot(
                                "Te dejamos el link para terminar tu compra: tiendademo.com.ar/carrito",
                                "link_pago",
                                tip="Derivado a la web",
                            )
                        ],
                    ),
                    (
                        0.2,
                        [
                            _bot(
                                "Te dejamos el link para terminar tu compra: tiendademo.com.ar/carrito",
                                "link_pago",
                                tip="Derivado a la web",
                            ),
                            _cli("No me llegó el link"),
                            _bot(
                                "Te lo reenviamos: tiendademo.com.ar/carrito",
                                "link_pago",
                                tip="Derivado a la web",
                            ),
                        ],
                    ),
                ],
            ),
            (
                "Hablar con un asesor",
                0.30,
                [
                    (0.10, asignacion),  # assigned, no agent reply yet
                    (0.30, [*asignacion, *venta_stock]),
                    (
                        0.20,
                        [
                            *asignacion,
                            _greet(),
                            _cli("Quería consultar por el envío"),
                            _agt("Te escribo mañana con el costo de envío.", tip="Volver a contactar"),
                        ],
                    ),
                    (
                        0.15,
                        [
                            *asignacion,
                            _greet(),
                            _cli("¿Tienen stock del talle M?"),
                            _agt("Te escribo mañana con el stock actualizado.", tip="Volver a contactar"),
                            _agt("¡Hola! Ya tenemos stock del talle M.", gap=86_400),
                            _cli("Genial, lo compro"),
                            _agt("¡Gracias por tu compra!", tip="Venta concretada"),
                        ],
                    ),
                    (
                        0.15,
                        [
                            *asignacion,
                            _greet(),
                            _cli("Ya lo compré en otro lado"),
                            _agt("Entendido, gracias por avisar.", tip="No interesado"),
                        ],
                    ),
                    (
                        0.05,
                        [
                            *asignacion,
                            *venta_stock,
                            _cli("Al final no lo quiero, disculpá"),
                            _agt(
                                "No hay problema, te escribo la semana que viene.", tip="Volver a contactar"
                            ),
                        ],
                    ),
                    (
                        0.05,
                        [
                            *asignacion,
                            _greet(),
                            _agt("Te escribo más tarde con la info.", gap=60, tip="Volver a contactar"),
                            _cli("Dale"),
                            _agt("¿Pudiste ver la propuesta?", gap=7200, tip="Volver a contactar"),
                        ],
                    ),
                ],
            ),
            (
                "Dar de baja",
                0.15,
                [
                    (
                        1.0,
                        [
                            _bot(
                                "Listo, no vas a recibir más mensajes de esta campaña.",
                                "baja",
                                tip="Baja de la lista",
                            )
                        ],
                    ),
                ],
            ),
        ],
        ("hola", "?", "Buenas, ¿qué es esto?"),
    )

    reclamo = [_bot("Lamentamos lo ocurrido. ¿Querés que te contacte un asesor?", "reclamo")]
    gracias = _bot("¡Gracias! Lo vamos a tener en cuenta.", "gracias", tip="Consulta resuelta por bot")
    encuesta = _flow(
        "¡Hola! Queremos saber cómo fue tu experiencia con tu última compra.",
        "¿Cómo calificarías nuestra atención? Opciones: Muy buena, Regular, Mala",
        [
            (
                "Muy buena",
                0.5,
                [
                    (
                        1.0,
                        [
                            _bot(
                                "¡Gracias por tu respuesta! Nos alegra que te haya gustado.",
                                "gracias",
                                tip="Consulta resuelta por bot",
                            )
                        ],
                    ),
                ],
            ),
            (
                "Regular",
                0.3,
                [
                    (0.4, [_bot("Contanos qué podemos mejorar.", "comentario")]),
                    (
                        0.6,
                        [
                            _bot("Contanos qué podemos mejorar.", "comentario"),
                            _cli("La entrega tardó mucho"),
                            gracias,
                        ],
                    ),
                ],
            ),
            (
                "Mala",
                0.2,
                [
                    (0.25, reclamo),
                    (
                        0.50,
                        [
                            *reclamo,
                            _cli("Sí", "Sí"),
                            _bot(
                                "Te comunicamos con un asesor de Atención al cliente.",
                                "asignacion",
                                kind=_ASSIGN,
                            ),
                            _greet(),
                            _cli("El producto llegó roto"),
                            _agt(
                                "Te enviamos uno nuevo sin cargo. Te aviso cuando salga.",
                                tip="Volver a contactar",
                            ),
                        ],
                    ),
                    (
                        0.25,
                        [
                            *reclamo,
                            _cli("No", "No"),
                            _bot(
                                "Entendido. ¡Gracias por avisarnos!",
                                "cierre",
                                tip="Consulta resuelta por bot",
                            ),
                        ],
                    ),
                ],
            ),
        ],
        ("hola", "?", "Buenas, ¿quién habla?"),
        p_no_reply=0.40,
    )

    ofertas_ig = [
        _bot("Mirá las ofertas de la semana en nuestro perfil.", "ofertas", et="interés medio"),
        _bot("¿Querés ver más ofertas?", "ofertas", gap=0),
    ]
    pedido = [_bot("Ingresá tu número de pedido", "pedido")]
    instagram = _flow(
        "¡Hola! Gracias por seguirnos en Instagram.",
        "¿Qué querés hacer? Opciones: Ver ofertas, Estado de mi pedido, Hablar con un asesor",
        [
            (
                "Ver ofertas",
                0.45,
                [
                    (0.40, ofertas_ig),
                    (
                        0.45,
                        [
                            *ofertas_ig,
                            _cli("Sí", "Sí"),
                            _bot(
                                "Entrá a tiendademo.com.ar/ofertas para ver todo el catálogo.",
                                "catalogo",
                                tip="Derivado a la web",
                                et="interés alto",
                            ),
                        ],
                    ),
                    (
                        0.15,
                        [
                            *ofertas_ig,
                            _cli("Quiero comprar", "Quiero comprar"),
                            _bot(_ASESOR, "asignacion", et="interés alto", kind=_ASSIGN),
                            _greet(),
                            _cli("¿Hacen envíos a Córdoba?"),
                            _agt("Sí, el envío es gratis. Ya te cargo el pedido.", tip="Venta concretada"),
                        ],
                    ),
                ],
            ),
            (
                "Estado de mi pedido",
                0.35,
                [
                    (0.35, pedido),
                    (
                        0.50,
                        [
                            *pedido,
                            _cli("48213"),
                            _bot(
                                "Tu pedido está en camino y llega en 48 horas.",
                                "pedido_estado",
                                tip="Consulta resuelta por bot",
                            ),
                        ],
                    ),
                    (
                        0.15,
                        [
                            *pedido,
                            _cli("no lo tengo"),
                            _bot(
                                "Sin el número no podemos buscarlo. Revisá el mail de confirmación.", "pedido"
                            ),
                        ],
                    ),
                ],
            ),
            (
                "Hablar con un asesor",
                0.20,
                [
                    (
                        0.5,
                        [
                            *asignacion,
                            _greet(),
                            _cli("Quiero cambiar un producto"),
                            _agt("Te paso los pasos por mail y te escribo mañana.", tip="Volver a contactar"),
                        ],
                    ),
                    (
                        0.3,
                        [
                            *asignacion,
                            _greet(),
                            _cli("Me equivoqué, perdón"),
                            _agt("No hay problema, ¡saludos!", tip="No interesado"),
                        ],
                    ),
                    (
                        0.2,
                        [
                            *asignacion,
                            _greet(),
                            _cli("Quiero comprar la campera"),
                            _agt("¡Listo! Te mando el link.", tip="Venta concretada"),
                        ],
                    ),
                ],
            ),
        ],
        ("hola", "?", "info"),
        p_no_reply=0.36,
    )

    aviso = [
        _bot(
            "Hola, te recordamos que tu cuota vence esta semana. Podés pagarla en tiendademo.com.ar/pagos.",
            gap=0,
        )
    ]
    recordatorio: Branches = [  # a template, not a flow: replies and agents, no nodos
        (0.72, aviso),
        (0.10, [*aviso, _cli("Ya pagué, gracias", gap=1800)]),
        (
            0.09,
            [
                *aviso,
                _cli("¿Puedo pagar en efectivo?", gap=1800),
                _greet(assign=True),
                _cli("El viernes pago en el local"),
                _agt("Perfecto, lo dejo registrado.", tip="Pago comprometido", et="pago en efectivo"),
            ],
        ),
        (
            0.04,
            [
                *aviso,
                _cli("¿Puedo pagar con tarjeta?", gap=1800),
                _greet(assign=True),
                _agt("Sí, podés pagar con tarjeta en el link.", et="pago con tarjeta"),
                _cli("Listo, pagado"),
                _agt(None, gap=0, tip="Pago comprometido"),
            ],
        ),
        (
            0.03,
            [
                *aviso,
                _cli("Este número no es de esa persona", gap=1800),
                _greet(assign=True),
                _agt("Disculpá la molestia, lo corregimos.", tip="Número equivocado"),
            ],
        ),
        (
            0.02,
            [
                *aviso,
                _cli("No voy a pagar", gap=1800),
                _greet(assign=True),
                _agt("Entendido.", tip="No interesado"),
            ],
        ),
    ]
    return {
        "Recupero de carrito": carrito,
        "Encuesta de satisfacción": encuesta,
        "Bienvenida Instagram": instagram,
        "Recordatorio de pago": recordatorio,
    }


@dataclass(frozen=True)
class _Catalog:
    """Templates flattened into arrays, plus the vocabularies their codes point into."""

    # steps (all templates concatenated)
    s_gap: np.ndarray
    s_autor: np.ndarray
    s_msg: np.ndarray
    s_nodo: np.ndarray
    s_opcion: np.ndarray
    s_tip: np.ndarray
    s_et: np.ndarray
    s_kind: np.ndarray
    # templates
    t_camp: np.ndarray
    t_weight: np.ndarray
    t_start: np.ndarray
    t_len: np.ndarray
    t_first_cli: np.ndarray  # position of the first cliente step, -1: no reply
    t_assign: np.ndarray  # position of the assignment step, -1: not assigned
    t_tip: np.ndarray  # last tipificación applied, -1: none
    t_venta: np.ndarray
    t_combo: np.ndarray  # etiquetas of the conversation (index into combos)
    t_fin: np.ndarray  # the finalización the conversation has (contract's derivation)
    # vocabularies (index 0 = None where it applies)
    msgs: list[str | None]
    greet_base: int  # msgs[greet_base + agent] is that agent's greeting
    nodos: list[str | None]
    opciones: list[str | None]
    combos: list[tuple[str, ...]]


@functools.cache
def _catalog() -> _Catalog:
    """Flatten the templates of every campaign with events."""
    msgs: dict[str | None, int] = {None: 0}
    nodos: dict[str | None, int] = {None: 0}
    opciones: dict[str | None, int] = {None: 0}
    combos: dict[tuple[str, ...], int] = {(): 0}
    steps: list[tuple] = []
    tmpl: list[tuple] = []
    templates = _templates()
    for ci, camp in enumerate(_CAMPAIGNS):
        for w, seq in templates.get(camp.name, []):
            autores = [s[1] for s in seq]
            tips = [s[5] for s in seq if s[5]]
            first_cli = autores.index(_CLI) if _CLI in autores else -1
            assign = next((i for i, s in enumerate(seq) if s[7] & _ASSIGN), -1)
            if _AGT in autores and (assign < 0 or assign > autores.index(_AGT)):
                raise ValueError(f"template of {camp.name!r}: agent before assignment")
            if assign >= 0:
                fin = _FINALIZACIONES.index("asignacion")
            elif any(_TIPIFICACIONES[t][0] in TIPOS_AUTOGESTION for t in tips):
                fin = _FINALIZACIONES.index("finalizacion_automatica")
            else:
                fin = _FINALIZACIONES.index("abandono")
            combo = tuple(dict.fromkeys(s[6] for s in seq if s[6]))
            tmpl.append(
                (
                    ci,
                    w,
                    len(steps),
                    len(seq),
                    first_cli,
                    assign,
                    _TIP_NAMES.index(tips[-1]) if tips else -1,
                    any(_TIPIFICACIONES[t][1] for t in tips),
                    combos.setdefault(combo, len(combos)),
                    fin,
                )
            )
            for gap, autor, msg, nodo, opcion, tip, et, kind in seq:
                steps.append(
                    (
                        gap,
                        autor,
                        msgs.setdefault(msg, len(msgs)),
                        nodos.setdefault(nodo, len(nodos)),
                        opciones.setdefault(opcion, len(opciones)),
                        _TIP_NAMES.index(tip) if tip else -1,
                        _ETIQUETAS.index(et) if et else -1,
                        kind,
                    )
                )
    for camp in _CAMPAIGNS:
        for combo, _ in camp.etiquetas:
            combos.setdefault(combo, len(combos))
    msg_list = list(msgs)
    greet_base = len(msg_list)
    msg_list += [
        f"Hola, soy {name.split()[0]} de Tienda Demo. ¿En qué te puedo ayudar?" for name, _ in _AGENTS
    ]
    s = np.array(steps, dtype=object).T
    t = np.array(tmpl, dtype=object).T
    return _Catalog(
        s_gap=s[0].astype(np.float64),
        s_autor=s[1].astype(np.int8),
        s_msg=s[2].astype(np.int32),
        s_nodo=s[3].astype(np.int32),
        s_opcion=s[4].astype(np.int32),
        s_tip=s[5].astype(np.int8),
        s_et=s[6].astype(np.int8),
        s_kind=s[7].astype(np.int8),
        t_camp=t[0].astype(np.int8),
        t_weight=t[1].astype(np.float64),
        t_start=t[2].astype(np.int64),
        t_len=t[3].astype(np.int64),
        t_first_cli=t[4].astype(np.int64),
        t_assign=t[5].astype(np.int64),
        t_tip=t[6].astype(np.int8),
        t_venta=t[7].astype(bool),
        t_combo=t[8].astype(np.int32),
        t_fin=t[9].astype(np.int8),
        msgs=msg_list,
        greet_base=greet_base,
        nodos=list(nodos),
        opciones=list(opciones),
        combos=list(combos),
    )


# ---------------------------------------------------------------------------------------
# Generation (int codes and int64 local seconds; strings only at the end)
# ---------------------------------------------------------------------------------------


@dataclass
class _Data:
    """The generated data set as arrays. Sends are sorted by fecha_envio."""

    # sends
    envio_id: np.ndarray  # int64, written as digits
    local_s: np.ndarray  # fecha_envio, local wall-clock seconds since 1970
    camp: np.ndarray
    chan: np.ndarray
    contacto: np.ndarray  # object (str)
    estado: np.ndarray
    error: np.ndarray  # index into _ERROR_CODES, -1 none
    conv: np.ndarray  # conversation index (see _conv_ids), -1 none
    nueva: np.ndarray  # -1 NA, 0 false, 1 true (same for the flags below)
    leido: np.ndarray
    respondido: np.ndarray
    asignada: np.ndarray
    f_lectura: np.ndarray  # local seconds, _NAT none
    f_respuesta: np.ndarray
    f_asignacion: np.ndarray
    agent: np.ndarray  # index into _AGENTS, -1 none
    tip: np.ndarray  # index into _TIP_NAMES, -1 none
    venta: np.ndarray
    combo: np.ndarray  # index into catalog combos (0 = no etiquetas)
    # file-only quirks
    resp_blank: np.ndarray  # the file leaves "Respondido" empty (fecha_respuesta is there)
    utc_row: np.ndarray  # ISO files write this row's timestamps in UTC ("Z")
    conflict: np.ndarray  # pendiente in the first (October) download, final in the second
    # conversations: ObjectId-like ids, formatted on demand by _conv_ids
    conv_utc_s: np.ndarray  # UTC epoch second of the send that opened it
    conv_mix: np.ndarray  # uint64, unique per conversation
    # events (ordered by conversation, then time)
    e_conv: np.ndarray
    e_local_s: np.ndarray
    e_autor: np.ndarray
    e_msg: np.ndarray
    e_nodo: np.ndarray
    e_opcion: np.ndarray
    e_tip: np.ndarray
    e_et: np.ndarray
    e_fin: np.ndarray  # index into _FINALIZACIONES, -1 empty


def _conv_ids(d: _Data, conv: np.ndarray, missing: str | None = None) -> np.ndarray:
    """Conversation id strings (object array) of conversation indexes; -1 -> missing."""
    out = np.full(conv.size, missing, dtype=object)
    has = conv >= 0
    c = conv[has]
    out[has] = np.char.add(_hex(d.conv_utc_s[c], 4), _hex(d.conv_mix[c], 8)).astype(object)
    return out


def _day(date: str) -> int:
    return int(np.datetime64(date, "D").astype(np.int64))


def _tri(u: np.ndarray, p_true: np.ndarray | float, p_false: np.ndarray | float) -> np.ndarray:
    """Three-valued flag from uniforms: 1 with p_true, 0 with p_false, else -1 (NA)."""
    return np.where(u < p_true, 1, np.where(u < np.add(p_true, p_false), 0, -1)).astype(np.int8)


def _delay(rng: np.random.Generator, n: int, median_s: float, sigma: float = 1.0) -> np.ndarray:
    """Positive delays in whole seconds, log-normal around median_s."""
    return np.maximum(1, np.rint(median_s * rng.lognormal(0.0, sigma, n))).astype(np.int64)


_HEX_BYTES = np.array([f"{i:02x}" for i in range(256)], dtype="<U2")


def _hex(values: np.ndarray, n_bytes: int) -> np.ndarray:
    """Lower-case hex of the low n_bytes bytes of unsigned ints (2 * n_bytes chars)."""
    raw = values.astype(">u8").view(np.uint8).reshape(-1, 8)[:, 8 - n_bytes :]
    return np.ascontiguousarray(_HEX_BYTES[raw]).view(f"<U{2 * n_bytes}").ravel()


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: a bijection of uint64 that scatters consecutive values."""
    x = x.astype(np.uint64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _contacts(rng: np.random.Generator, chan: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Contact strings and numeric keys, from per-platform pools smaller than the sends."""
    n = chan.size
    contacto = np.empty(n, dtype=object)
    key = np.zeros(n, dtype=np.int64)
    for kind, members in (("WA", (_WA1, _WA2)), ("FB", (_FB,)), ("IG", (_IG,)), ("WEB", (_WEB,))):
        rows = np.flatnonzero(np.isin(chan, members))
        size = max(10, int(rows.size * 0.4))
        if kind == "WA":  # Argentine mobiles: 549 + area + number (13 digits)
            area = rng.choice(3, size=size, p=[0.7, 0.15, 0.15])
            pool = np.where(
                area == 0,
                5491100000000 + rng.integers(20_000_000, 69_999_999, size),
                np.where(area == 1, 5493510000000, 5493410000000) + rng.integers(4_000_000, 8_999_999, size),
            )
        elif kind == "FB":  # page-scoped ids
            pool = rng.integers(10**15, 10**16 - 1, size)
        elif kind == "IG":
            pool = rng.integers(10**16, 10**17 - 1, size)
        else:
            pool = rng.integers(10**9, 10**10 - 1, size)
        strings = pool.astype(str).astype(object)
        if kind == "WEB":
            strings = np.array(["web-" + s for s in strings], dtype=object)
        pick = (size * rng.random(rows.size) ** 1.6).astype(np.int64)  # a few frequent ones
        contacto[rows] = strings[pick]
        key[rows] = pool[pick]
    return contacto, key


def _build(n_envios: int, seed: int) -> _Data:
    """Generate the whole data set as arrays."""
    n = int(n_envios)
    if n < 1:
        raise ValueError(f"n_envios must be at least 1, got {n_envios!r}")
    rng = np.random.default_rng(seed)
    cat = _catalog()
    camps = _CAMPAIGNS
    event_camps = np.unique(cat.t_camp)

    # --- when, which campaign ---------------------------------------------------------
    shares = np.array([c.share for c in camps])
    camp = rng.choice(len(camps), size=n, p=shares / shares.sum()).astype(np.int8)
    start = np.array([_day(c.start) for c in camps])[camp]
    end = np.array([_day(c.end) for c in camps])[camp]
    day = start + (rng.random(n) * (end - start + 1)).astype(np.int64)
    redraw = rng.random(n) < 0.7  # most weekend sends are redrawn: fewer on weekends
    for _ in range(3):
        again = redraw & ((day + 3) % 7 >= 5)  # (day + 3) % 7: 0 = Monday
        day = np.where(again, start + (rng.random(n) * (end - start + 1)).astype(np.int64), day)
    hour = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    local_s = day * 86_400 + hour * 3600 + rng.integers(0, 3600, n)
    order = np.argsort(local_s, kind="stable")
    local_s, camp = local_s[order], camp[order]
    envio_id = np.arange(n, dtype=np.int64) + 40_000_001

    # --- channel, contact, estado -----------------------------------------------------
    chan = np.zeros(n, dtype=np.int8)
    for ci, c in enumerate(camps):
        rows = np.flatnonzero(camp == ci)
        ids, p = zip(*c.channels, strict=True)
        chan[rows] = rng.choice(ids, size=rows.size, p=p)
    contacto, contact_key = _contacts(rng, chan)
    estado = rng.choice(3, size=n, p=[0.85, 0.10, 0.05]).astype(np.int8)
    ok = estado == 0
    error = np.full(n, -1, dtype=np.int8)
    failed = np.flatnonzero(estado == 1)
    error[failed] = rng.choice(len(_ERROR_CODES), size=failed.size, p=_ERROR_WEIGHTS)
    p_nueva = np.array([c.p_nueva for c in camps])[camp]
    nueva = np.where(ok, (rng.random(n) < p_nueva).astype(np.int8), -1).astype(np.int8)

    # --- conversations: a send over an open conversation of a recent send joins it -----
    has_events = ok & np.isin(camp, event_camps)
    by_contact = np.lexsort((local_s, contact_key, chan))
    prev, cur = by_contact[:-1], by_contact[1:]
    join_sorted = np.zeros(n, dtype=bool)
    join_sorted[1:] = (
        (chan[prev] == chan[cur])
        & (contact_key[prev] == contact_key[cur])
        & ok[prev]
        & ~has_events[prev]
        & ok[cur]
        & ~has_events[cur]
        & (nueva[cur] == 0)
        & (local_s[cur] - local_s[prev] < 86_400)
    )
    group = np.cumsum(~join_sorted) - 1
    root_sorted = by_contact[np.flatnonzero(~join_sorted)][group]
    root = np.empty(n, dtype=np.int64)
    root[by_contact] = root_sorted
    is_root = ok & (root == np.arange(n))
    conv_number = np.cumsum(is_root) - 1
    conv = np.where(ok, conv_number[root], -1)
    n_conv = int(is_root.sum())
    # ObjectId-like: 8 hex of the UTC epoch second + 16 hex of a scrambled counter
    root_rows = np.flatnonzero(is_root)
    conv_mix = _mix(np.arange(n_conv, dtype=np.uint64) + np.uint64(seed % 2**32) * np.uint64(2**32))

    # --- agents (used where asignada) ---------------------------------------------------
    group_of = np.zeros(n, dtype=np.int64)
    for ci, c in enumerate(camps):
        rows = np.flatnonzero(camp == ci)
        ids, p = zip(*c.groups, strict=True)
        group_of[rows] = rng.choice(ids, size=rows.size, p=p)
    agent_group = np.array([g for _, g in _AGENTS])
    first = np.searchsorted(agent_group, np.arange(len(_GROUPS)))
    size = np.bincount(agent_group, minlength=len(_GROUPS))
    agent_pick = first[group_of] + (rng.random(n) * size[group_of]).astype(np.int64)

    leido = np.full(n, -1, dtype=np.int8)
    respondido = np.full(n, -1, dtype=np.int8)
    asignada = np.full(n, -1, dtype=np.int8)
    f_lectura = np.full(n, _NAT, dtype=np.int64)
    f_respuesta = np.full(n, _NAT, dtype=np.int64)
    f_asignacion = np.full(n, _NAT, dtype=np.int64)
    tip = np.full(n, -1, dtype=np.int8)
    venta = np.where(ok, 0, -1).astype(np.int8)
    combo = np.zeros(n, dtype=np.int32)

    # --- events: expand one path template per conversation -----------------------------
    ev_send = np.flatnonzero(has_events)
    tm = np.zeros(ev_send.size, dtype=np.int64)
    for ci in event_camps:
        sel = np.flatnonzero(camp[ev_send] == ci)
        ids = np.flatnonzero(cat.t_camp == ci)
        w = cat.t_weight[ids]
        tm[sel] = ids[rng.choice(ids.size, size=sel.size, p=w / w.sum())]
    cnt = cat.t_len[tm]
    starts = np.cumsum(cnt) - cnt
    pos = np.arange(int(cnt.sum()), dtype=np.int64) - np.repeat(starts, cnt)
    step = np.repeat(cat.t_start[tm], cnt) + pos
    e_autor = cat.s_autor[step]
    gap = cat.s_gap[step]
    scale = np.repeat(rng.lognormal(0.0, 0.6, ev_send.size), cnt) * rng.uniform(0.6, 1.4, step.size)
    gap = np.where(e_autor == _BOT, gap, gap * scale)
    gap = np.where(cat.s_gap[step] > 0, np.maximum(1, np.rint(gap)), 0).astype(np.int64)
    csum = np.cumsum(gap)
    e_local_s = np.repeat(local_s[ev_send] - csum[starts] + gap[starts], cnt) + csum
    e_msg = cat.s_msg[step].copy()
    greet = (cat.s_kind[step] & _GREET) > 0
    e_msg[greet] = cat.greet_base + np.repeat(agent_pick[ev_send], cnt)[greet]
    flow = np.array([c.origen == "flujo" for c in camps])[camp[ev_send]]
    explicit = flow & (rng.random(ev_send.size) < 0.5)
    last = starts + cnt - 1
    e_fin = np.full(step.size, -1, dtype=np.int8)
    e_fin[last[explicit]] = cat.t_fin[tm[explicit]]
    # the send's flags are what its events say
    replied = cat.t_first_cli[tm] >= 0
    assigned = cat.t_assign[tm] >= 0
    respondido[ev_send] = replied
    asignada[ev_send] = assigned
    f_respuesta[ev_send[replied]] = e_local_s[starts[replied] + cat.t_first_cli[tm[replied]]]
    f_asignacion[ev_send[assigned]] = e_local_s[starts[assigned] + cat.t_assign[tm[assigned]]]
    tip[ev_send] = cat.t_tip[tm]
    venta[ev_send] = cat.t_venta[tm]
    combo[ev_send] = cat.t_combo[tm]
    # read receipts: a reply without "read" happens (receipts off, out-of-order statuses)
    u = rng.random(ev_send.size)
    leido[ev_send] = np.where(replied, _tri(u, 0.85, 0.07), _tri(u, 0.50, 0.35))

    # --- flags of the sends without events ---------------------------------------------
    for ci, c in enumerate(camps):
        if ci in event_camps:
            continue
        rows = np.flatnonzero(ok & (camp == ci))
        m = rows.size
        u = rng.random((m, 3))
        if c.reports_reads:
            resp = u[:, 0] < c.p_resp
            respondido[rows] = resp
            leido[rows] = np.where(resp, _tri(u[:, 1], 0.85, 0.08), _tri(u[:, 1], 0.55, 0.32))
            asig = u[:, 2] < np.where(resp, c.p_asig_resp, c.p_asig_other)
            tagged = resp
        else:  # leido / respondido not reported at all
            resp = np.zeros(m, dtype=bool)
            asig = u[:, 2] < c.p_asig_other
            tagged = asig
        asignada[rows] = asig
        names, p = zip(*c.tips, strict=True)
        codes = np.array([_TIP_NAMES.index(t) if t else -1 for t in names], dtype=np.int8)
        tip[rows] = np.where(asig, codes[rng.choice(len(codes), size=m, p=p)], -1)
        combos_c, p = zip(*c.etiquetas, strict=True)
        codes = np.array([cat.combos.index(cb) for cb in combos_c], dtype=np.int32)
        combo[rows] = np.where(tagged, codes[rng.choice(len(codes), size=m, p=p)], 0)
        base = local_s[rows]
        read = leido[rows] == 1
        lect = base + _delay(rng, m, 1200)
        f_lectura[rows[read]] = lect[read]
        resp_t = np.where(read, lect, base) + _delay(rng, m, 1500)
        f_respuesta[rows[resp]] = resp_t[resp]
        asig_t = np.where(resp, resp_t, np.where(read, lect, base)) + _delay(rng, m, 900)
        f_asignacion[rows[asig]] = asig_t[asig]
    venta[(tip >= 0) & ok] = _TIP_VENTA[tip[(tip >= 0) & ok]]
    venta[ev_send] = cat.t_venta[tm]  # a sale earlier in the conversation counts too

    # fecha_lectura of the sends with events: after the send, not after the reply
    rows = ev_send[leido[ev_send] == 1]
    room = np.where(f_respuesta[rows] != _NAT, f_respuesta[rows] - local_s[rows] - 1, 0)
    late = _delay(rng, rows.size, 1800)
    f_lectura[rows] = (
        local_s[rows]
        + 1
        + np.where(
            f_respuesta[rows] != _NAT, (rng.random(rows.size) * np.maximum(room, 0)).astype(np.int64), late
        )
    )
    agent = np.where(asignada == 1, agent_pick, -1).astype(np.int16)

    # --- quirks of the written files ----------------------------------------------------
    resp_blank = (respondido == 1) & (f_respuesta != _NAT) & (rng.random(n) < 0.03)
    utc_row = rng.random(n) < 0.02
    conflict = np.zeros(n, dtype=bool)
    nov = _day("2026-11-01") * 86_400
    window = np.flatnonzero(ok & (local_s >= nov - _OVERLAP_DAYS * 86_400) & (local_s < nov))
    if window.size:
        k = max(1, round(0.05 * window.size))
        conflict[np.sort(rng.choice(window, size=k, replace=False))] = True

    return _Data(
        envio_id=envio_id,
        local_s=local_s,
        camp=camp,
        chan=chan,
        contacto=contacto,
        estado=estado,
        error=error,
        conv=conv,
        nueva=nueva,
        leido=leido,
        respondido=respondido,
        asignada=asignada,
        f_lectura=f_lectura,
        f_respuesta=f_respuesta,
        f_asignacion=f_asignacion,
        agent=agent,
        tip=tip,
        venta=venta,
        combo=combo,
        resp_blank=resp_blank,
        utc_row=utc_row,
        conflict=conflict,
        conv_utc_s=local_s[root_rows] + _OFFSET_S,
        conv_mix=conv_mix,
        e_conv=np.repeat(conv[ev_send], cnt),
        e_local_s=e_local_s,
        e_autor=e_autor,
        e_msg=e_msg,
        e_nodo=cat.s_nodo[step],
        e_opcion=cat.s_opcion[step],
        e_tip=cat.s_tip[step],
        e_et=cat.s_et[step],
        e_fin=e_fin,
    )


# ---------------------------------------------------------------------------------------
# Canonical frames
# ---------------------------------------------------------------------------------------


def _lookup(vocab: Sequence[str | None], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """String array from codes into vocab; code -1 (or a None entry) is missing."""
    table = np.array([*vocab, None], dtype=object)
    return pd.array(table[codes], dtype="str")


def _timestamps(local_s: np.ndarray) -> pd.DatetimeIndex:
    utc = np.where(local_s == _NAT, _NAT, local_s + _OFFSET_S).view("datetime64[s]")
    return pd.DatetimeIndex(utc).as_unit("us").tz_localize("UTC").tz_convert(TZ)


def _flags(values: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(values == 1, values < 0)


def _envios_frame(d: _Data) -> pd.DataFrame:
    cat = _catalog()
    tip_tipo = np.where(d.tip >= 0, _TIP_TIPO[d.tip], -1)
    agent_group = np.array([g for _, g in _AGENTS])
    etiquetas = pd.Series([list(cat.combos[i]) for i in d.combo.tolist()], dtype=object)
    cols = {
        "envio_id": pd.array(d.envio_id.astype(str), dtype="str"),
        "fecha_envio": _timestamps(d.local_s),
        "campana": _lookup([c.name for c in _CAMPAIGNS], d.camp),
        "origen": _lookup([c.origen for c in _CAMPAIGNS], d.camp),
        "canal": _lookup([c for c, _ in _CHANNELS], d.chan),
        "linea": _lookup([li for _, li in _CHANNELS], d.chan),
        "contacto_id": pd.array(d.contacto, dtype="str"),
        "estado": _lookup(_ESTADOS, d.estado),
        "codigo_error": _lookup(_ERROR_CODES, d.error),
        "conversacion_id": pd.array(_conv_ids(d, d.conv), dtype="str"),
        "conversacion_nueva": _flags(d.nueva),
        "leido": _flags(d.leido),
        "respondido": _flags(d.respondido),
        "asignada": _flags(d.asignada),
        "fecha_lectura": _timestamps(d.f_lectura),
        "fecha_respuesta": _timestamps(d.f_respuesta),
        "fecha_asignacion": _timestamps(d.f_asignacion),
        "grupo": _lookup(_GROUPS, np.where(d.agent >= 0, agent_group[d.agent], -1)),
        "agente": _lookup([a for a, _ in _AGENTS], d.agent),
        "tipificacion": _lookup(_TIP_NAMES, d.tip),
        "tipo_tipificacion": _lookup(_TIPOS, tip_tipo),
        "venta": _flags(d.venta),
        "etiquetas": etiquetas,
    }
    return pd.DataFrame(cols)[[c.name for c in ENVIOS]]


def _eventos_frame(d: _Data) -> pd.DataFrame:
    cat = _catalog()
    tipo = np.where(d.e_tip >= 0, _TIP_TIPO[d.e_tip], -1)
    cols = {
        "conversacion_id": pd.array(_conv_ids(d, d.e_conv), dtype="str"),
        "fecha": _timestamps(d.e_local_s),
        "autor": _lookup(_AUTORES, d.e_autor),
        "mensaje": _lookup(cat.msgs, d.e_msg),
        "nodo": _lookup(cat.nodos, d.e_nodo),
        "opcion": _lookup(cat.opciones, d.e_opcion),
        "tipificacion": _lookup(_TIP_NAMES, d.e_tip),
        "tipo_tipificacion": _lookup(_TIPOS, tipo),
        "etiqueta": _lookup(_ETIQUETAS, d.e_et),
        "finalizacion": _lookup(_FINALIZACIONES, d.e_fin),
    }
    return pd.DataFrame(cols)[[c.name for c in EVENTOS]]


def generate(n_envios: int = 3000, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical (envios, eventos) frames: contract column names, one row per send / event,
    with the truth the files encode (timestamps tz-aware in America/Argentina/Buenos_Aires,
    booleans as pandas 'boolean' dtype with pd.NA for 'not reported', etiquetas as lists).
    Each envio_id appears once here (the overlap duplicates exist only in the written files).
    """
    d = _build(n_envios, seed)
    return _envios_frame(d), _eventos_frame(d)


# ---------------------------------------------------------------------------------------
# Platform-style files
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How one export writes envios."""

    legacy: bool  # True: cp1252, ";", dd/mm/yyyy, labels, Sí/No, one "Canal" label

    @property
    def sep(self) -> str:
        return ";" if self.legacy else ","

    @property
    def encoding(self) -> str:
        return "cp1252" if self.legacy else "utf-8-sig"

    @property
    def eol(self) -> str:
        return "\r\n" if self.legacy else "\n"


def _cells(vocab: Sequence[str | None], sep: str) -> np.ndarray:
    """CSV cells of vocab (quoted where needed), with "" appended for code -1."""
    out = []
    for v in [*vocab, None]:
        if v is None:
            out.append("")
        elif any(ch in v for ch in (sep, '"', "\n", "\r")):
            out.append('"' + v.replace('"', '""') + '"')
        else:
            out.append(v)
    return np.array(out, dtype=object)


def _strftime(local_s: np.ndarray, fmt: str) -> np.ndarray:
    """Format local seconds (``_NAT`` = missing) with pyarrow; missing -> None."""
    arr = pa.array(local_s.view("datetime64[s]"), from_pandas=True)
    return pc.strftime(arr, format=fmt).to_numpy(zero_copy_only=False)


def _ts_cells(local_s: np.ndarray, legacy: bool, utc_row: np.ndarray) -> np.ndarray:
    if legacy:
        out = _strftime(local_s, "%d/%m/%Y %H:%M:%S")
    else:
        out = _strftime(local_s, "%Y-%m-%dT%H:%M:%S-03:00")
        if utc_row.any():
            utc = np.where(local_s == _NAT, _NAT, local_s + _OFFSET_S)
            out[utc_row] = _strftime(utc[utc_row], "%Y-%m-%dT%H:%M:%SZ")
    out[local_s == _NAT] = ""
    return out


def _envios_cells(
    d: _Data, rows: np.ndarray, style: _Style, pending: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Cell strings of the envios rows, by header. ``pending`` marks rows written in
    their earlier, still pending, version (no outcome yet)."""
    cat = _catalog()
    sep, legacy = style.sep, style.legacy
    keep = np.ones(rows.size, dtype=bool) if pending is None else ~pending

    def val(a: np.ndarray, empty: int = -1) -> np.ndarray:
        return np.where(keep, a[rows], empty)

    def ts(a: np.ndarray) -> np.ndarray:
        return _ts_cells(val(a, _NAT), legacy, d.utc_row[rows])

    bools = _cells(["No", "Sí"] if legacy else ["false", "true"], sep)
    estado = np.where(keep, d.estado[rows], _ESTADOS.index("pendiente"))
    tip = val(d.tip)
    agent = val(d.agent)
    agent_group = np.array([g for _, g in _AGENTS])
    respondido = np.where(d.resp_blank[rows], -1, val(d.respondido))
    origenes = [c.origen for c in _CAMPAIGNS]
    joiner = "|" if legacy else ","
    cols = {
        "envio_id": d.envio_id[rows].astype(str).astype(object),
        "fecha_envio": _ts_cells(d.local_s[rows], legacy, d.utc_row[rows]),
        "campana": _cells([c.name for c in _CAMPAIGNS], sep)[d.camp[rows]],
        "origen": _cells([_ORIGEN_LABELS[o] if legacy else o for o in origenes], sep)[d.camp[rows]],
    }
    if legacy:
        cols["canal"] = _cells([f"{c} {li}" for c, li in _CHANNELS], sep)[d.chan[rows]]
    else:
        cols["canal"] = _cells([c for c, _ in _CHANNELS], sep)[d.chan[rows]]
        cols["linea"] = _cells([li for _, li in _CHANNELS], sep)[d.chan[rows]]
    cols |= {
        "contacto_id": d.contacto[rows],
        "estado": _cells(_ESTADO_LABELS if legacy else _ESTADOS, sep)[estado],
        "codigo_error": _cells(_ERROR_CODES, sep)[val(d.error)],
        "conversacion_id": _conv_ids(d, val(d.conv), ""),
        "conversacion_nueva": bools[val(d.nueva)],
        "leido": bools[val(d.leido)],
        "respondido": bools[respondido],
        "asignada": bools[val(d.asignada)],
        "fecha_lectura": ts(d.f_lectura),
        "fecha_respuesta": ts(d.f_respuesta),
        "fecha_asignacion": ts(d.f_asignacion),
        "grupo": _cells(_GROUPS, sep)[np.where(agent >= 0, agent_group[agent], -1)],
        "agente": _cells([a for a, _ in _AGENTS], sep)[agent],
        "tipificacion": _cells(_TIP_NAMES, sep)[tip],
        "tipo_tipificacion": _cells([_TIPO_LABELS[t] if legacy else t for t in _TIPOS], sep)[
            np.where(tip >= 0, _TIP_TIPO[tip], -1)
        ],
        "venta": bools[val(d.venta)],
        "etiquetas": _cells([joiner.join(cb) or None for cb in cat.combos], sep)[:-1][val(d.combo, 0)],
    }
    return {_H_ENVIOS[k]: v for k, v in cols.items()}


_CHUNK = 100_000  # rows formatted and written at a time


def _write_lines(
    path: Path, header: str | None, chunks: Iterable[Sequence[np.ndarray]], sep: str, eol: str, encoding: str
) -> None:
    """Join each chunk's cell strings (one array per column) into lines and write them."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        if header is not None:
            fh.write(header + eol)
        for columns in chunks:
            parts = [c.tolist() for c in columns]
            if parts and parts[0]:
                fh.write(eol.join(map(sep.join, zip(*parts, strict=True))) + eol)


def _part_name(stem: str, part: int, suffix: str) -> str:
    return f"{stem}{'' if part == 1 else f'_parte{part}'}{suffix}"


def _envios_header(style: _Style) -> str:
    names = [c.name for c in ENVIOS if not (style.legacy and c.name == "linea")]
    return style.sep.join(_cells([_H_ENVIOS[c] for c in names], style.sep)[:-1])


def _write_envios(d: _Data, out: Path) -> list[Path]:
    """One download per month of fecha_envio; the November one starts 3 days early."""
    month = (d.local_s // 86_400).astype("datetime64[D]").astype("datetime64[M]")
    paths: list[Path] = []
    for m in np.unique(month):
        label = str(m)  # "2026-08"
        style = _Style(legacy=label <= _LEGACY_UNTIL)
        rows = np.flatnonzero(month == m)
        pending = d.conflict[rows]  # first download: these were still pending
        if label == "2026-11":
            first = int(m.astype("datetime64[D]").astype(np.int64)) * 86_400
            prev = np.flatnonzero((d.local_s >= first - _OVERLAP_DAYS * 86_400) & (d.local_s < first))
            rows = np.concatenate([prev, rows])
            pending = np.zeros(rows.size, dtype=bool)  # the later, final version
        header = _envios_header(style)
        for part, lo in enumerate(range(0, rows.size, MAX_ROWS), start=1):
            hi = min(rows.size, lo + MAX_ROWS)
            chunks = (
                list(_envios_cells(d, rows[a:b], style, pending[a:b]).values()) for a, b in _spans(lo, hi)
            )
            path = out / _part_name(f"envios_{label}", part, ".csv")
            _write_lines(path, header, chunks, style.sep, style.eol, style.encoding)
            paths.append(path)
    return paths


def _spans(lo: int, hi: int) -> list[tuple[int, int]]:
    return [(a, min(hi, a + _CHUNK)) for a in range(lo, hi, _CHUNK)]


def _event_columns(d: _Data) -> dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]]:
    """Event values by column: (vocab as object array, codes) for coded columns."""
    cat = _catalog()
    tipo = np.where(d.e_tip >= 0, _TIP_TIPO[d.e_tip], -1)

    def voc(values: Sequence[str | None]) -> np.ndarray:
        return np.array([*values, None], dtype=object)

    return {
        "autor": (voc(_AUTOR_LABELS), d.e_autor),
        "mensaje": (voc(cat.msgs), d.e_msg),
        "nodo": (voc(cat.nodos), d.e_nodo),
        "opcion": (voc(cat.opciones), d.e_opcion),
        "tipificacion": (voc(_TIP_NAMES), d.e_tip),
        "tipo_tipificacion": (voc([_TIPO_LABELS[t] for t in _TIPOS]), tipo),
        "etiqueta": (voc(_ETIQUETAS), d.e_et),
        "finalizacion": (voc(_FIN_LABELS), d.e_fin),
    }


def _write_xlsx(d: _Data, path: Path) -> None:
    import xlsxwriter

    coded = _event_columns(d)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": _XLSX_CREATED, "author": "Atom"})
    ws = wb.add_worksheet("Eventos")
    header = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    names = [c.name for c in EVENTOS]
    for j, name in enumerate(names):
        ws.write_string(0, j, _H_EVENTOS[name], header)
    ws.write_column(1, 0, _conv_ids(d, d.e_conv).tolist())
    ws.write_column(1, 1, (d.e_local_s / 86_400 + 25_569).tolist(), date_fmt)  # Excel serial
    for j, name in enumerate(names[2:], start=2):
        vocab, codes = coded[name]
        for i, value in enumerate(vocab[codes].tolist(), start=1):
            if value is not None:
                ws.write_string(i, j, value)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 20)
    ws.set_column(3, 3, 60)
    ws.set_column(4, 9, 18)
    ws.freeze_panes(1, 0)
    wb.close()


def _write_json_lines(d: _Data, out: Path) -> list[Path]:
    """Events as JSON lines (every key on every line, null when empty), MAX_ROWS a file."""
    coded = _event_columns(d)
    key = {c.name: json.dumps(c.aliases[0], ensure_ascii=False) for c in EVENTOS}
    # a line is the join of per-column fragments; "{" and "}" ride on the first and last
    fragments = []
    names = [c.name for c in EVENTOS[2:]]
    for name in names:
        vocab, codes = coded[name]
        close = "}" if name == names[-1] else ""
        frag = np.array(
            [f"{key[name]}:{json.dumps(v, ensure_ascii=False)}{close}" for v in vocab], dtype=object
        )
        fragments.append((frag, codes))
    conv_key = "{" + key["conversacion_id"] + ':"'
    fecha_fmt = f'{key["fecha"]}:"%Y-%m-%dT%H:%M:%S-03:00"'

    def chunk(a: int, b: int) -> list[np.ndarray]:
        conv = np.char.add(np.char.add(conv_key, _conv_ids(d, d.e_conv[a:b]).astype(str)), '"')
        cols = [conv.astype(object), _strftime(d.e_local_s[a:b], fecha_fmt)]
        return cols + [frag[codes[a:b]] for frag, codes in fragments]

    paths = []
    n = d.e_conv.size
    for part, lo in enumerate(range(0, n, MAX_ROWS), start=1):
        path = out / f"eventos_{part:03d}.json"
        spans = _spans(lo, min(n, lo + MAX_ROWS))
        _write_lines(path, None, (chunk(a, b) for a, b in spans), ",", "\n", "utf-8")
        paths.append(path)
    return paths


_OWN_FILES = re.compile(r"envios_\d{4}-\d{2}(_parte\d+)?\.csv|eventos\.xlsx|eventos_\d{3}\.json")


def write(directory: str | Path, n_envios: int = 3000, seed: int = 7) -> list[Path]:
    """Write the platform-style files into directory (created if needed); return their paths
    in load order.

    Envios first (``envios_YYYY-MM[_parteK].csv`` by month), then eventos (``eventos.xlsx``
    or ``eventos_NNN.json``). Files of an earlier run with these names are removed first,
    so the directory holds one consistent data set.
    """
    d = _build(n_envios, seed)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_file() and _OWN_FILES.fullmatch(old.name):
            old.unlink()
    paths = _write_envios(d, out)
    if d.e_conv.size <= XLSX_MAX_EVENTS:
        path = out / "eventos.xlsx"
        _write_xlsx(d, path)
        paths.append(path)
    else:
        paths += _write_json_lines(d, out)
    return paths
