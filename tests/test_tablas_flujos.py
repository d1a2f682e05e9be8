"""CONTRACT §5.3: recorridos and abandono_por_nodo counted by hand; their charts, sections and exports."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO, make_eventos
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outbound_analysis import _graficos_flujos as gf
from outbound_analysis.filters import filter_envios
from outbound_analysis.load import load_table
from outbound_analysis.metrics import Entrada, Fuente, flujos, profile_events
from outbound_analysis.metrics import _recorridos as tf
from outbound_analysis.metrics.flujos import respondidos
from outbound_analysis.schema import FINALIZACIONES

T0 = pd.Timestamp("2026-08-10 10:00")


def ev(*convs: tuple[str, list[str | None]]) -> pd.DataFrame:
    """Events with the loader's dtypes: one per nodo (None: an event without nodo), a minute apart."""
    rows = []
    for conv, nodos in convs:
        for i, nodo in enumerate(nodos):
            when = (T0 + pd.Timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M")
            rows.append({"conversacion_id": conv, "fecha": when, "autor": "bot", "nodo": nodo})
    if not rows:  # no events: the loader's empty frame (same columns and dtypes)
        return make_eventos({"conversacion_id": "x", "fecha": "2026-08-10 10:00", "autor": "bot"}).iloc[:0]
    return make_eventos(*rows)


def fin(**by_conv: str) -> pd.Series:
    """The per-conversation finalizacion, built by hand (phase 2 takes it from metrics)."""
    return pd.Series(by_conv, dtype="string")


def rows(table: pd.DataFrame) -> list[list]:
    return table.astype(object).where(table.notna(), None).to_numpy().tolist()


# --------------------------------------------------------------------------- recorridos


def test_recorridos_hand_counted():
    events = ev(
        ("c1", ["inicio", "inicio", None, "menu", "menu", "pago"]),  # collapsed: inicio, menu, pago
        ("c2", ["inicio", "menu"]),
        ("c3", [None, None]),  # no nodo at all
        ("c4", ["otro", "otro2"]),  # not a flujo respondido: not in finalizacion
    )
    table = tf.recorridos(events, fin(c1="abandono", c2="asignacion", c3="finalizacion_automatica"))
    assert list(table.columns) == ["paso", "desde", "hasta", "conversaciones"]
    assert table.dtypes.astype(str).tolist() == ["int64", "string", "string", "int64"]
    assert rows(table) == [
        [1, "inicio", "menu", 2],  # c1 and c2
        [1, "(sin nodo)", "finalizacion_automatica", 1],  # c3, straight to its finalizacion
        [2, "menu", "asignacion", 1],  # c2 (ties: hasta "asignacion" < "pago")
        [2, "menu", "pago", 1],  # c1
        [3, "pago", "abandono", 1],  # c1
    ]


def test_recorridos_cut_after_six_nodes_after_collapsing():
    # A A B C D E F G H: collapsed A..H (8 nodos), cut to A..F; F -> finalizacion at paso 6.
    # Cutting before collapsing would keep A A B C D E and end at E.
    events = ev(("c1", ["A", "A", "B", "C", "D", "E", "F", "G", "H"]))
    table = tf.recorridos(events, fin(c1="abandono"))
    assert rows(table) == [
        [1, "A", "B", 1],
        [2, "B", "C", 1],
        [3, "C", "D", 1],
        [4, "D", "E", 1],
        [5, "E", "F", 1],
        [6, "F", "abandono", 1],
    ]


def test_recorridos_keeps_non_immediate_repeats_and_single_event():
    events = ev(("c1", ["A", "B", "A"]), ("c2", ["solo"]))
    table = tf.recorridos(events, fin(c1="asignacion", c2="abandono"))
    assert rows(table) == [
        [1, "A", "B", 1],
        [1, "solo", "abandono", 1],  # one nodo: one transition, to its finalizacion
        [2, "B", "A", 1],
        [3, "A", "asignacion", 1],
    ]


def test_recorridos_orders_events_by_fecha_then_file_order():
    events = make_eventos(
        {"conversacion_id": "c1", "fecha": "2026-08-10 10:05", "autor": "bot", "nodo": "tarde"},
        {"conversacion_id": "c1", "fecha": "2026-08-10 10:00", "autor": "bot", "nodo": "primero"},
        {"conversacion_id": "c1", "fecha": "2026-08-10 10:02", "autor": "bot", "nodo": "empate_1"},
        {"conversacion_id": "c1", "fecha": "2026-08-10 10:02", "autor": "bot", "nodo": "empate_2"},
    )
    table = tf.recorridos(events, fin(c1="abandono"))
    # by fecha: primero (10:00), empate_1 and empate_2 (10:02, file order), tarde (10:05)
    assert rows(table)[:3] == [
        [1, "primero", "empate_1", 1],
        [2, "empate_1", "empate_2", 1],
        [3, "empate_2", "tarde", 1],
    ]


def test_recorridos_nodo_named_like_a_finalizacion():
    # c1: menu, asignacion (a nodo) -> asignacion (its finalizacion); c2: menu -> asignacion (finalizacion)
    events = ev(("c1", ["menu", "asignacion"]), ("c2", ["menu"]))
    f = fin(c1="asignacion", c2="asignacion")
    assert rows(tf.recorridos(events, f)) == [
        [1, "menu", "asignacion", 2],  # the contract's columns merge the nodo and the finalizacion
        [2, "asignacion", "asignacion", 1],
    ]
    marked = tf.recorridos(events, f, con_fin=True)
    assert list(marked.columns) == ["paso", "desde", "hasta", "conversaciones", "fin"]
    assert rows(marked) == [
        [1, "menu", "asignacion", 1, False],  # c1 to the nodo
        [1, "menu", "asignacion", 1, True],  # c2 to its finalizacion
        [2, "asignacion", "asignacion", 1, True],
    ]


def test_recorridos_empty_selections():
    events = ev(("c1", ["A", "B"]))
    empty = tf.recorridos(events, fin())
    assert empty.empty
    assert list(empty.columns) == tf.RECORRIDOS_COLUMNS
    assert empty.dtypes.astype(str).tolist() == ["int64", "string", "string", "int64"]
    # no events at all: every conversation goes from "(sin nodo)"
    no_events = ev()
    assert rows(tf.recorridos(no_events, fin(x="abandono", y="abandono"))) == [
        [1, "(sin nodo)", "abandono", 2]
    ]


def test_recorridos_blank_nodos_are_empty_and_input_is_not_mutated():
    events = pd.DataFrame(
        {
            "conversacion_id": ["c1", "c1", "c1", None],
            "fecha": pd.to_datetime(
                ["2026-08-10 10:00", "2026-08-10 10:01", "2026-08-10 10:02"] * 1 + [None]
            ),
            "nodo": [" A ", "   ", "A", "B"],  # trimmed "A", blank, "A" again: one nodo A
        }
    )
    before = events.copy()
    f = fin(c1="abandono")
    assert rows(tf.recorridos(events, f)) == [[1, "A", "abandono", 1]]
    pd.testing.assert_frame_equal(events, before)
    pd.testing.assert_series_equal(f, fin(c1="abandono"))


def test_recorridos_rejects_bad_finalizacion():
    events = ev(("c1", ["A"]))
    with pytest.raises(ValueError, match="finalizacion values"):
        tf.recorridos(events, fin(c1="vendida"))
    with pytest.raises(ValueError, match="finalizacion values"):
        tf.recorridos(events, pd.Series([pd.NA], index=["c1"], dtype="string"))
    with pytest.raises(ValueError, match="one row per conversation"):
        tf.recorridos(events, pd.Series(["abandono", "abandono"], index=["c1", "c1"]))


# --------------------------------------------------------------------------- abandono_por_nodo


def test_abandono_por_nodo_hand_counted():
    events = ev(
        ("c1", ["inicio", "menu", "pago"]),  # abandono, last nodo pago
        ("c2", ["inicio", "menu"]),  # abandono at menu
        ("c3", ["inicio", "menu", None]),  # asignacion: no abandono
        ("c4", [None]),  # abandono without nodo: counted nowhere
        ("c5", ["inicio", "menu", "inicio"]),  # abandono at inicio; inicio counted once for c5
        ("c6", ["inicio", "menu"]),  # abandono at menu
        ("c7", ["otro"]),  # not in scope
    )
    f = fin(c1="abandono", c2="abandono", c3="asignacion", c4="abandono", c5="abandono", c6="abandono")
    table = tf.abandono_por_nodo(events, f)
    assert list(table.columns) == ["nodo", "conversaciones", "abandonos", "pct_abandono"]
    assert table.dtypes.astype(str).tolist() == ["string", "int64", "int64", "Float64"]
    assert rows(table) == [
        ["menu", 5, 2, 0.4],  # c1 c2 c3 c5 c6 reached it; c2 and c6 left there: 2 / 5
        ["inicio", 5, 1, 0.2],  # c5 left there: 1 / 5 (ties by nodo: inicio < pago)
        ["pago", 1, 1, 1.0],  # c1: 1 / 1
    ]


def test_abandono_por_nodo_uses_the_last_nodo_beyond_the_cut():
    # 8 distinct nodos: recorridos stops at F, but the abandono happened at H
    events = ev(("c1", list("ABCDEFGH")))
    table = tf.abandono_por_nodo(events, fin(c1="abandono"))
    assert rows(table)[0] == ["H", 1, 1, 1.0]
    assert sorted(table["nodo"]) == list("ABCDEFGH")
    assert table["abandonos"].sum() == 1


def test_abandono_por_nodo_without_abandonos_and_empty():
    events = ev(("c1", ["A", "B"]))
    table = tf.abandono_por_nodo(events, fin(c1="asignacion"))
    assert rows(table) == [["A", 1, 0, 0.0], ["B", 1, 0, 0.0]]  # 0 / 1 is 0, not empty
    empty = tf.abandono_por_nodo(events, fin())
    assert empty.empty and list(empty.columns) == tf.ABANDONO_POR_NODO_COLUMNS
    assert empty.dtypes.astype(str).tolist() == ["string", "int64", "int64", "Float64"]
    assert tf.abandono_por_nodo(ev(), fin(x="abandono")).empty


# --------------------------------------------------------------------------- with metrics


def test_perfil_ids_match_metrics_profile_and_codes_give_the_same_tables():
    events = ev(("c2", ["A", "B"]), ("c1", [None, "A"]), ("c3", ["B"]))
    perfil = tf.perfil_nodos(events)
    assert perfil.ids.equals(profile_events(events).ids)
    by_id = fin(c1="abandono", c3="asignacion")
    codes = [perfil.ids.get_loc("c1"), perfil.ids.get_loc("c3")]  # the codes metrics hands over
    by_code = pd.Series(["abandono", "asignacion"], index=pd.Index(codes))
    pd.testing.assert_frame_equal(tf.recorridos(perfil, by_code), tf.recorridos(events, by_id))
    pd.testing.assert_frame_equal(tf.abandono_por_nodo(perfil, by_code), tf.abandono_por_nodo(events, by_id))
    with pytest.raises(ValueError, match="conversation codes"):
        tf.recorridos(perfil, pd.Series(["abandono"], index=pd.Index([99])))


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pd.DataFrame]:
    envios = load_table("envios", sorted(Path(DEMO).glob("envios_*.csv")))
    eventos = load_table("eventos", Path(DEMO) / "eventos.xlsx")
    perfil = tf.perfil_nodos(eventos)
    e = Entrada(filter_envios(envios, None), None, Fuente(eventos=profile_events(eventos)))
    r = respondidos(e)
    f = pd.Series(r.finalizacion, index=pd.Index(r.codigos))
    return {
        "finalizacion": flujos(envios, eventos)["finalizacion"],
        "recorridos": tf.recorridos(perfil, f, con_fin=True),
        "abandono_por_nodo": tf.abandono_por_nodo(perfil, f),
        "eventos": eventos,
        "f": f,
    }


