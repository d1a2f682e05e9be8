"""What every section shares: its parts, its inputs, the registry and the empty-state sentence.

A section is a pure function ``(tablas, etiquetas) -> parts``: it reads finished tables
(:mod:`..metrics` computes them all, including what a section only shows) and the
report's labels, and returns HTML strings and plotly figures. It never counts or
filters; its Spanish text is a template under ``templates/sections/<report>/``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from .. import _render

Part = str | go.Figure
Tablas = Mapping[str, pd.DataFrame]

#: what every section shows when no send passes the filters (all reports, all sections)
SIN_ENVIOS = "No hay envíos que cumplan los filtros elegidos."


@dataclass(frozen=True)
class Etiquetas:
    """The report's labels: what a section shows that is not a table.

    ``filtros``: the filters in force, in words; ``sin_coincidencia``: one sentence per
    filter value that no loaded send has; ``anonimizado``: contacts are pseudonyms;
    ``generado``: when the report was made (dd/mm/aaaa HH:MM).
    """

    filtros: str = "Sin filtros: todos los envíos cargados."
    sin_coincidencia: tuple[str, ...] = ()
    anonimizado: bool = False
    generado: str = ""


Seccion = Callable[[Tablas, Etiquetas], list[Part]]


class Secciones(dict[str, Seccion]):
    """One report's sections in display order: name -> section function."""

    def seccion(self, nombre: str) -> Callable[[Seccion], Seccion]:
        """Decorator: register the function as section ``nombre`` (after the ones before it)."""

        def register(fn: Seccion) -> Seccion:
            if nombre in self:
                raise ValueError(f"section {nombre!r} registered twice")
            self[nombre] = fn
            return fn

        return register


def texto(plantilla: str, block: str | None = None, **contexto: object) -> list[Part]:
    """The rendered template as a one-part list, or no part when it renders to nothing."""
    html = _render.render(plantilla, block, **contexto)
    return [html] if html else []


def fila(tabla: pd.DataFrame, i: int = 0) -> dict[str, object]:
    """Row ``i`` of a table as a dict (what a template reads as ``row.column``)."""
    return tabla.iloc[i].to_dict()
