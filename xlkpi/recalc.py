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

from xlkpi import builds, layout, messages
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
from xlkpi.messages import t
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
from xlkpi.workbook.xlsx_patch import (
    FormulaText,
    SheetEdit,
    column_index,
    patch_workbook,
    split_ref,
)

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


def payroll_formula_source(build: str = builds.ADDIN) -> FormulaFn | None:
    """The template's ``payroll_formulas(row, employee, policy, …)`` of ``build`` (the add-in's
    or the native build's), or None if not installed."""
    try:
        if build == builds.NATIVE:
            from workbook_templates.native.payroll import native_payroll_formulas

            return native_payroll_formulas  # type: ignore[no-any-return]
        from workbook_templates.payroll import payroll_formulas
    except ImportError:
        return None
    return payroll_formulas  # type: ignore[no-any-return]


def _formula_source(build: str) -> FormulaFn | None:
    """:func:`payroll_formula_source` of ``build`` (called without arguments for the add-in's,
    as callers that replace it expect)."""
    return payroll_formula_source() if build == builds.ADDIN else payroll_formula_source(build)


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
                    t("recalc.correct_employee"),
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
                    t("recalc.sheet_missing", sheet=sheet_layout.name),
                    t("recalc.restore_sheet"),
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
                    t("recalc.header_missing", header=column.header),
                    t("recalc.restore_header", header=column.header),
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
    rewrite: bool = False,
    shown: list[dict[str, Any]] | None = None,
) -> tuple[SheetEdit, str]:
    """The Payroll sheet's rows: formulas (when the template provides them) + cached values.

    ``shown``: each result's :func:`payroll_values`, when the caller has them already.

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
    build = builds.build_of(contents.meta) if contents is not None else builds.ADDIN
    if contents is not None and formulas is _DEFERRED and not rewrite:
        key = formulas_key(result, targets, contents)
        stored, _, fields = contents.meta.get(META_PAYROLL_SHAPE, "").partition("|")
        if key and stored == key and _rows_in_place(sheet, columns, result):
            # same staff in the same rows, same formula code, policy and bounds: the formulas
            # are in place and the template need not even be imported; only values change
            fields_of = _decode_fields(fields)
            edit = _values_only(result, targets, helpers, fields_of, columns, shown)
            return edit, contents.meta[META_PAYROLL_SHAPE]
        formulas = _formula_source(build)
    elif formulas is _DEFERRED:
        formulas = _formula_source(build)
    cached = FormulaCache(formulas, result.policy, last_row, history_last_row) if formulas else None
    arrays = payroll_arrays(result, contents, formulas) if formulas else {}
    rows: dict[int, dict[int, Any]] = {}  # values by row and column number: no references
    formula_cells: dict[str, str] = {}
    numbers = {letter: column_index(letter) for _, letter, _, _ in targets}
    n = len(result.results)
    step = max(1, n // 20)
    for i, r in enumerate(result.results):
        row = FIRST_DATA_ROW + i
        rs = str(row)
        row_values = shown[i] if shown is not None else payroll_values(r)
        helper_values = helpers.values(r) if helpers is not None else {}
        row_formulas = cached(row, r.employee) if cached else {}
        cells: dict[int, Any] = {}
        for fieldname, letter, helper, takes_formula in targets:
            value = helper_values.get(fieldname) if helper else row_values.get(fieldname)
            formula = row_formulas.get(fieldname) if takes_formula else None
            if formula:
                formula_cells[letter + rs] = formula
                if value is None and fieldname in _LINE_CODES:
                    value = Decimal(0)
            elif arrays and fieldname in _TABLE_FIELDS and (value is None or type(value) is str):
                value = FormulaText(value or "")  # every cell of the array block is cached
            if value is not None:
                cells[numbers[letter]] = value
        rows[row] = cells
        if i % step == 0:
            progress("payroll", i / n)
    _total_row(result, columns, rows, formula_cells)
    shape = payroll_shape(result, targets, cached)
    if shape and contents is not None:
        shape = formulas_key(result, targets, contents) + "|" + _encode_fields(cached)
        if arrays:  # an array formula's blocks follow the input sheets' rows: in the shape
            shape += "|" + ",".join(sorted(arrays))
    same = contents is not None and shape and contents.meta.get(META_PAYROLL_SHAPE) == shape
    if same and not rewrite:
        if _rows_in_place(sheet, columns, result):
            # same staff in the same rows, same formulas: only the cached values change
            return SheetEdit(rows=rows), shape
    net = set(layout.NET_PAY_COLUMNS)
    edit = SheetEdit(
        rows=rows,
        formulas=formula_cells,
        arrays=arrays,
        style_from_row=FIRST_DATA_ROW,
        clear_rows_from=FIRST_DATA_ROW,
        column_formats=sheet_upgrade.formats_by_column(PAYROLL, net),
    )
    if source is not sheet and contents is not None:
        from workbook_templates.payroll import notice_cell

        edit = sheet_upgrade.header_edit(edit, contents.path, source, PAYROLL, notice_cell())
    return edit, shape


def payroll_arrays(
    result: MonthResult, contents: WorkbookContents | None, formulas: FormulaFn | None
) -> dict[str, str]:
    """The template's array formula of the 工资表 ({block: formula}) for this workbook: the
    staff rows, each input sheet's last used row. Empty without ``contents``, or when the row
    formulas are not the template's (whose rows leave the array's block to it)."""
    if contents is None:
        return {}
    try:
        from workbook_templates.payroll import payroll_array, payroll_formulas
    except ImportError:
        return {}
    if formulas is not payroll_formulas:
        return {}
    rows = {
        name: contents.sheets[name].last_row
        for name in _TABLE_SHEETS
        if name in contents.sheets and name in contents.sheet_names
    }
    return payroll_array(result.policy, len(result.results), rows)


# The Payroll fields of the array block and the sheets the table reads (udfs.table, the
# template's TABLE_FIELDS): listed from the layout without importing either.
_PAY_FIELDS = [c.field for c in PAYROLL.columns]
_TABLE_ORDER = tuple(_PAY_FIELDS[_PAY_FIELDS.index("score") : _PAY_FIELDS.index("streak_reward")])
_TABLE_FIELDS = frozenset(_TABLE_ORDER)


def has_table(shape: str) -> bool:
    """True when the Payroll ``shape`` (meta ``payroll_shape``) records array blocks: the
    template's PAY_TABLE array is in the sheet (``key|fields|blocks``)."""
    parts = shape.split("|")
    return len(parts) > 2 and bool(parts[2])


