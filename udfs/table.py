"""The pay table in one call: the month's input blocks in, a block of Payroll columns out.

The UDF-call budget (docs/template.md, "The UDF-call budget") cannot be met by one UDF call per
cell: 12 calls per employee. ``PAY_TABLE`` is the building block of the block design: one call
receives every input sheet of the month once — as the runs of its input columns
(:func:`input_runs`: the layout's formula columns, 姓名 looked up on the roster, the 岗位 helper,
scores and totals, are left out), each a bounded block with the header row — joins each sheet's
runs side by side, reads them with the command line's reader
(:func:`xlkpi.workbook.reader.read_loaded`), computes with the engine and returns, for the
Payroll's ids in order, the columns ``first``..``last`` of :data:`xlkpi.layout.PAYROLL` — the
values ``xlkpi recalc`` stores, by construction.

No argument reads the History: a History-dependent line (the streak reward) is a value recalc
writes, so a table must not span it (it is refused). A bad input gives every cell the reader's
first problem as an error text (``#输入错误: …``), never a smaller pay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlwings as xw

from udfs._boundary import ERROR_PREFIX, to_excel
from xlkpi import layout
from xlkpi.errors import XlkpiError
from xlkpi.messages import t

# The sheets a table reads, in argument order after the ids; scorecards follow, in layout order.
TABLE_SHEETS: tuple[str, ...] = (
    layout.ROSTER.name,
    layout.ATTENDANCE.name,
    layout.SALES.name,
    layout.SHOPS.name,
    layout.TEAMS.name,
    layout.SUPERVISOR_SELF.name,
    layout.POLICY,
    layout.META,
)


# Sheets handed over whole (their first columns): 店铺 has the public sales right of the table
# (label, value), the meta sheet is key and value. The Policy sheet is read by position: key,
# then value, amount and month (its label and note columns are left out; the runs are put back
# at their columns).
def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


WHOLE_WIDTH: dict[str, int] = {
    layout.SHOPS.name: _column_number(layout.PUBLIC_SALES_CELL.rstrip("0123456789")),
    layout.META: 2,
}
POLICY_RUNS: list[tuple[int, int]] = [(1, 1), (3, 5)]
_LAYOUTS: dict[str, layout.SheetLayout] = {
    s.name: s
    for s in (
        layout.ROSTER,
        layout.ATTENDANCE,
        layout.SALES,
        layout.TEAMS,
        layout.SUPERVISOR_SELF,
    )
}


def input_runs(sheet: layout.SheetLayout) -> list[tuple[int, int]]:
    """The 1-based (first, last) column runs of a sheet's input columns (no formula or helper
    column): 考勤 → [(1, 1), (3, 14)] — 工号, then the counts after the 姓名 lookup."""
    runs: list[tuple[int, int]] = []
    for i, column in enumerate(sheet.columns, start=1):
        if column.kind in ("formula", "helper"):
            continue
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def sheet_runs(name: str, scorecard: layout.SheetLayout | None = None) -> list[tuple[int, int]]:
    """The column runs a table reads of sheet ``name`` (a scorecard's from its ``scorecard``
    layout; without one, the shape every scorecard has: 工号, then the items and 加分)."""
    if name == layout.POLICY:
        return list(POLICY_RUNS)
    if name in WHOLE_WIDTH:
        return [(1, WHOLE_WIDTH[name])]
    if name in _LAYOUTS:
        return input_runs(_LAYOUTS[name])
    card = scorecard or layout.scorecard_layout(next(iter(layout.SCORECARD_SHEETS)), [])
    return input_runs(card)


def table_sheets() -> list[str]:
    """Every sheet a table reads, in argument order after the ids."""
    return [*TABLE_SHEETS, *layout.SCORECARD_SHEETS.values()]


# Values recalc writes: the streak reward reads the History, and the total adds it; a table
# must not span them (the total stays the native per-row sum of the line cells).
HISTORY_FIELDS = frozenset({"streak_reward", "total"})


def _rows(block: object) -> list[list[Any]]:
    """A 2-D block as the reader's rows: blank cells "" (as calamine and the live reader)."""
    if hasattr(block, "tolist"):
        block = block.tolist()
    if not isinstance(block, (list, tuple)):
        block = [[block]]
    rows = [list(r.tolist() if hasattr(r, "tolist") else r) for r in block]  # type: ignore[union-attr]
    return [["" if v is None else v for v in r] for r in rows]


