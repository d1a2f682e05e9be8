"""The report filters: one object, one function, for notebooks, widgets, papermill and the CLI.

Rules (CONTRACT §2):
- ``fecha_desde``/``fecha_hasta`` are inclusive local calendar dates of ``fecha_envio``
  in ``zona_horaria``;
- each list filter keeps a row whose value is in the list; an empty list keeps all,
  and a row with no value fails a non-empty filter;
- eventos count only when their conversation belongs to a send that passed.

>>> f = Filtros(canales=["whatsapp"], fecha_desde="2026-08-01")
>>> f.canales, f.fecha_desde
(('WA',), datetime.date(2026, 8, 1))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from ._convert import YEAR_MAX, YEAR_MIN, code_of, split_canal
from ._text import fmt_int
from .errors import ParamsError
from .load import DEFAULT_TZ
from .schema import ENVIOS

LIST_FILTERS: dict[str, tuple[str, str]] = {
    # parameter -> (envios column, label in Spanish)
    "canales": ("canal", "Canal"),
    "campanas": ("campana", "Campaña"),
    "origenes": ("origen", "Origen"),
    "grupos": ("grupo", "Grupo"),
    "agentes": ("agente", "Agente"),
    "tipos_tipificacion": ("tipo_tipificacion", "Tipo de tipificación"),
}
_COLUMNS = {c.name: c for c in ENVIOS}


def parse_date(value: object, name: str) -> dt.date | None:
    """A filter date from a date, a datetime or text (``AAAA-MM-DD`` or ``dd/mm/aaaa``).

    Only years 1900 to 2200, the years the loader accepts: ``9999-12-31`` (a common "no
    date") is an error that says to leave the field empty.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return _in_range(value.date(), name)
    if isinstance(value, dt.date):
        return _in_range(value, name)
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return _in_range(dt.datetime.strptime(text, fmt).date(), name)
            except ValueError:
                continue
    raise ParamsError(
        f"{name}: «{value}» no es una fecha válida. Escribila como AAAA-MM-DD (p. ej. 2026-08-31) "
        "o dejala vacía para no limitar."
    )


def _in_range(day: dt.date, name: str) -> dt.date:
    if YEAR_MIN <= day.year <= YEAR_MAX:
        return day
    raise ParamsError(
        f"{name}: {day:%d/%m/%Y} está fuera de los años {YEAR_MIN} a {YEAR_MAX}, los de los datos que se "
        "cargan. Poné una fecha dentro de ese rango o dejala vacía para no limitar."
    )


def _as_tuple(value: object, name: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value.strip(),)
    if isinstance(value, Iterable):
        items = list(value)
        if all(isinstance(v, str | int | float) for v in items):
            return tuple(str(v).strip() for v in items if str(v).strip())
    raise ParamsError(f'{name} tiene que ser una lista de textos (p. ej. ["WA", "IG"]); recibí {value!r}.')


def _normalize_codes(name: str, values: tuple[str, ...]) -> tuple[str, ...]:
    if name == "canales":
        return tuple(dict.fromkeys(split_canal(v)[0] for v in values))
    if name in ("origenes", "tipos_tipificacion"):
        column = _COLUMNS["origen" if name == "origenes" else "tipo_tipificacion"]
        out = []
        for v in values:
            code = code_of(v, column)
            if not isinstance(code, str):  # code_of returns a sentinel for an unknown value
                raise ParamsError(
                    f"{name}: «{v}» no es un valor conocido. Valores aceptados: "
                    f"{', '.join(column.codes or ())}."
                )
            out.append(str(code))
        return tuple(dict.fromkeys(out))
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class Filtros:
    """Filters shared by every report. Empty lists mean "all".

    Values are normalized on creation: dates from text, channel and origin labels to
    their codes (``"whatsapp" -> "WA"``, ``"Campaña de flujo" -> "flujo"``).
    """

    fecha_desde: dt.date | None = None
    fecha_hasta: dt.date | None = None
    canales: tuple[str, ...] = ()
    campanas: tuple[str, ...] = ()
    origenes: tuple[str, ...] = ()
    grupos: tuple[str, ...] = ()
    agentes: tuple[str, ...] = ()
    tipos_tipificacion: tuple[str, ...] = ()
    zona_horaria: str = field(default=DEFAULT_TZ)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "fecha_desde", parse_date(self.fecha_desde, "fecha_desde"))
        set_(self, "fecha_hasta", parse_date(self.fecha_hasta, "fecha_hasta"))
        if self.fecha_desde and self.fecha_hasta and self.fecha_desde > self.fecha_hasta:
            raise ParamsError(
                f"fecha_desde ({self.fecha_desde:%d/%m/%Y}) es posterior a fecha_hasta "
                f"({self.fecha_hasta:%d/%m/%Y}). Invertilas o corregí una de las dos."
            )
        for name in LIST_FILTERS:
            set_(self, name, _normalize_codes(name, _as_tuple(getattr(self, name), name)))
        if not isinstance(self.zona_horaria, str) or not self.zona_horaria:
            raise ParamsError("zona_horaria tiene que ser un nombre de zona, p. ej. America/Lima.")

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> Filtros:
        """Filters from a parameters mapping; keys that are not filters are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in params.items() if k in names and v is not None})

    def with_(self, **changes: object) -> Filtros:
        """A copy with some filters changed (values normalized again)."""
        return replace(self, **changes)

    def is_empty(self) -> bool:
        return (
            self.fecha_desde is None
            and self.fecha_hasta is None
            and not any(getattr(self, name) for name in LIST_FILTERS)
        )

    def describe(self) -> str:
        """The active filters in Spanish words."""
        parts = []
        if self.fecha_desde and self.fecha_hasta:
            parts.append(f"envíos del {self.fecha_desde:%d/%m/%Y} al {self.fecha_hasta:%d/%m/%Y}")
        elif self.fecha_desde:
            parts.append(f"envíos desde el {self.fecha_desde:%d/%m/%Y}")
        elif self.fecha_hasta:
            parts.append(f"envíos hasta el {self.fecha_hasta:%d/%m/%Y}")
        for name, (_, label) in LIST_FILTERS.items():
            values = getattr(self, name)
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if not parts:
            return "Sin filtros: todos los envíos cargados."
        return "Filtros activos: " + "; ".join(parts) + f" (fechas en {self.zona_horaria})."


def envios_mask(envios: pd.DataFrame, filtros: Filtros) -> np.ndarray:
    """Boolean mask of the sends that pass ``filtros``."""
    mask = np.ones(len(envios), dtype=bool)
    fecha = envios["fecha_envio"]
    tz = filtros.zona_horaria
    if filtros.fecha_desde is not None:
        start = pd.Timestamp(filtros.fecha_desde).tz_localize(tz)
        mask &= (fecha >= start).to_numpy(dtype=bool, na_value=False)
    if filtros.fecha_hasta is not None:
        end = pd.Timestamp(filtros.fecha_hasta + dt.timedelta(days=1)).tz_localize(tz)
        mask &= (fecha < end).to_numpy(dtype=bool, na_value=False)
    for name, (column, _) in LIST_FILTERS.items():
        values = getattr(filtros, name)
        if values:
            mask &= envios[column].isin(values).to_numpy(dtype=bool, na_value=False)
    return mask


def filter_envios(envios: pd.DataFrame, filtros: Filtros | None) -> pd.DataFrame:
    """The sends that pass ``filtros`` (all of them for ``None``)."""
    if filtros is None or filtros.is_empty():
        return envios
    return envios[envios_mask(envios, filtros)]


def filter_eventos(eventos: pd.DataFrame, envios_filtrados: pd.DataFrame) -> pd.DataFrame:
    """Events whose conversation belongs to one of ``envios_filtrados``."""
    conversations = envios_filtrados["conversacion_id"].dropna().unique()
    return eventos[eventos["conversacion_id"].isin(conversations).to_numpy(dtype=bool, na_value=False)]


def apply_filters(
    envios: pd.DataFrame, eventos: pd.DataFrame, filtros: Filtros | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(envios, eventos)`` after ``filtros``: sends by their values, events by their conversation."""
    env = filter_envios(envios, filtros)
    return env, filter_eventos(eventos, env)


