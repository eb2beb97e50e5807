"""The input sheets: 花名册, 考勤, 业绩, 店铺 (shops and public sales), 团队目标, 主管自评."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from workbook_templates.native.inputs import team_sales_formula as native_team_sales
from workbook_templates.policy_sheet import name_of
from workbook_templates.style import (
    AMOUNT_FORMAT,
    FORMATS,
    HEADER_FONT,
    INPUT_FILL,
    PERCENT_FORMAT,
    UNLOCKED,
    shade_not_read,
    style_header,
    unlock_inputs,
)
from workbook_templates.validation import add_validations
from xlkpi import layout
from xlkpi.inputs import Employee, Month, MonthInput
from xlkpi.layout import (
    ATTENDANCE,
    BOOL_LABELS,
    FIRST_DATA_ROW,
    LAST_DATA_ROW,
    LEVEL_LABELS,
    ROSTER,
    SALES,
    SHOPS,
    SPARE_ROWS,
    SUPERVISOR_SELF,
    TEAMS,
    SheetLayout,
)
from xlkpi.payplans import PLAN_LABELS
from xlkpi.policy import Policy


def cell_value(value: object) -> object:
    """A value as written to a cell (Decimals as int / float from their text)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(str(value))
    return value


def name_formula(row: int, last_row: int = LAST_DATA_ROW) -> str:
    """The 姓名 column of an input sheet: looked up on the roster (rows 2..``last_row``) by id."""
    ids = f"{quote_sheetname(ROSTER.name)}!$A${FIRST_DATA_ROW}:$A${last_row}"
    names = f"{quote_sheetname(ROSTER.name)}!$B${FIRST_DATA_ROW}:$B${last_row}"
    return f'=IFERROR(INDEX({names},MATCH($A{row},{ids},0)),"")'


# Spare rows below the data that get the computed columns' formulas. Not all SPARE_ROWS: a
# formula returning "" is content to a printer, so 200 of them printed five blank pages per
# sheet; 30 leave room for a template month's staff and new hires, and print on the data's pages.
FORMULA_SPARE_ROWS = 30


def guarded(row: int, formula: str) -> str:
    """``formula`` computed only on a row whose first column (工号, shop, team) is filled; a
    spare row stays blank (and calls no UDF)."""
    return f'=IF($A{row}="","",{formula.removeprefix("=")})'


def write_formulas(
    ws: Worksheet,
    sheet: SheetLayout,
    formulas: dict[str, Callable[[int], str]],
    rows: int,
    formats: dict[str, str] | None = None,
) -> None:
    """The computed columns (field → formula of a row) in every data row and the
    :data:`FORMULA_SPARE_ROWS` rows below.

    A month started from the template has the same live formulas, with the same number
    formats, as a filled month: a row HR types an 工号 into computes at once (rows further
    down get their values from ``xlkpi recalc``).
    """
    for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + rows + FORMULA_SPARE_ROWS):
        for fieldname, formula in formulas.items():
            cell = ws[f"{sheet.letter(fieldname)}{row}"]
            cell.value = formula(row)
            if formats and fieldname in formats:
                cell.number_format = formats[fieldname]


def _lookups(last_row: int) -> dict[str, Callable[[int], str]]:
    """The 姓名 and 岗位 lookups of a per-employee sheet."""
    return {
        "name": lambda row: name_formula(row, last_row),
        layout.PLAN_HELPER.field: lambda row: plan_formula(row, last_row),
    }


def _finish(
    ws: Worksheet, sheet: SheetLayout, policy: Policy, rows: int, last_row: int, lang: str
) -> None:
    unlock_inputs(ws, sheet, FIRST_DATA_ROW + rows + SPARE_ROWS - 1)
    add_validations(ws, sheet, policy, last_row, lang=lang)
    shade_not_read(ws, sheet, policy, last_row)


def _rank_label(code: str, policy: Policy) -> str:
    for rung in policy.ranks.ladder:
        if rung.name == code:
            return rung.label
    return code


def write_roster(
    ws: Worksheet,
    employees: list[Employee],
    policy: Policy,
    last_row: int = LAST_DATA_ROW,
    lang: str = "zh",
) -> None:
    """花名册: one row per employee; plan, level, trial and rank as their Chinese labels.

    ``last_row`` (``layout.data_last_row``) bounds the validated rows, as on every input sheet;
    ``lang`` is the book's language (its validation messages), as on every sheet writer.
    """
    ws.append(ROSTER.headers)
    style_header(ws, ROSTER)
    for emp in employees:
        ws.append(
            [
                emp.id,
                emp.name,
                PLAN_LABELS[emp.plan][0],
                LEVEL_LABELS.get(emp.level, emp.level),
                emp.hire_date,
                BOOL_LABELS[emp.trial],
                cell_value(emp.base_pay),
                cell_value(emp.post_pay),
                emp.team or None,
                _rank_label(emp.rank, policy) if emp.rank else None,
            ]
        )
    _finish(ws, ROSTER, policy, len(employees), last_row, lang)


