"""A streaming XLSX writer for large tables, built from Arrow string kernels.

Row-by-row writers (xlsxwriter, openpyxl) spend a few microseconds of Python per cell:
a 1,000,000-row detail with 24 columns took over three minutes. Here each column of a
chunk becomes the XML of its cells in one vectorized pass, rows are joined in Arrow,
and each sheet is deflated as it is built (two at a time, each into a file, copied into
the zip in order), so time and memory stay flat per row.

The package is the minimal SpreadsheetML set Excel, LibreOffice and openpyxl read:
content types, relationships, workbook (with the autofilter's defined name), styles,
shared strings and one worksheet per table with a frozen header row, column widths and
an autofilter (:mod:`._xlsx_paquete` writes the parts around the worksheets). The
categories of a categorical column are shared strings (:class:`Compartidas`), other
text is inline. A data cell carries no ``r`` reference: its column is its place in the row
and an NA is an empty ``<c/>`` (ECMA-376 makes ``r`` optional; Excel, LibreOffice, openpyxl
and calamine read it). The references were a fifth of the XML; without them, and with
booleans and categories taken from ready cells, a million-row sheet takes 40 % less CPU.
Text is never a formula; characters XML cannot hold are shown as U+FFFD; a text over
Excel's 32,767 characters is cut there (:func:`write_workbook` returns how many cells, per
sheet). Timestamps are the serial of their exact second, shown with seconds when a column
has any. A worksheet part gets a ZIP64 header only when its size passes the zip limit
(Excel "repairs" workbooks with needless ZIP64 fields).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from isal import isal_zlib

from . import _bytes
from ._xlsx_paquete import DATE, DATE_SECONDS, HEADER, INT, NS, PCT, REL_NS, write_package_parts

CHUNK_ROWS = 50_000
#: Excel's limit of characters (UTF-16 code units) in a cell
EXCEL_MAX_CHARS = 32_767
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")
_SECONDS_PER_DAY = 86_400
_INVALID_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"  # RE2 syntax


def column_letter(index: int) -> str:
    """Excel column name of a 0-based index: ``column_letter(27) == "AB"``."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _kind(name: str, series: pd.Series) -> str:
    if name == "pct" or name.startswith(("pct_", "ic95_")) or name.endswith("_pct"):
        return "pct"
    if name == "variacion":  # resumen periodo_anterior: a fraction, shown as a percentage
        return "pct"
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_list(dtype.pyarrow_dtype):
        return "list"
    return "text"


def _arrow(series: pd.Series) -> pa.Array:
    arr = pa.array(series.array) if isinstance(series.dtype, pd.ArrowDtype | pd.StringDtype) else None
    if arr is None:
        arr = pa.Array.from_pandas(series)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _utf16_units(text: str) -> int:
    """Length as Excel counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _cut_text(text: str) -> str:
    """``text`` cut at :data:`EXCEL_MAX_CHARS` UTF-16 units, never inside a surrogate pair."""
    units = text.encode("utf-16-le")[: 2 * EXCEL_MAX_CHARS]
    if 0xD800 <= int.from_bytes(units[-2:], "little") <= 0xDBFF:
        units = units[:-2]
    return units.decode("utf-16-le")


def _cut_long(text: pa.Array) -> tuple[pa.Array, int]:
    """Cut the cells over Excel's limit; return the values and how many were cut.

    UTF-16 units never outnumber UTF-8 bytes, so only cells over 32,767 bytes are looked at
    (in Python, one by one: they are rare).
    """
    lengths = pc.binary_length(text)
    longest = pc.max(lengths).as_py()
    if longest is None or longest <= EXCEL_MAX_CHARS:
        return text, 0
    mask = pc.fill_null(pc.greater(lengths, EXCEL_MAX_CHARS), False)
    long_values = pc.filter(text, mask).to_pylist()
    over = [_utf16_units(v) > EXCEL_MAX_CHARS for v in long_values]
    if not any(over):
        return text, 0
    full = np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
    positions = np.flatnonzero(full)[np.asarray(over)]
    cut_mask = np.zeros(len(text), dtype=bool)
    cut_mask[positions] = True
    cuts = pa.array([_cut_text(v) for v, o in zip(long_values, over, strict=True) if o], type=text.type)
    return pc.replace_with_mask(text, pa.array(cut_mask), cuts), len(cuts)


def _text_values(kind: str, series: pd.Series) -> pa.Array:
    """The text of a text or list column as an Arrow string array (lists joined by ``|``)."""
    values = pc.binary_join(_arrow(series), "|") if kind == "list" else _arrow(series.astype("string"))
    return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())


def long_text_cells(frame: pd.DataFrame) -> int:
    """How many text cells of ``frame`` the XLSX cuts at Excel's 32,767 characters."""
    total = 0
    for name in frame.columns:
        series = frame[name]
        kind = _kind(name, series)
        if kind not in ("text", "list"):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):  # look at each category once
            cats, counts = _category_counts(series)
            total += sum(
                int(n) for n, c in zip(counts, cats, strict=True) if _utf16_units(c) > EXCEL_MAX_CHARS
            )
        else:
            total += _cut_long(_text_values(kind, series))[1]
    return total


