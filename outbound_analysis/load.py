"""Loading ``envios`` and ``eventos``: the only module that reads input files.

Accepts .csv (``,`` or ``;``; UTF-8, UTF-8 with BOM or Windows-1252), .xlsx (first
sheet), .json (records or lines, also .jsonl/.ndjson) and .parquet; one path, a list
or a glob, concatenated in the order given. Headers are matched through the alias
table of :mod:`outbound_analysis.schema` plus the user's ``columnas`` mapping.

Nothing is dropped silently: a row with a missing or unreadable value is rejected
with its file, row and reason (``Dataset.rechazos``); duplicate ``envio_id`` rows are
counted per file and listed there too. Row numbers ("fila") are spreadsheet rows for
CSV and Excel (the header is row 1) and record numbers from 1 for JSON and Parquet.

Typical use: ``datos = load_data("data/demo/envios_*.csv", "data/demo/eventos.xlsx")``,
then ``datos.envios``, ``datos.eventos``, ``datos.resumen_carga()`` and ``datos.rechazos``.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
import yaml

from . import _convert as cv
from ._text import fmt_int, key
from .errors import DataError, ParamsError
from .schema import TABLES, Column

DEFAULT_TZ = "America/Argentina/Buenos_Aires"
PathSpec = str | Path | Sequence[str | Path]

_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
}
#: the ``columna`` of a rejection that concerns the whole row (a CSV line with a wrong column count)
WHOLE_ROW = "(fila entera)"
REJECT_COLUMNS = ["tabla", "archivo", "fila", "columna", "valor", "motivo"]
FILE_REPORT_COLUMNS = [
    "tabla",
    "archivo",
    "formato",
    "leidas",
    "cargadas",
    "rechazadas",
    "duplicadas",
    "reemplazadas",
    "fechas_fuera_de_rango",
    "columnas_ignoradas",
]


@dataclass(frozen=True)
class Dataset:
    """Loaded tables plus the load report: per file counts and every rejected row."""

    envios: pd.DataFrame
    eventos: pd.DataFrame
    archivos: pd.DataFrame = field(repr=False)
    rechazos: pd.DataFrame = field(repr=False)
    zona_horaria: str = DEFAULT_TZ

    def totales(self, tabla: str = "envios") -> dict[str, int]:
        """Rows read, loaded, rejected, duplicated and replaced for one table."""
        rows = self.archivos[self.archivos["tabla"] == tabla]
        cols = ["leidas", "cargadas", "rechazadas", "duplicadas", "reemplazadas"]
        return {c: int(rows[c].sum()) for c in cols}

    def resumen_carga(self) -> str:
        """The load report in Spanish, one line per file and a total per table."""
        lines = []
        for tabla in ("envios", "eventos"):
            rows = self.archivos[self.archivos["tabla"] == tabla]
            if rows.empty:
                continue
            for r in rows.itertuples():
                extra = _out_of_range(r.fechas_fuera_de_rango)
                extra += f"; columnas ignoradas: {r.columnas_ignoradas}" if r.columnas_ignoradas else ""
                if r.leidas == 0:
                    counts = (
                        "0 filas. Aviso: el archivo tiene encabezados pero ninguna fila de datos; revisá "
                        "que la descarga no haya quedado vacía"
                    )
                else:
                    counts = _counts(r._asdict())
                lines.append(f"{tabla} · {r.archivo} ({r.formato}): {counts}{extra}")
            total = _out_of_range(int(rows["fechas_fuera_de_rango"].sum()))
            lines.append(f"{tabla} · total: {_counts(self.totales(tabla))}{total}")
        return "\n".join(lines)


def _out_of_range(n: int) -> str:
    if not n:
        return ""
    return (
        f"; {fmt_int(n)} {'fila' if n == 1 else 'filas'} con alguna fecha opcional fuera de rango "
        f"(años {cv.YEAR_MIN}-{cv.YEAR_MAX}), cargada como no informada"
    )


def _counts(c: Mapping[str, int]) -> str:
    return (
        f"{fmt_int(c['leidas'])} leídas, {fmt_int(c['cargadas'])} cargadas, "
        f"{fmt_int(c['rechazadas'])} rechazadas, {fmt_int(c['duplicadas'])} duplicadas, "
        f"{fmt_int(c['reemplazadas'])} reemplazadas"
    )


# --------------------------------------------------------------------------- paths


def expand_paths(spec: PathSpec | None, tabla: str, base: Path | None = None) -> list[Path]:
    """Files named by a path, a list of paths or glob patterns, in the order given.

    Relative paths are taken from ``base`` (the parameters file's folder) when given.
    """
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return []
    items = [spec] if isinstance(spec, str | Path) else list(spec)
    files: list[Path] = []
    for item in items:
        text = str(item).strip()
        path = Path(text).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        if glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
            if not matches:
                raise DataError(
                    f"El patrón «{text}» de {tabla} no coincide con ningún archivo "
                    f"(buscado en {path.parent}). Revisá la ruta o el patrón."
                )
            files.extend(matches)
        elif path.is_dir():
            raise DataError(
                f"«{text}» es una carpeta, no un archivo: indicá los archivos que tiene adentro, "
                f"p. ej. «{Path(text) / '*.csv'}»."
            )
        elif not path.is_file():
            where = f" (las rutas relativas se toman desde {base})" if base is not None else ""
            what = "el archivo" if tabla == "archivo" else f"el archivo de {tabla}"
            raise DataError(
                f"No encontré {what} «{text}»: no existe{where}. Revisá la ruta o "
                "generá los datos de ejemplo con `outbound-analysis demo`."
            )
        else:
            files.append(path)
    return files


# --------------------------------------------------------------------------- reading


def _format_of(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
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


def _frame_to_arrow(frame: pd.DataFrame) -> pa.Table:
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
    return _numbered(_frame_to_arrow(frame), 2, "Excel, primera hoja")


def _read_json_lines(path: Path) -> pa.Table:
    """JSON lines through Arrow, keeping date text as text.

    Arrow infers ISO text as zone-less timestamps (an offset is applied and dropped), which
    the loader would then take as local time: those columns are read again as strings.
    """
    table = pajson.read_json(path)
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
    return _numbered(_frame_to_arrow(pd.DataFrame.from_records(records)), 1, kind)


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


def _read_file(path: Path) -> _Raw:
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
    raw = _read_file(path)
    return raw.table, raw.described


# --------------------------------------------------------------------------- headers


def _accepted_headers(column: Column) -> str:
    return ", ".join(f"«{a}»" for a in (*column.aliases, column.name))


def map_headers(
    headers: Sequence[str], tabla: str, columnas: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Canonical column -> file header, and the headers left unused.

    The user's ``columnas`` mapping (header -> canonical name) wins over the aliases;
    among aliases the earlier one wins.
    """
    spec = TABLES[tabla]
    by_key: dict[str, str] = {}
    for h in headers:
        by_key.setdefault(key(h), h)
    chosen: dict[str, str] = {}
    for header, target in (columnas or {}).items():
        if target in {c.name for c in spec} and key(header) in by_key:
            chosen.setdefault(target, by_key[key(header)])
    taken = set(chosen.values())
    for column in spec:
        if column.name in chosen:
            continue
        for alias in (column.name, *column.aliases):
            header = by_key.get(key(alias))
            if header is not None and header not in taken:
                chosen[column.name] = header
                taken.add(header)
                break
    ignored = [h for h in headers if h not in taken]
    return chosen, ignored


# --------------------------------------------------------------------------- one file


@dataclass
class _FileLoad:
    frame: pd.DataFrame
    rejects: pd.DataFrame
    read: int
    rejected: int
    described: str
    ignored: list[str]
    #: loaded rows with an optional timestamp outside 1900-2200 (read as "no informado")
    out_of_range: int = 0


def _load_file(path: Path, tabla: str, columnas: Mapping[str, str] | None, tz: str) -> _FileLoad:
    raw = _read_file(path)
    return _canonical(raw.table, tabla, columnas, tz, path, raw.rows, raw.described, raw.bad_rows)


def _canonical(
    table: pa.Table,
    tabla: str,
    columnas: Mapping[str, str] | None,
    tz: str,
    path: Path,
    rows: np.ndarray,
    described: str,
    bad_rows: Sequence[tuple[int, int, int, str]] = (),
) -> _FileLoad:
    """Raw Arrow columns of one file -> canonical frame, its rejected rows and counts.

    ``rows`` is the "fila" of every table row; ``bad_rows`` are CSV lines with another number of
    columns than the header, rejected whole. Counts are rows: a row with several problems is
    rejected once (and listed once per problem).
    """
    headers = table.column_names
    chosen, ignored = map_headers(headers, tabla, columnas)
    spec = TABLES[tabla]
    for column in spec:
        if column.required and column.name not in chosen:
            raise DataError(
                f"Al archivo «{path.name}» ({tabla}) le falta la columna obligatoria "
                f"«{column.name}». Encabezados aceptados para esa columna: {_accepted_headers(column)} "
                "(sin importar mayúsculas, acentos ni espacios). Encabezados del archivo: "
                f"{', '.join(f'«{h}»' for h in headers)}. Si la columna tiene otro nombre, indicalo "
                f'en el parámetro columnas, p. ej. columnas: {{"Mi encabezado": {column.name}}}.'
            )
    n = table.num_rows
    out: dict[str, pd.Series] = {}
    problems: list[tuple[np.ndarray, str, pa.ChunkedArray, str]] = []
    optional_outside = np.zeros(n, dtype=bool)
    for column in spec:
        header = chosen.get(column.name)
        if header is None:
            continue
        raw = table.column(header)
        conv = _convert(raw, column, tz)
        if conv.invalid is not None and conv.invalid.any():
            if column.kind == "code":
                _raise_unknown_code(path, column, header, raw, conv.invalid, rows)
            problems.append((conv.invalid, column.name, raw, conv.reason))
        outside = conv.out_of_range
        if outside is not None and outside.any():
            if column.required:  # never another date: the row is rejected
                problems.append((outside, column.name, raw, cv.OUT_OF_RANGE_REASON))
            else:  # read as "no informado" and counted in the load report
                optional_outside |= outside
        out[column.name] = conv.series
        if conv.linea is not None:
            out["_linea_canal"] = conv.linea
        if column.required:
            missing = conv.series.isna().to_numpy().copy()
            if conv.invalid is not None:
                missing &= ~conv.invalid
            if outside is not None:
                missing &= ~outside
            if missing.any():
                problems.append((missing, column.name, raw, "falta el valor (columna obligatoria)"))
    frame = _complete(pd.DataFrame(out, index=pd.RangeIndex(n)), tabla, tz)
    blank = _blank_rows(table, problems)
    if blank.any():  # an empty line is not a row of data: neither read nor rejected
        problems = [(mask & ~blank, *rest) for mask, *rest in problems]
    rejects = _rejects_frame(problems, tabla, path, rows, bad_rows)
    bad = blank.copy()
    for mask, *_ in problems:
        bad |= mask
    frame["_fila"] = rows
    rejected = int((bad & ~blank).sum()) + len(bad_rows)
    kept = frame[~bad] if bad.any() else frame
    read = n - int(blank.sum()) + len(bad_rows)
    outside_loaded = int((optional_outside & ~bad).sum())
    return _FileLoad(kept, rejects, read, rejected, described, ignored, outside_loaded)


def _blank_rows(table: pa.Table, problems: list) -> np.ndarray:
    """Rows with no value in any column (checked only among rows already flagged)."""
    blank = np.zeros(table.num_rows, dtype=bool)
    flagged = np.zeros(table.num_rows, dtype=bool)
    for mask, *_ in problems:
        flagged |= mask
    candidates = np.flatnonzero(flagged)
    if not len(candidates):
        return blank
    rows = table.take(pa.array(candidates))
    empty = np.ones(len(candidates), dtype=bool)
    for column in rows.columns:
        empty &= ~cv.as_text(column).is_valid().to_numpy(zero_copy_only=False)
    blank[candidates[empty]] = True
    return blank


def frame_from_records(
    tabla: str, records: Sequence[Mapping[str, object]], zona_horaria: str = DEFAULT_TZ
) -> pd.DataFrame:
    """A canonical table from in-memory records, with the loader's rules and dtypes.

    Raises :class:`DataError` when a record would be rejected (for code and tests that
    build data by hand).

    >>> frame_from_records("envios", [{"envio_id": "1", "fecha_envio": "2026-08-01 10:00",
    ...     "campana": "A", "origen": "Plantilla", "canal": "WA", "contacto_id": "54911",
    ...     "estado": "Enviado"}])["estado"].tolist()
    ['exitoso']
    """
    table = _frame_to_arrow(pd.DataFrame.from_records(list(records)))
    rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    load = _canonical(table, tabla, None, zona_horaria, Path("<registros>"), rows, "registros")
    if load.rejected:
        first = load.rejects.iloc[0]
        raise DataError(f"registro {first['fila']}, {first['columna']}: {first['motivo']}")
    frame = load.frame.drop(columns=["_fila"]).reset_index(drop=True)
    return _finish(frame, tabla)


def _convert(raw: pa.ChunkedArray, column: Column, tz: str) -> cv.Converted:
    kind = column.kind
    if kind == "timestamp":
        return cv.to_timestamp(raw, column, tz)
    converter = {
        "id": cv.to_id,
        "label": cv.to_text,
        "text": cv.to_text,
        "code": cv.to_code,
        "canal": cv.to_canal,
        "bool": cv.to_bool,
        "list": cv.to_list,
    }[kind]
    return converter(raw, column)


def _raise_unknown_code(
    path: Path, column: Column, header: str, raw: pa.ChunkedArray, invalid: np.ndarray, rows: np.ndarray
) -> None:
    idx = np.flatnonzero(invalid)
    values = pd.unique(pd.Series(cv.as_text(raw).take(pa.array(idx)).to_pylist()))
    shown = ", ".join(f"«{v}»" for v in values[:5]) + (" ..." if len(values) > 5 else "")
    accepted = ", ".join(column.codes or ())
    raise DataError(
        f"El archivo «{path.name}» tiene valores desconocidos, desde la fila {rows[idx[0]]}: {shown}, "
        f"en la columna «{column.name}» (encabezado «{header}»). Códigos aceptados: "
        f"{accepted} (también sus nombres en la plataforma, p. ej. «Campaña de flujo», "
        "«Plantilla individual», «Enviado», «Error»). Corregí esos valores en el archivo."
    )


def _rejects_frame(
    problems: list[tuple[np.ndarray, str, pa.ChunkedArray, str]],
    tabla: str,
    path: Path,
    rows: np.ndarray,
    bad_rows: Sequence[tuple[int, int, int, str]] = (),
) -> pd.DataFrame:
    """One line per problem (a row with two problems is listed twice, counted once)."""
    parts = []
    for mask, name, raw, reason in problems:
        idx = np.flatnonzero(mask)
        if not len(idx):
            continue
        values = cv.as_text(raw).take(pa.array(idx)).to_pylist()
        parts.append(pd.DataFrame({"fila": rows[idx], "columna": name, "valor": values, "motivo": reason}))
    if bad_rows:
        parts.append(
            pd.DataFrame(
                {
                    "fila": np.array([b[0] for b in bad_rows], dtype=np.int64),
                    "columna": WHOLE_ROW,
                    "valor": [b[3] for b in bad_rows],
                    "motivo": [f"la fila tiene {_columns(b[1])} y el encabezado {b[2]}" for b in bad_rows],
                }
            )
        )
    if not parts:
        return _empty_rejects()
    frame = pd.concat(parts, ignore_index=True).sort_values(["fila", "columna"], kind="stable")
    frame.insert(0, "archivo", str(path))
    frame.insert(0, "tabla", tabla)
    return frame.reset_index(drop=True)


def _columns(n: int) -> str:
    return "1 columna" if n == 1 else f"{n} columnas"


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "fila" else cv.STRING) for c in REJECT_COLUMNS})


