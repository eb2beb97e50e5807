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

from xlkpi import builds, layout
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
    readme_status_edit,
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


def require_current(contents: WorkbookContents, then: str = "") -> None:
    """Refuse a workbook whose Payroll does not reflect its inputs (never recalculated / stale).

    ``then`` is the message key of what to do after recalculating (``cycle.then_close``, …).
    """
    name = contents.path.name
    after = t(then) if then else ""
    if contents.status not in (STATUS_RECALCULATED, STATUS_SEALED):
        month = contents.month_name or t("cycle.no_month")
        raise WorkbookError(
            t("cycle.never_recalculated", name=name, month=month, path=contents.path, then=after)
        )
    if contents.meta.get(META_INPUT_HASH, "") != contents.input_hash:
        raise WorkbookError(t("cycle.stale", name=name, path=contents.path, then=after))


def _validate_month(month: str) -> None:
    if not MONTH_RE.match(month or ""):
        raise WorkbookError(t("cycle.bad_month", month=month))


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
        raise WorkbookError(t("cycle.sheet_missing", sheet=HISTORY.name))
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
        raise WorkbookError(t("cycle.policy_layout", month=month, sheet=POLICY))
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


def _stamp(contents: WorkbookContents, month: str, build: str | None = None) -> SheetEdit:
    updates = {META_MONTH: month, META_STATUS: STATUS_NEW}
    if build is not None and (build != builds.DEFAULT_BUILD or builds.META_BUILD in contents.meta):
        updates[builds.META_BUILD] = build
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
    formulas: str | None = None,
) -> NewMonthResult:
    """Start ``month`` in a new workbook ``out``: from last month's workbook or the template.

    Without ``source`` the template is built (``workbook_templates.build_workbook``).
    ``force`` accepts a predecessor that was not recalculated (its History rows are then
    computed from its inputs as they are) and overwrites an existing ``out``.
    ``formulas`` is the build (:mod:`xlkpi.builds`); None keeps the source's (the template:
    the add-in build). An add-in book may become native; a native book stays native.
    """
    _validate_month(month)
    if formulas is not None:
        builds.check_build(formulas)
    out = Path(out)
    if out.exists() and not force:
        raise WorkbookError(t("cycle.out_exists", path=out))
    if source is None:
        return _from_template(month, out, formulas or builds.DEFAULT_BUILD)
    source = Path(source)
    if out.resolve() == source.resolve():
        raise WorkbookError(t("cycle.out_is_source"))
    contents = read_workbook(source)
    current = builds.build_of(contents.meta)
    wanted = formulas or current
    if not builds.conversion_allowed(current, wanted):
        raise WorkbookError(t("build.no_downgrade", name=source.name))
    warnings: list[str] = []
    if not force:
        require_current(contents, "cycle.then_force")
    elif contents.status not in (STATUS_RECALCULATED, STATUS_SEALED):
        warnings.append(t("cycle.forced", name=source.name))
    previous = contents.month_name
    if previous and month <= previous:
        raise WorkbookError(
            t("cycle.month_order", name=source.name, previous=previous, month=month)
        )
    result = compute_checked(contents)
    rows, skipped = history_rows(result, contents)
    edits = clear_inputs_edits(contents, month)
    edits[HISTORY.name] = _history_edit(contents.sheets.get(HISTORY.name), rows)
    edits[PAYROLL.name] = SheetEdit(clear_rows_from=FIRST_DATA_ROW)
    edits[ALERTS.name] = SheetEdit(clear_rows_from=FIRST_DATA_ROW)
    if layout.TAX_SHEET.name in contents.sheet_names:
        edits[layout.TAX_SHEET.name] = SheetEdit(clear_rows_from=FIRST_DATA_ROW)
    edits[META] = _stamp(contents, month, wanted)
    if wanted != current:
        _convert_edits(contents, edits, wanted)
    readme_status_edit(edits, contents, month, STATUS_NEW)
    policy_edit = policy_sheet_edit(contents, month)
    if policy_edit is not None:
        edits[POLICY] = policy_edit
        warnings.append(t("cycle.changes_due", month=month, sheet=POLICY))
    atomic_replace(out, lambda tmp: patch_workbook(source, tmp, edits), backup=False)
    return NewMonthResult(out, month, previous, len(rows), skipped, len(result.results), warnings)


