"""How many reports a run starts at a time when ``--paralelo`` is ``auto`` (the CLI's default).

As many as the machine has cores, as long as their kernels fit in the memory that is free
now; with the doubt, one at a time. A report's kernel, measured (docs/performance.md): with
pandas it holds the sends, about 0.9 GB per million on top of half a gigabyte (1 million:
1.2 GB; 10 million: 8.5 GB); with an SQL engine over a store it stays within DuckDB's limit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ._text import fmt_int

#: what a kernel takes before any data (Python, pandas, plotly, the notebook)
BASE_GB = 0.5
#: what the pandas engine adds per million sends (eventos included, in the demo's proportion)
GB_POR_MILLON = 0.9
#: what a kernel on an SQL engine over a store takes: DuckDB's default limit (3 GB; 3.3 GB measured
#: at 30 million sends, docs/performance.md)
SQL_GB = 3.0
#: share of the free memory the kernels may take together
FRACCION_LIBRE = 0.8


@dataclass(frozen=True)
class Eleccion:
    """The reports at a time and why (the run says it in one line)."""

    informes: int
    nucleos: int
    libre_gb: float | None
    por_informe_gb: float

    def motivo(self) -> str:
        libre = (
            "memoria libre desconocida"
            if self.libre_gb is None
            else f"{self.libre_gb:.1f} GB de memoria libre".replace(".", ",")
        )
        por = f"{self.por_informe_gb:.1f}".replace(".", ",")
        return (
            f"Informes a la vez: {fmt_int(self.informes)} (automático: {fmt_int(self.nucleos)} núcleos, "
            f"{libre}, unos {por} GB por informe; elegí otro número con --paralelo)."
        )


def memoria_por_informe(envios: int | None) -> float:
    """GB a report's kernel takes: ``envios`` rows held by pandas, or (None) an SQL engine's.

    >>> memoria_por_informe(1_000_000), memoria_por_informe(None)
    (1.4, 3.5)
    """
    if envios is None:
        return BASE_GB + SQL_GB
    return round(BASE_GB + GB_POR_MILLON * envios / 1_000_000, 2)


def elegir(trabajos: int, por_informe_gb: float, nucleos: int, libre_gb: float | None) -> Eleccion:
    """Reports at a time: cores, reports to run and the kernels that fit in free memory, the least
    (free memory unknown: one).

    >>> elegir(3, 1.4, nucleos=2, libre_gb=20.0).informes
    2
    >>> elegir(3, 9.5, nucleos=2, libre_gb=20.0).informes  # two 10-million-send kernels: too much
    1
    """
    entran = 1 if libre_gb is None else int(libre_gb * FRACCION_LIBRE // max(por_informe_gb, 0.1))
    return Eleccion(max(1, min(nucleos, trabajos, entran)), nucleos, libre_gb, por_informe_gb)


def elegir_aqui(trabajos: int, por_informe_gb: float) -> Eleccion:
    """:func:`elegir` with this machine's cores and free memory, read now."""
    return elegir(trabajos, por_informe_gb, _nucleos(), memoria_libre_gb())


def _nucleos() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers, taskset)
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def memoria_libre_gb(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    """The memory available now (Linux's MemAvailable), in GB; None where it cannot be read."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024**2
    except (OSError, ValueError, IndexError):
        return None
    return None
