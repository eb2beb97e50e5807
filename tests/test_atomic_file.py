"""atomic_replace swaps in a new workbook, keeps a backup, and never damages the original."""

from __future__ import annotations

import os
import stat
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xlkpi.atomic_file import atomic_replace, backup_path, workbook_lock_file
from xlkpi.errors import WorkbookError, WorkbookLockedError
from xlkpi.xlsx_patch import SheetEdit, patch_workbook, read_sheet


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
    with pytest.raises(WorkbookLockedError, match=r"pay\.xlsx is open.*Close the workbook") as err:
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
