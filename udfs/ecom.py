"""E-commerce department UDFs (document 002): the shops' pool, its shares, awards and bonuses."""

from __future__ import annotations

from decimal import Decimal

import xlwings as xw

from udfs import _policy_args as pa
from udfs._boundary import column_of, guarded, is_blank, is_error, need, to_excel, vectorize
from xlkpi import rules
from xlkpi.errors import OutOfRangeError
from xlkpi.inputs import Shop
from xlkpi.layout import GRADE_LABELS, LEVEL_LABELS
from xlkpi.messages import t
from xlkpi.money import ZERO, round_money, to_decimal
from xlkpi.policy import LEVELS
from xlkpi.policy_io import default_policy


def _shops(sales: object, targets: object, groups: object = None) -> list[Shop]:
    """The 店铺 rows as shops: net sales (NET_SALES of the row) and target, optionally the group."""
    sales_col, target_col = column_of(sales), column_of(targets)
    group_col = column_of(groups) if groups is not None else [None] * len(sales_col)
    if not len(sales_col) == len(target_col) == len(group_col):
        raise OutOfRangeError("店铺销售额、目标和客服组必须是同样高度的区域")
    shops = []
    for i, (s, goal, g) in enumerate(zip(sales_col, target_col, group_col, strict=True), start=1):
        if is_blank(s) and is_blank(goal):
            continue
        for cell in (s, goal):
            if is_error(cell):
                raise OutOfRangeError(f"第{i}个店铺的数值是错误值 {cell}")
        target = None if is_blank(goal) else rules.amount_arg(goal, "店铺目标")
        group = "" if is_blank(g) else str(g).strip()
        shops.append(
            Shop(f"店铺{i}", to_decimal(need(s), "店铺销售额"), target=target, group=group)
        )
    return shops


@xw.func
@xw.arg("sales", ndim=2)
@xw.arg("targets", ndim=2)
@xw.arg("groups", ndim=2)
@guarded
def SHOP_COMPLETION(
    sales: object, targets: object, groups: object = None, group: object = None
) -> object:
    """店铺目标完成率(全部店铺合计,或某客服组的店铺) Shops' completion (rules A6)."""
    shops = _shops(sales, targets, groups)
    if group is None or groups is None:
        return to_excel(rules.shops_completion(shops))
    return vectorize(
        lambda g: rules.shops_completion(rules.group_shops(shops, str(need(g)).strip())), group
    )


@xw.func
@xw.arg("sales", ndim=2)
@xw.arg("targets", ndim=2)
@xw.arg("bands", ndim=2)
@guarded
def SHOP_POOL(sales: object, targets: object, bands: object = None) -> object:
    """客服提成池=全部店铺销售额×比例(按完成率,到分) The department's one pool (rules A6)."""
    d = default_policy()
    p = pa.with_values(
        {"team.pool_rate": pa.amount_scale(bands, d.team.pool_rate, "team.pool_rate")}
    )
    return to_excel(rules.department_pool(_shops(sales, targets), p))


@xw.func
@guarded
def POOL_SHARE(pool: object, members: object, position: object) -> object:
    """提成池第N人份额(到分,余分按花名册顺序) One member's even share of the pool (A6)."""

    def share(amount: object, m: object, pos: object) -> Decimal:
        count = rules.count_arg(need(m), "人数")
        index = rules.count_arg(need(pos), "位置")
        if not 1 <= index <= count:
            raise OutOfRangeError(t("udf.position", value=index, count=count))
        return rules.split_evenly(rules.amount_arg(need(amount), "pool"), count)[index - 1]

    return vectorize(share, pool, members, position)


@xw.func
@xw.arg("level_shares", ndim=2)
@guarded
def LEVEL_SHARE(
    pool: object, members: object, level: object, level_shares: object = None
) -> object:
    """级别分成=提成池÷客服人数×级别系数(一次取整) Level share of the average commission (A6)."""
    table = pa.keyed(
        level_shares, dict(default_policy().team.level_share), LEVEL_LABELS, "team.level_share"
    )
    by_label = {label: code for code, label in LEVEL_LABELS.items()}

    def share(amount: object, m: object, lv: object) -> Decimal:
        name = str(need(lv)).strip()
        code = by_label.get(name, name)
        if code not in LEVELS or code not in table:
            raise OutOfRangeError(
                t(
                    "rules.choice",
                    what="level",
                    value=repr(name),
                    known=", ".join(LEVEL_LABELS.values()),
                )
            )
        count = rules.count_arg(need(m), "人数")
        if count == 0:
            return round_money(ZERO)
        return rules.pool_share(rules.amount_arg(need(amount), "pool"), count, table[code])

    return vectorize(share, pool, members, level)


# The work-performance grades as the sales sheet's dropdown shows them.
_TIERS = {"一档": "tier1", "二档": "tier2", "三档": "tier3"}


@xw.func
@guarded
def WORK_AWARD(
    grade: object, tier1: object = None, tier2: object = None, tier3: object = None
) -> object:
    """工作表现奖(一档/二档/三档=300/400/500) E-commerce customer service award (A6)."""
    awards = default_policy().plans.ecom_cs.work_award
    table = {
        code: pa.number(value, awards[code], f"plans.ecom_cs.work_award.{code}")
        for code, value in (("tier1", tier1), ("tier2", tier2), ("tier3", tier3))
    }
    p = pa.with_values({"plans.ecom_cs.work_award": table})

    def award(g: object) -> Decimal:
        name = str(need(g)).strip()
        return rules.work_award(_TIERS.get(name, name), p)

    return vectorize(award, grade)


@xw.func
@xw.arg("bonuses", ndim=2)
@guarded
def GRADE_BONUS(grade: object, bonuses: object = None) -> object:
    """绩效评级奖金(不合格0/合格300/良好400/优秀500) Other departments' grade bonus (A6)."""
    table = pa.keyed(
        bonuses, dict(default_policy().team.grade_bonus), GRADE_LABELS, "team.grade_bonus"
    )
    p = pa.with_values({"team.grade_bonus": table})
    by_label = {label: code for code, label in GRADE_LABELS.items()}

    def bonus(g: object) -> Decimal:
        name = str(need(g)).strip()
        return rules.grade_bonus(by_label.get(name, name), p)

    return vectorize(bonus, grade)


__all__ = ["GRADE_BONUS", "LEVEL_SHARE", "POOL_SHARE", "SHOP_COMPLETION", "SHOP_POOL", "WORK_AWARD"]
