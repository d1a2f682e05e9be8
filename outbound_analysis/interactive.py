"""JupyterLab widgets: the filter panel, the header it redraws, the contact lookup and the export button.

They only build :class:`~outbound_analysis.filters.Filtros` and call the report's own
methods (a filter change is ``informe.aplicar(filtros)``, which redraws every section
through the sections registry): no filter, metric or section is implemented twice.
Headless runs never create them. This module depends on the display plumbing
(:mod:`._display`), never on :mod:`.report`.

Rules:

- a panel change is applied once the user stops clicking for :data:`DEBOUNCE_SECONDS`;
  then the header, the contact lookup and the option counts follow the new filters;
- each option's count is the sends with that value that pass the *other* filters;
- the lookup searches while the user types (same debounce), from :data:`MIN_CHARS`;
- exports go to ``exportaciones/INFORME_AAAA-MM-DD_HHMM/`` under the notebook's folder
  (``informe.base``), which JupyterLab's file browser shows, with a download link per file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import display

from . import _html
from ._display import render_into
from ._outputs import describe_os_error
from ._text import fmt_int
from .errors import OutboundError
from .filters import LIST_FILTERS, Filtros, envios_mask
from .labels import ORIGEN_LABELS, TIPO_LABELS
from .load import Dataset
from .sections import Part

DEBOUNCE_SECONDS = 0.4
#: the lookup waits for this many characters before searching
MIN_CHARS = 3
#: exports from JupyterLab go here, under the notebook's folder
EXPORT_FOLDER = "exportaciones"
#: option labels of the list filters whose values are codes
OPTION_LABELS = {"origen": ORIGEN_LABELS, "tipo_tipificacion": TIPO_LABELS}
PANEL_HINT = (
    "Para elegir varios valores de una lista, Ctrl+clic (Cmd+clic en Mac). Entre paréntesis, los "
    "envíos de cada valor que pasan los demás filtros."
)


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
    @property
    def cantidad(self) -> int: ...
    def aplicar(self, filtros: Filtros) -> None: ...
    def buscar(self, texto: str) -> pd.DataFrame: ...
    def escribir(self, carpeta: Path) -> list[Path]: ...
    def partes_encabezado(self) -> list[Part]: ...


# ---------------------------------------------------------------- what follows a filter change

#: per report, the widgets to refresh after the panel applied new filters (header, lookups)
_FOLLOWERS: weakref.WeakKeyDictionary[object, list[Callable[[], None]]] = weakref.WeakKeyDictionary()


def _follow(informe: Informe, refresh: Callable[[], None]) -> None:
    """Call ``refresh`` every time a panel applies new filters to ``informe``."""
    _FOLLOWERS.setdefault(informe, []).append(refresh)


#: per report name, the report whose widgets are live and those widgets
_LIVE: dict[str, tuple[weakref.ref[object], list[widgets.Widget]]] = {}


def _close(widget: widgets.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close(child)
    widget.close()


def _own(informe: Informe, *ws: widgets.Widget) -> None:
    """Keep ``ws`` as ``informe``'s widgets; a new report of the same name closes the old one's.

    Re-running a notebook's ``Informe(...)`` cell makes a new report: without this, the old
    panel, lookup and button (held by the kernel's widget registry, their callbacks holding
    the report) would keep the previous report and all its data in memory.
    """
    ref, owned = _LIVE.get(informe.nombre, (None, []))
    old = ref() if ref is not None else None
    if old is not informe:
        for w in owned:
            _close(w)
        if old is not None:
            _FOLLOWERS.pop(old, None)
        owned = []
    owned.extend(ws)
    _LIVE[informe.nombre] = (weakref.ref(informe), owned)


class _Debounced:
    """Run ``action`` once the calls stop for ``delay`` seconds (at once outside an event loop)."""

    def __init__(self, action: Callable[[], None], delay: float):
        self.action = action
        self.delay = delay
        self._pending: asyncio.TimerHandle | None = None

    def __call__(self, _change: object = None) -> None:
        try:
            loop = asyncio.get_running_loop() if self.delay > 0 else None
        except RuntimeError:
            loop = None
        if loop is None:
            self.action()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(self.delay, self._run)

    def _run(self) -> None:
        self._pending = None
        self.action()


# ---------------------------------------------------------------- the filter panel


def _days(first: dt.date | None, last: dt.date | None) -> list[tuple[str, dt.date]]:
    """Every day from ``first`` to ``last`` as (dd/mm/aaaa, date): the date lists' options."""
    if first is None or last is None:
        return []
    return [(f"{d:%d/%m/%Y}", d) for d in pd.date_range(first, last, freq="D").date]


