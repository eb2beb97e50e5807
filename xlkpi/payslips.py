"""工资条: printable payslips — one strip per employee, showing only the lines that apply.

``write_payslips(book)`` writes a separate workbook ``<book>_工资条.xlsx`` (the month is added
to the name only when the book's name lacks it) with one sheet of strips, as Chinese payroll
offices print and cut them. A strip is five rows: a title (the company name from the policy's
``company.name``, the month, 工资条), the header row, the values, the calculation (计算过程)
and a blank row; each strip has its own header, so it lists only that employee's pay lines —
base pay and every line that is not zero (no rows of 0.00 for allowances, rewards or fines
that do not apply; the calculation still shows a cancelled bonus). Page breaks never split a
strip; landscape A4, fitted to one page wide.

On request it also writes one file per employee (``工资条_<month>/<month>_<id>_<name>.xlsx``),
optionally encrypted with that employee's password (ECMA-376 agile encryption through
msoffcrypto-tool: Excel asks for the password on opening). File names are unique per
employee: ids that would give the same file name (they differ only in characters a file name
cannot hold, or in letter case) are refused before anything is written. Everything is written
into a temporary folder first and moved into place at the end, so a failed run (a full disk,
Ctrl-C) leaves no partial output. Numbers are the engine's for the workbook's current inputs;
the workbook must have been recalculated since its inputs last changed, so the slips match
the Payroll.

Passwords files are CSV (or tab-separated) ``工号,密码`` rows; a header row is allowed; the
password is taken exactly as written — spaces included, nothing trimmed; an id listed twice
is refused.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from xlkpi.engine import EmployeeResult, MonthResult
from xlkpi.errors import FileWriteError, PasswordsError
from xlkpi.layout import ALERTS, AMOUNT_FORMAT, NET_PAY_COLUMNS, PAYROLL, ROSTER, TAX_SHEET
from xlkpi.messages import t
from xlkpi.month_cycle import require_current
from xlkpi.paylines import LINE_LABELS
from xlkpi.recalc import compute_checked, payroll_values
from xlkpi.workbook.atomic_file import (
    apply_umask,
    check_writable,
    clean_stale_temps,
    make_temp,
    umask,
    write_error,
)
from xlkpi.workbook.calc_properties import configure_xlsxwriter
from xlkpi.workbook.reader import WorkbookContents, read_workbook

ProgressFn = Callable[[str, float], None]
STRIP_ROWS = 5  # title, header, values, calculation, blank
STRIPS_PER_PAGE = 8
_LEFT = (
    ("id", "工号"),
    ("name", "姓名"),
    ("plan", "岗位"),
    ("score", "绩效分数"),
    ("coefficient", "绩效系数"),
    ("grade", "考核等级"),
)
# A strip shows base pay and every line that is not zero: a cancelled attendance bonus or an
# allowance the plan does not pay never appears as a row of 0.00 (the trace still says why).
CORE_LINES = frozenset({"base"})
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')
NAME_PART_MAX = 40  # characters of an id or a name in a file name


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


def strip_columns(r: EmployeeResult) -> list[tuple[str, str]]:
    """(field, header) of one employee's strip: identity, the lines that apply, total."""
    amounts: dict[str, Decimal] = {}
    for line in r.lines:
        amounts[line.code] = amounts.get(line.code, Decimal(0)) + line.amount
    lines = [
        (code, LINE_LABELS[code][0] if code in LINE_LABELS else code)
        for code in sorted(amounts, key=_line_order)
        if amounts[code] or code in CORE_LINES
    ]
    out = [*_LEFT, *lines, ("total", "应发工资")]
    if r.pay is not None:  # 应发 / each 扣除 that applies / 实发
        net = payroll_values(r)
        for code, header in NET_PAY_COLUMNS.items():
            always = code in ("gross", "deductions", "net")
            if always or net.get(code):
                out.append((code, header))
    return out


def _line_order(code: str) -> int:
    codes = list(LINE_LABELS)
    return codes.index(code) if code in LINE_LABELS else len(codes)


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
        self.money = wb.add_format({**border, "num_format": AMOUNT_FORMAT})
        self.number = wb.add_format({**border, "num_format": "0.##"})
        self.total = wb.add_format({**border, "num_format": AMOUNT_FORMAT, "bold": True})
        self.label = wb.add_format({**border, "bold": True, "align": "center"})
        self.trace = wb.add_format({**border, "text_wrap": True, "font_size": 9, "align": "left"})
        self.title = wb.add_format({"bold": True, "font_name": "宋体", "font_size": 11})


