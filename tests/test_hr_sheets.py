"""The sheets HR sees (issue 9, items 3, 4 and 6): a template month is the demo month's twin,
each scorecard says whom it scores and shows its own total, and no zero passes silently.

The month's end-to-end run is tests/test_hr_month.py; printing is tests/test_print_pages.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.cycle_support import set_cell
from workbook_templates import build_workbook
from workbook_templates.input_sheets import FORMULA_SPARE_ROWS
from workbook_templates.scorecards import scope_note_cell, sheet_name
from workbook_templates.style import COMPUTED_FILL, INPUT_FILL
from xlkpi import layout
from xlkpi.engine import compute_month
from xlkpi.month_cycle import new_month
from xlkpi.payplans import plan_name
from xlkpi.policy_io import default_policy
from xlkpi.recalc import recalc
from xlkpi.rules import scorecard_score
from xlkpi.sample_data import demo_month
from xlkpi.workbook.reader import read_workbook

MONTH = "2026-11"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(a month started from the template, the recalculated demo month)."""
    root = tmp_path_factory.mktemp("twins")
    template = root / "template.xlsx"
    new_month(MONTH, template)
    demo = build_workbook(root / "demo.xlsx", month=demo_month())
    recalc(demo)
    return template, demo


def _sheets() -> list[str]:
    cards = [sheet_name(k) for k in default_policy().scorecards]
    per_row = (layout.ATTENDANCE, layout.SALES, layout.SUPERVISOR_SELF, layout.TAX_INPUTS)
    return [*(s.name for s in per_row), layout.SHOPS.name, layout.TEAMS.name, *cards]


def _shape(formula: object) -> str:
    """A formula with its row numbers taken out (row 2 of one book vs row 2 of the other)."""
    return re.sub(r"(?<=[A-Z])\d+(?![\d(])", "#", str(formula))


def test_a_template_month_has_the_demo_months_live_formulas_and_formats(
    books: tuple[Path, Path],
) -> None:
    """Issue 9, item 6: scorecard 总分, 主管自评 score, team and shop sales and completion, the
    name and plan lookups — as in the demo, and in the template's first spare rows."""
    template = openpyxl.load_workbook(books[0])
    demo = openpyxl.load_workbook(books[1])
    checked = 0
    for name in _sheets():
        t_ws, d_ws = template[name], demo[name]
        spare = layout.FIRST_DATA_ROW + FORMULA_SPARE_ROWS - 1  # the template's last such row
        for col in range(1, t_ws.max_column + 1):
            d_cell, t_cell = d_ws.cell(2, col), t_ws.cell(2, col)
            if isinstance(d_cell.value, str) and d_cell.value.startswith("="):
                if name in (layout.SHOPS.name, layout.TEAMS.name) and col == 1:
                    continue
                assert _shape(t_cell.value) == _shape(d_cell.value), (name, col)
                assert str(t_ws.cell(spare, col).value).startswith("="), (name, col, spare)
                checked += 1
            assert t_cell.number_format == d_cell.number_format, (name, col)
    assert checked >= 20


def test_a_template_month_has_the_demo_months_conditional_formats_and_validations(
    books: tuple[Path, Path],
) -> None:
    template = openpyxl.load_workbook(books[0])
    demo = openpyxl.load_workbook(books[1])
    for name in _sheets():

        def formats(wb: openpyxl.Workbook, name: str = name) -> set[tuple[str, str]]:
            return {
                (str(cf.sqref), str(rule.formula))
                for cf in wb[name].conditional_formatting
                for rule in cf.rules
            }

        def checks(wb: openpyxl.Workbook, name: str = name) -> set[tuple[str, str]]:
            return {
                (str(dv.sqref), str(dv.formula1)) for dv in wb[name].data_validations.dataValidation
            }

        assert formats(template) == formats(demo), name
        assert checks(template) == checks(demo), name


def test_a_template_months_formulas_stay_blank_on_spare_rows(books: tuple[Path, Path]) -> None:
    """A spare row stays blank until HR types an 工号 there (the IF guard); the total is native."""
    ws = openpyxl.load_workbook(books[0])[sheet_name("design")]
    total = ws.cell(2, [c.value for c in ws[1]].index(layout.SCORECARD_TOTAL_HEADER) + 1)
    assert str(total.value).startswith('=IF($A2="","",')  # blank until an 工号 is typed
    assert "SCORECARD_TOTAL" not in str(total.value)  # native: no UDF call at all


def test_input_cells_have_one_fill_and_computed_cells_another_on_every_sheet(
    books: tuple[Path, Path],
) -> None:
    wb = openpyxl.load_workbook(books[1])
    for sheet in (*layout.INPUT_SHEETS[:3], layout.SUPERVISOR_SELF, layout.TAX_INPUTS):
        ws = wb[sheet.name]
        for column in sheet.columns:
            if column.kind == "helper":
                continue
            cell = ws[f"{sheet.letter(column.field)}2"]
            wanted = INPUT_FILL if column.is_input else COMPUTED_FILL
            assert cell.fill.fgColor.rgb == wanted.fgColor.rgb, (sheet.name, column.header)


