"""Each section called directly on small tables: pure functions of tables and labels -> parts.

Sections never count or filter: they read finished tables (the report's and the support
tables that :mod:`outbound_analysis.metrics` computes for them) and the report's labels.
The unit tests below pass hand-made frames; the snapshot tests pin each section's
rendered HTML over one small data set (``tests/snapshots/sections/``). After an intended
change, rewrite the snapshots with ``UPDATE_SNAPSHOTS=1 pytest tests/test_sections_snapshot.py``
and review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from conftest import make_envios, make_eventos
from test_sections import dataset

from outbound_analysis import _render, sections
from outbound_analysis.filters import Filtros
from outbound_analysis.sections import Etiquetas
from outbound_analysis.sections import flujos as flujos_sections
from outbound_analysis.sections import resumen as resumen_sections
from outbound_analysis.view import Vista

SNAPSHOTS = Path(__file__).parent / "snapshots" / "sections"
LABELS = Etiquetas(
    filtros="Filtros activos: Canal: WA (fechas en America/Argentina/Buenos_Aires).",
    sin_coincidencia=("Campaña: «Otra» no aparece en los datos cargados (6 envíos).",),
    anonimizado=False,
    generado="25/11/2026 10:00",
)


def _send(n: int, **row: object) -> dict:
    """A send with fixed ids (the snapshots must not depend on the order tests run in)."""
    return {"envio_id": f"s{n}", "contacto_id": f"5491100000{n:03d}", **row}


def _data():
    flow = {"origen": "flujo", "campana": "Flujo & Ofertas"}
    envios = make_envios(
        _send(1, leido=True, respondido=True, conversacion_nueva=True, venta=True, asignada=True),
        _send(2, origen="plantilla_individual", asignada=True, conversacion_nueva=False),
        _send(3, estado="fallido", codigo_error="131049"),
        _send(4, **flow, conversacion_id="c1", leido=True, respondido=True, conversacion_nueva=True),
        _send(5, **flow, conversacion_id="c2", asignada=True, conversacion_nueva=True),
        _send(6, **flow, conversacion_id="c3", conversacion_nueva=True, canal="IG"),
    )
    eventos = make_eventos(
        {
            "conversacion_id": "c1",
            "fecha": "2026-08-10 10:01",
            "autor": "bot",
            "mensaje": "¿Qué buscás?",
            "nodo": "menu",
        },
        {"conversacion_id": "c1", "fecha": "2026-08-10 10:02", "autor": "cliente", "opcion": "Ofertas"},
        {
            "conversacion_id": "c1",
            "fecha": "2026-08-10 10:03",
            "autor": "bot",
            "tipificacion": "Interés",
            "nodo": "ofertas",
        },
        {
            "conversacion_id": "c2",
            "fecha": "2026-08-10 10:01",
            "autor": "cliente",
            "mensaje": "hola",
            "nodo": "menu",
        },
        {"conversacion_id": "c2", "fecha": "2026-08-10 10:02", "autor": "agente", "etiqueta": "Contado"},
    )
    return dataset(envios, eventos)


@pytest.fixture(scope="module")
def tablas() -> dict[str, dict[str, pd.DataFrame]]:
    """Each report's tables (exported and support) over the small data set."""
    out = {}
    for nombre in sections.SECCIONES:
        vista = Vista.de_datos(nombre, _data(), Filtros())
        out[nombre] = {**vista.tablas, **vista.apoyo}
    return out


def _snapshot_text(parts: list) -> str:
    """One block per part: the HTML as is, a figure as its type and title."""
    lines = []
    for part in parts:
        if isinstance(part, go.Figure):
            kinds = ",".join(sorted({trace.type for trace in part.data})) or "vacío"
            lines.append(f"<!-- figura: {kinds} · {part.layout.title.text} -->")
        else:
            lines.append(part.strip())
    return "\n".join(lines) + "\n"


def _check_snapshot(name: str, parts: list) -> None:
    path = SNAPSHOTS / f"{name}.html"
    text = _snapshot_text(parts)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no snapshot {path}: run with UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed: compare with {path}"


ALL_SECTIONS = [(nombre, s) for nombre, secs in sections.SECCIONES.items() for s in secs]


@pytest.mark.parametrize(("nombre", "seccion"), ALL_SECTIONS, ids=[f"{n}-{s}" for n, s in ALL_SECTIONS])
def test_section_snapshot(tablas, nombre, seccion):
    _check_snapshot(f"{nombre}/{seccion}", sections.partes(nombre, seccion, tablas[nombre], LABELS))


def test_header_snapshot(tablas):
    _check_snapshot("encabezado", sections.encabezado(tablas["resumen"], LABELS))


