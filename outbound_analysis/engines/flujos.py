"""The flujos report's tables on the SQL engines (DuckDB, Spark).

CONTRACT §3.3 and §5.3, as the pandas engine computes them (:mod:`..metrics.flujos`, whose
per-conversation facts come from ``metrics._perfil`` and paths from ``metrics._recorridos``).
The row-level work runs in SQL, in two parts. What the events say does not depend on the
filters: it is materialized once per data set (:func:`perfil`, on the first flujos query after
the data are registered; resumen and detallado never pay for it), as the pandas engine's
EventProfile: ``perfil_conversaciones`` (one row per conversation: responde, agente, autogestion,
first cliente opcion, last bot mensaje, last explicit finalizacion: one aggregation, the events
ordered by fecha then file order through a comparable key), ``perfil_niveles`` (the embudos'
levels) and ``perfil_pasos`` (the collapsed nodo paths), the last two for the conversations
where the cliente wrote. Per selection, ``sql/flujos/_respondidos.sql`` holds the
CTEs every query starts from (the flow sends in scope, their conversations joined to the
profile, the finalizacion rule with the sends' asignada / autogestion flags, the flujos
respondidos) and ``_pasos.sql`` joins the paths to them.
Each query returns counts only, and tables that read the same counts share one query per
selection (``Contexto.una_vez``): ``totales`` (resultados, alcance_flujos),
``conversaciones`` (primeras_opciones, finalizacion, ultimo_mensaje_abandono), ``embudo``
(both embudos), ``recorridos`` (recorridos, recorridos_grafico). The tables are finished by
the pandas engine's own functions (ordering, percentages, labels, dtypes).
"""

from __future__ import annotations

import pandas as pd

from ..metrics.flujos import (
    MAX_NODOS,
    RESULTADOS_COLUMNS,
    SIN_MENSAJE,
    SIN_NODO,
    SIN_OPCION,
    sin_fin,
    tabla_alcance,
    tabla_campanas,
    tabla_conteos,
    tabla_finalizacion,
    tabla_niveles,
    tabla_resultados,
    terminar_abandono_por_nodo,
    terminar_recorridos,
)
from ..schema import TIPOS_AUTOGESTION
from ._registro import CONSULTAS, Contexto, consulta, plantilla
from ._sql import Motor

TABLAS = CONSULTAS["flujos"]


_AUTOGESTION = ", ".join(f"'{t}'" for t in TIPOS_AUTOGESTION)

#: the event profile's tables, in the order they are computed (each reads the previous ones)
PERFIL = ("perfil_conversaciones", "perfil_niveles", "perfil_pasos")


def perfil(motor: Motor) -> None:
    """Materialize the event profile (:data:`PERFIL`) on ``motor`` unless it already holds it for
    the data registered: no filter enters it, so it is computed once per data set."""
    for nombre in PERFIL:
        if not motor.materializada(nombre):
            sql = motor.render(plantilla(f"flujos/{nombre}.sql"), autogestion=_AUTOGESTION)
            motor.materializar(nombre, sql)


def _ctes(ctx: Contexto, pasos: bool = False) -> dict[str, str]:
    """The shared CTEs (and, with ``pasos``, the nodo paths) as template variables; the event
    profile is materialized first when the engine does not hold it yet."""
    perfil(ctx.motor)
    out = {"ctes": ctx.render("flujos/_respondidos.sql", autogestion=_AUTOGESTION)}
    if pasos:
        out["pasos"] = ctx.render("flujos/_pasos.sql")
    return out


def _sql(ctx: Contexto, template: str, pasos: bool = False, **context: object) -> pd.DataFrame:
    return ctx.sql(template, **_ctes(ctx, pasos), **context)


def _totales(ctx: Contexto) -> dict[str, int]:
    """The counts of ``resultados`` and ``alcance_flujos`` (one query, once per selection)."""
    row = _sql(ctx, "flujos/totales.sql")
    return {c: int(row[c].iloc[0]) for c in row.columns}


def _conversaciones(ctx: Contexto) -> pd.DataFrame:
    """The flujos respondidos by first opcion, finalizacion and abandono mensaje (once per selection)."""
    return _sql(ctx, "flujos/conversaciones.sql")


def _sumas(counts: pd.DataFrame, columna: str, vacio: str | None = None) -> pd.Series:
    """``conversaciones`` summed by ``columna`` (NULL read as ``vacio``)."""
    keys = counts[columna].astype(object)
    if vacio is not None:
        keys = keys.where(keys.notna(), vacio)
    return counts["conversaciones"].groupby(keys.to_numpy(), sort=False).sum()


@consulta("flujos", "resultados")
def resultados(ctx: Contexto) -> pd.DataFrame:
    """One row: the flow sends' contacts, exitosos, conversations, asignadas, ventas, flujos respondidos."""
    t = ctx.una_vez(_totales)
    return tabla_resultados(**{c: t[c] for c in RESULTADOS_COLUMNS})  # type: ignore[index]


