"""Detallado tables beyond the platform's screens (CONTRACT §5.2): tiempos, comparacion, segmentos.

Pure: frames in, frames out. Every table function takes the loaded ``envios`` plus an
optional :class:`~outbound_analysis.filters.Filtros`, never mutates its inputs and
returns the contract's columns in order. Counts are ``int64``; rates and minutes are
``Float64`` with NA where the contract says "empty" (denominator 0, n = 0).
"Exitosos" = filtered sends with estado = exitoso. Campaigns follow the order of the
``detallado`` table: envios_exitosos descending, then campana.

- ``tiempos``: minutes from fecha_envio to fecha_lectura / fecha_respuesta /
  fecha_asignacion of each exitoso; an earlier timestamp is not used and is counted in
  ``descartados``; quantiles p25, p50, p75, p90 with linear interpolation.
- ``comparacion``: reply and sale rates per campaign with Wilson 95 % intervals.
- ``segmentos``: one row per contact with an exitoso and the furthest stage reached.

``ab`` and ``costos`` live in :mod:`.metrics._ab`. Each table has a ``*_de(base)`` twin
that reads a :class:`Base` (one selection's shared work), which the report computes once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import _stats
from .._convert import orden_de_texto, texto_arrow
from ..filters import Filtros, filter_envios
from ._base import indicators

TODAS = "(todas)"
ETAPAS_TIEMPO = ("lectura", "respuesta", "asignacion")
#: the timestamp each tiempos stage measures to
ESTAMPAS = {"lectura": "fecha_lectura", "respuesta": "fecha_respuesta", "asignacion": "fecha_asignacion"}
CUANTILES = (0.25, 0.5, 0.75, 0.9)
SEGMENTOS = ("venta", "asignado", "respondio", "leyo", "lectura_no_informada", "no_leyo")
SEGMENTO_LABELS = {
    "venta": "Venta",
    "asignado": "Asignado a un agente",
    "respondio": "Respondió",
    "leyo": "Leyó y no respondió",
    "lectura_no_informada": "Lectura no informada",
    "no_leyo": "No leyó",
}

TIEMPOS_COLUMNS = ["campana", "etapa", "n", "descartados", "p25_min", "p50_min", "p75_min", "p90_min"]
COMPARACION_COLUMNS = [
    "campana",
    "envios_exitosos",
    "respondidas",
    "pct_respondidas",
    "ic95_inf_respondidas",
    "ic95_sup_respondidas",
    "ventas",
    "pct_ventas",
    "ic95_inf_ventas",
    "ic95_sup_ventas",
]
SEGMENTOS_COLUMNS = ["contacto_id", "envios_exitosos", "ultimo_envio", "segmento"]
SEGMENTOS_CONTEO_COLUMNS = ["segmento", "contactos", "pct"]


# --------------------------------------------------------------------------- helpers


def as_float(values: np.ndarray) -> pd.arrays.FloatingArray:
    """``Float64`` array with NA where ``values`` is NaN."""
    arr = np.asarray(values, dtype=np.float64)
    return pd.arrays.FloatingArray(arr.copy(), np.isnan(arr))


def bandera(s: pd.Series) -> np.ndarray:
    """A boolean Series as a numpy mask, NA as False."""
    return s.to_numpy(dtype=bool, na_value=False)


@dataclass(frozen=True, eq=False)
class Base:
    """What every table needs, computed once per selection.

    ``envios``: filtered sends, or a function returning them (read only when a table needs a
    column not in ``columna``); ``ok``: exitoso mask; ``ind``: :func:`metrics.indicators`;
    ``campanas``: campaign names in detallado order; ``codigo``: per send, the position
    of its campaign in ``campanas`` (-1 for a send without campaign). ``columna(name)``:
    per selected send, a value computed once per data set (:data:`COLUMNAS`), when known.
    """

    envios: pd.DataFrame | Callable[[], pd.DataFrame]
    ok: np.ndarray
    ind: pd.DataFrame
    campanas: pd.Index
    codigo: np.ndarray
    columna: Callable[[str], np.ndarray] | None = None

    @cached_property
    def env(self) -> pd.DataFrame:
        """The filtered sends."""
        return self.envios if isinstance(self.envios, pd.DataFrame) else self.envios()

    def ns(self, name: str) -> np.ndarray:
        """Timestamp column ``name`` of the selected sends as int64 nanoseconds (NaT: int64 min)."""
        return self.columna(name) if self.columna is not None else _ns(self.env[name])

    def leido_na(self) -> np.ndarray:
        """Per selected send: leido is not reported."""
        return self.columna("leido_na") if self.columna is not None else self.env["leido"].isna().to_numpy()

    def por_campana(self, mask: np.ndarray) -> np.ndarray:
        """Per campaign (detallado order): how many sends satisfy ``mask``."""
        # the mask as weights of the codes shifted by one (no campaign: bin 0, left out): no copy
        counts = np.bincount(self._codigo_mas_uno, weights=mask, minlength=len(self.campanas) + 1)
        return counts[1:].astype(np.int64)

    @cached_property
    def _codigo_mas_uno(self) -> np.ndarray:
        return self.codigo + 1


def seleccion(envios: pd.DataFrame, filtros: Filtros | None, ind: pd.DataFrame | None = None) -> Base:
    """The :class:`Base` of the sends that pass ``filtros`` (None: ``envios`` are the selection).

    ``ind``: the selection's :func:`indicators`, when already computed.
    """
    env = filter_envios(envios, filtros) if filtros is not None else envios
    ind = indicators(env) if ind is None else ind
    codes, uniques = pd.factorize(env["campana"], use_na_sentinel=True)
    return base_de_codigos(env, ind, codes, pd.Index(uniques))


def base_de_codigos(
    envios: pd.DataFrame | Callable[[], pd.DataFrame],
    ind: pd.DataFrame,
    codes: np.ndarray,
    valores: pd.Index,
    columna: Callable[[str], np.ndarray] | None = None,
) -> Base:
    """The :class:`Base` of a selection whose campaigns are ``codes`` into ``valores`` (-1: none;
    values no selected send has are left out)."""
    ok = ind["envios_exitosos"].to_numpy(dtype=bool)
    valid = codes >= 0
    present = np.flatnonzero(np.bincount(codes[valid], minlength=len(valores)))
    names = np.asarray([str(valores[i]) for i in present], dtype=object)
    compact = np.full(len(valores), -1, dtype=np.int64)
    compact[present] = np.arange(len(present))
    codes = np.where(valid, compact[np.maximum(codes, 0)], -1) if len(valores) else np.full(len(codes), -1)
    exitosos = np.bincount(codes[ok & (codes >= 0)], minlength=len(names))
    # detallado's order: envios_exitosos descending, then campana (code-point order)
    order = np.lexsort((names, -exitosos)) if len(names) else np.array([], dtype=np.int64)
    position = np.empty(len(names), dtype=np.int64)
    position[order] = np.arange(len(names))
    codigo = np.where(codes >= 0, position[np.maximum(codes, 0)] if len(names) else -1, -1)
    return Base(
        envios=envios,
        ok=ok,
        ind=ind,
        campanas=pd.Index(names[order].tolist(), dtype="string", name="campana"),
        codigo=codigo.astype(np.int64),
        columna=columna,
    )


def _ns(s: pd.Series) -> np.ndarray:
    """Timestamps as int64 nanoseconds since the epoch (UTC); NaT as NaN-marked via mask."""
    return s.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _cuantiles(ordered: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The :data:`CUANTILES` of each group of ``ordered`` (NaN for an empty group).

    ``ordered`` holds the groups one after the other, each sorted ascending, with
    ``counts[i]`` values in group i. Linear interpolation between the closest ranks,
    as pandas' and numpy's default: position q·(n-1) in the sorted values.
    """
    out = np.full((len(counts), len(CUANTILES)), np.nan)
    if len(ordered) == 0:
        return out
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    has = counts > 0
    last = np.maximum(counts - 1, 0)
    for j, q in enumerate(CUANTILES):
        pos = q * last
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, last)
        frac = pos - lo
        a = ordered[np.where(has, starts + lo, 0)]
        b = ordered[np.where(has, starts + hi, 0)]
        out[:, j] = np.where(has, a + (b - a) * frac, np.nan)
    return out


