"""Every report's header: parameters and data files, filters in force, the load report and its warnings."""

from __future__ import annotations

from .. import _html
from ._base import Etiquetas, Part, Tablas, texto

PLANTILLA = "sections/encabezado.html.j2"


def encabezado(t: Tablas, e: Etiquetas) -> list[Part]:
    """Style, load counts, parameters, filters, the table of files, then every warning that applies."""
    totales = {row["tabla"]: row for row in t["totales_carga"].to_dict("records")}
    context = {
        "totales": totales,
        "seleccion": t["seleccion"].iloc[0].to_dict(),
        "rechazos": t["rechazos_frecuentes"].to_dict("records"),
        "parametros": t["parametros"].to_dict("records") if "parametros" in t else [],
        "filtros": e.filtros,
        "sin_coincidencia": e.sin_coincidencia,
        "anonimizado": e.anonimizado,
        "generado": e.generado,
    }
    parts: list[Part] = [_html.STYLE]
    parts += texto(PLANTILLA, "carga", **context)
    parts.append(_html.table(t["archivos"], sortable=False))
    parts += texto(PLANTILLA, "avisos", **context)
    return parts
