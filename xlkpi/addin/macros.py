"""The ribbon actions: the command line's operations, run on the live workbook through xlwings.

Each button of the add-in runs ``RunPython "import xlkpi.addin.macros as m; m.<action>()"``. Every
action takes an optional :class:`~xlkpi.workbook.access.WorkbookAccess` (default: the workbook
that ran the macro, ``xw.Book.caller()``), reads the cells through it — one read per sheet —
and runs the same code as the command line on them: the reader (:mod:`xlkpi.workbook.reader`),
the engine and the edit builders of :mod:`xlkpi.recalc` / :mod:`xlkpi.month_cycle`. Results are
written back through the access layer, one call per rectangular block of cells.

Where the live flow differs from the file flow (Excel holds the book open):

* ``recalc`` writes Payroll, Alerts and the meta sheet into the open book and does not save:
  the person saves, as after any edit. Formula cells of input sheets (names, weighted scores)
  are left to Excel, which computes them itself; the file flow stores their cached values. On a
  Mac, where xlwings UDFs do not run, Payroll gets the engine's values instead of formulas.
* ``check`` and ``explain`` only read; ``check`` lists the problems on the sheet 校验结果.
* ``payslips`` writes the payslip workbook next to the book from the *live* values (nothing
  needs saving) and opens it.
* ``new_month`` saves the book (the new month is built from the file's bytes, so they must be
  the live ones), writes the next month's workbook next to it and opens it.
* ``close_month`` seals the month in the open book and saves it.

Every write happens with its sheets unprotected and protected again afterwards, with the
options they had, also when it fails half-way (:meth:`WorkbookAccess.unprotected`): the
template saves 工资表 and the input sheets protected, and Excel refuses a macro's write there.

Errors never reach Excel as a Python traceback: an :class:`~xlkpi.errors.XlkpiError` is shown
as a message (cell problems also on the 校验结果 sheet); anything else shows a short message
naming the log file (:data:`LOG_FILE`) that holds the traceback.
"""

from __future__ import annotations

import itertools
import logging
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from xlkpi import check as check_module
from xlkpi import layout
from xlkpi.check import CheckReport
from xlkpi.engine import EmployeeResult, MonthResult
from xlkpi.errors import CellProblem, SealedMonthError, WorkbookValidationError, XlkpiError
from xlkpi.history import next_month
from xlkpi.layout import (
    ALERTS,
    CHECK_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    LAST_RECALC,
    META,
    PAYROLL,
)
from xlkpi.messages import t
from xlkpi.money import ZERO, format_number, format_rate, format_yuan
from xlkpi.payplans import PLAN_LABELS
from xlkpi.workbook import reader as workbook_reader
from xlkpi.workbook.access import WorkbookAccess, XlwingsWorkbook
from xlkpi.workbook.meta import META_MONTH, META_SEAL_HASH, MONTH_RE, STATUS_SEALED, read_meta
from xlkpi.workbook.reader import WorkbookContents
from xlkpi.workbook.sheets import Sheet, cell_text, header_map
from xlkpi.workbook.xlsx_patch import SheetEdit, split_ref

LOG_FILE = Path.home() / ".xlkpi" / "macros.log"

# Sheets recalc regenerates in the live book; every other edit it builds is a cached formula
# result, which Excel computes itself.
LIVE_RECALC_SHEETS = (LAST_RECALC, PAYROLL.name, ALERTS.name, META)
SHOWN_PROBLEMS = 8  # problems listed in the message box (all of them go on the check sheet)

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# running an action


