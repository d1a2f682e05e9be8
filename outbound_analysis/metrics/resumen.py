"""Resumen tables (CONTRACT §3.1, §5.1): kpis, the sales funnel, the resumen extras, and
evolucion, periodo_anterior, horarios and fatiga (formulas in :mod:`._tiempo`).

kpis: total_contactos = distinct contacto_id among all filtered sends (any estado);
envios / envios_exitosos / envios_fallidos / envios_pendientes; leidos = exitosos with
leido true OR respondido true (a reply proves it was seen); respondidos / asignadas /
ventas = exitosos with that flag true; lectura_no_informada = exitosos with leido NA and
respondido not true; conversaciones_iniciadas / sobre_conversacion_abierta = exitosos
with conversacion_nueva true / false.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..filters import Filtros, filter_envios
from ..labels import error_label
from ..load import Dataset
from . import _columnas as col
from . import _tiempo as mas
from ._base import contar, is_true, is_value, ratio
from ._entrada import Entrada, Fuente, Registro, contactos_datos, indicadores_datos, solo_lectura
from ._kpis import ETAPAS, kpis_de

#: the first row of :func:`asignadas_sin_respuesta`: every origen together
TODOS = "(todos)"

REGISTRO = Registro()


@REGISTRO.tabla("kpis")
def _kpis(e: Entrada) -> pd.DataFrame:
    return e.una_vez(kpis_de)  # type: ignore[return-value]


def embudo(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Sales funnel enviado > leido > respondido > asignado > venta.

    ``pct_envios`` is over envios_exitosos; ``pct_etapa_anterior`` over the previous
    stage (for enviado: 1, or NA with no exitosos). The funnel need not shrink.
    """
    return _embudo(Entrada(filter_envios(envios, filtros), filtros))


@REGISTRO.tabla("embudo")
def _embudo(e: Entrada) -> pd.DataFrame:
    return embudo_tabla(_kpis(e))


def embudo_tabla(kpis: pd.DataFrame) -> pd.DataFrame:
    """The ``embudo`` table of a selection's kpis row."""
    k = kpis.iloc[0]
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
    return reconciliacion_tabla(_kpis(e))


def reconciliacion_tabla(kpis: pd.DataFrame) -> pd.DataFrame:
    """The ``reconciliacion`` table of a selection's kpis row."""
    k = kpis.iloc[0]
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
    cargado = e.fuente.datos.envios["origen"] if e.por_posicion else None  # type: ignore[union-attr]
    if cargado is not None and isinstance(cargado.dtype, pd.CategoricalDtype):
        codes, categories = col.codigos(e, "origen")  # type: ignore[misc]
    else:
        origen = e.envios["origen"]
        if not isinstance(origen.dtype, pd.CategoricalDtype):
            sums = e.indicadores.groupby(origen, observed=True, sort=True).sum()
            return por_origen_tabla(sums[POR_ORIGEN_CONTEOS].rename_axis("origen").reset_index())
        codes, categories = origen.cat.codes.to_numpy(), origen.cat.categories
    # the same sums by the category codes (a groupby of a million rows takes ~0.2 s)
    k = len(categories)
    filas, conteos = contar(codes, k, [e.indicadores[n].to_numpy(dtype=bool) for n in POR_ORIGEN_CONTEOS])
    present = filas > 0
    sums = {"origen": categories[present]}
    for name, counts in zip(POR_ORIGEN_CONTEOS, conteos, strict=True):
        sums[name] = counts[present]
    return por_origen_tabla(pd.DataFrame(sums))


#: the counts of :func:`por_origen`, per origen
POR_ORIGEN_CONTEOS = [
    "envios_exitosos",
    "leidos",
    "respondidos",
    "asignadas",
    "ventas",
    "lectura_no_informada",
]


def por_origen_tabla(sums: pd.DataFrame) -> pd.DataFrame:
    """The ``por_origen`` table from per-origen counts (column origen, then :data:`POR_ORIGEN_CONTEOS`),
    rows already in order (the origen codes' order)."""
    cols = POR_ORIGEN_CONTEOS
    out = sums[["origen", *cols]].reset_index(drop=True)
    out["origen"] = out["origen"].astype("string")
    for name in ("leidos", "respondidos", "asignadas", "lectura_no_informada"):
        out[f"pct_{name}"] = ratio(out[name], out["envios_exitosos"]).array
    return out.astype({c: "int64" for c in cols})


