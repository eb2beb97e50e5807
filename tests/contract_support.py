"""Small months for the input-contract tests: one employee per pay plan, plausible values.

``small_month()`` takes the demo month's first employee of every plan (the second version's
included), with their inputs, history and the demo's shops and team targets; ``CANDIDATES``
are plausible values of each kind, used to change one input at a time.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from xlkpi import layout
from xlkpi.inputs import Month
from xlkpi.payplans import PLANS
from xlkpi.policy import PLAN_CODES, Policy
from xlkpi.sample_data import demo_month

CANDIDATES: dict[str, tuple[object, ...]] = {
    "count": (0, 1, 2, 3, 5, 15),
    "days": (Decimal(0), Decimal("0.5"), Decimal(1), Decimal(4), Decimal(6), Decimal(20)),
    "hours": (Decimal(0), Decimal(3), Decimal(8), Decimal(40)),
    "amount": (Decimal(0), Decimal(500), Decimal(9000), Decimal(30000), Decimal(150000)),
    "ratio": (Decimal(0), Decimal("0.5"), Decimal(1), Decimal("1.2")),
    "score": (Decimal(0), Decimal(55), Decimal(68), Decimal(85), Decimal(98)),
    "choice": (),
}


def candidates(column: layout.Column) -> tuple[object, ...]:
    """Plausible values of ``column`` within its bounds (a choice column's codes)."""
    if column.kind == "choice":
        return tuple(code for code, _label in column.choices)
    low, high = column.bounds(Decimal(100))
    return tuple(
        v
        for v in CANDIDATES[column.kind]
        if (low is None or Decimal(str(v)) >= low) and (high is None or Decimal(str(v)) <= high)
    )


CLEAN = {f: 0 for f in ("lates", "early_leaves", "leaves", "late_minutes")} | {
    f: Decimal(0) for f in ("personal_leave_days", "sick_leave_days", "absences")
}


def clean_month(month: Month) -> Month:
    """The month with no attendance incident (so that one incident shows in pay)."""
    inputs = {i: replace(v, **CLEAN) for i, v in month.inputs.items()}
    return replace(month, inputs=inputs)


def small_month() -> Month:
    """The demo month cut down to its first employee of each plan (history kept for them)."""
    month = demo_month(plans=PLAN_CODES)
    first: dict[str, str] = {}
    for emp in month.employees:
        if emp.plan in PLANS:
            first.setdefault(emp.plan, emp.id)
    keep = set(first.values())
    employees = [e for e in month.employees if e.id in keep]
    return replace(
        month,
        employees=employees,
        inputs={i: v for i, v in month.inputs.items() if i in keep},
        history=[h for h in month.history if h.employee_id in keep],
    )


def month_input_columns() -> list[layout.Column]:
    """Every per-employee month input the contract declares (attendance, sales, the score)."""
    out = [layout.SCORE_COLUMN]
    for sheet in (layout.ATTENDANCE, layout.SALES):
        out += [c for c in layout.month_columns(sheet)]
    return out


def contract_month() -> Month:
    """``small_month`` (every plan, the demo's shops), as the workbook contract tests use it."""
    return small_month()


def input_cells(book: Path, month: Month, policy: Policy) -> list[tuple[str, str, layout.Column]]:
    """(sheet, cell, column) of one cell per input column of the workbook ``write_book`` made.

    Each cell is on the row of an employee whose plan reads the column (the first row when
    no plan of the month reads it); shops and team targets on their first row; the public
    sales cell; every scorecard item and 加分 on the card's first row.
    """
    from xlkpi.workbook.reader import read_workbook, scorecard_columns
    from xlkpi.workbook.sheets import ref

    contents = read_workbook(book)
    out: list[tuple[str, str, layout.Column]] = []
    rows = contents.roster_rows
    plan_of = {e.id: e.plan for e in month.employees}

    def row_reading(column: layout.Column, sheet: str) -> int:
        ids = contents.id_rows.get(sheet, rows)
        for emp in month.employees:
            if column.reads(emp.plan, policy) and emp.id in ids:
                return ids[emp.id]
        return min(ids.values())

    for sheet_layout in (layout.ROSTER, layout.ATTENDANCE, layout.SALES, layout.SUPERVISOR_SELF):
        sheet = contents.sheets[sheet_layout.name]
        for column in sheet_layout.inputs:
            if column.field == "id":
                continue
            if sheet_layout is layout.SUPERVISOR_SELF:
                r = min(contents.id_rows[sheet.name].values())
            else:
                r = row_reading(column, sheet.name)
            out.append((sheet.name, ref(sheet.headers[column.header], r), column))
    for sheet_layout, fields_ in ((layout.SHOPS, None), (layout.TEAMS, ("target",))):
        sheet = contents.sheets[sheet_layout.name]
        for column in sheet_layout.inputs:
            if fields_ is None or column.field in fields_:
                cell = ref(sheet.headers[column.header], layout.FIRST_DATA_ROW)
                out.append((sheet.name, cell, column))
    out.append((layout.SHOPS.name, layout.PUBLIC_SALES_CELL, layout.PUBLIC_SALES_COLUMN))
    for key, card in policy.scorecards.items():
        if not card.plans or not any(p in card.plans for p in plan_of.values()):
            continue
        name = layout.SCORECARD_SHEETS[key]
        cols = scorecard_columns(contents.sheets[name], key, policy)
        r = min(contents.id_rows[name].values())
        sheet_layout = layout.scorecard_layout(key, [(i.code, i.label) for i in card.items])
        for item in card.items:
            column = replace(sheet_layout.column(f"item:{item.code}"), maximum=item.maximum)
            out.append((name, ref(cols[item.code], r), column))
        if "bonus_points" in cols:
            out.append((name, ref(cols["bonus_points"], r), sheet_layout.column("bonus_points")))
    return out
