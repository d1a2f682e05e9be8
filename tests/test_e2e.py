"""End to end: `outbound-analysis run` on a small hand-checked fixture, then every export read back.

Expected values are counted by hand from tests/data/envios_fixture.csv and
eventos_fixture.json (see the comments); they are not produced by the code under test.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT

from outbound_analysis import _outputs, cli

DATA = ROOT / "tests" / "data"
pytestmark = pytest.mark.slow

# resumen, by hand: 11 sends loaded (a 13th row is an exact duplicate of e2, another has no
# campaign). exitosos e1 e2 e5 e6 e7 e8 e9 e11; fallidos e3 e10; pendiente e4.
KPIS = {
    "total_contactos": 10,  # e1 and e5 are the same phone written two ways
    "envios": 11,
    "envios_exitosos": 8,
    "envios_fallidos": 2,
    "envios_pendientes": 1,
    "leidos": 4,  # e1 e7 e8 e11 (e5/e6 do not report reading)
    "respondidos": 4,
    "asignadas": 3,  # e5 e6 e7: more than... the individual templates report no reply
    "ventas": 2,  # e5 e7
    "lectura_no_informada": 2,  # e5 e6
    "conversaciones_iniciadas": 7,
    "sobre_conversacion_abierta": 1,  # e2
}
EMBUDO = [
    ("enviado", 8, 1.0, 1.0),
    ("leido", 4, 0.5, 0.5),
    ("respondido", 4, 0.5, 1.0),
    ("asignado", 3, 0.375, 0.75),
    ("venta", 2, 0.25, 2 / 3),
]
DETALLADO = [
    # campana, envios, exitosos, fallidos, pendientes, contactos, vistas, resp, asig, ventas, pct_vistas
    ("Bot Ofertas", 5, 4, 1, 0, 5, 3, 3, 1, 1, 0.75),  # 4 exitosos first; 2-2 tie by name
    ("Promo Día del Padre", 4, 2, 1, 1, 4, 1, 1, 0, 0, 0.5),
    ("Seguimiento Peña", 2, 2, 0, 0, 2, 0, 0, 2, 1, 0.0),
]


@pytest.fixture
def run_all(fixture_reports):
    return fixture_reports


def test_run_writes_every_file_of_the_contract(run_all):
    for informe, tables in {
        "resumen": ["kpis", "embudo"],
        "detallado": ["detallado", "envios", "tiempos", "comparacion", "segmentos"],
        "flujos": [
            "resultados",
            "primeras_opciones",
            "finalizacion",
            "embudo_tipificaciones",
            "embudo_etiquetas",
            "ultimo_mensaje_abandono",
            "recorridos",
            "abandono_por_nodo",
        ],
    }.items():
        assert (run_all / f"{informe}.ipynb").is_file()
        assert (run_all / f"{informe}.html").is_file()
        assert (run_all / informe / f"{informe}.xlsx").is_file()
        for table in tables:
            assert (run_all / informe / f"{table}.csv").is_file()
            assert (run_all / informe / f"{table}.json").is_file()
    # the only hidden files are the run's manifest and lock, never a temporary folder
    hidden = {p.name for p in run_all.iterdir() if p.name.startswith(".")}
    assert hidden <= {_outputs.MANIFEST, _outputs.LOCK}, f"temporary folders left behind: {hidden}"


def test_resumen_csv_json_xlsx_match_hand_counts(run_all):
    kpis_csv = pd.read_csv(run_all / "resumen" / "kpis.csv").iloc[0].to_dict()
    assert kpis_csv == KPIS
    kpis_json = json.loads((run_all / "resumen" / "kpis.json").read_text(encoding="utf-8"))
    assert kpis_json == [KPIS]
    emb = pd.read_csv(run_all / "resumen" / "embudo.csv")
    assert list(emb.columns) == ["etapa", "cantidad", "pct_envios", "pct_etapa_anterior"]
    for row, expected in zip(emb.itertuples(index=False), EMBUDO, strict=True):
        assert (row.etapa, row.cantidad) == expected[:2]
        assert row.pct_envios == pytest.approx(expected[2])
        assert row.pct_etapa_anterior == pytest.approx(expected[3])
    book = openpyxl.load_workbook(run_all / "resumen" / "resumen.xlsx")
    assert {"kpis", "embudo"} <= set(book.sheetnames)
    sheet = book["embudo"]
    assert sheet["A1"].value == "Etapa" and sheet["C1"].value == "% de envíos exitosos"
    assert sheet.freeze_panes == "A2"
    assert sheet["C3"].value == pytest.approx(0.5)
    assert sheet["C3"].number_format == "0.0%"
    assert [c.value for c in book["kpis"][2]] == list(KPIS.values())


def test_detallado_exports_match_hand_counts(run_all):
    det = pd.read_csv(run_all / "detallado" / "detallado.csv")
    got = [
        (
            r.campana,
            r.envios,
            r.envios_exitosos,
            r.envios_fallidos,
            r.envios_pendientes,
            r.total_contactos,
            r.vistas,
            r.respondidas,
            r.asignadas,
            r.ventas,
            round(r.pct_vistas, 4),
        )
        for r in det.itertuples()
    ]
    assert got == DETALLADO
    envios = json.loads((run_all / "detallado" / "envios.json").read_text(encoding="utf-8"))
    assert len(envios) == 11
    e5 = next(e for e in envios if e["envio_id"] == "e5")
    assert e5["leido"] is None and e5["respondido"] is None  # not reported: null, not false
    assert e5["asignada"] is True and e5["contacto_id"] == "5491123450001"
    assert e5["fecha_envio"] == "2026-08-04T09:00:00-03:00"
    e7 = next(e for e in envios if e["envio_id"] == "e7")
    assert e7["etiquetas"] == ["interés alto"]
    csv = pd.read_csv(run_all / "detallado" / "envios.csv", dtype=str, keep_default_na=False)
    assert csv.loc[csv["envio_id"] == "e7", "etiquetas"].item() == "interés alto"
    assert csv.loc[csv["envio_id"] == "e5", "leido"].item() == ""
    book = openpyxl.load_workbook(run_all / "detallado" / "detallado.xlsx")
    sheet = book["detallado"]
    assert sheet["A2"].value == "Bot Ofertas" and sheet["N2"].value == pytest.approx(0.75)
    assert sheet["N2"].number_format == "0.0%"


def test_flujos_exports_match_hand_counts(run_all):
    d = run_all / "flujos"
    res = pd.read_csv(d / "resultados.csv").iloc[0].to_dict()
    assert res == {
        "total_contactos": 5,
        "envios_exitosos": 4,
        "conversaciones": 4,
        "asignadas": 1,
        "ventas": 1,
        "flujos_respondidos": 3,
    }
    opts = pd.read_csv(d / "primeras_opciones.csv")
    assert list(zip(opts["opcion"], opts["conversaciones"], strict=True)) == [("Ofertas", 2), ("Baja", 1)]
    fin = pd.read_csv(d / "finalizacion.csv")
    assert fin["finalizacion"].tolist() == ["abandono", "asignacion", "finalizacion_automatica"]
    assert fin["conversaciones"].tolist() == [1, 1, 1]
    tip = pd.read_csv(d / "embudo_tipificaciones.csv")
    assert list(zip(tip["nivel"], tip["tipificacion"], tip["conversaciones"], strict=True)) == [
        (1, "Baja de la lista", 1),
        (1, "Interesado", 1),
        (2, "Venta concretada", 1),
    ]
    tags = json.loads((d / "embudo_etiquetas.json").read_text(encoding="utf-8"))
    assert [(t["nivel"], t["etiqueta"]) for t in tags] == [(1, "interés alto"), (1, "interés medio")]
    last = pd.read_csv(d / "ultimo_mensaje_abandono.csv")
    assert last.to_dict("records") == [
        {"mensaje": "¿Querés ver más ofertas?", "conversaciones": 1, "pct": 1.0}
    ]


def test_rejects_and_load_report_are_exported(run_all):
    rejects = pd.read_csv(run_all / "resumen" / "rechazos.csv")
    assert len(rejects) == 2
    missing = rejects[rejects["columna"] == "campana"].iloc[0]
    assert missing["fila"] == 14 and "obligatoria" in missing["motivo"]
    assert rejects["motivo"].str.contains("duplicado exacto").sum() == 1
    load = pd.read_csv(run_all / "resumen" / "carga.csv")
    env = load[load["tabla"] == "envios"].iloc[0]
    assert (env["leidas"], env["cargadas"], env["rechazadas"], env["duplicadas"]) == (13, 11, 1, 1)


def test_html_has_no_code_and_embeds_plotly_without_cdn(run_all):
    html = (run_all / "resumen.html").read_text(encoding="utf-8")
    assert "import outbound_analysis" not in html and "informe.mostrar" not in html
    assert not re.search(r'class="[^"]*(jp-InputArea-editor|hl-ipython3)', html)  # no code cell inputs
    assert "plotly-graph-div" in html and "Plotly.newPlot" in html
    assert html.count("plotly.js v") == 1  # the library once, not once per chart
    # nothing is fetched from the network: no external script or stylesheet
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)
    assert '<html lang="es">' in html
    assert "Resumen Outbound" in html


def test_html_shows_the_funnel_caveat_for_individual_templates(run_all):
    html = (run_all / "resumen.html").read_text(encoding="utf-8")
    assert "asignadas que respondidas" in html
    assert "Plantilla individual: 2" in html


def test_parts_split_with_a_lowered_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTBOUND_ANALYSIS_MAX_FILAS", "4")
    out = tmp_path / "partes"
    assert (
        cli.main(["run", "detallado", "--params", str(DATA / "params_fixture.yaml"), "--output", str(out)])
        == 0
    )
    d = out / "detallado"
    parts = sorted(p.name for p in d.glob("envios_parte*.csv"))
    assert parts == ["envios_parte1.csv", "envios_parte2.csv", "envios_parte3.csv"]
    sizes = [len(pd.read_csv(d / p)) for p in parts]
    assert sizes == [4, 4, 3]
    assert len(json.loads((d / "envios_parte3.json").read_text(encoding="utf-8"))) == 3
    book = openpyxl.load_workbook(d / "detallado.xlsx", read_only=True)
    assert book.sheetnames == [
        "detallado",
        "envios_parte1",
        "envios_parte2",
        "envios_parte3",
        "tiempos_parte1",  # CONTRACT 5.2 tables, split like any other
        "tiempos_parte2",
        "tiempos_parte3",
        "comparacion",
        "segmentos_parte1",
        "segmentos_parte2",
        "rechazos",
        "carga",
    ]
    assert not (d / "envios.csv").exists()


def test_keep_going_past_a_broken_input(tmp_path, capsys):
    broken_dir = tmp_path / "roto"
    broken_dir.mkdir()
    text = (
        (DATA / "envios_fixture.csv")
        .read_bytes()
        .decode("cp1252")
        .replace("Plantilla;", "Plantilla rara;", 1)
    )
    (broken_dir / "envios.csv").write_bytes(text.encode("cp1252"))
    (broken_dir / "a_roto.yaml").write_text("envios: envios.csv\ninteractivo: false\n", encoding="utf-8")
    good = broken_dir / "b_bien.yaml"
    shutil.copy(DATA / "envios_fixture.csv", broken_dir / "bien.csv")
    good.write_text("envios: bien.csv\ninteractivo: false\n", encoding="utf-8")
    out = tmp_path / "salida"
    code = cli.main(["run", "resumen", "--params", str(broken_dir), "--output", str(out)])
    printed = capsys.readouterr().out
    # the broken data is caught before any notebook starts: exit 2, the good file still runs
    assert code == 2
    assert "a_roto.yaml: " in printed and "Plantilla rara" in printed
    assert "falló la celda" not in printed
    assert "✓ b_bien.yaml: resumen" in printed
    assert (out / "b_bien" / "resumen.html").is_file()
    assert not (out / "a_roto").exists()


def test_date_placeholder_in_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = cli.main(
        ["run", "resumen", "--params", str(DATA / "params_fixture.yaml"), "--output", "informes/{fecha}"]
    )
    assert code == 0
    folders = list((tmp_path / "informes").iterdir())
    assert len(folders) == 1 and len(folders[0].name) == 10 and folders[0].name[4] == "-"
    assert (folders[0] / "resumen.html").is_file()


def test_reports_side_by_side_write_into_the_relative_output_and_keep_the_folder(tmp_path, monkeypatch):
    # papermill's cwd= changed the process's folder while a notebook ran: with reports side by
    # side, one resolved its relative --output inside notebooks/ and the run ended there
    monkeypatch.chdir(tmp_path)
    params = str(DATA / "params_fixture.yaml")
    assert cli.main(["run", "--all", "--paralelo", "3", "--params", params, "--output", "salida"]) == 0
    assert {p.name for p in (tmp_path / "salida").glob("*.html")} == {
        "resumen.html",
        "detallado.html",
        "flujos.html",
    }
    assert not (ROOT / "notebooks" / "salida").exists()
    assert Path.cwd() == tmp_path


def test_demo_detallado_caps_the_html_table_and_exports_everything(demo_reports):
    html = (demo_reports / "detallado.html").read_text(encoding="utf-8")
    assert "Se muestran las primeras 2.000 de 3.000 filas" in html
    assert html.count("<tr>") < 2100
    assert len(pd.read_csv(demo_reports / "detallado" / "envios.csv")) == 3000
