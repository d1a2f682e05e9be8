"""Reading one file of any accepted format into Arrow (its content must match its extension)."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from ..errors import DataError
from ._dataset import FORMATS

# --------------------------------------------------------------------------- reading


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            f"No sé leer «{path.name}»: la extensión «{path.suffix or '(ninguna)'}» no es un "
            "formato soportado. Usá .csv, .xlsx, .json (registros o líneas) o .parquet."
        )
    return fmt


@dataclass
class _Raw:
    """One file as read: its own headers, a description of its format, and row numbers."""

    table: pa.Table
    described: str
    #: the "fila" of every row of ``table`` (spreadsheet row for CSV/Excel, record number otherwise)
    rows: np.ndarray
    #: CSV lines with another number of columns than the header: (fila, found, expected, text)
    bad_rows: list[tuple[int, int, int, str]] = field(default_factory=list)


def _numbered(table: pa.Table, first_row: int, described: str) -> _Raw:
    return _Raw(table, described, np.arange(first_row, first_row + table.num_rows, dtype=np.int64))


def _unique_names(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        n = seen.get(h, 0)
        out.append(h if n == 0 else f"{h}.{n}")
        seen[h] = n + 1
    return out


# File signatures: what a file really is, whatever its extension says.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"PAR1", "parquet"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\x1f\x8b", "gzip"),
)
_KIND_TEXT = {
    "xlsx": "un Excel (.xlsx)",
    "xls": "un Excel antiguo (.xls)",
    "parquet": "un Parquet",
    "csv": "un CSV (texto)",
    "json": "un JSON",
    "html": "una página HTML o XML",
    "zip": "un archivo comprimido (ZIP)",
    "gzip": "un archivo comprimido (gzip)",
    "pdf": "un PDF",
    "png": "una imagen PNG",
    "jpeg": "una imagen JPEG",
    "gif": "una imagen GIF",
    "binary": "un archivo binario (no es texto)",
}
_RENAME_TO = {"xlsx": ".xlsx", "xls": ".xls", "parquet": ".parquet", "csv": ".csv", "json": ".json"}
_FORMAT_TEXT = {"csv": "un CSV", "json": "un JSON", "xlsx": "un Excel", "parquet": "un Parquet"}
#: content kinds each reader takes (anything else is an error that says what the file looks like)
_ACCEPTS = {
    "csv": frozenset({"csv"}),
    "json": frozenset({"json", "csv", "html"}),  # the JSON parser explains what is wrong
    "xlsx": frozenset({"xlsx", "xls"}),
    "parquet": frozenset({"parquet"}),
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_JSON_START = re.compile(rb"^\s*(\[\s*[\{\]]|\{\s*[\"}])")


def _zip_kind(path: Path) -> str:
    """The kind of a ZIP: "xlsx" when it holds a workbook (or is damaged: the Excel reader explains)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return "xlsx"
    return "xlsx" if "xl/workbook.xml" in names else "zip"


def _utf16le_without_bom(head: bytes) -> bool:
    sample = head[:200]
    return len(sample) >= 4 and not any(sample[1::2]) and all(sample[0::2])


