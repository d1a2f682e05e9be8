"""The Jinja environment of the reports: section templates, the CSS and the JS, shipped as package files.

Autoescaping is on: every value is HTML-escaped unless it is :class:`markupsafe.Markup`.
The project's number formats are filters: ``{{ n | entero }}`` (1.234), ``{{ p | pct }}``
(12,5 %), ``{{ n | pct_de(total) }}`` (n / total, "–" when total is 0), ``{{ d | fecha }}``
(dd/mm/aaaa) and ``{{ codigo | origen }}`` (the origen's Spanish label). Templates may wrap
their prose over several lines: a line break and its indentation read as one space, and
as nothing next to a tag or a block statement, so the HTML has no stray whitespace.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources

import jinja2
from jinja2.ext import Extension

from ._text import SIN_DATO, fmt_int, fmt_pct
from .labels import ORIGEN_LABELS

_BREAK = re.compile(r"[ \t]*\n\s*")
_TIGHT_BEFORE = re.compile(r"(?:>|%\}|#\})$")
_TIGHT_AFTER = re.compile(r"^(?:<|\{%|\{#)")


class _JoinLines(Extension):
    """Template source: a line break with its indentation becomes one space, or nothing at a tag."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        def join(match: re.Match[str]) -> str:
            before = source[max(0, match.start() - 2) : match.start()]
            after = source[match.end() : match.end() + 2]
            return "" if _TIGHT_BEFORE.search(before) or _TIGHT_AFTER.search(after) else " "

        return _BREAK.sub(join, source).strip()


def pct_de(n: object, total: object) -> str:
    """``n / total`` as a Spanish percentage; "–" when ``total`` is 0 (no denominator)."""
    return fmt_pct(n / total) if total else SIN_DATO  # type: ignore[operator]


def fecha(value: dt.date | dt.datetime) -> str:
    """A date as dd/mm/aaaa."""
    return f"{value:%d/%m/%Y}"


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment: package templates, autoescape on, the number formats as filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("outbound_analysis", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=[_JoinLines],
    )
    env.filters.update(
        entero=fmt_int, pct=fmt_pct, pct_de=pct_de, fecha=fecha, origen=lambda c: ORIGEN_LABELS.get(c, c)
    )
    return env


def render(template: str, block: str | None = None, **context: object) -> str:
    """Render ``template`` (or one of its blocks) with ``context``; surrounding whitespace stripped."""
    tmpl = environment().get_template(template)
    if block is None:
        return tmpl.render(**context).strip()
    return "".join(tmpl.blocks[block](tmpl.new_context(context))).strip()


@cache
def asset(name: str) -> str:
    """The text of a package file under ``templates/`` (the CSS and the JS)."""
    return resources.files("outbound_analysis").joinpath("templates", name).read_text(encoding="utf-8")
