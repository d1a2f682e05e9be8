"""The detallado report's tables on the SQL engines (DuckDB, Spark): one query per table.

Per-campaign counts come from one query (``sql/detallado/por_campana.sql``) that
detallado, comparacion, ab and costos share; campaigns follow detallado's order
(envios_exitosos descending, then campana). The formulas (rates, Wilson and z-test,
quantile layout, segment names, costs) are the pandas engine's own.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import _convert as cv
from ..metrics import formulas_ab as fa
from ..metrics import formulas_detalle as fd
from ..metrics.detallado import (
    CONTEO_INDICADOR,
    DETALLADO_CONTEOS,
    ENVIOS_DETAIL_COLUMNS,
    ENVIOS_ORDEN,
    ab_textos_tabla,
    costos_info_tabla,
    detallado_tabla,
    orden_campanas,
)
from ..schema import ENVIOS
from ._registro import CONSULTAS, Contexto, consulta
from .resumen import indicadores

TABLAS = CONSULTAS["detallado"]

_SUMAS = list(dict.fromkeys(CONTEO_INDICADOR.values()))


def por_campana(ctx: Contexto, costos: dict[str, float] | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Per campaign in detallado order (index 0..k-1) and the totals over every send (a Series).

    Columns: campana, total_contactos, envios, the indicators' sums and, with ``costos``,
    the exitosos' cost.
    """
    pares = sorted((str(c), repr(float(v))) for c, v in (costos or {}).items())
    rows = ctx.sql("detallado/por_campana.sql", ind=indicadores(ctx), conteos=_SUMAS, costos=pares)
    numeric = [c for c in rows.columns if c != "campana"]
    totals = rows[numeric].sum()
    rows = rows[rows["campana"].notna()].reset_index(drop=True)
    names = [str(c) for c in rows["campana"]]
    order = orden_campanas(names, [int(x) for x in rows["envios_exitosos"]])
    return rows.iloc[order].reset_index(drop=True), totals


def _por_campana(ctx: Contexto) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`por_campana` without costs, one query per selection (detallado, tiempos, comparacion
    and ab read it)."""
    return ctx.una_vez(por_campana)  # type: ignore[return-value]


def _enteros(rows: pd.DataFrame, column: str) -> np.ndarray:
    return rows[column].fillna(0).to_numpy(dtype=np.int64)


def _campanas(rows: pd.DataFrame) -> list[str]:
    return [str(c) for c in rows["campana"]]


# --------------------------------------------------------------------------- CONTRACT §3.2


@consulta("detallado", "detallado")
def detallado(ctx: Contexto) -> pd.DataFrame:
    rows, _ = _por_campana(ctx)
    campanas = _campanas(rows)
    valores: dict[str, dict[str, list[str]]] = {"origen": {}, "canal": {}}
    for r in ctx.sql("detallado/distintos.sql", columnas=list(valores)).itertuples(index=False):
        valores[r.columna].setdefault(str(r.campana), []).append(str(r.valor))

    def joined(columna: str) -> list[str | None]:
        return [", ".join(sorted(valores[columna][c])) if c in valores[columna] else None for c in campanas]

    counts = {name: _enteros(rows, CONTEO_INDICADOR.get(name, name)) for name in DETALLADO_CONTEOS}
    return detallado_tabla(
        campanas,
        pd.array(joined("origen"), dtype="string"),
        pd.array(joined("canal"), dtype="string"),
        _enteros(rows, "total_contactos"),
        counts,
    )


def _tz_dtype(ctx: Contexto) -> pd.DatetimeTZDtype:
    return pd.DatetimeTZDtype("ns", ctx.tz)


def instantes(values: pd.Series, tz: str) -> pd.Series:
    """Instants from a query (DuckDB: tz-aware UTC; Spark: naive UTC) as ``datetime64[ns, tz]``."""
    out = pd.to_datetime(values, utc=True)
    return out.dt.as_unit("ns").dt.tz_convert(tz)


def _instantes_o_vacio(values: pd.Series, ctx: Contexto) -> pd.Series:
    return instantes(values, ctx.tz) if len(values) else pd.Series([], dtype=_tz_dtype(ctx))


@consulta("detallado", "envios")
def envios(ctx: Contexto) -> pd.DataFrame:
    """Every filtered send, by fecha_envio then envio_id, with the loaded sends' dtypes."""
    sql = ctx.render("detallado/envios.sql", columnas=ENVIOS_DETAIL_COLUMNS, orden=ENVIOS_ORDEN)
    return _terminar_envios(ctx.motor.consulta(sql), ctx, _categorias_envios(ctx))


def envios_primeros(ctx: Contexto, filas: int) -> pd.DataFrame:
    """The first ``filas`` rows of :func:`envios`, with the count of all of them in
    ``attrs["filas"]`` (what a report shows of a detail it cannot hold in memory)."""
    sql = ctx.render("detallado/envios.sql", columnas=ENVIOS_DETAIL_COLUMNS, orden=ENVIOS_ORDEN, limite=filas)
    out = _terminar_envios(ctx.motor.consulta(sql), ctx, _categorias_envios(ctx))
    out.attrs["filas"] = int(ctx.motor.consulta("SELECT count(*) AS n FROM sel")["n"].iloc[0])
    return out


