"""Resumen sections: indicators (with the previous period's deltas), sales funnel, by origen,
reconciliation, failures, and CONTRACT §5.1: evolution, previous period, best hour, fatigue."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from .. import _graficos_resumen as graficos
from .. import _html, charts
from .._text import fmt_pct, is_missing
from ..labels import CONCEPTO_LABELS, column_label
from ..metrics import _tiempo as mas
from ._base import Etiquetas, Part, Secciones, Tablas, fila, texto

SECCIONES = Secciones()


def _comparacion(t: Tablas) -> mas.PeriodoAnterior | None:
    """The previous period as :mod:`..metrics._tiempo` describes it, rebuilt from its two tables."""
    if "periodo_anterior" not in t or "contexto_tiempo" not in t:
        return None
    c = fila(t["contexto_tiempo"])
    pedido = not (is_missing(c["fecha_desde"]) or is_missing(c["fecha_hasta"]))
    return mas.PeriodoAnterior(
        t["periodo_anterior"],
        c["desde"],
        c["hasta"],
        int(c["envios_cargados"]),
        c["primer_dia_cargado"],
        pedido,
    )


@SECCIONES.seccion("kpis")
def kpis(t: Tablas, e: Etiquetas) -> list[Part]:
    """The kpis row as cards, each with its share of the exitosos and, when the previous period
    is defined and loaded, its variation against it (CONTRACT §5.1)."""
    p = _comparacion(t)
    deltas: dict[str, str] = {}
    if p is not None and p.definido and not p.sin_envios_cargados:
        table = p.tabla
        deltas = {
            str(m): mas.texto_variacion(v) for m, v in zip(table["metrica"], table["variacion"], strict=True)
        }
    contexto = fila(t["contexto_tiempo"]) if p is not None and p.definido else None
    return [
        _html.STYLE,
        *texto(
            "sections/resumen/kpis.html.j2",
            k=fila(t["kpis"]),
            d=deltas,
            c=contexto,
            aviso=p.nota() if p is not None and p.definido else None,
        ),
    ]


@SECCIONES.seccion("embudo")
def embudo(t: Tablas, e: Etiquetas) -> list[Part]:
    """Funnel chart, why it can grow (assigned without a reply) and what an unreported read means."""
    sin_respuesta = t["asignadas_sin_respuesta"]
    notes = texto(
        "sections/resumen/embudo.html.j2",
        k=fila(t["kpis"]),
        todos=fila(sin_respuesta),
        por_origen=sin_respuesta.iloc[1:].to_dict("records"),
    )
    table = t["embudo"]
    return [charts.embudo(table), *notes, _html.table(table, sortable=False)]


@SECCIONES.seccion("por_origen")
def por_origen(t: Tablas, e: Etiquetas) -> list[Part]:
    """The resumen counts per origen."""
    return [_html.table(t["por_origen"])]


@SECCIONES.seccion("reconciliacion")
def reconciliacion(t: Tablas, e: Etiquetas) -> list[Part]:
    """Envíos exitosos split into new conversations, open ones and not reported."""
    table = t["reconciliacion"]
    c = dict(zip(table["concepto"], table["cantidad"], strict=True))
    shown = table.assign(concepto=table["concepto"].map(CONCEPTO_LABELS))
    note = texto("sections/resumen/reconciliacion.html.j2", c=c)
    return [charts.reconciliacion(table), *note, _html.table(shown, sortable=False)]


@SECCIONES.seccion("fallas")
def fallas(t: Tablas, e: Etiquetas) -> list[Part]:
    """Failed sends per error code; a note when there is none."""
    table = t["fallas"]
    if table.empty:
        return texto("sections/resumen/fallas.html.j2")
    return [charts.fallas(table), _html.table(table)]


# --------------------------------------------------------------------------- CONTRACT §5.1


def _plegada(table: pd.DataFrame, **labels: object) -> Markup:
    """An HTML table (already escaped by :mod:`.._html`) as template input."""
    return Markup(_html.table(table, **labels))  # _html.table escapes every value


@SECCIONES.seccion("evolucion")
def evolucion(t: Tablas, e: Etiquetas) -> list[Part]:
    """Sends and rates per day (per ISO week in the chart beyond 92 days); the daily table folded."""
    table = t["evolucion"]
    if table.empty:
        return texto("sections/resumen/evolucion.html.j2", "vacio")
    first, last = (pd.Timestamp(str(table["fecha"].iloc[i])).date() for i in (0, -1))
    note = texto(
        "sections/resumen/evolucion.html.j2",
        dias=len(table),
        desde=first,
        hasta=last,
        sin_envios=int((table["envios"] == 0).sum()),
        semanal=len(table) > graficos.MAX_DIAS_DIARIO,
        max_dias=graficos.MAX_DIAS_DIARIO,
        zona=fila(t["contexto_tiempo"])["zona_horaria"],
        tabla=_plegada(table),
    )
    return [graficos.evolucion(table), *note]


@SECCIONES.seccion("periodo_anterior")
def periodo_anterior(t: Tablas, e: Etiquetas) -> list[Part]:
    """The kpis next to the previous period's; what the comparison needs or lacks."""
    p = _comparacion(t)
    assert p is not None
    c = fila(t["contexto_tiempo"])
    if not p.definido:
        return texto(
            "sections/resumen/periodo_anterior.html.j2", c=c, definido=False, aviso=p.nota(), tabla=""
        )
    table = p.tabla
    shown = table.assign(
        metrica=table["metrica"].map(column_label),
        variacion=[_variacion(v) for v in table["variacion"]],
    )
    return texto(
        "sections/resumen/periodo_anterior.html.j2",
        c=c,
        definido=True,
        aviso=p.nota(),
        tabla=_plegada(shown, sortable=False),
    )


