"""What an import changes in the stored months: new rows merged with the stored ones.

A stored send whose envio_id comes again is replaced (counted as ``duplicada`` or
``reemplazada`` and listed); an event identical to a stored one of the same conversation
is dropped the same way. A conversation's events live in every month it has a send in
(``sin_envio`` without sends), so the events of a conversation whose months change move
with it. :mod:`._importar` writes what this module works out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import _convert as cv
from ..schema import TABLES
from ._dataset import REJECT_COLUMNS, WHOLE_ROW, Dataset, PathSpec
from ._store import SIN_ENVIO, read_files, to_frame


@dataclass(frozen=True)
class Importacion:
    """One import under way: the store, its manifest, what was asked and the version folders."""

    root: Path
    manifest: dict
    datos: Dataset
    envios: PathSpec
    eventos: PathSpec | None
    columnas: Mapping
    #: the load report of this import's files (its counts are corrected as rows turn out repeated)
    report: pd.DataFrame
    tz: str
    numero: int
    old_dir: Path | None
    version: str
    new_dir: Path
    #: the name of the Parquet file this import writes in each partition it rewrites
    part: str


@dataclass(frozen=True)
class MergedEnvios:
    """The sends after an import: the new rows, the stored ones they replace, the months to rewrite."""

    #: the new sends, with ``orden`` and ``importacion`` (without ``_archivo`` and ``_fila``)
    new: pd.DataFrame
    new_ids: pa.Array
    #: the month of each new send
    new_mes: np.ndarray
    #: envio_id, conversacion_id and month of the stored sends the new ones replace
    hits: pa.Table
    #: the months whose partition is rewritten
    touched: list[str]
    #: every send of those months after the import, and the month of each
    state: pd.DataFrame
    state_mes: np.ndarray
    #: the rejects listing the stored sends the new ones replace
    rejects: pd.DataFrame


@dataclass(frozen=True)
class MergedEventos:
    """The events after an import: where the conversations go and the months to rewrite."""

    #: the months each conversation has a send in, after the import
    after: dict[str, set[str]]
    #: the months whose partition is rewritten
    touched: list[str]
    #: the stored events that stay in their month (column ``_mes``), None when none was read
    staying: pd.DataFrame | None
    #: the events placed again: those of the conversations that move, then the new ones
    moving: pd.DataFrame
    #: the rejects listing the new events identical to stored ones
    rejects: pd.DataFrame
    #: the store's events after the import
    total: int


def merge_envios(imp: Importacion) -> MergedEnvios:
    """The new sends, the stored sends they replace (counted and listed) and the months to rewrite."""
    manifest = imp.manifest
    new = imp.datos.envios
    sources = new[["_archivo", "_fila"]].to_numpy()
    new = new.drop(columns=["_archivo", "_fila"])
    new["orden"] = np.arange(len(new), dtype=np.int64) + manifest["siguiente_orden"]["envios"]
    new["importacion"] = np.int64(imp.numero)
    new_mes = _months(new["fecha_envio"], imp.tz)
    env_parts = manifest["meses"]["envios"]
    new_ids = pa.array(new["envio_id"].astype(object).tolist(), type=pa.string())
    hits = _stored_rows(imp.old_dir, env_parts, "envio_id", new_ids)  # the stored sends the new ones replace
    replaced_mes = pc.unique(hits.column("mes")).to_pylist()
    touched = sorted(set(new_mes) | set(replaced_mes))
    stored_touched = [
        _read_part(imp.old_dir, env_parts, m, "envios", imp.tz) for m in touched if m in env_parts
    ]
    stored = pd.concat(stored_touched, ignore_index=True) if stored_touched else None
    report = imp.report
    env_files = report.index[report["tabla"] == "envios"].to_list()
    dup_rejects = pd.DataFrame(columns=REJECT_COLUMNS)
    if stored is not None:
        hit = _isin(stored["envio_id"], new["envio_id"])
        if hit.any():
            dup_rejects = _cross_duplicates(stored[hit], new, sources, report, env_files, "envios")
        stored = stored[~hit]
    state = pd.concat([stored, new], ignore_index=True) if stored is not None else new
    state_mes = _months(state["fecha_envio"], imp.tz)
    return MergedEnvios(new, new_ids, new_mes, hits, touched, state, state_mes, dup_rejects)


def homes(table: Mapping[str, set[str]], conv: str) -> set[str]:
    """The months a conversation's events are stored in: those of its sends, else ``sin_envio``."""
    return table.get(conv) or {SIN_ENVIO}


