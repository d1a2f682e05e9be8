"""Every section of every report on tiny hand-made data sets, and the checks every selection must pass.

The ``check_*`` functions say what "a report works for this selection" means: the
contract's columns and dtypes (also at 0 rows), counts that are non-negative integers,
percentages in [0, 1] or NA, every section rendering to HTML strings and figures that
serialize, and exports that read back with their headers. test_selections.py runs them
over filters drawn by hypothesis; the tests below run them on the awkward data sets
(nothing loaded, one send, only plantilla_individual, only failed or pending sends, all
flags NA, flow sends without eventos or with eventos of other conversations).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pytest
from conftest import make_envios, make_eventos
from hypothesis import given, settings
from hypothesis import strategies as st

from outbound_analysis import Informe, _celdas, charts, metrics, report
from outbound_analysis._text import fmt_int, fmt_pct
from outbound_analysis.labels import column_label
from outbound_analysis.load import FILE_REPORT_COLUMNS, REJECT_COLUMNS, Dataset
from outbound_analysis.metrics import _ab as tab
from outbound_analysis.metrics import _detalle as td

#: the contract's columns of each table (CONTRACT §4 plus the resumen extras), in order
COLUMNS: dict[str, list[str]] = {
    "kpis": metrics.KPI_COLUMNS,
    "embudo": ["etapa", "cantidad", "pct_envios", "pct_etapa_anterior"],
    "reconciliacion": ["concepto", "cantidad", "pct_exitosos"],
    "por_origen": [
        "origen",
        "envios_exitosos",
        "leidos",
        "respondidos",
        "asignadas",
        "ventas",
        "lectura_no_informada",
        "pct_leidos",
        "pct_respondidos",
        "pct_asignadas",
        "pct_lectura_no_informada",
    ],
    "fallas": ["codigo_error", "descripcion", "envios", "pct"],
    "detallado": metrics.DETALLADO_COLUMNS,
    "envios": metrics.ENVIOS_DETAIL_COLUMNS,
    "resultados": metrics.RESULTADOS_COLUMNS,
    "primeras_opciones": ["opcion", "conversaciones", "pct"],
    "finalizacion": ["finalizacion", "conversaciones", "pct"],
    "embudo_tipificaciones": ["nivel", "tipificacion", "conversaciones", "pct"],
    "embudo_etiquetas": ["nivel", "etiqueta", "conversaciones", "pct"],
    "ultimo_mensaje_abandono": ["mensaje", "conversaciones", "pct"],
    # detallado, CONTRACT 5.2
    "tiempos": td.TIEMPOS_COLUMNS,
    "comparacion": td.COMPARACION_COLUMNS,
    "ab": tab.AB_COLUMNS,
    "segmentos": td.SEGMENTOS_COLUMNS,
    "costos": tab.COSTOS_COLUMNS,
}
#: CONTRACT 5.2 columns that are neither counts nor fractions in [0, 1] (test_tablas_detallado checks them)
OTHER_52 = {
    *("p25_min", "p50_min", "p75_min", "p90_min", "contacto_id", "ultimo_envio", "segmento"),
    *("diferencia", "ic95_inf", "ic95_sup", "p_valor", "significativo"),
    *("costo", "costo_por_respuesta", "costo_por_asignacion", "costo_por_venta"),
}
#: text columns of the aggregated tables (everything else there is a count or a percentage)
LABELS = {
    "etapa",
    "concepto",
    "origen",
    "codigo_error",
    "descripcion",
    "campana",
    "canal",
    "opcion",
    "finalizacion",
    "tipificacion",
    "etiqueta",
    "mensaje",
    *("fecha", "metrica", "envio_numero"),  # resumen, CONTRACT 5.1
    *("desde", "hasta", "nodo"),  # flujos, CONTRACT 5.3
}
#: CONTRACT 5.1 columns that may be negative (test_tablas_resumen checks them)
OTHER_51 = {"diferencia", "variacion"}


def is_pct(name: str) -> bool:
    return name == "pct" or name.startswith(("pct_", "ic95_")) or name.endswith("_pct")


def dataset(
    envios: pd.DataFrame, eventos: pd.DataFrame | None = None, *, sin_eventos: bool = False
) -> Dataset:
    """A Dataset of these frames, with a load report of one file per table.

    ``eventos=None`` means an empty events table; ``sin_eventos`` also leaves the events
    file out of the load report (no eventos file was given).
    """
    if eventos is None:
        eventos = _empty_eventos()

    def file_row(tabla: str, n: int) -> dict[str, object]:
        row: dict[str, object] = {c: 0 for c in FILE_REPORT_COLUMNS}
        row.update(tabla=tabla, archivo=f"{tabla}.csv", formato="csv", leidas=n, cargadas=n)
        row["columnas_ignoradas"] = ""
        return row

    rows = [file_row("envios", len(envios))] + ([] if sin_eventos else [file_row("eventos", len(eventos))])
    return Dataset(
        envios=envios.reset_index(drop=True),
        eventos=eventos.reset_index(drop=True),
        archivos=pd.DataFrame(rows, columns=FILE_REPORT_COLUMNS),
        rechazos=pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "fila" else "string") for c in REJECT_COLUMNS}
        ),
    )


def _empty_eventos() -> pd.DataFrame:
    return make_eventos({"conversacion_id": "x", "fecha": "2026-08-10 10:00", "autor": "bot"}).iloc[:0]


def check_tables(inf: Informe) -> dict[str, pd.DataFrame]:
    """The report's tables have the contract's columns; counts are ints >= 0; pct in [0, 1] or NA.

    pct_etapa_anterior is only >= 0: plantilla_individual sends get assigned without a
    reported reply, so a funnel stage can be larger than the previous one (CONTRACT §3.1).
    """
    tables = inf.tablas
    # ab and costos exist only with their parameters (comparar, costos)
    assert list(tables) == metrics.REGISTROS[inf.nombre].exportadas_de(inf.parametros)
    for name, table in tables.items():
        if name in COLUMNS:
            assert list(table.columns) == COLUMNS[name], name
        if name == "envios":  # the per-send detail: one row per filtered send, no aggregates
            assert len(table) == len(inf.envios)
            continue
        for column in table.columns:
            values = table[column]
            if name in ("tiempos", "comparacion", "ab", "segmentos", "costos") and column in OTHER_52:
                continue
            if name == "periodo_anterior" and column in OTHER_51:
                continue
            if is_pct(column):
                assert pd.api.types.is_float_dtype(values.dtype), (name, column, values.dtype)
                present = values.dropna()
                # over the previous funnel stage a share can pass 1: the funnel need not shrink
                top = float("inf") if column == "pct_etapa_anterior" else 1
                assert ((present >= 0) & (present <= top)).all(), (name, column, present.tolist())
            elif column not in LABELS:
                assert str(values.dtype) == "int64", (name, column, values.dtype)
                assert (values >= 0).all(), (name, column)
    return tables


def check_resumen_rules(tables: dict[str, pd.DataFrame], n_envios: int) -> None:
    """Identities of CONTRACT §3.1 that hold for any selection."""
    k = tables["kpis"].iloc[0]
    assert k["envios"] == n_envios
    assert k["envios_exitosos"] + k["envios_fallidos"] + k["envios_pendientes"] == k["envios"]
    for part in ("leidos", "respondidos", "asignadas", "ventas", "lectura_no_informada"):
        assert k[part] <= k["envios_exitosos"], part
    assert k["respondidos"] <= k["leidos"]
    assert k["conversaciones_iniciadas"] + k["sobre_conversacion_abierta"] <= k["envios_exitosos"]
    assert k["total_contactos"] <= k["envios"]
    embudo = tables["embudo"]
    assert embudo["etapa"].tolist() == list(metrics.ETAPAS)
    if k["envios_exitosos"] == 0:  # 0 over 0: empty, never 0 % nor 100 %
        assert embudo["pct_envios"].isna().all()
    else:
        assert embudo["pct_envios"].iloc[0] == 1
    assert tables["fallas"]["envios"].sum() == k["envios_fallidos"]


def check_sections(inf: Informe) -> list[str]:
    """Every section renders: a non-empty list of HTML strings and figures that serialize.

    Returns the HTML of each section. With no send in the selection every section says so.
    """
    html_of = []
    for seccion in report.SECTIONS[inf.nombre]:
        parts = inf.partes(seccion)
        assert parts, seccion
        html = []
        for part in parts:
            assert isinstance(part, str | go.Figure), (seccion, type(part))
            if isinstance(part, go.Figure):
                json.loads(part.to_json())
            else:
                html.append(part)
        text = "".join(html)
        if inf.envios.empty:
            assert report.SIN_ENVIOS in text, seccion
        html_of.append(text)
    header = "".join(p for p in inf.partes_encabezado() if isinstance(p, str))
    if inf.envios.empty:
        assert "No hay envíos que cumplan los filtros elegidos: ampliá las fechas" in header
    return html_of


def check_exports(inf: Informe, carpeta: Path) -> None:
    """``escribir`` writes every table; CSV, JSON and XLSX read back with the same headers."""
    written = inf.escribir(carpeta)
    assert all(p.is_file() for p in written)
    book = openpyxl.load_workbook(carpeta / f"{inf.nombre}.xlsx", read_only=True)
    for name, table in inf.tablas.items():
        csv = pd.read_csv(carpeta / f"{name}.csv", keep_default_na=False)
        assert list(csv.columns) == list(table.columns), name
        assert len(csv) == len(table), name
        records = json.loads((carpeta / f"{name}.json").read_text(encoding="utf-8"))
        assert len(records) == len(table), name
        assert all(list(r) == list(table.columns) for r in records), name
        header = next(book[name].iter_rows(min_row=1, max_row=1, values_only=True))
        assert list(header) == [column_label(c) for c in table.columns], name
        assert book[name].max_row == len(table) + 1, name
    book.close()
    for extra in ("rechazos.csv", "carga.csv"):
        assert (carpeta / extra).is_file()
    for stem, frame in metrics.REGISTROS[inf.nombre].archivos_de(inf.tablas).items():  # segmento_*.csv
        assert len(pd.read_csv(carpeta / f"{stem}.csv", keep_default_na=False)) == len(frame), stem


# --------------------------------------------------------------------------- tiny data sets


def _flow(conv: str, **extra: object) -> dict:
    return {"origen": "flujo", "campana": "Flujo 1", "conversacion_id": conv, **extra}


def _ev(conv: str, minute: int, autor: str, **extra: object) -> dict:
    return {"conversacion_id": conv, "fecha": f"2026-08-10 10:{minute:02d}", "autor": autor, **extra}


def _check_all(ds: Dataset, carpeta: Path, **filtros: object) -> dict[str, list[str]]:
    """Every check on the three reports over ``ds``; the HTML of each report's sections."""
    out = {}
    for nombre in report.REPORTS:
        inf = Informe.de_datos(nombre, ds, **filtros)
        tables = check_tables(inf)
        if nombre == "resumen":
            check_resumen_rules(tables, len(inf.envios))
        out[nombre] = check_sections(inf)
        check_exports(inf, carpeta / nombre)
    return out


