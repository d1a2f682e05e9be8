"""Flujos tables (CONTRACT §3.3). Scope: filtered sends with origen = flujo.

flujos respondidos: conversations of the scope with at least one cliente event; every
table but ``resultados`` is over them. finalizacion: the last explicit one, else
asignacion (a send of the conversation is asignada or an agente event exists), else
finalizacion_automatica (an autogestión tipificación was applied, in the events or as
the send's final tipo), else abandono. primeras_opciones: first non-empty opcion of a
cliente event. ultimo_mensaje_abandono: mensaje of the last bot event of each abandono.
Order within a conversation: fecha, then file order.

Beyond the platform (CONTRACT §5.3, formulas in :mod:`._recorridos`): ``recorridos``
(the first 6 nodos of each flujo respondido, then its finalizacion, as transitions) and
``abandono_por_nodo``. They read the nodo paths profiled once per data set
(``perfil_eventos.nodos``) with the answered conversations' codes and finalizacion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..filters import Filtros, filter_envios
from ..schema import FINALIZACIONES, TIPOS_AUTOGESTION
from . import _columnas as col
from ._base import is_true, is_value, ratio
from ._entrada import (
    Entrada,
    Fuente,
    Registro,
    contactos_datos,
    conversaciones_datos,
    indicadores_datos,
    solo_lectura,
)
from ._kpis import codigo_sin_contacto
from ._perfil import EventProfile

# "X as X": re-exported for the SQL engines' flujos tables (``_recorridos`` is private)
from ._recorridos import MAX_NODOS as MAX_NODOS
from ._recorridos import SIN_NODO as SIN_NODO
from ._recorridos import (
    codigos_finalizacion,
    sin_fin,
    tabla_abandono_por_nodo,
    tabla_recorridos,
)
from ._recorridos import terminar_abandono_por_nodo as terminar_abandono_por_nodo
from ._recorridos import terminar_recorridos as terminar_recorridos

SIN_OPCION = "(sin opción)"
SIN_MENSAJE = "(sin mensaje)"
RESULTADOS_COLUMNS = [
    "total_contactos",
    "envios_exitosos",
    "conversaciones",
    "asignadas",
    "ventas",
    "flujos_respondidos",
]

REGISTRO = Registro()


def tabla_conteos(etiquetas: object, conversaciones: object, label: str, total: int) -> pd.DataFrame:
    """A table of counts (one row per distinct ``etiquetas`` value, its ``conversaciones``): most
    frequent first, ties by name, with pct over ``total`` (CONTRACT §3.3)."""
    out = pd.DataFrame(
        {
            label: pd.array(np.asarray(etiquetas, dtype=object), dtype="string"),
            "conversaciones": np.asarray(conversaciones, dtype=np.int64),
        }
    )
    out = out.sort_values(["conversaciones", label], ascending=[False, True], kind="stable")
    out["pct"] = ratio(out["conversaciones"], np.repeat(total, len(out))).array
    return out.reset_index(drop=True)


def _count_table(values: pd.Series, label: str, total: int) -> pd.DataFrame:
    """Counts of ``values`` most frequent first, ties by name, with pct over ``total``."""
    counts = values.value_counts(sort=False)
    return tabla_conteos(counts.index.astype("string"), counts.to_numpy(dtype=np.int64), label, total)


def _level_table(levels: pd.DataFrame, label: str, total: int) -> pd.DataFrame:
    counts = levels.groupby(["nivel", label], sort=False).size().rename("conversaciones").reset_index()
    return tabla_niveles(counts, label, total)


def tabla_niveles(counts: pd.DataFrame, label: str, total: int) -> pd.DataFrame:
    """An embudo table from ``counts`` (columns nivel, ``label``, conversaciones; one row per pair):
    by nivel, then most frequent first, ties by name; pct over ``total`` (the flujos respondidos)."""
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


def _scope(e: Entrada) -> pd.DataFrame:
    return e.envios[is_value(e.envios["origen"], "flujo")]


def _filas_alcance(e: Entrada) -> np.ndarray:
    """By position: the rows (in the loaded sends) of the selection's flow sends, once per selection."""
    return np.flatnonzero(e.mascara() & e.fuente.una_vez(col.es_flujo))  # type: ignore[operator]


