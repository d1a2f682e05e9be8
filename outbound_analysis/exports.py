"""Exports: report tables -> CSV, JSON (records) and XLSX files. With the runner, the only writer.

Layout (CONTRACT §4), for a report ``INFORME`` written into ``DIR/INFORME/``:
``TABLE.csv``, ``TABLE.json`` and ``INFORME.xlsx`` with one sheet per table. A table
over :data:`MAX_ROWS_PER_PART` rows is split into ``TABLE_parte1.csv``,
``TABLE_parte2.csv``... (and sheets ``TABLE_parte1``...), each of at most that many rows.

Values: CSV and JSON keep the contract's column names; timestamps are local ISO 8601
with their offset (``2026-08-01T09:15:00-03:00``); percentages are fractions; NA is an
empty CSV cell and JSON ``null``; etiquetas are ``a|b`` in CSV/XLSX and arrays in JSON.
CSV files are for tools: UTF-8 with a BOM, ``,`` separator, ``.`` decimal point, and a
text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'`` (formula injection, CONTRACT §4); JSON keeps every text as is. The XLSX is
for Excel: readable Spanish headers, a frozen header row, % and date formats, column
widths, text never as formulas and cut at 32,767 characters, plus the sheets
``rechazos`` and ``carga`` (:func:`export_report`), where the cut cells are counted.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ._convert import arrow_of
from ._xlsx import long_text_cells, write_workbook
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
    """Timestamps as ``YYYY-MM-DDTHH:MM:SS±HH:MM`` in their own zone (vectorized in Arrow).

    Empty and all-null columns of any dtype (Arrow null, object, datetime with or
    without zone) give an all-NA text column: nothing to format, and no Arrow kernel
    ever sees a null-typed array.
    """
    if series.isna().all():
        return pd.Series(pd.NA, index=series.index, dtype="string")
    numpy_backed = not isinstance(series.dtype, pd.ArrowDtype)
    if not (numpy_backed and pd.api.types.is_datetime64_any_dtype(series.dtype)):
        try:  # Arrow timestamps, object columns of Timestamps
            series = pd.to_datetime(series)
        except (TypeError, ValueError):  # Timestamps of several zones: each with its own offset
            iso = series.map(lambda v: v if pd.isna(v) else pd.Timestamp(v).isoformat())
            return iso.astype("string")
    tz_aware = isinstance(series.dtype, pd.DatetimeTZDtype)
    local = series.dt.tz_localize(None) if tz_aware else series
    # a cast to text is several times faster than strftime; it writes a space at position 10
    seconds = pa.array(local.to_numpy(dtype="datetime64[s]"), type=pa.timestamp("s"), from_pandas=True)
    text = pc.cast(seconds, pa.string())
    text = pc.utf8_replace_slice(text, start=10, stop=11, replacement="T")
    if tz_aware:
        utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
        missing = series.isna().to_numpy()
        minutes = (local - utc).to_numpy(dtype="timedelta64[m]").astype(np.int64)
        minutes[missing] = 0  # NaT rows stay null through ``text``; any offset will do
        distinct = np.unique(minutes)
        labels = pa.array([_offset_text(int(m)) for m in distinct], type=pa.string())
        offsets = pc.take(labels, pa.array(np.searchsorted(distinct, minutes), type=pa.int64()))
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


#: first characters that make a spreadsheet read a text cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"  # RE2


def _is_text(series: pd.Series) -> bool:
    """Text cells for the CSV: strings, categories and joined lists; never numbers or booleans."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    if _is_list(series):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
    if isinstance(dtype, pd.StringDtype):
        return True
    if not pd.api.types.is_object_dtype(dtype):
        return False
    return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def formula_safe(series: pd.Series) -> pd.Series:
    """Text cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a CR get a leading ``'``.

    A spreadsheet would run them as formulas (customers write ``mensaje`` and ``opcion``).

    >>> formula_safe(pd.Series(["=1+1", "+5491155550000", "hola", None], dtype="string")).tolist()
    ["'=1+1", "'+5491155550000", 'hola', <NA>]
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        if not any(str(c).startswith(FORMULA_START) for c in series.cat.categories):
            return series  # nothing to change: keep the (cheap) categories
        series = series.astype("string")
    text = pa.array(series.astype("string").array)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if not pc.any(pc.fill_null(pc.match_substring_regex(text, _FORMULA_RE), False)).as_py():
        return series
    escaped = pc.replace_substring_regex(text, r"^([=+\-@\t\r])", r"'\1")
    return pd.Series(escaped, index=series.index, dtype="string")


def for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`for_text`, with every text cell made :func:`formula_safe`."""
    text = for_text(frame)
    for name in frame.columns:
        if _is_text(frame[name]):
            text[name] = formula_safe(text[name])
    return text


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """CSV for tools: UTF-8 with a BOM (Excel reads the accents right), ``,``, formula-safe text.

    Arrow's writer: fast on millions of rows.
    """
    table = pa.Table.from_pandas(for_csv(frame), preserve_index=False)
    with path.open("wb") as out:
        out.write(codecs.BOM_UTF8)
        pacsv.write_csv(table, out, write_options=pacsv.WriteOptions(quoting_style="needed"))
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
            part = frame.iloc[start : start + JSON_CHUNK]
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
    return export_report(tables, directory, informe, formatos, max_rows=max_rows).files


