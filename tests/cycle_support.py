"""Small month workbooks for the cycle tests, written with openpyxl straight from xlkpi.layout.

``write_book(path, month)`` lays a :class:`Month` out exactly as the layout contract says (roster,
attendance, sales, teams, supervisor/self and scorecard sheets, history, empty Payroll / Alerts,
the hidden meta sheet). Scores are split so the reader gets the month's score back: scorecard
plans fill the items greedily, the others put the score in both supervisor and self columns.
``set_cell`` / ``rename_sheet`` / ``delete_row`` make the broken variants the tests need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from decimal import Decimal
from pathlib import Path

import openpyxl

from xlkpi import layout
from xlkpi.inputs import Month, MonthInput, Shop
from xlkpi.layout import ATTENDANCE, HISTORY, ROSTER, SALES, SUPERVISOR_SELF, TEAMS
from xlkpi.payplans import PLAN_LABELS
from xlkpi.policy import Policy
from xlkpi.policy_io import default_policy


def _num(value: Decimal | int | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def split_score(score: Decimal, maxima: list[Decimal]) -> list[Decimal]:
    """Item points adding up to ``score``, each within its maximum (greedy)."""
    left = score
    out = []
    for cap in maxima:
        take = min(cap, left)
        out.append(take)
        left -= take
    return out


def as_written(month: Month, policy: Policy | None = None) -> Month:
    """The month as a workbook holds it: only the inputs each plan reads (the others at their
    defaults), scorecard scores capped at the card's maximum."""
    policy = policy or default_policy()
    inputs = dict(month.inputs)
    blank = {f.name: f.default for f in fields(MonthInput)}
    for e in month.employees:
        unread = {
            name: blank[name]
            for name in blank
            if name != "employee_id" and not layout.plan_reads_field(name, e.plan, policy)
        }
        inputs[e.id] = replace(inputs[e.id], **unread)
        key = layout.scorecard_of(e.plan, policy)
        score = inputs[e.id].score
        if key and score is not None:
            card = policy.scorecards[key]
            points = sum((item.maximum for item in card.items), Decimal(0))
            top = min(points * 100 / card.total, policy.score.maximum_for(e.plan))
            if score > top:
                inputs[e.id] = replace(inputs[e.id], score=top)
    return replace(month, inputs=inputs)


def write_book(path: Path, month: Month, policy: Policy | None = None) -> Path:
    """A filled month workbook for ``month`` following xlkpi.layout (default policy)."""
    policy = policy or default_policy()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet(ROSTER.name)
    ws.append(ROSTER.headers)
    for e in month.employees:
        ws.append(
            [
                e.id,
                e.name,
                PLAN_LABELS[e.plan][0],
                layout.LEVEL_LABELS[e.level],
                e.hire_date,
                layout.BOOL_LABELS[e.trial],
                _num(e.base_pay),
                _num(e.post_pay),
                e.team,
                {r.name: r.label for r in policy.ranks.ladder}.get(e.rank, e.rank),
            ]
        )
    for sheet_layout in (ATTENDANCE, SALES):
        ws = wb.create_sheet(sheet_layout.name)
        ws.append(sheet_layout.headers)
        for i, e in enumerate(month.employees, start=2):
            inp = month.inputs[e.id]
            row: list[object] = [e.id, f"=VLOOKUP(A{i},'{ROSTER.name}'!A:B,2,FALSE)"]
            for c in layout.month_columns(sheet_layout):
                value = getattr(inp, c.field) if c.reads(e.plan, policy) else None
                row.append(c.shown(_num(value) if not isinstance(value, str) else value))
            ws.append(row)
    ws = wb.create_sheet(layout.SHOPS.name)
    ws.append(layout.SHOPS.headers)
    for shop in month.shops:
        ws.append(
            [
                shop.name,
                _num(shop.orders),
                _num(shop.returns),
                _num(shop.shipping_paid),
                _num(shop.target),
                shop.group or None,
            ]
        )
    ws[layout.PUBLIC_SALES_LABEL_CELL] = layout.PUBLIC_SALES_LABEL
    ws[layout.PUBLIC_SALES_CELL] = _num(month.public_sales)
    ws = wb.create_sheet(TEAMS.name)
    ws.append(TEAMS.headers)
    for team, target in month.team_targets.items():
        ws.append([team, _num(target)])
    ws = wb.create_sheet(SUPERVISOR_SELF.name)
    ws.append(SUPERVISOR_SELF.headers)
    carded: dict[str, list] = {k: [] for k in layout.SCORECARD_SHEETS}
    for i, e in enumerate(month.employees, start=2):
        score = month.inputs[e.id].score
        key = layout.scorecard_of(e.plan, policy)
        if key:
            carded[key].append(e)
            continue
        if not layout.SCORE_COLUMN.reads(e.plan, policy):
            continue
        ws.append([e.id, f"=VLOOKUP(A{i},'{ROSTER.name}'!A:B,2,FALSE)", _num(score), _num(score)])
    for key, name in layout.SCORECARD_SHEETS.items():
        card = policy.scorecards[key]
        ws = wb.create_sheet(name)
        ws.append(["工号", "姓名", *(item.label for item in card.items), "合计"])
        for e in carded[key]:
            score = month.inputs[e.id].score
            points = split_score(score * card.total / 100, [item.maximum for item in card.items])
            ws.append([e.id, e.name, *(_num(p) for p in points)])
    ws = wb.create_sheet(layout.TAX_INPUTS.name)
    ws.append(layout.TAX_INPUTS.headers)
    for e in month.employees:
        entry = month.tax_inputs.get(e.id)
        row: list[object] = [e.id, e.name]
        for column in layout.TAX_INPUTS.columns[2:]:
            value = getattr(entry, column.field, None) if column.is_input else None
            row.append(_num(value) if value else None)
        ws.append(row)
    for sheet_layout in (layout.PAYROLL, layout.ALERTS, layout.TAX_SHEET):
        wb.create_sheet(sheet_layout.name).append(sheet_layout.headers)
    ws = wb.create_sheet(HISTORY.name)
    ws.append(HISTORY.headers)
    names = {e.id: e.name for e in month.employees}
    for h in month.history:
        ws.append(
            [
                h.month,
                h.employee_id,
                names.get(h.employee_id, ""),
                _num(h.score),
                layout.GRADE_LABELS.get(h.grade, h.grade),
                _num(h.coefficient),
                _num(h.total),
                h.rank,
                h.complaints,
            ]
        )
    from workbook_templates.policy_sheet import write_policy_sheet

    write_policy_sheet(wb.create_sheet(layout.POLICY), policy)
    ws = wb.create_sheet(layout.META)
    ws.append(["month", month.month])
    ws.append(["status", "new"])
    ws.sheet_state = "hidden"
    wb.save(path)
    return Path(path)


