"""Charts: report tables -> plotly Figures. Pure functions; nothing is shown or written here.

Every function accepts the table exactly as :mod:`outbound_analysis.metrics` returns
it and draws an explicit empty state ("Sin datos para los filtros elegidos") instead
of failing when the table has no rows, only zeros, or only NA percentages.

>>> from outbound_analysis import metrics
>>> fig = embudo(metrics.embudo(metrics.ejemplo_envios()))
>>> fig.data[0].type
'funnel'
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from . import _plotly_setup
from ._text import fmt_int, fmt_pct
from .labels import ETAPA_LABELS, FINALIZACION_LABELS, error_label

_plotly_setup.install()

EMPTY_TEXT = "Sin datos para los filtros elegidos"
NO_RATES_TEXT = "Ninguna campaña tiene envíos exitosos: no hay tasas para calcular"
MAX_BARS = 20
MAX_LEVELS = 6
_RATE_COLUMNS = {
    "pct_vistas": "Vistas",
    "pct_respondidas": "Respondidas",
    "pct_asignadas": "Asignadas",
    "pct_ventas": "Ventas",
}


def empty_figure(title: str, text: str = EMPTY_TEXT) -> go.Figure:
    """A figure with no data and ``text`` in its middle: every chart's empty state (one look everywhere)."""
    fig = go.Figure()
    fig.update_layout(
        title=title,
        height=260,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": text,
                "showarrow": False,
                "font": {"size": 15, "color": "#666"},
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
            }
        ],
    )
    return fig


def truncate(label: object, width: int = 48) -> str:
    """``label`` as text, cut to ``width`` characters with "…" (chart labels stay readable)."""
    text = str(label)
    return text if len(text) <= width else text[: width - 1] + "…"


def embudo(table: pd.DataFrame, title: str = "Embudo de ventas") -> go.Figure:
    """The sales funnel: count per stage, % of envíos exitosos and % of the previous stage."""
    if table.empty or int(table["cantidad"].iloc[0]) == 0:
        return empty_figure(title)
    labels = [
        ETAPA_LABELS.get(e, e) + ("" if i == 0 else f"<br><sub>{fmt_pct(q)} de la etapa anterior</sub>")
        for i, (e, q) in enumerate(zip(table["etapa"], table["pct_etapa_anterior"], strict=True))
    ]
    text = [
        f"{fmt_int(n)} · {fmt_pct(p)}" for n, p in zip(table["cantidad"], table["pct_envios"], strict=True)
    ]
    fig = go.Figure(
        go.Funnel(
            y=labels,
            x=table["cantidad"].astype("int64"),
            text=text,
            textinfo="text",
            textposition="auto",
            hovertemplate="%{y}<br>%{text} de los envíos exitosos<extra></extra>",
            marker={"color": ["#1F5BD6", "#3A78F2", "#19A974", "#F2A541", "#E4572E"]},
            connector={"line": {"color": "#c8d3e6"}},
        )
    )
    fig.update_layout(
        title=title + " (cantidad · % de los envíos exitosos)", height=420, yaxis={"title": None}
    )
    return fig


def reconciliacion(table: pd.DataFrame, title: str = "Envíos exitosos: ¿abrieron conversación?") -> go.Figure:
    """Envíos exitosos split into conversaciones iniciadas, over an open one, and not reported."""
    parts = table[table["concepto"] != "envios_exitosos"]
    if table.empty or int(table["cantidad"].iloc[0]) == 0:
        return empty_figure(title)
    names = {
        "conversaciones_iniciadas": "Iniciaron conversación nueva",
        "sobre_conversacion_abierta": "Sobre conversación abierta",
        "sin_dato_de_conversacion": "Sin dato",
    }
    colors = {
        "conversaciones_iniciadas": "#1F5BD6",
        "sobre_conversacion_abierta": "#F2A541",
        "sin_dato_de_conversacion": "#8D99AE",
    }
    fig = go.Figure()
    for row in parts.itertuples():
        fig.add_bar(
            y=["Envíos exitosos"],
            x=[row.cantidad],
            name=names[row.concepto],
            orientation="h",
            marker_color=colors[row.concepto],
            text=[f"{fmt_int(row.cantidad)} ({fmt_pct(row.pct_exitosos)})"],
            textposition="inside",
            hovertemplate=f"{names[row.concepto]}: %{{x:,}}<extra></extra>",
        )
    fig.update_layout(
        title=title,
        barmode="stack",
        height=260,
        # legend between the title and the bar, in the bars' order: below it met the axis title
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
        margin={"t": 90},
        xaxis={"title": "envíos"},
        yaxis={"visible": False},
    )
    return fig