def test_demo_recorridos_end_as_the_finalizacion_table(demo_tables):
    rec = demo_tables["recorridos"]
    ends = rec[rec["fin"]].groupby("hasta")["conversaciones"].sum()
    expected = demo_tables["finalizacion"].set_index("finalizacion")["conversaciones"]
    assert ends.reindex(list(FINALIZACIONES), fill_value=0).tolist() == expected.tolist()
    assert rec.loc[rec["paso"] == 1, "conversaciones"].sum() == expected.sum()
    # every abandono with a nodo is counted once, at one nodo
    aband = demo_tables["abandono_por_nodo"]
    assert 0 < aband["abandonos"].sum() <= expected["abandono"]


# --------------------------------------------------------------------------- properties

NODOS = ["a", "b", "asignacion", None]


def reference(convs: dict[str, list], finales: dict[str, str]) -> tuple[Counter, Counter, Counter]:
    """The contract's rules, one conversation at a time (events already in order)."""
    trans: Counter = Counter()
    reached: Counter = Counter()
    aband: Counter = Counter()
    for conv, final in finales.items():
        seq = [n for n in convs.get(conv, []) if n is not None]
        collapsed = [n for i, n in enumerate(seq) if i == 0 or n != seq[i - 1]]
        path = (collapsed[:6] or [tf.SIN_NODO]) + [final]
        for i in range(len(path) - 1):
            trans[(i + 1, path[i], path[i + 1])] += 1
        for n in set(seq):
            reached[n] += 1
        if final == "abandono" and seq:
            aband[seq[-1]] += 1
    return trans, reached, aband


