"""Resumen sections: indicators, sales funnel, by origen, reconciliation, failures."""

from __future__ import annotations

from .. import _html, charts
from ..labels import CONCEPTO_LABELS
from ._base import Etiquetas, Part, Secciones, Tablas, fila, texto

SECCIONES = Secciones()


@SECCIONES.seccion("kpis")
def kpis(t: Tablas, e: Etiquetas) -> list[Part]:
    """The kpis row as cards, each with its share of the exitosos."""
    return [_html.STYLE, *texto("sections/resumen/kpis.html.j2", k=fila(t["kpis"]))]


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
