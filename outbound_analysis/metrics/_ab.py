"""Detallado's A/B test and costs (CONTRACT §5.2 ``ab``, ``costos``). Pure: frames in, frames out.

Same conventions as :mod:`.metrics._detalle` (whose :class:`Base` they read): counts
``int64``; rates, differences, p-values and costs ``Float64`` with NA where the contract
says "empty" (n = 0, se = 0, divisor 0).

- ``ab``: campaign B against campaign A per stage (Wald interval, pooled z-test), with a
  plain-Spanish sentence per stage (:func:`ab_conclusiones`) and a warning when the two
  audiences differ (:func:`ab_audiencias`).
- ``costos``: cost of the exitosos per campaign from a channel -> cost map.

:func:`tablas` computes every §5.2 table of one selection sharing one filtering pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _stats
from .._text import fmt_int, fmt_pct, key
from ..errors import ParamsError
from ..filters import Filtros, envios_mask
from ..labels import ETAPA_LABELS
from ..params import nombres_comparar, validar_costos
from ._detalle import (
    Base,
    as_float,
    bandera,
    comparacion_de,
    segmentos_de,
    seleccion,
    tiempos_de,
)

TOTAL = "(total)"
ETAPAS_AB = ("leido", "respondido", "asignado", "venta")
#: the indicator (see :func:`metrics.indicators`) that counts each A/B stage
AB_INDICADOR = {"leido": "leidos", "respondido": "respondidos", "asignado": "asignadas", "venta": "ventas"}
AB_COLUMNS = [
    "etapa",
    "a_exitosos",
    "a_cantidad",
    "a_pct",
    "b_exitosos",
    "b_cantidad",
    "b_pct",
    "diferencia",
    "ic95_inf",
    "ic95_sup",
    "p_valor",
    "significativo",
]
COSTOS_COLUMNS = [
    "campana",
    "envios_exitosos",
    "costo",
    "costo_por_respuesta",
    "costo_por_asignacion",
    "costo_por_venta",
]

__all__ = ["validar_costos"]  # re-exported: the parameter's own check, in params


def parecidas(nombre: str, campanas: Sequence[str], limite: int = 5) -> list[str]:
    """Campaign names close to ``nombre``: same key (case, accents), containing it, or similar.

    >>> parecidas("promo agosto", ["Promo Agosto A", "Bienvenida", "Promo agosto B"])
    ['Promo Agosto A', 'Promo agosto B']
    """
    target = key(nombre)
    found = [c for c in campanas if key(c) == target]
    found += [c for c in campanas if target and target in key(c) and c not in found]
    close = difflib.get_close_matches(nombre, list(campanas), n=limite, cutoff=0.6)
    found += [c for c in close if c not in found]
    return found[:limite]


def validar_comparar(comparar: object, envios: pd.DataFrame) -> tuple[str, str]:
    """``(A, B)`` from the parameter ``comparar``, each a campaign of the loaded ``envios``.

    Anything but two distinct names is a :class:`ParamsError`; so is a name no loaded
    send has, and the message lists the similar names (pass the loaded sends, not the
    filtered ones: a campaign outside the filters gives empty rates, not an error).
    """
    a, b = nombres_comparar(comparar)
    present = [str(c) for c in pd.unique(envios["campana"].dropna())]
    present_set = set(present)
    for nombre in (a, b):
        if nombre in present_set:
            continue
        similar = parecidas(nombre, sorted(present))
        if similar:
            hint = "¿Quisiste decir " + " o ".join(f"«{s}»" for s in similar) + "? "
        elif present:
            listed = sorted(present)[:5]
            more = f" y {fmt_int(len(present) - 5)} más" if len(present) > 5 else ""
            hint = "Campañas cargadas: " + ", ".join(f"«{s}»" for s in listed) + f"{more}. "
        else:
            hint = "No hay envíos cargados. "
        raise ParamsError(
            f"comparar: la campaña «{nombre}» no está en los envíos cargados. {hint}"
            "Copiá el nombre exacto como aparece en la tabla Detallado."
        )
    return a, b


def ab(envios: pd.DataFrame, comparar: object, filtros: Filtros | None = None) -> pd.DataFrame:
    """Campaign B against campaign A, per stage leido, respondido, asignado, venta (CONTRACT §5.2).

    a_exitosos / b_exitosos: each campaign's exitosos; a_cantidad / b_cantidad: those
    reaching the stage (leido = leido or respondido); diferencia = b_pct - a_pct; Wald
    interval diferencia ± z·sqrt(a_pct(1-a_pct)/a_n + b_pct(1-b_pct)/b_n); p_valor of the
    two-sided pooled z-test, erfc(|z|/sqrt(2)); significativo = p_valor < 0.05. Empty
    where n = 0 (then also diferencia), where the Wald se is 0 (the interval) and where
    the pooled se is 0 (p_valor, significativo). ``comparar`` is checked against the
    loaded ``envios`` (see :func:`validar_comparar`).
    """
    a, b = validar_comparar(comparar, envios)
    return ab_de(seleccion(envios, filtros), a, b)


def ab_de(base: Base, a: str, b: str) -> pd.DataFrame:
    names = base.campanas.tolist()
    pos = {name: i for i, name in enumerate(names)}
    exitosos = base.por_campana(base.ok)
    counts = {
        etapa: base.por_campana(base.ind[AB_INDICADOR[etapa]].to_numpy(dtype=bool)) for etapa in ETAPAS_AB
    }

    def pick(values: np.ndarray, name: str) -> int:
        return int(values[pos[name]]) if name in pos else 0

    a_k = [pick(counts[e], a) for e in ETAPAS_AB]
    b_k = [pick(counts[e], b) for e in ETAPAS_AB]
    return ab_tabla(pick(exitosos, a), a_k, pick(exitosos, b), b_k)


def ab_tabla(
    a_exitosos: int, a_cantidad: Sequence[int], b_exitosos: int, b_cantidad: Sequence[int]
) -> pd.DataFrame:
    """The ``ab`` table from each campaign's exitosos and its count per stage (:data:`ETAPAS_AB` order)."""
    a_n = np.full(len(ETAPAS_AB), a_exitosos, dtype=np.int64)
    b_n = np.full(len(ETAPAS_AB), b_exitosos, dtype=np.int64)
    a_k = np.asarray(a_cantidad, dtype=np.int64)
    b_k = np.asarray(b_cantidad, dtype=np.int64)
    r = _stats.dos_proporciones(a_k, a_n, b_k, b_n)
    p = r.p_valor
    significativo = pd.arrays.BooleanArray(np.where(np.isnan(p), False, p < _stats.ALFA), np.isnan(p))
    return pd.DataFrame(
        {
            "etapa": pd.array(ETAPAS_AB, dtype="string"),
            "a_exitosos": a_n,
            "a_cantidad": a_k,
            "a_pct": as_float(r.a_pct),
            "b_exitosos": b_n,
            "b_cantidad": b_k,
            "b_pct": as_float(r.b_pct),
            "diferencia": as_float(r.diferencia),
            "ic95_inf": as_float(r.ic95_inf),
            "ic95_sup": as_float(r.ic95_sup),
            "p_valor": as_float(p),
            "significativo": significativo,
        }
    )[AB_COLUMNS]


