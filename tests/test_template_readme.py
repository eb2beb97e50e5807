"""The 说明 sheet: Chinese first, derived from the layout, the policy, the CLI and the ribbon."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from workbook_templates import readme_sheet
from workbook_templates.readme_sheet import STEPS, readme_rows, ribbon_labels, write_readme
from xlkpi import cli, layout
from xlkpi.layout import PLAN_BY_LABEL
from xlkpi.month_cycle import close, new_month, write_demo_workbook
from xlkpi.payplans import PLAN_LABELS, plan_name
from xlkpi.policy_io import default_policy

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _table(rows: list[list[str]], title: str) -> dict[str, list[str]]:
    """The rows of the section headed ``title`` (after its column-header row), by first cell."""
    start = next(i for i, r in enumerate(rows) if r[:1] == [title]) + 2
    out: dict[str, list[str]] = {}
    for row in rows[start:]:
        if not row:
            break
        out[row[0]] = row
    return out


def test_each_scorecard_names_the_plans_it_scores_in_chinese() -> None:
    policy = default_policy()
    table = _table(readme_rows(policy), "考核表为哪些薪资方案评分")
    for key, card in policy.scorecards.items():
        row = table[layout.SCORECARD_SHEETS[key]]
        if card.plans:
            assert row[1] == "、".join(plan_name(p) for p in card.plans)
        else:
            assert row[1].startswith("参考表")  # 物流部KPI scores no plan
    self_scored = table[layout.SUPERVISOR_SELF.name][1].split("、")
    assert plan_name("store_manager") in self_scored
    assert plan_name("designer") not in self_scored  # 美工考核 scores the designer


def test_the_mapping_follows_the_policy_not_a_copy() -> None:
    policy = default_policy()
    cards = dict(policy.scorecards)
    cards["warehouse"] = cards["warehouse"].model_copy(update={"plans": []})
    cards["logistics_kpi"] = cards["logistics_kpi"].model_copy(update={"plans": ["warehouse"]})
    moved = policy.model_copy(update={"scorecards": cards})
    rows = readme_rows(moved)
    table = _table(rows, "考核表为哪些薪资方案评分")
    assert table["物流部KPI"][1] == plan_name("warehouse")
    assert table["物流考核"][1].startswith("参考表")
    plans = _table(rows, "各方案读取的输入")
    assert plans[plan_name("warehouse")][2] == "物流部KPI"


def test_each_plan_lists_the_sheets_its_columns_are_read_from() -> None:
    policy = default_policy()
    plans = _table(readme_rows(policy), "各方案读取的输入")
    assert set(plans) == {plan_name(p) for p in PLAN_LABELS}
    assert not any(mark in name for name in plans for mark in "()")  # full-width: （）
    assert plan_name("cs_2017") == "客服（2017标准）" and PLAN_LABELS["cs_2017"][0] in PLAN_BY_LABEL
    for plan in PLAN_LABELS:
        sheets = plans[plan_name(plan)][1].split("、")
        reads_attendance = any(
            c.reads(plan, policy) for c in layout.month_columns(layout.ATTENDANCE)
        )
        assert (layout.ATTENDANCE.name in sheets) == reads_attendance, plan
        assert sheets[0] == layout.ROSTER.name
    assert layout.SHOPS.name in plans[plan_name("cs_2017")][1]  # the public sales cell
    assert plans[plan_name("logistics_sales")][2] == "不评分"


def test_the_monthly_steps_name_real_commands_and_ribbon_buttons() -> None:
    rows = _table(readme_rows(default_policy()), "每月步骤")
    names = [row[0] for row in rows.values()]
    assert names == ["1. 填写", "2. 检查", "3. 重算", "4. 工资条", "5. 封账", "6. 新月份"]
    parser = cli._parser()
    labels = ribbon_labels()
    for step, row in zip(STEPS, rows.values(), strict=True):
        if step.command:
            words = shlex.split(row[2])
            assert words[0] == "xlkpi"
            args = parser.parse_args(words[1:])  # the command as written parses
            assert args.command in cli.COMMANDS
        if step.button:
            assert row[3] == labels[step.button] and _CJK.search(row[3])
    assert labels["xlkpiRecalc"] == "重算薪资"


def test_the_build_line_and_a_wrong_build() -> None:
    addin = readme_rows(default_policy())
    native = readme_rows(default_policy(), build="native")
    assert addin[3] == ["本工作簿公式版本", addin[3][1]] and "加载项（xlwings UDF）" in addin[3][1]
    assert native[3][1] == "原生公式（无需加载项）"
    with pytest.raises(ValueError, match="build"):
        readme_rows(default_policy(), build="vba")


def test_english_only_when_the_book_is_english() -> None:
    rows = readme_rows(default_policy(), lang="en")
    assert rows[0] == ["xlkpi KPI and pay workbook: how to use it"]
    sheet_names = {s.name for s in layout.INPUT_SHEETS} | set(layout.SCORECARD_SHEETS.values())
    sheet_names |= {layout.PAYROLL.name, layout.ALERTS.name, layout.TAX_SHEET.name}
    notes = rows.index(["Notes on filling in"])  # then sheet, header, the layout's (zh) note
    for row in rows[:notes]:
        for cell in row[:2]:
            if cell in sheet_names or cell.startswith("="):
                continue
            for name in sorted(sheet_names, key=len, reverse=True):
                cell = cell.replace(name, "")
            assert not _CJK.search(cell), cell


def test_the_sheet_is_readable_and_leaves_row_1_to_the_notice() -> None:
    ws = Workbook().active
    write_readme(ws, None, policy=default_policy())
    assert ws["A1"].value is None  # the add-in notice goes there
    assert ws[readme_sheet.TITLE_CELL].value == "xlkpi 绩效薪酬工作簿：使用说明"
    assert ws[readme_sheet.TITLE_CELL].font.b
    assert ws.column_dimensions["B"].width >= 40
    assert ws["B9"].alignment.wrap_text
    fill_step = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "1. 填写")
    assert ws.row_dimensions[fill_step].height >= 30  # a long step is given its lines
    assert not ws["A7"].alignment.wrap_text  # a section title runs on to the right


def test_a_template_month_shows_its_month_and_status(tmp_path: Path) -> None:
    book = new_month("2026-11", tmp_path / "m.xlsx")
    values = openpyxl.load_workbook(book.path, data_only=True)[layout.README]
    assert values[readme_sheet.MONTH_CELL].value == "2026-11"
    assert values[readme_sheet.STATUS_CELL].value == "新建，未重算"
    formulas = openpyxl.load_workbook(book.path)[layout.README]
    assert formulas[readme_sheet.MONTH_CELL].value == readme_sheet.month_formula()
    assert layout.MONTH_NAME in formulas[readme_sheet.MONTH_CELL].value
    assert "NOW()" in formulas[readme_sheet.STATUS_CELL].value  # Excel refreshes it on open
    assert "使用说明" in str(formulas["A2"].value)


def test_closing_shows_the_sealed_status(tmp_path: Path) -> None:
    book = write_demo_workbook(tmp_path)
    close(book)
    values = openpyxl.load_workbook(book, data_only=True)[layout.README]
    assert values[readme_sheet.STATUS_CELL].value == "已封账"
    assert values[readme_sheet.MONTH_CELL].value == "2026-10"
