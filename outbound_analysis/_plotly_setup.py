"""Plotly set-up shared by every chart: template, Spanish number format, renderers.

Two renderers, chosen by the report's ``interactivo``:

- headless runs (papermill, nbval, ``interactivo=False``): ``plotly_mimetype`` alone is
  drawn by JupyterLab but not by nbconvert, so the HTML report would show blank space.
  We register a renderer that also emits ``text/html`` and embeds plotly.js once per
  kernel (no CDN: the HTML works with no network); ``plotly_mimetype+outbound_offline``
  (:data:`RENDERER`) is the default.
- inside JupyterLab (``interactivo=True``): only the plotly mimetype
  (:data:`LAB_RENDERER`), drawn by the ``jupyterlab-plotly`` extension that ships with
  plotly. No copy of plotly.js (4.8 MB) is stored in the notebook.
"""

from __future__ import annotations

import copy
import functools
import importlib
import sys
from types import ModuleType


class _LazyModule:
    """Stands in for a module and imports it on first attribute access."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> object:
        module: ModuleType = importlib.import_module(self._name)
        return getattr(module, attr)


def _renderers_without_nbformat() -> None:
    """Import plotly's renderers with ``nbformat`` deferred.

    ``plotly.io._renderers`` imports nbformat when it loads, only for a version check in
    ``fig.show()``; nbformat pulls in jsonschema, which compiles a URI grammar (about 1 s
    of every kernel's start). The check still works: a stand-in imports nbformat then.
    """
    if "plotly.io._renderers" in sys.modules or "nbformat" in sys.modules:
        return
    from _plotly_utils import optional_imports

    sys.modules["nbformat"] = None  # type: ignore[assignment]  # the import fails at once
    try:
        import plotly.io._renderers as renderers
    finally:
        del sys.modules["nbformat"]
        optional_imports._not_importable.discard("nbformat")
    renderers.nbformat = _LazyModule("nbformat")


def _parsed_key_paths_kept() -> None:
    """Parse each plotly property path once (``"xaxis_title_text"`` -> ``("xaxis", "title", "text")``).

    plotly parses every path of every update again (``basedatatypes._str_to_dict_path_full``,
    which defines a class per call): a third of the time of redrawing a report's figures
    after a filter change. The parse is a pure function of the string, so it is kept.
    """
    from plotly import basedatatypes

    parse = getattr(basedatatypes, "_str_to_dict_path_full", None)
    if parse is None or hasattr(parse, "kept"):  # another plotly, or already done
        return

    @functools.lru_cache(maxsize=4096)
    def kept(path: str) -> tuple[tuple, tuple]:
        keys, positions = parse(path)
        return keys, tuple(positions)

    def parse_once(path: object) -> tuple[tuple, list]:
        if not isinstance(path, str):
            return parse(path)  # type: ignore[no-any-return]
        keys, positions = kept(path)
        return keys, list(positions)  # a fresh list, as plotly's own returns

    parse_once.kept = kept  # type: ignore[attr-defined]
    parse_once.original = parse  # type: ignore[attr-defined]
    basedatatypes._str_to_dict_path_full = parse_once


_renderers_without_nbformat()
_parsed_key_paths_kept()

import plotly.graph_objects as go  # noqa: E402
import plotly.io as pio  # noqa: E402
from plotly.io.base_renderers import MimetypeRenderer  # noqa: E402

TEMPLATE = "outbound"
RENDERER = "plotly_mimetype+outbound_offline"
LAB_RENDERER = "plotly_mimetype"
PALETTE = ["#1F5BD6", "#19A974", "#F2A541", "#E4572E", "#7E57C2", "#00A5CF", "#8D99AE", "#C44569"]
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "locale": "es"}


class OfflineHtmlRenderer(MimetypeRenderer):
    """``text/html`` figures without a CDN: plotly.js is displayed once per kernel, on first use.

    plotly activates a renderer on every ``Figure._repr_mimebundle_()`` call (the
    interactive sections call it for each figure and each redraw): the flag keeps it to
    one copy of plotly.js per kernel.
    """

    library_shown = False

    def activate(self) -> None:
        if OfflineHtmlRenderer.library_shown:
            return
        from IPython.display import HTML, display
        from plotly.offline import get_plotlyjs

        display(HTML(f'<script type="text/javascript">{get_plotlyjs()}</script>'))
        OfflineHtmlRenderer.library_shown = True

    def to_mimebundle(self, fig_dict: dict) -> dict:
        html = pio.to_html(
            fig_dict,
            config=PLOT_CONFIG,
            include_plotlyjs=False,
            include_mathjax=False,
            full_html=False,
            validate=False,
        )
        return {"text/html": html}


def install() -> None:
    """Register the template and the offline renderer and make them the defaults (idempotent)."""
    if TEMPLATE not in pio.templates:
        base = pio.templates["plotly_white"]
        template = go.layout.Template(base)
        template.layout.colorway = PALETTE
        template.layout.font = {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 13}
        template.layout.separators = ",."  # Spanish: 1.234,5
        template.layout.margin = {"l": 20, "r": 20, "t": 60, "b": 40}
        template.layout.title = {"x": 0.01, "xanchor": "left", "font": {"size": 17}}
        pio.templates[TEMPLATE] = template
    pio.templates.default = TEMPLATE
    if "outbound_offline" not in pio.renderers:
        pio.renderers["outbound_offline"] = OfflineHtmlRenderer()
    pio.renderers.default = RENDERER


def use_renderer(*, interactivo: bool) -> None:
    """JupyterLab's own plotly renderer when ``interactivo``, else the offline HTML one.

    Called by every report when it starts: the interactive one in JupyterLab stores no
    plotly.js in the notebook; headless runs keep the HTML that works with no network.
    """
    install()
    pio.renderers.default = LAB_RENDERER if interactivo else RENDERER


def rejilla(filas: int, columnas: int, **opciones: object) -> go.Figure:
    """A figure laid out as ``make_subplots(filas, columnas, **opciones)``; put each trace in its
    cell with :func:`celda`, and address the cell's axes by their names (``xaxis2``...).

    make_subplots validates the whole template again on every call (about 13 ms, the largest
    part of a two-panel chart redrawn on each filter change): its layout is computed once per
    arguments and copied.

    >>> fig = rejilla(2, 1, shared_xaxes=True)
    >>> fig.add_scatter(x=[1], y=[2], **celda(2, 1, 1)).data[0].yaxis
    'y2'
    """
    clave = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in opciones.items()))
    return go.Figure(layout=copy.deepcopy(_rejilla(filas, columnas, clave)))


@functools.cache
def _rejilla(filas: int, columnas: int, clave: tuple[tuple[str, object], ...]) -> dict:
    from plotly.subplots import make_subplots

    layout = make_subplots(rows=filas, cols=columnas, **dict(clave)).layout.to_plotly_json()
    layout.pop("template", None)  # the default template applies, as to every figure
    return layout


def celda(fila: int, columna: int, columnas: int) -> dict[str, str]:
    """The axes of the cell at ``fila``, ``columna`` (from 1) of a :func:`rejilla` with
    ``columnas`` columns, as a trace's ``xaxis``/``yaxis``: cells are numbered by rows, as
    make_subplots does."""
    numero = (fila - 1) * columnas + columna
    sufijo = "" if numero == 1 else str(numero)
    return {"xaxis": f"x{sufijo}", "yaxis": f"y{sufijo}"}
