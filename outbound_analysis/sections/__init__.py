"""The reports' sections: pure functions of finished tables and labels -> parts (HTML, figures).

:data:`SECCIONES` maps each report to its sections in display order; :func:`partes`
draws one of them (or the empty state when no send passes the filters) and
:func:`encabezado` draws every report's header. Adding a section is writing its function
under ``@SECCIONES.seccion("nombre")`` in the report's module (and its template): the
report, the notebook's ``informe.mostrar("nombre")`` and the interactive panel's
redraw all go through this registry.
"""

from __future__ import annotations

from .. import _html
from . import detallado, flujos, resumen
from ._base import SIN_ENVIOS, Etiquetas, Part, Seccion, Secciones, Tablas
from .encabezado import encabezado
from .flujos import SIN_ARCHIVO_EVENTOS, SIN_ENVIOS_FLUJO, SIN_EVENTOS_COINCIDENTES, SIN_RESPUESTAS

SECCIONES: dict[str, Secciones] = {
    "resumen": resumen.SECCIONES,
    "detallado": detallado.SECCIONES,
    "flujos": flujos.SECCIONES,
}


def partes(informe: str, seccion: str, tablas: Tablas, etiquetas: Etiquetas) -> list[Part]:
    """What section ``seccion`` of ``informe`` shows; the same empty state everywhere with no sends."""
    draw = SECCIONES[informe][seccion]
    if not int(tablas["seleccion"]["envios"].iloc[0]):
        return [_html.empty(SIN_ENVIOS)]
    return draw(tablas, etiquetas)


__all__ = [
    "SECCIONES",
    "SIN_ARCHIVO_EVENTOS",
    "SIN_ENVIOS",
    "SIN_ENVIOS_FLUJO",
    "SIN_EVENTOS_COINCIDENTES",
    "SIN_RESPUESTAS",
    "Etiquetas",
    "Part",
    "Seccion",
    "Secciones",
    "Tablas",
    "encabezado",
    "partes",
]