def plan_formula(row: int, last_row: int = LAST_DATA_ROW) -> str:
    """The 岗位 helper column of a month sheet: the roster's plan of the row's 工号."""
    ids = f"{quote_sheetname(ROSTER.name)}!$A${FIRST_DATA_ROW}:$A${last_row}"
    plans = f"{quote_sheetname(ROSTER.name)}!$C${FIRST_DATA_ROW}:$C${last_row}"
    return f'=IFERROR(INDEX({plans},MATCH($A{row},{ids},0)),"")'


def _month_sheet(
    ws: Worksheet,
    sheet: SheetLayout,
    employees: list[Employee],
    month: Month | None,
    policy: Policy,
    last_row: int,
    lang: str,
) -> None:
    """A per-employee month sheet: only the inputs each plan reads are written (layout); a
    column the row's plan does not read holds 不适用 (``layout.not_applicable_text(lang)``)."""
    marker = layout.not_applicable_text(lang)
    ws.append(sheet.headers)
    style_header(ws, sheet)
    for emp in employees:
        inp: MonthInput | None = month.inputs.get(emp.id) if month else None
        cells: list[object] = []
        for column in sheet.columns:
            if column.field == "id":
                cells.append(emp.id)
            elif not column.is_input:
                cells.append(None)  # write_formulas
            elif not column.reads(emp.plan, policy):
                cells.append(marker)  # the roster's plan does not read it
            elif inp is None:
                cells.append(None)
            else:
                cells.append(column.shown(cell_value(getattr(inp, column.field))))
        ws.append(cells)
    write_formulas(ws, sheet, _lookups(last_row), len(employees))
    _finish(ws, sheet, policy, len(employees), last_row, lang)


def write_attendance(
    ws: Worksheet,
    employees: list[Employee],
    month: Month | None,
    policy: Policy,
    last_row: int = LAST_DATA_ROW,
    lang: str = "zh",
) -> None:
    """考勤: the month's attendance counts and days per employee."""
    _month_sheet(ws, ATTENDANCE, employees, month, policy, last_row, lang)


def write_tax_inputs(
    ws: Worksheet,
    employees: list[Employee],
    month: Month | None,
    policy: Policy,
    last_row: int = LAST_DATA_ROW,
    lang: str = "zh",
) -> None:
    """专项附加扣除: each employee's contribution base and special additional deductions."""
    sheet = layout.TAX_INPUTS
    ws.append(sheet.headers)
    style_header(ws, sheet)
    for emp in employees:
        entry = month.tax_inputs.get(emp.id) if month else None
        cells: list[object] = []
        for column in sheet.columns:
            if column.field == "id":
                cells.append(emp.id)
            elif not column.is_input:
                cells.append(None)  # write_formulas
            else:
                value = getattr(entry, column.field) if entry is not None else None
                cells.append(cell_value(column.shown(value)) if value else None)
        ws.append(cells)
    write_formulas(ws, sheet, _lookups(last_row), len(employees))
    _finish(ws, sheet, policy, len(employees), last_row, lang)


def write_sales(
    ws: Worksheet,
    employees: list[Employee],
    month: Month | None,
    policy: Policy,
    last_row: int = LAST_DATA_ROW,
    lang: str = "zh",
) -> None:
    """业绩: the month's sales, targets, reviews, complaints, rewards and deductions."""
    _month_sheet(ws, SALES, employees, month, policy, last_row, lang)


def completion_formula(row: int) -> str:
    """团队目标's completion, native: team sales ÷ target (blank without a target)."""
    sales, target = TEAMS.letter("team_sales"), TEAMS.letter("target")
    return f'=IF(N({target}{row})>0,{sales}{row}/{target}{row},"")'