def _convert_edits(contents: WorkbookContents, edits: dict[str, SheetEdit], build: str) -> None:
    """Turn an add-in book into the native build (the only conversion allowed): the input
    sheets' computed cells get their native formulas, the add-in notice gives way to the line
    naming the build. Formula cells only; the Payroll is written by the next recalc."""
    from workbook_templates.native.workbook import input_formulas, readme_line
    from workbook_templates.payroll import README_NOTICE_CELL, notice_cell
    from workbook_templates.readme_sheet import BUILD_CELL

    if build != builds.NATIVE:
        raise WorkbookError(t("build.no_downgrade", name=contents.path.name))
    rows: dict[str, list[int]] = {}
    for name in (*layout.SCORECARD_SHEETS.values(), SUPERVISOR_SELF.name, TEAMS.name):
        sheet = contents.sheets.get(name)
        if sheet is not None:
            rows[name] = [
                r
                for r in range(FIRST_DATA_ROW, sheet.last_row + 1)
                if sheet.value(r, 0) not in ("", None)
            ]
    last = layout.data_last_row(len(contents.month.employees) if contents.month else 0)
    for name, cells in input_formulas(contents.policy, rows, last).items():  # type: ignore[arg-type]
        edit = edits.setdefault(name, SheetEdit())
        edit.formulas.update(cells)
    edits[PAYROLL.name].formulas[notice_cell()] = '""'
    edits[PAYROLL.name].values[notice_cell()] = ""
    if layout.README in contents.sheet_names:
        text = readme_line()
        readme = edits.setdefault(layout.README, SheetEdit())
        readme.formulas[README_NOTICE_CELL] = '"' + text.replace('"', '""') + '"'
        readme.values[README_NOTICE_CELL] = text
        build_text = t("readme.build.native", lang=contents.lang)
        readme.values[BUILD_CELL] = build_text


def _from_template(month: str, out: Path, build: str = builds.DEFAULT_BUILD) -> NewMonthResult:
    """The blank template (of ``build``) with the month stamped in its meta sheet."""
    from workbook_templates import build_workbook

    def write(tmp: Path) -> None:
        blank = tmp.with_name(tmp.stem + ".template.xlsx")
        try:
            build_workbook(blank, build=build)
            _names, sheets = load_sheets(blank, [META, layout.README])
            meta, rows = read_meta(sheets.get(META))
            contents = WorkbookContents(blank, [], sheets, None, None, [], meta, rows, {})
            edits = {META: _stamp(contents, month, build)}
            readme_status_edit(edits, contents, month, STATUS_NEW)
            patch_workbook(blank, tmp, edits)
        finally:
            blank.unlink(missing_ok=True)

    atomic_replace(out, write, backup=False)
    return NewMonthResult(out, month, "", 0, 0, 0)


def write_demo_workbook(
    folder: Path, progress: ProgressFn | None = None, build: str = builds.DEFAULT_BUILD
) -> Path:
    """The demo shop's month as a filled workbook in ``folder``, recalculated; returns its path.

    ``build``: the add-in's formulas or native ones (:mod:`xlkpi.builds`)."""
    from workbook_templates import build_workbook
    from xlkpi.recalc import recalc
    from xlkpi.sample_data import demo_month

    month = demo_month()
    path = Path(folder) / f"xlkpi_demo_{month.month}.xlsx"
    Path(folder).mkdir(parents=True, exist_ok=True)
    if progress:
        progress("build", 0.0)
    had = path.exists() or backup_path(path).exists()
    atomic_replace(path, lambda tmp: build_workbook(tmp, month=month, build=build))
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
        require_current(contents, "cycle.then_close")
        require_payroll_matches(contents, result)
        updates = sealed(contents, key)
        edits = {META: meta_edit(contents, updates)}
        readme_status_edit(edits, contents, contents.month_name, STATUS_SEALED)
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
        raise WorkbookError(t("cycle.sheet_missing", sheet=PAYROLL.name))
    id_col = sheet.headers.get(PAYROLL.column("id").header)
    total_col = sheet.headers.get(PAYROLL.column("total").header)
    if id_col is None or total_col is None:
        raise WorkbookError(
            t(
                "cycle.payroll_headers",
                sheet=PAYROLL.name,
                id=PAYROLL.column("id").header,
                total=PAYROLL.column("total").header,
            )
        )
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
                t(
                    "cycle.payroll_mismatch",
                    sheet=PAYROLL.name,
                    cell=ref(total_col, row),
                    found=found if found not in ("", None) else t("seal.blank"),
                    id=stored_id,
                    total=r.total,
                    path=contents.path,
                )
            )


_require_payroll_matches = require_payroll_matches  # the name xlkpi.addin.macros first used
