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
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ._convert import arrow_of
from ._xlsx import HojaPorLotes, long_text_cells, medir, write_workbook
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


@dataclass(frozen=True)
class Lotes:
    """A table given in chunks, never as one DataFrame (an engine that streams its results).

    ``leer()`` returns a fresh iterator of DataFrames with the columns and dtypes of
    ``molde`` (a frame with no rows); it is called once per format (twice for the XLSX:
    once to measure the sheet, once to write it). No chunks: a table with no rows.
    """

    leer: Callable[[], Iterator[pd.DataFrame]]
    molde: pd.DataFrame

    def partes(self, name: str, max_rows: int) -> Iterator[tuple[str, Iterator[pd.DataFrame]]]:
        """Like :func:`parts`, without knowing the row count: ``(name, chunks)`` per part, in order.

        The first part is named ``name``; when a second one starts, the caller renames the
        first to ``name_parte1`` (see :func:`_stream_parts`). Each part's chunks must be
        consumed before asking for the next part.
        """
        chunks = self._sliced(max_rows)
        pending: list[pd.DataFrame] = []
        index = 0
        while True:
            index += 1
            room = max_rows

            def part(room: int = room) -> Iterator[pd.DataFrame]:
                yield self.molde
                while room > 0:
                    chunk = pending.pop() if pending else next(chunks, None)
                    if chunk is None:
                        return
                    if len(chunk) > room:
                        pending.append(chunk.iloc[room:])
                        chunk = chunk.iloc[:room]
                    room -= len(chunk)
                    yield chunk

            yield (name if index == 1 else f"{name}_parte{index}"), part()
            nxt = pending.pop() if pending else next(chunks, None)
            if nxt is None:
                return
            pending.append(nxt)

    def guardada(self, carpeta: Path) -> Lotes:
        """This table read once from its source into a file in ``carpeta``; the copy's ``leer``
        reads that file. An export reads a table once per format and twice for the XLSX: the
        source (an engine's query) then runs once instead of four times."""
        fd, name = tempfile.mkstemp(dir=carpeta, prefix="lotes-", suffix=".pickle")
        path = Path(name)
        with os.fdopen(fd, "wb") as fh:
            for chunk in self.leer():
                pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)

        def leer() -> Iterator[pd.DataFrame]:
            with path.open("rb") as fh:
                while True:
                    try:
                        yield pickle.load(fh)
                    except EOFError:
                        return

        return Lotes(leer, self.molde)

    def _sliced(self, size: int) -> Iterator[pd.DataFrame]:
        for chunk in self.leer():
            for start in range(0, len(chunk), size):
                yield chunk.iloc[start : start + size]


#: a table to export: whole, or in chunks
Tabla = pd.DataFrame | Lotes


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


def write_csv(frame: pd.DataFrame | Iterable[pd.DataFrame], path: Path) -> Path:
    """CSV for tools: UTF-8 with a BOM (Excel reads the accents right), ``,``, formula-safe text.

    Arrow's writer: fast on millions of rows. ``frame`` may be chunks (the first one
    gives the header; the same bytes as their concatenation).
    """
    options = pacsv.WriteOptions(quoting_style="needed")
    if isinstance(frame, pd.DataFrame):
        table = pa.Table.from_pandas(for_csv(frame), preserve_index=False)
        with path.open("wb") as out:
            out.write(codecs.BOM_UTF8)
            pacsv.write_csv(table, out, write_options=options)
        return path
    with path.open("wb") as out:
        out.write(codecs.BOM_UTF8)
        writer: pacsv.CSVWriter | None = None
        schema: pa.Schema | None = None
        for chunk in frame:
            table = _plain(pa.Table.from_pandas(for_csv(chunk), preserve_index=False))
            if writer is None or schema is None:
                schema = table.schema
                writer = pacsv.CSVWriter(out, schema, write_options=options)
            writer.write_table(table.cast(schema) if table.schema != schema else table)
        if writer is not None:
            writer.close()
    return path


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary columns as plain strings and null columns as strings: one schema for every chunk."""
    fields = []
    for f in table.schema:
        if any(t(f.type) for t in (pa.types.is_dictionary, pa.types.is_null, pa.types.is_large_string)):
            fields.append(pa.field(f.name, pa.string()))
        else:
            fields.append(f)
    schema = pa.schema(fields)
    return table if schema == table.schema else table.cast(schema)


JSON_CHUNK = 100_000

#: JSON escapes of pandas' writer (ujson): quote, backslash, slash, the short control escapes
_JSON_ESCAPES = [
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("/", "\\/"),
    ("\n", "\\n"),
    ("\t", "\\t"),
    ("\r", "\\r"),
    ("\b", "\\b"),
    ("\f", "\\f"),
]
_CONTROL = r"[\x00-\x1f]"  # RE2
_NEEDS_ESCAPE = r'[\\"/\x00-\x1f]'  # RE2: a backslash, a quote, a slash or a control character


def _json_strings(values: pa.Array) -> pa.Array:
    """Text as JSON string literals, escaped as pandas' writer does (non-ASCII kept as is)."""
    text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    if not pc.any(pc.fill_null(pc.match_substring_regex(text, _NEEDS_ESCAPE), False)).as_py():
        return pc.binary_join_element_wise('"', text, '"', "")  # nothing to escape (ids, dates)
    for raw, escaped in _JSON_ESCAPES:
        text = pc.replace_substring(text, raw, escaped)
    if pc.any(pc.fill_null(pc.match_substring_regex(text, _CONTROL), False)).as_py():
        for code in [*range(0, 8), 11, *range(14, 32)]:
            text = pc.replace_substring(text, chr(code), f"\\u{code:04x}")
    return pc.binary_join_element_wise('"', text, '"', "")