def _by_frequency(column: pd.Series) -> tuple[list[str], np.ndarray]:
    """The column's distinct values, most frequent first, and each row's index in them (-1: no value)."""
    codes, uniques = pd.factorize(column.astype("string"))
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    order = np.argsort(-counts, kind="stable")
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # code -1 (no value) indexes the last slot
    return [str(uniques[i]) for i in order], rank[codes]


def _all_of(masks: list[np.ndarray]) -> np.ndarray | None:
    """The rows every mask keeps (None: no mask, every row)."""
    if not masks:
        return None
    out = masks[0].copy()
    for m in masks[1:]:
        out &= m
    return out


def _conjunta(shifted: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, tuple[int, ...]] | None:
    """Each send's codes of every list (plus one: 0 is "no value") combined into one code, and
    the lists' sizes: one count gives every list's counts. None when the combinations are too many."""
    dims = tuple(n + 1 for n in sizes)
    if not shifted or int(np.prod(dims, dtype=np.float64)) > 1 << 22:
        return None
    joint = np.zeros(len(shifted[0]), dtype=np.int64)
    for codes, n in zip(shifted, dims, strict=True):
        joint *= n
        joint += codes
    return joint, dims


class FilterPanel:
    """Filter widgets over the loaded data; a change re-applies the filters (debounced).

    Dates are lists of days written dd/mm/aaaa (a browser date picker writes them in the
    browser's language, often mm/dd). The data's first and last day mean "no limit".
    """

    def __init__(self, informe: Informe, debounce: float = DEBOUNCE_SECONDS):
        self.informe = informe
        env = informe.datos.envios
        f = informe.filtros
        tz = f.zona_horaria
        fechas = env["fecha_envio"].dropna()
        first = fechas.min().tz_convert(tz).date() if len(fechas) else None
        last = fechas.max().tz_convert(tz).date() if len(fechas) else None
        self._bounds = (first, last)
        # a date of the parameters outside the data still shows (and still filters)
        known = [d for d in (first, last, f.fecha_desde, f.fecha_hasta) if d is not None]
        days = _days(min(known), max(known)) if known else []
        date_style = {"description_width": "initial"}
        layout = widgets.Layout(width="210px")
        self.desde = widgets.Dropdown(
            options=days, value=f.fecha_desde or first, description="Desde", style=date_style, layout=layout
        )
        self.hasta = widgets.Dropdown(
            options=days, value=f.fecha_hasta or last, description="Hasta", style=date_style, layout=layout
        )
        self.selects: dict[str, widgets.SelectMultiple] = {}
        #: per list filter: its values (most frequent first, a fixed order) and each send's index in them
        self._values: dict[str, list[str]] = {}
        self._codes: dict[str, np.ndarray] = {}
        self._masks: dict[str, tuple[object, np.ndarray | None]] = {}
        self._updating = False
        #: the same codes plus one: "no value" (-1) lands in bin 0 of a count, left out
        self._shifted: dict[str, np.ndarray] = {}
        for name, (column, label) in LIST_FILTERS.items():
            self._values[name], self._codes[name] = _by_frequency(env[column])
            self._shifted[name] = self._codes[name] + 1
            values = self._values[name]
            self.selects[name] = widgets.SelectMultiple(
                options=self._options(name, None),
                value=tuple(v for v in getattr(f, name) if v in values),
                description=label,
                layout=widgets.Layout(width="auto", height="120px"),
                style={"description_width": "initial"},
            )
        self._conjunta = _conjunta(
            [self._shifted[n] for n in LIST_FILTERS], [len(self._values[n]) for n in LIST_FILTERS]
        )
        self.ayuda = widgets.HTML(_html.note(PANEL_HINT))
        self.estado = widgets.HTML()
        self.limpiar = widgets.Button(description="Limpiar filtros", icon="eraser")
        self.limpiar.on_click(lambda _: self.clear())
        self._changed = _Debounced(self.apply, debounce)
        for w in self._widgets():
            w.observe(self._on_value, names="value")
        self._update_counts()
        self._update_status()
        #: what makes filter changes fast, computed while the analyst reads the report
        self.preparando = informe.vista.preparar_panel()
        _own(informe, self.ayuda, self.estado, self.limpiar, *self._widgets())

    def _widgets(self) -> list[widgets.Widget]:
        return [self.desde, self.hasta, *self.selects.values()]

    def _on_value(self, change: object) -> None:
        if not self._updating:
            self._changed(change)

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

    # -------------------------------------------------------------- option counts

    def _mask(self, key: str, filtros: Filtros) -> np.ndarray | None:
        """Sends passing one filter alone (``None``: that filter keeps every send); kept until it changes."""
        tz = filtros.zona_horaria
        if key == "fechas":
            state: object = (filtros.fecha_desde, filtros.fecha_hasta, tz)
            alone = Filtros(fecha_desde=filtros.fecha_desde, fecha_hasta=filtros.fecha_hasta, zona_horaria=tz)
        else:
            state = getattr(filtros, key)
            alone = Filtros(zona_horaria=tz, **{key: state})
        cached = self._masks.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
        mask = None if alone.is_empty() else envios_mask(self.informe.datos.envios, alone)
        self._masks[key] = (state, mask)
        return mask

    def _options(self, name: str, counts: np.ndarray | None) -> list[tuple[str, str]]:
        labels = OPTION_LABELS.get(LIST_FILTERS[name][0], {})
        values = self._values[name]
        if counts is None:  # all sends
            codes = self._codes[name]
            counts = np.bincount(codes[codes >= 0], minlength=len(values))
        return [(f"{labels.get(v, v)} ({fmt_int(n)})", v) for v, n in zip(values, counts, strict=True)]

    def option_counts(self, filtros: Filtros | None = None) -> dict[str, dict[str, int]]:
        """Per list filter: each value's sends that pass every *other* filter."""
        f = filtros or self.filtros()
        masks = {key: m for key in ("fechas", *LIST_FILTERS) if (m := self._mask(key, f)) is not None}
        # the lists without a filter of their own all count within every filter: one count
        counts = self._contar([n for n in LIST_FILTERS if n not in masks], _all_of(list(masks.values())))
        for name in LIST_FILTERS:
            if name in masks:
                counts |= self._contar([name], _all_of([m for key, m in masks.items() if key != name]))
        return {
            name: dict(zip(self._values[name], counts[name].tolist(), strict=True)) for name in LIST_FILTERS
        }

    def _contar(self, names: list[str], keep: np.ndarray | None) -> dict[str, np.ndarray]:
        """Per list of ``names``: each value's sends among those ``keep`` keeps (None: all)."""
        if len(names) > 1 and self._conjunta is not None:  # one count of the combined codes
            joint, dims = self._conjunta
            size = int(np.prod(dims))
            table = np.bincount(joint, weights=keep, minlength=size).reshape(dims)
            axes = list(LIST_FILTERS)
            return {
                n: table.sum(axis=tuple(i for i in range(len(dims)) if i != axes.index(n)))[1:].astype(
                    np.int64
                )
                for n in names
            }
        # the mask as weights: a third of the time of taking the kept codes first
        return {
            n: np.bincount(self._shifted[n], weights=keep, minlength=len(self._values[n]) + 1)[1:].astype(
                np.int64
            )
            for n in names
        }

    def _update_counts(self, filtros: Filtros | None = None) -> None:
        """Relabel every list's options with counts under the other filters, keeping the selection."""
        counts = self.option_counts(filtros)
        self._updating = True
        try:
            for name, w in self.selects.items():
                options = self._options(name, np.array(list(counts[name].values()), dtype=np.int64))
                if list(w.options) != options:
                    selected = w.value
                    w.options = options  # replacing the options empties the selection: restore it
                    w.value = selected
        finally:
            self._updating = False

    # -------------------------------------------------------------- apply, clear, status

    def apply(self) -> None:
        """Apply the widgets' filters to the report, redraw every section and what follows them."""
        filtros = self.filtros()
        self.informe.aplicar(filtros)
        self._update_counts(filtros)
        self._update_status()
        for refresh in list(_FOLLOWERS.get(self.informe, ())):
            refresh()

    def clear(self) -> None:
        """Back to no filters (one recomputation, not one per widget)."""
        first, last = self._bounds
        self._updating = True
        try:
            if first is not None:
                self.desde.value, self.hasta.value = first, last
            for w in self.selects.values():
                w.value = ()
        finally:
            self._updating = False
        self.apply()

    def _update_status(self) -> None:
        inf = self.informe
        n = inf.cantidad
        text = f"{inf.filtros.describe()} Envíos que pasan: {fmt_int(n)} de {fmt_int(len(inf.datos.envios))}."
        self.estado.value = (
            _html.note(text)
            if n
            else _html.warn(
                text + " Ningún envío cumple los filtros: ampliá las fechas o quitá algún filtro."
            )
        )

    def widget(self) -> widgets.Widget:
        grid = widgets.GridBox(
            list(self.selects.values()),
            layout=widgets.Layout(grid_template_columns="repeat(3, minmax(220px, 1fr))", grid_gap="6px"),
        )
        panel = widgets.VBox(
            [widgets.HBox([self.desde, self.hasta, self.limpiar]), self.ayuda, grid, self.estado]
        )
        _own(self.informe, panel)  # the boxes hold the lists, whose callbacks hold the report
        return panel

    def show(self) -> None:
        display(self.widget())