def _conversations_to_move(
    imp: Importacion, env: MergedEnvios, ev_new: pd.DataFrame
) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """Each conversation's months before and after the import, and the conversations whose events move."""
    candidates = set(ev_new["conversacion_id"].astype(object)) | {
        c for c in env.new["conversacion_id"].dropna().astype(object)
    }
    candidates |= {c for c in env.hits.column("conversacion_id").to_pylist() if c}
    # the stored sends of the candidate conversations only, month by month (memory: one month at a time)
    env_parts = imp.manifest["meses"]["envios"]
    sub = _stored_rows(
        imp.old_dir, env_parts, "conversacion_id", pa.array(list(candidates), type=pa.string())
    )
    sub_replaced = pc.is_in(sub.column("envio_id"), value_set=env.new_ids)
    before = _conv_months(sub.column("conversacion_id"), sub.column("mes"))
    kept = sub.filter(pc.invert(sub_replaced))
    after = _conv_months(kept.column("conversacion_id"), kept.column("mes"))
    for conv, mes in zip(env.new["conversacion_id"].astype(object), env.new_mes, strict=True):
        if conv is not None and conv is not pd.NA:
            after.setdefault(conv, set()).add(mes)
    affected = {c for c in candidates if before.get(c, set()) != after.get(c, set())}
    affected |= set(ev_new["conversacion_id"].astype(object))
    return before, after, affected


def merge_eventos(imp: Importacion, env: MergedEnvios) -> MergedEventos:
    """The events that move or are new (repeated ones dropped and listed) and the months to rewrite."""
    manifest = imp.manifest
    ev_new = imp.datos.eventos.copy()
    ev_new["_archivo"] = ev_new["_archivo"].astype(np.int64)
    ev_new["orden"] = np.arange(len(ev_new), dtype=np.int64) + manifest["siguiente_orden"]["eventos"]
    ev_new["importacion"] = np.int64(imp.numero)
    before, after, affected = _conversations_to_move(imp, env, ev_new)
    ev_parts = manifest["meses"]["eventos"]
    touched_ev = set()
    for conv in affected:
        touched_ev |= homes(before, conv) | homes(after, conv)
    touched = sorted(touched_ev)
    stored_ev = [
        _read_part(imp.old_dir, ev_parts, m, "eventos", imp.tz).assign(_mes=m)
        for m in touched
        if m in ev_parts
    ]
    ev_stored = pd.concat(stored_ev, ignore_index=True) if stored_ev else None
    ev_rejects = pd.DataFrame(columns=REJECT_COLUMNS)
    if ev_stored is not None:
        moving_mask = _isin(ev_stored["conversacion_id"], list(affected))
        staying = ev_stored[~moving_mask]
        pool = ev_stored[moving_mask].drop(columns="_mes").drop_duplicates("orden")
        ev_new, ev_rejects = _drop_repeated_events(pool, ev_new, imp.report)
    else:
        staying = None
        pool = None
    ev_new = ev_new.drop(columns=["_archivo", "_fila"])
    moving = pd.concat([pool, ev_new], ignore_index=True) if pool is not None else ev_new
    # every stored event stays (it moves with its conversation): the new ones add up
    total = (manifest["importaciones"][-1]["filas"]["eventos_total"] if imp.numero > 1 else 0) + len(ev_new)
    return MergedEventos(after, touched, staying, moving, ev_rejects, total)


def _months(fecha: pd.Series, tz: str) -> np.ndarray:
    """``AAAA-MM`` of each timestamp's local month in ``tz``."""
    local = fecha.dt.tz_convert(tz)
    code = (local.dt.year * 100 + local.dt.month).to_numpy(dtype=np.int64)
    uniq, inv = np.unique(code, return_inverse=True)
    labels = np.array([f"{c // 100:04d}-{c % 100:02d}" for c in uniq], dtype=object)
    return labels[inv] if len(code) else np.array([], dtype=object)


def _row_hash(frame: pd.DataFrame, tabla: str) -> np.ndarray:
    """A hash of each row's canonical values (orden and importacion left out)."""
    cols = [c.name for c in TABLES[tabla]]
    data = frame[cols]
    if "etiquetas" in data:
        tags = cv.arrow_of(data["etiquetas"])
        data = data.assign(
            etiquetas=pd.Series(pc.binary_join(tags, "\x1f"), index=data.index, dtype=cv.STRING)
        )
    data = data.astype({c: cv.STRING for c in cols if isinstance(data[c].dtype, pd.CategoricalDtype)})
    return pd.util.hash_pandas_object(data, index=False).to_numpy()


