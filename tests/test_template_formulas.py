"""The demo workbook's Payroll formulas, evaluated with `formulas`, equal the engine to the fen.

The table's array formula (``PAY_TABLE`` over the input blocks) is evaluated as Excel would: one
call filling its block; the native per-row formulas around it (the tail lines, the totals, the
合计 row) read the block's cells."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import formulas
import numpy as np
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

import udfs
from workbook_templates import build_workbook
from xlkpi import layout
from xlkpi.engine import MonthResult, compute_month
from xlkpi.layout import GRADE_LABELS
from xlkpi.paylines import LINE_CODES
from xlkpi.sample_data import demo_month

FEN = Decimal("0.01")


def plain(value: Any) -> Any:
    """A `formulas` argument as xlwings would hand it over (None for blank, '#N/A' for errors)."""
    if hasattr(value, "value") and not isinstance(value, (str, float, int)):
        value = value.value
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list):
        return [plain(v) for v in value]
    kind = type(value).__name__
    if value is None or kind == "Token":  # schedula's `empty`
        return None
    if kind == "XlError":
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def as_udf(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register a UDF: plain arguments in; None out as "" (what xlwings writes for None)."""

    def call(*args: Any) -> Any:
        out = fn(*(plain(a) for a in args))
        if out is None:
            return ""
        if isinstance(out, list):
            return np.asarray(out, dtype=object)
        return out

    return call


def excel_round(number: Any, digits: Any = 0) -> float:
    """Excel's ROUND: half away from zero on the decimal shown (repr), not on the binary float."""
    x, d = plain(number), int(plain(digits) or 0)
    while isinstance(x, list):
        x = x[0]
    q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)
    return float(q)


def evaluate(path: Path) -> dict[str, Any]:
    """Every Payroll cell's computed value (A1 address → scalar)."""
    functions = formulas.get_functions()
    for name in udfs.__all__:
        functions[name] = as_udf(getattr(udfs, name))
    functions["ROUND"] = excel_round
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    values: dict[str, Any] = {}
    marker = f"{layout.PAYROLL.name}'!".upper()
    for key, value in solution.items():
        upper = key.upper()
        if marker not in upper:
            continue
        cell = key.split("!")[1]
        if ":" in cell:  # the table's array formula: its block, one value per cell
            c1, r1, _c2, _r2 = range_boundaries(cell.replace("$", ""))
            block = plain(value)
            for i, row in enumerate(block):
                for j, v in enumerate(row):
                    values.setdefault(f"{get_column_letter(c1 + j)}{r1 + i}", v)
            continue
        v = plain(value)
        while isinstance(v, list):
            v = v[0]
        values[cell.replace("$", "")] = v
    return values


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> tuple[MonthResult, dict[str, Any]]:
    month = demo_month()
    path = build_workbook(tmp_path_factory.mktemp("f") / "demo.xlsx", month=month)
    return compute_month(month), evaluate(path)


def to_fen(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return Decimal(repr(float(value))).quantize(FEN, rounding=ROUND_HALF_UP)


def test_every_line_and_total_equals_the_engine(evaluated: tuple[MonthResult, dict]) -> None:
    result, values = evaluated
    wrong = []
    for i, r in enumerate(result.results):
        row = layout.FIRST_DATA_ROW + i
        for line in r.lines:
            got = values.get(f"{layout.PAYROLL.letter(line.code)}{row}")
            if to_fen(got) != line.amount:
                wrong.append((r.employee.id, r.employee.plan, line.code, line.amount, got))
        got = values.get(f"{layout.PAYROLL.letter('total')}{row}")
        if to_fen(got) != r.total:
            wrong.append((r.employee.id, r.employee.plan, "total", r.total, got))
    assert wrong == []


def test_lines_a_plan_lacks_stay_empty(evaluated: tuple[MonthResult, dict]) -> None:
    result, values = evaluated

    for i, r in enumerate(result.results):
        row = layout.FIRST_DATA_ROW + i
        own = {line.code for line in r.lines}
        for code in LINE_CODES:
            if code not in own:
                assert values.get(f"{layout.PAYROLL.letter(code)}{row}") in (None, ""), code


def test_grand_total_scores_and_grades(evaluated: tuple[MonthResult, dict]) -> None:
    result, values = evaluated
    last = layout.FIRST_DATA_ROW + len(result.results)
    assert to_fen(values[f"{layout.PAYROLL.letter('total')}{last}"]) == result.total
    for i, r in enumerate(result.results):
        row = layout.FIRST_DATA_ROW + i
        score = values.get(f"{layout.PAYROLL.letter('score')}{row}")
        if r.score is None:  # a plan without a score: the three cells are blank, not 0 or #N/A
            assert r.employee.plan in ("ecom_cs", "ecom_other", "logistics_sales")
            for field in ("score", "grade", "coefficient"):
                assert values.get(f"{layout.PAYROLL.letter(field)}{row}") in (None, ""), field
            continue
        assert Decimal(repr(float(score))) == r.score, r.employee.id
        assert values.get(f"{layout.PAYROLL.letter('grade')}{row}") == GRADE_LABELS[r.grade]
        coefficient = values.get(f"{layout.PAYROLL.letter('coefficient')}{row}")
        assert Decimal(repr(float(coefficient))) == r.coefficient


def test_excel_round_is_decimal_half_up() -> None:
    assert excel_round(2.675, 2) == 2.68  # the binary float is 2.67499999…
    assert excel_round(-0.125, 2) == -0.13
