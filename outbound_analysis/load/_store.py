"""The Parquet store ("almacén"): downloads normalized once, read back as a :class:`Dataset`.

Layout of a store folder (CONTRACT §6)::

    almacen.json                 manifest: format, zona_horaria, current version, imports
    .almacen.lock                flock held while an import writes
    v0003/                       the current version (the manifest names it)
      envios/mes=AAAA-MM/part-NNNN.parquet     one row per envio_id, by local month of fecha_envio
      eventos/mes=AAAA-MM/part-NNNN.parquet    by month of their conversation's sends
      eventos/mes=sin_envio/part-NNNN.parquet  events whose conversation has no send
      carga/importacion-NNNN.parquet           load report of each import (column importacion)
      rechazos/importacion-NNNN.parquet        rejects of each import (column importacion)

Rules:
- Rows are normalized by the loader itself (:func:`load_for_import`): same headers, codes,
  rejects and load report. Timestamps are written as UTC instants (microseconds); a month
  is the local month of fecha_envio in the store's ``zona_horaria``.
- ``orden`` (int64) is each row's position in import order, growing across imports:
  ordering eventos by (fecha, orden) is the loader's (fecha, file order). ``importacion``
  is the number of the import that wrote the row.
- A conversation with sends in several months has its events in each of those months
  (a read of some months gets all their events); readers drop the copies by ``orden``.
- Appending: an envio_id already stored is replaced by the new row (read-last-wins, CONTRACT
  1.3, by import order); the new row is counted as ``duplicada`` (identical) or
  ``reemplazada`` (other data) in that import's load report and listed in its rejects. An
  event identical in every column to a stored event of the same conversation is dropped
  the same way (a download that overlaps the previous one does not double the flows).
- Atomic: an import writes a new version folder (untouched months are hard links), then
  replaces ``almacen.json`` with ``os.replace``: a crash leaves the previous version readable.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .. import _convert as cv
from .._text import fmt_int
from ..errors import DataError
from ..schema import TABLES
from ._config import check_tz
from ._dataset import DEFAULT_TZ, FILE_REPORT_COLUMNS, REJECT_COLUMNS, WHOLE_ROW, Dataset, PathSpec
from ._tables import as_category, load_for_import

if TYPE_CHECKING:
    from ..filters import Filtros

FORMATO = 1
MANIFEST = "almacen.json"
LOCK = ".almacen.lock"
SIN_ENVIO = "sin_envio"
#: columns the store adds to each table (not part of the loader's Dataset)
EXTRA = ("orden", "importacion")
#: days added on each side of the filter dates when choosing months (any zone offset fits)
_MARGEN = dt.timedelta(days=2)


# --------------------------------------------------------------------------- finding a store


def es_almacen(ruta: str | Path) -> bool:
    """True when ``ruta`` is a folder with a store manifest (``almacen.json``)."""
    path = Path(ruta).expanduser()
    if not (path / MANIFEST).is_file():
        return False
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("formato") == FORMATO
    except (OSError, ValueError, AttributeError):
        return False


def almacen_de(spec: PathSpec | None, base: Path | None = None) -> Path | None:
    """The store named by ``spec`` (one folder path, maybe relative to ``base``), else None.

    A store listed together with other paths is an error: a store is read alone.
    """
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return None
    items = [spec] if isinstance(spec, str | Path) else list(spec)
    found = []
    for item in items:
        path = Path(str(item).strip()).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        if es_almacen(path):
            found.append(path)
    if not found:
        return None
    if len(items) > 1:
        raise DataError(
            f"«{found[0]}» es un almacén Parquet y se indica solo, no junto con otros archivos: "
            "importá esos archivos al almacén con `outbound-analysis importar`."
        )
    return found[0]


# --------------------------------------------------------------------------- manifest and lock


def _read_manifest(root: Path) -> dict | None:
    try:
        return json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DataError(f"No pude leer el manifiesto «{root / MANIFEST}» del almacén: {exc}.") from exc


def _write_manifest(root: Path, manifest: dict) -> None:
    """Write ``almacen.json`` atomically: a temporary file, fsync, then ``os.replace``."""
    tmp = root / f".{MANIFEST}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / MANIFEST)


class _Lock:
    """``.almacen.lock`` held with a non-blocking ``flock`` while an import writes (see ``_outputs``)."""

    def __init__(self, root: Path):
        self.path = root / LOCK
        self._fd: int | None = None

    def __enter__(self) -> _Lock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no flock (Windows): imports are not serialized
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataError(
                f"Otra importación está escribiendo en el almacén «{self.path.parent}»; esperá a que "
                "termine y volvé a correr el comando."
            ) from None
        except OSError:  # no flock on this file system: go on without it
            pass
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# --------------------------------------------------------------------------- Arrow <-> pandas


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    """A canonical frame (+ orden, importacion) as plain Arrow: strings, UTC microseconds, lists."""
    arrays, names = [], []
    for name in frame.columns:
        s = frame[name]
        if isinstance(s.dtype, pd.CategoricalDtype):
            arr = pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.string())
        elif isinstance(s.dtype, pd.DatetimeTZDtype):
            arr = pa.array(s.dt.tz_convert("UTC")).cast(pa.timestamp("us", tz="UTC"), safe=False)
        elif str(s.dtype) == "boolean":
            arr = pa.array(s.array, type=pa.bool_())
        elif s.dtype == cv.LIST:
            arr = cv.arrow_of(s).combine_chunks().cast(pa.list_(pa.string()))
        elif s.dtype == cv.STRING or isinstance(s.dtype, pd.StringDtype):
            arr = cv.arrow_of(s).combine_chunks().cast(pa.string())
        elif s.dtype.kind in "iu":
            arr = pa.array(s.to_numpy(dtype=np.int64), type=pa.int64())
        else:
            arr = pa.array(s.astype(object).where(s.notna(), None).tolist())
        arrays.append(arr)
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def _to_frame(table: pa.Table, tabla: str, tz: str) -> pd.DataFrame:
    """Stored Arrow columns -> the loader's dtypes (categories, string, boolean, tz timestamps, lists)."""
    out: dict[str, pd.Series] = {}
    n = table.num_rows
    for column in TABLES[tabla]:
        if column.name not in table.column_names:
            continue
        col = table.column(column.name)
        kind = column.kind
        if kind == "timestamp":
            s = pd.Series(col.to_pandas()).dt.tz_convert(tz).astype(f"datetime64[ns, {tz}]")
        elif kind == "bool":
            s = pd.Series(pd.BooleanDtype().__from_arrow__(col))
        elif kind == "list":
            s = pd.Series(col.cast(pa.list_(pa.string())), dtype=cv.LIST)
        else:
            s = pd.Series(col.cast(pa.string()), dtype=cv.STRING)
            if kind in ("label", "canal", "code"):
                s = as_category(s, column.codes)
        out[column.name] = s.reset_index(drop=True)
    for name in EXTRA:
        if name in table.column_names:
            out[name] = pd.Series(table.column(name).to_numpy(), dtype="int64")
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def _write_parquet(table: pa.Table, path: Path) -> None:
    """Write one Parquet file (every write of the store goes through here)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")


def _read_files(files: Sequence[Path], columns: Sequence[str] | None = None) -> pa.Table:
    """Read Parquet files of the store (every read of table data goes through here)."""
    dataset = ds.dataset([str(f) for f in files], format="parquet")
    return dataset.to_table(columns=list(columns) if columns is not None else None)


# --------------------------------------------------------------------------- months


def _months(fecha: pd.Series, tz: str) -> np.ndarray:
    """``AAAA-MM`` of each timestamp's local month in ``tz``."""
    local = fecha.dt.tz_convert(tz)
    code = (local.dt.year * 100 + local.dt.month).to_numpy(dtype=np.int64)
    uniq, inv = np.unique(code, return_inverse=True)
    labels = np.array([f"{c // 100:04d}-{c % 100:02d}" for c in uniq], dtype=object)
    return labels[inv] if len(code) else np.array([], dtype=object)


