"""Recalculate a month workbook: read it, compute with the engine, patch results in atomically.

``recalc(path)`` reads every input with python-calamine in one pass, computes the month with
:func:`xlkpi.engine.compute_month`, and writes with :mod:`xlkpi.workbook.xlsx_patch` into a
temporary copy that :func:`xlkpi.workbook.atomic_file.atomic_replace` swaps in (previous
version kept as ``<name>.bak.xlsx``). What is written:

* Payroll (工资表): regenerated from row 2 — each formula column gets its formula (from the
  template's ``payroll_formulas``) *and* the engine's value as the cached result, so Excel keeps
  live formulas while calamine / openpyxl ``data_only`` / LibreOffice show the engine's numbers;
  then the 合计 row. The formulas' lookup ranges reach the bounds for the workbook's staff and
  History rows (:func:`row_bounds`), as the template builder sets them. When the staff, their
  order and the formulas are those of the last recalc (meta ``payroll_shape``), only the cached
  values are rewritten;
* Alerts (预警): regenerated from row 2;
* cached values of formula cells on input sheets where they differ: names, the weighted score,
  scorecard totals, team sales and completion; the team-sales formulas are rewritten to cover
  the Payroll's rows;
* meta: status ``recalculated``, the input hash, the time, head count, payroll total, shape.

Input cells are never written. Any failure before the swap leaves the workbook byte-identical.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlkpi import layout
from xlkpi.engine import EmployeeResult, MonthResult, compute_month
from xlkpi.errors import (
    CellProblem,
    InputError,
    SealedMonthError,
    WorkbookError,
    WorkbookValidationError,
)
from xlkpi.inputs import Employee
from xlkpi.layout import (
    ALERTS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HISTORY,
    HISTORY_LAST_ROW,
    LAST_DATA_ROW,
    META,
    PAYROLL,
    ROSTER,
    SUPERVISOR_SELF,
)
from xlkpi.paylines import LINE_CODES
from xlkpi.payplans import PLAN_LABELS, TEAM_POOL_PLANS
from xlkpi.policy import Policy
from xlkpi.workbook import atomic_file
from xlkpi.workbook.atomic_file import atomic_replace
from xlkpi.workbook.lock import workbook_lock
from xlkpi.workbook.meta import (
    META_EMPLOYEES,
    META_INPUT_HASH,
    META_PAYROLL_TOTAL,
    META_RECALCULATED_AT,
    META_STATUS,
    SEAL_KEYS,
    STATUS_RECALCULATED,
    STATUS_SEALED,
)
from xlkpi.workbook.reader import WorkbookContents, gc_paused, read_workbook
from xlkpi.workbook.sheets import Sheet, ref
from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook, split_ref

ProgressFn = Callable[[str, float], None]
# payroll_formulas(row, employee, policy, *, last_row=…, history_last_row=…) -> field → formula
FormulaFn = Callable[..., dict[str, str]]

_LINE_CODES = frozenset(LINE_CODES)
ALERT_KINDS = {"warning": "警告", "dismissal": "劝退", "promotion": "晋升", "reward": "奖励"}


@dataclass
class RecalcResult:
    """What a recalc did: the computed month, where the backup went, and stage timings (s)."""

    path: Path
    result: MonthResult
    backup: Path | None
    timings: dict[str, float] = field(default_factory=dict)


def _noop(stage: str, fraction: float) -> None:
    return None


def payroll_formula_source() -> FormulaFn | None:
    """The template's ``payroll_formulas(row, employee, policy, …)``, or None if not installed."""
    try:
        from workbook_templates.payroll import payroll_formulas
    except ImportError:
        return None
    return payroll_formulas  # type: ignore[no-any-return]


_PROBE_ROWS = (1_048_573, 1_048_571)  # rows no workbook range names: safe to substitute


