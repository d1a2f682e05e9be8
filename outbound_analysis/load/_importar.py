"""Importing into the Parquet store: :func:`importar` appends downloads as a new version.

The layout and the rules of a store are in :mod:`._store`, which reads it back. An import
loads the downloads with the loader's rules, merges them with the stored months they
touch (a stored envio_id is replaced, an identical event dropped), writes the new version
folder (untouched months are hard links) and switches ``almacen.json`` to it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import _convert as cv
from .._text import fmt_int
from ..errors import DataError
from ._config import check_tz
from ._dataset import DEFAULT_TZ, FILE_REPORT_COLUMNS, REJECT_COLUMNS, Dataset, PathSpec
from ._fusion import Importacion, MergedEnvios, MergedEventos, homes, merge_envios, merge_eventos
from ._store import FORMATO, LOCK, MANIFEST, es_almacen, read_manifest
from ._tables import load_for_import

# --------------------------------------------------------------------------- manifest and lock


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


# --------------------------------------------------------------------------- writing Parquet


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


def _write_parquet(table: pa.Table, path: Path) -> None:
    """Write one Parquet file (every write of the store goes through here)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")


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
    current = read_manifest(root) if es_almacen(root) else None
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
        manifest = read_manifest(root) or _new_manifest(tz)
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
    """Append the loaded rows to the store as a new version and switch the manifest to it."""
    imp = _start(root, manifest, datos, envios, eventos, columnas)
    env = merge_envios(imp)
    ev = merge_eventos(imp, env)
    _new_version_folder(imp)
    meses_env = _write_envios(imp, env)
    meses_ev = _write_eventos(imp, ev)
    rejects = _import_rejects(imp, env, ev)
    side = _write_side_tables(imp, rejects)
    envios_total = sum(int(i["filas"]) for i in meses_env.values())
    nuevo = _next_manifest(imp, env, ev, meses_env, meses_ev, side, rejects, envios_total)
    _write_manifest(root, nuevo)  # the switch: from here on readers see the new version
    if imp.old_dir is not None:
        shutil.rmtree(imp.old_dir, ignore_errors=True)
    return ResultadoImportacion(
        destino=root,
        importacion=imp.numero,
        archivos=imp.report[FILE_REPORT_COLUMNS].reset_index(drop=True),
        rechazos=rejects,
        envios_total=envios_total,
        eventos_total=ev.total,
        meses_reescritos=tuple(env.touched),
    )


def _start(
    root: Path, manifest: dict, datos: Dataset, envios: PathSpec, eventos: PathSpec | None, columnas: Mapping
) -> Importacion:
    """The import's number, its version folders and its load report (counts as int64)."""
    numero = len(manifest["importaciones"]) + 1
    old_version = manifest["version"]
    version = f"v{(int(old_version[1:]) if old_version else 0) + 1:04d}"
    counts = ["leidas", "cargadas", "rechazadas", "duplicadas", "reemplazadas", "fechas_fuera_de_rango"]
    return Importacion(
        root=root,
        manifest=manifest,
        datos=datos,
        envios=envios,
        eventos=eventos,
        columnas=columnas,
        report=datos.archivos.astype({c: "int64" for c in counts}),
        tz=manifest["zona_horaria"],
        numero=numero,
        old_dir=root / old_version if old_version else None,
        version=version,
        new_dir=root / version,
        part=f"part-{numero:04d}.parquet",
    )


def _new_version_folder(imp: Importacion) -> None:
    """An empty folder for the new version (one left by a crashed import is removed first)."""
    if imp.new_dir.exists():
        shutil.rmtree(imp.new_dir)
    imp.new_dir.mkdir(parents=True)


def _link_untouched(imp: Importacion, tabla: str, touched: Collection[str]) -> dict[str, dict]:
    """Months of ``tabla`` this import leaves as they were, linked into the new version (manifest entries)."""
    meses: dict[str, dict] = {}
    for mes, info in imp.manifest["meses"][tabla].items():
        if mes not in touched:
            _link(imp.old_dir / info["archivo"], imp.new_dir / info["archivo"])
            meses[mes] = info
    return meses


def _write_envios(imp: Importacion, env: MergedEnvios) -> dict[str, dict]:
    """Link the untouched envios months, rewrite the touched ones; the manifest's entry of each month."""
    meses_env = _link_untouched(imp, "envios", env.touched)
    for mes in env.touched:
        rows = env.state[env.state_mes == mes].sort_values("orden", kind="stable")
        if rows.empty:
            continue
        rel = f"envios/mes={mes}/{imp.part}"
        _write_parquet(_to_arrow(rows), imp.new_dir / rel)
        meses_env[mes] = {
            "archivo": rel,
            "filas": len(rows),
            "desde": rows["fecha_envio"].min().isoformat(),
            "hasta": rows["fecha_envio"].max().isoformat(),
        }
    return meses_env


