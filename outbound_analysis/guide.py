"""The training guide's content: a tiny example to count by hand, caveats shown on the demo
data, and exercises whose answers are checked by the same metric functions as the reports.

The exercises are about a second set of sends (the practice set), so that nothing the
guide explains before them gives their answers away.

Used by ``notebooks/guia.ipynb``: one call per section, nothing defined in the notebook.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from . import _graficos_detallado as graficos_detallado
from . import _html, _plotly_setup, charts, metrics
from ._display import show as _display
from ._text import fmt_int, fmt_pct
from .labels import CONCEPTO_LABELS
from .load import frame_from_records
from .metrics._ab import ab, ab_conclusiones
from .metrics._detalle import comparacion
from .report import Informe

# The tiny example: 8 sends a new analyst can count on paper (see the guide's tables).
_EXAMPLE = [
    # contacto, campana, origen, estado, nueva, leido, respondido, asignada, venta, conversacion
    ("Ana", "Promo", "plantilla", "exitoso", "sí", "sí", "sí", "no", "no", "p1"),
    ("Bruno", "Promo", "plantilla", "exitoso", "sí", "no", "no", "no", "no", "p2"),
    ("Carla", "Promo", "plantilla", "exitoso", "no", "", "sí", "sí", "sí", "p3"),
    ("Diego", "Promo", "plantilla", "fallido", "", "", "", "", "", ""),
    ("Ana", "Seguimiento", "plantilla_individual", "exitoso", "sí", "", "", "sí", "no", "s1"),
    ("Eva", "Seguimiento", "plantilla_individual", "exitoso", "sí", "", "", "sí", "sí", "s2"),
    ("Fede", "Bot", "flujo", "exitoso", "sí", "sí", "sí", "no", "no", "f1"),
    ("Gabi", "Bot", "flujo", "pendiente", "", "", "", "", "", ""),
]
_EVENTS = [
    ("f1", "2026-08-03 10:00", "bot", "¡Hola Fede! ¿Qué querés ver?", "", ""),
    ("f1", "2026-08-03 10:02", "cliente", "Ofertas", "Ofertas", ""),
    ("f1", "2026-08-03 10:02", "bot", "¿Querés que te muestre más ofertas?", "", "interés alto"),
]


# The practice set of the exercises: same columns, different answers from the example.
_PRACTICE = [
    ("Hugo", "Cuotas", "plantilla", "exitoso", "sí", "sí", "no", "no", "no", "c1"),
    ("Inés", "Cuotas", "plantilla", "exitoso", "sí", "", "sí", "sí", "sí", "c2"),
    ("Juan", "Cuotas", "plantilla", "exitoso", "no", "sí", "sí", "sí", "sí", "c3"),
    ("Laura", "Cuotas", "plantilla", "fallido", "", "", "", "", "", ""),
    ("Hugo", "Aviso", "plantilla_individual", "exitoso", "sí", "", "", "sí", "no", "a1"),
    ("Mora", "Aviso", "plantilla_individual", "exitoso", "no", "", "", "no", "no", "a2"),
    ("Nico", "Encuesta", "flujo", "exitoso", "sí", "sí", "sí", "no", "no", "e1"),
    ("Olga", "Encuesta", "flujo", "exitoso", "no", "", "no", "no", "no", "e2"),
]
_PRACTICE_EVENTS = [
    ("e1", "2026-08-04 09:00", "bot", "Hola Nico, ¿ya pagaste la cuota?", "", "", ""),
    ("e1", "2026-08-04 09:05", "cliente", "Ya pagué", "Ya pagué", "", ""),
    (
        "e1",
        "2026-08-04 09:05",
        "bot",
        "¡Gracias! Registramos tu pago.",
        "",
        "Pago informado",
        "fin_autogestion",
    ),
]
_EVENT_KEYS = ("conversacion_id", "fecha", "autor", "mensaje", "opcion", "tipificacion", "tipo_tipificacion")


def _envios(rows: list[tuple[str, ...]], day: str) -> pd.DataFrame:
    records = [
        {
            "envio_id": str(i + 1),
            "fecha_envio": f"{day} 10:00",
            "campana": c,
            "origen": o,
            "canal": "WA",
            "contacto_id": who,
            "estado": e,
            "conversacion_nueva": n,
            "leido": le,
            "respondido": r,
            "asignada": a,
            "venta": v,
            "conversacion_id": conv,
            "codigo_error": "131026" if e == "fallido" else "",
        }
        for i, (who, c, o, e, n, le, r, a, v, conv) in enumerate(rows)
    ]
    return frame_from_records("envios", records)


def example_envios() -> pd.DataFrame:
    """The guide's 8 sends, loaded with the same rules as any download."""
    return _envios(_EXAMPLE, "03/08/2026")


