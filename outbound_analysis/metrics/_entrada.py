"""What a report's tables are computed from, and the registry that says which tables a report has.

:class:`Fuente` is the loaded data plus what is computed from it once whatever the
filters (the events' profile); every view of the same data shares one. :class:`Entrada`
is one selection: the filtered sends, the filters and the Fuente. Table functions take an
Entrada and return a DataFrame; intermediate results shared by several tables (the
indicators, the kpis row, the flujos conversations) are computed once per Entrada with
:meth:`Entrada.una_vez`. An Entrada never changes, so nothing it remembers goes stale.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .._convert import codigos_de_ids, texto_arrow
from .._memo import Memo
from ..filters import Filtros
from ..load import Dataset
from ..params import Parametros
from ._base import indicators
from ._perfil import EventProfile, codigos_conversacion, profile_events

TableFn = Callable[["Entrada"], pd.DataFrame]

#: threads that compute a report's per-data-set arrays together (:meth:`Fuente.preparar`)
HILOS = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True, eq=False)
class Fuente:
    """The loaded data: the events (or their profile) and, when known, the whole :class:`Dataset`.

    ``perfil_eventos`` is computed on first use and kept: it does not depend on filters,
    so a filter change (a new :class:`Entrada` over the same Fuente) does not redo it.
    """

    eventos: pd.DataFrame | EventProfile | None = None
    datos: Dataset | None = None
    _memo: Memo = field(default_factory=Memo, repr=False)

    def una_vez(self, fn: Callable[[Fuente], object]) -> object:
        """``fn(self)``, computed on the first call only (per-data work that no filter changes).

        Thread-safe (:class:`~outbound_analysis._memo.Memo`): a call while another thread
        computes ``fn`` waits for that result; a call that raises leaves nothing behind.
        """
        return self._memo.una_vez(fn, lambda: fn(self))

    def preparar(self, fns: Iterable[Callable[[Fuente], object]]) -> None:
        """Compute the per-data-set ``fns`` not yet computed, on two threads when the machine has
        two cores (their work is mostly in NumPy and Arrow, which release the GIL).

        A report's tables need several such arrays (contact codes, the send order, the event
        profile); one after another they are most of a report's first computation. A function
        that fails is left for its table to call, where the error belongs.
        """
        pendientes = [fn for fn in fns if fn not in self._memo]
        hilos = min(len(pendientes), HILOS)
        if hilos < 2:
            return  # each is computed when first used
        with ThreadPoolExecutor(max_workers=hilos, thread_name_prefix="preparar") as pool:
            for hecho in [pool.submit(self.una_vez, fn) for fn in pendientes]:
                hecho.exception()  # wait; an error surfaces where the table calls it

    def tiene(self, fn: Callable[[Fuente], object]) -> bool:
        """Whether ``fn`` is computed or being computed (:meth:`una_vez` then returns it)."""
        return fn in self._memo

    def preparar_en_fondo(self, fns: Iterable[Callable[[Fuente], object]]) -> threading.Thread:
        """Compute ``fns`` on a background thread (what a filter panel will use while the analyst
        reads the report); returns the thread. A function that fails is left undone: the
        tables that would use it compute without it."""

        def preparar() -> None:
            for fn in fns:
                with contextlib.suppress(Exception):  # an optimization only: the tables do without it
                    self.una_vez(fn)

        hilo = threading.Thread(target=preparar, name="preparar-panel", daemon=True)
        hilo.start()
        return hilo

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
        if self.datos is not None and self.datos.eventos is self.eventos:
            ev, ids, _ = self.una_vez(conversaciones_datos)  # type: ignore[misc]
            return profile_events(self.eventos, (ev, ids))
        return profile_events(self.eventos)


class _Envios:
    """``Entrada.envios``: the frame given, or (None given, with the data and the positions) the
    loaded sends at ``posiciones``, taken on first read and kept. A selection whose tables read
    per-data-set arrays by position never copies its sends (22 columns of a million rows: ~0.1 s)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    def __get__(self, obj: Entrada | None, owner: type | None = None) -> Any:
        if obj is None:
            return None  # the dataclass field's default
        value = obj.__dict__.get(self._slot)
        if value is None:
            datos, posiciones = obj.fuente.datos, obj.posiciones
            if datos is None or posiciones is None:
                raise ValueError("an Entrada needs its envios, or the loaded data and the positions")
            todos = datos.envios
            value = todos if len(posiciones) == len(todos) else todos.take(posiciones)
            obj.__dict__[self._slot] = value
        return value

    def __set__(self, obj: Entrada, value: pd.DataFrame | None) -> None:
        obj.__dict__[self._slot] = value


