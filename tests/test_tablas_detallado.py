"""Detallado beyond the platform (CONTRACT §5.2): tiempos, comparacion, ab, segmentos, costos.

Each formula is pinned on sends small enough to count by hand (the arithmetic is in the
comments), including n = 0, se = 0, one row, empty selections, NA flags and ties; then
hypothesis checks the rules that must hold on any small data set; then each chart.
"""

from __future__ import annotations

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

from outbound_analysis import _graficos_detallado as gd
from outbound_analysis import metrics
from outbound_analysis.errors import ParamsError
from outbound_analysis.filters import Filtros
from outbound_analysis.metrics import _ab as tab
from outbound_analysis.metrics import _detalle as td

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "outbound_analysis-hypothesis")
SETTINGS = settings(
    deadline=None,
    max_examples=25,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TZ = "America/Argentina/Buenos_Aires"
NADIE = Filtros(campanas=["Nadie"])


def check_shape(table: pd.DataFrame, columns: list[str], counts: list[str], floats: list[str]) -> None:
    """The contract's columns in order; counts int64; rates, minutes and costs Float64."""
    assert table.columns.tolist() == columns
    for c in counts:
        assert table[c].dtype == "int64", c
    for c in floats:
        assert table[c].dtype == "Float64", c


def values(series: pd.Series) -> list[object]:
    """Plain Python values, NA as None."""
    return [None if pd.isna(v) else v for v in series.tolist()]


# --------------------------------------------------------------------------- tiempos


@pytest.fixture
def envios_tiempos() -> pd.DataFrame:
    """B: 4 exitosos read after 1, 2, 4 and 8 minutes. A: 3 exitosos read after 10 and 30
    minutes and one read 10 minutes BEFORE its send (descartado); one replied after 20.
    C: only a failed send (0 exitosos). Failed and pending sends with timestamps do not count."""
    a = {"campana": "A"}
    b = {"campana": "B"}
    return make_envios(
        {**b, "fecha_lectura": "2026-08-10 10:01"},
        {**b, "fecha_lectura": "2026-08-10 10:02"},
        {**b, "fecha_lectura": "2026-08-10 10:04"},
        {**b, "fecha_lectura": "2026-08-10 10:08"},
        {**a, "fecha_lectura": "2026-08-10 10:10", "fecha_respuesta": "2026-08-10 10:20"},
        {**a, "fecha_lectura": "2026-08-10 10:30"},
        {**a, "fecha_lectura": "2026-08-10 09:50"},
        {**a, "estado": "fallido", "fecha_lectura": "2026-08-10 10:03"},
        {**a, "estado": "pendiente", "fecha_asignacion": "2026-08-10 10:03"},
        {"campana": "C", "estado": "fallido"},
    )


def test_tiempos_quantiles_counted_by_hand(envios_tiempos):
    t = td.tiempos(envios_tiempos)
    check_shape(
        t,
        td.TIEMPOS_COLUMNS,
        ["n", "descartados"],
        ["p25_min", "p50_min", "p75_min", "p90_min"],
    )
    # rows: (todas), then detallado order B (4 exitosos), A (3), C (0); etapas in order
    assert t["campana"].tolist() == ["(todas)"] * 3 + ["B"] * 3 + ["A"] * 3 + ["C"] * 3
    assert t["etapa"].tolist() == ["lectura", "respuesta", "asignacion"] * 4
    t = t.set_index(["campana", "etapa"])
    q = ["p25_min", "p50_min", "p75_min", "p90_min"]
    # B lectura [1, 2, 4, 8], n = 4: position q·3 -> p25 at 0.75: 1 + 0.75·1 = 1.75;
    # p50 at 1.5: 2 + 0.5·2 = 3; p75 at 2.25: 4 + 0.25·4 = 5; p90 at 2.7: 4 + 0.7·4 = 6.8
    assert t.loc[("B", "lectura"), q].tolist() == pytest.approx([1.75, 3.0, 5.0, 6.8])
    assert t.loc[("B", "lectura"), ["n", "descartados"]].tolist() == [4, 0]
    # A lectura [10, 30] (the 09:50 read is descartado), n = 2: position q·1
    # p25 = 10 + 0.25·20 = 15; p50 = 20; p75 = 25; p90 = 10 + 0.9·20 = 28
    assert t.loc[("A", "lectura"), q].tolist() == pytest.approx([15.0, 20.0, 25.0, 28.0])
    assert t.loc[("A", "lectura"), ["n", "descartados"]].tolist() == [2, 1]
    # A respuesta: one value, 20 minutes: every quantile is 20
    assert t.loc[("A", "respuesta"), q].tolist() == pytest.approx([20.0] * 4)
    assert t.loc[("A", "respuesta"), "n"] == 1
    # (todas) lectura [1, 2, 4, 8, 10, 30], n = 6: position q·5
    # p25 at 1.25: 2 + 0.25·2 = 2.5; p50 at 2.5: 4 + 0.5·4 = 6;
    # p75 at 3.75: 8 + 0.75·2 = 9.5; p90 at 4.5: 10 + 0.5·20 = 20
    assert t.loc[("(todas)", "lectura"), q].tolist() == pytest.approx([2.5, 6.0, 9.5, 20.0])
    assert t.loc[("(todas)", "lectura"), ["n", "descartados"]].tolist() == [6, 1]
    # n = 0 -> empty quantiles: B respuesta, every asignacion (the pending send does not count), C
    for row in [("B", "respuesta"), ("(todas)", "asignacion"), ("C", "lectura"), ("C", "asignacion")]:
        assert t.loc[row, "n"] == 0
        assert t.loc[row, q].isna().all()


def test_tiempos_of_an_empty_selection_has_the_three_todas_rows():
    t = td.tiempos(make_envios({"fecha_lectura": "2026-08-10 10:05"}), NADIE)
    assert t["campana"].tolist() == ["(todas)"] * 3
    assert t["n"].tolist() == [0, 0, 0]
    assert t[["p25_min", "p90_min"]].isna().all().all()


def test_tiempos_zero_minutes_is_used_not_descartado():
    t = td.tiempos(make_envios({"fecha_lectura": "2026-08-10 10:00"}))
    assert t.loc[0, ["n", "descartados"]].tolist() == [1, 0]
    assert float(t.loc[0, "p50_min"]) == 0.0


# --------------------------------------------------------------------------- comparacion


def _campaign(name: str, exitosos: int, respondidos: int, ventas: int, **extra: object) -> list[dict]:
    rows = []
    for i in range(exitosos):
        rows.append(
            {
                "campana": name,
                "respondido": i < respondidos,
                "leido": i < respondidos,
                "venta": i < ventas,
                **extra,
            }
        )
    return rows


def test_comparacion_wilson_counted_by_hand():
    # X: 10 exitosos, 5 respondidas, 0 ventas; Y: 4 exitosos, 1 respondida, 4 ventas;
    # Z: only failed sends. Order of detallado: X (10), Y (4), Z (0).
    env = make_envios(
        *_campaign("X", 10, 5, 0),
        *_campaign("Y", 4, 1, 4),
        {"campana": "Z", "estado": "fallido"},
    )
    c = td.comparacion(env)
    check_shape(
        c,
        td.COMPARACION_COLUMNS,
        ["envios_exitosos", "respondidas", "ventas"],
        [c for c in td.COMPARACION_COLUMNS if c.startswith(("pct", "ic95"))],
    )
    assert c["campana"].tolist() == ["X", "Y", "Z"]
    assert c["envios_exitosos"].tolist() == [10, 4, 0]
    # z² = 3.841458881. X respuesta 5/10: center 0.5, half 0.2634069 (see test_stats)
    assert c.loc[0, ["ic95_inf_respondidas", "ic95_sup_respondidas"]].tolist() == pytest.approx(
        [0.2365931, 0.7634069], abs=1e-7
    )
    # X ventas 0/10: [0, 0.1920729/1.3841459 · 2] = [0, 0.2775328]
    assert c.loc[0, ["pct_ventas", "ic95_inf_ventas", "ic95_sup_ventas"]].tolist() == pytest.approx(
        [0.0, 0.0, 0.2775328], abs=1e-7
    )
    # Y respuesta 1/4: center (0.25 + 0.4801824)/1.9603647 = 0.3724727, half 0.3268854
    assert c.loc[1, ["pct_respondidas", "ic95_inf_respondidas", "ic95_sup_respondidas"]].tolist() == (
        pytest.approx([0.25, 0.0455873, 0.6993582], abs=1e-7)
    )
    # Y ventas 4/4: [1 - (2 · 0.9603647/2)/1.9603647 ..., 1]: mirror of 0/4 -> upper end exactly 1
    assert float(c.loc[1, "ic95_sup_ventas"]) == pytest.approx(1.0)
    # Z: n = 0 -> rates and intervals empty, counts 0
    assert c.loc[2, ["respondidas", "ventas"]].tolist() == [0, 0]
    assert c.loc[2, [x for x in td.COMPARACION_COLUMNS if x.startswith(("pct", "ic95"))]].isna().all()


def test_comparacion_ties_follow_campana_and_empty_selection_has_no_rows():
    env = make_envios(*_campaign("b", 2, 1, 0), *_campaign("a", 2, 0, 0), *_campaign("c", 3, 0, 0))
    assert td.comparacion(env)["campana"].tolist() == ["c", "a", "b"]
    empty = td.comparacion(env, NADIE)
    assert empty.empty and empty.columns.tolist() == td.COMPARACION_COLUMNS
    assert empty["envios_exitosos"].dtype == "int64" and empty["pct_ventas"].dtype == "Float64"


# --------------------------------------------------------------------------- ab


@pytest.fixture(scope="module")
def envios_ab() -> pd.DataFrame:
    """The guide's question: A 63 of 150 replied (42 %), B 66 of 150 (44 %); both read =
    replied (respondido proves the read), nobody assigned, no sale. A on WA, B on IG."""
    return make_envios(
        *_campaign("Promo A", 150, 63, 0, canal="WA"),
        *_campaign("Promo B", 150, 66, 0, canal="IG"),
        {"campana": "Otra", "estado": "fallido"},
    )


def test_ab_answers_the_guides_42_vs_44_question(envios_ab):
    t = tab.ab(envios_ab, ["Promo A", "Promo B"])
    check_shape(
        t,
        tab.AB_COLUMNS,
        ["a_exitosos", "a_cantidad", "b_exitosos", "b_cantidad"],
        ["a_pct", "b_pct", "diferencia", "ic95_inf", "ic95_sup", "p_valor"],
    )
    assert t["significativo"].dtype == "boolean"
    assert t["etapa"].tolist() == ["leido", "respondido", "asignado", "venta"]
    r = t.set_index("etapa").loc["respondido"]
    assert [r["a_exitosos"], r["a_cantidad"], r["b_exitosos"], r["b_cantidad"]] == [150, 63, 150, 66]
    # diferencia 0.44 - 0.42 = 0.02; pooled p = 129/300 = 0.43;
    # se = sqrt(0.43·0.57·(2/150)) = 0.0571664; z = 0.349856; p = erfc(0.247386) = 0.726447
    # Wald half width = 1.959964·sqrt(0.49/150) = 0.1120213
    assert float(r["diferencia"]) == pytest.approx(0.02)
    assert float(r["p_valor"]) == pytest.approx(0.726447, abs=1e-6)
    assert [float(r["ic95_inf"]), float(r["ic95_sup"])] == pytest.approx([-0.0920213, 0.1320213], abs=1e-7)
    assert not r["significativo"]
    # leido = leido or respondido: the same counts here
    assert t.loc[0, ["a_cantidad", "b_cantidad"]].tolist() == [63, 66]
    # asignado and venta: 0/150 vs 0/150 -> diferencia 0, se = 0: interval, p_valor, significativo empty
    for i in (2, 3):
        assert float(t.loc[i, "diferencia"]) == 0.0
        assert values(t.loc[i, ["ic95_inf", "ic95_sup", "p_valor", "significativo"]]) == [None] * 4


def test_ab_sentences_and_observational_warning(envios_ab):
    t = tab.ab(envios_ab, ["Promo A", "Promo B"])
    aud = tab.ab_audiencias(envios_ab, ["Promo A", "Promo B"])
    assert aud == ["canal WA en «Promo A» y IG en «Promo B»"]
    frases = tab.ab_conclusiones(t, ["Promo A", "Promo B"], aud)
    assert frases[1] == (
        "Respondido: «Promo B» respondió 2,0 puntos más que «Promo A» (44,0 % contra 42,0 %); "
        "con estos tamaños la diferencia puede ser ruido (p = 0,73)."
    )
    assert frases[2] == (
        "Asignado: las dos campañas tienen 0,0 % (0 de 150 y 0 de 150); no hay diferencia que probar."
    )
    assert len(frases) == 5
    assert frases[4].startswith("Ojo: las audiencias difieren (canal WA en «Promo A» y IG en «Promo B»).")
    assert "observacional" in frases[4]
    # same channel, origin and days: no warning
    assert tab.ab_conclusiones(t, ["Promo A", "Promo B"], []) == frases[:4]


def test_ab_significant_difference_sentence():
    # A 10/100 vs B 30/100: pooled p = 0.2, se = sqrt(0.2·0.8·0.02) = 0.0565685,
    # z = 0.2/0.0565685 = 3.535534, p = erfc(2.5) = 0.000407 -> "p < 0,001", significativo
    env = make_envios(*_campaign("A", 100, 10, 0), *_campaign("B", 100, 30, 0))
    t = tab.ab(env, ["A", "B"])
    assert float(t.loc[1, "p_valor"]) == pytest.approx(0.000407, abs=1e-6)
    assert bool(t.loc[1, "significativo"])
    assert tab.ab_conclusiones(t, ["A", "B"])[1] == (
        "Respondido: «B» respondió 20,0 puntos más que «A» (30,0 % contra 10,0 %); "
        "la diferencia es estadísticamente significativa (p < 0,001): difícilmente sea ruido."
    )
    # B lower than A reads "menos"
    t2 = tab.ab(env, ["B", "A"])
    assert "«A» respondió 20,0 puntos menos que «B»" in tab.ab_conclusiones(t2, ["B", "A"])[1]


def test_ab_with_a_campaign_outside_the_filters_is_empty_not_an_error(envios_ab):
    t = tab.ab(envios_ab, ["Promo A", "Promo B"], Filtros(canales=["IG"]))
    assert t["a_exitosos"].tolist() == [0] * 4 and t["b_exitosos"].tolist() == [150] * 4
    assert t[["a_pct", "diferencia", "ic95_inf", "p_valor"]].isna().all().all()
    assert t["b_pct"].notna().all()
    frase = tab.ab_conclusiones(t, ["Promo A", "Promo B"])[0]
    assert frase == "Leído: «Promo A» no tiene envíos exitosos con los filtros elegidos; no hay comparación."


@pytest.mark.parametrize(
    ("comparar", "expected"),
    [
        (["Promo A"], "exactamente dos campañas"),
        (["Promo A", "Promo B", "Otra"], "exactamente dos campañas"),
        ("Promo A", "lista de exactamente dos campañas"),
        (["Promo A", "Promo A"], "nombra dos veces «Promo A»"),
        (["Promo A", ""], "exactamente dos campañas"),
    ],
)
def test_ab_comparar_must_name_two_distinct_campaigns(envios_ab, comparar, expected):
    with pytest.raises(ParamsError, match=expected):
        tab.ab(envios_ab, comparar)


def test_ab_unknown_campaign_names_it_and_lists_similar_ones(envios_ab):
    with pytest.raises(ParamsError) as err:
        tab.ab(envios_ab, ["promo a", "Promo C"])
    msg = str(err.value)
    assert msg.startswith("comparar: la campaña «promo a» no está en los envíos cargados.")
    assert "¿Quisiste decir «Promo A»" in msg
    with pytest.raises(ParamsError) as err:
        tab.ab(envios_ab, ["Promo A", "Navidad"])
    assert "«Navidad»" in str(err.value)
    assert "Campañas cargadas: «Otra», «Promo A», «Promo B»." in str(err.value)


def test_ab_audiencias_sees_different_days():
    env = make_envios(
        {"campana": "A", "fecha_envio": "2026-08-01 10:00"},
        {"campana": "B", "fecha_envio": "2026-08-03 23:30"},
    )
    assert tab.ab_audiencias(env, ["A", "B"]) == [
        "se enviaron en fechas distintas: «A» del 01/08/2026 al 01/08/2026 y «B» del 03/08/2026 al 03/08/2026"
    ]
    overlapping = make_envios(
        {"campana": "A", "fecha_envio": "2026-08-01 10:00"},
        {"campana": "A", "fecha_envio": "2026-08-03 10:00"},
        {"campana": "B", "fecha_envio": "2026-08-03 23:30"},
    )
    assert tab.ab_audiencias(overlapping, ["A", "B"]) == []


# --------------------------------------------------------------------------- segmentos


@pytest.fixture
def envios_segmentos() -> pd.DataFrame:
    return make_envios(
        {"contacto_id": "c1", "leido": True},
        {"contacto_id": "c1", "venta": True, "fecha_envio": "2026-08-12 09:00"},
        {"contacto_id": "c1", "estado": "fallido", "fecha_envio": "2026-08-20 09:00"},  # not exitoso
        {"contacto_id": "c2", "asignada": True, "leido": False},
        {"contacto_id": "c3", "respondido": True},  # leido NA, but the reply proves the read
        {"contacto_id": "c4", "leido": True},
        {"contacto_id": "c5"},  # leido NA
        {"contacto_id": "c6", "leido": False},
        {"contacto_id": "c7", "estado": "fallido", "leido": True},  # no exitoso: not listed
        {"contacto_id": "c8", "leido": False},
        {"contacto_id": "c8", "leido": None},  # some exitoso with leido NA
        {"contacto_id": "c9", "leido": False},
        {"contacto_id": "c9", "leido": True},
        {"contacto_id": "a0", "leido": True},  # same segment as c4 and c9: sorted by contacto_id
    )


def test_segmentos_furthest_stage_and_order(envios_segmentos):
    s = td.segmentos(envios_segmentos)
    check_shape(s, td.SEGMENTOS_COLUMNS, ["envios_exitosos"], [])
    assert s["ultimo_envio"].dtype == f"datetime64[ns, {TZ}]"
    assert s[["contacto_id", "segmento"]].to_numpy().tolist() == [
        ["c1", "venta"],
        ["c2", "asignado"],
        ["c3", "respondio"],
        ["a0", "leyo"],
        ["c4", "leyo"],
        ["c9", "leyo"],
        ["c5", "lectura_no_informada"],
        ["c8", "lectura_no_informada"],
        ["c6", "no_leyo"],
    ]
    by = s.set_index("contacto_id")
    assert by.loc["c1", "envios_exitosos"] == 2 and by.loc["c8", "envios_exitosos"] == 2
    # the latest EXITOSO of c1 (the failed send of the 20th does not count)
    assert by.loc["c1", "ultimo_envio"] == pd.Timestamp("2026-08-12 09:00", tz=TZ)
    assert by.loc["c2", "ultimo_envio"] == pd.Timestamp("2026-08-10 10:00", tz=TZ)


def test_segmentos_conteo_and_audiencias(envios_segmentos):
    s = td.segmentos(envios_segmentos)
    conteo = td.segmentos_conteo(s)
    check_shape(conteo, td.SEGMENTOS_CONTEO_COLUMNS, ["contactos"], ["pct"])
    assert conteo["segmento"].tolist() == list(td.SEGMENTOS)
    # 9 contacts: 1 venta, 1 asignado, 1 respondio, 3 leyo, 2 lectura_no_informada, 1 no_leyo
    assert conteo["contactos"].tolist() == [1, 1, 1, 3, 2, 1]
    assert conteo["pct"].tolist() == pytest.approx([1 / 9, 1 / 9, 1 / 9, 3 / 9, 2 / 9, 1 / 9])
    aud = td.audiencias(s)
    assert list(aud) == [f"segmento_{n}" for n in td.SEGMENTOS]
    assert aud["segmento_leyo"]["contacto_id"].tolist() == ["a0", "c4", "c9"]
    assert aud["segmento_leyo"].columns.tolist() == ["contacto_id"]


def test_segmentos_of_an_empty_selection(envios_segmentos):
    s = td.segmentos(envios_segmentos, NADIE)
    assert s.empty and s.columns.tolist() == td.SEGMENTOS_COLUMNS
    assert s["envios_exitosos"].dtype == "int64"
    assert isinstance(s["ultimo_envio"].dtype, pd.DatetimeTZDtype)
    conteo = td.segmentos_conteo(s)
    assert conteo["contactos"].tolist() == [0] * 6 and conteo["pct"].isna().all()
    assert all(frame.empty for frame in td.audiencias(s).values())


def test_segmentos_single_row():
    s = td.segmentos(make_envios({"contacto_id": "x", "venta": True}))
    assert s[["contacto_id", "envios_exitosos", "segmento"]].to_numpy().tolist() == [["x", 1, "venta"]]


# --------------------------------------------------------------------------- costos


@pytest.fixture
def envios_costos() -> pd.DataFrame:
    return make_envios(
        # A on WA: 4 exitosos, 2 respondidos, 1 asignada, 0 ventas; a failed send is not charged
        *[{"campana": "A", "canal": "WA", "respondido": i < 2, "asignada": i == 0} for i in range(4)],
        {"campana": "A", "canal": "WA", "estado": "fallido"},
        # B: 2 on IG (no cost given) and 1 on FB; 1 respondido, 1 venta
        {"campana": "B", "canal": "IG", "respondido": True},
        {"campana": "B", "canal": "IG"},
        {"campana": "B", "canal": "FB", "venta": True},
        {"campana": "C", "canal": "WA", "estado": "fallido"},
    )


def test_costos_counted_by_hand(envios_costos):
    mapa = {"WA": 0.25, "FB": 0.5}
    c = tab.costos(envios_costos, mapa)
    check_shape(
        c,
        tab.COSTOS_COLUMNS,
        ["envios_exitosos"],
        ["costo", "costo_por_respuesta", "costo_por_asignacion", "costo_por_venta"],
    )
    assert c["campana"].tolist() == ["A", "B", "C", "(total)"]
    assert c["envios_exitosos"].tolist() == [4, 3, 0, 7]
    # A: 4 · 0.25 = 1.0; /2 respuestas = 0.5; /1 asignada = 1.0; 0 ventas -> empty
    # B: 2 · 0 (IG) + 1 · 0.5 = 0.5; /1 respuesta = 0.5; 0 asignadas -> empty; /1 venta = 0.5
    # C: no exitosos: cost 0, every ratio empty
    # total: 1.5; /3 respuestas = 0.5; /1 asignada = 1.5; /1 venta = 1.5
    assert values(c["costo"]) == pytest.approx([1.0, 0.5, 0.0, 1.5])
    assert values(c["costo_por_respuesta"]) == [0.5, 0.5, None, 0.5]
    assert values(c["costo_por_asignacion"]) == [1.0, None, None, 1.5]
    assert values(c["costo_por_venta"]) == [None, 0.5, None, 1.5]
    assert tab.canales_sin_costo(envios_costos, mapa) == ["IG"]
    assert tab.canales_sin_costo(envios_costos, {**mapa, "IG": 0}) == []


def test_costos_of_an_empty_selection_is_only_the_total(envios_costos):
    c = tab.costos(envios_costos, {"WA": 1}, NADIE)
    assert c["campana"].tolist() == ["(total)"]
    assert c["envios_exitosos"].tolist() == [0] and values(c["costo"]) == [0.0]
    assert c[["costo_por_respuesta", "costo_por_asignacion", "costo_por_venta"]].isna().all().all()


def test_validar_costos_normalizes_channels_and_rejects_bad_values():
    assert tab.validar_costos({"whatsapp": 0.0618, "fb": 0, "IG": 1}) == {"WA": 0.0618, "FB": 0.0, "IG": 1.0}
    with pytest.raises(ParamsError, match="costos tiene que asociar cada canal"):
        tab.validar_costos([0.1])
    for bad in (-1, "0,06", True, float("nan"), None):
        with pytest.raises(
            ParamsError, match="el costo del canal WA tiene que ser un número mayor o igual a 0"
        ):
            tab.validar_costos({"WA": bad})
    with pytest.raises(ParamsError, match="aparece dos veces"):
        tab.validar_costos({"WA": 1, "whatsapp": 2})


# --------------------------------------------------------------------------- all at once, purity


def test_tablas_matches_the_single_functions_and_never_mutates(envios_costos):
    before = envios_costos.copy()
    out = tab.tablas(envios_costos, comparar=["A", "B"], costos={"WA": 0.25})
    assert list(out) == ["tiempos", "comparacion", "ab", "segmentos", "costos"]
    pd.testing.assert_frame_equal(out["tiempos"], td.tiempos(envios_costos))
    pd.testing.assert_frame_equal(out["comparacion"], td.comparacion(envios_costos))
    pd.testing.assert_frame_equal(out["ab"], tab.ab(envios_costos, ["A", "B"]))
    pd.testing.assert_frame_equal(out["segmentos"], td.segmentos(envios_costos))
    pd.testing.assert_frame_equal(out["costos"], tab.costos(envios_costos, {"WA": 0.25}))
    assert list(tab.tablas(envios_costos)) == ["tiempos", "comparacion", "segmentos"]
    pd.testing.assert_frame_equal(envios_costos, before)


# --------------------------------------------------------------------------- properties

_FLAG = st.sampled_from([True, False, None])


@st.composite
def _envios(draw: st.DrawFn) -> pd.DataFrame:
    """Up to 25 sends over 3 campaigns, 6 contacts, every estado, NA flags, reads before or
    after the send (or none), 2 channels."""
    n = draw(st.integers(1, 25))
    rows = []
    for _ in range(n):
        row = {
            "campana": draw(st.sampled_from(["A", "B", "C"])),
            "contacto_id": draw(st.sampled_from([f"k{i}" for i in range(6)])),
            "canal": draw(st.sampled_from(["WA", "IG"])),
            "estado": draw(st.sampled_from(["exitoso", "exitoso", "fallido", "pendiente"])),
            "fecha_envio": f"2026-08-{draw(st.integers(10, 12))} 10:00",
            "leido": draw(_FLAG),
            "respondido": draw(_FLAG),
            "asignada": draw(_FLAG),
            "venta": draw(_FLAG),
        }
        for stamp in ("fecha_lectura", "fecha_respuesta", "fecha_asignacion"):
            offset = draw(st.one_of(st.none(), st.integers(-90, 600)))
            if offset is not None:
                row[stamp] = (pd.Timestamp(row["fecha_envio"]) + pd.Timedelta(minutes=offset)).isoformat()
        rows.append(row)
    return make_envios(*rows)


@SETTINGS
@given(env=_envios())
def test_properties_of_every_table(env):
    ok = env[(env["estado"] == "exitoso").to_numpy(dtype=bool)]
    order = metrics.detallado(env)["campana"].tolist()

    t = td.tiempos(env)
    assert t["campana"].tolist() == [c for c in ["(todas)", *order] for _ in range(3)]
    for etapa, stamp in (
        ("lectura", "fecha_lectura"),
        ("respuesta", "fecha_respuesta"),
        ("asignacion", "fecha_asignacion"),
    ):
        minutes = (ok[stamp] - ok["fecha_envio"]).dt.total_seconds() / 60
        rows = t[t["etapa"] == etapa].set_index("campana")
        # n + descartados = exitosos with the timestamp; campaigns add up to (todas)
        assert rows.loc["(todas)", "n"] + rows.loc["(todas)", "descartados"] == minutes.notna().sum()
        assert rows.loc["(todas)", "n"] == rows.drop("(todas)")["n"].sum()
        assert rows.loc["(todas)", "descartados"] == (minutes < 0).sum()
        used = minutes[minutes >= 0]
        if len(used):  # pandas' own quantile as the oracle
            expected = used.quantile([0.25, 0.5, 0.75, 0.9]).tolist()
            got = rows.loc["(todas)", ["p25_min", "p50_min", "p75_min", "p90_min"]].tolist()
            assert got == pytest.approx(expected)
        qs = rows[["p25_min", "p50_min", "p75_min", "p90_min"]].astype("float64").to_numpy()
        has = rows["n"].to_numpy() > 0
        assert np.isnan(qs[~has]).all() and not np.isnan(qs[has]).any()
        assert (np.diff(qs[has], axis=1) >= -1e-9).all()

    c = td.comparacion(env)
    assert c["campana"].tolist() == order
    for name in ("respondidas", "ventas"):
        pct = c[f"pct_{name}"].astype("float64")
        inf = c[f"ic95_inf_{name}"].astype("float64")
        sup = c[f"ic95_sup_{name}"].astype("float64")
        assert (pct.isna() == (c["envios_exitosos"] == 0)).all()
        has = pct.notna()
        assert (inf[has] <= pct[has] + 1e-12).all() and (pct[has] <= sup[has] + 1e-12).all()
        assert (inf[has] >= 0).all() and (sup[has] <= 1).all() and inf[~has].isna().all()

    s = td.segmentos(env)
    assert sorted(s["contacto_id"]) == sorted(ok["contacto_id"].unique())
    assert s["envios_exitosos"].sum() == len(ok)
    rank = s["segmento"].map({name: i for i, name in enumerate(td.SEGMENTOS)})
    keys = list(zip(rank, s["contacto_id"], strict=True))
    assert keys == sorted(keys)
    assert td.segmentos_conteo(s)["contactos"].sum() == len(s)

    k = tab.costos(env, {"WA": 0.1})
    assert k["campana"].tolist() == [*order, "(total)"]
    assert float(k["costo"].iloc[-1]) == pytest.approx(float(k["costo"].iloc[:-1].sum()))
    assert float(k["costo"].iloc[-1]) == pytest.approx(0.1 * (ok["canal"] == "WA").sum())

    present = [x for x in ("A", "B", "C") if x in set(env["campana"].astype(str))]
    if len(present) >= 2:
        ab = tab.ab(env, present[:2])
        ba = tab.ab(env, present[1::-1])
        assert values(ab["diferencia"]) == pytest.approx(
            [None if v is None else -v for v in values(ba["diferencia"])]
        )
        p = ab["p_valor"].astype("float64")
        assert ((p[p.notna()] >= 0) & (p[p.notna()] <= 1)).all()
        assert (ab["significativo"].isna() == ab["p_valor"].isna()).all()
        assert len(tab.ab_conclusiones(ab, present[:2])) == 4


# --------------------------------------------------------------------------- charts


def _texts(fig) -> str:
    """Every text a reader sees: title, axes, annotations, trace names."""
    layout = fig.to_plotly_json()["layout"]
    return json.dumps(layout, ensure_ascii=False) + " ".join(str(t.name) for t in fig.data)


def _is_empty_state(fig, text: str = gd.EMPTY_TEXT) -> bool:
    return not fig.data and fig.layout.annotations[0].text == text


def test_chart_tiempos(envios_tiempos):
    fig = gd.tiempos(td.tiempos(envios_tiempos))
    fig.to_json()
    texts = _texts(fig)
    assert "¿Cuánto tardan" in texts and "Todas las campañas" in texts and "Lectura" in texts
    assert fig.layout.xaxis.type == "log"
    assert "1 min" in fig.layout.xaxis.ticktext and "30 s" in fig.layout.xaxis.ticktext
    medians = [t for t in fig.data if t.hovertext]
    assert any("la mitad en menos de 3 min" in h for t in medians for h in t.hovertext)  # B lectura p50 = 3
    assert _is_empty_state(gd.tiempos(td.tiempos(envios_tiempos, NADIE)), gd.NO_TIEMPOS_TEXT)
    assert _is_empty_state(gd.tiempos(td.tiempos(envios_tiempos).iloc[:0]))


def test_chart_comparacion():
    env = make_envios(*_campaign("X", 10, 5, 0), *_campaign("Y", 4, 1, 4))
    fig = gd.comparacion(td.comparacion(env))
    fig.to_json()
    assert "Respuesta (% de envíos exitosos)" in _texts(fig)
    resp = fig.data[0]
    assert list(resp.y) == ["X", "Y"] and list(resp.x) == pytest.approx([0.5, 0.25])
    assert list(resp.error_x.array) == pytest.approx([0.2634069, 0.4493582], abs=1e-6)
    assert "IC 95 %: de 23,7 % a 76,3 %" in resp.hovertext[0]
    only_failed = make_envios({"campana": "Z", "estado": "fallido"})
    assert _is_empty_state(gd.comparacion(td.comparacion(only_failed)), gd.NO_TASAS_TEXT)
    assert _is_empty_state(gd.comparacion(td.comparacion(env, NADIE)))


def test_chart_ab(envios_ab):
    t = tab.ab(envios_ab, ["Promo A", "Promo B"])
    fig = gd.ab(t, ["Promo A", "Promo B"])
    fig.to_json()
    assert "«Promo B» contra «Promo A»" in fig.layout.title.text
    assert fig.layout.xaxis.title.text == "diferencia (puntos porcentuales)"
    trace = fig.data[0]
    assert list(trace.x) == pytest.approx([2.0, 2.0, 0.0, 0.0])  # points
    assert trace.text[1] == "+2,0 pts (p = 0,73)" and trace.text[2] == "+0,0 pts (sin variación)"
    assert any(s.type == "line" and s.x0 == 0 for s in fig.layout.shapes)  # the zero line
    empty = tab.ab(envios_ab, ["Promo A", "Promo B"], Filtros(canales=["IG"]))
    assert _is_empty_state(gd.ab(empty, ["Promo A", "Promo B"]), gd.NO_AB_TEXT)


def test_chart_segmentos(envios_segmentos):
    conteo = td.segmentos_conteo(td.segmentos(envios_segmentos))
    fig = gd.segmentos(conteo)
    fig.to_json()
    bar = fig.data[0]
    assert list(bar.y)[::-1] == [td.SEGMENTO_LABELS[s] for s in td.SEGMENTOS]
    assert list(bar.x)[::-1] == [1, 1, 1, 3, 2, 1]
    assert bar.text[2] == "3 (33,3 %)"  # leyo: 3 of 9
    assert "Contactos por segmento" in fig.layout.title.text
    assert _is_empty_state(gd.segmentos(td.segmentos_conteo(td.segmentos(envios_segmentos, NADIE))))


def test_fmt_minutos():
    assert [gd.fmt_minutos(v) for v in (0, 0.5, 1, 59.4, 60, 61, 1440, 1500, 2880)] == [
        "0 s",
        "30 s",
        "1 min",
        "59 min",
        "1 h",
        "1 h 1 min",
        "1 día",
        "1 día 1 h",
        "2 días",
    ]


# --------------------------------------------------------------------------- in the report


def _informe(envios: pd.DataFrame, **params: object):
    from test_sections import dataset

    from outbound_analysis import Informe

    return Informe.de_datos("detallado", dataset(envios), **params)


def _html_of(inf, seccion: str) -> str:
    return "\n".join(p for p in inf.partes(seccion) if isinstance(p, str))


def test_report_with_comparar_and_costos_has_ab_and_costos_tables_sections_and_exports(envios_ab, tmp_path):
    from test_sections import check_exports, check_sections, check_tables

    inf = _informe(envios_ab, comparar=["Promo A", "Promo B"], costos={"whatsapp": 0.5}, moneda="ARS")
    tables = check_tables(inf)
    assert list(tables) == ["detallado", "envios", "tiempos", "comparacion", "ab", "segmentos", "costos"]
    pd.testing.assert_frame_equal(tables["ab"], tab.ab(envios_ab, ["Promo A", "Promo B"]))
    # 150 WA exitosos at 0.5: 75 ARS; the 150 on IG cost nothing and are listed
    total = tables["costos"].iloc[-1]
    assert (total["campana"], int(total["envios_exitosos"]), float(total["costo"])) == ("(total)", 300, 75.0)
    check_sections(inf)
    ab_html = _html_of(inf, "ab")
    assert "Respondido: «Promo B» respondió 2,0 puntos más que «Promo A» (44,0 % contra 42,0 %)" in ab_html
    assert "puede ser ruido (p = 0,73)" in ab_html
    assert "oa-warn" in ab_html and "canal WA en «Promo A» y IG en «Promo B»" in ab_html
    costos_html = _html_of(inf, "costos")
    # 75 / (63 + 66) respondidos = 0,58 per reply; no sale: "–"
    assert "costaron ARS 75,00 en total: ARS 0,58 por respuesta y – por venta" in costos_html
    assert "El canal IG tiene envíos exitosos pero no está en el parámetro costos" in costos_html
    check_exports(inf, tmp_path)
    written = {p.name for p in inf.escribir(tmp_path)}
    assert {"ab.csv", "costos.json", "segmentos.csv"} <= written


def test_without_comparar_nor_costos_there_is_no_ab_nor_costos_and_the_sections_say_how(envios_ab, tmp_path):
    inf = _informe(envios_ab)
    assert "ab" not in inf.tablas and "costos" not in inf.tablas
    assert "completá el parámetro comparar" in _html_of(inf, "ab")
    assert "completá el parámetro costos" in _html_of(inf, "costos")
    written = {p.name for p in inf.escribir(tmp_path)}
    assert not {"ab.csv", "costos.csv"} & written


def test_comparar_errors_at_params_time_and_unknown_names_when_computing(envios_ab):
    with pytest.raises(ParamsError, match="exactamente dos campañas"):
        _informe(envios_ab, comparar=["Promo A"])
    with pytest.raises(ParamsError, match="nombra dos veces «Promo A»"):
        _informe(envios_ab, comparar=["Promo A", "Promo A"])
    with pytest.raises(ParamsError, match="mayor o igual a 0"):
        _informe(envios_ab, costos={"WA": -1})
    inf = _informe(envios_ab, comparar=["promo a", "Promo B"])
    with pytest.raises(ParamsError, match="¿Quisiste decir «Promo A»"):
        inf.tablas["ab"]


def test_segmentos_exports_one_audience_file_per_segment_with_contacts_only(envios_segmentos, tmp_path):
    inf = _informe(envios_segmentos)
    inf.escribir(tmp_path)
    tabla = inf.tablas["segmentos"]
    for segmento in td.SEGMENTOS:
        audience = pd.read_csv(tmp_path / f"segmento_{segmento}.csv", dtype=str, keep_default_na=False)
        assert audience.columns.tolist() == ["contacto_id"]
        expected = tabla.loc[tabla["segmento"] == segmento, "contacto_id"].tolist()
        assert audience["contacto_id"].tolist() == expected, segmento
    assert pd.read_csv(tmp_path / "segmento_leyo.csv")["contacto_id"].tolist() == ["a0", "c4", "c9"]


def test_anonimizar_applies_to_the_audience_files(envios_segmentos, tmp_path, monkeypatch):
    monkeypatch.setenv("OUTBOUND_ANALYSIS_CLAVE", "clave-de-prueba")
    inf = _informe(envios_segmentos, anonimizar=True)
    inf.escribir(tmp_path)
    ids = pd.read_csv(tmp_path / "segmento_leyo.csv", dtype=str)["contacto_id"].tolist()
    assert len(ids) == 3 and not {"a0", "c4", "c9"} & set(ids)
    assert set(ids) <= set(inf.tablas["segmentos"]["contacto_id"])
    assert "sirven para contar pero no para subir como audiencia" in _html_of(inf, "segmentos")


def test_report_segmentos_use_the_data_sets_contact_codes_and_match_the_plain_function(envios_segmentos):
    inf = _informe(envios_segmentos)
    for changes in ({}, {"canales": ["WA"]}, {"campanas": ["Nadie"]}):
        sub = inf.with_filtros(**changes) if changes else inf
        expected = td.segmentos(envios_segmentos, sub.filtros)
        pd.testing.assert_frame_equal(sub.tablas["segmentos"], expected)
        conteo = sub.vista.apoyo["segmentos_conteo"]
        pd.testing.assert_frame_equal(conteo, td.segmentos_conteo(expected))


def test_a_filter_change_computes_only_the_tables_of_the_sections_drawn(envios_segmentos, monkeypatch):
    from outbound_analysis.metrics.detallado import REGISTRO

    calls: list[str] = []
    for name in ("segmentos", "envios"):
        fn = REGISTRO.funciones[name]
        monkeypatch.setitem(REGISTRO.funciones, name, lambda e, fn=fn, name=name: calls.append(name) or fn(e))
    inf = _informe(envios_segmentos).with_filtros(canales=["WA"])
    for seccion in ("tabla", "tasas", "tiempos", "comparacion", "segmentos"):
        inf.partes(seccion)
    assert calls == []  # the segmentos section shows the counts, not the contact list
    inf.tablas["segmentos"]
    inf.tablas["segmentos"]
    assert calls == ["segmentos"]


def test_chart_costos():
    c = pd.DataFrame(
        {
            "campana": ["A", "B", "(total)"],
            "envios_exitosos": [4, 3, 7],
            "costo": [1.0, 0.5, 1.5],
            "costo_por_respuesta": [0.5, None, 1.5],
            "costo_por_asignacion": [1.0, None, 1.5],
            "costo_por_venta": [None, 0.5, 1.5],
        }
    )
    fig = gd.costos(c, "ARS")
    assert list(fig.data[0].y) == ["A", "B"]
    assert fig.data[0].text[0] == "ARS 1,00 · por respuesta ARS 0,50 · por venta –"
    assert gd.costos(c.iloc[2:], "ARS").layout.annotations[0].text.startswith("Ninguna campaña tiene costo")
