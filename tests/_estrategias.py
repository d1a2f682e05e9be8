"""Hypothesis strategies shared by the property tests (imported by name: tests/ is on sys.path)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from outbound_analysis import Filtros


@st.composite
def filtros_demo(draw: st.DrawFn) -> Filtros:
    """Filters over the demo data: up to two channels and origins, and an optional date range."""
    canales = draw(st.lists(st.sampled_from(["WA", "IG", "FB", "WEB"]), max_size=2, unique=True))
    origenes = draw(
        st.lists(st.sampled_from(["flujo", "plantilla", "plantilla_individual"]), max_size=2, unique=True)
    )
    desde = draw(
        st.one_of(st.none(), st.dates(min_value=dt.date(2026, 8, 1), max_value=dt.date(2026, 11, 30)))
    )
    dias = draw(st.integers(min_value=0, max_value=60))
    fin = desde + dt.timedelta(days=dias) if desde is not None and draw(st.booleans()) else None
    return Filtros(canales=canales, origenes=origenes, fecha_desde=desde, fecha_hasta=fin)