def salida(informe: Informe) -> widgets.Output:
    """The output one of ``informe``'s sections is drawn into, closed with its other widgets."""
    out = widgets.Output()
    _own(informe, out)
    return out


# ---------------------------------------------------------------- the header, kept up to date


def header(informe: Informe) -> widgets.Widget:
    """The report's header (files, parameters, filters, load report), redrawn after each filter change."""
    out = widgets.Output()

    def draw() -> None:
        render_into(out, informe.partes_encabezado())

    draw()
    _follow(informe, draw)
    _own(informe, out)
    return out


# ---------------------------------------------------------------- the contact lookup


def contact_lookup(informe: Informe, debounce: float = DEBOUNCE_SECONDS) -> widgets.Widget:
    """A search box: type an id or part of a phone number, see every send to it within the filters.

    It searches while the user types (from :data:`MIN_CHARS` characters, debounced), again
    after each filter change, and says which filters the result is under.
    """
    box = widgets.Text(
        placeholder="p. ej. 1155 o 5491123456789",
        description="Contacto",
        continuous_update=True,
        layout=widgets.Layout(width="420px"),
    )
    out = widgets.Output()

    def search() -> None:
        text = box.value.strip()
        filtros = informe.filtros.describe()
        if not text:
            parts = [
                _html.note("Escribí un número (o parte) o un ID de contacto: se busca mientras escribís.")
            ]
        elif len(text) < MIN_CHARS:
            parts = [_html.note(f"Seguí escribiendo: se busca desde {MIN_CHARS} caracteres.")]
        else:
            found = informe.buscar(text)
            if found.empty:
                parts = [
                    _html.empty(
                        f"No hay envíos a contactos que coincidan con «{text}» entre los envíos que pasan "
                        f"los filtros. {filtros} Si esperabas alguno, quitá filtros en el panel."
                    )
                ]
            else:
                contactos = found["contacto_id"].nunique()
                parts = [
                    _html.note(
                        f"{fmt_int(len(found))} envíos a {fmt_int(contactos)} contactos que coinciden con "
                        f"«{text}». {filtros}"
                    ),
                    _html.table(found),
                ]
        render_into(out, parts)

    box.observe(_Debounced(search, debounce), names="value")
    _follow(informe, search)
    search()
    lookup = widgets.VBox([box, out])
    _own(informe, lookup)
    return lookup


