"""Lookup bounds that scale with the workbook: formulas, validation and shading past row 2001."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from workbook_templates import build_workbook, payroll_formulas
from workbook_templates.build import row_bounds
from xlkpi import layout
from xlkpi.inputs import Month
from xlkpi.layout import (
    ALERTS,
    ATTENDANCE,
    FIRST_DATA_ROW,
    HISTORY_LAST_ROW,
    LAST_DATA_ROW,
    PAYROLL,
    ROSTER,
    SALES,
    SPARE_ROWS,
    TEAMS,
    data_last_row,
    history_last_row,
)
from xlkpi.policy_io import default_policy
from xlkpi.recalc import FormulaCache, recalc
from xlkpi.sample_data import demo_month, synthetic_month
from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook, read_formulas

STAFF = 2_100
LAST_STAFF_ROW = FIRST_DATA_ROW + STAFF - 1  # 2101: beyond the default bound 2001
LAST_SPARE_ROW = LAST_STAFF_ROW + SPARE_ROWS  # new staff typed below the data must be found too
HISTORY_SHEET = layout.HISTORY.name

# A range starting at the first data row: optional sheet, then $A$2:$A$2001 (any $ optional).
_RANGE = re.compile(
    r"(?:(?P<sheet>'[^']+'|[^\s'!,(=&+\-*/]+)!)?"
    r"\$?[A-Z]{1,3}\$?(?P<first>\d+):\$?[A-Z]{1,3}\$?(?P<last>\d+)"
)


def data_ranges(formula: str) -> list[tuple[str, int]]:
    """(sheet or '' for the formula's own sheet, last row) of each range starting at row 2."""
    out = []
    for m in _RANGE.finditer(formula):
        if int(m["first"]) == FIRST_DATA_ROW:
            out.append(((m["sheet"] or "").strip("'"), int(m["last"])))
    return out


def assert_covers(formulas: dict[str, str], month: Month) -> int:
    """Every lookup range of every staff row's formula reaches the spare rows below the staff."""
    checked = 0
    records = len(month.history)
    history_bound = history_last_row(records, STAFF)
    for cell, formula in formulas.items():
        if int(re.sub("[A-Z]", "", cell)) > LAST_STAFF_ROW:
            continue  # the 合计 row sums the staff rows, checked on its own
        if ",PAY_TABLE(" in formula:
            continue  # the array's blocks end at each sheet's used rows: assert_table_covers
        for sheet, last in data_ranges(formula):
            if sheet == HISTORY_SHEET:
                assert last == history_bound, (cell, formula)
                assert last >= FIRST_DATA_ROW + records - 1 + STAFF, (cell, formula)
            else:
                assert last >= LAST_SPARE_ROW, (cell, formula)
            checked += 1
    return checked


def assert_table_covers(formulas: dict[str, str]) -> None:
    """The 工资表's array formula spans every staff row, and its ids and per-employee input
    blocks (花名册, 考勤, 业绩) reach the last employee's row."""
    table = formulas[f"{PAYROLL.letter('score')}{FIRST_DATA_ROW}"]
    assert table.startswith("=IF(ISERROR(AMOUNT(0)),") and ",PAY_TABLE(" in table
    lasts = {
        sheet: int(m["last"])
        for m in re.finditer(
            r"(?:(?P<sheet>'[^']+'|\w+)!)?\$[A-Z]+\$\d+:\$[A-Z]+\$(?P<last>\d+)", table
        )
        for sheet in [(m["sheet"] or "").strip("'")]
    }
    assert lasts[""] == LAST_STAFF_ROW  # the ids
    for sheet in (ROSTER.name, ATTENDANCE.name, SALES.name):  # not the formulas' spare rows
        assert lasts[sheet] == LAST_STAFF_ROW, sheet


@pytest.fixture(scope="module")
def month() -> Month:
    return synthetic_month(STAFF)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, month: Month) -> Path:
    return build_workbook(tmp_path_factory.mktemp("scale") / "big.xlsx", month=month)


def test_bounds_scale_with_the_staff_and_stay_put_for_small_workbooks() -> None:
    assert [data_last_row(n) for n in (0, 30, 1_800)] == [LAST_DATA_ROW] * 3
    assert [data_last_row(n) for n in (1_801, STAFF, 2_800, 2_801)] == [3001, 3001, 3001, 4001]
    assert data_last_row(10_000) == 11_001 and data_last_row(50_000) == 51_001
    for n in (0, 1, 1_800, 1_801, 2_799, 2_800, 9_999, 50_000):
        assert data_last_row(n) >= FIRST_DATA_ROW + n - 1 + SPARE_ROWS
    assert history_last_row(0, 0) == history_last_row(30, 30) == HISTORY_LAST_ROW
    assert history_last_row(0, 10_000) == 120_001  # a year of 10,000 staff
    assert history_last_row(120_000, 10_000) == 240_001
    assert history_last_row(600_000, 50_000) == layout.EXCEL_LAST_ROW  # never past Excel's
    assert row_bounds(None) == (LAST_DATA_ROW, HISTORY_LAST_ROW)
    assert row_bounds(demo_month()) == (LAST_DATA_ROW, HISTORY_LAST_ROW)


