"""The SQL engines' tables: one query definition per table, for DuckDB and Spark alike.

A table is a function of a :class:`Contexto` registered under its report and name with
``@consulta("resumen", "kpis")``. It runs its SQL (a template under ``engines/sql/``,
DuckDB dialect, see :mod:`._sql`) through ``ctx.sql(...)`` and finishes the (small)
result in Python: the same formulas as the pandas engine (rates, intervals, labels)
applied to the counts the query returned, and the same column names and dtypes, so an
engine's table equals the pandas table of CONTRACT §3/§5 exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd

from ..filters import Filtros
from ..load import DEFAULT_TZ
from ..params import Parametros
from ._sql import Motor, where_filtros

ConsultaFn = Callable[["Contexto"], pd.DataFrame]

#: report -> table name -> function of a Contexto
CONSULTAS: dict[str, dict[str, ConsultaFn]] = {"resumen": {}, "detallado": {}, "flujos": {}, "carga": {}}


def consulta(informe: str, nombre: str) -> Callable[[ConsultaFn], ConsultaFn]:
    """Decorator: ``fn`` computes table ``nombre`` of report ``informe`` on an SQL engine."""

    def register(fn: ConsultaFn) -> ConsultaFn:
        if nombre in CONSULTAS[informe]:
            raise ValueError(f"table {informe}.{nombre} registered twice")
        CONSULTAS[informe][nombre] = fn
        return fn

    return register


def plantilla(ruta: str) -> str:
    """The text of SQL template ``ruta`` (e.g. ``"resumen/kpis.sql"``) under ``engines/sql/``."""
    return resources.files(__package__).joinpath("sql", ruta).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Contexto:
    """One selection on one engine: the engine (with ``envios``/``eventos`` registered),
    the filters and the report's parameters.

    Queries read ``envios`` and ``eventos`` (the whole data set) and filter with
    ``{{ where }}`` (the filters as SQL); the ``sel`` view is ``envios`` after the filters.
    """

    motor: Motor
    filtros: Filtros | None = None
    parametros: Parametros | None = None
    #: whether an eventos file was loaded (the load report knows; None: judge by the parameters)
    eventos_dados: bool | None = None
    _memo: dict[Callable[[Contexto], object], object] = field(default_factory=dict, compare=False, repr=False)

    def una_vez(self, fn: Callable[[Contexto], object]) -> object:
        """``fn(self)``, run on the first call only: one query whose result several tables share."""
        if fn not in self._memo:
            self._memo[fn] = fn(self)
        return self._memo[fn]

    @property
    def tz(self) -> str:
        return self.filtros.zona_horaria if self.filtros is not None else DEFAULT_TZ

    @property
    def where(self) -> str:
        return where_filtros(self.filtros, self.motor.dialecto)

    def render(self, template: str, **context: object) -> str:
        """``template`` (SQL text, or a ``.sql`` path under ``engines/sql/``) ready to run."""
        text = plantilla(template) if template.endswith(".sql") else template
        return self.motor.render(text, self.tz, where=self.where, **context)

    def sql(self, template: str, **context: object) -> pd.DataFrame:
        """Run ``template`` (see :meth:`render`) and return its result."""
        return self.motor.consulta(self.render(template, **context))

    def preparar(self) -> Contexto:
        """(Re)define the ``sel`` view for these filters; returns self."""
        self.motor.vista("sel", f"SELECT * FROM envios WHERE {self.where}")
        return self


def calcular(
    motor: Motor,
    informe: str,
    nombres: Iterable[str],
    filtros: Filtros | None = None,
    parametros: Parametros | None = None,
    eventos_dados: bool | None = None,
) -> dict[str, pd.DataFrame]:
    """Tables ``nombres`` of ``informe`` on ``motor`` (which has ``envios``/``eventos`` registered)."""
    ctx = Contexto(motor, filtros, parametros, eventos_dados).preparar()
    return {name: CONSULTAS[informe][name](ctx) for name in nombres}
