"""compute_month: invalid input named per employee, team and public pools, results and totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import xlkpi
from xlkpi import Employee, InputError, Month, MonthInput, compute_month
from xlkpi.errors import InvalidNumberError, MissingValueError, OutOfRangeError
from xlkpi.sample_data import demo_month, synthetic_month


def d(text: str | int) -> Decimal:
    return Decimal(text)


def designer_month(**inputs: object) -> Month:
    emp = Employee("E7", "王伟", "designer", date(2024, 1, 1), base_pay=d(4000))
    return Month("2026-10", [emp], {"E7": MonthInput("E7", **inputs)})  # type: ignore[arg-type]


INVALID = [
    ({"score": d("-0.01")}, OutOfRangeError, "-0.01", "cannot be negative"),
    ({"score": d("120.01")}, OutOfRangeError, "120.01", "between 0 and 120"),
    ({"score": d(85), "sales": d("-0.01")}, OutOfRangeError, "sales", "enter 0 or more"),
    ({"score": "abc"}, InvalidNumberError, "'abc'", "expected"),
    ({"score": d(85), "sales": "abc"}, InvalidNumberError, "sales", "expected"),
    ({"score": d(85), "sales": d("NaN")}, InvalidNumberError, "sales", "number"),
    ({"score": 85.5}, InvalidNumberError, "85.5", "expected a Decimal"),
    ({"score": d(85), "lates": -1}, OutOfRangeError, "late arrivals", "enter 0 or more"),
    ({"score": d(85), "lates": d("1.5")}, InvalidNumberError, "late arrivals", "whole number"),
    ({"score": d(85), "absences": d(-1)}, OutOfRangeError, "absence", "enter 0 or more"),
    ({"score": d(85), "rewards": d(-100)}, OutOfRangeError, "rewards", "enter 0 or more"),
    ({"score": None}, MissingValueError, "score is blank", "enter the month's appraisal score"),
]


@pytest.mark.parametrize(("inputs", "error", "what", "allowed"), INVALID)
def test_invalid_input_says_what_is_wrong_and_what_is_allowed(
    inputs: dict[str, object], error: type[InputError], what: str, allowed: str
) -> None:
    """Whether the record refuses it when built or compute_month when it runs."""
    with pytest.raises(error) as info:
        compute_month(designer_month(**inputs))
    assert isinstance(info.value, InputError)
    assert what in str(info.value)
    assert allowed in str(info.value)


@pytest.mark.parametrize(("inputs", "error", "what", "allowed"), INVALID)
def test_invalid_input_names_the_employee(
    inputs: dict[str, object], error: type[InputError], what: str, allowed: str
) -> None:
    """A payroll of 100 people: the message must say whose row is wrong (at least the id)."""
    with pytest.raises(InputError) as info:
        compute_month(designer_month(**inputs))
    assert "E7" in str(info.value)


def test_missing_inputs_missing_target_unknown_plan() -> None:
    emp = Employee("E1", "李娜", "designer", date(2024, 1, 1))
    with pytest.raises(MissingValueError, match=r"employee E1 \(李娜\) has no inputs for 2026-10"):
        compute_month(Month("2026-10", [emp], {}))
    cs = Employee("C1", "张伟", "cs_000", date(2024, 1, 1), team="A组")
    month = Month("2026-10", [cs], {"C1": MonthInput("C1", score=d(80))})
    with pytest.raises(MissingValueError, match="team 'A组' has customer-service staff but no"):
        compute_month(month)
    odd = Employee("X1", "赵六", "cashier", date(2024, 1, 1))
    with pytest.raises(OutOfRangeError, match=r"employee X1 .*pay plan is 'cashier'; use one of"):
        compute_month(Month("2026-10", [odd], {"X1": MonthInput("X1", score=d(80))}))


def test_team_shares_in_roster_order_across_interleaved_teams() -> None:
    """Pool A 100.00 ÷ 3 → 33.34, 33.33, 33.33 by roster order, even with team B in between."""
    staff = [
        Employee("A1", "甲", "cs_000", date(2024, 1, 1), base_pay=d(3000), team="A", rank="gold"),
        Employee("B1", "乙", "cs_000", date(2024, 1, 1), base_pay=d(3000), team="B", rank="gold"),
        Employee("A2", "丙", "cs_000", date(2024, 1, 1), base_pay=d(3000), team="A", rank="gold"),
        Employee("A3", "丁", "cs_000", date(2024, 1, 1), base_pay=d(3000), team="A", rank="gold"),
    ]
    # team A: 10,000 ÷ 10,000 = 100% → 1.5% → 150.00? no: make it 100.00 with 1% band
    sales = {"A1": d(4000), "A2": d(3000), "A3": d(3000), "B1": d(1000)}
    inputs = {k: MonthInput(k, score=d(80), sales=v) for k, v in sales.items()}
    month = Month("2026-10", staff, inputs, team_targets={"A": d(12500), "B": d(1000)})
    # A: 10,000 ÷ 12,500 = 80% → 1% → 100.00; B: 1,000 ÷ 1,000 = 100% → 1.5% → 15.00
    result = compute_month(month)
    team = {r.employee.id: r.line("team").amount for r in result.results}  # type: ignore[union-attr]
    assert team == {"A1": d("33.34"), "B1": d("15.00"), "A2": d("33.33"), "A3": d("33.33")}


def test_public_pool_counts_cs_2017_staff_only() -> None:
    staff = [
        Employee("T1", "甲", "cs_2017", date(2024, 1, 1), rank="gold"),
        Employee("T2", "乙", "cs_2017", date(2024, 1, 1), rank="gold"),
        Employee("S1", "丙", "cs_003", date(2024, 1, 1), rank="gold"),
    ]
    inputs = {e.id: MonthInput(e.id, score=d(70)) for e in staff}
    result = compute_month(Month("2026-10", staff, inputs, public_sales=d("100001")))
    pool = [r.line("public_pool") for r in result.results]
    assert [line.amount for line in pool if line] == [d("500.01"), d("500.01")]  # 1000.01 ÷ 2
    assert pool[2] is None


def test_month_result_totals_and_alerts() -> None:
    result = compute_month(demo_month())
    assert len(result.results) == 30
    assert {r.employee.plan for r in result.results} == set(xlkpi.policy.PLAN_CODES)
    assert result.total == sum((r.total for r in result.results), d(0))
    assert result.alerts == [a for r in result.results for a in r.alerts]
    for r in result.results:
        assert r.total == sum((line.amount for line in r.lines), d(0))
        assert r.trace.endswith(f"= {r.total:,.2f}")
        assert r.months_of_service >= 0
        assert r.total.as_tuple().exponent == -2


def test_result_carries_score_grade_and_coefficient() -> None:
    result = compute_month(designer_month(score=d(85))).results[0]
    assert (result.score, result.grade, result.coefficient) == (d(85), "good", d("1.2"))
    assert result.line("base").amount == d("4000.00")  # type: ignore[union-attr]
    assert result.line("public_pool") is None


def test_store_manager_without_score_has_no_grade() -> None:
    emp = Employee("M1", "郭鹏", "store_manager", date(2024, 1, 1))
    month = Month("2026-10", [emp], {"M1": MonthInput("M1", task_coefficient=d(1))})
    result = compute_month(month).results[0]
    assert (result.score, result.grade, result.coefficient) == (None, "", None)
    assert result.total == d("1800.00")


def test_computation_is_deterministic_and_uses_the_policy_in_force() -> None:
    month = synthetic_month(200)
    first, second = compute_month(month), compute_month(month)
    assert [r.total for r in first.results] == [r.total for r in second.results]
    assert [r.trace for r in first.results] == [r.trace for r in second.results]
    assert first.policy.changes == []
    assert first.month == "2026-10"


def test_default_policy_is_used_when_none_is_given() -> None:
    month = designer_month(score=d(85))
    assert (
        compute_month(month).results[0].total
        == compute_month(month, xlkpi.default_policy()).results[0].total
    )
