"""Pay-line UDFs: amounts, commissions, attendance and performance bonuses, allowances, fines.

Each returns one pay line's amount rounded half-up to the fen exactly as the plan functions of
:mod:`xlkpi.payplans` compute it; deductions are returned positive (the Payroll negates them).
"""

from __future__ import annotations

from decimal import Decimal

import xlwings as xw

from udfs import _policy_args as pa
from udfs._boundary import guarded, is_blank, is_error, need, vectorize
from xlkpi import rules
from xlkpi.errors import MissingValueError, OutOfRangeError
from xlkpi.messages import t
from xlkpi.money import HUNDRED, ONE, ZERO, round_money, to_decimal
from xlkpi.policy_io import default_policy


def count_total(value: object, what: str) -> int:
    """A count, or the sum of a row of counts (lates + early leaves + leaves)."""
    cells = value if isinstance(value, list) else [value]
    return sum(rules.count_arg(need(c), what) for c in cells)


@xw.func
@guarded
def AMOUNT(value: object, sign: object = 1) -> object:
    """金额(到分;sign=-1为扣款) An amount ≥ 0 rounded to the fen, times sign (1 or -1)."""
    factor = to_decimal(1 if is_blank(sign) else sign, "sign")
    if factor not in (ONE, -ONE):
        raise OutOfRangeError(t("udf.sign", value=factor))
    return vectorize(lambda v: round_money(rules.amount_arg(need(v), "amount") * factor), value)


@xw.func
@guarded
def LINE(base: object, quantity: object = 1, rate: object = 1) -> object:
    """工资项=基数×数量×比例(到分) Pay line = base × quantity × rate, rounded to the fen."""

    def line(b: object, q: object, r: object) -> Decimal:
        amount = to_decimal(need(b), "base")
        count = rules.amount_arg(ONE if q is None else need(q), "quantity")
        factor = to_decimal(ONE if r is None else need(r), "rate")
        return round_money(amount * count * factor)

    return vectorize(line, base, quantity, rate)


@xw.func
@guarded
def SUM_COUNTS(first: object, second: object, third: object = None) -> object:
    """次数合计(迟到+早退+请假) Sum of whole counts (lates + early leaves + leaves)."""

    def add(a: object, b: object, c: object) -> int:
        total = count_total(a, "count") + count_total(b, "count")
        return total if c is None else total + count_total(c, "count")

    return vectorize(add, first, second, third)


@xw.func
@guarded
def NET_SALES(sales: object, returns: object, shipping_paid: object) -> object:
    """净销售额=下单−退货−代付运费 Net sales = orders − returns − shipping paid (rules A6)."""
    return vectorize(
        lambda s, r, f: (
            rules.amount_arg(need(s), "销售额")
            - rules.amount_arg(need(r), "returns")
            - rules.amount_arg(need(f), "代付运费")
        ),
        sales,
        returns,
        shipping_paid,
    )


@xw.func
@xw.arg("schedule", ndim=2)
@guarded
def COMMISSION(sales: object, schedule: object = None, minimum: object = None) -> object:
    """提成(分段累进,默认业绩奖金表) Commission on sales by a marginal-rate schedule (A4, A5)."""
    default = default_policy().commission["ops_progressive"]
    scale = pa.rate_scale(schedule, default, "commission", minimum)
    return vectorize(lambda s: rules.commission(need(s), scale), sales)


@xw.func
@guarded
def ATTENDANCE_BONUS(
    base: object,
    lates: object,
    absences: object,
    rate: object = None,
    cancel_count: object = None,
    cancel_absence_days: object = None,
) -> object:
    """全勤奖=基本工资×10%(迟到早退请假满3次或旷工取消) Full-attendance bonus (rules A3)."""
    a = default_policy().attendance
    p = pa.with_values(
        {
            "attendance.bonus_rate": pa.number(rate, a.bonus_rate, "attendance.bonus_rate"),
            "attendance.cancel_at_count": int(
                pa.number(cancel_count, Decimal(a.cancel_at_count), "attendance.cancel_at_count")
            ),
            "attendance.cancel_at_absence_days": pa.number(
                cancel_absence_days, a.cancel_at_absence_days, "attendance.cancel_at_absence_days"
            ),
        }
    )
    return vectorize(
        lambda b, n, ab: rules.attendance_bonus(need(b), count_total(n, "lates"), need(ab), p),
        base,
        lates,
        absences,
    )


