"""Detallado sections: the table per campaign, its rates, the per-send detail, the contact search."""

from __future__ import annotations

from .. import _html, charts
from ._base import Etiquetas, Part, Secciones, Tablas, texto

SECCIONES = Secciones()


@SECCIONES.seccion("tabla")
def tabla(t: Tablas, e: Etiquetas) -> list[Part]:
    """One row per campaign."""
    return [_html.table(t["detallado"])]


@SECCIONES.seccion("tasas")
def tasas(t: Tablas, e: Etiquetas) -> list[Part]:
    """The four rates per campaign, side by side."""
    return [charts.tasas_por_campana(t["detallado"])]


@SECCIONES.seccion("envios")
def envios(t: Tablas, e: Etiquetas) -> list[Part]:
    """Every filtered send (the first 2.000 on screen)."""
    return [_html.table(t["envios"])]


@SECCIONES.seccion("contacto")
def contacto(t: Tablas, e: Etiquetas) -> list[Part]:
    """How to look a contact up; in JupyterLab the report shows a search box instead."""
    return texto("sections/detallado/contacto.html.j2")
