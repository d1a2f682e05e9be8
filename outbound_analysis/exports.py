"""Exports: report tables -> CSV, JSON (records) and XLSX files. With the runner, the only writer.

Layout (CONTRACT §4), for a report ``INFORME`` written into ``DIR/INFORME/``:
``TABLE.csv``, ``TABLE.json`` and ``INFORME.xlsx`` with one sheet per table. A table
over :data:`MAX_ROWS_PER_PART` rows is split into ``TABLE_parte1.csv``,
``TABLE_parte2.csv``... (and sheets ``TABLE_parte1``...), each of at most that many rows.

Values: CSV and JSON keep the contract's column names; timestamps are local ISO 8601
with their offset (``2026-08-01T09:15:00-03:00``); percentages are fractions; NA is an
empty CSV cell and JSON ``null``; etiquetas are ``a|b`` in CSV/XLSX and arrays in JSON.
The XLSX has readable Spanish headers, a frozen header row, % formats and column widths.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ._convert import arrow_of
from ._xlsx import write_workbook
from .labels import column_label

MAX_ROWS_PER_PART = 1_000_000
#: environment variable that lowers the part size (tests use it to check the splitting)
MAX_ROWS_ENV = "OUTBOUND_ANALYSIS_MAX_FILAS"


def max_rows_per_part() -> int:
    """Rows per part: :data:`MAX_ROWS_PER_PART`, or a lower limit from ``$OUTBOUND_ANALYSIS_MAX_FILAS``."""
    value = os.environ.get(MAX_ROWS_ENV, "")
    return (
        min(int(value), MAX_ROWS_PER_PART)
        if value.strip().isdigit() and int(value) > 0
        else (MAX_ROWS_PER_PART)
    )


FORMATOS = ("csv", "xlsx", "json")


def parts(
    frame: pd.DataFrame, name: str, max_rows: int = MAX_ROWS_PER_PART
) -> list[tuple[str, pd.DataFrame]]:
    """``[(name, frame)]``, or numbered parts of at most ``max_rows`` rows each.

    >>> [n for n, _ in parts(pd.DataFrame({"a": range(5)}), "t", max_rows=2)]
    ['t_parte1', 't_parte2', 't_parte3']
    """
    if len(frame) <= max_rows:
        return [(name, frame)]
    count = -(-len(frame) // max_rows)
    return [(f"{name}_parte{i + 1}", frame.iloc[i * max_rows : (i + 1) * max_rows]) for i in range(count)]


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _iso_local(series: pd.Series) -> pd.Series:
    """Timestamps as ``YYYY-MM-DDTHH:MM:SS±HH:MM`` in their own zone (vectorized in Arrow)."""
    local = series.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else series
    # a cast to text is several times faster than strftime; it writes a space at position 10
    text = pc.cast(pa.array(local.to_numpy(dtype="datetime64[s]"), from_pandas=True), pa.string())
    text = pc.utf8_replace_slice(text, start=10, stop=11, replacement="T")
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
        minutes = ((local - utc).to_numpy(dtype="timedelta64[m]").astype(np.int64))
        distinct = np.unique(minutes)
        labels = pa.array([_offset_text(int(m)) for m in distinct])
        offsets = pc.take(labels, pa.array(np.searchsorted(distinct, minutes)))
        text = pc.binary_join_element_wise(text, offsets, "")
    return pd.Series(text, index=series.index, dtype="string")


def _joined(series: pd.Series) -> pd.Series:
    """List cells as ``a|b`` text."""
    arr = (
        arrow_of(series)
        if isinstance(series.dtype, pd.ArrowDtype)
        else (pa.chunked_array([pa.array(series.tolist(), type=pa.list_(pa.string()))]))
    )
    return pd.Series(pc.binary_join(arr, "|"), index=series.index, dtype="string")


def _is_list(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_list(series.dtype.pyarrow_dtype)


def for_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy ready for CSV: timestamps as local ISO text, lists joined by ``|``.

    Categories stay categories: Arrow and pandas write their values.
    """
    out = {}
    for name in frame.columns:
        s = frame[name]
        if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s):
            out[name] = _iso_local(s)
        elif _is_list(s):
            out[name] = _joined(s)
        else:
            out[name] = s
    return pd.DataFrame(out, index=frame.index)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """UTF-8 CSV with the contract's column names (Arrow's writer: fast on millions of rows)."""
    table = pa.Table.from_pandas(for_text(frame), preserve_index=False)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return path


JSON_CHUNK = 100_000


def write_json(frame: pd.DataFrame, path: Path) -> Path:
    """JSON records; lists stay arrays, NA is null, timestamps local ISO text.

    Written in chunks so a million-row table never sits in memory as one JSON string.
    """
    lists = [c for c in frame.columns if _is_list(frame[c])]
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for start in range(0, max(len(frame), 1), JSON_CHUNK):
            part = frame.iloc[start:start + JSON_CHUNK]
            text = for_text(part.drop(columns=lists))
            for c in lists:  # object column of Python lists: pandas writes them as arrays
                text[c] = pd.Series(part[c].tolist(), index=part.index, dtype=object)
            body = text[list(frame.columns)].to_json(orient="records", force_ascii=False)
            if len(body) > 2:
                out.write(("," if start else "") + body[1:-1])
        out.write("]")
    return path


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """One sheet per table: Spanish headers, frozen header row, % and date formats, widths."""
    return write_workbook(tables, path, label=column_label)


def export_tables(
    tables: Mapping[str, pd.DataFrame],
    directory: str | Path,
    informe: str,
    formatos: Iterable[str] = FORMATOS,
    max_rows: int | None = None,
) -> list[Path]:
    """Write every table in the chosen formats into ``directory``; return the files written."""
    max_rows = max_rows or max_rows_per_part()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    chosen = [f for f in FORMATOS if f in set(formatos)]
    written: list[Path] = []
    sheets: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        for part_name, part in parts(frame, name, max_rows):
            if "csv" in chosen:
                written.append(write_csv(part, out / f"{part_name}.csv"))
            if "json" in chosen:
                written.append(write_json(part, out / f"{part_name}.json"))
            sheets[part_name] = part
    if "xlsx" in chosen:
        written.append(write_xlsx(sheets, out / f"{informe}.xlsx"))
    return written