# ---------------------------------------------------------------- the export button


def export_dir(informe: Informe, now: dt.datetime | None = None) -> Path:
    """Where the export button writes: ``exportaciones/INFORME_AAAA-MM-DD_HHMM`` under the notebook's folder.

    A second export within the same minute gets ``-2``, ``-3``... instead of replacing the first.
    """
    stamp = f"{informe.nombre}_{(now or dt.datetime.now()):%Y-%m-%d_%H%M}"
    root = informe.base / EXPORT_FOLDER
    target, n = root / stamp, 2
    while target.exists():
        target, n = root / f"{stamp}-{n}", n + 1
    return target


def _links(files: list[Path], base: Path) -> str:
    """A download link per file, relative to the notebook's folder (JupyterLab resolves them).

    The XLSX first (the file for Excel), then the rest by name.
    """
    ordered = sorted(files, key=lambda p: (p.suffix != ".xlsx", p.name))
    items = []
    for p in ordered:
        href = html.escape(quote(p.relative_to(base).as_posix()))
        name = html.escape(p.name)
        items.append(f'<li><a href="{href}" download="{name}">{name}</a></li>')
    return '<ul class="oa-descargas">' + "".join(items) + "</ul>"


def export_button(informe: Informe) -> widgets.Widget:
    """A button that writes the current filtered tables; beside it, where; below, a link per file."""
    button = widgets.Button(description="Exportar", icon="download", button_style="primary")
    message = widgets.HTML()
    links = widgets.Output()

    def on_click(_: object) -> None:
        target = export_dir(informe)
        button.disabled, button.description = True, "Exportando…"
        message.value = ""
        try:
            written = informe.escribir(target)
        except OutboundError as exc:
            message.value = _html.warn(str(exc))
            return
        except OSError as exc:
            message.value = _html.warn(
                describe_os_error(exc, target.parent, 'informe.exportar("otra/carpeta")')
            )
            return
        finally:
            button.disabled, button.description = False, "Exportar"
        shown = target.relative_to(informe.base).as_posix()
        message.value = _html.note(
            f"Listo: {len(written)} archivos en {shown}/ (en el explorador de archivos de la izquierda). "
            "Hacé clic en uno de abajo para descargarlo."
        )
        render_into(
            links,
            [_html.note(informe.filtros.describe()) + _links(written, informe.base)],
        )

    button.on_click(on_click)
    panel = widgets.VBox([widgets.HBox([button, message]), links])
    _own(informe, panel)
    return panel
