"""One file's rows as the canonical columns: headers, conversion and rejections.

:mod:`._tables` concatenates the files of a table, keeps the categories and drops repeated sends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import _convert as cv
from .. import _fechas
from .._text import key
from ..errors import DataError
from ..schema import TABLES, Column
from ._dataset import REJECT_COLUMNS, WHOLE_ROW
from ._readers import read_file

# --------------------------------------------------------------------------- headers


def _accepted_headers(column: Column) -> str:
    return ", ".join(f"«{a}»" for a in (*column.aliases, column.name))


def map_headers(
    headers: Sequence[str], tabla: str, columnas: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Canonical column -> file header, and the headers left unused.

    The user's ``columnas`` mapping (header -> canonical name) wins over the aliases;
    among aliases the earlier one wins.
    """
    spec = TABLES[tabla]
    by_key: dict[str, str] = {}
    for h in headers:
        by_key.setdefault(key(h), h)
    chosen: dict[str, str] = {}
    for header, target in (columnas or {}).items():
        if target in {c.name for c in spec} and key(header) in by_key:
            chosen.setdefault(target, by_key[key(header)])
    taken = set(chosen.values())
    for column in spec:
        if column.name in chosen:
            continue
        for alias in (column.name, *column.aliases):
            header = by_key.get(key(alias))
            if header is not None and header not in taken:
                chosen[column.name] = header
                taken.add(header)
                break
    ignored = [h for h in headers if h not in taken]
    return chosen, ignored


# --------------------------------------------------------------------------- one file


@dataclass
class FileLoad:
    frame: pd.DataFrame
    rejects: pd.DataFrame
    read: int
    rejected: int
    described: str
    ignored: list[str]
    #: loaded rows with an optional timestamp outside 1900-2200 (read as "no informado")
    out_of_range: int = 0


def load_file(path: Path, tabla: str, columnas: Mapping[str, str] | None, tz: str) -> FileLoad:
    raw = read_file(path)
    return canonical(raw.table, tabla, columnas, tz, path, raw.rows, raw.described, raw.bad_rows)


def canonical(
    table: pa.Table,
    tabla: str,
    columnas: Mapping[str, str] | None,
    tz: str,
    path: Path,
    rows: np.ndarray,
    described: str,
    bad_rows: Sequence[tuple[int, int, int, str]] = (),
) -> FileLoad:
    """Raw Arrow columns of one file -> canonical frame, its rejected rows and counts.

    ``rows`` is the "fila" of every table row; ``bad_rows`` are CSV lines with another number of
    columns than the header, rejected whole. Counts are rows: a row with several problems is
    rejected once (and listed once per problem).
    """
    headers = table.column_names
    chosen, ignored = map_headers(headers, tabla, columnas)
    spec = TABLES[tabla]
    for column in spec:
        if column.required and column.name not in chosen:
            raise DataError(
                f"Al archivo «{path.name}» ({tabla}) le falta la columna obligatoria "
                f"«{column.name}». Encabezados aceptados para esa columna: {_accepted_headers(column)} "
                "(sin importar mayúsculas, acentos ni espacios). Encabezados del archivo: "
                f"{', '.join(f'«{h}»' for h in headers)}. Si la columna tiene otro nombre, indicalo "
                f'en el parámetro columnas, p. ej. columnas: {{"Mi encabezado": {column.name}}}.'
            )
    n = table.num_rows
    out: dict[str, pd.Series] = {}
    problems: list[tuple[np.ndarray, str, pa.ChunkedArray, str]] = []
    optional_outside = np.zeros(n, dtype=bool)
    for column in spec:
        header = chosen.get(column.name)
        if header is None:
            continue
        raw = table.column(header)
        conv = _convert_distinct(raw, column, tz)
        if conv.invalid is not None and conv.invalid.any():
            if column.kind == "code":
                _raise_unknown_code(path, column, header, raw, conv.invalid, rows)
            problems.append((conv.invalid, column.name, raw, conv.reason))
        outside = conv.out_of_range
        if outside is not None and outside.any():
            if column.required:  # never another date: the row is rejected
                problems.append((outside, column.name, raw, cv.OUT_OF_RANGE_REASON))
            else:  # read as "no informado" and counted in the load report
                optional_outside |= outside
        out[column.name] = conv.series
        if conv.linea is not None:
            out["_linea_canal"] = conv.linea
        if column.required:
            missing = conv.series.isna().to_numpy().copy()
            if conv.invalid is not None:
                missing &= ~conv.invalid
            if outside is not None:
                missing &= ~outside
            if missing.any():
                problems.append((missing, column.name, raw, "falta el valor (columna obligatoria)"))
    frame = complete(pd.DataFrame(out, index=pd.RangeIndex(n)), tabla, tz)
    blank = _blank_rows(table, problems)
    if blank.any():  # an empty line is not a row of data: neither read nor rejected
        problems = [(mask & ~blank, *rest) for mask, *rest in problems]
    rejects = _rejects_frame(problems, tabla, path, rows, bad_rows)
    bad = blank.copy()
    for mask, *_ in problems:
        bad |= mask
    frame["_fila"] = rows
    rejected = int((bad & ~blank).sum()) + len(bad_rows)
    kept = frame[~bad] if bad.any() else frame
    read = n - int(blank.sum()) + len(bad_rows)
    outside_loaded = int((optional_outside & ~bad).sum())
    return FileLoad(kept, rejects, read, rejected, described, ignored, outside_loaded)


