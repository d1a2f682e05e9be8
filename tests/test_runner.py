"""The runner: pre-flight, outputs never stale or mixed, manifest, lock, folder errors, Ctrl+C.

Most tests replace papermill and nbconvert with fakes (fast); one runs a real notebook.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from conftest import ROOT
from nbclient.exceptions import CellTimeoutError
from papermill.exceptions import PapermillExecutionError
from papermill.parameterize import parameterize_path

from outbound_analysis import _outputs, _paralelo, _run_cache, cli, exports, runner
from outbound_analysis.errors import OutputBusyError
from outbound_analysis.load import importar, load_data

DATA = ROOT / "tests" / "data"
ENVIOS = DATA / "envios_fixture.csv"
EVENTOS = DATA / "eventos_fixture.json"


class FakeNotebooks:
    """Stands in for papermill + nbconvert: writes a notebook, exports per formatos and an HTML."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Path]] = []
        self.fail: set[str] = set()
        self.timeout: set[str] = set()
        self.interrupt: set[str] = set()
        self.tag = "corrida-1"

    def execute(self, input_path, output_path, parameters, **_kwargs):
        # papermill formats both paths with the parameters before using them
        input_path, output_path = (parameterize_path(p, parameters) for p in (input_path, output_path))
        name = Path(input_path).stem
        self.calls.append((name, Path(output_path).parent.parent))
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"{name} {self.tag}")])
        nbformat.write(nb, output_path)
        if name in self.interrupt:
            raise KeyboardInterrupt
        if name in self.timeout:  # two cells ran, the third timed out: nbclient logs it, then raises
            cells = [nbformat.v4.new_code_cell("1", execution_count=n) for n in (1, 2, None)]
            nbformat.write(nbformat.v4.new_notebook(cells=cells), output_path)
            logging.getLogger("papermill").error("Timeout waiting for execute reply (1s).")
            raise CellTimeoutError("A cell timed out while it was being executed, after 1 seconds.")
        if name in self.fail:
            raise PapermillExecutionError(3, 4, "informe.tablas", "ValueError", "se rompió la tabla", [])
        salida = Path(parameters["salida"])
        salida.mkdir(parents=True, exist_ok=True)
        for fmt in parameters["formatos"]:
            target = salida / (f"{name}.xlsx" if fmt == "xlsx" else f"kpis.{fmt}")
            target.write_text(self.tag, encoding="utf-8")
        for extra in ("rechazos.csv", "carga.csv"):
            (salida / extra).write_text(self.tag, encoding="utf-8")

    def render(self, notebook: Path, target: Path) -> Path:
        target.write_text(f"<html>{self.tag}</html>", encoding="utf-8")
        return target


def _installed(monkeypatch, nbs: FakeNotebooks) -> FakeNotebooks:
    """``nbs`` in place of papermill and the HTML export."""
    monkeypatch.setattr(papermill, "execute_notebook", nbs.execute)
    monkeypatch.setattr(runner, "render_html", nbs.render)
    return nbs


@pytest.fixture
def fake(monkeypatch) -> FakeNotebooks:
    return _installed(monkeypatch, FakeNotebooks())


def write_params(folder: Path, name: str = "p", **extra: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"envios: {extra.pop('envios', str(ENVIOS))}", "interactivo: false"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    path = folder / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*args: str | Path) -> int:
    return cli.main(["run", *map(str, args)])