def _month_bounds(mes: str) -> tuple[dt.date, dt.date]:
    year, month = int(mes[:4]), int(mes[5:7])
    first = dt.date(year, month, 1)
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def meses_necesarios(manifest: Mapping, filtros: Filtros | None) -> list[str] | None:
    """The months of envios a report with ``filtros`` needs; None = all of them.

    Only the dates prune: the months that touch fecha_desde..fecha_hasta (two days of
    margin on each side, for any time zone) and, when both dates are set, the previous
    period of the same length (``periodo_anterior``, CONTRACT 5.1). When none of those
    months holds a send on or before the first day needed, the nearest earlier month with
    sends is added, so that "the loaded files start on ..." is decided as with all months.
    """
    if filtros is None or (filtros.fecha_desde is None and filtros.fecha_hasta is None):
        return None
    desde, hasta = filtros.fecha_desde, filtros.fecha_hasta
    if desde is not None and hasta is not None:
        desde = desde - (hasta - desde + dt.timedelta(days=1))
    lo = desde - _MARGEN if desde is not None else None
    hi = hasta + _MARGEN if hasta is not None else None
    stored = manifest["meses"]["envios"]
    months = sorted(stored)
    chosen = []
    for mes in months:
        first, last = _month_bounds(mes)
        if (lo is None or last >= lo) and (hi is None or first <= hi):
            chosen.append(mes)
    if lo is not None:
        earliest = min((dt.date.fromisoformat(stored[m]["desde"][:10]) for m in chosen), default=None)
        if earliest is None or earliest > lo:
            before = [m for m in months if m < (chosen[0] if chosen else f"{lo:%Y-%m}")]
            if before:
                chosen.insert(0, before[-1])
    return chosen


