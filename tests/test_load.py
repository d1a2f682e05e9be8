"""The loader (CONTRACT §1): formats, headers, values, bad input and the load report.

Every input is written by the test itself into ``tmp_path``; CSV text is encoded by hand
so each encoding and separator is the one under test.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from outbound_analysis import schema
from outbound_analysis.errors import DataError
from outbound_analysis.load import REJECT_COLUMNS, Dataset, load_data, load_table

TZ = "America/Argentina/Buenos_Aires"
REQUIRED = ["envio_id", "fecha_envio", "campana", "origen", "canal", "contacto_id", "estado"]
COUNTS = ["leidas", "cargadas", "rechazadas", "duplicadas", "reemplazadas"]


def local(text: str, tz: str = TZ) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize(tz)


def write_csv(
    path: Path, header: list[str], rows: list[list[object]], sep: str = ",", encoding: str = "utf-8"
) -> Path:
    """A CSV written byte by byte (no quoting: the tests keep separators out of values)."""
    lines = [sep.join(header)] + [sep.join("" if v is None else str(v) for v in r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def envio(n: int = 1, **values: object) -> dict[str, object]:
    """One valid send in canonical columns, with some values overridden."""
    row: dict[str, object] = {
        "envio_id": f"E{n}",
        "fecha_envio": "2026-08-10 10:00",
        "campana": "Campaña A",
        "origen": "plantilla",
        "canal": "WA",
        "contacto_id": f"54911{n:08d}",
        "estado": "exitoso",
    }
    row.update(values)
    return row


def envios_csv(path: Path, rows: list[dict[str, object]], sep: str = ",", encoding: str = "utf-8") -> Path:
    header = list(dict.fromkeys(k for r in rows for k in r))
    return write_csv(path, header, [[r.get(h) for h in header] for r in rows], sep, encoding)


def one_column(tmp_path: Path, column: str, values: list[str], **kw: object) -> Dataset:
    """Load sends that differ only in ``column`` (one row per value, in order)."""
    rows = [envio(i + 1, **{column: v}) for i, v in enumerate(values)]
    return load_data(envios_csv(tmp_path / "envios.csv", rows), **kw)


def counts(datos: Dataset, archivo: Path) -> dict[str, int]:
    row = datos.archivos[datos.archivos["archivo"] == str(archivo)].iloc[0]
    return {c: int(row[c]) for c in COUNTS}


def assert_identity(datos: Dataset) -> None:
    for r in datos.archivos.itertuples():
        assert r.leidas == r.cargadas + r.rechazadas + r.duplicadas + r.reemplazadas, r


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("sep", [",", ";"])
@pytest.mark.parametrize(
    ("encoding", "label"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 con BOM"),
        ("cp1252", "Windows-1252"),
        ("latin-1", "Windows-1252"),
    ],
)
def test_csv_separators_and_encodings_keep_accents(tmp_path, sep, encoding, label):
    header = [
        "ID de envío",
        "Fecha de envío",
        "Nombre de campaña",
        "Tipo de origen",
        "Canal",
        "Teléfono",
        "Estado",
        "Agente",
    ]
    rows = [
        [
            "1",
            "2026-08-01 10:00",
            "Campaña Peña",
            "Campaña de flujo",
            "WA",
            "5491155550000",
            "Enviado",
            "José Núñez",
        ],
        ["2", "2026-08-02 11:00", "Campaña Peña", "Plantilla", "WA", "5491155550001", "Error", "María"],
    ]
    path = write_csv(tmp_path / "envios.csv", header, rows, sep, encoding)
    datos = load_data(path)
    env = datos.envios
    # the first header also maps when a BOM precedes it
    assert env["envio_id"].tolist() == ["1", "2"]
    assert env["campana"].tolist() == ["Campaña Peña", "Campaña Peña"]
    assert env["agente"].tolist() == ["José Núñez", "María"]
    assert env["origen"].tolist() == ["flujo", "plantilla"]
    formato = datos.archivos.loc[0, "formato"]
    assert label in formato
    assert f"'{sep}'" in formato
    assert datos.archivos.loc[0, "columnas_ignoradas"] == ""


def test_cp1252_accent_only_after_first_64_kib(tmp_path):
    """Encoding sniffing reads the head only; a later Windows-1252 byte must still load."""
    rows = [envio(i, campana="Campana") for i in range(1, 1500)] + [envio(1500, campana="Peña")]
    path = envios_csv(tmp_path / "envios.csv", rows, sep=";", encoding="cp1252")
    assert path.stat().st_size > 1 << 16
    env = load_data(path).envios
    assert len(env) == 1500
    assert env["campana"].iloc[-1] == "Peña"


def test_xlsx_first_sheet_datetime_cells_and_numeric_phones(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Envios"
    ws.append(
        [
            "ID de envío",
            "Fecha de envío",
            "Nombre de campaña",
            "Tipo de origen",
            "Canal",
            "Teléfono",
            "Estado",
            "Leído",
            "Fecha de lectura",
        ]
    )
    ws.append(
        [
            1001,
            dt.datetime(2026, 8, 1, 10, 30),
            "Campaña Peña",
            "Campaña de flujo",
            "WA +5491155550000",
            5491155550000,
            "Enviado",
            True,
            dt.datetime(2026, 8, 1, 10, 45, 5),
        ]
    )
    ws.append(
        [
            1002,
            dt.datetime(2026, 8, 2, 23, 59, 59),
            "Campaña Peña",
            "Plantilla",
            "WA",
            5491155550001.0,
            "Error",
            None,
            None,
        ]
    )
    other = wb.create_sheet("Otra hoja")
    other.append(["nada", "que", "ver"])
    other.append([1, 2, 3])
    path = tmp_path / "envios.xlsx"
    wb.save(path)

    datos = load_data(path)
    env = datos.envios
    assert env["envio_id"].tolist() == ["1001", "1002"]
    assert env["contacto_id"].tolist() == ["5491155550000", "5491155550001"]
    assert env["linea"].tolist() == ["+5491155550000", None] or (
        env["linea"].iloc[0] == "+5491155550000" and pd.isna(env["linea"].iloc[1])
    )
    # Excel datetime cells carry no zone: they are local wall-clock times
    assert env["fecha_envio"].tolist() == [local("2026-08-01 10:30"), local("2026-08-02 23:59:59")]
    assert env["fecha_lectura"].iloc[0] == local("2026-08-01 10:45:05")
    assert env["leido"].iloc[0] is True or bool(env["leido"].iloc[0])
    assert pd.isna(env["leido"].iloc[1])
    assert "Excel" in datos.archivos.loc[0, "formato"]


JSON_RECORDS = [
    {
        "envio_id": "1",
        "fecha_envio": "2026-08-01T10:00:00-03:00",
        "campana": "Campaña Peña",
        "origen": "Campaña de flujo",
        "canal": "WA",
        "contacto_id": 5491155550000,
        "estado": "Enviado",
        "leido": True,
        "etiquetas": ["a", "b"],
    },
    {
        "envio_id": "2",
        "fecha_envio": "2026-08-02T01:30:00Z",
        "campana": "Campaña Peña",
        "origen": "plantilla",
        "canal": "IG",
        "contacto_id": "psid-77",
        "estado": "Error",
        "leido": None,
        "etiquetas": None,
    },
    {
        "envio_id": "3",
        "fecha_envio": "2026-08-03 09:15:00",
        "campana": "Campaña Peña",
        "origen": "plantilla",
        "canal": "WA",
        "contacto_id": 5491155550002,
        "estado": "Pendiente",
        "leido": False,
        "etiquetas": [],
    },
]


def _check_json_load(datos: Dataset) -> None:
    env = datos.envios
    assert env["envio_id"].tolist() == ["1", "2", "3"]
    # an offset is converted to the zone, Z is UTC, naive text is local
    assert env["fecha_envio"].tolist() == [
        local("2026-08-01 10:00"),
        local("2026-08-01 22:30"),
        local("2026-08-03 09:15"),
    ]
    assert env["contacto_id"].tolist() == ["5491155550000", "psid-77", "5491155550002"]
    assert env["leido"].iloc[0] == True  # noqa: E712
    assert pd.isna(env["leido"].iloc[1])
    assert env["leido"].iloc[2] == False  # noqa: E712
    assert list(env["etiquetas"].iloc[0]) == ["a", "b"]
    assert pd.isna(env["etiquetas"].iloc[1])
    assert pd.isna(env["etiquetas"].iloc[2])
    assert env["campana"].iloc[0] == "Campaña Peña"


def test_json_records(tmp_path):
    path = tmp_path / "envios.json"
    path.write_text(json.dumps(JSON_RECORDS, ensure_ascii=False, indent=2), encoding="utf-8")
    datos = load_data(path)
    _check_json_load(datos)
    assert datos.archivos.loc[0, "formato"] == "JSON de registros"


@pytest.mark.parametrize("name", ["envios.json", "envios.jsonl"])
def test_json_lines(tmp_path, name):
    path = tmp_path / name
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in JSON_RECORDS) + "\n", encoding="utf-8"
    )
    datos = load_data(path)
    _check_json_load(datos)
    assert datos.archivos.loc[0, "formato"] == "JSON por líneas"


def test_json_lines_with_uniform_types_keep_offsets(tmp_path):
    """Arrow's JSON reader would read ISO text as zone-less timestamps: offsets must survive."""
    records = [
        {
            "envio_id": "1",
            "fecha_envio": "2026-08-01T10:00:00-03:00",
            "campana": "A",
            "origen": "flujo",
            "canal": "WA",
            "contacto_id": "5491155550000",
            "estado": "exitoso",
            "fecha_lectura": "2026-08-01T13:05:00Z",
        },
        {
            "envio_id": "2",
            "fecha_envio": "2026-08-02T01:30:00Z",
            "campana": "A",
            "origen": "flujo",
            "canal": "WA",
            "contacto_id": "5491155550001",
            "estado": "exitoso",
            "fecha_lectura": "2026-08-02T02:00:00+00:00",
        },
    ]
    path = tmp_path / "envios.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    env = load_data(path).envios
    assert env["fecha_envio"].tolist() == [local("2026-08-01 10:00"), local("2026-08-01 22:30")]
    assert env["fecha_lectura"].tolist() == [local("2026-08-01 10:05"), local("2026-08-01 23:00")]


