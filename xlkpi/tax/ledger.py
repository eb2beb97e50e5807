"""The year-to-date tax ledger: an employee's months of this tax year, summed from 历史.

Each :class:`~xlkpi.inputs.HistoryRecord` holds one closed month's figures (income that
entered the cumulative withholding, social insurance and housing fund, special additional
deductions, other deductions, tax withheld); the year to date is their sum over the earlier
months of the same calendar year, so January starts from nothing. Months employed count
from January, or from the hire month for someone hired this year (never from before the
first month 历史 holds for the employee this year).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from xlkpi.inputs import HistoryRecord
from xlkpi.money import ZERO
from xlkpi.tax.withholding import YearToDate


def months_before(hire_date: date, month: str) -> int:
    """Months employed this tax year before ``month``: a July hire has 0 in July, 1 in August.

    >>> months_before(date(2020, 3, 9), "2026-05"), months_before(date(2026, 7, 20), "2026-09")
    (4, 2)
    """
    year, mon = int(month[:4]), int(month[5:7])
    if hire_date.year > year:
        return 0
    start = hire_date.month if hire_date.year == year else 1
    return max(0, mon - start)


def year_records(records: Iterable[HistoryRecord], month: str) -> dict[str, list[HistoryRecord]]:
    """History of ``month``'s tax year before it, by employee id (one record per month; a
    later record for the same month wins; months closed before 历史 kept the ledger left out)."""
    year = month[:4]
    by_employee: dict[str, dict[str, HistoryRecord]] = {}
    for record in records:
        if record.month[:4] == year and record.month < month and record.in_ledger:
            by_employee.setdefault(record.employee_id, {})[record.month] = record
    return {emp: list(months.values()) for emp, months in by_employee.items()}


def year_to_date(records: Iterable[HistoryRecord], hire_date: date, month: str) -> YearToDate:
    """One employee's tax year before ``month`` from their records of :func:`year_records`.

    Months employed count from January or the hire month, but never from before the first
    month 历史 records for the employee this year: a workbook taken into use mid-year starts
    its ledger then (the earlier months' figures are not in it, so neither are their basic
    deductions). With a complete 历史 this is exactly the count from the hire date.
    """
    records = list(records)
    months = months_before(hire_date, month)
    if records:
        first = min(r.month for r in records)
        months = min(months, int(month[5:7]) - int(first[5:7]))
    else:
        months = 0
    income = deductions = additional = other = withheld = ZERO
    for record in records:
        income += record.gross
        deductions += record.social_insurance
        additional += record.additional_deductions
        other += record.other_deductions
        withheld += record.tax_withheld
    return YearToDate(
        months=months,
        income=income,
        deductions=deductions,
        additional=additional,
        other=other,
        withheld=withheld,
    )
