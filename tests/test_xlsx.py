"""The streaming XLSX writer read back with two independent readers (openpyxl, python-calamine).

Timestamps to the second, no needless ZIP64, text never formulas and cut at Excel's 32,767
characters (counted), no "number stored as text" warnings, and, end to end, every value of
every workbook of a demo run equal to its CSV.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook

from outbound_analysis import _xlsx, exports
from outbound_analysis.labels import column_label

TZ = "America/Argentina/Buenos_Aires"


def _zip64_extras(path: Path) -> list[str]:
    """Parts whose local header or central directory entry carries a ZIP64 extra field (0x0001)."""
    found = []
    with zipfile.ZipFile(path) as book, path.open("rb") as raw:
        for info in book.infolist():
            if _has_zip64(info.extra):
                found.append(f"{info.filename} (directorio central)")
            raw.seek(info.header_offset)
            head = raw.read(30)
            assert head[:4] == b"PK\x03\x04"
            name_len, extra_len = struct.unpack("<HH", head[26:30])
            raw.seek(info.header_offset + 30 + name_len)
            if _has_zip64(raw.read(extra_len)):
                found.append(f"{info.filename} (encabezado local)")
    return found


def _has_zip64(extra: bytes) -> bool:
    i = 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[i : i + 4])
        if kind == 0x0001:
            return True
        i += 4 + size
    return False


def _calamine_rows(path: Path, sheet: str) -> list[list[object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return [[_midnight(v) for v in row] for row in rows]


def _midnight(value: object) -> object:
    """calamine reads a date cell at 00:00:00 as a ``date``: the same instant as a datetime."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value


def test_timestamps_read_back_to_the_exact_second_with_both_readers(tmp_path):
    # 5,000 random seconds over four years: with serials rounded to 8 decimals about half
    # of them read back one second early
    rng = np.random.default_rng(7)
    seconds = rng.integers(0, 4 * 365 * 86_400, 5_000)
    times = pd.Series(pd.Timestamp("2024-01-01", tz=TZ) + pd.to_timedelta(seconds, unit="s"))
    times.iloc[3] = pd.NaT
    minutes = times.dt.floor("min")  # no seconds anywhere: shown without seconds
    frame = pd.DataFrame({"fecha": times, "fecha_minuto": minutes})
    path = exports.write_xlsx({"t": frame}, tmp_path / "t.xlsx")
    expected = [None if pd.isna(t) else t.tz_localize(None).to_pydatetime() for t in times]
    expected_min = [None if pd.isna(t) else t.tz_localize(None).to_pydatetime() for t in minutes]

    sheet = openpyxl.load_workbook(path)["t"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == expected
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == expected_min
    assert sheet["A2"].number_format == "dd/mm/yyyy hh:mm:ss"
    assert sheet["B2"].number_format == "dd/mm/yyyy hh:mm"

    rows = _calamine_rows(path, "t")[1:]
    assert [r[0] or None for r in rows] == expected
    assert [r[1] or None for r in rows] == expected_min

    # both readers round to the millisecond; Excel's display cuts to the second, so the stored
    # serial itself must be the second's (a serial rounded to 8 decimals is up to 0.43 ms off)
    with zipfile.ZipFile(path) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    serials = dict(re.findall(r'<row r="(\d+)"><c s="\d"><v>([^<]+)</v>', xml))  # column A
    epoch = dt.datetime(1899, 12, 30)
    for row, want in enumerate(expected, start=2):
        if want is None:
            assert str(row) not in serials
            continue
        true_seconds = (want - epoch).total_seconds()
        assert abs(float(serials[str(row)]) * 86_400 - true_seconds) < 1e-5, (row, want)
        assert math.floor(float(serials[str(row)]) * 86_400 + 1e-5) == true_seconds


def test_a_normal_workbook_has_no_zip64_field(tmp_path):
    frame = pd.DataFrame({"n": range(60_000), "texto": ["hola & chau <b>"] * 60_000})
    path = exports.write_xlsx({"a": frame, "b": frame.head(0)}, tmp_path / "n.xlsx")
    assert _zip64_extras(path) == []
    assert openpyxl.load_workbook(path, read_only=True)["a"].max_row == 60_001


def test_a_part_past_the_zip_limit_gets_zip64_and_still_reads_back(tmp_path, monkeypatch):
    # the limit lowered so a small sheet passes it: that part, and only that one, says ZIP64
    # (which also shows the helper above finds a ZIP64 field when there is one)
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 2_000)
    big = pd.DataFrame({"n": range(300), "t": ["x & y"] * 300})
    path = exports.write_xlsx({"grande": big, "chica": big.head(2)}, tmp_path / "z.xlsx")
    found = _zip64_extras(path)  # (past the lowered limit, later offsets need ZIP64 in the directory)
    assert "xl/worksheets/sheet1.xml (encabezado local)" in found
    assert "xl/worksheets/sheet2.xml (encabezado local)" not in found
    monkeypatch.undo()
    rows = _openpyxl_rows(path, "grande")
    assert len(rows) == 301 and rows[-1] == [299, "x & y"]
    assert [r[1] for r in _calamine_rows(path, "grande")[1:]] == ["x & y"] * 300


