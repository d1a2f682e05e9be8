"""Detallado tables beyond the platform's screens (CONTRACT §5.2). Pure: frames in, frames out.

Every table function takes the loaded ``envios`` plus an optional
:class:`~outbound_analysis.filters.Filtros`, never mutates its inputs and returns the
contract's columns in order. Counts are ``int64``; rates, minutes and costs are
``Float64`` with NA where the contract says "empty" (denominator 0, n = 0, se = 0).
"Exitosos" = filtered sends with estado = exitoso. Campaigns follow the order of the
``detallado`` table: envios_exitosos descending, then campana.

- ``tiempos``: minutes from fecha_envio to fecha_lectura / fecha_respuesta /
  fecha_asignacion of each exitoso; an earlier timestamp is not used and is counted in
  ``descartados``; quantiles p25, p50, p75, p90 with linear interpolation.
- ``comparacion``: reply and sale rates per campaign with Wilson 95 % intervals.
- ``ab``: campaign B against campaign A per stage (Wald interval, pooled z-test).
- ``segmentos``: one row per contact with an exitoso and the furthest stage reached.
- ``costos``: cost of the exitosos per campaign from a channel -> cost map.

:func:`tablas` computes all of them sharing one filtering pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import _stats
from ._text import fmt_int, fmt_pct, key
from .errors import ParamsError
from .filters import Filtros, envios_mask, filter_envios
from .labels import ETAPA_LABELS
from .metrics import indicators

TODAS = "(todas)"
TOTAL = "(total)"
ETAPAS_TIEMPO = ("lectura", "respuesta", "asignacion")
_STAMPS = {"lectura": "fecha_lectura", "respuesta": "fecha_respuesta", "asignacion": "fecha_asignacion"}
CUANTILES = (0.25, 0.5, 0.75, 0.9)
ETAPAS_AB = ("leido", "respondido", "asignado", "venta")
_AB_INDICATOR = {"leido": "leidos", "respondido": "respondidos", "asignado": "asignadas", "venta": "ventas"}
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
SEGMENTOS_COLUMNS = ["contacto_id", "envios_exitosos", "ultimo_envio", "segmento"]
SEGMENTOS_CONTEO_COLUMNS = ["segmento", "contactos", "pct"]
COSTOS_COLUMNS = [
    "campana",
    "envios_exitosos",
    "costo",
    "costo_por_respuesta",
    "costo_por_asignacion",
    "costo_por_venta",
]


# --------------------------------------------------------------------------- helpers


def _float(values: np.ndarray) -> pd.arrays.FloatingArray:
    """``Float64`` array with NA where ``values`` is NaN."""
    arr = np.asarray(values, dtype=np.float64)
    return pd.arrays.FloatingArray(arr.copy(), np.isnan(arr))


def _flag(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype=bool, na_value=False)


@dataclass(frozen=True)
class _Base:
    """What every table needs, computed once per selection.

    ``env``: filtered sends; ``ok``: exitoso mask; ``ind``: :func:`metrics.indicators`;
    ``campanas``: campaign names in detallado order; ``codigo``: per send, the position
    of its campaign in ``campanas`` (-1 for a send without campaign).
    """

    env: pd.DataFrame
    ok: np.ndarray
    ind: pd.DataFrame
    campanas: pd.Index
    codigo: np.ndarray

    def por_campana(self, mask: np.ndarray) -> np.ndarray:
        """Per campaign (detallado order): how many sends satisfy ``mask``."""
        codes = self.codigo[mask & (self.codigo >= 0)]
        return np.bincount(codes, minlength=len(self.campanas)).astype(np.int64)


def _base(envios: pd.DataFrame, filtros: Filtros | None) -> _Base:
    env = filter_envios(envios, filtros)
    ind = indicators(env)
    ok = ind["envios_exitosos"].to_numpy(dtype=bool)
    codes, uniques = pd.factorize(env["campana"], use_na_sentinel=True)
    names = np.asarray([str(u) for u in uniques], dtype=object)
    exitosos = np.bincount(codes[ok & (codes >= 0)], minlength=len(names))
    # detallado's order: envios_exitosos descending, then campana (code-point order)
    order = np.lexsort((names, -exitosos)) if len(names) else np.array([], dtype=np.int64)
    position = np.empty(len(names), dtype=np.int64)
    position[order] = np.arange(len(names))
    codigo = np.where(codes >= 0, position[np.maximum(codes, 0)] if len(names) else -1, -1)
    return _Base(
        env=env,
        ok=ok,
        ind=ind,
        campanas=pd.Index(names[order].tolist(), dtype="string", name="campana"),
        codigo=codigo.astype(np.int64),
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


def _por_grupo(values: np.ndarray, groups: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles of all ``values`` (row 0) and of each group 0..k-1 (rows 1..k), with counts.

    One sort by value, then a stable sort by group (radix for small group codes).
    """
    sort = np.argsort(values)
    by_value = values[sort]
    small = groups[sort].astype(np.int16 if k < 2**15 else np.int64)
    by_group = by_value[np.argsort(small, kind="stable")]
    counts = np.bincount(groups, minlength=k).astype(np.int64)
    q = np.vstack([_cuantiles(by_value, np.array([len(values)])), _cuantiles(by_group, counts)])
    return np.concatenate([[len(values)], counts]).astype(np.int64), q


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
    return _tiempos_from(_base(envios, filtros))