def _alcance(e: Entrada) -> np.ndarray:
    return e.una_vez(_filas_alcance)  # type: ignore[return-value]


def _distintos(codes: np.ndarray, size: int) -> int:
    """How many distinct codes in 0..size-1 ``codes`` has (others, e.g. -1 or NA's code, left out)."""
    codes = codes[(codes >= 0) & (codes < size)]
    return int(np.count_nonzero(np.bincount(codes, minlength=size)))


@dataclass(frozen=True)
class Respondidos:
    """The flujos respondidos of a selection: their codes, finalizacion and in-scope mask."""

    codigos: np.ndarray  # conversation codes (positions in the event profile)
    fin: np.ndarray  # per answered conversation: its finalizacion's position in FINALIZACIONES
    mascara: np.ndarray  # per profiled conversation: answered and in scope
    con_eventos: int = 0  # conversations of the scope with at least one event

    @property
    def finalizacion(self) -> np.ndarray:
        """Per answered conversation, its finalizacion (text)."""
        return np.asarray(FINALIZACIONES, dtype=object)[self.fin]


_ABANDONO, _ASIGNACION, _AUTOMATICA = (
    FINALIZACIONES.index(f) for f in ("abandono", "asignacion", "finalizacion_automatica")
)


def _conversaciones(f: Fuente) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per profiled conversation, once per data set: whether the cliente answered, an agente wrote
    and an autogestión tipificación was applied, and its explicit finalizacion's position in
    FINALIZACIONES (-1: none)."""
    conv = f.perfil_eventos.conversaciones
    explicita = conv["finalizacion_explicita"]
    tiene = explicita.notna().to_numpy()
    fin = np.full(len(explicita), -1, dtype=np.int64)
    fin[tiene] = codigos_finalizacion(explicita[tiene])
    return tuple(  # type: ignore[return-value]
        solo_lectura(a)
        for a in (
            conv["responde"].to_numpy(dtype=bool),
            conv["agente"].to_numpy(dtype=bool),
            conv["autogestion"].to_numpy(dtype=bool),
            fin,
        )
    )


def _codigos_envios(f: Fuente) -> np.ndarray:
    """The conversation code of every loaded send (-1: no conversation or no events), once per data set."""
    if f.datos is not None and f.datos.eventos is f.eventos:  # the encoding the profile was made with
        _, ids, codes = f.una_vez(conversaciones_datos)  # type: ignore[misc]
        return solo_lectura(np.where(codes < len(ids), codes, -1))
    return f.perfil_eventos.codes(f.datos.envios["conversacion_id"])  # type: ignore[union-attr]


def _conversaciones_envios(f: Fuente) -> tuple[np.ndarray, int]:
    """Every loaded send's conversation code (-1: none) and the number of codes, once per data set."""
    if f.datos is not None and f.datos.eventos is f.eventos:
        _, _, codes = f.una_vez(conversaciones_datos)  # type: ignore[misc]
        return codes, int(codes.max(initial=-1)) + 1
    cat = f.una_vez(col.categorias("conversacion_id"))
    return cat.codigos, len(cat.valores)  # type: ignore[attr-defined]


def _autogestion(f: Fuente) -> np.ndarray:
    """Per loaded send: its tipo_tipificacion is an autogestión one, once per data set."""
    tipo = f.datos.envios["tipo_tipificacion"]  # type: ignore[union-attr]
    return solo_lectura(tipo.isin(TIPOS_AUTOGESTION).to_numpy(dtype=bool, na_value=False))


