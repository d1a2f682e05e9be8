"""Charts of the Detallado tables beyond the platform (CONTRACT §5.2): table -> plotly Figure.

Pure functions; nothing is shown or written here. Same conventions as
:mod:`outbound_analysis.charts`: the package template (Spanish separators ``1.234,5``),
Spanish labels, percentages as ``12,5 %``, and an explicit empty state instead of a
failure when the table has no rows or only NA values.

>>> from outbound_analysis.metrics._detalle import segmentos_conteo
>>> fig = segmentos(segmentos_conteo(pd.DataFrame({"segmento": ["leyo", "venta", "leyo"]})))
>>> fig.data[0].type, fig.data[0].x.tolist()
('bar', [0, 0, 2, 0, 0, 1])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import _plotly_setup
from ._text import fmt_int, fmt_pct, is_missing
from .charts import EMPTY_TEXT, MAX_BARS, empty_figure, truncate
from .labels import ETAPA_LABELS
from .metrics._ab import fmt_p_valor
from .metrics._detalle import SEGMENTO_LABELS, TODAS

_plotly_setup.install()

ETAPA_TIEMPO_LABELS = {"lectura": "Lectura", "respuesta": "Respuesta", "asignacion": "Asignación"}
#: same texts and limits as :mod:`outbound_analysis.charts`
_ETAPA_COLORS = {"lectura": "#1F5BD6", "respuesta": "#19A974", "asignacion": "#F2A541"}
_SEGMENTO_COLORS = {
    "venta": "#E4572E",
    "asignado": "#F2A541",
    "respondio": "#19A974",
    "leyo": "#1F5BD6",
    "lectura_no_informada": "#8D99AE",
    "no_leyo": "#C9CED6",
}
#: campaigns drawn by :func:`tiempos` besides "(todas)"
MAX_CAMPANAS_TIEMPOS = 5
#: on the log axis, times under this many minutes are drawn here (the hover keeps the value)
PISO_MIN = 0.5
_TICKS_MIN = [
    (0.5, "30 s"),
    (1, "1 min"),
    (5, "5 min"),
    (15, "15 min"),
    (60, "1 h"),
    (240, "4 h"),
    (1440, "1 día"),
    (10080, "1 semana"),
    (43200, "30 días"),
    (525600, "1 año"),
]
NO_TIEMPOS_TEXT = "Ningún envío exitoso tiene fecha de lectura, respuesta o asignación: no hay tiempos"
NO_TASAS_TEXT = "Ninguna campaña tiene envíos exitosos: no hay tasas para comparar"
NO_AB_TEXT = "Alguna de las dos campañas no tiene envíos exitosos con estos filtros: no hay comparación"


def _truncate(label: object, width: int = 40) -> str:
    """Campaign labels here are cut at 40 characters (charts.truncate's default is 48)."""
    return truncate(label, width)


def fmt_minutos(x: object) -> str:
    """A duration in minutes as Spanish text: "45 s", "12 min", "3 h 5 min", "2 días 4 h"; NA -> "–".

    >>> [fmt_minutos(v) for v in (0.25, 12.4, 185, 3120, None)]
    ['15 s', '12 min', '3 h 5 min', '2 días 4 h', '–']
    """
    if is_missing(x):
        return "–"
    minutes = float(x)  # type: ignore[arg-type]
    if minutes < 1:
        return f"{round(minutes * 60)} s"
    if minutes < 60:
        return f"{round(minutes)} min"
    total = round(minutes)
    if total < 1440:
        h, m = divmod(total, 60)
        return f"{h} h" + (f" {m} min" if m else "")
    d, rest = divmod(total, 1440)
    h = rest // 60
    return f"{d} día{'s' if d != 1 else ''}" + (f" {h} h" if h else "")


def fmt_puntos(x: object) -> str:
    """A difference of two rates in percentage points: "+2,0 pts"; NA -> "–".

    >>> fmt_puntos(0.02), fmt_puntos(None)
    ('+2,0 pts', '–')
    """
    if is_missing(x):
        return "–"
    return f"{float(x) * 100:+.1f}".replace(".", ",") + " pts"  # type: ignore[arg-type]


def _hover_tiempos(part: pd.DataFrame, etapa: str) -> list[str]:
    """Each row's hover: campaign and etapa, how many sends have the date, and its quantiles."""
    return [
        f"<b>{_truncate(c, 48)}</b> · {ETAPA_TIEMPO_LABELS[etapa]}<br>"
        f"{fmt_int(n)} envíos con fecha"
        + (f" ({fmt_int(d)} descartados: fecha anterior al envío)" if d else "")
        + f"<br>la mitad en menos de {fmt_minutos(p50)}<br>"
        f"25 %: {fmt_minutos(p25)} · 75 %: {fmt_minutos(p75)} · 90 %: {fmt_minutos(p90)}"
        for c, n, d, p25, p50, p75, p90 in zip(
            part["campana"],
            part["n"],
            part["descartados"],
            part["p25_min"],
            part["p50_min"],
            part["p75_min"],
            part["p90_min"],
            strict=True,
        )
    ]


def _add_etapa(fig: go.Figure, part: pd.DataFrame, y: list[int], etapa: str) -> None:
    """Adds one etapa's ranges: p75 -> p90 thin line, p25 -> p75 thick bar with the median, legend."""
    q = {c: np.maximum(part[c].astype("float64").to_numpy(), PISO_MIN) for c in part.columns[4:]}
    hover = _hover_tiempos(part, etapa)
    color = _ETAPA_COLORS[etapa]
    fig.add_scatter(  # p75 -> p90: thin line with a cap
        x=q["p75_min"],
        y=y,
        mode="markers",
        marker={"size": 1, "color": color},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": q["p90_min"] - q["p75_min"],
            "arrayminus": np.zeros(len(y)),
            "thickness": 1.5,
            "width": 5,
            "color": color,
        },
        hoverinfo="skip",
        legendgroup=etapa,
        showlegend=False,
    )
    fig.add_scatter(  # p25 -> p75: thick bar, mark at the median
        x=q["p50_min"],
        y=y,
        mode="markers",
        name=ETAPA_TIEMPO_LABELS[etapa],
        marker={"symbol": "line-ns", "size": 16, "line": {"width": 3, "color": "white"}, "color": color},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": q["p75_min"] - q["p50_min"],
            "arrayminus": q["p50_min"] - q["p25_min"],
            "thickness": 12,
            "width": 0,
            "color": color,
        },
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        legendgroup=etapa,
        showlegend=False,
    )
    fig.add_scatter(  # legend entry only: a square of the etapa's color
        x=[None],
        y=[None],
        mode="markers",
        name=ETAPA_TIEMPO_LABELS[etapa],
        marker={"symbol": "square", "size": 12, "color": color},
        legendgroup=etapa,
    )


