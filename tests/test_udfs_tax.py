"""The tax UDFs agree with the engine functions and turn bad input into readable cell errors."""

from __future__ import annotations

from decimal import Decimal

from udfs.tax import BONUS_TAX, CONTRIBUTION, WITHHOLDING, WITHHOLDING_SCHEDULE
from xlkpi import contributions, withholding_schedule

D = Decimal


def test_withholding_from_cumulative_columns() -> None:
    assert WITHHOLDING(60000, 2, 0, 0, 750) == 1730.0
    column = WITHHOLDING([[30000], [60000]], [[1], [2]], 0, 0, [[0], [750]])
    assert column == [[750.0], [1730.0]]
    assert WITHHOLDING(None, 1, 0, 0, 0) is None
    assert str(WITHHOLDING(1000, 13, 0, 0, 0)).startswith("#输入错误")


def test_schedule_column_matches_the_public_function() -> None:
    incomes = [[25000]] * 4
    got = WITHHOLDING_SCHEDULE(incomes, [[2500]] * 4, [[2000]] * 4)
    want = withholding_schedule([25000] * 4, [2500] * 4, [2000] * 4)
    assert got == [[float(v)] for v in want]


def test_bonus_tax_and_contribution() -> None:
    assert BONUS_TAX([[36000], [36001]]) == [[1080.0], [3390.1]]
    assert CONTRIBUTION(5001, "失业") == float(contributions(5001)["unemployment"])
    assert CONTRIBUTION([[3000], [40000]], "公积金") == [[210.0], [2100.0]]
    assert str(CONTRIBUTION(5000, "工伤")).startswith("#输入错误")
