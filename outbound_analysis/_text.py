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


#: what a number cell or card shows when there is no value (NA, NaN, None)
SIN_DATO = "–"


def is_missing(x: object) -> bool:
    """True for None, ``pd.NA``, ``pd.NaT`` and NaN (scalars only).

    >>> [is_missing(v) for v in (None, float("nan"), 0, 0.5)]
    [True, True, False, False]
    """
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN is the only float unequal to itself
    except TypeError:  # pd.NA (and NaT-like values) refuse a truth value
        return True


def fmt_int(n: object) -> str:
    """Integer with Spanish thousands separator: ``fmt_int(1234567) == "1.234.567"``; NA -> "–"."""
    if is_missing(n):
        return SIN_DATO
    return f"{int(n):,}".replace(",", ".")  # type: ignore[call-overload]


def cuantos(n: int, singular: str, plural: str) -> str:
    """A count with its noun in the right number.

    >>> cuantos(1, "envío", "envíos"), cuantos(1500, "envío", "envíos")
    ('1 envío', '1.500 envíos')
    """
    return f"{fmt_int(n)} {singular if n == 1 else plural}"


def fmt_pct(x: object, digits: int = 1) -> str:
    """Fraction as a Spanish percentage: ``fmt_pct(0.125) == "12,5 %"``; NA, NaN, None -> "–".

    >>> fmt_pct(0.125), fmt_pct(None), fmt_pct(float("nan"))
    ('12,5 %', '–', '–')
    """
    if is_missing(x):
        return SIN_DATO
    return f"{float(x) * 100:.{digits}f} %".replace(".", ",")  # type: ignore[arg-type]
