"""The contact lookup of Detallado: every send (within the filters) to the contacts matching a text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..filters import Filtros, filter_envios

_NO_INFORMADO = "no informado"


def _flag_text(s: pd.Series) -> pd.Series:
    return s.map({True: "sí", False: "no"}).astype("string").fillna(_NO_INFORMADO)


def buscar_contacto(envios: pd.DataFrame, texto: str, filtros: Filtros | None = None) -> pd.DataFrame:
    """Every send to the contacts matching ``texto``: "¿respondió este cliente?".

    ``texto`` holds one or more ids or parts of phone numbers separated by commas;
    digits are compared ignoring spaces, ``+`` and dashes. NA flags read "no informado".
    """
    env = filter_envios(envios, filtros)
    ids = env["contacto_id"].astype("string")
    mask = np.zeros(len(env), dtype=bool)
    for term in [t.strip() for t in str(texto).split(",") if t.strip()]:
        digits = "".join(ch for ch in term if ch.isdigit())
        if digits and len(digits) >= len(term.replace(" ", "").replace("-", "").replace("+", "")):
            hay = ids.str.replace(r"\D", "", regex=True)
            mask |= hay.str.contains(digits, regex=False).to_numpy(dtype=bool, na_value=False)
        else:
            mask |= ids.str.contains(term, case=False, regex=False).to_numpy(dtype=bool, na_value=False)
    hits = env[mask].sort_values(["contacto_id", "fecha_envio"], kind="stable")
    return pd.DataFrame(
        {
            "contacto_id": hits["contacto_id"].astype("string"),
            "campana": hits["campana"].astype("string"),
            "fecha_envio": hits["fecha_envio"],
            "estado": hits["estado"].astype("string"),
            "leido": _flag_text(hits["leido"]),
            "respondido": _flag_text(hits["respondido"]),
            "asignada": _flag_text(hits["asignada"]),
            "venta": _flag_text(hits["venta"]),
        }
    ).reset_index(drop=True)
