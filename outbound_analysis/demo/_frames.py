"""Canonical frames: the generated arrays as contract columns and types (what
:func:`generate` returns, the truth the written files encode)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..schema import ENVIOS, EVENTOS
from ._campaigns import CAMPAIGNS
from ._catalog import catalog
from ._model import Data, conv_ids
from ._vocab import (
    AGENTS,
    AUTORES,
    CHANNELS,
    ERROR_CODES,
    ESTADOS,
    ETIQUETAS,
    FINALIZACIONES,
    GROUPS,
    NAT,
    OFFSET_S,
    TIP_NAMES,
    TIP_TIPO,
    TIPOS,
    TZ,
)


def _lookup(vocab: Sequence[str | None], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """String array from codes into vocab; code -1 (or a None entry) is missing."""
    table = np.array([*vocab, None], dtype=object)
    return pd.array(table[codes], dtype="str")


def _timestamps(local_s: np.ndarray) -> pd.DatetimeIndex:
    utc = np.where(local_s == NAT, NAT, local_s + OFFSET_S).view("datetime64[s]")
    return pd.DatetimeIndex(utc).as_unit("us").tz_localize("UTC").tz_convert(TZ)


def _flags(values: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(values == 1, values < 0)


def envios_frame(d: Data) -> pd.DataFrame:
    cat = catalog()
    tip_tipo = np.where(d.tip >= 0, TIP_TIPO[d.tip], -1)
    agent_group = np.array([g for _, g in AGENTS])
    etiquetas = pd.Series([list(cat.combos[i]) for i in d.combo.tolist()], dtype=object)
    cols = {
        "envio_id": pd.array(d.envio_id.astype(str), dtype="str"),
        "fecha_envio": _timestamps(d.local_s),
        "campana": _lookup([c.name for c in CAMPAIGNS], d.camp),
        "origen": _lookup([c.origen for c in CAMPAIGNS], d.camp),
        "canal": _lookup([c for c, _ in CHANNELS], d.chan),
        "linea": _lookup([li for _, li in CHANNELS], d.chan),
        "contacto_id": pd.array(d.contacto, dtype="str"),
        "estado": _lookup(ESTADOS, d.estado),
        "codigo_error": _lookup(ERROR_CODES, d.error),
        "conversacion_id": pd.array(conv_ids(d, d.conv), dtype="str"),
        "conversacion_nueva": _flags(d.nueva),
        "leido": _flags(d.leido),
        "respondido": _flags(d.respondido),
        "asignada": _flags(d.asignada),
        "fecha_lectura": _timestamps(d.f_lectura),
        "fecha_respuesta": _timestamps(d.f_respuesta),
        "fecha_asignacion": _timestamps(d.f_asignacion),
        "grupo": _lookup(GROUPS, np.where(d.agent >= 0, agent_group[d.agent], -1)),
        "agente": _lookup([a for a, _ in AGENTS], d.agent),
        "tipificacion": _lookup(TIP_NAMES, d.tip),
        "tipo_tipificacion": _lookup(TIPOS, tip_tipo),
        "venta": _flags(d.venta),
        "etiquetas": etiquetas,
    }
    return pd.DataFrame(cols)[[c.name for c in ENVIOS]]


def eventos_frame(d: Data) -> pd.DataFrame:
    cat = catalog()
    tipo = np.where(d.e_tip >= 0, TIP_TIPO[d.e_tip], -1)
    cols = {
        "conversacion_id": pd.array(conv_ids(d, d.e_conv), dtype="str"),
        "fecha": _timestamps(d.e_local_s),
        "autor": _lookup(AUTORES, d.e_autor),
        "mensaje": _lookup(cat.msgs, d.e_msg),
        "nodo": _lookup(cat.nodos, d.e_nodo),
        "opcion": _lookup(cat.opciones, d.e_opcion),
        "tipificacion": _lookup(TIP_NAMES, d.e_tip),
        "tipo_tipificacion": _lookup(TIPOS, tipo),
        "etiqueta": _lookup(ETIQUETAS, d.e_et),
        "finalizacion": _lookup(FINALIZACIONES, d.e_fin),
    }
    return pd.DataFrame(cols)[[c.name for c in EVENTOS]]