def _empty_column(column: Column, n: int, tz: str) -> pd.Series:
    if column.kind == "timestamp":
        return pd.Series(pd.NaT, index=range(n), dtype=f"datetime64[ns, {tz}]")
    if column.kind == "bool":
        return pd.Series(pd.NA, index=range(n), dtype="boolean")
    if column.kind == "list":
        return pd.Series(pa.nulls(n, pa.list_(pa.string())), dtype=cv.LIST)
    return pd.Series(pd.NA, index=range(n), dtype=cv.STRING)


def _complete(frame: pd.DataFrame, tabla: str, tz: str) -> pd.DataFrame:
    """All canonical columns in contract order; a line split off the canal fills ``linea``."""
    n = len(frame)
    split_line = frame.pop("_linea_canal") if "_linea_canal" in frame else None
    cols = {}
    for column in TABLES[tabla]:
        cols[column.name] = frame[column.name] if column.name in frame else _empty_column(column, n, tz)
    out = pd.DataFrame(cols, index=frame.index)
    if split_line is not None and "linea" in out:
        out["linea"] = out["linea"].fillna(split_line)
    return out


# --------------------------------------------------------------------------- tables


def _category(series: pd.Series, categories: Sequence[str] | None = None) -> pd.Series:
    """Arrow strings -> category, through Arrow's dictionary encoding (fast on millions of rows).

    Categories are the fixed codes when given, else the sorted distinct values.
    """
    encoded = pc.dictionary_encode(cv.arrow_of(series).combine_chunks())
    found = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    cats = list(categories) if categories is not None else sorted(found.tolist())
    position = pd.Index(cats).get_indexer(found) if len(found) else np.zeros(0, dtype=np.int64)
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    codes = np.where(indices >= 0, position[np.maximum(indices, 0)] if len(found) else -1, -1)
    dtype = pd.CategoricalDtype(pd.Index(cats, dtype="str"))
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=series.index)


