"""Individual income tax on wages by cumulative withholding (累计预扣法), and the year-end bonus.

This month's withholding = cumulative taxable income × rate − quick deduction − tax already
withheld this year, never below 0 (an excess waits for the annual settlement), rounded
half-up to the fen. Cumulative taxable income = cumulative income − basic deduction × months
employed this tax year − cumulative special deductions (the individual's social insurance
and housing fund) − cumulative special additional deductions − cumulative other deductions.

A year of 10,000 a month with 5,000 basic deduction and no other deduction:

>>> withholding_schedule([10000] * 3, [0] * 3, [0] * 3)
[Decimal('150.00'), Decimal('150.00'), Decimal('150.00')]
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from xlkpi.layout import BONUS_METHODS, TAX_INPUTS
from xlkpi.messages import t
from xlkpi.money import ZERO, format_yuan, round_money, to_decimal
from xlkpi.policy import Policy
from xlkpi.tax.policy import TaxPolicy


class YearToDate(NamedTuple):
    """An employee's tax year before this month: months employed and the cumulative sums."""

    months: int = 0
    income: Decimal = ZERO
    deductions: Decimal = ZERO
    additional: Decimal = ZERO
    other: Decimal = ZERO
    withheld: Decimal = ZERO


class Withholding(NamedTuple):
    """One month's withholding with every figure a withholding declaration asks for.

    The ``cumulative_*`` figures include this month; ``tax_due`` is the cumulative tax on
    ``taxable`` (rounded), ``withheld_before`` what earlier months withheld, ``tax`` this
    month's withholding.
    """

    months: int
    cumulative_income: Decimal
    basic_deduction: Decimal
    cumulative_deductions: Decimal
    cumulative_additional: Decimal
    cumulative_other: Decimal
    taxable: Decimal
    rate: Decimal
    quick_deduction: Decimal
    tax_due: Decimal
    withheld_before: Decimal
    tax: Decimal

    @property
    def excess(self) -> Decimal:
        """Tax withheld earlier beyond what is due now (refunded only by the annual settlement)."""
        return max(ZERO, self.withheld_before - self.tax_due)


class BonusOptions(NamedTuple):
    """The year-end bonus taxed on its own and merged into the month, side by side."""

    bonus: Decimal
    separate_tax: Decimal
    merged_tax: Decimal
    separate_allowed: bool
    cliff_loss: Decimal

    @property
    def cheaper(self) -> str:
        """``separate`` or ``merged``: the option with the lower tax (separate on a tie)."""
        if not self.separate_allowed:
            return "merged"
        return "separate" if self.separate_tax <= self.merged_tax else "merged"


def tax_section(policy: Policy | TaxPolicy | None) -> TaxPolicy:
    """The tax section of ``policy`` (the default policy's when None)."""
    if policy is None:
        from xlkpi.policy_io import default_policy

        return default_policy().tax
    return policy if isinstance(policy, TaxPolicy) else policy.tax


def withhold(
    before: YearToDate,
    income: Decimal,
    deductions: Decimal,
    additional: Decimal,
    other: Decimal = ZERO,
    policy: Policy | TaxPolicy | None = None,
) -> Withholding:
    """This month's withholding from the year so far and this month's figures.

    ``before.months`` counts the months employed before this one; this month adds one.

    >>> withhold(YearToDate(months=1, income=Decimal(30000), withheld=Decimal(750)),
    ...          Decimal(30000), ZERO, ZERO).tax
    Decimal('1730.00')
    """
    tax = tax_section(policy)
    months = before.months + 1
    cumulative_income = before.income + income
    basic = tax.basic_deduction * months
    cum_deductions = before.deductions + deductions
    cum_additional = before.additional + additional
    cum_other = before.other + other
    taxable = max(ZERO, cumulative_income - basic - cum_deductions - cum_additional - cum_other)
    band = tax.annual_table.band(taxable)
    exact_due = tax.annual_table.tax(taxable)
    this_month = round_money(max(ZERO, exact_due - before.withheld))
    return Withholding(
        months=months,
        cumulative_income=cumulative_income,
        basic_deduction=basic,
        cumulative_deductions=cum_deductions,
        cumulative_additional=cum_additional,
        cumulative_other=cum_other,
        taxable=taxable,
        rate=band.rate,
        quick_deduction=band.quick_deduction,
        tax_due=round_money(exact_due),
        withheld_before=before.withheld,
        tax=this_month,
    )


def after(before: YearToDate, month: Withholding, income: Decimal) -> YearToDate:
    """The year to date once ``month`` (with its ``income``) is withheld."""
    return YearToDate(
        months=month.months,
        income=before.income + income,
        deductions=month.cumulative_deductions,
        additional=month.cumulative_additional,
        other=month.cumulative_other,
        withheld=before.withheld + month.tax,
    )


