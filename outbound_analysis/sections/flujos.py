"""Flujos sections: the campaign warning, results, first options, endings, funnels, last messages,
and beyond the platform (CONTRACT §5.3) the paths through the bot and where the abandonos left.

Every section but ``aviso`` first asks :func:`motivo` whether there is anything to show.
"""

from __future__ import annotations

import pandas as pd

from .. import _graficos_flujos as graficos_flujos
from .. import _html, charts
from ..labels import FINALIZACION_LABELS
from ..schema import FINALIZACIONES
from ._base import Etiquetas, Part, Secciones, Tablas, fila, texto

#: the columns of the recorridos table (CONTRACT §5.3)
RECORRIDOS_COLUMNS = ["paso", "desde", "hasta", "conversaciones"]

#: sends pass the filters, but none of a flow campaign
SIN_ENVIOS_FLUJO = "No hay envíos de campañas de flujo que cumplan los filtros elegidos."
#: flow sends, but no eventos file was given
SIN_ARCHIVO_EVENTOS = (
    "No se indicó ningún archivo de eventos: sin eventos no se sabe qué respondieron los contactos en "
    "el flujo. Completá el parámetro eventos con la descarga de eventos de las conversaciones."
)
#: flow sends and eventos, but no evento of their conversations
SIN_EVENTOS_COINCIDENTES = (
    "Ningún evento coincide con las conversaciones de estos envíos: revisá el archivo de eventos (que sea "
    "de las mismas campañas y fechas que los envíos) y la columna conversacion_id de los dos archivos."
)
#: events of the conversations, but none written by the contact
SIN_RESPUESTAS = (
    "Ningún contacto escribió en las conversaciones de estos envíos: no hay flujos respondidos para analizar."
)

SECCIONES = Secciones()


def motivo(t: Tablas) -> str | None:
    """Why the flujos sections have nothing to show, or None when there are flujos respondidos.

    In order: no flow sends; no eventos file; no evento of the flow sends' conversations;
    events, but no conversation where the contact wrote (no flujo respondido).
    """
    a = fila(t["alcance_flujos"])
    if not a["envios_flujo"]:
        return SIN_ENVIOS_FLUJO
    if not a["archivo_eventos"]:
        return SIN_ARCHIVO_EVENTOS
    if not a["conversaciones_con_eventos"]:
        return SIN_EVENTOS_COINCIDENTES
    if not a["flujos_respondidos"]:
        return SIN_RESPUESTAS
    return None


@SECCIONES.seccion("aviso")
def aviso(t: Tablas, e: Etiquetas) -> list[Part]:
    """Which flow campaign is analysed (a warning when several mix), and why the rest is empty."""
    campanas = t["campanas_flujo"]["campana"].tolist()
    return texto("sections/flujos/aviso.html.j2", campanas=campanas, motivo=motivo(t))


@SECCIONES.seccion("resultados")
def resultados(t: Tablas, e: Etiquetas) -> list[Part]:
    """The flow sends' results as cards (shown even without events)."""
    if motivo(t) == SIN_ENVIOS_FLUJO:
        return [_html.empty(SIN_ENVIOS_FLUJO)]
    return [_html.STYLE, *texto("sections/flujos/resultados.html.j2", r=fila(t["resultados"]))]


def _conteo(tabla: str, label: str, title: str, color: str = "#1F5BD6", vacia: str | None = None):
    """A count table with its bars; the template ``vacia`` says why the table is empty when it is."""

    def section(t: Tablas, e: Etiquetas) -> list[Part]:
        reason = motivo(t)
        if reason is not None:
            return [_html.empty(reason)]
        table = t[tabla]
        if table.empty and vacia:
            return texto(vacia)
        return [charts.barras(table, label, title, color=color), _html.table(table)]

    section.__doc__ = f"{title}: bars and table of {tabla}."
    return section