def exitosos_filtrados(envios: pd.DataFrame, filtros: Filtros | None, columns: list[str]) -> pd.DataFrame:
    """``columns`` of the filtered exitosos (only those columns are copied)."""
    mask = bandera(envios["estado"] == "exitoso")
    if filtros is not None and not filtros.is_empty():
        mask &= envios_mask(envios, filtros)
    return envios.loc[mask, columns]


def _periodo(fechas: pd.Series, tz: str | None) -> tuple[dt.date, dt.date] | None:
    """First and last local calendar day of ``fechas`` (None when there is none)."""
    fechas = fechas.dropna()
    if fechas.empty:
        return None
    first, last = fechas.min(), fechas.max()
    if tz is not None and first.tzinfo is not None:
        first, last = first.tz_convert(tz), last.tz_convert(tz)
    return first.date(), last.date()


def ab_audiencias(envios: pd.DataFrame, comparar: object, filtros: Filtros | None = None) -> list[str]:
    """How the audiences of A and B differ, in Spanish; empty when they look alike.

    Compared over each campaign's filtered exitosos: channels, origins, and whether
    their send periods (local calendar days) overlap. Any difference makes the A/B
    comparison observational: the rates may differ because of who got each message.
    """
    a, b = validar_comparar(comparar, envios)
    ok = exitosos_filtrados(envios, filtros, ["campana", "canal", "origen", "fecha_envio"])
    tz = filtros.zona_horaria if filtros is not None else None
    return diferencias_audiencias({name: ok[bandera(ok["campana"] == name)] for name in (a, b)}, a, b, tz)


