"""The report filters (CONTRACT §2): normalization, local calendar dates, list filters, eventos."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from outbound_analysis.errors import ParamsError
from outbound_analysis.filters import (
    Filtros,
    apply_filters,
    envios_mask,
    filter_envios,
    filter_eventos,
    unmatched_values,
)

TZ = "America/Argentina/Buenos_Aires"


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["envio_id"].tolist()


@pytest.fixture
def envios(envios_factory):
    """Six sends with distinct values in every filtered column (and NA where noted)."""
    return envios_factory(
        {
            "envio_id": "wa_flujo",
            "canal": "WA +5491155550000",
            "campana": "Carrito",
            "origen": "Campaña de flujo",
            "grupo": "Ventas",
            "agente": "Ana",
            "tipo_tipificacion": "Fin positivo",
            "conversacion_id": "c1",
        },
        {
            "envio_id": "ig_plantilla",
            "canal": "Instagram",
            "campana": "Cobranza",
            "origen": "Plantilla",
            "grupo": "Cobros",
            "agente": "Bruno",
            "tipo_tipificacion": "Seguimiento",
            "conversacion_id": "c2",
        },
        {
            "envio_id": "fb_individual",
            "canal": "FB",
            "campana": "Carrito",
            "origen": "Plantilla individual",
            "grupo": "Ventas",
            "agente": "Bruno",
            "tipo_tipificacion": "fin_negativo",
            "conversacion_id": "c3",
        },
        {
            "envio_id": "sin_grupo",
            "canal": "WA",
            "campana": "Cobranza",
            "origen": "webhook",
            "conversacion_id": "c4",
        },
        {
            "envio_id": "sin_conversacion",
            "canal": "WA",
            "campana": "Carrito",
            "origen": "flujo",
            "grupo": "Ventas",
            "agente": "Ana",
        },
        {
            "envio_id": "otra_campana",
            "canal": "WEB",
            "campana": "Bienvenida",
            "origen": "otro",
            "grupo": "Soporte",
            "agente": "Carla",
            "conversacion_id": "c6",
        },
    )


@pytest.fixture
def eventos(eventos_factory):
    return eventos_factory(
        {"conversacion_id": "c1", "fecha": "2026-08-10 10:01", "autor": "bot"},
        {"conversacion_id": "c1", "fecha": "2026-08-10 10:02", "autor": "cliente"},
        {"conversacion_id": "c2", "fecha": "2026-08-10 10:03", "autor": "bot"},
        {"conversacion_id": "c4", "fecha": "2026-08-10 10:04", "autor": "agente"},
        {"conversacion_id": "huerfana", "fecha": "2026-08-10 10:05", "autor": "bot"},
    )


# --------------------------------------------------------------------------- Filtros


def test_normalizes_channel_and_origin_labels():
    f = Filtros(
        canales=["whatsapp", "WA +5491155550000", "ig", "Messenger"],
        origenes=["Campaña de flujo", "Plantilla individual", "plantilla"],
        tipos_tipificacion=["Fin positivo", "Seguimiento autogestionado", "Algo Propio"],
    )
    assert f.canales == ("WA", "IG", "FB")  # duplicates collapse
    assert f.origenes == ("flujo", "plantilla_individual", "plantilla")
    assert f.tipos_tipificacion == ("fin_positivo", "seguimiento_autogestion", "algo_propio")


def test_names_are_kept_as_given_and_a_single_text_is_a_one_item_list():
    f = Filtros(campanas="Recupero de carrito", grupos=[" Ventas ", ""], agentes=("Ana Gómez",))
    assert f.campanas == ("Recupero de carrito",)
    assert f.grupos == ("Ventas",)
    assert f.agentes == ("Ana Gómez",)


@pytest.mark.parametrize(
    "value", ["2026-08-01", "01/08/2026", dt.date(2026, 8, 1), dt.datetime(2026, 8, 1, 15, 30)]
)
def test_dates_from_text_and_date_objects(value):
    f = Filtros(fecha_desde=value, fecha_hasta=value)
    assert f.fecha_desde == dt.date(2026, 8, 1)
    assert f.fecha_hasta == dt.date(2026, 8, 1)


def test_empty_dates_mean_no_limit():
    f = Filtros(fecha_desde="", fecha_hasta=None)
    assert f.fecha_desde is None
    assert f.fecha_hasta is None
    assert f.is_empty()


@pytest.mark.parametrize("bad", ["2026-02-30", "31/02/2026", "agosto", "2026/08/01", 20260801])
def test_unreadable_date_is_a_params_error(bad):
    with pytest.raises(ParamsError) as err:
        Filtros(fecha_desde=bad)
    assert "fecha_desde" in str(err.value)
    assert "AAAA-MM-DD" in str(err.value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("9999-12-31", "31/12/9999"), (dt.date(1000, 1, 1), "01/01/1000"), ("31/12/2201", "31/12/2201")],
)
def test_dates_outside_1900_2200_are_an_error_not_another_date(value, shown):
    with pytest.raises(ParamsError) as err:
        Filtros(fecha_hasta=value)
    assert str(err.value) == (
        f"fecha_hasta: {shown} está fuera de los años 1900 a 2200, los de los datos que se cargan. "
        "Poné una fecha dentro de ese rango o dejala vacía para no limitar."
    )
    assert Filtros(fecha_desde="1900-01-01", fecha_hasta="2200-12-31").fecha_hasta == dt.date(2200, 12, 31)


def test_fecha_desde_after_fecha_hasta_is_an_error():
    with pytest.raises(ParamsError) as err:
        Filtros(fecha_desde="2026-08-31", fecha_hasta="2026-08-01")
    msg = str(err.value)
    assert "fecha_desde" in msg
    assert "fecha_hasta" in msg
    assert "31/08/2026" in msg
    assert "01/08/2026" in msg


def test_same_day_range_is_valid():
    f = Filtros(fecha_desde="2026-08-01", fecha_hasta="01/08/2026")
    assert f.fecha_desde == f.fecha_hasta == dt.date(2026, 8, 1)


def test_unknown_origin_code_is_an_error():
    with pytest.raises(ParamsError) as err:
        Filtros(origenes=["flujo", "Campaña rara"])
    msg = str(err.value)
    assert "origenes" in msg
    assert "«Campaña rara»" in msg
    assert "plantilla_individual" in msg  # lists the accepted codes


def test_list_filter_of_wrong_type_is_an_error():
    with pytest.raises(ParamsError, match="canales"):
        Filtros(canales=[{"WA": 1}])


def test_from_params_ignores_non_filter_keys():
    f = Filtros.from_params(
        {
            "envios": "data/*.csv",
            "formatos": ["csv"],
            "anonimizar": True,
            "columnas": {"A": "campana"},
            "canales": ["whatsapp"],
            "fecha_desde": "2026-08-01",
            "fecha_hasta": None,
            "zona_horaria": "America/Lima",
        }
    )
    assert f == Filtros(canales=["WA"], fecha_desde=dt.date(2026, 8, 1), zona_horaria="America/Lima")
    assert f.fecha_hasta is None


def test_with_normalizes_again():
    f = Filtros(canales=["WA"]).with_(canales=["instagram"], fecha_desde="02/08/2026")
    assert f.canales == ("IG",)
    assert f.fecha_desde == dt.date(2026, 8, 2)


def test_describe_in_spanish():
    assert Filtros().describe() == "Sin filtros: todos los envíos cargados."
    f = Filtros(
        fecha_desde="2026-08-01",
        fecha_hasta="2026-08-31",
        canales=["whatsapp", "IG"],
        campanas=["Carrito"],
        origenes=["Campaña de flujo"],
        grupos=["Ventas"],
        agentes=["Ana"],
        tipos_tipificacion=["Fin positivo"],
    )
    assert f.describe() == (
        "Filtros activos: envíos del 01/08/2026 al 31/08/2026; Canal: WA, IG; Campaña: Carrito; "
        "Origen: flujo; Grupo: Ventas; Agente: Ana; Tipo de tipificación: fin_positivo "
        f"(fechas en {TZ})."
    )
    assert "envíos desde el 01/08/2026" in Filtros(fecha_desde="2026-08-01").describe()
    assert "envíos hasta el 31/08/2026" in Filtros(fecha_hasta="2026-08-31").describe()


# --------------------------------------------------------------------------- filter_envios


def test_no_filters_keep_everything(envios):
    assert ids(filter_envios(envios, None)) == ids(envios)
    assert ids(filter_envios(envios, Filtros())) == ids(envios)
    empty_lists = Filtros(canales=[], campanas=[], origenes=[], grupos=[], agentes=[], tipos_tipificacion=[])
    assert ids(filter_envios(envios, empty_lists)) == ids(envios)


@pytest.mark.parametrize(
    ("filtros", "expected"),
    [
        ({"canales": ["whatsapp"]}, ["wa_flujo", "sin_grupo", "sin_conversacion"]),
        ({"canales": ["Instagram", "FB"]}, ["ig_plantilla", "fb_individual"]),
        ({"campanas": ["Carrito"]}, ["wa_flujo", "fb_individual", "sin_conversacion"]),
        ({"origenes": ["Campaña de flujo"]}, ["wa_flujo", "sin_conversacion"]),
        ({"origenes": ["plantilla"]}, ["ig_plantilla"]),  # plantilla_individual is another code
        ({"grupos": ["Ventas"]}, ["wa_flujo", "fb_individual", "sin_conversacion"]),
        ({"agentes": ["Bruno", "Carla"]}, ["ig_plantilla", "fb_individual", "otra_campana"]),
        ({"tipos_tipificacion": ["Fin positivo", "fin_negativo"]}, ["wa_flujo", "fb_individual"]),
        ({"canales": ["WA"], "campanas": ["Cobranza"]}, ["sin_grupo"]),
        ({"campanas": ["No existe"]}, []),
    ],
)
def test_each_list_filter(envios, filtros, expected):
    assert ids(filter_envios(envios, Filtros(**filtros))) == expected


def test_a_row_with_no_value_fails_a_non_empty_filter(envios):
    # "sin_grupo" has NA grupo, agente and tipo_tipificacion
    for name in ("grupos", "agentes", "tipos_tipificacion"):
        all_values = (
            envios[{"grupos": "grupo", "agentes": "agente", "tipos_tipificacion": "tipo_tipificacion"}[name]]
            .dropna()
            .unique()
        )
        kept = ids(filter_envios(envios, Filtros(**{name: [str(v) for v in all_values]})))
        assert "sin_grupo" not in kept, name
        assert kept, name


def test_filter_envios_returns_the_rows_unchanged(envios):
    out = filter_envios(envios, Filtros(canales=["WA"]))
    assert list(out.columns) == list(envios.columns)
    assert out.dtypes.equals(envios.dtypes)
    pd.testing.assert_frame_equal(out, envios.loc[out.index])


@pytest.fixture
def around_midnight(envios_factory):
    """Sends on both sides of local midnight (UTC-3) at both ends of August."""
    return envios_factory(
        {"envio_id": "jul31_2359", "fecha_envio": "2026-08-01T02:59:59Z"},  # 31/07 23:59:59 local
        {"envio_id": "aug01_0000", "fecha_envio": "2026-08-01T03:00:00Z"},  # 01/08 00:00 local
        {"envio_id": "aug01_2230", "fecha_envio": "2026-08-02T01:30:00Z"},  # 01/08 22:30 local
        {"envio_id": "aug02_0030", "fecha_envio": "2026-08-02T03:30:00Z"},  # 02/08 00:30 local
        {"envio_id": "aug31_2359", "fecha_envio": "2026-08-31 23:59:59"},  # naive = local
        {"envio_id": "sep01_0000", "fecha_envio": "01/09/2026 00:00"},
        {"envio_id": "sep01_0100_offset", "fecha_envio": "2026-09-01T01:00:00-03:00"},
    )


def test_dates_are_inclusive_local_calendar_days(around_midnight):
    def run(desde, hasta):
        return ids(filter_envios(around_midnight, Filtros(fecha_desde=desde, fecha_hasta=hasta)))

    assert run("2026-08-01", "2026-08-01") == ["aug01_0000", "aug01_2230"]
    assert run("2026-08-02", "2026-08-02") == ["aug02_0030"]
    assert run("2026-08-01", "2026-08-31") == ["aug01_0000", "aug01_2230", "aug02_0030", "aug31_2359"]
    assert run(None, "2026-07-31") == ["jul31_2359"]
    assert run("2026-09-01", None) == ["sep01_0000", "sep01_0100_offset"]


def test_dates_follow_the_filters_zone(envios_factory):
    # 2026-08-02T01:30Z is still 1 August in Buenos Aires but 2 August in Madrid
    env = envios_factory({"envio_id": "x", "fecha_envio": "2026-08-02T01:30:00Z"})
    aug1 = {"fecha_desde": "2026-08-01", "fecha_hasta": "2026-08-01"}
    assert ids(filter_envios(env, Filtros(**aug1))) == ["x"]
    assert ids(filter_envios(env, Filtros(**aug1, zona_horaria="Europe/Madrid"))) == []
    assert ids(filter_envios(env, Filtros(fecha_desde="2026-08-02", zona_horaria="Europe/Madrid"))) == ["x"]


def test_envios_mask_is_a_plain_boolean_array(envios):
    mask = envios_mask(envios, Filtros(grupos=["Ventas"]))
    assert mask.dtype == bool
    assert mask.tolist() == [True, False, True, False, True, False]


# --------------------------------------------------------------------------- eventos


def test_filter_eventos_keeps_only_conversations_of_sends_that_passed(envios, eventos):
    passed = filter_envios(envios, Filtros(canales=["WA"]))  # c1, c4 and one without conversation
    ev = filter_eventos(eventos, passed)
    assert ev["conversacion_id"].tolist() == ["c1", "c1", "c4"]
    assert ev["autor"].tolist() == ["bot", "cliente", "agente"]


def test_filter_eventos_with_no_sends_keeps_no_events(envios, eventos):
    assert filter_eventos(eventos, envios.iloc[0:0]).empty


def test_apply_filters(envios, eventos):
    env, ev = apply_filters(envios, eventos, Filtros(origenes=["plantilla"]))
    assert ids(env) == ["ig_plantilla"]
    assert ev["conversacion_id"].tolist() == ["c2"]
    # no filters: every send, but still only events of the loaded sends' conversations
    env, ev = apply_filters(envios, eventos, None)
    assert ids(env) == ids(envios)
    assert "huerfana" not in ev["conversacion_id"].tolist()
    assert len(ev) == 4


# --------------------------------------------------------------------------- warnings


def test_unmatched_values_warn_about_values_not_in_the_data(envios):
    f = Filtros(campanas=["Carrito", "Carito"], canales=["WA", "TW"], grupos=["Ventas"])
    warnings = unmatched_values(envios, f)
    assert warnings == [
        "Canal: «TW» no aparece en los datos cargados (6 envíos).",
        "Campaña: «Carito» no aparece en los datos cargados (6 envíos).",
    ]


def test_no_warnings_when_every_value_is_present(envios):
    assert unmatched_values(envios, Filtros(campanas=["Carrito"], origenes=["flujo"])) == []
    assert unmatched_values(envios, Filtros()) == []