def withholding_schedule(
    incomes: Sequence[object],
    deductions: Sequence[object],
    additional: Sequence[object],
    policy: Policy | TaxPolicy | None = None,
    other: Sequence[object] | None = None,
) -> list[Decimal]:
    """One employee's monthly withholding, month 1 = first month employed this tax year.

    ``incomes`` are the months' wage incomes, ``deductions`` the individual's social
    insurance and housing fund, ``additional`` the special additional deductions, ``other``
    the other deductions (default none). A high month then a month of no income withholds 0
    in the second month, with no refund:

    >>> withholding_schedule([50000, 0], [0, 0], [0, 0])
    [Decimal('1980.00'), Decimal('0.00')]
    """
    count = len(incomes)
    if len(deductions) != count or len(additional) != count:
        raise ValueError(
            f"incomes, deductions and additional must have one value per month "
            f"({count}, {len(deductions)}, {len(additional)})"
        )
    others = [ZERO] * count if other is None else list(other)
    if len(others) != count:
        raise ValueError(f"other must have one value per month ({count}, {len(others)})")
    ytd = YearToDate()
    out = []
    for k in range(count):
        income = to_decimal(incomes[k], f"incomes[{k}]")
        month = withhold(
            ytd,
            income,
            to_decimal(deductions[k], f"deductions[{k}]"),
            to_decimal(additional[k], f"additional[{k}]"),
            to_decimal(others[k], f"other[{k}]"),
            policy,
        )
        out.append(month.tax)
        ytd = after(ytd, month, income)
    return out


def bonus_tax(bonus: object, policy: Policy | TaxPolicy | None = None) -> Decimal:
    """Tax on a year-end one-off bonus taxed on its own: bonus ÷ 12 picks the monthly rate.

    tax = bonus × rate − quick deduction (the deduction once, not × 12), so 36,000 pays
    1,080.00 and 36,001 pays 3,390.10:

    >>> bonus_tax(36000), bonus_tax(36001)
    (Decimal('1080.00'), Decimal('3390.10'))
    """
    tax = tax_section(policy)
    amount = to_decimal(bonus, "bonus")
    if amount <= ZERO:
        return round_money(ZERO)
    band = tax.bonus.monthly_table.band(amount / tax.bonus.divisor)
    return round_money(max(ZERO, amount * band.rate - band.quick_deduction))


def bonus_cliff_loss(bonus: Decimal, policy: Policy | TaxPolicy | None = None) -> Decimal:
    """How much less the employee keeps than with the top bonus of the band below (0 if none).

    >>> bonus_cliff_loss(Decimal(36001))
    Decimal('2309.10')
    """
    tax = tax_section(policy)
    band = tax.bonus.monthly_table.band(bonus / tax.bonus.divisor)
    top = band.threshold * tax.bonus.divisor
    if top <= ZERO:
        return round_money(ZERO)
    kept_at_top = top - bonus_tax(top, tax)
    kept = bonus - bonus_tax(bonus, tax)
    return round_money(max(ZERO, kept_at_top - kept))


def separate_allowed(month: str, policy: Policy | TaxPolicy | None = None) -> bool:
    """True while a year-end bonus may be taxed on its own (to 2027-12 by default)."""
    return month <= tax_section(policy).bonus.separate_until


def bonus_options(
    bonus: Decimal,
    month: str,
    before: YearToDate,
    income: Decimal,
    deductions: Decimal,
    additional: Decimal,
    other: Decimal = ZERO,
    policy: Policy | TaxPolicy | None = None,
) -> BonusOptions:
    """Both ways of taxing a year-end bonus paid with this month's ``income``.

    ``merged_tax`` is the extra withholding the bonus causes when added to this month's
    income; ``separate_tax`` is :func:`bonus_tax`.
    """
    tax = tax_section(policy)
    without = withhold(before, income, deductions, additional, other, tax).tax
    merged = withhold(before, income + bonus, deductions, additional, other, tax).tax
    return BonusOptions(
        bonus=bonus,
        separate_tax=bonus_tax(bonus, tax),
        merged_tax=merged - without,
        separate_allowed=separate_allowed(month, tax),
        cliff_loss=bonus_cliff_loss(bonus, tax),
    )


def cliff_message(options: BonusOptions, policy: Policy | TaxPolicy | None = None) -> str:
    """The HR warning for a bonus just above a band edge: by how much to lower it.

    >>> text = cliff_message(bonus_options(Decimal(36001), "2026-12", YearToDate(), ZERO,
    ...                                    ZERO, ZERO))
    >>> print(text[text.index("建议"):])
    建议降低1.00元至36,000.00元，员工税后反而多得2,309.10元；并入综合所得计税为930.03元。
    """
    tax = tax_section(policy)
    band = tax.bonus.monthly_table.band(options.bonus / tax.bonus.divisor)
    top = band.threshold * tax.bonus.divisor
    return t(
        "tax.bonus_cliff",
        bonus=format_yuan(options.bonus),
        top=format_yuan(top),
        separate=format_yuan(options.separate_tax),
        top_tax=format_yuan(bonus_tax(top, tax)),
        lower=format_yuan(options.bonus - top),
        loss=format_yuan(options.cliff_loss),
        merged=format_yuan(options.merged_tax),
    )


def separate_ended_message(policy: Policy | TaxPolicy | None = None) -> str:
    """The warning when 单独计税 is chosen after the policy allows it."""
    until = tax_section(policy).bonus.separate_until
    column = next(c.header for c in TAX_INPUTS.columns if c.field == "bonus_method")
    return t(
        "tax.separate_ended",
        until=until,
        sheet=TAX_INPUTS.name,
        column=column,
        merged=BONUS_METHODS["merged"],
    )