def _xml_text(values: pa.Array) -> pa.Array:
    """Cell text as XML character data: cut at Excel's limit, invalid characters replaced, escaped."""
    text = _cut_long(values)[0]
    if pc.any(pc.fill_null(pc.match_substring_regex(text, _INVALID_XML), False)).as_py():
        text = pc.replace_substring_regex(text, _INVALID_XML, "\ufffd")
    # a parser turns a raw CR into LF: only the character reference keeps it
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        text = pc.replace_substring(text, raw, entity)
    return text


#: text whose spaces a reader could trim or fold without xml:space="preserve" (escaped XML text)
_NEEDS_PRESERVE = r"^[ \t\n\r]|[ \t\n\r]$|[\t\n]|&#13;"  # XML's whitespace; RE2 and Python alike
#: bytes after which a cell may need xml:space: tab, line feed, and the & of an escaped CR (&#13;)
_ESPACIO_XML = _bytes.tabla(b"\t\n&")
_INLINE = '<c t="inlineStr"><is><t>'
_INLINE_PRESERVE = '<c t="inlineStr"><is><t xml:space="preserve">'
#: an NA cell: an empty ``<c/>`` keeps the next cells in their columns (cells carry no ``r``)
VACIA = "<c/>"


#: bytes that make a text cell more than its plain text: escapes (& < >, CR and the other control
#: characters), xml:space (tab, line feed), U+FFFD for U+FFFE and U+FFFF (both start with 0xEF)
_XML_ESPECIAL = _bytes.tabla([*_bytes.CONTROL, *b"&<>", 0xEF])
_ESPACIO = _bytes.tabla(b" ")


def _plain(text: pa.Array) -> bool:
    """Whether no cell of ``text`` needs cutting, escaping or ``xml:space`` (ids, phones: most
    columns): its cells are then the text as it is, with no string kernel run over it."""
    return (
        pa.types.is_string(text.type)
        and _bytes.mas_largo(text) <= EXCEL_MAX_CHARS
        and not _bytes.alguno(text, _XML_ESPECIAL)
        and not _bytes.en_borde(text, _ESPACIO)
    )


def _text_cells(text: pa.Array, plain: bool = False) -> pa.Array:
    """Inline-string cells of already escaped ``text`` (NA: null).

    ``xml:space="preserve"`` only on the texts that need it (leading or trailing spaces, tabs,
    line breaks): on every cell it was a fifth of a million-row sheet. ``plain``: :func:`_plain`
    already found none.
    """
    opening: pa.Array | str = _INLINE
    if not plain and (_bytes.alguno(text, _ESPACIO_XML) or _bytes.en_borde(text, _ESPACIO)):
        preserve = pc.fill_null(pc.match_substring_regex(text, _NEEDS_PRESERVE), False)
        if pc.any(preserve).as_py():
            opening = pc.if_else(preserve, _INLINE_PRESERVE, _INLINE)
    return pc.binary_join_element_wise(opening, text, "</t></is></c>", "")


