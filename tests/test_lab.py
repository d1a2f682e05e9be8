"""JupyterLab as a workplace: working copies outside git, clean tracked notebooks, Lab's plotly renderer.

The browser test starts ``outbound-analysis lab`` (one server for the module), drives it with
Playwright and Debian's Chromium (``make test`` installs it), runs resumen and detallado,
changes a filter in the panel and checks the redrawn numbers against the metric functions,
types part of a phone in the contact lookup (no Enter), exports and finds the files in Lab's
file browser and through the download links.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import plotly.graph_objects as go
import pytest

from outbound_analysis import _plotly_setup, cli, metrics
from outbound_analysis._text import fmt_int
from outbound_analysis.report import Informe
from outbound_analysis.runner import notebooks_dir

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOTLY_JS_HEADER = "* plotly.js v"  # first lines of the 4.8 MB library
SLOW = 180_000  # ms: starting a kernel and running a notebook on a busy 2-core machine
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on screen
CHANNEL = "IG"  # a channel of the demo data with fewer sends and one campaign


# ---------------------------------------------------------------- renderer (no browser)


@pytest.fixture
def renderer():
    yield
    _plotly_setup.use_renderer(interactivo=False)


def test_interactive_figures_are_only_the_plotly_mimetype(renderer):
    _plotly_setup.use_renderer(interactivo=True)
    bundle = go.Figure(go.Bar(x=["a"], y=[1]))._repr_mimebundle_()
    assert set(bundle) == {PLOTLY_MIME}
    assert "text/html" not in bundle


def test_headless_figures_keep_the_offline_html_and_plotly_js_once(renderer, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    monkeypatch.setattr(_plotly_setup.OfflineHtmlRenderer, "library_shown", False)
    _plotly_setup.use_renderer(interactivo=False)
    for _ in range(3):  # every figure and every redraw asks for a bundle
        bundle = go.Figure(go.Bar(x=["a"], y=[1]))._repr_mimebundle_()
        assert {PLOTLY_MIME, "text/html"} <= set(bundle)
        assert "cdn.plot.ly" not in bundle["text/html"]
    assert len(shown) == 1 and PLOTLY_JS_HEADER in shown[0]


@pytest.mark.parametrize("nombre", ["resumen", "detallado", "flujos"])
def test_panel_bundles_equal_plotly_own(renderer, nombre):
    """The panel's figure bundles (template converted once) are plotly's own, for every chart of
    the report on the demo data and on an empty selection; another renderer gets plotly's."""
    from outbound_analysis import Filtros, _display, sections
    from outbound_analysis.view import Vista

    datos = Informe(
        nombre, envios=str(REPO / "data/demo/envios_*.csv"), eventos=str(REPO / "data/demo/eventos.xlsx")
    ).datos
    _plotly_setup.use_renderer(interactivo=True)
    figuras = [
        p
        for filtros in (Filtros(), Filtros(campanas=["No existe"]), Filtros(canales=[CHANNEL]))
        for s in sections.SECCIONES[nombre]
        if s != "contacto"
        for p in Vista.de_datos(nombre, datos, filtros).partes(s)
        if isinstance(p, go.Figure)
    ]
    assert len(figuras) >= 5
    for fig in figuras:
        antes = fig.to_json()
        assert _display.paquete(fig) == fig._repr_mimebundle_()
        assert fig.to_json() == antes  # the figure is not changed
    _plotly_setup.use_renderer(interactivo=False)
    assert "text/html" in _display.paquete(figuras[0])


def test_plotly_property_paths_are_parsed_once_and_alike():
    """The kept parse gives what plotly's own gives, and a redraw reuses it (no parse again)."""
    from plotly import basedatatypes

    parse = basedatatypes._str_to_dict_path_full
    paths = [
        "xaxis_title_text",
        "yaxis2.tickformat",
        "legend_title_font_size",
        "plot_bgcolor",
        "x",
        "a_b[0].c",
    ]
    for path in paths:
        assert parse(path) == parse.original(path), path
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    fig.update_layout(xaxis_title_text="uno", yaxis_tickformat=",d")
    before = parse.kept.cache_info()
    go.Figure(go.Bar(x=["a"], y=[1])).update_layout(xaxis_title_text="dos", yaxis_tickformat=",d")
    after = parse.kept.cache_info()
    assert after.hits > before.hits and after.misses == before.misses
    assert fig.layout.xaxis.title.text == "uno"  # and the figure is what it says


