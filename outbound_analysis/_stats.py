"""Confidence intervals and tests for proportions, exactly as CONTRACT §5.2 writes them.

Plain numpy (no scipy): every function takes counts as scalars or arrays and returns
float arrays with NaN where the contract says "empty" (n = 0, or a zero standard
error). The table modules turn NaN into ``pd.NA``.

- Wilson score interval, z = :data:`Z95`:
  center = (p + z²/2n) / (1 + z²/n),
  half width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
- Two proportions (A, B): diferencia = b_p - a_p; Wald interval
  diferencia ± z·sqrt(a_p(1-a_p)/a_n + b_p(1-b_p)/b_n); pooled z-test
  p = (a_k + b_k)/(a_n + b_n), se = sqrt(p(1-p)(1/a_n + 1/b_n)), z = diferencia/se,
  p_valor = erfc(|z|/sqrt(2)) (two-sided).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: the contract's z for 95 % intervals
Z95 = 1.959964
#: the contract's significance threshold for ``significativo``
ALFA = 0.05

_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def erfc(x: object) -> np.ndarray:
    """Complementary error function, element-wise; NaN stays NaN.

    >>> erfc([0.0, float("nan")]).tolist()
    [1.0, nan]
    """
    arr = np.atleast_1d(np.asarray(x, dtype=np.float64))
    if arr.size == 0:
        return arr.copy()
    return _erfc(arr)


def _arrays(*values: object) -> list[np.ndarray]:
    return [np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in values]


def proporcion(cantidad: object, n: object) -> np.ndarray:
    """cantidad / n, NaN where n = 0.

    >>> proporcion([1, 3], [4, 0]).tolist()
    [0.25, nan]
    """
    k, n_ = _arrays(cantidad, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_ > 0, k / np.where(n_ > 0, n_, 1.0), np.nan)


def wilson(cantidad: object, n: object, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (inf, sup) of cantidad/n; NaN where n = 0.

    Clipped to [0, 1] (only rounding can leave it: the exact interval is inside).

    >>> inf, sup = wilson(0, 10)
    >>> float(inf[0]), round(float(sup[0]), 4)
    (0.0, 0.2775)
    """
    k, n_ = _arrays(cantidad, n)
    valid = n_ > 0
    safe_n = np.where(valid, n_, 1.0)
    p = k / safe_n
    z2 = z * z
    denom = 1.0 + z2 / safe_n
    center = (p + z2 / (2.0 * safe_n)) / denom
    half = z * np.sqrt(np.clip(p * (1.0 - p), 0.0, None) / safe_n + z2 / (4.0 * safe_n**2)) / denom
    inf = np.where(valid, np.clip(center - half, 0.0, 1.0), np.nan)
    sup = np.where(valid, np.clip(center + half, 0.0, 1.0), np.nan)
    return inf, sup


@dataclass(frozen=True)
class DosProporciones:
    """Result of :func:`dos_proporciones`: one array element per comparison (NaN = empty)."""

    a_pct: np.ndarray
    b_pct: np.ndarray
    diferencia: np.ndarray
    ic95_inf: np.ndarray
    ic95_sup: np.ndarray
    z: np.ndarray
    p_valor: np.ndarray


def dos_proporciones(
    a_cantidad: object, a_n: object, b_cantidad: object, b_n: object, z: float = Z95
) -> DosProporciones:
    """B against A: difference, Wald interval and pooled two-sided z-test.

    Empty (NaN): everything where a_n = 0 or b_n = 0; the interval where its Wald
    standard error is 0 (both rates 0 % or 100 %: a zero-width interval says
    nothing); z and p_valor where the pooled se is 0 (both rates 0 % or both 100 %).

    >>> r = dos_proporciones(63, 150, 66, 150)
    >>> round(float(r.diferencia[0]), 4), round(float(r.p_valor[0]), 3)
    (0.02, 0.726)
    """
    ak, an, bk, bn = _arrays(a_cantidad, a_n, b_cantidad, b_n)
    valid = (an > 0) & (bn > 0)
    an_s = np.where(valid, an, 1.0)
    bn_s = np.where(valid, bn, 1.0)
    a_p = ak / an_s
    b_p = bk / bn_s
    diff = b_p - a_p
    wald_se = np.sqrt(np.clip(a_p * (1 - a_p), 0, None) / an_s + np.clip(b_p * (1 - b_p), 0, None) / bn_s)
    pooled = (ak + bk) / (an_s + bn_s)
    se = np.sqrt(np.clip(pooled * (1 - pooled), 0, None) * (1 / an_s + 1 / bn_s))
    has_wald = valid & (wald_se > 0)
    has_se = valid & (se > 0)
    zeta = np.where(has_se, diff / np.where(has_se, se, 1.0), np.nan)
    return DosProporciones(
        a_pct=np.where(an > 0, ak / np.where(an > 0, an, 1.0), np.nan),
        b_pct=np.where(bn > 0, bk / np.where(bn > 0, bn, 1.0), np.nan),
        diferencia=np.where(valid, diff, np.nan),
        ic95_inf=np.where(has_wald, diff - z * wald_se, np.nan),
        ic95_sup=np.where(has_wald, diff + z * wald_se, np.nan),
        z=zeta,
        p_valor=erfc(np.abs(zeta) / math.sqrt(2.0)),
    )