#: the column of the load report that counts the XLSX cells cut at 32,767 characters
CUT_COLUMN = "celdas_cortadas_xlsx"


@dataclass(frozen=True)
class Exported:
    """What :func:`export_report` wrote: the files, and the XLSX cells cut per sheet."""

    files: list[Path]
    cut: dict[str, int] = field(default_factory=dict)


def with_cuts(carga: pd.DataFrame, cut: Mapping[str, int], book: str) -> pd.DataFrame:
    """The load report with the column :data:`CUT_COLUMN` (0 for the input files, which are
    never cut) and one row per sheet with cut cells: tabla ``xlsx``, archivo ``BOOK, hoja S``.
    """
    out = carga.assign(**{CUT_COLUMN: 0})
    if not cut:
        return out
    counts = [c for c in out.columns if pd.api.types.is_integer_dtype(out[c].dtype)]
    out = out.astype(dict.fromkeys(counts, "Int64"))
    rows = pd.DataFrame(
        {
            c: pd.Series([pd.NA] * len(cut), dtype=out[c].dtype if c in counts else "string")
            for c in out.columns
        }
    )
    rows["tabla"] = "xlsx"
    rows["archivo"] = [f"{book}, hoja {sheet}" for sheet in cut]
    rows["formato"] = "XLSX"
    rows[CUT_COLUMN] = pd.array(list(cut.values()), dtype="Int64")
    out = out.astype({c: "string" for c in out.columns if c not in counts})
    return pd.concat([out, rows], ignore_index=True)


def export_report(
    tables: Mapping[str, pd.DataFrame],
    directory: str | Path,
    informe: str,
    formatos: Iterable[str] = FORMATOS,
    *,
    rechazos: pd.DataFrame | None = None,
    carga: pd.DataFrame | None = None,
    max_rows: int | None = None,
    archivos: Mapping[str, pd.DataFrame] | None = None,
) -> Exported:
    """Write every table in the chosen formats, plus ``rechazos.csv`` and ``carga.csv`` (always).

    ``archivos`` (file stem -> frame) are extra CSV files written always, whatever the
    formats, like rechazos: e.g. detallado's audience files ``segmento_NAME.csv``.

    The workbook ``INFORME.xlsx`` also gets the sheets ``rechazos`` (split in parts like a
    table) and ``carga``; carga counts, per sheet, the text cells the XLSX cut at Excel's
    32,767 characters (:func:`with_cuts`). JSON and CSV keep the whole text.
    """
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
    if rechazos is not None:
        sheets.update(parts(rechazos, "rechazos", max_rows))
    cut: dict[str, int] = {}
    if "xlsx" in chosen:
        cut = {name: n for name, frame in sheets.items() if (n := long_text_cells(frame))}
    if carga is not None:
        carga = with_cuts(carga, cut, f"{informe}.xlsx")
        sheets["carga"] = carga
    if "xlsx" in chosen:
        written.append(write_xlsx(sheets, out / f"{informe}.xlsx"))
    if rechazos is not None:
        written.append(write_csv(rechazos, out / "rechazos.csv"))
    if carga is not None:
        written.append(write_csv(carga, out / "carga.csv"))
    written.extend(write_csv(frame, out / f"{stem}.csv") for stem, frame in (archivos or {}).items())
    return Exported(written, cut)
