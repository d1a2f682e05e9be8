"""Cells as text for the CSV and JSON exports: local ISO timestamps, joined lists, formula-safe text.

Pure: frames and series in, frames and series out (:mod:`.exports` and :mod:`._json` write them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import _bytes
from ._convert import arrow_of


def offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def iso_local(series: pd.Series) -> pd.Series:
    """Timestamps as ``YYYY-MM-DDTHH:MM:SS±HH:MM`` in their own zone (vectorized in Arrow).

    Empty and all-null columns of any dtype (Arrow null, object, datetime with or
    without zone) give an all-NA text column: nothing to format, and no Arrow kernel
    ever sees a null-typed array.
    """
    if series.isna().all():
        return pd.Series(pd.NA, index=series.index, dtype="string")
    numpy_backed = not isinstance(series.dtype, pd.ArrowDtype)
    if not (numpy_backed and pd.api.types.is_datetime64_any_dtype(series.dtype)):
        try:  # Arrow timestamps, object columns of Timestamps
            series = pd.to_datetime(series)
        except (TypeError, ValueError):  # Timestamps of several zones: each with its own offset
            iso = series.map(lambda v: v if pd.isna(v) else pd.Timestamp(v).isoformat())
            return iso.astype("string")
    tz_aware = isinstance(series.dtype, pd.DatetimeTZDtype)
    local = series.dt.tz_localize(None) if tz_aware else series
    # a cast to text is several times faster than strftime; it writes a space at position 10
    seconds = pa.array(local.to_numpy(dtype="datetime64[s]"), type=pa.timestamp("s"), from_pandas=True)
    text = pc.cast(seconds, pa.string())
    text = pc.utf8_replace_slice(text, start=10, stop=11, replacement="T")
    if tz_aware:
        utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
        missing = series.isna().to_numpy()
        minutes = (local - utc).to_numpy(dtype="timedelta64[m]").astype(np.int64)
        present = minutes[~missing]
        if present.min() == present.max():  # one offset (a zone without summer time): no lookup
            text = pc.binary_join_element_wise(text, offset_text(int(present[0])), "")
        else:
            minutes[missing] = 0  # NaT rows stay null through ``text``; any offset will do
            distinct = np.unique(minutes)
            labels = pa.array([offset_text(int(m)) for m in distinct], type=pa.string())
            offsets = pc.take(labels, pa.array(np.searchsorted(distinct, minutes), type=pa.int64()))
            text = pc.binary_join_element_wise(text, offsets, "")
    return pd.Series(text, index=series.index, dtype="string")


def joined(series: pd.Series) -> pd.Series:
    """List cells as ``a|b`` text."""
    arr = (
        arrow_of(series)
        if isinstance(series.dtype, pd.ArrowDtype)
        else (pa.chunked_array([pa.array(series.tolist(), type=pa.list_(pa.string()))]))
    )
    return pd.Series(pc.binary_join(arr, "|"), index=series.index, dtype="string")


def is_list(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_list(series.dtype.pyarrow_dtype)


def for_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy ready for CSV: timestamps as local ISO text, lists joined by ``|``.

    Categories stay categories: Arrow and pandas write their values.
    """
    out = {}
    for name in frame.columns:
        s = frame[name]
        if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s):
            out[name] = iso_local(s)
        elif is_list(s):
            out[name] = joined(s)
        else:
            out[name] = s
    return pd.DataFrame(out, index=frame.index)


#: first characters that make a spreadsheet read a text cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = _bytes.tabla("".join(FORMULA_START).encode())


def is_text(series: pd.Series) -> bool:
    """Text cells for the CSV: strings, categories and joined lists; never numbers or booleans."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    if is_list(series):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
    if isinstance(dtype, pd.StringDtype):
        return True
    if not pd.api.types.is_object_dtype(dtype):
        return False
    return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def formula_safe(series: pd.Series) -> pd.Series:
    """Text cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a CR get a leading ``'``.

    A spreadsheet would run them as formulas (customers write ``mensaje`` and ``opcion``).

    >>> formula_safe(pd.Series(["=1+1", "+5491155550000", "hola", None], dtype="string")).tolist()
    ["'=1+1", "'+5491155550000", 'hola', <NA>]
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        if not any(str(c).startswith(FORMULA_START) for c in series.cat.categories):
            return series  # nothing to change: keep the (cheap) categories
        series = series.astype("string")
    text = pa.array(series.astype("string").array)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if not _bytes.en_borde(text, _FORMULA, fin=False):
        return series
    escaped = pc.replace_substring_regex(text, r"^([=+\-@\t\r])", r"'\1")
    return pd.Series(escaped, index=series.index, dtype="string")


def for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`for_text`, with every text cell made :func:`formula_safe`."""
    text = for_text(frame)
    for name in frame.columns:
        if is_text(frame[name]):
            text[name] = formula_safe(text[name])
    return text
