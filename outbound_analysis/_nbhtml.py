"""The executed notebook as the report's HTML (nbconvert, with the project's template).

nbconvert's ``HTMLExporter`` ends by parsing the whole page again with BeautifulSoup's
pure-Python parser, only to give images without one an ``alt`` text and outputs a
``tabindex``: 5 s of the 5.3 s Detallado's page took (its 2,000-row table is 50,000 tags).
The reports have no images, and the ``tabindex`` goes in with one pass of a regular
expression over the opening tags of the cells' input wrappers and output areas: parsed, the
page is the same as nbconvert's (``tests/test_nbhtml.py``), in a twentieth of the time.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).parent / "templates"

#: cells with this tag only make sense in JupyterLab (the filter panel): the HTML leaves them out
SOLO_INTERACTIVO = "solo-interactivo"
#: cells the HTML leaves out: the Lab-only ones and papermill's parameter cells (code, never shown)
HTML_REMOVED_TAGS = frozenset({SOLO_INTERACTIVO, "parameters", "injected-parameters"})


#: the opening tag of a cell's input wrapper or output area, as nbconvert's lab template writes them
_OUTPUT_DIV = re.compile(r'(<div class="[^"<>]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"<>]*")')


@functools.cache
def _exporter_class() -> type:
    """``HTMLExporter`` whose last step is the regular expression instead of BeautifulSoup."""
    from nbconvert import HTMLExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class InformeExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any) -> tuple[str, dict]:
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_type)
            html, resources = super(HTMLExporter, self).from_notebook_node(nb, resources, **kw)
            return _OUTPUT_DIV.sub(r'\1 tabindex="0"', html), resources

    return InformeExporter


def render_html(notebook: Path, target: Path) -> Path:
    """The executed notebook as HTML without code cells, prompts, CDN scripts or Lab-only cells."""
    import nbformat
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = _exporter_class()(
        template_name="informe",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="es",
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(HTML_REMOVED_TAGS), enabled=True), enabled=True
    )
    nb = nbformat.read(notebook, as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": nb.metadata.get("title", "")}})
    target.write_text(body, encoding="utf-8")
    return target
