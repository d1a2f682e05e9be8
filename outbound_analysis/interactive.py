"""JupyterLab widgets: the filter panel, the contact lookup and the export button.

They only build :class:`~outbound_analysis.filters.Filtros` and call the report's own
methods (a filter change is ``informe.aplicar(filtros)``, which redraws every section
through the sections registry): no filter, metric or section is implemented twice.
Headless runs never create them. This module depends on the display plumbing
(:mod:`._display`), never on :mod:`.report`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Protocol

import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from . import _html
from ._display import render_into
from ._text import fmt_int
from .filters import LIST_FILTERS, Filtros
from .labels import ORIGEN_LABELS
from .load import Dataset

DEBOUNCE_SECONDS = 0.4


class Informe(Protocol):
    """What the widgets use of a report (:class:`outbound_analysis.Informe` has it all)."""

    nombre: str
    base: Path

    @property
    def datos(self) -> Dataset: ...
    @property
    def filtros(self) -> Filtros: ...
    @property
    def envios(self) -> pd.DataFrame: ...
    def aplicar(self, filtros: Filtros) -> None: ...
    def buscar(self, texto: str) -> pd.DataFrame: ...
    def escribir(self, carpeta: Path) -> list[Path]: ...


def _options(series: pd.Series, labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(label with count, value) for each distinct value, most frequent first."""
    counts = series.dropna().astype("string").value_counts()
    return [(f"{(labels or {}).get(v, v)} ({fmt_int(n)})", str(v)) for v, n in counts.items()]


class FilterPanel:
    """Filter widgets over the loaded data; a change re-applies the filters (debounced)."""

    def __init__(self, informe: Informe, debounce: float = DEBOUNCE_SECONDS):
        self.informe = informe
        self.debounce = debounce
        self._pending: asyncio.TimerHandle | None = None
        env = informe.datos.envios
        f = informe.filtros
        fechas = env["fecha_envio"].dropna()
        tz = informe.filtros.zona_horaria
        first = fechas.min().tz_convert(tz).date() if len(fechas) else None
        last = fechas.max().tz_convert(tz).date() if len(fechas) else None
        layout = widgets.Layout(width="auto", height="120px")
        self.desde = widgets.DatePicker(description="Desde", value=f.fecha_desde or first)
        self.hasta = widgets.DatePicker(description="Hasta", value=f.fecha_hasta or last)
        self.selects: dict[str, widgets.SelectMultiple] = {}
        for name, (column, label) in LIST_FILTERS.items():
            labels = ORIGEN_LABELS if column == "origen" else None
            options = _options(env[column], labels)
            current = tuple(v for v in getattr(f, name) if v in {o[1] for o in options})
            self.selects[name] = widgets.SelectMultiple(
                options=options,
                value=current,
                description=label,
                layout=layout,
                style={"description_width": "initial"},
            )
        self.estado = widgets.HTML()
        self.limpiar = widgets.Button(description="Limpiar filtros", icon="eraser")
        self.limpiar.on_click(lambda _: self.clear())
        for w in (self.desde, self.hasta, *self.selects.values()):
            w.observe(self._changed, names="value")
        self._bounds = (first, last)
        self._update_status()

    def filtros(self) -> Filtros:
        """The :class:`Filtros` the widgets describe right now."""
        first, last = self._bounds
        desde = self.desde.value if self.desde.value != first else None
        hasta = self.hasta.value if self.hasta.value != last else None
        if desde and hasta and desde > hasta:
            desde, hasta = hasta, desde
        return Filtros(
            fecha_desde=desde,
            fecha_hasta=hasta,
            zona_horaria=self.informe.filtros.zona_horaria,
            **{name: list(w.value) for name, w in self.selects.items()},
        )

    def _changed(self, _change: object) -> None:
        if self.debounce <= 0:
            self.apply()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self.apply()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(self.debounce, self.apply)

    def apply(self) -> None:
        """Apply the widgets' filters to the report and redraw every section."""
        self._pending = None
        self.informe.aplicar(self.filtros())
        self._update_status()

    def clear(self) -> None:
        """Back to no filters."""
        first, last = self._bounds
        for w in (self.desde, self.hasta, *self.selects.values()):
            w.unobserve(self._changed, names="value")
        self.desde.value, self.hasta.value = first, last
        for w in self.selects.values():
            w.value = ()
        for w in (self.desde, self.hasta, *self.selects.values()):
            w.observe(self._changed, names="value")
        self.apply()

    def _update_status(self) -> None:
        inf = self.informe
        n = len(inf.envios)
        text = f"{inf.filtros.describe()} Envíos que pasan: {fmt_int(n)} de {fmt_int(len(inf.datos.envios))}."
        self.estado.value = (
            _html.note(text)
            if n
            else _html.warn(
                text + " Ningún envío cumple los filtros: ampliá las fechas o quitá algún filtro."
            )
        )

    def widget(self) -> widgets.Widget:
        selects = list(self.selects.values())
        grid = widgets.GridBox(
            selects,
            layout=widgets.Layout(grid_template_columns="repeat(3, minmax(220px, 1fr))", grid_gap="6px"),
        )
        return widgets.VBox(
            [
                widgets.HBox([self.desde, self.hasta, self.limpiar]),
                grid,
                self.estado,
            ]
        )

    def show(self) -> None:
        display(self.widget())


def contact_lookup(informe: Informe) -> widgets.Widget:
    """A search box: type an id or part of a phone number, see every send to it."""
    box = widgets.Text(
        placeholder="p. ej. 1155 o 5491123456789", description="Contacto", continuous_update=False
    )
    out = widgets.Output()

    def search(change: object = None) -> None:
        text = box.value.strip()
        if not text:
            parts = [_html.note("Escribí un número (o parte) o un ID de contacto.")]
        else:
            found = informe.buscar(text)
            nothing = _html.empty(f"No hay envíos a contactos que coincidan con «{text}».")
            parts = [nothing] if found.empty else [_html.table(found)]
        render_into(out, parts)

    box.observe(search, names="value")
    search()
    return widgets.VBox([box, out])


def export_dir(informe: Informe) -> Path:
    """Where the export button writes: ``outputs/interactivo/INFORME-AAAAMMDD-HHMMSS``."""
    root = informe.base
    for candidate in (root, *root.parents):
        if (candidate / "outputs").is_dir():
            root = candidate
            break
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return root / "outputs" / "interactivo" / f"{informe.nombre}-{stamp}"


def export_button(informe: Informe) -> widgets.Widget:
    """A button that writes the current filtered tables and says where."""
    button = widgets.Button(description="Exportar", icon="download", button_style="primary")
    message = widgets.HTML()

    def on_click(_: object) -> None:
        target = export_dir(informe)
        written = informe.escribir(target)
        message.value = _html.note(
            f"Listo: {len(written)} archivos en {target} ({informe.filtros.describe()})"
        )

    button.on_click(on_click)
    return widgets.VBox([button, message])
