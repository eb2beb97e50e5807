"""工资条: printable payslips — one strip per employee (header row, values, blank row).

``write_payslips(book)`` writes a separate workbook ``<book>_工资条.xlsx`` with one sheet of
strips, as Chinese payroll offices print and cut them: every strip repeats the header row, a
blank row separates strips, page breaks never split a strip, landscape A4 fitted to one page
wide. On request it also writes one file per employee, optionally encrypted with that
employee's password (ECMA-376 agile encryption through msoffcrypto-tool: Excel asks for the
password on opening). Numbers are the engine's for the workbook's current inputs; the workbook
must have been recalculated since its inputs last changed, so the slips match the Payroll.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from xlkpi.atomic_file import atomic_replace
from xlkpi.engine import EmployeeResult, MonthResult
from xlkpi.errors import WorkbookError
from xlkpi.layout import ROSTER
from xlkpi.month_cycle import require_current
from xlkpi.paylines import LINE_LABELS
from xlkpi.recalc import compute_checked, payroll_values
from xlkpi.workbook_reader import WorkbookContents, read_workbook

ProgressFn = Callable[[str, float], None]
STRIPS_PER_PAGE = 12
_LEFT = (
    ("id", "工号"),
    ("name", "姓名"),
    ("plan", "岗位"),
    ("score", "绩效分数"),
    ("coefficient", "绩效系数"),
    ("grade", "考核等级"),
)


@dataclass
class PayslipResult:
    """Files written: the strip sheet and, on request, one file per employee."""

    sheet_file: Path
    employee_files: list[Path] = field(default_factory=list)
    encrypted: bool = False
    month: str = ""
    employees: int = 0


def _noop(stage: str, fraction: float) -> None:
    return None


def strip_columns(result: MonthResult) -> list[tuple[str, str]]:
    """(field, header) of a strip: identity, the pay lines anyone has this month, total."""
    used = {line.code for r in result.results for line in r.lines if line.amount}
    lines = [(code, zh) for code, (zh, _en) in LINE_LABELS.items() if code in used]
    return [*_LEFT, *lines, ("total", "实发合计")]


def strip_values(r: EmployeeResult, columns: list[tuple[str, str]]) -> list[Any]:
    """The values of one employee's strip, in column order (None for a blank cell)."""
    values = payroll_values(r)
    out = []
    for fieldname, _header in columns:
        value = values.get(fieldname)
        if value is None and fieldname in LINE_LABELS:
            value = Decimal(0)
        out.append(value)
    return out


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        border = {"border": 1, "valign": "vcenter", "font_name": "宋体", "font_size": 10}
        self.header = wb.add_format(
            {**border, "bold": True, "bg_color": "#DDEBF7", "align": "center", "text_wrap": True}
        )
        self.text = wb.add_format({**border, "align": "center"})
        self.money = wb.add_format({**border, "num_format": "#,##0.00"})
        self.number = wb.add_format({**border, "num_format": "0.##"})
        self.total = wb.add_format({**border, "num_format": "#,##0.00", "bold": True})
        self.trace = wb.add_format({**border, "text_wrap": True, "font_size": 9})
        self.title = wb.add_format({"bold": True, "font_size": 14})


def _write_strip(
    ws: Any, row: int, fmt: _Formats, columns: list[tuple[str, str]], values: list[Any], trace: str
) -> None:
    """Header row at ``row``, values below; the trace as the strip's last column."""
    for c, (fieldname, header) in enumerate(columns):
        ws.write_string(row, c, header, fmt.header)
        value = values[c]
        if value is None:
            ws.write_blank(row + 1, c, None, fmt.text)
        elif isinstance(value, Decimal):
            style = (
                fmt.number
                if fieldname in ("score", "coefficient")
                else (fmt.total if fieldname == "total" else fmt.money)
            )
            ws.write_number(row + 1, c, float(value), style)
        else:
            ws.write_string(row + 1, c, str(value), fmt.text)
    last = len(columns)
    ws.write_string(row, last, "计算过程", fmt.header)
    ws.write_string(row + 1, last, trace, fmt.trace)


def _setup_sheet(ws: Any, columns: list[tuple[str, str]], month: str, rows: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.3, right=0.3, top=0.5, bottom=0.5)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_header(f'&C&"宋体,Bold"{month} 工资条')
    ws.set_footer("&C第 &P 页,共 &N 页")
    for c, (fieldname, _h) in enumerate(columns):
        ws.set_column(c, c, 10 if fieldname not in ("plan", "total") else 14)
    ws.set_column(len(columns), len(columns), 48)
    ws.print_area(0, 0, max(rows - 1, 0), len(columns))


