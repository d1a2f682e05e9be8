"""Charts of the resumen tables beyond the platform (CONTRACT §5.1): table -> plotly Figure.

Pure functions; nothing is shown or written here. Each accepts the table exactly as
:mod:`outbound_analysis.metrics._tiempo` returns it and draws a Spanish empty state
instead of failing when the table has no rows, only zeros or only NA percentages.
Numbers follow the rest of the report: the package template (``separators=",."``),
counts as ``1.234`` and percentages as ``12,5 %`` (:func:`outbound_analysis._text.fmt_pct`).

>>> from outbound_analysis.metrics import _tiempo as t
>>> fig = horarios(t.horarios(t.ejemplo_envios()))
>>> [trace.type for trace in fig.data]
['heatmap', 'heatmap']
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import _plotly_setup
from ._text import fmt_int, fmt_pct
from .charts import EMPTY_TEXT, empty_figure
from .metrics._tiempo import ENVIO_NUMEROS, MIN_EXITOSOS_CONFIABLE

_plotly_setup.install()

NO_EXITOSOS_TEXT = "Ningún envío exitoso en la selección: no hay tasas para calcular"
#: beyond this many days the evolution chart groups by ISO week (the table stays daily)
MAX_DIAS_DIARIO = 92
DIAS_SEMANA = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo")
_DIAS_CORTOS = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")
_NUMERO_LABELS = dict(
    zip(ENVIO_NUMEROS, ("1.er envío", "2.º envío", "3.º envío", "4.º envío", "5.º o más"), strict=True)
)
_GRIS = "#E3E6EB"
#: blues whose lightest shade stays apart from the grey of unreliable cells
_AZULES = [[0, "#C6DBEF"], [0.5, "#4292C6"], [1, "#08306B"]]
_RATES = (
    ("pct_leidos", "leidos", "% leídos", "#19A974"),
    ("pct_respondidos", "respondidos", "% respondidos", "#F2A541"),
    ("pct_ventas", "ventas", "% ventas", "#E4572E"),
)


def _floats(values: pd.Series) -> np.ndarray:
    """Float64 percentages as a float array with NaN for NA (plotly leaves a gap)."""
    return values.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def _total(table: pd.DataFrame, column: str) -> int:
    return int(table[column].sum()) if len(table) else 0


# --------------------------------------------------------------------------- evolucion


def _por_semana(table: pd.DataFrame) -> pd.DataFrame:
    """The daily table summed by ISO week (weeks start on Monday); rates from the sums."""
    days = pd.to_datetime(table["fecha"].astype(str), format="%Y-%m-%d")
    monday = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    counts = ["envios", "envios_exitosos", "leidos", "respondidos", "asignadas", "ventas"]
    weeks = table[counts].groupby(monday.to_numpy()).sum()
    weeks["dias"] = days.groupby(monday.to_numpy()).size()
    weeks["primero"] = days.groupby(monday.to_numpy()).min()
    weeks["ultimo"] = days.groupby(monday.to_numpy()).max()
    for pct, num, _, _ in _RATES:
        exitosos = weeks["envios_exitosos"].to_numpy()
        weeks[pct] = np.where(exitosos > 0, weeks[num].to_numpy() / np.maximum(exitosos, 1), np.nan)
    return weeks


def _date_ticks(x: list | np.ndarray, weekly: bool) -> dict[str, object]:
    """Date-axis ticks on whole days (every day up to 14, else on Mondays every k weeks)."""
    first, last = pd.Timestamp(x[0]), pd.Timestamp(x[-1])
    span_days = (last - first).days + 1
    day_ms = 86_400_000
    if span_days <= 14 and not weekly:
        ticks: dict[str, object] = {"tick0": first.strftime("%Y-%m-%d"), "dtick": day_ms}
    else:
        monday = first - pd.Timedelta(days=first.day_of_week)
        weeks = max(1, math.ceil(span_days / 7 / 12))
        ticks = {"tick0": monday.strftime("%Y-%m-%d"), "dtick": 7 * weeks * day_ms}
    ticks["tickformat"] = "%d/%m" if span_days <= 366 else "%d/%m/%y"
    # half a point of room on each side: the first tick label must not run into the y axis
    pad = pd.Timedelta(days=3.5 if weekly else 0.5)
    ticks["range"] = [(first - pad).isoformat(), (last + pad).isoformat()]
    return ticks


def _serie(
    table: pd.DataFrame, weekly: bool
) -> tuple[pd.DataFrame, list | np.ndarray, list[str], dict[str, np.ndarray]]:
    """The points drawn (data, x, hover labels, rates): per day, or per ISO week when ``weekly``."""
    if weekly:
        data = _por_semana(table)
        iso = [d.isocalendar() for d in data.index]
        labels = [
            f"Semana {y}-S{w:02d} (del {a:%d/%m} al {b:%d/%m/%Y}" + (f", {n} de 7 días)" if n < 7 else ")")
            for (y, w, _), a, b, n in zip(iso, data["primero"], data["ultimo"], data["dias"], strict=True)
        ]
        rates = {pct: data[pct].to_numpy(dtype="float64") for pct, _, _, _ in _RATES}
        return data, data.index.to_pydatetime(), labels, rates
    days = [dt.date.fromisoformat(str(f)) for f in table["fecha"]]
    labels = [f"{_DIAS_CORTOS[d.weekday()]} {d:%d/%m/%Y}" for d in days]
    rates = {pct: _floats(table[pct]) for pct, _, _, _ in _RATES}
    return table, days, labels, rates


def _evolucion_trazas(
    fig: go.Figure,
    data: pd.DataFrame,
    x: list | np.ndarray,
    labels: list[str],
    rates: dict[str, np.ndarray],
    symbols: list[str],
) -> None:
    """Adds the count lines (row 1) and the rate lines over exitosos (row 2) to ``fig``."""
    mode = "lines+markers" if len(data) <= 60 else "lines"
    for column, name, color in (("envios", "Envíos", "#8D99AE"), ("envios_exitosos", "Exitosos", "#1F5BD6")):
        values = data[column].to_numpy(dtype="int64")
        fig.add_trace(
            go.Scatter(
                x=x,
                y=values,
                name=name,
                mode=mode,
                line={"color": color, "width": 2},
                marker={"symbol": symbols, "size": 7},
                customdata=np.column_stack([labels, [fmt_int(v) for v in values]]),
                hovertemplate="%{customdata[0]}<br>" + name + ": %{customdata[1]}<extra></extra>",
                **_plotly_setup.celda(1, 1, 1),
            ),
        )
    exitosos = data["envios_exitosos"].to_numpy(dtype="int64")
    for pct, num, name, color in _RATES:
        counts = data[num].to_numpy(dtype="int64")
        text = [
            f"{fmt_pct(p)} ({fmt_int(c)} de {fmt_int(e)} exitosos)" if e else "sin envíos exitosos"
            for p, c, e in zip(rates[pct], counts, exitosos, strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=rates[pct],
                name=name,
                mode=mode,
                connectgaps=False,
                line={"color": color, "width": 2},
                marker={"symbol": symbols, "size": 7},
                customdata=np.column_stack([labels, text]),
                hovertemplate="%{customdata[0]}<br>" + name + ": %{customdata[1]}<extra></extra>",
                **_plotly_setup.celda(2, 1, 1),
            ),
        )


def _evolucion_notas(fig: go.Figure, partial: np.ndarray, sin_exitosos: bool) -> None:
    """Notes: what an open circle means (partial weeks) and why the rates panel is empty."""
    if partial.any():
        fig.add_annotation(
            text="Círculo vacío: semana incompleta (el rango empieza o termina a mitad de semana).",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0,
            xanchor="left",
            y=-0.15,
            yanchor="top",
            font={"size": 12, "color": "#555"},
        )
    if sin_exitosos:
        fig.add_annotation(
            text=NO_EXITOSOS_TEXT,
            showarrow=False,
            xref="x2 domain",
            yref="y2 domain",
            x=0.5,
            y=0.5,
            font={"color": "#666"},
        )


def evolucion(table: pd.DataFrame, title: str = "Evolución diaria") -> go.Figure:
    """Sends per day (top) and read, reply and sale rates over exitosos (bottom).

    Beyond :data:`MAX_DIAS_DIARIO` days the chart sums by ISO week (rates from the weekly
    sums, partial weeks at the edges say how many days they hold); the table stays daily.
    """
    if table.empty or _total(table, "envios") == 0:
        return empty_figure(title)
    weekly = len(table) > MAX_DIAS_DIARIO
    data, x, labels, rates = _serie(table, weekly)
    if weekly:
        title = "Evolución semanal (semanas ISO, de lunes a domingo)"
    # a partial ISO week (at the edges of the range) has fewer days: drawn as an open circle
    partial = (data["dias"].to_numpy() < 7) if weekly else np.zeros(len(data), dtype=bool)
    symbols = np.where(partial, "circle-open", "circle").tolist()
    fig = _plotly_setup.rejilla(
        2,
        1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        row_heights=[0.5, 0.5],
        subplot_titles=("Envíos", "Tasas sobre envíos exitosos"),
    )
    _evolucion_trazas(fig, data, x, labels, rates, symbols)
    _evolucion_notas(fig, partial, _total(table, "envios_exitosos") == 0)
    fig.update_xaxes(**_date_ticks(x, weekly), hoverformat="%d/%m/%Y")
    fig.update_layout(
        yaxis={"title_text": "envíos", "rangemode": "tozero", "tickformat": ",d"},
        yaxis2={"title_text": None, "rangemode": "tozero", "tickformat": ".0%"},
    )
    fig.update_layout(
        title=title,
        height=560,
        hovermode="x unified" if not weekly else "closest",
        legend={"orientation": "h", "y": -0.08, "yanchor": "top", "x": 0, "xanchor": "left"},
        margin={"t": 80, "b": 100 if weekly else 70},
    )
    return fig


# --------------------------------------------------------------------------- horarios


def _matrix(table: pd.DataFrame, column: str) -> np.ndarray:
    """A 7 x 24 matrix (dia_semana 1..7 by hora 0..23) of ``column`` (NaN for NA)."""
    out = np.full((7, 24), np.nan)
    rows = table["dia_semana"].to_numpy(dtype="int64") - 1
    cols = table["hora"].to_numpy(dtype="int64")
    values = table[column]
    out[rows, cols] = (
        _floats(values) if column.startswith("pct_") else values.to_numpy(dtype="float64", na_value=np.nan)
    )
    return out


def _detalle_celdas(pct: np.ndarray, respondidos: np.ndarray, exitosos: np.ndarray) -> np.ndarray:
    """Each cell's hover: day and hour, its counts, and whether it is unreliable."""
    reliable = exitosos >= MIN_EXITOSOS_CONFIABLE
    return np.array(
        [
            [
                f"{DIAS_SEMANA[d]} de {h:02d} a {h:02d}:59<br>"
                + (
                    f"{fmt_pct(pct[d, h])} respondidos ({fmt_int(respondidos[d, h])} de "
                    f"{fmt_int(exitosos[d, h])} exitosos)"
                    if exitosos[d, h]
                    else "sin envíos exitosos"
                )
                + (
                    ""
                    if reliable[d, h] or not exitosos[d, h]
                    else f"<br>menos de {MIN_EXITOSOS_CONFIABLE} exitosos: poco confiable"
                )
                for h in range(24)
            ]
            for d in range(7)
        ]
    )