def _joined(parts: list[list[list[Any]]], firsts: list[int]) -> list[list[Any]]:
    """The runs of one sheet put back at their columns (``firsts``, 1-based), as the sheet's
    rows: the columns left out between runs and short rows are "" (blank)."""
    height = max(len(p) for p in parts)
    rows: list[list[Any]] = [[] for _ in range(height)]
    for part, first in zip(parts, firsts, strict=True):
        width = max((len(r) for r in part), default=0)
        for i in range(height):
            row = part[i] if i < len(part) else []
            gap = max(first - 1 - len(rows[i]), 0)
            rows[i].extend([*[""] * gap, *row, *[""] * (width - len(row))])
    return rows


def _span(first: str, last: str) -> list[str]:
    """The Payroll fields from ``first`` to ``last`` (empty when either is not a Payroll field)."""
    fields = [c.field for c in layout.PAYROLL.columns]
    if not {first, last} <= set(fields):
        return []
    return fields[fields.index(first) : fields.index(last) + 1]


def table_fields(first: str, last: str) -> list[str]:
    """The Payroll fields ``first``..``last`` in column order (no History-dependent one)."""
    span = _span(first, last)
    if not span or HISTORY_FIELDS & set(span):
        raise XlkpiError(t("udf.table_columns", first=first, last=last))
    return span


def pay_table(first: str, last: str, ids: object, *blocks: object) -> list[list[Any]]:
    """The table's values (Decimal amounts, texts, None for blank), one row per id."""
    from xlkpi.recalc import compute_checked, payroll_values
    from xlkpi.workbook import reader as workbook_reader
    from xlkpi.workbook.sheets import Sheet, header_map

    fields = table_fields(first, last)
    sheets: dict[str, Sheet] = {}
    rest = list(blocks)
    for name in table_sheets():
        runs = sheet_runs(name)
        if len(rest) < len(runs):
            break
        given, rest = rest[: len(runs)], rest[len(runs) :]
        if all(isinstance(b, str) for b in given):  # a sheet the workbook lacks: ""
            continue
        rows = _joined([_rows(b) for b in given], [first for first, _last in runs])
        sheets[name] = Sheet(name, rows, header_map(rows))
    history = [list(layout.HISTORY.headers)]
    sheets[layout.HISTORY.name] = Sheet(layout.HISTORY.name, history, header_map(history))
    contents = workbook_reader.read_loaded(Path("PAY_TABLE"), list(sheets), sheets)
    result = compute_checked(contents)  # raises WorkbookValidationError on a bad input
    by_id = {r.employee.id: payroll_values(r) for r in result.results}
    out: list[list[Any]] = []
    for row in _rows(ids):
        values = by_id.get(str(row[0]).strip()) if row and row[0] != "" else None
        out.append([None if values is None else values.get(f) for f in fields])
    return out


@xw.func
@xw.arg("ids", ndim=2)
@xw.arg("blocks", ndim=2)
def PAY_TABLE(first: object, last: object, ids: object, *blocks: object) -> object:
    """工资表列块 The Payroll columns first..last for the ids, from the month's input blocks."""
    # blocks: 花名册, 考勤, 业绩, 店铺, 团队目标, 主管自评, 参数, _xlkpi, then the scorecards,
    # each sheet as the runs of sheet_runs (bounded blocks with the header row); the result is
    # a 2-D array, one row per id.
    try:
        table = pay_table(str(first), str(last), ids, *blocks)
    except XlkpiError as exc:
        problems = getattr(exc, "problems", None)
        text = str(problems[0]) if problems else str(exc)
        width = max(len(_span(str(first), str(last))), 1)  # the block the formula fills
        return [[ERROR_PREFIX + text] * width for _ in range(max(len(_rows(ids)), 1))]
    return [["" if v is None else to_excel(v) for v in row] for row in table]