def _sections(html: list[str], nombre: str) -> dict[str, str]:
    return dict(zip(report.SECTIONS[nombre], html, strict=True))


def test_nothing_loaded_every_section_says_so_and_exports_have_headers(tmp_path):
    ds = dataset(make_envios({}).iloc[:0])
    html = _check_all(ds, tmp_path)
    for nombre, sections in html.items():
        assert all(s.count(report.SIN_ENVIOS) == 1 for s in sections), nombre
    inf = Informe.de_datos("resumen", ds)
    header = "".join(p for p in inf.partes_encabezado() if isinstance(p, str))
    assert "No se cargó ningún envío" in header
    kpis = pd.read_csv(tmp_path / "resumen" / "kpis.csv")
    assert kpis.iloc[0].tolist() == [0] * len(metrics.KPI_COLUMNS)
    embudo = pd.read_csv(tmp_path / "resumen" / "embudo.csv")
    assert embudo["cantidad"].tolist() == [0] * 5 and embudo["pct_envios"].isna().all()
    envios = pd.read_csv(tmp_path / "detallado" / "envios.csv")
    assert envios.empty and list(envios.columns) == metrics.ENVIOS_DETAIL_COLUMNS


def test_filters_that_match_nothing_say_so_with_the_loaded_date_range(tmp_path):
    ds = dataset(make_envios({"fecha_envio": "2026-08-10 10:00"}, {"fecha_envio": "2026-08-12 18:00"}))
    html = _check_all(ds, tmp_path, fecha_desde="2030-01-01", fecha_hasta="2030-01-31")
    assert all(report.SIN_ENVIOS in s for sections in html.values() for s in sections)
    inf = Informe.de_datos("detallado", ds, fecha_desde="2030-01-01", fecha_hasta="2030-01-31")
    header = "".join(p for p in inf.partes_encabezado() if isinstance(p, str))
    assert "Los envíos cargados van del 10/08/2026 al 12/08/2026" in header
    assert pd.read_csv(tmp_path / "detallado" / "detallado.csv").empty


