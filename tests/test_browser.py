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
