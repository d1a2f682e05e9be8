"""Tables of every report's header: the load report in numbers and the selection's size.

They read the loaded :class:`~outbound_analysis.load.Dataset` (its ``archivos`` and
``rechazos`` frames) and the filtered sends; they are shown, never exported (the load
report is exported as ``carga.csv`` and ``rechazos.csv`` by :mod:`..exports`).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from ..filters import LIST_FILTERS
from ..load import Dataset
from ._entrada import Entrada, Fuente, Registro

#: rejections that are not bad data: repeated sends counted once or replaced by a later download
DEDUPLICACION = "envio_id repetido|duplicado exacto"
TOTALES_COLUMNS = ["tabla", "archivos", "filas", "leidas", "rechazadas", "duplicadas", "reemplazadas"]

REGISTRO = Registro()


def _datos(f: Fuente) -> Dataset:
    if f.datos is None:
        raise ValueError("the header tables need the loaded Dataset (Fuente.de_datos)")
    return f.datos


# The load's tables depend on the data set alone: computed once per Fuente, shared by every
# selection (a filter change redraws the header without recounting the load).


@REGISTRO.tabla("totales_carga", exportar=False)
def totales_carga(e: Entrada) -> pd.DataFrame:
    """Rows envios, eventos and total: files read, rows kept (``filas``) and the file counts summed."""
    return e.fuente.una_vez(_totales_datos)  # type: ignore[return-value]


def _totales_datos(f: Fuente) -> pd.DataFrame:
    d = _datos(f)
    return totales_tabla(d, {"envios": len(d.envios), "eventos": len(d.eventos)})


def totales_tabla(d: Dataset, filas: dict[str, int]) -> pd.DataFrame:
    """:func:`totales_carga` with the rows kept per table given (an SQL engine counts them)."""
    rows = []
    for tabla in ("envios", "eventos"):
        files = d.archivos[d.archivos["tabla"] == tabla]
        rows.append({"tabla": tabla, "archivos": len(files), "filas": filas[tabla], **d.totales(tabla)})
    out = pd.DataFrame(rows)
    total = {"tabla": "total", **{c: int(out[c].sum()) for c in TOTALES_COLUMNS[1:]}}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out[TOTALES_COLUMNS].astype({"tabla": "string", **{c: "int64" for c in TOTALES_COLUMNS[1:]}})


@REGISTRO.tabla("archivos", exportar=False)
def archivos(e: Entrada) -> pd.DataFrame:
    """The load report, one row per file, with the file's name only (no folders)."""
    return e.fuente.una_vez(_archivos_datos)  # type: ignore[return-value]


def _archivos_datos(f: Fuente) -> pd.DataFrame:
    d = _datos(f)
    return d.archivos.assign(archivo=d.archivos["archivo"].map(lambda p: Path(p).name))


@REGISTRO.tabla("rechazos_frecuentes", exportar=False)
def rechazos_frecuentes(e: Entrada) -> pd.DataFrame:
    """The three most frequent (columna, motivo) of the rejected rows, deduplication left out."""
    return e.fuente.una_vez(_rechazos_datos)  # type: ignore[return-value]


def _rechazos_datos(f: Fuente) -> pd.DataFrame:
    rejected = _datos(f).rechazos
    real = rejected[~rejected["motivo"].str.contains(DEDUPLICACION)]
    reasons = real.groupby(["columna", "motivo"]).size().sort_values(ascending=False).head(3)
    return reasons.rename("filas").reset_index()


#: parameters the header leaves out of its list: the filters (shown in words) and the Lab switch
_NOT_LISTED = frozenset({"interactivo", "fecha_desde", "fecha_hasta", *LIST_FILTERS})


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


@REGISTRO.tabla("parametros", exportar=False)
def parametros(e: Entrada) -> pd.DataFrame:
    """The parameters other than the filters, as given: parametro, valor (text); empty ones left out."""
    rows = []
    if e.parametros is not None:
        values = asdict(e.parametros)
        if not values.get("costos"):  # the currency only means something next to costs
            values.pop("moneda", None)
        for name, value in values.items():
            if name not in _NOT_LISTED and value not in ("", None) and value != [] and value != {}:
                rows.append({"parametro": name, "valor": _as_text(value)})
    return pd.DataFrame(rows, columns=["parametro", "valor"], dtype="string")


@REGISTRO.tabla("seleccion", exportar=False)
def seleccion(e: Entrada) -> pd.DataFrame:
    """One row: sends that pass the filters, sends loaded, and the first and last local day loaded."""
    d = _datos(e.fuente)
    fechas = d.envios["fecha_envio"].dropna()
    tz = e.filtros.zona_horaria if e.filtros is not None else d.zona_horaria
    first = fechas.min().tz_convert(tz).date() if len(fechas) else None
    last = fechas.max().tz_convert(tz).date() if len(fechas) else None
    return pd.DataFrame(
        {
            "envios": np.array([e.cantidad], dtype=np.int64),
            "envios_cargados": np.array([len(d.envios)], dtype=np.int64),
            "primer_dia": [first],
            "ultimo_dia": [last],
        }
    )