def test_the_widest_date_range_renders_every_report(tmp_path):
    """1900 to 2200, the widest range a filter takes: 110,000 days of evolucion, no previous period."""
    ds = dataset(make_envios({"fecha_envio": "2026-08-10 10:00"}, {"fecha_envio": "2026-08-12 18:00"}))
    html = _check_all(ds, tmp_path, fecha_desde="1900-01-01", fecha_hasta="2200-12-31")
    resumen = _sections(html["resumen"], "resumen")
    assert ">2<" in resumen["kpis"] and "empezaría antes de 1900" in resumen["periodo_anterior"]
    evolucion = pd.read_csv(tmp_path / "resumen" / "evolucion.csv")
    assert len(evolucion) == (dt.date(2200, 12, 31) - dt.date(1900, 1, 1)).days + 1
    assert evolucion["envios"].sum() == 2


def test_one_send(tmp_path):
    ds = dataset(make_envios({"leido": True, "conversacion_nueva": True}))
    html = _check_all(ds, tmp_path)
    resumen = _sections(html["resumen"], "resumen")
    assert ">1<" in resumen["kpis"] and "100,0 % de los exitosos" in resumen["kpis"]
    assert "No hubo envíos fallidos" in resumen["fallas"]
    flujos = _sections(html["flujos"], "flujos")
    assert report.SIN_ENVIOS_FLUJO[:-1] in flujos["aviso"]
    assert all(report.SIN_ENVIOS_FLUJO in flujos[s] for s in report.SECTIONS["flujos"][1:])


