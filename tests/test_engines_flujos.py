"""The flujos tables on DuckDB and Spark equal the pandas engine's (issue 12, CONTRACT 3.3 and 5.3).

Every table of the flujos report (exported and section-only) on the demo data, the fixture
data and tiny data sets built to hit the event-order rules (ties in fecha broken by file
order, blank and repeated nodos, paths longer than 6 nodos, a nodo named like a
finalizacion, a last bot event without mensaje...), under several filters. Same columns,
order, dtypes and values. Spark runs the richest tiny data set only (each Spark query costs
one to a few seconds).
"""

from __future__ import annotations

import pandas as pd
import pytest
from _estrategias import filtros_demo
from conftest import DEMO, ROOT, make_envios, make_eventos
from hypothesis import HealthCheck, given, settings

from outbound_analysis.engines import CONSULTAS, DuckDB, calcular, registrar_datos
from outbound_analysis.engines.flujos import PERFIL
from outbound_analysis.filters import Filtros, filter_envios
from outbound_analysis.load import Dataset, load_data
from outbound_analysis.metrics import REGISTROS, Entrada, Fuente
from outbound_analysis.params import Parametros

FIXTURE = ROOT / "tests" / "data"
TABLAS = list(REGISTROS["flujos"].funciones)


def _parametros(datos: Dataset) -> Parametros:
    """The report's parameters: ``eventos`` set when the Dataset was loaded with an eventos file."""
    given = bool((datos.archivos["tabla"] == "eventos").any())
    return Parametros(envios="envios.csv", eventos="eventos.json" if given else "")


def _esperadas(datos: Dataset, filtros: Filtros, tablas: list[str]) -> dict[str, pd.DataFrame]:
    entrada = Entrada(
        filter_envios(datos.envios, filtros), filtros, Fuente.de_datos(datos), _parametros(datos)
    )
    return REGISTROS["flujos"].calcular(entrada, tablas)


def _comparar(motor, datos: Dataset, filtros: Filtros, tablas: list[str] = TABLAS) -> None:
    got = calcular(motor, "flujos", tablas, filtros, _parametros(datos))
    expected = _esperadas(datos, filtros, tablas)
    for nombre in tablas:
        try:
            pd.testing.assert_frame_equal(
                got[nombre], expected[nombre], check_exact=False, rtol=1e-9, atol=1e-12
            )
        except AssertionError as err:
            raise AssertionError(f"flujos.{nombre} with {filtros}: {err}") from err


def test_every_table_has_an_sql_definition():
    assert set(CONSULTAS["flujos"]) == set(TABLAS)
    assert {"recorridos", "abandono_por_nodo", "alcance_flujos"} <= set(TABLAS)


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return load_data(str(DEMO / "envios_*.csv"), str(DEMO / "eventos.xlsx"))


@pytest.fixture(scope="module")
def fixture_data() -> Dataset:
    return load_data(str(FIXTURE / "envios_fixture.csv"), str(FIXTURE / "eventos_fixture.json"))


FILTROS = {
    "todo": Filtros(),
    "canal": Filtros(canales=["WA"]),
    "fechas": Filtros(fecha_desde="2026-08-05", fecha_hasta="2026-09-30"),
    "nada": Filtros(campanas=["no existe"]),
    "individual": Filtros(origenes=["plantilla_individual"]),
    "flujo_un_dia": Filtros(origenes=["flujo"], fecha_desde="2026-08-05", fecha_hasta="2026-08-05"),
}


@pytest.fixture(scope="module")
def duck_demo(demo):
    return registrar_datos(DuckDB(hilos=2), demo.envios, demo.eventos)


@pytest.fixture(scope="module")
def duck_fixture(fixture_data):
    return registrar_datos(DuckDB(hilos=2), fixture_data.envios, fixture_data.eventos)


@pytest.mark.parametrize("filtros", FILTROS.values(), ids=FILTROS.keys())
def test_duckdb_demo(duck_demo, demo, filtros):
    _comparar(duck_demo, demo, filtros)


@pytest.mark.parametrize("filtros", FILTROS.values(), ids=FILTROS.keys())
def test_duckdb_fixture(duck_fixture, fixture_data, filtros):
    _comparar(duck_fixture, fixture_data, filtros)


