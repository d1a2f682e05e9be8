"""Column converters: raw Arrow columns of one file -> canonical pandas columns.

Every converter is vectorized: labels are mapped on the distinct values only
(dictionary encoding), timestamps are parsed in :mod:`._fechas`.
A converter never invents a value: what it cannot read is returned as an ``invalid``
mask with a Spanish reason, and the loader rejects those rows.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import _bytes
from ._text import key
from .schema import CANAL_LABELS, CODE_LABELS, Column

STRING = pd.StringDtype("pyarrow")
LIST = pd.ArrowDtype(pa.list_(pa.string()))

TRUE_KEYS = frozenset({"true", "1", "1_0", "si", "s", "yes", "y", "x", "verdadero", "v", "t"})
FALSE_KEYS = frozenset({"false", "0", "0_0", "no", "n", "falso", "f"})

_PHONE_LIKE = r"^\+?\(?[0-9][0-9 ()./-]{5,}$"  # also "(011) 4555-0000"
#: Years a timestamp may have (inclusive); outside them a value is never turned into a date.
YEAR_MIN, YEAR_MAX = 1900, 2200
OUT_OF_RANGE_REASON = (
    f"fecha fuera de los años {YEAR_MIN} a {YEAR_MAX}: no se convierte a otra fecha "
    "(9999-12-31 suele significar «sin fecha»)"
)


@dataclass
class Converted:
    """A canonical column of one file and the rows whose value could not be read."""

    series: pd.Series
    invalid: np.ndarray | None = None
    reason: str = ""
    #: for the ``canal`` column: the line split off a label such as ``WA +5491155550000``
    linea: pd.Series | None = None
    #: for timestamps: values outside the years 1900-2200 (left empty, never another date)
    out_of_range: np.ndarray | None = None


def arrow_of(series: pd.Series) -> pa.ChunkedArray:
    """The Arrow data behind an Arrow-backed Series (no copy)."""
    arr = series.array.__arrow_array__()
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def texto_arrow(values: pd.Series) -> pa.Array:
    """A text column as one Arrow ``large_string`` array (no copy when it is Arrow-backed already)."""
    arr = pa.array(values.astype("string").array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


def en_un_bloque(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each Arrow-backed column in one contiguous chunk (columns replaced in place).

    Readers give one chunk per block read (a JSON file of 1.8 million eventos: 501 chunks),
    and Arrow's ``take`` of scattered rows from a column of many chunks is many times slower
    (450,000 messages: 3.2 s against 0.13 s). Every selection takes rows, so the loaded data
    is joined once. Text of 2 GB or more moves to 64-bit offsets to fit in one chunk. Two
    columns are joined at a time (Arrow releases the GIL).
    """
    chunked = {}
    for name in frame.columns:
        dtype = frame[name].dtype
        if not isinstance(dtype, pd.ArrowDtype | pd.StringDtype) or getattr(dtype, "storage", "") == "python":
            continue
        arr = arrow_of(frame[name])
        if arr.num_chunks > 1:
            chunked[name] = arr
    with ThreadPoolExecutor(max_workers=2) as pool:
        joined = dict(zip(chunked, pool.map(_un_bloque, chunked.values()), strict=True))
    for name, arr in joined.items():
        frame[name] = pd.Series(frame[name].dtype.__from_arrow__(arr), index=frame.index)
    return frame


