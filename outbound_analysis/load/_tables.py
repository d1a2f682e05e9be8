"""The tables: the files of each table concatenated, categories, deduplication, the Dataset.

One file's rows become canonical columns in :mod:`._archivo`; a Parquet store is read by
:mod:`._store`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import _convert as cv
from ..errors import DataError
from ..schema import TABLES
from ._archivo import FileLoad, canonical, complete, empty_rejects, load_file
from ._config import check_columnas, check_tz
from ._dataset import DEFAULT_TZ, FILE_REPORT_COLUMNS, REJECT_COLUMNS, Dataset, PathSpec
from ._paths import expand_paths
from ._readers import frame_to_arrow

if TYPE_CHECKING:
    from ..filters import Filtros

# --------------------------------------------------------------------------- tables


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
    load = canonical(table, tabla, None, zona_horaria, Path("<registros>"), rows, "registros")
    if load.rejected:
        first = load.rejects.iloc[0]
        raise DataError(f"registro {first['fila']}, {first['columna']}: {first['motivo']}")
    frame = load.frame.drop(columns=["_fila"]).reset_index(drop=True)
    return _finish(frame, tabla)


#: kinds kept as categories (:func:`_finish`)
_CATEGORY_KINDS = ("label", "canal", "code")


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


def _unificar(frames: list[pd.DataFrame], tabla: str) -> None:
    """Give each category column of ``frames`` (finished frames of several files) the sorted
    union of their categories, in place: joined, they are what finishing the join gives
    (:func:`_finish` works row by row, and the sorted union of each file's distinct values is the
    sorted distinct values of all)."""
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


def _dedup(
    frames: list[pd.DataFrame], files: list[str], enteros: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """Drop repeated ``envio_id`` over the files' frames (in file order, categories already
    unified): the row read last is kept, the others are listed.

    A dropped row equal to the kept one in every column is a ``duplicada``; one that differs
    is a ``reemplazada`` (a later download updated it, e.g. pendiente -> exitoso). ``enteros``
    is :func:`~outbound_analysis._convert.enteros_de_ids` of each frame's ids, computed with
    the file (in parallel). Each file's rows are filtered on their own, two files at a time
    (Arrow and NumPy release the GIL), before they are joined: one copy of the kept rows
    instead of a join and then a filter.
    """
    plain = (np.concatenate([e[0] for e in enteros]), np.concatenate([e[1] for e in enteros]))
    ids = None if plain[0].all() else pd.concat([f["envio_id"] for f in frames], ignore_index=True)
    codes, first = cv.codigos_de_ids(ids, plain)
    if len(first) == len(codes):  # the common case: nothing repeated
        return frames, _sin_repetidos()
    repeated = np.flatnonzero(np.bincount(codes)[codes] > 1)
    # within the repeated rows, the last occurrence of each id is kept
    rev = repeated[::-1]
    _, last_pos = np.unique(codes[rev], return_index=True)
    kept_rows = rev[last_pos]
    superseded = np.zeros(len(codes), dtype=bool)
    superseded[repeated] = True
    superseded[kept_rows] = False
    dropped = np.flatnonzero(superseded)
    last_of = np.zeros(len(first), dtype=np.int64)
    last_of[codes[kept_rows]] = kept_rows
    target = last_of[codes[dropped]]
    starts = np.cumsum([0, *(len(f) for f in frames)])
    per_file = [repeated[(repeated >= a) & (repeated < b)] - a for a, b in itertools.pairwise(starts)]
    involved = pd.concat([f.iloc[r] for f, r in zip(frames, per_file, strict=True)], ignore_index=True)
    mine, theirs = (involved.iloc[np.searchsorted(repeated, rows)] for rows in (dropped, target))
    same = _iguales(mine, theirs)
    # Python ints, not NumPy scalars: formatted in 60 % of the time (43,000 rows of the 1M demo)
    filas, archivos = theirs["_fila"].tolist(), theirs["_archivo"].tolist()
    where = [f"la fila {f} de {files[a]}" for f, a in zip(filas, archivos, strict=True)]
    motivo = [
        f"duplicado exacto de {w}"
        if s
        else f"envio_id repetido con otros datos: se conserva {w} (leída después)"
        for s, w in zip(same, where, strict=True)
    ]
    listed = pd.DataFrame(
        {
            "tabla": "envios",
            "archivo": [files[a] for a in mine["_archivo"].tolist()],
            "fila": mine["_fila"].to_numpy(),
            "columna": "envio_id",
            "valor": mine["envio_id"].to_numpy(dtype=object),
            "motivo": motivo,
            "_duplicada": same,
            "_archivo": mine["_archivo"].to_numpy(),
        }
    )
    keep = [~superseded[a:b] for a, b in itertools.pairwise(starts)]
    with ThreadPoolExecutor(max_workers=min(2, len(frames))) as pool:
        filtered = list(pool.map(_filas, frames, keep))
    return filtered, listed


def _iguales(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Whether row i of ``a`` equals row i of ``b`` in every data column (missing equals
    missing; ``_`` columns are bookkeeping). Category columns share their dtype (unified).

    >>> x = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"), "_fila": [1, 2, 3]})
    >>> _iguales(x, pd.DataFrame({"n": pd.array([1, None, 4], dtype="Int64"), "_fila": [7, 8, 9]}))
    array([ True,  True, False])
    """
    same = np.ones(len(a), dtype=bool)
    for name in a.columns:
        if name.startswith("_"):
            continue
        x, y = a[name].reset_index(drop=True), b[name].reset_index(drop=True)
        if isinstance(x.dtype, pd.ArrowDtype) and pa.types.is_list(x.dtype.pyarrow_dtype):
            # lists (etiquetas): compared as Python lists, exactly (few rows repeat)
            same &= np.fromiter(
                (p == q for p, q in zip(*(cv.arrow_of(v).to_pylist() for v in (x, y)), strict=True)),
                dtype=bool,
                count=len(x),
            )
            continue
        equal = x.eq(y).to_numpy(dtype=bool, na_value=False)
        same &= equal | (x.isna().to_numpy() & y.isna().to_numpy())
    return same