def test_demo_is_not_trivial(demo):
    """The comparisons above mean something: the demo has answered flows of every ending and paths."""
    t = _esperadas(demo, Filtros(), ["finalizacion", "recorridos", "abandono_por_nodo"])
    assert (t["finalizacion"]["conversaciones"] > 0).all()
    assert t["recorridos"]["paso"].max() >= 3
    assert t["abandono_por_nodo"]["abandonos"].sum() > 0


# --- tiny data sets ---------------------------------------------------------------------------


def _dataset(envios: pd.DataFrame, eventos: pd.DataFrame | None) -> Dataset:
    tablas = ["envios"] if eventos is None else ["envios", "eventos"]
    if eventos is None:
        eventos = make_eventos({"conversacion_id": "x", "fecha": "2026-08-10 10:00", "autor": "bot"}).iloc[
            0:0
        ]
    return Dataset(envios, eventos, pd.DataFrame({"tabla": tablas}), pd.DataFrame())


def _ev(conv: str, minuto: int, autor: str, **campos: str) -> dict:
    return {"conversacion_id": conv, "fecha": f"2026-08-10 10:{minuto:02d}", "autor": autor, **campos}


def _empates() -> Dataset:
    """Ties in fecha (file order decides), blank and repeated nodos, a path of 8 nodos, a nodo named
    like a finalizacion, a last bot event without mensaje, endings of every kind, a conversation
    without cliente, a send whose conversation has no events, two sends of one conversation."""
    envios = make_envios(
        {"origen": "flujo", "conversacion_id": "c1", "campana": "F1"},
        {"origen": "flujo", "conversacion_id": "c2", "campana": "F1"},
        {"origen": "flujo", "conversacion_id": "c3", "campana": "F2", "tipo_tipificacion": "fin_autogestion"},
        {"origen": "flujo", "conversacion_id": "c4", "campana": "F2"},
        {"origen": "flujo", "conversacion_id": "c4", "estado": "fallido", "asignada": "true"},
        {"origen": "flujo", "conversacion_id": "c5", "campana": "F1", "canal": "IG"},
        {"origen": "flujo", "conversacion_id": "c6", "campana": "F1"},
        {"origen": "flujo", "conversacion_id": "c9", "campana": "F1"},
        {"origen": "plantilla", "conversacion_id": "c7", "campana": "P"},
        {"origen": "flujo", "campana": "F1", "estado": "fallido"},
    )
    eventos = make_eventos(
        # c1: ties at minute 0 (file order: inicio then menu), an opcion by the bot first, a blank
        # nodo between repeats, the last bot event has no mensaje -> abandono, "(sin mensaje)"
        _ev("c1", 0, "bot", nodo="inicio", mensaje="Hola", opcion="no cuenta"),
        _ev("c1", 0, "bot", nodo="menu", mensaje="Elegí"),
        _ev("c1", 1, "cliente", nodo="menu", opcion="Ofertas", tipificacion="T1", etiqueta="E1"),
        _ev("c1", 2, "bot", nodo=" ", mensaje="ofertas"),
        _ev("c1", 3, "bot", nodo="menu", tipificacion="T2"),
        _ev("c1", 4, "bot", nodo="ofertas", tipificacion="T1", etiqueta="E2"),
        # c2: a path of 8 nodos (cut after 6), one nodo named "asignacion", explicit finalizacion
        # later overridden by a second explicit one (the last one wins)
        *[_ev("c2", i, "bot", nodo=f"n{i}", mensaje=f"m{i}") for i in range(3)],
        _ev("c2", 3, "cliente", nodo="asignacion", opcion="Asesor", finalizacion="asignacion"),
        *[_ev("c2", i, "bot", nodo=f"n{i}", mensaje=f"m{i}") for i in range(4, 8)],
        _ev("c2", 9, "bot", finalizacion="abandono", mensaje="chau"),
        # c3: no nodo at all; autogestion through the send's tipo
        _ev("c3", 5, "cliente", mensaje="baja", opcion="Baja"),
        _ev("c3", 5, "bot", mensaje="Listo"),
        # c4: a fallido send of the conversation is asignada -> asignacion; ties the other way round
        _ev("c4", 7, "cliente", opcion="B", nodo="menu"),
        _ev("c4", 7, "cliente", opcion="A", nodo="menu"),
        # c5: autogestion through an event's tipo; an agente event -> asignacion wins
        _ev("c5", 1, "bot", nodo="inicio", mensaje="Hola"),
        _ev("c5", 2, "cliente", tipo_tipificacion="seguimiento_autogestion", tipificacion="T3"),
        _ev("c5", 3, "agente", mensaje="Soy Ana"),
        # c6: events but no cliente: not answered
        _ev("c6", 1, "bot", nodo="inicio", mensaje="Hola"),
        # c7: answered, but its send is not a flow send
        _ev("c7", 1, "cliente", nodo="inicio", opcion="X"),
        # c8: answered, no send at all
        _ev("c8", 1, "cliente", nodo="inicio", opcion="Y"),
        # events listed out of order in the file: c1's earliest event last
        _ev("c1", 0, "cliente", nodo="previo", opcion="Primera", etiqueta="E3"),
    )
    return _dataset(envios, eventos)