def unmatched_values(envios: pd.DataFrame, filtros: Filtros) -> list[str]:
    """Warnings for filter values that no loaded send has (a typo empties a report silently)."""
    columns = [column for name, (column, _) in LIST_FILTERS.items() if getattr(filtros, name)]
    return unmatched_warnings(present_values(envios, columns), len(envios), filtros)


def present_values(envios: pd.DataFrame, columns: Iterable[str] | None = None) -> dict[str, set[str]]:
    """The distinct values of each list filter's column (or of ``columns``) among ``envios``."""
    if columns is None:
        columns = [column for column, _ in LIST_FILTERS.values()]
    return {column: set(envios[column].dropna().unique().tolist()) for column in columns}


def unmatched_warnings(present: Mapping[str, set[str]], loaded: int, filtros: Filtros) -> list[str]:
    """:func:`unmatched_values` from the values each filtered column has (``present``, by column)
    among the ``loaded`` sends: an SQL engine finds them without loading the sends."""
    warnings = []
    for name, (column, label) in LIST_FILTERS.items():
        missing = [v for v in getattr(filtros, name) if v not in present.get(column, set())]
        if missing:
            warnings.append(
                f"{label}: {', '.join(f'«{m}»' for m in missing)} no aparece en los datos cargados "
                f"({fmt_int(loaded)} envíos)."
            )
    return warnings