def files_of(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- pre-flight


def test_bad_data_is_found_before_any_notebook_and_the_other_params_file_runs(tmp_path, fake, capsys):
    text = ENVIOS.read_bytes().decode("cp1252").replace("Plantilla;", "Plantilla rara;", 1)
    (tmp_path / "roto.csv").write_bytes(text.encode("cp1252"))
    write_params(tmp_path / "params", "a_roto", envios=str(tmp_path / "roto.csv"))
    write_params(tmp_path / "params", "b_bien")
    out = tmp_path / "salida"
    code = run_cli("resumen", "--params", tmp_path / "params", "--output", out)
    printed = capsys.readouterr().out
    assert code == 2
    assert "a_roto.yaml: " in printed and "Plantilla rara" in printed and "Traceback" not in printed
    assert "Revisión previa (parámetros, datos y carpetas): 1 de 2 archivos de parámetros listos" in printed
    assert [name for name, _ in fake.calls] == ["resumen"]  # only b_bien's notebook ever started
    assert "✓ b_bien.yaml: resumen" in printed
    assert not (out / "a_roto").exists()  # the pre-flight leaves nothing behind for a rejected file
    assert (out / "b_bien" / "resumen.html").is_file()


def test_eventos_are_checked_only_for_the_reports_that_read_them(tmp_path, fake, capsys):
    (tmp_path / "eventos.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    params = write_params(tmp_path, eventos=str(tmp_path / "eventos.csv"))
    assert run_cli("resumen", "detallado", "--params", params, "--output", tmp_path / "o1") == 0
    assert run_cli("resumen", "flujos", "--params", params, "--output", tmp_path / "o2") == 2
    printed = capsys.readouterr().out
    # the default runs reports side by side: which notebook starts first is not fixed
    assert "eventos.csv" in printed and sorted(n for n, _ in fake.calls) == ["detallado", "resumen"]


def test_anonimizar_without_a_key_stops_before_running(tmp_path, fake, capsys, monkeypatch):
    monkeypatch.delenv("OUTBOUND_ANALYSIS_CLAVE", raising=False)
    monkeypatch.setenv("OUTBOUND_ANALYSIS_CLAVE_ARCHIVO", str(tmp_path / "no-hay-clave"))
    params = write_params(tmp_path, anonimizar="true")
    assert run_cli("resumen", "--params", params, "--output", tmp_path / "out") == 2
    printed = capsys.readouterr().out
    assert "anonimizar: true necesita una clave secreta" in printed and "OUTBOUND_ANALYSIS_CLAVE" in printed
    assert fake.calls == [] and not (tmp_path / "out").exists()
    monkeypatch.setenv("OUTBOUND_ANALYSIS_CLAVE", "una-clave-de-prueba")
    assert run_cli("resumen", "--params", params, "--output", tmp_path / "out") == 0


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{fech}", "«{fech}» no es un marcador de --output; usá {fecha}, {fecha_hora} o {params}."),
        ("{}", "«{}» no es un marcador de --output"),
        ("informes/{", "tiene una llave «{» o «}» suelta"),
        ("{fecha:%Y}", "los marcadores van sin formato"),
    ],
)
def test_output_placeholder_mistakes_are_spanish_errors(tmp_path, fake, capsys, template, message):
    params = write_params(tmp_path)
    assert run_cli("resumen", "--params", params, "--output", str(tmp_path / template)) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and message in err and "Traceback" not in err
    assert fake.calls == []


def test_two_params_files_into_one_folder_is_an_error(tmp_path, fake, capsys):
    a = write_params(tmp_path / "x", "diario")
    b = write_params(tmp_path / "y", "diario")
    assert run_cli("resumen", "--params", a, b, "--output", tmp_path / "out") == 2
    assert "escribirían en la misma carpeta" in capsys.readouterr().err and fake.calls == []


# --------------------------------------------------------------------------- output folders


def test_output_folder_under_a_file_skips_that_params_file_only(tmp_path, fake, capsys):
    params = tmp_path / "params"
    write_params(params, "a")
    write_params(params, "b")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a").write_text("un archivo del usuario", encoding="utf-8")
    code = run_cli("resumen", "--params", params, "--output", str(tmp_path / "out" / "{params}" / "inf"))
    printed = capsys.readouterr().out
    assert code == 2
    assert (
        f"«{tmp_path / 'out' / 'a' / 'inf'}» no puede ser una carpeta: «{tmp_path / 'out' / 'a'}» es un "
        "archivo. Elegí otra carpeta con --output." in printed
    )
    assert (tmp_path / "out" / "b" / "inf" / "resumen.html").is_file()
    assert (tmp_path / "out" / "a").read_text(encoding="utf-8") == "un archivo del usuario"


def test_read_only_output_folder_is_reported_before_running(tmp_path, fake, capsys, monkeypatch):
    params = tmp_path / "params"
    write_params(params, "a")
    write_params(params, "b")
    locked = tmp_path / "out" / "a"
    locked.mkdir(parents=True)
    locked.chmod(0o555)
    if os.access(locked, os.W_OK):  # root writes anyway: make the lock file fail as it would
        real_open = _outputs._open_lock_file

        def denied(path: Path) -> int:
            if path.parent == locked:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path)

        monkeypatch.setattr(_outputs, "_open_lock_file", denied)
    try:
        code = run_cli("resumen", "--params", params, "--output", str(tmp_path / "out" / "{params}"))
    finally:
        locked.chmod(0o755)
    printed = capsys.readouterr().out
    assert code == 2
    assert f"No tengo permiso para escribir en «{locked}». Revisá los permisos de la carpeta" in printed
    assert [folder.name for _, folder in fake.calls] == ["b"]
    assert (tmp_path / "out" / "b" / "resumen.html").is_file()


