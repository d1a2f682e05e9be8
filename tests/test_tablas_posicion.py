"""The panel's tables (by position: per-data-set arrays taken per selection) equal the frame-based ones.

A report in the panel computes its tables from a selection's positions in the loaded sends,
taking what no filter changes (indicators, local days and hours, category codes, the send
order, contact and conversation codes) from arrays computed once per data set. The same
tables computed from the filtered frame alone (no positions: what ``metrics.compute`` and the
pure functions do) must be identical, for every report and selection, also when the loaded
rows are not in fecha order and fechas tie.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO

from outbound_analysis import Informe, metrics
from outbound_analysis.filters import Filtros, filter_envios
from outbound_analysis.load import Dataset
from outbound_analysis.params import Parametros
from outbound_analysis.view import Vista


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return Informe("flujos", envios=str(DEMO / "envios_*.csv"), eventos=str(DEMO / "eventos.xlsx")).datos


@pytest.fixture(scope="module")
def revuelto(demo: Dataset) -> Dataset:
    """The demo sends shuffled, with some fechas tied to their neighbour's and some contacts missing."""
    env = demo.envios.sample(frac=1.0, random_state=7).reset_index(drop=True)
    fechas = env["fecha_envio"].copy()
    fechas.iloc[1::5] = fechas.iloc[0::5].to_numpy()[: len(fechas.iloc[1::5])]
    contactos = env["contacto_id"].copy()
    contactos.iloc[::17] = pd.NA
    env = env.assign(fecha_envio=fechas, contacto_id=contactos)
    return Dataset(envios=env, eventos=demo.eventos, archivos=demo.archivos, rechazos=demo.rechazos)


def _filtros(datos: Dataset) -> list[Filtros]:
    env = datos.envios
    campana = str(env["campana"].value_counts().index[0])
    fechas = env["fecha_envio"].dropna()
    medio = fechas.min() + (fechas.max() - fechas.min()) / 2
    dia = medio.tz_convert("America/Argentina/Buenos_Aires").date().isoformat()
    return [
        Filtros(),
        Filtros(campanas=[campana]),
        Filtros(canales=["WA"]),
        Filtros(fecha_desde=dia),
        Filtros(fecha_desde=dia, fecha_hasta=dia, zona_horaria="UTC"),
        Filtros(origenes=["flujo"]),
        Filtros(campanas=["No existe"]),
    ]


def _parametros(datos: Dataset) -> Parametros:
    a, b = datos.envios["campana"].value_counts().index[:2]
    return Parametros(envios="x", comparar=[str(a), str(b)], costos={"WA": 0.05})


@pytest.mark.parametrize("nombre", ["resumen", "detallado", "flujos"])
@pytest.mark.parametrize("cual", ["demo", "revuelto"])
@pytest.mark.parametrize("panel", [False, True], ids=["sin_panel", "con_panel"])
def test_por_posicion_igual_que_por_filas(
    nombre: str, cual: str, panel: bool, request: pytest.FixtureRequest
) -> None:
    """With a filter panel open, the tables use arrays made for it in the background (what
    only pays off over many selections); without, they count directly: both equal by rows."""
    datos: Dataset = request.getfixturevalue(cual)
    p = _parametros(datos) if nombre == "detallado" else None
    vista = Vista.de_datos(nombre, datos, Filtros(), parametros=p)
    registro = metrics.REGISTROS[nombre]
    if panel:
        vista.preparar_panel().join()  # type: ignore[union-attr]
    assert all(vista.fuente.tiene(fn) == panel for fn in registro.panel)
    nombres = [*registro.exportadas_de(p), *registro.apoyo]
    comparadas = 0
    for f in _filtros(datos):
        v = Vista(nombre, vista.fuente, f, parametros=p)  # shares the per-data-set arrays
        assert v.entrada.por_posicion
        por_filas = metrics.Entrada(filter_envios(datos.envios, f), f, metrics.Fuente.de_datos(datos), p)
        esperadas = registro.calcular(por_filas, nombres)
        for n in nombres:
            pd.testing.assert_frame_equal(v.tablas[n] if n in v.tablas else v.apoyo[n], esperadas[n], obj=n)
            comparadas += 1
        assert v.apoyo["seleccion"]["envios"].iloc[0] == len(por_filas.envios)
    assert comparadas == len(nombres) * len(_filtros(datos))


def test_sin_leer_los_envios_filtrados(demo: Dataset) -> None:
    """Resumen's and flujos' panel sections never copy the selection's sends (by position only)."""
    from outbound_analysis import sections

    for nombre in ("resumen", "flujos"):
        v = Vista.de_datos(nombre, demo, Filtros(canales=["WA"]))
        for s in sections.SECCIONES[nombre]:
            v.partes(s)
        v.encabezado()
        assert "_envios" not in v.entrada.__dict__ or v.entrada.__dict__["_envios"] is None, nombre


def test_arrays_del_conjunto_de_solo_lectura(demo: Dataset) -> None:
    """Per-data-set arrays are shared by every selection: writing one fails instead of corrupting."""
    v = Vista.de_datos("resumen", demo, Filtros())
    v.tablas["fatiga"]
    codes = v.entrada.codigos_contacto_cargados()
    with pytest.raises(ValueError):
        codes[0] = 1
    assert isinstance(codes, np.ndarray)
    from outbound_analysis.metrics._entrada import conversaciones_datos
    from outbound_analysis.metrics.resumen import exitosos_por_contacto

    f = Vista.de_datos("flujos", demo, Filtros())
    f.tablas["resultados"]
    ev, _, envios = f.fuente.una_vez(conversaciones_datos)
    for arr in (ev, envios, v.fuente.una_vez(exitosos_por_contacto)):
        with pytest.raises(ValueError):
            arr[0] = 1


@pytest.mark.parametrize("cual", ["demo", "revuelto"])
def test_detalle_en_pantalla_solo_sus_primeras_filas(cual: str, request: pytest.FixtureRequest) -> None:
    """The detail section takes only the rows it shows (the first 2,000 of the detail order)
    and still says how many the whole detail has; the same HTML as from the whole table."""
    from outbound_analysis._html import MAX_HTML_ROWS

    datos: Dataset = request.getfixturevalue(cual)
    fuente = Vista.de_datos("detallado", datos, Filtros()).fuente
    for f in _filtros(datos):
        v = Vista("detallado", fuente, f)
        shown = v.partes("envios")
        assert not v.tablas.hecha("envios")  # the section did not compute the whole detail
        primeras = v._envios_primeros
        whole = v.tablas["envios"]
        assert primeras.attrs["filas"] == len(whole)
        pd.testing.assert_frame_equal(primeras, whole.head(MAX_HTML_ROWS), check_like=False)
        assert v.tablas.hecha("envios")
        assert v.partes("envios") == shown  # drawn from the whole detail: the same parts
