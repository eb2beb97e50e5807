"""Social insurance and housing fund: clamping, rounding once per share, employer cost."""

from __future__ import annotations

from decimal import Decimal

from xlkpi.policy_io import default_policy
from xlkpi.tax.contributions import (
    clamp,
    contributions,
    employer_contributions,
    individual_shares,
    stale_table_message,
)

D = Decimal
CITY = default_policy().tax.contributions.current


def test_clamp_keeps_zero_as_not_enrolled() -> None:
    assert clamp(D(0), D(4500), D(25000)) == 0
    assert clamp(D(100), D(4500), D(25000)) == 4500
    assert clamp(D(99999), D(4500), D(25000)) == 25000


def test_keys_and_half_up_tie() -> None:
    shares = contributions("5,001")
    assert list(shares) == ["pension", "medical", "unemployment", "housing_fund"]
    assert shares["unemployment"] == D("25.01")  # 25.005, half-up


def test_not_enrolled_pays_nothing() -> None:
    assert set(contributions(0).values()) == {D("0.00")}


def test_shares_carry_the_clamped_base_for_the_pay_line() -> None:
    pension = individual_shares(D(40000), CITY)[0]
    assert (pension.base, pension.rate, pension.amount) == (25000, D("0.08"), D("2000.00"))
    housing = individual_shares(D(40000), CITY)[3]
    assert housing.base == 30000


def test_employer_shares_are_computed_too() -> None:
    shares = employer_contributions(10000)
    assert shares == {
        "pension": D("1600.00"),
        "medical": D("900.00"),
        "unemployment": D("50.00"),
        "injury": D("20.00"),
        "housing_fund": D("700.00"),
    }


def test_stale_table_warns_in_chinese() -> None:
    assert stale_table_message("2026-12") is None
    message = stale_table_message("2027-01")
    assert message is not None and "2026年" in message and "2027年" in message
    assert "核对" in message
