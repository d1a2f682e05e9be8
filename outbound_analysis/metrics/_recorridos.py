"""Flujos beyond the platform (CONTRACT §5.3): paths through the bot and where people leave.

Both tables are over the flujos respondidos of CONTRACT §3.3, each with its
finalizacion, and over each conversation's events in order (fecha, then file order).
The nodo paths are profiled once per data set (:class:`PerfilNodos`, part of the events'
profile: it does not depend on filters); each filter change only passes the conversation
codes in scope and their finalizacion codes (:func:`tabla_recorridos`,
:func:`tabla_abandono_por_nodo`). :func:`recorridos` and :func:`abandono_por_nodo` take a
Series of finalizaciones instead (indexed by conversacion_id or by code). Counts are
``int64``; percentages ``Float64``, NA when the denominator is 0. Everything is
vectorized (numpy on integer codes): no per-row Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import FINALIZACIONES
from ._base import ratio
from ._perfil import PerfilNodos, perfil_nodos

#: the "node" of a conversation that went through no nodo (CONTRACT §5.3)
SIN_NODO = "(sin nodo)"
#: a path is cut after its first MAX_NODOS nodos (after collapsing repeats)
MAX_NODOS = 6
RECORRIDOS_COLUMNS = ["paso", "desde", "hasta", "conversaciones"]
ABANDONO_POR_NODO_COLUMNS = ["nodo", "conversaciones", "abandonos", "pct_abandono"]
_SORT = (["paso", "conversaciones", "desde", "hasta"], [True, False, True, True])


def codigos_finalizacion(valores: np.ndarray | pd.Series) -> np.ndarray:
    """Codes of finalizacion values (positions in ``schema.FINALIZACIONES``); ValueError on others."""
    fin = pd.Index(list(FINALIZACIONES), dtype=object).get_indexer(np.asarray(valores, dtype=object))
    if (fin < 0).any():
        raise ValueError(f"finalizacion values must be among {FINALIZACIONES}")
    return fin.astype(np.int64)


def _seleccion(perfil: PerfilNodos, finalizacion: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Conversation codes (-1: no events) and finalizacion codes.

    The index holds conversacion_ids, or (integer index) conversation codes of ``perfil``
    (the codes of ``profile_events`` on the same events: no string lookup).
    """
    if not finalizacion.index.is_unique:
        raise ValueError("finalizacion must have one row per conversation")
    fin = codigos_finalizacion(finalizacion)
    index = finalizacion.index
    if pd.api.types.is_integer_dtype(index.dtype):
        codes = index.to_numpy(dtype=np.int64)
    else:
        codes = perfil.ids.get_indexer(pd.Index(index, dtype="string")).astype(np.int64)
    return codes, fin


def _check_codes(perfil: PerfilNodos, codes: np.ndarray) -> None:
    if len(codes) and (codes.min() < -1 or codes.max() >= len(perfil.ids)):
        raise ValueError("finalizacion codes must be conversation codes of the profile")


