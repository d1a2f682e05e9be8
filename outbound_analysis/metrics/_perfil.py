"""Per-conversation facts of the events, computed once per data set (they do not depend on filters).

Order inside a conversation is by fecha, then file order (row position).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import TIPOS_AUTOGESTION
from ._base import is_value


@dataclass(frozen=True)
class EventProfile:
    """What each conversation's events say, computed once (it does not depend on filters).

    ``ids`` holds the conversacion_id of each conversation; its position is the
    conversation's code. ``conversaciones`` (one row per code) has: ``responde`` (a
    cliente event exists), ``agente`` (an agente event exists), ``autogestion`` (a
    tipificación of an autogestión tipo was applied), ``primera_opcion``,
    ``finalizacion_explicita`` and ``ultimo_mensaje_bot``. ``tipificaciones`` and
    ``etiquetas`` list each conversation's distinct values with their ``nivel`` (order
    of first appearance, from 1) under the conversation's ``codigo``.
    """

    ids: pd.Index
    conversaciones: pd.DataFrame
    tipificaciones: pd.DataFrame
    etiquetas: pd.DataFrame

    def codes(self, conversacion_ids: pd.Series) -> np.ndarray:
        """Codes of these conversation ids; -1 for conversations without events."""
        return self.ids.get_indexer(conversacion_ids.astype("string"))


def _ordered(eventos: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
    """Events sorted by conversation, fecha, then file order; and the conversation ids."""
    codes, uniques = pd.factorize(eventos["conversacion_id"], use_na_sentinel=True)
    when = eventos["fecha"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    order = np.lexsort((np.arange(len(eventos)), when, codes))
    ordered = eventos.iloc[order].reset_index(drop=True)
    return ordered.assign(_conv=codes[order]), pd.Index(uniques, dtype="string", name="conversacion_id")


def _pick_per_conv(
    conv: np.ndarray, mask: np.ndarray, values: pd.Series, n_conv: int, last: bool = False
) -> pd.Series:
    """Per conversation, the value of its first (or last) ``mask`` row; rows are ordered."""
    idx = np.flatnonzero(mask)
    if last:
        idx = idx[::-1]
    _, first = np.unique(conv[idx], return_index=True)
    rows = idx[first]
    out = pd.Series(pd.NA, index=pd.RangeIndex(n_conv), dtype="string")
    out.iloc[conv[rows]] = values.iloc[rows].astype("string").to_numpy()
    return out


def _levels(ordered: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    present = ordered.loc[ordered[column].notna(), ["_conv", column]]
    firsts = present.drop_duplicates(["_conv", column], keep="first")
    return pd.DataFrame(
        {
            "codigo": firsts["_conv"].to_numpy(dtype=np.int64),
            "nivel": (firsts.groupby("_conv", sort=False).cumcount() + 1).to_numpy(dtype=np.int64),
            label: firsts[column].astype("string").to_numpy(),
        }
    )


def profile_events(eventos: pd.DataFrame) -> EventProfile:
    """Per-conversation facts of the events (see :class:`EventProfile`).

    Order inside a conversation is by fecha, then file order (row position).
    """
    ordered, ids = _ordered(eventos[eventos["conversacion_id"].notna()])
    conv = ordered["_conv"].to_numpy()
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
                conv, is_value(autor, "bot"), ordered["mensaje"], n_conv, last=True
            ),
        }
    )
    return EventProfile(
        ids=ids,
        conversaciones=profile,
        tipificaciones=_levels(ordered, "tipificacion", "tipificacion"),
        etiquetas=_levels(ordered, "etiqueta", "etiqueta"),
    )
