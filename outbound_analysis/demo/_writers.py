"""The platform's download formats: envios as monthly CSV files in the legacy (cp1252,
``;``) or modern (UTF-8, ``,``, ISO) style, split into parts past the row limit, and the
events as one ``.xlsx`` or as JSON lines files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import ENVIOS, EVENTOS
from ._campaigns import CAMPAIGNS
from ._catalog import catalog
from ._model import Data, conv_ids
from ._vocab import (
    AGENTS,
    AUTOR_LABELS,
    CHANNELS,
    ERROR_CODES,
    ESTADO_LABELS,
    ESTADOS,
    ETIQUETAS,
    FIN_LABELS,
    GROUPS,
    LEGACY_UNTIL,
    NAT,
    OFFSET_S,
    ORIGEN_LABELS,
    OVERLAP_DAYS,
    TIP_NAMES,
    TIP_TIPO,
    TIPO_LABELS,
    TIPOS,
    XLSX_CREATED,
)

_H_ENVIOS = {c.name: c.aliases[0] for c in ENVIOS}  # header the platform writes
_H_EVENTOS = {c.name: c.aliases[0] for c in EVENTOS}


@dataclass(frozen=True)
class _Style:
    """How one export writes envios."""

    legacy: bool  # True: cp1252, ";", dd/mm/yyyy, labels, Sí/No, one "Canal" label

    @property
    def sep(self) -> str:
        return ";" if self.legacy else ","

    @property
    def encoding(self) -> str:
        return "cp1252" if self.legacy else "utf-8-sig"

    @property
    def eol(self) -> str:
        return "\r\n" if self.legacy else "\n"


def _cells(vocab: Sequence[str | None], sep: str) -> np.ndarray:
    """CSV cells of vocab (quoted where needed), with "" appended for code -1."""
    out = []
    for v in [*vocab, None]:
        if v is None:
            out.append("")
        elif any(ch in v for ch in (sep, '"', "\n", "\r")):
            out.append('"' + v.replace('"', '""') + '"')
        else:
            out.append(v)
    return np.array(out, dtype=object)


def _strftime(local_s: np.ndarray, fmt: str) -> np.ndarray:
    """Format local seconds (``NAT`` = missing) with pyarrow; missing -> None."""
    arr = pa.array(local_s.view("datetime64[s]"), from_pandas=True)
    return pc.strftime(arr, format=fmt).to_numpy(zero_copy_only=False)


def _ts_cells(local_s: np.ndarray, legacy: bool, utc_row: np.ndarray) -> np.ndarray:
    if legacy:
        out = _strftime(local_s, "%d/%m/%Y %H:%M:%S")
    else:
        out = _strftime(local_s, "%Y-%m-%dT%H:%M:%S-03:00")
        if utc_row.any():
            utc = np.where(local_s == NAT, NAT, local_s + OFFSET_S)
            out[utc_row] = _strftime(utc[utc_row], "%Y-%m-%dT%H:%M:%SZ")
    out[local_s == NAT] = ""
    return out


def _envios_cells(
    d: Data, rows: np.ndarray, style: _Style, pending: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Cell strings of the envios rows, by header. ``pending`` marks rows written in
    their earlier, still pending, version (no outcome yet)."""
    cat = catalog()
    sep, legacy = style.sep, style.legacy
    keep = np.ones(rows.size, dtype=bool) if pending is None else ~pending

    def val(a: np.ndarray, empty: int = -1) -> np.ndarray:
        return np.where(keep, a[rows], empty)

    def ts(a: np.ndarray) -> np.ndarray:
        return _ts_cells(val(a, NAT), legacy, d.utc_row[rows])

    bools = _cells(["No", "Sí"] if legacy else ["false", "true"], sep)
    estado = np.where(keep, d.estado[rows], ESTADOS.index("pendiente"))
    tip = val(d.tip)
    agent = val(d.agent)
    agent_group = np.array([g for _, g in AGENTS])
    respondido = np.where(d.resp_blank[rows], -1, val(d.respondido))
    origenes = [c.origen for c in CAMPAIGNS]
    joiner = "|" if legacy else ","
    cols = {
        "envio_id": d.envio_id[rows].astype(str).astype(object),
        "fecha_envio": _ts_cells(d.local_s[rows], legacy, d.utc_row[rows]),
        "campana": _cells([c.name for c in CAMPAIGNS], sep)[d.camp[rows]],
        "origen": _cells([ORIGEN_LABELS[o] if legacy else o for o in origenes], sep)[d.camp[rows]],
    }
    if legacy:
        cols["canal"] = _cells([f"{c} {li}" for c, li in CHANNELS], sep)[d.chan[rows]]
    else:
        cols["canal"] = _cells([c for c, _ in CHANNELS], sep)[d.chan[rows]]
        cols["linea"] = _cells([li for _, li in CHANNELS], sep)[d.chan[rows]]
    cols |= {
        "contacto_id": d.contacto[rows],
        "estado": _cells(ESTADO_LABELS if legacy else ESTADOS, sep)[estado],
        "codigo_error": _cells(ERROR_CODES, sep)[val(d.error)],
        "conversacion_id": conv_ids(d, val(d.conv), ""),
        "conversacion_nueva": bools[val(d.nueva)],
        "leido": bools[val(d.leido)],
        "respondido": bools[respondido],
        "asignada": bools[val(d.asignada)],
        "fecha_lectura": ts(d.f_lectura),
        "fecha_respuesta": ts(d.f_respuesta),
        "fecha_asignacion": ts(d.f_asignacion),
        "grupo": _cells(GROUPS, sep)[np.where(agent >= 0, agent_group[agent], -1)],
        "agente": _cells([a for a, _ in AGENTS], sep)[agent],
        "tipificacion": _cells(TIP_NAMES, sep)[tip],
        "tipo_tipificacion": _cells([TIPO_LABELS[t] if legacy else t for t in TIPOS], sep)[
            np.where(tip >= 0, TIP_TIPO[tip], -1)
        ],
        "venta": bools[val(d.venta)],
        "etiquetas": _cells([joiner.join(cb) or None for cb in cat.combos], sep)[:-1][val(d.combo, 0)],
    }
    return {_H_ENVIOS[k]: v for k, v in cols.items()}


