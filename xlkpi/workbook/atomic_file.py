"""Replace a workbook on disk safely: refuse when it is open, write aside, keep a backup, swap.

``atomic_replace(path, write)`` calls ``write(temp)`` with a temporary path in the same folder,
flushes it to disk, keeps the previous version as ``<stem>.bak<suffix>`` (one generation,
overwritten each time; e.g. ``pay.xlsx`` -> ``pay.bak.xlsx``, still openable in Excel) and then
moves the new file over ``path`` with ``os.replace``. At every moment ``path`` is either the
complete old file or the complete new one. If ``write`` raises, ``path`` is left byte-identical
and the temporary file is removed.

Around that: a read-only workbook is refused, not replaced (as Excel would); a missing or
read-only folder and a full disk are messages saying nothing changed; a symlinked workbook is
updated where it points (the link stays a link); a new file gets the user's umask, a replaced
one keeps its mode. Temporary files carry the writing process's id
(``.~xlkpi-<pid>-<name>-…``), so the next run removes those a killed run left behind.
:func:`swaps_since` tells the command line whether a swap already happened when Ctrl-C came.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from xlkpi.errors import FileWriteError, WorkbookLockedError
from xlkpi.messages import t
from xlkpi.workbook.lock import LOCK_PREFIX, pid_alive

BACKUP_INFIX = ".bak"
TEMP_PREFIX = ".~xlkpi-"
STALE_TEMP_SECONDS = 12 * 3600  # a temp file this old is a leftover even if its pid is reused
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_SWAPS: list[tuple[Path, Path | None]] = []  # (replaced path, backup) in the order swapped


def workbook_lock_file(path: Path) -> Path | None:
    """The lock file saying ``path`` is open in an editor, or None if there is none.

    Excel and WPS create ``~$<name>`` next to the workbook; LibreOffice creates
    ``.~lock.<name>#``. A lock left behind by a crashed editor counts too (delete it by hand).
    """
    path = Path(path)
    for name in (f"~${path.name}", f".~lock.{path.name}#"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def backup_path(path: Path) -> Path:
    """Where atomic_replace keeps the previous version: ``pay.xlsx`` -> ``pay.bak.xlsx``."""
    path = Path(path)
    return path.with_name(f"{path.stem}{BACKUP_INFIX}{path.suffix}")


def check_unlocked(path: Path) -> None:
    """Raise WorkbookLockedError when ``path`` is open in Excel (its ``~$`` lock file exists)."""
    path = Path(path)
    lock = workbook_lock_file(path)
    if lock is not None:
        raise WorkbookLockedError(
            t(
                "file.excel_open",
                name=path.name,
                lock=lock.name,
                folder=lock.parent,
                lock_path=lock,
            )
        )


_check_unlocked = check_unlocked  # the name used before it was public


def swap_mark() -> int:
    """A mark to pass to :func:`swaps_since` later."""
    return len(_SWAPS)


def swaps_since(mark: int) -> list[tuple[Path, Path | None]]:
    """(path, backup) of every file swapped in since ``mark`` (see :func:`swap_mark`)."""
    return list(_SWAPS[mark:])


def target_of(path: Path) -> Path:
    """The file a write to ``path`` must replace: the end of a symlink chain, else ``path``."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def check_writable(path: Path) -> None:
    """Refuse a read-only ``path`` and a missing or non-folder parent, before any work."""
    path = Path(path)
    folder = path.parent
    if not folder.exists():
        raise FileWriteError(t("file.folder_missing", folder=folder))
    if not folder.is_dir():
        raise FileWriteError(t("file.not_a_folder", path=folder))
    if path.exists() and _read_only(path):
        raise FileWriteError(t("file.read_only", path=path))


def _read_only(path: Path) -> bool:
    mode = path.stat().st_mode
    return not (mode & stat.S_IWUSR) or not os.access(path, os.W_OK)


def temp_prefix(path: Path) -> str:
    """The name prefix of this process's temporary files for ``path``."""
    return f"{TEMP_PREFIX}{os.getpid()}-{Path(path).name}-"


