"""atomic_replace swaps in a new workbook, keeps a backup, and never damages the original."""

from __future__ import annotations

import errno
import os
import stat
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xlkpi.errors import FileWriteError, WorkbookError, WorkbookLockedError
from xlkpi.workbook import atomic_file
from xlkpi.workbook.atomic_file import atomic_replace, backup_path, workbook_lock_file
from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook, read_sheet


@pytest.fixture
def book(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Pay"
    ws.append(["Base", "Pay"])
    ws.append([100, "=A2*2"])
    path = tmp_path / "pay.xlsx"
    wb.save(path)
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~xlkpi"))


def test_no_lock_file_means_none(book: Path) -> None:
    assert workbook_lock_file(book) is None


@pytest.mark.parametrize("lock_name", ["~$pay.xlsx", ".~lock.pay.xlsx#"])
def test_lock_file_refuses_the_replace(book: Path, lock_name: str) -> None:
    lock = book.with_name(lock_name)
    lock.write_bytes(b"user")
    assert workbook_lock_file(book) == lock
    original = book.read_bytes()
    calls: list[Path] = []
    with pytest.raises(WorkbookLockedError, match=r"pay\.xlsx 正在 Excel.*请先在那里关闭") as err:
        atomic_replace(book, calls.append)
    assert lock_name in str(err.value)
    assert calls == [] and book.read_bytes() == original
    assert _leftovers(book.parent) == []


def test_patch_in_place_keeps_a_backup(book: Path) -> None:
    original = book.read_bytes()
    book.chmod(0o640)
    kept = atomic_replace(
        book,
        lambda tmp: patch_workbook(book, tmp, {"Pay": SheetEdit(values={"B2": Decimal("200")})}),
    )
    assert kept == backup_path(book) == book.with_name("pay.bak.xlsx")
    assert kept.read_bytes() == original
    assert read_sheet(book, "Pay")[1] == [100, 200]
    assert openpyxl.load_workbook(book)["Pay"]["B2"].value == "=A2*2"
    assert stat.S_IMODE(os.stat(book).st_mode) == 0o640
    assert _leftovers(book.parent) == []


def test_backup_is_one_generation_and_optional(book: Path) -> None:
    first = book.read_bytes()
    atomic_replace(book, lambda tmp: tmp.write_bytes(b"second"))
    atomic_replace(book, lambda tmp: tmp.write_bytes(b"third"))
    assert backup_path(book).read_bytes() == b"second"
    assert book.read_bytes() == b"third" and first != b"second"
    backup_path(book).unlink()
    assert atomic_replace(book, lambda tmp: tmp.write_bytes(b"fourth"), backup=False) is None
    assert not backup_path(book).exists()


def test_a_failing_write_leaves_the_original_byte_identical(book: Path) -> None:
    original = book.read_bytes()

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half a workbook")
        patch_workbook(book, tmp, {"NoSuchSheet": SheetEdit(values={"A1": 1})})

    with pytest.raises(WorkbookError, match="NoSuchSheet"):
        atomic_replace(book, broken)
    assert book.read_bytes() == original
    assert not backup_path(book).exists()
    assert _leftovers(book.parent) == []


def test_new_file_is_created_without_backup(tmp_path: Path) -> None:
    target = tmp_path / "new.xlsx"
    assert atomic_replace(target, lambda tmp: tmp.write_bytes(b"data")) is None
    assert target.read_bytes() == b"data"
    assert not backup_path(target).exists()


def test_a_new_file_gets_the_umask_not_0600(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        target = tmp_path / "new.xlsx"
        atomic_replace(target, lambda tmp: tmp.write_bytes(b"data"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_read_only_workbook_is_refused_not_replaced(book: Path) -> None:
    book.chmod(0o444)
    original = book.read_bytes()
    calls: list[Path] = []
    with pytest.raises(FileWriteError, match="只读文件"):
        atomic_replace(book, calls.append)
    assert calls == [] and book.read_bytes() == original
    assert stat.S_IMODE(book.stat().st_mode) == 0o444 and _leftovers(book.parent) == []


def test_a_missing_folder_is_a_message(tmp_path: Path) -> None:
    with pytest.raises(FileWriteError, match="不存在"):
        atomic_replace(tmp_path / "nowhere" / "x.xlsx", lambda tmp: tmp.write_bytes(b"x"))


def test_a_read_only_folder_is_a_message(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic_file.tempfile, "mkstemp", denied)
    original = book.read_bytes()
    with pytest.raises(FileWriteError, match="没有写权限"):
        atomic_replace(book, lambda tmp: tmp.write_bytes(b"x"))
    assert book.read_bytes() == original


def test_disk_full_is_a_message_saying_nothing_changed(book: Path) -> None:
    original = book.read_bytes()

    def full(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(FileWriteError, match=r"磁盘空间不足.*没有任何改动"):
        atomic_replace(book, full)
    assert book.read_bytes() == original and _leftovers(book.parent) == []
    assert not backup_path(book).exists()


def test_a_symlinked_workbook_is_updated_where_it_points(book: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.xlsx"
    link.symlink_to(book)
    kept = atomic_replace(link, lambda tmp: tmp.write_bytes(b"new"))
    assert link.is_symlink() and link.resolve() == book.resolve()
    assert book.read_bytes() == b"new" and kept == backup_path(book)


def test_temp_files_of_a_killed_run_are_cleaned_by_the_next(book: Path) -> None:
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(gone.stdout)
    leftover = book.with_name(f".~xlkpi-{dead_pid}-pay.xlsx-abc.xlsx")
    leftover.write_bytes(b"half")
    mine = book.with_name(f".~xlkpi-{os.getpid()}-other.xlsx-abc.xlsx")
    mine.write_bytes(b"in progress")
    atomic_replace(book, lambda tmp: tmp.write_bytes(b"new"))
    assert not leftover.exists() and mine.exists()
    old = book.with_name(".~xlkpi-1-pay.xlsx-old.xlsx")
    old.write_bytes(b"x")
    assert old in atomic_file.clean_stale_temps(
        book.parent, now=time.time() + 2 * atomic_file.STALE_TEMP_SECONDS
    )


def test_swaps_are_recorded_for_the_interrupt_message(book: Path) -> None:
    mark = atomic_file.swap_mark()
    atomic_replace(book, lambda tmp: tmp.write_bytes(b"new"))
    assert atomic_file.swaps_since(mark) == [(book, backup_path(book))]
