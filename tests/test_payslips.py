"""工资条: strips with their own header and lines, print setup, per-employee files."""

from __future__ import annotations

import errno
import io
import os
import stat
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
from msoffcrypto.exceptions import InvalidKeyError

from tests.cycle_support import set_cell, write_book
from xlkpi import payslips
from xlkpi.errors import FileWriteError, PasswordsError, WorkbookError
from xlkpi.payslips import STRIP_ROWS, read_passwords, strip_columns, write_payslips
from xlkpi.recalc import payroll_values, recalc
from xlkpi.sample_data import demo_month


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "month.xlsx", demo_month())


def _strip(ws: openpyxl.worksheet.worksheet.Worksheet, i: int) -> tuple[list, list, list]:
    top = STRIP_ROWS * i + 1
    rows = [[c.value for c in ws[top + k]] for k in range(STRIP_ROWS)]
    return rows[0], rows[1], rows[2]


def test_each_strip_has_title_header_values_and_only_its_lines(book: Path, tmp_path: Path) -> None:
    result = recalc(book).result
    r = write_payslips(book, tmp_path / "out")
    assert r.sheet_file.name == "month_工资条_2026-10.xlsx"
    ws = openpyxl.load_workbook(r.sheet_file)["工资条"]
    for i, emp in enumerate(result.results):
        title, header, values = _strip(ws, i)
        assert title[0] == "示例网店 2026-10 工资条"
        assert header[:3] == ["工号", "姓名", "岗位"] and "实发合计" in header
        assert values[0] == emp.employee.id
        assert Decimal(repr(values[header.index("应发工资")])) == emp.total
        assert Decimal(repr(values[header.index("应发合计")])) == emp.gross
        assert Decimal(repr(values[header.index("扣款合计")])) == emp.deductions
        assert Decimal(repr(values[header.index("实发合计")])) == emp.net
        assert emp.net == emp.gross - emp.deductions and emp.deductions > 0
        if emp.tax:  # each deduction that applies has its column
            assert Decimal(repr(values[header.index("个人所得税")])) == emp.tax
        shown = [h for h in header if h]
        assert len(shown) == len(strip_columns(emp))
        calc_row = [c.value for c in ws[STRIP_ROWS * i + 4]]
        assert calc_row[0] == "计算过程" and calc_row[1] == emp.trace
        assert all(c.value is None for c in ws[STRIP_ROWS * i + 5])
    store_manager = header_of(ws, 0)
    assert "处罚" not in store_manager and "奖励" not in store_manager  # 0.00 "if any" lines
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.row_breaks.count >= 2  # no strip split across pages


def header_of(ws: openpyxl.worksheet.worksheet.Worksheet, i: int) -> list[str]:
    return [h for h in _strip(ws, i)[1] if h]


def test_a_non_zero_if_any_line_is_shown(book: Path, tmp_path: Path) -> None:
    result = recalc(book).result
    with_reward = next(
        r for r in result.results if any(line.code == "rewards" and line.amount for line in r.lines)
    )
    assert "奖励" in [h for _f, h in strip_columns(with_reward)]
    zero = next(
        r
        for r in result.results
        if all(not (line.code == "rewards" and line.amount) for line in r.lines)
    )
    assert "奖励" not in [h for _f, h in strip_columns(zero)]


def test_no_rows_of_zero_for_lines_that_do_not_apply(book: Path) -> None:
    result = recalc(book).result
    for r in result.results:
        amounts = {line.code: line.amount for line in r.lines}
        fields = [f for f, _h in strip_columns(r)]
        assert all(amounts.get(f, 1) != 0 for f in fields if f not in ("base", "score"))
        assert fields[0] == "id" and fields[-1] == "net"
        assert fields.index("total") < fields.index("gross") < fields.index("deductions")
        shown = payroll_values(r)
        between = fields[fields.index("gross") + 1 : fields.index("deductions")]
        assert between and all(shown[f] != 0 for f in between)  # only deductions that apply
        assert ("base" in fields) == ("base" in amounts)


def test_company_name_is_policy(book: Path, tmp_path: Path) -> None:
    from xlkpi.engine import compute_month
    from xlkpi.policy_io import default_policy

    policy = default_policy()
    renamed = policy.model_copy(
        update={"company": policy.company.model_copy(update={"name": "星辰&商贸"})}
    )
    result = compute_month(demo_month(), renamed)
    ws = openpyxl.load_workbook(
        io.BytesIO(payslips._workbook_bytes(result, result.results[:1]))
    ).active
    assert ws["A1"].value == "星辰&商贸 2026-10 工资条"


def test_the_month_is_once_in_the_file_name(tmp_path: Path) -> None:
    assert payslips.sheet_file_name(tmp_path / "2026-10.xlsx", "2026-10") == "2026-10_工资条.xlsx"
    assert payslips.sheet_file_name(tmp_path / "pay.xlsx", "2026-10") == "pay_工资条_2026-10.xlsx"


def test_per_employee_files_are_encrypted(book: Path, tmp_path: Path) -> None:
    recalc(book)
    passwords = {e.id: f"pw-{e.id}" for e in demo_month().employees}
    r = write_payslips(book, tmp_path / "out", passwords=passwords)
    assert r.encrypted and len(r.employee_files) == 38
    target = r.employee_files[2]
    assert target.name.startswith("2026-10_E00003_") and target.parent.name == "工资条_2026-10"
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
    assert ws["A3"].value == "E00003"


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


