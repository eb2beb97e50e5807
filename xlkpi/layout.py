"""The workbook contract: every sheet and input column, declared once, and what each cell may hold.

This module is the one contract between the template builder (``workbook_templates``), the
reader (``xlkpi check`` / ``recalc``), the 说明 sheet and the writers (recalc, payslips,
new-month). Everything refers to sheets and columns through these names, never through
literal addresses scattered in code. Headers are Simplified Chinese, as the documents name
things.

Declaring an input column (the API other modules use, e.g. a tax sheet)::

    MY_SHEET = SheetLayout("专项附加扣除", "Special deductions", (
        Column("id", "工号", "text", True, 10),
        Column("name", "姓名", "formula", width=10),
        Column("children_education", "子女教育", "amount", blank=BLANK_NONE, maximum=D("2000")),
    ))

A column states its ``kind`` (a key of :data:`KINDS`: amount 元, count 次, days 天, hours
小时, score 分, points of a scorecard item, ratio (the only kind a ``%`` may be typed in),
date, month, text, choice, plan, level, rank, bool; ``formula`` / ``helper`` are computed
columns), its bounds (the kind's plausible range unless ``minimum`` / ``maximum`` override it;
a score's maximum is the policy's), what a blank means (``blank``: :data:`BLANK_REQUIRED` — a
problem when the employee's plan reads the column; :data:`BLANK_NONE` — "none", only for the
"if any" inputs; :data:`BLANK_COMPUTED` — the engine computes it, the header note says how),
which pay plans read it (``plans``; ``None`` = every plan) and, for a roster amount a plan
replaces with a policy amount, ``replaced`` (plan → policy path: a different typed value is a
warning). Reading, checking, validation, number formats, input fills, 不适用 shading and the
说明 sheet all derive from these declarations; :func:`problem_text` words every problem in
Chinese (English with ``lang="en"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xlkpi import payplans
from xlkpi.inputs import MONTH_FIELDS
from xlkpi.paylines import LINE_LABELS
from xlkpi.payplans import PLAN_LABELS

HEADER_ROW = 1
FIRST_DATA_ROW = 2
# Number format of every money cell the project writes (template, recalc, payslips).
AMOUNT_FORMAT = "#,##0.00"

BLANK_REQUIRED = "required"
BLANK_NONE = "none"
BLANK_COMPUTED = "computed"

# The text the builder and new-month write in a cell whose plan does not read it (read as blank
# there, a problem where the plan reads the column); "N/A" in an English workbook.
NOT_APPLICABLE = "不适用"
NOT_APPLICABLE_EN = "N/A"


def not_applicable_text(lang: str = "zh") -> str:
    """The 不适用 marker the builder and new-month write in a workbook of language ``lang``."""
    return not_applicable_texts(lang)[0]


def not_applicable_texts(lang: str = "zh") -> tuple[str, ...]:
    """The markers a workbook of language ``lang`` accepts, its own first: 不适用 in a
    Chinese book; N/A and 不适用 in an English one (the reader and the validation agree)."""
    return (NOT_APPLICABLE_EN, NOT_APPLICABLE) if lang == "en" else (NOT_APPLICABLE,)


def is_not_applicable(value: object, lang: str = "zh") -> bool:
    """Is ``value`` exactly the 不适用 marker (``N/A`` too in an English workbook)?"""
    return isinstance(value, str) and value.strip() in not_applicable_texts(lang)


@dataclass(frozen=True, slots=True)
class Kind:
    """What a kind of cell holds: unit, plausible range, whole or not, and how to fix it."""

    unit: str
    unit_en: str
    minimum: Decimal | None = Decimal(0)
    maximum: Decimal | None = None
    whole: bool = False
    percent: bool = False  # may a percentage be typed ("85%" → 0.85)?
    number: bool = True
    remedy: str = ""
    remedy_en: str = ""


def _d(text: str) -> Decimal:
    return Decimal(text)


KINDS: dict[str, Kind] = {
    "amount": Kind(
        "元",
        "yuan",
        maximum=_d("1e9"),
        remedy="请输入以元为单位的金额，0或以上，例如 25000（不要输入百分比）",
        remedy_en="enter an amount in yuan of 0 or more, e.g. 25000 (not a percentage)",
    ),
    "count": Kind(
        "次",
        "times",
        maximum=_d("100000"),
        whole=True,
        remedy="请输入0或正整数（次数）",
        remedy_en="enter a whole number of 0 or more",
    ),
    "days": Kind(
        "天",
        "days",
        maximum=_d("31"),
        remedy="请输入0到31之间的天数",
        remedy_en="enter a number of days between 0 and 31",
    ),
    "hours": Kind(
        "小时",
        "hours",
        maximum=_d("744"),
        remedy="请输入0到744之间的小时数",
        remedy_en="enter a number of hours between 0 and 744",
    ),
    "score": Kind(
        "分",
        "points",
        remedy="请输入0到评分上限之间的分数（不要输入百分比）",
        remedy_en="enter a score between 0 and the policy maximum (not a percentage)",
    ),
    "points": Kind(
        "分",
        "points",
        remedy="请输入该项0到满分之间的得分（不要输入百分比）",
        remedy_en="enter the item's points, 0 to its maximum (not a percentage)",
    ),
    "ratio": Kind(
        "",
        "",
        maximum=_d("10"),
        percent=True,
        remedy="请输入0或以上的系数，例如 1.2 或 85%",
        remedy_en="enter a ratio of 0 or more, e.g. 1.2 or 85%",
    ),
    "date": Kind("", "", number=False, remedy="请输入日期，例如 2024-03-01"),
    "month": Kind("", "", number=False, remedy="请按 YYYY-MM 输入月份，例如 2026-10"),
    "text": Kind("", "", number=False, remedy="请输入文字"),
    "choice": Kind("", "", number=False, remedy="请从下拉列表中选择"),
    "plan": Kind("", "", number=False, remedy="请从下拉列表中选择岗位/薪资方案"),
    "level": Kind("", "", number=False, remedy="请选择 助理、副理 或 员工"),
    "rank": Kind("", "", number=False, remedy="请从下拉列表中选择客服等级"),
    "bool": Kind("", "", number=False, remedy="请选择 是 或 否"),
    "formula": Kind("", "", number=False),
    "helper": Kind("", "", number=False),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column: the engine field it holds, its header, kind, blank meaning and readers."""

    field: str
    header: str
    kind: str
    required: bool = False  # blank is a problem (where the plan reads the column)
    width: int = 12
    plans: frozenset[str] | None = None  # the plans that read it; None = every plan
    minimum: Decimal | None = None  # overrides the kind's bounds
    maximum: Decimal | None = None
    blank: str = ""  # BLANK_*; "" = BLANK_REQUIRED when required, else BLANK_NONE
    note: str = ""  # shown under the header and on 说明 (e.g. 留空则按销售额÷目标计算)
    choices: tuple[tuple[str, str], ...] = ()  # (code, Chinese label) of a choice column
    replaced: tuple[tuple[str, str], ...] = ()  # (plan, policy path) replacing this amount
    policy_plans: str = ""  # a policy path holding the plans that read it (overrides plans)

    @property
    def blank_means(self) -> str:
        """What a blank cell means: BLANK_REQUIRED, BLANK_NONE or BLANK_COMPUTED."""
        return self.blank or (BLANK_REQUIRED if self.required else BLANK_NONE)

    @property
    def is_input(self) -> bool:
        """True for a column HR types (not a formula or helper)."""
        return self.kind not in ("formula", "helper")

    def readers(self, policy: object | None = None) -> frozenset[str] | None:
        """The plans reading this column (None = every plan), from the policy where it says."""
        if self.policy_plans and policy is not None:
            value: object = policy
            for part in self.policy_plans.split("."):
                value = getattr(value, part, None)
            if isinstance(value, list | tuple | frozenset | set):
                return frozenset(value)
        return self.plans

    def reads(self, plan: str, policy: object | None = None) -> bool:
        """Does ``plan`` read this column (under ``policy`` when given)?"""
        readers = self.readers(policy)
        return readers is None or plan in readers

    def bounds(self, score_maximum: Decimal | None = None) -> tuple[Decimal | None, Decimal | None]:
        """(lowest, highest) value allowed; a score's highest is ``score_maximum``."""
        kind = KINDS[self.kind]
        low = self.minimum if self.minimum is not None else kind.minimum
        high = self.maximum if self.maximum is not None else kind.maximum
        if self.kind == "score" and self.maximum is None:
            high = score_maximum
        return low, high

    def shown(self, value: object) -> object:
        """A value as the cell shows it: a choice's Chinese label, other values as they are."""
        for code, label in self.choices:
            if value == code:
                return label
        return value

    def choice_code(self, text: str) -> str | None:
        """The code of a choice typed as its label or its code (None when not a choice)."""
        for code, label in self.choices:
            if text in (code, label):
                return code
        return None


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

    @property
    def inputs(self) -> tuple[Column, ...]:
        """The columns HR types (id included)."""
        return tuple(c for c in self.columns if c.is_input)


