"""The data a run loaded once, handed to its report kernels (load once per run).

``outbound-analysis run`` loads each parameters file's data in its pre-flight. Instead of
every kernel parsing the same files again, the runner writes that :class:`Dataset` once
into a private temporary folder of the run (a pickle: the exact frames, read back in a
fraction of a second) and names it in the environment variable :data:`ENV`, which the
kernels inherit. :meth:`Informe._load <outbound_analysis.report.Informe>` takes it only
when its load would be the very same: same ``envios``, ``eventos``, ``columnas``,
``zona_horaria`` and dates (:func:`clave`). The report never names the cache: the header
shows the parameters and the load report of the original files, as without it.

A report that does not read eventos (resumen, detallado) gets the sends only
(:func:`sin_eventos`): the same rows, load report and rejects as a load without eventos.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from .load import Dataset, load_data
from .params import Parametros

#: environment variable with the run's loaded data sets (JSON list of {"clave", "archivo", "eventos"})
ENV = "OUTBOUND_ANALYSIS_DATOS_CORRIDA"
#: prefix of the temporary folder of the cache inside an output folder
PREFIX = ".datos-"
_FILE = "datos.pkl"


def clave(p: Parametros) -> str:
    """What a load depends on: input paths, header mapping, time zone and the dates (store months)."""
    values = {
        "envios": p.envios,
        "eventos": p.eventos,
        "columnas": dict(p.columnas or {}),
        "zona_horaria": p.zona_horaria,
        "fecha_desde": str(p.fecha_desde or ""),
        "fecha_hasta": str(p.fecha_hasta or ""),
    }
    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)


def guardar(datos: Dataset, carpeta: Path, con_eventos: bool) -> dict[str, object]:
    """Write ``datos`` into a new temporary folder inside ``carpeta``; return its entry for :data:`ENV`."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=carpeta))
    path = folder / _FILE
    try:
        with path.open("wb") as out:
            pickle.dump(datos, out, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return {"archivo": str(path), "eventos": con_eventos}


def carpeta_de(entrada: Mapping[str, object]) -> Path:
    """The temporary folder of an entry (removed when the run ends)."""
    return Path(str(entrada["archivo"])).parent


@contextlib.contextmanager
def en_el_entorno(entradas: Mapping[str, Mapping[str, object]]) -> Iterator[None]:
    """Name the cached data sets (``{clave: entry}``) in :data:`ENV` while the kernels run."""
    previous = os.environ.get(ENV)
    os.environ[ENV] = json.dumps([{"clave": k, **v} for k, v in entradas.items()], ensure_ascii=False)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous


def sin_eventos(datos: Dataset) -> Dataset:
    """The sends of ``datos`` alone: what a load without eventos gives (the eventos rows dropped).

    The same rows and values; a text column of the load report may come back with another
    pandas text dtype (object or string), which no report, header or export tells apart.
    """
    empty = load_data([], None, require_envios=False, zona_horaria=datos.zona_horaria)

    def sends(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["tabla"] == "envios"].reset_index(drop=True)

    tz = datos.zona_horaria
    return Dataset(datos.envios, empty.eventos, sends(datos.archivos), sends(datos.rechazos), zona_horaria=tz)


def cargar(p: Parametros, cargar_eventos: bool) -> Dataset | None:
    """The run's loaded data for parameters ``p``, or None (no run, another load, file gone)."""
    text = os.environ.get(ENV)
    if not text:
        return None
    try:
        entradas = json.loads(text)
    except ValueError:
        return None
    key = clave(p)
    for entrada in entradas if isinstance(entradas, list) else []:
        if not isinstance(entrada, dict) or entrada.get("clave") != key:
            continue
        if cargar_eventos and not entrada.get("eventos"):
            return None
        try:
            with open(str(entrada["archivo"]), "rb") as fh:
                datos = pickle.load(fh)  # written by this run's runner, in its private folder
        except (OSError, KeyError, pickle.UnpicklingError, EOFError):
            return None
        if not isinstance(datos, Dataset):
            return None
        return datos if cargar_eventos or not entrada.get("eventos") else sin_eventos(datos)
    return None
