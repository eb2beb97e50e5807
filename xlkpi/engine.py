"""Computing a month: every employee's pay lines, total, trace, grade and alerts, in one batch.

Team pools and the public pool are computed once per month, then each employee's plan runs
with a :class:`~xlkpi.payplans.PlanContext`. An input error is re-raised naming the employee.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from xlkpi.errors import InputError, MissingValueError, OutOfRangeError
from xlkpi.history import Alert, index_history, rank_due, streak_reward_due, warnings_for
from xlkpi.inputs import Employee, HistoryRecord, Month, MonthInput
from xlkpi.money import ZERO
from xlkpi.paylines import PayLine, total_of, trace
from xlkpi.payplans import PLANS, PUBLIC_POOL_PLANS, TEAM_POOL_PLANS, PlanContext
from xlkpi.policy import Policy
from xlkpi.policy_io import default_policy
from xlkpi.rules import (
    months_of_service,
    pool_share,
    schedule_of,
    score_arg,
    split_evenly,
    team_pool,
)


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

    def line(self, code: str) -> PayLine | None:
        """The pay line with this code, if the plan has one."""
        for line in self.lines:
            if line.code == code:
                return line
        return None


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
    team: dict[str, tuple[Decimal, list[Decimal]]]  # team → (pool, members' shares)
    public_pool: Decimal
    public_staff: int
    public_share: Decimal


def _team_pools(month: Month, policy: Policy) -> dict[str, tuple[Decimal, list[Decimal]]]:
    members: dict[str, list[Employee]] = {}
    for emp in month.employees:
        if emp.plan in TEAM_POOL_PLANS:
            members.setdefault(emp.team, []).append(emp)
    pools = {}
    for team, staff in members.items():
        if team not in month.team_targets:
            raise MissingValueError(
                f"team {team or '(blank)'!r} has customer-service staff but no sales target; "
                "enter the team's target"
            )
        sales = sum((_input(month, e).net_sales for e in staff), ZERO)
        pool = team_pool(max(sales, ZERO), month.team_targets[team], policy)
        pools[team] = (pool, split_evenly(pool, len(staff)))
    return pools


def _pools(month: Month, policy: Policy) -> _Pools:
    staff = sum(1 for e in month.employees if e.plan in PUBLIC_POOL_PLANS)
    pool = share = ZERO
    if staff:
        scale = schedule_of(policy.plans.cs_2017.public_pool_schedule, policy)
        pool = scale.compute(month.public_sales)  # exact: the share is rounded once
        share = pool_share(pool, staff)
    return _Pools(_team_pools(month, policy), pool, staff, share)


def _input(month: Month, emp: Employee) -> MonthInput:
    try:
        return month.inputs[emp.id]
    except KeyError:
        raise MissingValueError(
            f"employee {emp.id} ({emp.name}) has no inputs for {month.month}"
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
    team_position: dict[str, int] = {}
    results: list[EmployeeResult] = []
    alerts: list[Alert] = []
    no_history: dict[str, HistoryRecord] = {}
    for emp in month.employees:
        inp = _input(month, emp)
        try:
            ctx = _context(emp, month.month, pools, team_position)
            result = _compute_employee(emp, inp, ctx, history.get(emp.id, no_history), p)
        except InputError as exc:
            raise type(exc)(f"employee {emp.id} ({emp.name}): {exc}") from None
        results.append(result)
        alerts.extend(result.alerts)
    return MonthResult(month.month, p, results, alerts)


def _context(
    emp: Employee, month: str, pools: _Pools, team_position: dict[str, int]
) -> PlanContext:
    months = months_of_service(emp.hire_date, month)
    pool, shares = pools.team.get(emp.team, _NO_TEAM)
    share = ZERO
    if emp.plan in TEAM_POOL_PLANS:
        position = team_position.get(emp.team, 0)
        team_position[emp.team] = position + 1
        share = shares[position]
    return PlanContext(
        month,
        months // 12,
        pool,
        len(shares),
        share,
        pools.public_pool,
        pools.public_staff,
        pools.public_share,
        False,
        months,
    )


_NO_TEAM: tuple[Decimal, list[Decimal]] = (ZERO, [])


def _grade(score: Decimal, p: Policy) -> str:
    g = p.grades
    if score >= g.excellent_from:
        return "excellent"
    if score >= g.good_from:
        return "good"
    return "pass" if score >= g.pass_from else "fail"


def _compute_employee(
    emp: Employee, inp: MonthInput, ctx: PlanContext, past: dict[str, HistoryRecord], p: Policy
) -> EmployeeResult:
    plan = PLANS.get(emp.plan)
    if plan is None:
        raise OutOfRangeError(f"pay plan is {emp.plan!r}; use one of {', '.join(PLANS)}")
    score = inp.score
    if score is None:
        grade, coefficient = "", None
    else:
        score = score_arg(score, p)
        grade, coefficient = _grade(score, p), p.perf_coeff.value(score)
    if past and streak_reward_due(emp, ctx.month, grade, past, p):
        ctx.streak_reward = True
    lines = plan(emp, inp, ctx, p)
    total = total_of(lines)
    months = ctx.months_of_service
    alerts = warnings_for(emp, ctx.month, score, grade, inp.complaints, past, p)
    clean = not (inp.complaints or inp.penalties or inp.absences)
    promotion = rank_due(emp, months, score, clean, p)
    if promotion is not None:
        alerts.append(promotion)
    if ctx.streak_reward:
        alerts.append(
            Alert(
                emp.id,
                emp.name,
                "reward",
                "streak_reward",
                f"连续{p.streak_reward.months}个月考核优秀,一次性奖励{p.streak_reward.amount}元",
            )
        )
    return EmployeeResult(
        emp, score, coefficient, grade, months, lines, total, trace(lines, total), alerts
    )