@REGISTRO.tabla("fallas")
def _fallas(e: Entrada) -> pd.DataFrame:
    cod = e.tomar(_codigos_error)
    if cod is None:
        return fallas(e.envios)
    # by position: failed sends counted per code of the loaded codigo_error (no text per selection)
    failed = e.indicadores["envios_fallidos"].to_numpy(dtype=bool)
    valores: pd.Index = e.fuente.una_vez(_valores_error)  # type: ignore[assignment]
    counts = np.bincount(cod[failed], minlength=len(valores))
    present = counts > 0
    return fallas_tabla(valores[present], counts[present].astype(np.int64), int(failed.sum()))


def _error_datos(f: Fuente) -> tuple[np.ndarray, pd.Index]:
    """codigo_error of every loaded send as codes (no code: :data:`SIN_CODIGO`), once per data set."""
    columna = f.datos.envios["codigo_error"]  # type: ignore[union-attr]
    if isinstance(columna.dtype, pd.CategoricalDtype):  # factorize the small codes, not a million texts
        codes, cats = pd.factorize(columna.cat.codes.to_numpy())
        nombres = columna.cat.categories.astype("string").to_numpy(dtype=object)
        uniques = pd.Index([SIN_CODIGO if c < 0 else nombres[c] for c in cats], dtype="string")
        if uniques.is_unique:  # (a real code spelled like SIN_CODIGO: by text below)
            return solo_lectura(codes.astype(np.intp)), uniques
    codes, texts = pd.factorize(columna.astype("string").fillna(SIN_CODIGO))
    return solo_lectura(codes.astype(np.intp)), pd.Index(texts, dtype="string")


def _codigos_error(f: Fuente) -> np.ndarray:
    return f.una_vez(_error_datos)[0]  # type: ignore[index]


def _valores_error(f: Fuente) -> pd.Index:
    return f.una_vez(_error_datos)[1]  # type: ignore[index]


def fallas(envios: pd.DataFrame, filtros: Filtros | None = None) -> pd.DataFrame:
    """Failed sends per codigo_error, most frequent first; pct over envios_fallidos.

    A failed send without a code counts as "(sin código)".
    """
    env = filter_envios(envios, filtros)
    failed = env[is_value(env["estado"], "fallido")]
    codes = failed["codigo_error"].astype("string").fillna(SIN_CODIGO)
    counts = codes.value_counts(sort=False)
    return fallas_tabla(counts.index, counts.to_numpy(dtype=np.int64), len(failed))


#: the codigo_error of a failed send without one
SIN_CODIGO = "(sin código)"


def fallas_tabla(codigos: pd.Index | list[str], envios: np.ndarray, fallidos: int) -> pd.DataFrame:
    """The ``fallas`` table from failed sends per distinct code (no code: :data:`SIN_CODIGO`)."""
    out = pd.DataFrame(
        {
            "codigo_error": pd.array(list(codigos), dtype="string"),
            "envios": np.asarray(envios, dtype=np.int64),
        }
    ).sort_values(["envios", "codigo_error"], ascending=[False, True], kind="stable")
    out.insert(1, "descripcion", out["codigo_error"].map(error_label).astype("string"))
    out["pct"] = ratio(out["envios"], np.repeat(fallidos, len(out))).array
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- CONTRACT §5.1


def _cargados(e: Entrada) -> pd.DataFrame:
    """ALL loaded sends (the previous period lies outside the filters); the selection without data."""
    return e.fuente.datos.envios if e.fuente.datos is not None else e.envios


def _codigos(f: Fuente) -> pd.Series:
    """Contact codes of every loaded send, once per data set (hashing 1M ids takes ~0.5 s)."""
    envios = f.datos.envios  # type: ignore[union-attr]
    return pd.Series(mas.codigos_contacto(envios), index=envios.index)


def _contactos(e: Entrada) -> np.ndarray | None:
    """The selection's contact codes, taken from the per-data-set codes (None without data)."""
    if e.fuente.datos is None:
        return None
    if e.posiciones is not None:
        return e.codigos_contacto()
    codes: pd.Series = e.fuente.una_vez(_codigos)  # type: ignore[assignment]
    index = codes.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        positions = e.envios.index.to_numpy()
    else:
        positions = index.get_indexer(e.envios.index)
    if len(positions) and (positions.min() < 0 or positions.max() >= len(codes)):
        return None  # the selection is not a subset of the loaded sends: hash it afresh
    return codes.to_numpy()[positions]


