"""The HTML reports in a real headless Chromium, offline: charts drawn, no code cells.

Chromium comes from Debian (`make test` installs it). Every network lookup is refused
(--host-resolver-rules), so a chart that needed a CDN would stay blank and fail here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=15000",
]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium no está instalado: `make test` lo instala (apt-get install chromium)."
    return path


def rendered_dom(html: Path, profile: Path) -> str:
    """The DOM after the page's scripts ran, as Chromium serializes it."""
    result = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", html.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return result.stdout


@pytest.mark.parametrize(("informe", "min_charts"), [("resumen", 3), ("detallado", 1), ("flujos", 5)])
def test_demo_reports_draw_every_chart_offline(demo_reports, tmp_path, informe, min_charts):
    dom = rendered_dom(demo_reports / f"{informe}.html", tmp_path / "perfil")
    divs = len(re.findall(r'class="plotly-graph-div', dom))
    drawn = len(re.findall(r'class="main-svg"', dom))
    assert divs >= min_charts
    # plotly draws two main-svg layers per chart: every chart div was drawn
    assert drawn >= 2 * divs, f"{informe}: {divs} gráficos, {drawn} capas SVG dibujadas"
    assert re.search(r'class="(trace bars|trace funnel|trace|slice)', dom)
    assert not re.search(r'class="[^"]*(jp-InputArea-editor|hl-ipython3)', dom), "hay código en el informe"
    assert "informe.mostrar(" not in dom and "import outbound_analysis" not in dom
    assert "oa-table" in dom  # tables are there too


def test_fixture_report_numbers_reach_the_page(fixture_reports, tmp_path):
    dom = rendered_dom(fixture_reports / "resumen.html", tmp_path / "perfil")
    # the funnel's first stage text, drawn by plotly.js inside the SVG
    assert re.search(r"<text[^>]*>8 · 100,0 %</text>", dom), "el embudo no muestra sus números"
    assert "main-svg" in dom


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and (b["y"] < a["y"] + a["height"])
    )


def test_static_html_reads_well_at_a_laptops_width(demo_reports):
    """Issue 10.7 as a reader sees it: no Lab-only sections, the parameters listed, the
    reconciliation legend clear of its axis title, wide tables scrolling inside the page."""
    from playwright.sync_api import sync_playwright

    width = 1280
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium(), args=[f for f in CHROMIUM_FLAGS if "virtual-time" not in f]
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto((demo_reports / "resumen.html").as_uri())
            page.wait_for_selector(".js-plotly-plot .main-svg")
            headings = [h.strip().rstrip("¶") for h in page.locator("h2").all_text_contents()]
            assert "Datos y filtros" in headings
            assert not {"Panel de filtros", "Parámetros"} & set(headings), headings
            listed = page.locator("ul.oa-parametros li").all_text_contents()
            assert any("formatos" in t for t in listed), listed

            chart = page.locator(".js-plotly-plot").filter(has_text="abrieron conversación")
            legend = chart.locator(".legend").bounding_box()
            axis_title = chart.locator(".xtitle").bounding_box()
            assert legend and axis_title and not _overlap(legend, axis_title), (legend, axis_title)

            page.goto((demo_reports / "detallado.html").as_uri())
            page.wait_for_selector(".oa-scroll table")
            boxes = page.evaluate(
                "[...document.querySelectorAll('.oa-scroll')].map(d => ({scroll: d.scrollWidth, "
                "client: d.clientWidth, right: d.getBoundingClientRect().right, "
                "overflow: getComputedStyle(d).overflowX}))"
            )
            assert all(b["right"] <= width and b["overflow"] == "auto" for b in boxes), boxes
            assert any(b["scroll"] > b["client"] for b in boxes), "ninguna tabla ancha: el test no ve nada"
            assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page itself fits
        finally:
            browser.close()