def tiempos(
    table: pd.DataFrame,
    max_campanas: int = MAX_CAMPANAS_TIEMPOS,
    title: str = "¿Cuánto tardan en leer, responder y ser asignados?",
) -> go.Figure:
    """Box-like ranges of the ``tiempos`` table: "(todas)" and the first campaigns.

    Per campaign and etapa: a thick bar from p25 to p75, a mark at the median and a thin
    line up to p90, on a log axis of minutes labelled "1 min", "1 h", "1 día"... Rows with
    n = 0 are left out; campaigns beyond ``max_campanas`` too (the table keeps them).
    """
    if table.empty or not (table["n"] > 0).any():
        return empty_figure(title, NO_TIEMPOS_TEXT if not table.empty else EMPTY_TEXT)
    names = list(dict.fromkeys(table["campana"].astype(str)))
    shown = [n for n in names if n == TODAS][:1] + [n for n in names if n != TODAS][:max_campanas]
    data = table[table["campana"].astype(str).isin(shown) & (table["n"] > 0)]
    etapas = list(ETAPA_TIEMPO_LABELS)
    slot = len(etapas) + 1  # one blank slot between campaigns
    fig = go.Figure()
    hi_value = float(data["p90_min"].astype("float64").max())
    for j, etapa in enumerate(etapas):
        part = data[data["etapa"] == etapa]
        if not part.empty:
            _add_etapa(fig, part, [-(shown.index(str(c)) * slot + j) for c in part["campana"]], etapa)
    low = min(PISO_MIN, float(data["p25_min"].astype("float64").clip(lower=PISO_MIN).min()))
    high = max(hi_value, 1.0) * 1.6
    ticks = [(v, t) for v, t in _TICKS_MIN if low * 0.99 <= v <= high]
    centers = [-(i * slot + (len(etapas) - 1) / 2) for i in range(len(shown))]
    labels = ["Todas las campañas" if n == TODAS else _truncate(n) for n in shown]
    extra = (
        f" (las {max_campanas} con más envíos)"
        if len([n for n in names if n != TODAS]) > max_campanas
        else ""
    )
    fig.update_layout(
        title={
            "text": title + extra + "<br><sub>barra: del 25 % al 75 % de los casos · marca: mediana · "
            "línea fina: hasta el 90 %</sub>"
        },
        height=max(300, 140 + 26 * len(shown) * slot),
        xaxis={
            "type": "log",
            "range": [math.log10(low * 0.8), math.log10(high)],
            "tickvals": [v for v, _ in ticks],
            "ticktext": [t for _, t in ticks],
            "title": "tiempo desde el envío (escala logarítmica)",
            "showgrid": True,
        },
        yaxis={
            "tickvals": centers,
            "ticktext": labels,
            "range": [-(len(shown) * slot) + 0.5, 0.8],
            "showgrid": False,
            "zeroline": False,
        },
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        margin={"t": 100},
    )
    return fig