def last_recalc_edit(result: MonthResult, shown: list[dict[str, Any]] | None = None) -> SheetEdit:
    """The hidden :data:`layout.LAST_RECALC` sheet: the table block's values at its addresses
    (what ``PAY_TABLE`` shows; a line the plan does not get stays blank), the sheet's rows
    below cleared; added (hidden) to a workbook made before it existed. ``shown``: each
    result's :func:`payroll_values`, when the caller has them already."""
    columns = [(f, PAYROLL.index(f) + 1) for f in _TABLE_ORDER]
    rows: dict[int, dict[int, Any]] = {}
    for i, r in enumerate(result.results):
        row_values = shown[i] if shown is not None else payroll_values(r)
        cells = {
            col: value
            for fieldname, col in columns
            if (value := row_values.get(fieldname)) is not None and value != ""
        }  # the array shows a blank cell as blank
        if cells:
            rows[FIRST_DATA_ROW + i] = cells
    return SheetEdit(rows=rows, clear_rows_from=FIRST_DATA_ROW, create_as="hidden")


_TABLE_SHEETS = frozenset(
    {
        *(s.name for s in layout.INPUT_SHEETS),
        layout.POLICY,
        *layout.SCORECARD_SHEETS.values(),
    }
)

META_PAYROLL_SHAPE = "payroll_shape"
_DEFERRED: Any = object()  # build_edits: import the template's formulas only when needed
_FORMULA_CODE = (  # the modules whose code makes the Payroll's and Teams' formulas
    ("workbook_templates", ("payroll.py", "input_sheets.py", "policy_sheet.py")),
    ("workbook_templates.native", ("pieces.py", "payroll.py", "inputs.py")),
    ("xlkpi", ("layout.py", "payplans.py", "paylines.py")),
    ("udfs", ("table.py",)),  # the array formula's blocks (sheet_runs)
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
        builds.build_of(contents.meta),
        _formula_code_hash(),
        contents.sheet_hashes.get(layout.POLICY, ""),
        contents.month_name,
        *map(str, row_bounds(result, contents)),
        *(
            f"{name}:{sheet.last_row}"
            for name, sheet in sorted(contents.sheets.items())
            if name in _TABLE_SHEETS
        ),  # the array formula's blocks end at these rows
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
    shown: list[dict[str, Any]] | None = None,
) -> SheetEdit:
    """The cached values of a Payroll whose formulas are in place (a formula cell of a pay
    line the employee does not get shows 0, as when the formulas were written), by row and
    column number (``SheetEdit.rows``: no cell references to build and parse)."""
    zero = Decimal(0)
    table = bool(formula_fields)  # the formulas are the template's: the table's array is there
    numbers = {letter: column_index(letter) for _, letter, _, _ in targets}
    specs: dict[str, _RowSpec] = {}
    rows: dict[int, dict[int, Any]] = {}
    blank = FormulaText("")  # a cell of the array block the plan leaves blank: a formula result
    for i, r in enumerate(result.results):
        plan = r.employee.plan
        spec = specs.get(plan)
        if spec is None:
            spec = specs[plan] = _row_spec(targets, numbers, formula_fields.get(plan, set()), table)
        row_values = shown[i] if shown is not None else payroll_values(r)
        get = row_values.get
        # the common kinds in comprehensions, one per kind of column (the order of a row's
        # cells does not matter to the patch)
        cells = {col: v for f, col in spec.plain if (v := get(f)) is not None}
        for f, col in spec.table:
            v = get(f)
            cells[col] = blank if v is None else FormulaText(v) if type(v) is str else v
        for f, col, line, in_table in spec.formula:
            v = get(f)
            if v is None:
                if line:
                    cells[col] = zero
            else:
                cells[col] = FormulaText(v) if in_table and type(v) is str else v
        if spec.helper:
            helper_values = helpers.values(r) if helpers is not None else {}
            for f, col, with_f, line, in_table in spec.helper:
                v = helper_values.get(f)
                if v is None:
                    if with_f:
                        if line:
                            cells[col] = zero
                    elif in_table:
                        cells[col] = blank
                elif in_table and type(v) is str:
                    cells[col] = FormulaText(v)
                else:
                    cells[col] = v
        rows[FIRST_DATA_ROW + i] = cells
    _total_row(result, columns, rows, {})
    return SheetEdit(rows=rows)