def archivos_almacen(ruta: str | Path, tabla: str, filtros: Filtros | None = None) -> list[Path]:
    """The Parquet files of ``tabla`` ("envios", "eventos", "carga", "rechazos") a read needs.

    For envios and eventos, only the months :func:`meses_necesarios` names (eventos without a
    send only when all months are read). For engines that read the files themselves.
    """
    root = Path(ruta)
    manifest = _manifest_or_error(root)
    version = root / manifest["version"]
    if tabla in ("carga", "rechazos"):
        return [version / f for f in manifest[tabla]]
    meses = meses_necesarios(manifest, filtros)
    parts = manifest["meses"][tabla]
    names = sorted(parts) if meses is None else [m for m in meses if m in parts]
    return [version / parts[m]["archivo"] for m in names]


def _manifest_or_error(root: Path) -> dict:
    manifest = _read_manifest(root) if root.is_dir() else None
    if manifest is None or manifest.get("formato") != FORMATO:
        raise DataError(
            f"«{root}» no es un almacén de outbound-analysis (no tiene {MANIFEST}); creá uno con "
            "`outbound-analysis importar --envios ARCHIVOS CARPETA`."
        )
    return manifest


# --------------------------------------------------------------------------- reading


def leer_almacen(
    ruta: str | Path,
    filtros: Filtros | None = None,
    columnas: Sequence[str] | None = None,
    *,
    zona_horaria: str | None = None,
    eventos: bool = True,
    filas: bool = True,
) -> Dataset:
    """A store read back as the loader's :class:`Dataset` (same columns and dtypes).

    ``filas=False`` reads no rows (empty envios/eventos with their columns, the full load
    report and rejects): for the SQL engines, which read the store's files themselves.

    Reads only the months ``filtros``' dates need (:func:`meses_necesarios`; other filters
    do not prune) and only ``columnas`` (names of envios or eventos columns; None = all).
    Timestamps are in ``zona_horaria`` (default: the store's). Rows come in import order
    (``orden``), which is the loader's file order. ``eventos=False`` skips the events.
    """
    root = Path(ruta)
    manifest = _manifest_or_error(root)
    tz = zona_horaria or manifest["zona_horaria"]
    check_tz(tz)
    wanted = None if columnas is None else list(dict.fromkeys(columnas))
    if wanted is not None:
        known = {c.name for t in ("envios", "eventos") for c in TABLES[t]}
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise DataError(
                f"columnas: {', '.join(f'«{c}»' for c in unknown)} no son columnas de envios ni de eventos."
            )
    frames = {}
    for tabla in ("envios", "eventos"):
        if tabla == "eventos" and not eventos:
            frames[tabla] = _to_frame(_empty_table(tabla), tabla, tz).drop(columns=list(EXTRA))
            continue
        names = [c.name for c in TABLES[tabla] if wanted is None or c.name in wanted]
        files = archivos_almacen(root, tabla, filtros) if filas else []
        cols = [*names, "orden"]
        table = _read_files(files, cols) if files else _empty_table(tabla).select(cols)
        frame = _to_frame(table, tabla, tz)
        if tabla == "eventos":
            frame = frame.drop_duplicates("orden")
        frame = frame.sort_values("orden", kind="stable").drop(columns="orden").reset_index(drop=True)
        frames[tabla] = frame
    carga = _read_side(root, manifest, "carga", FILE_REPORT_COLUMNS)
    rechazos = _read_side(root, manifest, "rechazos", REJECT_COLUMNS)
    if not eventos:
        carga = carga[carga["tabla"] == "envios"].reset_index(drop=True)
        rechazos = rechazos[rechazos["tabla"] == "envios"].reset_index(drop=True)
    return Dataset(
        frames["envios"],
        frames["eventos"],
        carga,
        rechazos,
        zona_horaria=tz,
        almacen=root,
        sin_filas=not filas,
    )