def _variacion(value: object) -> str:
    """A variation as a signed Spanish percentage ("+12,5 %"); "–" when anterior is 0."""
    text = fmt_pct(value)
    if not pd.isna(value) and float(value) > 0:  # type: ignore[arg-type]
        return f"+{text}"
    return text


@SECCIONES.seccion("horarios")
def horarios(t: Tablas, e: Etiquetas) -> list[Part]:
    """Heatmap of pct_respondidos by weekday and local hour; the best reliable hour; the table folded."""
    table = t["horarios"]
    zona = fila(t["contexto_tiempo"])["zona_horaria"]
    reliable = table[table["envios_exitosos"] >= mas.MIN_EXITOSOS_CONFIABLE]
    best = None
    if len(reliable):
        row = reliable.sort_values(
            ["pct_respondidos", "envios_exitosos"], ascending=False, kind="stable", na_position="last"
        ).iloc[0]
        best = {
            "dia": graficos.DIAS_SEMANA[int(row["dia_semana"]) - 1].lower(),
            "hora": int(row["hora"]),
            "pct": row["pct_respondidos"],
            "respondidos": int(row["respondidos"]),
            "exitosos": int(row["envios_exitosos"]),
        }
    con_exitosos = int((table["envios_exitosos"] > 0).sum())
    shown = table.assign(
        dia_semana=[f"{d} ({graficos.DIAS_SEMANA[int(d) - 1].lower()})" for d in table["dia_semana"]]
    )
    note = texto(
        "sections/resumen/horarios.html.j2",
        mejor=best,
        minimo=mas.MIN_EXITOSOS_CONFIABLE,
        con_exitosos=con_exitosos,
        poco_confiables=con_exitosos - len(reliable),
        zona=zona,
        tabla=_plegada(shown),
    )
    if not con_exitosos:
        return note
    return [graficos.horarios(table, zona_horaria=zona), *note]


@SECCIONES.seccion("fatiga")
def fatiga(t: Tablas, e: Etiquetas) -> list[Part]:
    """Reply and sale rates by the exitoso's number for its contact: does insisting tire?"""
    table = t["fatiga"]
    rows = table.to_dict("records")
    note = texto(
        "sections/resumen/fatiga.html.j2",
        primero=rows[0],
        siguientes=rows[1:],
        minimo=mas.MIN_EXITOSOS_CONFIABLE,
    )
    if not int(table["envios_exitosos"].sum()):
        return note
    return [graficos.fatiga(table), *note, _html.table(table, sortable=False)]
