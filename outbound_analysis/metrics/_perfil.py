"""Per-conversation facts of the events, computed once per data set (they do not depend on filters).

Order inside a conversation is by fecha, then file order (row position). The events are
sorted once: the flujos facts (:class:`EventProfile`) and the nodo paths
(:class:`PerfilNodos`, CONTRACT §5.3) come from the same order and share the conversation
codes.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._convert import texto_arrow
from ..schema import TIPOS_AUTOGESTION
from ._base import is_value


@dataclass(frozen=True)
class PerfilNodos:
    """Each conversation's non-empty nodo sequence, immediate repeats collapsed (no filters).

    ``ids`` holds the conversacion_id of each conversation with events (the codes of
    :class:`EventProfile`). ``nombres`` holds the distinct nodo names (trimmed); a nodo is
    a code into it. ``codigo``/``nodo``: one entry per collapsed step, by conversation
    code, then position. ``inicio``/``largo``: per conversation, its first entry and its
    number of steps (0 without any nodo). ``visita_codigo``/``visita_nodo``: the distinct
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


@dataclass(frozen=True)
class EventProfile:
    """What each conversation's events say, computed once (it does not depend on filters).

    ``ids`` holds the conversacion_id of each conversation; its position is the
    conversation's code. ``conversaciones`` (one row per code) has: ``responde`` (a
    cliente event exists), ``agente`` (an agente event exists), ``autogestion`` (a
    tipificación of an autogestión tipo was applied), ``primera_opcion``,
    ``finalizacion_explicita`` and ``ultimo_mensaje_bot``. ``tipificaciones`` and
    ``etiquetas`` list each conversation's distinct values with their ``nivel`` (order
    of first appearance, from 1) under the conversation's ``codigo``. ``nodos`` are the
    conversations' nodo paths (:class:`PerfilNodos`, same codes).
    """

    ids: pd.Index
    conversaciones: pd.DataFrame
    tipificaciones: pd.DataFrame
    etiquetas: pd.DataFrame
    nodos: PerfilNodos

    def codes(self, conversacion_ids: pd.Series) -> np.ndarray:
        """Codes of these conversation ids; -1 for conversations without events.

        ``ids.get_indexer(conversacion_ids)`` at half its cost: one dictionary encoding of the
        ids followed by the values, where the (distinct) ids come first, so an id's code is
        its position.
        """
        ids, values = texto_arrow(pd.Series(self.ids)), texto_arrow(conversacion_ids)
        joint = pa.concat_arrays([ids, values]).dictionary_encode()
        out = joint.indices.fill_null(-1).to_numpy(zero_copy_only=False)[len(ids) :].astype(np.int64)
        out[out >= len(ids)] = -1
        return out


def codigos_conversacion(eventos: pd.Series, otros: pd.Series) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """One dictionary encoding of the events' conversacion_id followed by ``otros`` (the sends'):
    the events' codes (-1 when missing), their distinct ids (a code is a position in them, in
    order of first appearance) and the codes of ``otros`` in the same numbering: an id without
    events is numbered after the events' ids, a missing one is -1.

    One hash table for both instead of one per column plus a lookup of the sends' ids in the
    events'; and of the events, only the first of each run of equal ids is hashed (a download
    lists a conversation's events together: 1.8 million events, 450,000 runs).

    >>> eventos, envios = pd.Series(["c1", "c1", None, "c2", "c1"]), pd.Series(["c2", "c9", None])
    >>> ev, ids, otros = codigos_conversacion(eventos, envios)
    >>> ev.tolist(), list(ids), otros.tolist()
    ([0, 0, -1, 1, 0], ['c1', 'c2'], [1, 2, -1])
    """
    ev_text = texto_arrow(eventos)
    n = len(ev_text)
    starts = np.ones(n, dtype=bool)
    if n > 1:
        same = pc.equal(ev_text.slice(1), ev_text.slice(0, n - 1))  # null (a missing id): a new run
        starts[1:] = ~same.fill_null(False).to_numpy(zero_copy_only=False)
    heads = np.flatnonzero(starts)
    # two chunks, one hash table: the dictionary is shared (no copy of both columns into one)
    both = pa.chunked_array([ev_text.take(pa.array(heads)), texto_arrow(otros)], pa.large_string())
    encoded = both.dictionary_encode()
    indices = [c.indices.fill_null(-1).to_numpy(zero_copy_only=False) for c in encoded.chunks]
    codes = np.concatenate([np.zeros(0, dtype=np.int64), *indices]).astype(np.int64)  # (empty chunks dropped)
    ev = np.repeat(codes[: len(heads)], np.diff(np.append(heads, n)))
    n_ids = int(ev.max(initial=-1)) + 1  # first appearance: the events' ids come first
    names = (
        encoded.chunk(0).dictionary.slice(0, n_ids) if encoded.num_chunks else pa.array([], pa.large_string())
    )
    ids = pd.Index(names.cast(pa.string()), dtype="string", name="conversacion_id")
    return ev, ids, codes[len(heads) :]


