"""Detallado tables (CONTRACT §3.2): one row per campaign, the per-send detail and the contact search."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..filters import Filtros, filter_envios
from ._base import ratio
from ._entrada import Entrada, Registro

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

REGISTRO = Registro()


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
    return _detallado(Entrada(filter_envios(envios, filtros), filtros))


@REGISTRO.tabla("detallado")
def _detallado(e: Entrada) -> pd.DataFrame:
    env = e.envios
    grouped = env.groupby("campana", observed=True, sort=False)
    sums = e.indicadores.groupby(env["campana"], observed=True, sort=False).sum()
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
    return _envios(Entrada(filter_envios(envios, filtros), filtros))


@REGISTRO.tabla("envios")
def _envios(e: Entrada) -> pd.DataFrame:
    env = e.envios
    out = env.assign(visto=env["leido"] | env["respondido"])
    return out[ENVIOS_DETAIL_COLUMNS].sort_values("fecha_envio", kind="stable").reset_index(drop=True)


def detallado_tables(envios: pd.DataFrame, filtros: Filtros | None = None) -> dict[str, pd.DataFrame]:
    """Tables of the detallado report: ``detallado`` and ``envios``."""
    return REGISTRO.calcular(Entrada(filter_envios(envios, filtros), filtros), REGISTRO.exportadas)


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
