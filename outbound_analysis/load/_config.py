"""Checks of the loader's parameters (columnas, zona horaria), the YAML reader and the key."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import yaml

from ..errors import DataError, ParamsError
from ..schema import TABLES


def check_columnas(columnas: Mapping[str, str] | None) -> None:
    """Every target of the ``columnas`` mapping must be a canonical column."""
    valid = {c.name for cols in TABLES.values() for c in cols}
    for header, target in (columnas or {}).items():
        if target not in valid:
            raise DataError(
                f"En columnas, «{header}» apunta a «{target}», que no es una columna de envios ni "
                f"de eventos. Columnas válidas: {', '.join(sorted(valid))}."
            )


def check_tz(tz: str) -> None:
    """``tz`` must be an IANA time zone name."""
    try:
        pd.Timestamp("2026-01-01").tz_localize(tz)
    except Exception as exc:
        raise DataError(
            f"La zona horaria «{tz}» no existe. Usá un nombre IANA, p. ej. "
            "America/Argentina/Buenos_Aires o America/Mexico_City."
        ) from exc


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: object, first: int, again: int) -> None:
        super().__init__(f"clave repetida {key!r}")
        self.key, self.first, self.again = key, first, again


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key repeated in one mapping is an error.

    Plain PyYAML keeps the last value without a word; a parameters file edited by hand
    easily repeats ``envios`` or ``fecha_desde``.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key_value = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key_value)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            line = key_node.start_mark.line + 1
            if first is not None:
                raise _DuplicateKey(key_value, first, line)
            seen[key_value] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> dict[str, object]:
    """A YAML parameters file as a mapping (empty file = no keys; a repeated key is an error)."""

    if path.is_dir():
        raise ParamsError(f"«{path}» es una carpeta, no un archivo de parámetros. Indicá el archivo .yaml.")
    if not path.is_file():
        raise ParamsError(f"No encontré el archivo de parámetros «{path}». Revisá la ruta.")
    try:
        values = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except PermissionError as exc:
        raise ParamsError(
            f"No tengo permiso para leer el archivo de parámetros «{path}». Revisá sus permisos."
        ) from exc
    except _DuplicateKey as exc:
        raise ParamsError(
            f"«{path}» tiene la clave «{exc.key}» repetida (líneas {exc.first} y {exc.again}): YAML se "
            "quedaría con la última sin avisar. Dejá una sola."
        ) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (línea {mark.line + 1}, columna {mark.column + 1})" if mark is not None else ""
        line = ""
        if mark is not None and mark.buffer:
            text = mark.buffer.replace("\0", "").splitlines()
            if 0 <= mark.line < len(text):
                line = f" («{text[mark.line].strip()[:80]}»)"
        raise ParamsError(
            f"«{path}» no es un YAML válido{where}{line}. Revisá la sangría, los dos puntos y que cada "
            "[ o { tenga su cierre."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ParamsError(
            f"«{path}» no es texto UTF-8: guardalo como UTF-8 desde tu editor y volvé a intentar."
        ) from exc
    except yaml.YAMLError as exc:
        raise ParamsError(f"«{path}» no es un YAML válido. Revisá la sangría y los dos puntos.") from exc
    except ValueError as exc:  # YAML reads 2026-13-45 as a date and fails building it
        raise ParamsError(
            f"«{path}» tiene un valor imposible ({exc}): revisá las fechas, se escriben AAAA-MM-DD."
        ) from exc
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ParamsError(
            f"«{path}» tiene que ser un mapa de claves (envios: ..., fecha_desde: ...), no "
            f"{type(values).__name__}."
        )
    return values


KEY_ENV = "OUTBOUND_ANALYSIS_CLAVE"
KEY_FILE_ENV = "OUTBOUND_ANALYSIS_CLAVE_ARCHIVO"
DEFAULT_KEY_FILE = "~/.config/outbound_analysis/clave"


def read_secret_key() -> bytes:
    """The anonymization key: ``$OUTBOUND_ANALYSIS_CLAVE`` or the key file (never in the repo)."""

    value = os.environ.get(KEY_ENV, "").strip()
    if value:
        return value.encode("utf-8")
    path = Path(os.environ.get(KEY_FILE_ENV, DEFAULT_KEY_FILE)).expanduser()
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text.encode("utf-8")
    raise ParamsError(
        "anonimizar: true necesita una clave secreta y no encontré ninguna. Definí la variable de "
        f"entorno {KEY_ENV} o guardá la clave en {DEFAULT_KEY_FILE} (fuera del repositorio), p. ej.: "
        'python -c "import secrets; print(secrets.token_hex(32))" > ~/.config/outbound_analysis/clave'
    )
