"""Shared helpers: hand-built envios/eventos with the loader's own rules and dtypes."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from outbound_analysis.load import frame_from_records

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"

_ids = itertools.count(1)

BASE_ENVIO = {
    "fecha_envio": "2026-08-10 10:00",
    "campana": "Campaña A",
    "origen": "plantilla",
    "canal": "WA",
    "estado": "exitoso",
}


def make_envios(*rows: dict) -> pd.DataFrame:
    """Sends from partial dicts; envio_id and contacto_id are filled in when missing."""
    records = []
    for row in rows:
        n = next(_ids)
        records.append({"envio_id": f"e{n}", "contacto_id": f"54911{n:08d}", **BASE_ENVIO, **row})
    return frame_from_records("envios", records)


def make_eventos(*rows: dict) -> pd.DataFrame:
    """Events from dicts with at least conversacion_id, fecha and autor."""
    return frame_from_records("eventos", list(rows))


@pytest.fixture
def envios_factory():
    return make_envios


@pytest.fixture
def eventos_factory():
    return make_eventos


def _run_reports(out: Path, params: Path) -> Path:
    from outbound_analysis import cli

    code = cli.main(["run", "--all", "--params", str(params), "--output", str(out)])
    assert code == 0, "outbound-analysis run failed"
    return out


@pytest.fixture(scope="session")
def fixture_reports(tmp_path_factory) -> Path:
    """The three reports on the small hand-checked fixture (tests/data)."""
    return _run_reports(
        tmp_path_factory.mktemp("fixture") / "salida", ROOT / "tests" / "data" / "params_fixture.yaml"
    )


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory) -> Path:
    """The three reports on the bundled demo data, as `make demo` produces them."""
    return _run_reports(tmp_path_factory.mktemp("demo") / "salida", ROOT / "params" / "demo.yaml")


@pytest.fixture(scope="session")
def spark_motor():
    """One local Spark for the whole test session (starting one takes ~10 s)."""
    from outbound_analysis.engines import Spark

    return Spark("local[2]")


@pytest.fixture
def duckdb_motor():
    """A fresh embedded DuckDB."""
    from outbound_analysis.engines import DuckDB

    return DuckDB(hilos=2)
