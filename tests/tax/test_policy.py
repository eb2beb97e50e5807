"""The tax policy section: validation naming the key path, flat rows, dated values, the sheet."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from workbook_templates.policy_sheet import read_policy_sheet, write_policy_sheet
from xlkpi.errors import PolicyError
from xlkpi.policy import Change, validate_policy
from xlkpi.policy_io import (
    default_policy,
    flatten,
    policy_from_rows,
    policy_to_rows,
    unflatten,
)


def _with(path: str, value: Any) -> dict[str, Any]:
    pairs = dict(flatten(default_policy().model_dump(mode="python", exclude={"changes"})))
    assert path in pairs, path
    pairs[path] = value
    return unflatten(list(pairs.items()))


def test_defaults_are_the_issue_tables() -> None:
    tax = default_policy().tax
    annual = [(b.threshold, b.rate, b.quick_deduction) for b in tax.annual_table.bands]
    assert annual[1] == (36000, Decimal("0.10"), 2520)
    assert annual[-1] == (960000, Decimal("0.45"), 181920)
    monthly = [(b.threshold, b.quick_deduction) for b in tax.bonus.monthly_table.bands]
    assert monthly[-1] == (80000, 15160)
    assert tax.basic_deduction == 5000
    assert tax.bonus.separate_until == "2027-12"
    assert tax.caps.housing_rent == [800, 1100, 1500]


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        ("tax.annual_table.bands[2].quick_deduction", 16000, "tax.annual_table.bands[2]"),
        ("tax.annual_table.bands[1].threshold", 0, "tax.annual_table.bands[1]"),
        ("tax.bonus.monthly_table.bands[3].rate", Decimal("1.5"), "tax.bonus.monthly_table"),
        ("tax.contributions.city", "nowhere", "tax.contributions.city"),
        ("tax.contributions.cities.example.housing_fund", Decimal("0.15"), "housing_fund"),
        ("tax.contributions.cities.example.social_floor", 90000, "social_floor"),
        ("tax.contributions.cities.example.pension", Decimal("-0.01"), "pension"),
        ("tax.bonus.separate_until", "2027-13", "tax.bonus.separate_until"),
    ],
)
def test_validation_names_the_key_path(path: str, value: Any, where: str) -> None:
    with pytest.raises(PolicyError) as info:
        validate_policy(_with(path, value))
    assert where in str(info.value)


def test_flat_rows_round_trip_with_labels_and_example_notes() -> None:
    policy = default_policy()
    rows = policy_to_rows(policy)
    assert policy_from_rows(rows) == policy
    by_path = {r.path: r for r in rows}
    floor = by_path["tax.contributions.cities.example.social_floor"]
    assert floor.label == "社保缴费基数下限"
    assert "示例值" in floor.note
    assert by_path["tax.contributions.cities.example.last_checked"].value == ""
    assert by_path["tax.annual_table.bands[1].quick_deduction"].label == "速算扣除数"


def test_dated_values_apply_from_their_month() -> None:
    changes = [
        Change(effective_from="2027-01", path="tax.basic_deduction", value=6000),
        Change(effective_from="2028-01", path="tax.bonus.separate_until", value="2030-12"),
    ]
    policy = default_policy().model_copy(update={"changes": changes})
    again = policy_from_rows(policy_to_rows(policy))
    assert again == policy
    assert again.at("2026-12").tax.basic_deduction == 5000
    assert again.at("2027-01").tax.basic_deduction == 6000
    assert again.at("2028-03").tax.bonus.separate_until == "2030-12"


def test_a_dated_value_that_breaks_the_table_is_refused() -> None:
    rows = policy_to_rows(default_policy())
    bad = Change(effective_from="2027-01", path="tax.annual_table.bands[1].rate", value="0.2")
    policy = default_policy().model_copy(update={"changes": [bad]})
    with pytest.raises(PolicyError):
        policy_from_rows(policy_to_rows(policy))
    assert policy_from_rows(rows) == default_policy()


def test_policy_sheet_round_trip_keeps_the_tax_section() -> None:
    wb = Workbook()
    ws = wb.active
    write_policy_sheet(ws, default_policy())
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert any(r[1] and "个税与社保公积金" in str(r[1]) for r in rows)
    back = read_policy_sheet(rows)
    assert back.tax == default_policy().tax
    # HR fills the blank 最后核对日期 and edits a floor: both are read back.
    for r in rows:
        if r[0] == "tax.contributions.cities.example.last_checked":
            r[2] = "2026-11-30"
        if r[0] == "tax.contributions.cities.example.social_floor":
            r[2] = 4600
    edited = read_policy_sheet(rows).tax.contributions.cities["example"]
    assert (edited.last_checked, edited.social_floor) == ("2026-11-30", 4600)
