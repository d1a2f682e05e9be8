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

This module finds and reads a store; :mod:`._importar` writes one (:func:`importar`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .. import _convert as cv
from ..errors import DataError
from ..schema import TABLES
from ._config import check_tz
from ._dataset import FILE_REPORT_COLUMNS, REJECT_COLUMNS, Dataset, PathSpec
from ._tables import as_category

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


# --------------------------------------------------------------------------- manifest


def read_manifest(root: Path) -> dict | None:
    """The store's manifest (``almacen.json``); None when the folder has none."""
    try:
        return json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DataError(f"No pude leer el manifiesto «{root / MANIFEST}» del almacén: {exc}.") from exc


# --------------------------------------------------------------------------- Arrow -> pandas


def to_frame(table: pa.Table, tabla: str, tz: str) -> pd.DataFrame:
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
    return cv.en_un_bloque(pd.DataFrame(out, index=pd.RangeIndex(n)))


def read_files(files: Sequence[Path], columns: Sequence[str] | None = None) -> pa.Table:
    """Read Parquet files of the store (every read of table data goes through here)."""
    dataset = ds.dataset([str(f) for f in files], format="parquet")
    return dataset.to_table(columns=list(columns) if columns is not None else None)


# --------------------------------------------------------------------------- months


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
    manifest = read_manifest(root) if root.is_dir() else None
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
            frames[tabla] = to_frame(_empty_table(tabla), tabla, tz).drop(columns=list(EXTRA))
            continue
        names = [c.name for c in TABLES[tabla] if wanted is None or c.name in wanted]
        files = archivos_almacen(root, tabla, filtros) if filas else []
        cols = [*names, "orden"]
        table = read_files(files, cols) if files else _empty_table(tabla).select(cols)
        frame = to_frame(table, tabla, tz)
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