def _escala(pct: np.ndarray, reliable: np.ndarray, has_data: np.ndarray) -> tuple[float, float]:
    """Colour range over the reliable cells (else every cell with data), at least 1 point wide.

    One reply out of two sends must not set it; from the lowest to the highest rate so that
    the best hours stand out.
    """
    scale = np.where(reliable, pct, np.nan) if reliable.any() else np.where(has_data, pct, np.nan)
    low, top = float(np.nanmin(scale)), float(np.nanmax(scale))
    if top - low < 0.01:
        low, top = max(0.0, low - 0.005), low + 0.01
    return low, top


def _horarios_layout(fig: go.Figure, title: str, zona_horaria: str | None, debiles: int) -> None:
    """Title, axes (lunes on top) and the note below the chart explaining the marks."""
    note = (
        f"En gris con «n=…»: menos de {MIN_EXITOSOS_CONFIABLE} envíos exitosos en esa franja "
        f"({fmt_int(debiles)} de 168): porcentaje poco confiable.<br>En blanco: sin envíos "
        "exitosos. Pasá el mouse por una celda para ver sus números."
    )
    zona = f" ({zona_horaria})" if zona_horaria else ""
    fig.update_layout(
        title=title,
        height=430,
        xaxis={"title": f"hora local del envío{zona}", "side": "bottom", "type": "category"},
        yaxis={"autorange": "reversed", "type": "category", "title": None},
        margin={"t": 70, "b": 95},
        annotations=[
            {
                "text": note,
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "xanchor": "left",
                "y": -0.24,
                "yanchor": "top",
                "align": "left",
                "font": {"size": 12, "color": "#555"},
            }
        ],
    )