def _codigos(e: Entrada, envios: pd.DataFrame) -> np.ndarray:
    """Conversation codes of these sends: by row position of the loaded sends when the Entrada's sends
    are rows of its Fuente's data (a filter change then looks no conversacion_id up), else by id."""
    datos = e.fuente.datos
    index = datos.envios.index if datos is not None else None
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        rows = envios.index.to_numpy()
        if rows.dtype.kind == "i" and (not len(rows) or (rows.min() >= 0 and rows.max() < len(index))):
            return e.fuente.una_vez(_codigos_envios)[rows]  # type: ignore[index]
    return e.fuente.perfil_eventos.codes(envios["conversacion_id"])


def respondidos(e: Entrada) -> Respondidos:
    """Which conversations of the scope were answered, and how each ended (CONTRACT §3.3)."""
    profile = e.fuente.perfil_eventos
    if e.por_posicion:  # codes and flags of the flow sends taken from the loaded ones (once per data set)
        rows = _alcance(e)
        codes = e.fuente.una_vez(_codigos_envios)[rows]  # type: ignore[index]
        asignada = e.fuente.una_vez(col.asignada)[rows]  # type: ignore[index]
        autogestion = e.fuente.una_vez(_autogestion)[rows]  # type: ignore[index]
    else:
        scope = _scope(e)
        with_conv = scope[scope["conversacion_id"].notna().to_numpy()]
        codes = _codigos(e, with_conv)
        asignada = is_true(with_conv["asignada"])
        tipo = with_conv["tipo_tipificacion"]
        autogestion = tipo.isin(TIPOS_AUTOGESTION).to_numpy(dtype=bool, na_value=False)
    known = codes >= 0
    n_conv = len(profile.ids)

    def per_conv(send_mask: np.ndarray) -> np.ndarray:
        """Conversations (by code) with at least one scope send where ``send_mask``."""
        out = np.zeros(n_conv, dtype=bool)
        out[codes[known & send_mask]] = True
        return out

    responde, agente, autogestion_conv, explicita = e.fuente.una_vez(_conversaciones)  # type: ignore[misc]
    answered_mask = per_conv(np.ones(len(codes), dtype=bool)) & responde
    answered = np.flatnonzero(answered_mask)
    assigned = agente | per_conv(asignada)
    autog = autogestion_conv | per_conv(autogestion)
    derived = np.where(assigned[answered], _ASIGNACION, np.where(autog[answered], _AUTOMATICA, _ABANDONO))
    fin = np.where(explicita[answered] >= 0, explicita[answered], derived).astype(np.int64)
    return Respondidos(answered, fin, answered_mask, int(np.count_nonzero(per_conv(known))))


def _respondidos(e: Entrada) -> Respondidos:
    return e.una_vez(respondidos)  # type: ignore[return-value]


@REGISTRO.tabla("resultados")
def resultados(e: Entrada) -> pd.DataFrame:
    """One row: the flow sends' contacts, exitosos, conversations, asignadas, ventas, flujos respondidos."""
    if e.por_posicion:  # counts over codes of the loaded sends: no text per selection
        rows = _alcance(e)
        ind = e.fuente.una_vez(indicadores_datos)
        ok = rows[ind["envios_exitosos"].to_numpy(dtype=bool)[rows]]  # type: ignore[index]
        contactos = e.codigos_contacto_cargados()
        conv, n_conv = e.fuente.una_vez(_conversaciones_envios)  # type: ignore[misc]
        return tabla_resultados(
            total_contactos=_distintos(contactos[rows], codigo_sin_contacto(e.fuente)),  # type: ignore[index, arg-type]
            envios_exitosos=len(ok),
            conversaciones=_distintos(conv[ok], n_conv),
            asignadas=int(ind["asignadas"].to_numpy(dtype=bool)[ok].sum()),  # type: ignore[index]
            ventas=int(ind["ventas"].to_numpy(dtype=bool)[ok].sum()),  # type: ignore[index]
            flujos_respondidos=len(_respondidos(e).codigos),
        )
    scope = _scope(e)
    ok = scope[is_value(scope["estado"], "exitoso")]
    return tabla_resultados(
        total_contactos=int(scope["contacto_id"].nunique()),
        envios_exitosos=len(ok),
        conversaciones=int(ok["conversacion_id"].nunique()),
        asignadas=int(is_true(ok["asignada"]).sum()),
        ventas=int(is_true(ok["venta"]).sum()),
        flujos_respondidos=len(_respondidos(e).codigos),
    )