def _blank_rows(table: pa.Table, problems: list) -> np.ndarray:
    """Rows with no value in any column (checked only among rows already flagged)."""
    blank = np.zeros(table.num_rows, dtype=bool)
    flagged = np.zeros(table.num_rows, dtype=bool)
    for mask, *_ in problems:
        flagged |= mask
    candidates = np.flatnonzero(flagged)
    if not len(candidates):
        return blank
    rows = table.take(pa.array(candidates))
    empty = np.ones(len(candidates), dtype=bool)
    for column in rows.columns:
        empty &= ~cv.as_text(column).is_valid().to_numpy(zero_copy_only=False)
    blank[candidates[empty]] = True
    return blank


def _convert(raw: pa.ChunkedArray, column: Column, tz: str) -> cv.Converted:
    kind = column.kind
    if kind == "timestamp":
        return _fechas.to_timestamp(raw, column, tz)
    converter = {
        "id": cv.to_id,
        "label": cv.to_text,
        "text": cv.to_text,
        "code": cv.to_code,
        "canal": cv.to_canal,
        "bool": cv.to_bool,
        "list": cv.to_list,
    }[kind]
    return converter(raw, column)


#: kinds whose converters work value by value on few distinct values: converted once per value
_BY_DISTINCT = frozenset({"label", "code", "canal", "bool"})


def _convert_distinct(raw: pa.ChunkedArray, column: Column, tz: str) -> cv.Converted:
    """:func:`_convert` of a text column, converting each distinct value once.

    Same result as converting row by row (these converters look at one value at a time);
    label, code and canal columns come out as categories of their converted values (the
    sorted distinct ones, or the fixed codes), which ``_tables``' ``_finish`` keeps.
    """
    text = pa.types.is_string(raw.type) or pa.types.is_large_string(raw.type)
    if column.kind not in _BY_DISTINCT or not text:
        return _convert(raw, column, tz)
    dictionary, indices = _encoded(raw)
    nulls = indices.null_count
    at = pc.fill_null(indices, -1) if nulls else indices
    at = at.to_numpy(zero_copy_only=False)
    null = at < 0 if nulls else None
    distinct = _convert(pa.chunked_array([dictionary], type=raw.type), column, tz)

    def per_row(values: np.ndarray, missing: object) -> np.ndarray:
        if null is None:  # CSV text is never null: no empty rows to fill
            return values[at]
        if not len(values):
            return np.full(len(at), missing)
        return np.where(null, missing, values[np.where(null, 0, at)])

    invalid = None if distinct.invalid is None else per_row(distinct.invalid, False)
    if column.kind == "bool":
        flags = distinct.series.array
        series = pd.Series(pd.arrays.BooleanArray(per_row(flags._data, False), per_row(flags._mask, True)))
        return cv.Converted(series, invalid, distinct.reason)
    values = distinct.series.astype(object).where(distinct.series.notna(), None).tolist()
    cats = list(column.codes) if column.codes is not None else sorted({v for v in values if v is not None})
    dtype = pd.CategoricalDtype(pd.Index(cats, dtype="str"))
    position = pd.Index(cats, dtype="str").get_indexer(pd.Index(values, dtype="str")) if values else []
    small = next(t for t in (np.int8, np.int16, np.int32, np.int64) if len(cats) < np.iinfo(t).max)
    codes = per_row(np.asarray(position, dtype=small), -1)
    series = pd.Series(pd.Categorical.from_codes(codes, dtype=dtype, validate=False))
    linea = None
    if distinct.linea is not None:
        taken = pc.take(cv.arrow_of(distinct.linea), pa.array(at, mask=null))  # null rows stay null
        linea = pd.Series(taken, dtype=cv.STRING)
    return cv.Converted(series, invalid, distinct.reason, linea=linea)


