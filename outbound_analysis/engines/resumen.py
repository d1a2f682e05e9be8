"""The resumen report's tables on the SQL engines (DuckDB, Spark): one query per table.

The row-level work (filter, indicators, group, number per contact) is SQL under
``sql/resumen/``; the small results are finished with the pandas engine's own formulas
(:mod:`outbound_analysis.metrics`), so every table equals the pandas one.

Also the header's ``seleccion`` table (:mod:`outbound_analysis.metrics.carga`), the only
header table that reads the sends; the others come from the load report.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..filters import Filtros
from ..metrics import formulas_kpis as fk
from ..metrics import formulas_tiempo as ft
from ..metrics.resumen import (
    POR_ORIGEN_CONTEOS,
    SIN_CODIGO,
    asignadas_sin_respuesta_tabla,
    contexto_tiempo_tabla,
    embudo_tabla,
    fallas_tabla,
    por_origen_tabla,
    reconciliacion_tabla,
)
from ..schema import ORIGENES
from ._registro import CONSULTAS, Contexto, consulta
from ._sql import where_filtros

TABLAS = CONSULTAS["resumen"]

#: the 0/1 indicator columns of ``resumen/indicadores.sql``, in kpis order
INDICADORES = fk.KPI_COLUMNS[2:]
#: the indicators evolucion and horarios count per day and hour
_DIA_HORA = ["envios_exitosos", "leidos", "respondidos", "asignadas", "ventas"]


def indicadores(ctx: Contexto) -> str:
    """SQL of the filtered sends with one 0/1 column per counted condition (:data:`INDICADORES`)."""
    return ctx.render("resumen/indicadores.sql")


def fecha(value: object) -> dt.date | None:
    """A date column's value (DuckDB and Spark return dates differently) as a date; None for NULL."""
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return None
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def numeros_de_dia(values: pd.Series) -> np.ndarray:
    """A date column as day numbers (days since 1970-01-01)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return pd.to_datetime(values).to_numpy().astype("datetime64[D]").astype(np.int64)


def enteros(frame: pd.DataFrame, column: str) -> np.ndarray:
    """An integer column of a query result as int64 (NULL sums as 0)."""
    return frame[column].fillna(0).to_numpy(dtype=np.int64)


# --------------------------------------------------------------------------- CONTRACT §3.1


def kpis_de(ctx: Contexto) -> pd.DataFrame:
    """The kpis row of ``ctx``'s selection."""
    row = ctx.sql("resumen/kpis.sql", ind=indicadores(ctx), conteos=INDICADORES).iloc[0]
    return fk.kpis_tabla({c: int(row[c]) for c in fk.KPI_COLUMNS})


def _kpis(ctx: Contexto) -> pd.DataFrame:
    """The selection's kpis row, one query per selection (kpis, embudo, reconciliacion, periodo)."""
    return ctx.una_vez(kpis_de)  # type: ignore[return-value]


@consulta("resumen", "kpis")
def kpis(ctx: Contexto) -> pd.DataFrame:
    return _kpis(ctx)


@consulta("resumen", "embudo")
def embudo(ctx: Contexto) -> pd.DataFrame:
    return embudo_tabla(_kpis(ctx))


@consulta("resumen", "reconciliacion")
def reconciliacion(ctx: Contexto) -> pd.DataFrame:
    return reconciliacion_tabla(_kpis(ctx))


@consulta("resumen", "por_origen")
def por_origen(ctx: Contexto) -> pd.DataFrame:
    """Counts per origen, in the origen codes' order (the loaded column's categories)."""
    sums = ctx.sql("resumen/por_origen.sql", ind=indicadores(ctx), conteos=POR_ORIGEN_CONTEOS)
    rank = {code: i for i, code in enumerate(ORIGENES)}
    sums = sums.assign(_orden=[rank.get(str(o), len(rank)) for o in sums["origen"]])
    sums = sums.sort_values(["_orden", "origen"], kind="stable")
    sums = sums.astype({c: "int64" for c in POR_ORIGEN_CONTEOS})
    return por_origen_tabla(sums)


@consulta("resumen", "fallas")
def fallas(ctx: Contexto) -> pd.DataFrame:
    rows = ctx.sql("resumen/fallas.sql")
    codes = rows["codigo_error"].astype("string").fillna(SIN_CODIGO)
    counts = pd.Series(enteros(rows, "envios")).groupby(codes.to_numpy(dtype=object), sort=False).sum()
    return fallas_tabla(list(counts.index), counts.to_numpy(dtype=np.int64), int(counts.sum()))


