"""Output folders of a run: locking, the manifest of the files each report wrote, and swaps.

Rules (README "Corridas programadas", docs/contrato.md §4):

- **Manifest.** ``.outbound-analysis.json`` lists the files each report wrote; only those
  are ever replaced or deleted, so a user's own files in the output folder survive.
- **Lock.** ``.outbound-analysis.lock`` (``flock``) keeps two runs out of the same folder;
  the kernel drops the lock of a crashed run, so it never blocks forever.
- **Never stale or mixed.** New outputs replace old ones only when complete; a failed
  report removes the previous outputs of that report and leaves error files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import re
import shutil
import signal
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import OutputBusyError, OutputError
from .metrics import TABLES

#: files the runner keeps in each output folder
MANIFEST = ".outbound-analysis.json"
LOCK = ".outbound-analysis.lock"
_MANIFEST_NOTE = (
    "Archivos que escribió outbound-analysis en esta carpeta. Una corrida nueva reemplaza o borra "
    "solo estos; cualquier otro archivo de la carpeta es tuyo y no se toca."
)


# --------------------------------------------------------------------------- output folders


def _file_in_the_way(path: Path) -> Path | None:
    """The first of ``path`` and its parents that exists and is not a folder."""
    for p in (path, *path.parents):
        if p.exists() or p.is_symlink():
            return None if p.is_dir() else p
    return None


def describe_os_error(exc: OSError, folder: str | Path, option: str = "--output") -> str:
    """A Spanish sentence for an ``OSError`` writing into ``folder``: what is wrong, what to do."""
    where = f"«{folder}»"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (
            f"No queda espacio en el disco para escribir en {where}. Liberá espacio o elegí otra "
            f"carpeta con {option}."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"No tengo permiso para escribir en {where}. Revisá los permisos de la carpeta o elegí otra "
            f"con {option}."
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = _file_in_the_way(Path(folder))
        if blocker is not None:
            return (
                f"{where} no puede ser una carpeta: «{blocker}» es un archivo. Elegí otra carpeta "
                f"con {option}."
            )
    reason = exc.strerror or str(exc)
    return f"No pude escribir en {where} ({reason}). Revisá la carpeta o elegí otra con {option}."


def check_can_write(folder: str | Path, option: str) -> None:
    """Raise :class:`OutputError` if ``folder`` cannot be created or written (nothing is created).

    The nearest existing folder must be a writable folder; later write errors (disk full)
    are still reported when they happen.
    """
    path = Path(folder)
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise OutputError(
            f"«{path}» no puede ser una carpeta: «{blocker}» es un archivo. Elegí otra carpeta con {option}."
        )
    existing = next((p for p in (path, *path.parents) if p.is_dir()), Path("."))
    if not os.access(existing, os.W_OK | os.X_OK):
        denied = PermissionError(errno.EACCES, "permiso denegado")
        raise OutputError(describe_os_error(denied, existing, option))


def _open_lock_file(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def _busy_message(folder: Path, holder: bytes) -> str:
    lines = holder.decode("utf-8", "replace").split()
    pid = lines[0] if lines and lines[0].isdigit() else "?"
    since = "?"
    with contextlib.suppress(IndexError, ValueError):
        started = dt.datetime.fromisoformat(lines[1])
        since = (
            started.strftime("%H:%M")
            if started.date() == dt.date.today()
            else started.strftime("el %d/%m/%Y %H:%M")
        )
    return (
        f"Otra corrida está escribiendo en «{folder}» (pid {pid}, desde {since}). "
        "Esperá a que termine o usá otra carpeta."
    )


class OutputLock:
    """``DIR/.outbound-analysis.lock`` held with a non-blocking ``flock`` while a run writes in DIR.

    The lock file holds the owner's pid and start time (for the message of a second run).
    The kernel releases a ``flock`` when its process ends, so a crashed run never blocks.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / LOCK
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`OutputBusyError`; ``OSError`` if the file cannot be made."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no flock (Windows): runs are not serialized
            return
        while True:
            fd = _open_lock_file(self.path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 200)
                os.close(fd)
                raise OutputBusyError(_busy_message(self.folder, holder)) from None
            except OSError:  # no flock on this file system: write without a lock
                break
            except BaseException:
                os.close(fd)
                raise
            try:  # the previous owner may have removed the file between our open and flock
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n{dt.datetime.now().isoformat(timespec='seconds')}\n".encode())
        except OSError:  # disk full: the lock still holds, only the message lacks the pid
            pass
        self._fd = fd

    def release(self) -> None:
        """Remove the lock file and drop the lock (removing first: no one locks a dead file)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None


class OutputFolder:
    """An output folder of this run: created if needed, locked until the run ends."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.created: list[Path] = []  # deepest first
        self.lock = OutputLock(folder)

    def open(self) -> None:
        try:
            p = self.folder
            while not (p.exists() or p.is_symlink()) and p != p.parent:
                self.created.append(p)
                p = p.parent
            self.folder.mkdir(parents=True, exist_ok=True)
            self.lock.acquire()
        except OSError as exc:
            self.close(discard=True)
            raise OutputError(describe_os_error(exc, self.folder)) from exc
        except BaseException:
            self.close(discard=True)
            raise

    def close(self, discard: bool = False) -> None:
        """Unlock; with ``discard``, remove the folders this run created if they stayed empty."""
        self.lock.release()
        if discard:
            for p in self.created:
                with contextlib.suppress(OSError):
                    p.rmdir()


