"""Building blocks of rules.md §A: the documents' worked examples and both sides of every band.

Money thresholds are checked at x − 0.01, x and x + 0.01; scores at x − 0.01, x, x + 0.01;
counts at n − 1, n, n + 1. Every expected number is read off rules.md, not off the engine.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xlkpi import rules
from xlkpi.errors import InputError, InvalidNumberError, MissingValueError, OutOfRangeError
from xlkpi.policy_io import default_policy


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
        ("80", "0.8"),
        ("80.01", "0.8"),
        ("89.99", "0.8"),
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
        (3000, 85, "480.00"),  # 3000 × 20% × 80%
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
    with pytest.raises(OutOfRangeError, match="team target is 0"):
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
    with pytest.raises(OutOfRangeError, match="level is 'boss'"):
        rules.level_share("boss")


@pytest.mark.parametrize(
    ("grade", "bonus"), [("fail", 0), ("pass", 300), ("good", 400), ("excellent", 500)]
)
def test_grade_bonus(grade: str, bonus: int) -> None:
    assert rules.grade_bonus(grade) == d(bonus)


def test_grade_bonus_unknown() -> None:
    with pytest.raises(OutOfRangeError, match="grade is 'great'"):
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
    ("months", "score", "bonus"),
    [
        (0, 80, "0.00"),
        (5, 80, "0.00"),
        ("5.99", 80, "0.00"),
        (6, 80, "4800.00"),  # 4,000 × 1.2
        (11, 80, "4800.00"),
        (12, 80, "12000.00"),  # 10,000 × 1.2
        (12, 64, "5000.00"),  # × 0.5
        (13, 95, "15000.00"),  # × 1.5
        (6, 70, "4000.00"),  # × 1.0
    ],
)
def test_year_end_bonus_by_service(months: object, score: int, bonus: str) -> None:
    assert rules.year_end_bonus(months, score) == d(bonus)


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
        ("0", "0", "1", True),  # any unexcused absence
        ("0", "0", "0.5", True),  # half a day of absence is an absence too (rules.md A9)
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
    assert rules.task_coefficient(d(250000), d(200000), d("1.5"), 4) == d("1.25")
    assert rules.task_coefficient(d(400000), d(200000), d("1.5"), 4) == d("1.5")
    assert rules.task_coefficient(d(-5), d(200000), d("1.5"), 4) == 0
    with pytest.raises(OutOfRangeError, match="personal target is 0"):
        rules.task_coefficient(d(1), d(0), d("1.5"), 4)


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
    assert xlkpi.perf_bonus(3000, "85") == d("480.00")
    assert xlkpi.team_commission(120000.0, 100000.0, 3.0) == [d("800.00")] * 3
    assert xlkpi.bonus_ratio(85) == d("0.8")
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
    assert xlkpi.perf_bonus(3000, 85, policy) == d("720.00")
    assert xlkpi.team_commission(120000, 100000, 3, policy) == [d("1000.00")] * 3


def test_task_coefficient_is_rounded_so_the_trace_reproduces_the_amount() -> None:
    # 250,001 ÷ 200,000 = 1.250005 → 1.2500 at 4 places (policy plans.store_manager)
    assert rules.task_coefficient(d(250001), d(200000), d("1.5"), 4) == d("1.2500")
    assert rules.task_coefficient(d(250010), d(200000), d("1.5"), 4) == d("1.2501")
