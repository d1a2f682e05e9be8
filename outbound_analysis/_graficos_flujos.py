"""Charts of the flujos paths (CONTRACT §5.3): tables -> plotly Figures, nothing shown or written.

Same conventions as :mod:`outbound_analysis.charts`: the package template (Spanish
number separators), percentages as "12,5 %", and an explicit empty state instead of a
blank or failing chart when the table has no rows, only zeros or only NA values.

>>> import pandas as pd
>>> table = pd.DataFrame({"paso": [1, 2], "desde": ["inicio", "menu"],
...     "hasta": ["menu", "abandono"], "conversaciones": [3, 3]})
>>> sankey_recorridos(table).data[0].type
'sankey'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import _plotly_setup
from ._text import fmt_int, fmt_pct, is_missing
from .charts import EMPTY_TEXT as EMPTY_TEXT  # re-exported: the empty state these charts draw
from .charts import MAX_BARS, empty_figure, truncate
from .labels import FINALIZACION_LABELS
from .schema import FINALIZACIONES

_plotly_setup.install()

SIN_ABANDONOS_TEXT = "Ningún flujo respondido terminó en abandono"
#: nodos drawn per column of the Sankey; the rest of that column is grouped as OTROS
MAX_NODOS_POR_PASO = 8
OTROS = "Otros nodos"
FIN_COLORS = {"abandono": "#E4572E", "asignacion": "#1F5BD6", "finalizacion_automatica": "#19A974"}
_FIN_LINK_COLORS = {
    "abandono": "rgba(228,87,46,0.40)",
    "asignacion": "rgba(31,91,214,0.35)",
    "finalizacion_automatica": "rgba(25,169,116,0.40)",
}
_NODO_COLOR = "#5C7FC9"
_GRIS = "#8D99AE"
_LINK_COLOR = "rgba(141,153,174,0.35)"


def _total(values: pd.Series) -> int:
    """Sum of a count column, NA as 0."""
    return int(pd.to_numeric(values, errors="coerce").fillna(0).sum())


def _marca_fin(table: pd.DataFrame) -> np.ndarray:
    """Which rows end in the conversation's finalizacion.

    Exact with the ``fin`` column of ``recorridos(..., con_fin=True)``. Without it (the
    contract's columns), ``hasta`` is a finalizacion when it is one's code, which is
    only certain when no nodo is named like a finalizacion: else this refuses to guess.
    """
    if "fin" in table.columns:
        return table["fin"].to_numpy(dtype=bool, na_value=False)
    if table["desde"].isin(FINALIZACIONES).any():
        raise ValueError(
            "a nodo is named like a finalizacion: draw recorridos(..., con_fin=True) to tell them apart"
        )
    return table["hasta"].isin(FINALIZACIONES).to_numpy(dtype=bool, na_value=False)


_PAD = 14  # px between nodes of a column
_MARGIN_T = 100
_MARGIN_B = 20
#: share of the width for the nodo columns; the rest leaves room for the labels before the finalizaciones
_SPAN_NODOS = 0.70
_EDGE = 0.02  # free band above and below the nodes (keeps labels off the column headers)


def _x_nodo(pos: int, last: int) -> float:
    """Horizontal place (0-1) of the nodo column ``pos`` (1 = first) out of ``last``."""
    return 0.001 if last <= 1 else 0.001 + (pos - 1) * _SPAN_NODOS / (last - 1)


def _posiciones(keys: list[tuple], links: pd.DataFrame) -> tuple[list[float], list[float], int]:
    """Node centers (x, y in 0-1, y down) and the plot height in px.

    Columns: the nodo positions, then the finalizaciones at the right edge (order of
    ``FINALIZACIONES``). Column 1 is stacked by throughput; each next column by the
    mean height of where its conversations come from (fewer crossing links); "Otros
    nodos" and "(sin nodo)" go last. Sizes as plotly draws them: one scale for all
    columns, the fullest column filling the height.
    """
    n = len(keys)
    src, tgt, val = (links[c].to_numpy() for c in ("s", "t", "n"))
    value = np.maximum(np.bincount(src, weights=val, minlength=n), np.bincount(tgt, weights=val, minlength=n))
    last = max(k[1] for k in keys if k[0] == "n")
    column = np.array([last + 1 if k[0] == "f" else k[1] for k in keys])
    counts = np.bincount(column)
    height = max(340, 60 + 46 * int(counts.max()))
    usable = 1 - 2 * _EDGE
    scale = min(
        (usable - (counts[c] - 1) * _PAD / height) / value[column == c].sum()
        for c in np.unique(column)
        if value[column == c].sum() > 0
    )
    x = np.zeros(n)
    y = np.zeros(n)
    for c in np.unique(column):
        members = np.flatnonzero(column == c)
        if c <= last:
            x[members] = _x_nodo(int(c), last)
            inflow = np.isin(tgt, members)
            num = np.bincount(tgt[inflow], weights=val[inflow] * y[src[inflow]], minlength=n)
            den = np.bincount(tgt[inflow], weights=val[inflow], minlength=n)
            bary = np.where(den > 0, np.round(num / np.where(den > 0, den, 1), 6), np.inf)
            members = sorted(
                members.tolist(), key=lambda i: (keys[i][2] in (OTROS, "(sin nodo)"), bary[i], i)
            )
        else:
            x[members] = 0.999
        top = _EDGE
        for i in members:
            size = value[i] * scale
            y[i] = min(max(top + size / 2, 0.001), 0.999)
            top += size + _PAD / height
    return x.tolist(), y.tolist(), height


def _grupos(paso: np.ndarray, desde: np.ndarray, count: np.ndarray) -> pd.DataFrame:
    """Throughput of each nodo node (position, name), busiest first per position, with ``otros``.

    Every nodo has exactly one exit per visit, so its throughput is the sum of the rows
    leaving it. ``otros``: beyond the :data:`MAX_NODOS_POR_PASO` busiest of its position
    ("(sin nodo)" is never grouped).
    """
    through = pd.DataFrame({"pos": paso, "name": desde, "n": count}).groupby(["pos", "name"])["n"].sum()
    through = through.reset_index().sort_values(["pos", "n", "name"], ascending=[True, False, True])
    rank = through.groupby("pos").cumcount().to_numpy()
    return through.assign(otros=(rank >= MAX_NODOS_POR_PASO) & (through["name"] != "(sin nodo)").to_numpy())


def _nodos_y_enlaces(rows: pd.DataFrame, fin: np.ndarray) -> tuple[list[tuple], pd.DataFrame]:
    """The Sankey's node keys (in id order) and its links (source s, target t, paso, n).

    A nodo key is ("n", position, name or OTROS); a finalizacion key is ("f", code). Ids:
    nodo nodes by position and throughput ("Otros nodos" last), then the finalizaciones
    in the order of ``FINALIZACIONES``.
    """
    paso = rows["paso"].to_numpy(dtype=np.int64)
    desde = rows["desde"].astype(str).to_numpy()
    hasta = rows["hasta"].astype(str).to_numpy()
    count = rows["conversaciones"].to_numpy(dtype=np.int64)
    through = _grupos(paso, desde, count)
    grouped = {(p, n) for p, n, o in zip(through["pos"], through["name"], through["otros"], strict=True) if o}

    def nodo_key(pos: int, name: str) -> tuple:
        return ("n", pos, OTROS if (pos, name) in grouped else name)

    ids: dict[tuple, int] = {}
    by_rank = [nodo_key(p, n) for p, n in zip(through["pos"].tolist(), through["name"].tolist(), strict=True)]
    for key in sorted(by_rank, key=lambda k: (k[1], k[2] == OTROS)):  # stable: throughput order kept
        ids.setdefault(key, len(ids))
    src = [ids[nodo_key(p, d)] for p, d in zip(paso.tolist(), desde.tolist(), strict=True)]
    dst = [
        ("f", h) if f else nodo_key(p + 1, h)
        for p, h, f in zip(paso.tolist(), hasta.tolist(), fin.tolist(), strict=True)
    ]
    extra_fins = sorted({k[1] for k in dst if k[0] == "f"} - set(FINALIZACIONES))
    reached = set(dst)
    for key in [k for k in dst if k[0] == "n"] + [("f", f) for f in (*FINALIZACIONES, *extra_fins)]:
        if key in reached:
            ids.setdefault(key, len(ids))
    links = (
        pd.DataFrame({"s": src, "t": [ids[k] for k in dst], "paso": paso, "n": count})
        .groupby(["s", "t", "paso"], sort=False)["n"]
        .sum()
        .reset_index()
    )
    return sorted(ids, key=ids.__getitem__), links


def _estilo_nodos(keys: list[tuple], last: int) -> dict[str, list[str]]:
    """Per node: its label (finalizaciones in Spanish, long nodo names cut), hover text and color."""
    width = 28 if last <= 4 else 18  # the labels of a column must not reach the next one

    def label(k: tuple) -> str:
        return FINALIZACION_LABELS.get(k[1], k[1]) if k[0] == "f" else truncate(k[2], width)

    def hover(k: tuple) -> str:
        return f"{label(k)} · cómo terminó" if k[0] == "f" else f"{k[2]} · nodo {k[1]} del recorrido"

    def color(k: tuple) -> str:
        if k[0] == "f":
            return FIN_COLORS.get(k[1], _GRIS)
        return _GRIS if k[2] in (OTROS, "(sin nodo)") else _NODO_COLOR

    return {
        "label": [label(k) for k in keys],
        "customdata": [hover(k) for k in keys],
        "color": [color(k) for k in keys],
    }


def _encabezados(last: int) -> list[dict]:
    """Column headers above the Sankey: "Nodo 1" ... "Nodo N", then "Cómo terminó" at the right."""
    headers = [(f"Nodo {i}", _x_nodo(i, last)) for i in range(1, last + 1)] + [("Cómo terminó", 1.0)]
    return [
        {
            "text": f"<b>{h}</b>",
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": hx,
            "xanchor": "right" if hx >= 1.0 else "left",
            "y": 1.0,
            "yanchor": "bottom",
            "font": {"size": 12, "color": "#555"},
        }
        for h, hx in headers
    ]


def sankey_recorridos(
    table: pd.DataFrame,
    title: str = "Recorridos de los flujos respondidos (primeros 6 nodos y cómo terminaron)",
) -> go.Figure:
    """Sankey of ``recorridos``: one column per position in the path, finalizaciones at the right.

    A nodo node is (position, name), so a nodo reached at several positions, or named
    like a finalizacion, is drawn once per position and never loops. The three
    finalizaciones are the right-most nodes, labelled "Abandono", "Asignación" and
    "Finalización automática" (their sizes are the finalizacion table's counts). Per
    column, the nodos beyond the :data:`MAX_NODOS_POR_PASO` busiest are grouped as
    "Otros nodos".
    """
    if table.empty or _total(table["conversaciones"]) == 0:
        return empty_figure(title)
    rows = table[pd.to_numeric(table["conversaciones"], errors="coerce").fillna(0) > 0]
    keys, links = _nodos_y_enlaces(rows, _marca_fin(rows))
    last = max(k[1] for k in keys if k[0] == "n")
    style = _estilo_nodos(keys, last)
    x, y, height = _posiciones(keys, links)
    link_colors = [
        _FIN_LINK_COLORS.get(keys[t][1], _LINK_COLOR) if keys[t][0] == "f" else _LINK_COLOR
        for t in links["t"].tolist()
    ]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",d",
            node={
                **style,
                "x": x,
                "y": y,
                "pad": _PAD,
                "thickness": 16,
                "line": {"width": 0},
                "hovertemplate": "%{customdata}<br>%{value:,} conversaciones<extra></extra>",
            },
            link={
                "source": links["s"].astype("int64"),
                "target": links["t"].astype("int64"),
                "value": links["n"].astype("int64"),
                "color": link_colors,
                "customdata": links["paso"].astype("int64"),
                "hovertemplate": "Paso %{customdata}: %{source.label} → %{target.label}"
                "<br>%{value:,} conversaciones<extra></extra>",
            },
        )
    )
    fig.update_layout(
        title=title,
        height=height + _MARGIN_T + _MARGIN_B,
        margin={"t": _MARGIN_T, "l": 20, "r": 20, "b": _MARGIN_B},
        annotations=_encabezados(last),
    )
    return fig


def abandono_por_nodo(
    table: pd.DataFrame, title: str = "¿En qué nodo abandonan? (último nodo de cada abandono)"
) -> go.Figure:
    """Per nodo, conversations that went through it and, on top, those that abandoned there.

    Follows the table's order (most abandonos first), at most :data:`MAX_BARS` nodos;
    the text says "abandonos de conversaciones abandonaron (pct_abandono)".
    """
    if table.empty or _total(table["conversaciones"]) == 0 or table["pct_abandono"].isna().all():
        return empty_figure(title)
    if _total(table["abandonos"]) == 0:
        return empty_figure(title, SIN_ABANDONOS_TEXT)
    top = table.head(MAX_BARS).iloc[::-1]
    names = [truncate(n, 40) for n in top["nodo"]]
    conv = pd.to_numeric(top["conversaciones"], errors="coerce").fillna(0).astype("int64")
    aband = pd.to_numeric(top["abandonos"], errors="coerce").fillna(0).astype("int64")
    text = [
        f"{fmt_int(a)} de {fmt_int(c)} abandonaron ({fmt_pct(p)})"
        for a, c, p in zip(aband, conv, top["pct_abandono"], strict=True)
    ]
    pct = ["–" if is_missing(p) else fmt_pct(p) for p in top["pct_abandono"]]
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=conv,
        orientation="h",
        name="Pasaron por el nodo",
        marker_color="#C9D6F2",
        text=text,
        textposition="outside",
        cliponaxis=False,
        hovertext=[str(n) for n in top["nodo"]],
        hovertemplate="%{hovertext}: %{x:,} conversaciones pasaron por el nodo<extra></extra>",
    )
    fig.add_bar(
        y=names,
        x=aband,
        orientation="h",
        name="Abandonaron ahí",
        marker_color=FIN_COLORS["abandono"],
        customdata=pct,
        hovertext=[str(n) for n in top["nodo"]],
        hovertemplate="%{hovertext}: %{x:,} abandonos (%{customdata} de las que pasaron)<extra></extra>",
    )
    extra = f" — {MAX_BARS} de {fmt_int(len(table))} nodos" if len(table) > MAX_BARS else ""
    fig.update_layout(
        title=title + extra,
        barmode="overlay",
        height=max(300, 120 + 34 * len(top)),
        xaxis={"title": "conversaciones", "range": [0, float(conv.max()) * 1.45]},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    return fig
