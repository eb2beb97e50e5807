"""The eight pay plans of rules.md §B: which pay lines each role gets, and how.

Each plan is a function ``(employee, inputs, context, policy) -> list[PayLine]`` reading a
resolved policy. Team-wide figures (team pool shares, the public pool, the average
customer-service commission) and history-based awards arrive precomputed in the
:class:`PlanContext`, so a plan never looks at other employees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from xlkpi.errors import MissingValueError
from xlkpi.inputs import Employee, MonthInput
from xlkpi.money import HUNDRED, ONE, ZERO, format_amount, format_number, format_rate, round_money
from xlkpi.paylines import LINE_LABELS, PayLine
from xlkpi.policy import Policy
from xlkpi.rules import (
    attendance_cancel_reason,
    complaint_fine,
    level_share,
    overtime_pay,
    pool_share,
    schedule_of,
    score_arg,
    strict_attendance_clean,
    task_coefficient,
    warehouse_appraisal_cancelled,
)


@dataclass(slots=True)
class PlanContext:
    """Figures a plan needs from outside the employee's own row.

    ``team_pool`` and ``team_members`` are the employee's team's pool (to the fen) and its
    customer-service headcount; ``public_pool`` is the exact public pool (public sales × 1%).
    """

    month: str
    years_of_service: int = 0
    team_pool: Decimal = ZERO
    team_members: int = 0
    team_share: Decimal = ZERO
    public_pool: Decimal = ZERO
    public_staff: int = 0
    public_share: Decimal = ZERO
    streak_reward: bool = False
    months_of_service: int = 0


def _line(
    code: str, base: Decimal, quantity: Decimal, rate: Decimal, template: str, *args: object
) -> PayLine:
    """A line of base × quantity × rate; its term is formatted only when it is not zero."""
    amount = _round(base * quantity * rate)
    return PayLine(code, base, quantity, rate, amount, template.format(*args) if amount else "")


def _amount(code: str, amount: Decimal, sign: Decimal = ONE) -> PayLine:
    """A line that is an amount entered or fixed (reward, penalty, allowance)."""
    if not amount:
        return _ZERO_LINES[code]
    return PayLine(code, amount, ONE, sign, _round(amount * sign), f"{amount:,.2f}")


def _cancelled(code: str, base: Decimal, reason: str) -> PayLine:
    """A line of 0 because a rule cancelled it; the trace shows why."""
    return PayLine(code, base, ONE, ZERO, _ZERO_MONEY, f"{LINE_LABELS[code][0]}取消:{reason}")


_ZERO_MONEY = round_money(ZERO)
_ZERO_LINES = {code: PayLine(code, ZERO, ONE, ONE, round_money(ZERO), "") for code in LINE_LABELS}
_round = round_money


def _score(inp: MonthInput, policy: Policy) -> Decimal:
    score = inp.score
    if score is None:
        raise MissingValueError(
            "score is blank; enter the month's appraisal score (the scorecard total)"
        )
    if 0 <= score <= policy.score.maximum:  # a MonthInput holds only ints and Decimals
        return score
    return score_arg(score, policy)


# ---------------------------------------------------------------- shared pieces


def _base(emp: Employee) -> PayLine:
    return _line("base", emp.base_pay, ONE, ONE, "{:,.2f}", emp.base_pay)


def _attendance(emp: Employee, inp: MonthInput, policy: Policy) -> PayLine:
    a = policy.attendance
    reason = attendance_cancel_reason(inp.lates + inp.early_leaves + inp.leaves, inp.absences, a)
    if reason is not None:
        return _cancelled("attendance", emp.base_pay, reason)
    return _line(
        "attendance",
        emp.base_pay,
        ONE,
        a.bonus_rate,
        "{} × {:,.2f}",
        format_rate(a.bonus_rate),
        emp.base_pay,
    )


def _perf_bonus(emp: Employee, score: Decimal, policy: Policy) -> PayLine:
    pot = policy.perf_bonus.pot_rate
    ratio = policy.perf_bonus.ratio.value(score)
    return _line(
        "perf",
        emp.base_pay,
        ratio,
        pot,
        "{} × {:,.2f} × {}",
        format_rate(pot),
        emp.base_pay,
        format_rate(ratio),
    )


def _commission(code: str, sales: Decimal, schedule_name: str, policy: Policy) -> PayLine:
    scale = schedule_of(schedule_name, policy)
    base = sales if sales > ZERO else ZERO
    if scale.is_flat:
        rate = scale.flat_rate
        return _line(code, base, ONE, rate, "{} × {:,.2f}", format_rate(rate), base)
    amount = _round(scale.compute(base))
    rate = amount / base if base else ZERO
    return PayLine(code, base, ONE, rate, amount, f"累进提成({base:,.2f})" if amount else "")


def _seniority(per_year: Decimal, ctx: PlanContext) -> PayLine:
    years = Decimal(ctx.years_of_service)
    return _line("seniority", per_year, years, ONE, "{} × {}", format_number(per_year), years)


def _tail(inp: MonthInput) -> list[PayLine]:
    """Rewards, penalties and losses: every plan has them (rules.md §B, A10)."""
    return [
        _amount("rewards", inp.rewards),
        _amount("penalties", inp.penalties, -ONE),
        _amount("losses", inp.losses, -ONE),
    ]


def _cs_fines(inp: MonthInput, policy: Policy) -> list[PayLine]:
    """Customer-service fines (document 001): complaints, chatting, leaked contacts."""
    complaints = complaint_fine(inp.complaints, policy)
    f = policy.fines
    conduct_base = inp.chat_violations * f.chat_per_time + inp.contact_leaks * f.leak_per_time
    return [
        _amount("complaint_fine", complaints, -ONE),
        _line(
            "conduct_fine",
            conduct_base,
            ONE,
            -ONE,
            "({} × {} + {} × {})",
            format_number(f.chat_per_time),
            inp.chat_violations,
            format_number(f.leak_per_time),
            inp.contact_leaks,
        ),
    ]


def _doc000(emp: Employee, inp: MonthInput, policy: Policy) -> list[PayLine]:
    score = _score(inp, policy)
    return [_base(emp), _attendance(emp, inp, policy), _perf_bonus(emp, score, policy)]


# ---------------------------------------------------------------- the plans


def designer(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """美工 (000): base + attendance bonus + PERF_BONUS(base, score) + special awards."""
    return [*_doc000(emp, inp, policy), _amount("special_awards", inp.special_awards), *_tail(inp)]


def promotion(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """推广 (000): base + attendance bonus + PERF_BONUS(base, score) + commission."""
    schedule = policy.plans.promotion.commission_schedule
    commission = _commission("commission", inp.net_sales, schedule, policy)
    return [*_doc000(emp, inp, policy), commission, *_tail(inp)]


def cs_000(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """客服 (000): base + attendance + PERF_BONUS + an equal share of the team pool (002)."""
    team = PayLine(
        "team",
        ctx.team_share,
        ONE,
        ONE,
        ctx.team_share,
        f"{ctx.team_pool:,.2f} ÷ {ctx.team_members}" if ctx.team_share else "",
    )
    return [*_doc000(emp, inp, policy), team, *_cs_fines(inp, policy), *_tail(inp)]


def cs_003(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """客服 (003): 500 × PERF_COEFF(score) + 2% × sales + 10/20 per review fixed ± rest."""
    plan = policy.plans.cs_003
    coeff = policy.perf_coeff.value(_score(inp, policy))
    r = policy.review
    return [
        _line(
            "base",
            plan.base_amount,
            ONE,
            coeff,
            "{} × {}",
            format_number(plan.base_amount),
            format_number(coeff),
        ),
        _commission("commission", inp.net_sales, plan.commission_schedule, policy),
        _line(
            "review_neutral",
            r.neutral,
            Decimal(inp.neutral_fixed),
            ONE,
            "{} × {}",
            inp.neutral_fixed,
            format_number(r.neutral),
        ),
        _line(
            "review_negative",
            r.negative,
            Decimal(inp.negative_fixed),
            ONE,
            "{} × {}",
            inp.negative_fixed,
            format_number(r.negative),
        ),
        *_cs_fines(inp, policy),
        *_tail(inp),
    ]


def store_manager(
    emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy
) -> list[PayLine]:
    """店长 (003): 1800 × task coefficient + team performance share ± rewards/penalties."""
    plan = policy.plans.store_manager
    if inp.task_coefficient is not None:
        coeff = min(inp.task_coefficient, plan.task_coefficient_cap)
    elif inp.target is not None:
        coeff = task_coefficient(
            inp.net_sales, inp.target, plan.task_coefficient_cap, plan.coefficient_places
        )
    else:
        raise MissingValueError(
            "task coefficient and personal target are both blank; enter one of them"
        )
    share = level_share(emp.level, policy)
    shown = format_number(coeff)
    return [
        _line(
            "base", plan.base_amount, ONE, coeff, "{} × {}", format_number(plan.base_amount), shown
        ),
        _team_level_share(ctx, share),
        *_tail(inp),
    ]


def _team_level_share(ctx: PlanContext, share: Decimal) -> PayLine:
    """Level share of the team's average customer-service commission, rounded once."""
    if not ctx.team_members:
        return _ZERO_LINES["team"]
    amount = pool_share(ctx.team_pool, ctx.team_members, share)
    term = f"{format_rate(share)} × {ctx.team_pool:,.2f} ÷ {ctx.team_members}" if amount else ""
    return PayLine("team", ctx.team_pool * share / ctx.team_members, ONE, ONE, amount, term)


