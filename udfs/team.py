"""Team UDFs: team sales and completion, team-pool shares, the store manager's share, pools."""

from __future__ import annotations

from decimal import Decimal

import xlwings as xw

from udfs import _policy_args as pa
from udfs._boundary import column_of, guarded, is_blank, is_error, need, to_excel, vectorize
from xlkpi import messages, rules
from xlkpi.errors import MissingValueError, OutOfRangeError
from xlkpi.layout import LEVEL_LABELS, PLAN_BY_LABEL
from xlkpi.money import ZERO, round_money, to_decimal
from xlkpi.payplans import TEAM_POOL_PLANS
from xlkpi.policy import LEVELS, Policy
from xlkpi.policy_io import default_policy


def _team_policy(bands: object) -> Policy:
    d = default_policy()
    return pa.with_values(
        {"team.pool_rate": pa.amount_scale(bands, d.team.pool_rate, "team.pool_rate")}
    )


def _pool(sales: object, target: object, p: Policy) -> Decimal:
    """The team pool as the engine computes it: negative team sales count as 0."""
    if is_blank(target):
        raise MissingValueError(messages.t("udf.team_target"))
    amount = to_decimal(need(sales), "团队销售额")
    return rules.team_pool(max(amount, ZERO), target, p)


@xw.func
@xw.arg("teams", ndim=2)
@xw.arg("plans", ndim=2)
@xw.arg("net_sales", ndim=2)
@guarded
def TEAM_SALES(team: object, teams: object, plans: object, net_sales: object = None) -> object:
    """团队销售额(客服组成员净销售额合计,负数按0) Team sales of the pool's members (A6)."""
    # TEAM_SALES(team, teams, net_sales): three arguments when ``teams`` names only the pool's
    # members (the 工资表's _团队 helper), so no plan column need be handed over.
    if net_sales is None:
        plans, net_sales = None, plans
    team_col, sales_col = column_of(teams), column_of(net_sales)
    plan_col = column_of(plans) if plans is not None else None
    if len(team_col) != len(sales_col) or (plan_col is not None and len(plan_col) != len(team_col)):
        raise OutOfRangeError(messages.t("udf.same_height"))

    def member(plan: object) -> bool:
        if plan_col is None:
            return True
        code = PLAN_BY_LABEL.get(str(plan).strip(), str(plan).strip()) if plan else ""
        return code in TEAM_POOL_PLANS

    def total(name: object) -> Decimal:
        wanted = "" if is_blank(name) else str(name).strip()
        amount = ZERO
        plan_values = plan_col if plan_col is not None else [None] * len(team_col)
        for t, plan, sales in zip(team_col, plan_values, sales_col, strict=True):
            if is_blank(t) or not member(plan) or str(t).strip() != wanted:
                continue
            if is_error(sales):
                raise OutOfRangeError(messages.t("udf.member_error", error=sales))
            amount += to_decimal(need(sales), "成员净销售额")
        return max(amount, ZERO)

    return vectorize(total, team)


@xw.func
@guarded
def COMPLETION(team_sales: object, target: object) -> object:
    """目标完成率=团队销售额÷团队目标 Target completion = team sales ÷ team target (A6)."""
    return vectorize(lambda s, t: rules.completion(need(s), need(t)), team_sales, target)


@xw.func
@xw.arg("bands", ndim=2)
@guarded
def TEAM_COMMISSION(
    team_sales: object, target: object, members: object, bands: object = None
) -> object:
    """团队提成:客服组平分(到分) Each member's share of the team pool (A6), as a column."""
    p = _team_policy(bands)
    shares = rules.team_commission(need(team_sales), need(target), need(members), p)
    return [[to_excel(s)] for s in shares]


@xw.func
@xw.arg("bands", ndim=2)
@guarded
def TEAM_SHARE(
    team_sales: object, target: object, members: object, position: object, bands: object = None
) -> object:
    """团队提成第N人份额(余分按花名册顺序) One member's share of the team pool, by position."""
    p = _team_policy(bands)

    def share(s: object, t: object, m: object, pos: object) -> Decimal:
        count = rules.count_arg(need(m), "人数")
        index = rules.count_arg(need(pos), "位置")
        if not 1 <= index <= count:
            raise OutOfRangeError(messages.t("udf.position", value=index, count=count))
        return rules.split_evenly(_pool(s, t, p), count)[index - 1]

    return vectorize(share, team_sales, target, members, position)


@xw.func
@xw.arg("bands", ndim=2)
@xw.arg("level_shares", ndim=2)
@guarded
def TEAM_AVERAGE_SHARE(
    team_sales: object,
    target: object,
    members: object,
    level: object,
    bands: object = None,
    level_shares: object = None,
) -> object:
    """店长团队绩效=客服平均提成×级别系数 Share of the team's average commission by level (A6)."""
    p = _team_policy(bands)
    table = pa.keyed(
        level_shares, dict(default_policy().team.level_share), LEVEL_LABELS, "team.level_share"
    )
    by_label = {label: code for code, label in LEVEL_LABELS.items()}

    def share(s: object, t: object, m: object, lv: object) -> Decimal:
        name = str(need(lv)).strip()
        code = by_label.get(name, name)
        if code not in LEVELS:
            raise OutOfRangeError(
                messages.t("udf.level", level=name, known="、".join(LEVEL_LABELS.values()))
            )
        count = rules.count_arg(need(m), "人数")
        if count == 0:
            return round_money(ZERO)
        if code not in table:
            raise OutOfRangeError(messages.t("udf.level_share", level=name))
        return rules.pool_share(_pool(s, t, p), count, table[code])

    return vectorize(share, team_sales, target, members, level)


@xw.func
@xw.arg("bands", ndim=2)
@guarded
def GROUP_BONUS(completion: object, bands: object = None) -> object:
    """小组绩效奖金:完成率≤60%300,≤80%400,以上500 Group performance bonus by completion (A6)."""
    d = default_policy()
    p = pa.with_values(
        {"team.group_bonus": pa.amount_scale(bands, d.team.group_bonus, "team.group_bonus")}
    )
    return vectorize(lambda c: rules.group_bonus(need(c), p), completion)


@xw.func
@xw.arg("schedule", ndim=2)
@guarded
def PUBLIC_SHARE(
    public_sales: object, staff: object, schedule: object = None, minimum: object = None
) -> object:
    """公共提成每人份额=公共销售额×1%÷客服人数 One share of the public pool (A5)."""
    d = default_policy()
    scale = pa.rate_scale(
        schedule, d.commission[d.plans.cs_2017.public_pool_schedule], "public pool", minimum
    )

    def share(s: object, n: object) -> Decimal:
        heads = rules.count_arg(need(n), "客服人数")
        if heads == 0:
            raise OutOfRangeError(messages.t("rules.no_public_staff"))
        return rules.pool_share(scale.compute(rules.amount_arg(need(s), "公共销售业绩")), heads)

    return vectorize(share, public_sales, staff)


__all__ = [
    "COMPLETION",
    "GROUP_BONUS",
    "PUBLIC_SHARE",
    "TEAM_AVERAGE_SHARE",
    "TEAM_COMMISSION",
    "TEAM_SALES",
    "TEAM_SHARE",
]