@dataclass
class Compartidas:
    """The workbook's shared strings: each category of a categorical column stored once.

    A cell of such a column is ``<c t="s"><v>index</v></c>`` instead of its whole text: in
    the million-row detail, campaign, channel, line, origin and status went from 400 to 170
    bytes a row. Built in the order the cells are written, under a lock (sheets are built side
    by side).
    """

    indice: dict[str, int] = field(default_factory=dict)
    usos: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cells(self, series: pd.Series) -> pa.Array:
        """Each cell of categorical ``series``, taken from its category's cell (NA: null)."""
        names = pa.array(series.cat.categories.astype("string").array, type=pa.string())
        codes = series.cat.codes.to_numpy()
        with self._lock:  # sheets are built side by side: one index for the workbook
            ids = [self.indice.setdefault(t, len(self.indice)) for t in _xml_text(names).to_pylist()]
            self.usos += int((codes >= 0).sum())
        cells = pa.array([f'<c t="s"><v>{i}</v></c>' for i in ids], type=pa.string())
        return pc.take(cells, pa.array(codes, mask=codes < 0))

    def xml(self) -> bytes:
        """The ``xl/sharedStrings.xml`` part."""
        items = "".join(
            f'<si><t xml:space="preserve">{t}</t></si>'
            if re.search(_NEEDS_PRESERVE, t)
            else f"<si><t>{t}</t></si>"
            for t in self.indice
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {NS} count="{self.usos}" '
            f'uniqueCount="{len(self.indice)}">{items}</sst>'
        ).encode()


def _number_cells(values: pa.Array, style: int | None) -> pa.Array:
    opening = f'<c s="{style}"><v>' if style else "<c><v>"
    return pc.binary_join_element_wise(opening, pc.cast(values, pa.string()), "</v></c>", "")


#: the cells of false, true (and NA, null) by code 0, 1, 2
_BOOL_CELLS = pa.array(['<c t="b"><v>0</v></c>', '<c t="b"><v>1</v></c>', None], type=pa.string())


def _seconds(series: pd.Series) -> np.ndarray:
    """Local wall-clock time cut to the second (as the CSV writes it), ``datetime64[s]``."""
    if isinstance(series.dtype, pd.ArrowDtype):  # Arrow timestamps: to NumPy, keeping the zone
        tz = getattr(series.dtype.pyarrow_dtype, "tz", None)
        series = series.astype(pd.DatetimeTZDtype("ns", tz) if tz else "datetime64[ns]")
    local = series.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else series
    return local.to_numpy(dtype="datetime64[s]")


def _date_style(series: pd.Series) -> int:
    """``dd/mm/yyyy hh:mm:ss`` when some value of the column has seconds, else ``hh:mm``."""
    secs = _seconds(series)
    valid = secs[~np.isnat(secs)]
    has_seconds = bool(len(valid)) and bool(np.any(valid.astype(np.int64) % 60))
    return DATE_SECONDS if has_seconds else DATE


def _cells(kind: str, series: pd.Series, style: int | None, compartidas: Compartidas) -> pa.Array:
    """The XML of each cell of ``series``: no ``r`` (a cell's column is its place in the row,
    ECMA-376 18.3.1.4), NA as :data:`VACIA`."""
    if kind == "date":
        # the serial of the exact second: readers round it back to that second, never one before
        secs = _seconds(series)
        days = (secs - _EXCEL_EPOCH).astype(np.int64) / _SECONDS_PER_DAY
        values = pa.array(days, mask=np.isnat(secs))
        cells = _number_cells(values, style or DATE)
    elif kind == "bool":
        cells = pc.take(_BOOL_CELLS, series.astype("boolean").to_numpy(dtype="int8", na_value=2))
    elif kind in ("int", "float", "pct"):
        values = _arrow(series.astype("Float64") if kind != "int" else series.astype("Int64"))
        cells = _number_cells(values, {"int": INT, "pct": PCT}.get(kind))
    elif kind == "text" and isinstance(series.dtype, pd.CategoricalDtype) and len(series.cat.categories):
        cells = compartidas.cells(series)
    else:
        text = _text_values(kind, series)
        plain = _plain(text)
        cells = _text_cells(text if plain else _xml_text(text), plain)
    return pc.fill_null(cells, VACIA)


