"""The path templates flattened into arrays: one row per step and per template, plus the
vocabularies (messages, nodos, opciones, etiqueta combos) their codes point into."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..schema import TIPOS_AUTOGESTION
from ._campaigns import CAMPAIGNS
from ._flows import AGT, ASSIGN, CLI, Step, templates
from ._vocab import AGENTS, ETIQUETAS, FINALIZACIONES, TIP_NAMES, TIPIFICACIONES


@dataclass(frozen=True)
class Catalog:
    """Templates flattened into arrays, plus the vocabularies their codes point into."""

    # steps (all templates concatenated)
    s_gap: np.ndarray
    s_autor: np.ndarray
    s_msg: np.ndarray
    s_nodo: np.ndarray
    s_opcion: np.ndarray
    s_tip: np.ndarray
    s_et: np.ndarray
    s_kind: np.ndarray
    # templates
    t_camp: np.ndarray
    t_weight: np.ndarray
    t_start: np.ndarray
    t_len: np.ndarray
    t_first_cli: np.ndarray  # position of the first cliente step, -1: no reply
    t_assign: np.ndarray  # position of the assignment step, -1: not assigned
    t_tip: np.ndarray  # last tipificación applied, -1: none
    t_venta: np.ndarray
    t_combo: np.ndarray  # etiquetas of the conversation (index into combos)
    t_fin: np.ndarray  # the finalización the conversation has (contract's derivation)
    # vocabularies (index 0 = None where it applies)
    msgs: list[str | None]
    greet_base: int  # msgs[greet_base + agent] is that agent's greeting
    nodos: list[str | None]
    opciones: list[str | None]
    combos: list[tuple[str, ...]]


def _finalizacion(assign: int, tips: list[str]) -> int:
    """The finalización a conversation following the template has (contract's derivation)."""
    if assign >= 0:
        return FINALIZACIONES.index("asignacion")
    if any(TIPIFICACIONES[t][0] in TIPOS_AUTOGESTION for t in tips):
        return FINALIZACIONES.index("finalizacion_automatica")
    return FINALIZACIONES.index("abandono")


def _template_row(
    ci: int, w: float, seq: list[Step], start: int, combos: dict[tuple[str, ...], int]
) -> tuple:
    """What a conversation following the template amounts to (the ``t_*`` fields)."""
    autores = [s[1] for s in seq]
    tips = [s[5] for s in seq if s[5]]
    first_cli = autores.index(CLI) if CLI in autores else -1
    assign = next((i for i, s in enumerate(seq) if s[7] & ASSIGN), -1)
    if AGT in autores and (assign < 0 or assign > autores.index(AGT)):
        raise ValueError(f"template of {CAMPAIGNS[ci].name!r}: agent before assignment")
    combo = tuple(dict.fromkeys(s[6] for s in seq if s[6]))
    return (
        ci,
        w,
        start,
        len(seq),
        first_cli,
        assign,
        TIP_NAMES.index(tips[-1]) if tips else -1,
        any(TIPIFICACIONES[t][1] for t in tips),
        combos.setdefault(combo, len(combos)),
        _finalizacion(assign, tips),
    )


@functools.cache
def catalog() -> Catalog:
    """Flatten the templates of every campaign with events."""
    msgs: dict[str | None, int] = {None: 0}
    nodos: dict[str | None, int] = {None: 0}
    opciones: dict[str | None, int] = {None: 0}
    combos: dict[tuple[str, ...], int] = {(): 0}
    steps: list[tuple] = []
    tmpl: list[tuple] = []
    by_campaign = templates()
    for ci, camp in enumerate(CAMPAIGNS):
        for w, seq in by_campaign.get(camp.name, []):
            tmpl.append(_template_row(ci, w, seq, len(steps), combos))
            for gap, autor, msg, nodo, opcion, tip, et, kind in seq:
                steps.append(
                    (
                        gap,
                        autor,
                        msgs.setdefault(msg, len(msgs)),
                        nodos.setdefault(nodo, len(nodos)),
                        opciones.setdefault(opcion, len(opciones)),
                        TIP_NAMES.index(tip) if tip else -1,
                        ETIQUETAS.index(et) if et else -1,
                        kind,
                    )
                )
    for camp in CAMPAIGNS:
        for combo, _ in camp.etiquetas:
            combos.setdefault(combo, len(combos))
    msg_list = list(msgs)
    greet_base = len(msg_list)
    msg_list += [
        f"Hola, soy {name.split()[0]} de Tienda Demo. ¿En qué te puedo ayudar?" for name, _ in AGENTS
    ]
    s = np.array(steps, dtype=object).T
    t = np.array(tmpl, dtype=object).T
    return Catalog(
        s_gap=s[0].astype(np.float64),
        s_autor=s[1].astype(np.int8),
        s_msg=s[2].astype(np.int32),
        s_nodo=s[3].astype(np.int32),
        s_opcion=s[4].astype(np.int32),
        s_tip=s[5].astype(np.int8),
        s_et=s[6].astype(np.int8),
        s_kind=s[7].astype(np.int8),
        t_camp=t[0].astype(np.int8),
        t_weight=t[1].astype(np.float64),
        t_start=t[2].astype(np.int64),
        t_len=t[3].astype(np.int64),
        t_first_cli=t[4].astype(np.int64),
        t_assign=t[5].astype(np.int64),
        t_tip=t[6].astype(np.int8),
        t_venta=t[7].astype(bool),
        t_combo=t[8].astype(np.int32),
        t_fin=t[9].astype(np.int8),
        msgs=msg_list,
        greet_base=greet_base,
        nodos=list(nodos),
        opciones=list(opciones),
        combos=list(combos),
    )