def tasas_por_campana(
    table: pd.DataFrame, title: str = "Tasas por campaña (sobre envíos exitosos)"
) -> go.Figure:
    """Grouped bars of pct_vistas, pct_respondidas, pct_asignadas and pct_ventas per campaign.

    Shows the campaigns with most envíos exitosos first (at most :data:`MAX_BARS`).
    """
    if table.empty:
        return empty_figure(title)
    if table[list(_RATE_COLUMNS)].isna().all().all():
        return empty_figure(title, NO_RATES_TEXT)
    top = table.head(MAX_BARS).iloc[::-1]
    fig = go.Figure()
    for column, name in _RATE_COLUMNS.items():
        values = top[column].astype("float64")
        fig.add_bar(
            y=[truncate(c, 40) for c in top["campana"]],
            x=values,
            name=name,
            orientation="h",
            text=[fmt_pct(v) for v in top[column]],
            textposition="outside",
            customdata=top[["envios_exitosos"]].to_numpy(),
            hovertemplate="%{y}<br>" + name + ": %{x:.1%} de %{customdata[0]:,} exitosos<extra></extra>",
        )
    extra = f" — las {MAX_BARS} con más envíos" if len(table) > MAX_BARS else ""
    fig.update_layout(
        title=title + extra,
        barmode="group",
        height=max(320, 110 + 85 * len(top)),
        xaxis={"tickformat": ".0%", "range": [0, 1.12], "title": None},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    return fig


def barras(
    table: pd.DataFrame, label: str, title: str, value: str = "conversaciones", color: str = "#1F5BD6"
) -> go.Figure:
    """Horizontal bars of a count table (most frequent on top), with its % as text."""
    if table.empty or int(table[value].sum()) == 0:
        return empty_figure(title)
    top = table.head(MAX_BARS).iloc[::-1]
    extra = f" — {MAX_BARS} de {fmt_int(len(table))}" if len(table) > MAX_BARS else ""
    text = [f"{fmt_int(n)} ({fmt_pct(p)})" for n, p in zip(top[value], top["pct"], strict=True)]
    fig = go.Figure(
        go.Bar(
            y=[truncate(v) for v in top[label]],
            x=top[value].astype("int64"),
            orientation="h",
            text=text,
            textposition="outside",
            marker_color=color,
            hovertext=[str(v) for v in top[label]],
            hovertemplate="%{hovertext}: %{x:,}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title + extra,
        height=max(260, 90 + 34 * len(top)),
        xaxis={"title": value, "range": [0, float(top[value].max()) * 1.25]},
    )
    return fig


def finalizacion(table: pd.DataFrame, title: str = "¿Cómo terminaron los flujos respondidos?") -> go.Figure:
    """Donut of abandono / asignacion / finalizacion_automatica."""
    if table.empty or int(table["conversaciones"].sum()) == 0:
        return empty_figure(title)
    fig = go.Figure(
        go.Pie(
            labels=[FINALIZACION_LABELS.get(f, f) for f in table["finalizacion"]],
            values=table["conversaciones"].astype("int64"),
            hole=0.5,
            sort=False,
            direction="clockwise",
            marker={"colors": ["#E4572E", "#1F5BD6", "#19A974"]},
            texttemplate="%{label}<br>%{value:,} (%{percent})",
            textposition="outside",
            hovertemplate="%{label}: %{value:,}<extra></extra>",
        )
    )
    fig.update_layout(title=title, height=400, showlegend=False, margin={"t": 80, "b": 60})
    return fig


def embudo_niveles(table: pd.DataFrame, label: str, title: str) -> go.Figure:
    """Stacked bars per level: how many conversations had each value as their k-th one.

    Levels beyond :data:`MAX_LEVELS` are left out (the table keeps them); per level
    the values beyond the 8 most frequent are grouped as "Otras".
    """
    if table.empty or int(table["conversaciones"].sum()) == 0:
        return empty_figure(title)
    shown = table[table["nivel"] <= MAX_LEVELS]
    keep = shown.groupby(label, sort=False)["conversaciones"].sum().nlargest(8).index
    shown = shown.assign(**{label: shown[label].where(shown[label].isin(keep), "Otras")})
    grouped = shown.groupby(["nivel", label], sort=False)["conversaciones"].sum().reset_index()
    order = grouped.groupby(label)["conversaciones"].sum().sort_values(ascending=False).index.tolist()
    if "Otras" in order:
        order.remove("Otras")
        order.append("Otras")
    fig = go.Figure()
    levels = sorted(grouped["nivel"].unique())
    # one (level x value) grid instead of a filter per value; plain arrays for plotly
    grid = grouped.pivot_table(index="nivel", columns=label, values="conversaciones", aggfunc="sum")
    grid = grid.reindex(index=levels, columns=order).fillna(0).astype("int64")
    x = [f"Nivel {n}" for n in levels]
    for value in order:
        fig.add_bar(
            x=x,
            y=grid[value].to_numpy(),
            name=truncate(value, 40),
            hovertemplate=f"{value}<br>%{{x}}: %{{y:,}} conversaciones<extra></extra>",
        )
    extra = f" (primeros {MAX_LEVELS} niveles)" if table["nivel"].max() > MAX_LEVELS else ""
    fig.update_layout(
        title=title + extra,
        barmode="stack",
        height=420,
        yaxis={"title": "conversaciones"},
        legend={"title": None},
    )
    return fig


def fallas(table: pd.DataFrame, title: str = "Envíos fallidos por código de error") -> go.Figure:
    """Failed sends per provider error code, with the code's meaning."""
    if table.empty or int(table["envios"].sum()) == 0:
        return empty_figure(title)
    top = table.head(MAX_BARS).iloc[::-1]
    fig = go.Figure(
        go.Bar(
            y=[f"{c} · {truncate(error_label(c), 40)}" for c in top["codigo_error"]],
            x=top["envios"].astype("int64"),
            orientation="h",
            marker_color="#E4572E",
            text=[f"{fmt_int(n)} ({fmt_pct(p)})" for n, p in zip(top["envios"], top["pct"], strict=True)],
            textposition="outside",
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=max(240, 90 + 34 * len(top)),
        xaxis={"title": "envíos", "range": [0, float(top["envios"].max()) * 1.3]},
    )
    return fig
