"""Headless report runs: papermill executes a notebook, nbconvert renders it to HTML.

For each parameters file and report the run writes, into the output folder:
``INFORME.ipynb`` (executed), ``INFORME.html`` (no code, charts drawn offline) and
``INFORME/`` (exports).

Rules (README "Corridas programadas", docs/contrato.md §4):

- **Pre-flight.** Before any notebook starts, every parameters file is read, its data is
  loaded once with the notebooks' own loader, the anonymization key is checked and its
  output folder is created and locked. A file that fails is reported and skipped; the
  others still run (exit code 2 at the end).
- **Never stale or mixed.** A report is produced in a temporary folder inside the output
  folder and moved into place only when complete. A failed report removes the previous
  outputs of that report and leaves ``INFORME.error.ipynb`` and ``INFORME.error.txt``.
- **Manifest.** ``.outbound-analysis.json`` lists the files each report wrote; only those
  are ever replaced or deleted, so a user's own files in the output folder survive.
- **Lock.** ``.outbound-analysis.lock`` (``flock``) keeps two runs out of the same folder;
  the kernel drops the lock of a crashed run, so it never blocks forever.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import re
import shutil
import string
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import _paralelo, _run_cache, engines
from ._nbhtml import render_html
from ._outputs import (
    OutputFolder,
    clean_leftovers,
    describe_os_error,
    leave_failure,
    move_into_place,
)
from ._text import cuantos, fmt_int
from .errors import OutboundError, OutputBusyError, OutputError, ParamsError
from .load import Dataset, almacen_de, leer_almacen, load_data, read_secret_key
from .metrics._ab import validar_comparar
from .params import Parametros, read_params
from .report import REPORTS

#: notebooks the runner can execute: the three reports (``--all``) and the training guide
NOTEBOOKS = (*REPORTS, "guia")
#: notebooks that read the eventos files (the others never load them)
EVENT_NOTEBOOKS = frozenset({"flujos", "guia"})

KERNEL = "python3"
CELL_TIMEOUT = 1800  # seconds per cell: a 1,000,000-row load and its exports fit well within

#: placeholders ``--output`` accepts
PLACEHOLDERS = ("fecha", "fecha_hora", "params")


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
    #: what happened to the previous outputs of a failed report (Spanish, for the summary)
    aviso: str = ""


@dataclass
class RunSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    #: parameters files rejected before running anything (parameters, data, key, output folder)
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


def check_output_template(template: str) -> None:
    """``--output`` may only use ``{fecha}``, ``{fecha_hora}`` and ``{params}``; ``{{``/``}}`` are braces.

    >>> check_output_template("outputs/{fecha}/{params}")
    >>> check_output_template("outputs/{fech}")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    outbound_analysis.errors.ParamsError: «{fech}» no es un marcador de --output; usá {fecha}, ...
    """
    if "{" not in template:
        return  # used as it is (see output_dir)
    usage = "usá {fecha}, {fecha_hora} o {params}"
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise ParamsError(
            f"--output «{template}» tiene una llave «{{» o «}}» suelta; {usage} "
            "(para una llave literal escribí {{ o }})."
        ) from exc
    for name in fields:
        if name not in PLACEHOLDERS:
            raise ParamsError(f"«{{{name}}}» no es un marcador de --output; {usage}.")
    try:
        template.format(**{p: "x" for p in PLACEHOLDERS})
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        raise ParamsError(f"--output «{template}»: los marcadores van sin formato; {usage}.") from exc


def output_dir(template: str, params_file: Path, several: bool, now: dt.datetime | None = None) -> Path:
    """Output folder for one parameters file.

    ``{fecha}`` becomes today's date (AAAA-MM-DD), ``{fecha_hora}`` AAAA-MM-DD_HHMM and
    ``{params}`` the parameters file name without extension. With several parameters
    files and no ``{params}``, each one gets its own subfolder.
    """
    now = now or dt.datetime.now()
    check_output_template(template)
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


# --------------------------------------------------------------------------- one report


def kernel_env() -> None:
    """Make ``python3`` resolve to this environment's kernel before any user-level kernelspec."""
    own = str(Path(sys.prefix) / "share" / "jupyter")
    current = os.environ.get("JUPYTER_PATH", "")
    if own not in current.split(os.pathsep):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (own, current) if p)


_ERRNO_IN_TEXT = re.compile(r"\[Errno (\d+)\]")


def _literal(path: Path) -> str:
    """``path`` for papermill, which runs ``str.format`` on it: ``{`` and ``}`` doubled.

    >>> _literal(Path("salida/{x}"))
    'salida/{{x}}'
    """
    return str(path).replace("{", "{{").replace("}", "}}")