def comparacion(
    table: pd.DataFrame,
    title: str = "Tasas de respuesta y de venta con su intervalo de confianza del 95 %",
) -> go.Figure:
    """Per campaign, the reply and the sale rate as points with their Wilson 95 % interval.

    Campaigns in table order (most envíos exitosos on top), at most :data:`MAX_BARS`;
    a campaign without exitosos has no point.
    """
    if table.empty:
        return empty_figure(title)
    rates = ["pct_respondidas", "pct_ventas"]
    if table[rates].isna().all().all():
        return empty_figure(title, NO_TASAS_TEXT)
    top = table.head(MAX_BARS)
    labels = [_truncate(c) for c in top["campana"]]
    fig = _plotly_setup.rejilla(
        1,
        2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=("Respuesta (% de envíos exitosos)", "Venta (% de envíos exitosos)"),
    )
    for col, (name, label, color) in enumerate(
        (("respondidas", "Respuesta", "#19A974"), ("ventas", "Venta", "#E4572E")), start=1
    ):
        part = top[top[f"pct_{name}"].notna()]
        y = [_truncate(c) for c in part["campana"]]
        pct = part[f"pct_{name}"].astype("float64").to_numpy()
        inf = part[f"ic95_inf_{name}"].astype("float64").to_numpy()
        sup = part[f"ic95_sup_{name}"].astype("float64").to_numpy()
        hover = [
            f"<b>{c}</b><br>{label}: {fmt_pct(p)} ({fmt_int(k)} de {fmt_int(n)} exitosos)<br>"
            f"IC 95 %: de {fmt_pct(lo)} a {fmt_pct(hi)}"
            for c, p, k, n, lo, hi in zip(
                part["campana"], pct, part[name], part["envios_exitosos"], inf, sup, strict=True
            )
        ]
        fig.add_scatter(
            x=pct,
            y=y,
            mode="markers",
            name=label,
            marker={"size": 9, "color": color},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": sup - pct,
                "arrayminus": pct - inf,
                "thickness": 2,
                "width": 4,
                "color": color,
            },
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            **_plotly_setup.celda(1, col, 2),
        )
        upper = float(np.nanmax(sup)) if len(sup) else 1.0
        top_x = min(1.0, upper * 1.15) or 0.05
        eje = "xaxis" if col == 1 else f"xaxis{col}"
        fig.update_layout({eje: {"tickformat": ".0%", "range": [-0.03 * top_x, top_x], "zeroline": False}})
    extra = f" — las {MAX_BARS} con más envíos" if len(table) > MAX_BARS else ""
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], type="category")
    fig.update_layout(
        title=title + extra,
        height=max(300, 130 + 34 * len(top)),
        showlegend=False,
        margin={"t": 90},
    )
    return fig


