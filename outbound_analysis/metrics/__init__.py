"""Report tables, exactly as CONTRACT §3 defines them. Pure: DataFrames in, DataFrames out.

One module per report (:mod:`.resumen`, :mod:`.detallado`, :mod:`.flujos`) plus the
header's tables (:mod:`.carga`) and the shared rules (:mod:`._base`). Every public
function takes the loaded ``envios`` (and ``eventos``) plus an optional
:class:`~outbound_analysis.filters.Filtros`, never mutates its inputs, and returns tables
whose names and columns are those of CONTRACT §4. Counts are ``int64``; percentages are
fractions in [0, 1] as ``Float64``, NA when the denominator is 0.

Each report module keeps a :class:`Registro` of its table functions (functions of an
:class:`Entrada`); :data:`TABLES` (what each report exports) and :func:`compute` come
from those registries, so a new table is one decorated function.

``metrics.resumen``, ``metrics.detallado`` and ``metrics.flujos`` are the functions that
compute a report's tables (as before the split); the modules of the same name are
imported by their full path (``from outbound_analysis.metrics.resumen import REGISTRO``).
"""

from __future__ import annotations

import pandas as pd

from ..filters import Filtros, filter_envios

# formulas over counts (one definition each), shared with the SQL engines (outbound_analysis.engines)
from . import _ab as formulas_ab
from . import _detalle as formulas_detalle
from . import _kpis as formulas_kpis
from . import _tiempo as formulas_tiempo
from . import carga
from . import detallado as _detallado_module
from . import flujos as _flujos_module
from . import resumen as _resumen_module
from ._base import ejemplo_envios, indicators, is_false, is_true, is_value, ratio
from ._contacto import buscar_contacto
from ._entrada import Entrada, Fuente, Registro
from ._kpis import ETAPAS, KPI_COLUMNS, kpis
from ._perfil import EventProfile, profile_events
from .detallado import (
    DETALLADO_COLUMNS,
    ENVIOS_DETAIL_COLUMNS,
    detallado,
    detallado_tables,
    envios_detalle,
    envios_primeros,
)
from .flujos import RESULTADOS_COLUMNS, SIN_MENSAJE, SIN_OPCION, campanas_en_alcance, flujos
from .resumen import embudo, fallas, por_origen, reconciliacion, resumen

#: each report's registry of tables (what it computes, shows and exports)
REGISTROS: dict[str, Registro] = {
    "resumen": _resumen_module.REGISTRO,
    "detallado": _detallado_module.REGISTRO,
    "flujos": _flujos_module.REGISTRO,
}
#: tables of each report, by name: what it exports (CONTRACT §4 plus resumen extras)
TABLES: dict[str, tuple[str, ...]] = {name: tuple(r.exportadas) for name, r in REGISTROS.items()}


def compute(
    informe: str,
    envios: pd.DataFrame,
    eventos: pd.DataFrame | EventProfile | None = None,
    filtros: Filtros | None = None,
) -> dict[str, pd.DataFrame]:
    """All tables of one report ("resumen", "detallado" or "flujos"), by name."""
    if informe not in REGISTROS:
        raise ValueError(f"unknown report {informe!r}")
    if informe == "flujos" and eventos is None:
        raise ValueError("flujos needs eventos")
    entrada = Entrada(filter_envios(envios, filtros), filtros, Fuente(eventos=eventos))
    return REGISTROS[informe].calcular(entrada, REGISTROS[informe].exportadas_de(None))


__all__ = [
    "DETALLADO_COLUMNS",
    "ENVIOS_DETAIL_COLUMNS",
    "ETAPAS",
    "KPI_COLUMNS",
    "REGISTROS",
    "RESULTADOS_COLUMNS",
    "SIN_MENSAJE",
    "SIN_OPCION",
    "TABLES",
    "Entrada",
    "EventProfile",
    "Fuente",
    "Registro",
    "buscar_contacto",
    "campanas_en_alcance",
    "carga",
    "compute",
    "detallado",
    "detallado_tables",
    "ejemplo_envios",
    "embudo",
    "envios_detalle",
    "envios_primeros",
    "fallas",
    "flujos",
    "formulas_ab",
    "formulas_detalle",
    "formulas_kpis",
    "formulas_tiempo",
    "indicators",
    "is_false",
    "is_true",
    "is_value",
    "kpis",
    "por_origen",
    "profile_events",
    "ratio",
    "reconciliacion",
    "resumen",
]