def _workbook_bytes(result: MonthResult, subset: list[EmployeeResult]) -> bytes:
    buffer = io.BytesIO()
    _write_book(buffer, result, subset)
    return buffer.getvalue()


def _write_book(target: Any, result: MonthResult, subset: list[EmployeeResult]) -> None:
    wb = xlsxwriter.Workbook(target, {"in_memory": True})
    fmt = _Formats(wb)
    ws = wb.add_worksheet("工资条")
    columns = strip_columns(result)
    breaks = []
    for i, r in enumerate(subset):
        row = 3 * i
        if i and i % STRIPS_PER_PAGE == 0:
            breaks.append(row)
        ws.set_row(row + 1, 30)
        _write_strip(ws, row, fmt, columns, strip_values(r, columns), r.trace)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    _setup_sheet(ws, columns, result.month, 3 * len(subset))
    wb.close()


def _safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "x"


def _write(path: Path, data: bytes) -> None:
    """Write a file atomically; refuse (clearly) when it is open in Excel."""
    atomic_replace(path, lambda tmp: tmp.write_bytes(data), backup=False)


def read_passwords(path: Path) -> dict[str, str]:
    """Passwords from a CSV/TSV file of ``工号,密码`` rows (a header row is allowed)."""
    try:
        text = Path(path).read_text("utf-8-sig")
    except OSError as exc:
        raise WorkbookError(f"cannot read the passwords file {path}: {exc.strerror}") from None
    first = text.splitlines()[0] if text else ""
    dialect = "excel-tab" if "\t" in first else "excel"
    out: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text), dialect=dialect):
        if len(row) < 2 or not row[0].strip():
            continue
        emp_id, password = row[0].strip(), row[1].strip()
        if emp_id in ("工号", "id", "ID") and not out:
            continue
        out[emp_id] = password
    return out


def passwords_from_roster(contents: WorkbookContents, header: str) -> dict[str, str]:
    """Passwords kept in a roster column named ``header`` (e.g. 身份证后六位)."""
    sheet = contents.sheets.get(ROSTER.name)
    if sheet is None or header not in sheet.headers:
        raise WorkbookError(f"{ROSTER.name} has no column headed {header!r} for the passwords")
    col = sheet.headers[header]
    out = {}
    for emp_id, row in contents.roster_rows.items():
        value = sheet.value(row, col)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[emp_id] = str(value).strip() if value not in ("", None) else ""
    return out


def encrypt_bytes(data: bytes, password: str) -> bytes:
    """An .xlsx encrypted with ``password`` (ECMA-376 agile, what Excel writes)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def write_payslips(
    book: Path,
    out_dir: Path | None = None,
    per_employee: bool = False,
    passwords: dict[str, str] | None = None,
    password_column: str | None = None,
    progress: ProgressFn = _noop,
    contents: WorkbookContents | None = None,
) -> PayslipResult:
    """Write the payslip strips for the workbook's month (see the module docstring).

    ``passwords`` (id → password) or ``password_column`` (a roster header) encrypt the
    per-employee files; every employee then needs a non-blank password. ``contents`` is the
    book already read (e.g. from live Excel through ``read_loaded``); by default it is read.
    """
    book = Path(book)
    contents = contents or read_workbook(book)
    result = compute_checked(contents)
    require_current(contents, " so the payslips match the Payroll")
    if password_column:
        passwords = passwords_from_roster(contents, password_column)
    if passwords is not None:
        per_employee = True
        missing = [r.employee.id for r in result.results if not passwords.get(r.employee.id)]
        if missing:
            shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
            raise WorkbookError(
                f"no password for {len(missing)} employee(s): {shown}; every payslip file "
                "must be encrypted, so give each employee a password"
            )
    out_dir = Path(out_dir) if out_dir else book.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    sheet_file = out_dir / f"{book.stem}_工资条_{result.month}.xlsx"
    progress("payslips", 0.0)
    _write(sheet_file, _workbook_bytes(result, result.results))
    written: list[Path] = []
    if per_employee:
        folder = out_dir / f"工资条_{result.month}"
        folder.mkdir(exist_ok=True)
        n = len(result.results)
        for i, r in enumerate(result.results):
            data = _workbook_bytes(result, [r])
            if passwords is not None:
                data = encrypt_bytes(data, passwords[r.employee.id])
            target = folder / f"{result.month}_{_safe(r.employee.id)}_{_safe(r.employee.name)}.xlsx"
            _write(target, data)
            written.append(target)
            progress("payslips", (i + 1) / n)
    return PayslipResult(
        sheet_file, written, passwords is not None, result.month, len(result.results)
    )
