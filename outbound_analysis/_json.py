"""The JSON export: records, lists as arrays, NA as null, timestamps as local ISO text.

Built with Arrow's string functions, with the same bytes as pandas' writer
(``to_json(orient="records", force_ascii=False)``: its escapes, ``\\/`` included, and its number
format); a column Arrow cannot write (Python objects) falls back to pandas' writer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import _bytes
from ._celdas import for_text, is_list, is_text
from ._convert import arrow_of

JSON_CHUNK = 100_000

#: JSON escapes of pandas' writer (ujson): quote, backslash, slash, the short control escapes
_JSON_ESCAPES = [
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("/", "\\/"),
    ("\n", "\\n"),
    ("\t", "\\t"),
    ("\r", "\\r"),
    ("\b", "\\b"),
    ("\f", "\\f"),
]
#: a backslash, a quote, a slash or a control character: what the writer escapes
_NEEDS_ESCAPE = _bytes.tabla([*_bytes.CONTROL, *b'\\"/'])
_CONTROL = _bytes.tabla(_bytes.CONTROL)


def json_strings(values: pa.Array) -> pa.Array:
    """Text as JSON string literals, escaped as pandas' writer does (non-ASCII kept as is)."""
    text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    if not _bytes.alguno(text, _NEEDS_ESCAPE):
        return pc.binary_join_element_wise('"', text, '"', "")  # nothing to escape (ids, dates)
    for raw, escaped in _JSON_ESCAPES:
        text = pc.replace_substring(text, raw, escaped)
    if _bytes.alguno(text, _CONTROL):
        for code in [*range(0, 8), 11, *range(14, 32)]:
            text = pc.replace_substring(text, chr(code), f"\\u{code:04x}")
    return pc.binary_join_element_wise('"', text, '"', "")


def json_values(series: pd.Series) -> pa.Array | None:
    """Each cell of a column as JSON text (null for NA), or None for a column left to pandas."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if not (len(dtype.categories) == 0 or pd.api.types.infer_dtype(dtype.categories) == "string"):
            return None
        codes = pa.array(series.cat.codes.to_numpy(), mask=series.isna().to_numpy())
        literals = json_strings(pa.array(dtype.categories.astype(object).tolist(), type=pa.string()))
        out = pc.take(literals, codes) if len(literals) else pa.nulls(len(series), pa.string())
    elif is_list(series):
        lists = arrow_of(series)
        lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
        if not pa.types.is_string(lists.type.value_type) or lists.flatten().null_count:
            return None
        inner = pa.ListArray.from_arrays(lists.offsets, json_strings(lists.flatten()), mask=lists.is_null())
        out = pc.binary_join_element_wise("[", pc.binary_join(inner, ","), "]", "")
    elif is_text(series) and not pd.api.types.is_object_dtype(dtype):
        text = pa.array(series.astype("string").array)
        out = json_strings(text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text)
    elif pd.api.types.is_bool_dtype(dtype):
        flags = pa.array(series.astype("boolean").array)
        out = pc.if_else(flags, "true", "false")
    elif pd.api.types.is_integer_dtype(dtype):
        out = pc.cast(pa.array(series.astype("Int64").array), pa.string())
    elif pd.api.types.is_float_dtype(dtype):  # pandas' own number format, one column at a time
        body = series.reset_index(drop=True).to_json(orient="values")
        out = pa.array(body[1:-1].split(",") if len(series) else [], type=pa.string())
        out = pc.if_else(pc.equal(out, "null"), pa.scalar(None, pa.string()), out)
    else:
        return None
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def json_records(text: pd.DataFrame) -> memoryview | None:
    """``text.to_json(orient="records", force_ascii=False)`` in Arrow, as UTF-8 without its
    brackets (the records joined by commas, a view of Arrow's buffer: no copy); None when not
    possible."""
    columns = []
    for i, name in enumerate(text.columns):
        values = json_values(text[name])
        if values is None:
            return None
        key = ("{" if i == 0 else ",") + json.dumps(str(name), ensure_ascii=False).replace("/", "\\/") + ":"
        columns += [key, pc.fill_null(values, "null")]
    if not len(text):
        return memoryview(b"")
    if not columns:
        return memoryview(",".join(["{}"] * len(text)).encode())
    rows = pc.binary_join_element_wise(*columns, "},", "")  # each row with its comma
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[rows.offset : rows.offset + len(rows) + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    return memoryview(rows.buffers()[2])[start : end - 1]  # the last row's comma left out


def write_json(frame: pd.DataFrame | Iterable[pd.DataFrame], path: Path) -> Path:
    """JSON records; lists stay arrays, NA is null, timestamps local ISO text.

    Written in chunks so a million-row table never sits in memory as one JSON string.
    ``frame`` may be chunks (the same bytes as their concatenation).
    """
    chunks: Iterable[pd.DataFrame] = [frame] if isinstance(frame, pd.DataFrame) else frame
    with path.open("wb") as out:
        out.write(b"[")
        first = True
        for whole in chunks:
            lists = [c for c in whole.columns if is_list(whole[c])]
            for start in range(0, len(whole), JSON_CHUNK):
                part = whole.iloc[start : start + JSON_CHUNK]
                text = for_text(part.drop(columns=lists))
                for c in lists:
                    text[c] = part[c]
                body = json_records(text[list(whole.columns)])
                if body is None:  # a column of Python objects: pandas' writer
                    for c in lists:  # object column of Python lists: pandas writes them as arrays
                        text[c] = pd.Series(part[c].tolist(), index=part.index, dtype=object)
                    whole_json = text[list(whole.columns)].to_json(orient="records", force_ascii=False)
                    body = memoryview(whole_json.encode())[1:-1]
                if len(body):
                    if not first:
                        out.write(b",")
                    out.write(body)
                    first = False
        out.write(b"]")
    return path
