"""The exports' shortcuts for text with nothing to escape (:mod:`outbound_analysis._bytes`) give
exactly the cells of their general paths, whatever the text: XLSX, JSON and the CSV's formula guard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from outbound_analysis import _bytes, _celdas, _json, _xlsx

# the characters every escape rule is about, among ordinary ones
LETRAS = list('ab ñ😀=+-@&<>"\\/\t\n\r\x00\x01\x1f\ufffe\uffff')
TEXTO = st.text(alphabet=st.sampled_from(LETRAS), max_size=6)
COLUMNAS = st.tuples(st.lists(st.one_of(st.none(), TEXTO), max_size=12), st.integers(0, 3))


def _texto(values: list[str | None], start: int) -> pa.Array:
    return pa.array(values, type=pa.string()).slice(min(start, len(values)))  # sliced: offsets not at 0


@settings(max_examples=300, deadline=None)
@given(COLUMNAS)
def test_xlsx_text_cells_equal_the_escaped_and_regex_checked_ones(columna):
    text = _texto(*columna)
    numbers = pc.cast(pa.array(np.arange(2, 2 + len(text))), pa.string())
    escaped = _xlsx._xml_text(text)  # the general path: every escape, then a regex for xml:space
    preserve = pc.fill_null(pc.match_substring_regex(escaped, _xlsx._NEEDS_PRESERVE), False)
    opening = pc.if_else(preserve, _xlsx._INLINE_PRESERVE, _xlsx._INLINE)
    expected = pc.binary_join_element_wise('<c r="A', numbers, opening, escaped, "</t></is></c>", "")
    series = pd.Series(pd.array(text.to_pylist(), dtype="string"))
    got = _xlsx._cells("text", series, "A", numbers, None, _xlsx.Compartidas())
    assert got.to_pylist() == pc.fill_null(expected, "").to_pylist()


@settings(max_examples=300, deadline=None)
@given(COLUMNAS)
def test_json_strings_equal_pandas_writer(columna):
    text = _texto(*columna)
    values = text.to_pylist()
    got = pc.fill_null(_json.json_strings(text), "null").to_pylist()
    expected = pd.Series(values, dtype=object).to_json(orient="values", force_ascii=False)
    assert "[" + ",".join(got) + "]" == expected


@settings(max_examples=300, deadline=None)
@given(COLUMNAS)
def test_formula_guard_quotes_exactly_the_cells_that_start_like_a_formula(columna):
    values = _texto(*columna).to_pylist()
    got = _celdas.formula_safe(pd.Series(values, dtype="string")).tolist()
    expected = [
        pd.NA if v is None else ("'" + v if v.startswith(_celdas.FORMULA_START) else v) for v in values
    ]
    assert got == expected


def test_a_null_slot_with_bytes_is_at_most_a_false_alarm():
    # Arrow may keep bytes under a null: the check then says "maybe", never "no" wrongly
    raw = pa.array(["<x>", "ok"], type=pa.string())
    masked = pa.Array.from_buffers(pa.string(), 2, [pa.array([False, True]).buffers()[1], *raw.buffers()[1:]])
    assert masked.to_pylist() == [None, "ok"]
    assert _bytes.alguno(masked, _bytes.tabla(b"<"))  # false alarm: the general path runs
    assert not _bytes.alguno(pa.array(["ok", None]), _bytes.tabla(b"<"))
