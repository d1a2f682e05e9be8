"""Headers, conversion to the canonical columns, rejections, deduplication and the tables."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import _convert as cv
from .._text import key
from ..errors import DataError
from ..schema import TABLES, Column
from ._config import check_columnas, check_tz
from ._dataset import DEFAULT_TZ, FILE_REPORT_COLUMNS, REJECT_COLUMNS, WHOLE_ROW, Dataset, PathSpec
from ._paths import expand_paths
from ._readers import frame_to_arrow, read_file

if TYPE_CHECKING:
    from ..filters import Filtros

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
class _FileLoad:
    frame: pd.DataFrame
    rejects: pd.DataFrame
    read: int
    rejected: int
    described: str
    ignored: list[str]
    #: loaded rows with an optional timestamp outside 1900-2200 (read as "no informado")
    out_of_range: int = 0


def _load_file(path: Path, tabla: str, columnas: Mapping[str, str] | None, tz: str) -> _FileLoad:
    raw = read_file(path)
    return _canonical(raw.table, tabla, columnas, tz, path, raw.rows, raw.described, raw.bad_rows)


def _canonical(
    table: pa.Table,
    tabla: str,
    columnas: Mapping[str, str] | None,
    tz: str,
    path: Path,
    rows: np.ndarray,
    described: str,
    bad_rows: Sequence[tuple[int, int, int, str]] = (),
) -> _FileLoad:
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
    frame = _complete(pd.DataFrame(out, index=pd.RangeIndex(n)), tabla, tz)
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
    return _FileLoad(kept, rejects, read, rejected, described, ignored, outside_loaded)


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


def frame_from_records(
    tabla: str, records: Sequence[Mapping[str, object]], zona_horaria: str = DEFAULT_TZ
) -> pd.DataFrame:
    """A canonical table from in-memory records, with the loader's rules and dtypes.

    Raises :class:`DataError` when a record would be rejected (for code and tests that
    build data by hand).

    >>> frame_from_records("envios", [{"envio_id": "1", "fecha_envio": "2026-08-01 10:00",
    ...     "campana": "A", "origen": "Plantilla", "canal": "WA", "contacto_id": "54911",
    ...     "estado": "Enviado"}])["estado"].tolist()
    ['exitoso']
    """
    table = frame_to_arrow(pd.DataFrame.from_records(list(records)))
    rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    load = _canonical(table, tabla, None, zona_horaria, Path("<registros>"), rows, "registros")
    if load.rejected:
        first = load.rejects.iloc[0]
        raise DataError(f"registro {first['fila']}, {first['columna']}: {first['motivo']}")
    frame = load.frame.drop(columns=["_fila"]).reset_index(drop=True)
    return _finish(frame, tabla)


def _convert(raw: pa.ChunkedArray, column: Column, tz: str) -> cv.Converted:
    kind = column.kind
    if kind == "timestamp":
        return cv.to_timestamp(raw, column, tz)
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
#: kinds kept as categories (:func:`_finish`)
_CATEGORY_KINDS = ("label", "canal", "code")


def _convert_distinct(raw: pa.ChunkedArray, column: Column, tz: str) -> cv.Converted:
    """:func:`_convert` of a text column, converting each distinct value once.

    Same result as converting row by row (these converters look at one value at a time);
    label, code and canal columns come out as categories of their converted values (the
    sorted distinct ones, or the fixed codes), which :func:`_finish` keeps.
    """
    text = pa.types.is_string(raw.type) or pa.types.is_large_string(raw.type)
    if column.kind not in _BY_DISTINCT or not text:
        return _convert(raw, column, tz)
    encoded = pc.dictionary_encode(raw.combine_chunks())
    nulls = encoded.indices.null_count
    at = pc.fill_null(encoded.indices, -1) if nulls else encoded.indices
    at = at.to_numpy(zero_copy_only=False)
    null = at < 0 if nulls else None
    distinct = _convert(pa.chunked_array([encoded.dictionary], type=raw.type), column, tz)

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


def _used_categories(series: pd.Series) -> pd.Series:
    """A category column without the categories no row has (they stay sorted)."""
    codes = series.cat.codes.to_numpy()
    cats = series.cat.categories
    used = np.bincount(codes[codes >= 0], minlength=len(cats)) > 0
    if used.all():
        return series
    remap = np.cumsum(used) - 1
    kept = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    dtype = pd.CategoricalDtype(pd.Index(cats[used], dtype="str"))
    return pd.Series(pd.Categorical.from_codes(kept, dtype=dtype), index=series.index)


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
        return _empty_rejects()
    frame = pd.concat(parts, ignore_index=True).sort_values(["fila", "columna"], kind="stable")
    frame.insert(0, "archivo", str(path))
    frame.insert(0, "tabla", tabla)
    return frame.reset_index(drop=True)


def _columns(n: int) -> str:
    return "1 columna" if n == 1 else f"{n} columnas"


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "fila" else cv.STRING) for c in REJECT_COLUMNS})


def _empty_column(column: Column, n: int, tz: str) -> pd.Series:
    if column.kind == "timestamp":
        return pd.Series(pd.NaT, index=range(n), dtype=f"datetime64[ns, {tz}]")
    if column.kind == "bool":
        return pd.Series(pd.NA, index=range(n), dtype="boolean")
    if column.kind == "list":
        return pd.Series(pa.nulls(n, pa.list_(pa.string())), dtype=cv.LIST)
    return pd.Series(pd.NA, index=range(n), dtype=cv.STRING)


def _complete(frame: pd.DataFrame, tabla: str, tz: str) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- tables


def _category(series: pd.Series, categories: Sequence[str] | None = None) -> pd.Series:
    """Arrow strings -> category, through Arrow's dictionary encoding (fast on millions of rows).

    Categories are the fixed codes when given, else the sorted distinct values.
    """
    encoded = pc.dictionary_encode(cv.arrow_of(series).combine_chunks())
    found = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    cats = list(categories) if categories is not None else sorted(found.tolist())
    position = pd.Index(cats).get_indexer(found) if len(found) else np.zeros(0, dtype=np.int64)
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    codes = np.where(indices >= 0, position[np.maximum(indices, 0)] if len(found) else -1, -1)
    dtype = pd.CategoricalDtype(pd.Index(cats, dtype="str"))
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=series.index)


def _finish(frame: pd.DataFrame, tabla: str) -> pd.DataFrame:
    """Category dtypes for names and codes; flags implied by their timestamps."""
    for column in TABLES[tabla]:
        if column.kind not in _CATEGORY_KINDS:
            continue
        series = frame[column.name]
        if not isinstance(series.dtype, pd.CategoricalDtype):  # else made by _convert_distinct
            frame[column.name] = _category(series, column.codes)
        elif column.codes is None:  # sorted distinct values of the rows kept
            frame[column.name] = _used_categories(series)
    if tabla == "envios":
        for flag, stamp in (
            ("leido", "fecha_lectura"),
            ("respondido", "fecha_respuesta"),
            ("asignada", "fecha_asignacion"),
        ):
            frame[flag] = frame[flag].mask(frame[stamp].notna(), True)
    return frame


def _concat_finished(frames: list[pd.DataFrame], tabla: str) -> pd.DataFrame:
    """Finished frames of several files as one; a category of sorted distinct values gets their union.

    Same result as finishing the concatenation (:func:`_finish` works row by row, and the
    sorted union of each file's distinct values is the sorted distinct values of all).
    """
    if len(frames) > 1:
        for column in TABLES[tabla]:
            if column.kind not in _CATEGORY_KINDS:
                continue
            dtypes = [f[column.name].dtype for f in frames]
            if all(d == dtypes[0] for d in dtypes[1:]):
                continue
            cats = sorted(set().union(*(d.categories.tolist() for d in dtypes)))
            dtype = pd.CategoricalDtype(pd.Index(cats, dtype="str"))
            for f in frames:
                f[column.name] = f[column.name].astype(dtype)
    return pd.concat(frames, ignore_index=True)


def _id_codes(ids: pd.Series) -> tuple[np.ndarray, int]:
    """A code per id (equal codes for equal texts) and the number of distinct ids.

    Ids written as plain integers (digits, no leading zero, up to 18 of them: a platform's
    usual ids) are coded by their value, several times faster than hashing the texts.
    """
    arr = cv.arrow_of(ids)
    if len(arr) and not arr.null_count and pc.all(pc.ascii_is_decimal(arr)).as_py():
        length = pc.utf8_length(arr)
        leading_zero = pc.and_(pc.starts_with(arr, "0"), pc.greater(length, 1))
        if pc.max(length).as_py() <= 18 and not pc.any(leading_zero).as_py():
            codes, uniques = pd.factorize(pc.cast(arr, pa.int64()).to_numpy())
            return codes, len(uniques)
    codes, uniques = pd.factorize(ids)
    return codes, len(uniques)


def _dedup(frame: pd.DataFrame, files: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop repeated ``envio_id``: the row read last is kept, the others are listed.

    A dropped row identical to the kept one is a ``duplicada``; one that differs is a
    ``reemplazada`` (a later download updated it, e.g. pendiente -> exitoso).
    """
    codes, n_ids = _id_codes(frame["envio_id"])
    if n_ids == len(frame):  # the common case: nothing repeated
        return frame, _empty_rejects().assign(_duplicada=pd.Series(dtype=bool), _archivo=pd.Series(dtype=int))
    repeated = np.flatnonzero(np.bincount(codes)[codes] > 1)
    # within the repeated rows, the last occurrence of each id is kept
    rev = repeated[::-1]
    _, last_pos = np.unique(codes[rev], return_index=True)
    superseded = np.zeros(len(frame), dtype=bool)
    superseded[repeated] = True
    superseded[rev[last_pos]] = False
    involved = frame.iloc[repeated]
    data_cols = [c for c in frame.columns if not c.startswith("_")]
    tags = cv.arrow_of(involved["etiquetas"])
    hashable = involved[data_cols].assign(
        etiquetas=pd.Series(pc.binary_join(tags, "|"), index=involved.index, dtype=cv.STRING)
    )
    row_hash = np.zeros(len(frame), dtype=np.uint64)
    row_hash[repeated] = pd.util.hash_pandas_object(hashable, index=False).to_numpy()
    kept_rows = rev[last_pos]
    kept = (
        frame.iloc[kept_rows][["envio_id", "_fila", "_archivo"]]
        .assign(_hash=row_hash[kept_rows])
        .set_index("envio_id")
    )
    dropped = frame.loc[superseded, ["envio_id", "_fila", "_archivo"]]
    target = kept.reindex(dropped["envio_id"])
    same = target["_hash"].to_numpy() == row_hash[superseded]
    where = [f"la fila {f} de {files[a]}" for f, a in zip(target["_fila"], target["_archivo"], strict=True)]
    motivo = [
        f"duplicado exacto de {w}"
        if s
        else f"envio_id repetido con otros datos: se conserva {w} (leída después)"
        for s, w in zip(same, where, strict=True)
    ]
    listed = pd.DataFrame(
        {
            "tabla": "envios",
            "archivo": [files[a] for a in dropped["_archivo"]],
            "fila": dropped["_fila"].to_numpy(),
            "columna": "envio_id",
            "valor": dropped["envio_id"].to_numpy(dtype=object),
            "motivo": motivo,
            "_duplicada": same,
            "_archivo": dropped["_archivo"].to_numpy(),
        }
    )
    return frame[~superseded], listed


def _load_table(
    tabla: str, files: list[Path], columnas: Mapping[str, str] | None, tz: str, keep_source: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Load, convert and deduplicate the files of one table.

    ``keep_source`` keeps the columns ``_archivo`` (position of the file in ``files``) and
    ``_fila`` (the row's "fila") for the Parquet store's own deduplication.
    """
    names = [str(p) for p in files]

    def one(i: int) -> _FileLoad:
        load = _load_file(files[i], tabla, columnas, tz)
        # categories first (per file, merged below): filtering them is cheaper than filtering strings
        load.frame = _finish(load.frame, tabla)
        load.frame["_archivo"] = i
        return load

    # files are independent and Arrow releases the GIL: read and convert them in parallel
    with ThreadPoolExecutor(max_workers=max(1, min(len(files), os.cpu_count() or 1))) as pool:
        loads = list(pool.map(one, range(len(files))))
    if loads:
        frame = _concat_finished([load.frame for load in loads], tabla)
    else:
        frame = _complete(pd.DataFrame(), tabla, tz)
        frame["_fila"] = pd.Series(dtype="int64")
        frame["_archivo"] = pd.Series(dtype="int64")
        frame = _finish(frame, tabla)
    dup_list = _empty_rejects().assign(_duplicada=pd.Series(dtype=bool), _archivo=pd.Series(dtype=int))
    if tabla == "envios":
        frame, dup_list = _dedup(frame, names)
    report = []
    for i, (path, load) in enumerate(zip(files, loads, strict=True)):
        mine = dup_list[dup_list["_archivo"] == i]
        dups = int(mine["_duplicada"].sum())
        repl = len(mine) - dups
        report.append(
            {
                "tabla": tabla,
                "archivo": str(path),
                "formato": load.described,
                "leidas": load.read,
                "cargadas": load.read - load.rejected - dups - repl,
                "rechazadas": load.rejected,
                "duplicadas": dups,
                "reemplazadas": repl,
                "fechas_fuera_de_rango": load.out_of_range,
                "columnas_ignoradas": ", ".join(load.ignored),
            }
        )
    rejects = pd.concat(
        [load.rejects for load in loads] + [dup_list[REJECT_COLUMNS]], ignore_index=True
    ).astype({"fila": "int64"})
    if not keep_source:
        frame = frame.drop(columns=["_fila", "_archivo"])
    frame = frame.reset_index(drop=True)
    return frame, pd.DataFrame(report, columns=FILE_REPORT_COLUMNS), rejects


def load_data(
    envios: PathSpec,
    eventos: PathSpec | None = None,
    *,
    columnas: Mapping[str, str] | None = None,
    zona_horaria: str = DEFAULT_TZ,
    base: str | Path | None = None,
    require_envios: bool = True,
    filtros: Filtros | None = None,
    cargar_eventos: bool = True,
) -> Dataset:
    """Load ``envios`` (required) and ``eventos`` (optional) into a :class:`Dataset`.

    ``columnas`` maps extra file headers to canonical names; ``base`` is the folder
    relative paths are taken from. ``require_envios=False`` lets ``validate`` check
    eventos files alone.

    ``envios`` may be a Parquet store made by ``outbound-analysis importar`` (a folder with
    ``almacen.json``): it is read with :func:`leer_almacen`, only the months ``filtros``
    need, and its eventos are used unless ``eventos`` names other files (``cargar_eventos``
    False: no eventos at all). ``filtros`` does nothing for plain files.
    """
    check_columnas(columnas)
    check_tz(zona_horaria)
    base_path = Path(base) if base is not None else None
    from ._store import almacen_de  # the store module builds on this one

    store = almacen_de(envios, base_path)
    if store is not None:
        return _load_store(store, eventos, columnas, zona_horaria, base_path, filtros, cargar_eventos)
    env_files = expand_paths(envios, "envios", base_path)
    if not env_files and require_envios:
        raise DataError("No indicaste ningún archivo de envíos (parámetro envios).")
    ev_files = expand_paths(eventos, "eventos", base_path)
    return _load_files(env_files, ev_files, columnas, zona_horaria)


def _load_files(
    env_files: list[Path], ev_files: list[Path], columnas: Mapping[str, str] | None, tz: str
) -> Dataset:
    env, env_report, env_rejects = _load_table("envios", env_files, columnas, tz)
    ev, ev_report, ev_rejects = _load_table("eventos", ev_files, columnas, tz)
    return Dataset(
        envios=env,
        eventos=ev,
        archivos=pd.concat([env_report, ev_report], ignore_index=True),
        rechazos=pd.concat([env_rejects, ev_rejects], ignore_index=True),
        zona_horaria=tz,
    )


def _load_store(
    store: Path,
    eventos: PathSpec | None,
    columnas: Mapping[str, str] | None,
    tz: str,
    base: Path | None,
    filtros: Filtros | None,
    cargar_eventos: bool,
) -> Dataset:
    """A store's envios, with its eventos, another store's or event files (see :func:`load_data`)."""
    from ._store import almacen_de, leer_almacen

    has_files = bool(eventos) and not (isinstance(eventos, str) and not eventos.strip())
    ev_store = almacen_de(eventos, base) if has_files and cargar_eventos else None
    own_events = cargar_eventos and not has_files
    datos = leer_almacen(store, filtros=filtros, zona_horaria=tz, eventos=own_events)
    if ev_store is not None:
        other = leer_almacen(ev_store, filtros=filtros, zona_horaria=tz)
        return _with_events(datos, other.eventos, other.archivos, other.rechazos)
    if has_files and cargar_eventos:
        ev_files = expand_paths(eventos, "eventos", base)
        ev, ev_report, ev_rejects = _load_table("eventos", ev_files, columnas, tz)
        return _with_events(datos, ev, ev_report, ev_rejects)
    return datos


def _with_events(
    datos: Dataset, eventos: pd.DataFrame, archivos: pd.DataFrame, rechazos: pd.DataFrame
) -> Dataset:
    env_report = datos.archivos[datos.archivos["tabla"] == "envios"]
    env_rejects = datos.rechazos[datos.rechazos["tabla"] == "envios"]
    return Dataset(
        envios=datos.envios,
        eventos=eventos,
        archivos=pd.concat([env_report, archivos[archivos["tabla"] == "eventos"]], ignore_index=True),
        rechazos=pd.concat([env_rejects, rechazos[rechazos["tabla"] == "eventos"]], ignore_index=True),
        zona_horaria=datos.zona_horaria,
    )


def load_for_import(
    envios: PathSpec,
    eventos: PathSpec | None,
    *,
    columnas: Mapping[str, str] | None = None,
    zona_horaria: str = DEFAULT_TZ,
    base: str | Path | None = None,
) -> Dataset:
    """Like :func:`load_data` on files, both tables keeping ``_archivo`` and ``_fila`` (for the store)."""
    check_columnas(columnas)
    check_tz(zona_horaria)
    base_path = Path(base) if base is not None else None
    env_files = expand_paths(envios, "envios", base_path)
    if not env_files:
        raise DataError("No indicaste ningún archivo de envíos (--envios).")
    ev_files = expand_paths(eventos, "eventos", base_path)
    env, env_report, env_rejects = _load_table("envios", env_files, columnas, zona_horaria, keep_source=True)
    ev, ev_report, ev_rejects = _load_table("eventos", ev_files, columnas, zona_horaria, keep_source=True)
    return Dataset(
        envios=env,
        eventos=ev,
        archivos=pd.concat([env_report, ev_report], ignore_index=True),
        rechazos=pd.concat([env_rejects, ev_rejects], ignore_index=True),
        zona_horaria=zona_horaria,
    )


def as_category(series: pd.Series, categories: Sequence[str] | None = None) -> pd.Series:
    """Arrow strings -> category with the loader's rule (fixed codes, else sorted distinct values)."""
    return _category(series, categories)


def load_table(
    tabla: str,
    paths: PathSpec,
    *,
    columnas: Mapping[str, str] | None = None,
    zona_horaria: str = DEFAULT_TZ,
) -> pd.DataFrame:
    """One table ("envios" or "eventos") as a canonical DataFrame (rejections dropped)."""
    check_columnas(columnas)
    files = expand_paths(paths, tabla)
    frame, _, _ = _load_table(tabla, files, columnas, zona_horaria)
    return frame