def practice_envios() -> pd.DataFrame:
    """The 8 sends of the exercises (section 7)."""
    return _envios(_PRACTICE, "04/08/2026")


def practice_eventos() -> pd.DataFrame:
    """The events of the practice set's only answered flow conversation (Nico's)."""
    return frame_from_records("eventos", [dict(zip(_EVENT_KEYS, e, strict=True)) for e in _PRACTICE_EVENTS])


def example_eventos() -> pd.DataFrame:
    """The events of the example's only flow conversation."""
    keys = ("conversacion_id", "fecha", "autor", "mensaje", "opcion", "etiqueta")
    return frame_from_records("eventos", [dict(zip(keys, e, strict=True)) for e in _EVENTS])


@dataclass(frozen=True)
class Exercise:
    question: str
    hint: str
    kind: str  # "int", "pct" or "text"


EXERCISES: dict[int, Exercise] = {
    1: Exercise(
        "¿Cuántos envíos de la práctica cuentan como leídos?",
        "Contá los exitosos con Leído = sí y sumá los que tienen Respondido = sí aunque el "
        "leído esté vacío: una respuesta prueba que se vio.",
        "int",
    ),
    2: Exercise(
        "¿Cuántos envíos de la práctica son «lectura no informada»?",
        "Exitosos con Leído vacío y sin respuesta: no solo las plantillas individuales.",
        "int",
    ),
    3: Exercise(
        "¿Cuántas conversaciones iniciadas hay en la práctica?",
        "Solo los exitosos con Conversación nueva = sí; los que dicen «no» entraron en una "
        "conversación que ya estaba abierta.",
        "int",
    ),
    4: Exercise(
        "¿Qué porcentaje de los envíos exitosos de la práctica terminó en venta? (p. ej. 25, 25,5 o 0.255)",
        "Ventas sobre envíos exitosos; fallidos y pendientes no cuentan en el denominador.",
        "pct",
    ),
    5: Exercise(
        "¿Cómo terminó la conversación del flujo de Nico? (abandono, asignacion o finalizacion_automatica)",
        "No hay finalización informada: ¿hubo agente? ¿una tipificación de autogestión? Si "
        "no, el contacto dejó de responder.",
        "text",
    ),
    6: Exercise(
        "«Promo agosto A» tuvo 63 respuestas en 150 envíos exitosos (42 %). ¿Hasta qué porcentaje "
        "llega su intervalo de confianza del 95 %? (p. ej. 47,5)",
        "Buscá la fila de «Promo agosto A» en la tabla de la práctica: es la columna «IC 95 % "
        "respondidas: hasta», o el extremo derecho de su barra en el gráfico.",
        "pct",
    ),
    7: Exercise(
        "«Promo agosto B» tuvo 66 respuestas en 150 (44 %). ¿Es una diferencia real con «Promo agosto A», "
        "o puede ser ruido? (si o no)",
        "Mirá si los dos intervalos se superponen: si el de B empieza antes de que termine el de A, "
        "con 150 envíos cada una no se puede decir que B responda más.",
        "text",
    ),
}

# The A/B lesson (section 8): a worked example and the practice of exercises 6 and 7, as
# (campaign, envíos exitosos, respondidos). The example's difference is real; the practice's is not.
_AB_EXAMPLE = [("Promo verano A", 100, 30), ("Promo verano B", 100, 45)]
_AB_PRACTICE = [("Promo agosto A", 150, 63), ("Promo agosto B", 150, 66)]


def _ab_envios(campaigns: list[tuple[str, int, int]], day: str) -> pd.DataFrame:
    """Exitosos of each campaign, the first ``respondidos`` of them read and replied."""
    rows = [
        (
            f"{name[-1]}{i}",
            name,
            "plantilla",
            "exitoso",
            "sí",
            *(["sí", "sí"] if i < k else ["no", "no"]),
            "no",
            "no",
            "",
        )
        for name, n, k in campaigns
        for i in range(n)
    ]
    return _envios(rows, day)


def ab_example_envios() -> pd.DataFrame:
    """The A/B lesson's worked example: 30 % against 45 % with 100 sends each."""
    return _ab_envios(_AB_EXAMPLE, "05/08/2026")


def ab_practice_envios() -> pd.DataFrame:
    """The A/B practice (exercises 6 and 7): 42 % against 44 % with 150 sends each."""
    return _ab_envios(_AB_PRACTICE, "06/08/2026")