def test_only_plantilla_individual_funnel_grows_without_reads(tmp_path):
    ds = dataset(
        make_envios(
            {"origen": "plantilla_individual", "asignada": True},
            {"origen": "plantilla_individual", "asignada": True, "venta": True},
        )
    )
    html = _check_all(ds, tmp_path)
    inf = Informe.de_datos("resumen", ds)
    embudo = inf.tablas["embudo"]
    assert embudo["cantidad"].tolist() == [2, 0, 0, 2, 1]
    assert embudo["pct_etapa_anterior"].isna().tolist() == [False, False, True, True, False]
    figure = next(p for p in inf.partes("embudo") if isinstance(p, go.Figure))
    assert any("– de la etapa anterior" in label for label in figure.data[0].y)
    resumen = _sections(html["resumen"], "resumen")
    assert "El embudo no siempre se achica" in resumen["embudo"]
    assert ">–<" in resumen["embudo"]  # a percentage over 0 reads "sin dato" in the table too


@pytest.mark.parametrize("estado", ["fallido", "pendiente"])
def test_only_failed_or_pending_sends(tmp_path, estado):
    ds = dataset(make_envios({"estado": estado, "codigo_error": "131049"}, {"estado": estado}))
    html = _check_all(ds, tmp_path)
    inf = Informe.de_datos("detallado", ds)
    assert inf.tablas["detallado"][["pct_vistas", "pct_ventas"]].isna().all().all()
    fig = next(p for p in inf.partes("tasas") if isinstance(p, go.Figure))
    assert not fig.data and "Ninguna campaña tiene envíos exitosos" in fig.layout.annotations[0].text
    resumen = _sections(html["resumen"], "resumen")
    assert "– de los exitosos" in resumen["kpis"]
    if estado == "fallido":
        fallas = Informe.de_datos("resumen", ds).tablas["fallas"]
        assert fallas["envios"].sum() == 2 and fallas["pct"].sum() == pytest.approx(1)


def test_all_flags_not_reported(tmp_path):
    ds = dataset(make_envios({}, {"canal": "IG"}, {"estado": "fallido"}))
    _check_all(ds, tmp_path)
    k = Informe.de_datos("resumen", ds).tablas["kpis"].iloc[0]
    assert (k["envios_exitosos"], k["leidos"], k["lectura_no_informada"]) == (2, 0, 2)
    detalle = pd.read_csv(tmp_path / "detallado" / "envios.csv")
    assert detalle["leido"].isna().all() and len(detalle) == 3