def _sin_repetidos() -> pd.DataFrame:
    """The list of dropped repeated rows when there is none."""
    return empty_rejects().assign(_duplicada=pd.Series(dtype=bool), _archivo=pd.Series(dtype=int))


def _filas(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    return frame if keep.all() else frame[keep]


def _tamano(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # reading it says what is wrong
        return 0


def _load_table(
    tabla: str, files: list[Path], columnas: Mapping[str, str] | None, tz: str, keep_source: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Load, convert and deduplicate the files of one table.

    ``keep_source`` keeps the columns ``_archivo`` (position of the file in ``files``) and
    ``_fila`` (the row's "fila") for the Parquet store's own deduplication.
    """
    names = [str(p) for p in files]
    enteros: list[tuple[np.ndarray, np.ndarray]] = [(np.zeros(0, bool), np.zeros(0, np.int64))] * len(files)

    def one(i: int) -> FileLoad:
        load = load_file(files[i], tabla, columnas, tz)
        # categories first (per file, merged below): filtering them is cheaper than filtering strings
        load.frame = _finish(load.frame, tabla)
        load.frame["_archivo"] = i
        if tabla == "envios":  # what deduplicating needs of the ids, while the other file reads
            enteros[i] = cv.enteros_de_ids(load.frame["envio_id"])
        return load

    # files are independent and Arrow releases the GIL: read and convert them in parallel
    # the largest first: the last file to finish is a small one (CSVs, JSON: bytes ~ rows)
    order = sorted(range(len(files)), key=lambda i: -_tamano(files[i]))
    with ThreadPoolExecutor(max_workers=max(1, min(len(files), os.cpu_count() or 1))) as pool:
        started = {i: pool.submit(one, i) for i in order}
        loads = [started[i].result() for i in range(len(files))]  # a bad file: the first one's error
    dup_list = _sin_repetidos()
    if loads:
        frames = [load.frame for load in loads]
        _unificar(frames, tabla)
        if tabla == "envios":
            frames, dup_list = _dedup(frames, names, enteros)
        frame = pd.concat(frames, ignore_index=True)
    else:
        frame = complete(pd.DataFrame(), tabla, tz)
        frame["_fila"] = pd.Series(dtype="int64")
        frame["_archivo"] = pd.Series(dtype="int64")
        frame = _finish(frame, tabla)
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
    frame = cv.en_un_bloque(frame.reset_index(drop=True))
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
