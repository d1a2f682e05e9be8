"""CONTRACT §5.1 (resumen beyond the platform): evolucion, periodo_anterior, horarios, fatiga.

Every expected number is written by hand, with the arithmetic in a comment, on frames built
with the loader's own rules (conftest.make_envios: naive times are local to Buenos Aires,
UTC-3). 2026-08-10 is a Monday. Then hypothesis properties over small drawn data sets, and
one test per chart.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_envios
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from outbound_analysis import _graficos_resumen as g
from outbound_analysis import metrics
from outbound_analysis.filters import Filtros
from outbound_analysis.metrics import _tiempo as t

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "outbound_analysis-hypothesis")
SETTINGS = settings(
    deadline=None,
    max_examples=30,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NA = pd.NA


def _values(series: pd.Series) -> list:
    """A column as plain Python values, NA kept as pd.NA."""
    return [NA if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in series.tolist()]


def _row(table: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        mask &= (table[column] == value).to_numpy()
    assert mask.sum() == 1, where
    return table[mask].iloc[0]


def _check_dtypes(table: pd.DataFrame, columns: list[str], text: tuple[str, ...] = ()) -> None:
    assert list(table.columns) == columns
    for c in columns:
        if c in text:
            assert table[c].dtype == "string", c
        elif c.startswith("pct_") or c == "variacion":
            assert table[c].dtype == "Float64", c
        else:
            assert table[c].dtype == "int64", c


# --------------------------------------------------------------------------- evolucion


def test_evolucion_counts_rates_and_days_without_sends():
    env = make_envios(
        {"fecha_envio": "2026-08-10 09:00", "leido": True, "respondido": True},
        {"fecha_envio": "2026-08-10 10:00", "leido": None, "respondido": True, "asignada": True},
        {"fecha_envio": "2026-08-10 11:00", "leido": False, "respondido": False},
        {"fecha_envio": "2026-08-10 12:00", "estado": "fallido"},
        {"fecha_envio": "2026-08-12 18:00", "leido": True, "venta": True},
    )
    ev = t.evolucion(env)
    _check_dtypes(ev, t.EVOLUCION_COLUMNS, text=("fecha",))
    # first..last day with a send: 10, 11 (no sends, zeros), 12
    assert ev["fecha"].tolist() == ["2026-08-10", "2026-08-11", "2026-08-12"]
    assert ev["envios"].tolist() == [4, 0, 1]
    assert ev["envios_exitosos"].tolist() == [3, 0, 1]
    # day 10: leidos = leido true (1) + respondido with leido NA (1) = 2; respondidos 2; asignadas 1
    assert ev["leidos"].tolist() == [2, 0, 1]
    assert ev["respondidos"].tolist() == [2, 0, 0]
    assert ev["asignadas"].tolist() == [1, 0, 0]
    assert ev["ventas"].tolist() == [0, 0, 1]
    # over that day's exitosos: 2/3, NA (0 exitosos), 1/1
    assert _values(ev["pct_leidos"]) == [pytest.approx(2 / 3), NA, 1.0]
    assert _values(ev["pct_respondidos"]) == [pytest.approx(2 / 3), NA, 0.0]
    assert _values(ev["pct_ventas"]) == [0.0, NA, 1.0]


def test_evolucion_uses_the_local_calendar_day():
    # 01:30 UTC on the 11th is 22:30 of the 10th in Buenos Aires (UTC-3)
    env = make_envios({"fecha_envio": "2026-08-11T01:30:00Z"})
    assert t.evolucion(env)["fecha"].tolist() == ["2026-08-10"]
    assert t.evolucion(env, Filtros())["fecha"].tolist() == ["2026-08-10"]
    # the same instant in UTC is the 11th
    assert t.evolucion(env, Filtros(zona_horaria="UTC"))["fecha"].tolist() == ["2026-08-11"]


def test_evolucion_range_is_the_filter_dates_when_both_are_set():
    env = make_envios({"fecha_envio": "2026-08-10 09:00"}, {"fecha_envio": "2026-08-11 09:00"})
    ev = t.evolucion(env, Filtros(fecha_desde="2026-08-08", fecha_hasta="2026-08-13"))
    # 8..13 inclusive = 6 days; sends only on 10 and 11
    assert ev["fecha"].tolist() == [f"2026-08-{d:02d}" for d in range(8, 14)]
    assert ev["envios"].tolist() == [0, 0, 1, 1, 0, 0]
    assert ev["pct_respondidos"].isna().tolist() == [True, True, False, False, True, True]
    # only one bound set: back to first..last day with a filtered send
    ev = t.evolucion(env, Filtros(fecha_desde="2026-08-01"))
    assert ev["fecha"].tolist() == ["2026-08-10", "2026-08-11"]


def test_evolucion_empty_and_single_row():
    env = make_envios({"fecha_envio": "2026-08-10 09:00", "respondido": True})
    empty = t.evolucion(env.iloc[:0])
    assert len(empty) == 0
    _check_dtypes(empty, t.EVOLUCION_COLUMNS, text=("fecha",))
    # dates set but nothing passes: one zero row per day, every pct NA
    none = t.evolucion(env, Filtros(fecha_desde="2026-09-01", fecha_hasta="2026-09-02"))
    assert none["envios"].tolist() == [0, 0]
    assert none["pct_leidos"].isna().all()
    one = t.evolucion(env)
    assert one[["fecha", "envios", "respondidos"]].to_numpy().tolist() == [["2026-08-10", 1, 1]]
    assert one["pct_respondidos"].iloc[0] == 1.0  # 1 of 1


def test_evolucion_does_not_mutate_its_input():
    env = make_envios({"fecha_envio": "2026-08-10 09:00"})
    before = env.copy()
    t.tablas(env, Filtros(fecha_desde="2026-08-10", fecha_hasta="2026-08-10"))
    pd.testing.assert_frame_equal(env, before)


# --------------------------------------------------------------------------- periodo anterior


def _periodo_data() -> pd.DataFrame:
    return make_envios(
        # current period 10..12/08
        {"fecha_envio": "2026-08-10 09:00", "contacto_id": "A", "respondido": True, "venta": True},
        {"fecha_envio": "2026-08-11 09:00", "contacto_id": "A"},
        {"fecha_envio": "2026-08-12 09:00", "contacto_id": "B", "respondido": True},
        {"fecha_envio": "2026-08-12 10:00", "contacto_id": "C", "estado": "pendiente"},
        # previous period 07..09/08 (3 days ending the day before fecha_desde)
        {"fecha_envio": "2026-08-07 00:00", "contacto_id": "A", "respondido": True},
        {"fecha_envio": "2026-08-09 09:00", "contacto_id": "D", "estado": "fallido"},
        # 02:00 UTC on the 10th is 23:00 of the 9th local: previous period
        {"fecha_envio": "2026-08-10T02:00:00Z", "contacto_id": "D"},
        # outside both periods
        {"fecha_envio": "2026-08-06 23:59", "contacto_id": "E"},
        # previous period but another campaign
        {"fecha_envio": "2026-08-08 09:00", "contacto_id": "F", "campana": "Otra"},
    )


def test_periodo_anterior_hand_computed():
    f = Filtros(fecha_desde="2026-08-10", fecha_hasta="2026-08-12", campanas=["Campaña A"])
    c = t.comparar_periodo(_periodo_data(), f)
    assert (c.desde, c.hasta) == (dt.date(2026, 8, 7), dt.date(2026, 8, 9))
    table = c.tabla
    _check_dtypes(table, t.PERIODO_ANTERIOR_COLUMNS, text=("metrica",))
    assert table["metrica"].tolist() == metrics.KPI_COLUMNS
    by = table.set_index("metrica")
    # actual: 4 sends (A, A, B, C), 3 exitosos, 1 pendiente, contacts {A, B, C} = 3
    # anterior: 3 sends of Campaña A (A exitoso, D fallido, D exitoso), contacts {A, D} = 2
    expected = {
        # metrica: (actual, anterior, diferencia, variacion)
        "total_contactos": (3, 2, 1, 0.5),  # 3/2 - 1
        "envios": (4, 3, 1, 1 / 3),  # 4/3 - 1
        "envios_exitosos": (3, 2, 1, 0.5),
        "envios_fallidos": (0, 1, -1, -1.0),  # 0/1 - 1
        "envios_pendientes": (1, 0, 1, NA),  # anterior 0: no variation
        "respondidos": (2, 1, 1, 1.0),
        "ventas": (1, 0, 1, NA),
    }
    for metrica, (actual, anterior, diferencia, variacion) in expected.items():
        row = by.loc[metrica]
        assert (row["actual"], row["anterior"], row["diferencia"]) == (actual, anterior, diferencia), metrica
        if variacion is NA:
            assert pd.isna(row["variacion"]), metrica
        else:
            assert row["variacion"] == pytest.approx(variacion), metrica
    # the loaded files do hold the previous period: 4 sends there with no other filter (07, 09, 09 23h, 08)
    assert c.envios_cargados == 4
    assert not c.sin_envios_cargados
    assert not c.incompleto  # the earliest loaded send (06/08) is before 07/08
    assert c.nota() is None


def test_periodo_anterior_kpis_passed_in_give_the_same_table():
    f = Filtros(fecha_desde="2026-08-10", fecha_hasta="2026-08-12")
    env = _periodo_data()
    pd.testing.assert_frame_equal(
        t.comparar_periodo(env, f, metrics.kpis(env, f)).tabla, t.periodo_anterior(env, f)
    )


def test_periodo_anterior_needs_both_dates():
    env = _periodo_data()
    for f in (None, Filtros(), Filtros(fecha_desde="2026-08-10"), Filtros(fecha_hasta="2026-08-12")):
        c = t.comparar_periodo(env, f)
        assert not c.definido
        assert len(c.tabla) == 0
        _check_dtypes(c.tabla, t.PERIODO_ANTERIOR_COLUMNS, text=("metrica",))
        assert c.nota() == (
            "Para comparar con el período anterior elegí fecha_desde y fecha_hasta: "
            "el período anterior es el mismo número de días justo antes de fecha_desde."
        )
    assert t.rango_anterior(Filtros(fecha_desde="2026-08-10")) is None


def test_a_previous_period_before_1900_is_not_defined_and_the_section_says_why():
    wide = Filtros(fecha_desde="1950-01-01", fecha_hasta="2026-12-31")  # the previous one starts in 1873
    assert t.rango_anterior(wide) is None
    assert "empezaría antes de 1900" in (t.comparar_periodo(_periodo_data(), wide).nota() or "")
    assert t.rango_anterior(Filtros(fecha_desde="1950-01-01", fecha_hasta="1950-01-01")) is not None
    html = _html_parts(
        _informe(fecha_desde="1950-01-01", fecha_hasta="2026-12-31").partes("periodo_anterior")
    )
    assert "empezaría antes de 1900" in html and "<table" not in html


def test_periodo_anterior_without_loaded_sends_of_the_previous_period():
    env = make_envios({"fecha_envio": "2026-08-10 09:00"}, {"fecha_envio": "2026-08-11 09:00"})
    # one day: previous period is the 9th alone
    c = t.comparar_periodo(env, Filtros(fecha_desde="2026-08-11", fecha_hasta="2026-08-11"))
    assert (c.desde, c.hasta) == (dt.date(2026, 8, 10), dt.date(2026, 8, 10))
    assert c.envios_cargados == 1 and not c.sin_envios_cargados
    c = t.comparar_periodo(env, Filtros(fecha_desde="2026-08-10", fecha_hasta="2026-08-11"))
    assert (c.desde, c.hasta) == (dt.date(2026, 8, 8), dt.date(2026, 8, 9))
    assert c.sin_envios_cargados
    assert (c.tabla["anterior"] == 0).all()
    assert c.tabla["variacion"].isna().all()
    assert (c.tabla["diferencia"] == c.tabla["actual"]).all()
    assert c.nota() == (
        "Los archivos cargados no tienen envíos del período anterior (del 08/08/2026 al 09/08/2026): "
        "la columna «anterior» queda en 0 y no hay variación para calcular. "
        "Cargá también los envíos de esas fechas para comparar."
    )


def test_periodo_anterior_filtered_out_is_not_missing_data():
    env = _periodo_data()
    f = Filtros(fecha_desde="2026-08-10", fecha_hasta="2026-08-12", campanas=["Otra"])
    c = t.comparar_periodo(env, f)
    # "Otra" has 1 send in the previous period and none in the current one
    by = c.tabla.set_index("metrica")
    assert (by.loc["envios", "actual"], by.loc["envios", "anterior"]) == (0, 1)
    assert by.loc["envios", "variacion"] == -1.0  # 0/1 - 1
    assert c.envios_cargados == 4 and not c.sin_envios_cargados


def test_periodo_anterior_incomplete_when_files_start_inside_it():
    env = make_envios({"fecha_envio": "2026-08-05 09:00"}, {"fecha_envio": "2026-08-12 09:00"})
    # 7 days 10..16: previous 03..09, files start on the 5th
    c = t.comparar_periodo(env, Filtros(fecha_desde="2026-08-10", fecha_hasta="2026-08-16"))
    assert (c.desde, c.primer_dia_cargado) == (dt.date(2026, 8, 3), dt.date(2026, 8, 5))
    assert c.incompleto
    assert c.nota() == (
        "Los archivos cargados empiezan el 05/08/2026: el período anterior (del 03/08/2026 al "
        "09/08/2026) está incompleto y sus números son más bajos de lo que fueron."
    )


def test_texto_variacion():
    assert t.texto_variacion(0.125) == "+12,5 % vs. período anterior"
    assert t.texto_variacion(-0.03) == "-3,0 % vs. período anterior"
    assert t.texto_variacion(0.0) == "igual que el período anterior"
    assert t.texto_variacion(NA) == "0 en el período anterior: sin variación"
    assert t.texto_variacion(float("nan")) == "0 en el período anterior: sin variación"


# --------------------------------------------------------------------------- horarios


def test_horarios_hand_computed():
    env = make_envios(
        {"fecha_envio": "2026-08-10 09:15", "respondido": True},  # Monday 09
        {"fecha_envio": "2026-08-10 09:59", "respondido": False},  # Monday 09
        {"fecha_envio": "2026-08-10 09:30", "estado": "fallido"},  # not an exitoso
        {"fecha_envio": "2026-08-16 23:59", "respondido": None},  # Sunday 23
        {"fecha_envio": "2026-08-11T12:00:00Z", "respondido": True},  # 09:00 local, Tuesday
    )
    h = t.horarios(env)
    _check_dtypes(h, t.HORARIOS_COLUMNS)
    assert len(h) == 168
    assert h["dia_semana"].tolist() == [d for d in range(1, 8) for _ in range(24)]
    assert h["hora"].tolist() == list(range(24)) * 7
    monday_9 = _row(h, dia_semana=1, hora=9)
    assert (monday_9["envios_exitosos"], monday_9["respondidos"]) == (2, 1)
    assert monday_9["pct_respondidos"] == 0.5  # 1/2
    sunday_23 = _row(h, dia_semana=7, hora=23)
    assert (sunday_23["envios_exitosos"], sunday_23["respondidos"], sunday_23["pct_respondidos"]) == (
        1,
        0,
        0.0,
    )
    tuesday_9 = _row(h, dia_semana=2, hora=9)
    assert (tuesday_9["envios_exitosos"], tuesday_9["pct_respondidos"]) == (1, 1.0)
    # every other cell: 0 exitosos, pct NA
    others = h[h["envios_exitosos"] == 0]
    assert len(others) == 168 - 3
    assert others["pct_respondidos"].isna().all()


def test_horarios_empty_selection_still_has_168_rows():
    env = make_envios({"fecha_envio": "2026-08-10 09:15"})
    h = t.horarios(env, Filtros(campanas=["No existe"]))
    assert len(h) == 168
    assert h["envios_exitosos"].sum() == 0
    assert h["pct_respondidos"].isna().all()
    _check_dtypes(h, t.HORARIOS_COLUMNS)


# --------------------------------------------------------------------------- fatiga


def test_fatiga_hand_computed():
    a = [{"contacto_id": "A", "fecha_envio": f"2026-08-{d:02d} 09:00"} for d in range(10, 16)]
    a[2]["respondido"] = True  # A's 3rd
    a[5]["venta"] = True  # A's 6th -> "5 o más"
    env = make_envios(
        *a,
        {"contacto_id": "B", "fecha_envio": "2026-08-10 10:00", "respondido": True},
        {"contacto_id": "B", "fecha_envio": "2026-08-11 10:00", "estado": "fallido"},  # not numbered
        {"contacto_id": "B", "fecha_envio": "2026-08-12 10:00"},  # B's 2nd exitoso
    )
    f = t.fatiga(env)
    _check_dtypes(f, t.FATIGA_COLUMNS, text=("envio_numero",))
    assert f["envio_numero"].tolist() == ["1", "2", "3", "4", "5 o más"]
    # 1: A1, B1 | 2: A2, B2 | 3: A3 | 4: A4 | 5 o más: A5, A6
    assert f["envios_exitosos"].tolist() == [2, 2, 1, 1, 2]
    assert f["respondidos"].tolist() == [1, 0, 1, 0, 0]  # B1, A3
    assert f["ventas"].tolist() == [0, 0, 0, 0, 1]  # A6
    assert _values(f["pct_respondidos"]) == [0.5, 0.0, 1.0, 0.0, 0.0]  # 1/2, 0/2, 1/1, 0/1, 0/2
    assert _values(f["pct_ventas"]) == [0.0, 0.0, 0.0, 0.0, 0.5]  # 1/2 in "5 o más"


def test_fatiga_ties_on_fecha_go_by_envio_id_not_file_order():
    env = make_envios(
        {"envio_id": "z1", "contacto_id": "C", "fecha_envio": "2026-08-10 09:00", "respondido": True},
        {"envio_id": "a1", "contacto_id": "C", "fecha_envio": "2026-08-10 09:00"},
        {"envio_id": "m1", "contacto_id": "D", "fecha_envio": "2026-08-10 09:00", "venta": True},
    )
    f = t.fatiga(env)
    # C: a1 is the 1st, z1 (respondido) the 2nd; D: m1 1st
    assert f["envios_exitosos"].tolist() == [2, 1, 0, 0, 0]
    assert f["respondidos"].tolist() == [0, 1, 0, 0, 0]
    assert f["ventas"].tolist() == [1, 0, 0, 0, 0]
    assert t.envio_numero(env).tolist() == [2, 1, 1]


def test_fatiga_counts_only_filtered_exitosos_and_any_row_order():
    env = make_envios(
        {"contacto_id": "A", "fecha_envio": "2026-08-12 09:00", "campana": "X", "respondido": True},
        {"contacto_id": "A", "fecha_envio": "2026-08-10 09:00", "campana": "Y"},
        {"contacto_id": "A", "fecha_envio": "2026-08-11 09:00", "campana": "X"},
    )
    # all: Y (10th) is 1st, X 11th 2nd, X 12th (respondido) 3rd; rows are not in time order
    assert t.fatiga(env)["respondidos"].tolist() == [0, 0, 1, 0, 0]
    assert t.envio_numero(env).tolist() == [3, 1, 2]
    # only campaign X: the 11th is the 1st, the 12th the 2nd
    fx = t.fatiga(env, Filtros(campanas=["X"]))
    assert fx["envios_exitosos"].tolist() == [1, 1, 0, 0, 0]
    assert fx["respondidos"].tolist() == [0, 1, 0, 0, 0]
    # the cached contact codes of ALL rows give the same tables
    codes = t.codigos_contacto(env)
    pd.testing.assert_frame_equal(t.fatiga(env, Filtros(campanas=["X"]), contactos=codes), fx)
    tables, _ = t.tablas(env, Filtros(campanas=["X"]), contactos=codes)
    pd.testing.assert_frame_equal(tables["fatiga"], fx)
    with pytest.raises(ValueError):
        t.fatiga(env, contactos=codes[:1])


def test_fatiga_empty():
    env = make_envios({"estado": "fallido"})
    for frame in (env, env.iloc[:0]):
        f = t.fatiga(frame)
        assert f["envio_numero"].tolist() == list(t.ENVIO_NUMEROS)
        assert f["envios_exitosos"].tolist() == [0] * 5
        assert f["pct_respondidos"].isna().all() and f["pct_ventas"].isna().all()
        _check_dtypes(f, t.FATIGA_COLUMNS, text=("envio_numero",))


def test_tablas_returns_the_four_tables_in_order():
    env = _periodo_data()
    f = Filtros(fecha_desde="2026-08-10", fecha_hasta="2026-08-12")
    tables, comparacion = t.tablas(env, f)
    assert tuple(tables) == t.TABLES
    pd.testing.assert_frame_equal(tables["evolucion"], t.evolucion(env, f))
    pd.testing.assert_frame_equal(tables["horarios"], t.horarios(env, f))
    pd.testing.assert_frame_equal(tables["fatiga"], t.fatiga(env, f))
    pd.testing.assert_frame_equal(tables["periodo_anterior"], comparacion.tabla)


# --------------------------------------------------------------------------- properties

_BASE_DAY = dt.date(2026, 8, 10)


@st.composite
def _sends(draw: st.DrawFn) -> tuple[list[dict], pd.DataFrame]:
    """Up to 25 sends over 10 local days, 3 contacts and 2 campaigns; many ties on purpose."""
    flag = st.sampled_from([True, False, None])
    rows = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "contacto_id": st.sampled_from(["1", "2", "3"]),
                    "day": st.integers(0, 9),
                    "hour": st.sampled_from([0, 9, 23]),
                    "estado": st.sampled_from(["exitoso", "exitoso", "fallido", "pendiente"]),
                    "campana": st.sampled_from(["X", "Y"]),
                    "leido": flag,
                    "respondido": flag,
                    "venta": flag,
                }
            ),
            max_size=25,
        )
    )
    records = []
    for i, r in enumerate(rows):
        when = dt.datetime.combine(_BASE_DAY + dt.timedelta(days=r["day"]), dt.time(r["hour"]))
        rec = {k: v for k, v in r.items() if k not in ("day", "hour")}
        records.append({**rec, "envio_id": f"id{(i * 7) % 25:02d}", "fecha_envio": when.isoformat(" ")})
    env = make_envios(*records) if records else make_envios({"fecha_envio": "2026-08-10 09:00"}).iloc[:0]
    return rows, env


def _reference_fatiga(rows: list[dict], env: pd.DataFrame) -> list[tuple[int, int]]:
    """Per envio_numero row: (exitosos, respondidos), by a plain sort of the exitosos."""
    exitosos = [
        (r["contacto_id"], r["day"], r["hour"], env["envio_id"].iloc[i], r["respondido"] is True)
        for i, r in enumerate(rows)
        if r["estado"] == "exitoso"
    ]
    seen: dict[str, int] = {}
    out = [[0, 0] for _ in range(5)]
    for contacto, _, _, _, respondido in sorted(exitosos):
        seen[contacto] = seen.get(contacto, 0) + 1
        k = min(seen[contacto], 5) - 1
        out[k][0] += 1
        out[k][1] += respondido
    return [tuple(x) for x in out]


@SETTINGS
@given(data=_sends(), campana=st.sampled_from([None, "X"]))
def test_properties_over_small_data(data, campana):
    rows, env = data
    f = Filtros(campanas=[campana]) if campana else None
    k = metrics.kpis(env, f).iloc[0]
    tables, _ = t.tablas(env, f)

    ev = tables["evolucion"]
    assert ev["envios"].sum() == k["envios"]
    for name in ("envios_exitosos", "leidos", "respondidos", "asignadas", "ventas"):
        assert ev[name].sum() == k[name]
    if len(ev):
        days = pd.to_datetime(ev["fecha"].astype(str))
        assert (days.diff().dropna() == pd.Timedelta(days=1)).all()  # consecutive, sorted
        assert ev["envios"].iloc[0] > 0 and ev["envios"].iloc[-1] > 0  # first..last day with a send
    else:
        assert k["envios"] == 0

    h = tables["horarios"]
    assert len(h) == 168
    assert h["envios_exitosos"].sum() == k["envios_exitosos"]
    assert h["respondidos"].sum() == k["respondidos"]
    # only hours 0, 9 and 23 were drawn
    assert set(h.loc[h["envios_exitosos"] > 0, "hora"]) <= {0, 9, 23}

    fa = tables["fatiga"]
    assert fa["envios_exitosos"].sum() == k["envios_exitosos"]
    assert fa["respondidos"].sum() == k["respondidos"]
    assert fa["ventas"].sum() == k["ventas"]
    counts = fa["envios_exitosos"].tolist()
    assert counts[:4] == sorted(counts[:4], reverse=True)  # a contact's k-th implies its (k-1)-th
    exitosos = env[(env["estado"] == "exitoso").to_numpy()]
    if campana:
        exitosos = exitosos[(exitosos["campana"] == campana).to_numpy()]
    assert counts[0] == exitosos["contacto_id"].nunique()
    if campana is None:
        assert list(zip(counts, fa["respondidos"].tolist(), strict=True)) == _reference_fatiga(rows, env)

    for table in (ev, h, fa):
        for column in [c for c in table.columns if c.startswith("pct_")]:
            values = table[column]
            assert ((values.dropna() >= 0) & (values.dropna() <= 1)).all()
            denominator = table["envios_exitosos"]
            assert (values.isna() == (denominator == 0)).all()


@SETTINGS
@given(data=_sends(), start=st.integers(0, 9), length=st.integers(1, 5))
def test_property_periodo_anterior_counts_the_previous_days(data, start, length):
    rows, env = data
    desde = _BASE_DAY + dt.timedelta(days=start)
    f = Filtros(fecha_desde=desde, fecha_hasta=desde + dt.timedelta(days=length - 1))
    c = t.comparar_periodo(env, f)
    by = c.tabla.set_index("metrica")
    previous_days = set(range(start - length, start))
    current_days = set(range(start, start + length))
    assert by.loc["envios", "anterior"] == sum(r["day"] in previous_days for r in rows)
    assert by.loc["envios", "actual"] == sum(r["day"] in current_days for r in rows)
    assert c.envios_cargados == by.loc["envios", "anterior"]
    assert (c.tabla["diferencia"] == c.tabla["actual"] - c.tabla["anterior"]).all()
    assert (c.tabla["variacion"].isna() == (c.tabla["anterior"] == 0)).all()


# --------------------------------------------------------------------------- charts


def _text_of(fig) -> str:
    """Everything a reader sees in a figure (title, axes, annotations, trace names, hovers)."""
    return json.dumps(fig.to_plotly_json(), ensure_ascii=False, default=str)


def _is_empty_state(fig, text: str = g.EMPTY_TEXT) -> bool:
    return len(fig.data) == 0 and any(a.text == text for a in fig.layout.annotations)


def test_chart_evolucion_daily_weekly_and_empty():
    env = make_envios(
        {"fecha_envio": "2026-08-10 09:00", "respondido": True},
        {"fecha_envio": "2026-08-12 09:00", "estado": "fallido"},
    )
    fig = g.evolucion(t.evolucion(env))
    fig.to_json()
    assert fig.layout.title.text == "Evolución diaria"
    assert [tr.name for tr in fig.data] == ["Envíos", "Exitosos", "% leídos", "% respondidos", "% ventas"]
    assert len(fig.data[0].x) == 3  # 10, 11, 12
    # day 11 has no exitoso: its rate is a gap (NaN), not 0
    assert np.isnan(fig.data[3].y[1])
    assert "mié 12/08/2026" in _text_of(fig)  # Spanish weekday in the hover
    assert fig.layout.yaxis2.tickformat == ".0%"
    # 92 days: still daily; 93: by ISO week, with partial weeks marked
    ninety_two = t.evolucion(env, Filtros(fecha_desde="2026-08-01", fecha_hasta="2026-10-31"))
    assert len(ninety_two) == 92
    assert len(g.evolucion(ninety_two).data[0].x) == 92
    ninety_three = t.evolucion(env, Filtros(fecha_desde="2026-08-01", fecha_hasta="2026-11-01"))
    weekly = g.evolucion(ninety_three)
    # 01/08/2026 is a Saturday: weeks from Mon 27/07 to Mon 26/10 = 14 weeks
    assert len(weekly.data[0].x) == 14
    assert weekly.layout.title.text.startswith("Evolución semanal")
    assert sum(weekly.data[0].y) == 2  # the weekly sums keep every send
    assert "Semana 2026-S33 (del 10/08 al 16/08/2026)" in _text_of(weekly)
    assert "semana incompleta" in _text_of(weekly)
    assert _is_empty_state(g.evolucion(t.evolucion(env.iloc[:0])))
    # sends but no exitoso: counts drawn, the rates panel says why it is empty
    failed = g.evolucion(t.evolucion(make_envios({"estado": "fallido"})))
    assert any(a.text == g.NO_EXITOSOS_TEXT for a in failed.layout.annotations)


def test_chart_horarios_marks_unreliable_cells():
    rows = [{"fecha_envio": "2026-08-10 09:00", "respondido": i < 12} for i in range(30)]
    rows += [{"fecha_envio": "2026-08-11 15:00", "respondido": True}]
    fig = g.horarios(t.horarios(make_envios(*rows)), zona_horaria="America/Lima")
    fig.to_json()
    color, wash = fig.data
    assert list(color.y) == list(g.DIAS_SEMANA) and color.y[0] == "Lunes"
    assert fig.layout.yaxis.autorange == "reversed"  # lunes on top
    # lunes 09: 30 exitosos, 12 respondidos = 40 %, reliable: shown with its %
    assert color.z[0][9] == pytest.approx(0.4)
    assert color.text[0][9] == "40 %"
    assert np.isnan(wash.z[0][9])
    # martes 15: 1 exitoso, unreliable: washed out, its count instead of a %
    assert wash.z[1][15] == 0.0
    assert wash.text[1][15] == "n=1"
    assert color.text[1][15] == ""
    assert "menos de 30 exitosos: poco confiable" in wash.customdata[1][15]
    assert "1 de 1 exitosos" in wash.customdata[1][15]
    # cells without sends are blank in both layers
    assert np.isnan(color.z[2][0]) and np.isnan(wash.z[2][0])
    text = _text_of(fig)
    assert "menos de 30 envíos exitosos" in text and "hora local del envío (America/Lima)" in text
    assert _is_empty_state(g.horarios(t.horarios(make_envios({"estado": "fallido"}))))
    assert _is_empty_state(g.horarios(t.horarios(make_envios({}).iloc[:0])))


def test_chart_fatiga():
    env = make_envios(
        {"contacto_id": "A", "fecha_envio": "2026-08-10 09:00", "respondido": True},
        {"contacto_id": "A", "fecha_envio": "2026-08-11 09:00", "venta": True},
    )
    fig = g.fatiga(t.fatiga(env))
    fig.to_json()
    assert [tr.name for tr in fig.data] == ["% respondidos", "% ventas"]
    assert fig.data[0].x[0].startswith("1.er envío") and fig.data[0].x[4].startswith("5.º o más")
    assert list(fig.data[0].text[:2]) == ["100,0 %", "0,0 %"]  # 1/1 and 0/1
    assert fig.data[1].text[1] == "100,0 %"
    assert fig.data[0].text[2] == ""  # no 3rd send: no bar, no text
    assert fig.layout.yaxis.tickformat == ".0%"
    assert _is_empty_state(g.fatiga(t.fatiga(make_envios({"estado": "fallido"}))), g.NO_EXITOSOS_TEXT)
    assert _is_empty_state(g.fatiga(t.fatiga(env).iloc[:0]))


# --------------------------------------------------------------------------- wired into the report


def _informe(**params: object):
    from test_sections import dataset

    from outbound_analysis import Informe

    return Informe.de_datos("resumen", dataset(_periodo_data()), **params)


def _html_parts(parts: list) -> str:
    return "".join(p for p in parts if isinstance(p, str))


PERIODO = {"fecha_desde": "2026-08-10", "fecha_hasta": "2026-08-12", "campanas": ["Campaña A"]}


def test_report_exports_the_four_tables_after_the_platform_ones_and_equal_to_the_pure_functions():
    assert metrics.TABLES["resumen"][-4:] == t.TABLES
    inf = _informe(**PERIODO)
    env, f = inf.datos.envios, inf.filtros
    tables = inf.tablas
    pd.testing.assert_frame_equal(tables["evolucion"], t.evolucion(env, f))
    pd.testing.assert_frame_equal(tables["periodo_anterior"], t.periodo_anterior(env, f))
    pd.testing.assert_frame_equal(tables["horarios"], t.horarios(env, f))
    pd.testing.assert_frame_equal(tables["fatiga"], t.fatiga(env, f))
    # the previous period comes from ALL loaded sends: 3 sends of Campaña A on 07..09/08 (see above)
    assert _row(tables["periodo_anterior"], metrica="envios")["anterior"] == 3
    assert "contexto_tiempo" not in tables  # a support table: shown, never exported


def test_contact_codes_are_hashed_once_per_data_set_not_per_filter_change(monkeypatch):
    from outbound_analysis.metrics import _entrada

    calls = []
    real = _entrada._codigos_contacto
    monkeypatch.setattr(_entrada, "_codigos_contacto", lambda f: calls.append(len(f.datos.envios)) or real(f))
    inf = _informe()
    first = inf.tablas["fatiga"]
    inf.aplicar(Filtros(campanas=["Campaña A"]))
    second = inf.tablas["fatiga"]
    assert calls == [len(inf.datos.envios)]  # once, over every loaded send
    # exitosos: A on 07/08 (1st), 10/08 (2nd), 11/08 (3rd); B, D (02:00Z), E and F once each (1st)
    assert first["envios_exitosos"].tolist() == [5, 1, 1, 0, 0]
    assert second["envios_exitosos"].tolist() == [4, 1, 1, 0, 0]  # F (Otra) left out
    pd.testing.assert_frame_equal(second, t.fatiga(inf.datos.envios, inf.filtros))


def test_kpis_cards_show_the_variation_against_the_previous_period():
    html = _html_parts(_informe(**PERIODO).partes("kpis"))
    # total_contactos 3 vs 2: +50,0 %; envios 4 vs 3: +33,3 %; ventas 1 vs 0: no variation
    assert 'Total contactos</div><div class="oa-s">contactos distintos en los envíos<br>' in html
    assert '<span class="oa-d">+50,0 % vs. período anterior</span>' in html
    assert '<span class="oa-d">+33,3 % vs. período anterior</span>' in html
    assert "0 en el período anterior: sin variación" in html
    assert "del 07/08/2026 al 09/08/2026" in html
    assert 'class="oa-warn"' not in html  # the previous period is loaded and complete
    # without both dates: no delta, no comparison note
    plain = _html_parts(_informe().partes("kpis"))
    assert 'class="oa-d"' not in plain and "período anterior" not in plain


def test_kpis_and_periodo_sections_say_when_the_previous_period_is_not_loaded():
    inf = _informe(fecha_desde="2026-08-06", fecha_hasta="2026-08-06")  # previous: 05/08, before every file
    kpis = _html_parts(inf.partes("kpis"))
    assert 'class="oa-d"' not in kpis  # no delta: every anterior is 0
    expected = "Los archivos cargados no tienen envíos del período anterior (del 05/08/2026 al 05/08/2026)"
    assert expected in kpis
    periodo = _html_parts(inf.partes("periodo_anterior"))
    assert expected in periodo and "<table" in periodo
    # incomplete: 06/08 is the first loaded day, the previous period of 07..12/08 is 01..06/08
    inf = _informe(fecha_desde="2026-08-07", fecha_hasta="2026-08-12")
    assert "Los archivos cargados empiezan el 06/08/2026" in _html_parts(inf.partes("periodo_anterior"))


def test_periodo_section_shows_the_table_in_spanish_or_asks_for_both_dates():
    html = _html_parts(_informe(**PERIODO).partes("periodo_anterior"))
    assert "del 10/08/2026 al 12/08/2026" in html and "del 07/08/2026 al 09/08/2026" in html
    assert "<th>Indicador</th><th>Período elegido</th><th>Período anterior</th>" in html
    # envios 4 vs 3: +33,3 %; envios_fallidos 0 vs 1: -100,0 %; envios_pendientes 1 vs 0: –
    assert "<td>Envíos</td>" in html and "<td>+33,3 %</td>" in html and "<td>-100,0 %</td>" in html
    assert "<td>Envíos pendientes</td>" in html
    asked = _html_parts(_informe(fecha_desde="2026-08-10").partes("periodo_anterior"))
    assert "elegí fecha_desde y fecha_hasta" in asked and "<table" not in asked


def test_evolucion_horarios_fatiga_sections_read_their_tables():
    import plotly.graph_objects as go

    inf = _informe(**PERIODO)
    evo = inf.partes("evolucion")
    assert isinstance(evo[0], go.Figure) and evo[0].layout.title.text == "Evolución diaria"
    # 10..12/08: 3 days, each with a send of Campaña A
    assert "3 días, del 10/08/2026 al 12/08/2026, en hora local (America/Argentina/Buenos_Aires)" in evo[1]
    assert "(3 filas)" in evo[1] and "<details" in evo[1]
    hor = _html_parts(inf.partes("horarios"))
    assert "Ninguna franja tiene 30 envíos exitosos o más" in hor  # 3 exitosos in all
    assert "<td>1 (lunes)</td>" in hor and "<th>Día de la semana</th>" in hor
    fat = _html_parts(inf.partes("fatiga"))
    # within the selection: A 10/08 (replied) and B 12/08 (replied) are 1st, A 11/08 (no reply) the 2nd
    assert (
        "Respondieron el 100,0 % de los primeros envíos (2 exitosos, poco confiable); "
        "el 0,0 % de los segundos (1, poco confiable)."
    ) in fat
    # no exitoso at all: one sentence, no chart
    failed = _solo_fallidos()
    assert failed.partes("fatiga") == [
        '<div class="oa-empty">Ningún envío exitoso en la selección: no hay tasas para calcular.</div>'
    ]
    assert failed.partes("horarios") == failed.partes("fatiga")


def _solo_fallidos():
    from test_sections import dataset

    from outbound_analysis import Informe

    return Informe.de_datos("resumen", dataset(make_envios({"estado": "fallido"})))


def test_new_sections_redraw_on_a_filter_change():
    import ipywidgets as widgets

    inf = _informe(**PERIODO)
    out = {name: widgets.Output() for name in ("kpis", "evolucion", "fatiga")}
    inf._outputs.extend(out.items())
    inf.aplicar(inf.filtros.with_(fecha_desde=dt.date(2026, 8, 11)))

    def html(name: str) -> str:
        return "".join(b["data"].get("text/html", "") for b in out[name].outputs)

    # 11..12/08 against 09..10/08
    assert "del 09/08/2026 al 10/08/2026" in html("kpis")
    assert "2 días, del 11/08/2026 al 12/08/2026" in html("evolucion")
    assert any("application/vnd.plotly.v1+json" in b["data"] for b in out["fatiga"].outputs)


def test_exports_write_the_four_tables_with_the_contract_columns_in_order(tmp_path):
    import openpyxl

    from outbound_analysis.labels import column_label

    columns = {
        "evolucion": t.EVOLUCION_COLUMNS,
        "periodo_anterior": t.PERIODO_ANTERIOR_COLUMNS,
        "horarios": t.HORARIOS_COLUMNS,
        "fatiga": t.FATIGA_COLUMNS,
    }
    inf = _informe(**PERIODO, formatos=["csv", "json", "xlsx"])
    inf.escribir(tmp_path)
    book = openpyxl.load_workbook(tmp_path / "resumen.xlsx", read_only=True)
    assert [s for s in book.sheetnames if s in columns] == list(columns)  # the registry's order
    for name, cols in columns.items():
        csv = pd.read_csv(tmp_path / f"{name}.csv", encoding="utf-8-sig", keep_default_na=False)
        assert list(csv.columns) == cols, name
        records = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
        assert list(records[0]) == cols, name
        header = next(book[name].iter_rows(min_row=1, max_row=1, values_only=True))
        assert list(header) == [column_label(c) for c in cols], name
        assert len(csv) == len(records) == len(inf.tablas[name]), name
    assert len(pd.read_csv(tmp_path / "horarios.csv")) == 168
    variacion = openpyxl.load_workbook(tmp_path / "resumen.xlsx")["periodo_anterior"]["E3"]  # envios
    assert variacion.value == pytest.approx(1 / 3) and variacion.number_format == "0.0%"
    fatiga = pd.read_csv(tmp_path / "fatiga.csv", dtype={"envio_numero": str})
    assert fatiga["envio_numero"].tolist() == ["1", "2", "3", "4", "5 o más"]
    periodo = json.loads((tmp_path / "periodo_anterior.json").read_text(encoding="utf-8"))
    assert periodo[1] == {
        "metrica": "envios",
        "actual": 4,
        "anterior": 3,
        "diferencia": 1,
        "variacion": pytest.approx(1 / 3),
    }