def test_sheets_built_side_by_side_share_one_string_table(tmp_path, monkeypatch):
    # several sheets with categories at once: each index means one text in every sheet
    monkeypatch.setattr(_xlsx, "CHUNK_ROWS", 7)
    sheets = {
        f"h{i}": pd.DataFrame({"c": pd.Categorical([f"v{(i + j) % 13}" for j in range(200)])})
        for i in range(6)
    }
    path = tmp_path / "c.xlsx"
    assert _xlsx.write_workbook(sheets, path) == {}  # no cell cut
    for name, frame in sheets.items():
        assert [r[0] for r in _openpyxl_rows(path, name)[1:]] == list(frame["c"])
        assert [r[0] for r in _calamine_rows(path, name)[1:]] == list(frame["c"])


def test_text_is_never_a_formula_and_long_text_is_cut_and_counted(tmp_path):
    long_ascii = "a" * 40_000
    emoji = "😀" * 20_000  # 40,000 UTF-16 units: cut between pairs, never inside one
    just_fits = "é" * 32_767  # 65,534 UTF-8 bytes but 32,767 characters: not cut
    frame = pd.DataFrame(
        {
            "mensaje": pd.array(['=HYPERLINK("http://x")', long_ascii, emoji, just_fits], dtype="string"),
            "opcion": pd.Categorical(["+1", "b" * 33_000, "b" * 33_000, None]),
        }
    )
    assert _xlsx.long_text_cells(frame) == 4
    path = exports.write_xlsx({"t": frame}, tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as book:
        assert b"<f>" not in book.read("xl/worksheets/sheet1.xml")
    sheet = openpyxl.load_workbook(path)["t"]
    assert sheet["A2"].value == '=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "+1"
    assert sheet["A3"].value == "a" * 32_767
    assert sheet["A4"].value == "😀" * 16_383  # 32,766 units: the last pair does not fit
    assert sheet["A5"].value == just_fits
    assert sheet["B3"].value == "b" * 32_767 and sheet["B5"].value is None
    calamine = _calamine_rows(path, "t")
    assert calamine[1][0] == '=HYPERLINK("http://x")' and calamine[2][0] == "a" * 32_767


def test_sheets_declare_numbers_stored_as_text_are_not_an_error(tmp_path):
    frame = pd.DataFrame({"contacto_id": pd.array(["17841400000000001", "5491155550000"], dtype="string")})
    path = exports.write_xlsx({"t": frame}, tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert '<ignoredError sqref="A1:A3" numberStoredAsText="1"/>' in xml
    assert xml.index("<ignoredErrors>") > xml.index("<autoFilter")  # the schema's order
    sheet = openpyxl.load_workbook(path)["t"]
    assert sheet["A2"].value == "17841400000000001"  # 17 digits, all kept, as text


# --------------------------------------------------------------------- end to end


def _csv_value(text: str) -> str:
    """Undo the CSV's formula guard: a ``'`` before ``= + - @`` tab or CR."""
    if text.startswith("'") and text[1:2] and text[1] in exports.FORMULA_START:
        return text[1:]
    return text


def _same(cell: object, text: str) -> bool:
    """Whether an XLSX cell read back equals the CSV text of the same cell."""
    if cell is None or cell == "":
        return text == ""
    if isinstance(cell, bool):
        return text == ("true" if cell else "false")
    if isinstance(cell, dt.datetime):
        csv = dt.datetime.fromisoformat(text).replace(tzinfo=None)
        return cell == csv and cell.microsecond == 0
    if isinstance(cell, int | float):
        return text != "" and float(text) == float(cell)
    return cell == _csv_value(text)


def _csv_for(folder: Path, sheet: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{sheet}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.mark.slow
def test_every_xlsx_of_the_demo_run_equals_its_csv_with_two_readers(demo_reports):
    checked = 0
    for informe in ("resumen", "detallado", "flujos"):
        folder = demo_reports / informe
        path = folder / f"{informe}.xlsx"
        assert _zip64_extras(path) == [], informe
        book = openpyxl.load_workbook(path, read_only=True)
        assert {"rechazos", "carga"} <= set(book.sheetnames)
        assert book.sheetnames[-2:] == ["rechazos", "carga"]
        calamine = CalamineWorkbook.from_path(str(path))
        for sheet in book.sheetnames:
            csv = _csv_for(folder, sheet)
            by_openpyxl = [list(r) for r in book[sheet].iter_rows(values_only=True)]
            by_calamine = [
                [_midnight(v) for v in row]
                for row in calamine.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            ]
            for reader, rows in (("openpyxl", by_openpyxl), ("calamine", by_calamine)):
                assert rows[0] == [column_label(c) for c in csv.columns], (informe, sheet, reader)
                assert len(rows) == len(csv) + 1, (informe, sheet, reader)
                for i, (cells, texts) in enumerate(zip(rows[1:], csv.itertuples(index=False), strict=True)):
                    assert len(cells) == len(texts)
                    for column, cell, text in zip(csv.columns, cells, texts, strict=True):
                        assert _same(cell, text), (informe, sheet, reader, i + 2, column, cell, text)
                        checked += 1
    assert checked > 2 * 3000 * 24  # every cell of the 3,000-send detail, twice


@pytest.mark.slow
def test_demo_timestamps_have_seconds_and_show_them(demo_reports):
    sheet = openpyxl.load_workbook(demo_reports / "detallado" / "detallado.xlsx", read_only=True)["envios"]
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    column = header.index(column_label("fecha_envio"))
    cells = [r[column] for r in sheet.iter_rows(min_row=2, max_row=200)]
    assert any(c.value.second for c in cells)
    assert {c.number_format for c in cells} == {"dd/mm/yyyy hh:mm:ss"}


def test_null_and_arrow_typed_columns_agree_with_the_csv(tmp_path):
    arrow_ts = pd.ArrowDtype(pa.timestamp("us", tz=TZ))
    frame = pd.DataFrame(
        {
            "cuenta": [1, 2],  # a row of only empty cells is no row for a reader
            "nulo": pd.Series([None, None], dtype=pd.ArrowDtype(pa.null())),
            "objeto": [None, None],
            "sin_fecha": pd.Series([pd.NaT, pd.NaT], dtype=f"datetime64[ns, {TZ}]"),
            "fecha_arrow": pd.Series([pd.Timestamp("2026-08-01 10:00:05", tz="UTC"), None], dtype=arrow_ts),
        }
    )
    for rows in (frame, frame.head(0)):
        exports.write_xlsx({"t": rows}, tmp_path / "t.xlsx")
        exports.write_csv(rows, tmp_path / "t.csv")
        csv = _csv_for(tmp_path, "t")
        sheet = list(openpyxl.load_workbook(tmp_path / "t.xlsx")["t"].iter_rows(values_only=True))
        assert len(sheet) == len(rows) + 1
        for cells, texts in zip(sheet[1:], csv.itertuples(index=False), strict=True):
            assert all(_same(c, t) for c, t in zip(cells, texts, strict=True)), (cells, texts)
    assert sheet == [("Cuenta", "Nulo", "Objeto", "Sin fecha", "Fecha arrow")]
    assert csv.columns.tolist() == list(frame.columns)


def _openpyxl_rows(path: Path, sheet: str) -> list[list[object]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]


def test_categories_are_shared_strings_stored_once_for_the_whole_workbook(tmp_path):
    names = pd.Categorical(["Promo <A>", "Promo B", "Promo <A>", None, " con espacio "])
    first = pd.DataFrame({"campana": names, "n": [1, 2, 3, 4, 5]})
    second = pd.DataFrame({"campana": pd.Categorical(["Promo B", "Otra"])})
    path = tmp_path / "x.xlsx"
    _xlsx.write_workbook({"a": first, "b": second}, path)
    with zipfile.ZipFile(path) as book:
        shared = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    # each distinct text once (escaped), counted per cell: 4 in the first sheet, 2 in the second
    assert 'count="6" uniqueCount="4"' in shared and shared.count("Promo &lt;A&gt;") == 1
    assert '<si><t xml:space="preserve"> con espacio </t></si>' in shared
    assert (
        sheet.count('t="s"') == 4 and "inlineStr" not in sheet.split("<sheetData>")[1].split("</row>", 1)[1]
    )
    expected = [
        ["campana", "n"],
        ["Promo <A>", 1],
        ["Promo B", 2],
        ["Promo <A>", 3],
        [None, 4],
        [" con espacio ", 5],
    ]
    assert _openpyxl_rows(path, "a") == expected
    calamine = [[None if v == "" else v for v in row] for row in _calamine_rows(path, "a")]
    assert calamine == [[r[0], float(r[1]) if isinstance(r[1], int) else r[1]] for r in expected]
    assert _openpyxl_rows(path, "b") == [["campana"], ["Promo B"], ["Otra"]]


def test_only_texts_whose_spaces_matter_say_xml_space_preserve(tmp_path):
    texts = ["  dos espacios", "al final ", "sin nada", "línea\nnueva", "tab\tadentro", "a & b"]
    path = tmp_path / "x.xlsx"
    _xlsx.write_workbook({"t": pd.DataFrame({"mensaje": pd.array(texts, dtype="string")})}, path)
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    cells = re.findall(r'<c[^>]*><is><t( xml:space="preserve")?>', sheet)
    assert [bool(p) for p in cells] == [False, True, True, False, True, True, False]  # the header first
    assert [r[0] for r in _openpyxl_rows(path, "t")[1:]] == texts
    assert [r[0] for r in _calamine_rows(path, "t")[1:]] == texts


def test_cells_without_references_stay_in_their_columns_around_na(tmp_path):
    # data cells carry no r="B7" (a cell's column is its place in the row): an NA must still
    # take its place, first, in the middle and last, for openpyxl and for calamine
    frame = pd.DataFrame(
        {
            "a": pd.array([None, "x", "y"], dtype="string"),
            "b": pd.array([1, None, 3], dtype="Int64"),
            "c": pd.Series(["WA", None, "IG"], dtype="category"),
            "d": pd.array([True, None, False], dtype="boolean"),
            "e": pd.to_datetime(["2026-08-01 09:15", None, None]),
            "f": pd.array(["z", None, None], dtype="string"),
        }
    )
    path = tmp_path / "na.xlsx"
    _xlsx.write_workbook({"t": frame}, path)
    expected = [
        [None, 1, "WA", True, dt.datetime(2026, 8, 1, 9, 15), "z"],
        ["x", None, None, None, None, None],
        ["y", 3, "IG", False, None, None],
    ]
    assert _openpyxl_rows(path, "t")[1:] == expected
    calamine = [[None if v == "" else v for v in row] for row in _calamine_rows(path, "t")[1:]]
    assert calamine == [[float(v) if type(v) is int else v for v in row] for row in expected]
    with zipfile.ZipFile(path) as book:
        data = book.read("xl/worksheets/sheet1.xml").decode().split("</row>", 1)[1]
    assert "<c r=" not in data and data.count("<c/>") == 8


def test_the_carga_sheet_counts_are_numbers(tmp_path):
    # as a notebook exports (JupyterLab's Exportar): each report loads only the tables it reads,
    # and the load report of the table it skips once turned every count into text in the XLSX
    # (Excel flags a number stored as text, and neither sums nor sorts it)
    from outbound_analysis import Informe

    demo = Path(__file__).resolve().parent.parent / "data" / "demo"
    for informe in ("resumen", "detallado", "flujos"):
        inf = Informe(informe, envios=str(demo / "envios_*.csv"), eventos=str(demo / "eventos.xlsx"))
        inf.escribir(tmp_path / informe)
        sheet = openpyxl.load_workbook(tmp_path / informe / f"{informe}.xlsx", read_only=True)["carga"]
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        for name in ("leidas", "cargadas", "rechazadas", "duplicadas", "reemplazadas"):
            values = [r[header.index(column_label(name))] for r in rows[1:]]
            assert values and all(isinstance(v, int) for v in values), (informe, name, values)
