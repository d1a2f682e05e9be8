"""The loaded data set and its load report (per-file counts, rejections)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import _convert as cv
from .._text import fmt_int

DEFAULT_TZ = "America/Argentina/Buenos_Aires"
PathSpec = str | Path | Sequence[str | Path]

FORMATS = {
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
#: the load report's columns that count rows
FILE_REPORT_COUNTS = FILE_REPORT_COLUMNS[3:9]


@dataclass(frozen=True)
class Dataset:
    """Loaded tables plus the load report: per file counts and every rejected row."""

    envios: pd.DataFrame
    eventos: pd.DataFrame
    archivos: pd.DataFrame = field(repr=False)
    rechazos: pd.DataFrame = field(repr=False)
    zona_horaria: str = DEFAULT_TZ
    #: the Parquet store the data came from (``outbound-analysis importar``), when it did;
    #: with ``sin_filas`` the frames are empty and the SQL engines read the store's files
    almacen: Path | None = None
    sin_filas: bool = False

    def __post_init__(self) -> None:
        # the counts stay integers however the report was put together: joined with the report
        # of a table with no files (an empty frame), they came out as objects, and the
        # workbook's carga sheet wrote them as text
        loose = [c for c in FILE_REPORT_COUNTS if c in self.archivos and self.archivos[c].dtype != np.int64]
        if loose:
            object.__setattr__(self, "archivos", self.archivos.astype(dict.fromkeys(loose, np.int64)))

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