class FormulaCache:
    """``payroll_formulas`` computed once per pay plan and re-targeted to each row.

    The template's formulas for one row differ from another row's of the same plan only in
    the row number. The formulas are made for two probe rows; where they agree with each
    other once the probe row is replaced, the text is reused with the real row substituted.
    A plan whose formulas do not follow that pattern is computed row by row, as before.

    The lookup bounds (``last_row``, ``history_last_row``) are part of the formulas, so they
    are fixed per cache: ``by_plan`` holds the patterns for this cache's bounds only. With the
    default bounds the source is called as ``formulas(row, employee, policy)``; otherwise the
    bounds are passed as keywords.
    """

    def __init__(
        self,
        formulas: FormulaFn,
        policy: Policy,
        last_row: int = LAST_DATA_ROW,
        history_last_row: int = HISTORY_LAST_ROW,
    ) -> None:
        self.formulas = formulas
        self.policy = policy
        self.last_row = last_row
        self.history_last_row = history_last_row
        self.by_plan: dict[str, dict[str, str] | None] = {}
        self._bounds: dict[str, int] = (
            {}
            if (last_row, history_last_row) == (LAST_DATA_ROW, HISTORY_LAST_ROW)
            else {"last_row": last_row, "history_last_row": history_last_row}
        )

    def __call__(self, row: int, employee: Employee) -> dict[str, str]:
        plan = employee.plan
        if plan not in self.by_plan:
            self.by_plan[plan] = self._pattern(employee)
        pattern = self.by_plan[plan]
        if pattern is None:
            return self._formulas(row, employee)
        text = str(row)
        return {field: f.replace(_MARK, text) for field, f in pattern.items()}

    def _formulas(self, row: int, employee: Employee) -> dict[str, str]:
        return self.formulas(row, employee, self.policy, **self._bounds)

    def _pattern(self, employee: Employee) -> dict[str, str] | None:
        a, b = (self._formulas(r, employee) for r in _PROBE_ROWS)
        pattern = {field: f.replace(str(_PROBE_ROWS[0]), _MARK) for field, f in a.items()}
        again = {field: f.replace(_MARK, str(_PROBE_ROWS[1])) for field, f in pattern.items()}
        if again != b or any(_MARK in f for f in b.values()):
            return None
        return pattern


_MARK = "\x00ROW\x00"


def check_unlocked(path: Path) -> None:
    """Raise WorkbookLockedError when the workbook is open in Excel (its ``~$`` file exists)."""
    atomic_file.check_unlocked(path)


_EMPLOYEE_IN_MESSAGE = re.compile(r"(?:employee|员工) (\S+) [(（]")


def compute_checked(contents: WorkbookContents) -> MonthResult:
    """Compute the month, turning an engine InputError into a cell problem on the roster."""
    month, policy = contents.require_ok()
    try:
        return compute_month(month, policy)
    except InputError as exc:
        m = _EMPLOYEE_IN_MESSAGE.search(str(exc))
        row = contents.roster_rows.get(m.group(1), 0) if m else 0
        cell = f"A{row}" if row else "A1"
        raise WorkbookValidationError(
            [
                CellProblem(
                    ROSTER.name,
                    cell,
                    m.group(1) if m else None,
                    str(exc),
                    "correct this employee's inputs or the policy",
                )
            ]
        ) from None


# ---------------------------------------------------------------------------------------------
# building the edits


def grade_label(grade: str) -> str:
    """Chinese grade label ('' for no grade)."""
    return layout.GRADE_LABELS.get(grade, grade)


def payroll_values(r: EmployeeResult) -> dict[str, Any]:
    """Field → the value the Payroll row shows for one employee's result."""
    emp = r.employee
    values: dict[str, Any] = {
        "id": emp.id,
        "name": emp.name,
        "plan": PLAN_LABELS[emp.plan][0],
        "score": r.score,
        "coefficient": r.coefficient,
        "grade": grade_label(r.grade),
        "total": r.total,
        "trace": r.trace,
    }
    for line in r.lines:
        values[line.code] = values.get(line.code, Decimal(0)) + line.amount
    pay = r.pay
    if pay is not None:  # 应发 → 扣除 → 实发, deductions as positive amounts
        values["year_end_bonus"] = pay.gross - r.total
        for line in pay.deduction_lines:
            values[line.code] = values.get(line.code, Decimal(0)) - line.amount
        for code in layout.NET_PAY_COLUMNS:
            values.setdefault(code, Decimal(0))
        values["gross"], values["deductions"], values["net"] = pay.gross, pay.deductions, pay.net
    return values