@dataclass(frozen=True)
class _RowSpec:
    """A plan's Payroll columns for :func:`_values_only`, by what a blank value becomes:
    ``plain`` (field, column) left out; ``table`` (field, column) a blank cell of the array
    block; ``formula`` (field, column, a pay line, in the block) 0 for a pay line, else left
    out; ``helper`` (field, column, takes a formula, a pay line, in the block) as either."""

    plain: list[tuple[str, int]]
    table: list[tuple[str, int]]
    formula: list[tuple[str, int, bool, bool]]
    helper: list[tuple[str, int, bool, bool, bool]]


def _row_spec(
    targets: list[tuple[str, str, bool, bool]],
    numbers: dict[str, int],
    with_formula: set[str],
    table: bool,
) -> _RowSpec:
    spec = _RowSpec([], [], [], [])
    for fieldname, letter, helper, takes_formula in targets:
        col = numbers[letter]
        with_f = takes_formula and fieldname in with_formula
        line = fieldname in _LINE_CODES
        in_table = table and fieldname in _TABLE_FIELDS
        if helper:
            spec.helper.append((fieldname, col, with_f, line, in_table))
        elif with_f:
            spec.formula.append((fieldname, col, line, in_table))
        elif in_table:
            spec.table.append((fieldname, col))
        else:
            spec.plain.append((fieldname, col))
    return spec


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
            "team_name": emp.team if emp.plan in TEAM_POOL_PLANS else None,  # pool members
            "team": emp.team,  # the helper's first name
            "net_sales": inp.net_sales if inp is not None else None,
        }


