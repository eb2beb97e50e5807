"""HR's month end to end: a template month filled by header names, as HR types it.

The month starts with ``new-month --template``; an 11-person shop (one employee per pay plan)
is typed through openpyxl by header names only, with only the inputs each plan needs. Check
finds nothing; then one mistake per kind of input is reported once, at its cell, in Chinese.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from xlkpi.check import check
from xlkpi.month_cycle import new_month

MONTH = "2026-11"

# 花名册: 工号, 姓名, 岗位/薪资方案, 级别, 入职日期, 试用期, and what each plan needs besides.
ROSTER = [
    {"工号": "E01", "姓名": "张伟", "岗位/薪资方案": "美工", "基本工资": 4000},
    {"工号": "E02", "姓名": "李娜", "岗位/薪资方案": "推广专员", "基本工资": 4200},
    {"工号": "E03", "姓名": "王芳", "岗位/薪资方案": "客服(绩效奖金制)", "基本工资": 3000},
    {"工号": "E04", "姓名": "刘洋", "岗位/薪资方案": "客服(底薪×系数)"},
    {"工号": "E05", "姓名": "陈静", "岗位/薪资方案": "店长/运营经理", "级别": "助理"},
    {
        "工号": "E06",
        "姓名": "杨磊",
        "岗位/薪资方案": "运营专员",
        "基本工资": 4500,
        "岗位工资": 800,
    },
    {"工号": "E07", "姓名": "赵军", "岗位/薪资方案": "仓库/物流"},
    {"工号": "E08", "姓名": "黄敏", "岗位/薪资方案": "客服(2017标准)", "岗位工资": 2800},
    {
        "工号": "E09",
        "姓名": "周杰",
        "岗位/薪资方案": "电商部客服",
        "岗位工资": 3000,
        "团队": "一组",
    },
    {
        "工号": "E10",
        "姓名": "吴艳",
        "岗位/薪资方案": "电商部其他岗位",
        "岗位工资": 3500,
        "级别": "副理",
    },
    {"工号": "E11", "姓名": "徐强", "岗位/薪资方案": "物流营销", "基本工资": 6000},
]
COMMON = {"入职日期": date(2024, 3, 1), "试用期": "否"}

DOC000 = {"迟到次数": 1, "早退次数": 0, "请假次数": 0, "旷工天数": 0}
ALLOWANCES = {"夜班次数": 2, "深夜班次数(2点后)": 0, "加班小时": 6, "法定节假日值班天数": 0}
ATTENDANCE = {
    "E01": DOC000,
    "E02": DOC000,
    "E03": DOC000,
    "E06": {
        "迟到次数": 0,
        "早退次数": 0,
        "迟到总分钟": 0,
        "事假天数": 0,
        "病假天数": 0,
        "旷工天数": 0,
    },
    "E07": {"事假天数": 1, "病假天数": 0, "旷工天数": 0, "出勤天数": 22, **ALLOWANCES},
    "E09": ALLOWANCES,
    "E10": ALLOWANCES,
}
SALES = {
    "E02": {"个人销售额": 52000, "退货金额": 1200},
    "E03": {"个人销售额": 38000, "退货金额": 0},
    "E04": {"个人销售额": 41000, "退货金额": 500, "中评修改个数": 3, "差评修改个数": 1},
    "E05": {"个人销售额": 180000, "退货金额": 4000, "个人目标": 200000},
    "E06": {"个人销售额": 70000, "退货金额": 0, "奖励": 200},
    "E08": {"个人销售额": 22000, "退货金额": 0, "考核期缺勤月数": 0},
    "E09": {"工作表现": "二档"},
    "E10": {"绩效评级": "良好"},
    "E11": {"个人销售额": 90000, "退货金额": 0, "个人目标": 100000, "行为考核系数": 0.9},
}
SUPERVISOR = {"E04": (86, 90), "E05": (92, 88), "E06": (78, 80), "E08": (70, 75)}
CARDS = {"美工考核": "E01", "推广考核": "E02", "客服考核": "E03", "物流考核": "E07"}
SHOPS = [
    {
        "店铺名称": "天猫旗舰店",
        "下单金额": 186000,
        "退货金额": 9300,
        "月目标": 200000,
        "负责客服组": "一组",
    }
]
PUBLIC_SALES = 400000


def _columns(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    """The table's headers: row 1 up to its first empty cell (a note may stand beyond it)."""
    out: dict[str, int] = {}
    for c in ws[1]:
        if c.value is None:
            break
        out[str(c.value).strip()] = c.column
    return out


def _next_row(ws: openpyxl.worksheet.worksheet.Worksheet) -> int:
    row = 2
    while ws.cell(row=row, column=1).value not in (None, ""):
        row += 1
    return row


