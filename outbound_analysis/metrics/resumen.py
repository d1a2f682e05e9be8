"""Resumen tables (CONTRACT §3.1): kpis, the sales funnel, and the resumen extras.

kpis: total_contactos = distinct contacto_id among all filtered sends (any estado);
envios / envios_exitosos / envios_fallidos / envios_pendientes; leidos = exitosos with
leido true OR respondido true (a reply proves it was seen); respondidos / asignadas /
ventas = exitosos with that flag true; lectura_no_informada = exitosos with leido NA and
respondido not true; conversaciones_iniciadas / sobre_conversacion_abierta = exitosos
with conversacion_nueva true / false.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..filters import Filtros, filter_envios
from ..labels import error_label
from ._base import is_true, is_value, ratio
from ._entrada import Entrada, Registro

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
#: the first row of :func:`asignadas_sin_respuesta`: every origen together
TODOS = "(todos)"

REGISTRO = Registro()


def kpis(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """One row with every metric of CONTRACT §3.1 (see the module docstring for each rule).

    >>> from outbound_analysis.metrics import ejemplo_envios
    >>> kpis(ejemplo_envios())[["envios", "envios_exitosos", "leidos"]].iloc[0].tolist()
    [4, 3, 2]
    """
    return _kpis(Entrada(filter_envios(envios, filtros), filtros))


@REGISTRO.tabla("kpis")
def _kpis(e: Entrada) -> pd.DataFrame:
    return e.una_vez(_kpis_from)  # type: ignore[return-value]


def _kpis_from(e: Entrada) -> pd.DataFrame:
    sums = e.indicadores.sum()
    row = {
        "total_contactos": int(e.envios["contacto_id"].nunique()),
        "envios": len(e.envios),
        **{k: int(sums[k]) for k in sums.index},
    }
    return pd.DataFrame([row], columns=KPI_COLUMNS).astype("int64")


def embudo(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Sales funnel enviado > leido > respondido > asignado > venta.

    ``pct_envios`` is over envios_exitosos; ``pct_etapa_anterior`` over the previous
    stage (for enviado: 1, or NA with no exitosos). The funnel need not shrink.
    """
    return _embudo(Entrada(filter_envios(envios, filtros), filtros))


@REGISTRO.tabla("embudo")
def _embudo(e: Entrada) -> pd.DataFrame:
    k = _kpis(e).iloc[0]
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


def reconciliacion(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Why envíos exitosos differ from conversaciones iniciadas.

    envios_exitosos = conversaciones_iniciadas + sobre_conversacion_abierta + sin_dato,
    where sin_dato are exitosos whose conversacion_nueva is not reported.
    """
    return _reconciliacion(Entrada(filter_envios(envios, filtros), filtros))


@REGISTRO.tabla("reconciliacion")
def _reconciliacion(e: Entrada) -> pd.DataFrame:
    k = _kpis(e).iloc[0]
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
    return _por_origen(Entrada(filter_envios(envios, filtros), filtros))


@REGISTRO.tabla("por_origen")
def _por_origen(e: Entrada) -> pd.DataFrame:
    sums = e.indicadores.groupby(e.envios["origen"], observed=True, sort=True).sum()
    cols = ["envios_exitosos", "leidos", "respondidos", "asignadas", "ventas", "lectura_no_informada"]
    out = sums[cols].rename_axis("origen").reset_index()
    out["origen"] = out["origen"].astype("string")
    for name in ("leidos", "respondidos", "asignadas", "lectura_no_informada"):
        out[f"pct_{name}"] = ratio(out[name], out["envios_exitosos"]).array
    return out.astype({c: "int64" for c in cols})


@REGISTRO.tabla("fallas")
def _fallas(e: Entrada) -> pd.DataFrame:
    return fallas(e.envios)


def fallas(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Failed sends per codigo_error, most frequent first; pct over envios_fallidos.

    A failed send without a code counts as "(sin código)".
    """
    env = filter_envios(envios, filtros)
    failed = env[is_value(env["estado"], "fallido")]
    codes = failed["codigo_error"].astype("string").fillna("(sin código)")
    counts = codes.value_counts(sort=False)
    out = pd.DataFrame(
        {"codigo_error": counts.index.astype("string"), "envios": counts.to_numpy(dtype=np.int64)}
    ).sort_values(["envios", "codigo_error"], ascending=[False, True], kind="stable")
    out.insert(1, "descripcion", out["codigo_error"].map(error_label).astype("string"))
    out["pct"] = ratio(out["envios"], np.repeat(len(failed), len(out))).array
    return out.reset_index(drop=True)


@REGISTRO.tabla("asignadas_sin_respuesta", exportar=False)
def asignadas_sin_respuesta(e: Entrada) -> pd.DataFrame:
    """Exitosos assigned to an agent without a reported reply: first all (origen "(todos)"), then
    per origen, most first. Why the funnel can grow from respondido to asignado.

    >>> from outbound_analysis.metrics import ejemplo_envios
    >>> env = ejemplo_envios().assign(origen="plantilla_individual",
    ...     respondido=pd.array([False, False, None, None], "boolean"))
    >>> asignadas_sin_respuesta(Entrada(env)).to_dict("list")
    {'origen': ['(todos)', 'plantilla_individual'], 'envios': [1, 1]}
    """
    ok = e.envios[is_value(e.envios["estado"], "exitoso")]
    assigned = ok[is_true(ok["asignada"]) & ~is_true(ok["respondido"])]
    by_origin = assigned["origen"].astype("string").value_counts()
    return pd.DataFrame(
        {
            "origen": pd.array([TODOS, *by_origin.index], dtype="string"),
            "envios": np.array([len(assigned), *by_origin.to_numpy()], dtype=np.int64),
        }
    )


def resumen(envios: pd.DataFrame, filtros: Filtros | None = None) -> dict[str, pd.DataFrame]:
    """Tables of the resumen report: ``kpis`` and ``embudo`` (CONTRACT §4), plus
    ``reconciliacion``, ``por_origen`` and ``fallas``."""
    return REGISTRO.calcular(Entrada(filter_envios(envios, filtros), filtros), REGISTRO.exportadas)
