"""The JupyterLab widgets, driven programmatically (no browser): same filters, same metrics."""

from __future__ import annotations

import asyncio

import pandas as pd
import pytest
from conftest import DEMO, ROOT

from outbound_analysis import Filtros, Informe, _display, metrics
from outbound_analysis import interactive as ia


def _informe(nombre: str, **extra) -> Informe:
    return Informe(nombre, envios=str(DEMO / "envios_*.csv"), eventos=str(DEMO / "eventos.xlsx"), **extra)


@pytest.fixture(scope="module")
def resumen() -> Informe:
    return _informe("resumen")


@pytest.fixture
def fresh(resumen):
    """A report with its own filters and section list over the already loaded data."""
    return resumen.with_filtros()


def assert_tables_equal(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], obj=name)


def test_options_come_from_the_data_with_counts(fresh):
    panel = ia.FilterPanel(fresh, debounce=0)
    counts = fresh.datos.envios["canal"].astype("string").value_counts()
    options = dict((v, label) for label, v in panel.selects["canales"].options)
    assert set(options) == set(counts.index)
    assert options["WA"] == f"WA ({counts['WA']:,})".replace(",", ".")
    origen_labels = [label for label, _ in panel.selects["origenes"].options]
    assert any(label.startswith("Plantilla individual (") for label in origen_labels)


def test_changing_a_widget_refreshes_tables_with_the_same_filter_object(fresh):
    panel = ia.FilterPanel(fresh, debounce=0)
    campaign = panel.selects["campanas"].options[0][1]
    panel.selects["campanas"].value = (campaign,)
    panel.selects["canales"].value = ("WA",)
    expected_filter = Filtros(campanas=[campaign], canales=["WA"])
    assert fresh.filtros == expected_filter
    assert_tables_equal(fresh.tablas, metrics.resumen(fresh.datos.envios, expected_filter))
    assert fresh.tablas["kpis"].iloc[0]["envios"] < len(fresh.datos.envios)


def test_date_pickers_become_inclusive_local_dates(fresh):
    panel = ia.FilterPanel(fresh, debounce=0)
    first, last = panel._bounds
    assert panel.filtros().fecha_desde is None  # the data's own bounds mean "no limit"
    panel.desde.value = pd.Timestamp("2026-09-01").date()
    panel.hasta.value = pd.Timestamp("2026-09-30").date()
    f = Filtros(fecha_desde="2026-09-01", fecha_hasta="2026-09-30")
    assert fresh.filtros == f
    assert fresh.tablas["kpis"].iloc[0]["envios"] == metrics.kpis(fresh.datos.envios, f).iloc[0]["envios"]
    panel.clear()
    assert fresh.filtros.is_empty()
    assert (panel.desde.value, panel.hasta.value) == (first, last)


def test_flujos_panel_uses_the_flujos_metrics(resumen):
    flujos = _informe("flujos")
    panel = ia.FilterPanel(flujos, debounce=0)
    flows = sorted(metrics.campanas_en_alcance(flujos.datos.envios))
    panel.selects["campanas"].value = (flows[0],)
    expected = metrics.flujos(flujos.datos.envios, flujos.datos.eventos, Filtros(campanas=[flows[0]]))
    assert_tables_equal(flujos.tablas, expected)


def _html_of(out) -> str:
    return "".join(b["data"].get("text/html", "") for b in out.outputs)


def test_sections_are_redrawn_and_the_empty_state_is_not_an_error(fresh):
    import ipywidgets as widgets

    kpis, funnel = widgets.Output(), widgets.Output()
    fresh._outputs = [("kpis", kpis), ("embudo", funnel)]
    panel = ia.FilterPanel(fresh, debounce=0)
    panel.selects["canales"].value = ("IG",)
    ig = metrics.kpis(fresh.datos.envios, Filtros(canales=["IG"])).iloc[0]
    # the widgets' own outputs changed (no `with out:` capture, which callbacks lose)
    assert f">{ig['envios']:,}<".replace(",", ".") in _html_of(kpis)
    assert any("application/vnd.plotly.v1+json" in b["data"] for b in funnel.outputs)
    # a combination nobody matches: empty state in every section, warning in the status line
    panel.selects["origenes"].value = ("webhook",)
    assert "No hay envíos que cumplan los filtros" in _html_of(kpis)
    assert "No hay envíos que cumplan los filtros" in _html_of(funnel)
    assert "Ningún envío cumple los filtros" in panel.estado.value
    assert "Canal: IG" in panel.estado.value and "Origen: webhook" in panel.estado.value


def test_changes_are_debounced_inside_an_event_loop(fresh, monkeypatch):
    applied: list[Filtros] = []
    monkeypatch.setattr(fresh, "aplicar", lambda f: applied.append(f))
    panel = ia.FilterPanel(fresh, debounce=0.05)

    async def burst():
        for value in (("WA",), ("IG",), ("WA", "IG")):
            panel.selects["canales"].value = value
        assert applied == []  # nothing recomputed while the user is still clicking
        await asyncio.sleep(0.2)

    asyncio.run(burst())
    assert len(applied) == 1 and set(applied[0].canales) == {"WA", "IG"}


def test_contact_lookup_finds_partial_phone_numbers(fresh):
    phone = str(fresh.datos.envios.loc[fresh.datos.envios["canal"] == "WA", "contacto_id"].iloc[0])
    part = phone[-6:]
    box, out = ia.contact_lookup(fresh).children
    assert "Escribí un número" in _html_of(out)
    box.value = part
    html = _html_of(out)
    expected = metrics.buscar_contacto(fresh.datos.envios, part)
    assert phone in html and len(expected) >= 1
    assert html.count("<tr>") == len(expected) + 1
    box.value = "000000000000"
    assert "No hay envíos" in _html_of(out)


def test_export_button_writes_the_filtered_tables_and_says_where(tmp_path):
    (tmp_path / "outputs").mkdir()
    inf = _informe("detallado", base=tmp_path).with_filtros(canales=["IG"])
    widget = ia.export_button(inf)
    button, message = widget.children
    button.click()
    folders = list((tmp_path / "outputs" / "interactivo").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("detallado-")
    envios = pd.read_csv(folders[0] / "envios.csv")
    assert set(envios["canal"]) == {"IG"}
    assert (folders[0] / "detallado.xlsx").is_file() and (folders[0] / "detallado.json").is_file()
    assert str(folders[0]) in message.value and "Canal: IG" in message.value


def test_headless_reports_never_create_widgets(monkeypatch):
    inf = _informe("resumen", interactivo=True)  # no kernel here: stays headless
    assert inf.interactivo is False
    shown: list = []
    monkeypatch.setattr(_display, "show", lambda parts: shown.extend(parts))
    inf.panel()
    inf.mostrar("kpis")
    assert shown and all(isinstance(p, str) or hasattr(p, "to_plotly_json") for p in shown)
    assert not inf._outputs


def test_lab_command_points_jupyterlab_at_the_working_copies(monkeypatch, tmp_path):
    from outbound_analysis import cli

    calls = []
    monkeypatch.setenv("OUTBOUND_ANALYSIS_TRABAJO", str(tmp_path / "trabajo"))
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, env: calls.append((cmd, env)) or 0)
    assert cli.main(["lab", "--no-browser"]) == 0
    cmd, env = calls[0]
    assert cmd[1:3] == ["-m", "jupyterlab"]
    assert f"--notebook-dir={tmp_path / 'trabajo'}" in cmd and "--no-browser" in cmd
    assert sorted(p.name for p in (tmp_path / "trabajo").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb")
    )
    assert env["JUPYTER_PATH"].split(":")[0].endswith("share/jupyter")