def _stored_rows(
    version: Path | None, parts: Mapping[str, Mapping], column: str, values: pa.Array
) -> pa.Table:
    """envio_id, conversacion_id and month of the stored sends whose ``column`` is in ``values``.

    One semi-join by DuckDB over every month's file: two columns read, streamed, one hash of
    ``values`` (a store of tens of millions of sends is never held, nor hashed, whole).
    """
    names = ("envio_id", "conversacion_id", "mes")
    if not parts or not len(values):
        return pa.schema([(n, pa.string()) for n in names]).empty_table()
    import duckdb

    files = [str(version / info["archivo"]) for info in parts.values()]  # type: ignore[operator]
    con = duckdb.connect(config={"threads": os.cpu_count() or 1})
    try:
        con.register("archivos", pa.table({"archivo": files, "mes": list(parts)}))
        con.register("valores", pa.table({"v": values}))
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        return con.sql(
            "SELECT p.envio_id, p.conversacion_id, a.mes "
            f"FROM read_parquet([{listed}], filename = true) AS p "
            f"JOIN archivos AS a ON p.filename = a.archivo WHERE p.{column} IN (SELECT v FROM valores)"
        ).to_arrow_table()
    finally:
        con.close()


def _read_part(
    version: Path | None, parts: Mapping[str, Mapping], mes: str, tabla: str, tz: str
) -> pd.DataFrame:
    return to_frame(read_files([version / parts[mes]["archivo"]]), tabla, tz)  # type: ignore[operator]


def _isin(values: pd.Series, among: pd.Series | list[str]) -> np.ndarray:
    """``values.isin(among)`` for strings, in Arrow (pandas' goes through Python lists)."""
    found = pc.is_in(pa.array(values, type=pa.string()), value_set=pa.array(among, type=pa.string()))
    return found.to_numpy(zero_copy_only=False)


def _conv_months(convs: pa.ChunkedArray, months: pa.ChunkedArray) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for conv, mes in zip(convs.to_pylist(), months.to_pylist(), strict=True):
        if conv:
            out.setdefault(conv, set()).add(mes)
    return out


def _cross_duplicates(
    old: pd.DataFrame,
    new: pd.DataFrame,
    sources: np.ndarray,
    report: pd.DataFrame,
    env_files: list[int],
    tabla: str,
) -> pd.DataFrame:
    """Count and list the new rows whose envio_id was already stored (the new row wins)."""
    old = old.set_index("envio_id")
    pos = pd.Index(new["envio_id"]).get_indexer(old.index)
    new_rows = new.iloc[pos]
    same = _row_hash(old.reset_index(), tabla) == _row_hash(new_rows, tabla)
    file_pos = sources[pos, 0].astype(np.int64)
    filas = sources[pos, 1].astype(np.int64)
    for i, is_same in zip(file_pos, same, strict=True):
        row = env_files[i]
        report.loc[row, "duplicadas" if is_same else "reemplazadas"] += 1
        report.loc[row, "cargadas"] -= 1
    imp = old["importacion"].to_numpy()
    motivo = [
        f"duplicado exacto de un envío ya guardado en el almacén (importación {k}): queda uno solo"
        if s
        else f"envio_id ya guardado en el almacén (importación {k}) con otros datos: se conserva esta fila "
        "(leída después)"
        for s, k in zip(same, imp, strict=True)
    ]
    return pd.DataFrame(
        {
            "tabla": tabla,
            "archivo": [str(report.loc[env_files[i], "archivo"]) for i in file_pos],
            "fila": filas,
            "columna": "envio_id",
            "valor": old.index.astype(object),
            "motivo": motivo,
        }
    )


def _drop_repeated_events(
    pool: pd.DataFrame, ev_new: pd.DataFrame, report: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New events identical to stored ones of the same conversation are dropped (as many as stored)."""
    if ev_new.empty or pool.empty:
        return ev_new, pd.DataFrame(columns=REJECT_COLUMNS)
    stored_counts = pd.Series(_row_hash(pool, "eventos")).value_counts()
    h = pd.Series(_row_hash(ev_new, "eventos"))
    occurrence = h.groupby(h).cumcount().to_numpy()
    limit = h.map(stored_counts).fillna(0).to_numpy(dtype=np.int64)
    drop = occurrence < limit
    if not drop.any():
        return ev_new, pd.DataFrame(columns=REJECT_COLUMNS)
    ev_rows = report.index[report["tabla"] == "eventos"].to_list()
    dropped = ev_new[drop]
    for i in dropped["_archivo"].to_numpy(dtype=np.int64):
        report.loc[ev_rows[i], "duplicadas"] += 1
        report.loc[ev_rows[i], "cargadas"] -= 1
    listed = pd.DataFrame(
        {
            "tabla": "eventos",
            "archivo": [str(report.loc[ev_rows[i], "archivo"]) for i in dropped["_archivo"]],
            "fila": dropped["_fila"].to_numpy(dtype=np.int64),
            "columna": WHOLE_ROW,
            "valor": dropped["conversacion_id"].astype(object).to_numpy(),
            "motivo": "evento idéntico a uno ya guardado en el almacén (misma conversación, fecha y datos): "
            "queda uno solo",
        }
    )
    return ev_new[~drop], listed
