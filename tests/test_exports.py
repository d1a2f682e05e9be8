"""Exports (CSV, JSON, XLSX, parts) and the HTML table rules, read back as an analyst would."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from conftest import ROOT, make_envios, make_eventos

from outbound_analysis import Informe, _celdas, _display, _html, _json, exports, metrics
from outbound_analysis.labels import column_label
from outbound_analysis.load import load_data


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


# ----------------------------------------------------------------- CSV for tools, XLSX for Excel


def test_csv_is_utf8_with_bom_and_pandas_and_our_loader_read_it(detail, tmp_path):
    path = exports.write_csv(detail, tmp_path / "envios.csv")
    raw = path.read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"envio_id"')  # Excel reads "interés", not "interÃ©s"
    assert "interés alto".encode() in raw
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back.columns) == metrics.ENVIOS_DETAIL_COLUMNS
    assert back["etiquetas"].iloc[0] == "interés alto|pago con tarjeta"
    data = load_data(str(path))
    assert len(data.envios) == 2 and data.archivos["formato"].item() == "CSV ',', UTF-8 con BOM"


FORMULAS = ["=SUMA(A1:A9)", "+5491155550000", "-hola", "@x", "\tx", "\rx", "hola", None, "a=b"]


def test_formula_like_text_gets_a_quote_in_csv_but_not_in_json_or_xlsx(tmp_path):
    frame = pd.DataFrame(
        {
            "mensaje": pd.array(FORMULAS, dtype="string"),
            "opcion": pd.Categorical(["=1+1", "ok", "ok", "-x", "ok", "ok", "ok", None, "ok"]),
            "etiquetas": pd.array(
                [["=a", "b"], ["b"], None, ["@c"], [], ["x"], ["y"], ["z"], ["-"]],
                dtype=pd.ArrowDtype(pa.list_(pa.string())),
            ),
            "valor": pd.array(["x", "y", "z", "w", "v", "u", "t", "s", "-3"], dtype=object),
            "n": [-1, 2, -3, 4, 5, 6, 7, 8, -9],
            "pct": pd.array([-0.5, None, 1, 0, 0, 0, 0, 0, 0], dtype="Float64"),
        }
    )
    before = frame.copy()
    exports.write_csv(frame, tmp_path / "t.csv")
    csv = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert csv["mensaje"].tolist() == [
        "'=SUMA(A1:A9)",
        "'+5491155550000",
        "'-hola",
        "'@x",
        "'\tx",
        "'\rx",
        "hola",
        "",
        "a=b",
    ]
    assert csv["opcion"].tolist()[:4] == ["'=1+1", "ok", "ok", "'-x"]
    assert csv["etiquetas"].tolist()[:4] == ["'=a|b", "b", "", "'@c"] and csv["etiquetas"].iloc[8] == "'-"
    assert csv["valor"].iloc[8] == "'-3"  # text that looks like a number is still text
    assert csv["n"].tolist() == ["-1", "2", "-3", "4", "5", "6", "7", "8", "-9"]  # numbers untouched
    assert csv["pct"].iloc[0] == "-0.5"
    pd.testing.assert_frame_equal(frame, before)  # the frame itself is not changed

    rows = json.loads(exports.write_json(frame, tmp_path / "t.json").read_text(encoding="utf-8"))
    assert [r["mensaje"] for r in rows] == FORMULAS  # JSON keeps the text as is
    assert rows[0]["etiquetas"] == ["=a", "b"] and rows[0]["opcion"] == "=1+1"

    exports.write_xlsx({"t": frame}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    assert [sheet.cell(r, 1).value for r in range(2, 11)] == FORMULAS
    assert all(sheet.cell(r, 1).data_type == "s" for r in (2, 3, 4))  # text, never a formula


def _tables_of_every_kind() -> dict[str, pd.DataFrame]:
    env = make_envios(
        {"leido": True, "respondido": True, "etiquetas": "interés alto", "fecha_lectura": "2026-08-10 10:05"}
    )
    ev = make_eventos(
        {"conversacion_id": "c1", "fecha": "2026-08-10 10:01", "autor": "cliente", "mensaje": "hola"}
    )
    tables = {}
    for informe in metrics.TABLES:
        tables.update(metrics.compute(informe, env, ev if informe == "flujos" else None))
    return tables


def test_empty_tables_of_every_kind_export_their_headers(tmp_path):
    tables = {name: frame.head(0) for name, frame in _tables_of_every_kind().items()}
    kinds = {str(t) for frame in tables.values() for t in frame.dtypes}
    assert {"category", "int64", "Float64", "boolean"} <= kinds
    assert any("datetime64" in k for k in kinds) and any("list" in k for k in kinds)
    rejects = pd.DataFrame({c: pd.Series(dtype="string") for c in ["tabla", "archivo", "valor", "motivo"]})
    result = exports.export_report(tables, tmp_path, "x", rechazos=rejects, carga=_carga())
    assert result.cut == {}
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert book.sheetnames == [*tables, "rechazos", "carga"]
    for name, frame in {**tables, "rechazos": rejects}.items():
        csv = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, encoding="utf-8-sig")
        assert list(csv.columns) == list(frame.columns) and csv.empty, name
        if name != "rechazos":
            assert json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8")) == [], name
        rows = list(book[name].iter_rows(values_only=True))
        assert rows == [tuple(column_label(c) for c in frame.columns)], name


def _carga() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tabla": ["envios"],
            "archivo": ["datos/envios.csv"],
            "formato": ["CSV ';', Windows-1252"],
            "leidas": [3],
            "cargadas": [2],
            "rechazadas": [1],
            "duplicadas": [0],
            "reemplazadas": [0],
            "columnas_ignoradas": [""],
        }
    )


def test_rechazos_and_carga_are_sheets_and_cut_cells_are_counted_in_carga(tmp_path):
    long = "x" * 40_000
    table = pd.DataFrame({"mensaje": pd.array([long, "corto", long], dtype="string"), "n": [1, 2, 3]})
    rejects = pd.DataFrame(
        {
            "tabla": ["envios"],
            "archivo": ["datos/envios.csv"],
            "fila": [7],
            "columna": ["campana"],
            "valor": [long],
            "motivo": ["valor ilegible"],
        }
    )
    result = exports.export_report(
        {"mensajes": table}, tmp_path, "flujos", rechazos=rejects, carga=_carga(), max_rows=2
    )
    assert result.cut == {"mensajes_parte1": 1, "mensajes_parte2": 1, "rechazos": 1}
    assert [p.name for p in result.files][-3:] == ["flujos.xlsx", "rechazos.csv", "carga.csv"]
    carga = pd.read_csv(tmp_path / "carga.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert carga[exports.CUT_COLUMN].tolist() == ["0", "1", "1", "1"]
    assert carga["tabla"].tolist() == ["envios", "xlsx", "xlsx", "xlsx"]
    assert carga["archivo"].tolist()[1:] == [
        "flujos.xlsx, hoja mensajes_parte1",
        "flujos.xlsx, hoja mensajes_parte2",
        "flujos.xlsx, hoja rechazos",
    ]
    assert carga["leidas"].tolist() == ["3", "", "", ""]  # counts stay integers, empty for the xlsx rows
    book = openpyxl.load_workbook(tmp_path / "flujos.xlsx")
    assert book.sheetnames == ["mensajes_parte1", "mensajes_parte2", "rechazos", "carga"]
    assert book["rechazos"]["E2"].value == "x" * 32_767  # cut in the XLSX...
    whole = pd.read_csv(tmp_path / "rechazos.csv", encoding="utf-8-sig")["valor"].item()
    assert whole == long  # ...whole in the CSV
    sheet = book["carga"]
    header = [c.value for c in sheet[1]]
    column = header.index(column_label(exports.CUT_COLUMN)) + 1
    assert [sheet.cell(r, column).value for r in range(2, 6)] == [0, 1, 1, 1]


def test_without_cuts_carga_says_zero_and_has_no_xlsx_rows(tmp_path):
    exports.export_report({"t": pd.DataFrame({"a": ["b"]})}, tmp_path, "r", rechazos=None, carga=_carga())
    carga = pd.read_csv(tmp_path / "carga.csv", encoding="utf-8-sig")
    assert carga["tabla"].tolist() == ["envios"] and carga[exports.CUT_COLUMN].tolist() == [0]
    assert carga["leidas"].tolist() == [3]


def test_export_message_says_how_many_cells_the_xlsx_cut(tmp_path, monkeypatch):
    path = tmp_path / "envios.csv"
    long = "Campaña " + "x" * 33_000
    path.write_text(
        "envio_id,fecha_envio,campana,origen,canal,contacto_id,estado\n"
        f"1,2026-08-01 10:00,{long},plantilla,WA,5491100000001,exitoso\n"
        f"2,2026-08-01 10:00,{long},plantilla,WA,5491100000002,exitoso\n",
        encoding="utf-8",
    )
    shown: list[object] = []
    monkeypatch.setattr(_display, "show", shown.extend)
    inf = Informe("detallado", envios=str(path))
    inf.exportar(tmp_path / "salida")
    text = " ".join(str(p) for p in shown)
    # the campaign name is cut once per row that carries it: detallado and comparacion (one row
    # per campaign), envios (per send: 2) and tiempos (the campaign's 3 etapas; "(todas)" is short)
    assert "El XLSX cortó 7 celdas de texto en 32.767 caracteres" in text
    assert "hojas: detallado (1), envios (2), tiempos (3), comparacion (1))" in text
    carga = pd.read_csv(tmp_path / "salida" / "carga.csv", encoding="utf-8-sig")
    assert carga[exports.CUT_COLUMN].sum() == 7


def test_docs_say_which_export_is_for_excel_and_how_cuts_are_counted():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "**En Excel abrí el XLSX**" in readme and "UTF-8 con BOM" in readme
    doc = (ROOT / "docs" / "contrato.md").read_text(encoding="utf-8")
    assert f"`{exports.CUT_COLUMN}`" in doc and "`INFORME.xlsx, hoja HOJA`" in doc
    assert "`'+5491155550000`" in doc  # phones with + get the quote too, and it is said


def _chunked(frame: pd.DataFrame, size: int) -> exports.Lotes:
    """``frame`` as chunks of ``size`` rows (a fresh iterator per call), as a streaming engine gives it."""

    def leer():
        for start in range(0, len(frame), size):
            yield frame.iloc[start : start + size].reset_index(drop=True)

    return exports.Lotes(leer, frame.iloc[:0])


def _cells(path, sheet):
    return [[c.value for c in row] for row in openpyxl.load_workbook(path)[sheet].iter_rows()]


@pytest.mark.parametrize("max_filas", ["", "4"])
def test_a_table_in_chunks_writes_the_same_files_as_the_whole_table(tmp_path, monkeypatch, max_filas):
    """CSV and JSON byte for byte, XLSX cell by cell; also when the table is split in parts."""
    monkeypatch.setenv(exports.MAX_ROWS_ENV, max_filas)
    path = ROOT / "tests" / "data" / "envios_fixture.csv"
    detail = metrics.envios_detalle(load_data(path).envios)
    assert len(detail) > 8  # several parts of 4 rows, the last one shorter
    whole, chunked = tmp_path / "whole", tmp_path / "chunked"
    exports.export_report({"envios": detail}, whole, "detallado")
    exports.export_report({"envios": _chunked(detail, 3)}, chunked, "detallado")
    names = sorted(p.name for p in whole.iterdir())
    assert names == sorted(p.name for p in chunked.iterdir())
    if max_filas:
        assert "envios_parte1.csv" in names and "envios.csv" not in names
    for name in names:
        if not name.endswith(".xlsx"):
            assert (whole / name).read_bytes() == (chunked / name).read_bytes(), name
    sheets = openpyxl.load_workbook(whole / "detallado.xlsx").sheetnames
    assert sheets == openpyxl.load_workbook(chunked / "detallado.xlsx").sheetnames
    for sheet in sheets:
        assert _cells(whole / "detallado.xlsx", sheet) == _cells(chunked / "detallado.xlsx", sheet), sheet
    back = pd.read_excel(chunked / "detallado.xlsx", sheet_name=None, engine="calamine")  # a 2nd reader
    assert sum(len(back[s]) for s in sheets if s.startswith("envios")) == len(detail)


def test_a_chunked_table_is_read_from_its_source_once_per_export(tmp_path, monkeypatch):
    """Four readings (CSV, JSON, XLSX measure and write) come from one spill file, then removed."""
    monkeypatch.setenv(exports.MAX_ROWS_ENV, "4")
    detail = metrics.envios_detalle(load_data(ROOT / "tests" / "data" / "envios_fixture.csv").envios)
    source = _chunked(detail, 3)
    calls = []

    def leer():
        calls.append(1)
        return source.leer()

    exports.export_report({"envios": exports.Lotes(leer, source.molde)}, tmp_path / "a", "detallado")
    exports.export_report({"envios": detail}, tmp_path / "b", "detallado")
    assert len(calls) == 1
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())  # no spill file left
    for name in names:
        if not name.endswith(".xlsx"):
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_an_empty_chunked_table_is_a_header_only(tmp_path):
    detail = metrics.envios_detalle(load_data(ROOT / "tests" / "data" / "envios_fixture.csv").envios)
    empty = exports.Lotes(lambda: iter(()), detail.iloc[:0])
    exports.export_report({"envios": detail.iloc[:0]}, tmp_path / "a", "detallado")
    exports.export_report({"envios": empty}, tmp_path / "b", "detallado")
    for name in ("envios.csv", "envios.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    books = [tmp_path / folder / "detallado.xlsx" for folder in ("a", "b")]
    assert _cells(books[0], "envios") == _cells(books[1], "envios")


def _pandas_json(frame: pd.DataFrame) -> str:
    """What pandas' own writer gives for the frame, as write_json prepares it."""
    lists = [c for c in frame.columns if _celdas.is_list(frame[c])]
    text = exports.for_text(frame.drop(columns=lists))
    for c in lists:
        text[c] = pd.Series(frame[c].tolist(), index=frame.index, dtype=object)
    return text[list(frame.columns)].to_json(orient="records", force_ascii=False)