def _sheet_rows(
    frame: pd.DataFrame,
    kinds: list[str],
    start_row: int,
    styles: list[int | None],
    compartidas: Compartidas,
) -> memoryview:
    """The ``<row>`` elements of one chunk, as UTF-8 (a view of Arrow's buffer: no copy)."""
    n = len(frame)
    numbers = pc.cast(pa.array(np.arange(start_row, start_row + n)), pa.string())
    parts = [
        _cells(kind, frame[name], styles[i], compartidas)
        for i, (name, kind) in enumerate(zip(frame.columns, kinds, strict=True))
    ]
    rows = pc.binary_join_element_wise('<row r="', numbers, '">', *parts, "</row>", "")
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[rows.offset : rows.offset + len(rows) + 1]
    return memoryview(rows.buffers()[2])[int(offsets[0]) : int(offsets[-1])]


def _category_counts(series: pd.Series) -> tuple[list[str], np.ndarray]:
    """The categories of a categorical column as text, and how many cells hold each."""
    codes = series.cat.codes.to_numpy()
    counts = np.bincount(codes[codes >= 0], minlength=len(series.cat.categories))
    return pd.Series(series.cat.categories, dtype="string").tolist(), counts


def _width(name: str, series: pd.Series, kind: str, label: str) -> float:
    if kind in ("int", "float", "pct", "bool"):
        content = 12
    elif kind == "date":
        content = 16
    else:
        sample = series.head(500)
        lengths = (
            pc.utf8_length(pc.binary_join(_arrow(sample), "|"))
            if kind == "list"
            else pc.utf8_length(_arrow(sample.astype("string")))
        )
        longest = pc.max(lengths).as_py()
        content = int(longest or 0)
    return float(min(max(len(label), content) + 2, 60))


def _sheet_xml_head(
    frame: pd.DataFrame, kinds: list[str], labels: list[str], rows: int | None = None
) -> bytes:
    """Everything of a worksheet before its data rows (dimension, frozen pane, widths, header)."""
    widths = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{_width(c, frame[c], k, lab):.1f}" customWidth="1"/>'
        for i, (c, k, lab) in enumerate(zip(frame.columns, kinds, labels, strict=True))
    )
    header = "".join(
        f'<c r="{column_letter(i)}1" s="{HEADER}" t="inlineStr"><is><t>{escape(lab)}</t></is></c>'
        for i, lab in enumerate(labels)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS} {REL_NS}>'
        f'<dimension ref="{_ref(frame, rows)}"/><sheetViews><sheetView tabSelected="0" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{"<cols>" + widths + "</cols>" if widths else ""}'
        f'<sheetData><row r="1">{header}</row>'
    ).encode()


def _ref(frame: pd.DataFrame, rows: int | None = None) -> str:
    last = column_letter(max(len(frame.columns), 1) - 1)
    return f"A1:{last}{(len(frame) if rows is None else rows) + 1}"


@dataclass
class Medida:
    """What a sheet given in chunks needs before its XML is written (:func:`medir`)."""

    filas: int = 0
    #: date columns with some value that has seconds
    segundos: set[str] = field(default_factory=set)
    #: text cells over Excel's limit (cut)
    cortadas: int = 0


def medir(chunks: Iterable[pd.DataFrame]) -> Medida:
    """Measure a sheet given in chunks: rows, dates with seconds, cut cells."""
    m = Medida()
    for chunk in chunks:
        if not len(chunk):
            continue
        kinds = [_kind(c, chunk[c]) for c in chunk.columns]
        m.filas += len(chunk)
        m.cortadas += long_text_cells(chunk)
        for c, k in zip(chunk.columns, kinds, strict=True):
            if k == "date" and _date_style(chunk[c]) == DATE_SECONDS:
                m.segundos.add(c)
    return m


