"""Bracket scales: band lookup on both sides of every threshold, marginal rates, validation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from pydantic import ValidationError

from xlkpi import messages
from xlkpi.money import round_money
from xlkpi.policy_io import default_policy
from xlkpi.scales import AmountScale, Bracket, MarginalRateScale, RateBracket


def _amount_scale(pairs: list[tuple[str, str]], **kw: str) -> AmountScale:
    return AmountScale(
        brackets=[Bracket(threshold=Decimal(t), amount=Decimal(a)) for t, a in pairs],
        **kw,  # type: ignore[arg-type]
    )


def _rate_scale(pairs: list[tuple[str, str]], minimum: str = "0") -> MarginalRateScale:
    return MarginalRateScale(
        minimum=Decimal(minimum),
        brackets=[RateBracket(threshold=Decimal(t), rate=Decimal(r)) for t, r in pairs],
    )


LOWER = _amount_scale([("0", "0.5"), ("65", "1.0"), ("80", "1.2")], kind="factor")
UPPER = _amount_scale(
    [("0", "0"), ("0.6", "0.01"), ("0.8", "0.015")], kind="rate", inclusive="upper"
)


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ("-1", "0.5"),  # below 0 falls in the first band
        ("0", "0.5"),
        ("64.99", "0.5"),
        ("65", "1.0"),
        ("65.01", "1.0"),
        ("79.99", "1.0"),
        ("80", "1.2"),
        ("1000", "1.2"),
    ],
)
def test_lower_inclusive_bands(x: str, expected: str) -> None:
    assert LOWER.value(Decimal(x)) == Decimal(expected)


@pytest.mark.parametrize(
    ("x", "expected", "index"),
    [
        ("0", "0", 0),
        ("0.5999", "0", 0),
        ("0.6", "0", 0),  # (a, b]: the upper bound belongs to the lower band
        ("0.6001", "0.01", 1),
        ("0.8", "0.01", 1),
        ("0.8001", "0.015", 2),
        ("5", "0.015", 2),
    ],
)
def test_upper_inclusive_bands(x: str, expected: str, index: int) -> None:
    assert UPPER.value(Decimal(x)) == Decimal(expected)
    assert UPPER.band_index(Decimal(x)) == index


def test_marginal_rate_scale_worked_examples() -> None:
    scale = default_policy().commission["ops_progressive"]
    for sales, bonus in [(25000, 300), (35000, 550), (70000, 2000), (100000, 3900)]:
        assert round_money(scale.compute(Decimal(sales))) == Decimal(bonus)


def test_marginal_rate_scale_cliff_and_unrounded_result() -> None:
    scale = _rate_scale([("0", "0.01"), ("100", "0.02")], minimum="50")
    assert scale.compute(Decimal("49.99")) == 0
    assert scale.compute(Decimal("50")) == Decimal("0.50")
    assert scale.compute(Decimal("100.01")) == Decimal("1.0002")  # unrounded
    assert scale.compute(Decimal("0")) == 0
    assert scale.compute(Decimal("-5")) == 0
    assert not scale.is_flat
    assert scale.flat_rate == Decimal("0.01")


def test_flat_scale() -> None:
    scale = _rate_scale([("0", "0.02")])
    assert scale.is_flat
    assert scale.flat_rate == Decimal("0.02")
    assert scale.compute(Decimal("38000")) == Decimal("760.00")
    assert scale.compute(Decimal("0.25")) == Decimal("0.0050")


def test_scales_are_immutable_values() -> None:
    with pytest.raises(ValidationError):
        LOWER.kind = "amount"  # type: ignore[misc]
    assert _amount_scale([("0", "0.5"), ("65", "1.0"), ("80", "1.2")], kind="factor") == LOWER


def test_model_copy_keeps_lookup_tables_in_step() -> None:
    copy = LOWER.model_copy(update={"inclusive": "upper"})
    assert copy.value(Decimal("65")) == Decimal("0.5")
    assert LOWER.value(Decimal("65")) == Decimal("1.0")


@contextmanager
def in_english() -> Iterator[None]:
    """The run's language set to English (the messages these tests pin), then back to zh."""
    messages.set_lang("en")
    try:
        yield
    finally:
        messages.set_lang("zh")


def test_a_scale_error_reads_in_chinese_in_a_chinese_run() -> None:
    messages.set_lang("zh")
    with pytest.raises(ValidationError) as info:
        _amount_scale([("0", "1"), ("65", "0.5")])
    assert "brackets[1].amount 0.5 低于上一档（brackets[0]）的 1：更高的一档不能发得更少" in str(
        info.value
    )


@pytest.mark.parametrize(
    ("pairs", "kw", "message"),
    [
        ([], {}, "at least one bracket"),
        ([("10", "1")], {}, "brackets[0].threshold is 10; the first band must start at 0"),
        ([("0", "1"), ("80", "2"), ("65", "3")], {}, "brackets[2].threshold 65 is not above"),
        ([("0", "1"), ("65", "2"), ("65", "3")], {}, "brackets[2].threshold 65 is not above"),
        ([("0", "1"), ("65", "-2")], {}, "brackets[1].amount is -2; it cannot be negative"),
        ([("0", "1"), ("65", "0.5")], {}, "brackets[1].amount 0.5 is below brackets[0].amount"),
        ([("0", "0"), ("60", "1.5")], {"kind": "rate"}, "brackets[1].amount is 1.5; a rate"),
    ],
)
def test_amount_scale_validation(
    pairs: list[tuple[str, str]], kw: dict[str, str], message: str
) -> None:
    with in_english(), pytest.raises(ValidationError) as info:
        _amount_scale(pairs, **kw)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("pairs", "minimum", "message"),
    [
        ([("0", "0.01"), ("20000", "1.5")], "0", "brackets[1].rate is 1.5; a rate must lie"),
        ([("0", "-0.01")], "0", "brackets[0].rate is -0.01"),
        ([("0", "0.01")], "-1", "minimum is -1; it cannot be negative"),
        ([("0", "0.01"), ("0", "0.02")], "0", "brackets[1].threshold 0 is not above"),
    ],
)
def test_marginal_scale_validation(
    pairs: list[tuple[str, str]], minimum: str, message: str
) -> None:
    with in_english(), pytest.raises(ValidationError) as info:
        _rate_scale(pairs, minimum)
    assert message in str(info.value)


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Bracket(threshold=Decimal(0), amount=Decimal(1), rate=Decimal(1))  # type: ignore[call-arg]
