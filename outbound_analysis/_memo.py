"""Results computed once by key, safe when threads ask for the same one at the same time.

The per-data-set arrays (:class:`~outbound_analysis.metrics.Fuente`) and a selection's
intermediates (:class:`~outbound_analysis.metrics.Entrada`) are each computed on first use
and kept. A report's arrays are computed ahead on two threads before its first table
(:meth:`~outbound_analysis.metrics.Fuente.preparar`), so a second caller waits for the first
one's result instead of computing it again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


class Memo:
    """``calcular()`` of each key on its first :meth:`una_vez`, then kept.

    A caller that comes while another thread computes the same key waits for that result.
    A computation that raises is not kept: its caller (and whoever waited) gets the error,
    and the next call tries again.

    >>> m = Memo()
    >>> m.una_vez("a", lambda: 1), m.una_vez("a", lambda: 2), "a" in m
    (1, 1, True)
    """

    def __init__(self) -> None:
        self._hechos: dict[Hashable, Future[object]] = {}
        self._lock = threading.Lock()

    def una_vez(self, clave: Hashable, calcular: Callable[[], T]) -> T:
        with self._lock:
            hecho = self._hechos.get(clave)
            propio = hecho is None
            if hecho is None:
                hecho = self._hechos[clave] = Future()
        if propio:
            try:
                hecho.set_result(calcular())
            except BaseException as exc:
                with self._lock:
                    del self._hechos[clave]
                hecho.set_exception(exc)
                raise
        return hecho.result()  # type: ignore[return-value]

    def __contains__(self, clave: object) -> bool:
        """Whether ``clave`` is computed or being computed."""
        return clave in self._hechos