def test_json_lines_naive_text_is_local(tmp_path):
    records = [{**envio(i), "fecha_envio": f"2026-08-0{i} 10:00:00"} for i in (1, 2)]
    path = tmp_path / "envios.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    env = load_data(path).envios
    assert env["fecha_envio"].tolist() == [local("2026-08-01 10:00"), local("2026-08-02 10:00")]


def test_parquet_typed_columns(tmp_path):
    table = pa.table(
        {
            "envio_id": pa.array(["1", "2"]),
            "fecha_envio": pa.array(
                [dt.datetime(2026, 8, 2, 1, 30), dt.datetime(2026, 8, 2, 13, 0)],
                type=pa.timestamp("us", tz="UTC"),
            ),
            "campana": ["Campaña Peña", "Campaña Peña"],
            "origen": ["flujo", "webhook"],
            "canal": ["Instagram", "WA"],
            "contacto_id": pa.array([5491155550000, 5491155550001], type=pa.int64()),
            "estado": ["exitoso", "pendiente"],
            "leido": pa.array([True, None], type=pa.bool_()),
            # a naive timestamp column is local time
            "fecha_respuesta": pa.array([dt.datetime(2026, 8, 1, 22, 40), None], type=pa.timestamp("us")),
            "etiquetas": pa.array([["x", "y"], None], type=pa.list_(pa.string())),
        }
    )
    path = tmp_path / "envios.parquet"
    pq.write_table(table, path)
    datos = load_data(path)
    env = datos.envios
    assert env["fecha_envio"].tolist() == [local("2026-08-01 22:30"), local("2026-08-02 10:00")]
    assert env["fecha_respuesta"].iloc[0] == local("2026-08-01 22:40")
    assert env["respondido"].iloc[0] == True  # noqa: E712  (implied by fecha_respuesta)
    assert pd.isna(env["respondido"].iloc[1])
    assert env["canal"].tolist() == ["IG", "WA"]
    assert env["contacto_id"].tolist() == ["5491155550000", "5491155550001"]
    assert env["leido"].iloc[0] == True  # noqa: E712
    assert pd.isna(env["leido"].iloc[1])
    assert list(env["etiquetas"].iloc[0]) == ["x", "y"]
    assert datos.archivos.loc[0, "formato"] == "Parquet"


def test_list_of_files_concatenated_in_given_order(tmp_path):
    b = envios_csv(tmp_path / "b.csv", [envio(1), envio(2)])
    a = envios_csv(tmp_path / "a.csv", [envio(3)], sep=";", encoding="cp1252")
    datos = load_data([b, str(a)])
    assert datos.envios["envio_id"].tolist() == ["E1", "E2", "E3"]
    assert datos.archivos["archivo"].tolist() == [str(b), str(a)]


def test_glob_concatenates_matches_sorted_and_mixed_formats(tmp_path):
    envios_csv(tmp_path / "envios_2026-09.csv", [envio(2)])
    envios_csv(tmp_path / "envios_2026-08.csv", [envio(1)])
    (tmp_path / "envios_2026-10.json").write_text(json.dumps([envio(3)]), encoding="utf-8")
    envios_csv(tmp_path / "otro.csv", [envio(9)])
    datos = load_data(str(tmp_path / "envios_*"))
    assert datos.envios["envio_id"].tolist() == ["E1", "E2", "E3"]
    assert [Path(a).name for a in datos.archivos["archivo"]] == [
        "envios_2026-08.csv",
        "envios_2026-09.csv",
        "envios_2026-10.json",
    ]


def test_relative_paths_and_globs_from_base(tmp_path):
    (tmp_path / "datos").mkdir()
    envios_csv(tmp_path / "datos" / "envios_1.csv", [envio(1)])
    datos = load_data("datos/envios_*.csv", base=tmp_path)
    assert datos.envios["envio_id"].tolist() == ["E1"]


def test_load_table_returns_only_loaded_rows(tmp_path):
    path = envios_csv(tmp_path / "envios.csv", [envio(1), envio(2, fecha_envio="")])
    env = load_table("envios", path)
    assert env["envio_id"].tolist() == ["E1"]
    assert list(env.columns) == schema.column_names("envios")


def test_eventos_labels_and_columns(tmp_path):
    path = write_csv(
        tmp_path / "eventos.csv",
        [
            "ID de conversación",
            "Fecha y hora",
            "Emisor",
            "Texto",
            "Paso del flujo",
            "Opción elegida",
            "Tipificación",
            "Tipo de tipificación",
            "Etiqueta",
            "Tipo de finalización",
        ],
        [
            ["c1", "01/08/2026 10:00:05", "Bot", "¿Querés pagar?", "Menú", None, None, None, None, None],
            [
                "c1",
                "01/08/2026 10:01",
                "Contacto",
                "sí",
                "Menú",
                "Pagar",
                "Pago",
                "Fin autogestionado",
                "interés alto",
                "Finalización automática",
            ],
            ["c1", "01/08/2026 10:02", "Asesor", "hola", None, None, None, "Algo Propio", None, "Asignado"],
        ],
        sep=";",
        encoding="cp1252",
    )
    datos = load_data(envios_csv(tmp_path / "envios.csv", [envio(1)]), path)
    ev = datos.eventos
    assert list(ev.columns) == schema.column_names("eventos")
    assert ev["autor"].tolist() == ["bot", "cliente", "agente"]
    assert ev["fecha"].tolist() == [
        local("2026-08-01 10:00:05"),
        local("2026-08-01 10:01"),
        local("2026-08-01 10:02"),
    ]
    assert ev["mensaje"].iloc[0] == "¿Querés pagar?"
    assert ev["opcion"].iloc[1] == "Pagar"
    assert ev["etiqueta"].iloc[1] == "interés alto"
    assert ev["finalizacion"].tolist()[1:] == ["finalizacion_automatica", "asignacion"]
    # tipo_tipificacion: known labels to codes, other values kept normalized
    assert ev["tipo_tipificacion"].tolist()[1:] == ["fin_autogestion", "algo_propio"]
    assert datos.archivos["tabla"].tolist() == ["envios", "eventos"]


# --------------------------------------------------------------------------- headers