def write_shops(
    ws: Worksheet,
    month: Month | None,
    policy: Policy,
    last_row: int = LAST_DATA_ROW,
    lang: str = "zh",
) -> dict[str, str]:
    """店铺: one row per shop (the doc-002 pool's inputs) and the public sales cell.

    Returns the defined name of the public sales cell.
    """
    ws.append(SHOPS.headers)
    style_header(ws, SHOPS)
    shops = list(month.shops) if month else []
    sales = SHOPS.letter("shop_sales")
    for shop in shops:
        ws.append(
            [
                shop.name,
                cell_value(shop.orders),
                cell_value(shop.returns),
                cell_value(shop.shipping_paid),
                cell_value(shop.target),
                shop.group or None,
            ]
        )
    formulas: dict[str, Callable[[int], str]] = {
        "shop_sales": lambda row: guarded(row, f"B{row}-C{row}-D{row}"),
        "completion": lambda row: f'=IF(N(E{row})>0,N({sales}{row})/E{row},"")',
    }
    formats = {"shop_sales": AMOUNT_FORMAT, "completion": PERCENT_FORMAT}
    write_formulas(ws, SHOPS, formulas, len(shops), formats)
    label, cell = layout.PUBLIC_SALES_LABEL_CELL, layout.PUBLIC_SALES_CELL
    ws[label] = layout.PUBLIC_SALES_LABEL
    ws[label].font = HEADER_FONT
    ws[cell] = cell_value(month.public_sales) if month and month.public_sales else None
    ws[cell].number_format = AMOUNT_FORMAT
    ws[cell].protection = UNLOCKED
    ws[cell].fill = INPUT_FILL
    ws.column_dimensions[label[0]].width = 18
    ws.column_dimensions[cell[0]].width = 14
    _finish(ws, SHOPS, policy, len(shops), last_row, lang)
    return {layout.PUBLIC_SALES_NAME: f"{quote_sheetname(ws.title)}!${cell[0]}${cell[1:]}"}


def team_sales_formula(row: int, last_row: int = LAST_DATA_ROW) -> str:
    """团队目标's team sales, native (no UDF call; the native build's formula twin): the pool
    members' net sales on the Payroll's rows 2..``last_row``, at least 0, for a filled row."""
    return guarded(row, native_team_sales(row, last_row))


def write_teams(
    ws: Worksheet,
    month: Month | None,
    policy: Policy,
    last_row: int = LAST_DATA_ROW,
    lang: str = "zh",
) -> None:
    """团队目标 (first version): team targets, team sales and completion (both native), read
    when present."""
    ws.append(TEAMS.headers)
    style_header(ws, TEAMS)
    teams = sorted(month.team_targets) if month else []
    for team in teams:
        ws.append([team, cell_value(month.team_targets[team]) if month else None])
    formulas: dict[str, Callable[[int], str]] = {
        "team_sales": lambda row: team_sales_formula(row, last_row),
        "completion": lambda row: guarded(row, completion_formula(row)),
    }
    formats = {"team_sales": AMOUNT_FORMAT, "completion": PERCENT_FORMAT}
    write_formulas(ws, TEAMS, formulas, len(teams), formats)
    _finish(ws, TEAMS, policy, len(teams), last_row, lang)


def weighted_score_formula(row: int) -> str:
    """主管自评's 绩效分数, native (no UDF call): supervisor × weight + self × weight (参数
    names; rules.md A8, the engine's ``weighted_score``), blank until both are filled."""
    sup, own = SUPERVISOR_SELF.letter("supervisor"), SUPERVISOR_SELF.letter("self")
    a, b = f"{sup}{row}", f"{own}{row}"
    return (
        f'=IF(OR({a}="",{b}=""),"",{a}*{name_of("score.supervisor_weight")}'
        f"+{b}*{name_of('score.self_weight')})"
    )


def write_supervisor_self(
    ws: Worksheet,
    employees: list[Employee],
    month: Month | None,
    policy: Policy,
    last_row: int = LAST_DATA_ROW,
    lang: str = "zh",
) -> None:
    """主管自评: supervisor and self scores of the plans without a scorecard; 75/25 score."""
    ws.append(SUPERVISOR_SELF.headers)
    style_header(ws, SUPERVISOR_SELF)
    reads = layout.SCORE_COLUMN
    staff = [
        e
        for e in employees
        if reads.reads(e.plan, policy) and layout.scorecard_of(e.plan, policy) is None
    ]
    for emp in staff:
        inp = month.inputs.get(emp.id) if month else None
        score = cell_value(inp.score) if inp and inp.score is not None else None
        ws.append([emp.id, None, score, score])
    formulas: dict[str, Callable[[int], str]] = {
        "name": lambda row: name_formula(row, last_row),
        "score": lambda row: guarded(row, weighted_score_formula(row)),  # native: no UDF call
    }
    write_formulas(ws, SUPERVISOR_SELF, formulas, len(staff), {"score": FORMATS["score"]})
    _finish(ws, SUPERVISOR_SELF, policy, len(staff), last_row, lang)