def _looks_binary(head: bytes) -> bool:
    """NUL bytes, many control characters, or bytes that are neither UTF-8 nor Windows-1252."""
    if b"\x00" in head:
        return True
    codes = np.frombuffer(head, dtype=np.uint8)
    control = int(((codes < 9) | ((codes > 13) & (codes < 32))).sum())
    if control > max(8, len(head) // 100):
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return True
    return False


def _content_kind(path: Path, head: bytes) -> str:
    """What the first bytes say the file is: xlsx, xls, parquet, csv, json, html, zip, pdf, binary..."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return _zip_kind(path) if kind == "zip" else kind
    if head.startswith(_UTF16_BOMS) or _utf16le_without_bom(head):
        text = _decode_head(head)[2].lstrip()
        return "html" if text.startswith("<") else "csv"
    if _looks_binary(head):
        return "binary"
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text.lstrip().startswith(b"<"):
        return "html"
    return "json" if _JSON_START.match(text) else "csv"


def _wrong_content(path: Path, fmt: str, kind: str) -> DataError:
    """The error for a file whose content is not what its extension says."""
    what = _KIND_TEXT[kind]
    ext = _RENAME_TO.get(kind)
    if ext is not None:
        return DataError(
            f"«{path.name}» parece {what} con extensión «{path.suffix}»: renombralo a {ext} "
            f"(p. ej. «{path.stem}{ext}») y volvé a intentar."
        )
    expected = _FORMAT_TEXT[fmt]
    if kind in ("zip", "gzip"):
        return DataError(
            f"«{path.name}» es {what}, no {expected}: descomprimilo y usá el archivo de adentro."
        )
    if kind == "html":
        return DataError(
            f"«{path.name}» parece {what}, no {expected}: abrilo en Excel y guardalo como .xlsx, o "
            "descargá el reporte de nuevo como .csv."
        )
    return DataError(
        f"«{path.name}» no es {expected}: parece {what}. Exportá los datos de la plataforma como .csv, "
        ".xlsx, .json o .parquet."
    )


def _decode_head(head: bytes) -> tuple[str, str, str]:
    """Codec, label and text of the first 64 KiB of a text file.

    UTF-16 with BOM is Excel's "Unicode text" export; UTF-8 is tried before Windows-1252.
    """
    if head.startswith(_UTF16_BOMS):
        return "utf-16", "UTF-16 (texto Unicode)", head[: len(head) // 2 * 2].decode("utf-16", "ignore")
    if _utf16le_without_bom(head):
        return "utf-16-le", "UTF-16", head[: len(head) // 2 * 2].decode("utf-16-le", "ignore")
    label = "UTF-8"
    if head.startswith(b"\xef\xbb\xbf"):
        head, label = head[3:], "UTF-8 con BOM"
    try:
        return "utf-8", label, head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # just a character cut at the 64 KiB boundary
            return "utf-8", label, head[: exc.start].decode("utf-8")
        return "cp1252", "Windows-1252", head.decode("cp1252", "replace")


def _is_blank_line(text: str, delimiter: str) -> bool:
    """A line of only spaces, tabs, separators or empty quotes carries no data."""
    return not text.strip(f' \t\r\n"{delimiter}')


def _read_csv(path: Path, head: bytes) -> _Raw:
    codec, label, text = _decode_head(head)
    first = text.splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise DataError(f"El archivo «{path.name}» está vacío: no tiene encabezados ni filas.")
    delimiter = max(";,\t", key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    headers = _unique_names(next(csv.reader([first], delimiter=delimiter)))

    def read(enc: str, newlines: bool, threads: bool) -> tuple[pa.Table, list]:
        invalid: list = []

        def on_invalid(row: object) -> str:
            invalid.append(row)
            return "skip"

        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=headers, skip_rows=1, encoding=enc, use_threads=threads
            ),
            parse_options=pacsv.ParseOptions(
                # blank lines stay rows so that "fila" is the spreadsheet row of every line
                delimiter=delimiter,
                newlines_in_values=newlines,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(headers, pa.string()), strings_can_be_null=False
            ),
        )
        return table, invalid

    def real(invalid: list) -> int:
        return sum(not _is_blank_line(r.text, delimiter) for r in invalid)

    error: Exception | None = None
    for enc in [codec, "cp1252"] if codec == "utf-8" else [codec]:
        try:
            table, invalid = read(enc, False, True)
            if invalid:
                # line numbers need a single-threaded read; a quoted value may hold a newline
                found = real(invalid)
                table, invalid = read(enc, False, False)
                if found:
                    try:
                        quoted = read(enc, True, False)
                    except pa.ArrowInvalid:
                        quoted = None
                    if quoted is not None and real(quoted[1]) < found:
                        table, invalid = quoted
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            error = exc
            continue
        if enc == "cp1252":
            label = "Windows-1252"
        sep = {";": "';'", ",": "','", "\t": "tabulador"}[delimiter]
        return _csv_raw(path, table, invalid, delimiter, f"CSV {sep}, {label}")
    raise DataError(
        f"No pude leer «{path.name}» como CSV: {error}. Revisá que sea un CSV separado por "
        "',' o ';' con una fila de encabezados."
    )


def _csv_raw(path: Path, table: pa.Table, invalid: list, delimiter: str, described: str) -> _Raw:
    """Row numbers around the skipped lines; lines with a wrong column count are kept to reject."""
    skipped = np.array(sorted(r.number for r in invalid if r.number is not None), dtype=np.int64)
    lines = np.arange(2, 2 + table.num_rows + len(skipped), dtype=np.int64)
    rows = lines[~np.isin(lines, skipped)][: table.num_rows] if len(skipped) else lines
    bad = [
        (int(r.number), r.actual_columns, r.expected_columns, r.text)
        for r in sorted(invalid, key=lambda r: r.number or 0)
        if not _is_blank_line(r.text, delimiter)
    ]
    if bad and table.num_rows == 0:
        fila, found, expected, _ = bad[0]
        raise DataError(
            f"Ninguna fila de «{path.name}» tiene las {expected} columnas del encabezado (la fila {fila} "
            f"tiene {found}). Revisá el separador y que la primera fila sea la de los encabezados."
        )
    return _Raw(table, described, rows, bad)


def _cell_text(value: object) -> object:
    """An Excel/JSON cell as text (datetimes as naive ISO, integral floats without .0)."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if _has_dict(value):  # a nested object stays readable as JSON text
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, list | tuple):
        return "|".join(str(v) for v in value)
    return str(value)


