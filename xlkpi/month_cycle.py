"""The month's life cycle: start a month (from the template or last month), and close (seal) it.

``new_month`` carries the roster, policy, team targets and history of last month's workbook
forward, appends last month's results to History (a month/employee pair already there is never
added twice), clears every monthly input, Payroll and Alerts, and stamps the new month in the
meta sheet. It refuses a predecessor that was never recalculated or whose inputs changed since,
unless forced. ``close`` seals a recalculated month: it stores hashes of the inputs, the policy
and the results in the meta sheet, which ``xlkpi check`` verifies afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlkpi import layout
from xlkpi.engine import EmployeeResult, MonthResult
from xlkpi.errors import SealedMonthError, WorkbookError
from xlkpi.inputs import TaxInput
from xlkpi.layout import (
    ALERTS,
    AMOUNT_FORMAT,
    ATTENDANCE,
    FIRST_DATA_ROW,
    HISTORY,
    META,
    PAYROLL,
    POLICY,
    SALES,
    SUPERVISOR_SELF,
    TEAMS,
)
from xlkpi.messages import t
from xlkpi.recalc import (
    META_PAYROLL_SHAPE,
    check_unlocked,
    compute_checked,
    grade_label,
    meta_edit,
    payroll_values,
)
from xlkpi.workbook.atomic_file import atomic_replace, backup_path
from xlkpi.workbook.meta import (
    META_EMPLOYEES,
    META_INPUT_HASH,
    META_MONTH,
    META_PAYROLL_TOTAL,
    META_RECALCULATED_AT,
    META_SEAL_HASH,
    META_STATUS,
    MONTH_RE,
    SEAL_KEYS,
    STATUS_NEW,
    STATUS_RECALCULATED,
    STATUS_SEALED,
    read_meta,
)
from xlkpi.workbook.reader import (
    WorkbookContents,
    read_workbook,
    roster_plans,
    scorecard_columns,
)
from xlkpi.workbook.sheets import Sheet, cell_text, load_sheets, public_sales_cell, ref
from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

ProgressFn = Callable[[str, float], None]


@dataclass
class NewMonthResult:
    """What new-month did."""

    path: Path
    month: str
    previous_month: str
    history_added: int
    history_skipped: int
    employees: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class CloseResult:
    """What close did: the seal hash and the sealed totals."""

    path: Path
    month: str
    seal: str
    employees: int
    total: Decimal
    backup: Path | None


# ---------------------------------------------------------------------------------------------
# predecessor checks


def require_current(contents: WorkbookContents, what: str) -> None:
    """Refuse a workbook whose Payroll does not reflect its inputs (never recalculated / stale)."""
    name = contents.path.name
    if contents.status not in (STATUS_RECALCULATED, STATUS_SEALED):
        raise WorkbookError(
            f"{name} ({contents.month_name or 'no month'}) was never recalculated, so its "
            f"Payroll is not final; run `xlkpi recalc {contents.path}` first{what}"
        )
    if contents.meta.get(META_INPUT_HASH, "") != contents.input_hash:
        raise WorkbookError(
            f"the inputs of {name} changed after its last recalc, so its Payroll is out of "
            f"date; run `xlkpi recalc {contents.path}` first{what}"
        )


def _validate_month(month: str) -> None:
    if not MONTH_RE.match(month or ""):
        raise WorkbookError(f"month {month!r} is not a month; write it as YYYY-MM, e.g. 2026-11")


# ---------------------------------------------------------------------------------------------
# edits


def history_rows(result: MonthResult, contents: WorkbookContents) -> tuple[list[list[Any]], int]:
    """History rows for a computed month, leaving out (month, id) pairs already recorded."""
    present = {(h.month, h.employee_id) for h in (contents.month.history if contents.month else [])}
    rank_labels = {r.name: r.label for r in result.policy.ranks.ladder}
    rows: list[list[Any]] = []
    skipped = 0
    for r in result.results:
        emp = r.employee
        if (result.month, emp.id) in present:
            skipped += 1
            continue
        inp = contents.month.inputs[emp.id] if contents.month else None
        values = {
            "month": result.month,
            "id": emp.id,
            "name": emp.name,
            "score": r.score,
            "grade": grade_label(r.grade),
            "coefficient": r.coefficient if r.coefficient is not None else Decimal(0),
            "total": r.total,
            "rank": rank_labels.get(emp.rank, emp.rank),
            "complaints": inp.complaints if inp else 0,
            "bad_record": layout.BOOL_LABELS[r.bad_record],
        }
        taxes = contents.month.tax_inputs.get(emp.id) if contents.month else None
        values.update(ledger_values(r, taxes))
        rows.append([values.get(c.field) for c in HISTORY.columns])
    return rows, skipped


_LEDGER_FIELDS = frozenset(c.field for c in layout.HISTORY_LEDGER)


def history_columns(sheet: Sheet) -> list[int | None]:
    """The 0-based column of each HISTORY column on ``sheet`` (an older header accepted)."""
    old = layout.HISTORY_OLD_HEADERS
    return [
        sheet.headers.get(c.header, sheet.headers.get(old.get(c.field, c.header)))
        for c in HISTORY.columns
    ]


def ledger_values(r: EmployeeResult, taxes: TaxInput | None) -> dict[str, Any]:
    """The 历史 ledger columns of one employee's month (xlkpi.layout.HISTORY_LEDGER).

    The month's own figures (what later months sum) and the year-to-date figures this month's
    withholding used; empty when the result has no net pay.
    """
    pay = r.pay
    if pay is None:
        return {}
    w = pay.withholding
    values: dict[str, Any] = {
        "income": pay.taxable_income,
        "social_insurance": pay.social_insurance,
        "other_deductions": pay.other,
        "tax_withheld": w.tax,
        "tax_months": w.months,
        "cumulative_income": w.cumulative_income,
        "cumulative_deductions": w.cumulative_deductions,
        "cumulative_additional": w.cumulative_additional,
        "cumulative_taxable": w.taxable,
        "cumulative_withheld": w.withheld_before + w.tax,
    }
    for item in layout.TAX_ITEM_HEADERS:
        values[f"item:{item}"] = getattr(taxes, item) if taxes is not None else Decimal(0)
    return values


def _history_edit(sheet: Sheet | None, rows: list[list[Any]]) -> SheetEdit:
    if sheet is None:
        raise WorkbookError(f"the {HISTORY.name} sheet is missing; restore it from the template")
    values: dict[str, Any] = {}
    cols = history_columns(sheet)
    free = max(sheet.headers.values(), default=-1) + 1
    for i, column in enumerate(HISTORY.columns):
        if cols[i] is None and column.field in _LEDGER_FIELDS:  # an older History: add it
            cols[i] = free
            values[ref(free, 1)] = column.header
            free += 1
    start = max(sheet.last_row + 1, FIRST_DATA_ROW)
    formats: dict[str, str] = {}
    for i, row in enumerate(rows):
        for col, value, column in zip(cols, row, HISTORY.columns, strict=True):
            if col is not None and value is not None:
                cell = ref(col, start + i)
                values[cell] = value
                if column.field in _LEDGER_FIELDS and column.kind == "amount":
                    formats[cell] = AMOUNT_FORMAT  # the ledger's money, in an older 历史 too
    return SheetEdit(values=values, style_from_row=FIRST_DATA_ROW, formats=formats)


def _clear_columns(sheet: Sheet, cols: list[int]) -> SheetEdit:
    values: dict[str, Any] = {}
    for row in range(FIRST_DATA_ROW, sheet.last_row + 1):
        for col in cols:
            if sheet.value(row, col) not in ("", None):
                values[ref(col, row)] = None
    return SheetEdit(values=values)


def not_applicable_values(
    contents: WorkbookContents, sheet_layout: layout.SheetLayout, sheet: Sheet, month: str = ""
) -> dict[str, str]:
    """Cell → 不适用 for each input cell of ``sheet`` whose row's plan (the roster's) does not
    read the column (``layout.Column.readers`` under the policy in force in ``month``)."""
    id_col = sheet.headers.get(sheet_layout.column("id").header)
    if id_col is None:
        return {}
    plan_of = roster_plans(contents.sheets.get(layout.ROSTER.name), contents.roster_rows)
    policy = contents.policy
    if policy is not None and month:
        policy = policy.at(month)
    marker = layout.not_applicable_text(contents.meta.get("lang", ""))
    columns = [
        (sheet.headers[c.header], c.readers(policy))
        for c in layout.month_columns(sheet_layout)
        if c.header in sheet.headers
    ]
    values: dict[str, str] = {}
    for row in range(FIRST_DATA_ROW, sheet.last_row + 1):
        plan = plan_of.get(cell_text(sheet.value(row, id_col)))
        if plan is None:
            continue
        for col, readers in columns:
            if readers is not None and plan not in readers and sheet.value(row, col) != marker:
                values[ref(col, row)] = marker
    return values


# Formula columns that look up what stays from month to month (the roster's name and plan).
_LOOKUPS = frozenset({"name", layout.PLAN_HELPER.field})


def clear_inputs_edits(contents: WorkbookContents, month: str = "") -> dict[str, SheetEdit]:
    """Edits blanking every monthly input (attendance, sales, scores, public sales).

    On 考勤 and 业绩 a cell the row's plan does not read gets 不适用 instead of a blank. The
    stored values of the formulas computed from the month's inputs (总分, 绩效分数, shop and
    team sales, completion) are cleared too (their formulas stay), so no last-month figure
    stands beside a blank input.
    """
    edits: dict[str, SheetEdit] = {}
    for sheet_layout in (ATTENDANCE, SALES, SUPERVISOR_SELF):
        sheet = contents.sheets.get(sheet_layout.name)
        if sheet is None:
            continue
        cols = [
            sheet.headers[c.header]
            for c in sheet_layout.columns
            if c.field != "id" and c.kind != "formula" and c.header in sheet.headers
        ]
        computed = [  # the month's computed figures (主管自评 绩效分数), not the name lookups
            sheet.headers[c.header]
            for c in sheet_layout.columns
            if c.kind == "formula" and c.field not in _LOOKUPS and c.header in sheet.headers
        ]
        edits[sheet.name] = _clear_columns(sheet, cols + computed)
        if layout.PLAN_HELPER in sheet_layout.columns:
            marks = not_applicable_values(contents, sheet_layout, sheet, month)
            edits[sheet.name].values.update(marks)
    if contents.policy is not None:
        policy = contents.policy
        for key, name in layout.SCORECARD_SHEETS.items():
            sheet = contents.sheets.get(name)
            if sheet is None or key not in policy.scorecards:
                continue
            cols = [c for k, c in scorecard_columns(sheet, key, policy).items() if k != "id"]
            total = sheet.headers.get(layout.SCORECARD_TOTAL_HEADER)
            edits[name] = _clear_columns(sheet, cols + ([total] if total is not None else []))
    shops = contents.sheets.get(layout.SHOPS.name)
    if shops is not None:  # shop names and groups stay; the month's figures are cleared
        monthly = ("orders", "returns", "shipping_paid", "target", "shop_sales", "completion")
        cols = [
            shops.headers[c.header]
            for c in layout.SHOPS.columns
            if c.field in monthly and c.header in shops.headers
        ]
        edits[shops.name] = _clear_columns(shops, cols)
    teams = contents.sheets.get(TEAMS.name)
    if teams is not None:  # targets stay; last month's team sales and completion do not
        cols = [
            teams.headers[c.header]
            for c in TEAMS.columns
            if c.field in ("team_sales", "completion") and c.header in teams.headers
        ]
        edits[teams.name] = _clear_columns(teams, cols)
    taxes = contents.sheets.get(layout.TAX_INPUTS.name)
    if taxes is not None:  # the declared deductions and bases stay; one-off amounts are cleared
        monthly = ("other_deductions", "year_end_bonus")
        cols = [
            taxes.headers[c.header]
            for c in layout.TAX_INPUTS.columns
            if c.field in monthly and c.header in taxes.headers
        ]
        edits[taxes.name] = _clear_columns(taxes, cols)
    for sheet_name in (layout.SHOPS.name, TEAMS.name):
        sheet = contents.sheets.get(sheet_name)
        where = public_sales_cell(sheet) if sheet is not None else None
        if where is not None:
            edit = edits.setdefault(sheet_name, SheetEdit(values={}))
            edit.values[ref(where[1], where[0])] = None
    return {name: edit for name, edit in edits.items() if edit.values}


def policy_sheet_edit(contents: WorkbookContents, month: str) -> SheetEdit | None:
    """Rewrite the policy sheet for ``month`` when a dated change becomes due by then.

    The sheet shows the policy in force in its month (formulas read those cells) plus the
    changes still pending; a change due by the new month moves into the values. The cells are
    rewritten in place; a change that alters the sheet's shape (a list getting longer or
    shorter) would move the defined names, so it is refused with a remedy.
    """
    policy = contents.policy
    previous = contents.month_name
    if policy is None or not any(previous < c.effective_from <= month for c in policy.changes):
        return None
    from openpyxl import Workbook

    from workbook_templates.policy_sheet import write_policy_sheet

    old_ws, new_ws = Workbook().active, Workbook().active
    if write_policy_sheet(old_ws, policy, previous) != write_policy_sheet(new_ws, policy, month):
        raise WorkbookError(
            f"a dated policy change due by {month} changes the layout of the {POLICY} sheet; "
            f"start {month} from the template (xlkpi new-month --template) and copy the roster"
        )
    rows = [[cell.value for cell in row] for row in new_ws.iter_rows()]
    sheet = contents.sheets[POLICY]
    values: dict[str, Any] = {}
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, Decimal):
                value = float(value) if value != value.to_integral_value() else int(value)
            current = sheet.value(r, c)
            if (current in ("", None)) and value is None:
                continue
            if current != value:
                values[ref(c, r)] = value
    return SheetEdit(values=values, clear_rows_from=len(rows) + 1)


def readme_month_edit(contents: WorkbookContents, month: str) -> SheetEdit | None:
    """说明's month line for ``month`` (it showed the previous month, or none in the template).

    The lines are those ``write_readme`` writes for the old and the new month; a 说明 cell
    holding an old one exactly gets the new one (a line HR edited is left alone).
    """
    sheet = contents.sheets.get(layout.README)
    if sheet is None:
        return None
    from openpyxl import Workbook

    from workbook_templates.other_sheets import write_readme

    def lines(name: str | None) -> dict[str, object]:
        ws = Workbook().active
        write_readme(ws, name)
        return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value}

    old, new = lines(contents.month_name or None), lines(month)
    wanted = {old[k]: new[k] for k in old if k in new and old[k] != new[k]}
    values: dict[str, Any] = {}
    for r, cells in enumerate(sheet.rows, start=1):
        for c, value in enumerate(cells):
            if isinstance(value, str) and value in wanted:
                values[ref(c, r)] = wanted[value]
    return SheetEdit(values=values) if values else None


def _stamp(contents: WorkbookContents, month: str) -> SheetEdit:
    updates = {META_MONTH: month, META_STATUS: STATUS_NEW}
    for key in (
        META_INPUT_HASH,
        META_RECALCULATED_AT,
        META_EMPLOYEES,
        META_PAYROLL_TOTAL,
        META_PAYROLL_SHAPE,
        *SEAL_KEYS,
    ):
        if key in contents.meta_rows:
            updates[key] = ""
    return meta_edit(contents, updates)


# ---------------------------------------------------------------------------------------------
# operations


def new_month(
    month: str,
    out: Path,
    source: Path | None = None,
    force: bool = False,
) -> NewMonthResult:
    """Start ``month`` in a new workbook ``out``: from last month's workbook or the template.

    Without ``source`` the template is built (``workbook_templates.build_workbook``).
    ``force`` accepts a predecessor that was not recalculated (its History rows are then
    computed from its inputs as they are) and overwrites an existing ``out``.
    """
    _validate_month(month)
    out = Path(out)
    if out.exists() and not force:
        raise WorkbookError(f"{out} already exists; choose another name or pass --force")
    if source is None:
        return _from_template(month, out)
    source = Path(source)
    if out.resolve() == source.resolve():
        raise WorkbookError("--out must be a new file, not last month's workbook itself")
    contents = read_workbook(source)
    warnings: list[str] = []
    if not force:
        require_current(contents, " (or pass --force to carry it forward as it is)")
    elif contents.status not in (STATUS_RECALCULATED, STATUS_SEALED):
        warnings.append(f"{source.name} was never recalculated; carried forward because of --force")
    previous = contents.month_name
    if previous and month <= previous:
        raise WorkbookError(
            f"{source.name} is the month {previous}; the new month must come after it, not {month}"
        )
    result = compute_checked(contents)
    rows, skipped = history_rows(result, contents)
    edits = clear_inputs_edits(contents, month)
    edits[HISTORY.name] = _history_edit(contents.sheets.get(HISTORY.name), rows)
    edits[PAYROLL.name] = SheetEdit(clear_rows_from=FIRST_DATA_ROW)
    edits[ALERTS.name] = SheetEdit(clear_rows_from=FIRST_DATA_ROW)
    if layout.TAX_SHEET.name in contents.sheet_names:
        edits[layout.TAX_SHEET.name] = SheetEdit(clear_rows_from=FIRST_DATA_ROW)
    edits[META] = _stamp(contents, month)
    readme = readme_month_edit(contents, month)
    if readme is not None:
        edits[layout.README] = readme
    policy_edit = policy_sheet_edit(contents, month)
    if policy_edit is not None:
        edits[POLICY] = policy_edit
        warnings.append(
            f"dated policy changes took effect in {month}; the {POLICY} sheet shows them"
        )
    atomic_replace(out, lambda tmp: patch_workbook(source, tmp, edits), backup=False)
    return NewMonthResult(out, month, previous, len(rows), skipped, len(result.results), warnings)


def _from_template(month: str, out: Path) -> NewMonthResult:
    """The blank template with the month stamped in its meta sheet."""
    from workbook_templates import build_workbook

    def write(tmp: Path) -> None:
        blank = tmp.with_name(tmp.stem + ".template.xlsx")
        try:
            build_workbook(blank)
            _names, sheets = load_sheets(blank, [META, layout.README])
            meta, rows = read_meta(sheets.get(META))
            contents = WorkbookContents(blank, [], sheets, None, None, [], meta, rows, {})
            edits = {META: _stamp(contents, month)}
            readme = readme_month_edit(contents, month)
            if readme is not None:
                edits[layout.README] = readme
            patch_workbook(blank, tmp, edits)
        finally:
            blank.unlink(missing_ok=True)

    atomic_replace(out, write, backup=False)
    return NewMonthResult(out, month, "", 0, 0, 0)


def write_demo_workbook(folder: Path, progress: ProgressFn | None = None) -> Path:
    """The demo shop's month as a filled workbook in ``folder``, recalculated; returns its path."""
    from workbook_templates import build_workbook
    from xlkpi.recalc import recalc
    from xlkpi.sample_data import demo_month

    month = demo_month()
    path = Path(folder) / f"xlkpi_demo_{month.month}.xlsx"
    Path(folder).mkdir(parents=True, exist_ok=True)
    if progress:
        progress("build", 0.0)
    had = path.exists() or backup_path(path).exists()
    atomic_replace(path, lambda tmp: build_workbook(tmp, month=month))
    if progress:
        recalc(path, progress=progress)
    else:
        recalc(path)
    if not had:  # no backup of a file the user never had
        backup_path(path).unlink(missing_ok=True)
    return path