def ops_specialist(
    emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy
) -> list[PayLine]:
    """运营专员 (001): base + post + seniority + full attendance + performance + bonus."""
    plan = policy.plans.ops_specialist
    strict = policy.strict_attendance
    score = _score(inp, policy)
    clean = strict_attendance_clean(
        inp.lates + inp.early_leaves,
        Decimal(inp.late_minutes),
        inp.absences,
        inp.personal_leave_days,
        inp.sick_leave_days,
        strict,
    )
    attendance = (
        _amount("attendance", strict.amount)
        if clean
        else _cancelled("attendance", strict.amount, "迟到早退、请假或旷工")
    )
    fraction = score / HUNDRED
    return [
        _base(emp),
        _amount("post", emp.post_pay),
        _seniority(plan.seniority_per_year, ctx),
        attendance,
        _line(
            "perf",
            emp.base_pay,
            fraction,
            plan.perf_pot_rate,
            "{} × {:,.2f} × {}/100",
            format_rate(plan.perf_pot_rate),
            emp.base_pay,
            format_number(score),
        ),
        _commission("commission", inp.net_sales, plan.commission_schedule, policy),
        *_tail(inp),
    ]


def warehouse(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """仓库/物流 (001): base + 2,000 × score/100 + seniority + lunch + shifts and overtime."""
    plan = policy.plans.warehouse
    a = policy.allowances
    score = _score(inp, policy)
    base = plan.base_trial if emp.trial else plan.base_regular
    cancelled = warehouse_appraisal_cancelled(
        inp.personal_leave_days, inp.sick_leave_days, inp.absences, policy
    )
    appraisal = (
        _cancelled("appraisal", plan.appraisal_base, "事假/病假超限或旷工")
        if cancelled
        else _line(
            "appraisal",
            plan.appraisal_base,
            score / HUNDRED,
            ONE,
            "{} × {}/100",
            format_number(plan.appraisal_base),
            format_number(score),
        )
    )
    hourly = a.overtime_per_day / a.overtime_hours_per_day
    overtime = overtime_pay(inp.overtime_hours, policy)
    return [
        _line("base", base, ONE, ONE, "{}", format_number(base)),
        appraisal,
        _seniority(plan.seniority_per_year, ctx),
        _line(
            "lunch",
            a.lunch_per_day,
            inp.working_days,
            ONE,
            "{} × {}",
            format_number(a.lunch_per_day),
            format_number(inp.working_days),
        ),
        _line(
            "night",
            a.night_shift,
            Decimal(inp.night_shifts),
            ONE,
            "{} × {}",
            format_number(a.night_shift),
            inp.night_shifts,
        ),
        _line(
            "late_night",
            a.late_night_shift,
            Decimal(inp.late_night_shifts),
            ONE,
            "{} × {}",
            format_number(a.late_night_shift),
            inp.late_night_shifts,
        ),
        PayLine(
            "overtime",
            hourly,
            inp.overtime_hours,
            ONE if overtime else ZERO,
            overtime,
            f"{format_number(hourly)} × {format_number(inp.overtime_hours)}" if overtime else "",
        ),
        _line(
            "holiday",
            a.holiday_per_day,
            inp.holiday_days,
            ONE,
            "{} × {}",
            format_number(a.holiday_per_day),
            format_number(inp.holiday_days),
        ),
        *_tail(inp),
    ]


def cs_2017(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """客服 2017 (001): post + commission + public pool share + seniority − losses."""
    plan = policy.plans.cs_2017
    reward = policy.streak_reward.amount if ctx.streak_reward else ZERO
    _score(inp, policy)  # the month's grade feeds warnings and the streak reward
    return [
        _amount("post", emp.post_pay),
        _commission("commission", inp.net_sales, plan.commission_schedule, policy),
        PayLine(
            "public_pool",
            ctx.public_share,
            ONE,
            ONE,
            ctx.public_share,
            f"{format_amount(ctx.public_pool)} ÷ {ctx.public_staff}" if ctx.public_share else "",
        ),
        _seniority(plan.seniority_per_year, ctx),
        _amount("streak_reward", reward),
        *_cs_fines(inp, policy),
        *_tail(inp),
    ]


PlanFunction = Callable[[Employee, MonthInput, PlanContext, Policy], list[PayLine]]

PLANS: dict[str, PlanFunction] = {
    "designer": designer,
    "promotion": promotion,
    "cs_000": cs_000,
    "cs_003": cs_003,
    "store_manager": store_manager,
    "ops_specialist": ops_specialist,
    "warehouse": warehouse,
    "cs_2017": cs_2017,
}

PLAN_LABELS: dict[str, tuple[str, str]] = {
    "designer": ("美工", "Designer"),
    "promotion": ("推广专员", "Promotion specialist"),
    "cs_000": ("客服(绩效奖金制)", "Customer service, doc 000 plan"),
    "cs_003": ("客服(底薪×系数)", "Customer service, doc 003 plan"),
    "store_manager": ("店长/运营经理", "Store manager"),
    "ops_specialist": ("运营专员", "Operations specialist"),
    "warehouse": ("仓库/物流", "Warehouse & logistics"),
    "cs_2017": ("客服(2017标准)", "Customer service, 2017 standard"),
}

# Plans whose members share a team pool, and whose commission others' shares average.
TEAM_POOL_PLANS: frozenset[str] = frozenset({"cs_000"})
PUBLIC_POOL_PLANS: frozenset[str] = frozenset({"cs_2017"})
