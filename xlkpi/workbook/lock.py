"""One xlkpi process at a time per workbook: a lock file beside it, stale locks detected.

``with workbook_lock(book):`` creates ``.~xlkpi-lock.<name>`` next to the workbook (the end of
a symlink, so two names of one file share one lock) holding the process id, the host and the
start time, and removes it on leaving. A second process finding a live lock is refused with
:class:`WorkbookBusyError` naming who holds it; so ``close`` racing ``recalc`` can no longer
lose the seal (each reads and writes the file under the lock). A lock is stale, and taken
over, when it was written on this host by a process that is gone, or is older than
:data:`STALE_SECONDS`, or is unreadable and older than a few seconds (a writer killed between
creating and filling it). The lock is re-entrant within a process (the command line takes it,
then ``close`` takes it again). In a folder where no file can be created the lock is skipped:
nothing can be written there either, and reading needs no lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from xlkpi.errors import WorkbookBusyError
from xlkpi.messages import t

LOCK_PREFIX = ".~xlkpi-lock."
STALE_SECONDS = 6 * 3600  # no xlkpi command runs this long; an older lock is left over
_UNREADABLE_GRACE = 5.0  # seconds a lock may stay empty while its writer fills it
_held: dict[Path, int] = {}  # lock paths this process holds, with their nesting depth


def lock_path(book: Path) -> Path:
    """The lock file of ``book``: ``.~xlkpi-lock.<name>`` beside the file it points to."""
    book = Path(book)
    real = Path(os.path.realpath(book)) if book.is_symlink() else book.absolute()
    return real.with_name(f"{LOCK_PREFIX}{real.name}")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (never signals it)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would send Ctrl-C on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def read_lock(path: Path) -> dict[str, object] | None:
    """The holder recorded in a lock file (pid, host, started, time), or None if unreadable."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_stale(path: Path, now: float | None = None) -> bool:
    """Whether the lock at ``path`` is left over (its holder gone, too old, or unreadable)."""
    now = time.time() if now is None else now
    try:
        age = now - Path(path).stat().st_mtime
    except FileNotFoundError:
        return True
    holder = read_lock(path)
    if holder is None:
        return age > _UNREADABLE_GRACE
    started = holder.get("time")
    if isinstance(started, int | float):
        age = max(age, now - started)
    if age > STALE_SECONDS:
        return True
    pid = holder.get("pid")
    same_host = holder.get("host") == socket.gethostname()
    return same_host and isinstance(pid, int) and not pid_alive(pid)


def _create(path: Path) -> bool:
    """Create the lock file exclusively; False when it exists already."""
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now().isoformat(timespec="seconds"),
        "time": time.time(),
    }
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(record, fh)
    return True


def acquire(book: Path) -> Path | None:
    """Take the lock of ``book``; returns the lock path (None where no lock can be created)."""
    path = lock_path(book)
    if path in _held:
        _held[path] += 1
        return path
    for _attempt in range(3):
        try:
            if _create(path):
                _held[path] = 1
                return path
        except (PermissionError, FileNotFoundError, OSError):
            return None  # a read-only or missing folder: see the module docstring
        if is_stale(path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        holder = read_lock(path) or {}
        raise WorkbookBusyError(
            t(
                "lock.held",
                name=Path(book).name,
                pid=holder.get("pid", "?"),
                host=holder.get("host", "?"),
                since=holder.get("started", "?"),
                lock=path,
            )
        )
    return None


def release(path: Path | None) -> None:
    """Give back a lock taken by :func:`acquire` (the file goes when the outermost holder ends)."""
    if path is None or path not in _held:
        return
    _held[path] -= 1
    if _held[path]:
        return
    del _held[path]
    holder = read_lock(path)
    if holder is not None and holder.get("pid") == os.getpid():
        with contextlib.suppress(OSError):
            path.unlink()


@contextlib.contextmanager
def workbook_lock(book: Path) -> Iterator[Path | None]:
    """Hold the lock of ``book`` for the ``with`` block (see the module docstring)."""
    path = acquire(book)
    try:
        yield path
    finally:
        release(path)
