"""What a report's tables are computed from, and the registry that says which tables a report has.

:class:`Fuente` is the loaded data plus what is computed from it once whatever the
filters (the events' profile); every view of the same data shares one. :class:`Entrada`
is one selection: the filtered sends, the filters and the Fuente. Table functions take an
Entrada and return a DataFrame; intermediate results shared by several tables (the
indicators, the kpis row, the flujos conversations) are computed once per Entrada with
:meth:`Entrada.una_vez`. An Entrada never changes, so nothing it remembers goes stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..filters import Filtros
from ..load import Dataset
from ..params import Parametros
from ._base import indicators
from ._perfil import EventProfile, profile_events

TableFn = Callable[["Entrada"], pd.DataFrame]


@dataclass(frozen=True, eq=False)
class Fuente:
    """The loaded data: the events (or their profile) and, when known, the whole :class:`Dataset`.

    ``perfil_eventos`` is computed on first use and kept: it does not depend on filters,
    so a filter change (a new :class:`Entrada` over the same Fuente) does not redo it.
    """

    eventos: pd.DataFrame | EventProfile | None = None
    datos: Dataset | None = None
    _memo: dict[Callable[[Fuente], object], object] = field(default_factory=dict, repr=False)

    def una_vez(self, fn: Callable[[Fuente], object]) -> object:
        """``fn(self)``, computed on the first call only (per-data work that no filter changes)."""
        if fn not in self._memo:
            self._memo[fn] = fn(self)
        return self._memo[fn]

    @classmethod
    def de_datos(cls, datos: Dataset) -> Fuente:
        """The Fuente of a loaded :class:`Dataset`."""
        return cls(eventos=datos.eventos, datos=datos)

    @cached_property
    def perfil_eventos(self) -> EventProfile:
        if isinstance(self.eventos, EventProfile):
            return self.eventos
        if self.eventos is None:
            raise ValueError("flujos needs eventos")
        return profile_events(self.eventos)


@dataclass(frozen=True, eq=False)
class Entrada:
    """One selection: the sends that passed ``filtros`` and the :class:`Fuente` they came from.

    ``parametros`` are the report's parameters, for tables that depend on one beyond the
    filters (None when a table is computed outside a report). ``posiciones``: the rows of
    ``fuente.datos.envios`` that ``envios`` are, when known (per-data-set work, such as the
    contacts' codes, is then taken by position instead of being redone per selection).
    """

    envios: pd.DataFrame
    filtros: Filtros | None = None
    fuente: Fuente = field(default_factory=Fuente)
    parametros: Parametros | None = None
    posiciones: np.ndarray | None = field(default=None, repr=False)
    _memo: dict[Callable[[Entrada], object], object] = field(default_factory=dict, repr=False)

    def una_vez(self, fn: Callable[[Entrada], object]) -> object:
        """``fn(self)``, computed on the first call only (intermediates shared by several tables)."""
        if fn not in self._memo:
            self._memo[fn] = fn(self)
        return self._memo[fn]

    def codigos_contacto(self) -> np.ndarray | None:
        """Per selected send, its contact's code in the loaded data (equal ids, equal codes; a
        missing contacto_id is code ``len(distinct ids)``); None when the positions are unknown.

        Hashing a million contact ids takes about half a second: done once per data set.
        """
        if self.fuente.datos is None or self.posiciones is None:
            return None
        codes: np.ndarray = self.fuente.una_vez(_codigos_contacto)  # type: ignore[assignment]
        return codes[self.posiciones]

    @property
    def indicadores(self) -> pd.DataFrame:
        """:func:`indicators` of the filtered sends, computed once."""
        return self.una_vez(_indicadores)  # type: ignore[return-value]


def _codigos_contacto(f: Fuente) -> np.ndarray:
    codes, uniques = pd.factorize(f.datos.envios["contacto_id"])  # type: ignore[union-attr]
    codes = codes.astype(np.int64)
    codes[codes < 0] = len(uniques)
    return codes


def _indicadores(e: Entrada) -> pd.DataFrame:
    return indicators(e.envios)


class Registro:
    """One report's tables, in order: name -> function of an :class:`Entrada`.

    ``exportadas`` are the report's tables (computed, shown and exported, CONTRACT §4);
    ``apoyo`` are tables that only a section reads (computed and shown, never exported).
    Adding a table is writing its function under ``@REGISTRO.tabla("nombre")``.
    ``si``: the table exists only when ``si(parametros)`` is true (e.g. ``ab`` needs
    ``comparar``); ``archivos``: extra CSV files the export writes from the finished table
    (e.g. one audience file per segment).
    """

    def __init__(self) -> None:
        self.funciones: dict[str, TableFn] = {}
        self.exportadas: list[str] = []
        self.apoyo: list[str] = []
        self.condiciones: dict[str, Callable[[Parametros | None], bool]] = {}
        self.archivos: dict[str, Callable[[pd.DataFrame], dict[str, pd.DataFrame]]] = {}

    def tabla(
        self,
        nombre: str,
        *,
        exportar: bool = True,
        si: Callable[[Parametros | None], bool] | None = None,
        archivos: Callable[[pd.DataFrame], dict[str, pd.DataFrame]] | None = None,
    ) -> Callable[[TableFn], TableFn]:
        """Decorator: register ``fn`` as table ``nombre`` (``exportar=False``: shown, not exported)."""

        def register(fn: TableFn) -> TableFn:
            self.agregar(nombre, fn, exportar=exportar)
            if si is not None:
                self.condiciones[nombre] = si
            if archivos is not None:
                self.archivos[nombre] = archivos
            return fn

        return register

    def agregar(self, nombre: str, fn: TableFn, *, exportar: bool = True) -> None:
        """Register ``fn`` as table ``nombre``."""
        if nombre in self.funciones:
            raise ValueError(f"table {nombre!r} registered twice")
        self.funciones[nombre] = fn
        (self.exportadas if exportar else self.apoyo).append(nombre)

    def exportadas_de(self, parametros: Parametros | None) -> list[str]:
        """The exported tables that exist with ``parametros`` (see ``si``), in order."""
        return [n for n in self.exportadas if n not in self.condiciones or self.condiciones[n](parametros)]

    def archivos_de(self, tablas: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """The extra files of the finished ``tablas``: file stem -> contents."""
        return {
            stem: frame
            for name, fn in self.archivos.items()
            if name in tablas
            for stem, frame in fn(tablas[name]).items()
        }

    def calcular(self, entrada: Entrada, nombres: Iterable[str]) -> dict[str, pd.DataFrame]:
        """The tables ``nombres`` over ``entrada``, in that order."""
        return {name: self.funciones[name](entrada) for name in nombres}
