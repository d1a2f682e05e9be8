"""The shortcuts for text with nothing to escape or trim (:mod:`outbound_analysis._bytes`) give
exactly the cells of their general paths, whatever the text: XLSX, JSON, the CSV's formula guard
and the loader's trimming."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from outbound_analysis import _bytes, _celdas, _convert, _fechas, _json, _xlsx

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
    escaped = _xlsx._xml_text(text)  # the general path: every escape, then a regex for xml:space
    preserve = pc.fill_null(pc.match_substring_regex(escaped, _xlsx._NEEDS_PRESERVE), False)
    opening = pc.if_else(preserve, _xlsx._INLINE_PRESERVE, _xlsx._INLINE)
    expected = pc.binary_join_element_wise(opening, escaped, "</t></is></c>", "")
    series = pd.Series(pd.array(text.to_pylist(), dtype="string"))
    got = _xlsx._cells("text", series, None, _xlsx.Compartidas())
    assert got.to_pylist() == pc.fill_null(expected, _xlsx.VACIA).to_pylist()


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


# every whitespace the loader trims, at either edge, among ordinary text and empty cells
ESPACIADO = st.text(alphabet=st.sampled_from([*"añ😀0", *map(chr, _convert.ESPACIOS)]), max_size=5)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), ESPACIADO, st.sampled_from(["", "12", "ñá"])), max_size=8), max_size=3
    ),
    st.integers(0, 2),
)
def test_loader_text_equals_trimming_every_cell(chunks, start):
    arr = pa.chunked_array([pa.array(c, type=pa.string()) for c in chunks], type=pa.string())
    arr = arr.slice(min(start, len(arr)))  # chunks that do not start at offset 0
    trimmed = pc.utf8_trim_whitespace(arr)
    expected = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    got = _convert.as_text(arr)
    assert got.type == pa.string()
    assert got.to_pylist() == expected.to_pylist()
    assert got.is_valid().to_pylist() == expected.is_valid().to_pylist()


def test_the_whitespace_list_is_what_arrow_trims():
    # every code point (surrogates aside) after an "x": the trimmed ones are the list
    points = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    trimmed = pc.utf8_length(pc.utf8_trim_whitespace(pa.array(["x" + chr(c) for c in points])))
    assert [points[i] for i in np.flatnonzero(trimmed.to_numpy() == 1)] == list(_convert.ESPACIOS)


def test_text_with_nothing_to_trim_is_not_copied():
    arr = pa.chunked_array([pa.array(["549", "", None, "web-1"])])
    got = _convert.as_text(arr)
    assert got.to_pylist() == ["549", None, None, "web-1"]
    assert got.chunk(0).buffers()[2].address == arr.chunk(0).buffers()[2].address


TZ = "America/Argentina/Buenos_Aires"
DOS = st.integers(0, 39).map("{:02d}".format)  # impossible days, months, hours and minutes too
FECHA = st.builds(
    lambda d, m, y, hh, mi, ss, sep: f"{d}/{m}/{y}{sep}{hh}:{mi}:{ss}",
    DOS, DOS, st.sampled_from(["1899", "1900", "2024", "2026", "2200"]), DOS, DOS, DOS,
    st.sampled_from([" ", " ", "T"]),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), FECHA), max_size=10), st.integers(0, 2))
def test_platform_dates_read_from_bytes_equal_the_general_parser(values, start):
    text = pa.array(values, type=pa.string()).slice(min(start, len(values)))
    fast = _fechas._dmy_fijo(text, TZ)
    general = _fechas._parse_dmy(text, TZ)  # the row-by-row parser: a null where a date is impossible
    if fast is None:  # only when some present cell is not a date the fast path can vouch for
        assert (general.null_count > text.null_count) or any(
            "T" in v or v[6:10] == "1899" for v in text.to_pylist() if v
        )
    else:
        assert fast.to_pylist() == general.to_pylist()


def test_the_platform_date_format_takes_the_byte_path():
    got = _fechas._dmy_fijo(pa.array(["01/08/2026 00:37:41", None, "31/12/2025 23:59:59"]), TZ)
    assert got is not None
    assert got.cast(pa.timestamp("us", tz="UTC")).to_pylist()[0].isoformat() == "2026-08-01T03:37:41+00:00"
    assert got.null_count == 1