def envios_por_lotes(ctx: Contexto, filas: int = 100_000) -> tuple[pd.DataFrame, Iterator[pd.DataFrame]]:
    """:func:`envios` as an empty frame with its dtypes and the rows in chunks of about ``filas``
    (an export of tens of millions of sends never holds them at once)."""
    found = _categorias_envios(ctx)
    sql = ctx.render("detallado/envios.sql", columnas=ENVIOS_DETAIL_COLUMNS, orden=ENVIOS_ORDEN)
    molde = _terminar_envios(ctx.motor.consulta(f"SELECT * FROM ({sql}) AS t LIMIT 0"), ctx, found)
    chunks = (_terminar_envios(rows, ctx, found) for rows in ctx.motor.consulta_lotes(sql, filas))
    return molde, chunks


def _categorias_envios(ctx: Contexto) -> dict[str, list[str]]:
    """The categories of the text columns without a fixed list: every value the loaded sends have."""
    kinds = {c.name: c for c in ENVIOS}
    texto = ("label", "canal", "code")
    categorias = [n for n in ENVIOS_DETAIL_COLUMNS if n in kinds and kinds[n].kind in texto]
    libres = [n for n in categorias if kinds[n].codes is None]
    found: dict[str, list[str]] = {n: [] for n in libres}
    if libres:
        for r in ctx.sql("detallado/categorias.sql", columnas=libres).itertuples(index=False):
            found[r.columna].append(str(r.valor))
    return found


def _terminar_envios(
    rows: pa.Table | pd.DataFrame, ctx: Contexto, found: dict[str, list[str]]
) -> pd.DataFrame:
    """Rows of ``envios.sql`` with the loaded sends' dtypes (categories from ``found``).

    Converted column by column in Arrow (a chunk of the per-send detail is 100,000 rows):
    categories by their position in the category list, never through Python objects.
    """
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pandas(rows, preserve_index=False)
    kinds = {c.name: c for c in ENVIOS}
    out = {}
    for name in ENVIOS_DETAIL_COLUMNS:
        col = table.column(name)
        kind = kinds[name].kind if name in kinds else "bool"
        if kind in ("label", "canal", "code"):
            codes = kinds[name].codes
            cats = list(codes) if codes is not None else sorted(found[name])
            dtype = pd.CategoricalDtype(pd.Index(cats, dtype="str"))
            where = pc.index_in(col.cast(pa.string()), value_set=pa.array(cats, type=pa.string()))
            values = pd.Categorical.from_codes(_numpy(where.fill_null(-1)).astype(np.int32), dtype=dtype)
        elif kind == "timestamp":
            utc = col.cast(pa.timestamp("ns", tz="UTC"))  # Spark's naive instants are UTC too
            values = pd.Series(utc.to_pandas(), copy=False).dt.tz_convert(ctx.tz).array
        elif kind == "bool":
            col = col.cast(pa.bool_())
            values = pd.arrays.BooleanArray(_numpy(col.fill_null(False)), _numpy(col.is_null()))
        elif kind == "list":
            values = cv.LIST.__from_arrow__(col.cast(pa.list_(pa.string())))
        else:
            values = cv.STRING.__from_arrow__(col.cast(pa.string()))
        out[name] = values
    return pd.DataFrame(out, index=pd.RangeIndex(table.num_rows))


def _numpy(values: pa.ChunkedArray) -> np.ndarray:
    return values.to_numpy() if isinstance(values, pa.ChunkedArray) else values.to_numpy(zero_copy_only=False)


# --------------------------------------------------------------------------- CONTRACT §5.2


@consulta("detallado", "tiempos")
def tiempos(ctx: Contexto) -> pd.DataFrame:
    rows, _ = _por_campana(ctx)
    campanas = _campanas(rows)
    etapas = list(fd.ETAPAS_TIEMPO)
    nombres = [f"p{round(q * 100)}_min" for q in fd.CUANTILES]
    stats = ctx.sql(
        "detallado/tiempos.sql",
        ind=indicadores(ctx),
        etapas=[(e, fd.ESTAMPAS[e]) for e in etapas],
        cuantiles=list(zip(nombres, fd.CUANTILES, strict=True)),
    )
    k = len(campanas)
    pos = {c: i + 1 for i, c in enumerate(campanas)}
    n = np.zeros((k + 1, 3), dtype=np.int64)
    descartados = np.zeros((k + 1, 3), dtype=np.int64)
    q = np.full((k + 1, 3, len(nombres)), np.nan)
    for r in stats.to_dict("records"):
        i = 0 if bool(r["todas"]) else pos[str(r["campana"])]
        j = etapas.index(str(r["etapa"]))
        n[i, j] = int(r["n"])
        descartados[i, j] = int(r["descartados"] or 0)
        q[i, j] = [np.nan if pd.isna(r[c]) else float(r[c]) for c in nombres]
    return fd.tiempos_tabla(campanas, n, descartados, q)