def test_a_folder_that_refuses_a_report_mid_run_fails_only_that_report(tmp_path, fake, capsys, monkeypatch):
    params = write_params(tmp_path)
    out = tmp_path / "out"
    assert run_cli("resumen", "detallado", "--params", params, "--output", out) == 0
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        if kwargs.get("prefix") == ".resumen-":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_mkdtemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    fake.tag = "corrida-2"
    assert run_cli("resumen", "detallado", "--params", params, "--output", out) == 1
    printed = capsys.readouterr().out
    line = next(x for x in printed.splitlines() if x.startswith("✗"))
    assert "resumen" in line and f"No tengo permiso para escribir en «{out}»" in line
    assert "Se borraron las salidas anteriores de resumen." in line and "resumen.error.txt" in line
    assert "✓ detallado" in printed and "1 informe generado, 1 con error." in printed
    assert (out / "detallado.html").read_text(encoding="utf-8") == "<html>corrida-2</html>"
    assert not (out / "resumen.html").exists() and not (out / "resumen").exists()


def test_disk_full_while_moving_leaves_no_mixed_report(tmp_path, fake, capsys, monkeypatch):
    params = write_params(tmp_path)
    out = tmp_path / "out"
    assert run_cli("resumen", "detallado", "--params", params, "--output", out) == 0
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == "resumen.html":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    fake.tag = "corrida-2"
    assert run_cli("resumen", "detallado", "--params", params, "--output", out) == 1
    printed = capsys.readouterr().out
    assert f"No queda espacio en el disco para escribir en «{out}». Liberá espacio" in printed
    # neither the old nor half of the new resumen: only the error files
    assert {f for f in files_of(out) if f.startswith("resumen")} == {"resumen.error.txt"}
    assert (out / "detallado.html").read_text(encoding="utf-8") == "<html>corrida-2</html>"
    assert not [p for p in out.iterdir() if p.name.startswith(".resumen-")]


def test_braces_in_the_output_folder_stay_as_they_are(tmp_path, fake):
    params = write_params(tmp_path)
    assert run_cli("flujos", "--params", params, "--output", tmp_path / "a{{b}}c") == 0  # {{ is a brace
    assert run_cli("flujos", "--params", params, "--output", tmp_path / "x}") == 0  # no placeholder
    for folder in ("a{b}c", "x}"):
        assert {"flujos.html", "flujos.ipynb", "flujos/kpis.csv"} <= files_of(tmp_path / folder), folder


def test_a_cell_timeout_says_which_cell_and_how_to_raise_the_limit(tmp_path, fake, capsys):
    params = write_params(tmp_path)
    out = tmp_path / "out"
    fake.timeout = {"resumen"}
    assert run_cli("resumen", "--params", params, "--output", out, "--timeout", "60") == 1
    printed = capsys.readouterr()
    message = (
        "la celda 3 tardó más de 60 s, el límite de --timeout, y el informe quedó sin terminar. "
        "Volvé a correrlo con un límite mayor (por ejemplo --timeout 240)."
    )
    assert message in printed.out
    assert "No pude escribir" not in printed.out  # a TimeoutError is an OSError, not a folder problem
    # nbclient's English log line: without a handler of papermill's own, Python's last-resort
    # handler prints it on stderr (pytest's log capture hides that here)
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("papermill").handlers)
    text = (out / "resumen.error.txt").read_text(encoding="utf-8")
    assert text.count("\n") == 1 and message in text


def test_error_files_that_cannot_be_written_are_not_left_half_written(tmp_path, fake, capsys, monkeypatch):
    params = write_params(tmp_path)
    out = tmp_path / "out"
    fake.fail = {"resumen"}
    real_write = Path.write_text

    def write_text(self, *args, **kwargs):
        if self.name == "resumen.error.txt":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    assert run_cli("resumen", "detallado", "--params", params, "--output", out) == 1
    printed = capsys.readouterr().out
    assert "No pude dejar los archivos con el detalle del error en esa carpeta." in printed
    assert not [f for f in files_of(out) if f.startswith("resumen")]  # not even the copied notebook
    assert "detallado.html" in files_of(out)


