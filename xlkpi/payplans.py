"""The eleven pay plans of rules.md §B: which pay lines each role gets, and how.

Each plan is a function ``(employee, inputs, context, policy) -> list[PayLine]`` reading a
resolved policy. Department-wide figures (the doc-002 pool and this member's share, the
average customer-service commission, the group's shop completion, the public pool) and
history-based awards arrive precomputed in the :class:`PlanContext`, so a plan never looks at
other employees. Which plans get the fines, the allowances and the pools is policy data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from xlkpi.errors import MissingValueError, OutOfRangeError
from xlkpi.inputs import Employee, MonthInput
from xlkpi.messages import t
from xlkpi.money import (
    HUNDRED,
    ONE,
    ZERO,
    format_amount,
    format_number,
    format_rate,
    round_money,
    round_places,
)
from xlkpi.paylines import LINE_LABELS, PayLine
from xlkpi.policy import Policy
from xlkpi.rules import (
    attendance_cancel_reason,
    complaint_fine,
    level_share,
    logistics_completion,
    overtime_pay,
    pool_share,
    schedule_of,
    score_arg,
    strict_attendance_clean,
    task_coefficient,
    warehouse_appraisal_cancelled,
    work_award,
)


@dataclass(slots=True)
class PlanContext:
    """Figures a plan needs from outside the employee's own row.

    ``team_pool`` and ``team_members`` are the department's doc-002 pool (to the fen) and the
    headcount that splits it; ``team_share`` is this member's share in fen. ``group_completion``
    is the completion of the shops the employee's group is responsible for (None: not needed).
    ``public_pool`` is the exact public pool (public sales × 1%).
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
    group_completion: Decimal | None = None


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


def _score(emp: Employee, inp: MonthInput, policy: Policy) -> Decimal:
    score = inp.score
    if score is None:
        raise MissingValueError(t("payplans.score_blank"))
    if 0 <= score <= policy.score.maximum_for(emp.plan):  # a MonthInput holds ints and Decimals
        return score
    return score_arg(score, policy, plan=emp.plan)


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


def _cs_fines(emp: Employee, inp: MonthInput, policy: Policy) -> list[PayLine]:
    """Customer-service fines (document 001) on the plans of ``fines.plans``: complaints,
    chatting, leaked contacts. On another plan a typed fine count is an input error."""
    f = policy.fines
    if emp.plan not in f.plans:
        if inp.complaints and emp.plan not in f.dismissal_plans:
            _refuse(emp, "客诉次数", "fines.plans")
        if inp.chat_violations or inp.contact_leaks:
            _refuse(emp, "上班闲聊/泄露联系方式次数", "fines.plans")
        return []
    complaints = complaint_fine(inp.complaints, policy)
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


def _refuse(emp: Employee, what: str, path: str) -> None:
    """An input the plan has no line for: never dropped, always an input problem (A9)."""
    label = plan_name(emp.plan)
    raise OutOfRangeError(
        f"{what}已填写，但岗位“{label}”没有这一项（参数 {path}）：请删除该数值或更改岗位。"
    )


def _allowances(emp: Employee, inp: MonthInput, policy: Policy) -> list[PayLine]:
    """Lunch, night, late-night, overtime and holiday duty (A9) on the plans policy gives them.

    An allowance typed for a plan that has no such line is refused, never dropped.
    """
    a = policy.allowances
    lines: list[PayLine] = []
    if emp.plan in a.lunch_plans:
        lines.append(
            _line(
                "lunch",
                a.lunch_per_day,
                inp.working_days,
                ONE,
                "{} × {}",
                format_number(a.lunch_per_day),
                format_number(inp.working_days),
            )
        )
    if emp.plan not in a.plans:
        if inp.night_shifts or inp.late_night_shifts or inp.overtime_hours or inp.holiday_days:
            _refuse(emp, "夜班/深夜班/加班/节假日值班", "allowances.plans")
        return lines
    hourly = a.overtime_per_day / a.overtime_hours_per_day
    overtime = overtime_pay(inp.overtime_hours, policy)
    return [
        *lines,
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
    ]


