"""The building blocks of rules.md §A: one small function per rule, reading the policy.

Each public function takes what a person or Excel hands over (numbers, numeric text,
Decimals), checks it, and returns a Decimal; money results are rounded half-up to the fen.
Invalid input raises a subclass of :class:`xlkpi.errors.InputError` saying what is wrong and
what is allowed; a blank (None) input is reported as missing, never read as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from xlkpi.errors import InvalidNumberError, MissingValueError, OutOfRangeError
from xlkpi.inputs import Shop
from xlkpi.messages import t
from xlkpi.money import FEN, HUNDRED, ONE, ZERO, format_number, round_money, to_decimal
from xlkpi.policy import AttendancePolicy, GradePolicy, Policy, StrictAttendancePolicy
from xlkpi.policy_io import default_policy
from xlkpi.scales import MarginalRateScale

# ---------------------------------------------------------------- input checks


def amount_arg(value: object, what: str) -> Decimal:
    """A money amount ≥ 0."""
    number = to_decimal(value, what)
    if number < ZERO:
        raise OutOfRangeError(t("value.negative", what=what, value=number))
    return number


def count_arg(value: object, what: str) -> int:
    """A whole count ≥ 0 (3.0 is accepted as 3; 2.5 is not)."""
    number = to_decimal(value, what)
    if number < ZERO:
        raise OutOfRangeError(t("value.count_negative", what=what, value=number))
    if number != number.to_integral_value():
        raise InvalidNumberError(t("value.count_whole", what=what, value=number))
    return int(number)


def score_arg(
    value: object, policy: Policy, what: str = "score", plan: str | None = None
) -> Decimal:
    """An appraisal score between 0 and the maximum of ``plan`` (100; 120 on doc 003's plans).

    Without a plan the bound is ``score.maximum``, the highest any plan allows. A score above
    the maximum is an input error, never capped.
    """
    number = to_decimal(value, what)
    top = policy.score.maximum if plan is None else policy.score.maximum_for(plan)
    if not ZERO <= number <= top:
        where = "score.maximum" if plan is None else f"score.plan_maximum.{plan}"
        raise OutOfRangeError(t("value.score_range", what=what, value=number, top=top, where=where))
    return number


def _policy(policy: Policy | None) -> Policy:
    return default_policy() if policy is None else policy


# ---------------------------------------------------------------- A1, A2: score bands


def perf_coeff(score: object, policy: Policy | None = None) -> Decimal:
    """Performance coefficient 绩效系数 by score (rules.md A1).

    >>> perf_coeff(65), perf_coeff("64.99"), perf_coeff(95)
    (Decimal('1.0'), Decimal('0.5'), Decimal('1.5'))
    """
    p = _policy(policy)
    return p.perf_coeff.value(score_arg(score, p))


def bonus_ratio(score: object, policy: Policy | None = None) -> Decimal:
    """Share of the performance-bonus pot paid at ``score`` (rules.md A2, Reading).

    >>> bonus_ratio(85), bonus_ratio("79.99")
    (Decimal('1.0'), Decimal('0.6'))
    """
    p = _policy(policy)
    return p.perf_bonus.ratio.value(score_arg(score, p))


def perf_bonus(base: object, score: object, policy: Policy | None = None) -> Decimal:
    """Performance bonus 绩效奖金 = base × 20% × ratio(score) (rules.md A2).

    >>> perf_bonus(3000, 85)
    Decimal('600.00')
    """
    p = _policy(policy)
    base_pay = amount_arg(base, "base pay")
    return round_money(base_pay * p.perf_bonus.pot_rate * bonus_ratio(score, p))


def grade(score: object, policy: Policy | None = None) -> str:
    """Appraisal grade (fail / pass / good / excellent) by score, from the policy's lines."""
    p = _policy(policy)
    return grade_of(score_arg(score, p), p.grades)


def grade_of(score: Decimal, lines: GradePolicy) -> str:
    """The grade of a checked score: the one grade function the engine and UDFs share."""
    if score >= lines.excellent_from:
        return "excellent"
    if score >= lines.good_from:
        return "good"
    return "pass" if score >= lines.pass_from else "fail"


# ---------------------------------------------------------------- A3: attendance


def attendance_bonus(
    base: object, lates: object, absences: object, policy: Policy | None = None
) -> Decimal:
    """Full-attendance bonus 全勤奖 = 10% of base, unless cancelled (rules.md A3, doc 000).

    ``lates`` counts late arrivals, early leaves and leaves together; 3 or more cancel it,
    and so does any unexcused absence.

    >>> attendance_bonus(3000, 2, 0), attendance_bonus(3000, 3, 0)
    (Decimal('300.00'), Decimal('0.00'))
    """
    p = _policy(policy).attendance
    base_pay = amount_arg(base, "base pay")
    late_count = count_arg(lates, "lates + early leaves + leaves")
    absence_days = amount_arg(absences, "absence days")
    if attendance_cancel_reason(late_count, absence_days, p) is not None:
        return round_money(ZERO)
    return round_money(base_pay * p.bonus_rate)


def attendance_cancel_reason(
    late_count: int, absence_days: Decimal, p: AttendancePolicy
) -> str | None:
    """Why the doc-000 full-attendance bonus is cancelled this month, or None when it is paid."""
    if absence_days >= p.cancel_at_absence_days:
        return f"旷工{format_number(absence_days)}天"
    if late_count >= p.cancel_at_count:
        return f"迟到/早退/请假{late_count}次"
    return None


def strict_attendance_clean(
    late_times: int,
    late_minutes: Decimal,
    absences: Decimal,
    personal_leave_days: Decimal,
    sick_leave_days: Decimal,
    p: StrictAttendancePolicy,
) -> bool:
    """True for the clean month the operations specialist's attendance bonus needs (doc 001)."""
    return (
        late_times <= p.max_late_times
        and late_minutes < p.max_late_minutes
        and not absences
        and not personal_leave_days
        and not sick_leave_days
    )


def strict_attendance_bonus(
    late_times: object,
    late_minutes: object,
    absences: object,
    personal_leave_days: object,
    sick_leave_days: object,
    policy: Policy | None = None,
) -> Decimal:
    """Operations-specialist full attendance (doc 001): paid only with a clean month."""
    p = _policy(policy).strict_attendance
    clean = strict_attendance_clean(
        count_arg(late_times, "late/early times"),
        amount_arg(late_minutes, "late minutes"),
        amount_arg(absences, "absence days"),
        amount_arg(personal_leave_days, "personal leave days"),
        amount_arg(sick_leave_days, "sick leave days"),
        p,
    )
    return round_money(p.amount if clean else ZERO)


# ---------------------------------------------------------------- A4, A5: commissions


def _labels(codes: object, kind: str) -> str:
    """The choices of an error message, as the workbook labels them (grade or level codes)."""
    from xlkpi import layout  # layout imports the plans, which import this module

    names = layout.GRADE_LABELS if kind == "grade" else layout.LEVEL_LABELS
    return "、".join(f"{names.get(c, c)}（{c}）" for c in codes)  # type: ignore[attr-defined]


def schedule_of(schedule: str | MarginalRateScale | None, policy: Policy) -> MarginalRateScale:
    """Look up a commission schedule by name (default: the progressive sales bonus)."""
    if isinstance(schedule, MarginalRateScale):
        return schedule
    name = schedule or "ops_progressive"
    try:
        return policy.commission[name]
    except KeyError:
        known = ", ".join(sorted(policy.commission))
        raise OutOfRangeError(t("rules.no_schedule", name=repr(name), known=known)) from None


def commission(
    sales: object, schedule: str | MarginalRateScale | None = None, policy: Policy | None = None
) -> Decimal:
    """Commission on ``sales`` by a marginal-rate schedule (rules.md A4, A5).

    The default schedule is the progressive sales bonus, whose worked examples are:

    >>> [commission(s) for s in (25000, 35000, 70000, 100000)]
    [Decimal('300.00'), Decimal('550.00'), Decimal('2000.00'), Decimal('3900.00')]
    >>> commission(38000, "cs_flat")
    Decimal('760.00')
    >>> commission(22000, schedule="cs_2017")
    Decimal('860.00')
    """
    p = _policy(policy)
    return round_money(schedule_of(schedule, p).compute(amount_arg(sales, "sales")))


def public_pool_share(
    public_sales: object, staff: object, schedule: str | None = None, policy: Policy | None = None
) -> Decimal:
    """One customer-service share of the public pool: public sales × 1% ÷ staff (A5).

    Each share is a pay line, rounded once: 1,234.50 × 1% ÷ 2 = 6.1725 → 6.17.

    >>> public_pool_share(400000, 3)
    Decimal('1333.33')
    """
    p = _policy(policy)
    heads = count_arg(staff, "number of customer-service staff")
    if heads == 0:
        raise OutOfRangeError(t("rules.no_public_staff"))
    scale = schedule_of(schedule or p.plans.cs_2017.public_pool_schedule, p)
    return pool_share(scale.compute(amount_arg(public_sales, "public sales")), heads)


def pool_share(pool: Decimal, members: int, share: Decimal = ONE) -> Decimal:
    """A share of a pool, ``pool × share ÷ members``, rounded half-up once.

    Multiplying before dividing keeps an exact half fen exact: 300.55 × 90% ÷ 3 = 90.165
    → 90.17, where ``300.55 ÷ 3`` (a repeating decimal) × 90% would round down.

    >>> pool_share(Decimal("300.55"), 3, Decimal("0.9"))
    Decimal('90.17')
    """
    if members <= 0:
        raise OutOfRangeError(t("rules.members", members=members))
    return round_money(pool * share / members)


# ---------------------------------------------------------------- A6: team


def completion(team_sales: object, target: object) -> Decimal:
    """Target completion = sales ÷ target (a ratio, 1 = 100%)."""
    sales = amount_arg(team_sales, "team sales")
    goal = amount_arg(target, "team target")
    if goal == ZERO:
        raise OutOfRangeError("销售目标为0：请填写大于0的目标。")
    return sales / goal


def shops_sales(shops: Sequence[Shop]) -> Decimal:
    """The shops' total sales: Σ (orders − returns − shipping paid), never below 0 (A6)."""
    return max(sum((shop.sales for shop in shops), ZERO), ZERO)


def shops_target(shops: Sequence[Shop]) -> Decimal:
    """The shops' total monthly target; a shop without a target is a missing input."""
    total = ZERO
    for shop in shops:
        if shop.target is None:
            raise MissingValueError(f"店铺“{shop.name}”没有本月销售目标：请在店铺表填写目标。")
        total += shop.target
    if total == ZERO:
        raise OutOfRangeError("店铺销售目标合计为0：请填写大于0的目标。")
    return total


def shops_completion(shops: Sequence[Shop]) -> Decimal:
    """Completion over the shops together: total sales ÷ total target (A6).

    >>> shops_completion([Shop("甲店", Decimal(90000), target=Decimal(100000)),
    ...                   Shop("乙店", Decimal(30000), target=Decimal(50000))])
    Decimal('0.8')
    """
    return shops_sales(shops) / shops_target(shops)


def department_pool(shops: Sequence[Shop], policy: Policy | None = None) -> Decimal:
    """The department's one customer-service pool = all shops' sales × rate(completion), to
    the fen (rules.md A6: 总销售额, 不分一组二组)."""
    p = _policy(policy)
    sales = shops_sales(shops)
    return round_money(sales * p.team.pool_rate.value(sales / shops_target(shops)))


def group_shops(shops: Sequence[Shop], group: str) -> list[Shop]:
    """The shops a customer-service group is responsible for (店铺表的客服组 = 花名册团队)."""
    mine = [shop for shop in shops if shop.group == group]
    if not mine:
        raise MissingValueError(
            f"客服组“{group or '（空白）'}”没有负责的店铺：请在店铺表的客服组一栏填写该组。"
        )
    return mine


def team_pool(team_sales: object, target: object, policy: Policy | None = None) -> Decimal:
    """The team's commission pool = team sales × rate(completion), to the fen (A6)."""
    p = _policy(policy)
    ratio = completion(team_sales, target)
    return round_money(to_decimal(team_sales) * p.team.pool_rate.value(ratio))


def split_evenly(pool: Decimal, members: int) -> list[Decimal]:
    """Shares in fen that add up to ``pool`` exactly; leftover fen go one by one, in order.

    >>> split_evenly(Decimal("100.00"), 3)
    [Decimal('33.34'), Decimal('33.33'), Decimal('33.33')]
    """
    if members <= 0:
        raise OutOfRangeError(t("rules.members", members=members))
    fen = int(round_money(pool) / FEN)
    each, left = divmod(fen, members)
    return [(Decimal(each + (1 if i < left else 0)) * FEN) for i in range(members)]


def team_commission(
    team_sales: object, target: object, members: object, policy: Policy | None = None
) -> list[Decimal]:
    """Each member's share of the team pool, in roster order (rules.md A6).

    >>> team_commission(120000, 100000, 3)
    [Decimal('800.00'), Decimal('800.00'), Decimal('800.00')]
    """
    count = count_arg(members, "members")
    return split_evenly(team_pool(team_sales, target, policy), count)


def group_bonus(completion_ratio: object, policy: Policy | None = None) -> Decimal:
    """Group performance bonus 小组绩效奖金 by completion: ≤60% 300, ≤80% 400, else 500."""
    p = _policy(policy)
    return round_money(p.team.group_bonus.value(amount_arg(completion_ratio, "completion")))


def grade_bonus(grade_name: str, policy: Policy | None = None) -> Decimal:
    """Grade bonus for other departments: fail 0, pass 300, good 400, excellent 500."""
    table = _policy(policy).team.grade_bonus
    if grade_name not in table:
        raise OutOfRangeError(
            t(
                "rules.choice",
                what="绩效评级",
                value=repr(grade_name),
                known=_labels(table, "grade"),
            )
        )
    return round_money(table[grade_name])


def level_share(level: str, policy: Policy | None = None) -> Decimal:
    """Share of the average customer-service commission for a level (助理/副理/员工)."""
    table = _policy(policy).team.level_share
    if level not in table:
        raise OutOfRangeError(
            t("rules.choice", what="级别", value=repr(level), known=_labels(table, "level"))
        )
    return table[level]


def work_award(tier: object, policy: Policy | None = None) -> Decimal:
    """Work-performance award 工作表现 of e-commerce customer service: 300 / 400 / 500 (A6)."""
    table = _policy(policy).plans.ecom_cs.work_award
    if tier not in table:
        raise OutOfRangeError(f"工作表现为{tier!r}：请选择{'、'.join(table)}之一。")
    return round_money(table[tier])  # type: ignore[index]


# ---------------------------------------------------------------- A7, A8: reviews, scores


def review_pay(
    neutral_fixed: object, negative_fixed: object, policy: Policy | None = None
) -> Decimal:
    """Review repair piece pay: 10 per neutral and 20 per negative review changed (A7)."""
    p = _policy(policy).review
    neutral = count_arg(neutral_fixed, "neutral reviews changed")
    negative = count_arg(negative_fixed, "negative reviews changed")
    return round_money(neutral * p.neutral + negative * p.negative)


def weighted_score(supervisor: object, self_score: object, policy: Policy | None = None) -> Decimal:
    """Appraisal score = 75% supervisor + 25% self-assessment (A8, document 003).

    >>> weighted_score(80, 100)
    Decimal('85.00')
    """
    p = _policy(policy)
    sup = score_arg(supervisor, p, "supervisor score")
    own = score_arg(self_score, p, "self-assessment score")
    return p.score.supervisor_weight * sup + p.score.self_weight * own


def scorecard_total(points: list[object], maxima: list[Decimal]) -> Decimal:
    """A scorecard's total: the sum of points given, each capped at the item's maximum (A8)."""
    total = ZERO
    for i, (given, cap) in enumerate(zip(points, maxima, strict=True)):
        value = amount_arg(given, f"item {i + 1} points")
        total += min(value, cap)
    return total


def scorecard_score(points: object, full_points: object, maximum: object) -> Decimal:
    """The score a scorecard hands to pay: points ÷ the card's full points × 100 (rules.md A8),
    over-achievement counting up to the plan's maximum score.

    >>> scorecard_score(85, 85, 100), scorecard_score(42.5, 85, 100)
    (Decimal('100'), Decimal('50'))
    """
    full = amount_arg(full_points, "full points")
    if full == ZERO:
        raise OutOfRangeError("考核表满分为0：请检查考核表各项分值。")
    score = amount_arg(points, "points") * HUNDRED / full
    return min(score, amount_arg(maximum, "maximum score"))


def logistics_score(
    sales_result: object, department: object, policy: Policy | None = None
) -> Decimal:
    """Logistics appraisal = 60% sales result + 40% department appraisal (A8, document 001).

    >>> logistics_score(90, 80)
    Decimal('86.0')
    """
    p = _policy(policy)
    a = score_arg(sales_result, p, "sales result")
    b = score_arg(department, p, "department appraisal")
    return p.score.logistics_sales_weight * a + p.score.logistics_department_weight * b


def quantitative_qualitative(
    quantitative: object, qualitative: object, policy: Policy | None = None
) -> Decimal:
    """Logistics quantitative : qualitative = 7 : 3 (A8, document 001)."""
    p = _policy(policy)
    a = score_arg(quantitative, p, "quantitative score")
    b = score_arg(qualitative, p, "qualitative score")
    return p.score.logistics_quantitative_weight * a + p.score.logistics_qualitative_weight * b


def cs_attendance_item(
    lates: object, leaves: object, absences: object, policy: Policy | None = None
) -> Decimal:
    """Customer-service attendance item (A10): 10 − 2 per late/early − 1 per leave, ≥ 0."""
    p = _policy(policy).discipline
    if p.cs_attendance_absence_zeroes and amount_arg(absences, "absence days") > ZERO:
        return ZERO
    points = (
        p.cs_attendance_item_points
        - count_arg(lates, "lates + early leaves") * p.cs_attendance_per_late
        - count_arg(leaves, "leaves") * p.cs_attendance_per_leave
    )
    return max(points, ZERO)


def discipline_deduction(
    missed_meetings: object,
    lates: object,
    absences: object,
    dress_breaches: object,
    hygiene_failures: object,
    policy: Policy | None = None,
) -> Decimal:
    """Discipline points lost (document 004): −1 a meeting, −1 per 3 lates, … (A10)."""
    p = _policy(policy).discipline
    return (
        count_arg(missed_meetings, "missed meetings") * p.per_missed_meeting
        + (count_arg(lates, "lates + early leaves") // p.lates_per_point)
        + count_arg(absences, "absences") * p.per_absence
        + count_arg(dress_breaches, "dress-code breaches") * p.per_dress_breach
        + count_arg(hygiene_failures, "hygiene failures") * p.per_hygiene_failure
    )


# ---------------------------------------------------------------- A9: service, allowances


def months_of_service(hire_date: date, month: str) -> int:
    """Full months of service completed by the last day of ``month`` (YYYY-MM).

    >>> months_of_service(date(2026, 1, 1), "2026-01")
    1
    >>> months_of_service(date(2026, 1, 15), "2026-02")
    1
    """
    year, mon = int(month[:4]), int(month[5:7])
    # Count to the first day of the next month; a hire after the 1st loses its first month.
    months = (year - hire_date.year) * 12 + (mon - hire_date.month) + 1
    if hire_date.day > 1:
        months -= 1
    return max(months, 0)


def years_of_service(hire_date: date, month: str) -> int:
    """Full years of service at the end of ``month``."""
    return months_of_service(hire_date, month) // 12


def seniority_pay(hire_date: date, month: str, per_year: Decimal) -> Decimal:
    """Seniority pay 工龄工资 = rate × full years of service (A9)."""
    return round_money(per_year * years_of_service(hire_date, month))


def year_end_bonus(
    months: object, coefficients: object, policy: Policy | None = None, *, trial: bool = False
) -> Decimal:
    """Year-end bonus = base by months of service × post coefficient × the average of the
    year's monthly coefficients (rules.md A9; a supervisor's one annual coefficient is a list
    of one). Regular staff only: a trial employee gets 0.

    >>> year_end_bonus(12, [Decimal("1.2"), Decimal("1.0"), Decimal("1.5")])
    Decimal('12333.33')
    """
    p = _policy(policy)
    service = amount_arg(months, "months of service")
    values = coefficients if isinstance(coefficients, list | tuple) else [coefficients]
    numbers = [amount_arg(v, "monthly coefficient") for v in values if v is not None]
    if not numbers:
        raise MissingValueError("没有月绩效系数：年终奖需要当年各月的绩效系数。")
    if trial:
        return round_money(ZERO)
    average = sum(numbers, ZERO) / len(numbers)
    base = p.year_end.base_by_tenure.value(service)
    return round_money(base * p.year_end.post_coefficient * average)


def overtime_pay(hours: object, policy: Policy | None = None) -> Decimal:
    """Overtime pay: nothing below 4 hours in the month, then every hour at 80 ÷ 8 (A9)."""
    p = _policy(policy).allowances
    value = amount_arg(hours, "overtime hours")
    if value < p.overtime_minimum_hours:
        return round_money(ZERO)
    return round_money(value * p.overtime_per_day / p.overtime_hours_per_day)


def warehouse_appraisal_cancelled(
    personal_leave_days: Decimal, sick_leave_days: Decimal, absences: Decimal, policy: Policy
) -> bool:
    """True when the warehouse appraisal bonus is cancelled for the month (A9)."""
    plan = policy.plans.warehouse
    return (
        personal_leave_days > plan.cancel_personal_leave_days
        or sick_leave_days > plan.cancel_sick_leave_days
        or absences >= plan.cancel_absence_days
    )


# ---------------------------------------------------------------- A10: fines


def complaint_fine(complaints: object, policy: Policy | None = None) -> Decimal:
    """Fines for service complaints in one month: 50, then 100 (the third means dismissal)."""
    fines = _policy(policy).fines.complaint_fines
    count = count_arg(complaints, "complaints")
    if not fines:
        return round_money(ZERO)
    total = sum(fines[: min(count, len(fines))], ZERO)
    return round_money(total)


def task_coefficient(net_sales: Decimal, target: Decimal, cap: Decimal) -> Decimal:
    """Store manager's task-completion coefficient = sales ÷ target, capped by policy.

    It multiplies the base unrounded (rules.md §B: one rounding, on the pay line), so
    1,800 × 1.23456 = 2,222.208 → 2,222.21.

    >>> task_coefficient(Decimal(250001), Decimal(200000), Decimal("1.5"))
    Decimal('1.250005')
    """
    if target <= ZERO:
        raise OutOfRangeError("个人目标为0：请填写大于0的目标或任务完成系数。")
    return min(max(net_sales, ZERO) / target, cap)


def logistics_completion(revenue: Decimal, target: Decimal | None, cap: Decimal) -> Decimal:
    """Results completion of a logistics sales employee = revenue ÷ target, capped (§B)."""
    if target is None:
        raise MissingValueError("物流营销人员没有本月目标：请在业绩表填写个人目标。")
    if target <= ZERO:
        raise OutOfRangeError("个人目标为0：请填写大于0的目标。")
    return min(max(revenue, ZERO) / target, cap)


__all__ = [
    "attendance_bonus",
    "bonus_ratio",
    "commission",
    "complaint_fine",
    "completion",
    "cs_attendance_item",
    "department_pool",
    "discipline_deduction",
    "grade",
    "grade_bonus",
    "grade_of",
    "group_bonus",
    "group_shops",
    "level_share",
    "logistics_completion",
    "logistics_score",
    "months_of_service",
    "overtime_pay",
    "perf_bonus",
    "perf_coeff",
    "public_pool_share",
    "quantitative_qualitative",
    "review_pay",
    "scorecard_score",
    "scorecard_total",
    "seniority_pay",
    "shops_completion",
    "shops_sales",
    "shops_target",
    "split_evenly",
    "strict_attendance_bonus",
    "team_commission",
    "team_pool",
    "weighted_score",
    "work_award",
    "year_end_bonus",
    "years_of_service",
]
