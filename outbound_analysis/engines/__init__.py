"""Engines: the same report tables computed by pandas (in memory), DuckDB (out of core) or Spark.

The pandas engine is :mod:`outbound_analysis.metrics`. The SQL engines share one
definition per table (:mod:`._registro`, templates under ``sql/``), written in DuckDB's
SQL and transpiled for Spark by sqlglot (:mod:`._sql`).

>>> MOTORES
('pandas', 'duckdb', 'spark')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import _registro
from ._registro import CONSULTAS, Contexto, calcular, consulta
from ._sql import DuckDB, Motor, Spark, motor, where_filtros

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
                "orden": pd.Series(dtype="int64"),
            }
        )
    if isinstance(eventos, pd.DataFrame) and "orden" not in eventos.columns:
        eventos = eventos.assign(orden=np.arange(len(eventos), dtype="int64"))
    m.registrar("eventos", eventos)
    return m


# the table definitions register themselves on import
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
    "motor",
    "registrar_datos",
    "where_filtros",
]
del _registro
