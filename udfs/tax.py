"""Tax UDFs: cumulative withholding, the year-end bonus tax, social insurance and housing fund.

Adapters over :mod:`xlkpi.tax.withholding` and :mod:`xlkpi.tax.contributions` with the shipped
policy's tables; amounts are rounded to the fen exactly as the engine rounds them.
"""

from __future__ import annotations

from decimal import Decimal

import xlwings as xw

from udfs._boundary import column_of, guarded, need, scalar_of, to_excel, vectorize
from xlkpi import messages
from xlkpi.errors import OutOfRangeError
from xlkpi.money import ZERO, round_money, to_decimal
from xlkpi.policy_io import default_policy
from xlkpi.tax.contributions import INDIVIDUAL, contributions
from xlkpi.tax.withholding import YearToDate, bonus_tax, withhold, withholding_schedule

_KIND_BY_LABEL = {
    "养老": "pension",
    "养老保险": "pension",
    "医疗": "medical",
    "医疗保险": "medical",
    "失业": "unemployment",
    "失业保险": "unemployment",
    "公积金": "housing_fund",
    "住房公积金": "housing_fund",
}


def _number(value: object, what: str) -> Decimal:
    return ZERO if value is None else to_decimal(value, what)


@xw.func
@guarded
def WITHHOLDING(
    cum_income: object,
    months: object,
    cum_deductions: object,
    cum_additional: object,
    withheld: object,
    cum_other: object = None,
) -> object:
    """本月预扣个税(累计预扣法) This month's withholding from the cumulative figures (incl. it)."""

    def one(i: object, m: object, d: object, a: object, w: object, o: object) -> Decimal:
        count = to_decimal(need(m), "月数")
        if count < 1 or count != count.to_integral_value() or count > 12:
            raise OutOfRangeError(messages.t("udf.tax_months", months=count))
        before = YearToDate(months=int(count) - 1, withheld=_number(w, "已预扣个税"))
        return withhold(
            before,
            to_decimal(need(i), "累计收入"),
            _number(d, "累计减除费用"),
            _number(a, "累计专项附加扣除"),
            _number(o, "累计其他扣除"),
            default_policy(),
        ).tax

    return vectorize(one, cum_income, months, cum_deductions, cum_additional, withheld, cum_other)


@xw.func
@guarded
def WITHHOLDING_SCHEDULE(incomes: object, deductions: object, additional: object) -> object:
    """逐月预扣个税(一列为一年) Each month's withholding for a column of months of one employee."""
    columns = [column_of(v) for v in (incomes, deductions, additional)]
    if len({len(c) for c in columns}) != 1:
        raise OutOfRangeError(messages.t("udf.same_height"))
    rows = [[_number(v, "数值") for v in col] for col in columns]
    out = withholding_schedule(rows[0], rows[1], rows[2], default_policy())
    if len(out) == 1:
        return to_excel(out[0])
    return [[to_excel(v)] for v in out]


@xw.func
@guarded
def BONUS_TAX(bonus: object) -> object:
    """年终奖单独计税(÷12定税率) Tax on a year-end one-off bonus taxed on its own."""
    return vectorize(lambda b: bonus_tax(need(b), default_policy()), bonus)


@xw.func
@guarded
def CONTRIBUTION(base: object, kind: object) -> object:
    """个人社保公积金(养老/医疗/失业/公积金) The individual's share for a contribution base."""
    name = "" if kind is None else str(scalar_of(kind)).strip()
    code = _KIND_BY_LABEL.get(name, name)
    if code not in INDIVIDUAL:
        known = "、".join(k for k in _KIND_BY_LABEL if not k.endswith("保险"))
        raise OutOfRangeError(messages.t("udf.contribution_kind", kind=name, known=known))
    return vectorize(lambda b: round_money(contributions(need(b), default_policy())[code]), base)