# --------------------------------------------------------------------------- manifest


def read_manifest(folder: Path) -> dict[str, dict]:
    """``{informe: {"estado", "fecha", "archivos"}}`` from the manifest; empty if absent or broken."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    informes = data.get("informes") if isinstance(data, dict) else None
    return {k: v for k, v in informes.items() if isinstance(v, dict)} if isinstance(informes, dict) else {}


def set_manifest(folder: Path, informe: str, files: Iterable[str], estado: str) -> None:
    """Record the files ``informe`` owns in ``folder`` (written to a temporary file, then renamed)."""
    informes = read_manifest(folder)
    informes[informe] = {
        "estado": estado,
        "fecha": dt.datetime.now().isoformat(timespec="seconds"),
        "archivos": sorted(set(files)),
    }
    text = json.dumps({"nota": _MANIFEST_NOTE, "informes": informes}, ensure_ascii=False, indent=1)
    tmp = folder / f"{MANIFEST}.tmp"
    try:
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, folder / MANIFEST)
    finally:
        tmp.unlink(missing_ok=True)


def _fixed_files(informe: str) -> set[str]:
    return {f"{informe}.html", f"{informe}.ipynb", f"{informe}.error.ipynb", f"{informe}.error.txt"}


def _is_own_path(rel: object, informe: str) -> bool:
    """A manifest entry is trusted only inside the report's own names: no ``..``, no absolute paths."""
    if not isinstance(rel, str) or not rel or rel.startswith("/") or "\\" in rel:
        return False
    parts = rel.split("/")
    if ".." in parts or "" in parts or "." in parts:
        return False
    return rel in _fixed_files(informe) or (parts[0] == informe and len(parts) > 1)


def _legacy_exports(folder: Path, informe: str) -> set[str]:
    """Exports of a folder written before the manifest existed, recognized by their names."""
    tables = "|".join(re.escape(t) for t in TABLES.get(informe, ()))
    pattern = re.compile(
        rf"(({tables})(_parte\d+)?\.(csv|json)|{re.escape(informe)}\.xlsx|rechazos\.csv|carga\.csv)"
        if tables
        else r"(?!)"
    )
    exports = folder / informe
    try:
        names = [p.name for p in exports.iterdir() if p.is_file()]
    except OSError:
        return set()
    return {f"{informe}/{n}" for n in names if pattern.fullmatch(n)}