@dataclass(frozen=True)
class HojaPorLotes:
    """A sheet given in chunks: ``leer()`` yields them (the first may be an empty template); it is
    called twice, to :func:`medir` the sheet and to write it."""

    leer: Callable[[], Iterable[pd.DataFrame]]
    molde: pd.DataFrame


#: worksheets built at a time (each on its own thread, with a helper for its next chunk)
HOJAS_A_LA_VEZ = 2


def write_workbook(
    sheets: Mapping[str, pd.DataFrame | HojaPorLotes],
    path: Path,
    label: Callable[[str], str] = str,
    ultima: tuple[str, Callable[[dict[str, int]], pd.DataFrame]] | None = None,
) -> dict[str, int]:
    """Write one worksheet per frame (sheet name = key, at most 31 characters); return, per
    sheet, the text cells cut at Excel's limit (only sheets with some).

    ``ultima`` is a last sheet built from those counts (the export's ``carga``). Worksheets are
    deflated side by side into files next to ``path`` (:data:`HOJAS_A_LA_VEZ`, a chunked one
    measured first by :func:`medir`), then copied into the package in order, already deflated.
    """
    compartidas = Compartidas()
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".hojas-"))
    try:
        with ThreadPoolExecutor(max_workers=HOJAS_A_LA_VEZ, thread_name_prefix="hoja") as pool:
            jobs = [
                pool.submit(_deflate_sheet, frame, label, compartidas, tmp / f"{i}.xml.deflate")
                for i, frame in enumerate(sheets.values())
            ]
            hojas = [job.result() for job in jobs]
        names = [n[:31] for n in sheets]
        cut = {n: h.cortadas for n, h in zip(sheets, hojas, strict=True) if h.cortadas}
        if ultima is not None:
            names.append(ultima[0][:31])
            hojas.append(_deflate_sheet(ultima[1](cut), label, compartidas, tmp / "ultima.xml.deflate"))
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
            write_package_parts(book, names, [h.ref for h in hojas])
            for i, hoja in enumerate(hojas):
                _copy_deflated(book, f"xl/worksheets/sheet{i + 1}.xml", hoja)
            book.writestr("xl/sharedStrings.xml", compartidas.xml())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return cut


@dataclass
class _Hoja:
    """A worksheet's XML, deflated into a file: what its zip entry needs, and its cut cells."""

    ruta: Path
    ref: str = ""
    cortadas: int = 0
    crc: int = 0
    tamano: int = 0

    def write(self, data: bytes | memoryview) -> None:
        self.crc = isal_zlib.crc32(data, self.crc)
        self.tamano += len(data)
        self._fh.write(self._deflate.compress(data))

    def __enter__(self) -> _Hoja:
        self._fh = self.ruta.open("wb")
        # ISA-L's deflate: the same format as zlib's (any reader inflates it), at level 1 a fifth
        # of zlib's time and a smaller part (a million-row sheet's 1 GB of XML: 0.8 s, not 3.9 s)
        self._deflate = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.write(self._deflate.flush())
        self._fh.close()


class _YaComprimido:
    """The compressor of a zip entry whose bytes come deflated already: passes them through."""

    @staticmethod
    def compress(data: bytes) -> bytes:
        return data

    @staticmethod
    def flush() -> bytes:
        return b""


def _copy_deflated(book: zipfile.ZipFile, name: str, hoja: _Hoja) -> None:
    """Entry ``name`` with the bytes of ``hoja``, already deflated; ZIP64 only when a size passes
    the zip limit (Excel "repairs" workbooks with needless ZIP64 fields)."""
    zip64 = max(hoja.tamano, hoja.ruta.stat().st_size) > zipfile.ZIP64_LIMIT
    with book.open(name, "w", force_zip64=zip64) as part:
        part._compressor = _YaComprimido()  # type: ignore[attr-defined]
        with hoja.ruta.open("rb") as fh:
            shutil.copyfileobj(fh, part, 16 << 20)
        # the header's CRC and size are the XML's, not the deflated bytes' zipfile counted
        part._crc, part._file_size = hoja.crc, hoja.tamano  # type: ignore[attr-defined]