def _encoded(raw: pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """The distinct values of ``raw`` and each row's index into them.

    Arrow encodes a chunked column with one dictionary for every chunk: encoding the chunks
    as read saves joining the text first (333,000 rows of a CSV column, alone: 5 ms instead of
    9 ms; inside a whole load the gain is within the machine's noise). Should the chunks'
    dictionaries ever differ, the joined column is encoded instead.
    """
    encoded = pc.dictionary_encode(raw)
    chunks = encoded.chunks
    if chunks and all(c.dictionary.equals(chunks[0].dictionary) for c in chunks[1:]):
        return chunks[0].dictionary, pa.concat_arrays([c.indices for c in chunks])
    whole = pc.dictionary_encode(raw.combine_chunks())
    return whole.dictionary, whole.indices


def _raise_unknown_code(
    path: Path, column: Column, header: str, raw: pa.ChunkedArray, invalid: np.ndarray, rows: np.ndarray
) -> None:
    idx = np.flatnonzero(invalid)
    values = pd.unique(pd.Series(cv.as_text(raw).take(pa.array(idx)).to_pylist()))
    shown = ", ".join(f"«{v}»" for v in values[:5]) + (" ..." if len(values) > 5 else "")
    accepted = ", ".join(column.codes or ())
    raise DataError(
        f"El archivo «{path.name}» tiene valores desconocidos, desde la fila {rows[idx[0]]}: {shown}, "
        f"en la columna «{column.name}» (encabezado «{header}»). Códigos aceptados: "
        f"{accepted} (también sus nombres en la plataforma, p. ej. «Campaña de flujo», "
        "«Plantilla individual», «Enviado», «Error»). Corregí esos valores en el archivo."
    )


def _rejects_frame(
    problems: list[tuple[np.ndarray, str, pa.ChunkedArray, str]],
    tabla: str,
    path: Path,
    rows: np.ndarray,
    bad_rows: Sequence[tuple[int, int, int, str]] = (),
) -> pd.DataFrame:
    """One line per problem (a row with two problems is listed twice, counted once)."""
    parts = []
    for mask, name, raw, reason in problems:
        idx = np.flatnonzero(mask)
        if not len(idx):
            continue
        values = cv.as_text(raw).take(pa.array(idx)).to_pylist()
        parts.append(pd.DataFrame({"fila": rows[idx], "columna": name, "valor": values, "motivo": reason}))
    if bad_rows:
        parts.append(
            pd.DataFrame(
                {
                    "fila": np.array([b[0] for b in bad_rows], dtype=np.int64),
                    "columna": WHOLE_ROW,
                    "valor": [b[3] for b in bad_rows],
                    "motivo": [f"la fila tiene {_columns(b[1])} y el encabezado {b[2]}" for b in bad_rows],
                }
            )
        )
    if not parts:
        return empty_rejects()
    frame = pd.concat(parts, ignore_index=True).sort_values(["fila", "columna"], kind="stable")
    frame.insert(0, "archivo", str(path))
    frame.insert(0, "tabla", tabla)
    return frame.reset_index(drop=True)


def _columns(n: int) -> str:
    return "1 columna" if n == 1 else f"{n} columnas"


def empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "fila" else cv.STRING) for c in REJECT_COLUMNS})


def _empty_column(column: Column, n: int, tz: str) -> pd.Series:
    if column.kind == "timestamp":
        return pd.Series(pd.NaT, index=range(n), dtype=f"datetime64[ns, {tz}]")
    if column.kind == "bool":
        return pd.Series(pd.NA, index=range(n), dtype="boolean")
    if column.kind == "list":
        return pd.Series(pa.nulls(n, pa.list_(pa.string())), dtype=cv.LIST)
    return pd.Series(pd.NA, index=range(n), dtype=cv.STRING)


def complete(frame: pd.DataFrame, tabla: str, tz: str) -> pd.DataFrame:
    """All canonical columns in contract order; a line split off the canal fills ``linea``."""
    n = len(frame)
    split_line = frame.pop("_linea_canal") if "_linea_canal" in frame else None
    cols = {}
    for column in TABLES[tabla]:
        cols[column.name] = frame[column.name] if column.name in frame else _empty_column(column, n, tz)
    out = pd.DataFrame(cols, index=frame.index)
    if split_line is not None and "linea" in out and split_line.notna().any():
        linea = out["linea"]
        if isinstance(linea.dtype, pd.CategoricalDtype):
            linea = linea.astype(cv.STRING)
        out["linea"] = linea.fillna(split_line)
    return out