def _un_bloque(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(arr.type) and arr.nbytes >= 2**31 - 1:
        arr = arr.cast(pa.large_string())
    return pa.chunked_array([arr.combine_chunks()])


def enteros_de_ids(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which ids are plain integers (digits, no leading zero, up to 18 of them) and their
    values (0 elsewhere): the part of :func:`codigos_de_ids` that can run per file.

    >>> plain, values = enteros_de_ids(pd.Series(["549111", "web-1", None, "0549"], dtype="string"))
    >>> plain.tolist(), values.tolist()
    ([True, False, False, False], [549111, 0, 0, 0])
    """
    return _enteros_de(_un_arreglo(ids))


def _un_arreglo(series: pd.Series) -> pa.Array:
    """An Arrow-backed column as one Arrow array (joined only when in several chunks)."""
    arr = arrow_of(series)
    return arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)


def _enteros_de(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    plain = _enteros(arr).to_numpy(zero_copy_only=False)
    if plain.all():
        return plain, pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False)
    values = np.zeros(len(arr), dtype=np.int64)
    if plain.any():
        values[plain] = pc.cast(arr.filter(pa.array(plain)), pa.int64()).to_numpy(zero_copy_only=False)
    return plain, values


def codigos_de_ids(
    ids: pd.Series | None, enteros: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A code per row (equal codes for equal texts; -1 for a missing id) and each code's first row.

    Ids written as plain integers (digits, no leading zero, up to 18 of them: phones, a
    platform's usual ids) are coded by their value, several times faster than hashing the
    texts; any other id by its text. ``enteros`` is :func:`enteros_de_ids` of ``ids`` when
    already known; then ``ids`` is read only if some id is not a plain integer.

    >>> ids = pd.Series(["549111", "web-1", None, "549111", "0549111"], dtype="string")
    >>> codes, first = codigos_de_ids(ids)
    >>> codes.tolist(), first.tolist()
    ([0, 1, -1, 0, 2], [0, 1, 4])
    """
    arr = None
    if enteros is None:
        arr = _un_arreglo(ids)  # type: ignore[arg-type]
        enteros = _enteros_de(arr)
    as_int, values = enteros
    codes = np.full(len(as_int), -1, dtype=np.int64)
    firsts = []
    if as_int.any():
        by_value, _ = pd.factorize(values[as_int] if not as_int.all() else values)
        codes[as_int] = by_value
        firsts.append(np.flatnonzero(as_int)[_estrenos(by_value)])
    if not as_int.all():
        arr = arr if arr is not None else _un_arreglo(ids)  # type: ignore[arg-type]
        other = np.flatnonzero(~as_int & arr.is_valid().to_numpy(zero_copy_only=False))
        if len(other):
            encoded = pc.dictionary_encode(arr.take(pa.array(other)))
            by_text = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
            codes[other] = by_text + sum(map(len, firsts))
            firsts.append(other[_estrenos(by_text)])
    return codes, np.concatenate(firsts) if firsts else np.zeros(0, dtype=np.int64)


def _enteros(arr: pa.Array) -> pa.BooleanArray:
    """Which texts are plain integers: digits only, no leading zero, up to 18 of them (an int64)."""
    length = pc.utf8_length(arr)
    leading_zero = pc.and_(pc.starts_with(arr, "0"), pc.greater(length, 1))
    plain = pc.and_(pc.and_(pc.ascii_is_decimal(arr), pc.less_equal(length, 18)), pc.invert(leading_zero))
    return pc.fill_null(plain, False)


def orden_de_texto(arr: pa.Array) -> np.ndarray:
    """Positions of ``arr``'s texts in code-point order, equal texts in row order, missing last
    (what ``pyarrow.compute.sort_indices`` gives), sorting plain integers as numbers.

    Digits of length L and value v sort as (v * 10**(18 - L), L): a shorter text that is a
    prefix of a longer one comes first, as in code-point order. Texts starting with a byte
    below "0" go before every number, above "9" after; one that starts with a digit and is
    not a plain integer sorts everything as text. Sorting 342,000 contact ids as text: 0.2 s.

    >>> orden_de_texto(pa.array(["55", "web", "549", None, "+54", "5490", "1"])).tolist()
    [4, 6, 2, 5, 0, 1, 3]
    """
    plain = _enteros(arr)
    is_int = plain.to_numpy(zero_copy_only=False)
    if not is_int.any():
        return pc.sort_indices(arr).to_numpy()
    rest = np.flatnonzero(~is_int & arr.is_valid().to_numpy(zero_copy_only=False))
    texts = arr.take(pa.array(rest))
    first = pc.utf8_slice_codeunits(texts, 0, 1)
    if pc.any(pc.ascii_is_decimal(first)).as_py():
        return pc.sort_indices(arr).to_numpy()
    rest = rest[pc.sort_indices(texts).to_numpy()]
    before = pc.less(pc.utf8_slice_codeunits(arr.take(pa.array(rest)), 0, 1), "0").to_numpy(
        zero_copy_only=False
    )
    numbers = arr.filter(plain)
    length = pc.utf8_length(numbers).to_numpy().astype(np.int64)
    key = pc.cast(numbers, pa.int64()).to_numpy() * np.power(10, 18 - length, dtype=np.int64)
    ints = np.flatnonzero(is_int)[np.lexsort((length, key))]
    return np.concatenate(
        [rest[before], ints, rest[~before], np.flatnonzero(~arr.is_valid().to_numpy(zero_copy_only=False))]
    )


def _estrenos(codes: np.ndarray) -> np.ndarray:
    """Positions where each code first appears, for codes numbered in order of first appearance
    (factorize's and a dictionary encoding's): where a code exceeds every earlier one.

    A running maximum instead of ``np.unique(return_index=True)``'s sort (a million ids: 0.1 s).

    >>> _estrenos(np.array([0, 1, 0, 2, 1])).tolist()
    [0, 1, 3]
    """
    new = np.ones(len(codes), dtype=bool)
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    return np.flatnonzero(new)


#: what ``utf8_trim_whitespace`` trims (Unicode's White_Space and the four information
#: separators; ``tests/test_convert.py`` checks the list against the kernel)
ESPACIOS = (
    *range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
)  # fmt: skip
# the first and the last UTF-8 byte of each: a text with neither at an edge has nothing to trim
_ESPACIO_INICIAL = _bytes.tabla(chr(c).encode()[0] for c in ESPACIOS)
_ESPACIO_FINAL = _bytes.tabla(chr(c).encode()[-1] for c in ESPACIOS)


def as_text(arr: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """Any Arrow column as trimmed strings; empty strings become null.

    Integral floats (Excel stores phone numbers as numbers) lose their ``.0``.
    """
    if isinstance(arr, pa.Array):
        arr = pa.chunked_array([arr])
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.cast(t.value_type)
        t = arr.type
    if pa.types.is_null(t):
        return pa.chunked_array([pa.nulls(len(arr), pa.string())])
    if pa.types.is_floating(t):
        as_int = pc.cast(arr, pa.int64(), safe=False)
        integral = pc.equal(pc.cast(as_int, t), arr)
        arr = pc.if_else(integral, pc.cast(as_int, pa.string()), pc.cast(arr, pa.string()))
    elif pa.types.is_large_string(t) or not pa.types.is_string(t):
        arr = pc.cast(arr, pa.string())
    elif not _bytes.en_borde(arr, _ESPACIO_INICIAL, fin=_ESPACIO_FINAL):  # nothing to trim
        return _bytes.sin_vacias(arr)
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _map_distinct(
    text: pa.ChunkedArray, fn: Callable[[str], object], out_type: pa.DataType
) -> tuple[pa.Array, np.ndarray, list[str]]:
    """Apply ``fn`` to each distinct value; ``fn`` returns ``_INVALID`` for values it rejects.

    Returns the mapped array, the invalid-row mask and the distinct invalid values.
    """
    encoded = pc.dictionary_encode(text.combine_chunks())
    distinct = encoded.dictionary.to_pylist()
    mapped = [fn(v) for v in distinct]
    bad = np.array([m is _INVALID for m in mapped], dtype=bool)
    clean = [None if m is _INVALID else m for m in mapped]
    values = pc.take(pa.array(clean, type=out_type), encoded.indices)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    valid_index = ~pd.isna(indices)
    invalid = np.zeros(len(text), dtype=bool)
    invalid[valid_index] = bad[indices[valid_index].astype(np.int64)]
    return values, invalid, [v for v, b in zip(distinct, bad, strict=True) if b]


_INVALID = object()


def to_id(arr: pa.ChunkedArray, column: Column) -> Converted:
    """Identifiers as strings; phone-like contact ids reduced to their digits.

    ``"+54 9 11 5555-0000"`` and ``"5491155550000"`` are the same contact.
    """
    text = as_text(arr)
    if column.name == "contacto_id" and not pc.all(pc.fill_null(pc.ascii_is_decimal(text), True)).as_py():
        phone = pc.fill_null(pc.match_substring_regex(text, _PHONE_LIKE), False)
        digits = pc.replace_substring_regex(text, r"[^0-9]", "")
        text = pc.if_else(phone, digits, text)
    return Converted(pd.Series(text, dtype=STRING))


def to_text(arr: pa.ChunkedArray, column: Column) -> Converted:
    """Free text or repeated names, trimmed (category dtype is applied after concatenation)."""
    return Converted(pd.Series(as_text(arr), dtype=STRING))


def code_of(value: str, column: Column) -> object:
    """Code for a platform label of ``column``, or ``_INVALID`` when the column has a fixed set.

    >>> from .schema import ENVIOS
    >>> code_of("Campaña de flujo", ENVIOS[3])
    'flujo'
    """
    k = key(value)
    code = CODE_LABELS.get(column.name, {}).get(k, k)
    if column.codes is not None and code not in column.codes:
        return _INVALID
    return code or _INVALID


def to_code(arr: pa.ChunkedArray, column: Column) -> Converted:
    """Codes from codes or platform labels; an unknown value is reported, never guessed."""
    values, invalid, _ = _map_distinct(as_text(arr), lambda v: code_of(v, column), pa.string())
    reason = "valor desconocido; códigos aceptados: " + ", ".join(column.codes or ())
    return Converted(pd.Series(values, dtype=STRING), invalid, reason)


def split_canal(value: str) -> tuple[str, str | None]:
    """Platform code and line of a channel label.

    >>> split_canal("WA +5491155550000")
    ('WA', '+5491155550000')
    >>> split_canal("Instagram")
    ('IG', None)
    """
    head, _, rest = value.strip().partition(" ")
    code = CANAL_LABELS.get(key(head), head.upper())
    return code, (rest.strip() or None)


def to_canal(arr: pa.ChunkedArray, column: Column) -> Converted:
    """Upper-case platform code; a label like ``WA +549...`` also yields its line."""
    text = as_text(arr)
    codes, _, _ = _map_distinct(text, lambda v: split_canal(v)[0], pa.string())
    lines, _, _ = _map_distinct(text, lambda v: split_canal(v)[1], pa.string())
    return Converted(pd.Series(codes, dtype=STRING), linea=pd.Series(lines, dtype=STRING))


def bool_of(value: str) -> object:
    """True/False for a yes/no label, ``_INVALID`` otherwise.

    >>> bool_of("Sí"), bool_of("0"), bool_of("x")
    (True, False, True)
    """
    k = key(value)
    if k in TRUE_KEYS:
        return True
    if k in FALSE_KEYS:
        return False
    return _INVALID


def to_bool(arr: pa.ChunkedArray, column: Column) -> Converted:
    """Nullable booleans; empty stays NA ("no informado"), never False."""
    if pa.types.is_boolean(arr.type):
        return Converted(_boolean_series(arr.combine_chunks()))
    values, invalid, _ = _map_distinct(as_text(arr), bool_of, pa.bool_())
    reason = "no es un valor sí/no (se aceptan true/false, 1/0, sí/si/no, yes/no, x o vacío)"
    return Converted(_boolean_series(values), invalid, reason)


def _boolean_series(values: pa.Array) -> pd.Series:
    data = pc.fill_null(values, False).to_numpy(zero_copy_only=False)
    mask = pc.is_null(values).to_numpy(zero_copy_only=False)
    return pd.Series(pd.arrays.BooleanArray(data, mask))


def to_list(arr: pa.ChunkedArray, column: Column) -> Converted:
    """Lists of labels; text is split on ``|`` or ``,`` and each item trimmed."""
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        items = pc.list_flatten(arr)
        offsets = arr.combine_chunks().offsets
        lst = pa.ListArray.from_arrays(offsets, as_text(items).combine_chunks())
    else:
        text = as_text(arr).combine_chunks()
        lst = pc.split_pattern_regex(text, r"\s*[|,]\s*")
    # drop empty items ("a||b", trailing separators)
    flat = pc.list_flatten(lst)
    parent = pc.list_parent_indices(lst)
    keep = pc.and_(pc.is_valid(flat), pc.not_equal(pc.fill_null(flat, ""), ""))
    flat_kept = pc.filter(flat, keep)
    parent_kept = pc.filter(parent, keep).to_numpy(zero_copy_only=False)
    counts = np.bincount(parent_kept, minlength=len(lst)) if len(lst) else np.zeros(0, int)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    rebuilt = pa.ListArray.from_arrays(pa.array(offsets), flat_kept.cast(pa.string()))
    is_null = pc.or_(pc.is_null(lst), pc.equal(pa.array(counts), 0))
    rebuilt = pc.if_else(is_null, pa.scalar(None, rebuilt.type), rebuilt)
    return Converted(pd.Series(rebuilt, dtype=LIST))