def test_flow_sends_without_an_eventos_file(tmp_path):
    ds = dataset(make_envios(_flow("c1"), _flow("c2", asignada=True)), sin_eventos=True)
    flujos = _sections(_check_all(ds, tmp_path)["flujos"], "flujos")
    assert report.SIN_ARCHIVO_EVENTOS in flujos["aviso"]
    assert "Envíos exitosos" in flujos["resultados"]  # the sends are still counted
    for seccion in report.SECTIONS["flujos"][2:]:
        assert report.SIN_ARCHIVO_EVENTOS in flujos[seccion], seccion


def test_flow_sends_whose_conversations_have_no_evento(tmp_path):
    ds = dataset(make_envios(_flow("c1"), _flow("c2")), make_eventos(_ev("otra", 0, "cliente", opcion="A")))
    flujos = _sections(_check_all(ds, tmp_path)["flujos"], "flujos")
    assert report.SIN_EVENTOS_COINCIDENTES in flujos["aviso"]
    assert "revisá el archivo de eventos" in flujos["aviso"]
    for seccion in report.SECTIONS["flujos"][2:]:
        assert report.SIN_EVENTOS_COINCIDENTES in flujos[seccion], seccion


def test_flow_conversations_where_nobody_wrote(tmp_path):
    ds = dataset(make_envios(_flow("c1")), make_eventos(_ev("c1", 0, "bot", mensaje="Hola")))
    flujos = _sections(_check_all(ds, tmp_path)["flujos"], "flujos")
    assert report.SIN_RESPUESTAS in flujos["aviso"] and report.SIN_RESPUESTAS in flujos["finalizacion"]


def test_answered_flow_says_why_each_empty_table_is_empty(tmp_path):
    ds = dataset(
        make_envios(_flow("c1", asignada=True)), make_eventos(_ev("c1", 0, "cliente", opcion="Ofertas"))
    )
    flujos = _sections(_check_all(ds, tmp_path)["flujos"], "flujos")
    assert "Campaña analizada: «Flujo 1»" in flujos["aviso"] and "oa-warn" not in flujos["aviso"]
    assert "Ofertas" in flujos["primeras_opciones"]
    assert "Ninguna conversación respondida tiene tipificaciones" in flujos["embudo_tipificaciones"]
    assert "Ninguna conversación respondida tiene etiquetas" in flujos["embudo_etiquetas"]
    assert "Ningún flujo respondido terminó en abandono" in flujos["ultimo_mensaje_abandono"]


def test_fmt_helpers_accept_every_kind_of_missing_value():
    for missing in (None, pd.NA, float("nan"), np.nan, pd.NaT):
        assert fmt_pct(missing) == "–" and fmt_int(missing) == "–"
    assert fmt_pct(np.float64(0.125)) == "12,5 %" and fmt_int(np.int64(1234)) == "1.234"


@pytest.mark.parametrize(
    "table",
    [
        pd.DataFrame(
            {
                "etapa": list(metrics.ETAPAS),
                "cantidad": [0] * 5,
                "pct_envios": [np.nan] * 5,
                "pct_etapa_anterior": [np.nan] * 5,
            }
        ),
        pd.DataFrame(columns=["etapa", "cantidad", "pct_envios", "pct_etapa_anterior"]),
    ],
)
def test_funnel_chart_of_an_empty_or_all_zero_table_is_an_empty_state(table):
    fig = charts.embudo(table)
    assert not fig.data and fig.layout.annotations[0].text == charts.EMPTY_TEXT


def test_every_chart_draws_an_empty_state_for_zero_row_tables():
    empty = Informe.de_datos("flujos", dataset(make_envios({}).iloc[:0]))
    resumen, detallado = empty.como("resumen").tablas, empty.como("detallado").tablas
    flujos = empty.tablas
    figures = [
        charts.embudo(resumen["embudo"]),
        charts.reconciliacion(resumen["reconciliacion"]),
        charts.fallas(resumen["fallas"]),
        charts.tasas_por_campana(detallado["detallado"]),
        charts.barras(flujos["primeras_opciones"], "opcion", "t"),
        charts.finalizacion(flujos["finalizacion"]),
        charts.embudo_niveles(flujos["embudo_tipificaciones"], "tipificacion", "t"),
    ]
    for fig in figures:
        assert not fig.data and fig.layout.annotations[0].text == charts.EMPTY_TEXT
        json.loads(fig.to_json())


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([], dtype="datetime64[ns, America/Argentina/Buenos_Aires]"),
        pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns, America/Argentina/Buenos_Aires]"),
        pd.Series(pa.nulls(2), dtype=pd.ArrowDtype(pa.null())),
        pd.Series([], dtype=object),
        pd.Series([None, None], dtype=object),
    ],
    ids=["vacia", "todo_nat", "arrow_null", "object_vacia", "object_nulos"],
)
def test_iso_local_of_empty_and_all_null_columns_is_all_na_text(column):
    text = _celdas.iso_local(column)
    assert str(text.dtype) == "string" and len(text) == len(column) and text.isna().all()