def close(path: Path, key: bytes | None = None) -> CloseResult:
    """Seal the month: store hashes and sealed values of inputs, policy and results.

    With ``key`` (bytes of a key file kept outside the workbook) the seal is also signed
    (HMAC-SHA256), so only a holder of the key can re-seal an edited month (see
    xlkpi.workbook.seal).
    """
    from xlkpi.workbook.lock import workbook_lock
    from xlkpi.workbook.seal import seal_updates as sealed

    path = Path(path)
    with workbook_lock(path):
        check_unlocked(path)
        contents = read_workbook(path)
        if contents.status == STATUS_SEALED:
            raise SealedMonthError(t("seal.already", name=path.name, month=contents.month_name))
        result = compute_checked(contents)
        require_current(contents, " before closing the month")
        require_payroll_matches(contents, result)
        updates = sealed(contents, key)
        edits = {META: meta_edit(contents, updates)}
        backup = atomic_replace(path, lambda tmp: patch_workbook(path, tmp, edits))
    seal = updates[META_SEAL_HASH]
    return CloseResult(path, contents.month_name, seal, len(result.results), result.total, backup)


def seal_updates(contents: WorkbookContents, key: bytes | None = None) -> dict[str, str]:
    """The meta keys a seal sets (see :func:`xlkpi.workbook.seal.seal_updates`)."""
    from xlkpi.workbook.seal import seal_updates as sealed

    return sealed(contents, key)