def column_letter(number: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------- which plans read what
# rules.md second version, §B (one row per plan). Keep in step with the engine: the test
# tests/test_layout.py changes each input and checks whose pay moves.
DOC000 = frozenset({"designer", "promotion", "cs_000"})
SCORED = frozenset(
    {
        "designer",
        "promotion",
        "cs_000",
        "cs_003",
        "store_manager",
        "ops_specialist",
        "warehouse",
        "cs_2017",
    }
)
NET_SALES = frozenset(
    {
        "promotion",
        "cs_000",
        "cs_003",
        "store_manager",
        "ops_specialist",
        "cs_2017",
        "logistics_sales",
    }
)
ECOM = frozenset({"ecom_cs", "ecom_other"})
READS: dict[str, frozenset[str]] = {
    "score": SCORED,
    "lates": DOC000 | {"ops_specialist"},
    "early_leaves": DOC000 | {"ops_specialist"},
    "leaves": DOC000,
    "late_minutes": frozenset({"ops_specialist"}),
    "personal_leave_days": frozenset({"ops_specialist", "warehouse"}),
    "sick_leave_days": frozenset({"ops_specialist", "warehouse"}),
    "absences": DOC000 | {"ops_specialist", "warehouse"},
    "night_shifts": ECOM | {"warehouse"},
    "late_night_shifts": ECOM | {"warehouse"},
    "overtime_hours": ECOM | {"warehouse"},
    "holiday_days": ECOM | {"warehouse"},
    "working_days": frozenset({"warehouse"}),
    "sales": NET_SALES,
    "returns": NET_SALES,
    "shipping_paid": NET_SALES,
    "target": frozenset({"store_manager", "logistics_sales"}),
    "task_coefficient": frozenset({"store_manager"}),
    "team_share_amount": frozenset({"store_manager"}),
    "neutral_fixed": frozenset({"cs_003"}),
    "negative_fixed": frozenset({"cs_003"}),
    "complaints": frozenset({"cs_000", "cs_003", "cs_2017"}),
    "chat_violations": frozenset({"cs_000", "cs_003", "cs_2017"}),
    "contact_leaks": frozenset({"cs_000", "cs_003", "cs_2017"}),
    "special_awards": frozenset({"designer"}),
    "behaviour_score": frozenset({"logistics_sales"}),
    "absent_months": frozenset({"cs_2017"}),
    "work_grade": frozenset({"ecom_cs"}),
    "grade_rating": frozenset({"ecom_other"}),
}
# Rewards, penalties and losses: every plan has them (A10); not listed here = every plan.
# Where the policy names the plans (fines.plans, allowances.plans, …) the policy decides.
POLICY_READS: dict[str, str] = {
    "complaints": "fines.plans",
    "chat_violations": "fines.plans",
    "contact_leaks": "fines.plans",
    "night_shifts": "allowances.plans",
    "late_night_shifts": "allowances.plans",
    "overtime_hours": "allowances.plans",
    "holiday_days": "allowances.plans",
    "working_days": "allowances.lunch_plans",
}
# The "if any" inputs of the documents: blank means none.
IF_ANY: frozenset[str] = frozenset(
    {
        "rewards",
        "penalties",
        "losses",
        "complaints",
        "chat_violations",
        "contact_leaks",
        "shipping_paid",
        "special_awards",
    }
)
_NOTES: dict[str, str] = {
    "task_coefficient": "留空则按销售额÷目标计算；填0表示本月系数为0",
    "target": "店长：任务系数留空时必填",
    "team_share_amount": "店长的团队业绩分成金额，没有则留空",
    "behaviour_score": "0到1.2；违法违纪、事故或严重失误为0",
}
WORK_GRADE_CHOICES: tuple[tuple[str, str], ...] = (
    ("tier1", "一档"),
    ("tier2", "二档"),
    ("tier3", "三档"),
)
GRADE_LABELS: dict[str, str] = {
    "fail": "不及格",
    "pass": "及格",
    "good": "良好",
    "excellent": "优秀",
}
_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "work_grade": WORK_GRADE_CHOICES,
    "grade_rating": tuple(GRADE_LABELS.items()),
}
_CHOICE_LABELS: dict[str, tuple[str, str]] = {
    "work_grade": ("工作表现", "work-performance grade"),
    "grade_rating": ("绩效评级", "grade rating by the director"),
}


