"""The training guide: the hand-countable example and the self-checking exercises."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from outbound_analysis import guide, metrics

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "guia.ipynb"


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
        (1, 4),
        (1, "4"),
        (2, 3),
        (3, 4),
        (4, 2 / 7),
        (4, "28,6 %"),
        (4, "28.6%"),
        (4, 28.57),
        (4, (28, 6)),  # respuesta_4 = 28,6 without quotes: Python makes it the tuple (28, 6)
        (4, "0,286"),
        (5, "Finalización automática"),
        (5, "finalizacion_automatica"),
    ],
)
def test_right_answers_are_accepted(number, answer):
    ok, text = guide.check(number, answer)
    assert ok is True and text.startswith("✔")


@pytest.mark.parametrize(
    ("number", "answer"), [(1, 3), (2, 2), (3, 5), (4, 2 / 6), (4, (33, 3)), (4, "mucho"), (5, "abandono")]
)
def test_wrong_answers_get_a_hint(number, answer):
    ok, text = guide.check(number, answer)
    assert ok is False and ("Pista" in text or "no es un número" in text)
    assert guide.EXERCISES[number].hint in text


def test_a_word_for_a_percentage_is_explained_in_spanish():
    ok, text = guide.check(4, "mucho")
    assert ok is False
    assert text.startswith("«mucho» no es un número: escribí el porcentaje con cifras")


def test_the_exercises_are_not_answered_by_the_worked_example():
    """Sections 3 and 5 give the example's numbers; the exercises ask about the practice set."""
    example = metrics.kpis(guide.example_envios()).iloc[0]
    shown = {
        1: example["leidos"],
        2: example["lectura_no_informada"],
        3: example["conversaciones_iniciadas"],
        4: example["ventas"] / example["envios_exitosos"],
        5: "abandono",
    }
    for number, given in shown.items():
        ok, _ = guide.check(number, given)
        assert ok is False, f"el ejercicio {number} se responde copiando el ejemplo"


def test_the_guide_text_states_no_exercise_answer_before_the_exercises():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    first_exercise = next(i for i, c in enumerate(cells) if c.source.startswith("## 7. Ejercicios"))
    before = "\n".join(c.source for c in cells[:first_exercise] if c.cell_type == "markdown")
    assert "Nico" not in before and "Cuotas" not in before
    answers = guide._answers()
    assert f"**leidos** = {answers[1]}" not in before
    assert f"**lectura_no_informada** = {answers[2]}" not in before
    assert f"**conversaciones_iniciadas** = {answers[3]}" not in before
    assert "finalizacion_automatica" not in before.replace("Finalización", "")


def test_practice_counts():
    k = metrics.kpis(guide.practice_envios()).iloc[0]
    assert (k["envios"], k["envios_exitosos"], k["leidos"], k["lectura_no_informada"]) == (8, 7, 4, 3)
    assert (k["conversaciones_iniciadas"], k["ventas"]) == (4, 2)
    assert guide._answers()[5] == "finalizacion_automatica"


@pytest.mark.parametrize(
    ("cell", "name", "expected"),
    [
        (
            "respuesta_5 = abandono  # tu respuesta\nguia.corregir(5, respuesta_5)",
            "abandono",
            "«abandono» no está entre comillas: Python lo lee como el nombre de una variable que no existe. "
            'Las respuestas de texto van entre comillas: escribí respuesta_5 = "abandono" y volvé a '
            "ejecutar la celda.",
        ),
        (
            "respuesta_1 = cuatro\nguia.corregir(1, respuesta_1)",
            "cuatro",
            "«cuatro» no es un número: Python lo lee como el nombre de una variable que no existe. "
            "Escribí la respuesta con cifras, por ejemplo respuesta_1 = 10, y volvé a ejecutar la celda.",
        ),
        ("x = abandono", "abandono", None),
        ('respuesta_5 = "abandono"\nguia.corregir(5, respuest_5)', "respuest_5", None),
    ],
)
def test_missing_quotes_hint(cell, name, expected):
    assert guide.missing_quotes_hint(cell, name) == expected


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    sh = InteractiveShell.instance()
    guide.install_quote_hint(sh)
    yield sh
    sh.set_custom_exc((), None)


def test_an_answer_without_quotes_gets_the_spanish_hint_not_a_traceback(shell, capsys):
    result = shell.run_cell("respuesta_5 = abandono  # tu respuesta", store_history=True)
    out = capsys.readouterr().out
    assert isinstance(result.error_in_exec, NameError)  # the cell still fails: Run All stops there
    assert 'escribí respuesta_5 = "abandono"' in out
    assert "Traceback" not in out and "is not defined" not in out


def test_other_name_errors_keep_the_usual_traceback(shell, capsys):
    shell.run_cell("total = variable_que_no_existe", store_history=True)
    out = capsys.readouterr().out
    assert "NameError" in out and "variable_que_no_existe" in out
    assert "comillas" not in out


def test_no_answer_yet_asks_for_one():
    ok, text = guide.check(3, None)
    assert ok is None and "respuesta_3" in text


# --------------------------------------------------------------------------- section 8: intervals and A/B


def test_ab_lesson_numbers():
    """Exercise 6: Wilson 95 % upper bound of 63/150, counted by hand: p = 0.42, z²/n = 0.0256098;
    center = (0.42 + 0.0128049) / 1.0256098 = 0.4219909; half width =
    1.959964·sqrt(0.42·0.58/150 + 3.8414588/90000) / 1.0256098 = 0.0780243 -> 0.5000152.
    Exercise 7: 42 % against 44 % with 150 each is not significant (p = 0.726); the worked
    example (30 % against 45 % with 100 each) is (p = 0.028), so copying it gives the wrong answer."""
    answers = guide._answers()
    assert answers[6] == pytest.approx(0.5000152, abs=1e-6)
    assert answers[7] == "no"
    example = guide.ab(guide.ab_example_envios(), ["Promo verano A", "Promo verano B"]).iloc[1]
    assert bool(example["significativo"]) and float(example["p_valor"]) == pytest.approx(0.02846, abs=1e-5)


@pytest.mark.parametrize(
    ("number", "answer"), [(6, 50), (6, (50, 0)), (6, "50 %"), (6, 0.5), (7, "no"), (7, "No")]
)
def test_ab_right_answers_are_accepted(number, answer):
    ok, text = guide.check(number, answer)
    assert ok is True and text.startswith("✔")


@pytest.mark.parametrize(("number", "answer"), [(6, 42), (6, 34), (7, "sí"), (7, "si")])
def test_ab_wrong_answers_get_a_hint(number, answer):
    ok, text = guide.check(number, answer)
    assert ok is False and guide.EXERCISES[number].hint in text


def test_the_ab_lesson_does_not_give_the_exercises_answers():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## 8."))
    lesson = "\n".join(c.source for c in cells[start:] if c.cell_type == "markdown")
    assert "50,0" not in lesson and "Promo agosto" not in lesson.split("### Ahora vos")[0]
    codes = [c.source for c in cells[start:] if c.cell_type == "code"]
    assert codes[0] == "guia.leccion_ab()" and codes[1] == "guia.practica_ab()"
    assert "guia.corregir(6, respuesta_6)" in codes[2] and "guia.corregir(7, respuesta_7)" in codes[3]