def test_default_formulas_keep_the_default_bounds() -> None:
    policy = default_policy()
    for emp in demo_month().employees:
        formulas = payroll_formulas(5, emp, policy)
        explicit = payroll_formulas(
            5, emp, policy, last_row=LAST_DATA_ROW, history_last_row=HISTORY_LAST_ROW
        )
        assert formulas == explicit
        ranges = [r for f in formulas.values() for r in data_ranges(f)]
        assert ranges and {last for _s, last in ranges} <= {LAST_DATA_ROW, HISTORY_LAST_ROW}


def test_payroll_formulas_follow_the_bounds_they_are_given() -> None:
    policy = default_policy()
    for emp in demo_month().employees:
        formulas = payroll_formulas(2_500, emp, policy, last_row=11_001, history_last_row=130_001)
        ranges = [r for f in formulas.values() for r in data_ranges(f)]
        assert ranges
        for sheet, last in ranges:
            assert last == (130_001 if sheet == HISTORY_SHEET else 11_001), (emp.plan, sheet)


def test_formula_cache_passes_its_bounds() -> None:
    policy = default_policy()
    cache = FormulaCache(payroll_formulas, policy, last_row=3001, history_last_row=60_001)
    for row, emp in enumerate(demo_month().employees, start=2_090):
        assert cache(row, emp) == payroll_formulas(
            row, emp, policy, last_row=3001, history_last_row=60_001
        )
    assert all(pattern is not None for pattern in cache.by_plan.values())
    default = FormulaCache(payroll_formulas, policy)
    emp = demo_month().employees[0]
    assert default(7, emp) != cache(7, emp)  # the bound is part of what is cached


def test_built_payroll_finds_every_employee(built: Path, month: Month) -> None:
    formulas = read_formulas(built, PAYROLL.name)
    total = PAYROLL.letter("total")
    assert f"{total}{LAST_STAFF_ROW}" in formulas
    assert formulas[f"{total}{LAST_STAFF_ROW + 1}"] == (
        "=" + layout.money_sum_formula(total, LAST_STAFF_ROW)
    )
    assert assert_covers(formulas, month) > 5 * STAFF
    assert_table_covers(formulas)
    # the last employee's own row is looked up like the first one's
    last_row = {c: f for c, f in formulas.items() if re.fullmatch(rf"[A-Z]+{LAST_STAFF_ROW}", c)}
    roster_row = last_row[f"{PAYROLL.letter('roster_row')}{LAST_STAFF_ROW}"]
    assert f"$A${data_last_row(STAFF)}" in roster_row


def test_built_input_sheets_reach_the_bound(built: Path) -> None:
    bound = data_last_row(STAFF)
    for sheet in (ATTENDANCE.name, SALES.name, layout.SUPERVISOR_SELF.name):
        formulas = read_formulas(built, sheet)
        assert formulas
        for cell, formula in formulas.items():
            for _sheet, last in data_ranges(formula):
                assert last == bound, (sheet, cell, formula)
    teams = read_formulas(built, TEAMS.name)
    team_sales = [f for c, f in teams.items() if c.startswith(TEAMS.letter("team_sales"))]
    assert team_sales
    for formula in team_sales:  # native, per team row, over the Payroll's bounded rows
        lasts = [last for _s, last in data_ranges(formula)]
        assert lasts and all(last == bound for last in lasts), formula


def test_built_validation_and_shading_reach_the_bound(built: Path) -> None:
    bound = data_last_row(STAFF)
    wb = openpyxl.load_workbook(built)
    for name in (ROSTER.name, ATTENDANCE.name, SALES.name, *layout.SCORECARD_SHEETS.values()):
        ws = wb[name]
        ranges = [str(r) for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges]
        assert ranges, name
        for ref in ranges:
            assert ref.endswith(str(bound)) and int(ref.split(":")[1][1:]) >= LAST_SPARE_ROW
    # input cells are unlocked down to the spare rows
    roster = wb[ROSTER.name]
    assert roster[f"A{LAST_SPARE_ROW}"].protection.locked is False
    alerts = wb[ALERTS.name].conditional_formatting
    areas = [str(r) for cf in alerts for r in cf.sqref.ranges]
    assert areas and all(a.endswith(str(bound)) for a in areas)


def test_recalc_regenerates_formulas_that_find_every_employee(
    tmp_path: Path, built: Path, month: Month
) -> None:
    # the last employee's row as a workbook bounded at row 2001 would have it
    book = tmp_path / "big.xlsx"
    policy = default_policy().at(month.month)
    emp = month.employees[-1]
    letters = {c.field: PAYROLL.letter(c.field) for c in PAYROLL.columns}
    narrow = {
        f"{letters[f]}{LAST_STAFF_ROW}": formula
        for f, formula in payroll_formulas(LAST_STAFF_ROW, emp, policy).items()
    }
    assert any(last == LAST_DATA_ROW for f in narrow.values() for _s, last in data_ranges(f))
    patch_workbook(built, book, {PAYROLL.name: SheetEdit(formulas=narrow)})
    result = recalc(book)
    assert len(result.result.results) == STAFF
    formulas = read_formulas(book, PAYROLL.name)
    assert formulas == read_formulas(built, PAYROLL.name)  # the builder's formulas, exactly
    assert assert_covers(formulas, month) > 5 * STAFF
    assert_table_covers(formulas)
    teams = read_formulas(book, TEAMS.name)
    team_sales = [f for c, f in teams.items() if c.startswith(TEAMS.letter("team_sales"))]
    bound = data_last_row(STAFF)
    assert team_sales and all(last == bound for f in team_sales for _s, last in data_ranges(f))
    assert set(team_sales) <= set(read_formulas(built, TEAMS.name).values())
