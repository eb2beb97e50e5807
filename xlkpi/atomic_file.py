"""Replace a workbook on disk safely: refuse when it is open, write aside, keep a backup, swap.

``atomic_replace(path, write)`` calls ``write(temp)`` with a temporary path in the same folder,
flushes it to disk, keeps the previous version as ``<stem>.bak<suffix>`` (one generation,
overwritten each time; e.g. ``pay.xlsx`` -> ``pay.bak.xlsx``, still openable in Excel) and then
moves the new file over ``path`` with ``os.replace``. At every moment ``path`` is either the
complete old file or the complete new one. If ``write`` raises, ``path`` is left byte-identical
and the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from xlkpi.errors import WorkbookLockedError

BACKUP_INFIX = ".bak"


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


def _check_unlocked(path: Path) -> None:
    lock = workbook_lock_file(path)
    if lock is not None:
        raise WorkbookLockedError(
            f"{path.name} is open in Excel (or another spreadsheet program): its lock file "
            f"{lock.name} exists in {lock.parent}. Close the workbook there and try again; if it "
            f"is not open anywhere, the lock is left over from a crash: delete {lock}."
        )


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


def _keep_backup(path: Path) -> Path:
    """Copy ``path`` to its backup name atomically (hard link when possible, else a copy)."""
    target = backup_path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=".~xlkpi-bak-", suffix=path.suffix, dir=path.parent)
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


def atomic_replace(path: Path, write: Callable[[Path], object], backup: bool = True) -> Path | None:
    """Produce a new version of ``path`` through ``write(temp_path)`` and swap it in atomically.

    ``write`` must create the complete file at the path it is given (the path exists, empty;
    overwrite it). Raises WorkbookLockedError when the workbook is open in Excel (its ``~$`` lock
    file exists) or cannot be replaced because another program holds it. Returns the backup path
    when ``backup`` is true and there was a previous version, else None.
    """
    path = Path(path)
    _check_unlocked(path)
    fd, tmp_name = tempfile.mkstemp(prefix=".~xlkpi-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        _fsync_file(tmp)
        exists = path.exists()
        if exists:
            shutil.copymode(path, tmp)
        _check_unlocked(path)  # it may have been opened while we were writing
        kept = _keep_backup(path) if backup and exists else None
        try:
            os.replace(tmp, path)
        except PermissionError as exc:  # Windows: the file is open in another program
            raise WorkbookLockedError(
                f"cannot replace {path}: another program has it open ({exc.strerror}). "
                "Close it there and try again."
            ) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):
        _fsync_dir(path.parent)
    return kept
