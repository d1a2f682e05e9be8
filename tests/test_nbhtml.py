"""The report's HTML export: the same page as nbconvert's own HTMLExporter, without its slow last pass."""

from __future__ import annotations

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from outbound_analysis import _nbhtml


def _nbconvert_page(notebook) -> str:
    """What ``HTMLExporter`` itself writes with the same options (it ends with BeautifulSoup)."""
    exporter = HTMLExporter(
        template_name="informe",
        extra_template_basedirs=[str(_nbhtml.TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="es",
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(_nbhtml.HTML_REMOVED_TAGS), enabled=True), enabled=True
    )
    nb = nbformat.read(notebook, as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": nb.metadata.get("title", "")}})
    return body


@pytest.mark.slow
@pytest.mark.parametrize("informe", ["resumen", "detallado", "flujos"])
def test_the_page_parses_to_the_same_document_as_nbconvert_writes(demo_reports, tmp_path, informe):
    notebook = demo_reports / f"{informe}.ipynb"
    ours = _nbhtml.render_html(notebook, tmp_path / "ours.html").read_text(encoding="utf-8")
    theirs = BeautifulSoup(_nbconvert_page(notebook), "html.parser")
    assert str(BeautifulSoup(ours, "html.parser")) == str(theirs)
    focusable = theirs.select("[tabindex]")
    assert len(focusable) > 5 and not theirs.select("img")  # what nbconvert's last pass adds, here
