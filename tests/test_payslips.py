"""工资条: strips with their own header row, print setup, and per-employee encrypted files."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
from msoffcrypto.exceptions import InvalidKeyError

from tests.cycle_support import set_cell, write_book
from xlkpi.errors import WorkbookError
from xlkpi.payslips import read_passwords, write_payslips
from xlkpi.recalc import recalc
from xlkpi.sample_data import demo_month


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = write_book(tmp_path / "month.xlsx", demo_month())
    return path


def test_strips_repeat_the_header_with_a_blank_row_between(book: Path, tmp_path: Path) -> None:
    result = recalc(book).result
    r = write_payslips(book, tmp_path / "out")
    ws = openpyxl.load_workbook(r.sheet_file)["工资条"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["工号", "姓名", "岗位"] and "实发合计" in header
    total_col = header.index("实发合计") + 1
    for i, emp in enumerate(result.results):
        top = 3 * i + 1
        assert [c.value for c in ws[top]] == header
        assert ws.cell(top + 1, 1).value == emp.employee.id
        assert Decimal(repr(ws.cell(top + 1, total_col).value)) == emp.total
        assert all(c.value is None for c in ws[top + 2])
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.row_breaks.count >= 2  # no strip split across pages


def test_per_employee_files_are_encrypted(book: Path, tmp_path: Path) -> None:
    recalc(book)
    passwords = {e.id: f"pw-{e.id}" for e in demo_month().employees}
    r = write_payslips(book, tmp_path / "out", passwords=passwords)
    assert r.encrypted and len(r.employee_files) == 30
    target = r.employee_files[2]
    with pytest.raises(Exception):  # noqa: B017 - not a zip any more: openpyxl cannot open it
        openpyxl.load_workbook(target)
    office = msoffcrypto.OfficeFile(target.open("rb"))
    assert office.is_encrypted()
    office.load_key(password="wrong")
    with pytest.raises(InvalidKeyError):
        office.decrypt(io.BytesIO())
    office = msoffcrypto.OfficeFile(target.open("rb"))
    office.load_key(password="pw-E00003")
    plain = io.BytesIO()
    office.decrypt(plain)
    ws = openpyxl.load_workbook(plain).active
    assert ws["A2"].value == "E00003"


def test_passwords_from_a_roster_column(book: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["花名册"]
    ws.cell(1, 11, "身份证后六位")
    for row in range(2, ws.max_row + 1):
        ws.cell(row, 11, 100000 + row)
    wb.save(book)
    recalc(book)
    r = write_payslips(book, tmp_path / "out", password_column="身份证后六位")
    office = msoffcrypto.OfficeFile(r.employee_files[0].open("rb"))
    office.load_key(password="100002")
    office.decrypt(io.BytesIO())


def test_missing_password_is_refused(book: Path, tmp_path: Path) -> None:
    recalc(book)
    with pytest.raises(WorkbookError, match="no password for 29"):
        write_payslips(book, tmp_path / "out", passwords={"E00001": "x"})


def test_plain_per_employee_files(book: Path, tmp_path: Path) -> None:
    recalc(book)
    r = write_payslips(book, tmp_path / "out", per_employee=True)
    assert not r.encrypted
    ws = openpyxl.load_workbook(r.employee_files[0]).active
    assert ws["A2"].value == "E00001" and ws["A3"].value is None


def test_password_file(tmp_path: Path) -> None:
    path = tmp_path / "pw.csv"
    path.write_text("工号,密码\nE00001,abc\nE00002, 123 \n", encoding="utf-8-sig")
    assert read_passwords(path) == {"E00001": "abc", "E00002": "123"}


def test_needs_a_current_recalc(book: Path, tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="never recalculated"):
        write_payslips(book, tmp_path / "out")
    recalc(book)
    set_cell(book, "业绩", "C2", 5)
    with pytest.raises(WorkbookError, match="changed after its last recalc"):
        write_payslips(book, tmp_path / "out")
