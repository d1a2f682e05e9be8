"""Engines at scale: import once into a Parquet store, then every report table per engine.

For each size (default 1,000,000 sends): generate the demo files, `importar` them into a
store (time and peak memory), then compute every table of resumen, detallado and flujos
with each engine, each in its own process (time and peak memory of that process):

- pandas: ``load_data(store)`` then every table (everything in memory);
- duckdb: the store's Parquet files registered as they are (nothing loaded into pandas),
  every table by SQL, memory limited to ``--memoria``;
- spark: the same SQL through Spark in local mode (``--motores ... spark``).

    python benchmarks/motores.py                                  # 1,000,000 sends
    python benchmarks/motores.py --sizes 1000000 10000000 30000000 --motores duckdb

Prints a table; figures go to docs/escala.md by hand.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INFORMES = ("resumen", "detallado", "flujos")


def tables_child(store: str, motor: str, memoria: str) -> dict[str, float]:
    """Every table of the three reports with ``motor`` over ``store`` (runs in a child process)."""
    from outbound_analysis import engines, metrics
    from outbound_analysis.filters import Filtros
    from outbound_analysis.load import load_data
    from outbound_analysis.params import Parametros
    from outbound_analysis.view import Vista

    out: dict[str, float] = {}
    start = time.perf_counter()
    if motor == "pandas":
        datos = load_data(store)
        out["carga_s"] = time.perf_counter() - start
        for nombre in INFORMES:
            t = time.perf_counter()
            vista = Vista.de_datos(nombre, datos, Filtros())
            _ = [vista.tablas[n] for n in vista.tablas]
            _ = [vista.apoyo[n] for n in metrics.REGISTROS[nombre].apoyo]
            out[f"{nombre}_s"] = time.perf_counter() - t
    else:
        m = engines.DuckDB(memoria=memoria) if motor == "duckdb" else engines.Spark()
        # the Parquet files as they are: the engine reads what each query needs
        engines.registrar_almacen(m, store)
        out["carga_s"] = time.perf_counter() - start
        params = Parametros(envios=store)
        for nombre in INFORMES:
            t = time.perf_counter()
            registro = metrics.REGISTROS[nombre]
            names = [*registro.exportadas_de(params), *registro.apoyo]
            engines.calcular(m, nombre, names, Filtros(), params)
            out[f"{nombre}_s"] = time.perf_counter() - t
    out["total_s"] = time.perf_counter() - start
    out["pico_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    return out


def run_child(args: list[str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(n: int, motores: list[str], memoria: str, workdir: Path) -> dict[str, object]:
    from outbound_analysis import demo

    r: dict[str, object] = {"envios": n}
    files = workdir / f"n{n}"
    start = time.perf_counter()
    written = demo.write(files, n_envios=n)
    r["demo_s"] = time.perf_counter() - start
    envios = [str(p) for p in written if p.name.startswith("envios")]
    eventos = [str(p) for p in written if p.name.startswith("eventos")]
    store = workdir / f"almacen{n}"
    wrapper = (
        "import resource, subprocess, sys, time; s = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(time.perf_counter() - s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    cli = str(Path(sys.executable).parent / "outbound-analysis")
    command = [cli, "importar", "--envios", *envios, "--eventos", *eventos, "--", str(store)]
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *command], check=True, capture_output=True, text=True
    )
    seconds, peak_kb = out.stdout.split()
    r["importar_s"], r["importar_pico_gb"] = float(seconds), int(peak_kb) / 1024**2
    shutil.rmtree(files, ignore_errors=True)
    for motor in motores:
        r[motor] = run_child([str(store), motor, memoria])
    shutil.rmtree(store, ignore_errors=True)
    return r


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(tables_child(*sys.argv[2:5])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--motores", nargs="+", default=["pandas", "duckdb"])
    parser.add_argument("--memoria", default="3GB", help="DuckDB memory_limit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oa-motores-") as tmp:
        for n in args.sizes:
            r = measure(n, args.motores, args.memoria, Path(tmp))
            print(f"\n{n:,} envíos: demo {r['demo_s']:.1f} s, importar {r['importar_s']:.1f} s "
                  f"(pico {r['importar_pico_gb']:.2f} GB)")
            for motor in args.motores:
                m = r[motor]
                parts = ", ".join(f"{k[:-2]} {v:.2f} s" for k, v in m.items() if k.endswith("_s"))
                print(f"  {motor:7s} {parts}; pico {m['pico_gb']:.2f} GB")
            print(json.dumps(r))


if __name__ == "__main__":
    main()