def _read_side(root: Path, manifest: Mapping, tabla: str, columns: list[str]) -> pd.DataFrame:
    """The load report or the rejects of every import, in import order (without ``importacion``)."""
    files = [root / manifest["version"] / f for f in manifest[tabla]]
    if not files:
        return _side_frame(tabla, [])
    frame = pd.concat([pq.read_table(str(f)).to_pandas() for f in files], ignore_index=True)
    return _side_frame(tabla, frame[columns].to_dict("records"))


def _side_frame(tabla: str, records: list[dict]) -> pd.DataFrame:
    if tabla == "carga":
        return pd.DataFrame(records, columns=FILE_REPORT_COLUMNS)
    frame = pd.DataFrame(records, columns=REJECT_COLUMNS)
    return frame.astype({c: ("int64" if c == "fila" else cv.STRING) for c in REJECT_COLUMNS})


def _empty_table(tabla: str) -> pa.Table:
    fields = []
    for column in TABLES[tabla]:
        t = {
            "timestamp": pa.timestamp("us", tz="UTC"),
            "bool": pa.bool_(),
            "list": pa.list_(pa.string()),
        }.get(column.kind, pa.string())
        fields.append(pa.field(column.name, t))
    fields += [pa.field(n, pa.int64()) for n in EXTRA]
    return pa.schema(fields).empty_table()


# --------------------------------------------------------------------------- importing


@dataclass(frozen=True)
class ResultadoImportacion:
    """What one import did: its number, load report, rows added and the store's totals."""

    destino: Path
    importacion: int
    archivos: pd.DataFrame
    rechazos: pd.DataFrame
    envios_total: int
    eventos_total: int
    meses_reescritos: tuple[str, ...]

    def resumen(self) -> str:
        """One line per file (read, loaded, rejected, duplicated) and the store's totals, in Spanish."""
        lines = []
        for r in self.archivos.itertuples():
            dups = int(r.duplicadas) + int(r.reemplazadas)
            lines.append(
                f"{r.tabla} · {r.archivo}: {fmt_int(r.leidas)} leídas, {fmt_int(r.cargadas)} nuevas, "
                f"{fmt_int(r.rechazadas)} rechazadas, {fmt_int(dups)} duplicadas"
                + (f" ({fmt_int(r.reemplazadas)} con datos nuevos)" if r.reemplazadas else "")
            )
        meses = ", ".join(self.meses_reescritos) or "ninguno"
        lines.append(
            f"Almacén {self.destino} (importación {self.importacion}): {fmt_int(self.envios_total)} envíos y "
            f"{fmt_int(self.eventos_total)} eventos en total; meses reescritos: {meses}."
        )
        return "\n".join(lines)