def test_every_section_has_a_snapshot_and_no_snapshot_is_stale():
    expected = {f"{n}/{s}.html" for n, s in ALL_SECTIONS} | {"encabezado.html"}
    stored = {str(p.relative_to(SNAPSHOTS)) for p in SNAPSHOTS.rglob("*.html")}
    assert stored == expected


# --------------------------------------------------------------------------- unit tests on hand-made tables


def _kpis(**values: int) -> pd.DataFrame:
    from outbound_analysis.metrics import KPI_COLUMNS

    return pd.DataFrame([{c: values.get(c, 0) for c in KPI_COLUMNS}]).astype("int64")


def _html(parts: list) -> str:
    return "".join(p for p in parts if isinstance(p, str))


def test_kpis_cards_show_counts_and_shares_of_the_exitosos():
    t = {"kpis": _kpis(total_contactos=3, envios=4, envios_exitosos=3, leidos=2, lectura_no_informada=1)}
    html = _html(resumen_sections.kpis(t, Etiquetas()))
    assert '<div class="oa-v">4</div><div class="oa-l">Envíos</div>' in html
    assert "66,7 % de los exitosos (mínimo)" in html  # 2 leídos / 3 exitosos
    assert "0,0 % de los exitosos" in html  # respondidos 0 / 3


def test_kpis_over_zero_exitosos_read_sin_dato():
    html = _html(resumen_sections.kpis({"kpis": _kpis(envios=2, envios_fallidos=2)}, Etiquetas()))
    assert "– de los exitosos" in html and "%" not in html.split("</style>")[-1]


def test_funnel_explains_assigned_without_reply_from_the_support_table():
    t = {
        "kpis": _kpis(envios_exitosos=5, asignadas=3, respondidos=1, lectura_no_informada=2),
        "embudo": pd.DataFrame(
            {
                "etapa": ["enviado", "leido", "respondido", "asignado", "venta"],
                "cantidad": [5, 1, 1, 3, 0],
                "pct_envios": [1.0, 0.2, 0.2, 0.6, 0.0],
                "pct_etapa_anterior": [1.0, 0.2, 1.0, 3.0, 0.0],
            }
        ),
        "asignadas_sin_respuesta": pd.DataFrame(
            {"origen": ["(todos)", "plantilla_individual", "flujo"], "envios": [2, 1, 1]}
        ),
    }
    html = _html(resumen_sections.embudo(t, Etiquetas()))
    assert (
        "El embudo no siempre se achica: 2 envíos fueron asignados sin respuesta informada "
        "(Plantilla individual: 1, Campaña de flujo: 1)." in html
    )
    assert "2 envíos exitosos no informan lectura" in html


def test_funnel_without_assigned_nor_unreported_reads_has_no_notes():
    t = {
        "kpis": _kpis(envios_exitosos=1, leidos=1),
        "embudo": pd.DataFrame(
            {"etapa": ["enviado"], "cantidad": [1], "pct_envios": [1.0], "pct_etapa_anterior": [1.0]}
        ),
        "asignadas_sin_respuesta": pd.DataFrame({"origen": ["(todos)"], "envios": [0]}),
    }
    html = _html(resumen_sections.embudo(t, Etiquetas()))
    assert "oa-warn" not in html and "oa-note" not in html


def test_fallas_says_there_were_none_for_an_empty_table():
    empty = pd.DataFrame(columns=["codigo_error", "descripcion", "envios", "pct"])
    assert _html(resumen_sections.fallas({"fallas": empty}, Etiquetas())) == (
        '<div class="oa-note">No hubo envíos fallidos con estos filtros.</div>'
    )


def _alcance(envios: int, archivo: bool, con_eventos: int, respondidos: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "envios_flujo": envios,
                "archivo_eventos": archivo,
                "conversaciones_con_eventos": con_eventos,
                "flujos_respondidos": respondidos,
            }
        ]
    )


@pytest.mark.parametrize(
    ("alcance", "expected"),
    [
        ((0, True, 0, 0), flujos_sections.SIN_ENVIOS_FLUJO),
        ((2, False, 0, 0), flujos_sections.SIN_ARCHIVO_EVENTOS),
        ((2, True, 0, 0), flujos_sections.SIN_EVENTOS_COINCIDENTES),
        ((2, True, 1, 0), flujos_sections.SIN_RESPUESTAS),
        ((2, True, 1, 1), None),
    ],
)
def test_flujos_reason_reads_the_scope_table_in_order(alcance, expected):
    assert flujos_sections.motivo({"alcance_flujos": _alcance(*alcance)}) == expected