def _json_values(series: pd.Series) -> pa.Array | None:
    """Each cell of a column as JSON text (null for NA), or None for a column left to pandas."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if not (len(dtype.categories) == 0 or pd.api.types.infer_dtype(dtype.categories) == "string"):
            return None
        codes = pa.array(series.cat.codes.to_numpy(), mask=series.isna().to_numpy())
        literals = _json_strings(pa.array(dtype.categories.astype(object).tolist(), type=pa.string()))
        out = pc.take(literals, codes) if len(literals) else pa.nulls(len(series), pa.string())
    elif _is_list(series):
        lists = arrow_of(series)
        lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
        if not pa.types.is_string(lists.type.value_type) or lists.flatten().null_count:
            return None
        inner = pa.ListArray.from_arrays(lists.offsets, _json_strings(lists.flatten()), mask=lists.is_null())
        out = pc.binary_join_element_wise("[", pc.binary_join(inner, ","), "]", "")
    elif _is_text(series) and not pd.api.types.is_object_dtype(dtype):
        text = pa.array(series.astype("string").array)
        out = _json_strings(text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text)
    elif pd.api.types.is_bool_dtype(dtype):
        flags = pa.array(series.astype("boolean").array)
        out = pc.if_else(flags, "true", "false")
    elif pd.api.types.is_integer_dtype(dtype):
        out = pc.cast(pa.array(series.astype("Int64").array), pa.string())
    elif pd.api.types.is_float_dtype(dtype):  # pandas' own number format, one column at a time
        body = series.reset_index(drop=True).to_json(orient="values")
        out = pa.array(body[1:-1].split(",") if len(series) else [], type=pa.string())
        out = pc.if_else(pc.equal(out, "null"), pa.scalar(None, pa.string()), out)
    else:
        return None
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _json_records(text: pd.DataFrame) -> memoryview | None:
    """``text.to_json(orient="records", force_ascii=False)`` in Arrow, as UTF-8 without its
    brackets (the records joined by commas, a view of Arrow's buffer: no copy); None when not
    possible."""
    columns = []
    for i, name in enumerate(text.columns):
        values = _json_values(text[name])
        if values is None:
            return None
        key = ("{" if i == 0 else ",") + json.dumps(str(name), ensure_ascii=False).replace("/", "\\/") + ":"
        columns += [key, pc.fill_null(values, "null")]
    if not len(text):
        return memoryview(b"")
    if not columns:
        return memoryview(",".join(["{}"] * len(text)).encode())
    rows = pc.binary_join_element_wise(*columns, "},", "")  # each row with its comma
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[rows.offset : rows.offset + len(rows) + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    return memoryview(rows.buffers()[2])[start : end - 1]  # the last row's comma left out


def write_json(frame: pd.DataFrame | Iterable[pd.DataFrame], path: Path) -> Path:
    """JSON records; lists stay arrays, NA is null, timestamps local ISO text.

    Written in chunks so a million-row table never sits in memory as one JSON string.
    ``frame`` may be chunks (the same bytes as their concatenation).
    """
    chunks: Iterable[pd.DataFrame] = [frame] if isinstance(frame, pd.DataFrame) else frame
    with path.open("wb") as out:
        out.write(b"[")
        first = True
        for whole in chunks:
            lists = [c for c in whole.columns if _is_list(whole[c])]
            for start in range(0, len(whole), JSON_CHUNK):
                part = whole.iloc[start : start + JSON_CHUNK]
                text = for_text(part.drop(columns=lists))
                for c in lists:
                    text[c] = part[c]
                body = _json_records(text[list(whole.columns)])
                if body is None:  # a column of Python objects: pandas' writer
                    for c in lists:  # object column of Python lists: pandas writes them as arrays
                        text[c] = pd.Series(part[c].tolist(), index=part.index, dtype=object)
                    whole_json = text[list(whole.columns)].to_json(orient="records", force_ascii=False)
                    body = memoryview(whole_json.encode())[1:-1]
                if len(body):
                    if not first:
                        out.write(b",")
                    out.write(body)
                    first = False
        out.write(b"]")
    return path


def write_xlsx(tables: Mapping[str, pd.DataFrame | HojaPorLotes], path: Path) -> Path:
    """One sheet per table: Spanish headers, frozen header row, % and date formats, widths."""
    return write_workbook(tables, path, label=column_label)


def export_tables(
    tables: Mapping[str, Tabla],
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


def _stream_parts(
    lotes: Lotes, name: str, max_rows: int, out: Path, ext: str, write: Callable[..., Path]
) -> list[Path]:
    """Write a chunked table's parts with ``write(chunks, path)``; a second part renames the first."""
    written: list[Path] = []
    for part_name, chunks in lotes.partes(name, max_rows):
        if part_name != name and len(written) == 1:
            first = out / f"{name}_parte1.{ext}"
            os.replace(written[0], first)
            written[0] = first
        written.append(write(chunks, out / f"{part_name}.{ext}"))
    return written


def _one(write: Callable[[pd.DataFrame, Path], Path], frame: pd.DataFrame, path: Path) -> list[Path]:
    return [write(frame, path)]


def _writers() -> int:
    """Files written at a time: up to 3 (CSV, JSON and the workbook), at most one per core."""
    return max(1, min(3, os.cpu_count() or 1))


def _chunked_sheets(lotes: Lotes, name: str, max_rows: int) -> dict[str, HojaPorLotes]:
    """The XLSX sheets of a chunked table: one pass to measure each part (names, rows, styles)."""
    medidas = {part_name: medir(chunks) for part_name, chunks in lotes.partes(name, max_rows)}
    if len(medidas) > 1:
        medidas = {f"{name}_parte1" if k == name else k: v for k, v in medidas.items()}
    index = list(medidas)

    def reader(i: int) -> Callable[[], Iterator[pd.DataFrame]]:
        def leer() -> Iterator[pd.DataFrame]:
            for j, (_, chunks) in enumerate(lotes.partes(name, max_rows)):
                if j == i:
                    yield from chunks
                    return
                for _ in chunks:  # earlier parts: read through
                    pass

        return leer

    return {k: HojaPorLotes(reader(i), lotes.molde, medidas[k]) for i, k in enumerate(index)}


def export_report(
    tables: Mapping[str, Tabla],
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

    A table may be :class:`Lotes` (chunks): it is written chunk by chunk, never
    concatenated, with the same files as the whole table.

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
    if not any(isinstance(t, Lotes) for t in tables.values()) or (len(chosen) < 2 and "xlsx" not in chosen):
        return _export(tables, out, informe, chosen, rechazos, carga, max_rows, archivos)
    # a chunked table is read more than once: from a spill file next to the export, removed after
    spill = Path(tempfile.mkdtemp(dir=out, prefix=".exportando-"))
    try:
        kept = {n: t.guardada(spill) if isinstance(t, Lotes) else t for n, t in tables.items()}
        return _export(kept, out, informe, chosen, rechazos, carga, max_rows, archivos)
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _export(
    tables: Mapping[str, Tabla],
    out: Path,
    informe: str,
    chosen: list[str],
    rechazos: pd.DataFrame | None,
    carga: pd.DataFrame | None,
    max_rows: int,
    archivos: Mapping[str, pd.DataFrame] | None,
) -> Exported:
    # the files are independent: written side by side (Arrow's kernels and zlib let go of the GIL)
    with ThreadPoolExecutor(max_workers=_writers()) as pool:
        jobs: list[Future[list[Path]]] = []
        sheets: dict[str, pd.DataFrame | HojaPorLotes | Future[dict[str, HojaPorLotes]]] = {}
        for name, frame in tables.items():
            if isinstance(frame, Lotes):
                for ext, write in (("csv", write_csv), ("json", write_json)):
                    if ext in chosen:
                        jobs.append(pool.submit(_stream_parts, frame, name, max_rows, out, ext, write))
                if "xlsx" in chosen:  # measured now, written with the workbook
                    sheets[name] = pool.submit(_chunked_sheets, frame, name, max_rows)
                continue
            for part_name, part in parts(frame, name, max_rows):
                for ext, write in (("csv", write_csv), ("json", write_json)):
                    if ext in chosen:
                        jobs.append(pool.submit(_one, write, part, out / f"{part_name}.{ext}"))
                sheets[part_name] = part
        book: dict[str, pd.DataFrame | HojaPorLotes] = {}
        for name, sheet in sheets.items():
            if isinstance(sheet, Future):
                book.update(sheet.result())
            else:
                book[name] = sheet
        if rechazos is not None:
            book.update(parts(rechazos, "rechazos", max_rows))
        cut: dict[str, int] = {}
        if "xlsx" in chosen:
            cut = {
                name: n
                for name, frame in book.items()
                if (n := frame.medida.cortadas if isinstance(frame, HojaPorLotes) else long_text_cells(frame))
            }
        if carga is not None:
            carga = with_cuts(carga, cut, f"{informe}.xlsx")
            book["carga"] = carga
        if "xlsx" in chosen:
            jobs.append(pool.submit(_one, write_xlsx, book, out / f"{informe}.xlsx"))
        extra = {"rechazos": rechazos, "carga": carga, **(archivos or {})}
        for stem, frame in extra.items():
            if frame is not None:
                jobs.append(pool.submit(_one, write_csv, frame, out / f"{stem}.csv"))
        written = [path for job in jobs for path in job.result()]
    return Exported(written, cut)
