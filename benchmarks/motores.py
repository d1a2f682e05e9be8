"""Engines at scale: one store grown download by download, then each engine at each size.

The store is built as an account builds it: demo downloads of ``--tramo`` sends (the
platform's cap, 1,000,000), each a later slice of the same account (``demo.write(...,
tramo=k)``: new ids, dates 17 weeks later), appended with ``outbound-analysis importar``.
When the store reaches a size of ``--sizes``, for each engine, each in its own process:

- tables: every table of resumen, detallado and flujos (pandas: ``load_data`` of the
  store first; duckdb/spark: the Parquet files as they are, nothing loaded into pandas);
- run: ``outbound-analysis run --all --paralelo N`` (HTML and every export) over the store,
  N = ``--paralelo`` (default: 2 reports at a time, what the README advises with 2 cores).

Peak memory is the largest resident size of the process and everything it waited for
(the run's kernels included), read through a wrapper process. pandas runs up to
``--pandas-hasta`` sends (it holds everything in memory: about 0.8 GB per million) and
Spark up to ``--spark-hasta`` (local mode on this machine is for tests, not speed).

    python benchmarks/motores.py                                   # 1,000,000 sends
    python benchmarks/motores.py --sizes 1000000 10000000 30000000 --motores pandas duckdb spark

Prints a table per size and the JSON of every figure (also written to ``--json``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INFORMES = ("resumen", "detallado", "flujos")
CLI = str(Path(sys.executable).parent / "outbound-analysis")
# run a command, print its wall time and the peak RSS of every process it waited for
WRAPPER = (
    "import resource, subprocess, sys, time; s = time.perf_counter(); "
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "sys.stderr.write(r.stdout[-4000:] + r.stderr[-4000:]) if r.returncode else None; "
    "print(r.returncode, time.perf_counter() - s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def tables_child(store: str, motor: str) -> dict[str, float]:
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
        m = engines.DuckDB() if motor == "duckdb" else engines.Spark()
        engines.registrar_almacen(m, store)  # the Parquet files as they are
        out["carga_s"] = time.perf_counter() - start
        params = Parametros(envios=store)
        for nombre in INFORMES:
            t = time.perf_counter()
            registro = metrics.REGISTROS[nombre]
            names = [n for n in (*registro.exportadas_de(params), *registro.apoyo) if n != "envios"]
            engines.calcular(m, nombre, names, Filtros(), params)
            out[f"{nombre}_s"] = time.perf_counter() - t
    out["total_s"] = time.perf_counter() - start
    return out


def wrapped(command: list[str]) -> tuple[float, float]:
    """(seconds, peak GB) of ``command`` and its descendants; raises if it fails."""
    out = subprocess.run([sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True)
    code, seconds, peak_kb = out.stdout.split()
    if code != "0":
        raise RuntimeError(f"{command[:3]} failed ({code}):\n{out.stderr}")
    return float(seconds), int(peak_kb) / 1024**2


def measure_engine(
    store: Path, motor: str, workdir: Path, run: bool = True, paralelo: int = 2
) -> dict[str, object]:
    r: dict[str, object] = {}
    tables_out = workdir / "tablas.json"
    _, peak = wrapped([sys.executable, __file__, "--child", str(store), motor, str(tables_out)])
    r["tablas"] = json.loads(tables_out.read_text())
    r["tablas_pico_gb"] = peak
    if not run:
        return r
    params = workdir / f"{motor}.yaml"
    params.write_text(f"envios: {store}\nmotor: {motor}\n", encoding="utf-8")
    output = workdir / f"salida-{motor}"
    r["run_s"], r["run_pico_gb"] = wrapped(
        [CLI, "run", "--all", "--paralelo", str(paralelo), "--params", str(params), "--output", str(output)]
    )
    r["run_paralelo"] = paralelo
    r["run_mb_escritos"] = sum(f.stat().st_size for f in output.rglob("*") if f.is_file()) / 1e6
    shutil.rmtree(output, ignore_errors=True)
    return r


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        store, motor, out = sys.argv[2:5]
        Path(out).write_text(json.dumps(tables_child(store, motor)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--motores", nargs="+", default=["pandas", "duckdb"])
    parser.add_argument("--tramo", type=int, default=1_000_000, help="sends per download")
    parser.add_argument("--pandas-hasta", type=int, default=10_000_000)
    parser.add_argument("--spark-hasta", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--sin-run", action="store_true", help="only the tables (no run --all)")
    parser.add_argument("--paralelo", type=int, default=2, help="reports at a time in run --all")
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="work folder, kept (default: a temporary one); with a store there, go on",
    )
    args = parser.parse_args()
    from outbound_analysis import demo

    work = args.dir or Path(tempfile.mkdtemp(prefix="oa-motores-"))
    store = work / "almacen"
    limits = {"pandas": args.pandas_hasta, "spark": args.spark_hasta}
    results: list[dict[str, object]] = []
    total, k, import_s, import_peak = 0, 0, 0.0, 0.0
    log = work / "importaciones.jsonl"  # one line per download: a later run with --dir goes on from there
    if store.is_dir() and log.is_file():
        done = [json.loads(line) for line in log.read_text().splitlines()]
        total, k = sum(d["envios"] for d in done), len(done)
        import_s, import_peak = sum(d["s"] for d in done), max(d["pico_gb"] for d in done)
        print(f"  el almacén ya tiene {total:,} envíos de {k} descargas: sigo desde ahí", flush=True)
    try:
        for size in sorted(args.sizes):
            while total < size:
                n = min(args.tramo, size - total)
                files = demo.write(work / "descarga", n_envios=n, tramo=k)
                envios = [str(p) for p in files if p.name.startswith("envios")]
                eventos = [str(p) for p in files if p.name.startswith("eventos")]
                s, peak = wrapped(
                    [CLI, "importar", "--envios", *envios, "--eventos", *eventos, "--", str(store)]
                )
                import_s, import_peak, total, k = import_s + s, max(import_peak, peak), total + n, k + 1
                with log.open("a") as fh:
                    fh.write(json.dumps({"envios": n, "s": s, "pico_gb": peak}) + "\n")
                print(
                    f"  descarga {k}: {n:,} envíos importados en {s:.1f} s (pico {peak:.2f} GB)", flush=True
                )
                shutil.rmtree(work / "descarga", ignore_errors=True)
            r: dict[str, object] = {
                "envios": total,
                "descargas": k,
                "importar_s": import_s,
                "importar_pico_gb": import_peak,
                "almacen_mb": sum(f.stat().st_size for f in store.rglob("*.parquet")) / 1e6,
            }
            print(
                f"\n{total:,} envíos ({k} descargas): importar {import_s:.0f} s en total "
                f"(pico {import_peak:.2f} GB), almacén {r['almacen_mb']:.0f} MB",
                flush=True,
            )
            for motor in args.motores:
                if total > limits.get(motor, total):
                    print(f"  {motor:7s} no medido: más de {limits[motor]:,} envíos", flush=True)
                    continue
                m = measure_engine(store, motor, work, run=not args.sin_run, paralelo=args.paralelo)
                r[motor] = m
                t = m["tablas"]
                parts = ", ".join(f"{x[:-2]} {v:.1f} s" for x, v in t.items() if x.endswith("_s"))  # type: ignore[union-attr]
                run = (
                    f"; run --all {m['run_s']:.0f} s (pico {m['run_pico_gb']:.2f} GB, "
                    f"{m['run_mb_escritos']:.0f} MB escritos)"
                    if "run_s" in m
                    else ""
                )
                print(f"  {motor:7s} tablas: {parts} (pico {m['tablas_pico_gb']:.2f} GB){run}", flush=True)
            results.append(r)
            print(json.dumps(r), flush=True)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(
            json.dumps({"maquina": f"{os.cpu_count()} núcleos", "medidas": results}, indent=1)
        )


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