def test_platform_headers_in_any_case_spacing_and_accents(tmp_path):
    header = [
        "ID DE ENVÍO",
        "  FECHA DE ENVÍO ",
        "Nombre de campaña",
        "Tipo de origen",
        "canal",
        "Teléfono",
        "ESTADO DEL ENVÍO",
        "Código de error",
        "ID de conversación",
        "Conversación nueva",
        "leída",
        "Respondida",
        "Asignado",
        "Fecha de lectura",
        "Fecha de respuesta",
        "Fecha de asignación",
        "Último grupo",
        "Asesor",
        "Tipificación final",
        "Tipo de tipificación",
        "Es venta",
        "Tags",
        "Número de línea",
    ]
    row = [
        "9",
        "2026-08-01 10:00",
        "Campaña Peña",
        "Plantilla",
        "WA",
        "+54 9 11 5555-0000",
        "Error",
        "131026",
        "c9",
        "Sí",
        "Sí",
        "No",
        "No",
        "01/08/2026 10:05",
        None,
        None,
        "Ventas",
        "Ana",
        "Venta",
        "Fin positivo",
        "Sí",
        "vip|nuevo",
        "+5491100000000",
    ]
    path = write_csv(tmp_path / "envios.csv", header, [row], sep=";", encoding="cp1252")
    datos = load_data(path)
    got = datos.envios.iloc[0]
    assert got["envio_id"] == "9"
    assert got["fecha_envio"] == local("2026-08-01 10:00")
    assert got["campana"] == "Campaña Peña"
    assert got["origen"] == "plantilla"
    assert got["canal"] == "WA"
    assert got["contacto_id"] == "5491155550000"
    assert got["estado"] == "fallido"
    assert got["codigo_error"] == "131026"
    assert got["conversacion_id"] == "c9"
    assert got["conversacion_nueva"] == True  # noqa: E712
    assert got["leido"] == True  # noqa: E712
    assert got["respondido"] == False  # noqa: E712
    assert got["asignada"] == False  # noqa: E712
    assert got["fecha_lectura"] == local("2026-08-01 10:05")
    assert got["grupo"] == "Ventas"
    assert got["agente"] == "Ana"
    assert got["tipificacion"] == "Venta"
    assert got["tipo_tipificacion"] == "fin_positivo"
    assert got["venta"] == True  # noqa: E712
    assert list(got["etiquetas"]) == ["vip", "nuevo"]
    assert got["linea"] == "+5491100000000"
    assert datos.archivos.loc[0, "columnas_ignoradas"] == ""


def test_earlier_alias_wins_and_the_other_header_is_ignored(tmp_path):
    # "Fecha" is a later alias of fecha_envio than "Fecha de envío": it loses even if it comes first
    path = write_csv(
        tmp_path / "envios.csv",
        ["Fecha", "ID", "Fecha de envío", "Campaña", "Origen", "Canal", "Contacto", "Estado"],
        [["2020-01-01", "1", "2026-08-01 10:00", "A", "flujo", "WA", "5491155550000", "Enviado"]],
    )
    datos = load_data(path)
    assert datos.envios["fecha_envio"].iloc[0] == local("2026-08-01 10:00")
    assert datos.archivos.loc[0, "columnas_ignoradas"] == "Fecha"


def test_columnas_maps_an_unknown_header(tmp_path):
    rows = [{**envio(1), "Campaña del mes (interna)": "Campaña X"}]
    del rows[0]["campana"]
    path = envios_csv(tmp_path / "envios.csv", rows)
    with pytest.raises(DataError, match="campana"):
        load_data(path)
    datos = load_data(path, columnas={"Campaña del mes (interna)": "campana"})
    assert datos.envios["campana"].tolist() == ["Campaña X"]
    assert datos.archivos.loc[0, "columnas_ignoradas"] == ""


def test_columnas_header_is_matched_like_an_alias(tmp_path):
    rows = [{**envio(1), "Segmento CRM": "Premium"}]
    path = envios_csv(tmp_path / "envios.csv", rows)
    # case and accents do not matter in the user's mapping either
    datos = load_data(path, columnas={"segmento crm": "grupo"})
    assert datos.envios["grupo"].tolist() == ["Premium"]


def test_columnas_to_a_non_existent_column_is_an_error(tmp_path):
    path = envios_csv(tmp_path / "envios.csv", [envio(1)])
    with pytest.raises(DataError) as err:
        load_data(path, columnas={"Mi encabezado": "campaña_nombre"})
    msg = str(err.value)
    assert "Mi encabezado" in msg
    assert "campaña_nombre" in msg
    assert "campana" in msg  # lists the valid columns


def test_unused_headers_are_listed(tmp_path):
    rows = [{**envio(1), "Observaciones": "nada", "Prioridad": "alta"}]
    datos = load_data(envios_csv(tmp_path / "envios.csv", rows))
    assert datos.archivos.loc[0, "columnas_ignoradas"] == "Observaciones, Prioridad"
    assert "columnas ignoradas: Observaciones, Prioridad" in datos.resumen_carga()
    assert "Observaciones" not in datos.envios.columns


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-08-01T10:00:00-03:00", "2026-08-01 10:00:00"),
        ("2026-08-01T10:00:00+00:00", "2026-08-01 07:00:00"),
        ("2026-08-01 10:00:00+0200", "2026-08-01 05:00:00"),
        ("2026-08-02T01:30:00Z", "2026-08-01 22:30:00"),
        ("2026-08-01T10:00:00.250Z", "2026-08-01 07:00:00.250"),
        ("2026-08-01 10:00:00", "2026-08-01 10:00:00"),
        ("2026-08-01T10:00", "2026-08-01 10:00:00"),
        ("2026-08-01", "2026-08-01 00:00:00"),
        ("01/08/2026", "2026-08-01 00:00:00"),
        ("01/08/2026 10:05", "2026-08-01 10:05:00"),
        ("01/08/2026 10:05:07", "2026-08-01 10:05:07"),
        ("1/8/2026 9:05", "2026-08-01 09:05:00"),
    ],
)
def test_timestamp_formats(tmp_path, text, expected):
    env = one_column(tmp_path, "fecha_envio", [text]).envios
    assert env["fecha_envio"].iloc[0] == local(expected)


def test_timestamp_formats_mixed_in_one_column(tmp_path):
    values = ["2026-08-01T10:00:00-03:00", "2026-08-02T01:30:00Z", "2026-08-01 10:00", "15/08/2026 08:00"]
    env = one_column(tmp_path, "fecha_envio", values).envios
    assert env["fecha_envio"].tolist() == [
        local("2026-08-01 10:00"),
        local("2026-08-01 22:30"),
        local("2026-08-01 10:00"),
        local("2026-08-15 08:00"),
    ]


def test_timestamps_follow_zona_horaria(tmp_path):
    tz = "America/Mexico_City"
    datos = one_column(
        tmp_path, "fecha_envio", ["2026-08-01 10:00", "2026-08-01T10:00:00-03:00"], zona_horaria=tz
    )
    env = datos.envios
    assert str(env["fecha_envio"].dtype) == f"datetime64[ns, {tz}]"
    # naive = local wall clock of the chosen zone; an offset is converted (-03:00 -> -06:00)
    assert env["fecha_envio"].tolist() == [local("2026-08-01 10:00", tz), local("2026-08-01 07:00", tz)]
    assert datos.zona_horaria == tz


def test_unknown_zona_horaria_is_an_error(tmp_path):
    path = envios_csv(tmp_path / "envios.csv", [envio(1)])
    with pytest.raises(DataError, match="Mars/Olympus"):
        load_data(path, zona_horaria="Mars/Olympus")


@pytest.mark.parametrize("bad", ["31/02/2026", "2026-02-30 10:00", "32/01/2026", "hoy", "2026-13-01"])
def test_impossible_or_unreadable_dates_reject_the_row(tmp_path, bad):
    datos = one_column(tmp_path, "fecha_envio", ["2026-08-01 10:00", bad, "01/08/2026"])
    assert datos.envios["envio_id"].tolist() == ["E1", "E3"]
    rej = datos.rechazos
    assert len(rej) == 1
    assert rej.loc[0, "fila"] == 3
    assert rej.loc[0, "columna"] == "fecha_envio"
    assert rej.loc[0, "valor"] == bad
    assert "fecha" in rej.loc[0, "motivo"]


BOOLS = [
    ("true", True),
    ("TRUE", True),
    ("false", False),
    ("False", False),
    ("1", True),
    ("0", False),
    ("sí", True),
    ("Sí", True),
    ("SI", True),
    ("si", True),
    ("no", False),
    ("No", False),
    ("yes", True),
    ("x", True),
    ("X", True),
    ("", None),
]


def test_booleans(tmp_path):
    values = [v for v, _ in BOOLS]
    env = one_column(tmp_path, "leido", values).envios
    assert len(env) == len(BOOLS)
    for (text, expected), got in zip(BOOLS, env["leido"], strict=True):
        if expected is None:
            assert got is pd.NA, text
        else:
            assert got == expected, text
    # empty is "not reported": it is neither True nor False
    assert int((~env["leido"]).sum()) == sum(1 for _, e in BOOLS if e is False)
    assert int(env["leido"].isna().sum()) == 1


@pytest.mark.parametrize(
    ("label", "canal", "linea"),
    [
        ("WA +5491155550000", "WA", "+5491155550000"),
        ("Instagram", "IG", None),
        ("whatsapp", "WA", None),
        ("Messenger", "FB", None),
        ("wa", "WA", None),
        ("WEB", "WEB", None),
        ("FB Mi Página", "FB", "Mi Página"),
    ],
)
def test_channel_labels(tmp_path, label, canal, linea):
    env = one_column(tmp_path, "canal", [label]).envios
    assert env["canal"].iloc[0] == canal
    if linea is None:
        assert pd.isna(env["linea"].iloc[0])
    else:
        assert env["linea"].iloc[0] == linea


