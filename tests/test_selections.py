"""Every report works for every selection: filters and data sets drawn by hypothesis.

Over the bundled demo data, hypothesis draws filter combinations from the values in
the data plus values nobody has (a mistyped campaign, an origin without sends, future
dates); over tiny drawn data sets it draws the sends and eventos themselves (NA flags,
failed and pending sends, flows with and without events). Each selection must pass the
checks of test_sections.py: tables with the contract's columns, counts that are
non-negative integers, percentages in [0, 1] or NA, every section rendered, exports
that read back. The slow test runs the real command on the four selections of issue 9.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from conftest import DEMO, make_envios, make_eventos
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from test_sections import check_exports, check_resumen_rules, check_sections, check_tables, dataset

from outbound_analysis import Informe, cli, report
from outbound_analysis.load import Dataset
from outbound_analysis.schema import ORIGENES, TIPOS_TIPIFICACION

# hypothesis caches what it learns in .hypothesis/ under the current folder: keep the working tree clean
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "outbound_analysis-hypothesis")

NADIE = "No existe en los datos"
#: examples per property; ``OUTBOUND_ANALYSIS_EJEMPLOS=500 pytest tests/test_selections.py`` digs deeper
EJEMPLOS = int(os.environ.get("OUTBOUND_ANALYSIS_EJEMPLOS", "25"))
SETTINGS = settings(
    deadline=None,
    max_examples=EJEMPLOS,
    database=None,  # no .hypothesis folder in the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def demo() -> Informe:
    return Informe("flujos", envios=str(DEMO / "envios_*.csv"), eventos=str(DEMO / "eventos.xlsx"))


def _values(inf: Informe, column: str) -> list[str]:
    return sorted(inf.datos.envios[column].dropna().astype(str).unique().tolist())


def _choice(values: list[str]) -> st.SearchStrategy[list[str]]:
    """No filter (all), or one to three values."""
    return st.one_of(st.just([]), st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))


@st.composite
def _dates(draw: st.DrawFn) -> dict[str, str]:
    """No limit, one bound, or an ordered range: inside the demo period, around it or in 2030."""
    day = st.dates(min_value=dt.date(2026, 7, 1), max_value=dt.date(2030, 12, 31))
    a, b = sorted([draw(day), draw(day)])
    kind = draw(st.sampled_from(["none", "desde", "hasta", "rango"]))
    out = {}
    if kind in ("desde", "rango"):
        out["fecha_desde"] = a.isoformat()
    if kind in ("hasta", "rango"):
        out["fecha_hasta"] = b.isoformat()
    return out


def _filters(inf: Informe) -> st.SearchStrategy[dict[str, object]]:
    lists = {
        "canales": _choice([*_values(inf, "canal"), "TG"]),
        "campanas": _choice([*_values(inf, "campana"), NADIE]),
        "origenes": _choice(list(ORIGENES)),  # every code: some have no send in the demo
        "grupos": _choice([*_values(inf, "grupo"), NADIE]),
        "agentes": _choice([*_values(inf, "agente"), NADIE]),
        "tipos_tipificacion": _choice(list(TIPOS_TIPIFICACION)),
    }
    return st.builds(lambda d, rest: {**d, **rest}, _dates(), st.fixed_dictionaries(lists))


def test_filter_strategy_reaches_empty_and_non_empty_selections(demo):
    # the values drawn are real: each demo value selects sends, the invented ones select none
    assert len(demo.with_filtros(campanas=(_values(demo, "campana")[0],)).envios) > 0
    assert demo.with_filtros(campanas=(NADIE,)).envios.empty
    assert demo.with_filtros(fecha_desde=dt.date(2030, 1, 1)).envios.empty


@SETTINGS
@given(data=st.data())
def test_every_report_works_for_drawn_filters_on_the_demo_data(demo, data):
    filtros = data.draw(_filters(demo), label="filtros")
    inf = demo.with_filtros(**filtros)
    for nombre in report.REPORTS:
        other = inf.como(nombre)
        tables = check_tables(other)
        if nombre == "resumen":
            check_resumen_rules(tables, len(other.envios))
        check_sections(other)
    exported = data.draw(st.sampled_from(report.REPORTS), label="exportado")
    with tempfile.TemporaryDirectory() as carpeta:
        check_exports(inf.como(exported), Path(carpeta))


# --------------------------------------------------------------------------- tiny drawn data sets

_FLAG = st.sampled_from([None, True, False])
_CONVERSACIONES = ["c1", "c2", "c3"]
_ENVIO = st.fixed_dictionaries(
    {
        "fecha_envio": st.sampled_from(["2026-08-10 10:00", "2026-08-11 23:30", "2026-09-01 08:00"]),
        "campana": st.sampled_from(["A", "Flujo B"]),
        "origen": st.sampled_from(["flujo", "plantilla", "plantilla_individual"]),
        "canal": st.sampled_from(["WA", "IG"]),
        "contacto_id": st.sampled_from(["5491100000001", "5491100000002", "5491100000003"]),
        "estado": st.sampled_from(["exitoso", "fallido", "pendiente"]),
        "conversacion_id": st.sampled_from([None, *_CONVERSACIONES]),
        "conversacion_nueva": _FLAG,
        "leido": _FLAG,
        "respondido": _FLAG,
        "asignada": _FLAG,
        "venta": _FLAG,
    }
)
_EVENTO = st.fixed_dictionaries(
    {
        "conversacion_id": st.sampled_from([*_CONVERSACIONES, "otra"]),
        "fecha": st.sampled_from(["2026-08-10 10:01", "2026-08-10 10:02", "2026-08-10 10:03"]),
        "autor": st.sampled_from(["bot", "cliente", "agente"]),
        "opcion": st.sampled_from([None, "Ofertas", "Pagar"]),
        "mensaje": st.sampled_from([None, "Hola", "Elegí una opción"]),
        "tipificacion": st.sampled_from([None, "Interesado", "Venta"]),
        "etiqueta": st.sampled_from([None, "interés alto"]),
        "finalizacion": st.sampled_from([None, None, "abandono", "asignacion"]),
    }
)


@st.composite
def _tiny(draw: st.DrawFn) -> tuple[Dataset, dict[str, object]]:
    """0 to 6 sends, 0 to 6 eventos (some of other conversations), and filters over them."""
    envios = draw(st.lists(_ENVIO, max_size=6))
    eventos = draw(st.lists(_EVENTO, max_size=6))
    sin_eventos = draw(st.booleans()) and not eventos  # no eventos file at all
    env = make_envios(*envios) if envios else make_envios({}).iloc[:0]
    ev = make_eventos(*eventos) if eventos else None
    filtros = draw(
        st.fixed_dictionaries(
            {
                "origenes": _choice(["flujo", "plantilla", "plantilla_individual", "webhook"]),
                "campanas": _choice(["A", "Flujo B", NADIE]),
                "canales": _choice(["WA", "IG"]),
            }
        )
    )
    return dataset(env, ev, sin_eventos=sin_eventos), filtros


@SETTINGS
@given(data=st.data())
def test_every_report_works_on_tiny_drawn_data_sets(data):
    ds, filtros = data.draw(_tiny(), label="datos y filtros")
    for nombre in report.REPORTS:
        inf = Informe.de_datos(nombre, ds, **filtros)
        tables = check_tables(inf)
        if nombre == "resumen":
            check_resumen_rules(tables, len(inf.envios))
        sections = dict(zip(report.SECTIONS[nombre], check_sections(inf), strict=True))
        if nombre == "flujos" and not inf.envios.empty:
            flows = (inf.envios["origen"] == "flujo").to_numpy(dtype=bool, na_value=False).any()
            if not flows:
                assert report.SIN_ENVIOS_FLUJO in sections["resultados"]
            elif not (ds.archivos["tabla"] == "eventos").any():
                assert report.SIN_ARCHIVO_EVENTOS in sections["aviso"]
    exported = data.draw(st.sampled_from(report.REPORTS), label="exportado")
    with tempfile.TemporaryDirectory() as carpeta:
        check_exports(Informe.de_datos(exported, ds, **filtros), Path(carpeta))


# --------------------------------------------------------------------------- the real command


@pytest.mark.slow
def test_the_four_selections_of_issue_9_produce_every_report(tmp_path):
    """`run --all` with the demo filtered to plantilla_individual, a missing campaign, 2030, and one send."""
    assert cli.main(["demo", "--envios", "1", "--dir", str(tmp_path / "uno")]) == 0
    demo = f"envios: {DEMO}/envios_*.csv\neventos: {DEMO}/eventos.xlsx\n"
    params = {
        "plantilla_individual": demo + "origenes: [plantilla_individual]\n",
        "sin_campana": demo + "campanas: [Campaña que no existe]\n",
        "futuro": demo + "fecha_desde: 2030-01-01\nfecha_hasta: 2030-01-31\n",
        "un_envio": "envios: uno/envios_*.csv\neventos: uno/eventos.xlsx\n",
    }
    files = []
    for name, text in params.items():
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
        files.append(str(tmp_path / f"{name}.yaml"))
    out = tmp_path / "salida"
    # two kernels at a time: the parallel runner on a real run (and half the wait)
    assert cli.main(["run", "--all", "--paralelo", "2", "--params", *files, "--output", str(out)]) == 0

    def html(params_name: str, informe: str) -> str:
        return (out / params_name / f"{informe}.html").read_text(encoding="utf-8")

    for name in params:
        for informe in report.REPORTS:
            assert (out / name / informe / f"{informe}.xlsx").is_file(), (name, informe)
    for name in ("sin_campana", "futuro"):  # nothing matches: every report says so
        for informe in report.REPORTS:
            assert html(name, informe).count(report.SIN_ENVIOS) >= len(report.SECTIONS[informe]), informe
    assert "Campaña que no existe" in html("sin_campana", "resumen")
    assert "El embudo no siempre se achica" in html("plantilla_individual", "resumen")
    for name in ("plantilla_individual", "un_envio"):  # sends, but none of a flow campaign
        assert report.SIN_ENVIOS_FLUJO in html(name, "flujos")
    assert report.SIN_ENVIOS not in html("un_envio", "resumen")
