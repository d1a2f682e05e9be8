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

from outbound_analysis import Filtros, cli, engines, sections
from outbound_analysis.errors import EngineMemoryError, OutboundError, ParamsError
from outbound_analysis.load import leer_almacen, load_data
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


def test_duckdb_memory_comes_from_the_environment_and_a_bad_value_stops_the_run(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("OUTBOUND_ANALYSIS_DUCKDB_MEMORIA", "1GB")
    limit = engines.DuckDB().con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.endswith("MiB") and 900 < float(limit.split()[0]) < 1000
    monkeypatch.setenv("OUTBOUND_ANALYSIS_DUCKDB_MEMORIA", "mucha")
    params = tmp_path / "p.yaml"
    params.write_text(f"envios: {DEMO / 'envios_*.csv'}\nmotor: duckdb\n", encoding="utf-8")
    code = cli.main(["run", "resumen", "--params", str(params), "--output", str(tmp_path / "out")])
    said = "".join(capsys.readouterr())
    assert code == 2 and "OUTBOUND_ANALYSIS_DUCKDB_MEMORIA='mucha' no es un tamaño de memoria" in said
    assert not (tmp_path / "out" / "resumen").exists()


def test_a_streamed_result_uses_two_thirds_of_duckdbs_memory_and_gives_the_rest_back():
    # the rest is for the chunks in Python and the writers: at 30 million sends, 4.2 -> 3.2 GB peak
    motor = engines.DuckDB(memoria="300MB")

    def limite() -> int:  # from a cursor: the connection is busy while the chunks are read
        shown = motor.con.cursor().execute("SELECT current_setting('memory_limit')").fetchone()[0]
        return engines.tamano_en_bytes(shown)

    whole = limite()
    during = [limite() for _ in motor.consulta_lotes("SELECT * FROM range(10) t(x)", filas=4)]
    assert len(during) == 3 and all(abs(n - whole * 2 / 3) < 2**20 for n in during)
    assert limite() == whole
    chunks = motor.consulta_lotes("SELECT * FROM range(10) t(x)", filas=4)
    next(chunks)
    chunks.close()  # an export stopped half way gives the memory back too
    assert limite() == whole


def test_duckdb_out_of_memory_is_a_spanish_error_that_says_how_to_go_on():
    """A query past DuckDB's limit that cannot spill (quantiles hold their values) gets a Spanish
    error naming the limit and the variable that raises it, whole or in chunks."""
    motor = engines.DuckDB(memoria="20MB", hilos=1)
    sql = "SELECT quantile_cont(x, 0.5) AS q FROM range(20000000) t(x)"
    for run in (lambda: motor.consulta(sql), lambda: list(motor.consulta_lotes(sql))):
        with pytest.raises(EngineMemoryError) as raised:
            run()
        said = str(raised.value)
        assert said.startswith("DuckDB se quedó sin memoria: su límite es 20MB")
        assert "OUTBOUND_ANALYSIS_DUCKDB_MEMORIA" in said and "fecha_desde" in said
        assert isinstance(raised.value, OutboundError)  # the CLI prints it without a traceback
    assert motor.consulta("SELECT 1 AS uno")["uno"].tolist() == [1]  # the engine still works


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
def test_a_run_on_duckdb_over_a_store_exports_the_same_files(tmp_path, fixture_reports):
    """The fixture imported into a store, Detallado (the most exports) run by DuckDB over it:
    every table file equals, byte for byte, the pandas run over the CSV/JSON files."""
    data = ROOT / "tests" / "data"
    store = tmp_path / "almacen"
    args = ["importar", "--envios", str(data / "envios_fixture.csv")]
    assert cli.main([*args, "--eventos", str(data / "eventos_fixture.json"), "--", str(store)]) == 0
    params = tmp_path / "duckdb.yaml"
    params.write_text(f"envios: {store}\nformatos: [csv, json]\nmotor: duckdb\n", encoding="utf-8")
    out = tmp_path / "salida"
    assert cli.main(["run", "detallado", "--params", str(params), "--output", str(out)]) == 0
    compared = 0
    for ours in sorted((out / "detallado").glob("*.csv")) + sorted((out / "detallado").glob("*.json")):
        if ours.stem in ("carga", "rechazos"):  # the load report names the store's import
            continue
        reference = fixture_reports / ours.relative_to(out)
        assert reference.is_file(), f"{ours.relative_to(out)} is not in the pandas run"
        assert filecmp.cmp(ours, reference, shallow=False), f"{ours.relative_to(out)} differs from pandas"
        compared += 1
    assert compared >= 12


# --------------------------------------------------------------------------- a store, out of core

#: header tables that differ by design over a store: the store's load report is typed
#: (the loader's is text) and the parameters name the store
HEADER_BY_DESIGN = {"parametros", "archivos"}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("almacen") / "demo"
    assert (
        cli.main(
            [
                "importar",
                "--envios",
                str(DEMO / "envios_*.csv"),
                "--eventos",
                str(DEMO / "eventos.xlsx"),
                "--",
                str(store),
            ]
        )
        == 0
    )
    return store


def _same_report(nombre: str, store: Path, motor: str, tablas: list[str] | None = None) -> None:
    from outbound_analysis import Informe

    kw = {"canales": ["WA"], "fecha_desde": "2026-09-01"}
    files = Informe(nombre, envios=str(DEMO / "envios_*.csv"), eventos=str(DEMO / "eventos.xlsx"), **kw)
    sql = Informe(nombre, envios=str(store), motor=motor, **kw)
    assert sql.datos.sin_filas and len(sql.datos.envios) == 0  # nothing loaded into memory
    for name in tablas or [*files.vista.tablas, *files.vista.apoyo]:
        if name in HEADER_BY_DESIGN:
            continue
        got = (sql.vista.tablas if name in sql.vista.tablas else sql.vista.apoyo)[name]
        expected = (files.vista.tablas if name in files.vista.tablas else files.vista.apoyo)[name]
        pd.testing.assert_frame_equal(got, expected, obj=f"{nombre}.{name}")
    if tablas is None:
        for seccion in sections.SECCIONES[nombre]:  # what the reader sees is the same too
            assert _visible(sql.vista.partes(seccion)) == _visible(files.vista.partes(seccion)), seccion


def _visible(parts: list) -> list[object]:
    """HTML as is; a figure by its title and traces (values: the tables above compare them)."""
    return [
        p if isinstance(p, str) else (p.layout.title.text, [(t.type, t.name) for t in p.data]) for p in parts
    ]


@pytest.mark.parametrize("nombre", ["resumen", "detallado", "flujos"])
def test_duckdb_over_a_store_loads_no_row_and_has_the_tables_of_the_files(demo_store, nombre):
    _same_report(nombre, demo_store, "duckdb")


def test_spark_over_a_store_has_the_tables_of_the_files(demo_store, spark_motor):
    # a few tables that read every kind of stored column (local times, flags, events by file order);
    # every table on Spark: tests/test_engines_*.py
    _same_report("resumen", demo_store, "spark", ["seleccion", "kpis", "horarios", "periodo_anterior"])
    _same_report("flujos", demo_store, "spark", ["resultados"])


def test_a_value_missing_from_the_store_is_warned_without_loading_it(demo_store):
    vista = Vista.de_datos(
        "resumen", load_data(str(demo_store)), Filtros(campanas=["No existe"]), motor="duckdb"
    )
    assert vista.datos.almacen == demo_store
    assert vista.etiquetas.sin_coincidencia == (
        "Campaña: «No existe» no aparece en los datos cargados (3.000 envíos).",
    )


def test_the_panel_says_why_it_is_missing_over_a_store(demo_store, monkeypatch):
    from outbound_analysis import Informe, _display

    monkeypatch.setattr(_display, "in_kernel", lambda: True)
    shown = []
    monkeypatch.setattr(_display, "show", lambda parts: shown.extend(parts))
    informe = Informe("resumen", envios=str(demo_store), motor="duckdb", interactivo=True)
    assert not informe.interactivo
    informe.panel()
    assert any("el panel de filtros no está disponible" in str(p) for p in shown)


def test_the_detail_section_on_duckdb_reads_only_the_rows_it_shows(demo_store):
    """Over 2,000 sends: the same first rows and the same "de 3.000 filas" note as pandas,
    from a frame of 2,000 rows (the whole detail is never queried for the section)."""
    from outbound_analysis import Informe, exports

    files = Informe("detallado", envios=str(DEMO / "envios_*.csv"), eventos=str(DEMO / "eventos.xlsx"))
    sql = Informe("detallado", envios=str(demo_store), motor="duckdb")
    shown = sql.vista.partes("envios")
    assert shown == files.vista.partes("envios")
    assert f"de {len(files.vista.tablas['envios']):,} filas".replace(",", ".") in shown[0]
    assert len(sql.vista._envios_primeros) == 2000
    assert "envios" in sql.vista.tablas and isinstance(sql.vista.exportables()["envios"], exports.Lotes)
    assert "envios" not in sql.vista.tablas._hechas  # asking for it and exporting it computed nothing


@pytest.mark.parametrize("nombre", ["resumen", "detallado", "flujos"])
def test_a_view_runs_each_query_once_however_many_tables_read_it(demo_store, nombre):
    # flujos' per-conversation counts feed three tables, resumen's kpis four: at 30 million sends
    # each repeat was 6-12 s of DuckDB
    vista = Vista.de_datos(
        nombre, leer_almacen(demo_store, filas=False), Filtros(fecha_desde="2026-01-10"), motor="duckdb"
    )
    run: list[str] = []
    consulta = vista.sql.consulta
    vista.sql.consulta = lambda sql, *a, **k: run.append(sql) or consulta(sql, *a, **k)  # type: ignore[method-assign]
    try:
        _every_table(vista)
    finally:
        del vista.sql.consulta
    assert len(run) > 5 and len(run) == len(set(run))


def test_the_per_send_detail_streams_in_chunks_equal_to_the_whole_table(demo_store):
    vista = Vista.de_datos("detallado", leer_almacen(demo_store, filas=False), Filtros(), motor="duckdb")
    ctx = engines.Contexto(vista.sql, vista.filtros, vista.parametros).preparar()
    molde, chunks = engines.envios_por_lotes(ctx, filas=500)
    chunks = list(chunks)
    assert len(chunks) > 1 and max(len(c) for c in chunks) <= 2048  # never the whole table at once
    whole = vista.tablas["envios"]
    assert molde.empty and molde.dtypes.to_dict() == whole.dtypes.to_dict()
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


def test_an_export_on_duckdb_writes_the_detail_chunk_by_chunk_and_the_same_files(
    demo_store, tmp_path, monkeypatch
):
    from outbound_analysis import Informe, exports

    monkeypatch.setenv("OUTBOUND_ANALYSIS_MAX_FILAS", "1000")  # parts: envios_parte1..3
    kw = {"canales": ["WA"], "formatos": ["csv", "json"]}
    files = Informe("detallado", envios=str(DEMO / "envios_*.csv"), **kw)
    sql = Informe("detallado", envios=str(demo_store), motor="duckdb", **kw)
    assert isinstance(sql.vista.exportables()["envios"], exports.Lotes)
    files.escribir(tmp_path / "pandas")
    sql.escribir(tmp_path / "duckdb")
    parts = sorted(p.name for p in (tmp_path / "duckdb").glob("envios_parte*"))
    assert parts == sorted(p.name for p in (tmp_path / "pandas").glob("envios_parte*")) and len(parts) >= 4
    for name in [*parts, "detallado.csv", "segmentos.csv", "tiempos.json"]:
        assert filecmp.cmp(tmp_path / "duckdb" / name, tmp_path / "pandas" / name, shallow=False), name