def horarios(
    table: pd.DataFrame,
    title: str = "¿A qué hora responden? % respondidos por día y hora de envío",
    zona_horaria: str | None = None,
) -> go.Figure:
    """Heatmap of pct_respondidos by weekday (rows, lunes on top) and local hour (columns).

    Cells with fewer than :data:`MIN_EXITOSOS_CONFIABLE` exitosos (unreliable) are washed out
    in grey and show their count ("n=12") instead of a percentage; cells without exitosos are
    blank. The hover gives every cell's counts and a note below the chart explains the marks.
    """
    if table.empty or _total(table, "envios_exitosos") == 0:
        return empty_figure(title)
    exitosos = np.nan_to_num(_matrix(table, "envios_exitosos")).astype("int64")
    respondidos = np.nan_to_num(_matrix(table, "respondidos")).astype("int64")
    pct = _matrix(table, "pct_respondidos")
    reliable = exitosos >= MIN_EXITOSOS_CONFIABLE
    hours = [f"{h:02d}" for h in range(24)]
    detail = _detalle_celdas(pct, respondidos, exitosos)
    has_data = exitosos > 0
    weak = has_data & ~reliable
    pct_text = [[fmt_pct(v, 0) for v in row] for row in pct]
    low, top = _escala(pct, reliable, has_data)
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=np.where(has_data, pct, np.nan),
            x=hours,
            y=list(DIAS_SEMANA),
            zmin=low,
            zmax=top,
            colorscale=_AZULES,
            xgap=2,
            ygap=2,
            text=np.where(reliable, pct_text, ""),
            texttemplate="%{text}",
            textfont={"size": 10},
            customdata=detail,
            hovertemplate="%{customdata}<extra></extra>",
            hoverongaps=False,
            colorbar={"title": {"text": "% respondidos", "side": "right"}, "tickformat": ".0%"},
            name="% respondidos",
        )
    )
    # unreliable cells: washed out in grey over their colour, with their count instead of a %
    fig.add_trace(
        go.Heatmap(
            z=np.where(weak, 0.0, np.nan),
            x=hours,
            y=list(DIAS_SEMANA),
            colorscale=[[0, _GRIS], [1, _GRIS]],
            showscale=False,
            opacity=0.85,
            xgap=2,
            ygap=2,
            text=np.where(weak, [[f"n={fmt_int(n)}" for n in row] for row in exitosos], ""),
            texttemplate="%{text}",
            textfont={"size": 9, "color": "#555"},
            customdata=detail,
            hovertemplate="%{customdata}<extra></extra>",
            hoverongaps=False,
            name="poco confiable",
        )
    )
    _horarios_layout(fig, title, zona_horaria, int(weak.sum()))
    return fig


