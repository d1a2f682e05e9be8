"""Report parameters: the keys of a parameters file, validated before anything runs.

A parameters file is YAML (CONTRACT §4) with the keys of :data:`SPEC`. An unknown key
or a value of the wrong type is a :class:`~outbound_analysis.errors.ParamsError` that
names the key and says what is expected. Dates may be written as YAML dates or text;
relative paths are taken from the parameters file's folder.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .errors import OutboundError, ParamsError
from .filters import Filtros, parse_date
from .load import DEFAULT_TZ, almacen_de, check_columnas, check_tz, expand_paths, read_yaml

FORMATOS = ("csv", "xlsx", "json")

#: key -> (expected type in words, Spanish help). Notebooks show the same help as comments.
SPEC: dict[str, tuple[str, str]] = {
    "envios": (
        "ruta",
        "archivo(s) de envíos: una ruta, una lista o un patrón como envios_*.csv, o un almacén Parquet",
    ),
    "eventos": ("ruta", "archivo(s) de eventos de los flujos (vacío = sin eventos, o los del almacén)"),
    "fecha_desde": ("fecha", "primer día incluido (AAAA-MM-DD), vacío = sin límite"),
    "fecha_hasta": ("fecha", "último día incluido (AAAA-MM-DD), vacío = sin límite"),
    "canales": ("lista", "códigos de canal, p. ej. [WA, IG]; vacío = todos"),
    "campanas": ("lista", "nombres de campaña; vacío = todas"),
    "origenes": ("lista", "flujo, plantilla, plantilla_individual, webhook, mensaje_agente, otro"),
    "grupos": ("lista", "grupos de agentes; vacío = todos"),
    "agentes": ("lista", "agentes; vacío = todos"),
    "tipos_tipificacion": ("lista", "fin_positivo, fin_negativo, seguimiento, fin_autogestion, ..."),
    "zona_horaria": ("texto", "zona horaria de las fechas, p. ej. America/Argentina/Buenos_Aires"),
    "columnas": ("mapa", 'encabezados extra: {"Encabezado del archivo": columna}'),
    "formatos": ("lista", "formatos de exportación: csv, xlsx, json"),
    "anonimizar": ("booleano", "reemplazar teléfonos e ids de contacto por seudónimos"),
    "interactivo": ("booleano", "mostrar el panel de filtros (false en corridas programadas)"),
    "comparar": ("lista", "Detallado: dos campañas para la prueba A/B, la A primero; vacío = sin A/B"),
    "costos": ("costos", "Detallado: costo de un envío exitoso por canal, p. ej. {WA: 0.0618}; vacío = sin"),
    "moneda": ("texto", "Detallado: moneda de los costos, p. ej. USD"),
    "motor": ("texto", "pandas (en memoria, por defecto), duckdb (más datos que memoria) o spark (cluster)"),
}
#: the engines a report can run on (the same tables on each; see docs/escala.md)
MOTORES = ("pandas", "duckdb", "spark")
_TYPE_WORDS = {
    "ruta": "una ruta o una lista de rutas (texto)",
    "fecha": "una fecha AAAA-MM-DD o vacío",
    "lista": "una lista de textos, p. ej. [WA, IG]",
    "texto": "un texto",
    "mapa": "un mapa {encabezado: columna}",
    "booleano": "true o false",
    "costos": "un mapa {canal: costo}, p. ej. {WA: 0.0618, FB: 0}",
}


def _kind_name(value: object) -> str:
    return {
        bool: "un booleano",
        int: "un número",
        float: "un número",
        str: "un texto",
        list: "una lista",
        dict: "un mapa",
        dt.date: "una fecha",
        dt.datetime: "una fecha",
    }.get(type(value), type(value).__name__)


def _check_type(key: str, value: object, source: str) -> None:
    kind = SPEC[key][0]
    ok = {
        "ruta": isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
        "fecha": value is None or isinstance(value, str | dt.date),
        "lista": value is None
        or (
            isinstance(value, list)
            and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value)
        )
        or isinstance(value, str),
        "texto": isinstance(value, str),
        "mapa": value is None
        or (
            isinstance(value, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        ),
        "booleano": isinstance(value, bool),
        "costos": value is None or isinstance(value, dict),
    }[kind]
    if not ok:
        raise ParamsError(
            f"{source}: «{key}» tiene que ser {_TYPE_WORDS[kind]}; recibí {_kind_name(value)} ({value!r})."
        )


@dataclass(frozen=True)
class Parametros:
    """Validated parameters of a report run (see :data:`SPEC` for each key)."""

    envios: str | list[str]
    eventos: str | list[str] = ""
    fecha_desde: str = ""
    fecha_hasta: str = ""
    canales: list[str] = field(default_factory=list)
    campanas: list[str] = field(default_factory=list)
    origenes: list[str] = field(default_factory=list)
    grupos: list[str] = field(default_factory=list)
    agentes: list[str] = field(default_factory=list)
    tipos_tipificacion: list[str] = field(default_factory=list)
    zona_horaria: str = DEFAULT_TZ
    columnas: dict[str, str] = field(default_factory=dict)
    formatos: list[str] = field(default_factory=lambda: list(FORMATOS))
    anonimizar: bool = False
    interactivo: bool = False
    comparar: list[str] = field(default_factory=list)
    costos: dict[str, float] = field(default_factory=dict)
    moneda: str = "USD"
    motor: str = "pandas"

    @classmethod
    def from_mapping(cls, values: Mapping[str, object], source: str = "parámetros") -> Parametros:
        """Validate keys and types; dates become ``AAAA-MM-DD`` text, lists stay lists."""
        unknown = [k for k in values if k not in SPEC]
        if unknown:
            hints = []
            for k in unknown:
                close = difflib.get_close_matches(str(k), SPEC, n=1)
                hints.append(f"«{k}»" + (f" (¿quisiste decir «{close[0]}»?)" if close else ""))
            raise ParamsError(
                f"{source}: clave desconocida {', '.join(hints)}. Claves válidas: {', '.join(SPEC)}."
            )
        if "envios" not in values or not values["envios"]:
            raise ParamsError(f"{source}: falta «envios», la ruta de los archivos de envíos.")
        clean: dict[str, object] = {}
        for k, v in values.items():
            _check_type(k, v, source)
            if SPEC[k][0] == "fecha":
                date = parse_date(v, f"{source}: {k}")
                v = date.isoformat() if date else ""
            elif SPEC[k][0] == "lista":
                v = [] if v is None else [str(x) for x in ([v] if isinstance(v, str) else v)]
            elif SPEC[k][0] in ("mapa", "costos"):
                v = dict(v or {})
            clean[k] = v
        bad = [f for f in clean.get("formatos", []) if f not in FORMATOS]  # type: ignore[union-attr]
        if bad:
            raise ParamsError(
                f"{source}: formatos {', '.join(bad)} no existen; elegí entre {', '.join(FORMATOS)}."
            )
        if clean.get("motor", "pandas") not in MOTORES:
            raise ParamsError(
                f"{source}: motor «{clean['motor']}» no existe; elegí entre {', '.join(MOTORES)} "
                "(pandas salvo que los datos no entren en memoria: ver docs/escala.md)."
            )
        params = cls(**clean)  # type: ignore[arg-type]
        try:  # filter values, time zone and column mapping: checked before anything runs
            params.filtros()
            check_columnas(params.columnas)
            check_tz(params.zona_horaria)
            if params.comparar:
                nombres_comparar(params.comparar)
            params = replace(params, costos=validar_costos(params.costos))
        except OutboundError as exc:
            raise ParamsError(f"{source}: {exc}") from exc
        return params

    def filtros(self) -> Filtros:
        """The :class:`Filtros` these parameters describe."""
        return Filtros.from_params(asdict(self))

    def as_notebook_parameters(self, declarados: Collection[str] | None = None) -> dict[str, object]:
        """Plain values for papermill (dates as text, lists as lists).

        With ``declarados`` (the names a notebook's parameters cell declares), only those:
        a report-only key such as ``comparar`` does not reach the other notebooks.
        """
        values = asdict(self)
        return values if declarados is None else {k: v for k, v in values.items() if k in declarados}

    def resolve_paths(self, base: Path) -> Parametros:
        """Absolute input paths (relative ones are taken from ``base``), checked to exist."""

        def absolute(spec: str | list[str]) -> str | list[str]:
            if not spec:
                return spec
            items = [spec] if isinstance(spec, str) else spec
            out = [
                str(p if Path(p).is_absolute() else (base / p).resolve())
                for p in (str(Path(i).expanduser()) for i in items)
            ]
            return out[0] if isinstance(spec, str) else out

        resolved = Parametros(
            **{**asdict(self), "envios": absolute(self.envios), "eventos": absolute(self.eventos)}
        )
        for spec, tabla in ((resolved.envios, "envios"), (resolved.eventos, "eventos")):
            if almacen_de(spec) is None:  # a Parquet store (outbound-analysis importar) is a folder
                expand_paths(spec, tabla)
        return resolved


def read_params(path: str | Path) -> Parametros:
    """Read and validate a YAML parameters file; input paths become absolute and must exist."""
    file = Path(path)
    values = read_yaml(file)
    params = Parametros.from_mapping(values, source=str(file))
    return params.resolve_paths(file.resolve().parent)


_EJEMPLO_COMPARAR = 'p. ej. comparar: ["Promo agosto A", "Promo agosto B"]'
_EJEMPLO_COSTOS = "p. ej. costos: {WA: 0.0618, FB: 0}"


def nombres_comparar(comparar: object) -> tuple[str, str]:
    """The two campaign names of the parameter ``comparar`` (A first), or a ParamsError.

    Exactly two distinct, non-empty names; whether they exist is checked against the
    loaded data (``metrics._ab.validar_comparar``).
    """
    if isinstance(comparar, str) or not isinstance(comparar, Sequence):
        raise ParamsError(
            "comparar tiene que ser una lista de exactamente dos campañas, la A primero y la B "
            f"después ({_EJEMPLO_COMPARAR}); recibí {comparar!r}."
        )
    names = [str(c).strip() if c is not None else "" for c in comparar]
    if len(names) != 2 or not all(names):
        raise ParamsError(
            f"comparar tiene que nombrar exactamente dos campañas, la A primero y la B después "
            f"({_EJEMPLO_COMPARAR}); recibí {len(names)} valor{'es' if len(names) != 1 else ''}."
        )
    if names[0] == names[1]:
        raise ParamsError(f"comparar nombra dos veces «{names[0]}»: elegí dos campañas distintas.")
    return names[0], names[1]


def validar_costos(costos: object) -> dict[str, float]:
    """The parameter ``costos`` as {channel code: cost of one successful send}.

    Keys are normalized like the ``canales`` filter ("whatsapp" -> "WA"); each value must
    be a number >= 0. Anything else is a :class:`ParamsError`.

    >>> validar_costos({"whatsapp": 0.0618, "FB": 0})
    {'WA': 0.0618, 'FB': 0.0}
    """
    if not isinstance(costos, Mapping):
        raise ParamsError(
            f"costos tiene que asociar cada canal con el costo de un envío exitoso ({_EJEMPLO_COSTOS}); "
            f"recibí {costos!r}."
        )
    out: dict[str, float] = {}
    for raw_key, value in costos.items():
        codes = Filtros(canales=[str(raw_key)]).canales
        if not codes:
            raise ParamsError(f"costos: hay un canal vacío; escribí el código del canal ({_EJEMPLO_COSTOS}).")
        ok = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value >= 0
        )
        if not ok:
            raise ParamsError(
                f"costos: el costo del canal {raw_key} tiene que ser un número mayor o igual a 0 "
                f"(con punto decimal, {_EJEMPLO_COSTOS}); recibí {value!r}."
            )
        if codes[0] in out and out[codes[0]] != float(value):
            raise ParamsError(
                f"costos: el canal {codes[0]} aparece dos veces con costos distintos; dejá uno solo."
            )
        out[codes[0]] = float(value)
    return out