@st.composite
def flows(draw):
    n = draw(st.integers(0, 6))
    convs = {f"c{i}": draw(st.lists(st.sampled_from(NODOS), max_size=9)) for i in range(n)}
    in_scope = [c for c in convs if draw(st.booleans())] + (["sin_eventos"] if draw(st.booleans()) else [])
    finales = {c: draw(st.sampled_from(FINALIZACIONES)) for c in in_scope}
    return convs, finales


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_tables_follow_the_contract_rules(data):
    convs, finales = data
    events = ev(*convs.items())
    f = pd.Series(finales, dtype="string") if finales else fin()
    trans, reached, aband = reference(convs, finales)

    table = tf.recorridos(events, f)
    got = {(p, d, h): n for p, d, h, n in rows(table)}
    assert got == dict(trans)
    assert table["conversaciones"].gt(0).all()
    keys = list(zip(table["paso"], -table["conversaciones"], table["desde"], table["hasta"], strict=True))
    assert keys == sorted(keys)
    assert table.loc[table["paso"] == 1, "conversaciones"].sum() == len(finales)
    marked = tf.recorridos(events, f, con_fin=True)
    ends = marked[marked["fin"]].groupby("hasta")["conversaciones"].sum().to_dict()
    assert ends == {k: v for k, v in Counter(finales.values()).items()}

    aband_table = tf.abandono_por_nodo(events, f)
    assert {n: (c, a) for n, c, a, _ in rows(aband_table)} == {n: (c, aband[n]) for n, c in reached.items()}
    pct = aband_table["pct_abandono"]
    assert pct.notna().all() and pct.between(0, 1).all()
    keys2 = list(zip(-aband_table["abandonos"], aband_table["nodo"], strict=True))
    assert keys2 == sorted(keys2)