def test_explicit_linea_wins_over_the_line_in_the_channel_label(tmp_path):
    rows = [
        envio(1, canal="WA +5491155550000", linea="+5491199999999"),
        envio(2, canal="WA +5491155550000", linea=""),
    ]
    env = load_data(envios_csv(tmp_path / "envios.csv", rows)).envios
    assert env["linea"].tolist() == ["+5491199999999", "+5491155550000"]


@pytest.mark.parametrize(
    ("column", "label", "code"),
    [
        ("origen", "Campaña de flujo", "flujo"),
        ("origen", "Plantilla individual", "plantilla_individual"),
        ("origen", "Plantillas individuales", "plantilla_individual"),
        ("origen", "PLANTILLA", "plantilla"),
        ("origen", "Webhook", "webhook"),
        ("origen", "Mensaje de agente", "mensaje_agente"),
        ("origen", "Otro", "otro"),
        ("estado", "Enviado", "exitoso"),
        ("estado", "Error", "fallido"),
        ("estado", "Pendiente", "pendiente"),
        ("estado", "exitoso", "exitoso"),
        ("estado", "En cola", "pendiente"),
    ],
)
def test_origin_and_status_labels(tmp_path, column, label, code):
    env = one_column(tmp_path, column, [label]).envios
    assert env[column].iloc[0] == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+54 9 11 5555-0000", "5491155550000"),
        ("(011) 4555-0000", "01145550000"),
        ("5491155550000", "5491155550000"),
        ("+54.911.5555.0000", "5491155550000"),
        ("psid_1234567", "psid_1234567"),
        ("12345", "12345"),
    ],
)
def test_phone_like_contact_ids_reduced_to_digits(tmp_path, raw, expected):
    env = one_column(tmp_path, "contacto_id", [raw]).envios
    assert env["contacto_id"].iloc[0] == expected


def test_etiquetas_split_on_pipe_or_comma(tmp_path):
    values = ["a|b", "a, b", "vip | nuevo ,  recupero", "solo", "", "a||b|"]
    rows = [envio(i + 1, etiquetas=v) for i, v in enumerate(values)]
    # ';' separated so that commas are part of the values
    env = load_data(envios_csv(tmp_path / "envios.csv", rows, sep=";")).envios
    got = [None if v is None or v is pd.NA else list(v) for v in env["etiquetas"]]
    assert got == [["a", "b"], ["a", "b"], ["vip", "nuevo", "recupero"], ["solo"], None, ["a", "b"]]


@pytest.mark.parametrize(
    ("flag", "stamp"),
    [("leido", "fecha_lectura"), ("respondido", "fecha_respuesta"), ("asignada", "fecha_asignacion")],
)
def test_a_timestamp_implies_its_flag(tmp_path, flag, stamp):
    rows = [
        envio(1, **{flag: "", stamp: "2026-08-10 10:05"}),
        envio(2, **{flag: "no", stamp: "2026-08-10 10:05"}),
        envio(3, **{flag: "no", stamp: ""}),
        envio(4, **{flag: "", stamp: ""}),
    ]
    env = load_data(envios_csv(tmp_path / "envios.csv", rows)).envios
    assert env[flag].tolist()[:3] == [True, True, False]
    assert env[flag].iloc[3] is pd.NA
    assert env[stamp].iloc[0] == local("2026-08-10 10:05")


def test_a_timestamp_implies_its_flag_without_a_flag_column(tmp_path):
    rows = [envio(1, fecha_lectura="2026-08-10 10:05"), envio(2, fecha_lectura="")]
    env = load_data(envios_csv(tmp_path / "envios.csv", rows)).envios
    assert env["leido"].iloc[0] == True  # noqa: E712
    assert env["leido"].iloc[1] is pd.NA


def test_dtypes_are_stable(tmp_path):
    rows = [
        envio(
            1,
            leido="sí",
            etiquetas="a|b",
            grupo="Ventas",
            tipo_tipificacion="Seguimiento",
            conversacion_id="c1",
        ),
        envio(2),
    ]
    datos = load_data(envios_csv(tmp_path / "envios.csv", rows))
    env = datos.envios
    assert list(env.columns) == schema.column_names("envios")
    text = pd.StringDtype("pyarrow")
    for col in ("envio_id", "contacto_id", "conversacion_id"):
        assert env[col].dtype == text, col
    for col in (
        "campana",
        "canal",
        "linea",
        "grupo",
        "agente",
        "tipificacion",
        "codigo_error",
        "tipo_tipificacion",
    ):
        assert isinstance(env[col].dtype, pd.CategoricalDtype), col
    assert list(env["origen"].cat.categories) == list(schema.ORIGENES)
    assert list(env["estado"].cat.categories) == list(schema.ESTADOS)
    for col in ("conversacion_nueva", "leido", "respondido", "asignada", "venta"):
        assert env[col].dtype == pd.BooleanDtype(), col
    for col in ("fecha_envio", "fecha_lectura", "fecha_respuesta", "fecha_asignacion"):
        assert env[col].dtype == pd.DatetimeTZDtype("ns", TZ), col
    assert env["etiquetas"].dtype == pd.ArrowDtype(pa.list_(pa.string()))

    # absent optional columns and absent eventos keep the same dtypes
    ev = datos.eventos
    assert list(ev.columns) == schema.column_names("eventos")
    assert ev.empty
    assert ev["conversacion_id"].dtype == text
    assert ev["fecha"].dtype == pd.DatetimeTZDtype("ns", TZ)
    assert list(ev["autor"].cat.categories) == list(schema.AUTORES)


# --------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path):
    missing = tmp_path / "no_existe.csv"
    with pytest.raises(DataError) as err:
        load_data(missing)
    assert "no_existe.csv" in str(err.value)
    assert "envios" in str(err.value)


def test_missing_eventos_file(tmp_path):
    path = envios_csv(tmp_path / "envios.csv", [envio(1)])
    with pytest.raises(DataError, match=r"eventos.*eventos_faltante\.xlsx"):
        load_data(path, tmp_path / "eventos_faltante.xlsx")


def test_glob_without_matches(tmp_path):
    pattern = str(tmp_path / "envios_*.csv")
    with pytest.raises(DataError) as err:
        load_data(pattern)
    assert "envios_*.csv" in str(err.value)
    assert "ningún archivo" in str(err.value)


def test_no_envios_at_all_is_an_error():
    with pytest.raises(DataError, match="envíos"):
        load_data([])


