"""The text helpers that replace hashing and sorting of ids: same answers as the plain ways."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from outbound_analysis._convert import codigos_de_ids, orden_de_texto
from outbound_analysis.metrics._perfil import codigos_conversacion

# ids as platforms write them: phones, long digit strings, leading zeros, "+54...", "@user", "web-1"
_DIGITOS = st.text("0123456789", min_size=1, max_size=22)
_ID = st.one_of(
    _DIGITOS,
    _DIGITOS.map(lambda d: "+" + d),
    st.text("0123456789abw-@+ ñ", min_size=0, max_size=6),
    st.none(),
)
_IDS = st.lists(_ID, max_size=40)


@settings(max_examples=300, deadline=None)
@given(_IDS)
def test_orden_de_texto_como_arrow(ids: list[str | None]) -> None:
    """Code-point order, equal texts in row order, missing last: exactly pyarrow's sort."""
    arr = pa.array(ids, type=pa.large_string())
    assert orden_de_texto(arr).tolist() == pc.sort_indices(arr).to_numpy().tolist()


def test_orden_de_texto_numeros_y_prefijos() -> None:
    """Numbers sort as text, not by value: "549" < "5490" < "55", and "+" before, "w" after."""
    arr = pa.array(["55", "5490", "549", "web-2", "+5411", "0", "100000000000000000", "99"])
    ordered = [arr[i].as_py() for i in orden_de_texto(arr)]
    assert ordered == ["+5411", "0", "100000000000000000", "549", "5490", "55", "99", "web-2"]


@settings(max_examples=300, deadline=None)
@given(_IDS)
def test_codigos_de_ids_como_factorize(ids: list[str | None]) -> None:
    """Equal ids get equal codes (missing: -1) and each code's first row is where it first appears."""
    series = pd.Series(ids, dtype="string")
    codes, first = codigos_de_ids(series)
    expected, uniques = pd.factorize(series, use_na_sentinel=True)
    # same partition of the rows, whatever the numbering
    assert ((codes[:, None] == codes[None, :]) == (expected[:, None] == expected[None, :])).all()
    assert ((codes == -1) == (expected == -1)).all()
    assert len(first) == len(uniques)
    for code, row in enumerate(first):
        assert codes[row] == code and not (codes[:row] == code).any()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["c1", "c2", "c3", None]), max_size=20), _IDS)
def test_codigos_conversacion_como_factorize(eventos: list[str | None], envios: list[str | None]) -> None:
    """The events' codes are factorize's; a send's code is its id's position among the events'
    ids, or past them when the id has no events; missing is -1."""
    ev_series, env_series = pd.Series(eventos, dtype="string"), pd.Series(envios, dtype="string")
    ev, ids, otros = codigos_conversacion(ev_series, env_series)
    expected, uniques = pd.factorize(ev_series, use_na_sentinel=True)
    assert ev.tolist() == expected.tolist()
    assert list(ids) == list(uniques)
    known = dict(zip(ids, range(len(ids)), strict=True))
    for value, code in zip(envios, otros.tolist(), strict=True):
        if value is None:
            assert code == -1
        elif value in known:
            assert code == known[value]
        else:
            assert code >= len(ids)
    new = [v for v in envios if v is not None and v not in known]
    assert len({c for c in otros.tolist() if c >= len(ids)}) == len(set(new))
    assert np.all(otros[[v is not None for v in envios]] >= 0)
