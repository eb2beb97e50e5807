"""The year-to-date ledger from 历史: same tax year only, months employed from the hire month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from xlkpi.inputs import HistoryRecord
from xlkpi.money import ONE
from xlkpi.tax.ledger import months_before, year_records, year_to_date

D = Decimal


def record(month: str, emp: str = "E1", gross: int = 10000, tax: str = "150") -> HistoryRecord:
    return HistoryRecord(
        month=month,
        employee_id=emp,
        score=None,
        grade="",
        coefficient=ONE,
        total=D(gross),
        rank="",
        gross=D(gross),
        social_insurance=D(1000),
        additional_deductions=D(2000),
        other_deductions=D(10),
        tax_withheld=D(tax),
    )


def test_months_before() -> None:
    assert months_before(date(2020, 1, 1), "2026-01") == 0
    assert months_before(date(2020, 1, 1), "2026-12") == 11
    assert months_before(date(2026, 7, 31), "2026-07") == 0
    assert months_before(date(2026, 7, 1), "2026-12") == 5
    assert months_before(date(2027, 2, 1), "2026-12") == 0


def test_january_resets_the_year() -> None:
    history = [record("2025-11"), record("2025-12")]
    ytd = year_to_date(year_records(history, "2026-01").get("E1", []), date(2020, 1, 1), "2026-01")
    assert (ytd.months, ytd.income, ytd.withheld) == (0, 0, 0)


def test_sums_the_earlier_months_of_the_year_once_each() -> None:
    history = [
        record("2025-12"),
        record("2026-01"),
        record("2026-02", tax="100"),
        record("2026-02", tax="150"),  # a later record for the month wins
        record("2026-03"),  # this month and later are not 'before'
        record("2026-02", emp="E2", gross=99999),
    ]
    by_emp = year_records(history, "2026-03")
    ytd = year_to_date(by_emp["E1"], date(2018, 5, 2), "2026-03")
    assert ytd.months == 2
    assert (ytd.income, ytd.deductions, ytd.additional, ytd.other) == (20000, 2000, 4000, 20)
    assert ytd.withheld == 300
    assert year_to_date(by_emp["E2"], date(2018, 5, 2), "2026-03").income == 99999