def _type_row(ws: openpyxl.worksheet.worksheet.Worksheet, values: dict[str, object]) -> int:
    cols = _columns(ws)
    row = _next_row(ws)
    for header, value in values.items():
        ws.cell(row=row, column=cols[header], value=value)
    return row


def _fill(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    for person in ROSTER:
        _type_row(wb["花名册"], {**COMMON, "级别": "员工", **person})
    for emp, values in ATTENDANCE.items():
        _type_row(wb["考勤"], {"工号": emp, **values})
    for emp, values in SALES.items():
        _type_row(wb["业绩"], {"工号": emp, **values})
    for emp, (sup, own) in SUPERVISOR.items():
        _type_row(wb["主管自评"], {"工号": emp, "主管抽查得分(75%)": sup, "月底自评得分(25%)": own})
    for sheet, emp in CARDS.items():
        ws = wb[sheet]
        items = [h for h in _columns(ws) if h not in ("工号", "姓名", "加分", "总分")]
        row = _type_row(ws, {"工号": emp})
        for header in items:  # 80% of each item's points, from the header's comment
            cell = ws.cell(row=1, column=_columns(ws)[header])
            full = float(re.search(r"满分 ([\d.]+)", cell.comment.text).group(1))
            ws.cell(row=row, column=cell.column, value=round(full * 0.8, 1))
    for shop in SHOPS:
        _type_row(wb["店铺"], shop)
    shops = wb["店铺"]
    label = next(c for r in shops.iter_rows() for c in r if c.value == "公共销售业绩总额")
    shops.cell(row=label.row, column=label.column + 1, value=PUBLIC_SALES)
    wb.save(path)


@pytest.fixture(scope="module")
def typed_month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hr") / f"{MONTH}.xlsx"
    new_month(MONTH, path)
    _fill(path)
    return path


def test_a_month_typed_with_only_what_each_plan_needs_has_no_problems(typed_month: Path) -> None:
    report = check(typed_month)
    assert report.problems == []
    assert report.result is not None and len(report.result.results) == len(ROSTER)
    assert all(r.total > 0 for r in report.result.results)


def _cell_of(path: Path, sheet: str, emp: str, header: str) -> str:
    ws = openpyxl.load_workbook(path)[sheet]
    col = _columns(ws)[header]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == emp)
    return f"{openpyxl.utils.get_column_letter(col)}{row}"


# (what kind of input, sheet, 工号 of the row, header, the mistake)
MISTAKES = [
    ("amount as a percentage", "业绩", "E02", "个人销售额", "50%"),
    ("count not whole", "考勤", "E01", "迟到次数", 1.5),
    ("negative days", "考勤", "E06", "事假天数", -1),
    ("hours as text", "考勤", "E07", "加班小时", "很多"),
    ("score over the maximum", "主管自评", "E06", "主管抽查得分(75%)", 130),
    ("blank scorecard item", "美工考核", "E01", "运营额外考评", None),
    ("ratio as text", "业绩", "E11", "行为考核系数", "好"),
    ("choice not on the list", "业绩", "E09", "工作表现", "四档"),
    ("grade not on the list", "业绩", "E10", "绩效评级", "很好"),
    ("hire date after the month", "花名册", "E01", "入职日期", date(2026, 12, 5)),
    ("unknown plan", "花名册", "E02", "岗位/薪资方案", "厨师"),
    ("bool not 是/否", "花名册", "E03", "试用期", "也许"),
    ("impossible shop target", "店铺", "天猫旗舰店", "月目标", 1e308),
    ("a value the plan does not read", "业绩", "E09", "个人销售额", 5000),
    ("required count left blank", "考勤", "E07", "出勤天数", None),
    ("required amount left blank", "花名册", "E06", "基本工资", None),
]
_ASCII_SENTENCE = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]{2,}){2,}")


@pytest.mark.parametrize(
    ("kind", "sheet", "emp", "header", "value"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_each_mistake_is_reported_once_at_its_cell_in_chinese(
    typed_month: Path, tmp_path: Path, kind: str, sheet: str, emp: str, header: str, value: object
) -> None:
    path = tmp_path / f"{MONTH}.xlsx"
    shutil.copy(typed_month, path)
    cell = _cell_of(path, sheet, emp, header)
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    problems = check(path).problems
    assert [(p.sheet, p.cell) for p in problems] == [(sheet, cell)], kind
    problem = problems[0]
    for text in (problem.message, problem.remedy):
        assert re.search(r"[\u4e00-\u9fff]", text), text
        assert not _ASCII_SENTENCE.search(text), text
