"""What the engine computes from: the roster, one month's inputs per employee, team targets.

These are plain immutable records (slots dataclasses, cheap to build for 100,000 staff);
the workbook and CLI layers convert cells into them through :func:`xlkpi.money.to_decimal`,
so by the time a record exists its numbers are Decimals and its counts are ints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from operator import attrgetter

from xlkpi.errors import InvalidNumberError, OutOfRangeError
from xlkpi.money import ZERO

# Every numeric month input: field name → (Chinese label, English label, kind).
# kind "count" is a whole number ≥ 0, "amount" money ≥ 0, "days"/"hours" a number ≥ 0,
# "score" a score 0..policy maximum, "ratio" a number ≥ 0.
MONTH_FIELDS: dict[str, tuple[str, str, str]] = {
    "score": ("绩效分数", "appraisal score", "score"),
    "lates": ("迟到次数", "late arrivals", "count"),
    "early_leaves": ("早退次数", "early leaves", "count"),
    "leaves": ("请假次数", "leave requests", "count"),
    "late_minutes": ("迟到总分钟", "late minutes in total", "count"),
    "personal_leave_days": ("事假天数", "personal leave days", "days"),
    "sick_leave_days": ("病假天数", "sick leave days", "days"),
    "absences": ("旷工天数", "unexcused absence days", "days"),
    "night_shifts": ("夜班次数", "night shifts", "count"),
    "late_night_shifts": ("深夜班次数(2点后)", "late-night shifts", "count"),
    "overtime_hours": ("加班小时", "overtime hours", "hours"),
    "holiday_days": ("法定节假日值班天数", "statutory holiday duty days", "days"),
    "working_days": ("出勤天数", "days worked", "days"),
    "sales": ("个人销售额", "personal sales (orders placed)", "amount"),
    "returns": ("退货金额", "returns", "amount"),
    "shipping_paid": ("代付运费", "shipping paid on the customer's behalf", "amount"),
    "target": ("个人目标", "personal sales target", "amount"),
    "task_coefficient": ("任务完成系数", "task completion coefficient", "ratio"),
    "neutral_fixed": ("中评修改个数", "neutral reviews changed", "count"),
    "negative_fixed": ("差评修改个数", "negative reviews changed", "count"),
    "complaints": ("客诉次数", "service complaints", "count"),
    "chat_violations": ("上班闲聊次数", "chatting with non-customers on duty", "count"),
    "contact_leaks": ("泄露联系方式次数", "colleagues' contacts leaked", "count"),
    "special_awards": ("特殊奖励", "special awards", "amount"),
    "rewards": ("奖励", "rewards", "amount"),
    "penalties": ("处罚", "penalties", "amount"),
    "losses": ("损失工资", "losses caused by mistakes", "amount"),
    # rules.md second version (§B): the store manager's entered team share, the logistics
    # company sales staff's behaviour score, the 2017 standard's months absent.
    "team_share_amount": ("团队业绩分成", "store manager's team performance share", "amount"),
    "behaviour_score": ("行为考核系数", "behaviour score (0 to 1.2)", "ratio"),
    "absent_months": ("考核期缺勤月数", "months absent in the appraisal period", "count"),
}

# Inputs that may be left blank, and what blank means for them.
OPTIONAL_FIELDS: frozenset[str] = frozenset(
    {"target", "task_coefficient", "team_share_amount", "behaviour_score"}
)

# Choice inputs of the second version (codes; Chinese labels live with the policy/plans):
# work_grade 工作表现 of e-commerce customer service (doc 002): "tier1" | "tier2" | "tier3";
# grade_rating 绩效评级 of the e-commerce department's other staff: "fail" | "pass" | "good" |
# "excellent" (the codes of policy.GRADES).
WORK_GRADES: tuple[str, ...] = ("tier1", "tier2", "tier3")


@dataclass(frozen=True, slots=True)
class Employee:
    """One roster row (花名册)."""

    id: str
    name: str
    plan: str
    hire_date: date
    base_pay: Decimal = ZERO
    post_pay: Decimal = ZERO
    level: str = "staff"
    trial: bool = False
    team: str = ""
    rank: str = "trial"


@dataclass(frozen=True, slots=True)
class MonthInput:
    """One employee's inputs for one month (attendance, sales, scorecard result, fines).

    A record cannot hold a negative number, a float or a fractional count: construction
    raises an :class:`~xlkpi.errors.InputError` naming the field (see :func:`check_input`).
    """

    employee_id: str
    score: Decimal | None = None
    lates: int = 0
    early_leaves: int = 0
    leaves: int = 0
    late_minutes: int = 0
    personal_leave_days: Decimal = ZERO
    sick_leave_days: Decimal = ZERO
    absences: Decimal = ZERO
    night_shifts: int = 0
    late_night_shifts: int = 0
    overtime_hours: Decimal = ZERO
    holiday_days: Decimal = ZERO
    working_days: Decimal = ZERO
    sales: Decimal = ZERO
    returns: Decimal = ZERO
    shipping_paid: Decimal = ZERO
    target: Decimal | None = None
    task_coefficient: Decimal | None = None
    neutral_fixed: int = 0
    negative_fixed: int = 0
    complaints: int = 0
    chat_violations: int = 0
    contact_leaks: int = 0
    special_awards: Decimal = ZERO
    rewards: Decimal = ZERO
    penalties: Decimal = ZERO
    losses: Decimal = ZERO
    team_share_amount: Decimal | None = None
    behaviour_score: Decimal | None = None
    absent_months: int = 0
    work_grade: str | None = None
    grade_rating: str | None = None

    def __post_init__(self) -> None:
        check_input(self)

    @property
    def net_sales(self) -> Decimal:
        """Orders placed − returns − shipping paid on the customer's behalf (rules.md A6)."""
        return self.sales - self.returns - self.shipping_paid


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """One employee's closed month, as the History sheet keeps it."""

    month: str
    employee_id: str
    score: Decimal | None
    grade: str
    coefficient: Decimal
    total: Decimal
    rank: str
    complaints: int = 0
    # rules.md A11: any complaint, fine, penalty, loss or absence that month.
    bad_record: bool = False
    # The year-to-date tax ledger (issue "实发"): this month's figures; cumulative ones are
    # the sums over the History's months of the same tax year.
    gross: Decimal = ZERO
    social_insurance: Decimal = ZERO
    additional_deductions: Decimal = ZERO
    other_deductions: Decimal = ZERO
    tax_withheld: Decimal = ZERO
    # The special additional deductions by item (field of TaxInput → amount; only non-zero).
    additional_items: tuple[tuple[str, Decimal], ...] = ()
    # False for a month closed before 历史 kept the ledger (its 本期收入 blank): not a month
    # of the ledger, so it adds no basic deduction either.
    in_ledger: bool = True


