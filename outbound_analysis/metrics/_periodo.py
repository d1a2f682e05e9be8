"""The Resumen's ``periodo_anterior``: the selection's kpis next to the previous period's (CONTRACT §5.1).

The previous period has the same number of days and ends the day before fecha_desde,
every other filter unchanged; it exists only when fecha_desde and fecha_hasta are both
set (otherwise the table has no rows). Re-exported by :mod:`._tiempo` with the other
Resumen tables beyond the platform's screens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._convert import YEAR_MIN
from .._text import fmt_pct
from ..filters import Filtros, envios_mask
from ._base import ratio
from ._kpis import KPI_COLUMNS, kpis

PERIODO_ANTERIOR_COLUMNS = ["metrica", "actual", "anterior", "diferencia", "variacion"]


@dataclass(frozen=True)
class PeriodoAnterior:
    """The selection's kpis next to those of the previous period (CONTRACT §5.1).

    ``tabla`` has the columns :data:`PERIODO_ANTERIOR_COLUMNS` (no rows when the period is
    not defined). ``desde``/``hasta`` bound the previous period (None when not defined).
    ``envios_cargados`` counts the loaded sends of the previous period with NO other
    filter: 0 means the files do not reach back that far. ``primer_dia_cargado`` is the
    local day of the earliest loaded send (None with no sends). ``pedido``: fecha_desde and
    fecha_hasta were both given (the period is still not defined when it would start before
    1900).
    """

    tabla: pd.DataFrame
    desde: dt.date | None
    hasta: dt.date | None
    envios_cargados: int
    primer_dia_cargado: dt.date | None
    pedido: bool = False

    @classmethod
    def sin_definir(cls, filtros: Filtros | None) -> PeriodoAnterior:
        """The comparison that does not exist for ``filtros`` (:func:`rango_anterior` is None)."""
        pedido = filtros is not None and None not in (filtros.fecha_desde, filtros.fecha_hasta)
        return cls(periodo_tabla([], [], []), None, None, 0, None, pedido)

    @property
    def definido(self) -> bool:
        """True when fecha_desde and fecha_hasta are both set (the comparison exists)."""
        return self.desde is not None

    @property
    def sin_envios_cargados(self) -> bool:
        """True when the loaded files hold no send of the previous period."""
        return self.definido and self.envios_cargados == 0

    @property
    def incompleto(self) -> bool:
        """True when the loaded files start after the first day of the previous period."""
        return (
            self.definido
            and self.envios_cargados > 0
            and self.primer_dia_cargado is not None
            and self.desde is not None
            and self.primer_dia_cargado > self.desde
        )

    def nota(self) -> str | None:
        """What the report must say about the comparison, in Spanish (None: nothing to say)."""
        if not self.definido and self.pedido:
            return (
                f"El período anterior empezaría antes de {YEAR_MIN}, y no hay envíos tan viejos: "
                "no hay con qué comparar."
            )
        if not self.definido:
            return (
                "Para comparar con el período anterior elegí fecha_desde y fecha_hasta: "
                "el período anterior es el mismo número de días justo antes de fecha_desde."
            )
        assert self.desde is not None and self.hasta is not None
        periodo = f"del {self.desde:%d/%m/%Y} al {self.hasta:%d/%m/%Y}"
        if self.sin_envios_cargados:
            return (
                f"Los archivos cargados no tienen envíos del período anterior ({periodo}): "
                "la columna «anterior» queda en 0 y no hay variación para calcular. "
                "Cargá también los envíos de esas fechas para comparar."
            )
        if self.incompleto:
            assert self.primer_dia_cargado is not None
            return (
                f"Los archivos cargados empiezan el {self.primer_dia_cargado:%d/%m/%Y}: el período "
                f"anterior ({periodo}) está incompleto y sus números son más bajos de lo que fueron."
            )
        return None


def rango_anterior(filtros: Filtros | None) -> tuple[dt.date, dt.date] | None:
    """The previous period: same number of days, ending the day before fecha_desde.

    None unless fecha_desde and fecha_hasta are both set, and when it would start before
    1900 (no loaded send is that old: there is nothing to compare with).

    >>> rango_anterior(Filtros(fecha_desde="2026-08-10", fecha_hasta="2026-08-16"))
    (datetime.date(2026, 8, 3), datetime.date(2026, 8, 9))
    """
    if filtros is None or filtros.fecha_desde is None or filtros.fecha_hasta is None:
        return None
    days = (filtros.fecha_hasta - filtros.fecha_desde).days + 1
    if filtros.fecha_desde - dt.date(YEAR_MIN, 1, 1) < dt.timedelta(days=days):
        return None
    return filtros.fecha_desde - dt.timedelta(days=days), filtros.fecha_desde - dt.timedelta(days=1)


def comparar_periodo(
    envios: pd.DataFrame, filtros: Filtros | None, actual: pd.DataFrame | None = None
) -> PeriodoAnterior:
    """The selection against the previous period; ``envios`` are ALL loaded sends (unfiltered).

    One row per metric of ``KPI_COLUMNS``, in that order: ``actual``, ``anterior``,
    ``diferencia`` (actual - anterior) and ``variacion`` (actual / anterior - 1, NA when
    anterior is 0). ``actual`` may pass the selection's kpis table when already computed.
    When the dates are not both set the table has the columns and no rows.

    >>> from outbound_analysis.metrics._tiempo import ejemplo_envios
    >>> f = Filtros(fecha_desde="2026-08-12", fecha_hasta="2026-08-12")
    >>> c = comparar_periodo(ejemplo_envios(), f)
    >>> c.desde, c.envios_cargados
    (datetime.date(2026, 8, 11), 0)
    >>> c.tabla["metrica"].iloc[1], c.tabla["actual"].iloc[1], c.tabla["anterior"].iloc[1]
    ('envios', np.int64(3), np.int64(0))
    >>> bool(c.tabla["variacion"].isna().all()), c.sin_envios_cargados
    (True, True)
    """
    rango = rango_anterior(filtros)
    if rango is None or filtros is None:
        return PeriodoAnterior.sin_definir(filtros)
    desde, hasta = rango
    now = kpis(envios, filtros) if actual is None else actual
    before = kpis(envios, filtros.with_(fecha_desde=desde, fecha_hasta=hasta))
    solo_fechas = Filtros(fecha_desde=desde, fecha_hasta=hasta, zona_horaria=filtros.zona_horaria)
    cargados = int(envios_mask(envios, solo_fechas).sum())
    primer = None
    earliest = envios["fecha_envio"].min()
    if not pd.isna(earliest):
        earliest = pd.Timestamp(earliest)
        primer = (earliest.tz_convert(filtros.zona_horaria) if earliest.tzinfo else earliest).date()
    cols = KPI_COLUMNS
    table = periodo_tabla(
        cols,
        now[cols].iloc[0].to_numpy(dtype=np.int64),
        before[cols].iloc[0].to_numpy(dtype=np.int64),
    )
    return PeriodoAnterior(table, desde, hasta, cargados, primer)


def periodo_tabla(names, actual, anterior) -> pd.DataFrame:
    """The ``periodo_anterior`` table from the metrics' names and their actual and previous values."""
    actual = np.asarray(actual, dtype=np.int64)
    anterior = np.asarray(anterior, dtype=np.int64)
    variacion = ratio(actual - anterior, anterior)
    return pd.DataFrame(
        {
            "metrica": pd.array(list(names), dtype="string"),
            "actual": actual,
            "anterior": anterior,
            "diferencia": actual - anterior,
            "variacion": variacion.array,
        }
    )[PERIODO_ANTERIOR_COLUMNS]


def periodo_anterior(envios: pd.DataFrame, filtros: Filtros | None) -> pd.DataFrame:
    """The ``periodo_anterior`` table of :func:`comparar_periodo` (no rows unless both dates are set)."""
    return comparar_periodo(envios, filtros).tabla


def texto_variacion(variacion: object, digits: int = 1) -> str:
    """A KPI card's delta: ``"+12,5 % vs. período anterior"``; NA (anterior 0) says so.

    >>> texto_variacion(0.125), texto_variacion(-0.5), texto_variacion(0), texto_variacion(None)
    ('+12,5 % vs. período anterior', '-50,0 % vs. período anterior', 'igual que el período anterior', \
'0 en el período anterior: sin variación')
    """
    text = fmt_pct(variacion, digits)
    if text == fmt_pct(None):
        return "0 en el período anterior: sin variación"
    if float(variacion) == 0:  # type: ignore[arg-type]
        return "igual que el período anterior"
    sign = "+" if float(variacion) > 0 and not text.startswith("-") else ""  # type: ignore[arg-type]
    return f"{sign}{text} vs. período anterior"
