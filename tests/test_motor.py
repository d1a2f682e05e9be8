"""The ``motor`` parameter: a report computed by DuckDB or Spark shows and exports the same tables.

The per-table equivalence of the SQL engines lives in tests/test_engines_*.py; here the
engine is chosen the way a user chooses it (the parameter, the Vista, a run) and the
whole report is compared with the pandas one.
"""

from __future__ import annotations

import dataclasses
import filecmp
import shutil
from pathlib import Path

import pandas as pd
import pytest

from outbound_analysis import Filtros, cli, engines
from outbound_analysis.errors import ParamsError
from outbound_analysis.load import load_data
from outbound_analysis.params import Parametros
from outbound_analysis.view import Vista

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
#: the header's «Parámetros» table lists the engine itself
DIFFERENT_BY_DESIGN = {"parametros"}


@pytest.fixture(scope="module")
def demo_data():
    return load_data(str(DEMO / "envios_*.csv"), str(DEMO / "eventos.xlsx"))


def _every_table(vista: Vista) -> dict[str, pd.DataFrame]:
    tables = {n: vista.tablas[n] for n in vista.tablas}
    tables.update({n: vista.apoyo[n] for n in vista.apoyo if n not in DIFFERENT_BY_DESIGN})
    return tables


def test_unknown_engine_is_a_spanish_parameter_error():
    with pytest.raises(ParamsError, match="motor «polars» no existe; elegí entre pandas, duckdb, spark"):
        Parametros.from_mapping({"envios": "envios.csv", "motor": "polars"})
    assert Parametros.from_mapping({"envios": "envios.csv"}).motor == "pandas"


def test_spark_without_java_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("OUTBOUND_ANALYSIS_SPARK_MASTER", raising=False)
    with pytest.raises(ParamsError, match=r"Java 17.*openjdk-17-jre-headless"):
        engines.verificar("spark")
    engines.verificar("duckdb")  # nothing to install


@pytest.mark.parametrize("nombre", ["resumen", "detallado", "flujos"])
@pytest.mark.parametrize(
    "filtros",
    [Filtros(), Filtros(canales=["WA"], fecha_desde="2026-09-01"), Filtros(campanas=["no existe"])],
    ids=["todo", "wa-desde-septiembre", "nada"],
)
def test_a_duckdb_view_has_the_pandas_tables(demo_data, nombre, filtros):
    pandas_view = Vista.de_datos(nombre, demo_data, filtros)
    duck_view = dataclasses.replace(pandas_view, motor="duckdb")
    expected, got = _every_table(pandas_view), _every_table(duck_view)
    assert list(got) == list(expected)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], obj=f"{nombre}.{name}")


def test_a_filter_change_on_duckdb_keeps_its_engine(demo_data):
    vista = Vista.de_datos("resumen", demo_data, Filtros(), motor="duckdb")
    changed = dataclasses.replace(vista, filtros=Filtros(canales=["IG"]))
    assert changed.motor == "duckdb"
    ig = int((demo_data.envios["canal"] == "IG").sum())
    assert changed.tablas["kpis"]["envios"].iloc[0] == ig
    # one engine (and one registration of the data) per data set, shared by both views
    assert vista.fuente is changed.fuente


@pytest.mark.slow
def test_a_run_on_duckdb_exports_the_same_files(tmp_path, fixture_reports):
    data = ROOT / "tests" / "data"
    params = tmp_path / "duckdb.yaml"
    params.write_text(
        f"envios: {data / 'envios_fixture.csv'}\neventos: {data / 'eventos_fixture.json'}\n"
        "formatos: [csv, json]\ninteractivo: false\nmotor: duckdb\n",
        encoding="utf-8",
    )
    out = tmp_path / "salida"
    assert cli.main(["run", "--all", "--params", str(params), "--output", str(out)]) == 0
    compared = 0
    for ours in sorted(out.rglob("*.csv")) + sorted(out.rglob("*.json")):
        if ours.name.startswith("."):
            continue
        reference = fixture_reports / ours.relative_to(out)
        assert reference.is_file(), f"{ours.relative_to(out)} is not in the pandas run"
        assert filecmp.cmp(ours, reference, shallow=False), f"{ours.relative_to(out)} differs from pandas"
        compared += 1
    assert compared >= 20