@dataclass(frozen=True, eq=False)
class Entrada:
    """One selection: the sends that passed ``filtros`` and the :class:`Fuente` they came from.

    ``parametros`` are the report's parameters, for tables that depend on one beyond the
    filters (None when a table is computed outside a report). ``posiciones``: the rows of
    ``fuente.datos.envios`` that ``envios`` are, increasing, when known (per-data-set work,
    such as the contacts' codes or the local days, is then taken by position instead of being
    redone per selection: see :meth:`tomar`). With the positions, ``envios`` may be None: the
    frame is then taken from the loaded sends only if a table reads it.
    """

    envios: pd.DataFrame = _Envios()  # type: ignore[assignment]
    filtros: Filtros | None = None
    fuente: Fuente = field(default_factory=Fuente)
    parametros: Parametros | None = None
    posiciones: np.ndarray | None = field(default=None, repr=False)
    _memo: Memo = field(default_factory=Memo, repr=False)

    def una_vez(self, fn: Callable[[Entrada], object]) -> object:
        """``fn(self)``, computed on the first call only (intermediates shared by several tables)."""
        return self._memo.una_vez(fn, lambda: fn(self))

    def codigos_contacto(self) -> np.ndarray | None:
        """Per selected send, its contact's code in the loaded data (equal ids, equal codes; a
        missing contacto_id is code ``len(distinct ids)``); None when the positions are unknown.

        Hashing a million contact ids takes about half a second: done once per data set.
        """
        if self.fuente.datos is None or self.posiciones is None:
            return None
        codes: np.ndarray = self.fuente.una_vez(_codigos_contacto)  # type: ignore[assignment]
        return codes[self.posiciones]

    def codigos_contacto_cargados(self) -> np.ndarray:
        """Every loaded send's contact code (read-only; see :meth:`codigos_contacto`), once per data set."""
        return self.fuente.una_vez(_codigos_contacto)  # type: ignore[return-value]

    @property
    def por_posicion(self) -> bool:
        """Whether the selection's rows in the loaded sends are known (:meth:`tomar` works)."""
        return self.fuente.datos is not None and self.posiciones is not None

    @property
    def cantidad(self) -> int:
        """How many sends the selection has (without taking its frame)."""
        return len(self.posiciones) if self.por_posicion else len(self.envios)  # type: ignore[arg-type]

    @property
    def todas(self) -> bool:
        """Whether every loaded send is selected (by position: then :meth:`tomar` takes nothing)."""
        return self.por_posicion and len(self.posiciones) == len(self.fuente.datos.envios)  # type: ignore

    def tomar(self, fn: Callable[[Fuente], Any]) -> Any:
        """``fn(fuente)`` (one value per loaded send: an array, Series or frame, computed once per
        data set) at the selection's rows; None when the positions are unknown.

        With every send selected it is the per-data-set value itself: read it, never write it.
        """
        if not self.por_posicion:
            return None
        todo = self.fuente.una_vez(fn)
        if self.todas:
            return todo
        if isinstance(todo, pd.DataFrame | pd.Series):
            return todo.take(self.posiciones)  # type: ignore[arg-type]
        return todo[self.posiciones]

    def mascara(self) -> np.ndarray | None:
        """Over every loaded send, whether it is selected (once per selection); None without positions."""
        if not self.por_posicion:
            return None
        return self.una_vez(_mascara)  # type: ignore[return-value]

    @property
    def indicadores(self) -> pd.DataFrame:
        """:func:`indicators` of the filtered sends, computed once (by position: taken from the
        loaded sends' indicators, computed once per data set)."""
        return self.una_vez(_indicadores)  # type: ignore[return-value]


def solo_lectura(a: np.ndarray) -> np.ndarray:
    """``a`` made read-only: per-data-set arrays are shared by every selection."""
    a.flags.writeable = False
    return a


def conversaciones_datos(f: Fuente) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """:func:`codigos_conversacion` of the loaded events and sends, once per data set: the
    event profile and the sends' conversations share one encoding."""
    ev, ids, envios = codigos_conversacion(
        f.datos.eventos["conversacion_id"], f.datos.envios["conversacion_id"]
    )  # type: ignore[union-attr]
    return solo_lectura(ev), ids, solo_lectura(envios)


def contactos_datos(f: Fuente) -> tuple[np.ndarray, pa.Array]:
    """Every loaded send's contact code and the distinct ids (hashed once per data set).

    A missing contacto_id has code ``len(ids)``.
    """
    contactos = f.datos.envios["contacto_id"]  # type: ignore[union-attr]
    codes, first = codigos_de_ids(contactos)
    codes[codes < 0] = len(first)
    return solo_lectura(codes), texto_arrow(contactos).take(pa.array(first))


def _factorizar_contactos(f: Fuente) -> tuple[np.ndarray, int]:
    codes, ids = f.una_vez(contactos_datos)  # type: ignore[misc]
    return codes, len(ids)


def _codigos_contacto(f: Fuente) -> np.ndarray:
    return f.una_vez(_factorizar_contactos)[0]  # type: ignore[index]


def codigo_sin_contacto(f: Fuente) -> int:
    """The code of a missing contacto_id in :meth:`Entrada.codigos_contacto` (the number of ids)."""
    return f.una_vez(_factorizar_contactos)[1]  # type: ignore[index]


def _mascara(e: Entrada) -> np.ndarray:
    out = np.zeros(len(e.fuente.datos.envios), dtype=bool)  # type: ignore[union-attr]
    out[e.posiciones] = True  # type: ignore[index]
    return solo_lectura(out)


def indicadores_datos(f: Fuente) -> pd.DataFrame:
    """:func:`indicators` of every loaded send (once per data set)."""
    return indicators(f.datos.envios)  # type: ignore[union-attr]


def _indicadores(e: Entrada) -> pd.DataFrame:
    ind = e.tomar(indicadores_datos)
    if ind is None:
        return indicators(e.envios)
    return ind.copy(deep=False) if e.todas else ind  # a new frame (copy on write): the data set's stays as is


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
        #: per-data-set functions the tables use, computed together before the first table
        self.previos: list[Callable[[Fuente], object]] = []
        #: per-data-set functions that pay off only over many selections (a filter panel's):
        #: made in the background when a panel opens; a table uses one only once it is there
        self.panel: list[Callable[[Fuente], object]] = []
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
        """The tables ``nombres`` over ``entrada``, in that order (the per-data-set arrays of
        :attr:`previos` first, together, when the selection is by position in loaded data)."""
        if entrada.por_posicion and self.previos:
            entrada.fuente.preparar(self.previos)
        return {name: self.funciones[name](entrada) for name in nombres}