def _ab_names(campaigns: list[tuple[str, int, int]]) -> list[str]:
    return [name for name, _, _ in campaigns]


def _answers() -> dict[int, object]:
    env = practice_envios()
    k = metrics.kpis(env).iloc[0]
    fin = metrics.flujos(env, practice_eventos())["finalizacion"]
    return {
        1: int(k["leidos"]),
        2: int(k["lectura_no_informada"]),
        3: int(k["conversaciones_iniciadas"]),
        4: k["ventas"] / k["envios_exitosos"],
        5: str(fin.loc[fin["conversaciones"] > 0, "finalizacion"].iloc[0]),
        6: float(
            comparacion(ab_practice_envios())
            .set_index("campana")
            .loc["Promo agosto A", "ic95_sup_respondidas"]
        ),
        7: "si" if bool(_ab_practice()["significativo"].iloc[1]) else "no",
    }


def _ab_practice() -> pd.DataFrame:
    return ab(ab_practice_envios(), _ab_names(_AB_PRACTICE))


def _decimal_comma(answer: object) -> object:
    """``respuesta = 33,3`` is the tuple ``(33, 3)`` in Python: read it as the number 33.3."""
    if (
        isinstance(answer, tuple)
        and len(answer) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in answer)
    ):
        return f"{answer[0]}.{answer[1]}"
    return answer


def _as_number(answer: object) -> float | None:
    """A number written as 0.333, 33.3, "33,3", "33,3 %" or 33,3 (no quotes); None if it is not one."""
    text = str(_decimal_comma(answer)).replace("%", "").strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _plain(text: str) -> str:
    """«Finalización automática» -> finalizacion_automatica: no accents, lower case, underscores."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "_".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def check(number: int, answer: object) -> tuple[bool | None, str]:
    """(correct?, feedback in Spanish); ``None`` when there is no answer yet.

    Percentages are accepted as a fraction (0.333) or a percentage (33.3), with a decimal
    point or comma, with or without quotes and ``%``.
    """
    exercise = EXERCISES[number]
    if answer is None or answer == "":
        return None, f"Escribí tu respuesta en respuesta_{number} y volvé a ejecutar la celda."
    right = _answers()[number]
    if exercise.kind == "pct":
        value = _as_number(answer)
        if value is None:
            return False, (
                f"«{answer}» no es un número: escribí el porcentaje con cifras, por ejemplo "
                f"respuesta_{number} = 25,5. {exercise.hint}"
            )
        value = value / 100 if value > 1 else value
        ok = abs(value - float(right)) < 0.006
    elif exercise.kind == "int":
        ok = str(answer).strip() == str(right)
    else:
        ok = _plain(str(answer)) == right
    if ok:
        shown = fmt_pct(float(right)) if exercise.kind == "pct" else str(right)
        return True, f"✔ ¡Correcto! La respuesta es {shown}."
    return False, f"✘ Todavía no. Pista: {exercise.hint}"


_ANSWER_LINE = re.compile(r"^\s*(respuesta_(\d+))\s*=\s*(.+?)\s*(?:#.*)?$", re.MULTILINE)


def missing_quotes_hint(cell: str, name: str) -> str | None:
    """The Spanish hint for ``respuesta_5 = abandono`` (a NameError), or None for other NameErrors.

    ``cell`` is the code of the cell that failed and ``name`` the undefined name.
    """
    for match in _ANSWER_LINE.finditer(cell):
        variable, number, value = match.group(1), int(match.group(2)), match.group(3)
        if re.search(rf"(?<![\w\"']){re.escape(name)}(?![\w\"'])", value):
            if number in EXERCISES and EXERCISES[number].kind != "text":
                return (
                    f"«{value}» no es un número: Python lo lee como el nombre de una variable que no "
                    f"existe. Escribí la respuesta con cifras, por ejemplo {variable} = 10, y volvé a "
                    "ejecutar la celda."
                )
            return (
                f"«{value}» no está entre comillas: Python lo lee como el nombre de una variable que no "
                f'existe. Las respuestas de texto van entre comillas: escribí {variable} = "{value}" y '
                "volvé a ejecutar la celda."
            )
    return None


def install_quote_hint(shell: object) -> None:
    """Make IPython answer a NameError in an exercise cell with :func:`missing_quotes_hint`.

    A NameError of the analyst's own cell happens before any of our code runs, so it is
    handled by IPython's custom exception hook; other NameErrors keep the usual traceback.
    """

    def handler(shell, etype, value, tb, tb_offset=None):  # type: ignore[no-untyped-def]
        history = shell.user_ns.get("_ih") or [""]
        hint = missing_quotes_hint(history[-1], getattr(value, "name", "") or "")
        if hint is None:
            stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        else:
            stb = [hint]
        # IPython's run_code ignores what the handler returns: show it here (as the error output)
        shell._showtraceback(etype, value, stb)

    shell.set_custom_exc((NameError,), handler)  # type: ignore[attr-defined]


_SHOWN = [
    "contacto_id",
    "campana",
    "origen",
    "estado",
    "conversacion_nueva",
    "leido",
    "respondido",
    "asignada",
    "venta",
]


def _numbered(envios: pd.DataFrame) -> pd.DataFrame:
    """The columns a reader counts, with the send number the guide's text refers to."""
    shown = envios[_SHOWN]
    return shown.assign(envio=range(1, len(shown) + 1))[["envio", *_SHOWN]]