@xw.func
@guarded
def STRICT_ATTENDANCE(
    late_times: object,
    late_minutes: object,
    absences: object,
    personal_leave_days: object,
    sick_leave_days: object,
    amount: object = None,
    max_late_times: object = None,
    max_late_minutes: object = None,
) -> object:
    """运营专员全勤奖(迟到≤1次且<10分钟,无旷工事假病假) Strict full attendance (doc 001)."""
    s = default_policy().strict_attendance
    p = pa.with_values(
        {
            "strict_attendance.amount": pa.number(amount, s.amount, "strict_attendance.amount"),
            "strict_attendance.max_late_times": int(
                pa.number(max_late_times, Decimal(s.max_late_times), "max_late_times")
            ),
            "strict_attendance.max_late_minutes": pa.number(
                max_late_minutes, s.max_late_minutes, "max_late_minutes"
            ),
        }
    )
    return vectorize(
        lambda t, m, ab, pl, sl: rules.strict_attendance_bonus(
            count_total(t, "迟到早退次数"), need(m), need(ab), need(pl), need(sl), p
        ),
        late_times,
        late_minutes,
        absences,
        personal_leave_days,
        sick_leave_days,
    )


@xw.func
@xw.arg("bands", ndim=2)
@guarded
def PERF_BONUS(
    base: object,
    score: object,
    bands: object = None,
    pot_rate: object = None,
    max_score: object = None,
) -> object:
    """绩效奖金=基本工资×20%×发放比例 Performance bonus = base × 20% × ratio(score) (A2)."""
    d = default_policy()
    p = pa.with_values(
        {
            "perf_bonus.ratio": pa.amount_scale(bands, d.perf_bonus.ratio, "perf_bonus.ratio"),
            "perf_bonus.pot_rate": pa.number(
                pot_rate, d.perf_bonus.pot_rate, "perf_bonus.pot_rate"
            ),
            "score.maximum": pa.number(max_score, d.score.maximum, "score.maximum"),
        }
    )
    return vectorize(lambda b, s: rules.perf_bonus(need(b), need(s), p), base, score)


@xw.func
@guarded
def SCORE_PAY(base: object, score: object, rate: object = 1, max_score: object = None) -> object:
    """按分数计发=基数×比例×分数/100 Pay = base × rate × score/100 (ops perf pay, doc 001)."""
    d = default_policy()
    maximum = pa.number(max_score, d.score.maximum, "score.maximum")
    p = pa.with_values({"score.maximum": maximum})
    factor = pa.number(rate, ONE, "rate")

    def pay(b: object, s: object) -> Decimal:
        amount = rules.amount_arg(need(b), "base")
        return round_money(amount * (rules.score_arg(need(s), p) / HUNDRED) * factor)

    return vectorize(pay, base, score)


@xw.func
@guarded
def WAREHOUSE_APPRAISAL(
    score: object,
    personal_leave_days: object,
    sick_leave_days: object,
    absences: object,
    base: object = None,
    cancel_personal: object = None,
    cancel_sick: object = None,
    cancel_absence: object = None,
    max_score: object = None,
) -> object:
    """仓库月度考核奖=2000×分数/100(事假>3天/病假>5天/旷工取消) Warehouse appraisal bonus (A9)."""
    d = default_policy()
    w = d.plans.warehouse
    p = pa.with_values(
        {
            "score.maximum": pa.number(max_score, d.score.maximum, "score.maximum"),
            "plans.warehouse.cancel_personal_leave_days": pa.number(
                cancel_personal, w.cancel_personal_leave_days, "cancel_personal_leave_days"
            ),
            "plans.warehouse.cancel_sick_leave_days": pa.number(
                cancel_sick, w.cancel_sick_leave_days, "cancel_sick_leave_days"
            ),
            "plans.warehouse.cancel_absence_days": pa.number(
                cancel_absence, w.cancel_absence_days, "cancel_absence_days"
            ),
        }
    )
    amount = pa.number(base, w.appraisal_base, "plans.warehouse.appraisal_base")

    def pay(s: object, pl: object, sl: object, ab: object) -> Decimal:
        value = rules.score_arg(need(s), p)
        cancelled = rules.warehouse_appraisal_cancelled(
            rules.amount_arg(need(pl), "事假天数"),
            rules.amount_arg(need(sl), "病假天数"),
            rules.amount_arg(need(ab), "旷工天数"),
            p,
        )
        return round_money(ZERO if cancelled else amount * (value / HUNDRED))

    return vectorize(pay, score, personal_leave_days, sick_leave_days, absences)


_YES = {"是", "y", "yes", "true", "1", "试用"}
_NO = {"否", "n", "no", "false", "0", "转正"}