def tabla_resultados(**counts: int) -> pd.DataFrame:
    """The one-row ``resultados`` table from its counts (keys: ``RESULTADOS_COLUMNS``)."""
    return pd.DataFrame([{k: int(counts[k]) for k in RESULTADOS_COLUMNS}], columns=RESULTADOS_COLUMNS).astype(
        "int64"
    )


@REGISTRO.tabla("primeras_opciones")
def primeras_opciones(e: Entrada) -> pd.DataFrame:
    """First option each answered conversation chose; "(sin opción)" when none."""
    r = _respondidos(e)
    options = e.fuente.perfil_eventos.conversaciones["primera_opcion"].iloc[r.codigos].fillna(SIN_OPCION)
    return _count_table(options, "opcion", len(r.codigos))


@REGISTRO.tabla("finalizacion")
def finalizacion(e: Entrada) -> pd.DataFrame:
    """Always three rows: abandono, asignacion, finalizacion_automatica; pct over flujos respondidos."""
    r = _respondidos(e)
    counts = np.bincount(r.fin, minlength=len(FINALIZACIONES))
    return tabla_finalizacion(pd.Series(counts, index=list(FINALIZACIONES)), len(r.codigos))


def tabla_finalizacion(counts: pd.Series, total: int) -> pd.DataFrame:
    """The three ``finalizacion`` rows from ``counts`` (conversations by finalizacion; missing: 0)."""
    counts = counts.reindex(list(FINALIZACIONES), fill_value=0)
    out = pd.DataFrame(
        {
            "finalizacion": pd.Series(FINALIZACIONES, dtype="string"),
            "conversaciones": counts.to_numpy(dtype=np.int64),
        }
    )
    out["pct"] = ratio(out["conversaciones"], np.repeat(total, 3)).array
    return out


@REGISTRO.tabla("embudo_tipificaciones")
def embudo_tipificaciones(e: Entrada) -> pd.DataFrame:
    """Level k counts answered conversations by their k-th distinct tipificación."""
    r = _respondidos(e)
    levels = e.fuente.perfil_eventos.tipificaciones
    return _level_table(levels[r.mascara[levels["codigo"].to_numpy()]], "tipificacion", len(r.codigos))


@REGISTRO.tabla("embudo_etiquetas")
def embudo_etiquetas(e: Entrada) -> pd.DataFrame:
    """Level k counts answered conversations by their k-th distinct etiqueta."""
    r = _respondidos(e)
    levels = e.fuente.perfil_eventos.etiquetas
    return _level_table(levels[r.mascara[levels["codigo"].to_numpy()]], "etiqueta", len(r.codigos))


@REGISTRO.tabla("ultimo_mensaje_abandono")
def ultimo_mensaje_abandono(e: Entrada) -> pd.DataFrame:
    """The bot's last mensaje in each abandoned conversation; pct over the abandonos."""
    r = _respondidos(e)
    abandoned = r.codigos[r.fin == _ABANDONO]
    last = e.fuente.perfil_eventos.conversaciones["ultimo_mensaje_bot"].iloc[abandoned].fillna(SIN_MENSAJE)
    return _count_table(last, "mensaje", len(abandoned))


def _recorridos_con_fin(e: Entrada) -> pd.DataFrame:
    r = _respondidos(e)
    return tabla_recorridos(e.fuente.perfil_eventos.nodos, r.codigos, r.fin)


@REGISTRO.tabla("recorridos")
def recorridos(e: Entrada) -> pd.DataFrame:
    """CONTRACT §5.3: transitions paso, desde, hasta, conversaciones of the first 6 nodos, then the
    finalizacion (the last ``hasta`` of each conversation); a nodo named like a finalizacion shares
    its rows (``recorridos_grafico`` keeps them apart)."""
    return sin_fin(e.una_vez(_recorridos_con_fin))  # type: ignore[arg-type]