# --------------------------------------------------------------------------- stale or mixed outputs


def test_a_failed_report_removes_its_previous_outputs_and_keeps_the_users_files(tmp_path, fake, capsys):
    params = write_params(tmp_path)
    out = tmp_path / "out"
    assert run_cli("resumen", "--params", params, "--output", out) == 0
    (out / "notas.txt").write_text("mías", encoding="utf-8")
    (out / "resumen" / "mi_grafico.png").write_bytes(b"png")
    fake.fail = {"resumen"}
    fake.tag = "corrida-2"
    assert run_cli("resumen", "--params", params, "--output", out) == 1
    printed = capsys.readouterr().out
    assert "falló la celda 4 (ValueError): se rompió la tabla" in printed
    assert "Se borraron las salidas anteriores de resumen." in printed
    assert files_of(out) - {".outbound-analysis.json"} == {
        "notas.txt",
        "resumen/mi_grafico.png",
        "resumen.error.ipynb",
        "resumen.error.txt",
    }
    text = (out / "resumen.error.txt").read_text(encoding="utf-8")
    assert text.startswith("El informe resumen (p.yaml) no se generó el ") and "se rompió la tabla" in text
    assert len(text.splitlines()) == 1
    assert "corrida-2" in (out / "resumen.error.ipynb").read_text(encoding="utf-8")
    fake.fail = set()
    assert run_cli("resumen", "--params", params, "--output", out) == 0  # a good run clears the error files
    assert files_of(out) - {".outbound-analysis.json"} == {
        "notas.txt",
        "resumen.html",
        "resumen.ipynb",
        "resumen/mi_grafico.png",
        "resumen/kpis.csv",
        "resumen/kpis.json",
        "resumen/resumen.xlsx",
        "resumen/rechazos.csv",
        "resumen/carga.csv",
    }