def owned_files(folder: Path, informe: str) -> set[str]:
    """Paths (relative, ``/``-separated) of ``folder`` that belong to ``informe`` and exist.

    The manifest's list, or, for a folder without one (earlier versions), the report's
    fixed names and its export names; plus ``INFORME.html``/``.ipynb``/``.error.*`` always.
    """
    entry = read_manifest(folder).get(informe)
    listed = entry.get("archivos") if entry else None
    if isinstance(listed, list):
        names = {r for r in listed if _is_own_path(r, informe)}
    else:
        names = _legacy_exports(folder, informe)
    names |= _fixed_files(informe)
    return {r for r in names if (folder / r).is_file() or (folder / r).is_symlink()}


def remove_files(folder: Path, rels: Iterable[str]) -> list[str]:
    """Delete these files of ``folder``, then the folders they leave empty (never ``folder``)."""
    removed = []
    for rel in sorted(set(rels)):
        path = folder / rel
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed.append(rel)
        for parent in path.parents:
            if parent == folder or folder not in parent.parents:
                break
            try:
                parent.rmdir()
            except OSError:
                break
    return removed


def clean_leftovers(folder: Path, informe: str) -> None:
    """Temporary folders of an earlier run of ``informe`` that was killed (we hold the lock)."""
    pattern = re.compile(rf"\.{re.escape(informe)}-([a-z0-9_]{{8}}|anterior)")
    with contextlib.suppress(OSError):
        for p in folder.iterdir():
            if pattern.fullmatch(p.name) and p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)


@contextlib.contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold Ctrl+C back while files are swapped; raise it right after (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
    if received:
        raise KeyboardInterrupt


# --------------------------------------------------------------------------- replacing outputs


def move_into_place(work: Path, destination: Path, informe: str) -> None:
    """Replace the report's previous files with the new ones; a user's files are never touched.

    The manifest first lists old and new files together (a crash half-way still knows
    what is ours), the old HTML goes first and the new HTML comes last, so an HTML is
    never next to exports of another run. Stale files of the report (a format no longer
    chosen, an old error file) are removed.
    """
    new = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    old = owned_files(destination, informe)
    set_manifest(destination, informe, old | set(new), "en curso")
    html, notebook = f"{informe}.html", f"{informe}.ipynb"
    with sigint_deferred():
        (destination / html).unlink(missing_ok=True)
        remove_files(destination, old - set(new))
        for rel in new:
            if rel not in (html, notebook):
                target = destination / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(work / rel, target)
        os.replace(work / notebook, destination / notebook)
        os.replace(work / html, destination / html)
    with contextlib.suppress(OSError):  # the outputs are complete; an old list only keeps more names
        set_manifest(destination, informe, new, "ok")


def leave_failure(
    destination: Path, informe: str, params_file: Path, executed: Path | None, error: str
) -> str:
    """Remove the report's previous outputs and leave the error files; return the summary note."""
    try:
        previous = owned_files(destination, informe)
        remove_files(destination, previous)
    except OSError as exc:
        return (
            f" No pude borrar las salidas anteriores de {informe} ({describe_os_error(exc, destination)}); "
            "no las uses: son de otra corrida."
        )
    replaced = previous - {f"{informe}.error.ipynb", f"{informe}.error.txt"}
    note = f" Se borraron las salidas anteriores de {informe}." if replaced else ""
    written: list[str] = []
    try:
        if executed is not None and executed.is_file():
            written.append(f"{informe}.error.ipynb")
            shutil.copyfile(executed, destination / written[-1])
        when = f"{dt.datetime.now():%d/%m/%Y a las %H:%M}"
        written.append(f"{informe}.error.txt")
        (destination / written[-1]).write_text(
            f"El informe {informe} ({params_file.name}) no se generó el {when}: {error}\n",
            encoding="utf-8",
        )
        set_manifest(destination, informe, written, "error")
    except OSError:
        # the folder itself is the problem (the summary line says it): no half-written error
        # file is left behind, nor one the manifest does not list
        for name in written:
            with contextlib.suppress(OSError):
                (destination / name).unlink(missing_ok=True)
        return note + " No pude dejar los archivos con el detalle del error en esa carpeta."
    return note + f" Detalle en {' y '.join(written)}."