@REGISTRO.tabla("abandono_por_nodo")
def abandono_por_nodo(e: Entrada) -> pd.DataFrame:
    """CONTRACT §5.3: per nodo, conversations that reached it, abandonos whose last nodo it was, pct."""
    r = _respondidos(e)
    return tabla_abandono_por_nodo(e.fuente.perfil_eventos.nodos, r.codigos, r.fin)


@REGISTRO.tabla("recorridos_grafico", exportar=False)
def recorridos_grafico(e: Entrada) -> pd.DataFrame:
    """``recorridos`` plus a column ``fin`` (``hasta`` is the finalizacion), for the Sankey."""
    return e.una_vez(_recorridos_con_fin)  # type: ignore[return-value]


@REGISTRO.tabla("campanas_flujo", exportar=False)
def campanas_flujo(e: Entrada) -> pd.DataFrame:
    """The campaigns of the scope, sorted: more than one mixes different flows."""
    if e.por_posicion:
        cat = e.fuente.una_vez(col.categorias("campana"))
        codes = cat.codigos[_alcance(e)]  # type: ignore[attr-defined]
        present = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(cat.valores)))  # type: ignore[attr-defined]
        return tabla_campanas(cat.valores[present])  # type: ignore[attr-defined]
    return tabla_campanas(campanas_en_alcance(e.envios))


def tabla_campanas(campanas: object) -> pd.DataFrame:
    """The ``campanas_flujo`` table from the scope's distinct campaigns (sorted here)."""
    return pd.DataFrame({"campana": pd.array(sorted(str(c) for c in campanas), dtype="string")})


@REGISTRO.tabla("alcance_flujos", exportar=False)
def alcance_flujos(e: Entrada) -> pd.DataFrame:
    """One row saying what the flujos sections can show: flow sends (``envios_flujo``), whether an
    eventos file was given (``archivo_eventos``), how many flow conversations have events
    (``conversaciones_con_eventos``) and ``flujos_respondidos``."""
    envios_flujo = len(_alcance(e)) if e.por_posicion else len(_scope(e))
    datos = e.fuente.datos
    given = datos is None or bool((datos.archivos["tabla"] == "eventos").any())
    return tabla_alcance(envios_flujo, given, _respondidos(e).con_eventos, len(_respondidos(e).codigos))


def tabla_alcance(
    envios_flujo: int, archivo_eventos: bool, con_eventos: int, respondidos: int
) -> pd.DataFrame:
    """The one-row ``alcance_flujos`` table (conversations with events count only when there are flow
    sends and an eventos file)."""
    row = {
        "envios_flujo": int(envios_flujo),
        "archivo_eventos": bool(archivo_eventos),
        "conversaciones_con_eventos": int(con_eventos) if envios_flujo and archivo_eventos else 0,
        "flujos_respondidos": int(respondidos),
    }
    return pd.DataFrame([row]).astype({"archivo_eventos": "bool"})


def flujos(
    envios: pd.DataFrame,
    eventos: pd.DataFrame | EventProfile,
    filtros: Filtros | None = None,
) -> dict[str, pd.DataFrame]:
    """Tables of the flujos report (CONTRACT §3.3; the rules are in the module docstring)."""
    entrada = Entrada(filter_envios(envios, filtros), filtros, Fuente(eventos=eventos))
    return REGISTRO.calcular(entrada, REGISTRO.exportadas)


def campanas_en_alcance(envios: pd.DataFrame, filtros: Filtros | None = None) -> list[str]:
    """Campaigns of the flujos scope; more than one mixes different flows."""
    env = filter_envios(envios, filtros)
    scope = env[is_value(env["origen"], "flujo")]
    return sorted(scope["campana"].dropna().astype(str).unique().tolist())


def _perfil(f: Fuente) -> object:
    return f.perfil_eventos


#: per-data-set arrays computed together before the first table (the longest first)
REGISTRO.previos += [conversaciones_datos, contactos_datos, _perfil, indicadores_datos]