def _tiempos_from(base: _Base) -> pd.DataFrame:
    k = len(base.campanas)
    env = base.env
    sent = _ns(env["fecha_envio"])
    sent_ok = base.ok & (sent != np.iinfo(np.int64).min)
    n = np.zeros((k + 1, 3), dtype=np.int64)
    descartados = np.zeros((k + 1, 3), dtype=np.int64)
    q = np.full((k + 1, 3, len(CUANTILES)), np.nan)
    for e, etapa in enumerate(ETAPAS_TIEMPO):
        stamp = _ns(env[_STAMPS[etapa]])
        present = sent_ok & (stamp != np.iinfo(np.int64).min)
        delta = stamp - sent  # int64 ns; only read where present
        earlier = present & (delta < 0)
        used = present & ~earlier
        minutes = delta[used] / 60e9
        codes = base.codigo[used]
        in_camp = codes >= 0
        n[:, e], q[:, e] = _por_grupo(minutes[in_camp], codes[in_camp], k)
        descartados[0, e] = int(earlier.sum())
        descartados[1:, e] = base.por_campana(earlier)
    campanas = np.repeat(np.asarray([TODAS, *base.campanas.tolist()], dtype=object), 3)
    out = pd.DataFrame(
        {
            "campana": pd.array(campanas, dtype="string"),
            "etapa": pd.array(list(ETAPAS_TIEMPO) * (k + 1), dtype="string"),
            "n": n.ravel(),
            "descartados": descartados.ravel(),
        }
    )
    for j, name in enumerate(("p25_min", "p50_min", "p75_min", "p90_min")):
        out[name] = _float(q[:, :, j].ravel())
    return out[TIEMPOS_COLUMNS]


# --------------------------------------------------------------------------- comparacion


