"""Input paths: one path, a list or a glob, checked to exist."""

from __future__ import annotations

import glob
from pathlib import Path

from ..errors import DataError
from ._dataset import PathSpec

# --------------------------------------------------------------------------- paths


def expand_paths(spec: PathSpec | None, tabla: str, base: Path | None = None) -> list[Path]:
    """Files named by a path, a list of paths or glob patterns, in the order given.

    Relative paths are taken from ``base`` (the parameters file's folder) when given.
    """
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return []
    items = [spec] if isinstance(spec, str | Path) else list(spec)
    files: list[Path] = []
    for item in items:
        text = str(item).strip()
        path = Path(text).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        if glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
            if not matches:
                raise DataError(
                    f"El patrón «{text}» de {tabla} no coincide con ningún archivo "
                    f"(buscado en {path.parent}). Revisá la ruta o el patrón."
                )
            files.extend(matches)
        elif path.is_dir():
            raise DataError(
                f"«{text}» es una carpeta, no un archivo: indicá los archivos que tiene adentro, "
                f"p. ej. «{Path(text) / '*.csv'}»."
            )
        elif not path.is_file():
            where = f" (las rutas relativas se toman desde {base})" if base is not None else ""
            what = "el archivo" if tabla == "archivo" else f"el archivo de {tabla}"
            raise DataError(
                f"No encontré {what} «{text}»: no existe{where}. Revisá la ruta o "
                "generá los datos de ejemplo con `outbound-analysis demo`."
            )
        else:
            files.append(path)
    return files