@dataclass(frozen=True)
class Limits:
    """How the writers split: the facade passes its ``MAX_ROWS`` and ``_CHUNK``."""

    max_rows: int  # most rows one written file holds
    chunk: int  # rows formatted and written at a time


def _write_lines(
    path: Path, header: str | None, chunks: Iterable[Sequence[np.ndarray]], sep: str, eol: str, encoding: str
) -> None:
    """Join each chunk's cell strings (one array per column) into lines and write them."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        if header is not None:
            fh.write(header + eol)
        for columns in chunks:
            parts = [c.tolist() for c in columns]
            if parts and parts[0]:
                fh.write(eol.join(map(sep.join, zip(*parts, strict=True))) + eol)


def _part_name(stem: str, part: int, suffix: str) -> str:
    return f"{stem}{'' if part == 1 else f'_parte{part}'}{suffix}"


def _envios_header(style: _Style) -> str:
    names = [c.name for c in ENVIOS if not (style.legacy and c.name == "linea")]
    return style.sep.join(_cells([_H_ENVIOS[c] for c in names], style.sep)[:-1])


def write_envios(d: Data, out: Path, lim: Limits) -> list[Path]:
    """One download per month of fecha_envio; the November one starts 3 days early."""
    month = (d.local_s // 86_400).astype("datetime64[D]").astype("datetime64[M]")
    paths: list[Path] = []
    for m in np.unique(month):
        label = str(m)  # "2026-08"
        style = _Style(legacy=label <= LEGACY_UNTIL)
        rows = np.flatnonzero(month == m)
        pending = d.conflict[rows]  # first download: these were still pending
        if label == "2026-11":
            first = int(m.astype("datetime64[D]").astype(np.int64)) * 86_400
            prev = np.flatnonzero((d.local_s >= first - OVERLAP_DAYS * 86_400) & (d.local_s < first))
            rows = np.concatenate([prev, rows])
            pending = np.zeros(rows.size, dtype=bool)  # the later, final version
        header = _envios_header(style)
        for part, lo in enumerate(range(0, rows.size, lim.max_rows), start=1):
            hi = min(rows.size, lo + lim.max_rows)
            chunks = (
                list(_envios_cells(d, rows[a:b], style, pending[a:b]).values())
                for a, b in _spans(lo, hi, lim.chunk)
            )
            path = out / _part_name(f"envios_{label}", part, ".csv")
            _write_lines(path, header, chunks, style.sep, style.eol, style.encoding)
            paths.append(path)
    return paths


def _spans(lo: int, hi: int, chunk: int) -> list[tuple[int, int]]:
    return [(a, min(hi, a + chunk)) for a in range(lo, hi, chunk)]


def _event_columns(d: Data) -> dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]]:
    """Event values by column: (vocab as object array, codes) for coded columns."""
    cat = catalog()
    tipo = np.where(d.e_tip >= 0, TIP_TIPO[d.e_tip], -1)

    def voc(values: Sequence[str | None]) -> np.ndarray:
        return np.array([*values, None], dtype=object)

    return {
        "autor": (voc(AUTOR_LABELS), d.e_autor),
        "mensaje": (voc(cat.msgs), d.e_msg),
        "nodo": (voc(cat.nodos), d.e_nodo),
        "opcion": (voc(cat.opciones), d.e_opcion),
        "tipificacion": (voc(TIP_NAMES), d.e_tip),
        "tipo_tipificacion": (voc([TIPO_LABELS[t] for t in TIPOS]), tipo),
        "etiqueta": (voc(ETIQUETAS), d.e_et),
        "finalizacion": (voc(FIN_LABELS), d.e_fin),
    }


def write_xlsx(d: Data, path: Path) -> None:
    import xlsxwriter

    coded = _event_columns(d)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": XLSX_CREATED, "author": "Atom"})
    ws = wb.add_worksheet("Eventos")
    header = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    names = [c.name for c in EVENTOS]
    for j, name in enumerate(names):
        ws.write_string(0, j, _H_EVENTOS[name], header)
    ws.write_column(1, 0, conv_ids(d, d.e_conv).tolist())
    ws.write_column(1, 1, (d.e_local_s / 86_400 + 25_569).tolist(), date_fmt)  # Excel serial
    for j, name in enumerate(names[2:], start=2):
        vocab, codes = coded[name]
        for i, value in enumerate(vocab[codes].tolist(), start=1):
            if value is not None:
                ws.write_string(i, j, value)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 20)
    ws.set_column(3, 3, 60)
    ws.set_column(4, 9, 18)
    ws.freeze_panes(1, 0)
    wb.close()


def write_json_lines(d: Data, out: Path, lim: Limits) -> list[Path]:
    """Events as JSON lines (every key on every line, null when empty), ``lim.max_rows`` a file."""
    coded = _event_columns(d)
    key = {c.name: json.dumps(c.aliases[0], ensure_ascii=False) for c in EVENTOS}
    # a line is the join of per-column fragments; "{" and "}" ride on the first and last
    fragments = []
    names = [c.name for c in EVENTOS[2:]]
    for name in names:
        vocab, codes = coded[name]
        close = "}" if name == names[-1] else ""
        frag = np.array(
            [f"{key[name]}:{json.dumps(v, ensure_ascii=False)}{close}" for v in vocab], dtype=object
        )
        fragments.append((frag, codes))
    conv_key = "{" + key["conversacion_id"] + ':"'
    fecha_fmt = f'{key["fecha"]}:"%Y-%m-%dT%H:%M:%S-03:00"'

    def chunk(a: int, b: int) -> list[np.ndarray]:
        conv = np.char.add(np.char.add(conv_key, conv_ids(d, d.e_conv[a:b]).astype(str)), '"')
        cols = [conv.astype(object), _strftime(d.e_local_s[a:b], fecha_fmt)]
        return cols + [frag[codes[a:b]] for frag, codes in fragments]

    paths = []
    n = d.e_conv.size
    for part, lo in enumerate(range(0, n, lim.max_rows), start=1):
        path = out / f"eventos_{part:03d}.json"
        spans = _spans(lo, min(n, lo + lim.max_rows), lim.chunk)
        _write_lines(path, None, (chunk(a, b) for a, b in spans), ",", "\n", "utf-8")
        paths.append(path)
    return paths


OWN_FILES = re.compile(r"envios_\d{4}-\d{2}(_parte\d+)?\.csv|eventos\.xlsx|eventos_\d{3}\.json")
