"""The Parquet store of ``outbound-analysis importar``: the loader's data, appends, atomicity, pruning."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from outbound_analysis import metrics
from outbound_analysis.cli import main
from outbound_analysis.errors import DataError
from outbound_analysis.filters import Filtros
from outbound_analysis.load import _importar, _store, es_almacen, importar, leer_almacen, load_data
from outbound_analysis.params import read_params
from outbound_analysis.view import Vista

ROOT = Path(__file__).resolve().parent.parent
DEMO_ENVIOS = sorted(str(p) for p in (ROOT / "data" / "demo").glob("envios_*.csv"))
DEMO_EVENTOS = str(ROOT / "data" / "demo" / "eventos.xlsx")
FIX_ENVIOS = str(ROOT / "tests" / "data" / "envios_fixture.csv")
FIX_EVENTOS = str(ROOT / "tests" / "data" / "eventos_fixture.json")


def assert_same_data(a, b) -> None:
    """Every column, dtype (categories included), row order, load report and rejects."""
    pd.testing.assert_frame_equal(a.envios, b.envios)
    pd.testing.assert_frame_equal(a.eventos, b.eventos)
    pd.testing.assert_frame_equal(a.archivos, b.archivos)
    # the loader's rejects may mix object and string columns (after a concat): compare as strings
    pd.testing.assert_frame_equal(_as_strings(a.rechazos), _as_strings(b.rechazos))
    assert a.zona_horaria == b.zona_horaria


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({c: "string" for c in frame.columns if c != "fila"})


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.astype({c: "string" for c in cats})


def assert_same_tables(a, b, filtros: Filtros | None = None) -> None:
    for informe in ("resumen", "detallado", "flujos"):
        ta = metrics.compute(informe, a.envios, a.eventos, filtros)
        tb = metrics.compute(informe, b.envios, b.eventos, filtros)
        assert ta.keys() == tb.keys()
        for name in ta:
            pd.testing.assert_frame_equal(ta[name], tb[name], obj=f"{informe}.{name}")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("almacen") / "demo"
    importar(root, DEMO_ENVIOS, DEMO_EVENTOS)
    return root


@pytest.fixture(scope="module")
def demo_loaded():
    return load_data(DEMO_ENVIOS, DEMO_EVENTOS)


def test_demo_reads_back_as_the_loader(demo_store, demo_loaded):
    assert es_almacen(demo_store) and not es_almacen(ROOT / "docs")
    stored = leer_almacen(demo_store)
    assert_same_data(stored, demo_loaded)
    assert stored.resumen_carga() == demo_loaded.resumen_carga()
    assert_same_tables(stored, demo_loaded)
    assert_same_tables(stored, demo_loaded, Filtros(canales=["WA"], fecha_desde="2026-09-10"))
    # load_data takes the folder as envios (and its eventos)
    assert_same_data(load_data(str(demo_store)), demo_loaded)
    layout = sorted(p.relative_to(demo_store).as_posix() for p in demo_store.rglob("*.parquet"))
    assert "v0001/envios/mes=2026-08/part-0001.parquet" in layout
    assert "v0001/eventos/mes=2026-11/part-0001.parquet" in layout


def test_fixtures_with_rejects_and_duplicates(tmp_path):
    importar(tmp_path / "a", FIX_ENVIOS, FIX_EVENTOS)
    loaded = load_data(FIX_ENVIOS, FIX_EVENTOS)
    assert len(loaded.rechazos) and loaded.totales()["duplicadas"]  # the fixture exercises both
    stored = leer_almacen(tmp_path / "a")
    assert_same_data(stored, loaded)
    assert_same_tables(stored, loaded)
    # the timestamps are stored as UTC instants; the orden column keeps the file order
    import pyarrow.parquet as pq

    files = _store.archivos_almacen(tmp_path / "a", "eventos")
    table = pq.read_table(files[0])
    assert str(table.schema.field("fecha").type) == "timestamp[us, tz=UTC]"
    assert table.column("orden").to_pylist() == sorted(table.column("orden").to_pylist())


def _write_csv(path: Path, rows: list[dict]) -> str:
    pd.DataFrame(rows).to_csv(path, index=False)
    return str(path)


def _row(i: int, estado: str = "Enviado", fecha: str = "2026-08-10 10:00") -> dict:
    return {
        "envio_id": f"e{i}",
        "fecha_envio": fecha,
        "campana": "A",
        "origen": "plantilla",
        "canal": "WA",
        "contacto_id": f"c{i}",
        "estado": estado,
        "conversacion_id": f"k{i}",
    }


def test_append_later_import_wins_and_counts_duplicates(tmp_path):
    d1 = _write_csv(tmp_path / "d1.csv", [_row(1), _row(2, "Pendiente"), _row(3, fecha="2026-07-31 23:00")])
    # e2 updated (pendiente -> exitoso), e1 repeated as is, e3 moved to another month, e4 new
    d2 = _write_csv(tmp_path / "d2.csv", [_row(1), _row(2), _row(3, fecha="2026-09-02 09:00"), _row(4)])
    ev1 = _write_csv(
        tmp_path / "ev1.csv",
        [{"conversacion_id": "k3", "fecha": "2026-08-01 10:00", "autor": "bot", "nodo": "inicio"}],
    )
    store = tmp_path / "almacen"
    importar(store, d1, ev1)
    before = leer_almacen(store)
    r = importar(store, d2, ev1)  # the same events again: not doubled
    row = r.archivos.iloc[0]
    assert (row["leidas"], row["cargadas"], row["duplicadas"], row["reemplazadas"]) == (4, 1, 1, 2)
    assert r.archivos.iloc[1]["duplicadas"] == 1 and r.archivos.iloc[1]["cargadas"] == 0
    assert "ya guardado en el almacén (importación 1)" in " ".join(r.rechazos["motivo"])
    stored = leer_almacen(store)
    expected = load_data([d1, d2], ev1)
    pd.testing.assert_frame_equal(stored.envios, expected.envios)
    assert stored.envios.set_index("envio_id").loc["e2", "estado"] == "exitoso"
    pd.testing.assert_frame_equal(stored.eventos, expected.eventos)
    assert stored.totales()["cargadas"] == len(stored.envios) == 4
    assert r.envios_total == 4 and r.eventos_total == 1
    manifest = json.loads((store / "almacen.json").read_text())
    assert sorted(manifest["meses"]["envios"]) == ["2026-08", "2026-09"]  # e3 left July
    assert manifest["version"] == "v0002" and not (store / "v0001").exists()
    # the event followed its conversation's send to September; July is empty and gone
    assert sorted(manifest["meses"]["eventos"]) == ["2026-09"]
    assert len(before.envios) == 3


def test_crash_mid_import_keeps_the_previous_state(tmp_path, monkeypatch, demo_loaded):
    store = tmp_path / "almacen"
    importar(store, DEMO_ENVIOS[:2], FIX_EVENTOS)
    before = leer_almacen(store)
    real = _importar._write_parquet
    calls = []

    def flaky(table, path):
        calls.append(path)
        if len(calls) > 2:
            raise OSError("disco lleno (simulado)")
        real(table, path)

    monkeypatch.setattr(_importar, "_write_parquet", flaky)
    with pytest.raises(OSError, match="simulado"):
        importar(store, DEMO_ENVIOS[2:], FIX_EVENTOS)
    assert len(calls) == 3
    assert_same_data(leer_almacen(store), before)
    monkeypatch.setattr(_importar, "_write_parquet", real)
    importar(store, DEMO_ENVIOS[2:], FIX_EVENTOS)  # the next import cleans up and succeeds
    assert sorted(p.name for p in store.glob("v*")) == ["v0002"]
    after = leer_almacen(store)
    pd.testing.assert_frame_equal(after.envios, demo_loaded.envios)
    pd.testing.assert_frame_equal(after.eventos, before.eventos)  # the same events again: not doubled


def test_a_second_import_waits_for_the_lock(tmp_path):
    store = tmp_path / "almacen"
    importar(store, FIX_ENVIOS)
    with _importar._Lock(store), pytest.raises(DataError, match="Otra importación"):
        importar(store, FIX_ENVIOS)


def test_month_pruning_reads_fewer_files_and_keeps_the_tables(demo_store, demo_loaded, monkeypatch):
    read: list[str] = []
    real = _store.read_files

    def spy(files, columns=None):
        read.extend(Path(f).parent.name for f in files)
        return real(files, columns)

    monkeypatch.setattr(_store, "read_files", spy)
    filtros = Filtros(fecha_desde="2026-10-05", fecha_hasta="2026-10-20")
    pruned = leer_almacen(demo_store, filtros)
    # the selection and its previous period (2026-09-19..2026-10-04): September and October only
    assert sorted(read) == ["mes=2026-09", "mes=2026-09", "mes=2026-10", "mes=2026-10"]
    assert len(pruned.envios) < len(demo_loaded.envios)
    read.clear()
    leer_almacen(demo_store)
    assert len(read) == 8
    for nombre in ("resumen", "detallado", "flujos"):
        a = Vista.de_datos(nombre, pruned, filtros).tablas
        b = Vista.de_datos(nombre, demo_loaded, filtros).tablas
        assert a.keys() == b.keys()
        for name in b:  # pruned data has fewer categories (only the months read): compare values
            pd.testing.assert_frame_equal(_plain(a[name]), _plain(b[name]), obj=f"{nombre}.{name}")
    # only the columns asked
    slim = leer_almacen(demo_store, columnas=["envio_id", "fecha_envio", "conversacion_id", "nodo"])
    assert list(slim.envios.columns) == ["envio_id", "fecha_envio", "conversacion_id"]
    assert list(slim.eventos.columns) == ["conversacion_id", "nodo"]


def test_pruning_adds_an_earlier_month_to_date_the_first_send(demo_store):
    # previous period 2026-08-25..2026-08-31 starts after August's first send: August is read
    meses = _store.meses_necesarios(
        json.loads((demo_store / "almacen.json").read_text()),
        Filtros(fecha_desde="2026-09-01", fecha_hasta="2026-09-07"),
    )
    assert meses == ["2026-08", "2026-09"]
    manifest = json.loads((demo_store / "almacen.json").read_text())
    manifest["meses"]["envios"]["2026-09"]["desde"] = "2026-09-10T08:00:00-03:00"
    assert _store.meses_necesarios(manifest, Filtros(fecha_desde="2026-09-20", fecha_hasta="2026-09-30")) == [
        "2026-08",
        "2026-09",
        "2026-10",
    ]


def test_params_and_preflight_accept_a_store(demo_store, tmp_path):
    from outbound_analysis.runner import preflight

    params_file = tmp_path / "p.yaml"
    params_file.write_text(f"envios: {demo_store}\nfecha_desde: 2026-10-10\nfecha_hasta: 2026-10-20\n")
    params = read_params(params_file)
    preflight(params, ["resumen", "flujos"])
    datos = load_data(params.envios, params.eventos or None, filtros=params.filtros())
    assert len(datos.eventos) and set(datos.envios["fecha_envio"].dt.month) == {9, 10}
    assert load_data(params.envios, cargar_eventos=False).eventos.empty
    with pytest.raises(DataError, match="se indica solo"):
        load_data([str(demo_store), FIX_ENVIOS])


def test_cli_importar(tmp_path, capsys):
    dest = tmp_path / "almacen"
    assert main(["importar", "--envios", FIX_ENVIOS, "--eventos", FIX_EVENTOS, str(dest)]) == 0
    out = capsys.readouterr().out
    assert "envios · " in out and "13 leídas" in out and "1 rechazadas" in out and "1 duplicadas" in out
    assert "11 envíos y 14 eventos en total" in out
    assert main(["importar", "--envios", str(tmp_path / "nada.csv"), str(tmp_path / "b")]) == 2
    assert "No encontré el archivo de envios" in capsys.readouterr().err
    (tmp_path / "lleno").mkdir()
    (tmp_path / "lleno" / "algo.txt").write_text("x")
    assert main(["importar", "--envios", FIX_ENVIOS, str(tmp_path / "lleno")]) == 2
    assert "no está vacía y no es un almacén" in capsys.readouterr().err
    assert main(["importar", "--envios", FIX_ENVIOS]) == 2
    assert "DESTINO" in capsys.readouterr().err
    assert main(["importar", "--envios", FIX_ENVIOS, "--zona-horaria", "America/Lima", str(dest)]) == 2
    assert "usa la zona horaria America/Argentina/Buenos_Aires" in capsys.readouterr().err
    assert main(["importar", "--envios", FIX_ENVIOS, "--columnas", "sin-igual", str(dest)]) == 2
    assert "ENCABEZADO=COLUMNA" in capsys.readouterr().err


def test_appends_month_by_month_keep_the_event_total_and_the_loader_data(tmp_path, demo_loaded):
    """Each download appended alone (the November one overlaps October), then the events twice:
    the stored events are counted without reading them back, and the store is the loader's data."""
    store = tmp_path / "almacen"
    for path in DEMO_ENVIOS:
        importar(store, [path])
    first = importar(store, [DEMO_ENVIOS[-1]], DEMO_EVENTOS)
    again = importar(store, [DEMO_ENVIOS[-1]], DEMO_EVENTOS)  # every event already stored
    files = [store / _store.read_manifest(store)["version"] / p["archivo"] for p in _read_ev_parts(store)]
    distinct = pd.concat([pd.read_parquet(f, columns=["orden"]) for f in files])["orden"].nunique()
    assert first.eventos_total == again.eventos_total == distinct == len(demo_loaded.eventos)
    stored = leer_almacen(store)
    pd.testing.assert_frame_equal(stored.envios, demo_loaded.envios)
    pd.testing.assert_frame_equal(stored.eventos, demo_loaded.eventos)


def _read_ev_parts(store: Path) -> list[dict]:
    return list(_store.read_manifest(store)["meses"]["eventos"].values())