def _doc000(emp: Employee, inp: MonthInput, policy: Policy) -> list[PayLine]:
    score = _score(emp, inp, policy)
    return [_base(emp), _attendance(emp, inp, policy), _perf_bonus(emp, score, policy)]


def _pool_line(ctx: PlanContext) -> PayLine:
    """This member's share of the department's pool, in fen (A6)."""
    term = f"{ctx.team_pool:,.2f} ÷ {ctx.team_members}" if ctx.team_share else ""
    return PayLine("team", ctx.team_share, ONE, ONE, ctx.team_share, term)


def _level_share_line(ctx: PlanContext, share: Decimal) -> PayLine:
    """Level share of the average customer-service commission (pool ÷ headcount), rounded once."""
    if not ctx.team_members:
        return _ZERO_LINES["team"]
    amount = pool_share(ctx.team_pool, ctx.team_members, share)
    term = f"{format_rate(share)} × {ctx.team_pool:,.2f} ÷ {ctx.team_members}" if amount else ""
    return PayLine("team", ctx.team_pool * share / ctx.team_members, ONE, ONE, amount, term)


# ---------------------------------------------------------------- the plans


def designer(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """美工 (000): base + attendance bonus + PERF_BONUS(base, score) + special awards."""
    return [
        *_doc000(emp, inp, policy),
        _amount("special_awards", inp.special_awards),
        *_allowances(emp, inp, policy),
        *_cs_fines(emp, inp, policy),
        *_tail(inp),
    ]


def promotion(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """推广 (000): base + attendance bonus + PERF_BONUS(base, score) + commission."""
    schedule = policy.plans.promotion.commission_schedule
    commission = _commission("commission", inp.net_sales, schedule, policy)
    return [
        *_doc000(emp, inp, policy),
        commission,
        *_allowances(emp, inp, policy),
        *_cs_fines(emp, inp, policy),
        *_tail(inp),
    ]


def cs_000(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """客服 (000): base + attendance + PERF_BONUS + commission (its own example rate)."""
    schedule = policy.plans.cs_000.commission_schedule
    return [
        *_doc000(emp, inp, policy),
        _commission("commission", inp.net_sales, schedule, policy),
        *_allowances(emp, inp, policy),
        *_cs_fines(emp, inp, policy),
        *_tail(inp),
    ]


def cs_003(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """客服 (003): 500 × PERF_COEFF(score) + 2% × sales + 10/20 per review fixed ± rest."""
    plan = policy.plans.cs_003
    coeff = policy.perf_coeff.value(_score(emp, inp, policy))
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
        *_allowances(emp, inp, policy),
        *_cs_fines(emp, inp, policy),
        *_tail(inp),
    ]


def store_coefficient(inp: MonthInput, policy: Policy) -> Decimal:
    """The store manager's task coefficient: the typed one, or net sales ÷ target; capped."""
    plan = policy.plans.store_manager
    if inp.task_coefficient is not None:
        return min(inp.task_coefficient, plan.task_coefficient_cap)
    if inp.target is not None:
        return task_coefficient(inp.net_sales, inp.target, plan.task_coefficient_cap)
    raise MissingValueError(t("payplans.task_blank"))


# The coefficient a plan's pay uses where that is not the performance coefficient (the 绩效系数
# column of 工资表 and the payslip show it): the store manager is paid 1800 × task coefficient.
PAY_COEFFICIENTS: dict[str, Callable[[MonthInput, Policy], Decimal]] = {
    "store_manager": store_coefficient,
}


def store_manager(
    emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy
) -> list[PayLine]:
    """店长 (003): 1800 × task coefficient (unrounded) + team performance share ± rest.

    The team share is the amount entered on the sales sheet, or with ``team_share_mode =
    "level_share"`` the level share of the doc-002 average customer-service commission.
    """
    plan = policy.plans.store_manager
    coeff = store_coefficient(inp, policy)
    amount = _round(plan.base_amount * coeff)
    shown = format_number(coeff)
    base = PayLine(
        "base",
        plan.base_amount,
        ONE,
        coeff,
        amount,
        f"{format_number(plan.base_amount)} × {shown}" if amount else "",
    )
    if plan.team_share_mode == "level_share":
        team = _level_share_line(ctx, level_share(emp.level, policy))
    else:
        team = _amount("team", inp.team_share_amount or ZERO)
    return [base, team, *_allowances(emp, inp, policy), *_cs_fines(emp, inp, policy), *_tail(inp)]


def ops_specialist(
    emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy
) -> list[PayLine]:
    """运营专员 (001): base + post + seniority + full attendance + performance + bonus."""
    plan = policy.plans.ops_specialist
    strict = policy.strict_attendance
    score = _score(emp, inp, policy)
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
        *_allowances(emp, inp, policy),
        *_cs_fines(emp, inp, policy),
        *_tail(inp),
    ]


def warehouse(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """仓库/物流 (001): base + 2,000 × score/100 + seniority + lunch + shifts and overtime."""
    plan = policy.plans.warehouse
    score = _score(emp, inp, policy)
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
    return [
        _line("base", base, ONE, ONE, "{}", format_number(base)),
        appraisal,
        _seniority(plan.seniority_per_year, ctx),
        *_allowances(emp, inp, policy),
        *_cs_fines(emp, inp, policy),
        *_tail(inp),
    ]


def cs_2017_appraised(inp: MonthInput, policy: Policy) -> bool:
    """False for a 2017-standard employee absent more than 2 months of the period (第2条)."""
    return inp.absent_months <= policy.plans.cs_2017.max_absent_months


def cs_2017(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """客服 2017 (001): post + commission + public pool share + seniority − losses.

    Staff absent more than 2 months of the appraisal period are not appraised: no commission
    (the line says why), no grade (so no streak reward); the engine raises the alert.
    """
    plan = policy.plans.cs_2017
    reward = policy.streak_reward.amount if ctx.streak_reward else ZERO
    if cs_2017_appraised(inp, policy):
        _score(emp, inp, policy)  # the month's grade feeds warnings and the streak reward
        commission = _commission("commission", inp.net_sales, plan.commission_schedule, policy)
    else:
        commission = _cancelled(
            "commission", inp.net_sales, f"考核期缺勤{inp.absent_months}个月,不参加考核"
        )
    return [
        _amount("post", emp.post_pay),
        commission,
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
        *_allowances(emp, inp, policy),
        *_cs_fines(emp, inp, policy),
        *_tail(inp),
    ]


def _work_award(emp: Employee, inp: MonthInput, policy: Policy) -> PayLine:
    if inp.work_grade is None:
        raise MissingValueError("工作表现为空：请选择主管评定的工作表现等级（300/400/500）。")
    return _amount("work_award", work_award(inp.work_grade, policy))


def ecom_cs(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """电商部客服 (002): post + work award + group bonus + pool share + allowances ± rest;
    in the shop's trial operation post pay + work award only (A6)."""
    lines = [_amount("post", emp.post_pay), _work_award(emp, inp, policy)]
    if not policy.plans.ecom_cs.trial_operation:
        if ctx.group_completion is None:
            raise MissingValueError(f"客服组“{emp.team}”没有负责的店铺：请在店铺表填写。")
        bonus = _round(policy.team.group_bonus.value(ctx.group_completion))
        shown = format_rate(round_places(ctx.group_completion, 4))
        term = f"{bonus:,.2f}(完成率{shown})" if bonus else ""
        lines += [PayLine("group_bonus", bonus, ONE, ONE, bonus, term), _pool_line(ctx)]
    return [*lines, *_allowances(emp, inp, policy), *_cs_fines(emp, inp, policy), *_tail(inp)]


def ecom_other(emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy) -> list[PayLine]:
    """电商部其他岗位 (002): post + level share of the average commission + grade bonus."""
    if inp.grade_rating is None:
        raise MissingValueError("绩效评级为空：请选择总监评定的等级（不合格/合格/良好/优秀）。")
    table = policy.team.grade_bonus
    if inp.grade_rating not in table:
        raise OutOfRangeError(f"绩效评级为{inp.grade_rating!r}：请选择{'、'.join(table)}之一。")
    return [
        _amount("post", emp.post_pay),
        _level_share_line(ctx, level_share(emp.level, policy)),
        _amount("grade_bonus", _round(table[inp.grade_rating])),
        *_allowances(emp, inp, policy),
        *_cs_fines(emp, inp, policy),
        *_tail(inp),
    ]


def logistics_appraised(ctx: PlanContext, policy: Policy) -> bool:
    """False for a new logistics sales employee with less than one full month in the post."""
    return ctx.months_of_service >= policy.plans.logistics_sales.new_staff_months


def logistics_sales(
    emp: Employee, inp: MonthInput, ctx: PlanContext, policy: Policy
) -> list[PayLine]:
    """物流营销 (001): wage × 80% + wage × 15% × completion + wage × 5% × behaviour (§B).

    Completion = revenue (sales) ÷ target, capped; under one full month in the post both
    figures are 1 (not appraised; the engine raises the alert).
    """
    plan = policy.plans.logistics_sales
    wage = emp.base_pay
    if logistics_appraised(ctx, policy):
        ratio = logistics_completion(inp.net_sales, inp.target, plan.completion_cap)
        if inp.behaviour_score is None:
            raise MissingValueError("行为考核系数为空：请填写0到1.2之间的系数。")
        behaviour = inp.behaviour_score
        if behaviour > plan.behaviour_max:
            raise OutOfRangeError(
                f"行为考核系数为{behaviour}：不能超过{format_number(plan.behaviour_max)}。"
            )
    else:
        ratio = behaviour = plan.new_staff_factor
    return [
        _line(
            "base", wage, ONE, plan.fixed_rate, "{} × {:,.2f}", format_rate(plan.fixed_rate), wage
        ),
        _line(
            "results",
            wage,
            ratio,
            plan.results_rate,
            "{} × {:,.2f} × {}",
            format_rate(plan.results_rate),
            wage,
            format_number(ratio),
        ),
        _line(
            "behaviour",
            wage,
            behaviour,
            plan.behaviour_rate,
            "{} × {:,.2f} × {}",
            format_rate(plan.behaviour_rate),
            wage,
            format_number(behaviour),
        ),
        *_allowances(emp, inp, policy),
        *_cs_fines(emp, inp, policy),
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
    "ecom_cs": ecom_cs,
    "ecom_other": ecom_other,
    "logistics_sales": logistics_sales,
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
    "ecom_cs": ("电商部客服", "E-commerce customer service"),
    "ecom_other": ("电商部其他岗位", "E-commerce other departments"),
    "logistics_sales": ("物流营销", "Logistics sales staff"),
}
# The zh label above is the value typed in 花名册 and matched by the Payroll's formulas
# (COUNTIF on 客服(2017标准)), so it keeps its ASCII brackets; text a person reads uses
# plan_name, with full-width brackets.
_FULL_WIDTH_BRACKETS = str.maketrans("()", "（）")


def plan_name(plan: str, lang: str = "zh") -> str:
    """A plan's name as a person reads it in ``lang`` (its code when unknown).

    >>> plan_name("cs_2017"), plan_name("cs_2017", "en")
    ('客服（2017标准）', 'Customer service, 2017 standard')
    """
    zh, en = PLAN_LABELS.get(plan, (plan, plan))
    return en if lang == "en" else zh.translate(_FULL_WIDTH_BRACKETS)


# Kept for the workbook side until it reads the policy's lists (team.pool_plans,
# team.public_pool_plans); the engine itself reads the policy.
TEAM_POOL_PLANS: frozenset[str] = frozenset({"ecom_cs"})
PUBLIC_POOL_PLANS: frozenset[str] = frozenset({"cs_2017"})
