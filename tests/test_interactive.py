"""The JupyterLab widgets, driven programmatically (no browser): same filters, same metrics."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

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
    tipos = {v: label for label, v in panel.selects["tipos_tipificacion"].options}
    assert tipos["fin_positivo"].startswith("Fin positivo (") and tipos["fin_autogestion"].startswith(
        "Fin autogestión ("
    )
    assert "Ctrl+clic" in panel.ayuda.value and "demás filtros" in panel.ayuda.value


def test_option_counts_follow_the_other_filters_and_keep_the_selection(fresh):
    env = fresh.datos.envios
    panel = ia.FilterPanel(fresh, debounce=0)
    ig_campaign = env.loc[env["canal"] == "IG", "campana"].value_counts().index[0]
    panel.selects["canales"].value = ("IG",)
    campaigns = {v: label for label, v in panel.selects["campanas"].options}
    # each campaign counts its IG sends; a campaign that never used IG reads (0)
    for campaign, label in campaigns.items():
        n = int(((env["canal"] == "IG") & (env["campana"] == campaign)).sum())
        assert label.endswith(f"({n:,})".replace(",", ".")), (campaign, label)
    assert any(label.endswith("(0)") for label in campaigns.values())
    # the channel list itself is not narrowed by its own selection, and keeps it
    channels = {v: label for label, v in panel.selects["canales"].options}
    assert channels["WA"] == f"WA ({(env['canal'] == 'WA').sum():,})".replace(",", ".")
    assert panel.selects["canales"].value == ("IG",)
    panel.selects["campanas"].value = (ig_campaign,)
    only = int(((env["canal"] == "IG") & (env["campana"] == ig_campaign)).sum())
    channels = {v: label for label, v in panel.selects["canales"].options}
    assert channels["IG"].endswith(f"({only:,})".replace(",", "."))
    assert panel.selects["canales"].value == ("IG",) and panel.selects["campanas"].value == (ig_campaign,)
    assert fresh.filtros == Filtros(canales=["IG"], campanas=[ig_campaign])


def test_option_counts_from_one_combined_count_equal_one_count_per_list(fresh):
    """The lists without a filter of their own are counted at once over combined codes; the
    counts are those of one count per list (what happens with too many combinations)."""
    env = fresh.datos.envios
    panel = ia.FilterPanel(fresh, debounce=0)
    campaign = env["campana"].value_counts().index[1]
    selections = [
        Filtros(),
        Filtros(canales=["WA"]),
        Filtros(canales=["WA", "IG"], campanas=[campaign]),
        Filtros(fecha_desde=env["fecha_envio"].min().date() + dt.timedelta(days=3), agentes=["Sofía"]),
    ]
    combined = [panel.option_counts(f) for f in selections]
    panel._conjunta = None
    assert [panel.option_counts(f) for f in selections] == combined
    walk = combined[1]  # under WA alone: the campaigns count their WA sends
    assert walk["campanas"][campaign] == int(((env["canal"] == "WA") & (env["campana"] == campaign)).sum())
    assert sum(walk["canales"].values()) == len(env)  # the channel list is not narrowed by itself


def test_relabelling_the_options_does_not_apply_the_filters_again(fresh, monkeypatch):
    applied: list[Filtros] = []
    real = fresh.aplicar
    monkeypatch.setattr(fresh, "aplicar", lambda f: applied.append(f) or real(f))
    panel = ia.FilterPanel(fresh, debounce=0)
    panel.selects["canales"].value = ("IG",)  # every other list gets new labels
    assert len(applied) == 1
    panel.clear()  # seven widgets back to empty: one recomputation
    assert len(applied) == 2 and applied[-1].is_empty()


def test_changing_a_widget_refreshes_tables_with_the_same_filter_object(fresh):
    panel = ia.FilterPanel(fresh, debounce=0)
    campaign = panel.selects["campanas"].options[0][1]
    panel.selects["campanas"].value = (campaign,)
    panel.selects["canales"].value = ("WA",)
    expected_filter = Filtros(campanas=[campaign], canales=["WA"])
    assert fresh.filtros == expected_filter
    assert_tables_equal(fresh.tablas, metrics.resumen(fresh.datos.envios, expected_filter))
    assert fresh.tablas["kpis"].iloc[0]["envios"] < len(fresh.datos.envios)


def test_date_lists_read_dd_mm_and_become_inclusive_local_dates(fresh):
    panel = ia.FilterPanel(fresh, debounce=0)
    first, last = panel._bounds
    labels = [label for label, _ in panel.desde.options]
    assert labels[0] == f"{first:%d/%m/%Y}" and labels[-1] == f"{last:%d/%m/%Y}"
    assert len(labels) == (last - first).days + 1  # every day, also those without sends
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


def test_contact_lookup_searches_as_you_type_and_follows_the_filters(fresh):
    env = fresh.datos.envios
    phone = str(env.loc[env["canal"] == "WA", "contacto_id"].iloc[0])
    part = phone[-6:]
    box, out = ia.contact_lookup(fresh, debounce=0).children
    assert box.continuous_update  # every keystroke, not only Enter
    assert "Escribí un número" in _html_of(out)
    box.value = part[:2]
    assert "desde 3 caracteres" in _html_of(out)
    box.value = part
    html = _html_of(out)
    expected = metrics.buscar_contacto(env, part)
    assert phone in html and len(expected) >= 1
    assert html.count("<tr>") == len(expected) + 1
    assert "Sin filtros: todos los envíos cargados." in html
    # a filter change in the panel redoes the search under the new filters, and says so
    panel = ia.FilterPanel(fresh, debounce=0)
    other = "IG"
    panel.selects["canales"].value = (other,)
    narrowed = metrics.buscar_contacto(env, part, Filtros(canales=[other]))
    html = _html_of(out)
    assert f"Canal: {other}" in html
    assert html.count("<tr>") == (len(narrowed) + 1 if len(narrowed) else 0)
    box.value = "000000000000"
    assert "No hay envíos" in _html_of(out) and f"Canal: {other}" in _html_of(out)


def test_contact_lookup_waits_for_the_user_to_stop_typing(fresh, monkeypatch):
    searched: list[str] = []
    monkeypatch.setattr(fresh, "buscar", lambda text: searched.append(text) or fresh.vista.buscar(text))
    box, _ = ia.contact_lookup(fresh, debounce=0.05).children

    async def typing():
        for n in range(3, 8):
            box.value = "5491155"[:n]
        assert searched == []
        await asyncio.sleep(0.2)

    asyncio.run(typing())
    assert searched == ["5491155"]


def test_the_header_follows_the_panel(fresh):
    out = ia.header(fresh)
    assert "Sin filtros" in _html_of(out)
    panel = ia.FilterPanel(fresh, debounce=0)
    panel.selects["canales"].value = ("IG",)
    html = _html_of(out)
    assert "Filtros activos: Canal: IG" in html and "Sin filtros" not in html
    ig = int((fresh.datos.envios["canal"] == "IG").sum())
    assert f"Envíos que pasan los filtros: {ig:,}".replace(",", ".") in html


def test_the_header_says_which_parameters_and_files_the_report_used():
    inf = _informe("resumen", formatos=["csv", "xlsx"], columnas={"ID envío": "envio_id"}, canales=["WA"])
    html = "".join(p for p in inf.partes_encabezado() if isinstance(p, str))
    assert f"<code>envios</code>: {DEMO / 'envios_*.csv'}" in html
    assert "<code>eventos</code>" in html and "(este informe no lee eventos)" in html
    assert "<code>formatos</code>: csv, xlsx" in html and "<code>columnas</code>: ID envío: envio_id" in html
    assert "<code>anonimizar</code>: no" in html and "<code>zona_horaria</code>" in html
    assert "<code>canales</code>" not in html and "Filtros activos: Canal: WA" in html  # filters: in words
    assert "envios_2026-08.csv" in html  # the table of files read


def test_export_button_writes_under_exportaciones_and_links_each_file(tmp_path):
    inf = _informe("detallado", base=tmp_path).with_filtros(canales=["IG"])
    top, links = ia.export_button(inf).children
    button, message = top.children
    button.click()
    folders = list((tmp_path / "exportaciones").iterdir())
    assert len(folders) == 1 and re.fullmatch(r"detallado_\d{4}-\d{2}-\d{2}_\d{4}", folders[0].name)
    envios = pd.read_csv(folders[0] / "envios.csv")
    assert set(envios["canal"]) == {"IG"}
    assert (folders[0] / "detallado.xlsx").is_file() and (folders[0] / "detallado.json").is_file()
    assert f"exportaciones/{folders[0].name}/" in message.value and button.description == "Exportar"
    html = _html_of(links)
    hrefs = re.findall(r'<a href="([^"]+)" download=', html)
    files = sorted(p.name for p in folders[0].iterdir())
    assert sorted(h.rsplit("/", 1)[1] for h in hrefs) == files
    assert all(h.startswith(f"exportaciones/{folders[0].name}/") for h in hrefs)  # from the notebook's folder
    assert hrefs[0].endswith(".xlsx") and "Canal: IG" in html
    button.click()  # same minute: a second folder, the first one kept
    assert len(list((tmp_path / "exportaciones").iterdir())) == 2


def test_export_dir_never_reuses_a_folder(tmp_path):
    inf = _informe("resumen", base=tmp_path)
    now = dt.datetime(2026, 11, 25, 16, 5)
    first = ia.export_dir(inf, now)
    assert first == tmp_path / "exportaciones" / "resumen_2026-11-25_1605"
    first.mkdir(parents=True)
    assert ia.export_dir(inf, now).name == "resumen_2026-11-25_1605-2"


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
    monkeypatch.setattr(cli.os, "execve", lambda path, cmd, env: calls.append((cmd, env)))
    assert cli.main(["lab", "--no-browser"]) == 0
    cmd, env = calls[0]
    assert cmd[1:3] == ["-m", "jupyterlab"]
    assert f"--notebook-dir={tmp_path / 'trabajo'}" in cmd and "--no-browser" in cmd
    assert sorted(p.name for p in (tmp_path / "trabajo").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb")
    )
    assert env["JUPYTER_PATH"].split(":")[0].endswith("share/jupyter")


def test_a_filter_change_counts_the_selection_without_copying_it(fresh):
    """The status line counts the selected sends; taking their frame (22 columns of up to a
    million rows) only to count it made every change of the panel slower."""
    panel = ia.FilterPanel(fresh, debounce=0)
    panel.selects["canales"].value = ("WA",)
    expected = int((fresh.datos.envios["canal"] == "WA").sum())
    assert fresh.cantidad == expected
    assert f"Envíos que pasan: {expected:,}".replace(",", ".") in panel.estado.value
    assert fresh.vista.entrada.__dict__.get("_envios") is None  # never taken


def test_showing_a_figure_does_not_import_nbformat() -> None:
    """A shell displays a figure from its bundle: plotly.io.show's nbformat check (1.6 s of a
    kernel's first chart) is never reached, and the bundle is the renderer's."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "shown = []\n"
        "shell.display_pub.publish = lambda data, metadata=None, **kw: shown.append(data)\n"
        "import plotly.graph_objects as go\n"
        "from outbound_analysis import _display, _plotly_setup\n"
        "_plotly_setup.use_renderer(interactivo=False)\n"
        "_display.show(['<p>hola</p>', go.Figure(go.Bar(x=[1], y=[2]))])\n"
        "assert 'nbformat' not in sys.modules, 'nbformat imported'\n"
        "assert 'text/html' in shown[0]\n"
        "assert 'application/vnd.plotly.v1+json' in shown[-1] and 'text/html' in shown[-1]\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_the_report_does_not_depend_on_the_widgets_module():
    """Issue 10.8: the panel receives the report, never the other way round at import time."""
    code = (
        "import sys, outbound_analysis, outbound_analysis.report, outbound_analysis.runner; "
        "print(sorted(m for m in ('ipywidgets', 'outbound_analysis.interactive') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"  # headless runs never import the widgets
    tree = ast.parse(Path(ia.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "") + "." + a.name if isinstance(node, ast.ImportFrom) else a.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for a in node.names
    }
    assert not [m for m in imported if "report" in m.split(".")], imported


def test_a_new_report_of_the_same_name_lets_the_old_one_and_its_data_go(resumen):
    """Re-running the notebook's ``Informe(...)`` cell must not keep the previous report in memory."""
    import gc
    import weakref

    old = resumen.with_filtros()
    panel = ia.FilterPanel(old, debounce=0)
    panel.preparando.join()
    shown_panel = weakref.ref(panel.widget())  # what panel.show() displays: its boxes too
    made = (ia.header(old), ia.contact_lookup(old, debounce=0), ia.export_button(old), ia.salida(old))
    shown = [weakref.ref(w) for w in made]  # a section's output too (informe.mostrar draws into one)
    del made
    gone = weakref.ref(old)
    del old, panel
    new = resumen.with_filtros()
    ia.FilterPanel(new, debounce=0)
    gc.collect()
    assert gone() is None, [type(r).__name__ for r in gc.get_referrers(gone())][:10]
    assert all(w() is None for w in [*shown, shown_panel])  # the old widgets were closed and let go
    assert ia.header(new).comm is not None  # the new report's widgets live on