@pytest.mark.parametrize("name", ["envios.csv", "envios.xlsx", "envios.json", "envios.parquet"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(DataError) as err:
        load_data(path)
    assert name in str(err.value)
    assert "vacío" in str(err.value)


def test_blank_text_file(tmp_path):
    path = tmp_path / "envios.csv"
    path.write_bytes(b"\n\n  \n")
    with pytest.raises(DataError, match=r"envios\.csv.*vacío"):
        load_data(path)


def _same_dtypes(empty: pd.DataFrame, full: pd.DataFrame) -> None:
    """Equal dtypes; a name column's categories are its values, so only their kind must match."""
    assert list(empty.columns) == list(full.columns)
    fixed = {c.name for c in schema.ENVIOS if c.codes is not None}
    for col in full.columns:
        a, b = empty[col].dtype, full[col].dtype
        if isinstance(b, pd.CategoricalDtype) and col not in fixed:
            assert isinstance(a, pd.CategoricalDtype), col
            assert a.categories.dtype == b.categories.dtype, col
        else:
            assert a == b, col


def _header_only(tmp_path: Path, fmt: str, header: list[str]) -> Path:
    path = tmp_path / f"envios.{fmt}"
    if fmt == "csv":
        write_csv(path, header, [])
    elif fmt == "xlsx":
        wb = openpyxl.Workbook()
        wb.active.append(header)
        wb.save(path)
    else:
        pq.write_table(pa.table({h: pa.array([], pa.string()) for h in header}), path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_header_only_file_loads_as_zero_rows_with_the_full_schema(tmp_path, fmt):
    """A download with headers and no rows is an empty data set (with a warning), not an error."""
    header = [*REQUIRED, "fecha_lectura", "leido", "etiquetas"]
    path = _header_only(tmp_path, fmt, header)
    datos = load_data(path)
    assert datos.envios.empty
    full = load_data(envios_csv(tmp_path / "lleno.csv", [envio(1, fecha_lectura="", leido="", etiquetas="")]))
    _same_dtypes(datos.envios, full.envios)
    assert counts(datos, path) == dict.fromkeys(COUNTS, 0)
    first = datos.resumen_carga().splitlines()[0]
    assert "0 filas" in first
    assert "Aviso: el archivo tiene encabezados pero ninguna fila de datos" in first
    assert datos.rechazos.empty


def test_header_only_eventos_and_dtypes_of_an_empty_eventos(tmp_path):
    env = envios_csv(tmp_path / "envios.csv", [envio(1)])
    ev = write_csv(tmp_path / "eventos.csv", ["conversacion_id", "fecha", "autor", "mensaje"], [])
    datos = load_data(env, ev)
    assert datos.eventos.empty
    assert datos.eventos["fecha"].dtype == pd.DatetimeTZDtype("ns", TZ)
    assert list(datos.eventos["autor"].cat.categories) == list(schema.AUTORES)
    assert datos.archivos["tabla"].tolist() == ["envios", "eventos"]
    assert "eventos · " + str(ev) + " (CSV ',', UTF-8): 0 filas" in datos.resumen_carga()


def test_header_only_file_still_needs_its_required_columns(tmp_path):
    path = write_csv(tmp_path / "envios.csv", ["envio_id", "fecha_envio"], [])
    with pytest.raises(DataError, match="«campana»"):
        load_data(path)


def test_empty_json_list(tmp_path):
    path = tmp_path / "envios.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(DataError, match=r"envios\.json"):
        load_data(path)


@pytest.mark.parametrize("name", ["envios.xml", "envios.docx", "envios"])
def test_unsupported_extension(tmp_path, name):
    path = tmp_path / name
    path.write_text(",".join(REQUIRED) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_data(path)
    msg = str(err.value)
    assert name in msg
    assert "no es un formato soportado" in msg
    assert ".csv" in msg
    assert ".parquet" in msg


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "envios.xlsx"
    path.write_bytes(b"PK\x03\x04 esto no es un excel" * 10)
    with pytest.raises(DataError) as err:
        load_data(path)
    assert "envios.xlsx" in str(err.value)
    assert "Excel" in str(err.value)


@pytest.mark.parametrize(
    "text",
    ['[{"envio_id": "1"},', '{"envio_id": "1"}\n{"envio_id": ', '"hola"', "[1, 2]", "[{]"],
)
def test_invalid_json(tmp_path, text):
    path = tmp_path / "envios.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_data(path)
    assert "envios.json" in str(err.value)
    assert "JSON" in str(err.value)


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "envios.parquet"
    path.write_bytes(b"PAR1 no es parquet")
    with pytest.raises(DataError, match=r"envios\.parquet.*Parquet"):
        load_data(path)


def test_missing_required_column(tmp_path):
    rows = [envio(1)]
    del rows[0]["campana"]
    path = envios_csv(tmp_path / "envios_agosto.csv", rows)
    with pytest.raises(DataError) as err:
        load_data(path)
    msg = str(err.value)
    assert "envios_agosto.csv" in msg
    assert "«campana»" in msg
    for alias in ("«Nombre de campaña»", "«Campaña»", "«Nombre campaña»"):
        assert alias in msg
    assert "columnas" in msg
    assert "«envio_id»" in msg  # the file's own headers are listed


def test_missing_required_column_in_eventos(tmp_path):
    env = envios_csv(tmp_path / "envios.csv", [envio(1)])
    ev = write_csv(tmp_path / "eventos.csv", ["ID de conversación", "Fecha"], [["c1", "2026-08-01"]])
    with pytest.raises(DataError) as err:
        load_data(env, ev)
    msg = str(err.value)
    assert "eventos.csv" in msg
    assert "«autor»" in msg
    assert "«Emisor»" in msg


@pytest.mark.parametrize(
    ("column", "value", "codes"),
    [("origen", "Campaña rara", schema.ORIGENES), ("estado", "Rebotado", schema.ESTADOS)],
)
def test_unknown_code_is_an_error(tmp_path, column, value, codes):
    rows = [envio(1), envio(2, **{column: value})]
    path = envios_csv(tmp_path / "envios.csv", rows)
    with pytest.raises(DataError) as err:
        load_data(path)
    msg = str(err.value)
    assert f"«{value}»" in msg
    assert f"«{column}»" in msg
    assert "envios.csv" in msg
    assert "fila 3" in msg
    for code in codes:
        assert code in msg


def test_unknown_autor_in_eventos_is_an_error(tmp_path):
    env = envios_csv(tmp_path / "envios.csv", [envio(1)])
    ev = write_csv(
        tmp_path / "eventos.csv", ["conversacion_id", "fecha", "autor"], [["c1", "2026-08-01", "Robot"]]
    )
    with pytest.raises(DataError) as err:
        load_data(env, ev)
    assert "«Robot»" in str(err.value)
    assert "«autor»" in str(err.value)
    assert "bot, cliente, agente" in str(err.value)


def test_missing_required_values_are_rejected_with_row_and_reason(tmp_path):
    rows = [
        envio(1),
        envio(2, campana=""),
        envio(3, contacto_id="", estado=""),
        envio(4),
        envio(5, fecha_envio="ayer"),
    ]
    path = envios_csv(tmp_path / "envios.csv", rows)
    datos = load_data(path)
    assert datos.envios["envio_id"].tolist() == ["E1", "E4"]
    rej = datos.rechazos
    assert list(rej.columns) == REJECT_COLUMNS
    got = [[r.fila, r.columna, None if pd.isna(r.valor) else r.valor] for r in rej.itertuples()]
    assert got == [
        [3, "campana", None],
        [4, "contacto_id", None],
        [4, "estado", None],
        [6, "fecha_envio", "ayer"],
    ]
    assert set(rej["tabla"]) == {"envios"}
    assert set(rej["archivo"]) == {str(path)}
    assert rej.loc[0, "motivo"] == "falta el valor (columna obligatoria)"
    assert "fecha" in rej.loc[3, "motivo"]
    assert counts(datos, path) == {
        "leidas": 5,
        "cargadas": 2,
        "rechazadas": 3,
        "duplicadas": 0,
        "reemplazadas": 0,
    }


def test_blank_line_in_csv_keeps_spreadsheet_row_numbers(tmp_path):
    """A blank line is a row in a spreadsheet: the rows after it keep their numbers."""
    path = tmp_path / "envios.csv"
    lines = [
        ",".join(REQUIRED),
        ",".join(str(v) for v in envio(1).values()),
        "",
        ",".join(str(v) for v in envio(2, fecha_envio="mañana").values()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    datos = load_data(path)
    assert datos.envios["envio_id"].tolist() == ["E1"]
    bad = datos.rechazos[datos.rechazos["valor"] == "mañana"]
    assert bad["fila"].tolist() == [4]
    assert_identity(datos)


def test_reject_row_numbers_xlsx_start_at_2(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(REQUIRED)
    ws.append(list(envio(1).values()))
    ws.append(list(envio(2, estado=None).values()))
    path = tmp_path / "envios.xlsx"
    wb.save(path)
    rej = load_data(path).rechazos
    assert rej[["fila", "columna"]].values.tolist() == [[3, "estado"]]  # noqa: PD011


@pytest.mark.parametrize("fmt", ["json", "jsonl", "parquet"])
def test_reject_row_numbers_are_record_numbers_for_json_and_parquet(tmp_path, fmt):
    records = [envio(1), envio(2, campana=None), envio(3, fecha_envio="31/02/2026")]
    path = tmp_path / f"envios.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(records), encoding="utf-8")
    elif fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    else:
        pq.write_table(pa.Table.from_pylist(records), path)
    datos = load_data(path)
    assert datos.rechazos[["fila", "columna"]].values.tolist() == [  # noqa: PD011
        [2, "campana"],
        [3, "fecha_envio"],
    ]
    assert datos.envios["envio_id"].tolist() == ["E1"]


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("leido", "quizás", "sí/no"),
        ("venta", "tal vez", "sí/no"),
        ("fecha_lectura", "31/02/2026", "fecha"),
        ("fecha_respuesta", "luego", "fecha"),
    ],
)
def test_unparseable_optional_values_reject_the_row(tmp_path, column, value, words):
    rows = [envio(1, **{column: ""}), envio(2, **{column: value})]
    path = envios_csv(tmp_path / "envios.csv", rows)
    datos = load_data(path)
    assert datos.envios["envio_id"].tolist() == ["E1"]
    rej = datos.rechazos
    assert len(rej) == 1
    assert rej.loc[0, "fila"] == 3
    assert rej.loc[0, "columna"] == column
    assert rej.loc[0, "valor"] == value
    assert words in rej.loc[0, "motivo"]
    assert counts(datos, path)["rechazadas"] == 1


def test_a_row_with_several_problems_is_rejected_once(tmp_path):
    rows = [envio(1, campana="", leido="quizás", fecha_envio="nunca"), envio(2)]
    path = envios_csv(tmp_path / "envios.csv", rows)
    datos = load_data(path)
    assert sorted(datos.rechazos["columna"]) == ["campana", "fecha_envio", "leido"]
    assert set(datos.rechazos["fila"]) == {2}
    assert counts(datos, path) == {
        "leidas": 2,
        "cargadas": 1,
        "rechazadas": 1,
        "duplicadas": 0,
        "reemplazadas": 0,
    }


def test_duplicate_envio_id_across_files(tmp_path):
    first = envios_csv(
        tmp_path / "envios_1.csv",
        [
            envio(1),
            envio(2, estado="pendiente"),
            envio(3),
            envio(5, etiquetas="a|b"),
        ],
    )
    second = envios_csv(
        tmp_path / "envios_2.csv",
        [
            envio(1),  # exact duplicate
            envio(2, estado="exitoso", leido="sí"),  # later download updated it
            envio(4),
            envio(5, etiquetas="a|c"),  # differs only in a list value
        ],
        sep=";",
        encoding="cp1252",
    )
    datos = load_data([first, second])
    env = datos.envios
    assert sorted(env["envio_id"]) == ["E1", "E2", "E3", "E4", "E5"]
    assert env["envio_id"].is_unique
    kept = env.set_index("envio_id")
    assert kept.loc["E2", "estado"] == "exitoso"
    assert kept.loc["E2", "leido"] == True  # noqa: E712
    assert list(kept.loc["E5", "etiquetas"]) == ["a", "c"]

    assert counts(datos, first) == {
        "leidas": 4,
        "cargadas": 1,
        "rechazadas": 0,
        "duplicadas": 1,
        "reemplazadas": 2,
    }
    assert counts(datos, second) == {
        "leidas": 4,
        "cargadas": 4,
        "rechazadas": 0,
        "duplicadas": 0,
        "reemplazadas": 0,
    }
    assert_identity(datos)

    rej = datos.rechazos.set_index("valor")
    assert set(rej.index) == {"E1", "E2", "E5"}
    assert (rej["archivo"] == str(first)).all()
    assert (rej["columna"] == "envio_id").all()
    assert rej.loc["E1", "fila"] == 2
    assert "duplicado exacto" in rej.loc["E1", "motivo"]
    assert "envios_2.csv" in rej.loc["E1", "motivo"]
    assert "otros datos" in rej.loc["E2", "motivo"]
    assert "fila 3" in rej.loc["E2", "motivo"]  # the row that was kept
    assert "otros datos" in rej.loc["E5", "motivo"]


def test_duplicate_envio_id_within_one_file_keeps_the_last_row(tmp_path):
    rows = [envio(1, estado="pendiente"), envio(1, estado="exitoso"), envio(2), envio(2)]
    path = envios_csv(tmp_path / "envios.csv", rows)
    datos = load_data(path)
    env = datos.envios.set_index("envio_id")
    assert env.loc["E1", "estado"] == "exitoso"
    assert len(env) == 2
    assert counts(datos, path) == {
        "leidas": 4,
        "cargadas": 2,
        "rechazadas": 0,
        "duplicadas": 1,
        "reemplazadas": 1,
    }
    assert sorted(datos.rechazos["fila"]) == [2, 4]


def test_same_envio_id_in_three_files(tmp_path):
    a = envios_csv(tmp_path / "a.csv", [envio(1, estado="pendiente")])
    b = envios_csv(tmp_path / "b.csv", [envio(1, estado="fallido")])
    c = envios_csv(tmp_path / "c.csv", [envio(1, estado="pendiente")])
    datos = load_data([a, b, c])
    assert datos.envios["estado"].tolist() == ["pendiente"]
    # a equals the row kept (from c): duplicate; b differs: replaced
    assert counts(datos, a)["duplicadas"] == 1
    assert counts(datos, b)["reemplazadas"] == 1
    assert counts(datos, c)["cargadas"] == 1
    assert_identity(datos)


def test_eventos_are_not_deduplicated(tmp_path):
    env = envios_csv(tmp_path / "envios.csv", [envio(1)])
    ev = write_csv(
        tmp_path / "eventos.csv",
        ["conversacion_id", "fecha", "autor"],
        [["c1", "2026-08-01 10:00", "bot"], ["c1", "2026-08-01 10:00", "bot"]],
    )
    datos = load_data(env, ev)
    assert len(datos.eventos) == 2
    assert counts(datos, ev) == {
        "leidas": 2,
        "cargadas": 2,
        "rechazadas": 0,
        "duplicadas": 0,
        "reemplazadas": 0,
    }


def test_identity_and_summary_over_a_messy_load(tmp_path):
    first = envios_csv(
        tmp_path / "envios_1.csv",
        [
            envio(1),
            envio(2),
            envio(3, campana=""),
            envio(4, leido="quizás"),
            envio(5),
        ],
    )
    second = envios_csv(
        tmp_path / "envios_2.csv",
        [
            envio(1),
            envio(2, estado="fallido"),
            envio(6, fecha_envio="31/02/2026"),
            envio(7),
            {**envio(8), "Extra": "z"},
        ],
    )
    ev = write_csv(
        tmp_path / "eventos.csv",
        ["conversacion_id", "fecha", "autor"],
        [["c1", "2026-08-01 10:00", "bot"], ["", "2026-08-01 10:00", "bot"]],
    )
    datos = load_data(str(tmp_path / "envios_*.csv"), ev)
    assert_identity(datos)
    assert counts(datos, first) == {
        "leidas": 5,
        "cargadas": 1,
        "rechazadas": 2,
        "duplicadas": 1,
        "reemplazadas": 1,
    }
    assert counts(datos, second) == {
        "leidas": 5,
        "cargadas": 4,
        "rechazadas": 1,
        "duplicadas": 0,
        "reemplazadas": 0,
    }
    assert datos.totales("envios") == {
        "leidas": 10,
        "cargadas": 5,
        "rechazadas": 3,
        "duplicadas": 1,
        "reemplazadas": 1,
    }
    assert datos.totales("eventos") == {
        "leidas": 2,
        "cargadas": 1,
        "rechazadas": 1,
        "duplicadas": 0,
        "reemplazadas": 0,
    }
    assert len(datos.envios) == 5
    assert len(datos.eventos) == 1
    assert len(datos.rechazos) == 3 + 2 + 1
    assert datos.rechazos["fila"].dtype == "int64"

    text = datos.resumen_carga()
    lines = text.splitlines()
    assert lines[0] == (
        f"envios · {first} (CSV ',', UTF-8): 5 leídas, 1 cargadas, 2 rechazadas, 1 duplicadas, 1 reemplazadas"
    )
    assert lines[1].endswith("0 reemplazadas; columnas ignoradas: Extra")
    assert lines[2] == "envios · total: 10 leídas, 5 cargadas, 3 rechazadas, 1 duplicadas, 1 reemplazadas"
    assert lines[-1] == "eventos · total: 2 leídas, 1 cargadas, 1 rechazadas, 0 duplicadas, 0 reemplazadas"
    assert len(lines) == 5


def test_summary_uses_spanish_thousands_separator(tmp_path):
    rows = [envio(i) for i in range(1, 1201)]
    datos = load_data(envios_csv(tmp_path / "envios.csv", rows))
    assert "1.200 leídas, 1.200 cargadas" in datos.resumen_carga()


def test_fully_blank_lines_are_neither_read_nor_rejected(tmp_path):
    """A blank line (e.g. at the end of a download) carries no data; numbering keeps counting it."""
    text = (
        "envio_id,fecha_envio,campana,origen,canal,contacto_id,estado\n"
        "1,2026-08-01 10:00,A,plantilla,WA,5491100000001,exitoso\n"
        ",,,,,,\n"
        "2,2026-08-01 11:00,,plantilla,WA,5491100000002,exitoso\n"
        "\n"
    )
    path = tmp_path / "envios.csv"
    path.write_text(text, encoding="utf-8")
    data = load_data(str(path))
    report = data.archivos.iloc[0]
    assert (report["leidas"], report["cargadas"], report["rechazadas"]) == (2, 1, 1)
    assert data.rechazos["fila"].tolist() == [4]  # the row without campaign keeps its spreadsheet row


# --------------------------------------------------------------------------- content that is not what it says


def _xlsx_bytes(tmp_path: Path) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(REQUIRED)
    wb.active.append(list(envio(1).values()))
    wb.save(tmp_path / "real.xlsx")
    return (tmp_path / "real.xlsx").read_bytes()


def _parquet_bytes(tmp_path: Path) -> bytes:
    pq.write_table(pa.Table.from_pylist([envio(1)]), tmp_path / "real.parquet")
    return (tmp_path / "real.parquet").read_bytes()


def _csv_bytes(tmp_path: Path) -> bytes:
    return envios_csv(tmp_path / "real.csv", [envio(1)]).read_bytes()


def _zip_bytes(tmp_path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(tmp_path / "real.zip", "w") as zf:
        zf.writestr("envios.csv", _csv_bytes(tmp_path))
    return (tmp_path / "real.zip").read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("envios.csv", _xlsx_bytes, ["parece un Excel (.xlsx)", "renombralo a .xlsx", "«envios.xlsx»"]),
        ("envios.json", _xlsx_bytes, ["parece un Excel (.xlsx)", "renombralo a .xlsx"]),
        ("envios.xlsx", _csv_bytes, ["parece un CSV", "renombralo a .csv"]),
        ("envios.csv", _parquet_bytes, ["parece un Parquet", "renombralo a .parquet"]),
        ("envios.parquet", _csv_bytes, ["parece un CSV", "renombralo a .csv"]),
        ("envios.csv", _zip_bytes, ["archivo comprimido (ZIP)", "descomprimilo"]),
        ("envios.xls", lambda _: b"<html><table><tr><td>ID</td></tr></table></html>", ["HTML", ".xlsx"]),
        ("envios.csv", lambda _: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, ["no es un CSV", "PNG"]),
        ("envios.csv", lambda _: bytes(range(256)) * 20, ["no es un CSV", "binario"]),
        ("envios.csv", lambda _: b"%PDF-1.7\n" + b"\x00\x01" * 50, ["no es un CSV", "PDF"]),
    ],
)
def test_content_that_does_not_match_the_extension_is_a_clear_error(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content(tmp_path))
    with pytest.raises(DataError) as err:
        load_data(path)
    msg = str(err.value)
    assert f"«{name}»" in msg
    for word in words:
        assert word in msg


def test_cli_validate_on_a_binary_csv_prints_a_spanish_error(tmp_path, capsys):
    from outbound_analysis import cli

    path = tmp_path / "envios.csv"
    path.write_bytes(_xlsx_bytes(tmp_path))
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: «envios.csv» parece un Excel (.xlsx)")
    assert "Traceback" not in err


# --------------------------------------------------------------------------- JSON not a list of records


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"envios": [{"envio_id": "1"}, {"envio_id": "2"}]}', ["un objeto JSON", "clave «envios»"]),
        ('{\n  "envios": [\n    {"envio_id": "1"}\n  ]\n}\n', ["un objeto JSON", "clave «envios»"]),
        ('{\n  "envio_id": "1",\n  "campana": "A"\n}\n', ["un objeto JSON"]),
        ('[{"envio_id": "1"}, "dos"]', ["el elemento 2 no es un objeto", '("dos")']),
        ("[1, 2]", ["el elemento 1 no es un objeto"]),
    ],
)
def test_json_that_is_not_a_list_of_records_says_what_is_expected(tmp_path, text, words):
    path = tmp_path / "envios.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_data(path)
    msg = str(err.value)
    assert "«envios.json»" in msg
    assert "se espera una lista de registros ([{...}, {...}]) o un registro por línea" in msg
    for word in words:
        assert word in msg


def test_a_single_json_line_is_one_record(tmp_path):
    path = tmp_path / "envios.json"
    path.write_text(json.dumps(envio(1)) + "\n", encoding="utf-8")
    datos = load_data(path)
    assert datos.envios["envio_id"].tolist() == ["E1"]
    assert datos.archivos.loc[0, "formato"] == "JSON por líneas"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_nested_objects_in_records_are_kept_as_json_text(tmp_path, fmt):
    records = [{**envio(1), "meta": {"a": 1}}, {**envio(2), "meta": {"a": 2}}]
    path = tmp_path / f"envios.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(records), encoding="utf-8")
    else:
        path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    datos = load_data(path, columnas={"meta": "grupo"})
    assert datos.envios["grupo"].tolist() == ['{"a": 1}', '{"a": 2}']
    assert datos.envios["envio_id"].tolist() == ["E1", "E2"]


# --------------------------------------------------------------------------- CSV rows: wrong column count


def test_rows_with_too_many_or_too_few_columns_are_rejected_with_their_line(tmp_path):
    path = tmp_path / "envios.csv"
    good = [",".join(str(v) for v in envio(i).values()) for i in range(1, 6)]
    lines = [
        ",".join(REQUIRED),
        good[0],
        "E2,2026-08-10 10:00,Campaña A,plantilla,WA",  # 5 columns
        good[2],
        good[3] + ",extra,otra",  # 9 columns
        ",".join(str(v) for v in envio(5, campana="").values()),  # rejected for its value, at row 6
        good[4].replace("E5", "E6"),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    datos = load_data(path)
    assert datos.envios["envio_id"].tolist() == ["E1", "E3", "E6"]
    rej = datos.rechazos
    assert rej[["fila", "columna"]].values.tolist() == [  # noqa: PD011
        [3, "(fila entera)"],
        [5, "(fila entera)"],
        [6, "campana"],
    ]
    assert rej.loc[0, "motivo"] == "la fila tiene 5 columnas y el encabezado 7"
    assert rej.loc[1, "motivo"] == "la fila tiene 9 columnas y el encabezado 7"
    assert rej.loc[0, "valor"] == lines[2]
    assert counts(datos, path) == {
        "leidas": 6,
        "cargadas": 3,
        "rechazadas": 3,
        "duplicadas": 0,
        "reemplazadas": 0,
    }
    assert_identity(datos)


def test_a_file_where_no_row_has_the_header_column_count_is_an_error(tmp_path):
    path = tmp_path / "envios.csv"
    rows = [",".join(str(v) for v in envio(i).values()) + "," for i in (1, 2)]
    path.write_text(",".join(REQUIRED) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_data(path)
    msg = str(err.value)
    assert "«envios.csv»" in msg
    assert "las 7 columnas del encabezado (la fila 2 tiene 8)" in msg


def test_a_quoted_value_with_a_newline_still_loads(tmp_path):
    path = tmp_path / "envios.csv"
    row = list(envio(1).values())
    row[2] = '"Campaña\nde dos líneas"'
    path.write_text(
        ",".join(REQUIRED) + "\n" + ",".join(row) + "\n" + ",".join(envio(2).values()) + "\n",
        encoding="utf-8",
    )
    datos = load_data(path)
    assert datos.envios["campana"].tolist() == ["Campaña\nde dos líneas", "Campaña A"]
    assert datos.rechazos.empty


@pytest.mark.parametrize("sep", [",", ";"])
def test_lines_of_only_spaces_or_separators_are_empty_lines(tmp_path, sep):
    path = tmp_path / "envios.csv"
    lines = [
        sep.join(REQUIRED),
        sep.join(str(v) for v in envio(1).values()),
        "   ",
        "\t",
        sep * 3,
        sep * 6,
        sep.join(str(v) for v in envio(2, estado="").values()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    datos = load_data(path)
    assert datos.envios["envio_id"].tolist() == ["E1"]
    assert datos.rechazos["fila"].tolist() == [7]  # blank lines keep the spreadsheet numbering
    assert counts(datos, path)["leidas"] == 2
    assert counts(datos, path)["rechazadas"] == 1
    assert_identity(datos)


# --------------------------------------------------------------------------- Excel "Unicode text" export


@pytest.mark.parametrize(("encoding", "bom"), [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_excel_unicode_text_export_loads_like_any_csv(tmp_path, encoding, bom):
    header = [
        "ID de envío",
        "Fecha de envío",
        "Nombre de campaña",
        "Tipo de origen",
        "Canal",
        "Teléfono",
        "Estado",
    ]
    rows = [
        ["1", "01/08/2026 10:00", "Campaña Peña", "Campaña de flujo", "WA", "5491155550000", "Enviado"],
        ["2", "02/08/2026 11:00", "Año nuevo", "Plantilla", "WA", "5491155550001", "Error"],
    ]
    text = "\r\n".join("\t".join(r) for r in [header, *rows]) + "\r\n"
    path = tmp_path / "envios.txt"
    path.write_bytes(bom + text.encode(encoding))
    datos = load_data(path)
    assert datos.envios["campana"].tolist() == ["Campaña Peña", "Año nuevo"]
    assert datos.envios["estado"].tolist() == ["exitoso", "fallido"]
    assert datos.envios["fecha_envio"].tolist() == [local("2026-08-01 10:00"), local("2026-08-02 11:00")]
    assert "UTF-16" in datos.archivos.loc[0, "formato"]
    assert "tabulador" in datos.archivos.loc[0, "formato"]
    assert datos.rechazos.empty


# --------------------------------------------------------------------------- timestamps outside 1900-2200


@pytest.mark.parametrize(
    "others", [["2026-08-10 10:00"], ["10/08/2026 10:00", "2026-08-10T10:00:00Z", "ayer"]]
)
@pytest.mark.parametrize("bad", ["9999-12-31", "0001-01-01", "31/12/9999", "2201-01-01", "1899-12-31 23:59"])
def test_fecha_envio_outside_1900_2200_rejects_the_row(tmp_path, bad, others):
    """Never wrapped into another date (ns timestamps overflow at 2262 and wrap 9999 to 1816)."""
    datos = one_column(tmp_path, "fecha_envio", [*others, bad])
    rej = datos.rechazos[datos.rechazos["valor"] == bad]
    assert len(rej) == 1
    assert rej["columna"].tolist() == ["fecha_envio"]
    assert "fuera de los años 1900 a 2200" in rej["motivo"].iloc[0]
    assert f"E{len(others) + 1}" not in datos.envios["envio_id"].tolist()
    assert datos.envios["fecha_envio"].dt.year.between(2026, 2026).all()
    assert_identity(datos)


def test_boundaries_1900_and_2200_are_kept_exactly(tmp_path):
    datos = one_column(tmp_path, "fecha_envio", ["1900-01-01", "2200-12-31 23:59", "01/01/1900"])
    assert datos.rechazos.empty
    assert datos.envios["fecha_envio"].tolist() == [
        local("1900-01-01"),
        local("2200-12-31 23:59"),
        local("1900-01-01"),
    ]


def test_optional_timestamp_outside_1900_2200_is_not_reported_and_counted(tmp_path):
    rows = [
        envio(1, fecha_lectura="9999-12-31", fecha_respuesta="01/01/0001"),  # two dates, one row
        envio(2, fecha_lectura="2026-08-10 11:00", fecha_respuesta=""),
        envio(3, fecha_lectura="31/12/9999 00:00", fecha_respuesta=""),
        envio(4, fecha_lectura="9999-12-31", fecha_respuesta="", campana=""),  # rejected anyway
    ]
    path = envios_csv(tmp_path / "envios.csv", rows)
    datos = load_data(path)
    env = datos.envios.set_index("envio_id")
    assert env.index.tolist() == ["E1", "E2", "E3"]
    assert pd.isna(env.loc["E1", "fecha_lectura"])
    assert pd.isna(env.loc["E1", "fecha_respuesta"])
    assert pd.isna(env.loc["E3", "fecha_lectura"])
    assert env.loc["E2", "fecha_lectura"] == local("2026-08-10 11:00")
    assert env["leido"].isna().tolist() == [True, False, True]  # an unknown date implies nothing
    assert datos.rechazos[["fila", "columna"]].values.tolist() == [[5, "campana"]]  # noqa: PD011
    assert datos.archivos.loc[0, "fechas_fuera_de_rango"] == 2  # rows, not values; E4 was rejected
    assert counts(datos, path)["cargadas"] == 3
    summary = datos.resumen_carga()
    assert (
        "2 filas con alguna fecha opcional fuera de rango (años 1900-2200), cargada como no informada"
        in summary
    )
    assert summary.splitlines()[-1].endswith("cargada como no informada")


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_typed_timestamps_outside_1900_2200(tmp_path, fmt):
    far = dt.datetime(9999, 12, 31)
    ok = dt.datetime(2026, 8, 10, 10, 0)
    records = [
        {**envio(1), "fecha_envio": ok, "fecha_lectura": far},
        {**envio(2), "fecha_envio": far, "fecha_lectura": None},
        {**envio(3), "fecha_envio": ok, "fecha_lectura": ok},
    ]
    path = tmp_path / f"envios.{fmt}"
    if fmt == "parquet":
        pq.write_table(pa.Table.from_pylist(records), path)
    else:
        wb = openpyxl.Workbook()
        wb.active.append(list(records[0]))
        for r in records:
            wb.active.append(list(r.values()))
        wb.save(path)
    datos = load_data(path)
    assert datos.envios["envio_id"].tolist() == ["E1", "E3"]
    assert pd.isna(datos.envios["fecha_lectura"].iloc[0])
    assert datos.envios["fecha_lectura"].iloc[1] == local("2026-08-10 10:00")
    assert datos.rechazos["columna"].tolist() == ["fecha_envio"]
    assert "1900 a 2200" in datos.rechazos["motivo"].iloc[0]
    assert datos.archivos.loc[0, "fechas_fuera_de_rango"] == 1


# --------------------------------------------------------------------------- paths that are not files


def test_a_directory_given_as_a_file(tmp_path):
    folder = tmp_path / "envios.csv"
    folder.mkdir()
    with pytest.raises(DataError, match=r"«.*envios\.csv» es una carpeta, no un archivo"):
        load_data(folder)


def test_a_glob_that_matches_only_folders(tmp_path):
    (tmp_path / "envios_1.csv").mkdir()
    with pytest.raises(DataError, match="no coincide con ningún archivo"):
        load_data(str(tmp_path / "envios_*.csv"))


def test_a_file_without_read_permission(tmp_path, monkeypatch):
    path = envios_csv(tmp_path / "envios.csv", [envio(1)])
    real_open = Path.open

    def no_permission(self: Path, *args: object, **kwargs: object):
        if self.name == "envios.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", no_permission)
    with pytest.raises(DataError) as err:
        load_data(path)
    assert "No tengo permiso para leer «envios.csv»" in str(err.value)
    assert "permisos" in str(err.value)


def test_xlsx_with_an_empty_first_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.create_sheet("Datos").append(REQUIRED)
    path = tmp_path / "envios.xlsx"
    wb.save(path)
    with pytest.raises(DataError, match=r"La primera hoja de «envios\.xlsx» está vacía"):
        load_data(path)


def test_loaded_arrow_columns_come_in_one_chunk(tmp_path):
    """Readers give a chunk per block and per file; the loaded columns are joined once (a selection
    taking scattered rows from hundreds of chunks was 25 times slower), values and dtypes kept."""
    from outbound_analysis import _convert

    rows = [
        {
            "conversacion_id": f"c{i % 7}",
            "fecha": f"2026-08-01T10:{i % 60:02d}:00-03:00",
            "autor": "bot",
            "mensaje": f"hola {i}",
        }
        for i in range(40)
    ]
    files = []
    for k in range(3):  # three files: at least three chunks before the join
        path = tmp_path / f"eventos_{k}.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in rows[k::3]) + "\n", encoding="utf-8")
        files.append(path)
    eventos = load_table("eventos", [str(f) for f in files])
    assert len(eventos) == 40
    for name in ("conversacion_id", "mensaje"):
        assert _convert.arrow_of(eventos[name]).num_chunks == 1, name

    chunked = pd.Series(pd.StringDtype("pyarrow").__from_arrow__(pa.chunked_array([["a", None], ["b"]])))
    frame = pd.DataFrame({"t": chunked, "n": [1, 2, 3]})
    joined = _convert.en_un_bloque(frame.copy())
    assert _convert.arrow_of(joined["t"]).num_chunks == 1
    pd.testing.assert_frame_equal(joined, frame)


def test_a_repeated_send_is_a_duplicate_only_when_every_value_is_equal():
    # the comparison behind duplicadas / reemplazadas: exact per column, missing equals missing
    from outbound_analysis.load._tables import _iguales

    tz = "America/Argentina/Buenos_Aires"
    cats = pd.CategoricalDtype(["A", "B"])

    def frame(tags, leido, fecha, campana):
        return pd.DataFrame(
            {
                "etiquetas": pd.Series(tags, dtype=pd.ArrowDtype(pa.list_(pa.string()))),
                "leido": pd.array(leido, dtype="boolean"),
                "fecha_lectura": pd.to_datetime(pd.Series(fecha)).dt.tz_localize(tz),
                "campana": pd.Series(campana, dtype=cats),
                "_fila": [1, 2, 3, 4],  # bookkeeping: never compared
            }
        )

    kept = frame(
        [["a", "b"], None, ["x"], []],
        [True, None, False, None],
        ["2026-08-01", None, None, None],
        ["A", None, "B", "A"],
    )
    same = frame(
        [["a", "b"], None, ["x"], []],
        [True, None, False, None],
        ["2026-08-01", None, None, None],
        ["A", None, "B", "A"],
    )
    assert _iguales(same.assign(_fila=[9, 9, 9, 9]), kept).tolist() == [True, True, True, True]
    other = frame(
        [["a|b"], [], ["x"], []],
        [True, None, None, None],
        ["2026-08-01", None, None, "2026-08-02"],
        ["A", None, "B", "A"],
    )
    # each row differs in one value: a|b is one tag, not two; an empty list is not a missing one;
    # NA is not False; a date appeared
    assert _iguales(other, kept).tolist() == [False, False, False, False]