def _mas(e: Entrada) -> tuple[dict[str, pd.DataFrame], mas.PeriodoAnterior]:
    """The four §5.1 tables and the previous period, once per selection."""
    if not e.por_posicion:
        return mas.tablas_de_seleccion(
            _cargados(e), e.envios, e.filtros, e.indicadores, _kpis(e), _contactos(e)
        )
    # by position: local days and hours, the send order and the contacts come from the loaded sends
    loc = e.fuente.una_vez(col.locales_datos(_zona(e)))
    sel = loc if e.todas else loc.filas(e.posiciones)  # type: ignore[attr-defined]
    ind = e.indicadores
    comparacion = mas.comparar_periodo(_cargados(e), e.filtros, _kpis(e))
    tables = {
        "evolucion": mas.evolucion_de(ind, sel, e.filtros),  # type: ignore[arg-type]
        "periodo_anterior": comparacion.tabla,
        "horarios": mas.horarios_de(ind, sel),  # type: ignore[arg-type]
        "fatiga": _fatiga(e),
    }
    return tables, comparacion


def _zona(e: Entrada) -> str | None:
    """The local zone: the filters' one, else the zone fecha_envio was loaded in (None: naive)."""
    if e.filtros is not None:
        return e.filtros.zona_horaria
    tz = getattr(e.fuente.datos.envios["fecha_envio"].dtype, "tz", None)  # type: ignore[union-attr]
    return None if tz is None else str(tz)


def _fatiga(e: Entrada) -> pd.DataFrame:
    """``fatiga`` by position: the selected exitosos, each numbered among its contact's selected
    exitosos in send order. The exitosos are grouped by contact (in send order) once per data set:
    a selection keeps its rows of that order and numbers each run of a contact, no sort per change."""
    d: _FatigaDatos = e.fuente.una_vez(_fatiga_datos)  # type: ignore[assignment]
    if e.todas:
        return d.tabla.copy()  # five rows; the kept one stays as computed
    keep = e.mascara()[d.filas]  # type: ignore[index]
    return mas.fatiga_de(mas.numero_por_contacto(d.contactos[keep]), d.respondidos[keep], d.ventas[keep])


class _FatigaDatos(NamedTuple):
    """Every loaded exitoso grouped by contact in send order (:func:`exitosos_por_contacto`):
    positions, contact codes, respondido and venta in that order; and the table of all of them."""

    filas: np.ndarray
    contactos: np.ndarray
    respondidos: np.ndarray
    ventas: np.ndarray
    tabla: pd.DataFrame


def _fatiga_datos(f: Fuente) -> _FatigaDatos:
    todos: pd.DataFrame = f.una_vez(indicadores_datos)  # type: ignore[assignment]
    filas: np.ndarray = f.una_vez(exitosos_por_contacto)  # type: ignore[assignment]
    contactos = f.una_vez(contactos_datos)[0][filas]  # type: ignore[index]
    resp = todos["respondidos"].to_numpy(dtype=bool)[filas]
    ventas = todos["ventas"].to_numpy(dtype=bool)[filas]
    tabla = mas.fatiga_de(mas.numero_por_contacto(contactos), resp, ventas)
    return _FatigaDatos(filas, contactos, resp, ventas, tabla)


def exitosos_por_contacto(f: Fuente) -> np.ndarray:
    """Per data set, once: the positions of the exitosos, grouped by contact, each contact's in
    send order (fecha_envio, then envio_id)."""
    ok = f.una_vez(indicadores_datos)["envios_exitosos"].to_numpy(dtype=bool)  # type: ignore[index]
    orden: np.ndarray = f.una_vez(col.orden_envios)  # type: ignore[assignment]
    filas = orden[ok[orden]]
    contactos, _ = f.una_vez(contactos_datos)  # type: ignore[misc]
    return solo_lectura(filas[np.argsort(contactos[filas], kind="stable")])


def _tabla_mas(e: Entrada, nombre: str) -> pd.DataFrame:
    tables, _ = e.una_vez(_mas)  # type: ignore[misc]
    return tables[nombre]


@REGISTRO.tabla("evolucion")
def evolucion(e: Entrada) -> pd.DataFrame:
    """One row per local day of the selection, days without sends with zeros (CONTRACT §5.1)."""
    return _tabla_mas(e, "evolucion")


@REGISTRO.tabla("periodo_anterior")
def periodo_anterior(e: Entrada) -> pd.DataFrame:
    """The kpis next to those of the previous period of equal length; no rows unless both dates are set."""
    return _tabla_mas(e, "periodo_anterior")


@REGISTRO.tabla("horarios")
def horarios(e: Entrada) -> pd.DataFrame:
    """Exitosos and respondidos by local weekday (1 lunes..7 domingo) and hour: always 168 rows."""
    return _tabla_mas(e, "horarios")