def _niveles(tabla: str, label: str, title: str, vacia: str):
    """A level funnel with its stacked bars; the template ``vacia`` says why it is empty when it is."""

    def section(t: Tablas, e: Etiquetas) -> list[Part]:
        reason = motivo(t)
        if reason is not None:
            return [_html.empty(reason)]
        table = t[tabla]
        if table.empty:
            return texto(vacia)
        return [charts.embudo_niveles(table, label, title), _html.table(table)]

    section.__doc__ = f"{title}: stacked bars and table of {tabla}."
    return section


SECCIONES.seccion("primeras_opciones")(_conteo("primeras_opciones", "opcion", "Primera opción elegida"))


@SECCIONES.seccion("finalizacion")
def finalizacion(t: Tablas, e: Etiquetas) -> list[Part]:
    """How the answered flows ended: donut and table."""
    reason = motivo(t)
    if reason is not None:
        return [_html.empty(reason)]
    table = t["finalizacion"]
    return [charts.finalizacion(table), _html.table(table, sortable=False)]


SECCIONES.seccion("embudo_tipificaciones")(
    _niveles(
        "embudo_tipificaciones",
        "tipificacion",
        "Embudo de tipificaciones por nivel",
        "sections/flujos/embudo_tipificaciones.html.j2",
    )
)
SECCIONES.seccion("embudo_etiquetas")(
    _niveles(
        "embudo_etiquetas",
        "etiqueta",
        "Embudo de etiquetas por nivel",
        "sections/flujos/embudo_etiquetas.html.j2",
    )
)
SECCIONES.seccion("ultimo_mensaje_abandono")(
    _conteo(
        "ultimo_mensaje_abandono",
        "mensaje",
        "Último mensaje del bot antes del abandono",
        color="#E4572E",
        vacia="sections/flujos/ultimo_mensaje_abandono.html.j2",
    )
)


def _sin_nodos(t: Tablas) -> bool:
    """No flujo respondido went through a nodo (the events carry no nodo): nothing to draw."""
    return t["abandono_por_nodo"].empty


def _recorridos_html(grafico: pd.DataFrame) -> pd.DataFrame:
    """The Sankey's table as shown: ``hasta`` of an ending reads "fin: Asignación" (no ``fin`` column)."""
    ending = grafico["fin"].to_numpy(dtype=bool)
    hasta = grafico["hasta"].astype("string")
    labelled = "fin: " + hasta.map(lambda v: FINALIZACION_LABELS.get(v, v)).astype("string")
    return grafico[RECORRIDOS_COLUMNS].assign(hasta=hasta.where(~ending, labelled))


@SECCIONES.seccion("recorridos")
def recorridos(t: Tablas, e: Etiquetas) -> list[Part]:
    """Paths through the bot: how to read them, the Sankey and the transitions."""
    reason = motivo(t)
    if reason is not None:
        return [_html.empty(reason)]
    if _sin_nodos(t):
        return texto("sections/flujos/sin_nodos.html.j2")
    grafico = t["recorridos_grafico"]
    como_final = sorted(set(grafico["desde"].astype(str)) & set(FINALIZACIONES))
    return [
        *texto(
            "sections/flujos/recorridos.html.j2",
            total=fila(t["resultados"])["flujos_respondidos"],
            como_final=[FINALIZACION_LABELS.get(f, f) for f in como_final],
            codigos=como_final,
        ),
        graficos_flujos.sankey_recorridos(grafico),
        _html.table(_recorridos_html(grafico)),
    ]


@SECCIONES.seccion("abandono_por_nodo")
def abandono_por_nodo(t: Tablas, e: Etiquetas) -> list[Part]:
    """Where the abandonos left: how to read it, the bars and the table."""
    reason = motivo(t)
    if reason is not None:
        return [_html.empty(reason)]
    if _sin_nodos(t):
        return texto("sections/flujos/sin_nodos.html.j2")
    table = t["abandono_por_nodo"]
    return [
        *texto("sections/flujos/abandono_por_nodo.html.j2", top=fila(table)),
        graficos_flujos.abandono_por_nodo(table),
        _html.table(table),
    ]
