"""Deterministic demo data set in the style of the Atom platform's Outbound downloads.

:func:`generate` returns the truth as canonical frames (contract column names and types);
:func:`write` writes the files an analyst would download from the platform: monthly
``envios`` CSV downloads in two export styles (an older Windows-1252 ``;`` style for
August and September, a UTF-8 ``,`` ISO style for October and November), an overlapping
November download that repeats the last days of October (with a few rows whose status
changed in between), and the flow events as one ``.xlsx`` or as JSON lines files.

Everything is vectorized with numpy: conversations are expanded from a small catalog of
"path templates" (sequences of steps with relative time gaps), so a million sends take a
few seconds. The same ``(n_envios, seed)`` always gives the same bytes.

The package, one concern per module (each imports only the ones above it):

- ``_vocab``: the platform's vocabulary (codes and the labels the downloads write).
- ``_campaigns``: the campaign catalogue and the rates of the campaigns without events.
- ``_flows``: the conversation path templates, one function per flow family.
- ``_catalog``: those templates flattened into arrays.
- ``_model``: the behaviour model (sends, conversations, events, flags, file quirks).
- ``_frames``: the canonical frames :func:`generate` returns.
- ``_writers``: the platform's file formats :func:`write` writes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._frames import envios_frame, eventos_frame
from ._model import account_slice, build
from ._vocab import TZ
from ._writers import OWN_FILES, Limits, write_envios, write_json_lines, write_xlsx

__all__ = ["MAX_ROWS", "TZ", "XLSX_MAX_EVENTS", "generate", "write"]

#: Most rows one written file holds (the platform's download limit); bigger downloads are
#: split into ``_parte2``, ``_parte3``... (envios) or ``eventos_002.json``... (eventos).
MAX_ROWS = 1_000_000
#: Events up to this many rows are written as one ``eventos.xlsx``; more as JSON lines.
XLSX_MAX_EVENTS = 100_000
_CHUNK = 100_000  # rows formatted and written at a time


def generate(n_envios: int = 3000, seed: int = 7, *, tramo: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical (envios, eventos) frames: contract column names, one row per send / event,
    with the truth the files encode (timestamps tz-aware in America/Argentina/Buenos_Aires,
    booleans as pandas 'boolean' dtype with pd.NA for 'not reported', etiquetas as lists).
    Each envio_id appears once here (the overlap duplicates exist only in the written files).

    ``tramo`` k > 0 gives the k-th slice of a larger account (for scale benchmarks): drawn
    with seed ``seed + k``, envio_ids after those of slices 0..k-1 of the same size, and
    every date k x 17 weeks later (weekdays kept), so slices append into one store.
    """
    d = account_slice(build(n_envios, seed + tramo), tramo)
    return envios_frame(d), eventos_frame(d)


def write(directory: str | Path, n_envios: int = 3000, seed: int = 7, *, tramo: int = 0) -> list[Path]:
    """Write the platform-style files into directory (created if needed); return their paths
    in load order.

    Envios first (``envios_YYYY-MM[_parteK].csv`` by month), then eventos (``eventos.xlsx``
    or ``eventos_NNN.json``). Files of an earlier run with these names are removed first,
    so the directory holds one consistent data set. ``tramo``: as in :func:`generate`.
    """
    d = account_slice(build(n_envios, seed + tramo), tramo)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_file() and OWN_FILES.fullmatch(old.name):
            old.unlink()
    lim = Limits(max_rows=MAX_ROWS, chunk=_CHUNK)  # read at call time: tests change them
    paths = write_envios(d, out, lim)
    if d.e_conv.size <= XLSX_MAX_EVENTS:
        path = out / "eventos.xlsx"
        write_xlsx(d, path)
        paths.append(path)
    else:
        paths += write_json_lines(d, out, lim)
    return paths
