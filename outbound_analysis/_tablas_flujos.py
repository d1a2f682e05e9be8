"""Flujos beyond the platform (CONTRACT §5.3): paths through the bot and where people leave.

Both tables are over the flujos respondidos of CONTRACT §3.3, each with its
finalizacion, and over each conversation's events in order (fecha, then file order).
The events are profiled once per data set (:func:`perfil_nodos`, it does not depend on
filters); each filter change only passes the conversations in scope and their
finalizacion (a Series indexed by conversacion_id) to :func:`recorridos` and
:func:`abandono_por_nodo`. Counts are ``int64``; percentages ``Float64``, NA when the
denominator is 0. Everything is vectorized (numpy on integer codes): no per-row Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .metrics import ratio
from .schema import FINALIZACIONES

#: the "node" of a conversation that went through no nodo (CONTRACT §5.3)
SIN_NODO = "(sin nodo)"
#: a path is cut after its first MAX_NODOS nodos (after collapsing repeats)
MAX_NODOS = 6
RECORRIDOS_COLUMNS = ["paso", "desde", "hasta", "conversaciones"]
ABANDONO_POR_NODO_COLUMNS = ["nodo", "conversaciones", "abandonos", "pct_abandono"]
TABLAS = ("recorridos", "abandono_por_nodo")


@dataclass(frozen=True)
class PerfilNodos:
    """Each conversation's non-empty nodo sequence, immediate repeats collapsed (no filters).

    ``ids`` holds the conversacion_id of each conversation with events (same order as
    ``metrics.profile_events``: first appearance); its position is the conversation's
    code. ``nombres`` holds the distinct nodo names (trimmed); a nodo is a code into it.
    ``codigo``/``nodo``: one entry per collapsed step, by conversation code, then
    position. ``inicio``/``largo``: per conversation, its first entry and its number of
    steps (0 without any nodo). ``visita_codigo``/``visita_nodo``: the distinct
    (conversation, nodo) pairs.
    """

    ids: pd.Index
    nombres: np.ndarray
    codigo: np.ndarray
    nodo: np.ndarray
    inicio: np.ndarray
    largo: np.ndarray
    visita_codigo: np.ndarray
    visita_nodo: np.ndarray


def _nodo_codes(nodo: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the nodo values (-1 when empty or blank) and the trimmed distinct names.

    Only the distinct values are trimmed, so this stays cheap on millions of events.
    """
    codes, uniques = pd.factorize(nodo, use_na_sentinel=True)
    trimmed = pd.Series(np.asarray(uniques, dtype=object), dtype="string").str.strip()
    new_codes, names = pd.factorize(trimmed.mask(trimmed == ""), use_na_sentinel=True)
    remap = np.append(new_codes, -1).astype(np.int64)  # codes' -1 sentinel stays -1
    return remap[codes], np.asarray(names, dtype=object)


