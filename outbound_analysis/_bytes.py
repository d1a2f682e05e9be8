"""Byte checks over Arrow string arrays: does any cell hold, start or end with one of some bytes?

The exports escape text (XML, JSON, spreadsheet formulas) with Arrow's string kernels, but
most columns (ids, phone numbers, dates as text) have nothing to escape. Asking that with a
regex costs about 130 ns a cell; one NumPy pass over the array's UTF-8 buffer, about a tenth
of that. A yes may be a false alarm (the bytes of a null slot are looked at too): the caller
then takes its general path, never a wrong shortcut.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa


def tabla(valores: Iterable[int]) -> np.ndarray:
    """A lookup table of 256 booleans, True at each byte of ``valores``.

    >>> int(tabla(b"&<>").sum())
    3
    """
    out = np.zeros(256, dtype=bool)
    out[list(valores)] = True
    return out


#: the control characters, U+0000 to U+001F (tab, line feed and carriage return included)
CONTROL = range(0x20)


def _partes(text: pa.Array | pa.ChunkedArray) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """Each chunk's offsets and UTF-8 bytes."""
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        if not len(chunk) or chunk.buffers()[1] is None:
            continue
        wide = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
        buffers = chunk.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)
        offsets = offsets[chunk.offset : chunk.offset + len(chunk) + 1]
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
        yield offsets, data


def alguno(text: pa.Array | pa.ChunkedArray, bytes_: np.ndarray) -> bool:
    """Whether some cell of ``text`` holds a byte marked in ``bytes_`` (a :func:`tabla`).

    >>> alguno(pa.array(["ab", "c<d", None]), tabla(b"<")), alguno(pa.array(["ab"]), tabla(b"<"))
    (True, False)
    """
    return any(bool(bytes_[data[offsets[0] : offsets[-1]]].any()) for offsets, data in _partes(text))


def en_borde(text: pa.Array | pa.ChunkedArray, bytes_: np.ndarray, fin: bool = True) -> bool:
    """Whether some non-empty cell of ``text`` starts (or, with ``fin``, ends) with a byte marked
    in ``bytes_``.

    >>> en_borde(pa.array(["a ", "b"]), tabla(b" ")), en_borde(pa.array(["a ", "b"]), tabla(b" "), fin=False)
    (True, False)
    """
    for offsets, data in _partes(text):
        starts, ends = offsets[:-1], offsets[1:]
        full = ends > starts
        if bytes_[data[starts[full]]].any() or (fin and bytes_[data[ends[full] - 1]].any()):
            return True
    return False


def mas_largo(text: pa.Array | pa.ChunkedArray) -> int:
    """The most bytes a cell of ``text`` has (0 when none).

    >>> mas_largo(pa.array(["ab", "ñandú", None]))
    7
    """
    return max((int(np.diff(offsets).max()) for offsets, _ in _partes(text)), default=0)
