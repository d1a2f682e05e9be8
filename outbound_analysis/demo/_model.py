"""The behaviour model: draws the sends, their contacts and estados, the conversations they
open or join, the path each conversation with events follows, the flags and timestamps of
every send, and the quirks only the written files show. Everything is int codes and int64
local seconds (strings only at the end, in ``_frames`` and ``_writers``).

``build`` runs the steps in a fixed order: every step draws from the one random generator,
so reordering them changes the data set of a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ._campaigns import CAMPAIGNS
from ._catalog import Catalog, catalog
from ._flows import BOT, GREET
from ._vocab import (
    AGENTS,
    ERROR_CODES,
    ERROR_WEIGHTS,
    FB,
    GROUPS,
    HOUR_WEIGHTS,
    IG,
    NAT,
    OFFSET_S,
    OVERLAP_DAYS,
    TIP_NAMES,
    TIP_VENTA,
    WA1,
    WA2,
    WEB,
)


@dataclass
class Data:
    """The generated data set as arrays. Sends are sorted by fecha_envio."""

    # sends
    envio_id: np.ndarray  # int64, written as digits
    local_s: np.ndarray  # fecha_envio, local wall-clock seconds since 1970
    camp: np.ndarray
    chan: np.ndarray
    contacto: np.ndarray  # object (str)
    estado: np.ndarray
    error: np.ndarray  # index into ERROR_CODES, -1 none
    conv: np.ndarray  # conversation index (see conv_ids), -1 none
    nueva: np.ndarray  # -1 NA, 0 false, 1 true (same for the flags below)
    leido: np.ndarray
    respondido: np.ndarray
    asignada: np.ndarray
    f_lectura: np.ndarray  # local seconds, NAT none
    f_respuesta: np.ndarray
    f_asignacion: np.ndarray
    agent: np.ndarray  # index into AGENTS, -1 none
    tip: np.ndarray  # index into TIP_NAMES, -1 none
    venta: np.ndarray
    combo: np.ndarray  # index into catalog combos (0 = no etiquetas)
    # file-only quirks
    resp_blank: np.ndarray  # the file leaves "Respondido" empty (fecha_respuesta is there)
    utc_row: np.ndarray  # ISO files write this row's timestamps in UTC ("Z")
    conflict: np.ndarray  # pendiente in the first (October) download, final in the second
    # conversations: ObjectId-like ids, formatted on demand by conv_ids
    conv_utc_s: np.ndarray  # UTC epoch second of the send that opened it
    conv_mix: np.ndarray  # uint64, unique per conversation
    # events (ordered by conversation, then time)
    e_conv: np.ndarray
    e_local_s: np.ndarray
    e_autor: np.ndarray
    e_msg: np.ndarray
    e_nodo: np.ndarray
    e_opcion: np.ndarray
    e_tip: np.ndarray
    e_et: np.ndarray
    e_fin: np.ndarray  # index into FINALIZACIONES, -1 empty


def conv_ids(d: Data, conv: np.ndarray, missing: str | None = None) -> np.ndarray:
    """Conversation id strings (object array) of conversation indexes; -1 -> missing."""
    out = np.full(conv.size, missing, dtype=object)
    has = conv >= 0
    c = conv[has]
    out[has] = np.char.add(_hex(d.conv_utc_s[c], 4), _hex(d.conv_mix[c], 8)).astype(object)
    return out


def _day(date: str) -> int:
    return int(np.datetime64(date, "D").astype(np.int64))


def _tri(u: np.ndarray, p_true: np.ndarray | float, p_false: np.ndarray | float) -> np.ndarray:
    """Three-valued flag from uniforms: 1 with p_true, 0 with p_false, else -1 (NA)."""
    return np.where(u < p_true, 1, np.where(u < np.add(p_true, p_false), 0, -1)).astype(np.int8)


def _delay(rng: np.random.Generator, n: int, median_s: float, sigma: float = 1.0) -> np.ndarray:
    """Positive delays in whole seconds, log-normal around median_s."""
    return np.maximum(1, np.rint(median_s * rng.lognormal(0.0, sigma, n))).astype(np.int64)


_HEX_BYTES = np.array([f"{i:02x}" for i in range(256)], dtype="<U2")


def _hex(values: np.ndarray, n_bytes: int) -> np.ndarray:
    """Lower-case hex of the low n_bytes bytes of unsigned ints (2 * n_bytes chars)."""
    raw = values.astype(">u8").view(np.uint8).reshape(-1, 8)[:, 8 - n_bytes :]
    return np.ascontiguousarray(_HEX_BYTES[raw]).view(f"<U{2 * n_bytes}").ravel()


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: a bijection of uint64 that scatters consecutive values."""
    x = x.astype(np.uint64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _contacts(rng: np.random.Generator, chan: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Contact strings and numeric keys, from per-platform pools smaller than the sends."""
    n = chan.size
    contacto = np.empty(n, dtype=object)
    key = np.zeros(n, dtype=np.int64)
    for kind, members in (("WA", (WA1, WA2)), ("FB", (FB,)), ("IG", (IG,)), ("WEB", (WEB,))):
        rows = np.flatnonzero(np.isin(chan, members))
        size = max(10, int(rows.size * 0.4))
        if kind == "WA":  # Argentine mobiles: 549 + area + number (13 digits)
            area = rng.choice(3, size=size, p=[0.7, 0.15, 0.15])
            pool = np.where(
                area == 0,
                5491100000000 + rng.integers(20_000_000, 69_999_999, size),
                np.where(area == 1, 5493510000000, 5493410000000) + rng.integers(4_000_000, 8_999_999, size),
            )
        elif kind == "FB":  # page-scoped ids
            pool = rng.integers(10**15, 10**16 - 1, size)
        elif kind == "IG":
            pool = rng.integers(10**16, 10**17 - 1, size)
        else:
            pool = rng.integers(10**9, 10**10 - 1, size)
        strings = pool.astype(str).astype(object)
        if kind == "WEB":
            strings = np.array(["web-" + s for s in strings], dtype=object)
        pick = (size * rng.random(rows.size) ** 1.6).astype(np.int64)  # a few frequent ones
        contacto[rows] = strings[pick]
        key[rows] = pool[pick]
    return contacto, key


@dataclass
class _Sends:
    """Who got each send, when, and how it went. Sorted by fecha_envio."""

    local_s: np.ndarray  # fecha_envio, local wall-clock seconds since 1970
    camp: np.ndarray
    chan: np.ndarray
    contacto: np.ndarray  # object (str)
    contact_key: np.ndarray  # int64, the contact as a number (joins sends of a contact)
    estado: np.ndarray
    ok: np.ndarray  # estado is exitoso
    error: np.ndarray
    nueva: np.ndarray


@dataclass
class _Outcome:
    """What each send led to; the steps of ``build`` fill it in. Flags are -1 NA, 0, 1;
    timestamps are local seconds, ``NAT`` none; codes are -1 none."""

    leido: np.ndarray
    respondido: np.ndarray
    asignada: np.ndarray
    f_lectura: np.ndarray
    f_respuesta: np.ndarray
    f_asignacion: np.ndarray
    tip: np.ndarray
    venta: np.ndarray
    combo: np.ndarray

    @classmethod
    def empty(cls, ok: np.ndarray) -> _Outcome:
        n = ok.size
        return cls(
            leido=np.full(n, -1, dtype=np.int8),
            respondido=np.full(n, -1, dtype=np.int8),
            asignada=np.full(n, -1, dtype=np.int8),
            f_lectura=np.full(n, NAT, dtype=np.int64),
            f_respuesta=np.full(n, NAT, dtype=np.int64),
            f_asignacion=np.full(n, NAT, dtype=np.int64),
            tip=np.full(n, -1, dtype=np.int8),
            venta=np.where(ok, 0, -1).astype(np.int8),
            combo=np.zeros(n, dtype=np.int32),
        )


@dataclass
class _Events:
    """One path template expanded per send with events (the send that opened it)."""

    send: np.ndarray  # rows of the sends with events
    tm: np.ndarray  # template of each of those sends
    cnt: np.ndarray  # its number of steps
    starts: np.ndarray  # position of its first event
    step: np.ndarray  # per event: index into the catalog's steps
    local_s: np.ndarray
    autor: np.ndarray
    msg: np.ndarray
    fin: np.ndarray


def _when(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Local send seconds (sorted) and campaign of n sends: inside each campaign's period,
    fewer on weekends, mostly in business hours."""
    camps = CAMPAIGNS
    shares = np.array([c.share for c in camps])
    camp = rng.choice(len(camps), size=n, p=shares / shares.sum()).astype(np.int8)
    start = np.array([_day(c.start) for c in camps])[camp]
    end = np.array([_day(c.end) for c in camps])[camp]
    day = start + (rng.random(n) * (end - start + 1)).astype(np.int64)
    redraw = rng.random(n) < 0.7  # most weekend sends are redrawn: fewer on weekends
    for _ in range(3):
        again = redraw & ((day + 3) % 7 >= 5)  # (day + 3) % 7: 0 = Monday
        day = np.where(again, start + (rng.random(n) * (end - start + 1)).astype(np.int64), day)
    hour = rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    local_s = day * 86_400 + hour * 3600 + rng.integers(0, 3600, n)
    order = np.argsort(local_s, kind="stable")
    return local_s[order], camp[order]


def _sends(rng: np.random.Generator, n: int) -> _Sends:
    """When, which campaign, channel, contact and estado of n sends."""
    local_s, camp = _when(rng, n)
    chan = np.zeros(n, dtype=np.int8)
    for ci, c in enumerate(CAMPAIGNS):
        rows = np.flatnonzero(camp == ci)
        ids, p = zip(*c.channels, strict=True)
        chan[rows] = rng.choice(ids, size=rows.size, p=p)
    contacto, contact_key = _contacts(rng, chan)
    estado = rng.choice(3, size=n, p=[0.85, 0.10, 0.05]).astype(np.int8)
    ok = estado == 0
    error = np.full(n, -1, dtype=np.int8)
    failed = np.flatnonzero(estado == 1)
    error[failed] = rng.choice(len(ERROR_CODES), size=failed.size, p=ERROR_WEIGHTS)
    p_nueva = np.array([c.p_nueva for c in CAMPAIGNS])[camp]
    nueva = np.where(ok, (rng.random(n) < p_nueva).astype(np.int8), -1).astype(np.int8)
    return _Sends(local_s, camp, chan, contacto, contact_key, estado, ok, error, nueva)


def _conversations(s: _Sends, has_events: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conversation index of each send (-1 none), the rows that opened each conversation
    and its scrambled counter. A send over an open conversation of a recent send joins it."""
    n = s.local_s.size
    ok, chan, contact_key, local_s = s.ok, s.chan, s.contact_key, s.local_s
    by_contact = np.lexsort((local_s, contact_key, chan))
    prev, cur = by_contact[:-1], by_contact[1:]
    join_sorted = np.zeros(n, dtype=bool)
    join_sorted[1:] = (
        (chan[prev] == chan[cur])
        & (contact_key[prev] == contact_key[cur])
        & ok[prev]
        & ~has_events[prev]
        & ok[cur]
        & ~has_events[cur]
        & (s.nueva[cur] == 0)
        & (local_s[cur] - local_s[prev] < 86_400)
    )
    group = np.cumsum(~join_sorted) - 1
    root_sorted = by_contact[np.flatnonzero(~join_sorted)][group]
    root = np.empty(n, dtype=np.int64)
    root[by_contact] = root_sorted
    is_root = ok & (root == np.arange(n))
    conv_number = np.cumsum(is_root) - 1
    conv = np.where(ok, conv_number[root], -1)
    n_conv = int(is_root.sum())
    # ObjectId-like: 8 hex of the UTC epoch second + 16 hex of a scrambled counter
    root_rows = np.flatnonzero(is_root)
    conv_mix = _mix(np.arange(n_conv, dtype=np.uint64) + np.uint64(seed % 2**32) * np.uint64(2**32))
    return conv, root_rows, conv_mix


def _agent_picks(rng: np.random.Generator, camp: np.ndarray) -> np.ndarray:
    """The agent each send would get (used where asignada): a group drawn by campaign,
    then one of its agents."""
    n = camp.size
    group_of = np.zeros(n, dtype=np.int64)
    for ci, c in enumerate(CAMPAIGNS):
        rows = np.flatnonzero(camp == ci)
        ids, p = zip(*c.groups, strict=True)
        group_of[rows] = rng.choice(ids, size=rows.size, p=p)
    agent_group = np.array([g for _, g in AGENTS])
    first = np.searchsorted(agent_group, np.arange(len(GROUPS)))
    size = np.bincount(agent_group, minlength=len(GROUPS))
    return first[group_of] + (rng.random(n) * size[group_of]).astype(np.int64)


def _expand_events(
    rng: np.random.Generator, cat: Catalog, s: _Sends, ev_send: np.ndarray, agent_pick: np.ndarray
) -> _Events:
    """Draw one path template per send with events and expand it into timed events."""
    camp = s.camp
    tm = np.zeros(ev_send.size, dtype=np.int64)
    for ci in np.unique(cat.t_camp):
        sel = np.flatnonzero(camp[ev_send] == ci)
        ids = np.flatnonzero(cat.t_camp == ci)
        w = cat.t_weight[ids]
        tm[sel] = ids[rng.choice(ids.size, size=sel.size, p=w / w.sum())]
    cnt = cat.t_len[tm]
    starts = np.cumsum(cnt) - cnt
    pos = np.arange(int(cnt.sum()), dtype=np.int64) - np.repeat(starts, cnt)
    step = np.repeat(cat.t_start[tm], cnt) + pos
    e_autor = cat.s_autor[step]
    gap = cat.s_gap[step]
    scale = np.repeat(rng.lognormal(0.0, 0.6, ev_send.size), cnt) * rng.uniform(0.6, 1.4, step.size)
    gap = np.where(e_autor == BOT, gap, gap * scale)
    gap = np.where(cat.s_gap[step] > 0, np.maximum(1, np.rint(gap)), 0).astype(np.int64)
    csum = np.cumsum(gap)
    e_local_s = np.repeat(s.local_s[ev_send] - csum[starts] + gap[starts], cnt) + csum
    e_msg = cat.s_msg[step].copy()
    greet = (cat.s_kind[step] & GREET) > 0
    e_msg[greet] = cat.greet_base + np.repeat(agent_pick[ev_send], cnt)[greet]
    flow = np.array([c.origen == "flujo" for c in CAMPAIGNS])[camp[ev_send]]
    explicit = flow & (rng.random(ev_send.size) < 0.5)
    last = starts + cnt - 1
    e_fin = np.full(step.size, -1, dtype=np.int8)
    e_fin[last[explicit]] = cat.t_fin[tm[explicit]]
    return _Events(ev_send, tm, cnt, starts, step, e_local_s, e_autor, e_msg, e_fin)


def _event_flags(rng: np.random.Generator, cat: Catalog, ev: _Events, o: _Outcome) -> None:
    """The flags of the sends with events are what their events say."""
    tm, send, starts = ev.tm, ev.send, ev.starts
    replied = cat.t_first_cli[tm] >= 0
    assigned = cat.t_assign[tm] >= 0
    o.respondido[send] = replied
    o.asignada[send] = assigned
    o.f_respuesta[send[replied]] = ev.local_s[starts[replied] + cat.t_first_cli[tm[replied]]]
    o.f_asignacion[send[assigned]] = ev.local_s[starts[assigned] + cat.t_assign[tm[assigned]]]
    o.tip[send] = cat.t_tip[tm]
    o.venta[send] = cat.t_venta[tm]
    o.combo[send] = cat.t_combo[tm]
    # read receipts: a reply without "read" happens (receipts off, out-of-order statuses)
    u = rng.random(send.size)
    o.leido[send] = np.where(replied, _tri(u, 0.85, 0.07), _tri(u, 0.50, 0.35))


def _flags_without_events(rng: np.random.Generator, cat: Catalog, s: _Sends, o: _Outcome) -> None:
    """Flags, tipificacion, etiquetas and timestamps of the sends of campaigns without
    events, drawn from each campaign's rates."""
    event_camps = np.unique(cat.t_camp)
    for ci, c in enumerate(CAMPAIGNS):
        if ci in event_camps:
            continue
        rows = np.flatnonzero(s.ok & (s.camp == ci))
        m = rows.size
        u = rng.random((m, 3))
        if c.reports_reads:
            resp = u[:, 0] < c.p_resp
            o.respondido[rows] = resp
            o.leido[rows] = np.where(resp, _tri(u[:, 1], 0.85, 0.08), _tri(u[:, 1], 0.55, 0.32))
            asig = u[:, 2] < np.where(resp, c.p_asig_resp, c.p_asig_other)
            tagged = resp
        else:  # leido / respondido not reported at all
            resp = np.zeros(m, dtype=bool)
            asig = u[:, 2] < c.p_asig_other
            tagged = asig
        o.asignada[rows] = asig
        names, p = zip(*c.tips, strict=True)
        codes = np.array([TIP_NAMES.index(t) if t else -1 for t in names], dtype=np.int8)
        o.tip[rows] = np.where(asig, codes[rng.choice(len(codes), size=m, p=p)], -1)
        combos_c, p = zip(*c.etiquetas, strict=True)
        codes = np.array([cat.combos.index(cb) for cb in combos_c], dtype=np.int32)
        o.combo[rows] = np.where(tagged, codes[rng.choice(len(codes), size=m, p=p)], 0)
        base = s.local_s[rows]
        read = o.leido[rows] == 1
        lect = base + _delay(rng, m, 1200)
        o.f_lectura[rows[read]] = lect[read]
        resp_t = np.where(read, lect, base) + _delay(rng, m, 1500)
        o.f_respuesta[rows[resp]] = resp_t[resp]
        asig_t = np.where(resp, resp_t, np.where(read, lect, base)) + _delay(rng, m, 900)
        o.f_asignacion[rows[asig]] = asig_t[asig]


def _read_times_with_events(rng: np.random.Generator, s: _Sends, ev_send: np.ndarray, o: _Outcome) -> None:
    """fecha_lectura of the sends with events: after the send, not after the reply."""
    local_s, f_respuesta = s.local_s, o.f_respuesta
    rows = ev_send[o.leido[ev_send] == 1]
    room = np.where(f_respuesta[rows] != NAT, f_respuesta[rows] - local_s[rows] - 1, 0)
    late = _delay(rng, rows.size, 1800)
    o.f_lectura[rows] = (
        local_s[rows]
        + 1
        + np.where(
            f_respuesta[rows] != NAT, (rng.random(rows.size) * np.maximum(room, 0)).astype(np.int64), late
        )
    )


def _quirks(rng: np.random.Generator, s: _Sends, o: _Outcome) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quirks of the written files: (resp_blank, utc_row, conflict), see ``Data``."""
    n = s.local_s.size
    resp_blank = (o.respondido == 1) & (o.f_respuesta != NAT) & (rng.random(n) < 0.03)
    utc_row = rng.random(n) < 0.02
    conflict = np.zeros(n, dtype=bool)
    nov = _day("2026-11-01") * 86_400
    window = np.flatnonzero(s.ok & (s.local_s >= nov - OVERLAP_DAYS * 86_400) & (s.local_s < nov))
    if window.size:
        k = max(1, round(0.05 * window.size))
        conflict[np.sort(rng.choice(window, size=k, replace=False))] = True
    return resp_blank, utc_row, conflict


def build(n_envios: int, seed: int) -> Data:
    """Generate the whole data set as arrays."""
    n = int(n_envios)
    if n < 1:
        raise ValueError(f"n_envios must be at least 1, got {n_envios!r}")
    rng = np.random.default_rng(seed)
    cat = catalog()
    s = _sends(rng, n)
    has_events = s.ok & np.isin(s.camp, np.unique(cat.t_camp))
    conv, root_rows, conv_mix = _conversations(s, has_events, seed)
    agent_pick = _agent_picks(rng, s.camp)
    o = _Outcome.empty(s.ok)
    ev = _expand_events(rng, cat, s, np.flatnonzero(has_events), agent_pick)
    _event_flags(rng, cat, ev, o)
    _flags_without_events(rng, cat, s, o)
    sold = (o.tip >= 0) & s.ok
    o.venta[sold] = TIP_VENTA[o.tip[sold]]
    o.venta[ev.send] = cat.t_venta[ev.tm]  # a sale earlier in the conversation counts too
    _read_times_with_events(rng, s, ev.send, o)
    resp_blank, utc_row, conflict = _quirks(rng, s, o)
    return Data(
        envio_id=np.arange(n, dtype=np.int64) + 40_000_001,
        local_s=s.local_s,
        camp=s.camp,
        chan=s.chan,
        contacto=s.contacto,
        estado=s.estado,
        error=s.error,
        conv=conv,
        nueva=s.nueva,
        leido=o.leido,
        respondido=o.respondido,
        asignada=o.asignada,
        f_lectura=o.f_lectura,
        f_respuesta=o.f_respuesta,
        f_asignacion=o.f_asignacion,
        agent=np.where(o.asignada == 1, agent_pick, -1).astype(np.int16),
        tip=o.tip,
        venta=o.venta,
        combo=o.combo,
        resp_blank=resp_blank,
        utc_row=utc_row,
        conflict=conflict,
        conv_utc_s=s.local_s[root_rows] + OFFSET_S,
        conv_mix=conv_mix,
        e_conv=np.repeat(conv[ev.send], ev.cnt),
        e_local_s=ev.local_s,
        e_autor=ev.autor,
        e_msg=ev.msg,
        e_nodo=cat.s_nodo[ev.step],
        e_opcion=cat.s_opcion[ev.step],
        e_tip=cat.s_tip[ev.step],
        e_et=cat.s_et[ev.step],
        e_fin=ev.fin,
    )


#: How far each slice of :func:`account_slice` moves the dates: 17 weeks (weekdays and hours kept).
SLICE_SHIFT_S = 17 * 7 * 86_400


def account_slice(d: Data, k: int) -> Data:
    """Slice k of a larger account: ids after k earlier slices of the same size, dates moved
    k x :data:`SLICE_SHIFT_S` (slice 0 is ``d`` itself)."""
    if k == 0:
        return d
    if k < 0:
        raise ValueError(f"tramo must be 0 or more, got {k!r}")
    shift = np.int64(k * SLICE_SHIFT_S)

    def moved(a: np.ndarray) -> np.ndarray:
        return np.where(a == NAT, NAT, a + shift)

    return replace(
        d,
        envio_id=d.envio_id + np.int64(k * d.envio_id.size),
        local_s=d.local_s + shift,
        f_lectura=moved(d.f_lectura),
        f_respuesta=moved(d.f_respuesta),
        f_asignacion=moved(d.f_asignacion),
        conv_utc_s=d.conv_utc_s + shift,
        e_local_s=d.e_local_s + shift,
    )