def ab(
    table: pd.DataFrame,
    comparar: Sequence[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """B minus A per stage, in percentage points, with its 95 % interval and a line at zero.

    Significant differences (p < 0,05) are drawn in color (green when B is higher, red
    when lower); the others in gray. A stage without a difference (n = 0) has no point.
    """
    a, b = (str(comparar[0]), str(comparar[1])) if comparar else ("A", "B")
    title = title or f"«{_truncate(b, 30)}» contra «{_truncate(a, 30)}»: diferencia de tasas"
    if table.empty or table["diferencia"].isna().all():
        return empty_figure(title, NO_AB_TEXT)
    part = table[table["diferencia"].notna()]
    etapas = [ETAPA_LABELS.get(str(e), str(e)) for e in table["etapa"]]
    diff = part["diferencia"].astype("float64").to_numpy()
    inf = part["ic95_inf"].astype("float64").to_numpy()
    sup = part["ic95_sup"].astype("float64").to_numpy()
    sig = part["significativo"].fillna(False).to_numpy(dtype=bool)
    colors = np.where(sig, np.where(diff > 0, "#19A974", "#E4572E"), "#8D99AE")
    pvals = part["p_valor"]
    text = [
        fmt_puntos(d) + (" (sin variación)" if is_missing(p) else f" ({fmt_p_valor(float(p))})")
        for d, p in zip(diff, pvals, strict=True)
    ]
    hover = [
        f"<b>{ETAPA_LABELS.get(str(e), str(e))}</b><br>«{b}»: {fmt_pct(pb)} · «{a}»: {fmt_pct(pa_)}<br>"
        f"diferencia {fmt_puntos(d)}"
        + ("" if is_missing(lo) else f", IC 95 %: de {fmt_puntos(lo)} a {fmt_puntos(hi)}")
        for e, pa_, pb, d, lo, hi in zip(
            part["etapa"], part["a_pct"], part["b_pct"], diff, inf, sup, strict=True
        )
    ]
    has_ci = ~np.isnan(inf)
    fig = go.Figure(
        go.Scatter(
            x=diff * 100,
            y=[ETAPA_LABELS.get(str(e), str(e)) for e in part["etapa"]],
            mode="markers+text",
            marker={"size": 11, "color": colors},
            text=text,
            textposition="top center",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": np.where(has_ci, sup - diff, 0) * 100,
                "arrayminus": np.where(has_ci, diff - inf, 0) * 100,
                "thickness": 2,
                "width": 6,
                "color": "#555",
            },
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    reach = np.nanmax(np.abs(np.concatenate([diff, inf[has_ci], sup[has_ci]]))) * 100
    reach = max(float(reach) * 1.25, 1.0)
    fig.add_vline(x=0, line={"color": "#333", "width": 1.5})
    fig.update_layout(
        title={
            "text": f"{title}<br><sub>puntos porcentuales de «{_truncate(b, 30)}» menos "
            f"«{_truncate(a, 30)}», "
            "con su intervalo de confianza del 95 %; en gris, diferencias que pueden ser ruido</sub>"
        },
        height=360,
        xaxis={"title": "diferencia (puntos porcentuales)", "range": [-reach, reach], "zeroline": False},
        yaxis={
            "categoryorder": "array",
            "categoryarray": etapas[::-1],
            "type": "category",
            "range": [-0.5, len(etapas) - 0.2],
            "ticksuffix": "  ",
        },
        margin={"t": 100},
    )
    return fig


def segmentos(table: pd.DataFrame, title: str = "Contactos por segmento (hasta dónde llegaron)") -> go.Figure:
    """Horizontal bars of a ``segmentos_conteo`` table: contacts per segment, furthest stage on top."""
    if table.empty or int(table["contactos"].sum()) == 0:
        return empty_figure(title)
    order = table.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            y=[SEGMENTO_LABELS.get(str(s), str(s)) for s in order["segmento"]],
            x=order["contactos"].astype("int64"),
            orientation="h",
            marker_color=[_SEGMENTO_COLORS.get(str(s), "#1F5BD6") for s in order["segmento"]],
            text=[
                f"{fmt_int(n)} ({fmt_pct(p)})" for n, p in zip(order["contactos"], order["pct"], strict=True)
            ],
            textposition="outside",
            hovertemplate="%{y}: %{x:,} contactos<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=320,
        xaxis={"title": "contactos", "range": [0, float(order["contactos"].max()) * 1.3], "tickformat": ",d"},
        yaxis={"ticksuffix": "  "},
    )
    return fig


def fmt_dinero(x: object, moneda: str = "USD") -> str:
    """An amount as Spanish text with its currency: "USD 1.234,57"; NA -> "–".

    >>> fmt_dinero(1234.567), fmt_dinero(None, "ARS")
    ('USD 1.234,57', '–')
    """
    if is_missing(x):
        return "–"
    text = f"{float(x):,.2f}".replace(",", "·").replace(".", ",").replace("·", ".")  # type: ignore[arg-type]
    return f"{moneda} {text}"


def costos(
    table: pd.DataFrame, moneda: str = "USD", title: str = "Costo de los envíos exitosos por campaña"
) -> go.Figure:
    """Horizontal bars of a ``costos`` table: cost per campaign (the "(total)" row is left out),
    labelled with the cost per respuesta and per venta."""
    part = table[table["campana"].astype(str) != "(total)"].head(MAX_BARS)
    if part.empty or not (part["costo"].fillna(0) > 0).any():
        return empty_figure(title, "Ninguna campaña tiene costo: revisá los canales del parámetro costos")
    labels = [_truncate(c) for c in part["campana"]]
    costo = part["costo"].astype("float64").to_numpy()
    text = [
        f"{fmt_dinero(c, moneda)} · por respuesta {fmt_dinero(r, moneda)} · por venta {fmt_dinero(v, moneda)}"
        for c, r, v in zip(costo, part["costo_por_respuesta"], part["costo_por_venta"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=costo,
            orientation="h",
            marker_color="#1F5BD6",
            text=text,
            textposition="outside",
            cliponaxis=False,
            hovertext=[f"<b>{c}</b><br>{t}" for c, t in zip(part["campana"], text, strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    extra = f" — las {MAX_BARS} con más envíos" if len(table) - 1 > MAX_BARS else ""
    fig.update_layout(
        title=title + extra,
        height=max(280, 120 + 34 * len(part)),
        xaxis={"title": f"costo ({moneda})", "range": [0, float(costo.max()) * 2.2], "tickformat": ",.2f"},
        yaxis={
            "categoryorder": "array",
            "categoryarray": labels[::-1],
            "type": "category",
            "ticksuffix": "  ",
        },
        showlegend=False,
    )
    return fig
