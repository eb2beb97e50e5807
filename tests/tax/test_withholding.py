"""Cumulative withholding, the year-end bonus tax and its cliff, and the property over a year."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlkpi.money import ZERO, round_money
from xlkpi.policy_io import default_policy
from xlkpi.tax.withholding import (
    YearToDate,
    after,
    bonus_cliff_loss,
    bonus_options,
    bonus_tax,
    cliff_message,
    separate_allowed,
    withhold,
    withholding_schedule,
)

D = Decimal
TABLE = default_policy().tax.annual_table


def test_a_month_reports_the_declaration_figures() -> None:
    before = YearToDate(
        months=2,
        income=D(40000),
        deductions=D(3000),
        additional=D(4000),
        other=D(200),
        withheld=D(210),
    )
    w = withhold(before, D(20000), D(1500), D(2000), D(100))
    assert w.months == 3
    assert w.cumulative_income == 60000
    assert w.basic_deduction == 15000
    assert (w.cumulative_deductions, w.cumulative_additional, w.cumulative_other) == (
        4500,
        6000,
        300,
    )
    assert w.taxable == 60000 - 15000 - 4500 - 6000 - 300  # 34,200 → 3%
    assert (w.rate, w.quick_deduction, w.tax_due) == (D("0.03"), 0, D("1026.00"))
    assert w.tax == D("816.00")
    nxt = after(before, w, D(20000))
    assert (nxt.months, nxt.income, nxt.withheld) == (3, 60000, D("1026.00"))


def test_withholding_never_refunds_and_rounds_half_up() -> None:
    w = withhold(YearToDate(months=1, withheld=D(500)), D(5000), ZERO, ZERO)
    assert w.tax == 0 and w.excess == D(500)
    # 5,000.50 taxable × 3% = 150.015 → 150.02 (half-up, not half-even)
    assert withhold(YearToDate(), D("10000.50"), ZERO, ZERO).tax == D("150.02")


def test_taxable_income_is_never_negative() -> None:
    w = withhold(YearToDate(), D(3000), D(500), D(2000))
    assert (w.taxable, w.tax) == (0, D("0.00"))


def test_schedule_checks_its_columns() -> None:
    with pytest.raises(ValueError, match="one value per month"):
        withholding_schedule([1, 2], [0], [0, 0])
    assert withholding_schedule([20000, 20000], [0, 0], [0, 0], other=[1000, 1000]) == [
        D("420.00"),
        D("420.00"),
    ]


def test_bonus_tax_and_cliff() -> None:
    assert bonus_tax(36000) == D("1080.00")
    assert bonus_tax("36,001") == D("3390.10")
    assert bonus_tax(0) == D("0.00")
    assert bonus_cliff_loss(D(36001)) == D("2309.10")
    assert bonus_cliff_loss(D(36000)) == 0
    assert bonus_cliff_loss(D(39000)) == 0  # 39,000 − 3,690 = 35,310 > 34,920: past the dip
    assert bonus_cliff_loss(D(38000)) == D("510.00")  # 38,000 − 3,590 = 34,410 < 34,920


def test_bonus_options_and_message() -> None:
    options = bonus_options(D(36001), "2026-12", YearToDate(), D(10000), ZERO, ZERO)
    message = cliff_message(options)
    assert "36,000.00" in message and "2,309.10" in message and "，" in message
    assert options.cheaper == "merged"


def test_separate_taxation_ends_with_its_dated_month() -> None:
    assert separate_allowed("2027-12")
    assert not separate_allowed("2028-01")
    late = bonus_options(D(20000), "2028-01", YearToDate(), D(10000), ZERO, ZERO)
    assert not late.separate_allowed and late.cheaper == "merged"


MONEY = st.decimals(min_value=0, max_value=120000, places=2, allow_nan=False, allow_infinity=False)
SMALL = st.decimals(min_value=0, max_value=6000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=12).flatmap(
        lambda n: st.tuples(
            st.lists(MONEY, min_size=n, max_size=n),
            st.lists(SMALL, min_size=n, max_size=n),
            st.lists(SMALL, min_size=n, max_size=n),
        )
    )
)
def test_year_total_equals_the_annual_table_when_no_month_falls_back(
    year: tuple[list[Decimal], list[Decimal], list[Decimal]],
) -> None:
    incomes, deductions, additional = year
    taxes = withholding_schedule(incomes, deductions, additional)
    withheld = ZERO
    fell_back = False
    cumulative = []
    for k in range(len(incomes)):
        taxable = max(
            ZERO,
            sum(incomes[: k + 1], ZERO)
            - 5000 * (k + 1)
            - sum(deductions[: k + 1], ZERO)
            - sum(additional[: k + 1], ZERO),
        )
        due = TABLE.tax(taxable)
        cumulative.append(round_money(due))
        fell_back = fell_back or due < withheld
        withheld += taxes[k]
        assert taxes[k] >= 0
    total = sum(taxes, ZERO)
    if not fell_back:
        assert total == round_money(TABLE.tax(taxable))
    else:
        assert total >= round_money(TABLE.tax(taxable))
    assert total == max(cumulative)  # what was withheld is the highest cumulative tax so far
