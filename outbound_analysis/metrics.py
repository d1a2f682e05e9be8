"""Report tables, exactly as CONTRACT §3 defines them. Pure: DataFrames in, DataFrames out.

Every function takes the loaded ``envios`` (and ``eventos``) plus an optional
:class:`~outbound_analysis.filters.Filtros`, never mutates its inputs, and returns
tables whose names and columns are those of CONTRACT §4. Counts are ``int64``;
percentages are fractions in [0, 1] as ``Float64``, NA when the denominator is 0.

"exitosos" = sends that passed the filters with ``estado == "exitoso"``.

Resumen
    total_contactos: distinct contacto_id among all filtered sends (any estado);
    envios / envios_exitosos / envios_fallidos / envios_pendientes;
    leidos: exitosos with leido true OR respondido true (a reply proves it was seen);
    respondidos / asignadas / ventas: exitosos with that flag true;
    lectura_no_informada: exitosos with leido NA and respondido not true;
    conversaciones_iniciadas / sobre_conversacion_abierta: exitosos with
    conversacion_nueva true / false.
Detallado
    one row per campana (see :func:`detallado`), plus the per-send detail.
Flujos
    scope: filtered sends with origen = flujo (see :func:`flujos`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .filters import Filtros, filter_envios
from .labels import error_label
from .schema import FINALIZACIONES, TIPOS_AUTOGESTION

SIN_OPCION = "(sin opción)"
SIN_MENSAJE = "(sin mensaje)"
ETAPAS = ("enviado", "leido", "respondido", "asignado", "venta")

KPI_COLUMNS = [
    "total_contactos",
    "envios",
    "envios_exitosos",
    "envios_fallidos",
    "envios_pendientes",
    "leidos",
    "respondidos",
    "asignadas",
    "ventas",
    "lectura_no_informada",
    "conversaciones_iniciadas",
    "sobre_conversacion_abierta",
]
DETALLADO_COLUMNS = [
    "campana",
    "origen",
    "canal",
    "total_contactos",
    "envios",
    "envios_exitosos",
    "envios_fallidos",
    "envios_pendientes",
    "vistas",
    "respondidas",
    "asignadas",
    "ventas",
    "pct_vistas",
    "pct_respondidas",
    "pct_asignadas",
    "pct_ventas",
]
ENVIOS_DETAIL_COLUMNS = [
    "envio_id",
    "fecha_envio",
    "campana",
    "origen",
    "canal",
    "linea",
    "contacto_id",
    "estado",
    "codigo_error",
    "conversacion_id",
    "conversacion_nueva",
    "leido",
    "visto",
    "respondido",
    "asignada",
    "venta",
    "fecha_lectura",
    "fecha_respuesta",
    "fecha_asignacion",
    "grupo",
    "agente",
    "tipificacion",
    "tipo_tipificacion",
    "etiquetas",
]
RESULTADOS_COLUMNS = [
    "total_contactos",
    "envios_exitosos",
    "conversaciones",
    "asignadas",
    "ventas",
    "flujos_respondidos",
]
#: tables of each report, by name: what it computes, shows and exports (CONTRACT §4 plus resumen extras)
TABLES = {
    "resumen": ("kpis", "embudo", "reconciliacion", "por_origen", "fallas"),
    "detallado": ("detallado", "envios"),
    "flujos": (
        "resultados",
        "primeras_opciones",
        "finalizacion",
        "embudo_tipificaciones",
        "embudo_etiquetas",
        "ultimo_mensaje_abandono",
    ),
}


# --------------------------------------------------------------------------- helpers


def ratio(num: pd.Series | np.ndarray | int, den: pd.Series | np.ndarray | int) -> pd.Series:
    """``num / den`` as ``Float64``, NA where ``den`` is 0.

    >>> ratio(pd.Series([1, 2]), pd.Series([4, 0])).tolist()
    [0.25, <NA>]
    """
    num_a = np.atleast_1d(np.asarray(num, dtype="float64"))
    den_a = np.atleast_1d(np.asarray(den, dtype="float64"))
    zero = den_a == 0
    return pd.Series(pd.arrays.FloatingArray(num_a / np.where(zero, 1.0, den_a), zero))


def _true(s: pd.Series) -> np.ndarray:
    """Where a nullable flag is true (NA is not true)."""
    return s.to_numpy(dtype=bool, na_value=False)


def _is(s: pd.Series, value: str) -> np.ndarray:
    """Where ``s == value`` (NA is not equal)."""
    return (s == value).to_numpy(dtype=bool, na_value=False)


def _false(s: pd.Series) -> np.ndarray:
    """Where a nullable flag is false (NA is not false)."""
    return (~s.fillna(True)).to_numpy(dtype=bool)


def indicators(envios: pd.DataFrame) -> pd.DataFrame:
    """One boolean column per counted condition of a send; sums give the resumen counts.

    >>> row = indicators(pd.DataFrame({"estado": ["exitoso"], "leido": pd.array([None], "boolean"),
    ...     "respondido": pd.array([True], "boolean"), "asignada": pd.array([None], "boolean"),
    ...     "venta": pd.array([None], "boolean"),
    ...     "conversacion_nueva": pd.array([False], "boolean")})).iloc[0]
    >>> int(row["leidos"]), int(row["lectura_no_informada"])
    (1, 0)
    """
    estado = envios["estado"]
    ok = _is(estado, "exitoso")
    respondido = _true(envios["respondido"])
    leido_na = envios["leido"].isna().to_numpy()
    cols = {
        "envios_exitosos": ok,
        "envios_fallidos": _is(estado, "fallido"),
        "envios_pendientes": _is(estado, "pendiente"),
        "leidos": ok & (_true(envios["leido"]) | respondido),
        "respondidos": ok & respondido,
        "asignadas": ok & _true(envios["asignada"]),
        "ventas": ok & _true(envios["venta"]),
        "lectura_no_informada": ok & leido_na & ~respondido,
        "conversaciones_iniciadas": ok & _true(envios["conversacion_nueva"]),
        "sobre_conversacion_abierta": ok & _false(envios["conversacion_nueva"]),
    }
    return pd.DataFrame(cols, index=envios.index)


# --------------------------------------------------------------------------- resumen


def kpis(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """One row with every metric of CONTRACT §3.1 (see the module docstring for each rule).

    >>> kpis(ejemplo_envios())[["envios", "envios_exitosos", "leidos"]].iloc[0].tolist()
    [4, 3, 2]
    """
    env = filter_envios(envios, filtros)
    return _kpis_from(env, indicators(env))


def _kpis_from(env: pd.DataFrame, ind: pd.DataFrame) -> pd.DataFrame:
    sums = ind.sum()
    row = {
        "total_contactos": int(env["contacto_id"].nunique()),
        "envios": len(env),
        **{k: int(sums[k]) for k in sums.index},
    }
    return pd.DataFrame([row], columns=KPI_COLUMNS).astype("int64")


def embudo(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Sales funnel enviado > leido > respondido > asignado > venta.

    ``pct_envios`` is over envios_exitosos; ``pct_etapa_anterior`` over the previous
    stage (for enviado: 1, or NA with no exitosos). The funnel need not shrink.
    """
    return _embudo_from(kpis(envios, filtros))