@REGISTRO.tabla("fatiga")
def fatiga(e: Entrada) -> pd.DataFrame:
    """Reply and sale rates by the exitoso's number for its contact ("1".."4", "5 o más")."""
    return _tabla_mas(e, "fatiga")


#: the columns of :func:`contexto_tiempo`
CONTEXTO_TIEMPO_COLUMNS = [
    "fecha_desde",
    "fecha_hasta",
    "desde",
    "hasta",
    "envios_cargados",
    "primer_dia_cargado",
    "zona_horaria",
]


@REGISTRO.tabla("contexto_tiempo", exportar=False)
def contexto_tiempo(e: Entrada) -> pd.DataFrame:
    """One row for the §5.1 sections: the selected dates (None when not set), the previous
    period's first and last day (None when not defined), the loaded sends in it with no
    other filter, the local day of the earliest loaded send, and the zone local times are
    in (None: naive times)."""
    _, p = e.una_vez(_mas)  # type: ignore[misc]
    f = e.filtros
    if f is not None or e.por_posicion:
        zona = _zona(e)
    else:
        tz = getattr(e.envios["fecha_envio"].dtype, "tz", None)
        zona = None if tz is None else str(tz)
    desde, hasta = (None, None) if f is None else (f.fecha_desde, f.fecha_hasta)
    return contexto_tiempo_tabla(desde, hasta, p, zona)


def contexto_tiempo_tabla(
    desde: dt.date | None, hasta: dt.date | None, p: mas.PeriodoAnterior, zona: str | None
) -> pd.DataFrame:
    """The ``contexto_tiempo`` row from the selected dates, the previous period and the zone."""
    row = [
        desde,
        hasta,
        p.desde,
        p.hasta,
        p.envios_cargados,
        p.primer_dia_cargado,
        zona,
    ]
    return pd.DataFrame([row], columns=CONTEXTO_TIEMPO_COLUMNS, dtype=object).astype(
        {"envios_cargados": "int64"}
    )


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
    origen = col.codigos(e, "origen")
    if origen is not None:  # by position: exitosos asignadas without respondido, per origen code
        ind = e.indicadores
        assigned = ind["asignadas"].to_numpy(dtype=bool) & ~ind["respondidos"].to_numpy(dtype=bool)
        codes, valores = origen
        counts = np.bincount(codes[assigned & (codes >= 0)], minlength=len(valores))
        present = counts > 0
        total = int(assigned.sum())
        return asignadas_sin_respuesta_tabla(valores[present].astype("string"), counts[present], total)
    env = e.envios
    assigned = (
        np.asarray(is_value(env["estado"], "exitoso"), dtype=bool)
        & np.asarray(is_true(env["asignada"]), dtype=bool)
        & ~np.asarray(is_true(env["respondido"]), dtype=bool)
    )
    by_origin = env["origen"][assigned].astype("string").value_counts(sort=False)
    return asignadas_sin_respuesta_tabla(by_origin.index, by_origin.to_numpy(), int(assigned.sum()))


def asignadas_sin_respuesta_tabla(
    origenes: pd.Index | list[str], envios: np.ndarray, total: int
) -> pd.DataFrame:
    """The ``asignadas_sin_respuesta`` table from the count per origen: "(todos)" first, then
    the origenes with most first, ties by origen."""
    por = pd.DataFrame({"origen": pd.array(list(origenes), dtype="string"), "envios": np.asarray(envios)})
    por = por.sort_values(["envios", "origen"], ascending=[False, True], kind="stable")
    return pd.DataFrame(
        {
            "origen": pd.array([TODOS, *por["origen"]], dtype="string"),
            "envios": np.array([total, *por["envios"]], dtype=np.int64),
        }
    )


def resumen(envios: pd.DataFrame, filtros: Filtros | None = None) -> dict[str, pd.DataFrame]:
    """Tables of the resumen report: ``kpis`` and ``embudo`` (CONTRACT §4), plus
    ``reconciliacion``, ``por_origen``, ``fallas`` and the CONTRACT §5.1 tables
    (``envios`` are all loaded sends: the previous period is looked up among them)."""
    fuente = Fuente(datos=Dataset(envios, pd.DataFrame(), pd.DataFrame(), pd.DataFrame()))
    return REGISTRO.calcular(Entrada(filter_envios(envios, filtros), filtros, fuente), REGISTRO.exportadas)


#: per-data-set arrays computed together before the first table (the longest first)
REGISTRO.previos += [contactos_datos, col.orden_envios, indicadores_datos, _fatiga_datos]