def audiencias_de(base: Base, a: str, b: str, tz: str | None = None) -> list[str]:
    """:func:`ab_audiencias` of a selection's :class:`Base` (campaigns by code, no text compare)."""
    pos = {name: i for i, name in enumerate(base.campanas.tolist())}
    parts = {}
    for name in (a, b):
        rows = base.ok & (base.codigo == pos.get(name, -2))
        parts[name] = base.env.loc[rows, ["canal", "origen", "fecha_envio"]]
    return diferencias_audiencias(parts, a, b, tz)


def diferencias_audiencias(parts: Mapping[str, pd.DataFrame], a: str, b: str, tz: str | None) -> list[str]:
    """How A's and B's exitosos differ: ``parts[name]`` has their canal, origen and fecha_envio
    (only the distinct canal/origen values and the first and last fecha_envio are read)."""
    diffs: list[str] = []
    for column in ("canal", "origen"):
        values = {
            name: sorted(str(v) for v in pd.unique(part[column].dropna())) for name, part in parts.items()
        }
        if values[a] and values[b] and values[a] != values[b]:
            diffs.append(f"{column} {', '.join(values[a])} en «{a}» y {', '.join(values[b])} en «{b}»")
    pa_, pb_ = (_periodo(parts[name]["fecha_envio"], tz) for name in (a, b))
    if pa_ and pb_ and (pa_[1] < pb_[0] or pb_[1] < pa_[0]):
        diffs.append(
            f"se enviaron en fechas distintas: «{a}» del {pa_[0]:%d/%m/%Y} al {pa_[1]:%d/%m/%Y} "
            f"y «{b}» del {pb_[0]:%d/%m/%Y} al {pb_[1]:%d/%m/%Y}"
        )
    return diffs


_VERBOS = {"leido": "se leyó", "respondido": "respondió", "asignado": "se asignó", "venta": "vendió"}


def fmt_p_valor(p: float) -> str:
    """A p-value as Spanish text: "p < 0,001", "p = 0,004", "p = 0,31".

    Three decimals below 0,1, so that a p-value just under 0,05 does not read "0,05".

    >>> fmt_p_valor(0.0002), fmt_p_valor(0.0466), fmt_p_valor(0.3087)
    ('p < 0,001', 'p = 0,047', 'p = 0,31')
    """
    if p < 0.001:
        return "p < 0,001"
    digits = 3 if p < 0.1 else 2
    return f"p = {p:.{digits}f}".replace(".", ",")


def _puntos(x: float) -> str:
    return f"{abs(x) * 100:.1f}".replace(".", ",")