def test_aviso_lists_several_campaigns_escaped_once():
    t = {
        "campanas_flujo": pd.DataFrame({"campana": ["A & B", "<C>"]}),
        "alcance_flujos": _alcance(2, True, 1, 1),
    }
    html = _html(flujos_sections.aviso(t, Etiquetas()))
    assert "Hay 2 campañas de flujo en el informe («A &amp; B», «&lt;C&gt;»)." in html
    one = _html(flujos_sections.aviso({**t, "campanas_flujo": t["campanas_flujo"].head(1)}, Etiquetas()))
    assert one == '<div class="oa-note">Campaña analizada: «A &amp; B».</div>'


def test_level_funnel_without_values_says_why():
    t = {
        "alcance_flujos": _alcance(1, True, 1, 1),
        "embudo_etiquetas": pd.DataFrame(columns=["nivel", "etiqueta", "conversaciones", "pct"]),
    }
    parts = flujos_sections.SECCIONES["embudo_etiquetas"](t, Etiquetas())
    assert parts == [
        '<div class="oa-empty">Ninguna conversación respondida tiene etiquetas en los eventos.</div>'
    ]


def test_every_section_shows_the_same_empty_state_without_sends():
    t = {"seleccion": pd.DataFrame({"envios": [0]})}
    for nombre, seccion in ALL_SECTIONS:
        assert sections.partes(nombre, seccion, t, Etiquetas()) == [
            f'<div class="oa-empty">{sections.SIN_ENVIOS}</div>'
        ]


def test_templates_escape_values_and_format_numbers():
    html = _render.render("sections/flujos/aviso.html.j2", campanas=["<script>x</script>"], motivo="a & b")
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &amp; b" in html
    env = _render.environment()
    assert env.autoescape is True
    assert env.from_string("{{ 1234567 | entero }} · {{ 0.125 | pct }} · {{ 1 | pct_de(0) }}").render() == (
        "1.234.567 · 12,5 % · –"
    )


def test_template_line_breaks_read_as_one_space_and_vanish_next_to_tags():
    source = "<p>\n  Uno\n  dos {{ n }}\n  tres.{% if n %} Cuatro.{% endif %}\n</p>\n"
    assert _render.environment().from_string(source).render(n=1) == "<p>Uno dos 1 tres. Cuatro.</p>"


# --------------------------------------------------------------------------- the docs' example

DOC_EXAMPLE_RUNNER = r"""
import json, sys
import ipywidgets as widgets
import jinja2
from outbound_analysis import _render, metrics, sections
from outbound_analysis import Filtros, Informe
from importlib import import_module
metrics_resumen = import_module("outbound_analysis.metrics.resumen")  # metrics.resumen is the function
sections_resumen = import_module("outbound_analysis.sections.resumen")
from test_sections_snapshot import _data

blocks = json.loads(sys.argv[1])
exec(blocks["metrics.resumen"], vars(metrics_resumen))
exec(blocks["sections.resumen"], vars(sections_resumen))
env = _render.environment()
name = "sections/resumen/por_canal.html.j2"
env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({name: blocks[name]}), env.loader])

inf = Informe.de_datos("resumen", _data())
print(list(inf.tablas))
html = "".join(p for p in inf.partes("por_canal") if isinstance(p, str))
print(html.split("</div>")[0])
out = widgets.Output()
inf._outputs.append(("por_canal", out))
inf.aplicar(Filtros(canales=["IG"]))
print("".join(b["data"].get("text/html", "") for b in out.outputs).split("</div>")[0])
print(sorted(p.name for p in inf.escribir(__import__("pathlib").Path(sys.argv[2]))))
"""


def test_the_docs_example_adds_a_table_a_section_and_a_template_and_nothing_else(tmp_path):
    """docs/arquitectura.md's example, run as written (in its own process: it registers a section)."""
    import json
    import re
    import subprocess
    import sys

    doc = (Path(__file__).parent.parent / "docs" / "arquitectura.md").read_text(encoding="utf-8")
    blocks = dict(re.findall(r"<!-- ejemplo: (\S+) -->\n```\w+\n(.*?)```", doc, re.S))
    assert set(blocks) == {"metrics.resumen", "sections.resumen", "sections/resumen/por_canal.html.j2"}
    result = subprocess.run(
        [sys.executable, "-c", DOC_EXAMPLE_RUNNER, json.dumps(blocks), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    tables, shown, redrawn, written = result.stdout.splitlines()[-4:]
    assert "'por_canal'" in tables  # computed and exported with the report's tables
    # counted by hand: WA exitosos s1, s2, s4, s5, respondidos s1, s4: 2/4 = 50 %; IG: s6, 0/1 = 0 %
    assert shown == '<div class="oa-note">Respondidos sobre envíos exitosos, por canal: IG 0,0 %; WA 50,0 %.'
    assert redrawn == '<div class="oa-note">Respondidos sobre envíos exitosos, por canal: IG 0,0 %.'
    assert "por_canal.csv" in written and "por_canal.json" in written