def frame_to_arrow(frame: pd.DataFrame) -> pa.Table:
    """Object columns from Excel or JSON records as Arrow, keeping all-datetime columns typed."""
    columns = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            columns[name] = pa.array(col, from_pandas=True)
            continue
        non_null = col.dropna()
        head = non_null.head(1000)
        if len(non_null) and all(isinstance(v, list) and not _has_dict(v) for v in head):
            columns[name] = pa.array(
                [[str(x) for x in v] if isinstance(v, list) else None for v in col],
                type=pa.list_(pa.string()),
            )
            continue
        columns[name] = pa.array([_cell_text(v) for v in col.tolist()], type=pa.string())
    return pa.table(columns)


def _read_xlsx(path: Path, head: bytes) -> _Raw:
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="calamine")
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise DataError(
            f"No pude leer «{path.name}» como Excel ({type(exc).__name__}: {exc}). Revisá que sea "
            "un .xlsx válido (se lee la primera hoja)."
        ) from exc
    if not len(frame.columns):
        raise DataError(
            f"La primera hoja de «{path.name}» está vacía: no tiene encabezados ni filas. Poné los "
            "datos en la primera hoja o exportá el reporte de nuevo."
        )
    frame.columns = _unique_names([str(c) for c in frame.columns])
    return _numbered(frame_to_arrow(frame), 2, "Excel, primera hoja")


#: bytes of a JSON lines file whose schema is inferred first, to find its date columns
_JSON_SAMPLE = 1 << 20


def _json_sample_dates(path: Path) -> tuple[list[str], list[str]] | None:
    """Field names of the first lines (in order of appearance) and those Arrow infers as timestamps.

    None when the first lines cannot tell (no complete line, or Arrow cannot read them).
    """
    with path.open("rb") as fh:
        head = fh.read(_JSON_SAMPLE)
    cut = head.rfind(b"\n")
    if cut <= 0:
        return None
    try:
        sample = pajson.read_json(pa.BufferReader(head[: cut + 1]))
    except pa.ArrowInvalid:
        return None
    return sample.schema.names, [f.name for f in sample.schema if pa.types.is_timestamp(f.type)]


def _read_json_lines(path: Path) -> pa.Table:
    """JSON lines through Arrow, keeping date text as text.

    Arrow infers ISO text as zone-less timestamps (an offset is applied and dropped), which
    the loader would then take as local time: those columns are read as strings. The first
    lines say which columns those are, so the file is parsed once; a column inferred as a
    timestamp only past them makes the file be read again with its whole schema.
    """
    sampled = _json_sample_dates(path)
    if sampled is None or not sampled[1]:
        table = pajson.read_json(path)
    else:
        names, dates = sampled
        options = pajson.ParseOptions(explicit_schema=pa.schema([pa.field(n, pa.string()) for n in dates]))
        table = pajson.read_json(path, parse_options=options)
        # explicit fields come first: back to the order of first appearance
        first = [n for n in names if n in table.schema.names]
        table = table.select(first + [n for n in table.schema.names if n not in set(first)])
    if not any(pa.types.is_timestamp(f.type) for f in table.schema):
        return table
    schema = pa.schema(
        [pa.field(f.name, pa.string()) if pa.types.is_timestamp(f.type) else f for f in table.schema]
    )
    return pajson.read_json(path, parse_options=pajson.ParseOptions(explicit_schema=schema))


def _is_nested(t: pa.DataType) -> bool:
    if pa.types.is_struct(t) or pa.types.is_map(t):
        return True
    return (pa.types.is_list(t) or pa.types.is_large_list(t)) and _is_nested(t.value_type)


def _not_records(path: Path, value: object) -> DataError:
    """The error for JSON whose top level is not a list of records."""
    expected = "se espera una lista de registros ([{...}, {...}]) o un registro por línea"
    if isinstance(value, dict):
        inner = [k for k, v in value.items() if _wraps_records({k: v})]
        hint = f" Los registros parecen estar dentro de la clave «{inner[0]}»." if inner else ""
        return DataError(f"«{path.name}» es un objeto JSON, no una lista de registros: {expected}.{hint}")
    if isinstance(value, list):
        pos = next(i for i, r in enumerate(value) if not isinstance(r, dict))
        return DataError(
            f"«{path.name}» no es una lista de registros JSON: el elemento {pos + 1} no es un objeto "
            f"({json.dumps(value[pos], ensure_ascii=False)[:40]}); {expected}."
        )
    return DataError(f"«{path.name}» no es una lista de registros JSON: {expected}.")


