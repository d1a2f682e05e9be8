"""outbound_analysis: the Atom platform's Outbound reports (Resumen, Detallado, Flujos por
Tipificaciones) as a Python package and parameterized notebooks.

Layers: :mod:`.load` (the only file reading) -> :mod:`.filters` -> :mod:`.metrics`
(pure tables) -> :mod:`.charts` (figures) -> :mod:`.report` / :mod:`.runner` /
:mod:`.exports` (display and the only writing).
"""

from __future__ import annotations

from . import _plotly_setup, charts, metrics
from .errors import DataError, OutboundError, ParamsError, ReportError
from .exports import export_tables
from .filters import Filtros, apply_filters, filter_envios, filter_eventos
from .guide import Guia
from .load import Dataset, load_data, load_table
from .metrics import (
    EventProfile,
    buscar_contacto,
    detallado,
    detallado_tables,
    embudo,
    flujos,
    kpis,
    profile_events,
    reconciliacion,
    resumen,
)
from .params import Parametros, read_params
from .report import Informe

__version__ = "0.1.0"

_plotly_setup.install()

__all__ = [
    "DataError",
    "Dataset",
    "EventProfile",
    "Filtros",
    "Guia",
    "Informe",
    "OutboundError",
    "Parametros",
    "ParamsError",
    "ReportError",
    "__version__",
    "apply_filters",
    "buscar_contacto",
    "charts",
    "detallado",
    "detallado_tables",
    "embudo",
    "export_tables",
    "filter_envios",
    "filter_eventos",
    "flujos",
    "kpis",
    "load_data",
    "load_table",
    "metrics",
    "profile_events",
    "read_params",
    "reconciliacion",
    "resumen",
]