def clean_stale_temps(folder: Path, now: float | None = None) -> list[Path]:
    """Remove temporary files a killed xlkpi run left in ``folder``; returns what was removed.

    A temp file is stale when the process that made it (the pid in its name) is gone, or
    when it is older than :data:`STALE_TEMP_SECONDS`. Files of running processes stay.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(Path(folder).glob(f"{TEMP_PREFIX}*"))
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(LOCK_PREFIX):
            continue  # the process lock, judged by xlkpi.workbook.lock
        pid_text = entry.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        try:
            age = now - entry.lstat().st_mtime
        except OSError:
            continue
        pid = int(pid_text) if pid_text.isdigit() else None
        if pid == os.getpid() and age < STALE_TEMP_SECONDS:
            continue
        if (pid is not None and not pid_alive(pid)) or age > STALE_TEMP_SECONDS:
            with contextlib.suppress(OSError):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                removed.append(entry)
    return removed


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def umask() -> int:
    """The process's umask (read without changing it for longer than a call)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _keep_backup(path: Path) -> Path:
    """Copy ``path`` to its backup name atomically (hard link when possible, else a copy)."""
    target = backup_path(path)
    fd, tmp_name = tempfile.mkstemp(
        prefix=temp_prefix(path) + "bak-", suffix=path.suffix, dir=path.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        try:
            os.link(path, tmp)
        except OSError:  # file systems without hard links (FAT, some network shares)
            shutil.copy2(path, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def make_temp(path: Path, suffix: str | None = None, folder: bool = False) -> Path:
    """A new empty temporary file (or folder) beside ``path``, named for this process."""
    path = Path(path)
    try:
        if folder:
            return Path(tempfile.mkdtemp(prefix=temp_prefix(path), dir=path.parent))
        fd, name = tempfile.mkstemp(
            prefix=temp_prefix(path),
            suffix=path.suffix if suffix is None else suffix,
            dir=path.parent,
        )
    except PermissionError:
        raise FileWriteError(t("file.folder_read_only", folder=path.parent)) from None
    except FileNotFoundError:
        raise FileWriteError(t("file.folder_missing", folder=path.parent)) from None
    except OSError as exc:
        raise write_error(path, exc) from None
    os.close(fd)
    return Path(name)


def write_error(path: Path, exc: OSError) -> FileWriteError:
    """The message for an OSError while writing ``path`` (disk full, permission, …)."""
    if exc.errno in _FULL:
        return FileWriteError(t("file.disk_full", path=path))
    if isinstance(exc, PermissionError):
        return FileWriteError(t("file.folder_read_only", folder=Path(path).parent))
    return FileWriteError(t("file.write_failed", path=path, reason=exc.strerror or exc))


def apply_umask(tmp: Path) -> None:
    """Give a new file the mode a plain ``open`` would (0666 less the umask), not mkstemp's 0600."""
    os.chmod(tmp, 0o666 & ~umask())


def atomic_replace(path: Path, write: Callable[[Path], object], backup: bool = True) -> Path | None:
    """Produce a new version of ``path`` through ``write(temp_path)`` and swap it in atomically.

    ``write`` must create the complete file at the path it is given (the path exists, empty;
    overwrite it). Raises WorkbookLockedError when the workbook is open in Excel (its ``~$`` lock
    file exists) or cannot be replaced because another program holds it, FileWriteError when
    it is read-only, its folder is missing or read-only, or the disk is full — in every case
    ``path`` is unchanged. Returns the backup path when ``backup`` is true and there was a
    previous version, else None.
    """
    shown = Path(path)
    path = target_of(shown)
    check_unlocked(shown)
    check_writable(path)
    clean_stale_temps(path.parent)
    tmp = make_temp(path)
    kept: Path | None = None
    try:
        try:
            write(tmp)
            _fsync_file(tmp)
            exists = path.exists()
            if exists:
                shutil.copymode(path, tmp)
            else:
                apply_umask(tmp)
            check_unlocked(shown)  # it may have been opened while we were writing
            kept = _keep_backup(path) if backup and exists else None
        except OSError as exc:
            if exc.errno in _FULL:
                raise write_error(path, exc) from None
            raise
        try:
            os.replace(tmp, path)
        except PermissionError as exc:  # Windows: the file is open in another program
            raise WorkbookLockedError(
                t("file.held_by_program", path=path, reason=exc.strerror)
            ) from exc
        _SWAPS.append((shown, kept))
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):
        _fsync_dir(path.parent)
    return kept
