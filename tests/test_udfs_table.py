"""PAY_TABLE: one call over the month's input blocks gives the Payroll columns recalc stores."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from udfs._boundary import ERROR_PREFIX
from udfs.table import PAY_TABLE, table_fields
from workbook_templates import build_workbook
from workbook_templates.payroll import table_runs
from xlkpi import layout
from xlkpi.engine import compute_month
from xlkpi.policy_io import default_policy
from xlkpi.recalc import payroll_values
from xlkpi.sample_data import demo_month
from xlkpi.workbook.sheets import load_sheets


def _blocks(path: Path) -> tuple[list[list[Any]], list[list[list[Any]]]]:
    """The Payroll ids and the input blocks as xlwings hands them (blank → None): each sheet
    as its runs of input columns (sheet_runs), formula columns left out."""
    _names, sheets = load_sheets(path)

    def block(name: str, first: int, last: int) -> list[list[Any]]:
        rows = sheets[name].rows
        width = max(len(r) for r in rows)
        padded = [[*r, *[""] * (width - len(r))] for r in rows]
        return [[None if v == "" else v for v in row[first - 1 : last]] for row in padded]

    ids = [[row[0]] for row in sheets[layout.PAYROLL.name].rows[1:] if row[0]]
    ids = ids[:-1]  # the 合计 row
    blocks = []
    for name, runs in table_runs(default_policy()):
        for first, last in runs:
            blocks.append(block(name, first, last))
    return ids, blocks


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    month = demo_month()
    path = build_workbook(tmp_path_factory.mktemp("t") / "demo.xlsx", month=month)
    return compute_month(month), path


def _expected(value: Any) -> Any:
    if value is None:
        return ""
    return float(str(value)) if isinstance(value, Decimal) else value


@pytest.mark.parametrize(("first", "last"), [("score", "special_awards"), ("rewards", "losses")])
def test_one_call_gives_every_row_of_the_block_as_recalc(
    demo: tuple[Any, Path], first: str, last: str
) -> None:
    result, path = demo
    ids, blocks = _blocks(path)
    table = PAY_TABLE(first, last, ids, *blocks)
    fields = table_fields(first, last)
    assert len(table) == len(result.results) and all(len(r) == len(fields) for r in table)
    wrong = []
    for r, got in zip(result.results, table, strict=True):
        values = payroll_values(r)
        want = [_expected(values.get(f)) for f in fields]
        if got != want:
            wrong.append((r.employee.id, r.employee.plan, got, want))
    assert wrong == []
    assert any(isinstance(v, float) and v for row in table for v in row)  # numbers, not blanks


def test_a_table_never_spans_the_history_dependent_line() -> None:
    out = PAY_TABLE("special_awards", "rewards", [["E1"]])
    assert out == [[out[0][0]] * 3] and out[0][0].startswith(ERROR_PREFIX)


def test_a_bad_input_makes_every_cell_an_error_not_a_smaller_pay(demo: tuple[Any, Path]) -> None:
    _result, path = demo
    ids, blocks = _blocks(path)
    roster = blocks[0]  # 花名册 is one run, all of it input columns
    base = layout.ROSTER.columns.index(layout.ROSTER.column("base_pay"))
    roster[1][base] = "三千"  # a base pay that is not a number
    table = PAY_TABLE("score", "special_awards", ids, *blocks)
    cells = {v for row in table for v in row}
    assert len(cells) == 1 and next(iter(cells)).startswith(ERROR_PREFIX)
    assert len(table) == len(ids)


def test_a_sheet_the_workbook_lacks_is_handed_over_as_blank_text(demo: tuple[Any, Path]) -> None:
    """``payroll_array`` writes ``""`` for each run of a missing sheet (a formula cannot name
    it); the table reads that sheet as absent, as the reader does for a workbook without it."""
    _result, path = demo
    ids, blocks = _blocks(path)
    runs = table_runs(default_policy())
    at = sum(len(r) for name, r in runs[: [n for n, _ in runs].index("物流部KPI")])
    count = len(dict(runs)["物流部KPI"])
    blocks[at : at + count] = [""] * count
    table = PAY_TABLE("score", "special_awards", ids, *blocks)
    assert table == PAY_TABLE("score", "special_awards", ids, *_blocks(path)[1])
