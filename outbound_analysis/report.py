"""A report inside a notebook: load, filter, compute, show and export, one call per section.

A report notebook does::

    informe = oa.Informe("resumen", envios=envios, ..., salida=salida, interactivo=interactivo)
    informe.encabezado()        # data files, filters in force, load report
    informe.panel()             # filter panel (only when interactivo)
    informe.mostrar("embudo")   # one section: explanation, chart, table
    informe.exportar()          # CSV/JSON/XLSX into ``salida`` (the runner sets it)

:class:`Informe` is the notebook entry point: it reads the parameters and the files, then
delegates to a frozen :class:`~outbound_analysis.view.Vista` (the state: data, filters,
key, with its tables computed once) and to :mod:`~outbound_analysis.sections` (what each
section shows). A filter change replaces the Vista and redraws. Headless (papermill,
nbval) sections display plain HTML and plotly figures; with ``interactivo`` each section
is drawn inside an ``ipywidgets.Output`` that the panel redraws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd

from . import _display, _html, _plotly_setup, _run_cache, metrics, sections
from ._text import fmt_int
from .errors import ParamsError
from .exports import export_report
from .filters import Filtros
from .load import Dataset, almacen_de, leer_almacen, load_data, read_secret_key
from .params import Parametros
from .sections import (
    SIN_ARCHIVO_EVENTOS,
    SIN_ENVIOS,
    SIN_ENVIOS_FLUJO,
    SIN_EVENTOS_COINCIDENTES,
    SIN_RESPUESTAS,
    Part,
)
from .view import Vista

REPORTS = tuple(metrics.TABLES)
#: each report's sections, in display order (the registry of :mod:`.sections`)
SECTIONS: dict[str, tuple[str, ...]] = {name: tuple(s) for name, s in sections.SECCIONES.items()}

__all__ = [
    "REPORTS",
    "SECTIONS",
    "SIN_ARCHIVO_EVENTOS",
    "SIN_ENVIOS",
    "SIN_ENVIOS_FLUJO",
    "SIN_EVENTOS_COINCIDENTES",
    "SIN_RESPUESTAS",
    "Informe",
    "Part",
]


def _check_report(nombre: str) -> None:
    if nombre not in REPORTS:
        raise ParamsError(f"«{nombre}» no es un informe. Informes: {', '.join(REPORTS)}.")


class Informe:
    """One report (resumen, detallado or flujos) over the loaded data and the current filters."""

    def __init__(
        self,
        nombre: str,
        *,
        salida: str = "",
        base: str | Path | None = None,
        cargar_eventos: bool | None = None,
        datos: Dataset | None = None,
        vista: Vista | None = None,
        parametros: Parametros | None = None,
        **params: object,
    ):
        """Load the files of ``params`` (or use ``datos``, already loaded) for report ``nombre``.

        ``vista`` and ``parametros`` (both or neither) build a report over an existing
        view without reading anything: that is how :meth:`como` and
        :meth:`with_filtros` derive one report from another.
        """
        _check_report(nombre)
        self.parametros = parametros or Parametros.from_mapping(params, source=f"parámetros de {nombre}")
        self.base = Path(base) if base is not None else Path.cwd()
        self.salida = salida
        self.interactivo = bool(self.parametros.interactivo) and _display.in_kernel()
        # inside JupyterLab, charts go through Lab's own plotly renderer (no plotly.js in the notebook)
        _plotly_setup.use_renderer(interactivo=self.interactivo)
        if vista is None:
            vista = Vista.de_datos(
                nombre,
                datos if datos is not None else self._load(nombre, cargar_eventos),
                self.parametros.filtros(),
                read_secret_key() if self.parametros.anonimizar else None,
                self.parametros,
                self.parametros.motor,
            )
        #: the report's state; a filter change replaces it (:meth:`aplicar`)
        self.vista = vista
        # the panel and the contact lookup work on the sends in memory; an SQL engine over a
        # store never loads them, so that report is drawn as a static one (and says why)
        self._sin_panel = self.interactivo and vista.datos.sin_filas
        if self._sin_panel:
            self.interactivo = False
        #: the interactive sections drawn so far, redrawn by :meth:`aplicar`
        self._outputs: list[tuple[str, object]] = []
        #: XLSX cells cut at 32,767 characters by the last export, per sheet
        self.xlsx_cortadas: dict[str, int] = {}

    def _load(self, nombre: str, cargar_eventos: bool | None) -> Dataset:
        # only flujos reads the events: resumen and detallado skip that load entirely
        if cargar_eventos is None:
            cargar_eventos = nombre == "flujos"
        p = self.parametros
        almacen = almacen_de(p.envios, self.base) if p.motor != "pandas" else None
        if almacen is not None and not p.eventos:
            # an SQL engine reads the store's files itself: no row is loaded into memory here
            return leer_almacen(almacen, zona_horaria=p.zona_horaria, eventos=cargar_eventos, filas=False)
        if not self.interactivo:  # inside `outbound-analysis run`: the data its pre-flight loaded
            cached = _run_cache.cargar(p, cargar_eventos)
            if cached is not None:
                return cached
        return load_data(
            p.envios,
            p.eventos if cargar_eventos else None,
            columnas=p.columnas,
            zona_horaria=p.zona_horaria,
            base=self.base,
            # a Parquet store is read only for the months of the dates (not with the panel: it moves them)
            filtros=None if self.interactivo else p.filtros(),
            cargar_eventos=cargar_eventos,
        )

    @classmethod
    def de_datos(cls, nombre: str, datos: Dataset, **params: object) -> Informe:
        """A report over an already loaded :class:`Dataset`: no file is read.

        ``params`` are the usual parameters (filters, formatos, anonimizar...); ``envios``
        is not needed and the time zone defaults to the data's.
        """
        params.setdefault("envios", "(datos en memoria)")
        params.setdefault("zona_horaria", datos.zona_horaria)
        return cls(nombre, datos=datos, **params)

    # ------------------------------------------------------------------ state (the Vista)

    @property
    def nombre(self) -> str:
        return self.vista.nombre

    @property
    def datos(self) -> Dataset:
        return self.vista.datos

    @property
    def filtros(self) -> Filtros:
        return self.vista.filtros

    @property
    def envios(self) -> pd.DataFrame:
        """The sends that pass the current filters."""
        return self.vista.envios

    @property
    def cantidad(self) -> int:
        """How many sends pass the current filters (counted: :attr:`envios` copies them)."""
        return self.vista.entrada.cantidad

    @property
    def perfil_eventos(self) -> metrics.EventProfile:
        return self.vista.fuente.perfil_eventos

    @property
    def tablas(self) -> Mapping[str, pd.DataFrame]:
        """This report's tables for the current filters (pseudonymized when anonimizar)."""
        return self.vista.tablas

    def aplicar(self, filtros: Filtros) -> None:
        """Use ``filtros`` from now on (a new Vista) and redraw the interactive sections."""
        self.vista = replace(self.vista, filtros=filtros)
        for seccion, out in self._outputs:
            _display.render_into(out, self.partes(seccion))

    def _derive(self, vista: Vista) -> Informe:
        return Informe(
            vista.nombre, salida=self.salida, base=self.base, vista=vista, parametros=self.parametros
        )

    def with_filtros(self, **changes: object) -> Informe:
        """A copy of this report with some filters changed (the data is not reloaded)."""
        return self._derive(replace(self.vista, filtros=replace(self.filtros, **changes)))

    def como(self, nombre: str) -> Informe:
        """Another report (resumen, detallado, flujos) over the same loaded data and filters."""
        _check_report(nombre)
        return self._derive(replace(self.vista, nombre=nombre))

    # ------------------------------------------------------------------ display

    def encabezado(self) -> None:
        """Data files, filters in force, the load report and any warning (redrawn by the panel)."""
        if self.interactivo:
            from IPython.display import display

            from .interactive import header

            display(header(self))
            return
        _display.show(self.partes_encabezado())

    def partes_encabezado(self) -> list[Part]:
        """What the header shows (HTML fragments)."""
        return self.vista.encabezado()

    def panel(self) -> None:
        """The filter panel, only when interactive (headless runs never display widgets)."""
        if not self.interactivo:
            if self._sin_panel:
                _display.show(
                    [
                        _html.note(
                            f"Con motor {self.vista.motor} sobre un almacén los envíos no se cargan en "
                            "memoria y el panel de filtros no está disponible: cambiá los filtros en la "
                            "celda de parámetros y volvé a ejecutar, o usá motor pandas."
                        )
                    ]
                )
            return
        from .interactive import FilterPanel

        FilterPanel(self).show()

    def mostrar(self, seccion: str) -> None:
        """Display one section; in interactive mode it is redrawn when filters change."""
        valid = tuple(sections.SECCIONES[self.nombre])
        if seccion not in valid:
            raise ParamsError(
                f"«{seccion}» no es una sección de {self.nombre}. Secciones: {', '.join(valid)}."
            )
        if not self.interactivo:
            _display.show(self.partes(seccion))
            return
        from IPython.display import display

        from .interactive import contact_lookup, salida

        if seccion == "contacto":
            display(contact_lookup(self))
            return
        out = salida(self)
        self._outputs.append((seccion, out))
        _display.render_into(out, self.partes(seccion))
        display(out)

    def partes(self, seccion: str) -> list[Part]:
        """What a section shows (HTML fragments and figures), for the current filters."""
        return self.vista.partes(seccion)

    def buscar(self, texto: str) -> pd.DataFrame:
        """Every send (within the filters) to the contacts matching ``texto``."""
        return self.vista.buscar(texto)

    # ------------------------------------------------------------------ export

    def exportar(self, carpeta: str | Path | None = None) -> None:
        """Write the tables (CSV/JSON/XLSX per ``formatos``), the load report and the rejections.

        Without ``carpeta`` it writes into ``salida``; with neither, headless runs only
        say so and interactive sessions show an "Exportar" button.
        """
        target = carpeta or self.salida
        if not target:
            if self.interactivo:
                from IPython.display import display

                from .interactive import export_button

                display(export_button(self))
            else:
                _display.show(
                    [
                        _html.note(
                            "Sin carpeta de salida: no se exportó nada. El comando "
                            "`outbound-analysis run` la completa."
                        )
                    ]
                )
            return
        written = self.escribir(Path(target))
        names = ", ".join(p.name for p in written)
        notes = [_html.note(f"Exportado en {Path(target).name}/: {names}.")]
        cut = self.xlsx_cortadas
        if cut:
            sheets = ", ".join(f"{name} ({fmt_int(n)})" for name, n in cut.items())
            notes.append(
                _html.warn(
                    f"El XLSX cortó {fmt_int(sum(cut.values()))} celdas de texto en 32.767 caracteres, el "
                    f"máximo de Excel (hojas: {sheets}). El texto completo está en los CSV y JSON; el "
                    "conteo queda en carga.csv y en la hoja «carga»."
                )
            )
        _display.show(notes)

    def escribir(self, carpeta: Path) -> list[Path]:
        """Write exports into ``carpeta`` without displaying anything; return the files.

        The tables in ``formatos``, plus ``rechazos.csv`` and ``carga.csv`` always, and the
        ``rechazos`` and ``carga`` sheets in the XLSX. The XLSX cells cut at 32,767
        characters are counted in carga and kept, per sheet, in ``xlsx_cortadas``.
        """
        tablas = self.vista.exportables()  # before writing: an SQL engine streams the detail
        result = export_report(
            tablas,
            carpeta,
            self.nombre,
            self.parametros.formatos,
            rechazos=self.vista.rechazos(),
            carga=self.datos.archivos,
            archivos=metrics.REGISTROS[self.nombre].archivos_de(
                {n: t for n, t in tablas.items() if isinstance(t, pd.DataFrame)}
            ),
        )
        self.xlsx_cortadas = result.cut
        return result.files