def _per_conv(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values`` of each selected conversation; 0 for code -1 (no events: -1 picks the appended 0)."""
    return np.append(values, 0)[codes]


def _transitions(perfil: PerfilNodos, codes: np.ndarray, fin: np.ndarray) -> tuple[np.ndarray, ...]:
    """paso, desde, hasta of every transition, desde/hasta in the extended name space.

    Names: the nodos (0..n-1), then "(sin nodo)" (n), then the finalizaciones (n+1...).
    """
    n_names = len(perfil.nombres)
    steps = np.minimum(_per_conv(perfil.largo, codes), MAX_NODOS)
    inicio = _per_conv(perfil.inicio, codes)

    # nodo -> nodo transitions: entries inicio + j -> inicio + j + 1, j < steps - 1
    inner = np.maximum(steps - 1, 0)
    offsets = np.arange(int(inner.sum()), dtype=np.int64) - np.repeat(np.cumsum(inner) - inner, inner)
    entry = np.repeat(inicio, inner) + offsets

    # last nodo (or "(sin nodo)") -> finalizacion
    nodo_or_sin = np.append(perfil.nodo, n_names)
    desde_fin = nodo_or_sin[np.where(steps > 0, inicio + steps - 1, len(perfil.nodo))]

    paso = np.concatenate([offsets + 1, np.maximum(steps, 1)]).astype(np.int64)
    desde = np.concatenate([perfil.nodo[entry], desde_fin]).astype(np.int64)
    hasta = np.concatenate([perfil.nodo[entry + 1], n_names + 1 + fin]).astype(np.int64)
    return paso, desde, hasta


def tabla_recorridos(perfil: PerfilNodos, codigos: np.ndarray, fin: np.ndarray) -> pd.DataFrame:
    """:func:`recorridos` with ``con_fin=True`` from conversation codes and finalizacion codes."""
    codes = np.asarray(codigos, dtype=np.int64)
    _check_codes(perfil, codes)
    paso, desde, hasta = _transitions(perfil, codes, np.asarray(fin, dtype=np.int64))
    n_names = len(perfil.nombres)
    names = np.concatenate([perfil.nombres.astype(object), [SIN_NODO], list(FINALIZACIONES)]).astype(str)
    width = len(names)
    key = (paso * width + desde) * width + hasta
    uniq_codes, uniq = pd.factorize(key)
    uniq = np.asarray(uniq, dtype=np.int64)
    u_hasta = uniq % width
    return terminar_recorridos(
        uniq // (width * width),
        names[(uniq // width) % width],
        names[u_hasta],
        np.bincount(uniq_codes, minlength=len(uniq)),
        u_hasta > n_names,
    )


def terminar_recorridos(
    paso: object, desde: object, hasta: object, conversaciones: object, fin: object
) -> pd.DataFrame:
    """The ``con_fin`` recorridos table from its counted transitions (one row per paso, desde, hasta
    and fin): typed and sorted by paso, conversaciones descending, desde, hasta, then fin."""
    out = pd.DataFrame(
        {
            "paso": np.asarray(paso, dtype=np.int64),
            "desde": pd.array(np.asarray(desde, dtype=object), dtype="string"),
            "hasta": pd.array(np.asarray(hasta, dtype=object), dtype="string"),
            "conversaciones": np.asarray(conversaciones, dtype=np.int64),
            "fin": np.asarray(fin, dtype=bool),
        }
    )
    by, ascending = _SORT
    return out.sort_values([*by, "fin"], ascending=[*ascending, True], kind="stable").reset_index(drop=True)


def sin_fin(tabla: pd.DataFrame) -> pd.DataFrame:
    """The contract's four columns of a ``con_fin`` table: rows equal but for ``fin`` are merged.

    A nodo named like a finalizacion (or like "(sin nodo)") is then that name: a row
    ending in "asignacion" counts both the conversations that went to the nodo
    "asignacion" and those that ended there.
    """
    out = tabla.groupby(["paso", "desde", "hasta"], sort=False, as_index=False)["conversaciones"].sum()
    by, ascending = _SORT
    out = out.sort_values(by, ascending=ascending, kind="stable").reset_index(drop=True)
    return out.astype({"paso": "int64", "desde": "string", "hasta": "string", "conversaciones": "int64"})


def recorridos(
    eventos: pd.DataFrame | PerfilNodos, finalizacion: pd.Series, *, con_fin: bool = False
) -> pd.DataFrame:
    """Transitions between the first nodos of each flujo respondido, then its finalizacion.

    CONTRACT §5.3: each conversation's non-empty nodo sequence with immediate repeats
    collapsed, cut after its first 6 nodos, followed by its finalizacion as a last node;
    each consecutive pair is a transition at ``paso`` 1, 2, ... A conversation with no
    nodo goes from "(sin nodo)" to its finalizacion at paso 1. ``finalizacion`` is a
    Series indexed by conversacion_id (the flujos respondidos in scope; or by their
    integer codes of ``profile_events``, faster) with codes of
    ``schema.FINALIZACIONES``. Columns: paso, desde, hasta, conversaciones; sorted by
    paso, then conversaciones descending, then desde, hasta.

    A nodo may be named like a finalizacion ("asignacion"): the contract's columns then
    merge both in one row (:func:`sin_fin`). ``con_fin=True`` keeps them apart and adds
    a last column ``fin`` (True: ``hasta`` is the conversation's finalizacion), for the
    Sankey.

    >>> ev = pd.DataFrame({"conversacion_id": ["c1", "c1", "c1", "c2"],
    ...     "fecha": pd.to_datetime(["2026-08-01 10:00", "2026-08-01 10:01", "2026-08-01 10:02",
    ...                              "2026-08-01 11:00"]),
    ...     "nodo": ["inicio", "inicio", "menu", None]})
    >>> fin = pd.Series({"c1": "abandono", "c2": "asignacion"})
    >>> recorridos(ev, fin).to_numpy().tolist()
    [[1, '(sin nodo)', 'asignacion', 1], [1, 'inicio', 'menu', 1], [2, 'menu', 'abandono', 1]]
    """
    perfil = eventos if isinstance(eventos, PerfilNodos) else perfil_nodos(eventos)
    table = tabla_recorridos(perfil, *_seleccion(perfil, finalizacion))
    return table if con_fin else sin_fin(table)


def tabla_abandono_por_nodo(perfil: PerfilNodos, codigos: np.ndarray, fin: np.ndarray) -> pd.DataFrame:
    """:func:`abandono_por_nodo` from conversation codes and finalizacion codes."""
    codes = np.asarray(codigos, dtype=np.int64)
    _check_codes(perfil, codes)
    n_names = len(perfil.nombres)
    selected = np.zeros(len(perfil.ids), dtype=bool)
    selected[codes[codes >= 0]] = True
    visits = perfil.visita_nodo[selected[perfil.visita_codigo]]
    reached = np.bincount(visits, minlength=n_names).astype(np.int64)

    steps = _per_conv(perfil.largo, codes)
    leaving = (np.asarray(fin) == FINALIZACIONES.index("abandono")) & (steps > 0)
    last = perfil.nodo[_per_conv(perfil.inicio, codes)[leaving] + steps[leaving] - 1]
    abandonos = np.bincount(last, minlength=n_names).astype(np.int64)

    rows = np.flatnonzero(reached > 0)
    return terminar_abandono_por_nodo(perfil.nombres[rows].astype(str), reached[rows], abandonos[rows])


def terminar_abandono_por_nodo(nodo: object, conversaciones: object, abandonos: object) -> pd.DataFrame:
    """The ``abandono_por_nodo`` table from its counts (one row per nodo reached): pct_abandono, sorted
    by abandonos descending, then nodo."""
    out = pd.DataFrame(
        {
            "nodo": pd.array(np.asarray(nodo, dtype=object), dtype="string"),
            "conversaciones": np.asarray(conversaciones, dtype=np.int64),
            "abandonos": np.asarray(abandonos, dtype=np.int64),
        }
    )
    out["pct_abandono"] = ratio(out["abandonos"], out["conversaciones"]).array
    out = out.sort_values(["abandonos", "nodo"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def abandono_por_nodo(eventos: pd.DataFrame | PerfilNodos, finalizacion: pd.Series) -> pd.DataFrame:
    """Per nodo: conversations that reached it, abandonos whose last nodo it was, and their share.

    CONTRACT §5.3, over the flujos respondidos (``finalizacion`` as in
    :func:`recorridos`): one row per nodo reached by at least one of them;
    ``conversaciones`` with an event at that nodo (any position, no cut), ``abandonos``:
    conversations with finalizacion abandono whose last event with a nodo was at it,
    ``pct_abandono`` = abandonos / conversaciones. An abandono without any nodo counts
    nowhere here (recorridos shows it from "(sin nodo)"). Sorted by abandonos
    descending, then nodo.

    >>> ev = pd.DataFrame({"conversacion_id": ["c1", "c1", "c2", "c2"],
    ...     "fecha": pd.to_datetime(["2026-08-01 10:00", "2026-08-01 10:01", "2026-08-01 11:00",
    ...                              "2026-08-01 11:01"]),
    ...     "nodo": ["inicio", "menu", "inicio", "menu"]})
    >>> fin = pd.Series({"c1": "abandono", "c2": "asignacion"})
    >>> abandono_por_nodo(ev, fin).to_numpy().tolist()
    [['menu', 2, 1, 0.5], ['inicio', 2, 0, 0.0]]
    """
    perfil = eventos if isinstance(eventos, PerfilNodos) else perfil_nodos(eventos)
    return tabla_abandono_por_nodo(perfil, *_seleccion(perfil, finalizacion))
