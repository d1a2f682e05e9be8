"""Per loaded send, what no filter changes: computed once per data set, taken per selection by position.

Each function here takes a :class:`Fuente` with its loaded :class:`~outbound_analysis.load.Dataset`
and returns one value per loaded send (arrays are read-only: every selection shares them). A
table reads them through :meth:`Entrada.tomar` (the selection's rows) and falls back to its
frame-based rule when the positions are unknown (the pure functions, :func:`metrics.compute`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from .._convert import orden_de_texto, texto_arrow
from ._base import is_true, is_value
from ._entrada import Entrada, Fuente, solo_lectura
from ._tiempo import locales_de


def _envios(f: Fuente) -> pd.DataFrame:
    return f.datos.envios  # type: ignore[union-attr]


@dataclass(frozen=True)
class Categorias:
    """A column as codes: ``codigos[i]`` is the position of row i's value in ``valores`` (-1: NA).

    A categorical column keeps its categories (``valores`` may hold values no row has);
    another is factorized in order of appearance.
    """

    codigos: np.ndarray
    valores: pd.Index


def categorizar(s: pd.Series) -> Categorias:
    """The :class:`Categorias` of a column."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return Categorias(solo_lectura(s.cat.codes.to_numpy().astype(np.int64)), s.cat.categories)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return Categorias(solo_lectura(codes.astype(np.int64)), pd.Index(uniques))


@cache
def categorias(columna: str) -> Callable[[Fuente], Categorias]:
    """Per data set, once: the :class:`Categorias` of column ``columna`` of the loaded sends."""

    def de_datos(f: Fuente) -> Categorias:
        return categorizar(_envios(f)[columna])

    de_datos.__qualname__ = f"categorias[{columna}]"
    return de_datos


def codigos(e: Entrada, columna: str) -> tuple[np.ndarray, pd.Index] | None:
    """The selection's codes of ``columna`` and the values they index; None without positions."""
    if not e.por_posicion:
        return None
    cat: Categorias = e.fuente.una_vez(categorias(columna))  # type: ignore[assignment]
    return e.tomar(_tomador(columna)), cat.valores


def cuantas(e: Entrada, columna: str) -> int:
    """How many values the loaded sends' :func:`categorias` of ``columna`` has."""
    return len(e.fuente.una_vez(categorias(columna)).valores)  # type: ignore[attr-defined]


def en_categorias(e: Entrada, columna: str, valores: pd.Index) -> np.ndarray:
    """Each of ``valores``' position among the loaded sends' :func:`categorias` of ``columna``
    (-1: not among them): what puts counts by loaded category in another order."""
    cat: Categorias = e.fuente.una_vez(categorias(columna))  # type: ignore[assignment]
    return pd.Index(cat.valores, dtype="string").get_indexer(valores)


@cache
def _tomador(columna: str) -> Callable[[Fuente], np.ndarray]:
    def codes(f: Fuente) -> np.ndarray:
        return f.una_vez(categorias(columna)).codigos  # type: ignore[attr-defined]

    return codes


def fecha_ns(columna: str) -> Callable[[Fuente], np.ndarray]:
    """Per data set, once: a timestamp column as int64 nanoseconds since the epoch (NaT: int64 min)."""
    return _FECHAS[columna]


def _fecha(columna: str) -> Callable[[Fuente], np.ndarray]:
    def de_datos(f: Fuente) -> np.ndarray:
        ns = _envios(f)[columna].to_numpy(dtype="datetime64[ns]").view(np.int64)
        return solo_lectura(ns.copy())

    de_datos.__qualname__ = f"fecha_ns[{columna}]"
    return de_datos


_FECHAS = {c: _fecha(c) for c in ("fecha_envio", "fecha_lectura", "fecha_respuesta", "fecha_asignacion")}


def leido_na(f: Fuente) -> np.ndarray:
    """Per loaded send: leido is not reported (NA)."""
    return solo_lectura(_envios(f)["leido"].isna().to_numpy())


def es_flujo(f: Fuente) -> np.ndarray:
    """Per loaded send: origen is flujo."""
    return solo_lectura(np.asarray(is_value(_envios(f)["origen"], "flujo"), dtype=bool))


def asignada(f: Fuente) -> np.ndarray:
    """Per loaded send: asignada is true (any estado)."""
    return solo_lectura(np.asarray(is_true(_envios(f)["asignada"]), dtype=bool))


def ordenar_envios(env: pd.DataFrame) -> np.ndarray:
    """Row order by fecha_envio, ties by envio_id (then row order): a numeric sort by fecha_envio,
    and only the rows that share a fecha re-sorted by envio_id (sorting a million ids as text
    takes ~1 s). NaT first, a missing envio_id last among its fecha."""
    when = env["fecha_envio"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    order = np.arange(len(when)) if (when[1:] >= when[:-1]).all() else np.argsort(when, kind="stable")
    w = when[order]
    equal = w[1:] == w[:-1]
    if equal.any():
        tied = np.zeros(len(w), dtype=bool)
        tied[1:] |= equal
        tied[:-1] |= equal
        pos = np.flatnonzero(tied)
        rows = order[pos]
        rank = np.empty(len(rows), dtype=np.int64)
        rank[orden_de_texto(texto_arrow(env["envio_id"].iloc[rows]))] = np.arange(len(rows))
        order[pos] = rows[np.lexsort((rank, w[pos]))]
    return order


def orden_envios(f: Fuente) -> np.ndarray:
    """Per data set, once: :func:`ordenar_envios` of every loaded send (a selection's order is this
    one restricted to its rows: no sort per filter change)."""
    return solo_lectura(ordenar_envios(_envios(f)))


def en_orden(e: Entrada) -> np.ndarray:
    """Positions (in the loaded sends) of the selected sends, by fecha_envio then envio_id."""
    orden: np.ndarray = e.fuente.una_vez(orden_envios)  # type: ignore[assignment]
    if e.todas:
        return orden
    return orden[e.mascara()[orden]]  # type: ignore[index]


@cache
def locales_datos(zona: str | None) -> Callable[[Fuente], object]:
    """Per data set and zone, once: the :class:`~._tiempo.Locales` of every loaded send."""

    def de_datos(f: Fuente) -> object:
        loc = locales_de(_envios(f), zona)
        for a in (loc.dia, loc.celda, loc.valida):
            solo_lectura(a)
        return loc

    de_datos.__qualname__ = f"locales_datos[{zona}]"
    return de_datos