def orden_por_grupo(groups: np.ndarray, k: int) -> np.ndarray:
    """The positions of ``groups`` (codes 0..k-1) sorted by code, stable: values already sorted
    stay sorted within each group (radix sort for small codes)."""
    return np.argsort(groups.astype(np.int16 if k < 2**15 else np.int64), kind="stable")


# --------------------------------------------------------------------------- tiempos


def tiempos(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Minutes from fecha_envio to lectura, respuesta and asignacion (CONTRACT §5.2 ``tiempos``).

    Over exitosos with the stage's timestamp. A timestamp earlier than fecha_envio
    is not used and is counted in ``descartados``; ``n`` counts the values used.
    Rows: "(todas)" first, then each campaign in detallado order; within each, etapa
    lectura, respuesta, asignacion. Quantiles with linear interpolation; NA when n = 0.

    >>> t = tiempos(pd.DataFrame({"campana": ["A", "A"], "estado": ["exitoso"] * 2,
    ...     "fecha_envio": pd.to_datetime(["2026-08-10 10:00"] * 2),
    ...     "fecha_lectura": pd.to_datetime(["2026-08-10 10:10", "2026-08-10 09:00"]),
    ...     "fecha_respuesta": pd.NaT, "fecha_asignacion": pd.NaT,
    ...     **{c: pd.array([None] * 2, dtype="boolean") for c in
    ...        ("leido", "respondido", "asignada", "venta", "conversacion_nueva")}}))
    >>> r = t.iloc[0]
    >>> r["campana"], r["etapa"], int(r["n"]), int(r["descartados"]), float(r["p50_min"])
    ('(todas)', 'lectura', 1, 1, 10.0)
    """
    return tiempos_de(seleccion(envios, filtros))


class Etapa(NamedTuple):
    """One etapa's minutes of a selection, already sorted.

    ``todas``: the used minutes of sends with a campaign, ascending; ``por_grupo``: the same
    values grouped (each group ascending) with ``cuenta[g]`` values in group g; ``grupo[i]``:
    the group of the selection's i-th campaign (detallado order); ``antes``: per selected send,
    whether the stage came before the send.
    """

    todas: np.ndarray
    por_grupo: np.ndarray
    cuenta: np.ndarray
    grupo: np.ndarray
    antes: np.ndarray


PorEtapa = Callable[[str], Etapa]


def tiempos_de(base: Base, por_etapa: PorEtapa | None = None) -> pd.DataFrame:
    """The ``tiempos`` table of a selection; ``por_etapa`` gives each etapa's minutes already
    sorted (a report sorts every loaded send's once), else they are sorted here."""
    por_etapa = por_etapa or (lambda etapa: _etapa_de(base, etapa))
    k = len(base.campanas)
    n = np.zeros((k + 1, 3), dtype=np.int64)
    descartados = np.zeros((k + 1, 3), dtype=np.int64)
    q = np.full((k + 1, 3, len(CUANTILES)), np.nan)
    for e, etapa in enumerate(ETAPAS_TIEMPO):
        et = por_etapa(etapa)
        n[0, e], q[0, e] = len(et.todas), _cuantiles(et.todas, np.array([len(et.todas)]))[0]
        n[1:, e], q[1:, e] = et.cuenta[et.grupo], _cuantiles(et.por_grupo, et.cuenta)[et.grupo]
        descartados[0, e] = int(et.antes.sum())
        descartados[1:, e] = base.por_campana(et.antes)
    return tiempos_tabla(base.campanas.tolist(), n, descartados, q)


def _etapa_de(base: Base, etapa: str) -> Etapa:
    minutes, earlier = minutos_etapa(base.ok, base.ns("fecha_envio"), base.ns(ESTAMPAS[etapa]))
    used = np.flatnonzero(~np.isnan(minutes) & (base.codigo >= 0))
    used = used[np.argsort(minutes[used])]
    k = len(base.campanas)
    codes = base.codigo[used]
    cuenta = np.bincount(codes, minlength=k).astype(np.int64)
    return Etapa(minutes[used], minutes[used[orden_por_grupo(codes, k)]], cuenta, np.arange(k), earlier)


def minutos_etapa(ok: np.ndarray, sent: np.ndarray, stamp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per send: minutes from the send to the stage (NaN when not used) and whether the stage's
    timestamp is earlier than the send (discarded). Used: exitoso, both timestamps, not earlier."""
    nat = np.iinfo(np.int64).min
    present = ok & (sent != nat) & (stamp != nat)
    delta = stamp - sent  # int64 ns; only read where present
    earlier = present & (delta < 0)
    used = present & ~earlier
    minutes = np.full(len(delta), np.nan)
    minutes[used] = delta[used] / 60e9
    return minutes, earlier


def tiempos_tabla(campanas: list[str], n: np.ndarray, descartados: np.ndarray, q: np.ndarray) -> pd.DataFrame:
    """The ``tiempos`` table from its numbers: row 0 is "(todas)", row i the i-th of ``campanas``
    (detallado order); ``n`` and ``descartados`` are (k+1, 3) by :data:`ETAPAS_TIEMPO`, ``q`` is
    (k+1, 3, 4) quantiles in minutes (NaN when n = 0)."""
    k = len(campanas)
    campanas = np.repeat(np.asarray([TODAS, *campanas], dtype=object), 3)
    out = pd.DataFrame(
        {
            "campana": pd.array(campanas, dtype="string"),
            "etapa": pd.array(list(ETAPAS_TIEMPO) * (k + 1), dtype="string"),
            "n": n.ravel(),
            "descartados": descartados.ravel(),
        }
    )
    # to 1e-9 min: engines interpolate quantiles in a different order (last-bit differences)
    q = np.round(q, 9)
    for j, name in enumerate(("p25_min", "p50_min", "p75_min", "p90_min")):
        out[name] = as_float(q[:, :, j].ravel())
    return out[TIEMPOS_COLUMNS]


# --------------------------------------------------------------------------- comparacion


def comparacion(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Reply and sale rate per campaign with its Wilson 95 % interval (CONTRACT §5.2).

    One row per campaign in detallado order. pct over envios_exitosos; interval with
    z = 1.959964: center = (p + z²/2n)/(1 + z²/n), half width =
    z·sqrt(p(1-p)/n + z²/4n²)/(1 + z²/n); rate and interval empty when n = 0.
    """
    return comparacion_de(seleccion(envios, filtros))


def comparacion_de(base: Base) -> pd.DataFrame:
    ind = base.ind
    return comparacion_tabla(
        base.campanas.tolist(),
        base.por_campana(base.ok),
        base.por_campana(ind["respondidos"].to_numpy(dtype=bool)),
        base.por_campana(ind["ventas"].to_numpy(dtype=bool)),
    )


def comparacion_tabla(
    campanas: list[str], n: np.ndarray, respondidas: np.ndarray, ventas: np.ndarray
) -> pd.DataFrame:
    """The ``comparacion`` table from per-campaign counts (detallado order): rates and Wilson intervals."""
    n = np.asarray(n, dtype=np.int64)
    cols: dict[str, object] = {
        "campana": pd.array(list(campanas), dtype="string"),
        "envios_exitosos": n,
    }
    for name, values in (("respondidas", respondidas), ("ventas", ventas)):
        count = np.asarray(values, dtype=np.int64)
        inf, sup = _stats.wilson(count, n)
        cols[name] = count
        cols[f"pct_{name}"] = as_float(_stats.proporcion(count, n))
        cols[f"ic95_inf_{name}"] = as_float(inf)
        cols[f"ic95_sup_{name}"] = as_float(sup)
    return pd.DataFrame(cols)[COMPARACION_COLUMNS]


# --------------------------------------------------------------------------- segmentos


def segmentos(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """One row per contact with at least one exitoso: the re-targeting list (CONTRACT §5.2).

    ``segmento`` is the furthest stage reached on any of the contact's exitosos: venta,
    else asignado, else respondio, else leyo (leido or respondido), else
    lectura_no_informada (some exitoso with leido NA), else no_leyo. ``ultimo_envio``
    is the fecha_envio of the latest exitoso as a tz-aware timestamp in the sends' own
    zone (the exports write it as local ISO text). Sorted by segmento in that order,
    then contacto_id.
    """
    return segmentos_de(seleccion(envios, filtros))


@dataclass(frozen=True)
class Codigos:
    """A text column as codes: ``codigos[i]`` is the position of row i's value in ``ids``.

    ``ids`` are the distinct values sorted by code point (so sorting codes sorts values);
    a missing value has code ``len(ids)``. Factorizing a million contact ids is the slow
    part of :func:`segmentos`: a report does it once per loaded data (:func:`codificar`
    over all sends) and takes each selection's rows from it (:meth:`filas`).
    """

    codigos: np.ndarray
    ids: pa.Array

    def filas(self, posiciones: np.ndarray) -> Codigos:
        """The codes of the rows at ``posiciones`` (same ``ids``)."""
        return Codigos(self.codigos[posiciones], self.ids)


def codificar(ids: pd.Series) -> Codigos:
    """The :class:`Codigos` of a text column (sorted distinct values, one code per row).

    A categorical column reuses its categories (its ``ids`` may then include values no row has).
    """
    if isinstance(ids.dtype, pd.CategoricalDtype):
        dictionary = pa.array(ids.cat.categories.astype("string").array, type=pa.large_string())
        index = ids.cat.codes.to_numpy().astype(np.int64)  # -1 (missing) lands on rank[-1]
    else:
        encoded = texto_arrow(ids).dictionary_encode()
        dictionary = encoded.dictionary
        index = encoded.indices.fill_null(len(dictionary)).to_numpy(zero_copy_only=False).astype(np.int64)
    return ordenar(index, dictionary)


def ordenar(index: np.ndarray, dictionary: pa.Array) -> Codigos:
    """The :class:`Codigos` of codes ``index`` into ``dictionary`` (distinct values in any order;
    ``len(dictionary)`` for a missing value): the same values, renumbered in code-point order."""
    dictionary = dictionary.cast(pa.large_string())
    order = orden_de_texto(dictionary)
    rank = np.empty(len(dictionary) + 1, dtype=np.int64)
    rank[order] = np.arange(len(dictionary))
    rank[-1] = len(dictionary)  # no value
    return Codigos(rank[index], dictionary.take(pa.array(order)))


def niveles(ind: pd.DataFrame, leido_na: np.ndarray) -> np.ndarray:
    """Per send: the index in :data:`SEGMENTOS` of the furthest stage it reached (int8)."""
    return np.select(
        [ind[c].to_numpy(dtype=bool) for c in ("ventas", "asignadas", "respondidos", "leidos")] + [leido_na],
        [0, 1, 2, 3, 4],
        default=5,
    ).astype(np.int8)


def _por_contacto(base: Base, cont: Codigos | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, Codigos]:
    """Kept rows (exitosos with a contact), their contact codes, their levels, and the codes."""
    cont = cont if cont is not None else codificar(base.env["contacto_id"])
    keep = base.ok & (cont.codigos < len(cont.ids))
    return keep, cont.codigos[keep], niveles(base.ind, base.leido_na())[keep], cont


def conteo_de(base: Base, cont: Codigos | None = None) -> pd.DataFrame:
    """:func:`segmentos_conteo` straight from a selection, without building the contact list."""
    _, codes, level, cont = _por_contacto(base, cont)
    return conteo_de_niveles(codes, level, len(cont.ids))


def conteo_de_niveles(codes: np.ndarray, level: np.ndarray, contactos: int) -> pd.DataFrame:
    """The ``segmentos_conteo`` table from the kept sends' contact codes (0..contactos-1) and
    :func:`niveles`: each contact counts once, in its furthest stage."""
    best = np.full(contactos, len(SEGMENTOS), dtype=np.int8)
    np.minimum.at(best, codes, level.astype(np.int8, copy=False))
    counts = np.bincount(best, minlength=len(SEGMENTOS) + 1)[: len(SEGMENTOS)]
    return conteo_tabla(counts.astype(np.int64))


def segmentos_de(base: Base, cont: Codigos | None = None) -> pd.DataFrame:
    """:func:`segmentos` of a selection; ``cont``: the selection rows' :class:`Codigos`."""
    keep, codes, level, cont = _por_contacto(base, cont)
    k = len(cont.ids)
    fecha = base.env["fecha_envio"][keep]
    count = np.bincount(codes, minlength=k).astype(np.int64)
    best = np.full(k, len(SEGMENTOS) - 1, dtype=np.int64)
    np.minimum.at(best, codes, level)
    last = np.full(k, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, codes, _ns(fecha))
    present = np.flatnonzero(count)  # contact codes, i.e. in contacto_id order
    order = present[np.argsort(best[present], kind="stable")]
    tz = fecha.dt.tz if isinstance(fecha.dtype, pd.DatetimeTZDtype) else None
    ultimo = pd.Series(pd.to_datetime(last[order], unit="ns", utc=tz is not None)).dt.as_unit("ns")
    if tz is not None:
        ultimo = ultimo.dt.tz_convert(tz)
    segmento = pc.take(pa.array(SEGMENTOS, type=pa.large_string()), pa.array(best[order]))
    return pd.DataFrame(
        {
            "contacto_id": pd.array(cont.ids.take(pa.array(order)), dtype="string"),
            "envios_exitosos": count[order],
            "ultimo_envio": ultimo.to_numpy() if tz is None else ultimo.array,
            "segmento": pd.array(segmento, dtype="string"),
        }
    )[SEGMENTOS_COLUMNS]


def segmentos_conteo(tabla: pd.DataFrame) -> pd.DataFrame:
    """Contacts per segment of a :func:`segmentos` table: always the six segments, in order.

    ``pct`` is over all the table's contacts (NA when there are none).

    >>> segmentos_conteo(pd.DataFrame({"segmento": ["leyo", "leyo", "no_leyo"]}))["contactos"].tolist()
    [0, 0, 0, 2, 0, 1]
    """
    counts = tabla["segmento"].value_counts().reindex(list(SEGMENTOS), fill_value=0)
    return conteo_tabla(counts.to_numpy(dtype=np.int64))


def conteo_tabla(contactos: np.ndarray) -> pd.DataFrame:
    """The ``segmentos_conteo`` table from the contacts per segment (:data:`SEGMENTOS` order)."""
    total = np.repeat(int(contactos.sum()), len(SEGMENTOS))
    return pd.DataFrame(
        {
            "segmento": pd.array(SEGMENTOS, dtype="string"),
            "contactos": contactos,
            "pct": as_float(_stats.proporcion(contactos, total)),
        }
    )[SEGMENTOS_CONTEO_COLUMNS]


def audiencias(tabla: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One contacts-only table per segment, named ``segmento_NAME`` (the audience files).

    Every segment is present, empty ones included, so the exported files are the same
    on every run.
    """
    segmento = tabla["segmento"]
    return {
        f"segmento_{name}": tabla.loc[bandera(segmento == name), ["contacto_id"]].reset_index(drop=True)
        for name in SEGMENTOS
    }
