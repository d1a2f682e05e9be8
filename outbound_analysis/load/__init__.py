"""Loading ``envios`` and ``eventos``: the only package that reads input files.

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

Modules: ``_dataset`` (Dataset and the load report), ``_paths`` (paths and globs),
``_readers`` (one file of each format to Arrow), ``_archivo`` (one file's headers,
conversion and rejections), ``_tables`` (categories, deduplication, tables), ``_config``
(columnas, zona horaria, YAML, key), ``_store`` (the Parquet store of ``outbound-analysis
importar``: find, read back, prune by month), ``_importar`` (append downloads to a store)
and ``_fusion`` (merge them with the stored months).
"""

from __future__ import annotations

from ._archivo import map_headers
from ._config import (
    DEFAULT_KEY_FILE,
    KEY_ENV,
    KEY_FILE_ENV,
    check_columnas,
    check_tz,
    read_secret_key,
    read_yaml,
)
from ._dataset import (
    DEFAULT_TZ,
    FILE_REPORT_COLUMNS,
    FORMATS,
    REJECT_COLUMNS,
    WHOLE_ROW,
    Dataset,
    PathSpec,
)
from ._importar import ResultadoImportacion, importar
from ._paths import expand_paths
from ._readers import read_raw
from ._store import almacen_de, archivos_almacen, es_almacen, leer_almacen, meses_necesarios
from ._tables import frame_from_records, load_data, load_table

__all__ = [
    "DEFAULT_KEY_FILE",
    "DEFAULT_TZ",
    "FILE_REPORT_COLUMNS",
    "FORMATS",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "REJECT_COLUMNS",
    "WHOLE_ROW",
    "Dataset",
    "PathSpec",
    "ResultadoImportacion",
    "almacen_de",
    "archivos_almacen",
    "check_columnas",
    "check_tz",
    "es_almacen",
    "expand_paths",
    "frame_from_records",
    "importar",
    "leer_almacen",
    "load_data",
    "load_table",
    "map_headers",
    "meses_necesarios",
    "read_raw",
    "read_secret_key",
    "read_yaml",
]