# ---------------------------------------------------------------- working folder (no browser)


@pytest.fixture
def repo_copy(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("resumen.ipynb", "guia.ipynb"):
        shutil.copyfile(notebooks_dir() / name, notebooks / name)
    monkeypatch.setenv("OUTBOUND_ANALYSIS_NOTEBOOKS", str(notebooks))
    monkeypatch.delenv("OUTBOUND_ANALYSIS_TRABAJO", raising=False)
    return tmp_path


def test_lab_copies_the_notebooks_to_trabajo_once_and_never_overwrites(repo_copy):
    work, copied, previous = cli.lab_workdir()
    assert work == repo_copy / "trabajo" and copied == ["guia.ipynb", "resumen.ipynb"] and previous is None
    # same depth as notebooks/: the parameters' ../data/demo/... paths keep working
    assert (work / "..").resolve() == (repo_copy / "notebooks" / "..").resolve()
    (work / "resumen.ipynb").write_text("mi trabajo", encoding="utf-8")
    (work / "guia.ipynb").unlink()
    _, copied, _ = cli.lab_workdir()
    assert copied == ["guia.ipynb"]
    assert (work / "resumen.ipynb").read_text(encoding="utf-8") == "mi trabajo"


def test_lab_reiniciar_keeps_the_old_copies_aside(repo_copy):
    work, _, _ = cli.lab_workdir()
    (work / "resumen.ipynb").write_text("mi trabajo", encoding="utf-8")
    _, copied, previous = cli.lab_workdir(reiniciar=True)
    assert copied == ["guia.ipynb", "resumen.ipynb"]
    assert previous is not None and previous.parent == work / "anteriores"
    assert (previous / "resumen.ipynb").read_text(encoding="utf-8") == "mi trabajo"
    assert (work / "resumen.ipynb").read_bytes() == (repo_copy / "notebooks" / "resumen.ipynb").read_bytes()


def test_lab_without_notebooks_says_so_in_spanish(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OUTBOUND_ANALYSIS_NOTEBOOKS", str(tmp_path / "nada"))
    assert cli.main(["lab", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Error: No encontré notebooks en «{tmp_path / 'nada'}»")
    assert not (tmp_path / "trabajo").exists()


def _executed(nb: nbformat.NotebookNode) -> dict:
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 3
            cell.outputs = [nbformat.v4.new_output("stream", text="hola")]
    return nb


def test_the_save_hook_strips_only_the_tracked_notebooks(repo_copy):
    nb = nbformat.read(repo_copy / "notebooks" / "resumen.ipynb", as_version=4)
    manager = SimpleNamespace(root_dir=str(repo_copy))
    tracked = {"type": "notebook", "content": _executed(nb)}
    cli.strip_tracked_outputs(model=tracked, path="notebooks/resumen.ipynb", contents_manager=manager)
    code = [c for c in tracked["content"]["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert "widgets" not in tracked["content"]["metadata"]
    working = {"type": "notebook", "content": _executed(nb)}
    cli.strip_tracked_outputs(model=working, path="trabajo/resumen.ipynb", contents_manager=manager)
    assert all(c["outputs"] for c in working["content"]["cells"] if c["cell_type"] == "code")


# ---------------------------------------------------------------- JupyterLab in Chromium


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebooks_state() -> tuple[str, dict[str, str]]:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "notebooks/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(notebooks_dir().glob("*"))}
    return status, hashes


def _settings(config_dir: Path) -> None:
    """Lab user settings for a quiet, deterministic session: every cell in the DOM, no news."""
    base = config_dir / "lab" / "user-settings" / "@jupyterlab"
    files = {
        "notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
    }
    for name, value in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(json.dumps(value), encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One `outbound-analysis lab` for the module, its working folder in a temporary directory."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Falta Chromium en {CHROMIUM}: corré make test (lo instala con apt-get).")
    root = tmp_path_factory.mktemp("lab")
    (root / "data").symlink_to(REPO / "data")  # trabajo/../data/demo, as in the repository
    _settings(root / "config")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "OUTBOUND_ANALYSIS_TRABAJO": str(root / "trabajo"),
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
    }
    before = _notebooks_state()
    log = (root / "lab.log").open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "outbound_analysis.cli",
            "lab",
            "--port",
            str(port),
            "--ip",
            "127.0.0.1",
            "--no-browser",
            f"--IdentityProvider.token={token}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        text = ""
        while f"{url}/lab" not in text:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab no arrancó:\n{(root / 'lab.log').read_text(encoding='utf-8')}")
            time.sleep(0.5)
            text = (root / "lab.log").read_text(encoding="utf-8")
        yield SimpleNamespace(url=url, token=token, root=root, work=root / "trabajo", before=before)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    # the command became Lab (exec): stopping it stops Lab, and Lab shuts its kernels down
    deadline = time.monotonic() + 30
    while _processes_with(str(root)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _processes_with(str(root)), "JupyterLab o sus kernels quedaron corriendo"


def _processes_with(text: str) -> list[int]:
    """Pids of the running processes whose command line mentions ``text``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, lab, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    shot = lab.root / f"{request.node.name}.png"
    page.screenshot(path=str(shot), full_page=False)
    print(f"captura: {shot}")
    context.close()


def _accept_dialogs(page) -> None:
    """Accept Lab's «Select Kernel» dialog if it showed up (it can, on a slow first start): same kernel."""
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    while accept.count():
        accept.first.click()
        page.wait_for_timeout(500)


def _run_all(page, lab, name: str) -> None:
    """Open a working copy in Lab and run all its cells (menu Run > Run All Cells) until the last ends.

    While some cell is left unnumbered and nothing runs for 15 s, the click is repeated.
    """
    from playwright.sync_api import Error as PlaywrightError

    # a workspace per notebook: Lab does not reopen the other notebook's tab
    page.goto(f"{lab.url}/lab/workspaces/{Path(name).stem}/tree/{name}?token={lab.token}")
    page.wait_for_selector(f"{PANEL} .jp-CodeCell", timeout=SLOW)
    # the kernel started (the status bar's screen-reader text)
    page.get_by_text("Kernel status: Idle").first.wait_for(state="attached", timeout=SLOW)
    prompts = page.locator(f"{PANEL} .jp-CodeCell .jp-InputPrompt")
    deadline = time.monotonic() + SLOW / 1000
    clicked = None

    def states() -> list[str]:
        return [(t or "").strip() for t in prompts.evaluate_all("ps => ps.map(p => p.textContent)")]

    # every cell must end numbered: a run-all that reached only some cells (seen once on CI: a
    # click during kernel start-up ran the last cell alone) is repeated once nothing is running
    while True:
        current = states()
        if all(re.fullmatch(r"\[\d+\]:", t) for t in current):
            break
        assert time.monotonic() < deadline, f"{name}: las celdas no terminaron de ejecutarse"
        _accept_dialogs(page)
        idle = not any("*" in t for t in current)
        if clicked is None or (idle and time.monotonic() - clicked > 15):
            try:
                page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click(timeout=10_000)
                page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click(timeout=10_000)
                clicked = time.monotonic()
            except PlaywrightError:
                page.keyboard.press("Escape")
        page.wait_for_timeout(1000)


def _pick_channel(page, channel: str) -> None:
    """Select one channel in the panel's «Canal» list (its options read «IG (237)»)."""
    label = page.locator("label", has_text=re.compile("^Canal$"))
    select = page.locator(f"{PANEL} .widget-select-multiple", has=label).locator("select")
    values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
    select.select_option(value=next(v for v in values if v.split(" (")[0] == channel))


def _select(page, label: str):
    """The panel's list widget whose label is ``label`` (its options read «valor (envíos)»)."""
    return page.locator(
        f"{PANEL} .widget-select-multiple", has=page.locator("label", has_text=re.compile(f"^{label}$"))
    )


def _option_texts(page, label: str) -> list[str]:
    """The option texts of a panel list, with ipywidgets' non-breaking spaces read as spaces."""
    return [t.replace("\xa0", " ") for t in _select(page, label).locator("option").all_text_contents()]


def _log_entries(page) -> list[str]:
    """The texts in Lab's log console (menu View > Show Log Console), at its default level."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^View$")).click()
    page.locator(".lm-Menu-item[data-command='logconsole:open']").click()
    page.wait_for_selector(".jp-LogConsolePanel", state="attached")
    page.wait_for_timeout(1000)
    return page.locator(".jp-LogConsolePanel .jp-OutputArea-child").all_text_contents()


def _save(page) -> None:
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^File$")).click()
    page.locator(".lm-Menu-item[data-command='docmanager:save']").click()
    page.wait_for_timeout(1500)


def _demo(nombre: str, **filtros: object) -> Informe:
    return Informe(nombre, envios=str(REPO / "data" / "demo" / "envios_*.csv"), **filtros)


@pytest.mark.browser
@pytest.mark.slow
def test_resumen_panel_redraws_the_kpis(page, lab):
    from playwright.sync_api import expect

    _run_all(page, lab, "resumen.ipynb")
    envios = page.locator(f"{PANEL} .oa-card:has(.oa-l:text-is('Envíos')) .oa-v")
    # widgets are drawn once Lab's widget manager has their models: on a busy machine, seconds later
    expect(envios).to_have_text(
        fmt_int(metrics.kpis(_demo("resumen").envios)["envios"].iloc[0]), timeout=SLOW
    )
    figures = page.locator(f"{PANEL} .js-plotly-plot")
    expect(figures.first).to_be_visible()  # drawn by JupyterLab's plotly extension

    # the date lists read dd/mm/aaaa whatever the browser's language (this one is en-US)
    first = _demo("resumen").envios["fecha_envio"].min().tz_convert("America/Argentina/Buenos_Aires")
    desde = page.locator(f"{PANEL} .widget-dropdown", has=page.locator("label", has_text="Desde")).locator(
        "select"
    )
    expect(desde.locator("option:checked")).to_have_text(f"{first:%d/%m/%Y}")
    expect(page.locator(f"{PANEL} .oa-note", has_text="Ctrl+clic")).to_be_visible()
    tipos = _option_texts(page, "Tipo de tipificación")
    assert any(t.startswith("Fin positivo (") for t in tipos) and not any("fin_positivo" in t for t in tipos)

    _pick_channel(page, CHANNEL)
    expected = metrics.kpis(_demo("resumen", canales=[CHANNEL]).envios)["envios"].iloc[0]
    expect(envios).to_have_text(fmt_int(expected), timeout=SLOW)
    # «Datos y filtros» says which filter is on; the campaign counts follow the channel
    header = page.locator(f"{PANEL} .jp-CodeCell", has_text="informe.encabezado()")
    expect(header.locator(".oa-note", has_text=f"Canal: {CHANNEL}")).to_be_visible(timeout=SLOW)
    env = _demo("resumen").envios
    campaigns = _option_texts(page, "Campaña")
    for text in campaigns:
        name = text.rsplit(" (", 1)[0]
        n = int(((env["canal"] == CHANNEL) & (env["campana"] == name)).sum())
        assert text == f"{name} ({fmt_int(n)})"
    selected = (
        _select(page, "Canal").locator("select").evaluate("s => [...s.selectedOptions].map(o => o.value)")
    )
    assert [v.split(" (")[0] for v in selected] == [CHANNEL]  # relabelling kept the selection

    page.locator(f"{PANEL} button", has_text="Limpiar filtros").click()
    expect(envios).to_have_text(fmt_int(metrics.kpis(env)["envios"].iloc[0]), timeout=SLOW)
    expect(header.locator(".oa-note", has_text="Sin filtros")).to_be_visible(timeout=SLOW)
    assert _log_entries(page) == [], "Limpiar filtros escribió en la consola de registro de Lab"
    _save(page)
    saved = (lab.work / "resumen.ipynb").read_text(encoding="utf-8")
    assert PLOTLY_MIME in saved
    assert PLOTLY_JS_HEADER not in saved, "el notebook guardó una copia de plotly.js"
    assert len(saved) < 1_500_000


@pytest.mark.browser
@pytest.mark.slow
def test_detallado_panel_redraws_the_table(page, lab):
    from playwright.sync_api import expect

    _run_all(page, lab, "detallado.ipynb")
    cell = page.locator(f"{PANEL} .jp-CodeCell", has_text='informe.mostrar("tabla")')
    rows = cell.locator(".jp-OutputArea table tbody tr")
    expect(rows).to_have_count(len(_demo("detallado").tablas["detallado"]), timeout=SLOW)

    _pick_channel(page, CHANNEL)
    expected = _demo("detallado", canales=[CHANNEL]).tablas["detallado"]
    expect(rows).to_have_count(len(expected), timeout=SLOW)
    shown = rows.locator("td:first-child").all_text_contents()
    assert sorted(t.strip() for t in shown) == sorted(expected["campana"])

    # the lookup searches while typing (no Enter), within the panel's filters, and says which
    filtered = _demo("detallado", canales=[CHANNEL])
    phone = str(filtered.envios["contacto_id"].iloc[0])
    part = phone[-7:]
    lookup = page.locator(f"{PANEL} .jp-CodeCell", has_text='informe.mostrar("contacto")')
    lookup.locator(".widget-text input").press_sequentially(part, delay=60)
    found = filtered.buscar(part)
    expect(lookup.locator("table tbody tr")).to_have_count(len(found), timeout=SLOW)
    expect(lookup.locator(".oa-note", has_text=f"Canal: {CHANNEL}")).to_be_visible(timeout=SLOW)
    assert phone in (lookup.locator("table").text_content() or "")

    # Exportar: the files go under trabajo/exportaciones/, and the links download them
    cell = page.locator(f"{PANEL} .jp-CodeCell", has_text="informe.exportar()")
    cell.locator("button", has_text="Exportar").click()
    expect(cell.locator(".oa-note", has_text="Listo:")).to_be_visible(timeout=SLOW)
    folders = sorted((lab.work / "exportaciones").glob("detallado_*"))
    assert len(folders) == 1
    files = sorted(p.name for p in folders[0].iterdir())
    assert {"detallado.xlsx", "envios.csv", "carga.csv"} <= set(files)
    links = cell.locator("a[download]")
    expect(links).to_have_count(len(files))
    csv = cell.locator("a[download='envios.csv']")
    assert f"/files/exportaciones/{folders[0].name}/envios.csv" in (csv.get_attribute("href") or "")
    with page.expect_download() as download:
        csv.click()
    assert Path(download.value.path()).read_bytes() == (folders[0] / "envios.csv").read_bytes()
    _save(page)

    # Lab's file browser shows the export folder and its files
    page.goto(f"{lab.url}/lab/workspaces/detallado/tree/exportaciones/{folders[0].name}?token={lab.token}")
    listing = page.locator(".jp-DirListing-item .jp-DirListing-itemText")
    expect(listing.filter(has_text="detallado.xlsx")).to_be_visible(timeout=SLOW)
    assert sorted(t.strip() for t in listing.all_text_contents()) == files


@pytest.mark.browser
@pytest.mark.slow
def test_the_session_left_notebooks_untouched(lab, page):
    """Runs last in the module: the two working copies were executed and saved, notebooks/ did not change."""
    assert (lab.work / "resumen.ipynb").exists() and (lab.work / "detallado.ipynb").exists()
    assert PLOTLY_JS_HEADER not in (lab.work / "detallado.ipynb").read_text(encoding="utf-8")
    assert _notebooks_state() == lab.before  # git status and every file of notebooks/
    # the working folder the command uses by default is one git never sees
    ignored = subprocess.run(["git", "check-ignore", "-q", "trabajo/resumen.ipynb"], cwd=REPO, check=False)
    assert ignored.returncode == 0, "trabajo/ no está en .gitignore"
