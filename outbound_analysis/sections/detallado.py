"""Detallado sections: the table per campaign, its rates, and beyond the platform (CONTRACT §5.2)
response times, rates with their confidence interval, the A/B test, costs and the re-targeting
segments; then the per-send detail and the contact search.
"""

from __future__ import annotations

import pandas as pd

from .. import _graficos_detallado as graficos
from .. import _html, charts
from ..metrics._ab import fmt_p_valor
from ..metrics._detalle import SEGMENTO_LABELS, TODAS
from ._base import Etiquetas, Part, Secciones, Tablas, fila, texto

SECCIONES = Secciones()


@SECCIONES.seccion("tabla")
def tabla(t: Tablas, e: Etiquetas) -> list[Part]:
    """One row per campaign."""
    return [_html.table(t["detallado"])]


@SECCIONES.seccion("tasas")
def tasas(t: Tablas, e: Etiquetas) -> list[Part]:
    """The four rates per campaign, side by side."""
    return [charts.tasas_por_campana(t["detallado"])]


@SECCIONES.seccion("tiempos")
def tiempos(t: Tablas, e: Etiquetas) -> list[Part]:
    """Response times: the medians of all campaigns in words, the ranges chart and the table."""
    table = t["tiempos"]
    todas = table[table["campana"] == TODAS]
    etapas = [
        {
            "etapa": r["etapa"],
            "n": int(r["n"]),
            "descartados": int(r["descartados"]),
            "p50": graficos.fmt_minutos(r["p50_min"]),
            "p90": graficos.fmt_minutos(r["p90_min"]),
        }
        for r in todas.to_dict("records")
    ]
    return [
        *texto("sections/detallado/tiempos.html.j2", etapas=etapas),
        graficos.tiempos(table),
        _html.table(table.assign(etapa=table["etapa"].map(graficos.ETAPA_TIEMPO_LABELS).astype("string"))),
    ]


@SECCIONES.seccion("comparacion")
def comparacion(t: Tablas, e: Etiquetas) -> list[Part]:
    """Reply and sale rates per campaign with their 95 % interval."""
    table = t["comparacion"]
    con_pocos = table[(table["envios_exitosos"] > 0) & (table["envios_exitosos"] < 100)]
    return [
        *texto(
            "sections/detallado/comparacion.html.j2",
            campanas=len(table),
            pocos=con_pocos["campana"].astype(str).tolist(),
        ),
        graficos.comparacion(table),
        _html.table(table),
    ]


@SECCIONES.seccion("ab")
def ab(t: Tablas, e: Etiquetas) -> list[Part]:
    """Campaign B against A: one sentence per stage, the differences chart and the table."""
    if "ab" not in t:
        return texto("sections/detallado/ab.html.j2")
    frases = t["ab_textos"]
    nombres = [str(frases["a"].iloc[0]), str(frases["b"].iloc[0])]
    es_aviso = frases["aviso"].to_numpy(dtype=bool, na_value=False)
    return [
        *texto(
            "sections/detallado/ab.html.j2",
            a=nombres[0],
            b=nombres[1],
            frases=frases["texto"][~es_aviso].astype(str).tolist(),
            avisos=frases["texto"][es_aviso].astype(str).tolist(),
        ),
        graficos.ab(t["ab"], nombres),
        _html.table(_ab_legible(t["ab"])),
    ]


def _ab_legible(table: pd.DataFrame) -> pd.DataFrame:
    """The ab table for the screen: the difference in points and the p-value as text."""
    return table.assign(
        diferencia=[graficos.fmt_puntos(d) for d in table["diferencia"]],
        p_valor=["–" if pd.isna(p) else fmt_p_valor(float(p)) for p in table["p_valor"]],
    )


@SECCIONES.seccion("segmentos")
def segmentos(t: Tablas, e: Etiquetas) -> list[Part]:
    """Contacts per segment (furthest stage reached); the export has the lists."""
    conteo = t["segmentos_conteo"]
    shown = conteo.assign(segmento=conteo["segmento"].map(SEGMENTO_LABELS).astype("string"))
    filas = conteo.to_dict("records")
    return [
        *texto(
            "sections/detallado/segmentos.html.j2",
            total=int(conteo["contactos"].sum()),
            filas={str(f["segmento"]): f for f in filas},
            anonimizado=e.anonimizado,
        ),
        graficos.segmentos(conteo),
        _html.table(pd.DataFrame(shown), sortable=False),
    ]


@SECCIONES.seccion("costos")
def costos(t: Tablas, e: Etiquetas) -> list[Part]:
    """Cost per campaign and per result, in the parameter's currency."""
    if "costos" not in t:
        return texto("sections/detallado/costos.html.j2")
    table = t["costos"]
    info = fila(t["costos_info"])
    moneda = str(info["moneda"])
    total = fila(table, len(table) - 1)
    return [
        *texto(
            "sections/detallado/costos.html.j2",
            moneda=moneda,
            costo=graficos.fmt_dinero(total["costo"], moneda),
            por_respuesta=graficos.fmt_dinero(total["costo_por_respuesta"], moneda),
            por_venta=graficos.fmt_dinero(total["costo_por_venta"], moneda),
            exitosos=total["envios_exitosos"],
            sin_costo=str(info["canales_sin_costo"] or ""),
        ),
        graficos.costos(table, moneda),
        _html.table(table),
    ]


@SECCIONES.seccion("envios")
def envios(t: Tablas, e: Etiquetas) -> list[Part]:
    """Every filtered send (the first 2.000 on screen)."""
    return [_html.table(t["envios"])]


@SECCIONES.seccion("contacto")
def contacto(t: Tablas, e: Etiquetas) -> list[Part]:
    """How to look a contact up; in JupyterLab the report shows a search box instead."""
    return texto("sections/detallado/contacto.html.j2")
