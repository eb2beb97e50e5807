"""The built workbook: sheets, headers, names, validations, protection, formulas, determinism."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from formulas import Parser
from openpyxl.worksheet.formula import ArrayFormula

import udfs
from workbook_templates import TEMPLATE_FILE, build_workbook, payroll_formulas, workbook_bytes
from workbook_templates.payroll import TABLE_FIELDS, VALUE_LINES
from xlkpi import layout
from xlkpi.engine import compute_month
from xlkpi.month_cycle import not_applicable_values
from xlkpi.paylines import LINE_CODES
from xlkpi.policy_io import default_policy
from xlkpi.sample_data import demo_month
from xlkpi.workbook.reader import read_workbook

SHIPPED = Path(__file__).resolve().parent.parent / "workbook_templates" / TEMPLATE_FILE


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = build_workbook(tmp_path_factory.mktemp("t") / "template.xlsx")
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = build_workbook(tmp_path_factory.mktemp("d") / "demo.xlsx", month=demo_month())
    return openpyxl.load_workbook(path)


def test_sheets_in_order_and_meta_hidden(template: openpyxl.Workbook) -> None:
    cards = [layout.SCORECARD_SHEETS[k] for k in default_policy().scorecards]
    assert template.sheetnames == [
        layout.README,
        layout.POLICY,
        layout.ROSTER.name,
        layout.ATTENDANCE.name,
        layout.SALES.name,
        layout.SHOPS.name,
        layout.TEAMS.name,
        *cards,
        layout.SUPERVISOR_SELF.name,
        layout.TAX_INPUTS.name,
        layout.PAYROLL.name,
        layout.ALERTS.name,
        layout.TAX_SHEET.name,
        layout.HISTORY.name,
        layout.META,
        layout.LAST_RECALC,
    ]
    assert template[layout.META].sheet_state == "hidden"
    assert template[layout.LAST_RECALC].sheet_state == "hidden"
    assert template[layout.META]["A1"].value == "month"
    assert template[layout.META][layout.META_MONTH_CELL].value is None


def test_headers_follow_the_layout(template: openpyxl.Workbook) -> None:
    for sheet in (*layout.INPUT_SHEETS, layout.PAYROLL, layout.ALERTS, layout.HISTORY):
        row = [c.value for c in template[sheet.name][layout.HEADER_ROW]]
        assert row[: len(sheet.headers)] == sheet.headers, sheet.name
    shops = template[layout.SHOPS.name]
    assert shops[layout.PUBLIC_SALES_LABEL_CELL].value == layout.PUBLIC_SALES_LABEL


def test_scorecard_sheets_list_items_bonus_and_total(template: openpyxl.Workbook) -> None:
    for key, card in default_policy().scorecards.items():
        ws = template[layout.SCORECARD_SHEETS[key]]
        headers = [c.value for c in ws[1]]
        table = ["工号", "姓名", *(i.label for i in card.items), "加分", "总分"]
        assert headers[: len(table) + 1] == [*table, None]  # then the note of whom it scores
        assert f"满分 {card.items[0].points}" in ws.cell(row=1, column=3).comment.text


def test_defined_names_point_at_policy_cells(template: openpyxl.Workbook) -> None:
    names = template.defined_names
    for name in (
        "P_perf_coeff",
        "P_score_maximum",
        "P_team_level_share",
        "P_grades",
        "P_commission_ops_progressive",
        "P_fines_complaint_fines",
        "P_scorecards_design_points",
        layout.MONTH_NAME,
        layout.PUBLIC_SALES_NAME,
    ):
        assert name in names, name
    ws = template[layout.POLICY]
    ((sheet, ref),) = names["P_perf_coeff"].destinations
    assert sheet == layout.POLICY
    rows = [[c.value for c in row] for row in ws[ref.replace("$", "")]]
    assert rows[0] == ["factor", None] and rows[2:] == [[0, 0.5], [65, 1], [80, 1.2], [95, 1.5]]
    ((_, ref),) = names["P_score_maximum"].destinations
    assert ws[ref.replace("$", "")].value == 120


def test_inputs_validated_and_unlocked_formulas_protected(template: openpyxl.Workbook) -> None:
    roster = template[layout.ROSTER.name]
    kinds = {dv.type for dv in roster.data_validations.dataValidation}
    assert {"list", "decimal", "date"} <= kinds
    lists = [dv.formula1 for dv in roster.data_validations.dataValidation if dv.type == "list"]
    assert any("客服(2017标准)" in f for f in lists) and any("是,否" in f for f in lists)
    attendance = template[layout.ATTENDANCE.name]
    lates = [
        dv
        for dv in attendance.data_validations.dataValidation
        if f"{layout.ATTENDANCE.letter('lates')}2" in str(dv.sqref)
    ]
    assert lates[0].type == "custom"  # a whole number ≥ 0, or 不适用 where the plan does not read
    assert "=INT(" in lates[0].formula1 and '="不适用"' in lates[0].formula1
    score_dv = [
        dv
        for dv in template[layout.SUPERVISOR_SELF.name].data_validations.dataValidation
        if dv.type == "decimal" and dv.operator == "between"
    ]
    assert score_dv and score_dv[0].formula2 == "120"
    for sheet in (roster, attendance, template[layout.PAYROLL.name]):
        assert sheet.protection.sheet is True
        assert sheet.freeze_panes is not None
    assert roster["C2"].protection.locked is False


def test_payroll_print_setup(template: openpyxl.Workbook) -> None:
    ws = template[layout.PAYROLL.name]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth > 1  # several pages across: tests/test_style.py
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$B"
    helper = layout.PAYROLL.letter("roster_row")
    assert ws.column_dimensions[helper].hidden


def test_build_is_deterministic_and_the_shipped_template_is_current() -> None:
    first = workbook_bytes(default_policy(), None)
    assert first == workbook_bytes(default_policy(), None)
    assert SHIPPED.read_bytes() == first
    month = demo_month()
    assert workbook_bytes(default_policy(), month) == workbook_bytes(default_policy(), month)


def test_demo_inputs_and_traces_are_written(demo: openpyxl.Workbook) -> None:
    month = demo_month()
    result = compute_month(month)
    roster = demo[layout.ROSTER.name]
    assert [roster.cell(row=2 + i, column=1).value for i in range(len(month.employees))] == [
        e.id for e in month.employees
    ]
    assert demo[layout.META][layout.META_MONTH_CELL].value == month.month
    pay = demo[layout.PAYROLL.name]
    trace = layout.PAYROLL.letter("trace")
    assert [pay[f"{trace}{2 + i}"].value for i in range(len(month.employees))] == [
        r.trace for r in result.results
    ]
    assert pay[f"A{2 + len(month.employees)}"].value == layout.PAYROLL_TOTAL_LABEL
    assert demo[layout.ALERTS.name].max_row == 1 + len(result.alerts)


def test_demo_rows_show_not_applicable_where_the_roster_plan_does_not_read(
    demo: openpyxl.Workbook,
) -> None:
    month, policy = demo_month(), default_policy()
    marked = 0
    for sheet in (layout.ATTENDANCE, layout.SALES):
        ws = demo[sheet.name]
        for i, emp in enumerate(month.employees):
            for column in layout.month_columns(sheet):
                value = ws[f"{sheet.letter(column.field)}{layout.FIRST_DATA_ROW + i}"].value
                if column.reads(emp.plan, policy):
                    assert value != layout.NOT_APPLICABLE, (sheet.name, emp.id, column.header)
                else:
                    assert value == layout.NOT_APPLICABLE, (sheet.name, emp.id, column.header)
                    marked += 1
    assert marked > 100  # most plans read few of the 31 month columns


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_builder_writes_the_book_s_own_not_applicable_as_new_month_does(
    lang: str, tmp_path: Path
) -> None:
    month = demo_month()
    path = tmp_path / f"{lang}.xlsx"
    path.write_bytes(workbook_bytes(default_policy(), month, lang))
    marker, other = layout.not_applicable_text(lang), {"zh": "N/A", "en": "不适用"}[lang]
    wb = openpyxl.load_workbook(path)
    contents = read_workbook(path, lang=lang)
    for sheet in (layout.ATTENDANCE, layout.SALES):
        values = {c.value for row in wb[sheet.name].iter_rows() for c in row}
        assert marker in values and other not in values, sheet.name
        checks = [dv.formula1 for dv in wb[sheet.name].data_validations.dataValidation]
        marked = [f for f in checks if layout.NOT_APPLICABLE in f]
        assert marked and all(f'"{marker}"' in f or f",{marker}" in f for f in marked)
        found = contents.sheets[sheet.name]
        assert not_applicable_values(contents, sheet, found, month.month) == {}  # agrees
    assert contents.problems == []  # the reader takes the book's marker back


_NAME = re.compile(r"\b(P_[A-Za-z0-9_]+|XLKPI_MONTH|PUBLIC_SALES)\b")
_CALL = re.compile(r"\b([A-Z][A-Z0-9_.]*)\(")
_SHEET = re.compile(r"'([^']+)'!")
_EXCEL = {
    "INDEX",
    "MATCH",
    "IF",
    "IFERROR",
    "COUNTIFS",
    "COUNTIF",
    "N",
    "ROUND",
    "SUM",
    "SUMPRODUCT",
    "ISTEXT",
    "LEFT",
}
_EXCEL |= {"SUMPRODUCT", "ROW", "MIN", "ISERROR"}  # ISERROR: the table's add-in probe


def test_every_payroll_formula_parses_and_references_existing_things(
    demo: openpyxl.Workbook,
) -> None:
    names = set(demo.defined_names)
    pay = demo[layout.PAYROLL.name]
    seen_lines: set[str] = set()
    arrays = 0
    for row in pay.iter_rows(min_row=2):
        for cell in row:
            text = cell.value.text if isinstance(cell.value, ArrayFormula) else cell.value
            if not (isinstance(text, str) and text.startswith("=")):
                continue
            Parser().ast(text)
            assert set(_NAME.findall(text)) <= names, cell.coordinate
            assert set(_SHEET.findall(text)) <= set(demo.sheetnames), cell.coordinate
            for fn in _CALL.findall(text):
                assert fn in _EXCEL or fn in udfs.__all__, (cell.coordinate, fn)
            if isinstance(cell.value, ArrayFormula):  # the table: one formula for its block
                arrays += 1
                first, last = cell.value.ref.split(":")
                columns = range(pay[first].column, pay[last].column + 1)
                seen_lines |= {pay.cell(row=1, column=c).value for c in columns}
                continue
            header = pay.cell(row=1, column=cell.column).value
            seen_lines.add(header)
    assert arrays == 1
    used = {line.code for r in compute_month(demo_month()).results for line in r.lines}
    labels = {
        layout.PAYROLL.column(code).header
        for code in LINE_CODES
        if code in used and code not in VALUE_LINES
    }
    assert labels <= seen_lines  # every pay line of the demo's plans has its formulas
    # history-dependent lines are the engine's values, and no formula reads the History
    for code in VALUE_LINES:
        column = [c.value for c in pay[layout.PAYROLL.letter(code)][1:]]
        assert not any(isinstance(v, str) and v.startswith("=") for v in column)
        assert any(isinstance(v, int | float) and v > 0 for v in column)  # a streak is paid
    assert not any(layout.HISTORY.name in str(c.value) for row in pay.iter_rows() for c in row)


def test_a_plan_fills_only_its_lines() -> None:
    month = demo_month()
    result = compute_month(month)
    for r in result.results:
        formulas = payroll_formulas(2, r.employee, default_policy())
        lines = {line.code for line in r.lines}
        # the table's array computes the lines up to the streak reward; the rest are native
        assert {c for c in formulas if c in LINE_CODES} == lines - VALUE_LINES - set(TABLE_FIELDS)
        assert not set(TABLE_FIELDS) & set(formulas)
        assert formulas["total"].count("+") == len(r.lines) - 1
