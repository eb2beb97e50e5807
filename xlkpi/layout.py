"""The workbook's shape: sheet names, column headers and which engine field each column holds.

This module is the one contract between the template builder (``workbook_templates``),
the reader (``xlkpi check`` / ``recalc``) and the writers (recalc, payslips, new-month).
Everything refers to sheets and columns through these names, never through literal
addresses scattered in code. Headers are Simplified Chinese, as the documents name things.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlkpi.inputs import MONTH_FIELDS
from xlkpi.paylines import LINE_LABELS
from xlkpi.payplans import PLAN_LABELS

HEADER_ROW = 1
FIRST_DATA_ROW = 2


@dataclass(frozen=True, slots=True)
class Column:
    """One column: the engine field it holds, its header, and the kind of value."""

    field: str
    header: str
    # text | plan | level | rank | date | bool | count | amount | days | hours | score | ratio
    # | formula (an output column)
    kind: str
    required: bool = False
    width: int = 12


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """A sheet of one row per employee (or per record), headers in row 1."""

    name: str
    english: str
    columns: tuple[Column, ...]

    def column(self, field: str) -> Column:
        """The column holding ``field``."""
        for column in self.columns:
            if column.field == field:
                return column
        raise KeyError(f"{self.name} has no column for {field!r}")

    def letter(self, field: str) -> str:
        """The column letter of ``field`` (A, B, …)."""
        return column_letter(self.index(field) + 1)

    def index(self, field: str) -> int:
        """0-based position of ``field``."""
        for i, column in enumerate(self.columns):
            if column.field == field:
                return i
        raise KeyError(f"{self.name} has no column for {field!r}")

    @property
    def headers(self) -> list[str]:
        """Header texts in column order."""
        return [c.header for c in self.columns]


def column_letter(number: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _month(field: str, required: bool = False) -> Column:
    zh, _en, kind = MONTH_FIELDS[field]
    return Column(field, zh, kind, required)


README = "说明"
POLICY = "参数"
META = "_xlkpi"  # hidden: month, status, seal hash

ROSTER = SheetLayout(
    "花名册",
    "Roster",
    (
        Column("id", "工号", "text", True, 10),
        Column("name", "姓名", "text", True, 10),
        Column("plan", "岗位/薪资方案", "plan", True, 18),
        Column("level", "级别", "level", True, 8),
        Column("hire_date", "入职日期", "date", True, 12),
        Column("trial", "试用期", "bool", True, 8),
        Column("base_pay", "基本工资", "amount", True),
        Column("post_pay", "岗位工资", "amount", True),
        Column("team", "团队", "text", False, 10),
        Column("rank", "客服等级", "rank", False, 10),
    ),
)

_ATTENDANCE_FIELDS = (
    "lates",
    "early_leaves",
    "leaves",
    "late_minutes",
    "personal_leave_days",
    "sick_leave_days",
    "absences",
    "night_shifts",
    "late_night_shifts",
    "overtime_hours",
    "holiday_days",
    "working_days",
)
ATTENDANCE = SheetLayout(
    "考勤",
    "Attendance",
    (
        Column("id", "工号", "text", True, 10),
        Column("name", "姓名", "formula", False, 10),
        *(_month(f, True) for f in _ATTENDANCE_FIELDS),
    ),
)

_SALES_FIELDS = (
    "sales",
    "returns",
    "shipping_paid",
    "target",
    "task_coefficient",
    "neutral_fixed",
    "negative_fixed",
    "complaints",
    "chat_violations",
    "contact_leaks",
    "special_awards",
    "rewards",
    "penalties",
    "losses",
)
SALES = SheetLayout(
    "业绩",
    "Sales",
    (
        Column("id", "工号", "text", True, 10),
        Column("name", "姓名", "formula", False, 10),
        *(_month(f, f not in ("target", "task_coefficient")) for f in _SALES_FIELDS),
    ),
)

# Team targets and the month's public sales live in a small table on their own sheet.
TEAMS = SheetLayout(
    "团队目标",
    "Teams",
    (
        Column("team", "团队", "text", True, 10),
        Column("target", "团队销售目标", "amount", True, 14),
        Column("team_sales", "团队销售额", "formula", False, 14),
        Column("completion", "完成率", "formula", False, 10),
    ),
)
PUBLIC_SALES_LABEL = "公共销售业绩总额"

SUPERVISOR_SELF = SheetLayout(
    "主管自评",
    "Supervisor and self scores",
    (
        Column("id", "工号", "text", True, 10),
        Column("name", "姓名", "formula", False, 10),
        Column("supervisor", "主管抽查得分(75%)", "score", True, 14),
        Column("self", "月底自评得分(25%)", "score", True, 14),
        Column("score", "绩效分数", "formula", False, 10),
    ),
)

# Which scorecard gives each plan's score; plans not listed use the supervisor/self sheet.
SCORECARD_OF_PLAN: dict[str, str] = {
    "designer": "design",
    "promotion": "promotion",
    "cs_000": "customer_service",
    "warehouse": "warehouse",
}
SCORECARD_SHEETS: dict[str, str] = {
    "design": "美工考核",
    "promotion": "推广考核",
    "customer_service": "客服考核",
    "warehouse": "物流考核",
    "logistics_kpi": "物流部KPI",
}

PAYROLL_LEFT = (
    Column("id", "工号", "text", width=10),
    Column("name", "姓名", "text", width=10),
    Column("plan", "岗位/薪资方案", "text", width=18),
    Column("score", "绩效分数", "formula", width=10),
    Column("coefficient", "绩效系数", "formula", width=10),
    Column("grade", "考核等级", "formula", width=10),
)
PAYROLL = SheetLayout(
    "工资表",
    "Payroll",
    (
        *PAYROLL_LEFT,
        *(Column(code, zh, "formula") for code, (zh, _en) in LINE_LABELS.items()),
        Column("total", "实发合计", "formula", width=14),
        Column("trace", "计算过程", "text", width=80),
    ),
)

ALERTS = SheetLayout(
    "预警",
    "Alerts",
    (
        Column("id", "工号", "text", width=10),
        Column("name", "姓名", "text", width=10),
        Column("kind", "类型", "text", width=10),
        Column("code", "规则", "text", width=22),
        Column("message", "内容", "text", width=60),
    ),
)

# The sheet the ribbon's 校验 button fills with the problems `check` finds.
CHECK_SHEET = SheetLayout(
    "校验结果",
    "Check results",
    (
        Column("sheet", "工作表", "text", width=12),
        Column("cell", "单元格", "text", width=8),
        Column("value", "当前值", "text", width=16),
        Column("message", "问题", "text", width=50),
        Column("remedy", "处理办法", "text", width=50),
    ),
)

HISTORY = SheetLayout(
    "历史",
    "History",
    (
        Column("month", "月份", "text", width=10),
        Column("id", "工号", "text", width=10),
        Column("name", "姓名", "text", width=10),
        Column("score", "绩效分数", "score", width=10),
        Column("grade", "考核等级", "text", width=10),
        Column("coefficient", "绩效系数", "ratio", width=10),
        Column("total", "实发合计", "amount", width=14),
        Column("rank", "客服等级", "text", width=10),
        Column("complaints", "客诉次数", "count", width=10),
    ),
)

PLAN_BY_LABEL: dict[str, str] = {zh: code for code, (zh, _en) in PLAN_LABELS.items()}
LEVEL_LABELS: dict[str, str] = {"assistant": "助理", "deputy": "副理", "staff": "员工"}
LEVEL_BY_LABEL: dict[str, str] = {zh: code for code, zh in LEVEL_LABELS.items()}
GRADE_LABELS: dict[str, str] = {
    "fail": "不及格",
    "pass": "及格",
    "good": "良好",
    "excellent": "优秀",
}
BOOL_LABELS: dict[bool, str] = {True: "是", False: "否"}

INPUT_SHEETS: tuple[SheetLayout, ...] = (ROSTER, ATTENDANCE, SALES, TEAMS, SUPERVISOR_SELF)

# ---------------------------------------------------------------- added for the template builder
# (workbook_templates/, docs/template.md): lookup ranges, helper columns, meta cells, Policy sheet.

# Formulas look inputs up by employee id in rows FIRST_DATA_ROW..<last row> of the input
# sheets (bounded ranges: whole-column references are slow in evaluators such as `formulas`).
# The last row scales with the workbook (``data_last_row`` / ``history_last_row``); these are
# the smallest bounds, used by the empty template and any workbook of up to 1,800 staff.
LAST_DATA_ROW = 2001
HISTORY_LAST_ROW = 50001
SPARE_ROWS = 200  # unlocked, validated empty rows below the data, for new staff
DATA_ROW_STEP = 1_000  # staff-sheet bounds are rounded up to a multiple of this (+ header row)
HISTORY_ROW_STEP = 10_000  # History bounds likewise
HISTORY_GROWTH_MONTHS = 12  # History bounds leave room for a year of monthly rows
EXCEL_LAST_ROW = 1_048_576


def _bound(needed: int, step: int, floor: int) -> int:
    """The smallest ``HEADER_ROW + k × step`` ≥ ``needed``, at least ``floor``, at most Excel's."""
    steps = -(-(needed - HEADER_ROW) // step)
    return min(max(floor, HEADER_ROW + steps * step), EXCEL_LAST_ROW)


def data_last_row(rows: int) -> int:
    """Last row of the lookup / validation ranges of staff sheets holding ``rows`` data rows.

    Covers the data and ``SPARE_ROWS`` rows below it, rounded up to a multiple of
    ``DATA_ROW_STEP`` (plus the header row), never below ``LAST_DATA_ROW``:
    0–1,800 staff → 2001, 1,801–2,800 → 3001, 10,000 → 11001, 50,000 → 51001.
    """
    return _bound(FIRST_DATA_ROW + rows + SPARE_ROWS - 1, DATA_ROW_STEP, LAST_DATA_ROW)


def history_last_row(rows: int, staff: int) -> int:
    """Last row of the History lookups: its ``rows`` records plus a year of ``staff`` rows.

    Rounded up to a multiple of ``HISTORY_ROW_STEP`` (plus the header row), never below
    ``HISTORY_LAST_ROW``, never beyond Excel's last row.
    """
    needed = FIRST_DATA_ROW + rows + HISTORY_GROWTH_MONTHS * staff - 1
    return _bound(needed, HISTORY_ROW_STEP, HISTORY_LAST_ROW)


# Hidden helper columns at the right of the Payroll: the row of this employee on each input
# sheet (MATCH by id), the roster team, and net sales computed exactly (NET_SALES).
PAYROLL_HELPERS: tuple[Column, ...] = (
    Column("roster_row", "_花名册行", "helper", width=6),
    Column("attendance_row", "_考勤行", "helper", width=6),
    Column("sales_row", "_业绩行", "helper", width=6),
    Column("score_row", "_评分行", "helper", width=6),
    Column("team_name", "_团队", "helper", width=6),
    Column("net_sales", "_净销售额", "helper", width=10),
)
PAYROLL = SheetLayout(PAYROLL.name, PAYROLL.english, (*PAYROLL.columns, *PAYROLL_HELPERS))
PAYROLL_TOTAL_LABEL = "合计"  # in the id column of the grand-total row, right after the staff rows

# The Teams sheet's public sales: the label cell and, right of it, the value (name PUBLIC_SALES).
PUBLIC_SALES_LABEL_CELL = "F1"
PUBLIC_SALES_CELL = "G1"
PUBLIC_SALES_NAME = "PUBLIC_SALES"

# The hidden meta sheet: key in column A, value in column B.
META_KEYS: tuple[str, ...] = ("month", "status", "seal_hash", "template_version", "lang")
META_MONTH_CELL = "B1"
MONTH_NAME = "XLKPI_MONTH"  # defined name of the month cell (text YYYY-MM)

# The 参数 Policy sheet: one row per policy value (see workbook_templates/policy_sheet.py).
POLICY_HEADERS: tuple[str, ...] = ("键 key", "名称", "值 / 下限", "金额 / 比例", "生效月份", "说明")

# Scorecard sheets: 工号, 姓名, one column per item (header = the item's label; its maximum
# points are in a cell comment and on the Policy sheet), 加分, 总分.
SCORECARD_BONUS_HEADER = "加分"
SCORECARD_TOTAL_HEADER = "总分"


def scorecard_layout(key: str, items: list[tuple[str, str]]) -> SheetLayout:
    """A scorecard sheet's columns; ``items`` are the scorecard's (code, label) in order.

    Item fields are ``item:<code>``; ``bonus_points`` (加分, extra points up to the score
    maximum) and ``score`` (the total) follow.
    """
    return SheetLayout(
        SCORECARD_SHEETS[key],
        key,
        (
            Column("id", "工号", "text", True, 10),
            Column("name", "姓名", "formula", False, 10),
            *(Column(f"item:{code}", label, "score", False, 14) for code, label in items),
            Column("bonus_points", SCORECARD_BONUS_HEADER, "score", False, 8),
            Column("score", SCORECARD_TOTAL_HEADER, "formula", False, 10),
        ),
    )
