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

import bisect
import codecs
import functools
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ._celdas import FORMULA_START as FORMULA_START
from ._celdas import for_csv
from ._celdas import for_text as for_text
from ._celdas import formula_safe as formula_safe
from ._json import write_json as write_json
from ._xlsx import HojaPorLotes, write_workbook
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
    #: how many rows, when known (a copy read from its source knows it: :meth:`guardada`)
    filas: int | None = None
    #: the chunks from a row on, straight from there (a copy read from its source can)
    desde: Callable[[int], Iterator[pd.DataFrame]] | None = None

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
        filas, inicios, posiciones = 0, [], []  # each chunk's first row and place in the file
        with os.fdopen(fd, "wb") as fh:
            for chunk in self.leer():
                inicios.append(filas)
                posiciones.append(fh.tell())
                pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)
                filas += len(chunk)

        def desde(fila: int = 0) -> Iterator[pd.DataFrame]:
            k = max(bisect.bisect_right(inicios, fila) - 1, 0)
            with path.open("rb") as fh:
                if posiciones:
                    fh.seek(posiciones[k])
                skip = fila - inicios[k] if inicios else 0
                while True:
                    try:
                        chunk = pickle.load(fh)
                    except EOFError:
                        return
                    yield chunk.iloc[skip:] if skip else chunk
                    skip = 0

        return Lotes(desde, self.molde, filas, desde)

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


def write_xlsx(tables: Mapping[str, pd.DataFrame | HojaPorLotes], path: Path) -> Path:
    """One sheet per table: Spanish headers, frozen header row, % and date formats, widths."""
    write_workbook(tables, path, label=column_label)
    return path


def _workbook(
    sheets: Mapping[str, pd.DataFrame | HojaPorLotes], path: Path, carga: pd.DataFrame | None
) -> dict[str, int]:
    """:func:`write_xlsx`, plus a last sheet ``carga`` that counts the cells cut in the others
    (:func:`with_cuts`); returns those counts per sheet."""
    ultima = None if carga is None else ("carga", lambda cut: with_cuts(carga, cut, path.name))
    return write_workbook(sheets, path, label=column_label, ultima=ultima)


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


#: files written at a time: a table's CSV, its JSON and the workbook, whatever the cores (on 2
#: cores, 2 at a time left the JSON of a 30-million-row detail waiting for its CSV, alone at the
#: end; all 3 at once, the CSV and JSON finish first and the workbook, which builds two sheets at
#: a time, gets both cores for its last sheets)
WRITERS = 3


def _chunked_sheets(lotes: Lotes, name: str, max_rows: int) -> dict[str, HojaPorLotes]:
    """The XLSX sheets of a chunked table read into a spill file (:meth:`Lotes.guardada`: its row
    count is known and a part is read from its first row): one per part, named as
    :func:`_stream_parts` names the files (each sheet measures itself when written)."""
    if lotes.filas is None or lotes.desde is None:
        raise ValueError("a chunked table goes to the workbook from its spill file (Lotes.guardada)")
    desde = lotes.desde
    count = max(1, -(-lotes.filas // max_rows))
    names = [name] if count == 1 else [f"{name}_parte{i + 1}" for i in range(count)]

    def reader(i: int) -> Callable[[], Iterator[pd.DataFrame]]:
        def leer() -> Iterator[pd.DataFrame]:
            room = max_rows
            for chunk in desde(i * max_rows):
                if room <= 0:
                    return
                yield chunk.iloc[:room]
                room -= len(chunk)

        return leer

    return {k: HojaPorLotes(reader(i), lotes.molde) for i, k in enumerate(names)}


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
    # the files are independent: written side by side (Arrow's kernels and ISA-L let go of the
    # GIL), the workbook first: the longest job, it measures its chunked sheets itself
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        book: dict[str, pd.DataFrame | HojaPorLotes] = {}
        jobs: list[Callable[[], Future[list[Path]]]] = []
        for name, frame in tables.items():
            if isinstance(frame, Lotes):
                if "xlsx" in chosen:
                    book.update(_chunked_sheets(frame, name, max_rows))
                for ext, write in (("csv", write_csv), ("json", write_json)):
                    if ext in chosen:
                        jobs.append(
                            functools.partial(
                                pool.submit, _stream_parts, frame, name, max_rows, out, ext, write
                            )
                        )
                continue
            for part_name, part in parts(frame, name, max_rows):
                for ext, write in (("csv", write_csv), ("json", write_json)):
                    if ext in chosen:
                        jobs.append(
                            functools.partial(pool.submit, _one, write, part, out / f"{part_name}.{ext}")
                        )
                book[part_name] = part
        if rechazos is not None:
            book.update(parts(rechazos, "rechazos", max_rows))
        xlsx = out / f"{informe}.xlsx"
        workbook = pool.submit(_workbook, book, xlsx, carga) if "xlsx" in chosen else None
        started = [job() for job in jobs]
        csvs = {
            stem: pool.submit(_one, write_csv, frame, out / f"{stem}.csv")
            for stem, frame in {"rechazos": rechazos, **(archivos or {})}.items()
            if frame is not None
        }
        written = [path for job in started for path in job.result()]
        cut = workbook.result() if workbook is not None else {}
        written += [xlsx] if workbook is not None else []
        written += csvs.pop("rechazos").result() if "rechazos" in csvs else []
        if carga is not None:  # with the cells the workbook cut
            written.append(write_csv(with_cuts(carga, cut, xlsx.name), out / "carga.csv"))
        written += [path for job in csvs.values() for path in job.result()]
    return Exported(written, cut)