def test_a_rerun_with_fewer_formats_drops_the_old_ones(tmp_path, fake):
    out = tmp_path / "out"
    assert run_cli("resumen", "--params", write_params(tmp_path), "--output", out) == 0
    (out / "resumen" / "mis_notas.json").write_text("{}", encoding="utf-8")
    fake.tag = "corrida-2"
    csv_only = write_params(tmp_path, "solo_csv", formatos="[csv]")
    assert run_cli("resumen", "--params", csv_only, "--output", out) == 0
    assert sorted(p.name for p in (out / "resumen").iterdir()) == [
        "carga.csv",
        "kpis.csv",
        "mis_notas.json",
        "rechazos.csv",
    ]
    assert (out / "resumen" / "kpis.csv").read_text(encoding="utf-8") == "corrida-2"
    manifest = json.loads((out / _outputs.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["informes"]["resumen"]["estado"] == "ok"
    assert manifest["informes"]["resumen"]["archivos"] == [
        "resumen.html",
        "resumen.ipynb",
        "resumen/carga.csv",
        "resumen/kpis.csv",
        "resumen/rechazos.csv",
    ]


def test_a_folder_from_before_the_manifest_is_cleaned_by_export_names(tmp_path, fake):
    out = tmp_path / "out"
    (out / "resumen").mkdir(parents=True)
    for name in ("resumen.html", "resumen/kpis.json", "resumen/embudo_parte2.csv", "resumen/mi_grafico.png"):
        (out / name).write_text("viejo", encoding="utf-8")
    params = write_params(tmp_path, formatos="[csv]")
    assert run_cli("resumen", "--params", params, "--output", out) == 0
    assert (
        not (out / "resumen" / "kpis.json").exists() and not (out / "resumen" / "embudo_parte2.csv").exists()
    )
    assert (out / "resumen" / "mi_grafico.png").read_text(encoding="utf-8") == "viejo"
    assert (out / "resumen.html").read_text(encoding="utf-8") == "<html>corrida-1</html>"


def test_a_manifest_never_deletes_files_outside_the_report(tmp_path, fake):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "fuera.txt").write_text("no", encoding="utf-8")
    (out / "notas.txt").write_text("no", encoding="utf-8")
    manifest = {"informes": {"resumen": {"archivos": ["../fuera.txt", "notas.txt", "/etc/hostname"]}}}
    (out / _outputs.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    fake.fail = {"resumen"}  # a failure removes every file the manifest lists as the report's
    assert run_cli("resumen", "--params", write_params(tmp_path), "--output", out) == 1
    assert (tmp_path / "fuera.txt").is_file() and (out / "notas.txt").is_file()


def test_temporary_folders_of_a_killed_run_are_removed(tmp_path, fake):
    out = tmp_path / "out"
    (out / ".resumen-ab12cd34").mkdir(parents=True)
    (out / ".resumen-ab12cd34" / "resumen.ipynb").write_text("{}", encoding="utf-8")
    (out / ".resumen-mios").mkdir()
    assert run_cli("resumen", "--params", write_params(tmp_path), "--output", out) == 0
    assert not (out / ".resumen-ab12cd34").exists() and (out / ".resumen-mios").is_dir()


# --------------------------------------------------------------------------- lock


HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.write(fd, f"{os.getpid()}\\n2020-01-01T10:00:00\\n".encode())
print("listo", flush=True)
time.sleep(60)
"""


def test_a_second_run_into_the_same_folder_stops_at_once(tmp_path, fake, capsys):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(out / _outputs.LOCK)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "listo"
        params = write_params(tmp_path)
        start = time.perf_counter()
        assert run_cli("resumen", "--params", params, "--output", out) == 2
        assert time.perf_counter() - start < 10
        err = capsys.readouterr().err
        assert (
            f"Error: Otra corrida está escribiendo en «{out}» (pid {holder.pid}, desde el 01/01/2020 10:00). "
            "Esperá a que termine o usá otra carpeta." in err
        )
        assert fake.calls == []
    finally:
        holder.kill()
        holder.wait()
    # the holder died without cleaning up: its lock went with it
    assert run_cli("resumen", "--params", params, "--output", out) == 0
    assert not (out / _outputs.LOCK).exists()


def test_the_lock_message_shows_the_owners_pid_and_time(tmp_path):
    first = _outputs.OutputLock(tmp_path)
    first.acquire()
    try:
        with pytest.raises(OutputBusyError) as busy:
            _outputs.OutputLock(tmp_path).acquire()
    finally:
        first.release()
    assert f"(pid {os.getpid()}, desde {time.strftime('%H:%M')[:3]}" in str(busy.value)
    second = _outputs.OutputLock(tmp_path)
    second.acquire()  # released: free again
    second.release()


# --------------------------------------------------------------------------- Ctrl+C


def test_ctrl_c_leaves_the_previous_report_and_no_temporary_folder(tmp_path, fake, capsys):
    params = write_params(tmp_path)
    out = tmp_path / "out"
    assert run_cli("resumen", "--params", params, "--output", out) == 0
    before = {f: (out / f).read_bytes() for f in files_of(out)}
    fake.interrupt = {"resumen"}
    fake.tag = "corrida-2"
    assert run_cli("resumen", "--params", params, "--output", out) == 130
    assert "Interrumpido." in capsys.readouterr().err
    assert {f: (out / f).read_bytes() for f in files_of(out)} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".resumen-")]
    assert not (out / _outputs.LOCK).exists()


def test_ctrl_c_while_files_are_swapped_waits_for_the_swap():
    done = []
    with pytest.raises(KeyboardInterrupt), _outputs.sigint_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        done.append("swap finished")
    assert done == ["swap finished"]


# --------------------------------------------------------------------------- a real notebook


@pytest.mark.slow
def test_real_run_lists_exactly_its_files_in_the_manifest(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "resumen").mkdir(parents=True)
    (out / "resumen" / "kpis.json").write_text("[]", encoding="utf-8")  # an earlier version's export
    (out / "resumen" / "mi_grafico.png").write_bytes(b"png")
    params = write_params(tmp_path, formatos="[csv]")
    assert run_cli("resumen", "--params", params, "--output", out) == 0
    manifest = json.loads((out / _outputs.MANIFEST).read_text(encoding="utf-8"))["informes"]["resumen"]
    ours = set(manifest["archivos"])
    assert ours == files_of(out) - {_outputs.MANIFEST, "resumen/mi_grafico.png"}
    assert {"resumen.html", "resumen.ipynb", "resumen/kpis.csv", "resumen/rechazos.csv"} <= ours
    assert not (out / "resumen" / "kpis.json").exists()
    assert "Revisión previa (parámetros, datos y carpetas): 1 de 1" in capsys.readouterr().out


# --------------------------------------------------------------------------- load once, run in parallel


class CacheProbe(FakeNotebooks):
    """A fake notebook that loads its data as a report does and records where it came from."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: dict[str, object] = {}
        self.delay: dict[str, float] = {}
        #: reports that wait until an interrupted one has started (then their delay)
        self.after_interrupt: set[str] = set()
        self.interrupted = threading.Event()

    def execute(self, input_path, output_path, parameters, **kwargs):
        from outbound_analysis.params import Parametros

        name = Path(input_path).stem
        params = Parametros.from_mapping({k: v for k, v in parameters.items() if k != "salida"})
        self.loaded[name] = _run_cache.cargar(params, cargar_eventos=name == "flujos")
        if name in self.interrupt:
            self.interrupted.set()
        if name in self.after_interrupt:
            assert self.interrupted.wait(10)
        time.sleep(self.delay.get(name, 0))
        super().execute(input_path, output_path, parameters, **kwargs)


@pytest.fixture
def probe(monkeypatch) -> CacheProbe:
    return _installed(monkeypatch, CacheProbe())  # type: ignore[return-value]


def test_the_reports_get_the_data_the_preflight_loaded_and_the_cache_is_removed(tmp_path, probe):
    params = write_params(tmp_path, eventos=str(EVENTOS))
    out = tmp_path / "out"
    (out / ".datos-x1y2z3w4").mkdir(parents=True)  # left by a killed run
    assert run_cli("--all", "--params", params, "--output", out) == 0
    for name in ("resumen", "detallado", "flujos"):
        cached = probe.loaded[name]
        assert cached is not None, name  # read from the run's cache, not from the files
        events = EVENTOS if name == "flujos" else None
        expected = load_data(ENVIOS, events, cargar_eventos=events is not None)
        assert_same_data(cached, expected, tmp_path / name)
    assert not [p for p in out.iterdir() if p.name.startswith(_run_cache.PREFIX)]
    assert _run_cache.ENV not in os.environ
    # outside a run (or with other parameters) nothing is cached: the report loads its files
    assert _run_cache.cargar(runner.read_params(params), cargar_eventos=False) is None


def assert_same_data(got, expected, folder: Path) -> None:
    """Same frames (text dtypes of the load report aside) and byte-identical carga.csv and rechazos.csv."""
    for table in ("envios", "eventos"):
        pd.testing.assert_frame_equal(getattr(got, table), getattr(expected, table))
    for table in ("archivos", "rechazos"):
        pd.testing.assert_frame_equal(getattr(got, table), getattr(expected, table), check_dtype=False)
    written = []
    for i, datos in enumerate((got, expected)):
        exports.export_report({}, folder / str(i), "resumen", rechazos=datos.rechazos, carga=datos.archivos)
        written.append({n: (folder / str(i) / n).read_bytes() for n in ("carga.csv", "rechazos.csv")})
    assert written[0] == written[1]


def test_a_load_without_eventos_is_derived_exactly_from_one_with_them(tmp_path):
    for source, almacen in ((ENVIOS, False), (tmp_path / "almacen", True)):
        if almacen:
            importar(source, ENVIOS, EVENTOS)
        full = load_data(source, None if almacen else EVENTOS)
        derived = _run_cache.sin_eventos(full)
        assert len(full.eventos) and not len(derived.eventos)
        assert_same_data(derived, load_data(source, None, cargar_eventos=False), tmp_path / str(almacen))


def test_parallel_reports_keep_the_summary_order_and_every_guarantee(tmp_path, probe, capsys):
    params = write_params(tmp_path, eventos=str(EVENTOS))
    out = tmp_path / "out"
    (out).mkdir()
    (out / "mio.txt").write_text("del usuario", encoding="utf-8")
    probe.delay = {"resumen": 0.6}  # the first report ends last
    probe.fail = {"detallado"}
    assert run_cli("--all", "--params", params, "--output", out, "--paralelo", "3") == 1
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln[:1] in "✓✗"]
    assert [ln.split()[1] for ln in lines] == ["resumen", "detallado", "flujos"]
    assert (out / "resumen.html").is_file() and (out / "flujos.html").is_file()
    assert (out / "detallado.error.txt").is_file() and (out / "mio.txt").is_file()
    manifest = _outputs.read_manifest(out)
    estados = {k: v["estado"] for k, v in manifest.items()}
    assert estados == {"resumen": "ok", "detallado": "error", "flujos": "ok"}
    assert not (out / _outputs.LOCK).exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.is_dir()]


