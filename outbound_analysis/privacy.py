"""Pseudonyms for contact ids and phone numbers, for reports that leave the team.

A pseudonym is a keyed hash (HMAC-SHA256) of the value: the same contact always gets
the same pseudonym under the same key, and nobody without the key can reverse it or
recompute it from a phone list. The key comes from the environment variable
``OUTBOUND_ANALYSIS_CLAVE`` or from a file outside the repository
(``OUTBOUND_ANALYSIS_CLAVE_ARCHIVO``, default ``~/.config/outbound_analysis/clave``).

>>> pseudonym_of("5491123456789", b"k")
'anon-1c50bf724845'
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

import pandas as pd

PREFIX = "anon-"
#: phone-like runs inside free text: 8+ digits, maybe with +, spaces or dashes
PHONE_IN_TEXT = re.compile(r"\+?\d[\d\s\-]{6,}\d")
ID_COLUMNS = ("contacto_id",)
TEXT_COLUMNS = ("mensaje", "opcion", "valor")


def pseudonym_of(value: str, key: bytes) -> str:
    """Stable pseudonym of one value (digits of phone numbers are hashed, not their format)."""
    digits = re.sub(r"\D", "", value)
    basis = digits if len(digits) >= 7 and PHONE_IN_TEXT.fullmatch(value.strip()) else value
    return PREFIX + hmac.new(key, basis.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def _pseudonymize(series: pd.Series, key: bytes) -> pd.Series:
    codes, uniques = pd.factorize(series.astype("string"), use_na_sentinel=True)
    mapped = pd.array([pseudonym_of(str(u), key) for u in uniques], dtype="string")
    out = pd.Series(mapped.take(codes, allow_fill=True), index=series.index, dtype="string")
    return out


def _scrub_text(series: pd.Series, key: bytes) -> pd.Series:
    text = series.astype("string")
    return text.str.replace(PHONE_IN_TEXT, lambda m: pseudonym_of(m.group(0), key), regex=True)


def anonymize(tables: Mapping[str, pd.DataFrame], key: bytes) -> dict[str, pd.DataFrame]:
    """Copies of ``tables`` with contact ids pseudonymized and phone numbers in text replaced."""
    out = {}
    for name, frame in tables.items():
        changes = {}
        for col in frame.columns:
            if col in ID_COLUMNS:
                changes[col] = _pseudonymize(frame[col], key)
            elif col in TEXT_COLUMNS:
                changes[col] = _scrub_text(frame[col], key)
        out[name] = frame.assign(**changes) if changes else frame
    return out
