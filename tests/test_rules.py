"""Building blocks of rules.md §A: the documents' worked examples and both sides of every band.

Money thresholds are checked at x − 0.01, x and x + 0.01; scores at x − 0.01, x, x + 0.01;
counts at n − 1, n, n + 1. Every expected number is read off rules.md, not off the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from xlkpi import rules
from xlkpi.errors import InputError, InvalidNumberError, MissingValueError, OutOfRangeError
from xlkpi.inputs import Shop
from xlkpi.messages import set_lang
from xlkpi.money import round_money
from xlkpi.policy_io import default_policy


@pytest.fixture
def english() -> Iterator[None]:
    """These tests read the English twin of the engine's messages (tests/test_messages.py
    checks the Chinese ones)."""
    set_lang("en")
    yield
    set_lang("zh")


pytestmark = pytest.mark.usefixtures("english")


def d(text: str | int) -> Decimal:
    return Decimal(text)


# ---------------------------------------------------------------- A1 performance coefficient


@pytest.mark.parametrize(
    ("score", "coefficient"),
    [
        ("0", "0.5"),
        ("64.99", "0.5"),
        ("65", "1.0"),
        ("65.01", "1.0"),
        ("79.99", "1.0"),
        ("80", "1.2"),
        ("80.01", "1.2"),
        ("94.99", "1.2"),
        ("95", "1.5"),
        ("95.01", "1.5"),
        ("120", "1.5"),
    ],
)
def test_perf_coeff_bands(score: str, coefficient: str) -> None:
    assert rules.perf_coeff(d(score)) == d(coefficient)


@pytest.mark.parametrize("score", ["-0.01", "120.01", "-1", 200])
def test_scores_outside_0_to_120_are_refused(score: object) -> None:
    with pytest.raises(OutOfRangeError, match=r"score is .*; a score must lie between 0 and 120"):
        rules.perf_coeff(score)


# ---------------------------------------------------------------- A2 performance bonus


@pytest.mark.parametrize(
    ("score", "ratio"),
    [
        ("0", "0"),
        ("59.99", "0"),
        ("60", "0.4"),
        ("60.01", "0.4"),
        ("69.99", "0.4"),
        ("70", "0.6"),
        ("70.01", "0.6"),
        ("79.99", "0.6"),
        ("80", "1.0"),  # second version: "绩效80分以上=满额"
        ("80.01", "1.0"),
        ("89.99", "1.0"),
        ("90", "1.0"),
        ("90.01", "1.0"),
        ("120", "1.0"),
    ],
)
def test_bonus_ratio_bands(score: str, ratio: str) -> None:
    assert rules.bonus_ratio(d(score)) == d(ratio)


@pytest.mark.parametrize(
    ("base", "score", "bonus"),
    [
        (3000, 85, "600.00"),  # 3000 × 20% × 100% (80 and above: the full pot)
        (3000, 59.99, "0.00"),
        (3000, 60, "240.00"),  # × 40%
        (4200, 90, "840.00"),  # × 100%
        ("3,333.33", 75, "400.00"),  # 3333.33 × 0.2 × 0.6 = 399.9996
        ("1234.57", 70, "148.15"),  # 148.1484
    ],
)
def test_perf_bonus(base: object, score: object, bonus: str) -> None:
    assert rules.perf_bonus(base, score) == d(bonus)


# ---------------------------------------------------------------- A3 full attendance (000)


@pytest.mark.parametrize(
    ("lates", "absences", "bonus"),
    [
        (0, 0, "300.00"),
        (2, 0, "300.00"),
        (3, 0, "0.00"),  # lates + early leaves + leaves reaching 3 cancel
        (4, 0, "0.00"),
        (0, 1, "0.00"),  # any absence cancels
        (2, 2, "0.00"),
    ],
)
def test_attendance_bonus(lates: int, absences: int, bonus: str) -> None:
    assert rules.attendance_bonus(3000, lates, absences) == d(bonus)


def test_attendance_bonus_rounds_to_the_fen() -> None:
    assert rules.attendance_bonus("3333.35", 0, 0) == d("333.34")  # 333.335 half-up


# ---------------------------------------------------------------- A3 strict attendance (001)


@pytest.mark.parametrize(
    ("times", "minutes", "absences", "personal", "sick", "paid"),
    [
        (0, 0, 0, 0, 0, True),
        (1, 0, 0, 0, 0, True),  # ≤ 1 time
        (2, 0, 0, 0, 0, False),
        (1, 9, 0, 0, 0, True),
        (1, "9.99", 0, 0, 0, True),  # < 10 minutes
        (1, 10, 0, 0, 0, False),
        (0, "10.01", 0, 0, 0, False),
        (0, 0, "0.5", 0, 0, False),  # no absence
        (0, 0, 0, "0.5", 0, False),  # no personal leave
        (0, 0, 0, 0, "0.5", False),  # no sick leave
    ],
)
def test_strict_attendance_bonus(
    times: int, minutes: object, absences: object, personal: object, sick: object, paid: bool
) -> None:
    amount = default_policy().strict_attendance.amount
    expected = amount if paid else d(0)
    assert rules.strict_attendance_bonus(times, minutes, absences, personal, sick) == expected


# ---------------------------------------------------------------- A4 progressive sales bonus


@pytest.mark.parametrize(
    ("sales", "bonus"),
    [(25000, 300), (35000, 550), (70000, 2000), (100000, 3900)],
)
def test_progressive_bonus_worked_examples(sales: int, bonus: int) -> None:
    assert rules.commission(sales) == d(bonus)
    assert rules.commission(sales, "ops_progressive") == d(bonus)


@pytest.mark.parametrize(
    ("sales", "bonus"),
    [
        ("0", "0.00"),
        ("9999.99", "0.00"),  # the cliff: nothing below 10,000
        ("10000", "100.00"),  # … then 1% of the whole 10,000
        ("10000.01", "100.00"),
        ("19999.99", "200.00"),
        ("20000", "200.00"),
        ("30000", "400.00"),
        ("50000", "1000.00"),
        ("80000", "2500.00"),
        ("120000", "5300.00"),
        ("150000", "8300.00"),
    ],
)
def test_progressive_bonus_values(sales: str, bonus: str) -> None:
    assert rules.commission(d(sales)) == d(bonus)


@pytest.mark.parametrize(
    ("threshold", "rate_below", "rate_above"),
    [
        ("20000", "0.01", "0.02"),
        ("30000", "0.02", "0.03"),
        ("50000", "0.03", "0.05"),
        ("80000", "0.05", "0.07"),
        ("120000", "0.07", "0.10"),
    ],
)
def test_progressive_bracket_edges_use_the_right_rate(
    threshold: str, rate_below: str, rate_above: str
) -> None:
    """(a, b]: the fen up to b is taxed at the lower rate, the fen after it at the higher."""
    scale = default_policy().commission["ops_progressive"]
    x, fen = d(threshold), d("0.01")
    assert scale.compute(x) - scale.compute(x - fen) == fen * d(rate_below)
    assert scale.compute(x + fen) - scale.compute(x) == fen * d(rate_above)


def test_commission_by_name_object_and_errors() -> None:
    policy = default_policy()
    assert rules.commission(38000, "cs_flat") == d("760.00")
    assert rules.commission("¥38,000", policy.commission["cs_flat"]) == d("760.00")
    assert rules.commission(d("38000.25"), "cs_flat") == d("760.01")  # 760.005 half-up
    with pytest.raises(OutOfRangeError, match="no commission schedule named 'nope'"):
        rules.commission(1000, "nope")
    with pytest.raises(OutOfRangeError, match=r"sales is -0\.01; it cannot be negative"):
        rules.commission(d("-0.01"))
    with pytest.raises(InvalidNumberError):
        rules.commission("lots")
    with pytest.raises(MissingValueError):
        rules.commission(None)


# ---------------------------------------------------------------- A5 public pool


def test_public_pool_share() -> None:
    assert rules.public_pool_share(400000, 4) == d("1000.00")
    assert rules.public_pool_share(400000, 3) == d("1333.33")  # 4000 ÷ 3
    assert rules.public_pool_share(d("100000.50"), 1) == d("1000.01")  # 1000.005
    with pytest.raises(OutOfRangeError, match="needs at least 1"):
        rules.public_pool_share(400000, 0)


# ---------------------------------------------------------------- A6 team commission


@pytest.mark.parametrize(
    ("team_sales", "pool"),
    [
        ("59999.99", "0.00"),
        ("60000", "0.00"),  # ≤ 60% → 0
        ("60000.01", "600.00"),  # 1% × 60,000.01
        ("79999.99", "800.00"),
        ("80000", "800.00"),  # (60%, 80%] → 1%
        ("80000.01", "1200.00"),  # 1.5%
        ("99999.99", "1500.00"),
        ("100000", "1500.00"),  # (80%, 100%] → 1.5%
        ("100000.01", "2000.00"),  # 2%
        ("149999.99", "3000.00"),
        ("150000", "3000.00"),  # (100%, 150%] → 2%
        ("150000.01", "3750.00"),  # 2.5%
        ("200000", "5000.00"),
    ],
)
def test_team_pool_by_completion_upper_inclusive(team_sales: str, pool: str) -> None:
    assert rules.team_pool(d(team_sales), 100000) == d(pool)


@pytest.mark.parametrize(
    ("team_sales", "bonus"),
    [
        ("0", "300.00"),
        ("59999.99", "300.00"),
        ("60000", "300.00"),  # ≤ 60% → 300
        ("60000.01", "400.00"),
        ("80000", "400.00"),  # (60%, 80%] → 400
        ("80000.01", "500.00"),  # > 80% → 500
        ("300000", "500.00"),
    ],
)
def test_group_bonus_by_completion(team_sales: str, bonus: str) -> None:
    ratio = rules.completion(d(team_sales), 100000)
    assert rules.group_bonus(ratio) == d(bonus)


def test_completion() -> None:
    assert rules.completion(120000, 100000) == d("1.2")
    with pytest.raises(OutOfRangeError, match="销售目标为0"):
        rules.completion(1, 0)


def test_team_commission_splits_in_fen_in_roster_order() -> None:
    assert rules.team_commission(120000, 100000, 3) == [d("800.00")] * 3
    # 105,000.50 × 2% = 2,100.01: the leftover fen goes to the first member
    shares = rules.team_commission(d("105000.50"), 100000, 3)
    assert shares == [d("700.01"), d("700.00"), d("700.00")]
    assert sum(shares) == d("2100.01")
    assert rules.split_evenly(d("100.00"), 3) == [d("33.34"), d("33.33"), d("33.33")]
    assert rules.split_evenly(d("0.02"), 3) == [d("0.01"), d("0.01"), d("0.00")]
    with pytest.raises(OutOfRangeError):
        rules.split_evenly(d(1), 0)


@pytest.mark.parametrize(
    ("level", "share"), [("assistant", "1.0"), ("deputy", "0.9"), ("staff", "0.8")]
)
def test_level_share(level: str, share: str) -> None:
    assert rules.level_share(level) == d(share)


def test_level_share_unknown() -> None:
    with pytest.raises(OutOfRangeError, match="级别 is 'boss'"):
        rules.level_share("boss")


@pytest.mark.parametrize(
    ("grade", "bonus"), [("fail", 0), ("pass", 300), ("good", 400), ("excellent", 500)]
)
def test_grade_bonus(grade: str, bonus: int) -> None:
    assert rules.grade_bonus(grade) == d(bonus)


def test_grade_bonus_unknown() -> None:
    with pytest.raises(OutOfRangeError, match="绩效评级 is 'great'"):
        rules.grade_bonus("great")


# ---------------------------------------------------------------- A7, A8


def test_review_pay() -> None:
    assert rules.review_pay(3, 1) == d("50.00")  # 3 × 10 + 1 × 20
    assert rules.review_pay(0, 0) == d("0.00")
    with pytest.raises(OutOfRangeError, match="negative reviews changed is -1"):
        rules.review_pay(0, -1)
    with pytest.raises(InvalidNumberError, match="must be a whole number"):
        rules.review_pay("2.5", 0)


def test_weighted_score() -> None:
    assert rules.weighted_score(80, 100) == d("85")  # 0.75 × 80 + 0.25 × 100
    assert rules.weighted_score(90, 70) == d("85")
    assert rules.weighted_score(120, 120) == d("120")
    with pytest.raises(OutOfRangeError, match="self-assessment score is 121"):
        rules.weighted_score(80, 121)


def test_scorecard_total_caps_each_item() -> None:
    assert rules.scorecard_total([10, 45, 20], [d(10), d(40), d(20)]) == d(70)
    assert rules.scorecard_total(["9.5", 0], [d(10), d(5)]) == d("9.5")
    with pytest.raises(ValueError):
        rules.scorecard_total([1, 2], [d(10)])
    with pytest.raises(OutOfRangeError, match="item 2 points"):
        rules.scorecard_total([1, -2], [d(10), d(10)])


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("0", "fail"),
        ("59.99", "fail"),
        ("60", "pass"),
        ("79.99", "pass"),
        ("80", "good"),
        ("89.99", "good"),
        ("90", "excellent"),
        ("120", "excellent"),
    ],
)
def test_grade(score: str, grade: str) -> None:
    assert rules.grade(d(score)) == grade


# ---------------------------------------------------------------- A9 service and allowances


@pytest.mark.parametrize(
    ("hired", "month", "months"),
    [
        (date(2026, 1, 1), "2026-01", 1),
        (date(2026, 1, 15), "2026-01", 0),
        (date(2026, 1, 15), "2026-02", 1),
        (date(2025, 1, 2), "2025-12", 11),
        (date(2025, 1, 1), "2025-12", 12),
        (date(2026, 11, 1), "2026-10", 0),  # hired after the month: never negative
    ],
)
def test_months_of_service(hired: date, month: str, months: int) -> None:
    assert rules.months_of_service(hired, month) == months


def test_years_and_seniority_pay() -> None:
    assert rules.years_of_service(date(2022, 10, 1), "2026-10") == 4  # 49 months
    assert rules.years_of_service(date(2022, 10, 2), "2026-09") == 3  # 47 months
    assert rules.seniority_pay(date(2020, 10, 1), "2026-10", d(200)) == d("1200.00")
    assert rules.seniority_pay(date(2026, 3, 1), "2026-10", d(50)) == d("0.00")


@pytest.mark.parametrize(
    ("months", "coefficients", "bonus"),
    [
        (0, ["1.2"], "0.00"),
        (5, ["1.2"], "0.00"),
        ("5.99", ["1.2"], "0.00"),
        (6, ["1.2"], "4800.00"),  # 4,000 × 1.2
        (11, ["1.2"], "4800.00"),
        (12, ["1.2"], "12000.00"),  # 10,000 × 1.2
        (12, ["0.5"], "5000.00"),
        (13, ["1.5"], "15000.00"),
        # the average of the monthly coefficients, not the coefficient of one score (A9):
        # (1.2 + 1.0 + 1.5) ÷ 3 = 1.2333… × 10,000 = 12,333.33
        (12, ["1.2", "1.0", "1.5"], "12333.33"),
        # twelve months: 6 × 1.2 + 6 × 0.5 = 10.2 ÷ 12 = 0.85 × 10,000 = 8,500.00
        (12, ["1.2"] * 6 + ["0.5"] * 6, "8500.00"),
    ],
)
def test_year_end_bonus_by_service(months: object, coefficients: list[str], bonus: str) -> None:
    assert rules.year_end_bonus(months, [d(c) for c in coefficients]) == d(bonus)


def test_year_end_bonus_is_for_regular_staff_only() -> None:
    assert rules.year_end_bonus(12, [d("1.2")], trial=True) == d("0.00")
    assert rules.year_end_bonus(12, d("1.2")) == d("12000.00")  # one annual coefficient
    with pytest.raises(MissingValueError):
        rules.year_end_bonus(12, [])


@pytest.mark.parametrize(
    ("hours", "pay"),
    [
        ("0", "0.00"),
        ("3.99", "0.00"),  # below 4 hours nothing
        ("4", "40.00"),  # from 4 hours every hour at 80 ÷ 8 = 10
        ("4.01", "40.10"),
        ("12.5", "125.00"),
        ("16", "160.00"),
    ],
)
def test_overtime_from_4_hours(hours: str, pay: str) -> None:
    assert rules.overtime_pay(d(hours)) == d(pay)


@pytest.mark.parametrize(
    ("personal", "sick", "absences", "cancelled"),
    [
        ("0", "0", "0", False),
        ("3", "0", "0", False),
        ("3.5", "0", "0", True),  # personal leave > 3 days
        ("4", "0", "0", True),
        ("0", "5", "0", False),
        ("0", "5.5", "0", True),  # sick leave > 5 days
        ("0", "6", "0", True),
        ("0", "0", "1", True),  # 旷工1天取消当月考核奖金
        ("0", "0", "0.99", False),  # below one day it does not cancel (second version)
        ("0", "0", "0.5", False),  # half a day does not cancel (rules.md A3, A9)
    ],
)
def test_warehouse_appraisal_cancellation(
    personal: str, sick: str, absences: str, cancelled: bool
) -> None:
    assert (
        rules.warehouse_appraisal_cancelled(d(personal), d(sick), d(absences), default_policy())
        is cancelled
    )


# ---------------------------------------------------------------- A10 deductions


@pytest.mark.parametrize(
    ("complaints", "fine"), [(0, "0.00"), (1, "50.00"), (2, "150.00"), (3, "150.00"), (5, "150.00")]
)
def test_complaint_fines(complaints: int, fine: str) -> None:
    """First 50, the second doubles (100 more); the third means dismissal, not a bigger fine."""
    assert rules.complaint_fine(complaints) == d(fine)


@pytest.mark.parametrize(
    ("lates", "leaves", "absences", "points"),
    [
        (0, 0, 0, "10"),
        (1, 0, 0, "8"),
        (2, 1, 0, "5"),
        (5, 0, 0, "0"),
        (6, 3, 0, "0"),  # never below 0
        (0, 0, 1, "0"),  # Reading: an absence zeroes the item
    ],
)
def test_cs_attendance_item(lates: int, leaves: int, absences: int, points: str) -> None:
    assert rules.cs_attendance_item(lates, leaves, absences) == d(points)


@pytest.mark.parametrize(
    ("meetings", "lates", "absences", "dress", "hygiene", "points"),
    [
        (0, 2, 0, 0, 0, 0),
        (0, 3, 0, 0, 0, 1),  # every 3 lates/early leaves −1
        (0, 5, 0, 0, 0, 1),
        (0, 6, 0, 0, 0, 2),
        (1, 0, 1, 1, 1, 5),  # 1 + 1 + 1 + 2
    ],
)
def test_discipline_deduction(
    meetings: int, lates: int, absences: int, dress: int, hygiene: int, points: int
) -> None:
    assert rules.discipline_deduction(meetings, lates, absences, dress, hygiene) == d(points)


def test_task_coefficient() -> None:
    assert rules.task_coefficient(d(250000), d(200000), d("1.5")) == d("1.25")
    assert rules.task_coefficient(d(400000), d(200000), d("1.5")) == d("1.5")
    assert rules.task_coefficient(d(-5), d(200000), d("1.5")) == 0
    with pytest.raises(OutOfRangeError, match="个人目标为0"):
        rules.task_coefficient(d(1), d(0), d("1.5"))


# ---------------------------------------------------------------- inputs and the public contract


@pytest.mark.parametrize("count", ["-1", "2.5", True])
def test_counts_must_be_whole_and_not_negative(count: object) -> None:
    with pytest.raises(InputError):
        rules.attendance_bonus(3000, count, 0)


def test_counts_accept_whole_decimals_and_text() -> None:
    assert rules.attendance_bonus(3000, "3.0", 0) == d("0.00")
    assert rules.attendance_bonus("3,000", d("2.0"), "0") == d("300.00")


def test_contract_functions_take_excel_values_and_use_the_default_policy() -> None:
    import xlkpi

    assert xlkpi.commission(25000.0) == d("300.00")
    assert xlkpi.commission("¥35,000") == d("550.00")
    assert xlkpi.perf_coeff(85.0) == d("1.2")
    assert xlkpi.perf_coeff("65") == d("1.0")
    assert xlkpi.attendance_bonus(3000.0, 2.0, 0.0) == d("300.00")
    assert xlkpi.perf_bonus(3000, "85") == d("600.00")
    assert xlkpi.team_commission(120000.0, 100000.0, 3.0) == [d("800.00")] * 3
    assert xlkpi.bonus_ratio(85) == d("1.0")
    assert xlkpi.commission(22000, schedule="cs_2017") == d("860.00")
    assert xlkpi.review_pay(3, 1) == d("50.00")
    assert xlkpi.group_bonus("85%") == d("500.00")
    assert xlkpi.grade(75) == "pass"
    for value in (xlkpi.commission(25000), xlkpi.perf_bonus(3000, 85)):
        assert value.as_tuple().exponent == -2  # money comes back in fen


def test_contract_functions_honour_an_explicit_policy() -> None:
    import xlkpi

    data = default_policy().model_dump(mode="python")
    data["perf_coeff"]["brackets"][2]["amount"] = d("1.3")
    data["commission"]["ops_progressive"]["minimum"] = d(0)
    data["attendance"]["bonus_rate"] = d("0.05")
    data["perf_bonus"]["pot_rate"] = d("0.3")
    data["team"]["pool_rate"]["brackets"][3]["amount"] = d("0.025")
    policy = xlkpi.Policy.model_validate(data)
    assert xlkpi.perf_coeff(85, policy) == d("1.3")
    assert xlkpi.commission("9999.99", policy=policy) == d("100.00")
    assert xlkpi.attendance_bonus(3000, 0, 0, policy) == d("150.00")
    assert xlkpi.perf_bonus(3000, 85, policy) == d("900.00")
    assert xlkpi.team_commission(120000, 100000, 3, policy) == [d("1000.00")] * 3


def test_task_coefficient_multiplies_unrounded() -> None:
    # rules.md §B (second version): one rounding, on the line: 1,800 × 1.23456 = 2,222.208
    # → 2,222.21 (rounding the coefficient first to 1.2346 gave 2,222.28)
    coeff = rules.task_coefficient(d(246912), d(200000), d("1.5"))
    assert coeff == d("1.23456")
    assert round_money(d(1800) * coeff) == d("2222.21")


@pytest.mark.parametrize(
    ("sales", "commission"),
    [
        ("20000", "750.00"),  # 3.75% × 20,000: the rate that makes the surviving row hold
        ("22000", "860.00"),  # 750 + 2,000 × 5.5% (001 第9条: 超出20000元部分×5.5%+750)
        ("25000", "1025.00"),  # 750 + 5,000 × 5.5%
        ("30000", "1225.00"),  # 1,025 + 5,000 × 4% (25000以上4%)
        ("10000", "375.00"),
    ],
)
def test_cs_2017_commission_follows_the_surviving_row(sales: str, commission: str) -> None:
    assert rules.commission(sales, "cs_2017") == d(commission)


def test_scorecard_score_divides_by_the_cards_full_points() -> None:
    # the warehouse card's surviving items total 85: full marks are a score of 100 (A8)
    card = default_policy().scorecards["warehouse"]
    assert card.total == 85
    assert rules.scorecard_score(85, card.total, 100) == d(100)
    assert rules.scorecard_score("42.5", card.total, 100) == d(50)
    assert rules.scorecard_score(95, card.total, 100) == d(100)  # over-achievement up to the max
    assert rules.scorecard_score(80, 100, 100) == d(80)  # a 100-point card is unchanged
    with pytest.raises(OutOfRangeError):
        rules.scorecard_score(10, 0, 100)


def test_shops_pool_uses_the_shops_total_not_named_staffs_sales() -> None:
    shops = [
        Shop("天猫店", d("130000.67"), d(8000), d(2000), d(100000), "一组"),
        Shop("京东店", d(52000), d(1500), d(500), d(100000), "二组"),
    ]
    assert rules.shops_sales(shops) == d("170000.67")
    assert rules.shops_completion(shops) == d("0.85000335")
    assert rules.department_pool(shops) == d("2550.01")  # 1.5% band
    assert rules.shops_completion(rules.group_shops(shops, "二组")) == d("0.5")
    with pytest.raises(MissingValueError, match="没有负责的店铺"):
        rules.group_shops(shops, "三组")
    with pytest.raises(MissingValueError, match="没有本月销售目标"):
        rules.shops_target([Shop("无目标店", d(100))])


def test_logistics_weights_and_work_award() -> None:
    assert rules.logistics_score(90, 80) == d("86.0")  # 60% × 90 + 40% × 80
    assert rules.quantitative_qualitative(90, 80) == d("87.0")  # 7 : 3
    assert [rules.work_award(t) for t in ("tier1", "tier2", "tier3")] == [
        d("300.00"),
        d("400.00"),
        d("500.00"),
    ]
    with pytest.raises(OutOfRangeError):
        rules.work_award("tier4")


def test_score_maximum_is_per_plan() -> None:
    p = default_policy()
    assert rules.score_arg(120, p, plan="cs_003") == d(120)
    assert rules.score_arg(120, p, plan="store_manager") == d(120)
    for plan in ("warehouse", "ops_specialist", "designer", "cs_2017"):
        with pytest.raises(OutOfRangeError, match="between 0 and 100"):
            rules.score_arg("100.01", p, plan=plan)
