"""The training guide: the hand-countable example and the self-checking exercises."""

from __future__ import annotations

import pytest

from outbound_analysis import guide, metrics


def test_example_counts_match_the_guide_text():
    k = metrics.kpis(guide.example_envios()).iloc[0]
    # the numbers the notebook tells the reader to count by hand
    assert (k["total_contactos"], k["envios"], k["envios_exitosos"]) == (7, 8, 6)
    assert (k["leidos"], k["respondidos"], k["asignadas"], k["ventas"]) == (3, 3, 3, 2)
    assert (k["lectura_no_informada"], k["conversaciones_iniciadas"], k["sobre_conversacion_abierta"]) == (
        2,
        5,
        1,
    )
    funnel = metrics.embudo(guide.example_envios())["cantidad"].tolist()
    assert funnel == [6, 3, 3, 3, 2]


@pytest.mark.parametrize(
    ("number", "answer"),
    [
        (1, 3),
        (1, "3"),
        (2, 2),
        (3, 5),
        (4, 2 / 6),
        (4, "33,3 %"),
        (4, 33.33),
        (5, "Abandono"),
        (5, "abandono"),
    ],
)
def test_right_answers_are_accepted(number, answer):
    ok, text = guide.check(number, answer)
    assert ok is True and text.startswith("✔")


@pytest.mark.parametrize(
    ("number", "answer"), [(1, 2), (2, 0), (3, 6), (4, 0.5), (4, "mucho"), (5, "asignacion")]
)
def test_wrong_answers_get_a_hint(number, answer):
    ok, text = guide.check(number, answer)
    assert ok is False and ("Pista" in text or "no es un número" in text)
    assert guide.EXERCISES[number].hint in text


def test_no_answer_yet_asks_for_one():
    ok, text = guide.check(3, None)
    assert ok is None and "respuesta_3" in text