TARGET_MINIMUM = Decimal("0.01")  # a target divides: 0 is not a target


def _month(field: str, required: bool = True, width: int = 12) -> Column:
    """A month-input column declared from ``xlkpi.inputs.MONTH_FIELDS`` and :data:`READS`."""
    if field in _CHOICE_LABELS:
        zh, kind = _CHOICE_LABELS[field][0], "choice"
    else:
        zh, _en, kind = MONTH_FIELDS[field]
    blank = ""
    if field in IF_ANY:
        blank = BLANK_NONE
    elif field in ("task_coefficient",):
        blank = BLANK_COMPUTED
    elif field == "team_share_amount":
        blank = BLANK_NONE
    maximum = Decimal("1.2") if field == "behaviour_score" else None
    minimum = TARGET_MINIMUM if field == "target" else None
    return Column(
        field,
        zh,
        kind,
        required and field not in IF_ANY,
        width,
        plans=READS.get(field),
        minimum=minimum,
        maximum=maximum,
        blank=blank,
        note=_NOTES.get(field, ""),
        choices=_CHOICES.get(field, ()),
        policy_plans=POLICY_READS.get(field, ""),
    )


README = "说明"
POLICY = "参数"
META = "_xlkpi"  # hidden: month, status, seal hash
# hidden: the last recalc's values of the 工资表's PAY_TABLE block, at the block's own addresses;
# the array formula shows them where the add-in is missing (workbook_templates.payroll)
LAST_RECALC = "_上次重算"