def _write_strip(ws: Any, row: int, fmt: _Formats, title: str, r: EmployeeResult) -> None:
    """One strip from ``row``: title, header, values, the calculation (see module docstring)."""
    columns = strip_columns(r)
    values = strip_values(r, columns)
    ws.write_string(row, 0, title, fmt.title)
    for c, (fieldname, header) in enumerate(columns):
        ws.write_string(row + 1, c, header, fmt.header)
        value = values[c]
        if value is None:
            ws.write_blank(row + 2, c, None, fmt.text)
        elif isinstance(value, Decimal):
            style = (
                fmt.number
                if fieldname in ("score", "coefficient")
                else (fmt.total if fieldname in ("total", "net") else fmt.money)
            )
            ws.write_number(row + 2, c, float(value), style)
        else:
            ws.write_string(row + 2, c, str(value), fmt.text)
    ws.write_string(row + 3, 0, "计算过程", fmt.label)
    last = len(columns) - 1
    if last > 1:
        ws.merge_range(row + 3, 1, row + 3, last, r.trace, fmt.trace)
    else:
        ws.write_string(row + 3, 1, r.trace, fmt.trace)
    ws.set_row(row + 3, 15 * max(1, len(r.trace) // (12 * last) + 1))


def _setup_sheet(ws: Any, width: int, rows: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_footer(f"&C{t('payslips.footer')}")
    ws.set_column(0, width - 1, 11)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 14)
    ws.print_area(0, 0, max(rows - 1, 0), width - 1)


def _title(result: MonthResult) -> str:
    return t("payslips.title", company=result.policy.company.name, month=result.month).strip()


def _workbook_bytes(result: MonthResult, subset: list[EmployeeResult]) -> bytes:
    buffer = io.BytesIO()
    _write_book(buffer, result, subset)
    return buffer.getvalue()


def _write_book(target: Any, result: MonthResult, subset: list[EmployeeResult]) -> None:
    wb = xlsxwriter.Workbook(target, {"in_memory": True})
    configure_xlsxwriter(wb)  # keep the stored values on open (no fullCalcOnLoad)
    fmt = _Formats(wb)
    ws = wb.add_worksheet("工资条")
    title = _title(result)
    width = max((len(strip_columns(r)) for r in subset), default=len(_LEFT) + 1)
    breaks = []
    for i, r in enumerate(subset):
        row = STRIP_ROWS * i
        if i and i % STRIPS_PER_PAGE == 0:
            breaks.append(row)
        ws.set_row(row + 2, 22)
        _write_strip(ws, row, fmt, title, r)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    _setup_sheet(ws, width, STRIP_ROWS * len(subset))
    wb.close()


def safe_name(text: str) -> str:
    """``text`` fit for a file name: characters a file name cannot hold become ``_``."""
    return _UNSAFE.sub("_", text).strip("_.")[:NAME_PART_MAX] or "x"


def employee_file_names(month: str, results: list[EmployeeResult]) -> dict[str, str]:
    """id → file name of each employee's payslip (``<month>_<id>_<name>.xlsx``).

    Raises FileWriteError (before anything is written) when two ids give the same name, also
    ignoring letter case (Windows and macOS do not tell ``a1`` from ``A1``).
    """
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for r in results:
        emp = r.employee
        name = f"{month}_{safe_name(emp.id)}_{safe_name(emp.name)}.xlsx"
        key = f"{month}_{safe_name(emp.id)}".casefold()
        if key in seen:
            raise FileWriteError(
                t("payslips.name_clash", first=seen[key], second=emp.id, file=name)
            )
        seen[key] = emp.id
        names[emp.id] = name
    return names


def sheet_file_name(book: Path, month: str) -> str:
    """``2026-10.xlsx`` → ``2026-10_工资条.xlsx``; ``pay.xlsx`` → ``pay_工资条_2026-10.xlsx``."""
    stem = Path(book).stem
    return f"{stem}_工资条.xlsx" if month in stem else f"{stem}_工资条_{month}.xlsx"


def read_passwords(path: Path) -> dict[str, str]:
    """Passwords from a CSV/TSV file of ``工号,密码`` rows (a header row is allowed).

    The password is the second field exactly as written (no trimming); the id is trimmed.
    An id listed twice raises PasswordsError naming both lines.
    """
    try:
        text = Path(path).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise PasswordsError(t("payslips.passwords_unreadable", path=path, reason=reason)) from None
    first = text.splitlines()[0] if text else ""
    dialect = "excel-tab" if "\t" in first else "excel"
    out: dict[str, str] = {}
    lines: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    for row in reader:
        if len(row) < 2 or not row[0].strip():
            continue
        emp_id, password = row[0].strip(), row[1]
        if emp_id in ("工号", "id", "ID") and not out:
            continue
        if emp_id in out:
            raise PasswordsError(
                t(
                    "payslips.passwords_duplicate",
                    path=path,
                    id=emp_id,
                    first=lines[emp_id],
                    second=reader.line_num,
                )
            )
        out[emp_id] = password
        lines[emp_id] = reader.line_num
    return out


def passwords_from_roster(contents: WorkbookContents, header: str) -> dict[str, str]:
    """Passwords kept in a roster column named ``header`` (e.g. 身份证后六位), as typed."""
    sheet = contents.sheets.get(ROSTER.name)
    if sheet is None or header not in sheet.headers:
        raise PasswordsError(t("payslips.no_column", sheet=ROSTER.name, header=header))
    col = sheet.headers[header]
    out = {}
    for emp_id, row in contents.roster_rows.items():
        value = sheet.value(row, col)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[emp_id] = str(value) if value not in ("", None) else ""
    return out


def encrypt_bytes(data: bytes, password: str) -> bytes:
    """An .xlsx encrypted with ``password`` (ECMA-376 agile, what Excel writes)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def _put(tmp_dir: Path, name: str, data: bytes) -> Path:
    path = tmp_dir / name
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise write_error(path, exc) from None
    apply_umask(path)
    return path


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
    per-employee files; every employee then needs a non-blank password (PasswordsError
    otherwise). ``contents`` is the book already read (e.g. from live Excel through
    ``read_loaded``); by default it is read. Nothing is written unless everything is.
    """
    book = Path(book)
    # the strips come from the engine: of the sheets recalc writes, the header rows suffice
    outputs = (PAYROLL.name, ALERTS.name, TAX_SHEET.name)
    contents = contents or read_workbook(book, header_only=outputs)
    result = compute_checked(contents)
    require_current(contents, "cycle.then_payslips")
    if password_column:
        passwords = passwords_from_roster(contents, password_column)
    if passwords is not None:
        per_employee = True
        missing = [r.employee.id for r in result.results if not passwords.get(r.employee.id)]
        if missing:
            shown = "、".join(missing[:10]) + (" …" if len(missing) > 10 else "")
            raise PasswordsError(t("payslips.password_missing", count=len(missing), ids=shown))
    names = employee_file_names(result.month, result.results) if per_employee else {}
    out_dir = Path(out_dir) if out_dir else book.parent
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(out_dir / "x", exc) from None
    sheet_file = out_dir / sheet_file_name(book, result.month)
    folder = out_dir / f"工资条_{result.month}"
    check_writable(sheet_file)
    clean_stale_temps(out_dir)
    progress("payslips", 0.0)
    staging = make_temp(sheet_file, folder=True)
    written: list[Path] = []
    try:
        staged_sheet = _put(staging, sheet_file.name, _workbook_bytes(result, result.results))
        staged_folder = staging / folder.name
        n = len(result.results)
        for i, r in enumerate(result.results if per_employee else []):
            data = _workbook_bytes(result, [r])
            if passwords is not None:
                data = encrypt_bytes(data, passwords[r.employee.id])
            staged_folder.mkdir(exist_ok=True)
            _put(staged_folder, names[r.employee.id], data)
            written.append(folder / names[r.employee.id])
            progress("payslips", (i + 1) / n)
        if written and not folder.exists():  # one rename: the folder appears complete
            os.chmod(staged_folder, 0o777 & ~umask())
            os.replace(staged_folder, folder)
        if staged_folder.exists():  # the folder is there from an earlier run: file by file
            for target in written:
                os.replace(staged_folder / target.name, target)
        os.replace(staged_sheet, sheet_file)
    except OSError as exc:
        raise write_error(sheet_file, exc) from None
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
    return PayslipResult(
        sheet_file, written, passwords is not None, result.month, len(result.results)
    )
