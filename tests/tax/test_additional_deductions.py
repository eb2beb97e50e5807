"""专项附加扣除: the monthly total and the checks against the caps."""

from __future__ import annotations

from decimal import Decimal

from xlkpi.inputs import TaxInput
from xlkpi.tax.additional_deductions import ITEMS, additional_total, deduction_problems

D = Decimal


def test_total_sums_the_seven_items_only() -> None:
    entry = TaxInput(
        "E1",
        children_education=D(2000),
        housing_rent=D(1500),
        elderly_support=D(1500),
        other_deductions=D(300),
        year_end_bonus=D(9),
    )
    assert additional_total(entry) == 5000
    assert additional_total(None) == 0
    assert len(ITEMS) == 7


def test_amounts_within_the_caps_are_fine() -> None:
    entry = TaxInput(
        "E1",
        children_education=D(3000),
        infant_care=D(2000),
        elderly_support=D(3000),
        continuing_education=D(3600),
        housing_rent=D(1500),
        serious_illness=D(80000),
    )
    assert deduction_problems(entry) == []


def test_each_cap_is_an_input_problem_at_its_field() -> None:
    entry = TaxInput(
        "E1",
        children_education=D(2500),
        elderly_support=D(3500),
        housing_loan_interest=D(1200),
        housing_rent=D(1600),
        continuing_education=D(4000),
        serious_illness=D(80001),
    )
    problems = dict(deduction_problems(entry))
    assert set(problems) == {
        "children_education",
        "elderly_support",
        "housing_loan_interest",
        "housing_rent",
        "continuing_education",
        "serious_illness",
    }
    assert "超过上限3,000.00元" in problems["elderly_support"]
    assert "1,000.00元的整数倍" in problems["children_education"]


def test_loan_interest_and_rent_exclude_each_other_and_english_is_available() -> None:
    entry = TaxInput("E1", housing_loan_interest=D(1000), housing_rent=D(800))
    assert deduction_problems(entry) == [
        ("housing_rent", "住房贷款利息和住房租金不能同时扣除，请只填写其中一项。")
    ]
    assert "cannot both" in deduction_problems(entry, lang="en")[0][1]