def _logger() -> logging.Logger:
    logger = logging.getLogger("xlkpi.addin.macros")
    target = str(LOG_FILE)
    if not any(getattr(h, "baseFilename", None) == target for h in logger.handlers):
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(LOG_FILE, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger


def _log_exception(action: str) -> None:
    try:
        _logger().error("%s failed:\n%s", action, traceback.format_exc())
    except OSError:  # no log file either: stderr is all that is left
        traceback.print_exc()


def _run(action: str, book: WorkbookAccess | None, body: Callable[[WorkbookAccess], T]) -> T | None:
    """Run ``body`` on the book; show errors instead of raising them into Excel."""
    try:
        access = book if book is not None else XlwingsWorkbook.caller()
    except Exception:
        _log_exception(action)
        return None
    try:
        return body(access)
    except WorkbookValidationError as exc:
        problems = exc.problems
        _guard(action, lambda: show_problems(access, problems))
    except XlkpiError as exc:
        text = str(exc)
        _guard(action, lambda: access.message(text, error=True))
    except Exception as exc:
        _log_exception(action)
        text = t("macros.failed", action=action, error=f"{type(exc).__name__}: {exc}", log=LOG_FILE)
        _guard(action, lambda: access.message(text, error=True))
    finally:
        _guard(action, lambda: access.status(None))
    return None


def _guard(action: str, show: Callable[[], object]) -> None:
    """Showing an error must not raise either (Excel may have gone away)."""
    try:
        show()
    except Exception:
        _log_exception(f"{action} (showing a message)")


# ---------------------------------------------------------------------------------------------
# reading the live book


def read_sheets(
    book: WorkbookAccess, header_only: tuple[str, ...] = ()
) -> tuple[list[str], dict[str, Sheet]]:
    """Every sheet of the book as the reader's :class:`Sheet` (one read per sheet).

    Blank cells become "" as in the command line's reader, so problems show the same values.
    Sheets named in ``header_only`` are read down to the header row only (recalc regenerates
    them below it). The check sheet is not read.
    """
    names = book.sheet_names()
    sheets: dict[str, Sheet] = {}
    for name in names:
        if name == CHECK_SHEET.name:
            continue
        rows = book.read_rows(name, HEADER_ROW if name in header_only else None)
        rows = [["" if v is None else v for v in row] for row in rows]  # as calamine gives
        sheets[name] = Sheet(name, rows, header_map(rows))
    return names, sheets


def read_contents(book: WorkbookAccess, header_only: tuple[str, ...] = ()) -> WorkbookContents:
    """The reader's view of the live book: month, policy, problems, meta and fingerprints."""
    names, sheets = read_sheets(book, header_only)
    return workbook_reader.read_loaded(book.path, names, sheets)


# ---------------------------------------------------------------------------------------------
# writing edits in blocks


@dataclass(frozen=True)
class Block:
    """A rectangle of cells to write in one call; ``formulas`` when any cell holds one."""

    row: int
    col: int
    rows: list[list[Any]]
    formulas: bool


def edit_blocks(edit: SheetEdit, formulas: bool = True) -> list[Block]:
    """The cells of a :class:`SheetEdit` as few rectangular blocks.

    A formula cell gets its formula (its value when ``formulas`` is False). From
    ``clear_rows_from`` down (rows cleared first) every row spans the table's columns, gaps
    filled with blanks, so a regenerated table is one block; elsewhere only adjacent cells
    are joined. The cells of an array formula's block (``edit.arrays``) get their cached
    values like any other; :func:`apply_edits` enters the array over them afterwards.
    """
    cells: dict[tuple[int, int], tuple[Any, bool]] = {}
    for r, row_cells in edit.rows.items():  # by number; a reference below wins, as in the file
        for c, value in row_cells.items():
            cells[(r, c)] = (value, False)
    for ref, value in edit.values.items():
        cells[split_ref(ref)] = (value, False)
    if formulas:
        for ref, formula in edit.formulas.items():
            cells[split_ref(ref)] = ("=" + formula.removeprefix("="), True)
    else:
        for ref in edit.formulas:
            cells.setdefault(split_ref(ref), (None, False))
    by_row: dict[int, dict[int, tuple[Any, bool]]] = {}
    for (r, c), cell in cells.items():
        by_row.setdefault(r, {})[c] = cell
    runs: list[tuple[int, int, list[tuple[Any, bool]]]] = []
    cleared = edit.clear_rows_from
    table = [c for r, row in by_row.items() if cleared is not None and r >= cleared for c in row]
    for r in sorted(by_row):
        row = by_row[r]
        cols = sorted(row)
        if cleared is not None and r >= cleared:
            left, right = min(table), max(table)
            runs.append((r, left, [row.get(c, (None, False)) for c in range(left, right + 1)]))
            continue
        start = cols[0]
        run = [row[start]]
        for prev, c in itertools.pairwise(cols):
            if c == prev + 1:
                run.append(row[c])
            else:
                runs.append((r, start, run))
                start, run = c, [row[c]]
        runs.append((r, start, run))
    blocks: list[tuple[int, int, list[list[tuple[Any, bool]]]]] = []
    for r, c, run in sorted(runs, key=lambda x: (x[1], len(x[2]), x[0])):
        if blocks:
            top, left, rows = blocks[-1]
            if left == c and len(rows[0]) == len(run) and top + len(rows) == r:
                rows.append(run)
                continue
        blocks.append((r, c, [run]))
    return [
        Block(
            top,
            left,
            [[v for v, _f in run] for run in rows],
            any(f for run in rows for _v, f in run),
        )
        for top, left, rows in sorted(blocks)
    ]


def apply_edits(book: WorkbookAccess, edits: Mapping[str, SheetEdit], formulas: bool = True) -> int:
    """Write sheet edits into the book: clear, then one write per block (an array's block
    gets its cached values), then each array formula, one call over its block (Excel then
    computes it: one UDF call). Returns the writes.

    The sheets written are unprotected for the writes and protected again afterwards with
    the same options, also when a write fails half-way. Without ``formulas`` the arrays are
    not entered: their blocks keep the cached values.
    """
    writes = 0
    for name, edit in edits.items():  # a sheet the book lacks and the edit may create
        if edit.create_as is not None and name not in book.sheet_names():
            book.add_sheet(name, hidden=edit.create_as != "visible")
    with book.unprotected(edits):
        for name, edit in edits.items():
            if edit.clear_rows_from is not None:
                book.clear_rows(name, edit.clear_rows_from)
            for b in edit_blocks(edit, formulas):
                write = book.write_formulas if b.formulas else book.write_values
                write(name, b.row, b.col, b.rows)
                writes += 1
            if formulas:
                for block, formula in edit.arrays.items():
                    book.write_array(name, block, "=" + formula.removeprefix("="))
                    writes += 1
    return writes


def udfs_run_in(book: WorkbookAccess) -> bool:
    """False for a live book on a Mac, where xlwings UDFs do not run (cells show #NAME?)."""
    return not (isinstance(book, XlwingsWorkbook) and sys.platform.startswith("darwin"))


# ---------------------------------------------------------------------------------------------
# showing problems


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def problem_rows(problems: list[CellProblem]) -> list[list[Any]]:
    """The check sheet's rows: header, then sheet, cell, value, message, remedy per problem."""
    rows: list[list[Any]] = [CHECK_SHEET.headers]
    rows += [[p.sheet, p.cell, _shown(p.value), p.message, p.remedy] for p in problems]
    return rows


def show_problems(book: WorkbookAccess, problems: list[CellProblem]) -> None:
    """List every problem on the check sheet (made or refreshed) and summarise them in a message."""
    write_check_sheet(book, problems)
    lines = [
        t("macros.problem_line", sheet=p.sheet, cell=p.cell, message=p.message, remedy=p.remedy)
        for p in problems[:SHOWN_PROBLEMS]
    ]
    more = len(problems) - SHOWN_PROBLEMS
    if more > 0:
        lines.append(t("macros.problems_more", more=more))
    book.message(
        t("macros.problems", count=len(problems), sheet=CHECK_SHEET.name, lines="\n".join(lines)),
        error=True,
    )


def write_check_sheet(book: WorkbookAccess, problems: list[CellProblem]) -> None:
    """Write the problems to the check sheet; with none, empty an existing sheet."""
    if not problems and CHECK_SHEET.name not in book.sheet_names():
        return
    book.add_sheet(CHECK_SHEET.name)
    rows = problem_rows(problems)
    if not problems:
        rows.append(["", "", None, t("macros.no_problems_row"), ""])
    with book.unprotected([CHECK_SHEET.name]):  # someone may have protected it
        book.clear_rows(CHECK_SHEET.name, HEADER_ROW)
        book.write_values(CHECK_SHEET.name, HEADER_ROW, 1, rows)


# ---------------------------------------------------------------------------------------------
# the actions


def check(book: WorkbookAccess | None = None) -> CheckReport | None:
    """校验: every problem of the live book on the check sheet and in a message.

    Returns the command line's :class:`~xlkpi.check.CheckReport` (None when it failed).
    """

    def body(access: WorkbookAccess) -> CheckReport:
        access.status(t("macros.status.checking"))
        report = check_module.check(access.path, contents=read_contents(access))
        problems = list(report.problems)
        problems += [
            CellProblem(META, "", None, finding, t("macros.seal_remedy"))
            for finding in report.seal_broken
        ]
        if problems:
            show_problems(access, problems)
        else:
            write_check_sheet(access, problems)
            notes = "".join(f"\n• {note}" for note in report.notes)
            month = report.month or t("cycle.no_month")
            access.message(
                t("macros.check_ok", month=month, employees=report.employees, notes=notes)
            )
        return report

    return _run("check", book, body)


def recalc(book: WorkbookAccess | None = None, reopen: bool = False) -> MonthResult | None:
    """重算薪资: compute the month from the live inputs; write Payroll, Alerts and meta.

    A sealed month is refused unless ``reopen``. Returns the computed month (None on failure).
    """

    def body(access: WorkbookAccess) -> MonthResult:
        from xlkpi.recalc import build_edits, compute_checked

        access.status(t("macros.status.reading"))
        contents = read_contents(access, header_only=(PAYROLL.name, ALERTS.name))
        if contents.status == STATUS_SEALED and not reopen:
            raise SealedMonthError(t("macros.sealed_recalc", month=contents.month_name))
        access.status(t("macros.status.computing"))
        result = compute_checked(contents)
        # the Payroll is written whole: Excel refuses a write into part of an array's block
        edits = build_edits(contents, result, rewrite_payroll=True)
        live = {name: edits[name] for name in LIVE_RECALC_SHEETS if name in edits}
        access.status(t("macros.status.writing"))
        with access.bulk():
            apply_edits(access, live, formulas=udfs_run_in(access))
        if CHECK_SHEET.name in access.sheet_names():
            write_check_sheet(access, [])
        access.message(
            t(
                "macros.recalc_done",
                month=result.month,
                employees=len(result.results),
                total=format_yuan(result.total),
                alerts=len(result.alerts),
                sheet=ALERTS.name,
            )
        )
        return result

    return _run("recalc", book, body)


def selected_employee(contents: WorkbookContents, where: tuple[str, int] | None) -> str:
    """The employee id in the selected row of any sheet with a 工号 column."""
    hint = t(
        "macros.select_hint",
        roster=layout.ROSTER.name,
        payroll=PAYROLL.name,
        attendance=layout.ATTENDANCE.name,
    )
    if where is None:
        raise XlkpiError(t("macros.nothing_selected", hint=hint))
    sheet_name, row = where
    sheet = contents.sheets.get(sheet_name)
    id_col = sheet.headers.get(layout.ROSTER.column("id").header) if sheet else None
    if sheet is None or id_col is None or row < FIRST_DATA_ROW:
        raise XlkpiError(t("macros.not_employee_row", sheet=sheet_name, row=row, hint=hint))
    emp_id = cell_text(sheet.value(row, id_col))
    if not emp_id:
        raise XlkpiError(t("macros.row_no_id", sheet=sheet_name, row=row, hint=hint))
    return emp_id


def explain_text(r: EmployeeResult, alerts: list[Any], month: str) -> str:
    """An employee's month in words: score, total, alerts, each line with (base, quantity,
    rate), then the trace (last, as a long message is cut at the end)."""
    emp = r.employee
    out = [f"{emp.id} {emp.name} — {PLAN_LABELS[emp.plan][0]} — {month}"]
    score = "—" if r.score is None else format_number(r.score)
    coefficient = "—" if r.coefficient is None else format_number(r.coefficient)
    grade = layout.GRADE_LABELS.get(r.grade, r.grade) or "—"
    out.append(f"绩效分数 {score}   绩效系数 {coefficient}   考核等级 {grade}")
    out.append(
        f"应发合计：{format_yuan(r.gross)}   扣款合计：{format_yuan(r.deductions)}"
        f"   实发合计：{format_yuan(r.net)}"
    )
    out += [f"预警：{a.message}" for a in alerts if a.employee_id == emp.id]
    out.append("")
    for line in r.lines:
        if line.amount == ZERO and not line.term:
            continue
        out.append(
            f"{line.label_zh}：{format_yuan(line.amount)}   "
            f"（基数 {format_number(line.base)} × 数量 {format_number(line.quantity)} × "
            f"比例 {format_rate(line.rate)}）"
            + (f"   {line.term}" if line.term and line.amount == ZERO else "")
        )
    out.append("")
    out.append(f"计算过程：{r.trace}")
    return "\n".join(out)


def explain(book: WorkbookAccess | None = None) -> str | None:
    """说明: for the employee in the selected row, the pay lines, trace and alerts."""

    def body(access: WorkbookAccess) -> str:
        from xlkpi.recalc import compute_checked

        where = access.selection()
        access.status(t("macros.status.computing"))
        contents = read_contents(access)
        emp_id = selected_employee(contents, where)
        result = compute_checked(contents)
        found = next((r for r in result.results if r.employee.id == emp_id), None)
        if found is None:
            raise XlkpiError(t("macros.not_on_roster", id=emp_id, roster=layout.ROSTER.name))
        text = explain_text(found, result.alerts, result.month)
        access.message(text, title=f"说明 {found.employee.id} {found.employee.name}")
        return text

    return _run("explain", book, body)


def _saved_path(access: WorkbookAccess) -> Path:
    path = access.path
    if not path.is_absolute() or not path.parent.is_dir():
        raise XlkpiError(t("macros.save_first"))
    return path


def payslips(book: WorkbookAccess | None = None) -> Path | None:
    """工资条: payslip strips for the live book's month, written next to it and opened."""

    def body(access: WorkbookAccess) -> Path:
        from xlkpi.payslips import write_payslips

        path = _saved_path(access)
        access.status(t("macros.status.payslips"))
        written = write_payslips(path, contents=read_contents(access))
        access.open_other(written.sheet_file)
        access.message(
            t(
                "macros.payslips_done",
                month=written.month,
                employees=written.employees,
                path=written.sheet_file,
            )
        )
        return written.sheet_file

    return _run("payslips", book, body)


def next_month_path(path: Path, month: str, new: str) -> Path:
    """Where the next month's workbook goes: the name with the month replaced, or suffixed."""
    if month and month in path.stem:
        return path.with_name(path.stem.replace(month, new) + path.suffix)
    return path.with_name(f"{path.stem}_{new}{path.suffix}")


def new_month(book: WorkbookAccess | None = None, month: str | None = None) -> Path | None:
    """新建月份: save the book, build the next month's workbook beside it, open it.

    ``month`` defaults to the month after the book's. The new workbook comes from the saved
    file (:func:`xlkpi.month_cycle.new_month`), hence the save.
    """

    def body(access: WorkbookAccess) -> Path:
        from xlkpi.month_cycle import new_month as new_month_file

        path = _saved_path(access)
        rows = access.read_rows(META) if META in access.sheet_names() else []
        meta, _rows = read_meta(Sheet(META, rows))
        current = meta.get(META_MONTH, "")
        if not MONTH_RE.match(current):
            raise XlkpiError(t("macros.no_month", meta=META))
        target = month or next_month(current)
        out = next_month_path(path, current, target)
        access.status(t("macros.status.new_month", month=target))
        access.save()
        made = new_month_file(target, out, source=path)
        access.open_other(made.path)
        warnings = "".join(f"\n• {w}" for w in made.warnings)
        access.message(
            t(
                "macros.new_month_done",
                name=path.name,
                month=target,
                path=made.path,
                employees=made.employees,
                added=made.history_added,
                history=layout.HISTORY.name,
                warnings=warnings,
            )
        )
        return made.path

    return _run("new_month", book, body)


def close_month(book: WorkbookAccess | None = None) -> str | None:
    """封账: seal the recalculated month in the live book and save it. Returns the seal hash."""

    def body(access: WorkbookAccess) -> str:
        from xlkpi import month_cycle
        from xlkpi.recalc import compute_checked, meta_edit

        path = _saved_path(access)
        access.status(t("macros.status.sealing"))
        contents = read_contents(access)
        if contents.status == STATUS_SEALED:
            raise SealedMonthError(t("macros.already_sealed", month=contents.month_name))
        result = compute_checked(contents)
        month_cycle.require_current(contents, "cycle.then_close_ribbon")
        month_cycle.require_payroll_matches(contents, result)
        updates = month_cycle.seal_updates(contents)
        apply_edits(access, {META: meta_edit(contents, updates)})
        access.save()
        access.message(
            t(
                "macros.closed",
                month=contents.month_name,
                name=path.name,
                employees=len(result.results),
                total=format_yuan(result.total),
            )
        )
        return updates[META_SEAL_HASH]

    return _run("close_month", book, body)