@xw.func
@guarded
def TRIAL_BASE(trial: object, trial_amount: object = None, regular_amount: object = None) -> object:
    """仓库底薪:试用期5300/转正5500 Warehouse base pay by trial status (rules A9)."""
    w = default_policy().plans.warehouse
    on_trial = pa.number(trial_amount, w.base_trial, "plans.warehouse.base_trial")
    regular = pa.number(regular_amount, w.base_regular, "plans.warehouse.base_regular")

    def base(t: object) -> Decimal:
        value = need(t)
        text = str(value).strip().lower()
        if value is True or text in _YES:
            return round_money(on_trial)
        if value is False or text in _NO:
            return round_money(regular)
        raise OutOfRangeError(t("udf.trial", value=value, yes="是", no="否"))

    return vectorize(base, trial)


@xw.func
@guarded
def TASK_PAY(
    task_coefficient: object,
    net_sales: object,
    target: object,
    base_amount: object = None,
    cap: object = None,
) -> object:
    """店长底薪=1800×任务完成系数(或销售额÷目标,封顶,不先取整) Store-manager pay (§B)."""
    plan = default_policy().plans.store_manager
    amount = pa.number(base_amount, plan.base_amount, "plans.store_manager.base_amount")
    limit = _task_cap(cap)

    def pay(tc: object, sales: object, goal: object) -> Decimal:
        return round_money(amount * _task_coefficient(tc, sales, goal, limit))

    return vectorize(pay, task_coefficient, net_sales, target)


@xw.func
@guarded
def TASK_COEFF(
    task_coefficient: object, net_sales: object, target: object, cap: object = None
) -> object:
    """店长任务完成系数(填写的系数,或销售额÷目标,封顶) The store manager's task coefficient (§B)."""
    limit = _task_cap(cap)
    return vectorize(
        lambda tc, sales, goal: _task_coefficient(tc, sales, goal, limit),
        task_coefficient,
        net_sales,
        target,
    )


def _task_cap(cap: object) -> Decimal:
    plan = default_policy().plans.store_manager
    return pa.number(cap, plan.task_coefficient_cap, "plans.store_manager.task_coefficient_cap")


def _task_coefficient(tc: object, sales: object, goal: object, limit: Decimal) -> Decimal:
    """The typed task coefficient, or net sales ÷ target; capped at ``limit``."""
    if not is_blank(tc):
        return min(rules.amount_arg(tc, "任务完成系数"), limit)
    if not is_blank(goal):
        net = to_decimal(need(sales), "净销售额")
        goal_amount = rules.amount_arg(goal, "个人目标")
        return rules.task_coefficient(net, goal_amount, limit)
    raise MissingValueError(t("payplans.task_blank"))


@xw.func
@guarded
def REVIEW_PAY(
    neutral_fixed: object,
    negative_fixed: object,
    neutral_rate: object = None,
    negative_rate: object = None,
) -> object:
    """中差评修改计件:中评10元/个,差评20元/个 Review repair piece pay (rules A7)."""
    r = default_policy().review
    p = pa.with_values(
        {
            "review.neutral": pa.number(neutral_rate, r.neutral, "review.neutral"),
            "review.negative": pa.number(negative_rate, r.negative, "review.negative"),
        }
    )
    return vectorize(
        lambda a, b: rules.review_pay(need(a), need(b), p), neutral_fixed, negative_fixed
    )


@xw.func
@guarded
def OVERTIME_PAY(
    hours: object,
    per_day: object = None,
    hours_per_day: object = None,
    minimum_hours: object = None,
) -> object:
    """加班费:满4小时起每小时80÷8元 Overtime pay: from 4 hours, each hour at 80 ÷ 8 (A9)."""
    a = default_policy().allowances
    p = pa.with_values(
        {
            "allowances.overtime_per_day": pa.number(
                per_day, a.overtime_per_day, "overtime_per_day"
            ),
            "allowances.overtime_hours_per_day": pa.number(
                hours_per_day, a.overtime_hours_per_day, "overtime_hours_per_day"
            ),
            "allowances.overtime_minimum_hours": pa.number(
                minimum_hours, a.overtime_minimum_hours, "overtime_minimum_hours"
            ),
        }
    )
    if p.allowances.overtime_hours_per_day <= ZERO:
        raise OutOfRangeError(t("udf.overtime_hours"))
    return vectorize(lambda h: rules.overtime_pay(need(h), p), hours)


@xw.func
@xw.arg("fines", ndim=2)
@guarded
def COMPLAINT_FINE(complaints: object, fines: object = None) -> object:
    """客诉罚款:第1次50,第2次100 Complaint fines in the month (rules A10), as a positive amount."""
    f = default_policy().fines
    p = pa.with_values(
        {"fines.complaint_fines": pa.numbers(fines, f.complaint_fines, "fines.complaint_fines")}
    )
    return vectorize(lambda n: rules.complaint_fine(need(n), p), complaints)


