"""The campaign catalogue: each campaign's origen, channels, period, share of the sends and
groups, and (for the campaigns without events) the rates of its flags."""

from __future__ import annotations

from dataclasses import dataclass

from ._vocab import ATENCION, COBRANZAS, FB, IG, VENTAS, WA1, WA2, WEB


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


CAMPAIGNS: tuple[_Campaign, ...] = (
    _Campaign(
        "Recupero de carrito", "flujo", ((WA1, 1.0),), "2026-08-01", "2026-11-20", 0.20, ((VENTAS, 1.0),)
    ),
    _Campaign(
        "Encuesta de satisfacción",
        "flujo",
        ((WA2, 1.0),),
        "2026-08-10",
        "2026-10-31",
        0.10,
        ((ATENCION, 1.0),),
    ),
    _Campaign(
        "Bienvenida Instagram",
        "flujo",
        ((IG, 1.0),),
        "2026-09-01",
        "2026-11-20",
        0.08,
        ((VENTAS, 0.5), (ATENCION, 0.5)),
    ),
    _Campaign(
        "Hot Sale Noviembre",
        "plantilla",
        ((WA1, 1.0),),
        "2026-10-26",
        "2026-11-20",
        0.20,
        ((VENTAS, 1.0),),
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
        ((WA2, 1.0),),
        "2026-08-01",
        "2026-11-20",
        0.15,
        ((COBRANZAS, 1.0),),
    ),
    _Campaign(
        "Seguimiento postventa",
        "plantilla_individual",
        ((WA1, 0.6), (WA2, 0.4)),
        "2026-08-01",
        "2026-11-20",
        0.09,
        ((ATENCION, 0.6), (VENTAS, 0.4)),
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
        ((WA1, 1.0),),
        "2026-09-15",
        "2026-11-20",
        0.08,
        ((VENTAS, 1.0),),
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
        ((FB, 1.0),),
        "2026-08-01",
        "2026-11-20",
        0.07,
        ((ATENCION, 1.0),),
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
        ((WEB, 0.8), (WA1, 0.2)),
        "2026-08-03",
        "2026-08-14",
        0.03,
        ((VENTAS, 0.3), (COBRANZAS, 0.3), (ATENCION, 0.4)),
        p_resp=0.3,
        p_asig_resp=0.2,
        tips=(("Volver a contactar", 0.3), (None, 0.7)),
    ),
)