def test_iso_local_keeps_each_value_with_its_offset_and_nulls_empty():
    tz = "America/Argentina/Buenos_Aires"
    aware = pd.Series([pd.Timestamp("2026-08-01 09:15", tz=tz), pd.NaT], dtype=f"datetime64[ns, {tz}]")
    assert _celdas.iso_local(aware).tolist() == ["2026-08-01T09:15:00-03:00", pd.NA]
    as_objects = pd.Series([pd.Timestamp("2026-08-01 09:15", tz="America/Lima"), None], dtype=object)
    assert _celdas.iso_local(as_objects).tolist() == ["2026-08-01T09:15:00-05:00", pd.NA]
    # a zone with summer time: each value with the offset of its own date
    madrid = pd.Series(
        pd.to_datetime(["2026-01-15 10:00", None, "2026-07-15 10:00"]).tz_localize("Europe/Madrid")
    )
    assert _celdas.iso_local(madrid).tolist() == [
        "2026-01-15T10:00:00+01:00",
        pd.NA,
        "2026-07-15T10:00:00+02:00",
    ]


def test_html_columns_formatted_whole_write_what_each_value_writes():
    """The whole-column paths (timestamps, plain text) give the same cells as formatting each value."""
    from outbound_analysis import _html

    aware = pd.Series(
        pd.to_datetime(["2026-08-01 09:15:30", None, "2026-12-31 23:59:00"]).tz_localize(
            "America/Argentina/Buenos_Aires"
        )
    )
    naive = pd.Series(pd.to_datetime(["2026-08-01 09:15", None, "2026-01-02 03:04"]))
    text = pd.Series(['a<b & "c"', None, "ñandú"], dtype="string")
    cats = pd.Series(["WA", None, "IG", "WA"], dtype="category")
    pct = pd.Series([0.5, None, 0.25], dtype="Float64").astype("category")
    for name, series in (
        ("fecha_envio", aware),
        ("fecha", naive),
        ("canal", cats),
        ("pct", pct),
        ("contacto_id", text),
    ):
        fast = _html._column_cells(series, name, series.dtype)
        each = _html._distinct_cells(series.tolist(), name, series.dtype)
        assert fast == each, name
    assert fast[0] == "<td>a&lt;b &amp; &quot;c&quot;</td>" and fast[1] == "<td></td>"


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.none() | st.text(max_size=8), min_size=1, max_size=12),
    stamps=st.lists(
        st.none() | st.datetimes(min_value=dt.datetime(1700, 1, 1), max_value=dt.datetime(2200, 12, 31)),
        min_size=1,
        max_size=12,
    ),
    zone=st.sampled_from([None, "America/Argentina/Buenos_Aires", "Europe/Madrid", "UTC"]),
)
def test_html_whole_column_cells_match_each_value_for_any_text_date_and_list(texts, stamps, zone):
    """Arrow's whole-column cells (escaped text, dd/mm/yyyy hh:mm dates, etiquetas joined)
    write what :func:`_html._td` writes value by value: any text, any date, any zone."""
    from outbound_analysis import _html

    text = pd.Series(texts, dtype="string")
    naive = pd.Series(pd.to_datetime(stamps, errors="coerce"), dtype="datetime64[ns]")
    when = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT") if zone else naive
    lists = pd.Series(
        [None if t is None else [t, t.upper()] if len(t) % 2 else [] for t in texts],
        dtype=pd.ArrowDtype(pa.list_(pa.string())),
    )
    for name, series in (("contacto_id", text), ("fecha_envio", when), ("etiquetas", lists)):
        fast = _html._column_cells(series, name, series.dtype)
        each = [_html._td(v, name, series.dtype) for v in series.tolist()]
        assert fast == each, name
