"""The resumen and detallado tables on DuckDB and Spark equal the pandas engine's (issue 12).

Same columns, order, dtypes and values (floats to 1e-9) for every table, on the demo
data, the fixture data and tiny data sets, under several filters. Spark runs one
data set with few selections (each Spark query costs about a second).
"""

from __future__ import annotations

import pandas as pd
import pytest
from _estrategias import filtros_demo
from conftest import DEMO, ROOT, make_envios
from hypothesis import HealthCheck, given, settings

from outbound_analysis.engines import CONSULTAS, DuckDB, calcular, registrar_datos
from outbound_analysis.filters import Filtros, filter_envios
from outbound_analysis.load import Dataset, load_data
from outbound_analysis.metrics import REGISTROS, Entrada, Fuente
from outbound_analysis.params import Parametros
from outbound_analysis.schema import ENVIOS

FIXTURE = ROOT / "tests" / "data"
TABLAS = [
    (informe, nombre) for informe in ("resumen", "detallado") for nombre in REGISTROS[informe].funciones
]


def _parametros(datos: Dataset) -> Parametros:
    """comparar: the two campaigns with most sends; costos for two channels (one left out)."""
    top = datos.envios["campana"].astype("string").value_counts().index[:2].tolist()
    if len(top) < 2:
        return Parametros(envios="x", costos={"WA": 0.0618, "IG": 0.01})
    return Parametros(envios="x", comparar=top, costos={"WA": 0.0618, "IG": 0.01}, moneda="ARS")


def _esperada(datos: Dataset, informe: str, nombre: str, filtros: Filtros, p: Parametros) -> pd.DataFrame:
    entrada = Entrada(filter_envios(datos.envios, filtros), filtros, Fuente.de_datos(datos), p)
    return REGISTROS[informe].calcular(entrada, [nombre])[nombre]


def _comparar(motor, datos: Dataset, filtros: Filtros, tablas=TABLAS) -> None:
    p = _parametros(datos)
    for informe, nombre in tablas:
        if nombre == "ab" and not p.comparar:
            continue  # the table exists only with comparar (two loaded campaigns)
        got = calcular(motor, informe, [nombre], filtros, p)[nombre]
        expected = _esperada(datos, informe, nombre, filtros, p)
        try:
            pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9, atol=1e-12)
        except AssertionError as err:
            raise AssertionError(f"{informe}.{nombre} with {filtros}: {err}") from err


def test_every_table_has_an_sql_definition():
    for informe in ("resumen", "detallado"):
        assert set(CONSULTAS[informe]) == set(REGISTROS[informe].funciones)


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return load_data(str(DEMO / "envios_*.csv"), str(DEMO / "eventos.xlsx"))


@pytest.fixture(scope="module")
def fixture_data() -> Dataset:
    return load_data(str(FIXTURE / "envios_fixture.csv"), str(FIXTURE / "eventos_fixture.json"))


FILTROS = [
    Filtros(),
    Filtros(canales=["WA"]),
    Filtros(fecha_desde="2026-09-01", fecha_hasta="2026-09-30"),
    Filtros(campanas=["no existe"]),
    Filtros(origenes=["plantilla_individual"]),
]


@pytest.fixture(scope="module")
def duck_demo(demo):
    return registrar_datos(DuckDB(hilos=2), demo.envios, demo.eventos)


@pytest.fixture(scope="module")
def duck_fixture(fixture_data):
    return registrar_datos(DuckDB(hilos=2), fixture_data.envios, fixture_data.eventos)


@pytest.mark.parametrize("filtros", FILTROS, ids=["todo", "canal", "fechas", "nada", "individual"])
def test_duckdb_demo(duck_demo, demo, filtros):
    _comparar(duck_demo, demo, filtros)


@pytest.mark.parametrize("filtros", FILTROS, ids=["todo", "canal", "fechas", "nada", "individual"])
def test_duckdb_fixture(duck_fixture, fixture_data, filtros):
    _comparar(duck_fixture, fixture_data, filtros)


def _dataset(envios: pd.DataFrame) -> Dataset:
    return Dataset(envios, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())


def _sin_filas(envios: pd.DataFrame) -> pd.DataFrame:
    """No sends, with the categories a load of no rows would have (only the fixed codes)."""
    out = envios.iloc[0:0].copy()
    for column in ENVIOS:
        if isinstance(out[column.name].dtype, pd.CategoricalDtype) and column.codes is None:
            out[column.name] = out[column.name].cat.remove_unused_categories()
    return out


TINY = {
    "cero": lambda: _sin_filas(make_envios({})),
    "uno": lambda: make_envios(
        {"leido": "true", "respondido": "true", "fecha_respuesta": "2026-08-10 10:05"}
    ),
    "fallido": lambda: make_envios({"estado": "fallido", "codigo_error": "131026"}),
    "empates": lambda: make_envios(
        {"contacto_id": "1", "envio_id": "b", "asignada": "true", "origen": "plantilla_individual"},
        {"contacto_id": "1", "envio_id": "a", "leido": "false", "respondido": "false", "origen": "flujo"},
        {"contacto_id": "2", "fecha_lectura": "2026-08-10 09:00", "campana": "B", "canal": "IG"},
        {"contacto_id": "2", "estado": "pendiente", "campana": "B", "venta": "true"},
    ),
}


@pytest.mark.parametrize("caso", list(TINY))
def test_duckdb_tiny(caso):
    datos = _dataset(TINY[caso]())
    motor = registrar_datos(DuckDB(hilos=2), datos.envios)
    for filtros in (Filtros(), Filtros(fecha_desde="2026-08-10", fecha_hasta="2026-08-10")):
        _comparar(motor, datos, filtros)


@given(filtros=filtros_demo())
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_duckdb_any_selection(duck_demo, demo, filtros):
    _comparar(duck_demo, demo, filtros)


def test_spark(spark_motor, fixture_data):
    """Every table on Spark (the fixture data) with no filter, then periodo_anterior (local
    dates, a second filtered selection) with a date range and a channel."""
    registrar_datos(spark_motor, fixture_data.envios, fixture_data.eventos)
    _comparar(spark_motor, fixture_data, Filtros())
    rango = Filtros(fecha_desde="2026-08-10", fecha_hasta="2026-08-20", canales=["WA"])
    pocas = [("resumen", "periodo_anterior")]
    _comparar(spark_motor, fixture_data, rango, pocas)