def _finish(frame: pd.DataFrame, tabla: str) -> pd.DataFrame:
    """Category dtypes for names and codes; flags implied by their timestamps."""
    for column in TABLES[tabla]:
        if column.kind in ("label", "canal", "code"):
            frame[column.name] = _category(frame[column.name], column.codes)
    if tabla == "envios":
        for flag, stamp in (
            ("leido", "fecha_lectura"),
            ("respondido", "fecha_respuesta"),
            ("asignada", "fecha_asignacion"),
        ):
            frame[flag] = frame[flag].mask(frame[stamp].notna(), True)
    return frame


def _dedup(frame: pd.DataFrame, files: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop repeated ``envio_id``: the row read last is kept, the others are listed.

    A dropped row identical to the kept one is a ``duplicada``; one that differs is a
    ``reemplazada`` (a later download updated it, e.g. pendiente -> exitoso).
    """
    codes, uniques = pd.factorize(frame["envio_id"])
    if len(uniques) == len(frame):  # the common case: nothing repeated
        return frame, _empty_rejects().assign(_duplicada=pd.Series(dtype=bool), _archivo=pd.Series(dtype=int))
    repeated = np.flatnonzero(np.bincount(codes)[codes] > 1)
    # within the repeated rows, the last occurrence of each id is kept
    rev = repeated[::-1]
    _, last_pos = np.unique(codes[rev], return_index=True)
    superseded = np.zeros(len(frame), dtype=bool)
    superseded[repeated] = True
    superseded[rev[last_pos]] = False
    involved = frame.iloc[repeated]
    data_cols = [c for c in frame.columns if not c.startswith("_")]
    tags = cv.arrow_of(involved["etiquetas"])
    hashable = involved[data_cols].assign(
        etiquetas=pd.Series(pc.binary_join(tags, "|"), index=involved.index, dtype=cv.STRING)
    )
    row_hash = np.zeros(len(frame), dtype=np.uint64)
    row_hash[repeated] = pd.util.hash_pandas_object(hashable, index=False).to_numpy()
    kept_rows = rev[last_pos]
    kept = (
        frame.iloc[kept_rows][["envio_id", "_fila", "_archivo"]]
        .assign(_hash=row_hash[kept_rows])
        .set_index("envio_id")
    )
    dropped = frame.loc[superseded, ["envio_id", "_fila", "_archivo"]]
    target = kept.reindex(dropped["envio_id"])
    same = target["_hash"].to_numpy() == row_hash[superseded]
    where = [f"la fila {f} de {files[a]}" for f, a in zip(target["_fila"], target["_archivo"], strict=True)]
    motivo = [
        f"duplicado exacto de {w}"
        if s
        else f"envio_id repetido con otros datos: se conserva {w} (leída después)"
        for s, w in zip(same, where, strict=True)
    ]
    listed = pd.DataFrame(
        {
            "tabla": "envios",
            "archivo": [files[a] for a in dropped["_archivo"]],
            "fila": dropped["_fila"].to_numpy(),
            "columna": "envio_id",
            "valor": dropped["envio_id"].to_numpy(dtype=object),
            "motivo": motivo,
            "_duplicada": same,
            "_archivo": dropped["_archivo"].to_numpy(),
        }
    )
    return frame[~superseded], listed


def _load_table(
    tabla: str, files: list[Path], columnas: Mapping[str, str] | None, tz: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    names = [str(p) for p in files]
    # files are independent and Arrow releases the GIL: read and convert them in parallel
    with ThreadPoolExecutor(max_workers=max(1, min(len(files), os.cpu_count() or 1))) as pool:
        loads = list(pool.map(lambda p: _load_file(p, tabla, columnas, tz), files))
    frames = []
    for i, load in enumerate(loads):
        load.frame["_archivo"] = i
        frames.append(load.frame)
    if frames:
        frame = pd.concat(frames, ignore_index=True)
    else:
        frame = _complete(pd.DataFrame(), tabla, tz)
        frame["_fila"] = pd.Series(dtype="int64")
        frame["_archivo"] = pd.Series(dtype="int64")
    # categories first: filtering category columns is much cheaper than filtering strings
    frame = _finish(frame, tabla)
    dup_list = _empty_rejects().assign(_duplicada=pd.Series(dtype=bool), _archivo=pd.Series(dtype=int))
    if tabla == "envios":
        frame, dup_list = _dedup(frame, names)
    report = []
    for i, (path, load) in enumerate(zip(files, loads, strict=True)):
        mine = dup_list[dup_list["_archivo"] == i]
        dups = int(mine["_duplicada"].sum())
        repl = len(mine) - dups
        report.append(
            {
                "tabla": tabla,
                "archivo": str(path),
                "formato": load.described,
                "leidas": load.read,
                "cargadas": load.read - load.rejected - dups - repl,
                "rechazadas": load.rejected,
                "duplicadas": dups,
                "reemplazadas": repl,
                "fechas_fuera_de_rango": load.out_of_range,
                "columnas_ignoradas": ", ".join(load.ignored),
            }
        )
    rejects = pd.concat(
        [load.rejects for load in loads] + [dup_list[REJECT_COLUMNS]], ignore_index=True
    ).astype({"fila": "int64"})
    frame = frame.drop(columns=["_fila", "_archivo"]).reset_index(drop=True)
    return frame, pd.DataFrame(report, columns=FILE_REPORT_COLUMNS), rejects


def load_data(
    envios: PathSpec,
    eventos: PathSpec | None = None,
    *,
    columnas: Mapping[str, str] | None = None,
    zona_horaria: str = DEFAULT_TZ,
    base: str | Path | None = None,
    require_envios: bool = True,
) -> Dataset:
    """Load ``envios`` (required) and ``eventos`` (optional) into a :class:`Dataset`.

    ``columnas`` maps extra file headers to canonical names; ``base`` is the folder
    relative paths are taken from. ``require_envios=False`` lets ``validate`` check
    eventos files alone.
    """
    check_columnas(columnas)
    check_tz(zona_horaria)
    base_path = Path(base) if base is not None else None
    env_files = expand_paths(envios, "envios", base_path)
    if not env_files and require_envios:
        raise DataError("No indicaste ningún archivo de envíos (parámetro envios).")
    ev_files = expand_paths(eventos, "eventos", base_path)
    env, env_report, env_rejects = _load_table("envios", env_files, columnas, zona_horaria)
    ev, ev_report, ev_rejects = _load_table("eventos", ev_files, columnas, zona_horaria)
    return Dataset(
        envios=env,
        eventos=ev,
        archivos=pd.concat([env_report, ev_report], ignore_index=True),
        rechazos=pd.concat([env_rejects, ev_rejects], ignore_index=True),
        zona_horaria=zona_horaria,
    )


def load_table(
    tabla: str,
    paths: PathSpec,
    *,
    columnas: Mapping[str, str] | None = None,
    zona_horaria: str = DEFAULT_TZ,
) -> pd.DataFrame:
    """One table ("envios" or "eventos") as a canonical DataFrame (rejections dropped)."""
    check_columnas(columnas)
    files = expand_paths(paths, tabla)
    frame, _, _ = _load_table(tabla, files, columnas, zona_horaria)
    return frame


def check_columnas(columnas: Mapping[str, str] | None) -> None:
    """Every target of the ``columnas`` mapping must be a canonical column."""
    valid = {c.name for cols in TABLES.values() for c in cols}
    for header, target in (columnas or {}).items():
        if target not in valid:
            raise DataError(
                f"En columnas, «{header}» apunta a «{target}», que no es una columna de envios ni "
                f"de eventos. Columnas válidas: {', '.join(sorted(valid))}."
            )


def check_tz(tz: str) -> None:
    """``tz`` must be an IANA time zone name."""
    try:
        pd.Timestamp("2026-01-01").tz_localize(tz)
    except Exception as exc:
        raise DataError(
            f"La zona horaria «{tz}» no existe. Usá un nombre IANA, p. ej. "
            "America/Argentina/Buenos_Aires o America/Mexico_City."
        ) from exc


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: object, first: int, again: int) -> None:
        super().__init__(f"clave repetida {key!r}")
        self.key, self.first, self.again = key, first, again


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key repeated in one mapping is an error.

    Plain PyYAML keeps the last value without a word; a parameters file edited by hand
    easily repeats ``envios`` or ``fecha_desde``.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key_value = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key_value)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            line = key_node.start_mark.line + 1
            if first is not None:
                raise _DuplicateKey(key_value, first, line)
            seen[key_value] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> dict[str, object]:
    """A YAML parameters file as a mapping (empty file = no keys; a repeated key is an error)."""

    if path.is_dir():
        raise ParamsError(f"«{path}» es una carpeta, no un archivo de parámetros. Indicá el archivo .yaml.")
    if not path.is_file():
        raise ParamsError(f"No encontré el archivo de parámetros «{path}». Revisá la ruta.")
    try:
        values = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except PermissionError as exc:
        raise ParamsError(
            f"No tengo permiso para leer el archivo de parámetros «{path}». Revisá sus permisos."
        ) from exc
    except _DuplicateKey as exc:
        raise ParamsError(
            f"«{path}» tiene la clave «{exc.key}» repetida (líneas {exc.first} y {exc.again}): YAML se "
            "quedaría con la última sin avisar. Dejá una sola."
        ) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (línea {mark.line + 1}, columna {mark.column + 1})" if mark is not None else ""
        line = ""
        if mark is not None and mark.buffer:
            text = mark.buffer.replace("\0", "").splitlines()
            if 0 <= mark.line < len(text):
                line = f" («{text[mark.line].strip()[:80]}»)"
        raise ParamsError(
            f"«{path}» no es un YAML válido{where}{line}. Revisá la sangría, los dos puntos y que cada "
            "[ o { tenga su cierre."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ParamsError(
            f"«{path}» no es texto UTF-8: guardalo como UTF-8 desde tu editor y volvé a intentar."
        ) from exc
    except yaml.YAMLError as exc:
        raise ParamsError(f"«{path}» no es un YAML válido. Revisá la sangría y los dos puntos.") from exc
    except ValueError as exc:  # YAML reads 2026-13-45 as a date and fails building it
        raise ParamsError(
            f"«{path}» tiene un valor imposible ({exc}): revisá las fechas, se escriben AAAA-MM-DD."
        ) from exc
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ParamsError(
            f"«{path}» tiene que ser un mapa de claves (envios: ..., fecha_desde: ...), no "
            f"{type(values).__name__}."
        )
    return values


KEY_ENV = "OUTBOUND_ANALYSIS_CLAVE"
KEY_FILE_ENV = "OUTBOUND_ANALYSIS_CLAVE_ARCHIVO"
DEFAULT_KEY_FILE = "~/.config/outbound_analysis/clave"


def read_secret_key() -> bytes:
    """The anonymization key: ``$OUTBOUND_ANALYSIS_CLAVE`` or the key file (never in the repo)."""

    value = os.environ.get(KEY_ENV, "").strip()
    if value:
        return value.encode("utf-8")
    path = Path(os.environ.get(KEY_FILE_ENV, DEFAULT_KEY_FILE)).expanduser()
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text.encode("utf-8")
    raise ParamsError(
        "anonimizar: true necesita una clave secreta y no encontré ninguna. Definí la variable de "
        f"entorno {KEY_ENV} o guardá la clave en {DEFAULT_KEY_FILE} (fuera del repositorio), p. ej.: "
        'python -c "import secrets; print(secrets.token_hex(32))" > ~/.config/outbound_analysis/clave'
    )
