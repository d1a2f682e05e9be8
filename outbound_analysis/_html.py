"""HTML fragments for the reports: formatted tables (capped), KPI cards, notes. Pure strings.

The CSS (``templates/report.css``) and the sorting script (``templates/sort.js``) are package files.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._celdas import is_list
from ._render import asset
from ._text import SIN_DATO, fmt_int, fmt_pct
from .labels import ETAPA_LABELS, FINALIZACION_LABELS, ORIGEN_LABELS, column_label

#: code columns shown with their Spanish label in HTML (exports keep the codes)
VALUE_LABELS = {"etapa": ETAPA_LABELS, "finalizacion": FINALIZACION_LABELS, "origen": ORIGEN_LABELS}

MAX_HTML_ROWS = 2000

STYLE = f"\n<style>\n{asset('report.css')}</style>\n"

# Click a header to sort (numbers by their raw value); no external library, works offline.
SORT_SCRIPT = f"\n<script>\n{asset('sort.js')}</script>\n"


def _is_pct(name: str) -> bool:
    """Fractions shown as %: pct, pct_*, *_pct (A/B) and ic95_* (interval bounds)."""
    return name == "pct" or name.startswith(("pct_", "ic95_")) or name.endswith("_pct")


def _cell(value: object, name: str, dtype: object) -> tuple[str, str | None]:
    """Display text of a cell and its sortable raw value (for numbers)."""
    if isinstance(value, list | np.ndarray):
        return ", ".join(str(v) for v in value), None
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) or (value is pd.NaT):
        if pd.api.types.is_bool_dtype(dtype):
            return "no informado", None
        if _is_pct(name):  # a percentage over 0: no dato, as in the cards
            return SIN_DATO, None
        return "", None
    if _is_pct(name):
        return fmt_pct(float(value)), f"{float(value):.6f}"
    if isinstance(value, bool | np.bool_):
        return ("sí" if value else "no"), None
    if isinstance(value, int | np.integer):
        return fmt_int(value), str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d/%m/%Y %H:%M"), str(value.value)
    if isinstance(value, float | np.floating):
        return f"{value:,.2f}".replace(",", "·").replace(".", ",").replace("·", "."), str(value)
    return str(value), None


def _td(value: object, name: str, dtype: object) -> str:
    text, raw = _cell(value, name, dtype)
    attrs = f' class="oa-num" data-v="{raw}"' if raw is not None else ""
    return f"<td{attrs}>{html.escape(text)}</td>"


def _column_cells(series: pd.Series, name: str, dtype: object) -> list[str]:
    """The ``<td>`` of each value of one column, as :func:`_td` writes it.

    Timestamps, plain text and lists of text (the per-send detail's dates, ids and etiquetas)
    are formatted for the whole column at once with Arrow's kernels, a category once; any
    other value once per distinct value.
    """
    if isinstance(dtype, pd.DatetimeTZDtype) or (
        pd.api.types.is_datetime64_dtype(dtype) and not isinstance(dtype, pd.ArrowDtype)
    ):
        local = series.dt.tz_localize(None) if isinstance(dtype, pd.DatetimeTZDtype) else series
        instant = series.to_numpy(dtype="datetime64[ns]").view(np.int64)  # sorted by the instant
        cells = pc.binary_join_element_wise(
            '<td class="oa-num" data-v="',
            pc.cast(pa.array(instant), pa.string()),
            '">',
            _dia_hora(local.to_numpy(dtype="datetime64[ns]")),
            "</td>",
            "",
        )
        return pc.fill_null(cells, "<td></td>").to_pylist()
    if isinstance(series.dtype, pd.CategoricalDtype):  # each category once, then by code
        cells = _distinct_cells([*series.cat.categories.tolist(), None], name, dtype)
        return [cells[c] for c in series.cat.codes.tolist()]  # code -1 (NA): the last cell
    if isinstance(dtype, pd.StringDtype) and not _is_pct(name):
        return _text_cells(pa.array(series, type=pa.string()))
    if is_list(series) and pa.types.is_string(series.dtype.pyarrow_dtype.value_type):
        values = pa.array(series)
        if not pc.any(pc.is_null(pc.list_flatten(values))).as_py():  # None inside a list: str(None)
            return _text_cells(pc.fill_null(pc.binary_join(values, ", "), ""))
    return _distinct_cells(series.tolist(), name, dtype)


def _dia_hora(ns: np.ndarray) -> pa.Array:
    """``dd/mm/yyyy hh:mm`` of each ``datetime64[ns]`` (NaT: null), cut from NumPy's ISO text
    (Arrow's strftime takes 1 µs a value: a third of the detail table's drawing)."""
    iso = pa.array(np.datetime_as_string(ns, unit="m"), type=pa.string(), mask=np.isnat(ns))

    def part(start: int, stop: int) -> pa.Array:
        return pc.utf8_slice_codeunits(iso, start, stop)

    return pc.binary_join_element_wise(part(8, 10), "/", part(5, 7), "/", part(0, 4), " ", part(11, 16), "")


#: what html.escape replaces, in its order (``&`` first)
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))


def _text_cells(text: pa.Array) -> list[str]:
    """``<td>`` cells of escaped ``text`` (``html.escape``), NA as an empty cell."""
    for raw, entity in _ESCAPES:
        text = pc.replace_substring(text, raw, entity)
    return pc.fill_null(pc.binary_join_element_wise("<td>", text, "</td>", ""), "<td></td>").to_pylist()


def _distinct_cells(values: list[object], name: str, dtype: object) -> list[str]:
    """The ``<td>`` of each value; a repeated value is formatted once."""
    done: dict[tuple[type, object], str] = {}
    out = []
    for value in values:
        try:
            key = (type(value), value)
            cell = done.get(key)
            if cell is None:
                cell = done[key] = _td(value, name, dtype)
        except TypeError:  # unhashable (a list of etiquetas)
            cell = _td(value, name, dtype)
        out.append(cell)
    return out


def table(
    frame: pd.DataFrame,
    max_rows: int = MAX_HTML_ROWS,
    sortable: bool = True,
    labels: bool = True,
    columns: Iterable[str] | None = None,
) -> str:
    """A formatted HTML table; over ``max_rows`` rows it shows the first ones and says so.

    ``frame.attrs["filas"]``, when there, is the table's whole row count (``frame`` being its
    first rows only, as an SQL engine gives the per-send detail).
    """
    cols = list(columns) if columns is not None else list(frame.columns)
    total = int(frame.attrs.get("filas", len(frame)))
    if frame.empty:
        return empty("No hay filas para los filtros elegidos.")
    shown = frame.head(max_rows)
    shown = shown.assign(
        **{
            c: shown[c].astype("string").map(lambda v, m=m: m.get(v, v))
            for c, m in VALUE_LABELS.items()
            if c in shown.columns
        }
    )
    head = "".join(f"<th>{html.escape(column_label(c) if labels else c)}</th>" for c in cols)
    dtypes = frame.dtypes
    columns_html = [_column_cells(shown[c], c, dtypes[c]) for c in cols]
    body = ["<tr>" + "".join(row) + "</tr>" for row in zip(*columns_html, strict=True)]
    cls = "oa-table oa-sortable" if sortable else "oa-table"
    out = (
        f'<div class="oa-scroll"><table class="{cls}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    if total > (n_shown := min(max_rows, len(frame))):
        out += note(
            f"Se muestran las primeras {fmt_int(n_shown)} de {fmt_int(total)} filas, como en la "
            "plataforma. La exportación (CSV, JSON, XLSX) tiene todas."
        )
    return out + (SORT_SCRIPT if sortable else "")


def cards(items: Iterable[tuple[str, str, str]]) -> str:
    """KPI cards from (label, value, subtitle) triples."""
    parts = [
        f'<div class="oa-card"><div class="oa-v">{html.escape(v)}</div>'
        f'<div class="oa-l">{html.escape(label)}</div><div class="oa-s">{html.escape(sub)}</div></div>'
        for label, v, sub in items
    ]
    return f'<div class="oa-cards">{"".join(parts)}</div>'


def note(text: str) -> str:
    return f'<div class="oa-note">{html.escape(text)}</div>'


def warn(text: str) -> str:
    return f'<div class="oa-warn">⚠️ {html.escape(text)}</div>'


def empty(text: str = "Sin datos para los filtros elegidos.") -> str:
    return f'<div class="oa-empty">{html.escape(text)}</div>'


def paragraph(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def bullet_list(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
