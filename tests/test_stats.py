"""Wilson intervals and the two-proportion test (CONTRACT §5.2), pinned on numbers counted by hand.

z = 1.959964, so z² = 3.841458881 (to 9 decimals). Every expectation below is written
out from the contract's formulas in the comments, never computed with the code under test.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from outbound_analysis import _stats

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "outbound_analysis-hypothesis")
SETTINGS = settings(deadline=None, max_examples=200, database=None)


def test_z_is_the_contracts():
    assert _stats.Z95 == 1.959964
    assert _stats.ALFA == 0.05


def test_wilson_on_hand_counted_cases():
    # k = 5, n = 10: p = 0.5, z²/n = 0.3841459, denominator 1.3841459
    #   center = (0.5 + 0.1920729) / 1.3841459 = 0.5 (symmetric)
    #   half = 1.959964 · sqrt(0.025 + 3.8414589/400) / 1.3841459
    #        = 1.959964 · sqrt(0.0346036) / 1.3841459 = 1.959964 · 0.1860205 / 1.3841459 = 0.2634069
    # k = 0, n = 10: center = half = 0.1920729 / 1.3841459 = 0.1387664 -> [0, 0.2775328]
    # k = 10, n = 10: the mirror image -> [1 - 0.2775328, 1] = [0.7224672, 1]
    # k = 1, n = 4: p = 0.25, z²/n = 0.9603647, denominator 1.9603647
    #   center = (0.25 + 0.4801824) / 1.9603647 = 0.3724727
    #   half = 1.959964 · sqrt(0.046875 + 3.8414589/64) / 1.9603647
    #        = 1.959964 · sqrt(0.1068978) / 1.9603647 = 0.6408154 / 1.9603647 = 0.3268854
    inf, sup = _stats.wilson([5, 0, 10, 1], [10, 10, 10, 4])
    assert inf.tolist() == pytest.approx([0.2365931, 0.0, 0.7224672, 0.0455873], abs=1e-7)
    assert sup.tolist() == pytest.approx([0.7634069, 0.2775328, 1.0, 0.6993582], abs=1e-7)


def test_wilson_is_empty_when_n_is_zero():
    inf, sup = _stats.wilson([0, 3], [0, 3])
    assert math.isnan(inf[0]) and math.isnan(sup[0])
    assert sup[1] == pytest.approx(1.0)  # 3 of 3: the upper end is 1, never above


def test_guide_question_42_vs_44_percent_with_150_sends_each():
    """ "Is 42 % vs 44 % a real difference with 150 sends each?" (a = 63/150, b = 66/150).

    diferencia = 0.44 - 0.42 = 0.02
    pooled p = (63 + 66) / 300 = 0.43
    se = sqrt(0.43 · 0.57 · (1/150 + 1/150)) = sqrt(0.2451 · 0.0133333) = sqrt(0.003268) = 0.0571664
    z = 0.02 / 0.0571664 = 0.349856
    p_valor = erfc(0.349856 / 1.4142136) = erfc(0.247386) = 0.726447  -> not significant
    Wald: sqrt(0.42 · 0.58 / 150 + 0.44 · 0.56 / 150) = sqrt(0.49 / 150) = sqrt(0.0032667) = 0.0571548
    interval = 0.02 ± 1.959964 · 0.0571548 = 0.02 ± 0.1120213 = [-0.0920213, 0.1320213]
    """
    r = _stats.dos_proporciones(63, 150, 66, 150)
    assert r.a_pct[0] == pytest.approx(0.42)
    assert r.b_pct[0] == pytest.approx(0.44)
    assert r.diferencia[0] == pytest.approx(0.02)
    assert r.z[0] == pytest.approx(0.349856, abs=1e-6)
    assert r.p_valor[0] == pytest.approx(0.726447, abs=1e-6)
    assert r.ic95_inf[0] == pytest.approx(-0.0920213, abs=1e-7)
    assert r.ic95_sup[0] == pytest.approx(0.1320213, abs=1e-7)
    assert not r.p_valor[0] < _stats.ALFA


def test_zero_standard_errors_leave_the_test_or_the_interval_empty():
    # 0/50 vs 0/80: both rates 0 -> pooled p = 0, se = 0 and Wald se = 0: only diferencia = 0
    # 0/50 vs 50/50: pooled p = 0.5, se = sqrt(0.25 · (2/50)) = 0.1, z = 1/0.1 = 10,
    #   p_valor = erfc(10/sqrt(2)) = 1.52397e-23; Wald se = 0 (rates 0 and 1) -> no interval
    r = _stats.dos_proporciones([0, 0], [50, 50], [0, 50], [80, 50])
    assert r.diferencia.tolist() == [0.0, 1.0]
    assert math.isnan(r.p_valor[0]) and math.isnan(r.z[0])
    assert r.z[1] == pytest.approx(10.0)
    assert r.p_valor[1] == pytest.approx(1.52397e-23, rel=1e-4)
    assert np.isnan(r.ic95_inf).all() and np.isnan(r.ic95_sup).all()


def test_n_zero_leaves_everything_empty_but_the_other_rate():
    r = _stats.dos_proporciones(0, 0, 3, 10)
    assert math.isnan(r.a_pct[0]) and r.b_pct[0] == pytest.approx(0.3)
    for values in (r.diferencia, r.ic95_inf, r.ic95_sup, r.z, r.p_valor):
        assert math.isnan(values[0])


def test_erfc_matches_known_values_and_keeps_nan():
    # erfc(0) = 1; erfc(1) = 0.1572992071; erfc(-1) = 2 - erfc(1) = 1.8427007929
    out = _stats.erfc([0.0, 1.0, -1.0, float("nan")])
    assert out[:3].tolist() == pytest.approx([1.0, 0.1572992071, 1.8427007929])
    assert math.isnan(out[3])
    assert _stats.erfc([]).size == 0


def test_proporcion_is_empty_on_zero_denominators():
    assert _stats.proporcion([0, 2], [0, 8]).tolist()[1] == 0.25
    assert math.isnan(_stats.proporcion(0, 0)[0])


@SETTINGS
@given(n=st.integers(1, 5000), data=st.data())
def test_wilson_contains_the_rate_and_mirrors(n, data):
    k = data.draw(st.integers(0, n))
    inf, sup = _stats.wilson(k, n)
    p = k / n
    assert 0.0 <= inf[0] <= p + 1e-12 <= sup[0] + 2e-12 <= 1.0 + 2e-12
    # k successes and n - k failures give the same interval reflected around 1/2
    inf2, sup2 = _stats.wilson(n - k, n)
    assert inf[0] == pytest.approx(1 - sup2[0], abs=1e-12)
    assert sup[0] == pytest.approx(1 - inf2[0], abs=1e-12)


@SETTINGS
@given(an=st.integers(1, 500), bn=st.integers(1, 500), data=st.data())
def test_swapping_a_and_b_negates_the_difference_and_keeps_the_p_value(an, bn, data):
    ak = data.draw(st.integers(0, an))
    bk = data.draw(st.integers(0, bn))
    ab = _stats.dos_proporciones(ak, an, bk, bn)
    ba = _stats.dos_proporciones(bk, bn, ak, an)
    assert ab.diferencia[0] == pytest.approx(-ba.diferencia[0], abs=1e-12)
    if np.isnan(ab.p_valor[0]):
        assert ak + bk in (0, an + bn)  # pooled p is 0 or 1: both rates 0 % or both 100 %
    else:
        assert 0.0 <= ab.p_valor[0] <= 1.0
        assert ab.p_valor[0] == pytest.approx(ba.p_valor[0], rel=1e-9)
    if not np.isnan(ab.ic95_inf[0]):
        assert ab.ic95_inf[0] <= ab.diferencia[0] <= ab.ic95_sup[0]