def _ordered(
    eventos: pd.DataFrame, columns: list[str], codigos: tuple[np.ndarray, pd.Index] | None = None
) -> tuple[pd.DataFrame, pd.Index, np.ndarray]:
    """``columns`` of the events with a conversation, sorted by conversation, fecha, then file
    order (with ``_conv``, the conversation code); the conversation ids; and the sorted rows'
    positions in ``eventos``. ``codigos``: the events' conversation codes and ids, when known."""
    if codigos is None:
        codes, uniques = pd.factorize(eventos["conversacion_id"], use_na_sentinel=True)
        ids = pd.Index(uniques, dtype="string", name="conversacion_id")
    else:
        codes, ids = codigos
    when = eventos["fecha"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    if _en_orden(codes, when):  # a download usually lists them so: no sort, no copy
        start = int(np.searchsorted(codes, 0))  # events without conversation come first
        order = np.arange(start, len(codes))
        ordered = eventos[columns].iloc[start:].reset_index(drop=True)
    else:
        order = np.lexsort((np.arange(len(eventos)), when, codes))
        order = order[np.searchsorted(codes[order], 0) :]  # events without conversation sort first
        ordered = eventos[columns].take(order).reset_index(drop=True)
    return ordered.assign(_conv=codes[order]), ids, order


def _en_orden(codes: np.ndarray, when: np.ndarray) -> bool:
    """The rows are sorted by conversation code, then fecha (what the sort would give)."""
    step, later = np.diff(codes), np.diff(when)
    return bool(np.all((step > 0) | ((step == 0) & (later >= 0))))


def _run_starts(keys: np.ndarray) -> np.ndarray:
    """Positions where a run of equal ``keys`` starts (``keys`` grouped, e.g. sorted)."""
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = keys[1:] != keys[:-1]
    return np.flatnonzero(starts)


def _first_positions(keys: np.ndarray) -> np.ndarray:
    """Ascending positions of the first occurrence of each distinct key.

    A stable sort instead of a hash table: keys grouped by conversation are nearly sorted.
    """
    order = np.argsort(keys, kind="stable")
    return np.sort(order[_run_starts(keys[order])], kind="stable")


def _as_string(values: pd.Series, rows: np.ndarray) -> pa.ChunkedArray:
    """``values`` at ``rows`` (-1 = missing) as Arrow strings, without a Python loop."""
    missing = rows < 0
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()[np.where(missing, 0, rows)] if len(values) else rows
        codes = np.where(missing, -1, codes)
        names = pa.array(values.cat.categories.astype("string").to_numpy(dtype=object), type=pa.string())
        return pa.chunked_array([pc.take(names, pa.array(codes, mask=codes < 0))])
    text = pa.chunked_array([pa.array(values.astype("string"), type=pa.string())])
    return pc.take(text, pa.array(rows, mask=missing))


def _pick_per_conv(
    conv: np.ndarray,
    mask: np.ndarray,
    values: pd.Series,
    n_conv: int,
    last: bool = False,
    order: np.ndarray | None = None,
) -> pd.Series:
    """Per conversation, the value of its first (or last) ``mask`` row; rows are ordered by
    conversation. ``values`` are in the same order, or in the events' when ``order`` (the
    sorted rows' positions in them) is given."""
    idx = np.flatnonzero(mask)
    if last:
        idx = idx[::-1]
    rows = idx[_run_starts(conv[idx])]
    source = np.full(n_conv, -1, dtype=np.int64)
    source[conv[rows]] = rows if order is None else order[rows]
    return pd.Series(_as_string(values, source), index=pd.RangeIndex(n_conv), dtype="string")


def _levels(ordered: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    """Each conversation's distinct values in order of first appearance, numbered from 1."""
    conv = ordered["_conv"].to_numpy()
    codes, _ = pd.factorize(ordered[column], use_na_sentinel=True)
    present = np.flatnonzero(codes >= 0)
    pairs = conv[present].astype(np.int64) * (int(codes.max(initial=0)) + 1) + codes[present]
    firsts = present[_first_positions(pairs)]
    starts = _run_starts(conv[firsts])
    nivel = np.arange(len(firsts)) - np.repeat(starts, np.diff(np.append(starts, len(firsts)))) + 1
    return pd.DataFrame(
        {
            "codigo": conv[firsts].astype(np.int64),
            "nivel": nivel.astype(np.int64),
            label: pd.Series(_as_string(ordered[column], firsts), dtype="string").to_numpy(),
        }
    )


def _nodo_codes(nodo: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the nodo values (-1 when empty or blank) and the trimmed distinct names.

    Only the distinct values are trimmed, so this stays cheap on millions of events.
    """
    codes, uniques = pd.factorize(nodo, use_na_sentinel=True)
    trimmed = pd.Series(np.asarray(uniques, dtype=object), dtype="string").str.strip()
    new_codes, names = pd.factorize(trimmed.mask(trimmed == ""), use_na_sentinel=True)
    remap = np.append(new_codes, -1).astype(np.int64)  # codes' -1 sentinel stays -1
    return remap[codes], np.asarray(names, dtype=object)


def _paths(conv: np.ndarray, nodo: pd.Series, ids: pd.Index) -> PerfilNodos:
    """The nodo paths of ordered events: blank nodos skipped, then immediate repeats collapsed."""
    nodo_all, nombres = _nodo_codes(nodo)
    keep = nodo_all >= 0
    c = conv[keep].astype(np.int64)
    k = nodo_all[keep]
    new = np.ones(len(c), dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (k[1:] != k[:-1])
    c, k = c[new], k[new]
    largo = np.bincount(c, minlength=len(ids)).astype(np.int64)
    n_names = max(len(nombres), 1)
    pairs = c * n_names + k
    pairs = pairs[_first_positions(pairs)]
    return PerfilNodos(
        ids=ids,
        nombres=nombres,
        codigo=c,
        nodo=k,
        inicio=np.cumsum(largo) - largo,
        largo=largo,
        visita_codigo=pairs // n_names,
        visita_nodo=pairs % n_names,
    )


def perfil_nodos(eventos: pd.DataFrame) -> PerfilNodos:
    """The events' nodo paths alone (see :class:`PerfilNodos`; :func:`profile_events` has them too).

    Events without conversacion_id are ignored; events are ordered by fecha, then file
    order; empty or blank nodos are skipped, then immediate repeats collapsed ("A, -, A,
    B" is "A, B").

    >>> ev = pd.DataFrame({"conversacion_id": ["c1", "c1", "c1", "c2"],
    ...     "fecha": pd.to_datetime(["2026-08-01 10:02", "2026-08-01 10:00", "2026-08-01 10:01",
    ...                              "2026-08-01 11:00"]),
    ...     "nodo": ["menu", "inicio", "inicio", None]})
    >>> p = perfil_nodos(ev)
    >>> [str(p.nombres[n]) for n in p.nodo], p.largo.tolist()
    (['inicio', 'menu'], [2, 0])
    """
    ordered, ids, _ = _ordered(eventos, ["nodo"])
    return _paths(ordered["_conv"].to_numpy(), ordered["nodo"], ids)


def profile_events(eventos: pd.DataFrame, codigos: tuple[np.ndarray, pd.Index] | None = None) -> EventProfile:
    """Per-conversation facts of the events (see :class:`EventProfile`).

    Order inside a conversation is by fecha, then file order (row position). ``codigos``: the
    events' conversation codes and ids from :func:`codigos_conversacion`, when already made.
    """
    # the long message texts are not sorted: the last bot message is taken by position
    columns = ["autor", "tipo_tipificacion", "opcion", "finalizacion", "tipificacion", "etiqueta", "nodo"]
    ordered, ids, order = _ordered(eventos, columns, codigos)
    conv = ordered["_conv"].to_numpy()
    # independent parts on a second thread (their work is in Arrow and NumPy, which release the GIL)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="perfil") as pool:
        niveles = pool.submit(_levels, ordered, "tipificacion", "tipificacion")
        nodos = pool.submit(_paths, conv, ordered["nodo"], ids)
        return _perfil_de(eventos, ordered, conv, ids, order, niveles, nodos)


def _perfil_de(
    eventos: pd.DataFrame,
    ordered: pd.DataFrame,
    conv: np.ndarray,
    ids: pd.Index,
    order: np.ndarray,
    niveles: Future[pd.DataFrame],
    nodos: Future[PerfilNodos],
) -> EventProfile:
    """:func:`profile_events` from the ordered events and their conversation codes ``conv``; the
    tipificacion levels and the node paths come from ``niveles`` and ``nodos`` (computed
    meanwhile on another thread)."""
    n_conv = len(ids)
    autor = ordered["autor"]

    def any_per_conv(mask: np.ndarray) -> np.ndarray:
        return np.bincount(conv[mask], minlength=n_conv) > 0

    autogestion = ordered["tipo_tipificacion"].isin(TIPOS_AUTOGESTION).to_numpy(dtype=bool, na_value=False)
    by_cliente = is_value(autor, "cliente")
    profile = pd.DataFrame(
        {
            "responde": any_per_conv(by_cliente),
            "agente": any_per_conv(is_value(autor, "agente")),
            "autogestion": any_per_conv(autogestion),
            "primera_opcion": _pick_per_conv(
                conv, by_cliente & ordered["opcion"].notna().to_numpy(), ordered["opcion"], n_conv
            ),
            "finalizacion_explicita": _pick_per_conv(
                conv, ordered["finalizacion"].notna().to_numpy(), ordered["finalizacion"], n_conv, last=True
            ),
            "ultimo_mensaje_bot": _pick_per_conv(
                conv, is_value(autor, "bot"), eventos["mensaje"], n_conv, last=True, order=order
            ),
        }
    )
    return EventProfile(
        ids=ids,
        conversaciones=profile,
        tipificaciones=niveles.result(),
        etiquetas=_levels(ordered, "etiqueta", "etiqueta"),
        nodos=nodos.result(),
    )