def perfil_nodos(eventos: pd.DataFrame) -> PerfilNodos:
    """Profile the events' nodo sequences (see :class:`PerfilNodos`); compute once per data set.

    Events without conversacion_id are ignored; events are ordered by fecha, then file
    order (row position); empty or blank nodos are skipped, then immediate repeats
    collapsed ("A, -, A, B" is "A, B").

    >>> ev = pd.DataFrame({"conversacion_id": ["c1", "c1", "c1", "c2"],
    ...     "fecha": pd.to_datetime(["2026-08-01 10:02", "2026-08-01 10:00", "2026-08-01 10:01",
    ...                              "2026-08-01 11:00"]),
    ...     "nodo": ["menu", "inicio", "inicio", None]})
    >>> p = perfil_nodos(ev)
    >>> [str(p.nombres[n]) for n in p.nodo], p.largo.tolist()
    (['inicio', 'menu'], [2, 0])
    """
    ev = eventos[eventos["conversacion_id"].notna().to_numpy()]
    conv, uniques = pd.factorize(ev["conversacion_id"], use_na_sentinel=True)
    ids = pd.Index(uniques, dtype="string", name="conversacion_id")
    n_conv = len(ids)
    nodo_all, nombres = _nodo_codes(ev["nodo"])
    keep = np.flatnonzero(nodo_all >= 0)
    when = ev["fecha"].to_numpy(dtype="datetime64[ns]").view(np.int64)[keep]
    order = keep[np.lexsort((keep, when, conv[keep]))]
    c = conv[order].astype(np.int64)
    k = nodo_all[order]
    new = np.ones(len(c), dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (k[1:] != k[:-1])
    c, k = c[new], k[new]
    largo = np.bincount(c, minlength=n_conv).astype(np.int64)
    inicio = np.cumsum(largo) - largo
    n_names = max(len(nombres), 1)
    pairs = pd.unique(c * n_names + k)
    return PerfilNodos(
        ids=ids,
        nombres=nombres,
        codigo=c,
        nodo=k,
        inicio=inicio,
        largo=largo,
        visita_codigo=pairs // n_names,
        visita_nodo=pairs % n_names,
    )


def _seleccion(perfil: PerfilNodos, finalizacion: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Conversation codes (-1: no events) and finalizacion codes (index into FINALIZACIONES).

    The index holds conversacion_ids, or (integer index) conversation codes of ``perfil``
    (the codes of ``metrics.profile_events`` on the same events: no string lookup).
    """
    if not finalizacion.index.is_unique:
        raise ValueError("finalizacion must have one row per conversation")
    values, uniques = pd.factorize(finalizacion, use_na_sentinel=True)
    known = {f: i for i, f in enumerate(FINALIZACIONES)}
    to_code = np.array([known.get(str(u), -1) for u in uniques] + [-1], dtype=np.int64)
    fin = to_code[values]
    if (fin < 0).any():
        raise ValueError(f"finalizacion values must be among {FINALIZACIONES}")
    index = finalizacion.index
    if pd.api.types.is_integer_dtype(index.dtype):
        codes = index.to_numpy(dtype=np.int64)
        if len(codes) and (codes.min() < 0 or codes.max() >= len(perfil.ids)):
            raise ValueError("finalizacion codes must be conversation codes of the profile")
    else:
        codes = perfil.ids.get_indexer(pd.Index(index, dtype="string")).astype(np.int64)
    return codes, fin


def _per_conv(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values`` of each selected conversation; 0 for code -1 (no events: -1 picks the appended 0)."""
    return np.append(values, 0)[codes]


def recorridos(
    eventos: pd.DataFrame | PerfilNodos, finalizacion: pd.Series, *, con_fin: bool = False
) -> pd.DataFrame:
    """Transitions between the first nodos of each flujo respondido, then its finalizacion.

    CONTRACT §5.3: each conversation's non-empty nodo sequence with immediate repeats
    collapsed, cut after its first 6 nodos, followed by its finalizacion as a last node;
    each consecutive pair is a transition at ``paso`` 1, 2, ... A conversation with no
    nodo goes from "(sin nodo)" to its finalizacion at paso 1. ``finalizacion`` is a
    Series indexed by conversacion_id (the flujos respondidos in scope; or by their
    integer codes of ``metrics.profile_events``, faster) with codes of
    ``schema.FINALIZACIONES``. Columns: paso, desde, hasta, conversaciones; sorted by
    paso, then conversaciones descending, then desde, hasta.

    A nodo may be named like a finalizacion ("asignacion"): the contract's columns then
    merge both in one row. ``con_fin=True`` keeps them apart and adds a last column
    ``fin`` (True: ``hasta`` is the conversation's finalizacion), for the Sankey.

    >>> ev = pd.DataFrame({"conversacion_id": ["c1", "c1", "c1", "c2"],
    ...     "fecha": pd.to_datetime(["2026-08-01 10:00", "2026-08-01 10:01", "2026-08-01 10:02",
    ...                              "2026-08-01 11:00"]),
    ...     "nodo": ["inicio", "inicio", "menu", None]})
    >>> fin = pd.Series({"c1": "abandono", "c2": "asignacion"})
    >>> recorridos(ev, fin).to_numpy().tolist()
    [[1, '(sin nodo)', 'asignacion', 1], [1, 'inicio', 'menu', 1], [2, 'menu', 'abandono', 1]]
    """
    perfil = eventos if isinstance(eventos, PerfilNodos) else perfil_nodos(eventos)
    codes, fin = _seleccion(perfil, finalizacion)
    n_names = len(perfil.nombres)
    sin_nodo = n_names  # extended name space: nodos, "(sin nodo)", then the finalizaciones
    steps = np.minimum(_per_conv(perfil.largo, codes), MAX_NODOS)
    inicio = _per_conv(perfil.inicio, codes)

    # nodo -> nodo transitions: entries inicio + j -> inicio + j + 1, j < steps - 1
    inner = np.maximum(steps - 1, 0)
    total = int(inner.sum())
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(inner) - inner, inner)
    entry = np.repeat(inicio, inner) + offsets
    paso_in = offsets + 1
    desde_in = perfil.nodo[entry]
    hasta_in = perfil.nodo[entry + 1]

    # last nodo (or "(sin nodo)") -> finalizacion
    has = steps > 0
    last_entry = inicio + steps - 1
    nodo_or_sin = np.append(perfil.nodo, sin_nodo)
    desde_fin = nodo_or_sin[np.where(has, last_entry, len(perfil.nodo))]
    paso_fin = np.maximum(steps, 1)
    hasta_fin = n_names + 1 + fin

    names = np.concatenate([perfil.nombres.astype(object), [SIN_NODO], list(FINALIZACIONES)])
    paso = np.concatenate([paso_in, paso_fin]).astype(np.int64)
    desde = np.concatenate([desde_in, desde_fin]).astype(np.int64)
    hasta = np.concatenate([hasta_in, hasta_fin]).astype(np.int64)
    if not con_fin:  # a finalizacion (or "(sin nodo)") named like a nodo is that name
        same, _ = pd.factorize(pd.Series(names, dtype=object))
        canon = np.unique(same, return_index=True)[1].astype(np.int64)[same]  # first entry of a name
        desde, hasta = canon[desde], canon[hasta]
    width = len(names)
    key = (paso * width + desde) * width + hasta
    uniq_codes, uniq = pd.factorize(key)
    counts = np.bincount(uniq_codes, minlength=len(uniq)).astype(np.int64)
    uniq = np.asarray(uniq, dtype=np.int64)
    u_hasta = uniq % width
    u_desde = (uniq // width) % width
    out = pd.DataFrame(
        {
            "paso": uniq // (width * width),
            "desde": pd.array(names[u_desde].astype(str), dtype="string"),
            "hasta": pd.array(names[u_hasta].astype(str), dtype="string"),
            "conversaciones": counts,
        }
    ).astype({"paso": "int64", "conversaciones": "int64"})
    by = ["paso", "conversaciones", "desde", "hasta"]
    ascending = [True, False, True, True]
    if con_fin:
        out["fin"] = u_hasta > n_names
        by, ascending = [*by, "fin"], [*ascending, True]
    out = out.sort_values(by, ascending=ascending, kind="stable").reset_index(drop=True)
    return out


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
    codes, fin = _seleccion(perfil, finalizacion)
    n_names = len(perfil.nombres)
    selected = np.zeros(len(perfil.ids), dtype=bool)
    selected[codes[codes >= 0]] = True
    visits = perfil.visita_nodo[selected[perfil.visita_codigo]]
    reached = np.bincount(visits, minlength=n_names).astype(np.int64)

    steps = _per_conv(perfil.largo, codes)
    leaving = (fin == FINALIZACIONES.index("abandono")) & (steps > 0)
    last = perfil.nodo[_per_conv(perfil.inicio, codes)[leaving] + steps[leaving] - 1]
    abandonos = np.bincount(last, minlength=n_names).astype(np.int64)

    rows = np.flatnonzero(reached > 0)
    out = pd.DataFrame(
        {
            "nodo": pd.array(perfil.nombres[rows].astype(str), dtype="string"),
            "conversaciones": reached[rows],
            "abandonos": abandonos[rows],
        }
    )
    out["pct_abandono"] = ratio(out["abandonos"], out["conversaciones"]).array
    out = out.sort_values(["abandonos", "nodo"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)