def _columns(
    sheet: Sheet | None, sheet_layout: layout.SheetLayout
) -> list[tuple[layout.Column, int]]:
    """(column, 0-based index found by header) in layout order; helper columns are optional.

    Raises WorkbookValidationError naming every missing header (or the missing sheet).
    """
    if sheet is None:
        raise WorkbookValidationError(
            [
                CellProblem(
                    sheet_layout.name,
                    "A1",
                    None,
                    f"the sheet {sheet_layout.name!r} ({sheet_layout.english}) is missing",
                    "restore it from the template",
                )
            ]
        )
    found: list[tuple[layout.Column, int]] = []
    problems = []
    for i, column in enumerate(sheet_layout.columns):
        if column.header in sheet.headers:
            found.append((column, sheet.headers[column.header]))
        elif column.kind != "helper":
            problems.append(
                CellProblem(
                    sheet_layout.name,
                    ref(i, 1),
                    sheet.value(1, i),
                    f"column header {column.header!r} is missing or renamed",
                    f"put the header {column.header!r} back in row 1",
                )
            )
    if problems:
        raise WorkbookValidationError(problems)
    return found


def _column_map(sheet: Sheet | None, sheet_layout: layout.SheetLayout) -> dict[str, int]:
    """Field → 0-based column (first column of a field), see :func:`_columns`."""
    cols: dict[str, int] = {}
    for column, index in _columns(sheet, sheet_layout):
        cols.setdefault(column.field, index)
    return cols