def _timed_out_cell(executed: Path | None) -> str:
    """ "la celda N" for the cell that was running when the time ran out (papermill saved the rest)."""
    import nbformat

    try:
        nb = nbformat.read(executed, as_version=4) if executed is not None else None
    except (OSError, ValueError):
        nb = None
    counts = [c.get("execution_count") or 0 for c in nb.cells if c.cell_type == "code"] if nb else []
    return f"la celda {max(counts) + 1}" if counts else "una celda"


def _describe_failure(
    exc: BaseException, folder: Path, timeout: int = CELL_TIMEOUT, executed: Path | None = None
) -> str:
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, CellTimeoutError):  # a TimeoutError, hence an OSError: not a folder problem
        return (
            f"{_timed_out_cell(executed)} tardó más de {fmt_int(timeout)} s, el límite de --timeout, y el "
            f"informe quedó sin terminar. Volvé a correrlo con un límite mayor (por ejemplo --timeout "
            f"{timeout * 4})."
        )

    if isinstance(exc, PapermillExecutionError):
        evalue = " ".join(str(exc.evalue).strip().splitlines())[:600]
        text = f"falló la celda {exc.exec_count} ({exc.ename}): {evalue}"
        code = _ERRNO_IN_TEXT.search(evalue)
        if code and int(code.group(1)) in (errno.ENOSPC, errno.EACCES, errno.EPERM, errno.EROFS):
            text += ". " + describe_os_error(OSError(int(code.group(1)), ""), folder)
        return text
    if isinstance(exc, OSError):
        return describe_os_error(exc, folder)
    if isinstance(exc, OutboundError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


_SILENCIO = logging.NullHandler()

#: output folders are shared by the reports of a parameters file: one swap (manifest) at a time
_SWAP = threading.Lock()


def run_report(
    informe: str,
    params: Parametros,
    params_file: Path,
    destination: Path,
    timeout: int = CELL_TIMEOUT,
    cancelado: threading.Event | None = None,
) -> Outcome:
    """Execute one report into ``destination``; never raises for a failing notebook or folder.

    Ctrl+C (``KeyboardInterrupt``) propagates, leaving the previous outputs as they were
    and no temporary folder. With ``cancelado`` set (Ctrl+C in a parallel run) the report
    is dropped the same way, whether it failed or finished.
    """
    import papermill as pm

    start = time.perf_counter()
    shown = destination
    destination = destination.resolve()  # the notebook runs in notebooks/: no relative paths
    work: Path | None = None
    executed: Path | None = None
    try:
        destination.mkdir(parents=True, exist_ok=True)
        clean_leftovers(destination, informe)
        work = Path(tempfile.mkdtemp(prefix=f".{informe}-", dir=destination))
        executed = work / f"{informe}.ipynb"
        source = notebooks_dir() / f"{informe}.ipynb"
        declared = pm.inspect_notebook(str(source))  # pass only what the notebook declares
        values = {
            **params.as_notebook_parameters(declared),
            "interactivo": False,
            "salida": str(work / informe),
        }
        kernel_env()
        # nbclient logs a timeout in English through papermill's logger; the summary says it in Spanish
        logging.getLogger("papermill").addHandler(_SILENCIO)
        pm.execute_notebook(
            _literal(source),  # papermill formats both paths with the parameters: keep braces as they are
            _literal(executed),
            parameters=values,
            kernel_name=KERNEL,
            # the kernel starts in notebooks/ (nbclient's metadata.path), not papermill's cwd=: that
            # changes the whole process's folder while the notebook runs, and reports run side by
            # side (--paralelo) then resolved their relative paths, and restored it, against
            # each other's (a demo run wrote flujos into notebooks/outputs/demo)
            resources={"metadata": {"path": str(notebooks_dir())}},
            progress_bar=False,
            execution_timeout=timeout,
            store_widget_state=False,
            # CRITICAL: jupyter_client interrupts a kernel before shutting it down, and ipykernel logs that
            # as an ERROR when a message is being handled; a cell's own error reaches the summary anyway
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
        render_html(executed, work / f"{informe}.html")
        with _SWAP:
            if cancelado is not None and cancelado.is_set():
                raise KeyboardInterrupt
            move_into_place(work, destination, informe)
        return Outcome(
            informe, params_file, True, time.perf_counter() - start, html=destination / f"{informe}.html"
        )
    except Exception as exc:  # keep going: the summary names the report, the cell and the error
        if cancelado is not None and cancelado.is_set():  # its kernel got the Ctrl+C too
            raise KeyboardInterrupt from exc
        error = _describe_failure(exc, shown, timeout, executed)
        with _SWAP:
            aviso = leave_failure(destination, informe, params_file, executed, error)
        return Outcome(informe, params_file, False, time.perf_counter() - start, error=error, aviso=aviso)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- the run


def preflight(params: Parametros, informes: Iterable[str]) -> Dataset:
    """Load the data as the notebooks will (eventos only for flujos/guia) and check the key.

    Returns the loaded data (the run hands it to the kernels: :mod:`._run_cache`). Raises
    the loader's :class:`DataError`, or a :class:`ParamsError` for the key, for a
    ``comparar`` campaign that the loaded sends do not have (detallado) or for an engine
    (``motor``) this machine cannot run.
    """
    engines.verificar(params.motor)
    if not _reads_rows(params):  # an SQL engine over a store: check it without loading its rows
        store = almacen_de(params.envios)
        datos = leer_almacen(store, zona_horaria=params.zona_horaria, filas=False)  # type: ignore[arg-type]
        if params.comparar and "detallado" in informes:
            sql = engines.registrar_almacen(engines.DuckDB(), store)  # type: ignore[arg-type]
            validar_comparar(params.comparar, sql.consulta("SELECT DISTINCT campana FROM envios"))
        if params.anonimizar:
            read_secret_key()
        return datos
    eventos = params.eventos if EVENT_NOTEBOOKS & set(informes) else None
    datos = load_data(
        params.envios,
        eventos or None,
        columnas=params.columnas,
        zona_horaria=params.zona_horaria,
        filtros=params.filtros(),  # a Parquet store: only the months the notebooks will read
        cargar_eventos=eventos is not None,
    )
    if params.comparar and "detallado" in informes:  # a name not in the data: stop before any notebook
        validar_comparar(params.comparar, datos.envios)
    if params.anonimizar:
        read_secret_key()
    return datos


def _reads_rows(params: Parametros) -> bool:
    """Whether the kernels load the rows (an SQL engine over a store reads its files itself)."""
    return params.motor == "pandas" or almacen_de(params.envios) is None or bool(params.eventos)


def _run_jobs(
    jobs: list[tuple[str, Parametros, Path, Path]], timeout: int, paralelo: int
) -> Iterator[Outcome]:
    """Run ``(informe, params, file, folder)`` jobs, ``paralelo`` at a time; outcomes in job order.

    Ctrl+C stops the run: reports not started are dropped, the running ones are waited for
    and dropped too (their previous outputs stay), then ``KeyboardInterrupt`` propagates.
    """
    if paralelo <= 1 or len(jobs) <= 1:
        for name, params, file, folder in jobs:
            yield run_report(name, params, file, folder, timeout)
        return
    cancelado = threading.Event()

    def one(name: str, params: Parametros, file: Path, folder: Path) -> Outcome:
        if cancelado.is_set():
            raise KeyboardInterrupt
        try:
            return run_report(name, params, file, folder, timeout, cancelado)
        except BaseException:  # an interrupted report stops the others at once
            cancelado.set()
            raise

    pool = ThreadPoolExecutor(max_workers=paralelo, thread_name_prefix="informe")
    futures: list[Future[Outcome]] = []
    try:
        futures = [pool.submit(one, *job) for job in jobs]
        for future in futures:
            yield future.result()
    except BaseException:
        cancelado.set()
        for future in futures:
            future.cancel()
        raise
    finally:
        pool.shutdown(wait=True)


def _check_distinct(targets: Mapping[Path, Path]) -> None:
    """Two parameters files must not write into the same folder (their reports would mix)."""
    seen: dict[Path, Path] = {}
    for file, folder in targets.items():
        key = folder.resolve()
        if key in seen:
            raise ParamsError(
                f"«{seen[key]}» y «{file}» escribirían en la misma carpeta «{folder}»; "
                "renombrá uno de los archivos o usá {params} en --output."
            )
        seen[key] = file


def _log_outcome(outcome: Outcome, several: bool, log: Callable[[str], None]) -> None:
    where = f"{outcome.params.name}: " if several else ""
    if outcome.ok:
        log(f"✓ {where}{outcome.informe:<10} {outcome.seconds:6.1f} s  → {outcome.html}")
    else:
        error = f"{outcome.error.rstrip('.')}.{outcome.aviso}" if outcome.aviso else outcome.error
        log(f"✗ {where}{outcome.informe:<10} {outcome.seconds:6.1f} s  {error}")


def _prepare(
    valid: dict[Path, Parametros],
    targets: Mapping[Path, Path],
    wanted: list[str],
    reject: Callable[[Path, str], None],
    folders: dict[Path, OutputFolder],
    caches: dict[str, dict[str, object]],
    envios: dict[Path, int | None],
) -> None:
    """Open and lock each output folder, then load each file's data once; drop what fails.

    Folders and locks come first so that a second run stops at once. Each file's loaded
    data is kept for its kernels in ``caches`` (:mod:`._run_cache`; the same load once);
    ``envios`` gets its send count (None: an SQL engine's kernels read the store themselves).
    """
    for file in list(valid):
        folder = OutputFolder(targets[file])
        try:
            folder.open()
        except OutputBusyError:
            raise
        except OutputError as exc:
            reject(file, str(exc))
            del valid[file]
            continue
        folders[file] = folder
        clean_leftovers(folder.folder, _run_cache.PREFIX.strip(".-"))
    for file in list(valid):
        try:
            datos = preflight(valid[file], wanted)
        except OutboundError as exc:
            reject(file, str(exc))
            del valid[file]
            folders.pop(file).close(discard=True)
            continue
        filas = _reads_rows(valid[file])
        envios[file] = len(datos.envios) if filas else None
        key = _run_cache.clave(valid[file])
        if key in caches or not filas:
            continue
        with contextlib.suppress(OSError):  # no room for it: each kernel loads the files, as before
            caches[key] = _run_cache.guardar(datos, targets[file], bool(EVENT_NOTEBOOKS & set(wanted)))


def _a_la_vez(trabajos: int, envios: Mapping[Path, int | None], log: Callable[[str], None]) -> int:
    """``--paralelo auto``: reports at a time for this machine (:mod:`._paralelo`), said in a line."""
    por_informe = max((_paralelo.memoria_por_informe(n) for n in envios.values()), default=0.0)
    eleccion = _paralelo.elegir_aqui(trabajos, por_informe)
    if trabajos > 1:
        log(eleccion.motivo())
    return eleccion.informes


def run(
    informes: Iterable[str],
    params_specs: Sequence[str | Path],
    output: str,
    timeout: int = CELL_TIMEOUT,
    log: Callable[[str], None] = print,
    paralelo: int | None = 1,
) -> RunSummary:
    """Run every report for every parameters file; report progress with ``log``.

    Pre-flight first (parameters, data, key, output folder and its lock): a parameters
    file that fails it is reported and skipped. Raises :class:`OutputBusyError` if
    another run is writing into one of the output folders (nothing runs then).
    ``paralelo`` reports run at the same time (each in its own kernel); the summary
    lines keep the order of the parameters files and reports. ``None``: as many as the
    machine's cores, if their kernels fit in the free memory (:mod:`._paralelo`; said in a line).
    """
    wanted = list(dict.fromkeys(informes))
    for name in wanted:
        if name not in NOTEBOOKS:
            raise ParamsError(f"«{name}» no es un informe. Informes: {', '.join(NOTEBOOKS)}.")
    if timeout <= 0:
        raise ParamsError("--timeout tiene que ser un número de segundos mayor que cero.")
    if paralelo is not None and paralelo < 1:
        raise ParamsError("--paralelo tiene que ser un número entero de informes, 1 o más.")
    check_output_template(output)
    files = expand_params(params_specs)
    summary = RunSummary()
    several = len(files) > 1
    now = dt.datetime.now()
    started = time.perf_counter()

    def reject(file: Path, message: str) -> None:
        log(f"✗ {file}: {message}")
        summary.invalid_params.append(file)
        summary.outcomes.extend(Outcome(i, file, False, 0.0, error=message) for i in wanted)

    valid: dict[Path, Parametros] = {}
    for file in files:
        try:
            valid[file] = read_params(file)
        except OutboundError as exc:
            reject(file, str(exc))
    targets = {file: output_dir(output, file, several, now) for file in valid}
    _check_distinct(targets)

    folders: dict[Path, OutputFolder] = {}
    caches: dict[str, dict[str, object]] = {}
    envios: dict[Path, int | None] = {}
    try:
        try:
            _prepare(valid, targets, wanted, reject, folders, caches, envios)
            if files:
                took = time.perf_counter() - started
                log(
                    f"Revisión previa (parámetros, datos y carpetas): {fmt_int(len(valid))} de "
                    f"{fmt_int(len(files))} archivos de parámetros listos en {took:.1f} s."
                )
            jobs = [(name, params, file, targets[file]) for file, params in valid.items() for name in wanted]
            paralelo = paralelo or _a_la_vez(len(jobs), envios, log)
            kernel_env()
            with _run_cache.en_el_entorno(caches):
                for outcome in _run_jobs(jobs, timeout, paralelo):
                    summary.outcomes.append(outcome)
                    _log_outcome(outcome, several, log)
        finally:
            for entry in caches.values():  # the data loaded for this run's kernels
                shutil.rmtree(_run_cache.carpeta_de(entry), ignore_errors=True)
    except BaseException:
        for folder in folders.values():  # interrupted or stopped: drop what this run created empty
            folder.close(discard=True)
        raise
    finally:
        for folder in folders.values():
            folder.close()
    failed = [o for o in summary.outcomes if not o.ok]
    done = len(summary.outcomes) - len(failed)
    log(f"{cuantos(done, 'informe generado', 'informes generados')}, {fmt_int(len(failed))} con error.")
    return summary
