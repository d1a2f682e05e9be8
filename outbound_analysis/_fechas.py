"""Timestamps: raw Arrow text or timestamp columns of one file -> ``datetime64[ns, tz]``.

The whole column goes through one fast path when every value has one format (Arrow's ISO
casts; the platform's ``dd/mm/yyyy HH:MM:SS`` read from the bytes); otherwise each value is
parsed by the pattern it matches. Unreadable values are returned as ``invalid``; years
outside 1900-2200 as ``out_of_range`` (never turned into another date).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import _bytes
from ._convert import YEAR_MAX, YEAR_MIN, Converted, as_text
from .schema import Column

_ISO_OFFSET = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}(:?\d{2})?)$"
_ISO_NAIVE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
_DMY = (
    r"^(?P<d>\d{1,2})[/-](?P<m>\d{1,2})[/-](?P<y>\d{4})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
_YEAR_OF = (r"^(?P<y>\d{4})-\d{1,2}-\d{1,2}", r"^\d{1,2}[/-]\d{1,2}[/-](?P<y>\d{4})")
TIMESTAMP_HINT = "AAAA-MM-DD HH:MM[:SS] (con o sin zona, p. ej. -03:00 o Z) o dd/mm/aaaa [HH:MM[:SS]]"


def _try_cast(text: pa.Array, to: pa.DataType) -> pa.Array | None:
    try:
        return pc.cast(text, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _naive_to_utc_us(naive: pa.Array, tz: str) -> pa.Array:
    local = pc.assume_timezone(
        naive.cast(pa.timestamp("us")), timezone=tz, ambiguous="earliest", nonexistent="latest"
    )
    return local.cast(pa.int64())


def _parse_iso(text: pa.Array, tz: str, offset: bool) -> pa.Array:
    """ISO 8601 strings (all with, or all without, offset) -> UTC microseconds; null if invalid."""
    parsed = _try_cast(text, pa.timestamp("us", tz="UTC") if offset else pa.timestamp("us"))
    if parsed is None:  # one bad value spoils an Arrow cast: let pandas coerce row by row
        coerced = pd.to_datetime(
            pd.Series(text.to_pylist(), dtype=object),
            format="ISO8601",
            errors="coerce",
            utc=offset,
        )
        if offset:
            coerced = coerced.dt.tz_localize(None)
        parsed = pa.array(coerced.to_numpy(dtype="datetime64[us]"), from_pandas=True)
        if offset:
            parsed = parsed.cast(pa.timestamp("us", tz="UTC"))
    if offset:
        return parsed.cast(pa.int64())
    return _naive_to_utc_us(parsed, tz)


def _parse_dmy(text: pa.Array, tz: str) -> pa.Array:
    """``dd/mm/yyyy [HH:MM[:SS]]`` -> UTC microseconds; impossible dates (31/02) are null."""
    parts = pc.extract_regex(text, _DMY)

    def field(name: str) -> np.ndarray:
        raw = pc.struct_field(parts, name)
        raw = pc.if_else(pc.equal(raw, ""), pa.scalar(None, pa.string()), raw)
        return pc.fill_null(pc.cast(raw, pa.int64()), 0).to_numpy(zero_copy_only=False)

    local, ok = _local_micros(*(field(n) for n in ("y", "m", "d", "H", "M", "S")))
    ok &= pc.is_valid(parts).to_numpy(zero_copy_only=False)
    naive = pa.array(local, type=pa.timestamp("us"), mask=~ok)
    return _naive_to_utc_us(naive, tz)


def _local_micros(
    y: np.ndarray, m: np.ndarray, d: np.ndarray, hh: np.ndarray, mi: np.ndarray, ss: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Naive microseconds of each row's fields, and which rows are a real date and time
    (a year from 1900; no 31/02, no 24:00).

    >>> local, ok = _local_micros(*(np.array([v, v]) for v in (2026, 2, 28, 23, 59, 59)))
    >>> local.astype("datetime64[us]")[0], ok.tolist()
    (np.datetime64('2026-02-28T23:59:59.000000'), [True, True])
    """
    ok = (m >= 1) & (m <= 12) & (y >= 1900)
    month = np.where(ok, (y - 1970) * 12 + (m - 1), 0).astype("datetime64[M]")
    first_day = month.astype("datetime64[D]")
    days_in_month = ((month + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    ok &= (d >= 1) & (d <= days_in_month) & (hh < 24) & (mi < 60) & (ss < 60)
    local = (first_day.astype(np.int64) + d - 1) * 86_400_000_000 + (hh * 3600 + mi * 60 + ss) * 1_000_000
    return local, ok


_DMY_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
#: the platform's own format, read straight from the bytes: a digit where a 0 is
_DMY_FIJO = b"00/00/0000 00:00:00"
_CIFRAS = [i for i, b in enumerate(_DMY_FIJO) if b == ord("0")]
_SEPARADORES = [i for i, b in enumerate(_DMY_FIJO) if b != ord("0")]


def _dmy_fijo(text: pa.Array, tz: str) -> pa.Array | None:
    """``dd/mm/yyyy HH:MM:SS`` in every present cell -> UTC microseconds, from the bytes with
    NumPy (a quarter of ``strptime``'s time with its day check); None when some cell is
    written otherwise or is not a real date and time (the general path decides then)."""
    found = _bytes.celdas_de_ancho(text, len(_DMY_FIJO))
    if found is None:
        return None
    cells, present = found
    if not (cells[:, _SEPARADORES] == np.frombuffer(_DMY_FIJO, np.uint8)[_SEPARADORES]).all():
        return None
    digits = cells[:, _CIFRAS] - np.uint8(ord("0"))  # a byte below "0" wraps above 9
    if (digits > 9).any():
        return None
    n = digits.astype(np.int64)
    local, ok = _local_micros(
        n[:, 4] * 1000 + n[:, 5] * 100 + n[:, 6] * 10 + n[:, 7],
        n[:, 2] * 10 + n[:, 3],
        n[:, 0] * 10 + n[:, 1],
        n[:, 8] * 10 + n[:, 9],
        n[:, 10] * 10 + n[:, 11],
        n[:, 12] * 10 + n[:, 13],
    )
    if not ok.all():
        return None
    every = np.zeros(len(text), dtype=np.int64)
    every[present] = local
    return _naive_to_utc_us(pa.array(every, type=pa.timestamp("us"), mask=~present), tz)


def _whole_column(text: pa.Array, tz: str) -> pa.Array | None:
    """UTC microseconds when every present value has one same format, else None (fast path)."""
    nulls = text.null_count
    if nulls == len(text):
        return pc.cast(text, pa.int64())
    # a failing Arrow cast is slow: pick the candidate formats from the first value
    sample = pc.drop_null(text)[0].as_py()
    if re.match(_ISO_NAIVE, sample) or re.match(_ISO_OFFSET, sample):
        if re.match(_ISO_OFFSET, sample):
            aware = _try_cast(text, pa.timestamp("us", tz="UTC"))
            return None if aware is None else aware.cast(pa.int64())
        naive = _try_cast(text, pa.timestamp("us"))
        return None if naive is None else _naive_to_utc_us(naive, tz)
    if "/" not in sample:
        return None
    fixed = _dmy_fijo(text, tz)
    if fixed is not None:
        return fixed
    for fmt in _DMY_FORMATS:
        parsed = pc.strptime(text, format=fmt, unit="us", error_is_null=True)
        if parsed.null_count != nulls:
            continue
        # strptime rolls 31/02 over to 03/03: the day must survive the round trip
        day = pc.cast(pc.list_element(pc.split_pattern(text, "/", max_splits=1), 0), pa.int64())
        if pc.all(pc.fill_null(pc.equal(pc.day(parsed), day), True)).as_py():
            return _naive_to_utc_us(parsed, tz)
        return None
    return None


def _years_out_of_range(text: pa.Array) -> np.ndarray:
    """Text values whose year, as written, is outside 1900-2200 (for the row-by-row parsers,
    which would drop or wrap them)."""
    years = pa.nulls(len(text), pa.int64())
    for pattern in _YEAR_OF:
        found = pc.struct_field(pc.extract_regex(text, pattern), "y")
        found = pc.if_else(pc.equal(found, ""), pa.scalar(None, pa.string()), found)
        years = pc.coalesce(years, pc.cast(found, pa.int64()))
    outside = pc.or_(pc.less(years, YEAR_MIN), pc.greater(years, YEAR_MAX))
    return pc.fill_null(outside, False).to_numpy(zero_copy_only=False)


# UTC microseconds surely inside 1900-2200 in any zone; only values beyond need their local year
_SAFE_LOW = (np.datetime64(f"{YEAR_MIN}-01-02", "us") - np.datetime64(0, "us")).astype(np.int64)
_SAFE_HIGH = (np.datetime64(f"{YEAR_MAX}-12-30", "us") - np.datetime64(0, "us")).astype(np.int64)


def _checked(
    micros: pa.Array | np.ndarray, invalid: np.ndarray, tz: str
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Series of UTC microseconds whose year in ``tz`` is within 1900-2200, and the mask of those
    that are not (left empty: a nanosecond timestamp would wrap 9999-12-31 into 1816)."""
    if isinstance(micros, pa.Array | pa.ChunkedArray):
        micros = pc.fill_null(micros, _NAT).to_numpy(zero_copy_only=False)
    values = np.asarray(micros, dtype=np.int64)
    outside = (values < _SAFE_LOW) | (values > _SAFE_HIGH)  # the NaT sentinel is below too
    if outside.any():
        outside &= values != _NAT
        idx = np.flatnonzero(outside)
        local = (
            pa.array(values[idx], pa.int64())
            .cast(pa.timestamp("us", tz="UTC"))
            .cast(pa.timestamp("us", tz=tz))
        )
        years = pc.year(local).to_numpy(zero_copy_only=False)
        outside[idx] = (years < YEAR_MIN) | (years > YEAR_MAX)
        values = values.copy()
        values[outside] = _NAT
    return _micros_to_series(values, tz), invalid, outside


def parse_timestamps(arr: pa.ChunkedArray, tz: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Timestamps in zone ``tz``, the mask of values present but unreadable, and the mask of
    values outside the years 1900-2200 in ``tz`` (left empty: never converted to another date).

    Offsets are converted to ``tz``; naive values (and Excel datetime cells) are local.
    """
    n = len(arr)
    none = np.zeros(n, dtype=bool)
    if pa.types.is_timestamp(arr.type):
        col = arr.combine_chunks()
        if arr.type.tz:
            micros = col.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
        else:
            micros = _naive_to_utc_us(col, tz)
        return _checked(micros, none, tz)
    text = as_text(arr).combine_chunks()
    fast = _whole_column(text, tz)
    if fast is not None:
        return _checked(fast, none, tz)
    written = _years_out_of_range(text)
    if written.any():
        text = pc.if_else(pa.array(written), pa.scalar(None, pa.string()), text)
    present = pc.is_valid(text).to_numpy(zero_copy_only=False)
    result = np.full(n, _NAT, dtype=np.int64)
    done = ~present
    for pattern, parse in (
        (_ISO_NAIVE, lambda x: _parse_iso(x, tz, offset=False)),
        (_ISO_OFFSET, lambda x: _parse_iso(x, tz, offset=True)),
        (_DMY, lambda x: _parse_dmy(x, tz)),
    ):
        if done.all():
            break
        match = pc.fill_null(pc.match_substring_regex(text, pattern), False)
        idx = np.flatnonzero(match.to_numpy(zero_copy_only=False) & ~done)
        if not len(idx):
            continue
        subset = text if len(idx) == n else pc.take(text, pa.array(idx))
        micros = pc.fill_null(parse(subset), _NAT).to_numpy(zero_copy_only=False)
        result[idx] = micros
        done[idx] = True
    series, invalid, outside = _checked(result, present & (result == _NAT), tz)
    return series, invalid, outside | written


_NAT = np.iinfo(np.int64).min


def _micros_to_series(micros: np.ndarray, tz: str) -> pd.Series:
    """UTC microseconds (the NaT sentinel = missing) -> ``datetime64[ns, tz]``."""
    ns = micros * 1000
    ns[micros == _NAT] = _NAT
    return pd.Series(ns.view("datetime64[ns]"), copy=False).dt.tz_localize("UTC").dt.tz_convert(tz)


def to_timestamp(arr: pa.ChunkedArray, column: Column, tz: str) -> Converted:
    """Timestamps; unreadable values are ``invalid``, years outside 1900-2200 ``out_of_range``."""
    values, invalid, outside = parse_timestamps(arr, tz)
    reason = f"no es una fecha reconocible; se espera {TIMESTAMP_HINT}"
    return Converted(values, invalid, reason, out_of_range=outside)