def test_json_is_written_byte_for_byte_as_pandas_writes_it(tmp_path):
    """The Arrow JSON writer keeps pandas' escapes (slash, controls) and number format."""
    tricky = ["a/b", 'q"\\x', "\x01\x1f\n\t\r\b\f\x0b", "ñ€😀", "\u2028<>&", None, "=1+1", ""]
    frame = pd.DataFrame(
        {
            "texto": pd.Series(tricky, dtype="string"),
            "categoria": pd.Series(tricky, dtype="category"),
            "bandera": pd.array([True, False, None, True, False, True, None, False], dtype="boolean"),
            "n": [1, 2, 3, 4, 5, -6, 0, 10**12],
            "nn": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int64"),
            "pct": pd.array([0.1, 1 / 3, 2.0, 1e-7, 123456789.123, None, 0.0, 1e20], dtype="Float64"),
            "etiquetas": pd.Series(
                [["a/b", 'c"'], [], None, ["x"], ["ñ"], ["1", "2", "3"], None, ["\n"]],
                dtype=pd.ArrowDtype(pa.list_(pa.string())),
            ),
            "fecha": pd.to_datetime(["2026-08-01T09:15:00-03:00"] * 7 + [None], utc=True).tz_convert(
                "America/Argentina/Buenos_Aires"
            ),
        }
    )
    path = exports.write_json(frame, tmp_path / "t.json")
    assert path.read_text(encoding="utf-8") == _pandas_json(frame)
    for name, table in _tables_of_every_kind().items():
        written = exports.write_json(table, tmp_path / f"{name}.json").read_text(encoding="utf-8")
        assert written == _pandas_json(table), name
    text = exports.for_text(frame.drop(columns="etiquetas")).assign(etiquetas=frame["etiquetas"])
    assert _json.json_records(text[list(frame.columns)]) is not None  # Arrow's path, not pandas'