@xw.func
@guarded
def CONDUCT_FINE(
    chat_violations: object,
    contact_leaks: object,
    chat_rate: object = None,
    leak_rate: object = None,
) -> object:
    """违纪罚款:闲聊20元/次,泄露联系方式100元/次 Conduct fines (rules A10), positive."""
    f = default_policy().fines
    chat = pa.number(chat_rate, f.chat_per_time, "fines.chat_per_time")
    leak = pa.number(leak_rate, f.leak_per_time, "fines.leak_per_time")
    return vectorize(
        lambda a, b: round_money(
            rules.count_arg(need(a), "聊天违规次数") * chat
            + rules.count_arg(need(b), "泄露联系方式次数") * leak
        ),
        chat_violations,
        contact_leaks,
    )


@xw.func
@xw.arg("values", ndim=2)
@guarded
def MONEY_SUM(values: object) -> object:
    """金额合计(任一空白或错误则报错) Exact sum of amounts; an error if any is blank or an error."""
    rows = values if isinstance(values, list) else [[values]]
    total = ZERO
    for r, row in enumerate(rows, start=1):
        for cell in row if isinstance(row, list) else [row]:
            if is_error(cell):
                return str(cell)
            if is_blank(cell):
                return f"#输入错误: row {r} of the range is blank; every total must be a number"
            try:
                total += to_decimal(cell, f"row {r}")
            except (MissingValueError, ValueError) as exc:
                return f"#输入错误: {exc}"
    return float(str(total))


def _linked(months: object, new_months: object, new_factor: object) -> tuple[int, Decimal, Decimal]:
    plan = default_policy().plans.logistics_sales
    limit = int(pa.number(new_months, Decimal(plan.new_staff_months), "new_staff_months"))
    factor = pa.number(new_factor, plan.new_staff_factor, "new_staff_factor")
    return rules.count_arg(need(months), "在岗月数"), Decimal(limit), factor


@xw.func
@guarded
def LOGISTICS_RESULTS(
    wage: object,
    revenue: object,
    target: object,
    months_in_post: object,
    rate: object = None,
    cap: object = None,
    new_months: object = None,
    new_factor: object = None,
) -> object:
    """物流营销业绩考核工资=工资×15%×完成率(封顶;未满一个月按1) Results-linked pay (§B)."""
    plan = default_policy().plans.logistics_sales
    share = pa.number(rate, plan.results_rate, "plans.logistics_sales.results_rate")
    limit = pa.number(cap, plan.completion_cap, "plans.logistics_sales.completion_cap")

    def pay(w: object, r: object, t: object, m: object) -> Decimal:
        months, first, factor = _linked(m, new_months, new_factor)
        base = rules.amount_arg(need(w), "wage")
        if months < first:
            return round_money(base * share * factor)
        goal = None if is_blank(t) else rules.amount_arg(t, "个人目标")
        ratio = rules.logistics_completion(to_decimal(need(r), "revenue"), goal, limit)
        return round_money(base * ratio * share)

    return vectorize(pay, wage, revenue, target, months_in_post)


@xw.func
@guarded
def LOGISTICS_BEHAVIOUR(
    wage: object,
    behaviour: object,
    months_in_post: object,
    rate: object = None,
    maximum: object = None,
    new_months: object = None,
    new_factor: object = None,
) -> object:
    """物流营销行为考核工资=工资×5%×行为系数(0~1.2;未满一个月按1) Behaviour-linked pay (§B)."""
    plan = default_policy().plans.logistics_sales
    share = pa.number(rate, plan.behaviour_rate, "plans.logistics_sales.behaviour_rate")
    top = pa.number(maximum, plan.behaviour_max, "plans.logistics_sales.behaviour_max")

    def pay(w: object, b: object, m: object) -> Decimal:
        months, first, factor = _linked(m, new_months, new_factor)
        base = rules.amount_arg(need(w), "wage")
        if months < first:
            return round_money(base * factor * share)
        value = rules.amount_arg(need(b), "行为考核系数")
        if value > top:
            raise OutOfRangeError(f"行为考核系数为{value}：不能超过{top}。")
        return round_money(base * value * share)

    return vectorize(pay, wage, behaviour, months_in_post)


__all__ = [
    "AMOUNT",
    "ATTENDANCE_BONUS",
    "COMMISSION",
    "COMPLAINT_FINE",
    "CONDUCT_FINE",
    "LINE",
    "LOGISTICS_BEHAVIOUR",
    "LOGISTICS_RESULTS",
    "MONEY_SUM",
    "NET_SALES",
    "OVERTIME_PAY",
    "PERF_BONUS",
    "REVIEW_PAY",
    "SCORE_PAY",
    "STRICT_ATTENDANCE",
    "SUM_COUNTS",
    "TASK_PAY",
    "TRIAL_BASE",
    "WAREHOUSE_APPRAISAL",
]
