"""Kernels started during the pre-flight: the package imported, the run's environment handed
over, and none left running whatever happens."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import ROOT

from outbound_analysis import _kernels, cli, runner
from outbound_analysis.load import load_data

FIXTURE = ROOT / "tests" / "data" / "envios_fixture.csv"


def _kernels_in(folder: Path) -> list[int]:
    """Pids of the running ipykernel processes whose working folder is ``folder``."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if b"ipykernel" in (proc / "cmdline").read_bytes() and Path(os.readlink(proc / "cwd")) == folder:
                found.append(int(proc.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _calientes(cantidad: int, al_mismo_tiempo: int, cwd: Path) -> _kernels.Calientes:
    runner.kernel_env()
    return _kernels.Calientes(cantidad, al_mismo_tiempo, runner.KERNEL, cwd, runner.KERNEL_ARGS)


def test_a_started_kernel_has_the_package_and_the_runs_environment(tmp_path, monkeypatch):
    kernels = _calientes(1, 1, tmp_path)
    try:
        km = kernels.tomar()
        assert km is not None and len(_kernels_in(tmp_path)) == 1
        _kernels.execute(km, "import sys; assert 'outbound_analysis' in sys.modules")
        monkeypatch.setenv("OA_PRUEBA_SI", "valor con 'comillas'")
        monkeypatch.delenv("OA_PRUEBA_NO", raising=False)
        _kernels.execute(km, "import os; os.environ['OA_PRUEBA_NO'] = 'viejo'")
        _kernels.pasar_entorno(km, ["OA_PRUEBA_SI", "OA_PRUEBA_NO"])
        _kernels.execute(
            km,
            "import os; assert os.environ['OA_PRUEBA_SI'] == \"valor con 'comillas'\"; "
            "assert 'OA_PRUEBA_NO' not in os.environ",
        )
        with pytest.raises(RuntimeError, match="no pudo ejecutar"):
            _kernels.execute(km, "raise ValueError('x')")
        assert kernels.tomar() is None  # one report, one kernel
        _kernels.shutdown(km)
        assert not asyncio.run(km.is_alive()) and _kernels_in(tmp_path) == []
    finally:
        kernels.cerrar()


def test_kernels_no_report_took_are_stopped(tmp_path):
    kernels = _calientes(3, 2, tmp_path)
    kernels.cerrar()  # two were starting, the third never started
    assert _kernels_in(tmp_path) == []
    assert kernels.tomar() is None


@pytest.mark.slow
def test_a_real_run_uses_the_started_kernels_and_leaves_none(tmp_path, monkeypatch):
    taken: list[object] = []
    real_tomar, real_prepare = _kernels.Calientes.tomar, runner._prepare

    def tomar(self: _kernels.Calientes) -> object:
        km = real_tomar(self)
        taken.append(km)
        return km

    envios = tmp_path / "envios.csv"
    envios.write_bytes(FIXTURE.read_bytes())

    def prepare(*args: object, **kwargs: object) -> None:
        real_prepare(*args, **kwargs)
        # loaded: from now on the file says nothing, so a kernel that read it again would show 0 sends
        envios.write_bytes(FIXTURE.read_bytes().splitlines()[0] + b"\r\n")

    monkeypatch.setattr(_kernels.Calientes, "tomar", tomar)
    monkeypatch.setattr(runner, "_prepare", prepare)
    params = tmp_path / "p.yaml"
    params.write_text(f"envios: {envios}\nformatos: [csv]\ninteractivo: false\n", encoding="utf-8")
    before = _kernels_in(runner.notebooks_dir())
    out = tmp_path / "out"
    command = [
        "run",
        "resumen",
        "detallado",
        "--paralelo",
        "2",
        "--params",
        str(params),
        "--output",
        str(out),
    ]
    assert cli.main(command) == 0
    assert len(taken) == 2 and all(km is not None for km in taken)
    for informe in ("resumen", "detallado"):
        nb = nbformat.read(out / f"{informe}.ipynb", as_version=4)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.execution_count]
        assert counts == list(range(1, len(counts) + 1)), informe  # the warm-up left no trace
    # the kernels got the run's environment: they used the data the pre-flight loaded
    kpis = pd.read_csv(out / "resumen" / "kpis.csv")
    assert kpis["envios"].iloc[0] == len(load_data(str(FIXTURE)).envios) > 0
    assert _kernels_in(runner.notebooks_dir()) == before
