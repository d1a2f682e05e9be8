"""The package's architecture rules, checked on its source with ``ast`` (nothing is imported).

- No module over :data:`MAX_MODULE_LINES` lines.
- No function or method over :data:`MAX_FUNCTION_LINES` lines (from its ``def`` line to its
  last line, docstring included; decorators not counted). Only the package: tests are free.
- No import circle between the package's modules. Only module-level imports count: an
  import inside a function runs when the function is called (that is how a module may
  reach one that imports it), and one under ``if TYPE_CHECKING:`` never runs. Imports in a
  module-level ``if``/``try`` do count. ``from pkg import name`` is an edge to the module
  ``pkg.name`` when there is one, else to ``pkg`` (its ``__init__``); importing a
  submodule is not counted as importing its parent package.
- No module imports another module's private names: ``from .view import _Perezosas`` is
  an offence, ``from . import _columnas as col`` (a private *module*) is not. Every
  ``from ... import`` counts here, also those inside functions or under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "outbound_analysis"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


@dataclass(frozen=True)
class _Module:
    name: str  # dotted, e.g. "outbound_analysis.load._store"
    path: Path
    is_package: bool  # an __init__.py
    tree: ast.Module
    lines: int


def _modules(package: Path) -> dict[str, _Module]:
    """Every module of the package under ``package``, by dotted name."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        text = path.read_text(encoding="utf-8")
        name = ".".join(parts)
        out[name] = _Module(name, path, is_package, ast.parse(text, str(path)), len(text.splitlines()))
    return out


def _where(module: _Module, line: int | None = None) -> str:
    """``outbound_analysis/x.py`` or ``outbound_analysis/x.py:12``, relative to the repository."""
    path = module.path.relative_to(ROOT) if module.path.is_relative_to(ROOT) else module.path
    return f"{path.as_posix()}" + (f":{line}" if line is not None else "")


def _source(module: _Module, node: ast.ImportFrom) -> str:
    """The dotted module a ``from ... import`` reads from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports that run when the module is imported (not in functions, not under TYPE_CHECKING)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node):
                yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from _module_level_imports(block)


def _import_graph(modules: dict[str, _Module]) -> dict[str, set[str]]:
    """Module -> the package's modules its module-level imports import."""
    graph: dict[str, set[str]] = {}
    for name, module in modules.items():
        edges = set()
        for node in _module_level_imports(module.tree.body):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in modules}
                continue
            source = _source(module, node)
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    edges.add(f"{source}.{alias.name}")
                elif source in modules:
                    edges.add(source)
        edges.discard(name)
        graph[name] = edges
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle (a -> ... -> a) through each strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_one_circle(graph, group) for group in groups]


def _one_circle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest circle from the group's first module back to it (breadth first, inside the group)."""
    start = min(group)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w not in previous:
                    previous[w] = v
                    following.append(w)
        frontier = following
    raise AssertionError(f"no circle through {start}")  # pragma: no cover - a group always has one


def _long_modules(modules: dict[str, _Module]) -> list[str]:
    return [
        f"{_where(m)}: {m.lines} lines (at most {MAX_MODULE_LINES})"
        for m in modules.values()
        if m.lines > MAX_MODULE_LINES
    ]


def _long_functions(modules: dict[str, _Module]) -> list[str]:
    found = []
    for m in modules.values():
        for node in ast.walk(m.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if lines > MAX_FUNCTION_LINES:
                    found.append(
                        f"{_where(m, node.lineno)} {node.name}: {lines} lines (at most {MAX_FUNCTION_LINES})"
                    )
    return found


def _private_imports(modules: dict[str, _Module], package: str) -> list[str]:
    """``file:line: from X import _name`` for each private name imported from another module."""
    found = []
    for m in modules.values():
        for node in ast.walk(m.tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _source(m, node)
            if source != package and not source.startswith(f"{package}."):
                continue
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and f"{source}.{alias.name}" not in modules:
                    found.append(f"{_where(m, node.lineno)}: from {source} import {alias.name}")
    return found


# --------------------------------------------------------------------------- the rules


def test_ningun_modulo_pasa_de_600_lineas():
    long = _long_modules(_modules(PACKAGE))
    assert not long, "modules over the limit (split them by responsibility):\n" + "\n".join(long)


def test_ninguna_funcion_pasa_de_80_lineas():
    long = _long_functions(_modules(PACKAGE))
    assert not long, "functions over the limit (split them into named steps):\n" + "\n".join(long)


def test_no_hay_circulos_de_imports():
    circles = _circles(_import_graph(_modules(PACKAGE)))
    assert not circles, "import circles (module-level imports):\n" + "\n".join(
        " -> ".join(c) for c in circles
    )


def test_ningun_modulo_importa_nombres_privados_de_otro():
    found = _private_imports(_modules(PACKAGE), PACKAGE.name)
    assert not found, (
        "private names imported from another module (make the name public or move it):\n" + "\n".join(found)
    )


# --------------------------------------------------------------------------- the checks themselves


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_los_chequeos_ven_cada_regla_rota(tmp_path):
    # a small package that breaks every rule once, and keeps it where the rules allow it
    body = "\n".join(f"    x{i} = {i}" for i in range(80))  # def line + 80 = 81 lines
    package = _write(
        tmp_path,
        {
            "pkg/__init__.py": "from . import a\n",
            "pkg/a.py": "from .b import VALOR\n" + "\n" * MAX_MODULE_LINES,
            "pkg/b.py": "from . import a\nfrom .c import _oculto\n\nVALOR = 1\n",
            "pkg/c.py": (
                "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .d import D\n\n"
                "_oculto = 1\n\n\ndef larga():\n" + body + "\n\n\ndef corta():\n    from .d import D\n"
            ),
            "pkg/d.py": "from . import _privado\nfrom .c import larga\n\nD = 1\n",
            "pkg/_privado.py": "",
        },
    )
    modules = _modules(package)
    assert [s.split(":")[0].rsplit("/", 1)[-1] for s in _long_modules(modules)] == ["a.py"]
    assert [s.rsplit("/", 1)[-1].split(":")[0] for s in _long_functions(modules)] == ["c.py"]
    assert "larga: 81 lines" in _long_functions(modules)[0]
    # a <-> b counts; c <-> d does not (TYPE_CHECKING and a function's import)
    assert _circles(_import_graph(modules)) == [["pkg.a", "pkg.b", "pkg.a"]]
    # the private name counts; the private module does not
    found = _private_imports(modules, "pkg")
    assert len(found) == 1 and found[0].endswith("b.py:2: from pkg.c import _oculto"), found