def comparacion(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Reply and sale rate per campaign with its Wilson 95 % interval (CONTRACT §5.2).

    One row per campaign in detallado order. pct over envios_exitosos; interval with
    z = 1.959964: center = (p + z²/2n)/(1 + z²/n), half width =
    z·sqrt(p(1-p)/n + z²/4n²)/(1 + z²/n); rate and interval empty when n = 0.
    """
    return _comparacion_from(_base(envios, filtros))


def _comparacion_from(base: _Base) -> pd.DataFrame:
    ind = base.ind
    n = base.por_campana(base.ok)
    cols: dict[str, object] = {
        "campana": pd.array(base.campanas.tolist(), dtype="string"),
        "envios_exitosos": n,
    }
    for name, indicator in (("respondidas", "respondidos"), ("ventas", "ventas")):
        count = base.por_campana(ind[indicator].to_numpy(dtype=bool))
        inf, sup = _stats.wilson(count, n)
        cols[name] = count
        cols[f"pct_{name}"] = _float(_stats.proporcion(count, n))
        cols[f"ic95_inf_{name}"] = _float(inf)
        cols[f"ic95_sup_{name}"] = _float(sup)
    return pd.DataFrame(cols)[COMPARACION_COLUMNS]


# --------------------------------------------------------------------------- ab


def _nombres(comparar: object) -> tuple[str, str]:
    """The two campaign names of ``comparar``, or a ParamsError saying what is wrong."""
    ejemplo = 'p. ej. comparar: ["Promo agosto A", "Promo agosto B"]'
    if isinstance(comparar, str) or not isinstance(comparar, Sequence):
        raise ParamsError(
            "comparar tiene que ser una lista de exactamente dos campañas, la A primero y la B "
            f"después ({ejemplo}); recibí {comparar!r}."
        )
    names = [str(c).strip() if c is not None else "" for c in comparar]
    if len(names) != 2 or not all(names):
        raise ParamsError(
            f"comparar tiene que nombrar exactamente dos campañas, la A primero y la B después "
            f"({ejemplo}); recibí {len(names)} valor{'es' if len(names) != 1 else ''}."
        )
    if names[0] == names[1]:
        raise ParamsError(f"comparar nombra dos veces «{names[0]}»: elegí dos campañas distintas.")
    return names[0], names[1]


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
    a, b = _nombres(comparar)
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
    return _ab_from(_base(envios, filtros), a, b)


def _ab_from(base: _Base, a: str, b: str) -> pd.DataFrame:
    names = base.campanas.tolist()
    pos = {name: i for i, name in enumerate(names)}
    exitosos = base.por_campana(base.ok)
    counts = {
        etapa: base.por_campana(base.ind[_AB_INDICATOR[etapa]].to_numpy(dtype=bool)) for etapa in ETAPAS_AB
    }

    def pick(values: np.ndarray, name: str) -> int:
        return int(values[pos[name]]) if name in pos else 0

    a_n = np.full(len(ETAPAS_AB), pick(exitosos, a), dtype=np.int64)
    b_n = np.full(len(ETAPAS_AB), pick(exitosos, b), dtype=np.int64)
    a_k = np.array([pick(counts[e], a) for e in ETAPAS_AB], dtype=np.int64)
    b_k = np.array([pick(counts[e], b) for e in ETAPAS_AB], dtype=np.int64)
    r = _stats.dos_proporciones(a_k, a_n, b_k, b_n)
    p = r.p_valor
    significativo = pd.arrays.BooleanArray(np.where(np.isnan(p), False, p < _stats.ALFA), np.isnan(p))
    return pd.DataFrame(
        {
            "etapa": pd.array(ETAPAS_AB, dtype="string"),
            "a_exitosos": a_n,
            "a_cantidad": a_k,
            "a_pct": _float(r.a_pct),
            "b_exitosos": b_n,
            "b_cantidad": b_k,
            "b_pct": _float(r.b_pct),
            "diferencia": _float(r.diferencia),
            "ic95_inf": _float(r.ic95_inf),
            "ic95_sup": _float(r.ic95_sup),
            "p_valor": _float(p),
            "significativo": significativo,
        }
    )[AB_COLUMNS]


def _exitosos(envios: pd.DataFrame, filtros: Filtros | None, columns: list[str]) -> pd.DataFrame:
    """``columns`` of the filtered exitosos (only those columns are copied)."""
    mask = _flag(envios["estado"] == "exitoso")
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
    ok = _exitosos(envios, filtros, ["campana", "canal", "origen", "fecha_envio"])
    tz = filtros.zona_horaria if filtros is not None else None
    parts = {name: ok[_flag(ok["campana"] == name)] for name in (a, b)}
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
    return _segmentos_from(_base(envios, filtros))


def _segmentos_from(base: _Base) -> pd.DataFrame:
    env = base.env
    keep = base.ok & env["contacto_id"].notna().to_numpy()
    ind = base.ind[keep]
    leido_na = env["leido"].isna().to_numpy()[keep]
    level = np.select(
        [
            ind["ventas"].to_numpy(dtype=bool),
            ind["asignadas"].to_numpy(dtype=bool),
            ind["respondidos"].to_numpy(dtype=bool),
            ind["leidos"].to_numpy(dtype=bool),
            leido_na,
        ],
        [0, 1, 2, 3, 4],
        default=5,
    ).astype(np.int64)
    codes, contactos = pd.factorize(env["contacto_id"][keep])
    k = len(contactos)
    fecha = env["fecha_envio"][keep]
    when = _ns(fecha)
    count = np.bincount(codes, minlength=k).astype(np.int64)
    best = np.full(k, len(SEGMENTOS) - 1, dtype=np.int64)
    np.minimum.at(best, codes, level)
    last = np.full(k, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, codes, when)
    ids = pa.array(contactos.astype("string").array, type=pa.large_string())
    order = pc.sort_indices(
        pa.table({"s": best, "c": ids}), sort_keys=[("s", "ascending"), ("c", "ascending")]
    ).to_numpy()
    tz = fecha.dt.tz if isinstance(fecha.dtype, pd.DatetimeTZDtype) else None
    ultimo = pd.Series(pd.to_datetime(last[order], unit="ns", utc=tz is not None)).dt.as_unit("ns")
    if tz is not None:
        ultimo = ultimo.dt.tz_convert(tz)
    segmento = pc.take(pa.array(SEGMENTOS, type=pa.large_string()), pa.array(best[order]))
    return pd.DataFrame(
        {
            "contacto_id": pd.array(ids.take(pa.array(order)), dtype="string"),
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
    contactos = counts.to_numpy(dtype=np.int64)
    total = np.repeat(len(tabla), len(SEGMENTOS))
    return pd.DataFrame(
        {
            "segmento": pd.array(SEGMENTOS, dtype="string"),
            "contactos": contactos,
            "pct": _float(_stats.proporcion(contactos, total)),
        }
    )[SEGMENTOS_CONTEO_COLUMNS]


def audiencias(tabla: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One contacts-only table per segment, named ``segmento_NAME`` (the audience files).

    Every segment is present, empty ones included, so the exported files are the same
    on every run.
    """
    segmento = tabla["segmento"]
    return {
        f"segmento_{name}": tabla.loc[_flag(segmento == name), ["contacto_id"]].reset_index(drop=True)
        for name in SEGMENTOS
    }


# --------------------------------------------------------------------------- costos


def validar_costos(costos: object) -> dict[str, float]:
    """The parameter ``costos`` as {channel code: cost of one successful send}.

    Keys are normalized like the ``canales`` filter ("whatsapp" -> "WA"); each value must
    be a number >= 0. Anything else is a :class:`ParamsError`.

    >>> validar_costos({"whatsapp": 0.0618, "FB": 0})
    {'WA': 0.0618, 'FB': 0.0}
    """
    ejemplo = "p. ej. costos: {WA: 0.0618, FB: 0}"
    if not isinstance(costos, Mapping):
        raise ParamsError(
            f"costos tiene que asociar cada canal con el costo de un envío exitoso ({ejemplo}); "
            f"recibí {costos!r}."
        )
    out: dict[str, float] = {}
    for raw_key, value in costos.items():
        codes = Filtros(canales=[str(raw_key)]).canales
        if not codes:
            raise ParamsError(f"costos: hay un canal vacío; escribí el código del canal ({ejemplo}).")
        ok = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value >= 0
        )
        if not ok:
            raise ParamsError(
                f"costos: el costo del canal {raw_key} tiene que ser un número mayor o igual a 0 "
                f"(con punto decimal, {ejemplo}); recibí {value!r}."
            )
        if codes[0] in out and out[codes[0]] != float(value):
            raise ParamsError(
                f"costos: el canal {codes[0]} aparece dos veces con costos distintos; dejá uno solo."
            )
        out[codes[0]] = float(value)
    return out


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
    return _costos_from(_base(envios, filtros), validar_costos(costos))