class Guia:
    """The training guide over the demo (or any) data: same parameters as the reports."""

    def __init__(self, **params: object):
        params.pop("salida", None)
        self.resumen = Informe("resumen", cargar_eventos=True, **params)
        self.flujos = self.resumen.como("flujos")  # same loaded data
        self.ejemplo_envios = example_envios()
        self.ejemplo_eventos = example_eventos()
        self.practica_envios = practice_envios()
        self.practica_eventos = practice_eventos()
        _plotly_setup.use_renderer(interactivo=self.resumen.interactivo)
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            install_quote_hint(shell)

    # -- sections ------------------------------------------------------------------

    def que_informe(self) -> None:
        table = pd.DataFrame(
            {
                "Necesidad": [
                    "Ver si un cliente respondió una campaña",
                    "Analizar el rendimiento general de campañas",
                    "Evaluar el recorrido en un bot de flujo",
                ],
                "Informe": [
                    "Outbound > Detallado (detallado.ipynb)",
                    "Outbound > Resumen (resumen.ipynb)",
                    "Outbound > Flujos por Tipificaciones (flujos.ipynb)",
                ],
            }
        )
        _display([_html.STYLE, _html.table(table, sortable=False, labels=False)])

    def ejemplo(self) -> None:
        _display([_html.table(_numbered(self.ejemplo_envios), sortable=False)])

    def practica(self) -> None:
        """The exercises' sends and their flow conversation's events; no totals (those are the answers)."""
        _display(
            [
                _html.table(_numbered(self.practica_envios), sortable=False),
                _html.table(self.practica_eventos[list(_EVENT_KEYS)], sortable=False),
            ]
        )

    def ejemplo_resumen(self) -> None:
        k = metrics.kpis(self.ejemplo_envios)
        _display(
            [
                _html.table(
                    k.T.reset_index().set_axis(["métrica", "valor"], axis=1), sortable=False, labels=False
                )
            ]
        )

    def ejemplo_embudo(self) -> None:
        table = metrics.embudo(self.ejemplo_envios)
        _display([charts.embudo(table, "Embudo del ejemplo"), _html.table(table, sortable=False)])

    def ejemplo_detallado(self) -> None:
        _display([_html.table(metrics.detallado(self.ejemplo_envios))])

    def ejemplo_flujos(self) -> None:
        out = metrics.flujos(self.ejemplo_envios, self.ejemplo_eventos)
        _display(
            [
                _html.table(
                    self.ejemplo_eventos[
                        ["conversacion_id", "fecha", "autor", "mensaje", "opcion", "etiqueta"]
                    ],
                    sortable=False,
                ),
                _html.table(out["resultados"], sortable=False),
                _html.table(out["finalizacion"], sortable=False),
            ]
        )

    def advertencia(self, cual: str) -> None:
        """One platform caveat, shown with the loaded (demo) data."""
        renderers = {
            "conversaciones_abiertas": self._open_conversations,
            "plantillas_individuales": self._individual_templates,
            "lectura": self._read_receipts,
            "una_campana": self._single_campaign,
            "limites": self._limits,
        }
        _display(renderers[cual]())

    def leccion_ab(self) -> None:
        """The worked A/B example: both rates with their interval, the test and its sentences."""
        env = ab_example_envios()
        names = _ab_names(_AB_EXAMPLE)
        table = ab(env, names)
        sentence = ab_conclusiones(table, names)[1]  # the respondido stage
        _display(
            [
                graficos_detallado.comparacion(
                    comparacion(env), "Ejemplo: tasa de respuesta con su intervalo"
                ),
                _html.note(sentence),
                graficos_detallado.ab(table, names),
            ]
        )

    def practica_ab(self) -> None:
        """The A/B practice: each campaign's rate and interval, without the test's verdict."""
        table = comparacion(ab_practice_envios())
        cols = ["campana", "envios_exitosos", "respondidas", "pct_respondidas"]
        cols += ["ic95_inf_respondidas", "ic95_sup_respondidas"]
        _display(
            [
                graficos_detallado.comparacion(table, "Práctica: tasa de respuesta con su intervalo"),
                _html.table(table[cols], sortable=False),
            ]
        )

    def corregir(self, numero: int, respuesta: object) -> None:
        ok, text = check(numero, respuesta)
        question = _html.paragraph(f"Ejercicio {numero}: {EXERCISES[numero].question}")
        block = _html.note(text) if ok else _html.warn(text) if ok is False else _html.empty(text)
        _display([question, block])

    # -- caveats on the demo data ----------------------------------------------------

    def _open_conversations(self) -> list:
        rec = self.resumen.tablas["reconciliacion"]
        k = dict(zip(rec["concepto"], rec["cantidad"], strict=True))
        text = (
            f"En los datos cargados hay {fmt_int(k['envios_exitosos'])} envíos exitosos pero solo "
            f"{fmt_int(k['conversaciones_iniciadas'])} conversaciones iniciadas: "
            f"{fmt_int(k['sobre_conversacion_abierta'])} envíos entraron en una conversación que ya "
            "estaba abierta. Para la plataforma son envíos exitosos, pero el Reporte General no los "
            "cuenta como conversaciones nuevas."
        )
        return [
            charts.reconciliacion(rec),
            _html.note(text),
            _html.table(rec.assign(concepto=rec["concepto"].map(CONCEPTO_LABELS)), sortable=False),
        ]

    def _individual_templates(self) -> list:
        by = self.resumen.tablas["por_origen"]
        row = by[by["origen"] == "plantilla_individual"]
        text = "No hay plantillas individuales en los datos cargados."
        if len(row):
            r = row.iloc[0]
            text = (
                f"Las plantillas individuales tienen {fmt_int(r['asignadas'])} asignadas y "
                f"{fmt_int(r['respondidos'])} respondidas: no informan lectura ni respuesta "
                f"({fmt_int(r['lectura_no_informada'])} sin dato de lectura), pero el agente toma la "
                "conversación. Por eso el embudo puede tener más asignadas que respondidas."
            )
        return [_html.note(text), _html.table(by, sortable=False)]

    def _read_receipts(self) -> list:
        k = self.resumen.tablas["kpis"].iloc[0]
        ok = int(k["envios_exitosos"])
        low = k["leidos"] / ok if ok else float("nan")
        high = (k["leidos"] + k["lectura_no_informada"]) / ok if ok else float("nan")
        text = (
            f"Leídos: {fmt_int(k['leidos'])} de {fmt_int(ok)} exitosos ({fmt_pct(low)}). WhatsApp solo "
            "informa la lectura si el contacto tiene activadas las confirmaciones, así que esa tasa es "
            f"un mínimo: si todos los «no informados» se hubieran leído llegaría a {fmt_pct(high)}. "
            "Una respuesta prueba que el mensaje se vio, por eso cuenta como leído."
        )
        return [_html.note(text)]

    def _single_campaign(self) -> list:
        campaigns = metrics.campanas_en_alcance(self.resumen.datos.envios)
        all_flows = metrics.flujos(self.resumen.datos.envios, self.flujos.perfil_eventos)
        parts: list = [
            _html.note(
                f"Con todas las campañas de flujo juntas ({', '.join(campaigns)}) las primeras opciones "
                "mezclan menús distintos:"
            ),
            _html.table(all_flows["primeras_opciones"], sortable=False),
        ]
        if campaigns:
            one = self.flujos.with_filtros(campanas=[campaigns[0]])
            parts += [
                _html.note(f"Con una sola campaña («{campaigns[0]}») se lee su propio menú:"),
                _html.table(one.tablas["primeras_opciones"], sortable=False),
            ]
        return parts

    def _limits(self) -> list:
        n = len(self.resumen.datos.envios)
        return [
            _html.note(
                f"La plataforma muestra hasta 2.000 registros en pantalla y descarga hasta 1.000.000 por "
                f"archivo. Estos informes hacen lo mismo: las tablas del HTML se cortan en 2.000 filas y lo "
                f"dicen; las exportaciones CSV/JSON/XLSX tienen todo (los {fmt_int(n)} envíos cargados), y "
                "una tabla de más de 1.000.000 de filas se parte en archivos de hasta 1.000.000. Si una "
                "descarga de la plataforma llegó al millón, probablemente quedó cortada: pedí varias por "
                "rango de fechas (las repetidas se descartan solas)."
            )
        ]