def _embudo_from(kpi_table: pd.DataFrame) -> pd.DataFrame:
    k = kpi_table.iloc[0]
    counts = np.array(
        [k["envios_exitosos"], k["leidos"], k["respondidos"], k["asignadas"], k["ventas"]],
        dtype=np.int64,
    )
    previous = np.concatenate([[counts[0]], counts[:-1]])
    return pd.DataFrame(
        {
            "etapa": pd.Series(ETAPAS, dtype="string"),
            "cantidad": counts,
            "pct_envios": ratio(counts, np.repeat(counts[0], len(counts))),
            "pct_etapa_anterior": ratio(counts, previous),
        }
    )


def resumen(envios: pd.DataFrame, filtros: Filtros | None = None) -> dict[str, pd.DataFrame]:
    """Tables of the resumen report: ``kpis`` and ``embudo`` (CONTRACT §4), plus
    ``reconciliacion``, ``por_origen`` and ``fallas``."""
    env = filter_envios(envios, filtros)
    ind = indicators(env)
    k = _kpis_from(env, ind)
    return {
        "kpis": k,
        "embudo": _embudo_from(k),
        "reconciliacion": _reconciliacion_from(k),
        "por_origen": _por_origen_from(env, ind),
        "fallas": fallas(env),
    }


def reconciliacion(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Why envíos exitosos differ from conversaciones iniciadas.

    envios_exitosos = conversaciones_iniciadas + sobre_conversacion_abierta + sin_dato,
    where sin_dato are exitosos whose conversacion_nueva is not reported.
    """
    return _reconciliacion_from(kpis(envios, filtros))


def _reconciliacion_from(kpi_table: pd.DataFrame) -> pd.DataFrame:
    k = kpi_table.iloc[0]
    sin_dato = k["envios_exitosos"] - k["conversaciones_iniciadas"] - k["sobre_conversacion_abierta"]
    rows = [
        ("envios_exitosos", k["envios_exitosos"]),
        ("conversaciones_iniciadas", k["conversaciones_iniciadas"]),
        ("sobre_conversacion_abierta", k["sobre_conversacion_abierta"]),
        ("sin_dato_de_conversacion", sin_dato),
    ]
    out = pd.DataFrame(rows, columns=["concepto", "cantidad"])
    out = out.astype({"concepto": "string", "cantidad": "int64"})
    out["pct_exitosos"] = ratio(out["cantidad"], np.repeat(k["envios_exitosos"], len(out)))
    return out


def por_origen(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Resumen counts per origen: shows where read/reply information is not reported.

    Same rules as :func:`kpis`; pct_* over each origen's envios_exitosos.
    """
    env = filter_envios(envios, filtros)
    return _por_origen_from(env, indicators(env))


def _por_origen_from(env: pd.DataFrame, ind: pd.DataFrame) -> pd.DataFrame:
    sums = ind.groupby(env["origen"], observed=True, sort=True).sum()
    cols = ["envios_exitosos", "leidos", "respondidos", "asignadas", "ventas", "lectura_no_informada"]
    out = sums[cols].rename_axis("origen").reset_index()
    out["origen"] = out["origen"].astype("string")
    for name in ("leidos", "respondidos", "asignadas", "lectura_no_informada"):
        out[f"pct_{name}"] = ratio(out[name], out["envios_exitosos"]).array
    return out.astype({c: "int64" for c in cols})


def fallas(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Failed sends per codigo_error, most frequent first; pct over envios_fallidos.

    A failed send without a code counts as "(sin código)".
    """
    env = filter_envios(envios, filtros)
    failed = env[(env["estado"] == "fallido").to_numpy(dtype=bool, na_value=False)]
    codes = failed["codigo_error"].astype("string").fillna("(sin código)")
    counts = codes.value_counts(sort=False)
    out = pd.DataFrame(
        {"codigo_error": counts.index.astype("string"), "envios": counts.to_numpy(dtype=np.int64)}
    ).sort_values(["envios", "codigo_error"], ascending=[False, True], kind="stable")
    out.insert(1, "descripcion", out["codigo_error"].map(error_label).astype("string"))
    out["pct"] = ratio(out["envios"], np.repeat(len(failed), len(out))).array
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- detallado


def _joined_distinct(env: pd.DataFrame, column: str) -> pd.Series:
    """Per campana: the distinct values of ``column``, sorted, joined by ", "."""
    pairs = env[["campana", column]].dropna().drop_duplicates()
    pairs = pairs.assign(campana=pairs["campana"].astype(str), **{column: pairs[column].astype(str)})
    return pairs.sort_values(column).groupby("campana", sort=False)[column].agg(", ".join)


def detallado(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """One row per campana (CONTRACT §3.2).

    origen and canal: distinct values, sorted, joined by ", "; vistas = leidos;
    pct_* over envios_exitosos. Sorted by envios_exitosos descending, then campana.
    """
    env = filter_envios(envios, filtros)
    grouped = env.groupby("campana", observed=True, sort=False)
    sums = indicators(env).groupby(env["campana"], observed=True, sort=False).sum()
    out = pd.DataFrame(
        {
            "total_contactos": grouped["contacto_id"].nunique(),
            "envios": grouped.size(),
            "envios_exitosos": sums["envios_exitosos"],
            "envios_fallidos": sums["envios_fallidos"],
            "envios_pendientes": sums["envios_pendientes"],
            "vistas": sums["leidos"],
            "respondidas": sums["respondidos"],
            "asignadas": sums["asignadas"],
            "ventas": sums["ventas"],
        }
    )
    out.index = pd.Index(out.index.astype(str), dtype="string", name="campana")
    out = out.astype("int64")
    out.insert(0, "canal", _joined_distinct(env, "canal").reindex(out.index).astype("string"))
    out.insert(0, "origen", _joined_distinct(env, "origen").reindex(out.index).astype("string"))
    for pct, num in (
        ("pct_vistas", "vistas"),
        ("pct_respondidas", "respondidas"),
        ("pct_asignadas", "asignadas"),
        ("pct_ventas", "ventas"),
    ):
        out[pct] = ratio(out[num], out["envios_exitosos"]).array
    out = out.reset_index()
    out = out.sort_values(["envios_exitosos", "campana"], ascending=[False, True], kind="stable")
    return out[DETALLADO_COLUMNS].reset_index(drop=True)


def envios_detalle(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Every filtered send with its campaign, contact, estado and flags, by fecha_envio.

    ``visto`` = leido OR respondido with NA for "not reported" (True | NA is True).
    """
    env = filter_envios(envios, filtros)
    out = env.assign(visto=env["leido"] | env["respondido"])
    return out[ENVIOS_DETAIL_COLUMNS].sort_values("fecha_envio", kind="stable").reset_index(drop=True)


def detallado_tables(envios: pd.DataFrame, filtros: Filtros | None = None) -> dict[str, pd.DataFrame]:
    """Tables of the detallado report: ``detallado`` and ``envios``."""
    env = filter_envios(envios, filtros)
    return {"detallado": detallado(env), "envios": envios_detalle(env)}


_NO_INFORMADO = "no informado"


def _flag_text(s: pd.Series) -> pd.Series:
    return s.map({True: "sí", False: "no"}).astype("string").fillna(_NO_INFORMADO)


def buscar_contacto(envios: pd.DataFrame, texto: str, filtros: Filtros | None = None) -> pd.DataFrame:
    """Every send to the contacts matching ``texto``: "¿respondió este cliente?".

    ``texto`` holds one or more ids or parts of phone numbers separated by commas;
    digits are compared ignoring spaces, ``+`` and dashes. NA flags read "no informado".
    """
    env = filter_envios(envios, filtros)
    ids = env["contacto_id"].astype("string")
    mask = np.zeros(len(env), dtype=bool)
    for term in [t.strip() for t in str(texto).split(",") if t.strip()]:
        digits = "".join(ch for ch in term if ch.isdigit())
        if digits and len(digits) >= len(term.replace(" ", "").replace("-", "").replace("+", "")):
            hay = ids.str.replace(r"\D", "", regex=True)
            mask |= hay.str.contains(digits, regex=False).to_numpy(dtype=bool, na_value=False)
        else:
            mask |= ids.str.contains(term, case=False, regex=False).to_numpy(dtype=bool, na_value=False)
    hits = env[mask].sort_values(["contacto_id", "fecha_envio"], kind="stable")
    return pd.DataFrame(
        {
            "contacto_id": hits["contacto_id"].astype("string"),
            "campana": hits["campana"].astype("string"),
            "fecha_envio": hits["fecha_envio"],
            "estado": hits["estado"].astype("string"),
            "leido": _flag_text(hits["leido"]),
            "respondido": _flag_text(hits["respondido"]),
            "asignada": _flag_text(hits["asignada"]),
            "venta": _flag_text(hits["venta"]),
        }
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- flujos


@dataclass(frozen=True)
class EventProfile:
    """What each conversation's events say, computed once (it does not depend on filters).

    ``ids`` holds the conversacion_id of each conversation; its position is the
    conversation's code. ``conversaciones`` (one row per code) has: ``responde`` (a
    cliente event exists), ``agente`` (an agente event exists), ``autogestion`` (a
    tipificación of an autogestión tipo was applied), ``primera_opcion``,
    ``finalizacion_explicita`` and ``ultimo_mensaje_bot``. ``tipificaciones`` and
    ``etiquetas`` list each conversation's distinct values with their ``nivel`` (order
    of first appearance, from 1) under the conversation's ``codigo``.
    """

    ids: pd.Index
    conversaciones: pd.DataFrame
    tipificaciones: pd.DataFrame
    etiquetas: pd.DataFrame

    def codes(self, conversacion_ids: pd.Series) -> np.ndarray:
        """Codes of these conversation ids; -1 for conversations without events."""
        return self.ids.get_indexer(conversacion_ids.astype("string"))


def _ordered(eventos: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
    """Events sorted by conversation, fecha, then file order; and the conversation ids."""
    codes, uniques = pd.factorize(eventos["conversacion_id"], use_na_sentinel=True)
    when = eventos["fecha"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    order = np.lexsort((np.arange(len(eventos)), when, codes))
    ordered = eventos.iloc[order].reset_index(drop=True)
    return ordered.assign(_conv=codes[order]), pd.Index(uniques, dtype="string", name="conversacion_id")


def _pick_per_conv(
    conv: np.ndarray, mask: np.ndarray, values: pd.Series, n_conv: int, last: bool = False
) -> pd.Series:
    """Per conversation, the value of its first (or last) ``mask`` row; rows are ordered."""
    idx = np.flatnonzero(mask)
    if last:
        idx = idx[::-1]
    _, first = np.unique(conv[idx], return_index=True)
    rows = idx[first]
    out = pd.Series(pd.NA, index=pd.RangeIndex(n_conv), dtype="string")
    out.iloc[conv[rows]] = values.iloc[rows].astype("string").to_numpy()
    return out


def _levels(ordered: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    present = ordered.loc[ordered[column].notna(), ["_conv", column]]
    firsts = present.drop_duplicates(["_conv", column], keep="first")
    return pd.DataFrame(
        {
            "codigo": firsts["_conv"].to_numpy(dtype=np.int64),
            "nivel": (firsts.groupby("_conv", sort=False).cumcount() + 1).to_numpy(dtype=np.int64),
            label: firsts[column].astype("string").to_numpy(),
        }
    )


def profile_events(eventos: pd.DataFrame) -> EventProfile:
    """Per-conversation facts of the events (see :class:`EventProfile`).

    Order inside a conversation is by fecha, then file order (row position).
    """
    ordered, ids = _ordered(eventos[eventos["conversacion_id"].notna()])
    conv = ordered["_conv"].to_numpy()
    n_conv = len(ids)
    autor = ordered["autor"]

    def any_per_conv(mask: np.ndarray) -> np.ndarray:
        return np.bincount(conv[mask], minlength=n_conv) > 0

    autogestion = ordered["tipo_tipificacion"].isin(TIPOS_AUTOGESTION).to_numpy(dtype=bool, na_value=False)
    by_cliente = _is(autor, "cliente")
    profile = pd.DataFrame(
        {
            "responde": any_per_conv(by_cliente),
            "agente": any_per_conv(_is(autor, "agente")),
            "autogestion": any_per_conv(autogestion),
            "primera_opcion": _pick_per_conv(
                conv, by_cliente & ordered["opcion"].notna().to_numpy(), ordered["opcion"], n_conv
            ),
            "finalizacion_explicita": _pick_per_conv(
                conv, ordered["finalizacion"].notna().to_numpy(), ordered["finalizacion"], n_conv, last=True
            ),
            "ultimo_mensaje_bot": _pick_per_conv(
                conv, _is(autor, "bot"), ordered["mensaje"], n_conv, last=True
            ),
        }
    )
    return EventProfile(
        ids=ids,
        conversaciones=profile,
        tipificaciones=_levels(ordered, "tipificacion", "tipificacion"),
        etiquetas=_levels(ordered, "etiqueta", "etiqueta"),
    )


def _count_table(values: pd.Series, label: str, total: int) -> pd.DataFrame:
    """Counts of ``values`` most frequent first, ties by name, with pct over ``total``."""
    counts = values.value_counts(sort=False)
    out = pd.DataFrame(
        {label: counts.index.astype("string"), "conversaciones": counts.to_numpy(dtype=np.int64)}
    )
    out = out.sort_values(["conversaciones", label], ascending=[False, True], kind="stable")
    out["pct"] = ratio(out["conversaciones"], np.repeat(total, len(out))).array
    return out.reset_index(drop=True)


def _level_table(levels: pd.DataFrame, label: str, total: int) -> pd.DataFrame:
    counts = levels.groupby(["nivel", label], sort=False).size().rename("conversaciones").reset_index()
    counts = counts.sort_values(
        ["nivel", "conversaciones", label], ascending=[True, False, True], kind="stable"
    )
    out = pd.DataFrame(
        {
            "nivel": counts["nivel"].to_numpy(dtype=np.int64),
            label: counts[label].astype("string").array,
            "conversaciones": counts["conversaciones"].to_numpy(dtype=np.int64),
        }
    )
    out["pct"] = ratio(out["conversaciones"], np.repeat(total, len(out))).array
    return out


def flujos(
    envios: pd.DataFrame,
    eventos: pd.DataFrame | EventProfile,
    filtros: Filtros | None = None,
) -> dict[str, pd.DataFrame]:
    """Tables of the flujos report (CONTRACT §3.3).

    Scope: filtered sends with origen = flujo. flujos respondidos: conversations of
    the scope with at least one cliente event; every table but ``resultados`` is over
    them. finalizacion: the last explicit one, else asignacion (a send of the
    conversation is asignada or an agente event exists), else
    finalizacion_automatica (an autogestión tipificación was applied, in the events
    or as the send's final tipo), else abandono. primeras_opciones: first non-empty
    opcion of a cliente event. ultimo_mensaje_abandono: mensaje of the last bot event
    of each abandono. Order within a conversation: fecha, then file order.
    """
    profile = eventos if isinstance(eventos, EventProfile) else profile_events(eventos)
    env = filter_envios(envios, filtros)
    scope = env[_is(env["origen"], "flujo")]
    ok = scope[_is(scope["estado"], "exitoso")]
    with_conv = scope[scope["conversacion_id"].notna().to_numpy()]
    codes = profile.codes(with_conv["conversacion_id"])
    known = codes >= 0
    n_conv = len(profile.ids)

    def per_conv(send_mask: np.ndarray) -> np.ndarray:
        """Conversations (by code) with at least one scope send where ``send_mask``."""
        out = np.zeros(n_conv, dtype=bool)
        out[codes[known & send_mask]] = True
        return out

    conv = profile.conversaciones
    in_scope = per_conv(np.ones(len(codes), dtype=bool))
    answered_mask = in_scope & conv["responde"].to_numpy(dtype=bool)
    answered = np.flatnonzero(answered_mask)
    n_answered = len(answered)

    assigned = conv["agente"].to_numpy(dtype=bool) | per_conv(_true(with_conv["asignada"]))
    autog = conv["autogestion"].to_numpy(dtype=bool) | per_conv(
        with_conv["tipo_tipificacion"].isin(TIPOS_AUTOGESTION).to_numpy(dtype=bool, na_value=False)
    )
    derived = np.where(
        assigned[answered], "asignacion", np.where(autog[answered], "finalizacion_automatica", "abandono")
    )
    explicit = conv["finalizacion_explicita"].iloc[answered].to_numpy(dtype=object, na_value=None)
    final = np.where(pd.isna(explicit), derived, explicit)

    final_counts = pd.Series(final).value_counts().reindex(list(FINALIZACIONES), fill_value=0)
    finalizacion = pd.DataFrame(
        {
            "finalizacion": pd.Series(FINALIZACIONES, dtype="string"),
            "conversaciones": final_counts.to_numpy(dtype=np.int64),
        }
    )
    finalizacion["pct"] = ratio(finalizacion["conversaciones"], np.repeat(n_answered, 3)).array

    options = conv["primera_opcion"].iloc[answered].fillna(SIN_OPCION)
    abandoned = answered[final == "abandono"]
    last_msgs = conv["ultimo_mensaje_bot"].iloc[abandoned].fillna(SIN_MENSAJE)
    tip = profile.tipificaciones[answered_mask[profile.tipificaciones["codigo"].to_numpy()]]
    tag = profile.etiquetas[answered_mask[profile.etiquetas["codigo"].to_numpy()]]

    resultados = pd.DataFrame(
        [
            {
                "total_contactos": int(scope["contacto_id"].nunique()),
                "envios_exitosos": len(ok),
                "conversaciones": int(ok["conversacion_id"].nunique()),
                "asignadas": int(_true(ok["asignada"]).sum()),
                "ventas": int(_true(ok["venta"]).sum()),
                "flujos_respondidos": n_answered,
            }
        ],
        columns=RESULTADOS_COLUMNS,
    ).astype("int64")
    return {
        "resultados": resultados,
        "primeras_opciones": _count_table(options, "opcion", n_answered),
        "finalizacion": finalizacion,
        "embudo_tipificaciones": _level_table(tip, "tipificacion", n_answered),
        "embudo_etiquetas": _level_table(tag, "etiqueta", n_answered),
        "ultimo_mensaje_abandono": _count_table(last_msgs, "mensaje", len(abandoned)),
    }


def campanas_en_alcance(envios: pd.DataFrame, filtros: Filtros | None = None) -> list[str]:
    """Campaigns of the flujos scope; more than one mixes different flows."""
    env = filter_envios(envios, filtros)
    scope = env[_is(env["origen"], "flujo")]
    return sorted(scope["campana"].dropna().astype(str).unique().tolist())


def compute(
    informe: str,
    envios: pd.DataFrame,
    eventos: pd.DataFrame | EventProfile | None = None,
    filtros: Filtros | None = None,
) -> dict[str, pd.DataFrame]:
    """All tables of one report ("resumen", "detallado" or "flujos"), by name."""
    if informe == "resumen":
        return resumen(envios, filtros)
    if informe == "detallado":
        return detallado_tables(envios, filtros)
    if informe == "flujos":
        if eventos is None:
            raise ValueError("flujos needs eventos")
        return flujos(envios, eventos, filtros)
    raise ValueError(f"unknown report {informe!r}")


def ejemplo_envios() -> pd.DataFrame:
    """Four hand-made sends used by the docstring examples."""
    b = "boolean"
    return pd.DataFrame(
        {
            "contacto_id": pd.array(["1", "2", "3", "3"], dtype="string"),
            "estado": ["exitoso", "exitoso", "exitoso", "fallido"],
            "leido": pd.array([True, None, False, None], dtype=b),
            "respondido": pd.array([False, True, None, None], dtype=b),
            "asignada": pd.array([None, True, None, None], dtype=b),
            "venta": pd.array([None, None, None, None], dtype=b),
            "conversacion_nueva": pd.array([True, False, True, None], dtype=b),
        }
    )
