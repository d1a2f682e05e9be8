"""Per-data-set arrays: computed once, on two threads before a report's first table."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from outbound_analysis import Filtros, Informe, metrics
from outbound_analysis.load import Dataset
from outbound_analysis.metrics import Fuente
from outbound_analysis.view import Vista

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return Informe("flujos", envios=str(DEMO / "envios_*.csv"), eventos=str(DEMO / "eventos.xlsx")).datos


def test_una_vez_entre_hilos_calcula_una_sola_vez() -> None:
    """Two threads asking for the same array at once: one computes it, the other waits for it."""
    fuente = Fuente()
    llamadas = []

    def lento(f: Fuente) -> int:
        llamadas.append(threading.get_ident())
        time.sleep(0.2)
        return 42

    resultados: list[object] = []
    hilos = [threading.Thread(target=lambda: resultados.append(fuente.una_vez(lento))) for _ in range(2)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    assert resultados == [42, 42]
    assert len(llamadas) == 1


def test_una_vez_que_falla_no_queda_guardada() -> None:
    """A failing computation raises to its caller and is tried again on the next call."""
    fuente = Fuente()
    intentos = []

    def falla_una_vez(f: Fuente) -> str:
        intentos.append(1)
        if len(intentos) == 1:
            raise ValueError("primera vez")
        return "ok"

    with pytest.raises(ValueError, match="primera vez"):
        fuente.una_vez(falla_una_vez)
    assert fuente.una_vez(falla_una_vez) == "ok"
    assert len(intentos) == 2


def test_preparar_no_esconde_errores() -> None:
    """preparar leaves a failing function for its table: the error comes where the table calls it."""
    fuente = Fuente()

    def falla(f: Fuente) -> None:
        raise ValueError("sin eventos")

    fuente.preparar([falla, lambda f: 1])
    with pytest.raises(ValueError, match="sin eventos"):
        fuente.una_vez(falla)


@pytest.mark.parametrize("nombre", ["resumen", "detallado", "flujos"])
def test_la_primera_tabla_prepara_los_arreglos_del_informe(nombre: str, demo: Dataset) -> None:
    """The first table of a report computes every array of its ``previos`` (together); the
    tables are the same as computed from the bare frame."""
    vista = Vista.de_datos(nombre, demo, Filtros(canales=["WA"]))
    primera = metrics.REGISTROS[nombre].exportadas[0]
    tabla = vista.tablas[primera]
    previos = metrics.REGISTROS[nombre].previos
    assert previos
    for fn in previos:
        assert fn in vista.fuente._memo, fn
    sueltas = metrics.compute(nombre, vista.envios, demo.eventos)
    pd.testing.assert_frame_equal(tabla, sueltas[primera])