def ab_conclusiones(
    tabla: pd.DataFrame, comparar: Sequence[str], audiencias: Sequence[str] = ()
) -> list[str]:
    """One plain-Spanish sentence per stage of an :func:`ab` table, then a warning when
    ``audiencias`` (see :func:`ab_audiencias`) lists differences: the comparison is then
    observational.

    >>> t = pd.DataFrame({"etapa": ["respondido"], "a_exitosos": [150], "a_cantidad": [63],
    ...     "a_pct": [0.42], "b_exitosos": [150], "b_cantidad": [66], "b_pct": [0.44],
    ...     "diferencia": [0.02], "p_valor": [0.726]})
    >>> print(ab_conclusiones(t, ["A", "B"])[0])  # doctest: +NORMALIZE_WHITESPACE
    Respondido: «B» respondió 2,0 puntos más que «A» (44,0 % contra 42,0 %);
    con estos tamaños la diferencia puede ser ruido (p = 0,73).
    """
    a, b = str(comparar[0]), str(comparar[1])
    out = []
    for row in tabla.itertuples(index=False):
        etapa = str(row.etapa)
        label = ETAPA_LABELS.get(etapa, etapa)
        if row.a_exitosos == 0 or row.b_exitosos == 0:
            sin = [f"«{n}»" for n, k in ((a, row.a_exitosos), (b, row.b_exitosos)) if k == 0]
            verbo = "no tienen" if len(sin) == 2 else "no tiene"
            out.append(
                f"{label}: {' y '.join(sin)} {verbo} envíos exitosos con los filtros elegidos; "
                "no hay comparación."
            )
            continue
        pa_, pb_, diff, p = float(row.a_pct), float(row.b_pct), float(row.diferencia), row.p_valor
        if pd.isna(p):
            out.append(
                f"{label}: las dos campañas tienen {fmt_pct(pa_)} ({fmt_int(row.a_cantidad)} de "
                f"{fmt_int(row.a_exitosos)} y {fmt_int(row.b_cantidad)} de {fmt_int(row.b_exitosos)}); "
                "no hay diferencia que probar."
            )
            continue
        if diff == 0:
            head = f"{label}: «{b}» y «{a}» tienen la misma tasa ({fmt_pct(pb_)})"
        else:
            mas = "más" if diff > 0 else "menos"
            head = (
                f"{label}: «{b}» {_VERBOS.get(etapa, 'tuvo')} {_puntos(diff)} puntos {mas} que «{a}» "
                f"({fmt_pct(pb_)} contra {fmt_pct(pa_)})"
            )
        if float(p) < _stats.ALFA:
            tail = (
                f"la diferencia es estadísticamente significativa ({fmt_p_valor(float(p))}): "
                "difícilmente sea ruido."
            )
        else:
            tail = f"con estos tamaños la diferencia puede ser ruido ({fmt_p_valor(float(p))})."
        out.append(f"{head}; {tail}")
    if audiencias:
        out.append(
            f"Ojo: las audiencias difieren ({'; '.join(audiencias)}). La comparación es observacional, "
            "no un experimento: una diferencia puede deberse a quién recibió cada campaña y no al mensaje."
        )
    return out


# --------------------------------------------------------------------------- costos


def _costo_por_envio(env: pd.DataFrame, costos: Mapping[str, float]) -> np.ndarray:
    """Cost of each send by its canal (0 for a channel not in ``costos``)."""
    codes, uniques = pd.factorize(env["canal"], use_na_sentinel=True)
    per_value = np.array([costos.get(str(u), 0.0) for u in uniques] + [0.0], dtype=np.float64)
    return per_value[codes]  # code -1 (no canal) takes the trailing 0


def costos(envios: pd.DataFrame, costos: Mapping[str, float], filtros: Filtros | None = None) -> pd.DataFrame:
    """Cost of the exitosos per campaign, then "(total)" (CONTRACT §5.2 ``costos``).

    costo = sum over exitosos of the cost of its canal (a channel not in ``costos``
    costs 0: list them with :func:`canales_sin_costo`); costo_por_respuesta,
    costo_por_asignacion and costo_por_venta divide it by respondidos, asignadas and
    ventas, empty when the divisor is 0. Campaigns in detallado order.
    """
    return costos_de(seleccion(envios, filtros), validar_costos(costos))