def test_every_scorecard_says_which_plans_it_scores_and_the_reference_one_says_so(
    books: tuple[Path, Path],
) -> None:
    wb = openpyxl.load_workbook(books[0])
    from workbook_templates.scorecards import card_layout

    for key, card in default_policy().scorecards.items():
        note = wb[sheet_name(key)][scope_note_cell(card_layout(key, card))].value
        if card.plans:
            for plan in card.plans:
                assert plan_name(plan) in note, (key, plan)
            assert "(" not in note and ")" not in note, note  # Chinese brackets: （）
        else:  # 物流部KPI scores no plan: marked as a reference table
            assert note.startswith("参考表"), key


def test_every_scorecards_total_is_its_own_rows_total(books: tuple[Path, Path]) -> None:
    """Each sheet's 总分 (as stored by recalc) is the total of that sheet's own row."""
    policy = default_policy()
    values = openpyxl.load_workbook(books[1], data_only=True)
    seen = 0
    for key, card in policy.scorecards.items():
        ws = values[sheet_name(key)]
        header = [c.value for c in ws[1]]
        items = [header.index(item.label) for item in card.items]
        bonus = header.index(layout.SCORECARD_BONUS_HEADER)
        total = header.index(layout.SCORECARD_TOTAL_HEADER)
        for row in ws.iter_rows(min_row=2, values_only=True):
            if not row[0]:
                continue
            points = sum(Decimal(repr(row[i] or 0)) for i in [*items, bonus])
            plan = next(e.plan for e in demo_month().employees if e.id == row[0])
            own = scorecard_score(points, card.total, layout.score_maximum(policy, plan))
            assert Decimal(repr(row[total])) == own, (key, row[0])
            seen += 1
    assert seen > 10


def test_a_score_on_a_scorecard_that_does_not_score_the_plan_names_the_right_sheet(
    tmp_path: Path,
) -> None:
    book = build_workbook(tmp_path / "m.xlsx", month=demo_month())
    month = demo_month()
    promo = next(e for e in month.employees if e.plan == "promotion")
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet_name("design")]
    row = next(r for r in range(2, ws.max_row + 2) if not ws.cell(r, 1).value)
    ws[f"A{row}"], ws[f"C{row}"] = promo.id, 5  # a score typed for a 推广专员 on 美工考核
    wb.save(book)
    problems = [p for p in read_workbook(book).problems if p.sheet == sheet_name("design")]
    assert len(problems) == 1 and problems[0].cell == f"C{row}", problems
    assert f"「{sheet_name('promotion')}」" in problems[0].remedy


def test_a_typed_zero_task_coefficient_raises_an_alert_and_a_blank_is_computed() -> None:
    month = demo_month()
    manager = next(e for e in month.employees if e.plan == "store_manager")
    inp = month.inputs[manager.id]
    zero = replace(
        month, inputs={**month.inputs, manager.id: replace(inp, task_coefficient=Decimal(0))}
    )
    result = compute_month(zero)
    alerts = [a for a in result.alerts if a.employee_id == manager.id]
    assert "task_coefficient_zero" in [a.code for a in alerts]
    alert = next(a for a in alerts if a.code == "task_coefficient_zero")
    assert re.search(r"[\u4e00-\u9fff]", alert.message)
    blank = compute_month(month)  # blank: net sales ÷ target, no alert
    assert "task_coefficient_zero" not in [a.code for a in blank.alerts]
    assert next(r for r in blank.results if r.employee.id == manager.id).total > 0


def test_the_task_coefficient_column_says_a_blank_is_computed(books: tuple[Path, Path]) -> None:
    ws = openpyxl.load_workbook(books[0])[layout.SALES.name]
    letter = layout.SALES.letter("task_coefficient")
    prompts = [
        dv.prompt for dv in ws.data_validations.dataValidation if f"{letter}2" in str(dv.sqref)
    ]
    assert any("留空则按销售额÷目标计算" in (p or "") for p in prompts)


def test_a_roster_amount_the_plan_replaces_is_not_required_and_another_value_warns(
    tmp_path: Path,
) -> None:
    book = build_workbook(tmp_path / "m.xlsx", month=demo_month())
    month = demo_month()
    manager = next(i for i, e in enumerate(month.employees) if e.plan == "store_manager")
    cell = f"{layout.ROSTER.letter('base_pay')}{layout.FIRST_DATA_ROW + manager}"
    set_cell(book, layout.ROSTER.name, cell, None)  # blank: the policy's 1800 is used
    contents = read_workbook(book)
    assert contents.problems == [] and not [w for w in contents.warnings if w.cell == cell]
    set_cell(book, layout.ROSTER.name, cell, 2500)  # another amount: a warning at the cell
    contents = read_workbook(book)
    assert contents.problems == []
    assert [(w.sheet, w.cell) for w in contents.warnings] == [(layout.ROSTER.name, cell)]


def test_every_sheet_hr_types_on_lets_hr_insert_and_delete_rows(books: tuple[Path, Path]) -> None:
    wb = openpyxl.load_workbook(books[0])
    typed = [s.name for s in layout.INPUT_SHEETS]
    typed += [sheet_name(k) for k in default_policy().scorecards]
    for name in typed:
        protection = wb[name].protection
        assert protection.sheet is True, name  # formulas stay locked …
        assert protection.insertRows is False and protection.deleteRows is False, name  # … rows not