def _placed(moving: pd.DataFrame, after: Mapping[str, set[str]]) -> pd.DataFrame:
    """Each moving event once per month its conversation has a send in (column ``_mes``)."""
    codes, convs = pd.factorize(moving["conversacion_id"])
    targets = [sorted(homes(after, c)) for c in convs]
    per_conv = np.array([len(t) for t in targets], dtype=np.int64)
    flat = np.array([m for t in targets for m in t], dtype=object)
    first = np.cumsum(per_conv) - per_conv
    reps = per_conv[codes]
    rows_idx = np.repeat(np.arange(len(moving)), reps)
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    return moving.iloc[rows_idx].assign(_mes=flat[first[codes[rows_idx]] + within] if len(moving) else [])


def _write_eventos(imp: Importacion, ev: MergedEventos) -> dict[str, dict]:
    """Link the untouched eventos months, rewrite the touched ones; the manifest's entry of each month."""
    meses_ev = _link_untouched(imp, "eventos", ev.touched)
    # each moving event goes to every month its conversation has a send in (once per conversation)
    placed = _placed(ev.moving, ev.after)
    for mes in ev.touched:
        parts = [placed[placed["_mes"] == mes]]
        if ev.staying is not None:
            parts.append(ev.staying[ev.staying["_mes"] == mes])
        rows = pd.concat(parts, ignore_index=True).drop(columns="_mes").sort_values("orden", kind="stable")
        if rows.empty:
            continue
        rel = f"eventos/mes={mes}/{imp.part}"
        _write_parquet(_to_arrow(rows), imp.new_dir / rel)
        meses_ev[mes] = {"archivo": rel, "filas": len(rows)}
    return meses_ev


def _import_rejects(imp: Importacion, env: MergedEnvios, ev: MergedEventos) -> pd.DataFrame:
    """This import's rejects: the loader's, then the stored sends replaced, then the repeated events."""
    imp.report["archivo"] = imp.report["archivo"].astype(str)
    datos = imp.datos
    parts_rej = [x for x in (datos.rechazos, env.rejects, ev.rejects) if len(x)] or [datos.rechazos]
    rejects = pd.concat(parts_rej, ignore_index=True)[REJECT_COLUMNS]
    return rejects.astype({c: ("int64" if c == "fila" else cv.STRING) for c in REJECT_COLUMNS})


def _write_side_tables(imp: Importacion, rejects: pd.DataFrame) -> dict[str, list[str]]:
    """Link the previous imports' load reports and rejects, write this import's; their files by table."""
    side = {}
    for tabla, frame in (("carga", imp.report), ("rechazos", rejects)):
        for rel in imp.manifest[tabla]:
            _link(imp.old_dir / rel, imp.new_dir / rel)
        rel = f"{tabla}/importacion-{imp.numero:04d}.parquet"
        _write_parquet(_to_arrow(frame.assign(importacion=np.int64(imp.numero))), imp.new_dir / rel)
        side[tabla] = [*imp.manifest[tabla], rel]
    return side


def _next_manifest(
    imp: Importacion,
    env: MergedEnvios,
    ev: MergedEventos,
    meses_env: dict[str, dict],
    meses_ev: dict[str, dict],
    side: dict[str, list[str]],
    rejects: pd.DataFrame,
    envios_total: int,
) -> dict:
    """The manifest of the new version: its partitions, side tables and this import's entry."""
    manifest, report = imp.manifest, imp.report
    return {
        **manifest,
        "version": imp.version,
        "siguiente_orden": {
            "envios": manifest["siguiente_orden"]["envios"] + len(env.new),
            "eventos": manifest["siguiente_orden"]["eventos"] + len(imp.datos.eventos),
        },
        "meses": {"envios": dict(sorted(meses_env.items())), "eventos": dict(sorted(meses_ev.items()))},
        "carga": side["carga"],
        "rechazos": side["rechazos"],
        "importaciones": [
            *manifest["importaciones"],
            {
                "numero": imp.numero,
                "fecha": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "envios": _files_of(imp.envios),
                "eventos": _files_of(imp.eventos),
                "columnas": dict(imp.columnas),
                "filas": {
                    "envios_leidas": int(report.loc[report["tabla"] == "envios", "leidas"].sum()),
                    "envios_nuevas": int(report.loc[report["tabla"] == "envios", "cargadas"].sum()),
                    "eventos_leidos": int(report.loc[report["tabla"] == "eventos", "leidas"].sum()),
                    "eventos_nuevos": int(report.loc[report["tabla"] == "eventos", "cargadas"].sum()),
                    "rechazos": len(rejects),
                    "envios_total": envios_total,
                    "eventos_total": ev.total,
                },
                "meses_reescritos": {"envios": env.touched, "eventos": ev.touched},
            },
        ],
    }


def _link(source: Path, target: Path) -> None:
    """An unchanged file in the new version: a hard link (a copy where links do not work)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
