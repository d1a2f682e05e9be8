"""Headless report runs: papermill executes a notebook, nbconvert renders it to HTML.

For each parameters file and report the run writes, into the output folder:
``INFORME.ipynb`` (executed), ``INFORME.html`` (no code, charts drawn offline) and
``INFORME/`` (exports). Everything is produced in a temporary folder next to the
destination and moved into place only when the report succeeded, so a failure never
leaves a complete-looking partial report. A failed report leaves
``INFORME.error.ipynb`` (the executed notebook up to the failing cell) and the run
goes on with the next one.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ._text import fmt_int
from .errors import OutboundError, ParamsError
from .params import Parametros, read_params
from .report import REPORTS

#: notebooks the runner can execute: the three reports (``--all``) and the training guide
NOTEBOOKS = (*REPORTS, "guia")

KERNEL = "python3"
CELL_TIMEOUT = 1800  # seconds per cell: a 1,000,000-row load and its exports fit well within
TEMPLATE_DIR = Path(__file__).parent / "templates"


def notebooks_dir() -> Path:
    """The repository's ``notebooks/`` folder (the package is installed from the checkout)."""
    env = os.environ.get("OUTBOUND_ANALYSIS_NOTEBOOKS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "notebooks"


@dataclass
class Outcome:
    """What happened to one report of one parameters file."""

    informe: str
    params: Path
    ok: bool
    seconds: float
    html: Path | None = None
    error: str = ""


@dataclass
class RunSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    #: parameters files rejected before running anything
    invalid_params: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes) and bool(self.outcomes)


def expand_params(specs: Sequence[str | Path]) -> list[Path]:
    """Parameters files from paths or folders (a folder means its *.yaml / *.yml files)."""
    files: list[Path] = []
    for spec in specs:
        path = Path(spec)
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                raise ParamsError(f"La carpeta «{path}» no tiene archivos de parámetros .yaml.")
            files.extend(found)
        else:
            files.append(path)
    return files


def output_dir(template: str, params_file: Path, several: bool, now: dt.datetime | None = None) -> Path:
    """Output folder for one parameters file.

    ``{fecha}`` becomes today's date (AAAA-MM-DD), ``{fecha_hora}`` AAAA-MM-DD_HHMM and
    ``{params}`` the parameters file name without extension. With several parameters
    files and no ``{params}``, each one gets its own subfolder.
    """
    now = now or dt.datetime.now()
    text = (
        template.format(
            fecha=now.strftime("%Y-%m-%d"),
            fecha_hora=now.strftime("%Y-%m-%d_%H%M"),
            params=params_file.stem,
        )
        if "{" in template
        else template
    )
    path = Path(text)
    if several and "{params}" not in template:
        path = path / params_file.stem
    return path


def _kernel_env() -> None:
    """Make ``python3`` resolve to this environment's kernel before any user-level kernelspec."""
    own = str(Path(sys.prefix) / "share" / "jupyter")
    current = os.environ.get("JUPYTER_PATH", "")
    if own not in current.split(os.pathsep):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (own, current) if p)


def render_html(notebook: Path, target: Path) -> Path:
    """The executed notebook as HTML without code cells, prompts or CDN scripts."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="informe",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="es",
    )
    nb = nbformat.read(notebook, as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": nb.metadata.get("title", "")}})
    target.write_text(body, encoding="utf-8")
    return target


def _describe_failure(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        evalue = str(exc.evalue).strip().splitlines()
        return f"falló la celda {exc.exec_count} ({exc.ename}): {' '.join(evalue)[:600]}"
    if isinstance(exc, OutboundError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_report(
    informe: str,
    params: Parametros,
    params_file: Path,
    destination: Path,
    timeout: int = CELL_TIMEOUT,
) -> Outcome:
    """Execute one report into ``destination``; never raises for a failing notebook."""
    import papermill as pm

    start = time.perf_counter()
    destination = destination.resolve()  # the notebook runs in notebooks/: no relative paths
    destination.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{informe}-", dir=destination))
    executed = work / f"{informe}.ipynb"
    try:
        values = {**params.as_notebook_parameters(), "interactivo": False, "salida": str(work / informe)}
        _kernel_env()
        pm.execute_notebook(
            str(notebooks_dir() / f"{informe}.ipynb"),
            str(executed),
            parameters=values,
            kernel_name=KERNEL,
            cwd=str(notebooks_dir()),
            progress_bar=False,
            execution_timeout=timeout,
            store_widget_state=False,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no kernel chatter on the console
        )
        render_html(executed, work / f"{informe}.html")
        _move_into_place(work, destination, informe)
        (destination / f"{informe}.error.ipynb").unlink(missing_ok=True)
        return Outcome(
            informe, params_file, True, time.perf_counter() - start, html=destination / f"{informe}.html"
        )
    except Exception as exc:  # keep going: the summary names the report, the cell and the error
        if executed.exists():
            shutil.copyfile(executed, destination / f"{informe}.error.ipynb")
        return Outcome(informe, params_file, False, time.perf_counter() - start, error=_describe_failure(exc))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _move_into_place(work: Path, destination: Path, informe: str) -> None:
    """Replace the previous report with the new one, exports folder first, HTML last."""
    exports = work / informe
    final_exports = destination / informe
    if final_exports.exists():
        old = destination / f".{informe}-anterior"
        shutil.rmtree(old, ignore_errors=True)
        final_exports.rename(old)
        shutil.rmtree(old, ignore_errors=True)
    if exports.exists():
        exports.rename(final_exports)
    os.replace(work / f"{informe}.ipynb", destination / f"{informe}.ipynb")
    os.replace(work / f"{informe}.html", destination / f"{informe}.html")


def run(
    informes: Iterable[str],
    params_specs: Sequence[str | Path],
    output: str,
    timeout: int = CELL_TIMEOUT,
    log: Callable[[str], None] = print,
) -> RunSummary:
    """Run every report for every parameters file; report progress with ``log``.

    All parameters files are validated first; an invalid one is reported and skipped.
    """
    wanted = list(dict.fromkeys(informes))
    for name in wanted:
        if name not in NOTEBOOKS:
            raise ParamsError(f"«{name}» no es un informe. Informes: {', '.join(NOTEBOOKS)}.")
    files = expand_params(params_specs)
    summary = RunSummary()
    valid: list[tuple[Path, Parametros]] = []
    for file in files:
        try:
            valid.append((file, read_params(file)))
        except OutboundError as exc:
            log(f"✗ {file}: {exc}")
            summary.invalid_params.append(file)
            summary.outcomes.extend(Outcome(i, file, False, 0.0, error=str(exc)) for i in wanted)
    several = len(files) > 1
    now = dt.datetime.now()
    for file, params in valid:
        destination = output_dir(output, file, several, now)
        for name in wanted:
            outcome = run_report(name, params, file, destination, timeout)
            summary.outcomes.append(outcome)
            where = f"{file.name}: " if several else ""
            if outcome.ok:
                log(f"✓ {where}{name:<10} {outcome.seconds:6.1f} s  → {outcome.html}")
            else:
                log(f"✗ {where}{name:<10} {outcome.seconds:6.1f} s  {outcome.error}")
    failed = [o for o in summary.outcomes if not o.ok]
    done = len(summary.outcomes) - len(failed)
    log(f"{fmt_int(done)} informes generados, {fmt_int(len(failed))} con error.")
    return summary