def set_cell(path: Path, sheet: str, cell: str, value: object) -> None:
    """Change one cell with openpyxl (formulas elsewhere are kept)."""
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def rename_sheet(path: Path, old: str, new: str) -> None:
    """Rename a sheet."""
    wb = openpyxl.load_workbook(path)
    wb[old].title = new
    wb.save(path)


def delete_row(path: Path, sheet: str, row: int) -> None:
    """Delete one row of a sheet."""
    wb = openpyxl.load_workbook(path)
    wb[sheet].delete_rows(row)
    wb.save(path)


def patch_cell(path: Path, sheet: str, cell: str, value: object) -> None:
    """Change one cell keeping every other byte (cached values included), as Excel would."""
    from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

    tmp = Path(path).with_suffix(".tmp.xlsx")
    patch_workbook(Path(path), tmp, {sheet: SheetEdit(values={cell: value})})  # type: ignore[dict-item]
    tmp.replace(path)


def fill_inputs(
    path: Path,
    inputs: dict[str, MonthInput],
    public_sales: Decimal,
    policy: Policy | None = None,
    shops: Sequence[Shop] = (),
) -> None:
    """Type a month's inputs into an existing workbook (rows found by 工号), keeping all else.

    Scorecard plans get their score spread over the card's items (the template's ``spread``);
    the other plans put it as both supervisor and self score. ``shops`` are typed on the 店铺
    rows of the same names (a new month keeps the names and clears the figures).
    """
    from workbook_templates.scorecards import spread
    from xlkpi.workbook.reader import read_workbook, scorecard_columns
    from xlkpi.workbook.sheets import public_sales_cell, ref
    from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

    policy = policy or default_policy()
    contents = read_workbook(path)
    edits: dict[str, dict[str, object]] = {}
    plans = {}
    roster = contents.sheets[ROSTER.name]
    plan_col = roster.headers["岗位/薪资方案"]
    for emp_id, row in contents.roster_rows.items():
        label = roster.value(row, plan_col)
        plans[emp_id] = layout.PLAN_BY_LABEL.get(label, label)
    for sheet_layout in (ATTENDANCE, SALES):
        sheet = contents.sheets[sheet_layout.name]
        cells = edits.setdefault(sheet.name, {})
        for emp_id, row in contents.id_rows[sheet.name].items():
            for column in layout.month_columns(sheet_layout):
                if not column.reads(plans[emp_id], policy):
                    continue
                value = column.shown(getattr(inputs[emp_id], column.field))
                cells[ref(sheet.headers[column.header], row)] = value
    sup = contents.sheets[SUPERVISOR_SELF.name]
    for emp_id, row in contents.id_rows.get(sup.name, {}).items():
        score = inputs[emp_id].score
        edits.setdefault(sup.name, {})[f"C{row}"] = score
        edits[sup.name][f"D{row}"] = score
    for key, name in layout.SCORECARD_SHEETS.items():
        sheet = contents.sheets[name]
        cols = scorecard_columns(sheet, key, policy)
        card = policy.scorecards[key]
        for emp_id, row in contents.id_rows.get(name, {}).items():
            score = inputs[emp_id].score
            assert score is not None
            points, rest = spread(score, card)
            cells = edits.setdefault(name, {})
            for item, value in zip(card.items, points, strict=True):
                cells[ref(cols[item.code], row)] = value
            if "bonus_points" in cols:
                cells[ref(cols["bonus_points"], row)] = rest if rest else None
    shop_sheet = contents.sheets[layout.SHOPS.name]
    where = public_sales_cell(shop_sheet)
    assert where is not None
    shop_cells = edits.setdefault(layout.SHOPS.name, {})
    shop_cells[ref(where[1], where[0])] = public_sales
    by_name = {shop.name: shop for shop in shops}
    h = shop_sheet.headers
    for r in range(layout.FIRST_DATA_ROW, shop_sheet.last_row + 1):
        shop = by_name.get(str(shop_sheet.value(r, h["店铺名称"])))
        if shop is None:
            continue
        for field in ("orders", "returns", "shipping_paid", "target"):
            column = layout.SHOPS.column(field)
            shop_cells[ref(h[column.header], r)] = getattr(shop, field)
    tmp = Path(path).with_suffix(".fill.xlsx")
    patch_workbook(Path(path), tmp, {k: SheetEdit(values=v) for k, v in edits.items()})  # type: ignore[arg-type]
    tmp.replace(path)