def _costos_from(base: _Base, mapa: Mapping[str, float]) -> pd.DataFrame:
    cost = np.where(base.ok, _costo_por_envio(base.env, mapa), 0.0)
    k = len(base.campanas)
    valid = base.codigo >= 0
    costo = np.bincount(base.codigo[valid], weights=cost[valid], minlength=k).astype(np.float64)
    costo = np.append(costo, cost.sum())
    ind = base.ind

    def with_total(values: np.ndarray) -> np.ndarray:
        return np.append(values, int(values.sum()) if k else 0).astype(np.int64)

    exitosos = with_total(base.por_campana(base.ok))
    # the total counts every exitoso, also one without campaign (none exist after loading)
    exitosos[-1] = int(base.ok.sum())
    cols: dict[str, object] = {
        "campana": pd.array([*base.campanas.tolist(), TOTAL], dtype="string"),
        "envios_exitosos": exitosos,
        "costo": _float(costo),
    }
    for name, indicator in (
        ("costo_por_respuesta", "respondidos"),
        ("costo_por_asignacion", "asignadas"),
        ("costo_por_venta", "ventas"),
    ):
        mask = ind[indicator].to_numpy(dtype=bool)
        divisor = with_total(base.por_campana(mask))
        divisor[-1] = int(mask.sum())
        cols[name] = _float(_stats.proporcion(costo, divisor))
    return pd.DataFrame(cols)[COSTOS_COLUMNS]


def canales_sin_costo(
    envios: pd.DataFrame, costos: Mapping[str, float], filtros: Filtros | None = None
) -> list[str]:
    """Channels with exitosos but no cost in ``costos`` (they count as 0: the report lists them)."""
    mapa = validar_costos(costos)
    ok = _exitosos(envios, filtros, ["canal"])
    return sorted(str(c) for c in pd.unique(ok["canal"].dropna()) if str(c) not in mapa)


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
    base = _base(envios, filtros)
    out = {
        "tiempos": _tiempos_from(base),
        "comparacion": _comparacion_from(base),
    }
    if comparar is not None:
        a, b = validar_comparar(comparar, envios)
        out["ab"] = _ab_from(base, a, b)
    out["segmentos"] = _segmentos_from(base)
    if costos is not None:
        out["costos"] = _costos_from(base, validar_costos(costos))
    return out
