"""The kpis row of Resumen (CONTRACT §3.1): one definition shared by every table that needs it.

total_contactos = distinct contacto_id among all filtered sends (any estado); envios /
envios_exitosos / envios_fallidos / envios_pendientes; leidos = exitosos with leido true OR
respondido true (a reply proves it was seen); respondidos / asignadas / ventas = exitosos
with that flag true; lectura_no_informada = exitosos with leido NA and respondido not true;
conversaciones_iniciadas / sobre_conversacion_abierta = exitosos with conversacion_nueva
true / false.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..filters import Filtros, filter_envios
from ._entrada import Entrada, codigo_sin_contacto

ETAPAS = ("enviado", "leido", "respondido", "asignado", "venta")
KPI_COLUMNS = [
    "total_contactos",
    "envios",
    "envios_exitosos",
    "envios_fallidos",
    "envios_pendientes",
    "leidos",
    "respondidos",
    "asignadas",
    "ventas",
    "lectura_no_informada",
    "conversaciones_iniciadas",
    "sobre_conversacion_abierta",
]


def kpis(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """One row with every metric of CONTRACT §3.1 (see the module docstring for each rule).

    >>> from outbound_analysis.metrics import ejemplo_envios
    >>> kpis(ejemplo_envios())[["envios", "envios_exitosos", "leidos"]].iloc[0].tolist()
    [4, 3, 2]
    """
    return Entrada(filter_envios(envios, filtros), filtros).una_vez(kpis_de)  # type: ignore[return-value]


def kpis_de(e: Entrada) -> pd.DataFrame:
    """The kpis row of one selection (computed once per selection through ``e.una_vez``)."""
    sums = e.indicadores.sum()
    codes = e.codigos_contacto()
    if codes is None:
        total_contactos = int(e.envios["contacto_id"].nunique())
    else:  # distinct codes among the selection, the "no contacto_id" code left out
        missing = codigo_sin_contacto(e.fuente)
        total_contactos = int(np.count_nonzero(np.bincount(codes, minlength=missing + 1)[:missing]))
    row = {
        "total_contactos": total_contactos,
        "envios": e.cantidad,
        **{k: int(sums[k]) for k in sums.index},
    }
    return kpis_tabla(row)


def kpis_tabla(valores: Mapping[str, int]) -> pd.DataFrame:
    """The kpis row from each metric's value (by name, :data:`KPI_COLUMNS`)."""
    return pd.DataFrame([{c: int(valores[c]) for c in KPI_COLUMNS}], columns=KPI_COLUMNS).astype("int64")