def _check_destino(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise DataError(f"El destino «{root}» es un archivo: indicá una carpeta para el almacén.")
    if root.is_dir() and not es_almacen(root) and any(p.name != LOCK for p in root.iterdir()):
        raise DataError(
            f"La carpeta «{root}» no está vacía y no es un almacén: indicá una carpeta nueva o vacía, "
            "o un almacén creado antes con `outbound-analysis importar`."
        )


def _new_manifest(tz: str) -> dict:
    return {
        "formato": FORMATO,
        "zona_horaria": tz,
        "version": None,
        "siguiente_orden": {"envios": 0, "eventos": 0},
        "meses": {"envios": {}, "eventos": {}},
        "carga": [],
        "rechazos": [],
        "importaciones": [],
    }


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


def importar(
    destino: str | Path,
    envios: PathSpec,
    eventos: PathSpec | None = None,
    columnas: Mapping[str, str] | None = None,
    zona_horaria: str | None = None,
    *,
    base: str | Path | None = None,
) -> ResultadoImportacion:
    """Load the downloads with the loader's rules and append them to the store at ``destino``.

    Creates the store when ``destino`` is a new or empty folder. ``zona_horaria`` (default:
    the store's, or America/Argentina/Buenos_Aires for a new one) must match the store's.
    """
    root = Path(destino).expanduser()
    _check_destino(root)
    current = _read_manifest(root) if es_almacen(root) else None
    tz = zona_horaria or (current["zona_horaria"] if current else DEFAULT_TZ)
    check_tz(tz)
    if current is not None and current["zona_horaria"] != tz:
        raise DataError(
            f"El almacén «{root}» usa la zona horaria {current['zona_horaria']} y pediste {tz}: las fechas "
            f"sin zona se leerían distinto. Importá con --zona-horaria {current['zona_horaria']} "
            "o usá otro almacén."
        )
    datos = load_for_import(envios, eventos, columnas=columnas, zona_horaria=tz, base=base)
    root.mkdir(parents=True, exist_ok=True)
    with _Lock(root):
        manifest = _read_manifest(root) or _new_manifest(tz)
        _remove_orphans(root, manifest)
        return _append(root, manifest, datos, envios, eventos, columnas or {})


def _remove_orphans(root: Path, manifest: Mapping) -> None:
    """Version folders the manifest does not name: left by a crashed import."""
    for p in root.glob("v[0-9]*"):
        if p.is_dir() and p.name != manifest["version"]:
            shutil.rmtree(p, ignore_errors=True)


def _files_of(spec: PathSpec | None) -> list[str]:
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return []
    return [str(s) for s in ([spec] if isinstance(spec, str | Path) else spec)]


def _append(
    root: Path, manifest: dict, datos: Dataset, envios: PathSpec, eventos: PathSpec | None, columnas: Mapping
) -> ResultadoImportacion:
    tz = manifest["zona_horaria"]
    numero = len(manifest["importaciones"]) + 1
    old_version = manifest["version"]
    old_dir = root / old_version if old_version else None
    version = f"v{(int(old_version[1:]) if old_version else 0) + 1:04d}"
    new_dir = root / version
    part = f"part-{numero:04d}.parquet"

    # ---- envios: new rows, stored rows they replace, months to rewrite
    new = datos.envios
    sources = new[["_archivo", "_fila"]].to_numpy()
    new = new.drop(columns=["_archivo", "_fila"])
    new["orden"] = np.arange(len(new), dtype=np.int64) + manifest["siguiente_orden"]["envios"]
    new["importacion"] = np.int64(numero)
    new_mes = _months(new["fecha_envio"], tz)
    env_parts = manifest["meses"]["envios"]
    new_ids = pa.array(new["envio_id"].astype(object).tolist(), type=pa.string())
    hits = _stored_rows(old_dir, env_parts, "envio_id", new_ids)  # the stored sends the new ones replace
    replaced_mes = pc.unique(hits.column("mes")).to_pylist()
    touched_env = sorted(set(new_mes) | set(replaced_mes))
    stored_touched = [_read_part(old_dir, env_parts, m, "envios", tz) for m in touched_env if m in env_parts]
    stored = pd.concat(stored_touched, ignore_index=True) if stored_touched else None
    counts = ["leidas", "cargadas", "rechazadas", "duplicadas", "reemplazadas", "fechas_fuera_de_rango"]
    report = datos.archivos.astype({c: "int64" for c in counts})
    env_files = report.index[report["tabla"] == "envios"].to_list()
    dup_rejects = pd.DataFrame(columns=REJECT_COLUMNS)
    if stored is not None:
        hit = _isin(stored["envio_id"], new["envio_id"])
        if hit.any():
            dup_rejects = _cross_duplicates(stored[hit], new, sources, report, env_files, "envios")
        stored = stored[~hit]
    state = pd.concat([stored, new], ignore_index=True) if stored is not None else new
    state_mes = _months(state["fecha_envio"], tz)

    # ---- eventos: conversations whose months change or that get events
    ev_new = datos.eventos.copy()
    ev_new["_archivo"] = ev_new["_archivo"].astype(np.int64)
    ev_new["orden"] = np.arange(len(ev_new), dtype=np.int64) + manifest["siguiente_orden"]["eventos"]
    ev_new["importacion"] = np.int64(numero)
    candidates = set(ev_new["conversacion_id"].astype(object)) | {
        c for c in new["conversacion_id"].dropna().astype(object)
    }
    candidates |= {c for c in hits.column("conversacion_id").to_pylist() if c}
    # the stored sends of the candidate conversations only, month by month (memory: one month at a time)
    sub = _stored_rows(old_dir, env_parts, "conversacion_id", pa.array(list(candidates), type=pa.string()))
    sub_replaced = pc.is_in(sub.column("envio_id"), value_set=new_ids)
    before = _conv_months(sub.column("conversacion_id"), sub.column("mes"))
    kept = sub.filter(pc.invert(sub_replaced))
    after = _conv_months(kept.column("conversacion_id"), kept.column("mes"))
    for conv, mes in zip(new["conversacion_id"].astype(object), new_mes, strict=True):
        if conv is not None and conv is not pd.NA:
            after.setdefault(conv, set()).add(mes)
    affected = {c for c in candidates if before.get(c, set()) != after.get(c, set())}
    affected |= set(ev_new["conversacion_id"].astype(object))
    ev_parts = manifest["meses"]["eventos"]

    def homes(table: Mapping[str, set[str]], conv: str) -> set[str]:
        return table.get(conv) or {SIN_ENVIO}

    touched_ev = set()
    for conv in affected:
        touched_ev |= homes(before, conv) | homes(after, conv)
    touched_ev_l = sorted(touched_ev)
    stored_ev = [
        _read_part(old_dir, ev_parts, m, "eventos", tz).assign(_mes=m) for m in touched_ev_l if m in ev_parts
    ]
    ev_stored = pd.concat(stored_ev, ignore_index=True) if stored_ev else None
    ev_rejects = pd.DataFrame(columns=REJECT_COLUMNS)
    if ev_stored is not None:
        moving_mask = _isin(ev_stored["conversacion_id"], list(affected))
        staying = ev_stored[~moving_mask]
        pool = ev_stored[moving_mask].drop(columns="_mes").drop_duplicates("orden")
        ev_new, ev_rejects = _drop_repeated_events(pool, ev_new, report)
    else:
        staying = None
        pool = None
    ev_new = ev_new.drop(columns=["_archivo", "_fila"])
    moving = pd.concat([pool, ev_new], ignore_index=True) if pool is not None else ev_new
    # every stored event stays (it moves with its conversation): the new ones add up
    eventos_total = (manifest["importaciones"][-1]["filas"]["eventos_total"] if numero > 1 else 0) + len(
        ev_new
    )

    # ---- write the new version: touched partitions rewritten, the rest linked
    if new_dir.exists():
        shutil.rmtree(new_dir)
    new_dir.mkdir(parents=True)
    meses_env: dict[str, dict] = {}
    for mes, info in env_parts.items():
        if mes not in touched_env:
            _link(old_dir / info["archivo"], new_dir / info["archivo"])
            meses_env[mes] = info
    for mes in touched_env:
        rows = state[state_mes == mes].sort_values("orden", kind="stable")
        if rows.empty:
            continue
        rel = f"envios/mes={mes}/{part}"
        _write_parquet(_to_arrow(rows), new_dir / rel)
        meses_env[mes] = {
            "archivo": rel,
            "filas": len(rows),
            "desde": rows["fecha_envio"].min().isoformat(),
            "hasta": rows["fecha_envio"].max().isoformat(),
        }
    meses_ev: dict[str, dict] = {}
    for mes, info in ev_parts.items():
        if mes not in touched_ev:
            _link(old_dir / info["archivo"], new_dir / info["archivo"])
            meses_ev[mes] = info
    # each moving event goes to every month its conversation has a send in (once per conversation)
    codes, convs = pd.factorize(moving["conversacion_id"])
    targets = [sorted(homes(after, c)) for c in convs]
    per_conv = np.array([len(t) for t in targets], dtype=np.int64)
    flat = np.array([m for t in targets for m in t], dtype=object)
    first = np.cumsum(per_conv) - per_conv
    reps = per_conv[codes]
    rows_idx = np.repeat(np.arange(len(moving)), reps)
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    placed = moving.iloc[rows_idx].assign(_mes=flat[first[codes[rows_idx]] + within] if len(moving) else [])
    for mes in touched_ev_l:
        parts = [placed[placed["_mes"] == mes]]
        if staying is not None:
            parts.append(staying[staying["_mes"] == mes])
        rows = pd.concat(parts, ignore_index=True).drop(columns="_mes").sort_values("orden", kind="stable")
        if rows.empty:
            continue
        rel = f"eventos/mes={mes}/{part}"
        _write_parquet(_to_arrow(rows), new_dir / rel)
        meses_ev[mes] = {"archivo": rel, "filas": len(rows)}

    # ---- load report and rejects of this import
    report["archivo"] = report["archivo"].astype(str)
    parts_rej = [x for x in (datos.rechazos, dup_rejects, ev_rejects) if len(x)] or [datos.rechazos]
    rejects = pd.concat(parts_rej, ignore_index=True)[REJECT_COLUMNS]
    rejects = rejects.astype({c: ("int64" if c == "fila" else cv.STRING) for c in REJECT_COLUMNS})
    side = {}
    for tabla, frame in (("carga", report), ("rechazos", rejects)):
        for rel in manifest[tabla]:
            _link(old_dir / rel, new_dir / rel)
        rel = f"{tabla}/importacion-{numero:04d}.parquet"
        _write_parquet(_to_arrow(frame.assign(importacion=np.int64(numero))), new_dir / rel)
        side[tabla] = [*manifest[tabla], rel]

    envios_total = sum(int(i["filas"]) for i in meses_env.values())
    nuevo = {
        **manifest,
        "version": version,
        "siguiente_orden": {
            "envios": manifest["siguiente_orden"]["envios"] + len(new),
            "eventos": manifest["siguiente_orden"]["eventos"] + len(datos.eventos),
        },
        "meses": {"envios": dict(sorted(meses_env.items())), "eventos": dict(sorted(meses_ev.items()))},
        "carga": side["carga"],
        "rechazos": side["rechazos"],
        "importaciones": [
            *manifest["importaciones"],
            {
                "numero": numero,
                "fecha": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "envios": _files_of(envios),
                "eventos": _files_of(eventos),
                "columnas": dict(columnas),
                "filas": {
                    "envios_leidas": int(report.loc[report["tabla"] == "envios", "leidas"].sum()),
                    "envios_nuevas": int(report.loc[report["tabla"] == "envios", "cargadas"].sum()),
                    "eventos_leidos": int(report.loc[report["tabla"] == "eventos", "leidas"].sum()),
                    "eventos_nuevos": int(report.loc[report["tabla"] == "eventos", "cargadas"].sum()),
                    "rechazos": len(rejects),
                    "envios_total": envios_total,
                    "eventos_total": eventos_total,
                },
                "meses_reescritos": {"envios": touched_env, "eventos": touched_ev_l},
            },
        ],
    }
    _write_manifest(root, nuevo)  # the switch: from here on readers see the new version
    if old_dir is not None:
        shutil.rmtree(old_dir, ignore_errors=True)
    return ResultadoImportacion(
        destino=root,
        importacion=numero,
        archivos=report[FILE_REPORT_COLUMNS].reset_index(drop=True),
        rechazos=rejects,
        envios_total=envios_total,
        eventos_total=eventos_total,
        meses_reescritos=tuple(touched_env),
    )


def _link(source: Path, target: Path) -> None:
    """An unchanged file in the new version: a hard link (a copy where links do not work)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


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
    return _to_frame(_read_files([version / parts[mes]["archivo"]]), tabla, tz)  # type: ignore[operator]


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