@consulta("flujos", "primeras_opciones")
def primeras_opciones(ctx: Contexto) -> pd.DataFrame:
    """First option each answered conversation chose; "(sin opción)" when none."""
    sums = _sumas(ctx.una_vez(_conversaciones), "primera_opcion", SIN_OPCION)  # type: ignore[arg-type]
    return tabla_conteos(sums.index, sums.to_numpy(), "opcion", int(sums.sum()))


@consulta("flujos", "finalizacion")
def finalizacion(ctx: Contexto) -> pd.DataFrame:
    """Always three rows: abandono, asignacion, finalizacion_automatica; pct over flujos respondidos."""
    sums = _sumas(ctx.una_vez(_conversaciones), "finalizacion")  # type: ignore[arg-type]
    return tabla_finalizacion(sums, int(sums.sum()))


@consulta("flujos", "ultimo_mensaje_abandono")
def ultimo_mensaje_abandono(ctx: Contexto) -> pd.DataFrame:
    """The bot's last mensaje in each abandoned conversation; pct over the abandonos."""
    counts: pd.DataFrame = ctx.una_vez(_conversaciones)  # type: ignore[assignment]
    sums = _sumas(counts[(counts["finalizacion"] == "abandono").to_numpy()], "mensaje_abandono", SIN_MENSAJE)
    return tabla_conteos(sums.index, sums.to_numpy(), "mensaje", int(sums.sum()))


def _embudos(ctx: Contexto) -> pd.DataFrame:
    """Both embudos' level counts and the flujos respondidos (columna 'total'), once per selection."""
    return _sql(ctx, "flujos/embudo.sql")


def _embudo(ctx: Contexto, columna: str) -> pd.DataFrame:
    counts: pd.DataFrame = ctx.una_vez(_embudos)  # type: ignore[assignment]
    total = int(counts.loc[(counts["columna"] == "total").to_numpy(), "conversaciones"].sum())
    niveles = counts[(counts["columna"] == columna).to_numpy()]
    niveles = niveles[["nivel", "valor", "conversaciones"]].rename(columns={"valor": columna})
    return tabla_niveles(niveles.reset_index(drop=True), columna, total)


@consulta("flujos", "embudo_tipificaciones")
def embudo_tipificaciones(ctx: Contexto) -> pd.DataFrame:
    """Level k counts answered conversations by their k-th distinct tipificación."""
    return _embudo(ctx, "tipificacion")


@consulta("flujos", "embudo_etiquetas")
def embudo_etiquetas(ctx: Contexto) -> pd.DataFrame:
    """Level k counts answered conversations by their k-th distinct etiqueta."""
    return _embudo(ctx, "etiqueta")


def _recorridos_con_fin(ctx: Contexto) -> pd.DataFrame:
    """The ``con_fin`` recorridos (``recorridos`` and ``recorridos_grafico``), once per selection."""
    t = _sql(ctx, "flujos/recorridos.sql", pasos=True, max_nodos=MAX_NODOS, sin_nodo=SIN_NODO)
    return terminar_recorridos(t["paso"], t["desde"], t["hasta"], t["conversaciones"], t["fin"])


@consulta("flujos", "recorridos")
def recorridos(ctx: Contexto) -> pd.DataFrame:
    """CONTRACT §5.3: transitions paso, desde, hasta, conversaciones of the first 6 nodos, then the
    finalizacion."""
    return sin_fin(ctx.una_vez(_recorridos_con_fin))  # type: ignore[arg-type]


@consulta("flujos", "abandono_por_nodo")
def abandono_por_nodo(ctx: Contexto) -> pd.DataFrame:
    """CONTRACT §5.3: per nodo, conversations that reached it, abandonos whose last nodo it was, pct."""
    t = _sql(ctx, "flujos/abandono_por_nodo.sql", pasos=True)
    return terminar_abandono_por_nodo(t["nodo"], t["conversaciones"], t["abandonos"])


@consulta("flujos", "recorridos_grafico")
def recorridos_grafico(ctx: Contexto) -> pd.DataFrame:
    """``recorridos`` plus a column ``fin`` (``hasta`` is the finalizacion), for the Sankey."""
    return ctx.una_vez(_recorridos_con_fin)  # type: ignore[return-value]


@consulta("flujos", "campanas_flujo")
def campanas_flujo(ctx: Contexto) -> pd.DataFrame:
    """The campaigns of the scope, sorted: more than one mixes different flows."""
    return tabla_campanas(_sql(ctx, "flujos/campanas_flujo.sql")["campana"])


@consulta("flujos", "alcance_flujos")
def alcance_flujos(ctx: Contexto) -> pd.DataFrame:
    """What the flujos sections can show: flow sends, whether an eventos file was given (the
    ``eventos`` parameter; True without parameters, as the pandas engine without a Dataset), flow
    conversations with events, flujos respondidos."""
    t: dict[str, int] = ctx.una_vez(_totales)  # type: ignore[assignment]
    given = ctx.eventos_dados
    if given is None:
        given = ctx.parametros is None or bool(ctx.parametros.eventos)
    return tabla_alcance(t["envios_flujo"], given, t["conversaciones_con_eventos"], t["flujos_respondidos"])
