"""Resumen tables beyond the platform's screens (CONTRACT §5.1). Pure: DataFrames in, DataFrames out.

Same filters as every report (CONTRACT §2) and the same empty-denominator rule: counts
are ``int64``; percentages are fractions in [0, 1] as ``Float64``, NA when the
denominator is 0. "exitosos" = filtered sends with ``estado == "exitoso"``. Local time is
``fecha_envio`` in ``filtros.zona_horaria`` (without filters: the zone it was loaded in).

evolucion
    one row per local calendar day, from the first to the last day with a filtered send
    (or fecha_desde..fecha_hasta when both are set), days without sends with zeros.
periodo_anterior
    the kpis of the selection next to those of the previous period of equal length
    ending the day before fecha_desde, every other filter unchanged; only when both
    dates are set (otherwise the table has no rows). Computed in :mod:`._periodo`.
horarios
    always 168 rows: dia_semana 1 (lunes)..7 (domingo) by hora 0..23 of the local
    fecha_envio.
fatiga
    exitosos numbered per contact by fecha_envio (ties by envio_id), counting only the
    filtered exitosos; always the rows "1", "2", "3", "4", "5 o más".

Everything is vectorized (numpy bincounts over day/hour/position codes): no Python loop
over rows, so the four tables stay within a few hundred milliseconds at 1,000,000 sends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._text import fmt_int
from ..filters import Filtros, envios_mask, filter_envios
from ._base import contar, indicators, ratio

# "X as X": the periodo_anterior table lives in ``_periodo``; re-exported with the other tables
# of this module (``metrics.formulas_tiempo`` is this module)
from ._periodo import PERIODO_ANTERIOR_COLUMNS as PERIODO_ANTERIOR_COLUMNS
from ._periodo import PeriodoAnterior as PeriodoAnterior
from ._periodo import comparar_periodo as comparar_periodo
from ._periodo import periodo_anterior as periodo_anterior
from ._periodo import periodo_tabla as periodo_tabla
from ._periodo import rango_anterior as rango_anterior
from ._periodo import texto_variacion as texto_variacion

EVOLUCION_COLUMNS = [
    "fecha",
    "envios",
    "envios_exitosos",
    "leidos",
    "respondidos",
    "asignadas",
    "ventas",
    "pct_leidos",
    "pct_respondidos",
    "pct_ventas",
]
HORARIOS_COLUMNS = ["dia_semana", "hora", "envios_exitosos", "respondidos", "pct_respondidos"]
FATIGA_COLUMNS = ["envio_numero", "envios_exitosos", "respondidos", "pct_respondidos", "ventas", "pct_ventas"]
#: the rows of ``fatiga``, always in this order
ENVIO_NUMEROS = ("1", "2", "3", "4", "5 o más")
#: a ``horarios`` cell with fewer exitosos than this is marked as unreliable
MIN_EXITOSOS_CONFIABLE = 30
#: names of the tables of this module, in report order
TABLES = ("evolucion", "periodo_anterior", "horarios", "fatiga")

_NS_PER_DAY = 86_400_000_000_000
_NS_PER_HOUR = 3_600_000_000_000
_NAT = np.iinfo(np.int64).min
_EPOCH = dt.date(1970, 1, 1)
_COUNTS = ("envios_exitosos", "leidos", "respondidos", "asignadas", "ventas")


# --------------------------------------------------------------------------- helpers


def _zona(envios: pd.DataFrame, filtros: Filtros | None) -> str | None:
    """The local zone: the filters' one, else the zone fecha_envio was loaded in (None: naive)."""
    if filtros is not None:
        return filtros.zona_horaria
    tz = getattr(envios["fecha_envio"].dtype, "tz", None)
    return None if tz is None else str(tz)


def _local_ns(fecha: pd.Series, tz: str | None) -> np.ndarray:
    """Local wall-clock time of each timestamp as int64 nanoseconds (naive ones are local already).

    NaT becomes :data:`_NAT` (the smallest int64).
    """
    if isinstance(fecha.dtype, pd.DatetimeTZDtype) and tz is not None:
        fecha = fecha.dt.tz_convert(tz).dt.tz_localize(None)
    elif isinstance(fecha.dtype, pd.DatetimeTZDtype):
        fecha = fecha.dt.tz_localize(None)
    return fecha.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _local(env: pd.DataFrame, filtros: Filtros | None) -> np.ndarray:
    return _local_ns(env["fecha_envio"], _zona(env, filtros))


