"""CONTRACT §5.3: recorridos and abandono_por_nodo, pinned on data counted by hand, and their charts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO, make_eventos
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outbound_analysis import _graficos_flujos as gf
from outbound_analysis import _tablas_flujos as tf
from outbound_analysis.filters import filter_envios
from outbound_analysis.load import load_table
from outbound_analysis.metrics import Entrada, Fuente, flujos, profile_events
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
