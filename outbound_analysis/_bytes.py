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
        data = chunk.buffers()[2]
        yield _offsets(chunk), np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)


def _offsets(chunk: pa.Array) -> np.ndarray:
    """Where each cell of a (non-empty) string chunk starts, and the last one ends, in its bytes."""
    wide = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64 if wide else np.int32)
    return offsets[chunk.offset : chunk.offset + len(chunk) + 1]


def alguno(text: pa.Array | pa.ChunkedArray, bytes_: np.ndarray) -> bool:
    """Whether some cell of ``text`` holds a byte marked in ``bytes_`` (a :func:`tabla`).

    >>> alguno(pa.array(["ab", "c<d", None]), tabla(b"<")), alguno(pa.array(["ab"]), tabla(b"<"))
    (True, False)
    """
    return any(bool(bytes_[data[offsets[0] : offsets[-1]]].any()) for offsets, data in _partes(text))


def en_borde(text: pa.Array | pa.ChunkedArray, bytes_: np.ndarray, fin: bool | np.ndarray = True) -> bool:
    """Whether some non-empty cell of ``text`` starts with a byte marked in ``bytes_`` or ends
    with one marked in ``fin`` (``True``: the same table; ``False``: the end is not looked at).

    >>> en_borde(pa.array(["a ", "b"]), tabla(b" ")), en_borde(pa.array(["a ", "b"]), tabla(b" "), fin=False)
    (True, False)
    """
    final = bytes_ if fin is True else fin
    for offsets, data in _partes(text):
        if not len(data):
            continue
        # an empty cell's "first byte" is the next cell's, its "last" the previous one's: looked
        # at anyway (or, at the ends, clipped: at most a false alarm), so no filtering is needed
        if bytes_[data[np.minimum(offsets[:-1], len(data) - 1)]].any():
            return True
        if final is not False and final[data[np.maximum(offsets[1:] - 1, 0)]].any():  # type: ignore[index]
            return True
    return False


def sin_vacias(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """``text`` (a string column) with its empty cells null. The text is not copied: only
    each chunk's validity (and, for a slice, its offsets) is new.

    >>> sin_vacias(pa.chunked_array([["a", "", None], []])).to_pylist()
    ['a', None, None]
    """
    out = []
    for chunk in text.chunks:
        if not len(chunk):
            out.append(chunk)
            continue
        offsets = _offsets(chunk)
        full = offsets[1:] > offsets[:-1]
        if chunk.null_count:
            full &= chunk.is_valid().to_numpy(zero_copy_only=False)
        if chunk.null_count == len(chunk) - int(full.sum()):  # no empty text
            out.append(chunk)
            continue
        validity = pa.py_buffer(np.packbits(full, bitorder="little"))
        data = chunk.buffers()[2]
        out.append(pa.Array.from_buffers(chunk.type, len(chunk), [validity, pa.py_buffer(offsets), data]))
    return pa.chunked_array(out, type=text.type)


def celdas_de_ancho(text: pa.Array, ancho: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The bytes of each present cell of ``text`` as the rows of a matrix, and which cells are
    present, when every present cell has exactly ``ancho`` bytes (None otherwise).

    >>> cells, present = celdas_de_ancho(pa.array(["ab", None, "cd"]), 2)
    >>> cells.tobytes(), present.tolist()
    (b'abcd', [True, False, True])
    """
    present = text.is_valid().to_numpy(zero_copy_only=False)
    if not present.any():
        return np.zeros((0, ancho), dtype=np.uint8), present
    offsets, data = next(iter(_partes(text)))
    lengths = np.diff(offsets)
    if not (lengths[present] == ancho).all():
        return None
    if not lengths[~present].any():  # the present cells lie side by side: a view of the bytes
        return data[offsets[0] : offsets[-1]].reshape(-1, ancho), present
    return data[offsets[:-1][present, None] + np.arange(ancho)], present


def mas_largo(text: pa.Array | pa.ChunkedArray) -> int:
    """The most bytes a cell of ``text`` has (0 when none).

    >>> mas_largo(pa.array(["ab", "ñandú", None]))
    7
    """
    return max((int(np.diff(offsets).max()) for offsets, _ in _partes(text)), default=0)