def test_ctrl_c_in_a_parallel_run_leaves_every_previous_report(tmp_path, probe, capsys):
    params = write_params(tmp_path, eventos=str(EVENTOS))
    out = tmp_path / "out"
    assert run_cli("--all", "--params", params, "--output", out) == 0
    before = {f: (out / f).read_bytes() for f in files_of(out)}
    probe.interrupt = {"detallado"}
    probe.after_interrupt = {"resumen", "flujos"}  # still running when detallado is interrupted
    probe.delay = {"resumen": 0.5, "flujos": 0.5}
    probe.tag = "corrida-2"
    assert run_cli("--all", "--params", params, "--output", out, "--paralelo", "3") == 130
    assert {f: (out / f).read_bytes() for f in files_of(out)} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.is_dir()]
    assert not (out / _outputs.LOCK).exists()


def test_paralelo_must_be_a_positive_number(tmp_path, probe, capsys):
    params = write_params(tmp_path)
    with pytest.raises(SystemExit):
        run_cli("resumen", "--params", params, "--output", tmp_path / "o", "--paralelo", "0")
    assert "--paralelo" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_cli("resumen", "--params", params, "--output", tmp_path / "o", "--paralelo", "cero")
    assert "«cero» no es un número entero; o auto" in capsys.readouterr().err