def payroll_edit_and_shape(
    result: MonthResult,
    sheet: Sheet | None,
    formulas: FormulaFn | None,
    progress: ProgressFn = _noop,
    contents: WorkbookContents | None = None,
) -> tuple[SheetEdit, str]:
    """The Payroll sheet's rows: formulas (when the template provides them) + cached values.

    One row per employee from row 2, then the grand-total row (合计, MONEY_SUM of the totals).
    Helper columns (hidden lookups) get the values their formulas give, when ``contents`` is
    known. A field named by two columns takes its formula in the first one only.

    Also returns the Payroll's *shape* (:func:`payroll_shape`). When the meta sheet records
    the same shape and the rows hold the same employees, the formulas are already in place:
    the edit then only sets the cached values (much faster for a large Payroll).
    """
    from xlkpi import sheet_upgrade

    source = sheet
    if sheet_upgrade.outdated(sheet, PAYROLL):  # an older layout: the sheet is written anew
        sheet = sheet_upgrade.current_sheet(sheet, PAYROLL)  # type: ignore[arg-type]
    columns = _columns(sheet, PAYROLL)
    targets: list[tuple[str, str, bool, bool]] = []  # field, letter, helper, takes formula
    seen: set[str] = set()
    for column, index in columns:
        targets.append(
            (
                column.field,
                layout.column_letter(index + 1),
                column.kind == "helper",
                column.field not in seen,
            )
        )
        seen.add(column.field)
    helpers = _HelperValues(contents) if contents is not None else None
    last_row, history_last_row = row_bounds(result, contents)
    if contents is not None and formulas is _DEFERRED:
        key = formulas_key(result, targets, contents)
        stored, _, fields = contents.meta.get(META_PAYROLL_SHAPE, "").partition("|")
        if key and stored == key and _rows_in_place(sheet, columns, result):
            # same staff in the same rows, same formula code, policy and bounds: the formulas
            # are in place and the template need not even be imported; only values change
            edit = _values_only(result, targets, helpers, _decode_fields(fields), columns)
            return edit, contents.meta[META_PAYROLL_SHAPE]
        formulas = payroll_formula_source()
    elif formulas is _DEFERRED:
        formulas = payroll_formula_source()
    cached = FormulaCache(formulas, result.policy, last_row, history_last_row) if formulas else None
    values: dict[str, Any] = {}
    formula_cells: dict[str, str] = {}
    n = len(result.results)
    step = max(1, n // 20)
    for i, r in enumerate(result.results):
        row = FIRST_DATA_ROW + i
        rs = str(row)
        row_values = payroll_values(r)
        helper_values = helpers.values(r) if helpers is not None else {}
        row_formulas = cached(row, r.employee) if cached else {}
        for fieldname, letter, helper, takes_formula in targets:
            cell = letter + rs
            value = helper_values.get(fieldname) if helper else row_values.get(fieldname)
            formula = row_formulas.get(fieldname) if takes_formula else None
            if formula:
                formula_cells[cell] = formula
                if value is None and fieldname in _LINE_CODES:
                    value = Decimal(0)
            if value is not None:
                values[cell] = value
        if i % step == 0:
            progress("payroll", i / n)
    _total_row(result, columns, values, formula_cells)
    shape = payroll_shape(result, targets, cached)
    if shape and contents is not None:
        shape = formulas_key(result, targets, contents) + "|" + _encode_fields(cached)
    if contents is not None and shape and contents.meta.get(META_PAYROLL_SHAPE) == shape:
        if _rows_in_place(sheet, columns, result):
            # same staff in the same rows, same formulas: only the cached values change
            return SheetEdit(values=values), shape
    net = set(layout.NET_PAY_COLUMNS)
    edit = SheetEdit(
        values=values,
        formulas=formula_cells,
        style_from_row=FIRST_DATA_ROW,
        clear_rows_from=FIRST_DATA_ROW,
        formats=sheet_upgrade.column_formats(PAYROLL, values, net),
    )
    if source is not sheet and contents is not None:
        from workbook_templates.payroll import notice_cell

        edit = sheet_upgrade.header_edit(edit, contents.path, source, PAYROLL, notice_cell())
    return edit, shape


META_PAYROLL_SHAPE = "payroll_shape"
_DEFERRED: Any = object()  # build_edits: import the template's formulas only when needed
_FORMULA_CODE = (  # the modules whose code makes the Payroll's and Teams' formulas
    ("workbook_templates", ("payroll.py", "input_sheets.py", "policy_sheet.py")),
    ("xlkpi", ("layout.py", "payplans.py", "paylines.py")),
)


def _formula_code_hash() -> str:
    """A hash of the source of the formula-making modules, found without importing them."""
    import hashlib
    import importlib.util

    h = hashlib.sha256()
    for package, files in _FORMULA_CODE:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            h.update(b"none")
            continue
        folder = Path(next(iter(spec.submodule_search_locations)))
        for name in files:
            try:
                h.update((folder / name).read_bytes())
            except OSError:
                h.update(b"missing")
    return h.hexdigest()


def formulas_key(
    result: MonthResult, targets: list[tuple[str, str, bool, bool]], contents: WorkbookContents
) -> str:
    """What the Payroll's formulas depend on: staff order and plans, the columns, the formula
    code (and which function supplies it), the policy cells, the month and the lookup bounds."""
    from xlkpi.workbook.fingerprints import fingerprint

    source = payroll_formula_source
    code = [
        f"{source.__module__}.{source.__qualname__}",
        _formula_code_hash(),
        contents.sheet_hashes.get(layout.POLICY, ""),
        contents.month_name,
        *map(str, row_bounds(result, contents)),
    ]
    staff = [[r.employee.id, r.employee.plan] for r in result.results]
    layout_row = [[f"{f}:{letter}:{h}:{t}" for f, letter, h, t in targets]]
    return fingerprint([("staff", staff), ("columns", layout_row), ("code", [code])])


def _encode_fields(cached: FormulaCache | None) -> str:
    """Per plan, the fields that got a formula: ``plan:f,f;plan:f`` (kept in the meta cell)."""
    if cached is None:
        return ""
    return ";".join(
        f"{plan}:{','.join(sorted(f for f, text in pattern.items() if text))}"
        for plan, pattern in sorted(cached.by_plan.items())
        if pattern is not None
    )


def _decode_fields(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for part in text.split(";"):
        plan, sep, fields = part.partition(":")
        if sep:
            out[plan] = set(fields.split(",")) if fields else set()
    return out


def _values_only(
    result: MonthResult,
    targets: list[tuple[str, str, bool, bool]],
    helpers: _HelperValues | None,
    formula_fields: dict[str, set[str]],
    columns: list[tuple[layout.Column, int]],
) -> SheetEdit:
    """The cached values of a Payroll whose formulas are in place (a formula cell of a pay
    line the employee does not get shows 0, as when the formulas were written)."""
    values: dict[str, Any] = {}
    zero = Decimal(0)
    for i, r in enumerate(result.results):
        rs = str(FIRST_DATA_ROW + i)
        row_values = payroll_values(r)
        helper_values = helpers.values(r) if helpers is not None else {}
        with_formula = formula_fields.get(r.employee.plan, set())
        for fieldname, letter, helper, takes_formula in targets:
            value = helper_values.get(fieldname) if helper else row_values.get(fieldname)
            if value is None and takes_formula and fieldname in with_formula:
                if fieldname in _LINE_CODES:
                    value = zero
            if value is not None:
                values[letter + rs] = value
    _total_row(result, columns, values, {})
    return SheetEdit(values=values)


def row_bounds(result: MonthResult, contents: WorkbookContents | None = None) -> tuple[int, int]:
    """(last row of the staff-sheet lookups, last row of the History lookups) for the Payroll.

    From the month's staff count and History rows (the sheet's rows when ``contents`` has it,
    else the month's records), as ``workbook_templates.build.row_bounds`` for a built month.
    """
    staff = len(result.results)
    records = 0
    if contents is not None:
        history = contents.sheets.get(HISTORY.name)
        if history is not None:
            records = max(history.last_row - HEADER_ROW, 0)
        elif contents.month is not None:
            records = len(contents.month.history)
    return layout.data_last_row(staff), layout.history_last_row(records, staff)


def payroll_shape(
    result: MonthResult, targets: list[tuple[str, str, bool, bool]], cached: FormulaCache | None
) -> str:
    """A hash of what the Payroll's formulas look like: staff order, plans, formula patterns.

    Empty when some plan's formulas are not a per-row pattern (then rows are always rewritten).
    """
    from xlkpi.workbook.fingerprints import fingerprint

    patterns: list[list[Any]] = []
    if cached is not None:
        for plan, pattern in sorted(cached.by_plan.items()):
            if pattern is None:
                return ""
            patterns.append([plan, *sorted(f"{k}={v}" for k, v in pattern.items())])
    staff = [[r.employee.id, r.employee.plan] for r in result.results]
    layout_row = [[f"{f}:{letter}:{h}:{t}" for f, letter, h, t in targets]]
    return fingerprint([("staff", staff), ("patterns", patterns), ("columns", layout_row)])


def _rows_in_place(
    sheet: Sheet | None, columns: list[tuple[layout.Column, int]], result: MonthResult
) -> bool:
    """True when the Payroll already lists these employees in these rows, then the 合计 row."""
    if sheet is None:
        return False
    id_col = next(index for column, index in columns if column.field == "id")
    n = len(result.results)
    for i, r in enumerate(result.results):
        if _id_text(sheet.value(FIRST_DATA_ROW + i, id_col)) != r.employee.id:
            return False
    label = getattr(layout, "PAYROLL_TOTAL_LABEL", "")
    last = FIRST_DATA_ROW + n
    return (not label or _id_text(sheet.value(last, id_col)) == label) and sheet.last_row <= last


class _HelperValues:
    """What the Payroll's hidden helper columns compute: MATCH positions, team, net sales."""

    def __init__(self, contents: WorkbookContents) -> None:
        self.contents = contents
        self.rows = contents.id_rows
        self.inputs = contents.month.inputs if contents.month else {}

    def _position(self, sheet: str, emp_id: str) -> int | None:
        row = self.rows.get(sheet, {}).get(emp_id)
        return None if row is None else row - FIRST_DATA_ROW + 1  # MATCH within rows 2…

    def values(self, r: EmployeeResult) -> dict[str, Any]:
        emp = r.employee
        key = layout.SCORECARD_OF_PLAN.get(emp.plan)
        score_sheet = layout.SCORECARD_SHEETS[key] if key else SUPERVISOR_SELF.name
        inp = self.inputs.get(emp.id)
        return {
            "roster_row": self._position(ROSTER.name, emp.id),
            "attendance_row": self._position(layout.ATTENDANCE.name, emp.id),
            "sales_row": self._position(layout.SALES.name, emp.id),
            "score_row": self._position(score_sheet, emp.id),
            "team_name": emp.team,
            "team": emp.team,  # the helper's first name
            "net_sales": inp.net_sales if inp is not None else None,
        }


def _total_row(
    result: MonthResult,
    columns: list[tuple[layout.Column, int]],
    values: dict[str, Any],
    formula_cells: dict[str, str],
) -> None:
    """The 合计 row under the staff, as the template has it: MONEY_SUM of each money column
    (应发工资 and every 应发 → 扣除 → 实发 column), its cached value the exact sum of the rows."""
    label = getattr(layout, "PAYROLL_TOTAL_LABEL", "")
    if not label or not result.results:
        return
    row = FIRST_DATA_ROW + len(result.results)
    for column, index in columns:
        letter = layout.column_letter(index + 1)
        if column.field == "id":
            values[f"{letter}{row}"] = label
        elif column.field in _TOTALLED:
            formula_cells[f"{letter}{row}"] = (
                f"MONEY_SUM({letter}{FIRST_DATA_ROW}:{letter}{row - 1})"
            )
            if column.field == "total":
                values[f"{letter}{row}"] = result.total
                continue
            total = Decimal(0)
            for r in range(FIRST_DATA_ROW, row):
                total += values.get(f"{letter}{r}") or Decimal(0)
            values[f"{letter}{row}"] = total


_TOTALLED = frozenset({"total", *layout.NET_PAY_COLUMNS})  # the 合计 row's money columns


def _add_notice(contents: WorkbookContents, edits: dict[str, SheetEdit]) -> None:
    """The add-in notice on 工资表 (and on 说明 where the template put it), with the notice
    text as cached value: a host that shows cached values has no add-in. Excel recomputes it
    on open (it is volatile), which empties it when the add-in is there."""
    from workbook_templates import payroll as template

    cell = template.notice_cell()
    edits[PAYROLL.name].formulas[cell] = template.notice_formula()
    edits[PAYROLL.name].values[cell] = template.ADDIN_NOTICE
    readme = contents.sheets.get(layout.README)
    if readme is None:
        return
    row, col = split_ref(template.README_NOTICE_CELL)
    if readme.value(row, col - 1) in ("", None, template.ADDIN_NOTICE):  # older books: a title
        edit = edits.setdefault(layout.README, SheetEdit())
        edit.formulas[template.README_NOTICE_CELL] = template.readme_notice_formula()
        edit.values[template.README_NOTICE_CELL] = template.ADDIN_NOTICE


def alerts_edit(result: MonthResult, sheet: Sheet | None) -> SheetEdit:
    """The Alerts sheet's rows, one per alert."""
    cols = _column_map(sheet, ALERTS)
    values: dict[str, Any] = {}
    for i, alert in enumerate(result.alerts):
        row = FIRST_DATA_ROW + i
        data = {
            "id": alert.employee_id,
            "name": alert.name,
            "kind": ALERT_KINDS.get(alert.kind, alert.kind),
            "code": alert.code,
            "message": alert.message,
        }
        for fieldname, value in data.items():
            values[ref(cols[fieldname], row)] = value
    return SheetEdit(values=values, style_from_row=FIRST_DATA_ROW, clear_rows_from=FIRST_DATA_ROW)


def meta_edit(contents: WorkbookContents, updates: dict[str, str]) -> SheetEdit:
    """Set meta keys (column A key, column B value), appending keys the sheet lacks."""
    if contents.sheets.get(META) is None:
        raise WorkbookError(
            f"{contents.path.name} has no {META!r} sheet; start it from the template"
        )
    values: dict[str, Any] = {}
    next_row = max([*contents.meta_rows.values(), 0]) + 1
    for key, value in updates.items():
        row = contents.meta_rows.get(key)
        if row is None:
            row = next_row
            next_row += 1
            values[f"A{row}"] = key
        elif contents.meta.get(key, "") == value:
            continue
        values[f"B{row}"] = value or None
    return SheetEdit(values=values)


def _cached_formula_values(
    contents: WorkbookContents, result: MonthResult, last_row: int | None = None
) -> dict[str, SheetEdit]:
    """Cached values for formula cells of input sheets, where they differ from the engine's.

    Names (姓名, looked up on the roster), the weighted score (主管自评 绩效分数), scorecard
    totals (总分) and the Teams sheet's team sales and completion. With ``last_row``, the
    team-sales formulas are rewritten to cover the Payroll's rows 2..``last_row``.
    """
    names = {r.employee.id: r.employee.name for r in result.results}
    scores = {r.employee.id: r.score for r in result.results}
    per_sheet: list[tuple[str, dict[str, dict[str, Any]]]] = [
        (layout.ATTENDANCE.name, {"姓名": names}),
        (layout.SALES.name, {"姓名": names}),
        (SUPERVISOR_SELF.name, {"姓名": names, SUPERVISOR_SELF.column("score").header: scores}),
    ]
    total_header = getattr(layout, "SCORECARD_TOTAL_HEADER", "总分")
    for name in layout.SCORECARD_SHEETS.values():
        per_sheet.append((name, {"姓名": names, total_header: scores}))
    edits: dict[str, SheetEdit] = {}
    for sheet_name, wanted in per_sheet:
        sheet = contents.sheets.get(sheet_name)
        if sheet is None or "工号" not in sheet.headers:
            continue
        id_col = sheet.headers["工号"]
        targets = [(sheet.headers[h], table) for h, table in wanted.items() if h in sheet.headers]
        values: dict[str, Any] = {}
        for row in range(FIRST_DATA_ROW, sheet.last_row + 1):
            emp_id = _id_text(sheet.value(row, id_col))
            for col, table in targets:
                value = table.get(emp_id)
                if value is not None and not _same(sheet.value(row, col), value):
                    values[ref(col, row)] = value
        if values:
            edits[sheet_name] = SheetEdit(values=values)
    teams = _teams_edit(contents, result, last_row)
    if teams is not None:
        edits[layout.TEAMS.name] = teams
    return edits


def team_sales_formula_source() -> Callable[[int, int], str] | None:
    """The template's ``team_sales_formula(row, last_row)``, or None if not installed."""
    try:
        from workbook_templates.input_sheets import team_sales_formula
    except ImportError:
        return None
    return team_sales_formula  # type: ignore[no-any-return]


def _teams_edit(
    contents: WorkbookContents, result: MonthResult, last_row: int | None = None
) -> SheetEdit | None:
    """Team sales (pool members' net sales, at least 0) and completion on the Teams sheet.

    With ``last_row`` (and the template installed, and the team / team-sales columns where the
    layout puts them) each team-sales cell also gets its formula over Payroll rows up to it.
    """
    sheet = contents.sheets.get(layout.TEAMS.name)
    month = contents.month
    if sheet is None or month is None:
        return None
    h = sheet.headers
    cols = [h.get(layout.TEAMS.column(f).header) for f in ("team", "team_sales", "completion")]
    team_col, sales_col, completion_col = cols
    if team_col is None or sales_col is None:
        return None
    formula = team_sales_formula_source() if last_row is not None else None
    in_place = (team_col, sales_col) == (
        layout.TEAMS.index("team"),
        layout.TEAMS.index("team_sales"),
    )
    if not in_place:
        formula = None
    formulas: dict[str, str] = {}
    sales: dict[str, Decimal] = {}
    for r in result.results:
        emp = r.employee
        if emp.plan in TEAM_POOL_PLANS:
            sales[emp.team] = sales.get(emp.team, Decimal(0)) + month.inputs[emp.id].net_sales
    values: dict[str, Any] = {}
    for row in range(FIRST_DATA_ROW, sheet.last_row + 1):
        team = _id_text(sheet.value(row, team_col))
        if not team or team not in month.team_targets:
            continue
        amount = max(sales.get(team, Decimal(0)), Decimal(0))
        if formula is not None and last_row is not None:
            formulas[ref(sales_col, row)] = formula(row, last_row)
            values[ref(sales_col, row)] = amount  # a rewritten formula needs its cached value
        elif not _same(sheet.value(row, sales_col), amount):
            values[ref(sales_col, row)] = amount
        target = month.team_targets[team]
        if completion_col is not None and target:
            ratio = float(amount / target)
            if not _same(sheet.value(row, completion_col), ratio):
                values[ref(completion_col, row)] = ratio
    return SheetEdit(values=values, formulas=formulas) if values else None


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value is not None else ""


def _same(current: Any, wanted: Any) -> bool:
    """True when the cached value already shows ``wanted`` (numbers compared as doubles)."""
    if isinstance(wanted, Decimal | float):
        return (
            isinstance(current, int | float)
            and not isinstance(current, bool)
            and float(current) == float(wanted)
        )
    return bool(current == wanted)


# ---------------------------------------------------------------------------------------------
# the operation


def recalc(path: Path, reopen: bool = False, progress: ProgressFn = _noop) -> RecalcResult:
    """Recalculate the workbook at ``path`` in place (see the module docstring).

    Raises WorkbookLockedError (open in Excel), SealedMonthError (closed month without
    ``reopen``), WorkbookValidationError (bad inputs: every problem listed) or WorkbookError.
    """
    with workbook_lock(path), gc_paused():
        return _recalc(Path(path), reopen, progress)


def _recalc(path: Path, reopen: bool, progress: ProgressFn) -> RecalcResult:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    check_unlocked(path)
    progress("read", 0.0)
    # rewritten anyway: their header rows are all that is read
    contents = read_workbook(path, heads_only=(PAYROLL.name, ALERTS.name, layout.TAX_SHEET.name))
    timings["read"] = time.perf_counter() - t0
    if contents.status == STATUS_SEALED and not reopen:
        raise SealedMonthError(
            f"{path.name} is the sealed month {contents.month_name}; recalculating would change "
            "a closed payroll. Run `xlkpi recalc --reopen` if you really mean to reopen it."
        )
    t = time.perf_counter()
    progress("compute", 0.0)
    result = compute_checked(contents)
    timings["compute"] = time.perf_counter() - t
    t = time.perf_counter()
    edits = build_edits(contents, result, progress)
    timings["build"] = time.perf_counter() - t
    t = time.perf_counter()
    progress("write", 0.0)
    backup = atomic_replace(path, lambda tmp: patch_workbook(path, tmp, edits))
    timings["write"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    progress("done", 1.0)
    return RecalcResult(path, result, backup, timings)


def build_edits(
    contents: WorkbookContents, result: MonthResult, progress: ProgressFn = _noop
) -> dict[str, SheetEdit]:
    """Every sheet edit of a recalc: Payroll, Alerts, cached input-sheet formulas and meta."""
    payroll, shape = payroll_edit_and_shape(
        result, contents.sheets.get(PAYROLL.name), _DEFERRED, progress, contents
    )
    formulas = None if not payroll.formulas else payroll_formula_source()
    edits = {
        PAYROLL.name: payroll,
        ALERTS.name: alerts_edit(result, contents.sheets.get(ALERTS.name)),
    }
    if layout.TAX_SHEET.name in contents.sheet_names and contents.month is not None:
        from xlkpi.tax.declaration_sheet import tax_sheet_edit

        edits[layout.TAX_SHEET.name] = tax_sheet_edit(result, contents)
    last_row = row_bounds(result, contents)[0] if formulas is not None else None
    edits.update(_cached_formula_values(contents, result, last_row))
    if formulas is not None:
        _add_notice(contents, edits)
    updates = {
        META_STATUS: STATUS_RECALCULATED,
        META_INPUT_HASH: contents.input_hash,
        META_RECALCULATED_AT: datetime.now().isoformat(timespec="seconds"),
        META_EMPLOYEES: str(len(result.results)),
        META_PAYROLL_TOTAL: f"{result.total:.2f}",
        META_PAYROLL_SHAPE: shape,
    }
    if contents.status == STATUS_SEALED:  # reopened: the seal no longer holds
        for key in SEAL_KEYS:
            if key in contents.meta_rows:
                updates[key] = ""
    edits[META] = meta_edit(contents, updates)
    return edits