def test_missing_password_is_refused_as_an_input_problem(book: Path, tmp_path: Path) -> None:
    recalc(book)
    with pytest.raises(PasswordsError, match="有 37 名员工没有密码") as info:
        write_payslips(book, tmp_path / "out", passwords={"E00001": "x"})
    assert info.value.exit_code == 1
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_plain_per_employee_files(book: Path, tmp_path: Path) -> None:
    recalc(book)
    r = write_payslips(book, tmp_path / "out", per_employee=True)
    assert not r.encrypted
    ws = openpyxl.load_workbook(r.employee_files[0]).active
    assert ws["A3"].value == "E00001" and ws["A6"].value is None
    again = write_payslips(book, tmp_path / "out", per_employee=True)  # a second run replaces
    assert again.employee_files == r.employee_files


def test_password_file_is_taken_exactly_as_written(tmp_path: Path) -> None:
    path = tmp_path / "pw.csv"
    path.write_text("工号,密码\r\nE00001,abc\r\nE00002, 123 \r\n", encoding="utf-8-sig")
    assert read_passwords(path) == {"E00001": "abc", "E00002": " 123 "}


def test_password_file_with_an_id_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pw.csv"
    path.write_text("E00001,abc\nE00002,x\nE00001,def\n", encoding="utf-8")
    with pytest.raises(PasswordsError, match=r"E00001.*第 1 行和第 3 行"):
        read_passwords(path)


def test_unreadable_password_file(tmp_path: Path) -> None:
    with pytest.raises(PasswordsError, match="无法读取密码文件"):
        read_passwords(tmp_path / "none.csv")


def test_ids_giving_the_same_file_name_are_refused_before_writing(tmp_path: Path) -> None:
    month = demo_month()
    a, b = month.employees[0], month.employees[1]
    employees = [replace(a, id="A/1"), replace(b, id="A:1"), *month.employees[2:]]
    inputs = dict(month.inputs)
    inputs["A/1"] = replace(inputs.pop(a.id), employee_id="A/1")
    inputs["A:1"] = replace(inputs.pop(b.id), employee_id="A:1")
    book = write_book(tmp_path / "m.xlsx", replace(month, employees=employees, inputs=inputs))
    recalc(book)
    with pytest.raises(FileWriteError, match=r"A/1 和 A:1 得到同一个文件名"):
        write_payslips(book, tmp_path / "out", per_employee=True)
    assert not (tmp_path / "out").exists()
    names = payslips.employee_file_names("2026-10", recalc(book).result.results[2:4])
    assert len(set(names.values())) == 2


def test_ids_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    from xlkpi.engine import compute_month

    month = demo_month()
    a, b = month.employees[0], month.employees[1]
    results = compute_month(month).results[:2]
    results = [
        results[0]._replace(employee=replace(a, id="ab1")),
        results[1]._replace(employee=replace(b, id="AB1")),
    ]
    with pytest.raises(FileWriteError, match="ab1 和 AB1"):
        payslips.employee_file_names("2026-10", results)


def test_disk_full_leaves_no_partial_output(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recalc(book)
    out = tmp_path / "out"
    real = payslips._put
    calls = []

    def full(folder: Path, name: str, data: bytes) -> Path:
        calls.append(name)
        if len(calls) == 10:
            raise payslips.write_error(folder / name, OSError(errno.ENOSPC, "No space left"))
        return real(folder, name, data)

    monkeypatch.setattr(payslips, "_put", full)
    with pytest.raises(FileWriteError, match="磁盘空间不足"):
        write_payslips(book, out, per_employee=True)
    assert list(out.iterdir()) == []


def test_new_files_get_the_umask(book: Path, tmp_path: Path) -> None:
    recalc(book)
    old = os.umask(0o022)
    try:
        r = write_payslips(book, tmp_path / "out", per_employee=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE(r.sheet_file.stat().st_mode) == 0o644
    assert stat.S_IMODE(r.employee_files[0].stat().st_mode) == 0o644
    assert stat.S_IMODE(r.employee_files[0].parent.stat().st_mode) == 0o755


def test_needs_a_current_recalc(book: Path, tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="还没有重算过"):
        write_payslips(book, tmp_path / "out")
    recalc(book)
    set_cell(book, "业绩", "C2", 5)
    with pytest.raises(WorkbookError, match="在上次重算后被改动"):
        write_payslips(book, tmp_path / "out")


def test_the_strips_need_only_the_header_rows_of_the_sheets_recalc_writes(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The strips come from the engine, so the 工资表, 预警 and 个税 bodies are not read."""
    from xlkpi.layout import ALERTS, PAYROLL, TAX_SHEET

    read = payslips.read_workbook
    seen = []

    def spy(path: Path, *args: object, **kwargs: object) -> object:
        contents = read(path, *args, **kwargs)  # type: ignore[arg-type]
        seen.append(contents)
        return contents

    recalc(book)
    monkeypatch.setattr(payslips, "read_workbook", spy)
    r = write_payslips(book, tmp_path / "out")
    assert r.employees == len(demo_month().employees)
    (contents,) = seen
    for name in (PAYROLL.name, ALERTS.name, TAX_SHEET.name):
        assert len(contents.sheets[name].rows) == 1, name