def test_by_default_the_run_says_how_many_reports_it_runs_at_a_time(tmp_path, probe, capsys):
    params = write_params(tmp_path, eventos=str(EVENTOS))
    assert run_cli("--all", "--params", params, "--output", tmp_path / "a") == 0
    chosen = _paralelo.elegir_aqui(3, _paralelo.memoria_por_informe(len(load_data(ENVIOS).envios)))
    out = capsys.readouterr().out
    assert f"Informes a la vez: {chosen.informes} (automático: {chosen.nucleos} núcleos" in out
    assert [ln.split()[1] for ln in out.splitlines() if ln[:1] == "✓"] == ["resumen", "detallado", "flujos"]
    # a number is the user's choice: nothing to explain; auto is the default, said the same way
    assert run_cli("--all", "--params", params, "--output", tmp_path / "b", "--paralelo", "1") == 0
    assert "Informes a la vez" not in capsys.readouterr().out
    assert run_cli("--all", "--params", params, "--output", tmp_path / "c", "--paralelo", "auto") == 0
    assert "Informes a la vez" in capsys.readouterr().out


def test_auto_takes_the_least_of_cores_reports_and_kernels_that_fit():
    assert _paralelo.elegir(3, 1.4, nucleos=2, libre_gb=20.0).informes == 2  # the cores
    assert _paralelo.elegir(3, 1.4, nucleos=8, libre_gb=20.0).informes == 3  # the reports
    assert _paralelo.elegir(3, 5.0, nucleos=8, libre_gb=20.0).informes == 3  # 16 GB of 20 fit 3
    assert _paralelo.elegir(3, 9.5, nucleos=8, libre_gb=20.0).informes == 1  # 10 million sends
    assert _paralelo.elegir(3, 30.0, nucleos=8, libre_gb=20.0).informes == 1  # never less than one
    assert _paralelo.elegir(3, 1.4, nucleos=8, libre_gb=None).informes == 1  # memory unknown
    assert _paralelo.memoria_por_informe(10_000_000) == 9.5  # measured: 8.5 GB a kernel
    assert _paralelo.memoria_por_informe(None) == 3.5  # an SQL engine over a store: 3.3 GB at 30M


def test_free_memory_is_read_from_meminfo_and_unknown_is_one_at_a_time(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24576000 kB\nMemAvailable:   10485760 kB\n", encoding="utf-8")
    assert _paralelo.memoria_libre_gb(meminfo) == 10.0
    assert _paralelo.memoria_libre_gb(tmp_path / "no-existe") is None
    meminfo.write_text("MemTotal: 1 kB\n", encoding="utf-8")
    assert _paralelo.memoria_libre_gb(meminfo) is None
    assert "memoria libre desconocida" in _paralelo.Eleccion(1, 2, None, 1.4).motivo()