# --------------------------------------------------------------------------- fatiga


def fatiga(
    table: pd.DataFrame,
    title: str = "Fatiga: ¿responden menos a partir del 2.º envío al mismo contacto?",
) -> go.Figure:
    """Grouped bars of pct_respondidos and pct_ventas by the send's number for its contact."""
    if table.empty or _total(table, "envios_exitosos") == 0:
        return empty_figure(title, NO_EXITOSOS_TEXT if len(table) else EMPTY_TEXT)
    exitosos = table["envios_exitosos"].to_numpy(dtype="int64")
    x = [
        f"{_NUMERO_LABELS.get(str(n), str(n))}<br><sub>{fmt_int(e)} exitosos</sub>"
        for n, e in zip(table["envio_numero"], exitosos, strict=True)
    ]
    fig = go.Figure()
    top = 0.0
    for pct, num, name, color in (
        ("pct_respondidos", "respondidos", "% respondidos", "#F2A541"),
        ("pct_ventas", "ventas", "% ventas", "#E4572E"),
    ):
        values = _floats(table[pct])
        counts = table[num].to_numpy(dtype="int64")
        if np.isfinite(values).any():
            top = max(top, float(np.nanmax(values)))
        fig.add_bar(
            x=x,
            y=values,
            name=name,
            marker_color=color,
            text=[fmt_pct(v) if e else "" for v, e in zip(values, exitosos, strict=True)],
            textposition="outside",
            cliponaxis=False,
            customdata=[
                f"{fmt_int(c)} de {fmt_int(e)} exitosos" if e else "sin envíos exitosos"
                for c, e in zip(counts, exitosos, strict=True)
            ],
            hovertemplate=name + ": %{text}<br>%{customdata}<extra></extra>",
        )
    fig.update_layout(
        title=title,
        barmode="group",
        height=400,
        yaxis={"tickformat": ".0%", "range": [0, max(top * 1.2, 0.05)], "title": None},
        xaxis={
            "title": "número de envío exitoso al mismo contacto (dentro de la selección)",
            "categoryorder": "array",
        },
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        margin={"t": 90},
    )
    return fig
