"""The corpus of bad input (tests/corpus/casos.yaml): files, parameters, output paths, interruptions.

Each case runs ``outbound-analysis`` as a user types it and asserts the exit code, a Spanish message
without a traceback, that every load report printed balances (leídas = cargadas + rechazadas +
duplicadas + reemplazadas) and, for problems caught before running, that no report was written.
"""

from __future__ import annotations

import fcntl
import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from outbound_analysis import cli

CORPUS = ROOT / "tests" / "corpus"
CASES = yaml.safe_load((CORPUS / "casos.yaml").read_text(encoding="utf-8"))

# a Python exception's name leaking into a message (KeyError, ArrowInvalid, UnicodeDecodeError...)
EXCEPTION_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]*)*(?:Error|Exception|Invalid|Interrupt)\b")
LOAD_LINE = re.compile(
    r"([\d.]+) leídas, ([\d.]+) cargadas, ([\d.]+) rechazadas, ([\d.]+) duplicadas, ([\d.]+) reemplazadas"
)
REPORT_FILE = re.compile(r"\.(html|ipynb)$")
WORK_FOLDER = re.compile(r"^\.(resumen|detallado|flujos|guia)-")


def _number(text: str) -> int:
    return int(text.replace(".", ""))


def _prepare(case: dict, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    """Set up the situation a case needs; returns what must stay alive while it runs."""
    keep: list = []
    what = case.get("preparar")
    if what == "archivo_comun":
        (tmp / "archivo.txt").write_text("un archivo del usuario\n", encoding="utf-8")
    elif what == "sin_clave":
        monkeypatch.delenv("OUTBOUND_ANALYSIS_CLAVE", raising=False)
        monkeypatch.setenv("HOME", str(tmp / "home"))
    elif what == "bloqueo":  # another run holds the output folder's lock
        (tmp / "salida").mkdir()
        handle = (tmp / "salida" / ".outbound-analysis.lock").open("a+")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        keep.append(handle)
    elif what == "interrumpir":  # Ctrl+C while the first notebook runs
        import papermill

        def interrupted(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(papermill, "execute_notebook", interrupted)
    elif what is not None:
        raise AssertionError(f"preparar desconocido: {what}")
    return keep


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_case(case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    keep = _prepare(case, tmp_path, monkeypatch)
    values = {"archivos": str(CORPUS / "archivos"), "params": str(CORPUS / "params"), "tmp": str(tmp_path)}
    argv = [re.sub(r"\{(archivos|params|tmp)\}", lambda m: values[m.group(1)], a) for a in case["comando"]]
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    finally:
        for handle in keep:
            handle.close()
    captured = capsys.readouterr()
    output = captured.out + captured.err

    assert code == case["codigo"], f"código {code}, esperado {case['codigo']}:\n{output}"
    assert "Traceback" not in output, output
    assert not EXCEPTION_NAME.search(output), f"nombre de excepción en el mensaje:\n{output}"
    assert re.search(case["mensaje"], output, re.IGNORECASE | re.DOTALL), (
        f"falta «{case['mensaje']}» en:\n{output}"
    )
    reports = LOAD_LINE.findall(output)
    if case.get("balance"):
        assert reports, f"no hay reporte de carga en:\n{output}"
    for leidas, cargadas, rechazadas, duplicadas, reemplazadas in reports:
        parts = [_number(n) for n in (cargadas, rechazadas, duplicadas, reemplazadas)]
        assert _number(leidas) == sum(parts), f"las filas no cierran: {leidas} != {parts}"
    if case.get("sin_salidas"):
        written = [p for p in tmp_path.rglob("*") if REPORT_FILE.search(p.name) or WORK_FOLDER.match(p.name)]
        assert not written, f"quedaron salidas: {written}"


def test_the_corpus_is_large_and_covers_every_kind_of_problem() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 40
    commands = {c["comando"][0] for c in CASES}
    assert {"validate", "run", "demo"} <= commands
    assert {c.get("preparar") for c in CASES} >= {"bloqueo", "interrumpir", "archivo_comun", "sin_clave"}
    used = {Path(a).name for c in CASES for a in c["comando"] if "{archivos}/" in a}
    used |= {
        Path(m).name
        for p in (CORPUS / "params").glob("*.yaml")
        for m in re.findall(r"\.\./archivos/([\w.]+)", p.read_text(encoding="utf-8"))
    }
    on_disk = {p.name for p in (CORPUS / "archivos").iterdir()}
    assert on_disk <= used, f"archivos del corpus sin caso: {on_disk - used}"
