"""Detallado tables: one row per campaign, the per-send detail and the contact search (CONTRACT §3.2),
then tiempos, comparacion, ab, segmentos and costos (§5.2).

``ab`` exists only with the parameter ``comparar`` and ``costos`` only with ``costos``
(``si=``); ``segmentos`` also exports one audience file per segment (``archivos=``). The
segmentos section reads the support table ``segmentos_conteo``, so a filter change never
builds the contact list: the (lazy) report computes it only when exported or read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..filters import Filtros, filter_envios
from ..params import Parametros
from . import _columnas as col
from ._ab import (
    ab_conclusiones,
    ab_de,
    audiencias_de,
    canales_sin_costo_de,
    costos_de,
    validar_comparar,
)
from ._base import claves, contar, marginales, ratio
from ._detalle import (
    ESTAMPAS,
    ETAPAS_TIEMPO,
    Base,
    Codigos,
    Etapa,
    audiencias,
    base_de_codigos,
    codificar,
    comparacion_de,
    conteo_de,
    conteo_de_niveles,
    minutos_etapa,
    niveles,
    orden_por_grupo,
    ordenar,
    segmentos_de,
    seleccion,
    tiempos_de,
)
from ._entrada import Entrada, Fuente, Registro, contactos_datos, indicadores_datos, solo_lectura

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


def detallado(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """One row per campana (CONTRACT §3.2).

    origen and canal: distinct values, sorted, joined by ", "; vistas = leidos;
    pct_* over envios_exitosos. Sorted by envios_exitosos descending, then campana.
    """
    return _detallado(Entrada(filter_envios(envios, filtros), filtros))


#: the indicator summed per campaign for each count of detallado (vistas = leidos)
CONTEO_INDICADOR = {
    "envios_exitosos": "envios_exitosos",
    "envios_fallidos": "envios_fallidos",
    "envios_pendientes": "envios_pendientes",
    "vistas": "leidos",
    "respondidas": "respondidos",
    "asignadas": "asignadas",
    "ventas": "ventas",
}


@REGISTRO.tabla("detallado")
def _detallado(e: Entrada) -> pd.DataFrame:
    sel = _sel(e)
    panel = e.por_posicion and e.fuente.tiene(_detallado_datos)  # else counting directly is faster
    counts, total_contactos = _conteos_posicion(e, sel) if panel else _conteos(e, sel)
    return detallado_tabla(
        sel.campanas.tolist(),
        *_distintos(e, sel),
        total_contactos,
        counts,
    )


def _conteos(e: Entrada, sel: Base) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per campaign (detallado order): the sends and each count of detallado; distinct contacts."""
    k = len(sel.campanas)
    flags = [sel.ind[i].to_numpy(dtype=bool) for i in CONTEO_INDICADOR.values()]
    envios, conteos = contar(sel.codigo, k, flags)
    # distinct contacts per campaign: distinct (campaign, contact code) pairs, NA contacts left out
    cont = _codigos(e, "contacto_id")
    has = (sel.codigo >= 0) & (cont.codigos < len(cont.ids))
    width = len(cont.ids) + 1
    pairs = sel.codigo[has] * width + cont.codigos[has]
    if k * width <= 50_000_000:  # a bitmap of (campaign, contact) is faster than hashing the pairs
        seen = np.zeros(k * width, dtype=bool)
        seen[pairs] = True
        total_contactos = seen.reshape(k, width).sum(axis=1).astype(np.int64)
    else:
        total_contactos = np.bincount(pd.unique(pairs) // width, minlength=k).astype(np.int64)
    return {"envios": envios, **dict(zip(CONTEO_INDICADOR, conteos, strict=True))}, total_contactos


def _conteos_posicion(e: Entrada, sel: Base) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """:func:`_conteos` by position: each loaded send's campaign and flags as one key, and its
    (campaign, contact) pair, made once per data set; a selection counts them within its mask,
    by loaded campaign, then puts the campaigns in detallado order."""
    d: _DetalladoDatos = e.fuente.una_vez(_detallado_datos)  # type: ignore[assignment]
    pesos = None if e.todas else e.mascara().astype(np.float64)  # type: ignore[union-attr]
    n = col.cuantas(e, "campana")
    tabla = np.bincount(d.claves, weights=pesos, minlength=(n + 1) << len(CONTEO_INDICADOR))
    envios, conteos = marginales(tabla.reshape(n + 1, -1)[:n])
    visto = np.bincount(d.pares, weights=pesos, minlength=len(d.campana_del_par) + 1)[:-1] > 0
    contactos = np.bincount(d.campana_del_par[visto], minlength=n).astype(np.int64)
    grupo = col.en_categorias(e, "campana", sel.campanas)  # detallado order
    counts = {
        "envios": envios[grupo],
        **{c: v[grupo] for c, v in zip(CONTEO_INDICADOR, conteos, strict=True)},
    }
    return counts, contactos[grupo]


class _DetalladoDatos(NamedTuple):
    """Per loaded send: campaign code * 2**7 + the :data:`CONTEO_INDICADOR` flags (no campaign:
    the last code) and its (campaign, contact) pair (none: the last); each pair's campaign code."""

    claves: np.ndarray
    pares: np.ndarray
    campana_del_par: np.ndarray


def _detallado_datos(f: Fuente) -> _DetalladoDatos:
    cat: col.Categorias = f.una_vez(col.categorias("campana"))  # type: ignore[assignment]
    ind: pd.DataFrame = f.una_vez(indicadores_datos)  # type: ignore[assignment]
    cont: Codigos = f.una_vez(_contactos_datos)  # type: ignore[assignment]
    n = len(cat.valores)
    codes = np.where(cat.codigos >= 0, cat.codigos, n)
    keys = claves(codes, [ind[c].to_numpy(dtype=bool) for c in CONTEO_INDICADOR.values()])
    valid = (cat.codigos >= 0) & (cont.codigos < len(cont.ids))
    width = len(cont.ids) + 1
    par, unicos = pd.factorize(cat.codigos[valid] * width + cont.codigos[valid])
    pares = np.full(len(codes), len(unicos), dtype=np.int64)
    pares[valid] = par
    campana = (np.asarray(unicos) // width).astype(np.int64)
    return _DetalladoDatos(keys, pares, campana)


#: detallado's counts per campaign, after total_contactos
DETALLADO_CONTEOS = DETALLADO_COLUMNS[4:12]


def detallado_tabla(
    campanas: list[str],
    origen: pd.arrays.StringArray,
    canal: pd.arrays.StringArray,
    total_contactos: np.ndarray,
    counts: dict[str, np.ndarray],
) -> pd.DataFrame:
    """The ``detallado`` table from per-campaign values in detallado order (see
    :func:`orden_campanas`): origen and canal already joined, counts by :data:`DETALLADO_CONTEOS`."""
    out = pd.DataFrame(
        {
            "campana": pd.array(list(campanas), dtype="string"),
            "origen": pd.array(origen, dtype="string"),
            "canal": pd.array(canal, dtype="string"),
            "total_contactos": np.asarray(total_contactos, dtype=np.int64),
            **{name: np.asarray(counts[name], dtype=np.int64) for name in DETALLADO_CONTEOS},
        }
    )
    for pct, num in (
        ("pct_vistas", "vistas"),
        ("pct_respondidas", "respondidas"),
        ("pct_asignadas", "asignadas"),
        ("pct_ventas", "ventas"),
    ):
        out[pct] = ratio(out[num], out["envios_exitosos"]).array
    return out[DETALLADO_COLUMNS]


def _distintos(e: Entrada, sel: Base) -> tuple[pd.arrays.StringArray, pd.arrays.StringArray]:
    """Per campaign (detallado order): the distinct origenes and canales, each sorted and joined
    by ", "."""
    columnas = ("origen", "canal")
    if e.por_posicion:  # (campaign, origen, canal) of every loaded send as one code, made once: one count
        claves, tamanos = e.fuente.una_vez(_ternas)  # type: ignore[misc]
        n = col.cuantas(e, "campana")
        size = n * tamanos[0] * tamanos[1]
        w = None if e.todas else e.mascara()
        counts = np.bincount(claves, w, size + 1)[:size].reshape(n, *tamanos) > 0
        presentes = [counts.any(axis=2), counts.any(axis=1)]  # by loaded campaign, then value
        grupo = col.en_categorias(e, "campana", sel.campanas)
        presentes = [p[grupo, :-1] for p in presentes]  # detallado order; the last value: missing
    else:
        presentes = []
        for columna in columnas:
            cod = _codigos(e, columna)
            n = len(cod.ids) + 1
            has = (sel.codigo >= 0) & (cod.codigos < len(cod.ids))
            seen = np.zeros(len(sel.campanas) * n, dtype=bool)  # a bitmap of (campaign, value): no sort
            seen[sel.codigo[has] * n + cod.codigos[has]] = True
            presentes.append(seen.reshape(len(sel.campanas), n)[:, :-1])
    out = []
    for columna, presente in zip(columnas, presentes, strict=True):
        cod = e.fuente.una_vez(_CODIFICAR_DATOS[columna]) if e.por_posicion else _codigos(e, columna)
        values = cod.ids.to_pylist()  # type: ignore[attr-defined]
        joined = [", ".join(values[v] for v in np.flatnonzero(fila)) or None for fila in presente]
        out.append(pd.array(joined, dtype="string"))
    return out[0], out[1]


def _ternas(f: Fuente) -> tuple[np.ndarray, tuple[int, int]]:
    """Per data set, once: each loaded send's (campana category, origen, canal) as one code (a
    missing origen or canal is its column's last value; no campaign: the last code) and the
    number of origen and canal values plus one."""
    campana: col.Categorias = f.una_vez(col.categorias("campana"))  # type: ignore[assignment]
    origen: Codigos = f.una_vez(_CODIFICAR_DATOS["origen"])  # type: ignore[assignment]
    canal: Codigos = f.una_vez(_CODIFICAR_DATOS["canal"])  # type: ignore[assignment]
    no, nc = len(origen.ids) + 1, len(canal.ids) + 1
    size = len(campana.valores) * no * nc
    claves = np.where(
        campana.codigos >= 0, (campana.codigos * no + origen.codigos) * nc + canal.codigos, size
    )
    return solo_lectura(claves), (no, nc)


def envios_detalle(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Every filtered send with its campaign, contact, estado and flags, by fecha_envio.

    ``visto`` = leido OR respondido with NA for "not reported" (True | NA is True).
    """
    return _envios(Entrada(filter_envios(envios, filtros), filtros))


@REGISTRO.tabla("envios")
def _envios(e: Entrada) -> pd.DataFrame:
    if e.por_posicion:  # the loaded sends' order restricted to the selection: one take, no sort
        return _detalle_filas(e.fuente.datos.envios.take(col.en_orden(e)))  # type: ignore[union-attr]
    env = e.envios
    return _detalle_filas(env.take(_orden_envios(env)))


def envios_primeros(e: Entrada, n: int) -> pd.DataFrame:
    """The first ``n`` rows of the per-send detail (``attrs["filas"]``: the detail's row count).

    What a screen shows of the detail: the selection's first positions in detail order, so a
    filter change takes ``n`` rows, not the whole selection.
    """
    if e.por_posicion:
        orden = col.en_orden(e)
        first = _detalle_filas(e.fuente.datos.envios.take(orden[:n]))  # type: ignore[union-attr]
        filas = len(orden)
    else:
        whole = _envios(e)
        first, filas = whole.head(n).copy(), len(whole)
    first.attrs["filas"] = filas
    return first


def _detalle_filas(env: pd.DataFrame) -> pd.DataFrame:
    """Sends already in detail order as detail rows: its columns, ``visto`` added."""
    return env.assign(visto=env["leido"] | env["respondido"])[ENVIOS_DETAIL_COLUMNS].reset_index(drop=True)


def _orden_envios(env: pd.DataFrame) -> np.ndarray:
    """Row order by :data:`ENVIOS_ORDEN` (:func:`._columnas.ordenar_envios`)."""
    return col.ordenar_envios(env)


#: the order of the per-send detail: by fecha_envio, ties by envio_id (unique: one order on every engine)
ENVIOS_ORDEN = ["fecha_envio", "envio_id"]


def orden_campanas(campanas: list[str], exitosos: list[int]) -> list[int]:
    """Positions of ``campanas`` in detallado order: envios_exitosos descending, then campana
    (code-point order)."""
    return sorted(range(len(campanas)), key=lambda i: (-exitosos[i], campanas[i]))


# --------------------------------------------------------------------------- CONTRACT §5.2
# Thin wrappers: the formulas live in _detalle / _ab. What several tables
# share is computed once per selection (the Base) or once per loaded data (contact codes).


def _base(e: Entrada) -> Base:
    campana = col.codigos(e, "campana")
    if campana is None:
        return seleccion(e.envios, None, e.indicadores)
    # by position: campaign codes, timestamps and leido NA come from the loaded sends (once per data set)

    def columna(name: str) -> np.ndarray:
        return e.tomar(_COLUMNAS[name])  # type: ignore[no-any-return]

    return base_de_codigos(lambda: e.envios, e.indicadores, *campana, columna=columna)


#: what :class:`Base` reads per send, computed once per data set
_COLUMNAS = {
    **{c: col.fecha_ns(c) for c in ("fecha_envio", "fecha_lectura", "fecha_respuesta", "fecha_asignacion")},
    "leido_na": col.leido_na,
}


def _sel(e: Entrada) -> Base:
    return e.una_vez(_base)  # type: ignore[return-value]


def _codificador(columna: str) -> Callable[[Fuente], Codigos]:
    def codigos_datos(f: Fuente) -> Codigos:
        return codificar(f.datos.envios[columna])  # type: ignore[union-attr]

    return codigos_datos


def _contactos_datos(f: Fuente) -> Codigos:
    """contacto_id's codes from the contact ids hashed once per data set (shared with the kpis)."""
    codes, ids = f.una_vez(contactos_datos)  # type: ignore[misc]
    return ordenar(codes, ids)


#: per loaded data set, once: the codes of the text columns several tables group by
_CODIFICAR_DATOS = {"contacto_id": _contactos_datos, **{c: _codificador(c) for c in ("canal", "origen")}}


def _codigos_de(columna: str) -> Callable[[Entrada], Codigos]:
    def codigos(e: Entrada) -> Codigos:
        """The codes of the selected sends: taken from the loaded data's (computed once)."""
        datos = e.fuente.datos
        if datos is not None and e.posiciones is not None:
            todos: Codigos = e.fuente.una_vez(_CODIFICAR_DATOS[columna])  # type: ignore[assignment]
            return todos.filas(e.posiciones)
        if datos is not None and datos.envios.index.is_unique:
            posiciones = datos.envios.index.get_indexer(e.envios.index)
            if (posiciones >= 0).all():
                todos: Codigos = e.fuente.una_vez(_CODIFICAR_DATOS[columna])  # type: ignore[assignment]
                return todos.filas(posiciones)
        return codificar(e.envios[columna])

    return codigos


_CODIGOS = {c: _codigos_de(c) for c in _CODIFICAR_DATOS}


def _codigos(e: Entrada, columna: str) -> Codigos:
    """The selection's :class:`Codigos` of ``columna`` (contacto_id, canal, origen), once per selection."""
    return e.una_vez(_CODIGOS[columna])  # type: ignore[return-value]


def _comparar(p: Parametros | None) -> bool:
    return p is not None and bool(p.comparar)


def _costos(p: Parametros | None) -> bool:
    return p is not None and bool(p.costos)


@REGISTRO.tabla("tiempos")
def _tiempos(e: Entrada) -> pd.DataFrame:
    """Minutes from the send to lectura, respuesta and asignacion: p25, p50, p75, p90."""
    base = _sel(e)
    if not e.por_posicion:
        return tiempos_de(base)
    # by position: every loaded send's minutes are sorted once per data set; a selection keeps
    # its sends from that order and groups them by campaign (a stable sort of small codes).
    # For the panel, also grouped by loaded campaign once: a filter change sorts nothing.
    datos: dict[str, _TiemposDatos] = e.fuente.una_vez(_tiempos_datos)  # type: ignore[assignment]
    grupos: dict[str, _TiemposGrupos] | None = (
        e.fuente.una_vez(_tiempos_grupos) if e.fuente.tiene(_tiempos_grupos) else None  # type: ignore[assignment]
    )
    cat: col.Categorias = e.fuente.una_vez(col.categorias("campana"))  # type: ignore[assignment]
    k = len(cat.valores)
    grupo = col.en_categorias(e, "campana", base.campanas)
    mask: np.ndarray = e.mascara()  # type: ignore[assignment]

    def por_etapa(etapa: str) -> Etapa:
        d = datos[etapa]
        antes = d.antes if e.todas else d.antes[e.posiciones]
        if grupos is not None:
            g = grupos[etapa]
            if e.todas:
                return Etapa(d.todas, g.por_grupo, g.cuenta, grupo, antes)
            keep = mask[g.orden]
            cuenta = np.bincount(g.codigo[keep], minlength=k).astype(np.int64)
            return Etapa(d.todas[mask[d.orden]], g.por_grupo[keep], cuenta, grupo, antes)
        keep = mask[d.orden]
        todas, codes = d.todas[keep], cat.codigos[d.orden[keep]]
        cuenta = np.bincount(codes, minlength=k).astype(np.int64)
        return Etapa(todas, todas[orden_por_grupo(codes, k)], cuenta, grupo, antes)

    return tiempos_de(base, por_etapa)


class _TiemposDatos(NamedTuple):
    """One etapa over every loaded send: the used sends (with a campaign) by minutes (``orden``)
    and their minutes (``todas``); whether the stage came before the send (``antes``)."""

    orden: np.ndarray
    todas: np.ndarray
    antes: np.ndarray


def _tiempos_datos(f: Fuente) -> dict[str, _TiemposDatos]:
    """Per etapa, over every loaded send, once: :func:`minutos_etapa` and the used sends sorted."""
    ok = f.una_vez(indicadores_datos)["envios_exitosos"].to_numpy(dtype=bool)  # type: ignore[index]
    sent: np.ndarray = f.una_vez(col.fecha_ns("fecha_envio"))  # type: ignore[assignment]
    cat: col.Categorias = f.una_vez(col.categorias("campana"))  # type: ignore[assignment]
    out = {}
    for etapa in ETAPAS_TIEMPO:
        minutos, antes = minutos_etapa(ok, sent, f.una_vez(col.fecha_ns(ESTAMPAS[etapa])))  # type: ignore[arg-type]
        usados = np.flatnonzero(~np.isnan(minutos) & (cat.codigos >= 0))
        orden = usados[np.argsort(minutos[usados])]  # ties: equal minutes, any order
        out[etapa] = _TiemposDatos(orden, minutos[orden], antes)
    return out


class _TiemposGrupos(NamedTuple):
    """One etapa's used sends by loaded campaign code, then minutes (``orden``), their minutes
    (``por_grupo``) and codes (``codigo``), and the count per code (``cuenta``)."""

    orden: np.ndarray
    por_grupo: np.ndarray
    codigo: np.ndarray
    cuenta: np.ndarray


def _tiempos_grupos(f: Fuente) -> dict[str, _TiemposGrupos]:
    """Per etapa, once (for the panel): :func:`_tiempos_datos` grouped by loaded campaign."""
    datos: dict[str, _TiemposDatos] = f.una_vez(_tiempos_datos)  # type: ignore[assignment]
    cat: col.Categorias = f.una_vez(col.categorias("campana"))  # type: ignore[assignment]
    k = len(cat.valores)
    out = {}
    for etapa, d in datos.items():
        por = orden_por_grupo(cat.codigos[d.orden], k)
        codigo = cat.codigos[d.orden[por]]
        out[etapa] = _TiemposGrupos(d.orden[por], d.todas[por], codigo, np.bincount(codigo, minlength=k))
    return out


@REGISTRO.tabla("comparacion")
def _comparacion(e: Entrada) -> pd.DataFrame:
    """Reply and sale rate per campaign with its Wilson 95 % interval."""
    return comparacion_de(_sel(e))


def _campanas_datos(f: Fuente) -> pd.DataFrame:
    return pd.DataFrame({"campana": pd.unique(f.datos.envios["campana"].dropna())})  # type: ignore[union-attr]


def _validar_nombres(e: Entrada) -> tuple[str, str]:
    todas = e.fuente.una_vez(_campanas_datos) if e.fuente.datos is not None else e.envios
    return validar_comparar(e.parametros.comparar, todas)  # type: ignore[union-attr, arg-type]


def _nombres_ab(e: Entrada) -> tuple[str, str]:
    """``comparar`` checked against the loaded sends (a campaign outside the filters is fine)."""
    return e.una_vez(_validar_nombres)  # type: ignore[return-value]


@REGISTRO.tabla("ab", si=_comparar)
def _ab(e: Entrada) -> pd.DataFrame:
    """Campaign B against A per stage (only with the parameter ``comparar``)."""
    return ab_de(_sel(e), *_nombres_ab(e))


@REGISTRO.tabla("segmentos", archivos=audiencias)
def _segmentos(e: Entrada) -> pd.DataFrame:
    """One row per contact with an exitoso and its furthest stage; exports one audience per segment."""
    return segmentos_de(_sel(e), _codigos(e, "contacto_id"))


@REGISTRO.tabla("costos", si=_costos)
def _costos_tabla(e: Entrada) -> pd.DataFrame:
    """Cost of the exitosos per campaign, then "(total)" (only with the parameter ``costos``)."""
    return costos_de(_sel(e), e.parametros.costos)  # type: ignore[union-attr]


@REGISTRO.tabla("segmentos_conteo", exportar=False)
def _segmentos_conteo(e: Entrada) -> pd.DataFrame:
    """Contacts per segment, without building the contact list (what the section shows)."""
    if not (e.por_posicion and e.fuente.tiene(_segmentos_datos)):
        return conteo_de(_sel(e), _codigos(e, "contacto_id"))
    valido, codigo, nivel, contactos = e.fuente.una_vez(_segmentos_datos)  # type: ignore[misc]
    if not e.todas:
        valido = valido & e.mascara()
    return conteo_de_niveles(codigo[valido], nivel[valido], contactos)


def _segmentos_datos(f: Fuente) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Over every loaded send, once: exitoso with a contact, the contact code, :func:`niveles`;
    and how many contacts there are."""
    ind: pd.DataFrame = f.una_vez(indicadores_datos)  # type: ignore[assignment]
    cont: Codigos = f.una_vez(_contactos_datos)  # type: ignore[assignment]
    valido = ind["envios_exitosos"].to_numpy(dtype=bool) & (cont.codigos < len(cont.ids))
    return valido, cont.codigos, niveles(ind, f.una_vez(col.leido_na)), len(cont.ids)  # type: ignore[arg-type]


@REGISTRO.tabla("ab_textos", exportar=False)
def _ab_textos(e: Entrada) -> pd.DataFrame:
    """The A/B sentences (columns a, b, texto, aviso): one per stage, then, when the two
    audiences differ, the warning that the comparison is observational (aviso true)."""
    if not _comparar(e.parametros):
        return ab_textos_tabla(None, None, None, [])
    a, b = _nombres_ab(e)
    tz = e.filtros.zona_horaria if e.filtros is not None else None
    diferencias = audiencias_de(_sel(e), a, b, tz)
    return ab_textos_tabla(a, b, ab_de(_sel(e), a, b), diferencias)


def ab_textos_tabla(
    a: str | None, b: str | None, ab: pd.DataFrame | None, diferencias: list[str]
) -> pd.DataFrame:
    """The ``ab_textos`` table from the ``ab`` table of A and B and how their audiences differ
    (no rows when ``ab`` is None: no ``comparar``)."""
    if ab is None:
        columns = {c: pd.Series([], dtype="string") for c in ("a", "b", "texto")}
        return pd.DataFrame({**columns, "aviso": pd.Series([], dtype="boolean")})
    frases = ab_conclusiones(ab, [a, b], diferencias)  # type: ignore[list-item]
    aviso = [False] * len(frases)
    if diferencias:
        aviso[-1] = True
    out = pd.DataFrame({"a": a, "b": b, "texto": frases}, index=range(len(frases))).astype("string")
    return out.assign(aviso=pd.array(aviso, dtype="boolean"))


@REGISTRO.tabla("costos_info", exportar=False)
def _costos_info(e: Entrada) -> pd.DataFrame:
    """One row: the currency and the channels with exitosos but no cost (they count as 0)."""
    p = e.parametros
    sin = canales_sin_costo_de(_sel(e), p.costos) if _costos(p) else []  # type: ignore[union-attr]
    return costos_info_tabla(p, sin)


def costos_info_tabla(p: Parametros | None, sin_costo: list[str]) -> pd.DataFrame:
    """The ``costos_info`` row: the currency and the channels with exitosos but no cost."""
    moneda = p.moneda if p is not None else "USD"
    return pd.DataFrame({"moneda": [moneda], "canales_sin_costo": [", ".join(sin_costo)]}).astype("string")


def detallado_tables(envios: pd.DataFrame, filtros: Filtros | None = None) -> dict[str, pd.DataFrame]:
    """Tables of the detallado report without parameters (no ``ab`` nor ``costos``)."""
    return REGISTRO.calcular(Entrada(filter_envios(envios, filtros), filtros), REGISTRO.exportadas_de(None))


#: per-data-set arrays computed together before the first table (the longest first)
REGISTRO.previos += [contactos_datos, _tiempos_datos, col.orden_envios, _contactos_datos]
#: what only pays off over many selections: made in the background when a filter panel opens
REGISTRO.panel += [_tiempos_grupos, _detallado_datos, _segmentos_datos]