@dataclass(frozen=True, slots=True)
class Shop:
    """One shop of the e-commerce department (店铺), rules.md A6.

    ``group`` is the customer-service group (the roster's 团队) responsible for the shop.
    """

    name: str
    orders: Decimal
    returns: Decimal = ZERO
    shipping_paid: Decimal = ZERO
    target: Decimal | None = None
    group: str = ""

    @property
    def sales(self) -> Decimal:
        """Orders placed − returns − shipping paid on the customer's behalf (rules.md A6)."""
        return self.orders - self.returns - self.shipping_paid


@dataclass(frozen=True, slots=True)
class TaxInput:
    """One employee's month of withholding inputs (专项附加扣除, contribution base, bonus).

    ``contribution_base`` None means the roster's base pay. Special additional deductions
    are this month's amounts, each bounded by its policy cap.
    """

    employee_id: str
    contribution_base: Decimal | None = None
    children_education: Decimal = ZERO
    infant_care: Decimal = ZERO
    elderly_support: Decimal = ZERO
    continuing_education: Decimal = ZERO
    housing_loan_interest: Decimal = ZERO
    housing_rent: Decimal = ZERO
    serious_illness: Decimal = ZERO
    other_deductions: Decimal = ZERO
    year_end_bonus: Decimal = ZERO
    # 年终奖计税方式: "separate" (单独计税), "merged" (并入综合所得), "" = the policy's default
    bonus_method: str = ""


@dataclass(frozen=True)
class Month:
    """Everything one month's computation needs besides the policy."""

    month: str
    employees: list[Employee]
    inputs: dict[str, MonthInput]
    team_targets: dict[str, Decimal] = field(default_factory=dict)
    public_sales: Decimal = ZERO
    history: list[HistoryRecord] = field(default_factory=list)
    shops: list[Shop] = field(default_factory=list)
    tax_inputs: dict[str, TaxInput] = field(default_factory=dict)


_NUMERIC_FIELDS: tuple[tuple[str, str, bool], ...] = tuple(
    (name, name, kind == "count") for name, (_zh, _en, kind) in MONTH_FIELDS.items()
)
_ALL_VALUES = attrgetter(*(name for name, _label, _whole in _NUMERIC_FIELDS))
_COUNT_VALUES = attrgetter(*(name for name, _label, whole in _NUMERIC_FIELDS if whole))
_NUMBER_TYPES = frozenset({int, Decimal})


def check_input(inp: MonthInput) -> None:
    """Refuse a record whose numbers are not whole counts / Decimals ≥ 0.

    The workbook reader already reports such cells one by one; this guard keeps a record
    built in code from ever paying less silently (a negative sales figure, a float). The
    fast path checks all fields at once; the slow path names the first bad one.
    """
    values = [v for v in _ALL_VALUES(inp) if v is not None]
    try:
        fine = (
            _NUMBER_TYPES.issuperset(map(type, values))  # first: min() cannot compare text
            and min(values) >= 0
            and max(values) < LARGEST_INPUT  # and NaN (comparison raises) or infinity
            and all(type(v) is int for v in _COUNT_VALUES(inp))
        )
    except InvalidOperation:
        fine = False
    if not fine:
        _name_bad_field(inp)


LARGEST_INPUT = Decimal("1e15")


def _name_bad_field(inp: MonthInput) -> None:
    from xlkpi.messages import get_lang, t

    for name, _code, whole in _NUMERIC_FIELDS:
        value = getattr(inp, name)
        if value is None:
            continue
        zh, en, _kind = MONTH_FIELDS[name]
        said = {"id": inp.employee_id, "label": en if get_lang() == "en" else zh, "value": value}
        kind = type(value)
        if kind is not int and (whole or kind is not Decimal):
            key = "inputs.not_whole" if whole else "inputs.not_decimal"
            raise InvalidNumberError(t(key, **said | {"value": repr(value)}))
        if kind is Decimal and not value.is_finite():
            raise InvalidNumberError(t("inputs.not_finite", **said))
        if value < 0:
            raise OutOfRangeError(t("inputs.negative", **said))
        if value >= LARGEST_INPUT:
            raise OutOfRangeError(t("inputs.implausible", **said))