@dataclass(frozen=True)
class Locales:
    """Per send, its local time as codes: ``dia`` (days since 1970-01-01), ``celda`` (weekday ×
    24 + hour: 0 is lunes 0 h, 167 domingo 23 h) and ``valida`` (fecha_envio is not NaT; the
    other two mean nothing where it is)."""

    dia: np.ndarray
    celda: np.ndarray
    valida: np.ndarray

    def filas(self, posiciones: np.ndarray) -> Locales:
        """The rows at ``posiciones``."""
        return Locales(self.dia[posiciones], self.celda[posiciones], self.valida[posiciones])


def locales(local: np.ndarray) -> Locales:
    """The :class:`Locales` of local times in int64 nanoseconds (:data:`_NAT` for NaT)."""
    valida = local != _NAT
    ns = np.where(valida, local, 0)
    weekday = dia_semana(ns // _NS_PER_DAY)  # Monday = 0
    celda = (weekday * 24 + (ns // _NS_PER_HOUR) % 24).astype(np.int16)
    return Locales(local // _NS_PER_DAY, celda, valida)


def locales_de(envios: pd.DataFrame, zona: str | None) -> Locales:
    """The :class:`Locales` of ``envios``' fecha_envio in ``zona`` (None: as loaded)."""
    return locales(_local_ns(envios["fecha_envio"], zona))


def _day_number(day: dt.date) -> int:
    return (day - _EPOCH).days


def _counts(codes: np.ndarray, ind: pd.DataFrame, size: int) -> dict[str, np.ndarray]:
    """Per code (0..size-1; others not counted): number of rows and of each counted condition, as int64."""
    envios, conteos = contar(codes, size, [ind[name].to_numpy(dtype=bool) for name in _COUNTS])
    return {"envios": envios, **dict(zip(_COUNTS, conteos, strict=True))}


def _filtrar(envios: pd.DataFrame, filtros: Filtros | None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The filtered sends and their mask over ``envios`` (None: every row passes)."""
    if filtros is None or filtros.is_empty():
        return envios, None
    mask = envios_mask(envios, filtros)
    return envios[mask], mask


def ejemplo_envios() -> pd.DataFrame:
    """Five hand-made sends over two local days (Buenos Aires), used by the docstring examples.

    Contact "1": exitoso on Mon 10/08 09:00 (respondido, venta) and exitoso on Wed 12/08
    09:30 (leido); contact "2": exitoso on Mon 10/08 21:15 (not read), fallido on Wed 12/08;
    contact "3": pendiente on Wed 12/08.
    """
    b = "boolean"
    fechas = [
        "2026-08-10 09:00",
        "2026-08-12 09:30",
        "2026-08-10 21:15",
        "2026-08-12 10:00",
        "2026-08-12 11:00",
    ]
    return pd.DataFrame(
        {
            "envio_id": pd.array(["a", "b", "c", "d", "e"], dtype="string"),
            "fecha_envio": pd.to_datetime(fechas).tz_localize("America/Argentina/Buenos_Aires"),
            "contacto_id": pd.array(["1", "1", "2", "2", "3"], dtype="string"),
            "estado": ["exitoso", "exitoso", "exitoso", "fallido", "pendiente"],
            "leido": pd.array([None, True, False, None, None], dtype=b),
            "respondido": pd.array([True, False, False, None, None], dtype=b),
            "asignada": pd.array([None, None, None, None, None], dtype=b),
            "venta": pd.array([True, None, None, None, None], dtype=b),
            "conversacion_nueva": pd.array([True, True, True, None, None], dtype=b),
        }
    )


# --------------------------------------------------------------------------- evolucion


def evolucion(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Daily evolution: one row per local calendar day, days without sends included with zeros.

    Range: fecha_desde..fecha_hasta when both are set, else the first..last local day with
    a filtered send (no rows when nothing passes). ``fecha`` is YYYY-MM-DD text; pct_* are
    over that day's envios_exitosos.

    >>> t = evolucion(ejemplo_envios())
    >>> t[["fecha", "envios", "envios_exitosos", "respondidos"]].to_numpy().tolist()
    [['2026-08-10', 2, 2, 1], ['2026-08-11', 0, 0, 0], ['2026-08-12', 3, 1, 0]]
    """
    env = filter_envios(envios, filtros)
    return _evolucion_from(indicators(env), _local(env, filtros), filtros)


def _evolucion_from(ind: pd.DataFrame, local: np.ndarray, filtros: Filtros | None) -> pd.DataFrame:
    return evolucion_de(ind, locales(local), filtros)


def evolucion_de(ind: pd.DataFrame, loc: Locales, filtros: Filtros | None) -> pd.DataFrame:
    """``evolucion`` of a selection from its indicators and :class:`Locales`."""
    day = loc.dia
    keep = loc.valida.copy()
    first, last = rango_evolucion(day[keep], filtros)
    keep &= (day >= first) & (day <= last)  # with both dates the filter already ensures it: a guard
    size = last - first + 1
    return evolucion_tabla(first, _counts(np.where(keep, day - first, -1), ind, size))  # -1: not counted


def rango_evolucion(dias: np.ndarray, filtros: Filtros | None) -> tuple[int, int]:
    """First and last day number (days since 1970-01-01) of ``evolucion``: fecha_desde..fecha_hasta
    when both are set, else the first..last of ``dias`` (the local days with a send); (0, -1)
    when there is none."""
    if filtros is not None and filtros.fecha_desde is not None and filtros.fecha_hasta is not None:
        return _day_number(filtros.fecha_desde), _day_number(filtros.fecha_hasta)
    if len(dias):
        return int(dias.min()), int(dias.max())
    return 0, -1


def evolucion_tabla(first: int, counts: dict[str, np.ndarray]) -> pd.DataFrame:
    """The ``evolucion`` table from per-day counts: ``counts[name][i]`` is day ``first + i``'s
    count of ``envios`` and each of envios_exitosos, leidos, respondidos, asignadas, ventas."""
    size = len(counts["envios"])
    days = np.arange(first, first + size, dtype="int64").astype("datetime64[D]")
    out = pd.DataFrame({"fecha": pd.array(np.datetime_as_string(days, unit="D"), dtype="string"), **counts})
    for name in ("leidos", "respondidos", "ventas"):
        out[f"pct_{name}"] = ratio(out[name], out["envios_exitosos"]).array
    return out[EVOLUCION_COLUMNS]


# --------------------------------------------------------------------------- horarios


def horarios(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Exitosos and respondidos by local weekday and hour: always 168 rows.

    ``dia_semana`` 1 (lunes) to 7 (domingo), ``hora`` 0 to 23 of the local fecha_envio;
    pct_respondidos over the cell's envios_exitosos. Sorted by dia_semana, hora.

    >>> h = horarios(ejemplo_envios())
    >>> len(h), h.query("envios_exitosos > 0")[["dia_semana", "hora", "respondidos"]].to_numpy().tolist()
    (168, [[1, 9, 1], [1, 21, 0], [3, 9, 0]])
    """
    env = filter_envios(envios, filtros)
    return _horarios_from(indicators(env), _local(env, filtros))


def _horarios_from(ind: pd.DataFrame, local: np.ndarray) -> pd.DataFrame:
    return horarios_de(ind, locales(local))


def horarios_de(ind: pd.DataFrame, loc: Locales) -> pd.DataFrame:
    """``horarios`` of a selection from its indicators and :class:`Locales`."""
    ok = ind["envios_exitosos"].to_numpy(dtype=bool) & loc.valida
    cell = np.where(ok, loc.celda, -1)  # not counted
    exitosos, (respondidos,) = contar(cell, 168, [ind["respondidos"].to_numpy(dtype=bool)])
    return horarios_tabla(exitosos, respondidos)


def dia_semana(dias: np.ndarray) -> np.ndarray:
    """Weekday of day numbers (days since 1970-01-01): 0 lunes .. 6 domingo."""
    return (np.asarray(dias, dtype=np.int64) + 3) % 7  # 1970-01-01 was a Thursday


def horarios_tabla(exitosos: np.ndarray, respondidos: np.ndarray) -> pd.DataFrame:
    """The ``horarios`` table from 168 cells (lunes 0 h, lunes 1 h, ..., domingo 23 h) of counts."""
    out = pd.DataFrame(
        {
            "dia_semana": np.repeat(np.arange(1, 8, dtype=np.int64), 24),
            "hora": np.tile(np.arange(24, dtype=np.int64), 7),
            "envios_exitosos": np.asarray(exitosos, dtype=np.int64),
            "respondidos": np.asarray(respondidos, dtype=np.int64),
        }
    )
    out["pct_respondidos"] = ratio(out["respondidos"], out["envios_exitosos"]).array
    return out


# --------------------------------------------------------------------------- fatiga


def codigos_contacto(envios: pd.DataFrame) -> np.ndarray:
    """An int64 code per row, equal for equal contacto_id (NA is one more contact).

    Hashing 1,000,000 contact ids is the slow part of :func:`fatiga` (about half a second):
    it does not depend on the filters, so a report computes it once per loaded data and
    passes it to :func:`fatiga` / :func:`tablas` as ``contactos``.
    """
    return pd.factorize(envios["contacto_id"], use_na_sentinel=False)[0].astype(np.int64, copy=False)


def _numero(codes: np.ndarray, when: np.ndarray, ids: pd.Series) -> np.ndarray:
    """Position of each row among its contact's rows by ``when`` then ``ids``, capped at 5.

    No Python loop over rows: a stable sort by time (free when the rows come sorted, as
    loaded), rows tied on contact and time re-sorted by id, then a stable sort by contact and
    :func:`numero_por_contacto` over each contact's run.
    """
    n = len(codes)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.arange(n) if (when[1:] >= when[:-1]).all() else np.argsort(when, kind="stable")
    w = when[order]
    equal = w[1:] == w[:-1]
    if equal.any():
        shared = np.zeros(n, dtype=bool)
        shared[1:] |= equal
        shared[:-1] |= equal
        pos = np.flatnonzero(shared)
        tied = pd.DataFrame({"c": codes[order[pos]], "w": w[pos]}).duplicated(keep=False).to_numpy()
        if tied.any():
            pos = pos[tied]
            rows = order[pos]
            sub = pd.DataFrame({"w": w[pos], "id": ids.iloc[rows].astype("string").array})
            order[pos] = rows[sub.sort_values(["w", "id"], kind="stable").index.to_numpy()]
    grouped = order[np.argsort(codes[order], kind="stable")]  # by contact, each in send order
    out = np.empty(n, dtype=np.int64)
    out[grouped] = numero_por_contacto(codes[grouped])
    return out


def numero_por_contacto(c: np.ndarray) -> np.ndarray:
    """Per row of ``c`` (contact codes, rows grouped by contact, each contact's in send order): its
    number among its contact's rows, capped at 5.

    >>> numero_por_contacto(np.array([7, 7, 7, 3, 9, 9, 9, 9, 9, 9])).tolist()
    [1, 2, 3, 1, 1, 2, 3, 4, 5, 5]
    """
    n = len(c)
    starts = np.ones(n, dtype=bool)
    starts[1:] = c[1:] != c[:-1]
    inicio = np.where(starts, np.arange(n), 0)
    np.maximum.accumulate(inicio, out=inicio)  # each row's run start
    return np.minimum(np.arange(n) - inicio + 1, len(ENVIO_NUMEROS)).astype(np.int64)


def envio_numero(envios: pd.DataFrame, contactos: np.ndarray | None = None) -> np.ndarray:
    """Number of each send among its contact's sends in ``envios`` (1..4, 5 = "5 o más").

    By fecha_envio, ties by envio_id; in the frame's row order. ``contactos``: the
    :func:`codigos_contacto` of these rows, when already computed.

    >>> envio_numero(ejemplo_envios()).tolist()
    [1, 2, 1, 2, 1]
    """
    codes = codigos_contacto(envios) if contactos is None else contactos
    when = envios["fecha_envio"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    return _numero(codes, when, envios["envio_id"])


def fatiga(
    envios: pd.DataFrame, filtros: Filtros | None = None, contactos: np.ndarray | None = None
) -> pd.DataFrame:
    """Reply and sale rates by the exitoso's number for its contact: rows "1".."4", "5 o más".

    Only filtered exitosos are numbered (per contacto_id, by fecha_envio, ties by
    envio_id); pct_* over the row's envios_exitosos. Always the five rows, in that order.
    ``contactos``: :func:`codigos_contacto` of ``envios`` (all rows), when already computed.

    >>> t = fatiga(ejemplo_envios())
    >>> t[["envio_numero", "envios_exitosos", "respondidos"]].head(3).to_numpy().tolist()
    [['1', 2, 1], ['2', 1, 0], ['3', 0, 0]]
    """
    env, mask = _filtrar(envios, filtros)
    return _fatiga_from(env, indicators(env), _subset(contactos, mask, len(envios)))


def _subset(contactos: np.ndarray | None, mask: np.ndarray | None, n: int) -> np.ndarray | None:
    if contactos is None:
        return None
    if len(contactos) != n:
        raise ValueError("contactos must be codigos_contacto() of the same (unfiltered) envios")
    return contactos if mask is None else contactos[mask]


def _fatiga_from(env: pd.DataFrame, ind: pd.DataFrame, contactos: np.ndarray | None) -> pd.DataFrame:
    ok = ind["envios_exitosos"].to_numpy()
    codes = (
        pd.factorize(env["contacto_id"][ok], use_na_sentinel=False)[0] if contactos is None else contactos[ok]
    )
    when = env["fecha_envio"].to_numpy(dtype="datetime64[ns]").view(np.int64)[ok]
    numero = _numero(codes, when, env["envio_id"][ok])
    return fatiga_de(numero, ind["respondidos"].to_numpy()[ok], ind["ventas"].to_numpy()[ok])


def fatiga_de(numero: np.ndarray, respondidos: np.ndarray, ventas: np.ndarray) -> pd.DataFrame:
    """``fatiga`` from each exitoso's number (1..5) and its respondido and venta indicators."""
    exitosos, (resp, vent) = contar(numero - 1, len(ENVIO_NUMEROS), [respondidos, ventas])
    return fatiga_tabla(exitosos, resp, vent)


def fatiga_tabla(exitosos: np.ndarray, respondidos: np.ndarray, ventas: np.ndarray) -> pd.DataFrame:
    """The ``fatiga`` table from counts per envio_numero (five values: 1, 2, 3, 4, 5 or more)."""
    exitosos, respondidos, ventas = (np.asarray(v, dtype=np.int64) for v in (exitosos, respondidos, ventas))
    return pd.DataFrame(
        {
            "envio_numero": pd.array(ENVIO_NUMEROS, dtype="string"),
            "envios_exitosos": exitosos,
            "respondidos": respondidos,
            "pct_respondidos": ratio(respondidos, exitosos).array,
            "ventas": ventas,
            "pct_ventas": ratio(ventas, exitosos).array,
        }
    )


# --------------------------------------------------------------------------- all together


def tablas(
    envios: pd.DataFrame,
    filtros: Filtros | None = None,
    kpis: pd.DataFrame | None = None,
    contactos: np.ndarray | None = None,
) -> tuple[dict[str, pd.DataFrame], PeriodoAnterior]:
    """The four tables of CONTRACT §5.1, filtering once; ``envios`` are ALL loaded sends.

    Returns the tables by name (:data:`TABLES` order) and the :class:`PeriodoAnterior`
    (for its note). ``kpis``: the selection's kpis table, when already computed;
    ``contactos``: :func:`codigos_contacto` of ``envios``, computed once per loaded data.
    """
    env, mask = _filtrar(envios, filtros)
    return tablas_de_seleccion(
        envios, env, filtros, indicators(env), kpis, _subset(contactos, mask, len(envios))
    )


def tablas_de_seleccion(
    cargados: pd.DataFrame,
    envios: pd.DataFrame,
    filtros: Filtros | None,
    indicadores: pd.DataFrame,
    kpis: pd.DataFrame | None = None,
    contactos: np.ndarray | None = None,
) -> tuple[dict[str, pd.DataFrame], PeriodoAnterior]:
    """:func:`tablas` over an already filtered selection (what a report has at hand).

    ``cargados``: ALL loaded sends (for the previous period); ``envios``: the sends that
    pass ``filtros``; ``indicadores``: ``indicators(envios)``; ``kpis``: the
    selection's kpis table; ``contactos``: :func:`codigos_contacto` of ``envios`` rows
    (computed over all loaded sends, then taken for these rows), or None.
    """
    if contactos is not None and len(contactos) != len(envios):
        raise ValueError("contactos must have one code per row of envios")
    local = _local(envios, filtros)
    comparacion = comparar_periodo(cargados, filtros, kpis)
    return (
        {
            "evolucion": _evolucion_from(indicadores, local, filtros),
            "periodo_anterior": comparacion.tabla,
            "horarios": _horarios_from(indicadores, local),
            "fatiga": _fatiga_from(envios, indicadores, contactos),
        },
        comparacion,
    )


def resumen_evolucion(table: pd.DataFrame) -> str:
    """One Spanish sentence on the evolucion table's range, for the section's caption."""
    if table.empty:
        return "Sin envíos para los filtros elegidos."
    first, last = table["fecha"].iloc[0], table["fecha"].iloc[-1]
    fmt = "%d/%m/%Y"
    desde = dt.date.fromisoformat(str(first)).strftime(fmt)
    hasta = dt.date.fromisoformat(str(last)).strftime(fmt)
    sin = int((table["envios"] == 0).sum())
    extra = f"; {fmt_int(sin)} sin envíos" if sin else ""
    return f"{fmt_int(len(table))} días, del {desde} al {hasta}{extra}."
