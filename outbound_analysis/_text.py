"""Text keys used to match headers and labels regardless of case, accents and punctuation."""

from __future__ import annotations

import re
import unicodedata

# Spanish function words carry no meaning in a header or label: "Fecha de envío" and
# "fecha_envio" must meet on the same key.
_STOPWORDS = frozenset({"de", "del", "la", "el", "los", "las", "en", "por", "a", "y"})
_TOKEN = re.compile(r"[a-z0-9]+")


def strip_accents(text: str) -> str:
    """Remove diacritics: ``"Campaña" -> "Campana"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def key(text: object) -> str:
    """Match key of a header or label.

    Lower case, no accents, alphanumeric tokens joined by ``_``, Spanish function
    words dropped.

    >>> key("Fecha de envío")
    'fecha_envio'
    >>> key("  Tipo DE Origen ")
    'tipo_origen'
    """
    tokens = _TOKEN.findall(strip_accents(str(text)).lower())
    kept = [t for t in tokens if t not in _STOPWORDS]
    return "_".join(kept or tokens)


def fmt_int(n: int | float) -> str:
    """Integer with Spanish thousands separator: ``fmt_int(1234567) == "1.234.567"``."""
    return f"{int(n):,}".replace(",", ".")


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """Fraction as a Spanish percentage: ``fmt_pct(0.125) == "12,5 %"``; NA -> "–"."""
    if x is None or x != x:  # NaN / NA
        return "–"
    return f"{x * 100:.{digits}f} %".replace(".", ",")