TINY = {
    "cero": lambda: _dataset(make_envios({}).iloc[0:0], None),
    "sin_eventos": lambda: _dataset(make_envios({"origen": "flujo", "conversacion_id": "c1"}), None),
    "uno": lambda: _dataset(
        make_envios({"origen": "flujo", "conversacion_id": "c1"}),
        make_eventos(_ev("c1", 0, "bot", nodo="inicio", mensaje="Hola"), _ev("c1", 1, "cliente")),
    ),
    "empates": _empates,
}


@pytest.mark.parametrize("caso", list(TINY))
def test_duckdb_tiny(caso):
    datos = TINY[caso]()
    eventos = datos.eventos if (datos.archivos["tabla"] == "eventos").any() else None
    motor = registrar_datos(DuckDB(hilos=2), datos.envios, eventos)
    for filtros in (Filtros(), Filtros(canales=["WA"]), Filtros(campanas=["F1"])):
        _comparar(motor, datos, filtros)


def test_event_profile_is_materialized_once_per_data_set(fixture_data):
    """The event profile is computed on the first flujos query only (not for resumen), reused across
    filter changes, and computed again, from the new events, when the data are registered again."""
    motor = registrar_datos(DuckDB(hilos=2), fixture_data.envios, fixture_data.eventos)
    hechas: list[str] = []
    materializar = motor.materializar

    def contar(nombre: str, sql: str) -> None:
        hechas.append(nombre)
        materializar(nombre, sql)

    motor.materializar = contar  # type: ignore[method-assign]
    calcular(motor, "resumen", ["kpis"], Filtros())
    assert hechas == []
    for filtros in (Filtros(), Filtros(canales=["WA"]), Filtros(origenes=["flujo"])):
        _comparar(motor, fixture_data, filtros)
    assert hechas == list(PERFIL)
    otros = _empates()
    registrar_datos(motor, otros.envios, otros.eventos)
    _comparar(motor, otros, Filtros(campanas=["F1", "F2"]))
    assert hechas == list(PERFIL) * 2


def test_empates_is_not_trivial():
    """The tiny data set exercises what it says (on the pandas reference, so the SQL must match it)."""
    t = _esperadas(_empates(), Filtros(), ["primeras_opciones", "finalizacion", "recorridos"])
    assert t["primeras_opciones"]["opcion"].tolist() == ["(sin opción)", "Asesor", "B", "Baja", "Primera"]
    assert t["finalizacion"]["conversaciones"].tolist() == [2, 2, 1]
    assert t["recorridos"]["paso"].max() == 6


@given(filtros=filtros_demo())
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_duckdb_any_selection(duck_demo, demo, filtros):
    _comparar(duck_demo, demo, filtros)


# --- Spark --------------------------------------------------------------------------------------


def test_spark(spark_motor):
    """Every table on Spark, on the tiny data set of ties, with a filter (six queries: the tables
    that read the same counts share one per selection)."""
    datos = _empates()
    registrar_datos(spark_motor, datos.envios, datos.eventos)
    _comparar(spark_motor, datos, Filtros(campanas=["F1", "F2"]))