def _read_json(path: Path, head: bytes) -> _Raw:
    head = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not head:
        raise DataError(f"El archivo «{path.name}» está vacío.")
    try:
        if head.startswith(b"{"):
            with path.open(encoding="utf-8-sig") as fh:
                first = next(line for line in fh if line.strip())
            if _json_or_none(first) is None:  # one object over many lines is not JSON lines
                with path.open(encoding="utf-8-sig") as fh:
                    raise _not_records(path, json.load(fh))
            try:
                table = _read_json_lines(path)
            except pa.ArrowInvalid:  # mixed value types across lines: parse in Python
                with path.open(encoding="utf-8-sig") as fh:
                    records = [json.loads(line) for line in fh if line.strip()]
            else:
                if table.num_rows == 1 and _wraps_records(table.to_pylist()[0]):
                    raise _not_records(path, table.to_pylist()[0])
                return _numbered(_nested_as_text(table), 1, "JSON por líneas")
            kind = "JSON por líneas"
            if len(records) == 1 and _wraps_records(records[0]):
                raise _not_records(path, records[0])
        else:
            with path.open(encoding="utf-8-sig") as fh:
                records = json.load(fh)
            kind = "JSON de registros"
    except (json.JSONDecodeError, UnicodeDecodeError, pa.ArrowInvalid) as exc:
        raise DataError(
            f"No pude leer «{path.name}» como JSON: {exc}. Se acepta una lista de registros "
            "([{...}, {...}]) o un registro por línea."
        ) from exc
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise _not_records(path, records)
    if not records:
        raise DataError(
            f"«{path.name}» es una lista vacía ([]): no tiene registros ni columnas. Revisá que la "
            "descarga no haya quedado vacía o sacalo de la lista."
        )
    return _numbered(frame_to_arrow(pd.DataFrame.from_records(records)), 1, kind)


def _has_dict(value: object) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list | tuple) and any(isinstance(v, dict) for v in value)
    )


def _wraps_records(record: object) -> bool:
    """A lone object holding the list of records, e.g. ``{"envios": [{...}, {...}]}``."""
    return isinstance(record, dict) and any(
        isinstance(v, list) and v and all(isinstance(x, dict) for x in v) for v in record.values()
    )


def _nested_as_text(table: pa.Table) -> pa.Table:
    """Struct, map or list-of-struct columns (nested JSON objects) as JSON text."""
    for i, f in enumerate(table.schema):
        if _is_nested(f.type):
            text = [
                None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                for v in table.column(i).to_pylist()
            ]
            table = table.set_column(i, f.name, pa.array(text, type=pa.string()))
    return table


def _json_or_none(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _read_parquet(path: Path, head: bytes) -> _Raw:
    try:
        return _numbered(pq.read_table(path), 1, "Parquet")
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"No pude leer «{path.name}» como Parquet: {exc}.") from exc


_READERS = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json, "parquet": _read_parquet}


def _no_permission(path: Path) -> DataError:
    return DataError(
        f"No tengo permiso para leer «{path.name}» (en {path.parent}). Revisá los permisos del archivo "
        "o copialo a una carpeta tuya y volvé a intentar."
    )


def read_file(path: Path) -> _Raw:
    """One file with its row numbers; its content must match its extension."""
    fmt = _format_of(path)
    if path.is_dir():
        raise DataError(f"«{path}» es una carpeta, no un archivo: indicá los archivos que tiene adentro.")
    try:
        if path.stat().st_size == 0:
            raise DataError(f"El archivo «{path.name}» está vacío (0 bytes).")
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
        kind = _content_kind(path, head)
        if kind not in _ACCEPTS[fmt]:
            raise _wrong_content(path, fmt, kind)
        raw = _READERS[fmt](path, head)
    except PermissionError as exc:
        raise _no_permission(path) from exc
    if raw.table.num_columns == 0:
        raise DataError(
            f"El archivo «{path.name}» no tiene encabezados: revisá que sea una descarga completa."
        )
    return raw


def read_raw(path: Path) -> tuple[pa.Table, str]:
    """One file as an Arrow table with its own headers, and a description of its format.

    A file with headers and no rows is a table of 0 rows; an empty file, a file without
    headers and a file whose content is not what its extension says are errors.
    """
    raw = read_file(path)
    return raw.table, raw.described