# --------------------------------------------------------------------------- charts


def annotations(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def small_recorridos(con_fin: bool = True) -> pd.DataFrame:
    events = ev(("c1", ["inicio", "menu", "pago"]), ("c2", ["inicio", "menu"]), ("c3", [None]))
    return tf.recorridos(events, fin(c1="abandono", c2="asignacion", c3="abandono"), con_fin=con_fin)


def test_sankey_small_table():
    fig = gf.sankey_recorridos(small_recorridos())
    sankey = fig.data[0]
    assert sankey.type == "sankey"
    labels = list(sankey.node.label)
    assert {"inicio", "menu", "pago", "(sin nodo)", "Abandono", "Asignación"} <= set(labels)
    assert "abandono" not in labels and "Finalización automática" not in labels  # no such ending here
    # 6 transitions of 3 conversations: inicio->menu (2), menu->pago, menu->Asignación, pago->Abandono,
    # (sin nodo)->Abandono: 2 + 1 + 1 + 1 + 1 = 6 link units
    assert sum(sankey.link.value) == 6
    assert "Paso" in sankey.link.hovertemplate and "conversaciones" in sankey.link.hovertemplate
    assert "Recorridos" in fig.layout.title.text
    heads = annotations(fig)
    assert heads[0] == "<b>Nodo 1</b>" and heads[-1] == "<b>Cómo terminó</b>"
    assert fig.to_json()
    # the contract's columns draw the same picture when no nodo is named like a finalizacion
    plain = gf.sankey_recorridos(small_recorridos(con_fin=False)).data[0]
    assert list(plain.node.label) == labels and list(plain.link.value) == list(sankey.link.value)


def test_sankey_keeps_a_nodo_named_like_a_finalizacion_apart():
    events = ev(("c1", ["menu", "asignacion"]), ("c2", ["menu"]))
    f = fin(c1="asignacion", c2="asignacion")
    fig = gf.sankey_recorridos(tf.recorridos(events, f, con_fin=True))
    labels = list(fig.data[0].node.label)
    assert labels.count("asignacion") == 1 and labels.count("Asignación") == 1
    final = labels.index("Asignación")
    into_final = [
        v for t, v in zip(fig.data[0].link.target, fig.data[0].link.value, strict=True) if t == final
    ]
    assert sum(into_final) == 2  # both conversations end in Asignación
    with pytest.raises(ValueError, match="con_fin=True"):
        gf.sankey_recorridos(tf.recorridos(events, f))


def test_sankey_groups_the_rest_of_a_column():
    n = gf.MAX_NODOS_POR_PASO + 3
    table = pd.DataFrame(
        {
            "paso": [1] * n,
            "desde": [f"nodo {i:02d}" for i in range(n)],
            "hasta": ["abandono"] * n,
            "conversaciones": list(range(n, 0, -1)),
            "fin": [True] * n,
        }
    )
    sankey = gf.sankey_recorridos(table).data[0]
    labels = list(sankey.node.label)
    assert "Otros nodos" in labels
    assert "nodo 00" in labels and f"nodo {n - 1:02d}" not in labels  # the least busy are grouped
    assert sum(sankey.link.value) == sum(range(1, n + 1))


def test_sankey_empty_states():
    empty = gf.sankey_recorridos(small_recorridos().iloc[:0])
    assert annotations(empty) == [gf.EMPTY_TEXT] and empty.to_json()
    zeros = small_recorridos().assign(conversaciones=0)
    assert annotations(gf.sankey_recorridos(zeros)) == [gf.EMPTY_TEXT]


def test_abandono_chart_small_table():
    table = pd.DataFrame(
        {
            "nodo": pd.array(["menu", "inicio"], dtype="string"),
            "conversaciones": np.array([1500, 4], dtype=np.int64),
            "abandonos": np.array([1234, 1], dtype=np.int64),
            "pct_abandono": pd.array([1234 / 1500, 0.25], dtype="Float64"),
        }
    )
    fig = gf.abandono_por_nodo(table)
    assert [t.type for t in fig.data] == ["bar", "bar"]
    assert [t.name for t in fig.data] == ["Pasaron por el nodo", "Abandonaron ahí"]
    # bottom to top: the table's first row is on top; Spanish thousands and decimals
    assert list(fig.data[0].text) == ["1 de 4 abandonaron (25,0 %)", "1.234 de 1.500 abandonaron (82,3 %)"]
    assert fig.layout.xaxis.title.text == "conversaciones"
    assert "abandonan" in fig.layout.title.text
    assert fig.to_json()


def test_abandono_chart_empty_states():
    table = tf.abandono_por_nodo(ev(("c1", ["A"])), fin(c1="asignacion"))
    assert annotations(gf.abandono_por_nodo(table)) == [gf.SIN_ABANDONOS_TEXT]
    assert annotations(gf.abandono_por_nodo(table.iloc[:0])) == [gf.EMPTY_TEXT]
    all_na = table.assign(pct_abandono=pd.array([None], dtype="Float64"))
    assert annotations(gf.abandono_por_nodo(all_na)) == [gf.EMPTY_TEXT]
    assert gf.abandono_por_nodo(all_na).to_json()


# --------------------------------------------------------------------------- wired into the report


def _report_data():
    """Flow sends of campaigns A and B counted by hand (see test_report_tables_hand_counted)."""
    from conftest import make_envios
    from test_sections import dataset

    flow = {"origen": "flujo", "campana": "A"}
    envios = make_envios(
        {**flow, "conversacion_id": "c1"},  # inicio, menu, nodo "asignacion" -> asignacion (agente)
        {**flow, "conversacion_id": "c2"},  # inicio, menu -> abandono
        {**flow, "campana": "B", "conversacion_id": "c3"},  # inicio -> finalizacion_automatica (explicit)
        {**flow, "conversacion_id": "c4"},  # the contact never wrote: not a flujo respondido
        {"origen": "plantilla", "conversacion_id": "c5"},  # not a flow send
    )
    t = iter(pd.date_range("2026-08-10 10:00", periods=20, freq="min").strftime("%Y-%m-%d %H:%M"))

    def e(conv: str, autor: str, **row: str) -> dict:
        return {"conversacion_id": conv, "fecha": next(t), "autor": autor, **row}

    eventos = make_eventos(
        e("c1", "bot", nodo="inicio"),
        e("c1", "cliente", nodo="inicio"),
        e("c1", "bot", nodo="menu"),
        e("c1", "bot", nodo="asignacion"),
        e("c1", "agente"),
        e("c2", "bot", nodo="inicio"),
        e("c2", "cliente"),
        e("c2", "bot", nodo="menu"),
        e("c3", "bot", nodo="inicio"),
        e("c3", "cliente", finalizacion="finalizacion_automatica"),
        e("c4", "bot", nodo="inicio"),
        e("c5", "cliente", nodo="x"),
    )
    return dataset(envios, eventos)


def test_report_tables_hand_counted_and_filtered():
    from outbound_analysis.filters import Filtros
    from outbound_analysis.view import Vista

    vista = Vista.de_datos("flujos", _report_data(), Filtros())
    assert list(vista.tablas)[-2:] == ["recorridos", "abandono_por_nodo"]  # export and sheet order
    assert "recorridos_grafico" in vista.apoyo and "recorridos_grafico" not in vista.tablas
    rec = vista.tablas["recorridos"]
    assert list(rec.columns) == tf.RECORRIDOS_COLUMNS
    assert rec.dtypes.astype(str).tolist() == ["int64", "string", "string", "int64"]
    assert rows(rec) == [
        [1, "inicio", "menu", 2],
        [1, "inicio", "finalizacion_automatica", 1],
        [2, "menu", "abandono", 1],
        [2, "menu", "asignacion", 1],  # c1 to the nodo "asignacion"
        [3, "asignacion", "asignacion", 1],  # c1 ends assigned: the last hasta is the finalizacion
    ]
    assert rows(vista.apoyo["recorridos_grafico"])[3:] == [
        [2, "menu", "asignacion", 1, False],
        [3, "asignacion", "asignacion", 1, True],
    ]
    assert rows(vista.tablas["abandono_por_nodo"]) == [
        ["menu", 2, 1, 0.5],
        ["asignacion", 1, 0, 0.0],
        ["inicio", 3, 0, 0.0],
    ]
    # a filter change: a new view over the same Fuente, the nodo profile is not recomputed
    only_b = replace(vista, filtros=Filtros(campanas=["B"]))
    assert rows(only_b.tablas["recorridos"]) == [[1, "inicio", "finalizacion_automatica", 1]]
    assert rows(only_b.tablas["abandono_por_nodo"]) == [["inicio", 1, 0, 0.0]]
    assert only_b.fuente.perfil_eventos.nodos is vista.fuente.perfil_eventos.nodos


def test_profile_events_shares_its_codes_with_the_nodo_profile():
    events = ev(("c2", ["A", "B"]), ("c1", [None, "A"]), ("c3", ["B"]))
    profile = profile_events(events)
    alone = tf.perfil_nodos(events)
    assert profile.nodos.ids.equals(profile.ids)
    for field in ("codigo", "nodo", "inicio", "largo", "visita_codigo", "visita_nodo"):
        assert np.array_equal(getattr(profile.nodos, field), getattr(alone, field)), field
    assert profile.nodos.largo.tolist() == [2, 1, 1]  # c2: A, B; c1: A; c3: B


def test_sections_read_the_tables():
    from outbound_analysis import _html
    from outbound_analysis.filters import Filtros
    from outbound_analysis.sections import flujos as sec
    from outbound_analysis.view import Vista

    vista = Vista.de_datos("flujos", _report_data(), Filtros())
    parts = vista.partes("recorridos")
    text = "".join(p for p in parts if isinstance(p, str))
    assert "de los 3 flujos respondidos" in text
    assert "Hay nodos que se llaman como una finalización («asignacion»)" in text
    assert "<td>fin: Asignación</td>" in text and "<td>fin: Finalización automática</td>" in text
    assert [p.data[0].type for p in parts if not isinstance(p, str)] == ["sankey"]
    parts = vista.partes("abandono_por_nodo")
    text = "".join(p for p in parts if isinstance(p, str))
    assert (
        "El nodo con más abandonos es «menu»: 1 de las 2 conversaciones que pasaron por él (50,0 %)" in text
    )
    assert "<th>% abandono</th>" in text
    assert [p.data[0].type for p in parts if not isinstance(p, str)] == ["bar"]
    # no nodo in the events: both sections say why, without a chart
    data = _report_data()
    no_nodos = replace(data, eventos=data.eventos.assign(nodo=pd.Series(pd.NA, dtype="string")))
    bare = Vista.de_datos("flujos", no_nodos, Filtros())
    for seccion in ("recorridos", "abandono_por_nodo"):
        (part,) = bare.partes(seccion)
        assert "no tienen nodo" in part and "Paso del flujo" in part
    # no flujo respondido: the report's usual reason
    none = Vista.de_datos("flujos", _report_data(), Filtros(campanas=["Otra"]))
    assert none.partes("recorridos") == none.partes("abandono_por_nodo")
    assert "No hay envíos que cumplan los filtros elegidos." in none.partes("recorridos")[0]
    plantilla = Vista.de_datos("flujos", _report_data(), Filtros(origenes=["plantilla"]))
    assert plantilla.partes("recorridos") == [_html.empty(sec.SIN_ENVIOS_FLUJO)]


def test_exports_have_the_contract_columns(tmp_path):
    import json

    import openpyxl

    from outbound_analysis.report import Informe

    informe = Informe.de_datos("flujos", _report_data(), formatos=["csv", "json", "xlsx"])
    informe.escribir(tmp_path)
    expected = {
        "recorridos": ["paso", "desde", "hasta", "conversaciones"],
        "abandono_por_nodo": ["nodo", "conversaciones", "abandonos", "pct_abandono"],
    }
    book = openpyxl.load_workbook(tmp_path / "flujos.xlsx")
    assert book.sheetnames[6:8] == ["recorridos", "abandono_por_nodo"]
    for name, columns in expected.items():
        csv = pd.read_csv(tmp_path / f"{name}.csv", encoding="utf-8-sig")
        assert list(csv.columns) == columns
        records = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
        assert list(records[0]) == columns
    assert pd.read_csv(tmp_path / "recorridos.csv").iloc[-1].tolist() == [3, "asignacion", "asignacion", 1]
    assert json.loads((tmp_path / "abandono_por_nodo.json").read_text(encoding="utf-8"))[0] == {
        "nodo": "menu",
        "conversaciones": 2,
        "abandonos": 1,
        "pct_abandono": 0.5,
    }
    sheet = book["abandono_por_nodo"]
    assert [c.value for c in sheet[1]] == ["Nodo", "Conversaciones", "Abandonos", "% abandono"]
    assert [c.value for c in book["recorridos"][1]] == ["Paso", "Desde", "Hasta", "Conversaciones"]


def test_codes_by_row_position_match_the_lookup_by_id():
    """A view finds conversation codes by row position of the loaded sends; by id it is the same."""
    from outbound_analysis.filters import Filtros
    from outbound_analysis.view import Vista

    data = _report_data()
    for filtros in (Filtros(), Filtros(campanas=["A"])):
        vista = Vista.de_datos("flujos", data, filtros)
        by_id = flujos(data.envios, data.eventos, filtros)  # no Dataset: looked up by conversacion_id
        assert list(by_id) == list(vista.tablas)
        for name, table in by_id.items():
            pd.testing.assert_frame_equal(vista.tablas[name], table, obj=name)
    assert rows(vista.apoyo["alcance_flujos"]) == [[3, True, 3, 2]]  # c1, c2, c4 have events; c1, c2 wrote
