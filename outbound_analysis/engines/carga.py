"""The header tables that count rows (``seleccion``, and the row counts of ``totales_carga``)
on the SQL engines; the others read only the load report and come from :mod:`metrics.carga`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._registro import CONSULTAS, Contexto, consulta

TABLAS = CONSULTAS["carga"]


def _consulta(ctx: Contexto) -> pd.DataFrame:
    return ctx.sql("carga/seleccion.sql")


def _fila(ctx: Contexto) -> pd.Series:
    return ctx.una_vez(_consulta).iloc[0]  # type: ignore[union-attr]


def _dia(value: object) -> object:
    return None if pd.isna(value) else pd.Timestamp(value).date()


@consulta("carga", "seleccion")
def seleccion(ctx: Contexto) -> pd.DataFrame:
    """As :func:`outbound_analysis.metrics.carga.seleccion` (envios, envios_cargados, primer_dia,
    ultimo_dia), counted by the engine."""
    r = _fila(ctx)
    return pd.DataFrame(
        {
            "envios": np.array([int(r["envios"])], dtype=np.int64),
            "envios_cargados": np.array([int(r["envios_cargados"])], dtype=np.int64),
            "primer_dia": [_dia(r["primero"])],
            "ultimo_dia": [_dia(r["ultimo"])],
        }
    )


def filas_cargadas(ctx: Contexto) -> dict[str, int]:
    """Rows of envios and eventos the engine reads (the ``filas`` of ``totales_carga``)."""
    r = _fila(ctx)
    return {"envios": int(r["envios_cargados"]), "eventos": int(r["eventos_cargados"])}