@consulta("detallado", "comparacion")
def comparacion(ctx: Contexto) -> pd.DataFrame:
    rows, _ = _por_campana(ctx)
    return fd.comparacion_tabla(
        _campanas(rows),
        _enteros(rows, "envios_exitosos"),
        _enteros(rows, "respondidos"),
        _enteros(rows, "ventas"),
    )


def nombres_ab(ctx: Contexto) -> tuple[str, str]:
    """``comparar`` checked against every loaded campaign (as the pandas engine does)."""
    todas = ctx.sql("detallado/campanas.sql")
    return fa.validar_comparar(ctx.parametros.comparar, todas)  # type: ignore[union-attr]


def _ab(ctx: Contexto, a: str, b: str) -> pd.DataFrame:
    rows, _ = _por_campana(ctx)
    by_name = {c: i for i, c in enumerate(_campanas(rows))}

    def pick(name: str, column: str) -> int:
        return int(_enteros(rows, column)[by_name[name]]) if name in by_name else 0

    etapas = [fa.AB_INDICADOR[e] for e in fa.ETAPAS_AB]
    return fa.ab_tabla(
        pick(a, "envios_exitosos"),
        [pick(a, c) for c in etapas],
        pick(b, "envios_exitosos"),
        [pick(b, c) for c in etapas],
    )


@consulta("detallado", "ab")
def ab(ctx: Contexto) -> pd.DataFrame:
    return _ab(ctx, *ctx.una_vez(nombres_ab))  # type: ignore[misc]


def _segmentos_sql(ctx: Contexto, conteo: bool) -> pd.DataFrame:
    return ctx.sql("detallado/segmentos.sql", ind=indicadores(ctx), conteo=conteo)


@consulta("detallado", "segmentos")
def segmentos(ctx: Contexto) -> pd.DataFrame:
    rows = _segmentos_sql(ctx, conteo=False)
    nivel = _enteros(rows, "nivel")
    ultimo = _instantes_o_vacio(rows["ultimo_envio"], ctx)
    return pd.DataFrame(
        {
            "contacto_id": pd.array(rows["contacto_id"].astype(object), dtype="string"),
            "envios_exitosos": _enteros(rows, "envios_exitosos"),
            "ultimo_envio": ultimo.array,
            "segmento": pd.array([fd.SEGMENTOS[i] for i in nivel], dtype="string"),
        }
    )[fd.SEGMENTOS_COLUMNS]


@consulta("detallado", "segmentos_conteo")
def segmentos_conteo(ctx: Contexto) -> pd.DataFrame:
    rows = _segmentos_sql(ctx, conteo=True)
    counts = np.zeros(len(fd.SEGMENTOS), dtype=np.int64)
    np.add.at(counts, _enteros(rows, "nivel"), _enteros(rows, "contactos"))
    return fd.conteo_tabla(counts)


def _costos_de(ctx: Contexto) -> dict[str, float] | None:
    p = ctx.parametros
    return p.costos if p is not None and p.costos else None  # type: ignore[return-value]


@consulta("detallado", "costos")
def costos(ctx: Contexto) -> pd.DataFrame:
    mapa = _costos_de(ctx) or {}
    rows, totals = por_campana(ctx, mapa)

    def with_total(column: str) -> np.ndarray:
        return np.append(_enteros(rows, column), int(totals[column]))

    costo = np.append(rows["costo"].to_numpy(dtype=np.float64), float(totals["costo"]))
    divisores = {name: with_total(indicator) for name, indicator in fa.COSTO_POR.items()}
    return fa.costos_tabla(_campanas(rows), with_total("envios_exitosos"), costo, divisores)


@consulta("detallado", "costos_info")
def costos_info(ctx: Contexto) -> pd.DataFrame:
    mapa = _costos_de(ctx)
    sin: list[str] = []
    if mapa is not None:
        canales = ctx.sql("detallado/canales.sql", ind=indicadores(ctx))["canal"]
        sin = fa.sin_costo(canales, mapa)
    return costos_info_tabla(ctx.parametros, sin)


@consulta("detallado", "ab_textos")
def ab_textos(ctx: Contexto) -> pd.DataFrame:
    p = ctx.parametros
    if p is None or not p.comparar:
        return ab_textos_tabla(None, None, None, [])
    a, b = ctx.una_vez(nombres_ab)  # type: ignore[misc]
    rows = ctx.sql("detallado/audiencias.sql", ind=indicadores(ctx), a=a, b=b)
    parts = {}
    for name in (a, b):
        mine = rows[rows["campana"] == name]
        fechas = pd.concat([mine["primero"], mine["ultimo"]], ignore_index=True)
        parts[name] = pd.DataFrame(
            {
                "canal": pd.concat([mine["canal"], mine["canal"]], ignore_index=True),
                "origen": pd.concat([mine["origen"], mine["origen"]], ignore_index=True),
                "fecha_envio": _instantes_o_vacio(fechas, ctx),
            }
        )
    tz = ctx.filtros.zona_horaria if ctx.filtros is not None else None
    diferencias = fa.diferencias_audiencias(parts, a, b, tz)
    return ab_textos_tabla(a, b, _ab(ctx, a, b), diferencias)
