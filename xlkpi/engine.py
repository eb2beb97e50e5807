"""Computing a month: every employee's pay lines, total, trace, grade and alerts, in one batch.

The doc-002 pool (from the shops) and the public pool are computed once per month, then each
employee's plan runs with a :class:`~xlkpi.payplans.PlanContext`. An input error is re-raised
naming the employee.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from xlkpi.errors import InputError, MissingValueError, OutOfRangeError
from xlkpi.history import Alert, index_history, rank_due, streak_reward_due, warnings_for
from xlkpi.inputs import Employee, HistoryRecord, Month, MonthInput, Shop
from xlkpi.messages import t
from xlkpi.money import ZERO, format_number
from xlkpi.paylines import PayLine, total_of, trace
from xlkpi.payplans import (
    PAY_COEFFICIENTS,
    PLAN_LABELS,
    PLANS,
    PlanContext,
    cs_2017_appraised,
    logistics_appraised,
)
from xlkpi.policy import Policy
from xlkpi.policy_io import default_policy
from xlkpi.rules import (
    department_pool,
    grade_of,
    group_shops,
    months_of_service,
    pool_share,
    schedule_of,
    score_arg,
    shops_completion,
    split_evenly,
)
from xlkpi.tax.ledger import year_records
from xlkpi.tax.net_pay import TAX_CODES, NetPay, with_net_pay


class EmployeeResult(NamedTuple):
    """One employee's computed month (a named tuple: immutable, cheap to build)."""

    employee: Employee
    score: Decimal | None
    coefficient: Decimal | None
    grade: str
    months_of_service: int
    lines: list[PayLine]
    total: Decimal
    trace: str
    alerts: list[Alert]
    bad_record: bool = False  # a complaint, fine, penalty, loss or absence this month (A11)
    pay: NetPay | None = None  # 应发 → 扣款 → 实发 (xlkpi.tax.net_pay)

    def line(self, code: str) -> PayLine | None:
        """The pay line with this code, if the plan has one."""
        for line in self.lines:
            if line.code == code:
                return line
        return None

    @property
    def gross(self) -> Decimal:
        """应发合计: the plan's lines plus a year-end bonus paid this month."""
        return self.total if self.pay is None else self.pay.gross

    @property
    def deductions(self) -> Decimal:
        """扣款合计: contributions, 个税 and other deductions (a positive amount)."""
        return ZERO if self.pay is None else self.pay.deductions

    @property
    def tax(self) -> Decimal:
        """个税 withheld this month (the year-end bonus's separate tax included)."""
        if self.pay is None:
            return ZERO
        return -sum((x.amount for x in self.pay.deduction_lines if x.code in TAX_CODES), ZERO)

    @property
    def net(self) -> Decimal:
        """实发合计 = 应发合计 − 扣款合计."""
        return self.gross - self.deductions


@dataclass(frozen=True)
class MonthResult:
    """A computed month: results in roster order, and every alert."""

    month: str
    policy: Policy
    results: list[EmployeeResult]
    alerts: list[Alert] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        """Payroll total: the exact sum of the employees' totals."""
        return sum((r.total for r in self.results), ZERO)


@dataclass(frozen=True, slots=True)
class _Pools:
    team_pool: Decimal  # the doc-002 department pool, to the fen
    team_shares: list[Decimal]  # the pool members' shares in roster order
    team_heads: int  # headcount of the pool plans (the average's divisor)
    groups: dict[str, Decimal]  # customer-service group → completion of its shops
    public_pool: Decimal
    public_staff: int
    public_share: Decimal


def _department(month: Month, policy: Policy) -> tuple[Decimal, list[Decimal], dict[str, Decimal]]:
    """The doc-002 pool from the shops (one pool, split evenly) and each group's completion."""
    pool_plans = policy.team.pool_plans
    members = [e for e in month.employees if e.plan in pool_plans]
    if not members:  # nobody splits a pool: the average (and every level share) is 0
        return ZERO, [], {}
    if policy.plans.ecom_cs.trial_operation:  # 试运营: no commission paid, so the average is 0
        return ZERO, [ZERO] * len(members), {}
    if not month.shops:
        raise MissingValueError(
            "电商部有客服提成，但本月没有店铺数据：请在店铺表填写每个店铺的下单金额、退货和目标。"
        )
    pool = department_pool(month.shops, policy)
    shares = split_evenly(pool, len(members))
    by_group: dict[str, list[Shop]] = {}  # once: a lookup per group is not a scan per group
    for shop in month.shops:
        by_group.setdefault(shop.group, []).append(shop)
    groups = {  # a group without shops: group_shops says so
        team: shops_completion(by_group.get(team) or group_shops(month.shops, team))
        for team in {e.team for e in members if e.plan == "ecom_cs"}
    }
    return pool, shares, groups


def _pools(month: Month, policy: Policy) -> _Pools:
    public_plans = policy.team.public_pool_plans
    staff = sum(1 for e in month.employees if e.plan in public_plans)
    pool = share = ZERO
    if staff:
        scale = schedule_of(policy.plans.cs_2017.public_pool_schedule, policy)
        pool = scale.compute(month.public_sales)  # exact: the share is rounded once
        share = pool_share(pool, staff)
    team_pool, shares, groups = _department(month, policy)
    return _Pools(team_pool, shares, len(shares), groups, pool, staff, share)


def _input(month: Month, emp: Employee) -> MonthInput:
    try:
        return month.inputs[emp.id]
    except KeyError:
        raise MissingValueError(
            t("engine.no_inputs", id=emp.id, name=emp.name, month=month.month)
        ) from None


