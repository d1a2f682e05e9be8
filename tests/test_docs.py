"""The docs restate the contract: they must not drift from the code."""

from __future__ import annotations

import re

from conftest import ROOT

from outbound_analysis import metrics
from outbound_analysis.schema import alias_table_markdown


def test_contract_doc_embeds_the_current_alias_table():
    doc = (ROOT / "docs" / "contrato.md").read_text(encoding="utf-8")
    assert alias_table_markdown() in doc, "regenerá la tabla de alias de docs/contrato.md"


def test_contract_doc_names_every_exported_table():
    doc = (ROOT / "docs" / "contrato.md").read_text(encoding="utf-8")
    for tables in metrics.TABLES.values():
        for table in tables:
            assert f"`{table}`" in doc, table


def test_readme_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "```sh\nmake demo\n```" in readme and "```sh\nmake test\n```" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert commands == ["exec make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(
        r"^demo: setup\n\t.*outbound-analysis run --all --params params/demo.yaml --output outputs/demo",
        makefile,
        re.M,
    )


def test_notebooks_are_committed_without_outputs_and_with_a_parameters_cell():
    import nbformat

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
        assert not any(re.search(r"^\s*(def|class) ", c.source, re.M) for c in code), path.name
