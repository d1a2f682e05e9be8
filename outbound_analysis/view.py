"""A report's state as one frozen value: which report, over which data, with which filters and key.

``Vista(nombre, fuente, filtros, clave)`` computes its tables once, on first use
(``functools.cached_property``), and never changes: a filter change is
``dataclasses.replace(vista, filtros=...)``, a new value whose tables are computed
afresh, so no cache is ever invalidated by hand. Views of the same data share one
:class:`~outbound_analysis.metrics.Fuente`, which keeps what does not depend on filters
(the events' profile), so a filter change does not redo it. ``motor`` says which engine
computes the report's tables: pandas (:mod:`~outbound_analysis.metrics`), or DuckDB or
Spark (:mod:`~outbound_analysis.engines`, the same tables from one SQL definition each);
the engine and its registered data are kept by the Fuente, once per data set.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from . import engines, exports, metrics, sections
from ._html import MAX_HTML_ROWS
from .filters import Filtros, envios_mask, present_values, unmatched_warnings
from .load import Dataset
from .params import Parametros
from .privacy import anonymize
from .sections import Etiquetas, Part


@dataclass(frozen=True, eq=False)
class Vista:
    """Report ``nombre`` over ``fuente`` with ``filtros``; contacts pseudonymized with ``clave``.

    ``parametros`` (the report's parameters) reach every table function, for the tables
    that depend on one beyond the filters.
    """

    nombre: str
    fuente: metrics.Fuente
    filtros: Filtros
    clave: bytes | None = None
    parametros: Parametros | None = None
    motor: str = "pandas"

    @classmethod
    def de_datos(
        cls,
        nombre: str,
        datos: Dataset,
        filtros: Filtros,
        clave: bytes | None = None,
        parametros: Parametros | None = None,
        motor: str = "pandas",
    ) -> Vista:
        """A view over a loaded :class:`Dataset`."""
        return cls(nombre, metrics.Fuente.de_datos(datos), filtros, clave, parametros, motor)

    @property
    def datos(self) -> Dataset:
        return self.fuente.datos  # type: ignore[return-value]

    @cached_property
    def posiciones(self) -> np.ndarray:
        """Positions (in the loaded sends) of the sends that pass the filters."""
        return np.flatnonzero(envios_mask(self.datos.envios, self.filtros))

    @property
    def envios(self) -> pd.DataFrame:
        """The sends that pass the filters (taken from the loaded ones on first read, once)."""
        return self.entrada.envios

    @cached_property
    def entrada(self) -> metrics.Entrada:
        """What the tables are computed from (the filters, the data, the selection's positions; the
        filtered sends are taken only if a table reads them)."""
        return metrics.Entrada(None, self.filtros, self.fuente, self.parametros, self.posiciones)  # type: ignore[arg-type]

    @property
    def sql(self) -> engines.Motor:
        """This view's SQL engine with the data registered (one per data set, shared by views)."""
        return self.fuente.una_vez(_MOTOR_SQL[self.motor])  # type: ignore[return-value]

    def _calcular(self, registro: metrics.Registro, name: str) -> pd.DataFrame:
        """Table ``name`` of ``registro`` on this view's engine.

        The header's tables come from the load report, except the row counts, which an SQL
        engine counts itself (its data may never have been loaded into memory).
        """
        if self.motor == "pandas":
            return registro.calcular(self.entrada, [name])[name]
        ctx = self._seleccion()
        if registro is metrics.carga.REGISTRO:
            if name == "totales_carga":
                filas = engines.filas_cargadas(ctx)
                if not self._eventos_dados:  # not loaded for this report: none kept, as with pandas
                    filas["eventos"] = 0
                return metrics.carga.totales_tabla(self.datos, filas)
            if name not in engines.CONSULTAS["carga"]:
                return registro.calcular(self.entrada, [name])[name]
            return engines.CONSULTAS["carga"][name](ctx)
        return engines.CONSULTAS[self.nombre][name](ctx)

    @cached_property
    def _contexto(self) -> engines.Contexto:
        return engines.Contexto(self.sql, self.filtros, self.parametros, self._eventos_dados)

    def _seleccion(self) -> engines.Contexto:
        """This view's selection on its SQL engine, its ``sel`` view (re)defined: one Contexto per
        view, so the tables that read the same counts (``Contexto.una_vez``: flujos' totals,
        per-conversation counts, embudos and paths) run that query once per view, not per table."""
        return self._contexto.preparar()

    @property
    def _eventos_dados(self) -> bool:
        """Whether an eventos file was loaded (the load report lists one)."""
        return bool((self.datos.archivos["tabla"] == "eventos").any())

    def _anonymous(self, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        return anonymize(tables, self.clave) if self.clave is not None else tables

    @cached_property
    def tablas(self) -> _Perezosas:
        """The report's tables (what it exports), pseudonymized when there is a key.

        Each one is computed when first read: a section redrawn by the panel computes only
        the tables it shows (an export reads them all).
        """
        registro = metrics.REGISTROS[self.nombre]

        def one(name: str) -> pd.DataFrame:
            return self._anonymous({name: self._calcular(registro, name)})[name]

        return _Perezosas(registro.exportadas_de(self.parametros), one)

    def exportables(self) -> dict[str, pd.DataFrame | exports.Lotes]:
        """The tables an export writes: :attr:`tablas`, except that on an SQL engine the per-send
        detail comes in chunks straight from the engine (never held whole in memory)."""
        out: dict[str, pd.DataFrame | exports.Lotes] = {
            n: self.tablas[n] for n in self.tablas if n != "envios"
        }
        if "envios" in self.tablas:
            out["envios"] = self.tablas["envios"] if self.motor == "pandas" else self._envios_por_lotes()
        return {n: out[n] for n in self.tablas}

    def _envios_por_lotes(self) -> exports.Lotes:
        def leer() -> Iterator[pd.DataFrame]:
            _, chunks = engines.envios_por_lotes(self._seleccion())
            for chunk in chunks:
                yield self._anonymous({"envios": chunk})["envios"]

        molde, _ = engines.envios_por_lotes(self._seleccion())
        return exports.Lotes(leer, self._anonymous({"envios": molde})["envios"])

    @cached_property
    def apoyo(self) -> Mapping[str, pd.DataFrame]:
        """Tables that sections show and exports leave out: the header's and the report's own.

        Computed when first read, like :attr:`tablas`.
        """
        header = metrics.carga.REGISTRO
        registro = metrics.REGISTROS[self.nombre]

        def one(name: str) -> pd.DataFrame:
            fuente = header if name in header.apoyo else registro
            return self._anonymous({name: self._calcular(fuente, name)})[name]

        return _Perezosas([*header.apoyo, *registro.apoyo], one)

    @cached_property
    def etiquetas(self) -> Etiquetas:
        """The labels of this view (filters in words, values that match nothing, key, time)."""
        if self.motor == "pandas":
            presentes = self.fuente.una_vez(_valores_presentes)  # once per data set, not per change
            sin_coincidencia = unmatched_warnings(presentes, len(self.datos.envios), self.filtros)  # type: ignore[arg-type]
        else:
            presentes, cargados = engines.valores_presentes(self.sql, self.filtros)
            sin_coincidencia = unmatched_warnings(presentes, cargados, self.filtros)
        return Etiquetas(
            filtros=self.filtros.describe(),
            sin_coincidencia=tuple(sin_coincidencia),
            anonimizado=self.clave is not None,
            generado=f"{dt.datetime.now():%d/%m/%Y %H:%M}",
        )

    def partes(self, seccion: str) -> list[Part]:
        """What section ``seccion`` shows for this view."""
        tablas: Mapping[str, pd.DataFrame] = ChainMap(self.tablas, self.apoyo)
        if seccion == "envios" and not self.tablas.hecha("envios"):  # its first rows, not the whole detail
            tablas = ChainMap({"envios": self._envios_primeros}, tablas)
        return sections.partes(self.nombre, seccion, tablas, self.etiquetas)

    @cached_property
    def _envios_primeros(self) -> pd.DataFrame:
        if self.motor == "pandas":
            first = metrics.envios_primeros(self.entrada, MAX_HTML_ROWS)
        else:
            first = engines.envios_primeros(self._seleccion(), MAX_HTML_ROWS)
        out = self._anonymous({"envios": first})["envios"]
        out.attrs["filas"] = first.attrs["filas"]
        return out

    def preparar_panel(self) -> threading.Thread | None:
        """Start computing, in the background, what makes this report's filter changes fast
        (:attr:`metrics.Registro.panel`); None on an SQL engine (it keeps nothing per data set)."""
        if self.motor != "pandas":
            return None
        return self.fuente.preparar_en_fondo(metrics.REGISTROS[self.nombre].panel)

    def encabezado(self) -> list[Part]:
        """The header: data files, filters, the load report and its warnings."""
        return sections.encabezado(self.apoyo, self.etiquetas)

    def buscar(self, texto: str) -> pd.DataFrame:
        """Every send (within the filters) to the contacts matching ``texto``."""
        return self._anonymous({"t": metrics.buscar_contacto(self.envios, texto)})["t"]

    def rechazos(self) -> pd.DataFrame:
        """The rejected rows of the load, pseudonymized when there is a key."""
        return self._anonymous({"r": self.datos.rechazos})["r"]


def _valores_presentes(fuente: metrics.Fuente) -> dict[str, set[str]]:
    return present_values(fuente.datos.envios)  # type: ignore[union-attr]


def _registrar(motor: engines.Motor, datos: Dataset) -> engines.Motor:
    """``datos`` on ``motor``: a store's Parquet files as they are (read out of core), else the frames."""
    if datos.almacen is not None:
        return engines.registrar_almacen(motor, datos.almacen)
    return engines.registrar_datos(motor, datos.envios, datos.eventos)


def _duckdb(fuente: metrics.Fuente) -> engines.Motor:
    return _registrar(engines.DuckDB(), fuente.datos)  # type: ignore[arg-type]


def _spark(fuente: metrics.Fuente) -> engines.Motor:
    return _registrar(engines.Spark(), fuente.datos)  # type: ignore[arg-type]


#: per data set, once: the SQL engine with the loaded envios and eventos registered
_MOTOR_SQL: dict[str, Callable[[metrics.Fuente], engines.Motor]] = {"duckdb": _duckdb, "spark": _spark}


class _Perezosas(Mapping[str, pd.DataFrame]):
    """Tables by name, each computed by ``calcular(name)`` on first read and then kept."""

    def __init__(self, nombres: list[str], calcular: Callable[[str], pd.DataFrame]) -> None:
        self._nombres = nombres
        self._calcular = calcular
        self._hechas: dict[str, pd.DataFrame] = {}

    def __getitem__(self, nombre: str) -> pd.DataFrame:
        if nombre not in self._nombres:
            raise KeyError(nombre)
        if nombre not in self._hechas:
            self._hechas[nombre] = self._calcular(nombre)
        return self._hechas[nombre]

    def hecha(self, nombre: str) -> bool:
        """Whether table ``nombre`` has been computed already."""
        return nombre in self._hechas

    def __contains__(self, nombre: object) -> bool:
        # by name: Mapping's own `in` reads the value, i.e. computes the table (the whole
        # per-send detail of an SQL engine, just to ask whether the report has it)
        return nombre in self._nombres

    def __iter__(self) -> Iterator[str]:
        return iter(self._nombres)

    def __len__(self) -> int:
        return len(self._nombres)
