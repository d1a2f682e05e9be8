"""Display plumbing for notebooks: whether a kernel runs, showing parts, redrawing a widget.

A part is an HTML string or a plotly Figure (what :mod:`.sections` return). Nothing here
computes or formats: it only hands parts to IPython.
"""

from __future__ import annotations

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
            data, metadata = part._repr_mimebundle_(), {}
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