# The first version's team-pool plans (the engine's own list while it still has one).
_TEAM_POOL_PLANS: frozenset[str] = getattr(payplans, "TEAM_POOL_PLANS", frozenset())
BASE_PAY_PLANS = frozenset({"designer", "promotion", "cs_000", "ops_specialist", "logistics_sales"})
ROSTER = SheetLayout(
    "花名册",
    "Roster",
    (
        Column("id", "工号", "text", True, 10),
        Column("name", "姓名", "text", True, 10),
        Column("plan", "岗位/薪资方案", "plan", True, 18),
        Column("level", "级别", "level", True, 8, plans=frozenset({"ecom_other", "store_manager"})),
        Column("hire_date", "入职日期", "date", True, 12),
        Column("trial", "试用期", "bool", True, 8),
        Column(
            "base_pay",
            "基本工资",
            "amount",
            True,
            plans=BASE_PAY_PLANS,
            maximum=Decimal("1e6"),
            replaced=(
                ("cs_003", "plans.cs_003.base_amount"),
                ("store_manager", "plans.store_manager.base_amount"),
                ("warehouse", "plans.warehouse.base_regular"),
            ),
        ),
        Column(
            "post_pay",
            "岗位工资",
            "amount",
            True,
            plans=frozenset({"ops_specialist", "cs_2017", "ecom_cs", "ecom_other"}),
            maximum=Decimal("1e6"),
        ),
        Column(
            "team",
            "团队",
            "text",
            True,
            10,
            plans=frozenset({"ecom_cs"}) | _TEAM_POOL_PLANS,
            policy_plans="team.pool_plans",
        ),
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
# Computed at the right of the per-employee month sheets: the roster's plan of the row's 工号
# (the 不适用 shading keys on it).
PLAN_HELPER = Column("plan_shown", "岗位", "formula", False, 14)
ATTENDANCE = SheetLayout(
    "考勤",
    "Attendance",
    (
        Column("id", "工号", "text", True, 10),
        Column("name", "姓名", "formula", False, 10),
        *(_month(f) for f in _ATTENDANCE_FIELDS),
        PLAN_HELPER,
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
    "team_share_amount",
    "behaviour_score",
    "absent_months",
    "work_grade",
    "grade_rating",
)
SALES = SheetLayout(
    "业绩",
    "Sales",
    (
        Column("id", "工号", "text", True, 10),
        Column("name", "姓名", "formula", False, 10),
        *(_month(f, f not in ("task_coefficient", "team_share_amount")) for f in _SALES_FIELDS),
        PLAN_HELPER,
    ),
)
# The store manager's target is needed only when the task coefficient is blank.
TARGET_OPTIONAL_FOR: frozenset[str] = frozenset({"store_manager"})

# Shops of the e-commerce department (rules.md A6): one row per shop; the doc-002 pool and
# the group bonus are computed from them. The month's public sales (2017 standard) sit right
# of the table (label, then the value).
SHOP_PLANS = frozenset({"ecom_cs", "ecom_other"})
SHOPS = SheetLayout(
    "店铺",
    "Shops",
    (
        Column("name", "店铺名称", "text", True, 14),
        Column("orders", "下单金额", "amount", True, 14, maximum=Decimal("1e10")),
        Column("returns", "退货金额", "amount", True, 14, maximum=Decimal("1e10")),
        Column(
            "shipping_paid",
            "代付运费",
            "amount",
            False,
            14,
            maximum=Decimal("1e10"),
            blank=BLANK_NONE,
        ),
        Column(
            "target", "月目标", "amount", True, 14, minimum=TARGET_MINIMUM, maximum=Decimal("1e10")
        ),
        Column("group", "负责客服组", "text", False, 12),
        Column("shop_sales", "店铺销售额", "formula", False, 14),
        Column("completion", "完成率", "formula", False, 10),
    ),
)
PUBLIC_POOL_PLANS_READING = frozenset({"cs_2017"})

# Team targets: the first version's per-team table (obsolete under the second version, whose
# doc-002 pool comes from 店铺). Read when present; no longer required.
TEAMS = SheetLayout(
    "团队目标",
    "Teams",
    (
        Column("team", "团队", "text", True, 10),
        Column(
            "target",
            "团队销售目标",
            "amount",
            True,
            14,
            minimum=TARGET_MINIMUM,
            maximum=Decimal("1e10"),
        ),
        Column("team_sales", "团队销售额", "formula", False, 14),
        Column("completion", "完成率", "formula", False, 10),
    ),
)
PUBLIC_SALES_LABEL = "公共销售业绩总额"
PUBLIC_SALES_COLUMN = Column(
    "public_sales",
    PUBLIC_SALES_LABEL,
    "amount",
    True,
    plans=PUBLIC_POOL_PLANS_READING,
    maximum=Decimal("1e10"),
    policy_plans="team.public_pool_plans",
)

# The month's appraisal score, as the plans read it (from a scorecard or 主管自评).
SCORE_COLUMN = Column("score", "绩效分数", "score", True, plans=SCORED)

SUPERVISOR_SELF = SheetLayout(
    "主管自评",
    "Supervisor and self scores",
    (
        Column("id", "工号", "text", True, 10),
        Column("name", "姓名", "formula", False, 10),
        Column("supervisor", "主管抽查得分(75%)", "score", True, 14, plans=SCORED),
        Column("self", "月底自评得分(25%)", "score", True, 14, plans=SCORED),
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
# 应发 → 扣除 → 实发 (issue 10), right of 计算过程: values recalc writes (they depend on the
# year's 历史, so they are not formulas). Deductions are shown as positive amounts.
NET_PAY_COLUMNS: dict[str, str] = {
    "year_end_bonus": "全年一次性奖金",
    "gross": "应发合计",
    "si_pension": "养老保险(个人)",
    "si_medical": "医疗保险(个人)",
    "si_unemployment": "失业保险(个人)",
    "housing_fund": "住房公积金(个人)",
    "iit": "个人所得税",
    "bonus_tax": "年终奖个税",
    "other_deductions": "其他扣除",
    "deductions": "扣款合计",
    "net": "实发合计",
}
PAYROLL_NET: tuple[Column, ...] = tuple(
    Column(field, header, "amount", width=12) for field, header in NET_PAY_COLUMNS.items()
)
PAYROLL = SheetLayout(
    "工资表",
    "Payroll",
    (
        *PAYROLL_LEFT,
        *(Column(code, zh, "formula") for code, (zh, _en) in LINE_LABELS.items()),
        Column("total", "应发工资", "formula", width=14),
        Column("trace", "计算过程", "text", width=80),
        *PAYROLL_NET,
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

# The year-to-date tax ledger (issue 10, 累计预扣法): each closed month's own figures, which
# the next months sum (xlkpi.tax.ledger), then the cumulative figures of the year so far as
# the month's withholding used them (shown for HR and the 个税 declaration; not read back).
# The special additional deductions are kept by item (the declaration lists them so).
TAX_ITEM_HEADERS: dict[str, str] = {
    "children_education": "子女教育",
    "infant_care": "3岁以下婴幼儿照护",
    "continuing_education": "继续教育",
    "housing_loan_interest": "住房贷款利息",
    "housing_rent": "住房租金",
    "elderly_support": "赡养老人",
    "serious_illness": "大病医疗",
}
HISTORY_LEDGER: tuple[Column, ...] = (
    Column("income", "本期收入", "amount", width=12),
    Column("social_insurance", "本期专项扣除", "amount", width=12),
    *(Column(f"item:{f}", f"本期{h}", "amount", width=10) for f, h in TAX_ITEM_HEADERS.items()),
    Column("other_deductions", "本期其他扣除", "amount", width=12),
    Column("tax_withheld", "本期预扣个税", "amount", width=12),
    Column("tax_months", "本年任职月数", "count", width=10),
    Column("cumulative_income", "累计收入", "amount", width=12),
    Column("cumulative_deductions", "累计专项扣除", "amount", width=12),
    Column("cumulative_additional", "累计专项附加扣除", "amount", width=14),
    Column("cumulative_taxable", "累计应纳税所得额", "amount", width=14),
    Column("cumulative_withheld", "累计已预扣个税", "amount", width=14),
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
        Column("total", "应发工资", "amount", width=14),
        Column("rank", "客服等级", "text", width=10),
        Column("complaints", "客诉次数", "count", width=10),
        # rules.md A11: a complaint, fine, penalty, loss or absence that month (是/否). An old
        # 历史 sheet without the column reads blank: the complaint count alone decides.
        Column("bad_record", "不良记录", "bool", width=10),
        *HISTORY_LEDGER,
    ),
)
# Headers an older workbook used for a History column (field → old header).
HISTORY_OLD_HEADERS: dict[str, str] = {"total": "实发合计"}

# The 个税 sheet recalc writes each month (xlkpi.tax.declaration_sheet): per employee what a
# withholding declaration (扣缴申报) asks for — this period's income and special deductions by
# item, the year's special additional deductions by item, the cumulative figures and the tax
# withheld.
TAX_SHEET = SheetLayout(
    "个税",
    "Income tax",
    (
        Column("id", "工号", "text", width=10),
        Column("name", "姓名", "text", width=10),
        Column("tax_months", "本年任职月数", "count", width=8),
        Column("income", "本期收入", "amount", width=12),
        Column("si_pension", "本期基本养老保险", "amount", width=12),
        Column("si_medical", "本期基本医疗保险", "amount", width=12),
        Column("si_unemployment", "本期失业保险", "amount", width=12),
        Column("housing_fund", "本期住房公积金", "amount", width=12),
        Column("cumulative_income", "累计收入", "amount", width=12),
        Column("cumulative_basic", "累计减除费用", "amount", width=12),
        Column("cumulative_deductions", "累计专项扣除", "amount", width=12),
        *(Column(f"item:{f}", f"累计{h}", "amount", width=10) for f, h in TAX_ITEM_HEADERS.items()),
        Column("cumulative_other", "累计其他扣除", "amount", width=12),
        Column("cumulative_taxable", "累计应纳税所得额", "amount", width=14),
        Column("rate", "税率", "ratio", width=8),
        Column("quick_deduction", "速算扣除数", "amount", width=10),
        Column("cumulative_tax", "累计应纳税额", "amount", width=12),
        Column("withheld_before", "累计已预扣税额", "amount", width=12),
        Column("tax", "本期应预扣税额", "amount", width=12),
        Column("year_end_bonus", "全年一次性奖金", "amount", width=12),
        Column("bonus_separate", "年终奖单独计税税额", "amount", width=12),
        Column("bonus_merged", "年终奖并入综合所得税额", "amount", width=14),
        Column("bonus_method", "年终奖计税方式", "text", width=12),
    ),
)

PLAN_BY_LABEL: dict[str, str] = {zh: code for code, (zh, _en) in PLAN_LABELS.items()}
LEVEL_LABELS: dict[str, str] = {"assistant": "助理", "deputy": "副理", "staff": "员工"}
LEVEL_BY_LABEL: dict[str, str] = {zh: code for code, zh in LEVEL_LABELS.items()}
BOOL_LABELS: dict[bool, str] = {True: "是", False: "否"}

# 年终奖计税方式 (issue 10): how a year-end bonus is taxed, per employee (blank: the policy's
# default, separate until tax.bonus.separate_until, merged after).
BONUS_METHODS: dict[str, str] = {"separate": "单独计税", "merged": "并入综合所得"}

# 专项附加扣除 and the contribution base (issue 10): one row per employee, every plan. Blank
# is 0 (the base: the roster's base pay); each item's cap is the policy's (policy.tax.caps),
# checked by xlkpi.tax.additional_deductions.deduction_problems at the cell.
TAX_INPUTS = SheetLayout(
    "专项附加扣除",
    "Special additional deductions",
    (
        Column("id", "工号", "text", True, 10),
        Column("name", "姓名", "formula", False, 10),
        Column(
            "contribution_base",
            "社保公积金缴费基数",
            "amount",
            False,
            14,
            maximum=Decimal("1e6"),
            blank=BLANK_COMPUTED,
            note="留空则按花名册基本工资；填0表示不参保",
        ),
        *(
            Column(f, h, "amount", False, 12, maximum=Decimal("1e6"), blank=BLANK_NONE)
            for f, h in TAX_ITEM_HEADERS.items()
        ),
        Column("other_deductions", "其他扣除", "amount", False, 10, blank=BLANK_NONE),
        Column("year_end_bonus", "全年一次性奖金", "amount", False, 14, blank=BLANK_NONE),
        Column(
            "bonus_method",
            "年终奖计税方式",
            "choice",
            False,
            14,
            blank=BLANK_NONE,
            note="留空则按「参数」表：单独计税截止月份前单独计税，之后并入综合所得",
            choices=tuple(BONUS_METHODS.items()),
        ),
        PLAN_HELPER,
    ),
)

INPUT_SHEETS: tuple[SheetLayout, ...] = (
    ROSTER,
    ATTENDANCE,
    SALES,
    SHOPS,
    TEAMS,
    SUPERVISOR_SELF,
    TAX_INPUTS,
)

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
# sheet (MATCH by id), the roster team of a team-pool member (blank for other plans: 团队目标's
# team sales sum the rows with its team), and net sales rounded to the fen.
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
TOTAL_ERROR_TEXT = "#输入错误"  # a 合计 cell over a column holding an error text


def money_sum_formula(letter: str, last_staff_row: int) -> str:
    """The 合计 row's formula (no leading ``=``) of a 工资表 money column, native in both
    builds: the staff cells summed and rounded to the fen. SUM skips text, so where a cell of
    the column holds an error text (``PAY_TABLE``'s ``#输入错误: …``) the total is an error
    text too, never a smaller number."""
    cells = f"{letter}{FIRST_DATA_ROW}:{letter}{last_staff_row}"
    return (
        f'IF(SUMPRODUCT(ISTEXT({cells})*(LEFT({cells},1)="#")),"{TOTAL_ERROR_TEXT}",'
        f"ROUND(SUM({cells}),2))"
    )


# The public sales on 店铺: the label cell and, right of it, the value (name PUBLIC_SALES).
PUBLIC_SALES_LABEL_CELL = "J1"
PUBLIC_SALES_CELL = "K1"
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
            *(Column(f"item:{code}", label, "points", True, 14) for code, label in items),
            Column("bonus_points", SCORECARD_BONUS_HEADER, "points", False, 8, blank=BLANK_NONE),
            Column("score", SCORECARD_TOTAL_HEADER, "formula", False, 10),
        ),
    )


def month_columns(sheet: SheetLayout) -> tuple[Column, ...]:
    """The input columns of a per-employee month sheet, id and name excluded."""
    return tuple(c for c in sheet.columns if c.is_input and c.field != "id")


def plan_reads_field(field: str, plan: str, policy: object | None = None) -> bool:
    """Does ``plan`` read the month input ``field`` (any per-employee month sheet)?"""
    if field == "score":
        return SCORE_COLUMN.reads(plan, policy)
    for sheet in (ATTENDANCE, SALES):
        for column in sheet.columns:
            if column.field == field:
                return column.reads(plan, policy)
    return True


def scorecard_of(plan: str, policy: object) -> str | None:
    """The scorecard scoring ``plan`` (policy ``scorecards[key].plans``), or None."""
    for key, card in getattr(policy, "scorecards", {}).items():
        if plan in card.plans:
            return key
    return None


def score_maximum(policy: object, plan: str | None = None) -> Decimal:
    """The highest valid score of ``plan`` (the policy's per-plan maximum where it has one)."""
    score = policy.score  # type: ignore[attr-defined]
    per_plan = getattr(score, "maximum_for", None)
    if plan is not None and per_plan is not None:
        return per_plan(plan)
    return score.maximum
