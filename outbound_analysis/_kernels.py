"""Kernels started ahead of the reports that run in them (``outbound-analysis run``).

Before its first cell, a report's kernel spends about 3 s starting and importing the
package, on one core. The runner starts up to ``paralelo`` kernels while its pre-flight
loads the data, each importing the package (silently: the notebook's cell numbers do not
change), and hands one to each report; the next one starts when a report takes one. A
report that finds none (or one that died) lets papermill start its own, as before. No
notebook runs before the pre-flight is done: a started kernel only imported the package.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

#: what a started kernel runs before any report (the notebooks' first cell, made cheap)
WARM_UP = "import outbound_analysis"


async def _execute(km: Any, code: str, timeout: float) -> None:
    """Run ``code`` silently in ``km``'s kernel (no output, no execution count)."""
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
        reply = await kc.execute_interactive(
            code, silent=True, store_history=False, timeout=timeout, output_hook=lambda _msg: None
        )
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"el kernel no pudo ejecutar {code!r}: {reply['content'].get('evalue')}")
    finally:
        kc.stop_channels()


def execute(km: Any, code: str, timeout: float = 120) -> None:
    """:func:`_execute` from a thread without an event loop."""
    asyncio.run(_execute(km, code, timeout))


def pasar_entorno(km: Any, names: list[str]) -> None:
    """Give the kernel this process's current value of each variable of ``names`` (or none)."""
    values = {name: os.environ.get(name) for name in names}
    execute(
        km,
        "import os\n"
        f"for k, v in {values!r}.items():\n"
        "    os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)",
    )


def shutdown(km: Any, now: bool = False) -> None:
    """Stop ``km``'s kernel (``now``: kill it); never raises (the process may already be gone)."""
    with contextlib.suppress(Exception):
        asyncio.run(km.shutdown_kernel(now=now))


def _start(kernel_name: str, cwd: Path, extra_arguments: list[str], closing: threading.Event) -> Any:
    from jupyter_client.manager import AsyncKernelManager

    km = AsyncKernelManager(kernel_name=kernel_name)
    asyncio.run(km.start_kernel(extra_arguments=extra_arguments, cwd=str(cwd)))
    try:
        if closing.is_set():  # the run stopped (a pre-flight error, Ctrl+C): no report will take it
            raise RuntimeError("corrida terminada")
        execute(km, WARM_UP)
    except BaseException:
        shutdown(km, now=True)
        raise
    return km


class Calientes:
    """Kernels for ``cantidad`` reports, at most ``al_mismo_tiempo`` started ahead.

    :meth:`tomar` gives the next started kernel (or None); :meth:`cerrar` stops the ones
    no report took. Safe to call from the runner's report threads.
    """

    def __init__(
        self, cantidad: int, al_mismo_tiempo: int, kernel_name: str, cwd: Path, extra_arguments: list[str]
    ) -> None:
        self._args = (kernel_name, cwd, list(extra_arguments))
        self._pool = ThreadPoolExecutor(max_workers=max(1, al_mismo_tiempo), thread_name_prefix="kernel")
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._left = cantidad
        self._started: deque[Future[Any]] = deque()
        for _ in range(min(al_mismo_tiempo, cantidad)):
            self._start_one()

    def _start_one(self) -> None:
        if self._left > 0:
            self._left -= 1
            self._started.append(self._pool.submit(_start, *self._args, self._closing))

    def tomar(self) -> Any | None:
        """A started kernel, alive, with the package imported; None when there is none."""
        with self._lock:
            if self._closing.is_set() or not self._started:
                return None
            future = self._started.popleft()
            self._start_one()  # the next report's kernel starts while this one runs
        try:
            km = future.result()
        except Exception:  # papermill starts one itself, and says why if it cannot either
            return None
        if not asyncio.run(km.is_alive()):
            shutdown(km)
            return None
        return km

    def cerrar(self) -> None:
        """Stop every started kernel no report took (after the run, or on Ctrl+C)."""
        with self._lock:
            self._closing.set()
            pending, self._started = list(self._started), deque()
        for future in pending:
            future.cancel()
        self._pool.shutdown(wait=True)  # one still starting stops itself at once (``closing``)
        for future in pending:
            if not future.cancelled() and future.exception() is None:
                shutdown(future.result(), now=True)  # it only imported the package