def compute_month(month: Month, policy: Policy | None = None) -> MonthResult:
    """Compute every employee's pay for the month with the policy in force then.

    The cyclic garbage collector is paused for the batch: it makes millions of small,
    acyclic objects (lines, results), and the collector's repeated scans of them cost a
    third of the time at 100,000 staff. It is restored however the batch ends.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _compute_month(month, policy)
    finally:
        if collecting:
            gc.enable()


def _compute_month(month: Month, policy: Policy | None) -> MonthResult:
    p = (policy or default_policy()).at(month.month)
    pools = _pools(month, p)
    history = index_history(month.history)
    seat = [0]
    results: list[EmployeeResult] = []
    alerts: list[Alert] = []
    no_history: dict[str, HistoryRecord] = {}
    ledgers = year_records(month.history, month.month)
    for emp in month.employees:
        inp = _input(month, emp)
        try:
            ctx = _context(emp, month.month, pools, seat, p)
            result = _compute_employee(emp, inp, ctx, history.get(emp.id, no_history), p)
            result = with_net_pay(result, month, ledgers.get(emp.id, []), p)
        except InputError as exc:
            raise type(exc)(t("engine.employee", id=emp.id, name=emp.name, message=exc)) from None
        results.append(result)
        alerts.extend(result.alerts)
    return MonthResult(month.month, p, results, alerts)


def _context(emp: Employee, month: str, pools: _Pools, seat: list[int], p: Policy) -> PlanContext:
    months = months_of_service(emp.hire_date, month)
    share = ZERO
    if emp.plan in p.team.pool_plans:
        share = pools.team_shares[seat[0]]
        seat[0] += 1
    return PlanContext(
        month,
        months // 12,
        pools.team_pool,
        pools.team_heads,
        share,
        pools.public_pool,
        pools.public_staff,
        pools.public_share,
        False,
        months,
        pools.groups.get(emp.team),
    )


def bad_record(inp: MonthInput) -> bool:
    """True for a month with a complaint, fine, penalty, loss or absence (rules.md A11); the
    History keeps it (HistoryRecord.bad_record) so that later months can see it."""
    return bool(
        inp.complaints
        or inp.penalties
        or inp.losses
        or inp.absences
        or inp.chat_violations
        or inp.contact_leaks
    )


def _clean_record(inp: MonthInput, past: dict[str, HistoryRecord]) -> bool:
    """No bad record this month nor in any month of the History (期间没有不良记录)."""
    if bad_record(inp):
        return False
    return not any(r.bad_record or r.complaints for r in past.values())


def _compute_employee(
    emp: Employee, inp: MonthInput, ctx: PlanContext, past: dict[str, HistoryRecord], p: Policy
) -> EmployeeResult:
    plan = PLANS.get(emp.plan)
    if plan is None:
        raise OutOfRangeError(
            t(
                "engine.unknown_plan",
                plan=repr(emp.plan),
                known="、".join(PLAN_LABELS[p][0] for p in PLANS),
            )
        )
    score = inp.score
    appraised = emp.plan != "cs_2017" or cs_2017_appraised(inp, p)
    if score is None or not appraised:
        grade, coefficient = "", None
        score = score if appraised else None
    else:
        score = score_arg(score, p, plan=emp.plan)
        grade, coefficient = grade_of(score, p.grades), p.perf_coeff.value(score)
    if emp.plan in PAY_COEFFICIENTS:  # the coefficient its pay uses (the store manager's task)
        coefficient = PAY_COEFFICIENTS[emp.plan](inp, p)
    if past and streak_reward_due(emp, ctx.month, grade, past, p):
        ctx.streak_reward = True
    lines = plan(emp, inp, ctx, p)
    total = total_of(lines)
    months = ctx.months_of_service
    alerts = warnings_for(emp, ctx.month, score, grade, inp.complaints, past, p)
    promotion = rank_due(emp, months, score, _clean_record(inp, past), p)
    if promotion is not None:
        alerts.append(promotion)
    alerts.extend(plan_alerts(emp, inp, ctx, p))
    if ctx.streak_reward:
        alerts.append(
            Alert(
                emp.id,
                emp.name,
                "reward",
                "streak_reward",
                t(
                    "alert.streak_reward",
                    months=p.streak_reward.months,
                    amount=format_number(p.streak_reward.amount),
                ),
            )
        )
    return EmployeeResult(
        emp,
        score,
        coefficient,
        grade,
        months,
        lines,
        total,
        trace(lines, total),
        alerts,
        bad_record(inp),
    )


def plan_alerts(emp: Employee, inp: MonthInput, ctx: PlanContext, p: Policy) -> list[Alert]:
    """Alerts a plan's own rules raise: a typed task coefficient of 0, a 2017-standard employee
    not appraised, a logistics sales employee under one month in the post."""
    out: list[Alert] = []
    if emp.plan == "store_manager" and inp.task_coefficient == 0:
        out.append(
            Alert(
                emp.id,
                emp.name,
                "warning",
                "task_coefficient_zero",
                t("alert.task_zero"),
            )
        )
    if emp.plan == "cs_2017" and not cs_2017_appraised(inp, p):
        limit = p.plans.cs_2017.max_absent_months
        out.append(
            Alert(
                emp.id,
                emp.name,
                "warning",
                "cs2017_not_appraised",
                t("alert.cs2017_not_appraised", months=inp.absent_months, limit=limit),
            )
        )
    if emp.plan == "logistics_sales" and not logistics_appraised(ctx, p):
        out.append(
            Alert(
                emp.id,
                emp.name,
                "warning",
                "logistics_new_staff",
                t("alert.logistics_new"),
            )
        )
    return out
