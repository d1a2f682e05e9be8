"""Display plumbing for notebooks: whether a kernel runs, showing parts, redrawing a widget.

A part is an HTML string or a plotly Figure (what :mod:`.sections` return). Nothing here
computes or formats: it only hands parts to IPython.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable

import plotly.graph_objects as go


def in_kernel() -> bool:
    """True inside a Jupyter kernel (JupyterLab, papermill); False in a plain interpreter or tests."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def show(parts: Iterable[str | go.Figure]) -> None:
    """Display each part: HTML strings as HTML, figures as their renderer's bundle.

    A figure is displayed as the bundle its ``_repr_mimebundle_`` builds (what ``fig.show()``
    displays), not as itself: plotly's display goes through ``plotly.io.show``, whose check
    of the nbformat version imports nbformat, 1.6 s of every kernel's first chart.
    """
    from IPython.display import HTML, display

    for part in parts:
        if isinstance(part, str):
            display(HTML(part))
        else:
            display(part._repr_mimebundle_(), raw=True)


def render_into(out: object, parts: Iterable[str | go.Figure]) -> None:
    """Replace the contents of an ``ipywidgets.Output`` with ``parts``.

    Sets the widget's ``outputs`` directly instead of capturing with ``with out:``: a
    debounced widget callback runs outside any cell, where captured output is lost.
    """
    from IPython import get_ipython
    from IPython.display import HTML

    shell = get_ipython()
    # outside a kernel (tests, benchmarks): every mimetype, as a kernel would produce
    formatter = shell.display_formatter if shell is not None and hasattr(shell, "kernel") else _formatter()
    bundles = []
    for part in parts:
        if isinstance(part, go.Figure):
            # a Figure displays itself (_ipython_display_) and the formatter returns nothing:
            # ask for its bundle (plotly mimetype for JupyterLab + offline HTML) directly
            data, metadata = paquete(part), {}
        else:
            data, metadata = formatter.format(HTML(part))
        bundles.append({"output_type": "display_data", "data": data, "metadata": metadata})
    out.outputs = tuple(bundles)  # type: ignore[attr-defined]


@functools.cache
def _formatter() -> object:
    """One display formatter outside a kernel, made once (a kernel keeps its own): building
    one configures a dozen traitlets objects, 2 ms per redrawn section."""
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    formatter.active_types = formatter.format_types
    return formatter


_PLOTLY_JSON = "application/vnd.plotly.v1+json"


def paquete(fig: go.Figure) -> dict:
    """What ``fig._repr_mimebundle_()`` returns, with the template converted once per process.

    plotly deep-copies and converts each figure's whole layout, template included (7 KB of
    JSON, three quarters of the work), on every display. With JupyterLab's renderer alone (the
    panel's), the figure is converted without its template and the template's conversion,
    made once, is put back; a test compares both bundles for every chart of the reports.
    Anything else (another renderer, another plotly) goes through plotly's own bundle.
    """
    import plotly.io as pio

    try:
        layout = fig._layout  # plotly's own storage: read, never changed here
        data = fig._data
    except AttributeError:  # pragma: no cover - another plotly
        return fig._repr_mimebundle_()
    template = layout.get("template")
    if pio.renderers.default != "plotly_mimetype" or not isinstance(template, dict):
        return fig._repr_mimebundle_()
    plantilla = _plantilla(pio.templates.default)
    if template != plantilla[0]:
        return fig._repr_mimebundle_()
    from _plotly_utils.utils import convert_to_base64

    # what Figure.to_dict does (copy, then arrays as typed arrays), without the template
    fig_dict = copy.deepcopy({"data": data, "layout": {k: v for k, v in layout.items() if k != "template"}})
    convert_to_base64(fig_dict)
    bundle = pio.renderers._build_mime_bundle(fig_dict, pio.renderers.default)
    bundle[_PLOTLY_JSON]["layout"]["template"] = plantilla[1]
    return bundle


@functools.lru_cache(maxsize=4)
def _plantilla(nombre: str) -> tuple[dict, dict]:
    """Template ``nombre`` as a figure's layout holds it, and as plotly's bundle writes it."""
    fig = go.Figure()
    return fig._layout["template"], fig._repr_mimebundle_()[_PLOTLY_JSON]["layout"]["template"]
