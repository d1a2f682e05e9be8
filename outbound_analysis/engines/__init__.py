"""Engines: the same report tables computed by pandas (in memory), DuckDB (out of core) or Spark.

The pandas engine is :mod:`outbound_analysis.metrics`. The SQL engines share one
definition per table (:mod:`._registro`, templates under ``sql/``), written in DuckDB's
SQL and transpiled for Spark by sqlglot (:mod:`._sql`).

>>> MOTORES
('pandas', 'duckdb', 'spark')
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..filters import Filtros
from . import _registro
from ._registro import CONSULTAS, Contexto, calcular, consulta
from ._sql import DuckDB, Motor, Spark, motor, tamano_en_bytes, where_filtros
from .carga import filas_cargadas
from .detallado import envios_por_lotes, envios_primeros

#: eventos' optional columns (text), registered all NA when no eventos are given
_EVENTOS_TEXTO = ("mensaje", "nodo", "opcion", "tipificacion", "tipo_tipificacion", "etiqueta")
_EVENTOS_TEXTO += ("finalizacion",)

#: the engines a report can run on (parameter ``motor``)
MOTORES = ("pandas", "duckdb", "spark")


def registrar_datos(
    m: Motor,
    envios: pd.DataFrame | str | Path,
    eventos: pd.DataFrame | str | Path | None = None,
) -> Motor:
    """Register ``envios`` and ``eventos`` (frames as loaded, or Parquet) on engine ``m``.

    Loaded events get ``orden`` (their position in the loaded files) when they lack it:
    flujos orders a conversation's events by fecha, then file order.
    """
    m.registrar("envios", envios)
    if eventos is None:
        eventos = pd.DataFrame(
            {
                "conversacion_id": pd.Series(dtype="string"),
                "fecha": pd.Series(dtype="datetime64[ns, UTC]"),
                "autor": pd.Series(dtype="string"),
                # the optional columns too: the flujos queries read them (all NA here)
                **{c: pd.Series(dtype="string") for c in _EVENTOS_TEXTO},
                "orden": pd.Series(dtype="int64"),
            }
        )
    if isinstance(eventos, pd.DataFrame) and "orden" not in eventos.columns:
        eventos = eventos.assign(orden=np.arange(len(eventos), dtype="int64"))
    m.registrar("eventos", eventos)
    return m


def registrar_almacen(m: Motor, ruta: str | Path) -> Motor:
    """Register a Parquet store's envios and eventos files on ``m``, as they are: the engine
    reads only the columns and row groups each query needs (the files are one month each)."""
    from ..load import archivos_almacen, leer_almacen

    envios = archivos_almacen(ruta, "envios")
    eventos = archivos_almacen(ruta, "eventos")
    if envios and eventos:
        m.registrar("envios", envios)
        m.registrar("eventos", eventos)
        return m
    vacio = leer_almacen(ruta, filas=False)  # a store without sends or events: empty frames for those
    registrar_datos(m, vacio.envios, vacio.eventos)
    if envios:
        m.registrar("envios", envios)
    if eventos:
        m.registrar("eventos", eventos)
    return m


def valores_presentes(m: Motor, filtros: Filtros) -> tuple[dict[str, set[str]], int]:
    """For each list filter in use, the values of its column that the loaded sends have
    (among those it asks for), and how many sends are loaded."""
    from ..filters import LIST_FILTERS

    present: dict[str, set[str]] = {}
    for name, (column, _) in LIST_FILTERS.items():
        values = getattr(filtros, name)
        if values:
            quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
            found = m.consulta(f"SELECT DISTINCT {column} AS v FROM envios WHERE {column} IN ({quoted})")
            present[column] = set(found["v"].astype(str))
    loaded = int(m.consulta("SELECT count(*) AS n FROM envios")["n"].iloc[0])
    return present, loaded


def verificar(nombre: str) -> None:
    """Raise a Spanish :class:`ParamsError` when engine ``nombre`` cannot run on this machine."""
    import importlib.util
    import shutil

    from ..errors import ParamsError

    if nombre not in MOTORES:
        raise ParamsError(f"motor «{nombre}» no existe; elegí entre {', '.join(MOTORES)}.")
    if nombre == "duckdb":
        DuckDB().con.close()  # a bad $OUTBOUND_ANALYSIS_DUCKDB_MEMORIA is said here
    if nombre != "spark":
        return
    if importlib.util.find_spec("pyspark") is None:
        raise ParamsError(
            "motor: spark necesita pyspark, que no está instalado. Instalalo con "
            "«pip install -e '.[spark]'» (o usá motor: duckdb, que no necesita nada más)."
        )
    remote = os.environ.get("OUTBOUND_ANALYSIS_SPARK_MASTER", "").startswith("sc://")
    if not remote and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ParamsError(
            "motor: spark necesita Java 17 para correr Spark en esta máquina y no lo encontré. "
            "Instalalo (Debian: «sudo apt-get install openjdk-17-jre-headless», o «make java») o "
            "apuntá OUTBOUND_ANALYSIS_SPARK_MASTER a un Spark Connect (sc://host:15002)."
        )


# the table definitions register themselves on import
from . import carga as _carga  # noqa: E402,F401
from . import detallado as _detallado  # noqa: E402,F401
from . import flujos as _flujos  # noqa: E402,F401
from . import resumen as _resumen  # noqa: E402,F401

__all__ = [
    "CONSULTAS",
    "MOTORES",
    "Contexto",
    "DuckDB",
    "Motor",
    "Spark",
    "calcular",
    "consulta",
    "envios_por_lotes",
    "envios_primeros",
    "filas_cargadas",
    "motor",
    "registrar_almacen",
    "registrar_datos",
    "tamano_en_bytes",
    "valores_presentes",
    "verificar",
    "where_filtros",
]
del _registro
