"""check: every problem at once, notes about staleness, and edits to a sealed month."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cycle_support import patch_cell, set_cell, write_book
from xlkpi.check import check
from xlkpi.month_cycle import close
from xlkpi.recalc import recalc
from xlkpi.sample_data import demo_month
from xlkpi.xlsx_patch import read_sheet


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "month.xlsx", demo_month())


def test_clean_book(book: Path) -> None:
    report = check(book)
    assert report.ok
    assert report.month == "2026-10" and report.employees == 30
    assert report.result is not None and report.result.total > 0
    assert any("not been recalculated" in n for n in report.notes)


def test_problems_are_all_listed(book: Path) -> None:
    set_cell(book, "业绩", "C2", -5)
    set_cell(book, "考勤", "E9", "三")
    report = check(book)
    assert not report.ok
    assert {(p.sheet, p.cell) for p in report.problems} == {("业绩", "C2"), ("考勤", "E9")}
    assert all(p.remedy for p in report.problems)


def test_inputs_changed_after_recalc_is_noted(book: Path) -> None:
    recalc(book)
    assert check(book).notes == []
    set_cell(book, "考勤", "C2", 3)
    report = check(book)
    assert report.ok
    assert any("changed since the last recalc" in n for n in report.notes)


def test_sealed_month_untouched(book: Path) -> None:
    recalc(book)
    close(book)
    report = check(book)
    assert report.ok and report.seal_broken == []


def test_sealed_month_input_edit_is_reported(book: Path) -> None:
    recalc(book)
    close(book)
    patch_cell(book, "业绩", "C5", 1)
    report = check(book)
    assert not report.ok
    assert len(report.seal_broken) == 1
    assert report.seal_broken[0].startswith("业绩!C5 封账时是") and report.seal_broken[0].endswith(
        "现在是 1"
    )


def test_sealed_month_policy_edit_is_reported(book: Path) -> None:
    recalc(book)
    close(book)
    patch_cell(book, "参数", "B5", "anything")
    assert any(f.startswith("参数!B5 封账时是") for f in check(book).seal_broken)


def test_sealed_month_payroll_edit_is_reported(book: Path) -> None:
    recalc(book)
    close(book)
    patch_cell(book, "工资表", "AD2", 99999)
    findings = check(book).seal_broken
    assert any("工资表" in f for f in findings)


def test_sealed_month_meta_edit_is_reported(book: Path) -> None:
    recalc(book)
    close(book)
    meta = read_sheet(book, "_xlkpi")
    row = next(i for i, r in enumerate(meta, start=1) if r[0] == "seal_hash")
    patch_cell(book, "_xlkpi", f"B{row}", "0" * 64)
    assert any("封账信息本身被改动" in f for f in check(book).seal_broken)