def require_payroll_matches(contents: WorkbookContents, result: MonthResult) -> None:
    """The Payroll's stored totals must be the engine's, row for row."""
    sheet = contents.sheets.get(PAYROLL.name)
    if sheet is None:
        raise WorkbookError(f"the {PAYROLL.name} sheet is missing; restore it from the template")
    id_col = sheet.headers.get(PAYROLL.column("id").header)
    total_col = sheet.headers.get(PAYROLL.column("total").header)
    if id_col is None or total_col is None:
        raise WorkbookError(f"the {PAYROLL.name} sheet has lost its 工号 / 应发工资 headers")
    for i, r in enumerate(result.results):
        row = FIRST_DATA_ROW + i
        stored_id = str(payroll_values(r)["id"])
        found_id = sheet.value(row, id_col)
        found = sheet.value(row, total_col)
        if (
            str(found_id).strip() != stored_id
            or not isinstance(found, int | float)
            or (Decimal(repr(float(found))) != r.total)
        ):
            raise WorkbookError(
                f"{PAYROLL.name}!{ref(total_col, row)} shows {found!r} for {stored_id}, but the "
                f"engine gives {r.total}; run `xlkpi recalc {contents.path}` before closing"
            )


_require_payroll_matches = require_payroll_matches  # the name xlkpi.addin.macros first used