def _total_row(
    result: MonthResult,
    columns: list[tuple[layout.Column, int]],
    rows: dict[int, dict[int, Any]],
    formula_cells: dict[str, str],
) -> None:
    """The 合计 row under the staff, as the template has it: the rounded SUM of each money
    column (应发工资 and every 应发 → 扣除 → 实发 column; native in both builds), its cached
    value the exact sum of the staff ``rows`` (row → 1-based column → value), written there."""
    label = getattr(layout, "PAYROLL_TOTAL_LABEL", "")
    if not label or not result.results:
        return
    row = FIRST_DATA_ROW + len(result.results)
    staff = [rows.get(r, {}) for r in range(FIRST_DATA_ROW, row)]
    cells = rows.setdefault(row, {})
    for column, index in columns:
        letter = layout.column_letter(index + 1)
        if column.field == "id":
            cells[index + 1] = label
        elif column.field in _TOTALLED:
            # native, as workbook_templates.payroll.total_formula: no UDF call
            formula_cells[f"{letter}{row}"] = layout.money_sum_formula(letter, row - 1)
            if column.field == "total":
                cells[index + 1] = result.total
                continue
            total = Decimal(0)
            for staff_cells in staff:
                total += staff_cells.get(index + 1) or Decimal(0)
            cells[index + 1] = total


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
        raise WorkbookError(t("recalc.no_meta", name=contents.path.name, meta=META))
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
    plans = {r.employee.id: PLAN_LABELS[r.employee.plan][0] for r in result.results}
    shown = getattr(layout, "PLAN_HELPER", None)  # the roster's plan, right of a month sheet
    plan_of: dict[str, dict[str, Any]] = {shown.header: plans} if shown is not None else {}
    per_sheet: list[tuple[str, dict[str, dict[str, Any]]]] = [
        (layout.ATTENDANCE.name, {"姓名": names, **plan_of}),
        (layout.SALES.name, {"姓名": names, **plan_of}),
        (layout.TAX_INPUTS.name, {"姓名": names, **plan_of}),
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
    shops = _shops_edit(contents)
    if shops is not None:
        edits[layout.SHOPS.name] = shops
    return edits


def _field_columns(
    sheet: Any, sheet_layout: layout.SheetLayout, fields: tuple[str, ...]
) -> list[int | None]:
    """The indexes of ``fields``' headers on ``sheet`` (None where a header is missing)."""
    return [sheet.headers.get(sheet_layout.column(f).header) for f in fields]


def _shops_edit(contents: WorkbookContents) -> SheetEdit | None:
    """店铺's computed cells where they differ: each shop's sales (下单 − 退货 − 代付运费) and
    completion (sales ÷ target; blank without a target)."""
    sheet = contents.sheets.get(layout.SHOPS.name)
    month = contents.month
    if sheet is None or month is None or not month.shops:
        return None
    name_col, sales_col, completion_col = _field_columns(
        sheet, layout.SHOPS, ("name", "shop_sales", "completion")
    )
    if name_col is None or sales_col is None:
        return None
    shops = {shop.name: shop for shop in month.shops}
    values: dict[str, Any] = {}
    for row in range(FIRST_DATA_ROW, sheet.last_row + 1):
        shop = shops.get(_id_text(sheet.value(row, name_col)))
        if shop is None:
            continue
        if not _same(sheet.value(row, sales_col), shop.sales):
            values[ref(sales_col, row)] = shop.sales
        if completion_col is not None and shop.target:
            ratio = float(shop.sales / shop.target)
            if not _same(sheet.value(row, completion_col), ratio):
                values[ref(completion_col, row)] = ratio
    return SheetEdit(values=values) if values else None


def _native_teams_edit(
    contents: WorkbookContents,
    result: MonthResult,
    cols: list[int | None],
    last_row: int | None,
) -> SheetEdit | None:
    """:func:`_teams_edit` of the native build: each team-sales cell its own native formula
    over the Payroll rows (``workbook_templates.native.inputs.team_sales_formula``)."""
    sheet = contents.sheets[layout.TEAMS.name]
    month = contents.month
    assert month is not None
    team_col, sales_col, completion_col = cols
    assert team_col is not None and sales_col is not None
    formula: Callable[[int, int], str] | None = None
    in_place = (team_col, sales_col) == (
        layout.TEAMS.index("team"),
        layout.TEAMS.index("team_sales"),
    )
    if last_row is not None and in_place:
        try:
            from workbook_templates.native.inputs import team_sales_formula as formula
        except ImportError:
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


def _teams_edit(
    contents: WorkbookContents, result: MonthResult, last_row: int | None = None
) -> SheetEdit | None:
    """Team sales (pool members' net sales, at least 0) and completion on the Teams sheet.

    With ``last_row`` (the template installed, and the team / team-sales columns where the
    layout puts them) the team sales and the completion get the template's native formulas
    (team sales over the Payroll's rows 2..``last_row``); the cached values are the engine's.
    """
    sheet = contents.sheets.get(layout.TEAMS.name)
    month = contents.month
    if sheet is None or month is None:
        return None
    cols = _field_columns(sheet, layout.TEAMS, ("team", "team_sales", "completion"))
    team_col, sales_col, completion_col = cols
    if team_col is None or sales_col is None:
        return None
    if builds.build_of(contents.meta) == builds.NATIVE:
        return _native_teams_edit(contents, result, cols, last_row)
    in_place = (team_col, sales_col, completion_col) == (
        layout.TEAMS.index("team"),
        layout.TEAMS.index("team_sales"),
        layout.TEAMS.index("completion"),
    )
    template = None
    if last_row is not None and in_place:
        try:
            from workbook_templates import input_sheets as template
        except ImportError:
            template = None
    sales: dict[str, Decimal] = {}
    for r in result.results:
        emp = r.employee
        if emp.plan in TEAM_POOL_PLANS:
            sales[emp.team] = sales.get(emp.team, Decimal(0)) + month.inputs[emp.id].net_sales
    values: dict[str, Any] = {}
    formulas: dict[str, str] = {}
    rows = 0  # the table: rows 2.. while the team column holds a team
    for row in range(FIRST_DATA_ROW, sheet.last_row + 1):
        team = _id_text(sheet.value(row, team_col))
        if not team:
            break
        rows += 1
    for row in range(FIRST_DATA_ROW, sheet.last_row + 1):
        team = _id_text(sheet.value(row, team_col))
        known = team in month.team_targets
        amount = max(sales.get(team, Decimal(0)), Decimal(0)) if known else None
        target = month.team_targets.get(team) if known else None
        ratio = float(amount / target) if amount is not None and target else None
        if template is not None and last_row is not None and row < FIRST_DATA_ROW + rows:
            # the formula sums the pool members of any team typed here, with or without a target
            values[ref(sales_col, row)] = max(sales.get(team, Decimal(0)), Decimal(0))
            formulas[ref(sales_col, row)] = template.team_sales_formula(row, last_row)  # type: ignore[union-attr]
            formulas[ref(completion_col, row)] = template.guarded(  # type: ignore[union-attr]
                row,
                template.completion_formula(row),  # type: ignore[union-attr]
            )
            values[ref(completion_col, row)] = ratio if ratio is not None else FormulaText("")  # type: ignore[arg-type]
            continue
        if amount is not None and not _same(sheet.value(row, sales_col), amount):
            values[ref(sales_col, row)] = amount
        if completion_col is not None and ratio is not None:
            if not _same(sheet.value(row, completion_col), ratio):
                values[ref(completion_col, row)] = ratio
    if not values and not formulas:
        return None
    return SheetEdit(values=values, formulas=formulas)


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
    # rewritten anyway: their header rows are all that is read, and the Payroll's first column
    # (which employee each row holds: the rows stay in place only if they still match)
    rewritten = (ALERTS.name, layout.TAX_SHEET.name)
    contents = read_workbook(path, heads_only=(PAYROLL.name,), header_only=rewritten)
    timings["read"] = time.perf_counter() - t0
    if contents.status == STATUS_SEALED and not reopen:
        text = messages.t("recalc.sealed", name=path.name, month=contents.month_name)
        raise SealedMonthError(text)
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
    contents: WorkbookContents,
    result: MonthResult,
    progress: ProgressFn = _noop,
    rewrite_payroll: bool = False,
) -> dict[str, SheetEdit]:
    """Every sheet edit of a recalc: Payroll, Alerts, cached input-sheet formulas and meta.

    ``rewrite_payroll``: the Payroll is cleared and written whole even when its formulas are
    in place (the live recalc: Excel refuses a write into part of an array formula's block).
    """
    shown = [payroll_values(r) for r in result.results]  # the Payroll and its hidden copy
    payroll, shape = payroll_edit_and_shape(
        result,
        contents.sheets.get(PAYROLL.name),
        _DEFERRED,
        progress,
        contents,
        rewrite=rewrite_payroll,
        shown=shown,
    )
    build = builds.build_of(contents.meta)
    formulas = None if not payroll.formulas else _formula_source(build)
    edits = {
        PAYROLL.name: payroll,
        ALERTS.name: alerts_edit(result, contents.sheets.get(ALERTS.name)),
    }
    if layout.TAX_SHEET.name in contents.sheet_names and contents.month is not None:
        from xlkpi.tax.declaration_sheet import tax_sheet_edit

        edits[layout.TAX_SHEET.name] = tax_sheet_edit(result, contents)
    last_row = row_bounds(result, contents)[0] if formulas is not None else None
    edits.update(_cached_formula_values(contents, result, last_row))
    if formulas is not None and build == builds.ADDIN:  # a native book needs no add-in
        _add_notice(contents, edits)
    if build == builds.ADDIN and has_table(shape):  # what the array shows without the add-in
        edits[layout.LAST_RECALC] = last_recalc_edit(result, shown)
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
    readme_status_edit(edits, contents, contents.month_name, STATUS_RECALCULATED)
    return edits


def readme_status_edit(
    edits: dict[str, SheetEdit], contents: WorkbookContents, month: str, status: str
) -> None:
    """Store the month and status 说明 shows as its formulas' cached values (recalc, new-month,
    close), so a host that shows stored values (WPS, previews) shows them too; merged into an
    edit of 说明 already in ``edits``."""
    try:
        from workbook_templates.readme_sheet import readme_edit
    except ImportError:
        return
    edit = readme_edit(contents.sheets.get(layout.README), month, status, contents.lang)
    if edit is None:
        return
    known = edits.get(layout.README)
    if known is None:
        edits[layout.README] = edit  # type: ignore[assignment]
    else:
        known.values.update(edit.values)  # type: ignore[attr-defined]
        known.formulas.update(edit.formulas)  # type: ignore[attr-defined]
