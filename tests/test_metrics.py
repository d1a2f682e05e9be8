"""One test per metric definition of CONTRACT §3, on tiny hand-built frames (incl. the traps)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_envios, make_eventos

from outbound_analysis import metrics
from outbound_analysis.filters import Filtros


def _k(envios, **filters):
    return metrics.kpis(envios, Filtros(**filters) if filters else None).iloc[0]


# --------------------------------------------------------------------------- resumen


def test_counts_by_estado_and_distinct_contacts():
    env = make_envios(
        {"contacto_id": "1", "estado": "exitoso"},
        {"contacto_id": "1", "estado": "fallido", "codigo_error": "131026"},
        {"contacto_id": "2", "estado": "pendiente"},
        {"contacto_id": "3", "estado": "exitoso"},
    )
    k = _k(env)
    assert (k["total_contactos"], k["envios"]) == (3, 4)
    assert (k["envios_exitosos"], k["envios_fallidos"], k["envios_pendientes"]) == (2, 1, 1)


def test_reply_without_read_receipt_counts_as_leido():
    env = make_envios(
        {"leido": False, "respondido": True},
        {"leido": None, "respondido": True},
        {"leido": True, "respondido": False},
        {"leido": False, "respondido": False},
    )
    k = _k(env)
    assert k["leidos"] == 3
    assert k["respondidos"] == 2


def test_na_flags_are_not_false_and_count_as_lectura_no_informada():
    env = make_envios(
        {"origen": "plantilla_individual", "leido": None, "respondido": None, "asignada": True},
        {"origen": "plantilla_individual", "leido": None, "respondido": None, "asignada": True},
        {"origen": "plantilla", "leido": False, "respondido": False},
        # a reply proves the read: not "no informada" even with leido NA
        {"origen": "plantilla", "leido": None, "respondido": True},
    )
    k = _k(env)
    assert k["lectura_no_informada"] == 2
    assert k["leidos"] == 1
    # the NA rows are not counted as "not read" either: leidos + no informada + leido false
    assert k["leidos"] + k["lectura_no_informada"] + 1 == k["envios_exitosos"]


def test_asignadas_can_exceed_respondidas_and_is_not_fixed():
    env = make_envios(
        {"origen": "plantilla_individual", "leido": None, "respondido": None, "asignada": True},
        {"origen": "plantilla_individual", "leido": None, "respondido": None, "asignada": True},
        {"origen": "plantilla", "respondido": True, "asignada": False},
    )
    k = _k(env)
    assert (k["asignadas"], k["respondidos"]) == (2, 1)
    funnel = metrics.embudo(env).set_index("etapa")
    assert funnel.loc["asignado", "cantidad"] == 2
    assert funnel.loc["asignado", "pct_etapa_anterior"] == pytest.approx(2.0)


def test_flags_count_only_on_exitosos():
    env = make_envios(
        {"estado": "fallido", "leido": True, "respondido": True, "asignada": True, "venta": True},
        {"estado": "pendiente", "leido": True, "venta": True},
        {"estado": "exitoso", "venta": True, "asignada": True},
    )
    k = _k(env)
    assert (k["leidos"], k["respondidos"], k["asignadas"], k["ventas"]) == (0, 0, 1, 1)


def test_send_into_open_conversation_is_exitoso_not_iniciada():
    env = make_envios(
        {"conversacion_nueva": True},
        {"conversacion_nueva": False},
        {"conversacion_nueva": None},
        {"estado": "fallido", "conversacion_nueva": True},
    )
    k = _k(env)
    assert k["envios_exitosos"] == 3
    assert k["conversaciones_iniciadas"] == 1
    assert k["sobre_conversacion_abierta"] == 1
    rec = metrics.reconciliacion(env).set_index("concepto")["cantidad"]
    assert rec["sin_dato_de_conversacion"] == 1
    assert rec["envios_exitosos"] == (
        rec["conversaciones_iniciadas"] + rec["sobre_conversacion_abierta"] + rec["sin_dato_de_conversacion"]
    )


def test_kpis_columns_and_integer_dtypes():
    k = metrics.kpis(make_envios({}))
    assert list(k.columns) == metrics.KPI_COLUMNS
    assert all(str(t) == "int64" for t in k.dtypes)
    assert len(k) == 1


def test_embudo_stages_and_both_percentages():
    env = make_envios(
        *[{"leido": True, "respondido": True, "asignada": True, "venta": True}] * 1,
        *[{"leido": True, "respondido": True, "asignada": True}] * 1,
        *[{"leido": True, "respondido": True}] * 2,
        *[{"leido": True}] * 4,
        *[{"leido": False}] * 2,
    )
    f = metrics.embudo(env)
    assert f["etapa"].tolist() == ["enviado", "leido", "respondido", "asignado", "venta"]
    assert f["cantidad"].tolist() == [10, 8, 4, 2, 1]
    assert f["pct_envios"].tolist() == pytest.approx([1.0, 0.8, 0.4, 0.2, 0.1])
    assert f["pct_etapa_anterior"].tolist() == pytest.approx([1.0, 0.8, 0.5, 0.5, 0.5])
    assert str(f["cantidad"].dtype) == "int64"
    assert str(f["pct_envios"].dtype) == "Float64"


def test_embudo_pct_is_na_when_denominator_is_zero():
    env = make_envios({"leido": True}, {"leido": True})  # read, but nobody replied
    f = metrics.embudo(env).set_index("etapa")
    assert f.loc["respondido", "pct_etapa_anterior"] == 0.0  # 0 of 2 leidos
    assert pd.isna(f.loc["asignado", "pct_etapa_anterior"])  # 0 of 0 respondidos
    assert pd.isna(f.loc["venta", "pct_etapa_anterior"])
    assert f.loc["asignado", "pct_envios"] == 0.0  # over 2 exitosos


def test_zero_sends_after_filtering_gives_zero_counts_and_empty_pct():
    env = make_envios({"canal": "WA"}, {"canal": "WA", "origen": "flujo", "conversacion_id": "c1"})
    ev = make_eventos({"conversacion_id": "c1", "fecha": "2026-08-10 10:01", "autor": "cliente"})
    f = Filtros(canales=["IG"])
    res = metrics.resumen(env, f)
    assert res["kpis"].iloc[0].sum() == 0
    assert res["embudo"]["cantidad"].tolist() == [0, 0, 0, 0, 0]
    assert res["embudo"]["pct_envios"].isna().all()
    assert res["embudo"]["pct_etapa_anterior"].isna().all()
    det = metrics.detallado_tables(env, f)
    assert det["detallado"].empty and list(det["detallado"].columns) == metrics.DETALLADO_COLUMNS
    assert det["envios"].empty
    fl = metrics.flujos(env, ev, f)
    assert fl["resultados"].iloc[0].sum() == 0
    assert fl["finalizacion"]["conversaciones"].tolist() == [0, 0, 0]
    assert fl["finalizacion"]["pct"].isna().all()
    for name in ("primeras_opciones", "embudo_tipificaciones", "embudo_etiquetas", "ultimo_mensaje_abandono"):
        assert fl[name].empty


# --------------------------------------------------------------------------- filters inside metrics


def test_utc_timestamp_of_previous_local_day_is_filtered_by_local_date():
    env = make_envios(
        {"fecha_envio": "2026-08-02T01:30:00Z"},  # 2026-08-01 22:30 in Buenos Aires
        {"fecha_envio": "2026-08-02T03:30:00Z"},  # 2026-08-02 00:30 local
    )
    assert _k(env, fecha_desde="2026-08-01", fecha_hasta="2026-08-01")["envios"] == 1
    assert _k(env, fecha_desde="2026-08-02", fecha_hasta="2026-08-02")["envios"] == 1


def test_row_without_grupo_fails_a_non_empty_grupos_filter():
    env = make_envios({"grupo": "Ventas"}, {"grupo": None}, {"grupo": "Soporte"})
    assert _k(env, grupos=["Ventas"])["envios"] == 1
    assert _k(env)["envios"] == 3


def test_metrics_do_not_mutate_inputs():
    env = make_envios({"leido": None, "respondido": True}, {"estado": "fallido"})
    before = env.copy(deep=True)
    metrics.resumen(env, Filtros(canales=["WA"]))
    metrics.detallado_tables(env)
    pd.testing.assert_frame_equal(env, before)


# --------------------------------------------------------------------------- detallado


def test_detallado_one_row_per_campaign_with_rules_and_order():
    env = make_envios(
        {"campana": "B", "origen": "plantilla", "canal": "WA", "contacto_id": "1", "leido": True},
        {
            "campana": "B",
            "origen": "flujo",
            "canal": "IG",
            "contacto_id": "1",
            "respondido": True,
            "asignada": True,
            "venta": True,
        },
        {"campana": "B", "estado": "fallido", "contacto_id": "2"},
        {"campana": "A", "origen": "webhook", "contacto_id": "3"},
        {"campana": "A", "origen": "webhook", "contacto_id": "4", "estado": "pendiente"},
        {"campana": "C", "origen": "webhook", "contacto_id": "5", "leido": True},
    )
    d = metrics.detallado(env)
    assert list(d.columns) == metrics.DETALLADO_COLUMNS
    # envios_exitosos desc (B=2, A=1, C=1), then campana
    assert d["campana"].tolist() == ["B", "A", "C"]
    b = d.iloc[0]
    assert b["origen"] == "flujo, plantilla"
    assert b["canal"] == "IG, WA"
    assert (b["total_contactos"], b["envios"], b["envios_exitosos"], b["envios_fallidos"]) == (2, 3, 2, 1)
    assert (b["vistas"], b["respondidas"], b["asignadas"], b["ventas"]) == (2, 1, 1, 1)
    assert b["pct_vistas"] == pytest.approx(1.0)
    assert b["pct_respondidas"] == pytest.approx(0.5)
    a = d.iloc[1]
    assert (a["envios_pendientes"], a["vistas"], a["pct_vistas"]) == (1, 0, 0.0)


def test_detallado_pct_is_na_for_a_campaign_without_exitosos():
    env = make_envios({"campana": "X", "estado": "fallido"}, {"campana": "Y"})
    d = metrics.detallado(env).set_index("campana")
    assert d.loc["X", "envios_exitosos"] == 0
    assert pd.isna(d.loc["X", "pct_vistas"]) and pd.isna(d.loc["X", "pct_ventas"])
    assert d.loc["Y", "pct_vistas"] == 0.0


def test_envios_detail_lists_every_filtered_send_with_visto():
    env = make_envios(
        {"leido": None, "respondido": True, "fecha_envio": "2026-08-11 10:00"},
        {"leido": None, "respondido": None, "fecha_envio": "2026-08-10 10:00"},
        {"leido": False, "respondido": False, "canal": "IG", "fecha_envio": "2026-08-12 10:00"},
    )
    det = metrics.envios_detalle(env)
    assert list(det.columns) == metrics.ENVIOS_DETAIL_COLUMNS
    assert det["fecha_envio"].is_monotonic_increasing
    assert det["visto"].tolist()[0] is pd.NA  # not reported, not false
    assert bool(det["visto"].iloc[1]) is True
    assert len(metrics.envios_detalle(env, Filtros(canales=["WA"]))) == 2


def test_buscar_contacto_partial_phone_and_no_informado():
    env = make_envios(
        {"contacto_id": "+54 9 11 5555-1234", "campana": "A", "respondido": True, "leido": None},
        {"contacto_id": "5491155551234", "campana": "B", "respondido": None},
        {"contacto_id": "5491144440000", "campana": "C"},
        {"contacto_id": "psid-ABC", "campana": "D"},
    )
    found = metrics.buscar_contacto(env, "5555-1234")
    assert found["campana"].tolist() == ["A", "B"]
    assert found["respondido"].tolist() == ["sí", "no informado"]
    assert found["leido"].tolist() == ["no informado", "no informado"]
    assert metrics.buscar_contacto(env, "abc")["campana"].tolist() == ["D"]
    assert metrics.buscar_contacto(env, "1155, 4444")["campana"].tolist() == ["C", "A", "B"] or set(
        metrics.buscar_contacto(env, "1155, 4444")["campana"]
    ) == {"A", "B", "C"}
    assert metrics.buscar_contacto(env, "999999").empty


# --------------------------------------------------------------------------- flujos


def _flow(conv: str, **extra) -> dict:
    return {"origen": "flujo", "campana": "Flujo 1", "conversacion_id": conv, **extra}


def _ev(conv: str, minute: int, autor: str, **extra) -> dict:
    return {"conversacion_id": conv, "fecha": f"2026-08-10 10:{minute:02d}", "autor": autor, **extra}


def test_flujos_scope_results_and_responded_flows():
    env = make_envios(
        _flow("c1", asignada=True, venta=True),
        _flow("c2"),
        _flow("c3"),
        {"origen": "plantilla", "conversacion_id": "p1"},  # not a flow send: ignored
        _flow(None, estado="fallido"),
    )
    ev = make_eventos(
        _ev("c1", 0, "bot", mensaje="Hola"),
        _ev("c1", 1, "cliente", opcion="Ofertas"),
        _ev("c2", 0, "bot", mensaje="Hola"),  # no reply: not a responded flow
        _ev("c3", 0, "bot"),
        _ev("c3", 2, "cliente", mensaje="hola"),
        _ev("p1", 0, "cliente", opcion="X"),  # conversation of a non-flow send: ignored
        _ev("zz", 0, "cliente", opcion="Y"),  # conversation with no send: ignored
    )
    r = metrics.flujos(env, ev)["resultados"].iloc[0]
    assert r["envios_exitosos"] == 3
    assert r["total_contactos"] == 4
    assert r["conversaciones"] == 3
    assert (r["asignadas"], r["ventas"]) == (1, 1)
    assert r["flujos_respondidos"] == 2
    opts = metrics.flujos(env, ev)["primeras_opciones"]
    assert dict(zip(opts["opcion"], opts["conversaciones"], strict=True)) == {"Ofertas": 1, "(sin opción)": 1}


def test_events_of_a_filtered_out_send_are_ignored():
    env = make_envios(_flow("c1", canal="WA"), _flow("c2", canal="IG"))
    ev = make_eventos(_ev("c1", 1, "cliente", opcion="A"), _ev("c2", 1, "cliente", opcion="B"))
    out = metrics.flujos(env, ev, Filtros(canales=["IG"]))
    assert out["primeras_opciones"]["opcion"].tolist() == ["B"]
    assert out["resultados"].iloc[0]["flujos_respondidos"] == 1


def test_first_option_skips_free_text_and_bot_options_and_uses_fecha_then_file_order():
    env = make_envios(_flow("c1"), _flow("c2"), _flow("c3"))
    ev = make_eventos(
        _ev("c1", 0, "bot", opcion="Bot option"),  # not by the cliente
        _ev("c1", 1, "cliente", mensaje="hola"),  # free text without option
        _ev("c1", 3, "cliente", opcion="Segunda"),
        _ev("c1", 2, "cliente", opcion="Primera"),  # earlier fecha though later in the file
        _ev("c2", 5, "cliente", opcion="Empate 1"),
        _ev("c2", 5, "cliente", opcion="Empate 2"),  # same fecha: file order decides
        _ev("c3", 1, "cliente", mensaje="solo texto"),
    )
    opts = metrics.flujos(env, ev)["primeras_opciones"]
    assert dict(zip(opts["opcion"], opts["conversaciones"], strict=True)) == {
        "Primera": 1,
        "Empate 1": 1,
        "(sin opción)": 1,
    }
    # ties in count are listed by name
    assert opts["opcion"].tolist() == ["(sin opción)", "Empate 1", "Primera"]
    assert opts["pct"].tolist() == pytest.approx([1 / 3] * 3)


def test_finalizacion_explicit_last_non_empty_wins():
    env = make_envios(_flow("c1", asignada=True))
    ev = make_eventos(
        _ev("c1", 0, "cliente", finalizacion="asignacion"),
        _ev("c1", 1, "agente"),
        _ev("c1", 2, "bot", finalizacion="abandono"),  # last explicit value
        _ev("c1", 3, "bot"),  # empty: does not erase it
    )
    fin = metrics.flujos(env, ev)["finalizacion"]
    assert fin["finalizacion"].tolist() == ["abandono", "asignacion", "finalizacion_automatica"]
    assert fin["conversaciones"].tolist() == [1, 0, 0]


@pytest.mark.parametrize(
    ("send", "events", "expected"),
    [
        ({"asignada": True}, [("cliente", {})], "asignacion"),
        ({}, [("cliente", {}), ("agente", {})], "asignacion"),
        (
            {},
            [("cliente", {}), ("bot", {"tipificacion": "Resuelto", "tipo_tipificacion": "fin_autogestion"})],
            "finalizacion_automatica",
        ),
        (
            {},
            [
                ("cliente", {}),
                ("bot", {"tipificacion": "Web", "tipo_tipificacion": "seguimiento_autogestion"}),
            ],
            "finalizacion_automatica",
        ),
        (
            {},
            [("cliente", {}), ("bot", {"tipificacion": "Interesado", "tipo_tipificacion": "seguimiento"})],
            "abandono",
        ),
    ],
)
def test_finalizacion_derived_branches(send, events, expected):
    env = make_envios(_flow("c1", **send))
    ev = make_eventos(*[_ev("c1", i, autor, **extra) for i, (autor, extra) in enumerate(events)])
    fin = metrics.flujos(env, ev)["finalizacion"].set_index("finalizacion")["conversaciones"]
    assert fin[expected] == 1 and fin.sum() == 1


def test_assignment_beats_autogestion_when_both_apply():
    env = make_envios(_flow("c1"))
    ev = make_eventos(
        _ev("c1", 0, "cliente"),
        _ev("c1", 1, "bot", tipificacion="Resuelto", tipo_tipificacion="fin_autogestion"),
        _ev("c1", 2, "agente"),
    )
    fin = metrics.flujos(env, ev)["finalizacion"].set_index("finalizacion")["conversaciones"]
    assert fin["asignacion"] == 1


def test_tipificacion_applied_twice_counts_once_at_its_first_level():
    env = make_envios(_flow("c1"), _flow("c2"))
    ev = make_eventos(
        _ev("c1", 0, "cliente"),
        _ev("c1", 1, "bot", tipificacion="Interesado"),
        _ev("c1", 2, "agente", tipificacion="Cotizado"),
        _ev("c1", 3, "agente", tipificacion="Interesado"),  # repeated: stays at level 1
        _ev("c1", 4, "agente", tipificacion="Venta"),
        _ev("c2", 0, "cliente"),
        _ev("c2", 1, "bot", tipificacion="Cotizado"),
    )
    t = metrics.flujos(env, ev)["embudo_tipificaciones"]
    assert list(t.columns) == ["nivel", "tipificacion", "conversaciones", "pct"]
    rows = list(zip(t["nivel"], t["tipificacion"], t["conversaciones"], strict=True))
    assert rows == [(1, "Cotizado", 1), (1, "Interesado", 1), (2, "Cotizado", 1), (3, "Venta", 1)]
    assert t["pct"].tolist() == pytest.approx([0.5, 0.5, 0.5, 0.5])


def test_etiquetas_funnel_works_the_same_way():
    env = make_envios(_flow("c1"), _flow("c2"), _flow("c3"))
    ev = make_eventos(
        _ev("c1", 0, "cliente", etiqueta="interés alto"),
        _ev("c1", 1, "bot", etiqueta="pago con tarjeta"),
        _ev("c1", 2, "bot", etiqueta="interés alto"),
        _ev("c2", 0, "cliente", etiqueta="interés alto"),
        _ev("c3", 0, "cliente", etiqueta="interés bajo"),
    )
    e = metrics.flujos(env, ev)["embudo_etiquetas"]
    rows = list(zip(e["nivel"], e["etiqueta"], e["conversaciones"], strict=True))
    assert rows == [(1, "interés alto", 2), (1, "interés bajo", 1), (2, "pago con tarjeta", 1)]


def test_last_bot_message_before_abandonment_and_sin_mensaje():
    env = make_envios(_flow("c1"), _flow("c2"), _flow("c3"), _flow("c4"))
    ev = make_eventos(
        _ev("c1", 0, "bot", mensaje="Hola"),
        _ev("c1", 1, "cliente", opcion="Ofertas"),
        _ev("c1", 2, "bot", mensaje="¿Querés ver más ofertas?"),
        _ev("c1", 2, "bot", mensaje="Elegí una"),
        _ev("c2", 0, "bot", mensaje="Hola"),
        _ev("c2", 1, "cliente"),
        _ev("c2", 2, "bot", mensaje="Elegí una"),
        _ev("c3", 0, "cliente"),  # no bot event at all
        _ev("c4", 0, "cliente"),
        _ev("c4", 1, "agente"),  # assigned: not an abandonment
    )
    last = metrics.flujos(env, ev)["ultimo_mensaje_abandono"]
    assert list(zip(last["mensaje"], last["conversaciones"], strict=True)) == [
        ("Elegí una", 2),
        ("(sin mensaje)", 1),
    ]
    assert last["pct"].tolist() == pytest.approx([2 / 3, 1 / 3])


def test_flujos_accepts_a_precomputed_event_profile():
    env = make_envios(_flow("c1"), _flow("c2", canal="IG"))
    ev = make_eventos(_ev("c1", 0, "cliente", opcion="A"), _ev("c2", 0, "cliente", opcion="B"))
    profile = metrics.profile_events(ev)
    for f in (None, Filtros(canales=["IG"])):
        direct = metrics.flujos(env, ev, f)
        cached = metrics.flujos(env, profile, f)
        for name in metrics.TABLES["flujos"]:
            pd.testing.assert_frame_equal(direct[name], cached[name])


def test_flujos_table_columns_follow_the_contract():
    env = make_envios(_flow("c1"))
    ev = make_eventos(_ev("c1", 0, "cliente", opcion="A", tipificacion="T", etiqueta="E"))
    out = metrics.flujos(env, ev)
    assert list(out["resultados"].columns) == metrics.RESULTADOS_COLUMNS
    assert list(out["primeras_opciones"].columns) == ["opcion", "conversaciones", "pct"]
    assert list(out["finalizacion"].columns) == ["finalizacion", "conversaciones", "pct"]
    assert list(out["embudo_etiquetas"].columns) == ["nivel", "etiqueta", "conversaciones", "pct"]
    assert list(out["ultimo_mensaje_abandono"].columns) == ["mensaje", "conversaciones", "pct"]
    assert str(out["finalizacion"]["conversaciones"].dtype) == "int64"


def test_campaigns_in_flow_scope():
    env = make_envios(_flow("c1", campana="B"), _flow("c2", campana="A"), {"campana": "Z"})
    assert metrics.campanas_en_alcance(env) == ["A", "B"]