def _deflate_sheet(
    frame: pd.DataFrame | HojaPorLotes, label: Callable[[str], str], compartidas: Compartidas, ruta: Path
) -> _Hoja:
    with _Hoja(ruta) as hoja:
        if isinstance(frame, HojaPorLotes):
            _write_chunked_sheet(hoja, frame, label, compartidas)
        else:
            _write_sheet(hoja, frame, label, compartidas)
    return hoja


def _write_sheet(
    sheet: _Hoja,
    frame: pd.DataFrame,
    label: Callable[[str], str],
    compartidas: Compartidas,
) -> None:
    """One worksheet from a whole frame, in chunks of :data:`CHUNK_ROWS` rows."""
    kinds = [_kind(c, frame[c]) for c in frame.columns]
    labels = [label(c) for c in frame.columns]
    styles = [
        _date_style(frame[c]) if k == "date" else None for c, k in zip(frame.columns, kinds, strict=True)
    ]
    sheet.ref, sheet.cortadas = _ref(frame), long_text_cells(frame)
    sheet.write(_sheet_xml_head(frame, kinds, labels))
    chunks = (
        (frame.iloc[start : start + CHUNK_ROWS], kinds, start + 2, styles, compartidas)
        for start in range(0, len(frame), CHUNK_ROWS)
    )
    for xml in _adelantadas(chunks):
        sheet.write(xml)
    sheet.write(_sheet_xml_tail(frame))


def _adelantadas(
    chunks: Iterable[tuple[pd.DataFrame, list[str], int, list[int | None], Compartidas]],
) -> Iterator[memoryview]:
    """:func:`_sheet_rows` of each chunk, in order, the next one built on another thread while the
    caller compresses this one (Arrow's kernels and ISA-L let go of the GIL: a million rows, 8.4 s
    one after the other)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx") as pool:
        pending: Future[memoryview] | None = None
        for chunk in chunks:
            following = pool.submit(_sheet_rows, *chunk)
            if pending is not None:
                yield pending.result()
            pending = following
        if pending is not None:
            yield pending.result()


def _write_chunked_sheet(
    sheet: _Hoja,
    hoja: HojaPorLotes,
    label: Callable[[str], str],
    compartidas: Compartidas,
) -> None:
    """One worksheet from chunks: read once to :func:`medir` it (rows, styles, cuts), then written."""
    molde, m = hoja.molde, medir(hoja.leer())
    sheet.ref, sheet.cortadas = _ref(molde, m.filas), m.cortadas
    kinds = [_kind(c, molde[c]) for c in molde.columns]
    labels = [label(c) for c in molde.columns]
    styles = [
        (DATE_SECONDS if c in m.segundos else DATE) if k == "date" else None
        for c, k in zip(molde.columns, kinds, strict=True)
    ]
    head_done = False

    def partes() -> Iterator[tuple[pd.DataFrame, list[str], int, list[int | None], Compartidas]]:
        nonlocal head_done
        row = 2
        for chunk in hoja.leer():
            if not head_done and len(chunk):  # widths from the first rows, as a whole frame does
                sheet.write(_sheet_xml_head(chunk, kinds, labels, rows=m.filas))
                head_done = True
            for start in range(0, len(chunk), CHUNK_ROWS):
                part = chunk.iloc[start : start + CHUNK_ROWS]
                yield part, kinds, row, styles, compartidas
                row += len(part)

    for xml in _adelantadas(partes()):
        sheet.write(xml)
    if not head_done:
        sheet.write(_sheet_xml_head(molde, kinds, labels, rows=0))
    sheet.write(_sheet_xml_tail(molde, m.filas))


def _sheet_xml_tail(frame: pd.DataFrame, rows: int | None = None) -> bytes:
    """Autofilter, and no "number stored as text" warning on the text cells (ids, phones)."""
    ref = _ref(frame, rows)
    return (
        f'</sheetData><autoFilter ref="{ref}"/>'
        f'<ignoredErrors><ignoredError sqref="{ref}" numberStoredAsText="1"/></ignoredErrors></worksheet>'
    ).encode()