def costos_de(base: Base, mapa: Mapping[str, float]) -> pd.DataFrame:
    cost = np.where(base.ok, _costo_por_envio(base.env, mapa), 0.0)
    k = len(base.campanas)
    valid = base.codigo >= 0
    costo = np.bincount(base.codigo[valid], weights=cost[valid], minlength=k).astype(np.float64)
    costo = np.append(costo, cost.sum())
    ind = base.ind

    def with_total(mask: np.ndarray) -> np.ndarray:
        # the total counts every send, also one without campaign (none exist after loading)
        return np.append(base.por_campana(mask), int(mask.sum())).astype(np.int64)

    divisores = {
        name: with_total(ind[indicator].to_numpy(dtype=bool)) for name, indicator in COSTO_POR.items()
    }
    return costos_tabla(base.campanas.tolist(), with_total(base.ok), costo, divisores)


#: costos' columns "cost per ..." and the indicator each one divides by
COSTO_POR = {
    "costo_por_respuesta": "respondidos",
    "costo_por_asignacion": "asignadas",
    "costo_por_venta": "ventas",
}


def costos_tabla(
    campanas: list[str], exitosos: np.ndarray, costo: np.ndarray, divisores: Mapping[str, np.ndarray]
) -> pd.DataFrame:
    """The ``costos`` table: per campaign (detallado order) then "(total)" (the last element of
    each array): exitosos, costo, and costo divided by ``divisores`` (respondidos, asignadas,
    ventas, by column name), empty when the divisor is 0."""
    cols: dict[str, object] = {
        "campana": pd.array([*campanas, TOTAL], dtype="string"),
        "envios_exitosos": np.asarray(exitosos, dtype=np.int64),
        "costo": as_float(costo),
    }
    for name in COSTO_POR:
        cols[name] = as_float(_stats.proporcion(costo, np.asarray(divisores[name], dtype=np.int64)))
    return pd.DataFrame(cols)[COSTOS_COLUMNS]


def canales_sin_costo(
    envios: pd.DataFrame, costos: Mapping[str, float], filtros: Filtros | None = None
) -> list[str]:
    """Channels with exitosos but no cost in ``costos`` (they count as 0: the report lists them)."""
    mapa = validar_costos(costos)
    ok = exitosos_filtrados(envios, filtros, ["canal"])
    return sin_costo(pd.unique(ok["canal"].dropna()), mapa)


def sin_costo(canales: Iterable[object], costos: Mapping[str, float]) -> list[str]:
    """The ``canales`` (with exitosos) that ``costos`` does not price, sorted."""
    return sorted(str(c) for c in canales if str(c) not in costos)


def canales_sin_costo_de(base: Base, costos: Mapping[str, float]) -> list[str]:
    """:func:`canales_sin_costo` of a selection's :class:`Base` (``costos`` already validated)."""
    return sin_costo(pd.unique(base.env["canal"][base.ok].dropna()), costos)


# --------------------------------------------------------------------------- all at once


def tablas(
    envios: pd.DataFrame,
    filtros: Filtros | None = None,
    *,
    comparar: object = None,
    costos: object = None,
) -> dict[str, pd.DataFrame]:
    """Every §5.2 table of one selection, sharing one filtering pass, by export name.

    ``tiempos``, ``comparacion`` and ``segmentos`` always; ``ab`` only when ``comparar``
    is given (validated against the loaded ``envios``); ``costos`` only when ``costos``
    is given.
    """
    sel = seleccion(envios, filtros)
    out = {
        "tiempos": tiempos_de(sel),
        "comparacion": comparacion_de(sel),
    }
    if comparar is not None:
        a, b = validar_comparar(comparar, envios)
        out["ab"] = ab_de(sel, a, b)
    out["segmentos"] = segmentos_de(sel)
    if costos is not None:
        out["costos"] = costos_de(sel, validar_costos(costos))
    return out
