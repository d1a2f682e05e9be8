"""Exports (CSV, JSON, XLSX, parts) and the HTML table rules, read back as an analyst would."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from conftest import make_envios

from outbound_analysis import _html, exports, metrics


@pytest.fixture
def detail() -> pd.DataFrame:
    env = make_envios(
        {
            "envio_id": "a",
            "fecha_envio": "2026-08-01T09:15:00-03:00",
            "leido": None,
            "respondido": True,
            "etiquetas": "interés alto|pago con tarjeta",
        },
        {"envio_id": "b", "fecha_envio": "2026-08-02T12:00:00Z", "leido": False, "etiquetas": None},
    )
    return metrics.envios_detalle(env)


def test_csv_has_contract_names_local_iso_times_empty_na_and_joined_lists(detail, tmp_path):
    path = exports.write_csv(detail, tmp_path / "envios.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(back.columns) == metrics.ENVIOS_DETAIL_COLUMNS
    assert back["fecha_envio"].tolist() == ["2026-08-01T09:15:00-03:00", "2026-08-02T09:00:00-03:00"]
    assert back["leido"].tolist() == ["", "false"]
    assert back["etiquetas"].tolist() == ["interés alto|pago con tarjeta", ""]
    assert back["fecha_lectura"].tolist() == ["", ""]


def test_json_records_keep_nulls_and_lists(detail, tmp_path):
    rows = json.loads(exports.write_json(detail, tmp_path / "envios.json").read_text(encoding="utf-8"))
    assert [r["envio_id"] for r in rows] == ["a", "b"]
    assert rows[0]["leido"] is None and rows[0]["respondido"] is True and rows[0]["visto"] is True
    assert rows[0]["etiquetas"] == ["interés alto", "pago con tarjeta"] and rows[1]["etiquetas"] is None
    assert rows[1]["fecha_envio"] == "2026-08-02T09:00:00-03:00"
    assert list(rows[0]) == metrics.ENVIOS_DETAIL_COLUMNS


def test_percentages_are_fractions_and_na_is_empty(tmp_path):
    env = make_envios({"campana": "X", "estado": "fallido"}, {"campana": "Y", "leido": True})
    table = metrics.detallado(env)
    exports.export_tables({"detallado": table}, tmp_path, "detallado", ["csv", "json", "xlsx"])
    csv = pd.read_csv(tmp_path / "detallado.csv").set_index("campana")
    assert csv.loc["Y", "pct_vistas"] == 1.0 and pd.isna(csv.loc["X", "pct_vistas"])
    rows = {r["campana"]: r for r in json.loads((tmp_path / "detallado.json").read_text(encoding="utf-8"))}
    assert rows["X"]["pct_vistas"] is None and rows["Y"]["envios"] == 1
    sheet = openpyxl.load_workbook(tmp_path / "detallado.xlsx")["detallado"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["Campaña", "Origen", "Canal"] and "% vistas" in headers
    col = headers.index("% vistas") + 1
    values = {sheet.cell(r, 1).value: sheet.cell(r, col) for r in (2, 3)}
    assert values["Y"].value == 1.0 and values["Y"].number_format == "0.0%"
    assert values["X"].value is None
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= len("Campaña")
    assert sheet.auto_filter.ref is not None


def test_xlsx_dates_are_local_datetimes(detail, tmp_path):
    exports.write_xlsx({"envios": detail}, tmp_path / "d.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "d.xlsx")["envios"]
    cell = sheet.cell(2, metrics.ENVIOS_DETAIL_COLUMNS.index("fecha_envio") + 1)
    assert cell.value == pd.Timestamp("2026-08-01 09:15").to_pydatetime()
    assert cell.number_format == "dd/mm/yyyy hh:mm"


def test_formatos_limit_what_is_written(tmp_path):
    kpis = metrics.kpis(make_envios({}))
    written = exports.export_tables({"kpis": kpis}, tmp_path, "resumen", ["json"])
    assert [p.name for p in written] == ["kpis.json"]
    assert not (tmp_path / "kpis.csv").exists() and not (tmp_path / "resumen.xlsx").exists()


def test_tables_over_the_limit_are_split_into_numbered_parts(tmp_path):
    frame = pd.DataFrame({"n": range(7)})
    written = exports.export_tables({"t": frame, "small": frame.head(2)}, tmp_path, "x", max_rows=3)
    names = sorted(p.name for p in written)
    assert names == [
        "small.csv",
        "small.json",
        "t_parte1.csv",
        "t_parte1.json",
        "t_parte2.csv",
        "t_parte2.json",
        "t_parte3.csv",
        "t_parte3.json",
        "x.xlsx",
    ]
    assert pd.read_csv(tmp_path / "t_parte3.csv")["n"].tolist() == [6]
    assert openpyxl.load_workbook(tmp_path / "x.xlsx").sheetnames == [
        "t_parte1",
        "t_parte2",
        "t_parte3",
        "small",
    ]


def test_part_size_env_variable(monkeypatch):
    monkeypatch.setenv(exports.MAX_ROWS_ENV, "5")
    assert exports.max_rows_per_part() == 5
    monkeypatch.setenv(exports.MAX_ROWS_ENV, "no")
    assert exports.max_rows_per_part() == exports.MAX_ROWS_PER_PART


def test_html_table_stops_at_2000_rows_and_says_so():
    html = _html.table(pd.DataFrame({"n": range(2500)}))
    assert html.count("<tr>") == 2001  # header + 2,000 rows
    assert "Se muestran las primeras 2.000 de 2.500 filas" in html
    small = _html.table(pd.DataFrame({"n": range(10)}))
    assert "Se muestran" not in small


def test_html_table_formats_spanish_numbers_percentages_and_no_informado():
    frame = pd.DataFrame(
        {
            "envios": [1234567],
            "pct_vistas": pd.array([0.125], dtype="Float64"),
            "leido": pd.array([None], dtype="boolean"),
            "etapa": ["leido"],
        }
    )
    html = _html.table(frame)
    assert ">1.234.567<" in html and ">12,5 %<" in html and ">no informado<" in html
    assert ">Leído<" in html  # code shown with its label
    assert _html.table(frame.head(0)).count("No hay filas") == 1
