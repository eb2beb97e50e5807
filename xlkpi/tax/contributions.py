"""Social insurance and housing fund: the base clamped to the city's bounds, each share rounded.

The individual's shares (pension, medical, unemployment, housing fund) are deducted from pay
and are the special deductions of the withholding; the employer's shares are a cost report.
Each share is base × rate (+ a fixed amount for medical where the city has one), rounded
half-up to the fen once. A base of 0 entered on purpose means "not enrolled" (no shares).

>>> contributions(10000)["pension"], contributions(10000)["housing_fund"]
(Decimal('800.00'), Decimal('700.00'))
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from xlkpi.money import ZERO, round_money, to_decimal
from xlkpi.policy import Policy
from xlkpi.tax.policy import CityContributions, TaxPolicy
from xlkpi.tax.withholding import tax_section

INDIVIDUAL = ("pension", "medical", "unemployment", "housing_fund")
EMPLOYER = ("pension", "medical", "unemployment", "injury", "housing_fund")


class Share(NamedTuple):
    """One contribution: the clamped base, the rate, a fixed amount and the rounded amount."""

    code: str
    base: Decimal
    rate: Decimal
    fixed: Decimal
    amount: Decimal


def clamp(base: Decimal, floor: Decimal, ceiling: Decimal) -> Decimal:
    """The base within [floor, ceiling]; 0 stays 0 (not enrolled)."""
    if base <= ZERO:
        return ZERO
    return min(max(base, floor), ceiling)


def _share(code: str, base: Decimal, rate: Decimal, fixed: Decimal = ZERO) -> Share:
    amount = round_money(base * rate + fixed) if base > ZERO else round_money(ZERO)
    return Share(code, base, rate, fixed if base > ZERO else ZERO, amount)


def individual_shares(base: Decimal, city: CityContributions) -> list[Share]:
    """The individual's four shares, in the order of :data:`INDIVIDUAL`."""
    social = clamp(base, city.social_floor, city.social_ceiling)
    housing = clamp(base, city.housing_floor, city.housing_ceiling)
    return [
        _share("pension", social, city.pension),
        _share("medical", social, city.medical, city.medical_fixed),
        _share("unemployment", social, city.unemployment),
        _share("housing_fund", housing, city.housing_fund),
    ]


def employer_shares(base: Decimal, city: CityContributions) -> list[Share]:
    """The employer's five shares, in the order of :data:`EMPLOYER` (a cost, not a deduction)."""
    social = clamp(base, city.social_floor, city.social_ceiling)
    housing = clamp(base, city.housing_floor, city.housing_ceiling)
    return [
        _share("pension", social, city.employer_pension),
        _share("medical", social, city.employer_medical),
        _share("unemployment", social, city.employer_unemployment),
        _share("injury", social, city.employer_injury),
        _share("housing_fund", housing, city.employer_housing_fund),
    ]


def city_of(policy: Policy | TaxPolicy | None) -> CityContributions:
    """The company city's table."""
    return tax_section(policy).contributions.current


def contributions(base: object, policy: Policy | TaxPolicy | None = None) -> Mapping[str, Decimal]:
    """The individual's shares for a contribution ``base``: pension, medical, unemployment,
    housing fund (each rounded to the fen), the base clamped to the city's floor and ceiling.

    >>> contributions(1000)["pension"]  # raised to the example floor of 4,500
    Decimal('360.00')
    """
    amount = to_decimal(base, "base")
    return {s.code: s.amount for s in individual_shares(amount, city_of(policy))}


def employer_contributions(
    base: object, policy: Policy | TaxPolicy | None = None
) -> Mapping[str, Decimal]:
    """The employer's shares for ``base`` (pension, medical, unemployment, injury, housing fund)."""
    amount = to_decimal(base, "base")
    return {s.code: s.amount for s in employer_shares(amount, city_of(policy))}


def stale_table_message(month: str, policy: Policy | TaxPolicy | None = None) -> str | None:
    """A warning when the city table's effective year is older than ``month``'s year."""
    city = city_of(policy)
    year = int(month[:4])
    if city.effective_year >= year:
        return None
    return (
        f"社保公积金参数「{city.label}」适用年度为{city.effective_year}年，早于{year}年："
        "请按当地最新通知核对参数表中的缴费基数上下限和比例，并填写最后核对日期。"
    )