@consulta("resumen", "asignadas_sin_respuesta")
def asignadas_sin_respuesta(ctx: Contexto) -> pd.DataFrame:
    rows = ctx.sql("resumen/asignadas_sin_respuesta.sql", ind=indicadores(ctx))
    total = int(enteros(rows, "envios").sum())
    rows = rows[rows["origen"].notna()]
    return asignadas_sin_respuesta_tabla(list(rows["origen"]), enteros(rows, "envios"), total)


# --------------------------------------------------------------------------- CONTRACT §5.1


def _dia_hora(ctx: Contexto) -> tuple[pd.DataFrame, np.ndarray]:
    rows = ctx.sql("resumen/dia_hora.sql", ind=indicadores(ctx), conteos=_DIA_HORA)
    return rows, numeros_de_dia(rows["dia"])


@consulta("resumen", "evolucion")
def evolucion(ctx: Contexto) -> pd.DataFrame:
    rows, dias = ctx.una_vez(_dia_hora)  # type: ignore[misc]
    first, last = ft.rango_evolucion(np.unique(dias), ctx.filtros)
    keep = (dias >= first) & (dias <= last)
    size = last - first + 1
    pos = dias[keep] - first
    counts = {}
    for name in ("envios", *_DIA_HORA):
        values = np.zeros(size, dtype=np.int64)
        np.add.at(values, pos, enteros(rows, name)[keep])
        counts[name] = values
    return ft.evolucion_tabla(first, counts)


@consulta("resumen", "horarios")
def horarios(ctx: Contexto) -> pd.DataFrame:
    rows, dias = ctx.una_vez(_dia_hora)  # type: ignore[misc]
    cell = ft.dia_semana(dias) * 24 + enteros(rows, "hora")
    exitosos = np.zeros(168, dtype=np.int64)
    respondidos = np.zeros(168, dtype=np.int64)
    np.add.at(exitosos, cell, enteros(rows, "envios_exitosos"))
    np.add.at(respondidos, cell, enteros(rows, "respondidos"))
    return ft.horarios_tabla(exitosos, respondidos)


@consulta("resumen", "fatiga")
def fatiga(ctx: Contexto) -> pd.DataFrame:
    tope = len(ft.ENVIO_NUMEROS)
    rows = ctx.sql("resumen/fatiga.sql", ind=indicadores(ctx), tope=tope)
    pos = enteros(rows, "numero") - 1
    out = {}
    for name in ("envios_exitosos", "respondidos", "ventas"):
        values = np.zeros(tope, dtype=np.int64)
        np.add.at(values, pos, enteros(rows, name))
        out[name] = values
    return ft.fatiga_tabla(out["envios_exitosos"], out["respondidos"], out["ventas"])


def periodo(ctx: Contexto) -> ft.PeriodoAnterior:
    """The selection against the previous period (see :func:`metrics.formulas_tiempo.comparar_periodo`)."""
    rango = ft.rango_anterior(ctx.filtros)
    if rango is None or ctx.filtros is None:
        return ft.PeriodoAnterior.sin_definir(ctx.filtros)
    desde, hasta = rango
    antes = Contexto(ctx.motor, ctx.filtros.with_(fecha_desde=desde, fecha_hasta=hasta), ctx.parametros)
    solo_fechas = Filtros(fecha_desde=desde, fecha_hasta=hasta, zona_horaria=ctx.filtros.zona_horaria)
    row = ctx.sql("resumen/cargados.sql", fechas=where_filtros(solo_fechas, ctx.motor.dialecto)).iloc[0]
    cols = fk.KPI_COLUMNS
    tabla = ft.periodo_tabla(
        cols,
        _kpis(ctx)[cols].iloc[0].to_numpy(dtype=np.int64),
        kpis_de(antes)[cols].iloc[0].to_numpy(dtype=np.int64),
    )
    return ft.PeriodoAnterior(tabla, desde, hasta, int(row["cargados"]), fecha(row["primer_dia"]))


@consulta("resumen", "periodo_anterior")
def periodo_anterior(ctx: Contexto) -> pd.DataFrame:
    return ctx.una_vez(periodo).tabla  # type: ignore[attr-defined]


@consulta("resumen", "contexto_tiempo")
def contexto_tiempo(ctx: Contexto) -> pd.DataFrame:
    p: ft.PeriodoAnterior = ctx.una_vez(periodo)  # type: ignore[assignment]
    f = ctx.filtros
    return contexto_tiempo_tabla(
        None if f is None else f.fecha_desde, None if f is None else f.fecha_hasta, p, ctx.tz
    )
