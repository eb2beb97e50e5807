"""What a workbook costs Excel through xlwings: a static model of its UDF calls and cells.

No Excel runs here, so the cost is counted from the file, the way Excel's dependency tree
works, and priced with published xlwings figures:

* **per UDF call: 3.8–20 ms** — xlwings issues #1976 and #2315 (classic COM UDFs: each call is
  a round trip from VBA through COM into the Python process and back); VBA UDFs run on Excel's
  main thread only, so calls do not overlap;
* **per range cell handed to Python: 2.7–5.5 µs** — xlwings issue #397 (converting a Range
  argument's values through COM).

For every formula cell the model tokenises the formula (openpyxl's tokenizer) and counts

* UDF calls — calls of a function of the ``udfs`` module (nested calls count each);
* reference arguments — UDF arguments that are a reference (a cell, a range, a defined name, or
  ``INDEX(…)``, which returns one); xlwings converts each into values;
* range cells — the cells those references cover (a defined name resolved through the
  workbook's definedNames).

A **full recalculation** (F9 with Ctrl+Alt, or an open that recalculates) evaluates every
formula cell. An **edit of an input column** — one cell in the first employee's row of it —
recalculates what Excel's dependency tree marks dirty: every formula with a precedent range
containing the cell, then their dependents, transitively; ranges count whole (``INDEX(col, n)``
depends on all of ``col``, as in Excel), and volatile cells (``NOW()`` …) are always dirty. A
legacy array formula (``<f t="array" ref=…>``) is one evaluation of its master cell that
refills its whole block, so the dependents of every cell of the block are dirty with it.

Run ``python -m benchmarks.excel_cost [sizes…]`` (default 1,000 and 10,000 staff) or
``python -m benchmarks.excel_cost --book FILE``. Figures and their assessment:
docs/performance.md.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from openpyxl.formula.tokenizer import Token, Tokenizer

SIZES = [1_000, 10_000]
CALL_MS = (3.8, 20.0)  # xlwings #1976, #2315
CELL_US = (2.7, 5.5)  # xlwings #397
VOLATILE = frozenset({"NOW", "TODAY", "RAND", "RANDBETWEEN", "OFFSET", "INDIRECT", "CELL", "INFO"})
REFERENCE_FUNCTIONS = frozenset({"INDEX", "OFFSET", "INDIRECT"})  # return a reference
TARGETS = {"full_calls": 200, "edit_calls": 20, "cells_per_input": 2}

_CELL = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]+)")
_COLUMN = re.compile(r"\$?([A-Z]{1,3})")
_ARRAY = re.compile(r'<c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<f t="array" ref="([A-Z0-9:]+)"')
MAX_ROW = 1_048_576

Area = tuple[str, int, int, int, int]  # sheet, first row, first col, last row, last col
Index = dict  # type: ignore[type-arg]  # (sheet, column) → row or span → dependent cells


def udf_names() -> frozenset[str]:
    """The functions the add-in serves (the ``udfs`` module's public names)."""
    import udfs

    return frozenset(name.upper() for name in udfs.__all__)


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(text: str, sheet: str) -> Area | None:
    """``'花名册'!$G$2:$G$2001`` → (sheet, 2, 7, 2001, 7); None for what is not an A1 ref."""
    if "!" in text:
        where, text = text.rsplit("!", 1)
        sheet = where.strip("'").replace("''", "'")
    parts = text.replace("$", "").split(":")
    corners: list[tuple[int, int]] = []
    for part in parts:
        cell = _CELL.fullmatch(part)
        if cell:
            corners.append((int(cell.group(2)), _col(cell.group(1))))
        elif _COLUMN.fullmatch(part) and len(parts) == 2:  # whole column A:A
            corners.append((1 if not corners else MAX_ROW, _col(part)))
        elif part.isdigit() and len(parts) == 2:  # whole row 1:1
            corners.append((int(part), 1 if not corners else 16_384))
        else:
            return None
    if len(corners) == 1:
        corners.append(corners[0])
    (r1, c1), (r2, c2) = corners
    return sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def cells_in(area: Area) -> int:
    _s, r1, c1, r2, c2 = area
    return (r2 - r1 + 1) * (c2 - c1 + 1)


@dataclass
class CellCost:
    """What evaluating one formula cell hands to Python."""

    calls: int = 0
    ref_args: int = 0
    range_cells: int = 0
    history_cells: int = 0  # range cells on the History sheet (they grow every month)
    volatile: bool = False
    precedents: list[Area] = field(default_factory=list)

    def add(self, other: CellCost) -> None:
        self.calls += other.calls
        self.ref_args += other.ref_args
        self.range_cells += other.range_cells
        self.history_cells += other.history_cells


class Workbook:
    """The formula cells of a workbook file with their cost and precedents."""

    def __init__(self, path: Path, history_sheet: str = "历史") -> None:
        from xlkpi.workbook.xlsx_patch import read_formulas, workbook_parts

        self.path = Path(path)
        self.udfs = udf_names()
        self.history_sheet = history_sheet
        with zipfile.ZipFile(path) as zf:
            parts = workbook_parts(zf)
            self.sheets = list(parts.sheets)
            self.names = self._defined_names(zf.read(parts.workbook))
        self.cells: dict[tuple[str, int, int], CellCost] = {}
        # legacy (CSE) array formulas: master cell → the block it fills (one evaluation)
        self.arrays: dict[tuple[str, int, int], Area] = {}
        with zipfile.ZipFile(path) as zf:
            for sheet, part in parts.sheets.items():
                for ref, block in _ARRAY.findall(zf.read(part).decode("utf-8")):
                    area = parse_ref(block, sheet)
                    m = _CELL.fullmatch(ref)
                    if area is not None and m is not None:
                        self.arrays[(sheet, int(m.group(2)), _col(m.group(1)))] = area
        for sheet in self.sheets:
            for ref, formula in read_formulas(path, sheet).items():
                m = _CELL.fullmatch(ref)
                assert m is not None
                key = (sheet, int(m.group(2)), _col(m.group(1)))
                self.cells[key] = self._cost(formula, sheet)

    def _defined_names(self, xml: bytes) -> dict[str, Area]:
        names: dict[str, Area] = {}
        for el in ET.fromstring(xml).iter():
            if el.tag.endswith("}definedName") and el.text and "localSheetId" not in el.attrib:
                area = parse_ref(el.text, "")
                if area is not None and area[0]:
                    names[el.attrib["name"].upper()] = area
        return names

    def _area(self, operand: str, sheet: str) -> Area | None:
        return self.names.get(operand.upper()) or parse_ref(operand, sheet)

    def _cost(self, formula: str, sheet: str) -> CellCost:
        cost = CellCost()
        tokens = [t for t in Tokenizer(formula).items if t.type != Token.WSPACE]
        stack: list[tuple[str, list[list[Token]]]] = []  # open functions and their arguments
        for token in tokens:
            if token.type == Token.OPERAND and token.subtype == Token.RANGE:
                area = self._area(token.value, sheet)
                if area is not None:
                    cost.precedents.append(area)
            if token.type == Token.FUNC and token.subtype == Token.OPEN:
                name = token.value[:-1].upper().removeprefix("_XLFN.")
                cost.volatile |= name in VOLATILE
                if stack:
                    stack[-1][1][-1].append(token)
                stack.append((name, [[]]))
                continue
            if token.type == Token.FUNC and token.subtype == Token.CLOSE:
                name, args = stack.pop()
                if name in self.udfs:
                    cost.calls += 1
                    for arg in args:
                        self._argument(arg, sheet, cost)
                if stack:
                    stack[-1][1][-1].append(token)
                continue
            if token.type == Token.SEP and token.subtype == Token.ARG and stack:
                stack[-1][1].append([])
                continue
            if stack:
                stack[-1][1][-1].append(token)
        return cost

    def _argument(self, arg: list[Token], sheet: str, cost: CellCost) -> None:
        """One UDF argument: a reference hands its cells to Python, a value one value."""
        if len(arg) == 1 and arg[0].type == Token.OPERAND and arg[0].subtype == Token.RANGE:
            area = self._area(arg[0].value, sheet)
            if area is not None:
                cost.ref_args += 1
                cost.range_cells += cells_in(area)
                if area[0] == self.history_sheet:
                    cost.history_cells += cells_in(area)
            return
        first = arg[0] if arg else None
        if (
            first is not None
            and first.type == Token.FUNC
            and first.value[:-1].upper() in REFERENCE_FUNCTIONS
            and arg[-1].type == Token.FUNC
            and arg[-1].subtype == Token.CLOSE
            and sum(1 for t in arg if t.subtype == Token.OPEN)
            == sum(1 for t in arg if t.subtype == Token.CLOSE)
        ):
            cost.ref_args += 1
            cost.range_cells += 1  # INDEX(range, n): a one-cell reference

    # -- what a recalculation evaluates ------------------------------------------------------

    def total(self, keys: Iterable[tuple[str, int, int]]) -> CellCost:
        out = CellCost()
        for key in keys:
            out.add(self.cells[key])
        return out

    def full(self) -> CellCost:
        return self.total(self.cells)

    def _index(self) -> tuple[Index, Index]:
        """Who depends on what: (sheet, column) → row → dependents for one-cell precedents,
        and (sheet, column) → (first row, last row) → dependents for ranges (few per column)."""
        cells: Index = defaultdict(lambda: defaultdict(list))
        spans: Index = defaultdict(lambda: defaultdict(list))
        for key, cost in self.cells.items():
            for sheet, r1, c1, r2, c2 in cost.precedents:
                for c in range(c1, min(c2, c1 + 64) + 1):
                    if r1 == r2:
                        cells[(sheet, c)][r1].append(key)
                    else:
                        spans[(sheet, c)][(r1, r2)].append(key)
        return cells, spans

    def dirty_after_edit(self, sheet: str, row: int, col: int) -> set[tuple[str, int, int]]:
        """The formula cells Excel recalculates after the cell (sheet, row, col) changes."""
        if not hasattr(self, "_deps"):
            self._deps = self._index()
        cells, spans = self._deps
        dirty = {k for k, c in self.cells.items() if c.volatile}
        todo = [(sheet, row, col), *dirty]
        seen_spans: set[tuple[str, int, int, int]] = set()

        def mark(dependents: list[tuple[str, int, int]]) -> None:
            for key in dependents:
                if key not in dirty:
                    dirty.add(key)
                    todo.append(key)

        while todo:
            s, r, c = todo.pop()
            block = self.arrays.get((s, r, c))
            if block is not None and (s, r, c) in dirty:  # an array formula refills its block
                _s, r1, c1, r2, c2 = block
                todo.extend(
                    (s, rr, cc)
                    for rr in range(r1, r2 + 1)
                    for cc in range(c1, c2 + 1)
                    if (rr, cc) != (r, c)
                )
            column = cells.get((s, c))
            if column is not None and r in column:
                mark(column[r])
            for (r1, r2), dependents in spans.get((s, c), {}).items():
                if r1 <= r <= r2 and (s, c, r1, r2) not in seen_spans:
                    seen_spans.add((s, c, r1, r2))
                    mark(dependents)
        return dirty


@dataclass(frozen=True)
class Estimate:
    calls: int
    cells: int

    def seconds(self) -> tuple[float, float]:
        low = self.calls * CALL_MS[0] / 1e3 + self.cells * CELL_US[0] / 1e6
        high = self.calls * CALL_MS[1] / 1e3 + self.cells * CELL_US[1] / 1e6
        return low, high


def input_columns(book: Workbook, first_row: int = 2) -> list[tuple[str, int, str]]:
    """(sheet, column, header) of every input column of the layout's input sheets."""
    from xlkpi import layout

    sheets = [*layout.INPUT_SHEETS, *_scorecards()]
    out = []
    for sheet in sheets:
        if sheet.name not in book.sheets:
            continue
        for i, column in enumerate(sheet.columns, start=1):
            if column.kind in ("formula", "helper"):
                continue
            if (sheet.name, first_row, i) in book.cells:
                continue
            out.append((sheet.name, i, column.header))
    return out


def _scorecards() -> list:  # type: ignore[type-arg]
    try:
        from workbook_templates.scorecards import card_layout
        from xlkpi.policy_io import default_policy
    except ImportError:
        return []
    return [card_layout(key, card) for key, card in default_policy().scorecards.items()]


def input_cells(path: Path, book: Workbook) -> int:
    """Non-blank input (non-formula) cells of the month's input sheets below the header; the
    不适用 marker the builder writes where a plan reads no input is not one."""
    from python_calamine import CalamineWorkbook

    from xlkpi.layout import is_not_applicable

    names = {s for s, _c, _h in input_columns(book)}
    blocks = [area for area in book.arrays.values() if area[0] in names]

    def in_array(sheet: str, r: int, c: int) -> bool:  # an array formula's result, not an input
        return any(s == sheet and r1 <= r <= r2 and c1 <= c <= c2 for s, r1, c1, r2, c2 in blocks)

    wb = CalamineWorkbook.from_path(str(path))
    n = 0
    try:
        for name in names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for r, row in enumerate(rows[1:], start=2):
                for c, value in enumerate(row, start=1):
                    if value in ("", None) or is_not_applicable(value, "en"):
                        continue
                    if (name, r, c) not in book.cells:
                        n += not in_array(name, r, c)
    finally:
        wb.close()
    return n


@dataclass
class Report:
    staff: int
    formula_cells: int
    input_cells: int
    full: CellCost
    edits: list[tuple[str, str, CellCost]]
    largest_history_arg: int

    def worst_edit(self) -> tuple[str, str, CellCost]:
        return max(self.edits, key=lambda e: (e[2].calls, e[2].range_cells))

    def lines(self) -> list[str]:
        full = Estimate(self.full.calls, self.full.range_cells).seconds()
        sheet, header, worst = self.worst_edit()
        edit = Estimate(worst.calls, worst.range_cells).seconds()
        ratio = self.full.range_cells / max(self.input_cells, 1)
        return [
            f"{self.staff:,} staff: {self.formula_cells:,} formula cells, "
            f"{self.input_cells:,} input cells",
            f"  full recalculation: {self.full.calls:,} UDF calls, {self.full.ref_args:,} "
            f"reference arguments, {self.full.range_cells:,} range cells "
            f"({ratio:,.3f} per input cell; History: {self.full.history_cells:,}) "
            f"-> {full[0]:,.0f}–{full[1]:,.0f} s",
            f"  worst single edit ({sheet}!{header}): {worst.calls:,} UDF calls, "
            f"{worst.range_cells:,} range cells -> {edit[0]:,.1f}–{edit[1]:,.1f} s",
            f"  edits over {TARGETS['edit_calls']} UDF calls: "
            f"{sum(1 for *_x, c in self.edits if c.calls > TARGETS['edit_calls'])} of "
            f"{len(self.edits)} input columns",
            f"  largest argument on History: {self.largest_history_arg:,} cells "
            "(grows with the History)"
            if self.largest_history_arg
            else "  no UDF argument on History",
            "  targets (≤200 calls, ≤2 cells per input cell, ≤20 calls per edit, no History "
            "argument): "
            + ", ".join(
                f"{name} {'met' if ok else 'MISSED'}"
                for name, ok in (
                    ("full", self.full.calls <= TARGETS["full_calls"]),
                    ("cells", ratio <= TARGETS["cells_per_input"]),
                    ("edit", worst.calls <= TARGETS["edit_calls"]),
                    ("history", not self.largest_history_arg),
                )
            ),
        ]


def analyse(path: Path, staff: int) -> Report:
    """The cost report of one workbook file."""
    book = Workbook(path)
    edits = []
    for sheet, col, header in input_columns(book):
        dirty = book.dirty_after_edit(sheet, 2, col)
        edits.append((sheet, header, book.total(dirty)))
    largest = 0
    for cost in book.cells.values():
        if cost.history_cells:
            largest = max(largest, cost.history_cells)
    return Report(staff, len(book.cells), input_cells(path, book), book.full(), edits, largest)


def month_book(n: int, folder: Path) -> Path:
    """The synthetic month of ``n`` staff as the template builds it, recalculated."""
    from workbook_templates import build_workbook
    from xlkpi.recalc import recalc
    from xlkpi.sample_data import synthetic_month

    path = folder / f"month_{n}.xlsx"
    build_workbook(path, month=synthetic_month(n))
    recalc(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=SIZES)
    parser.add_argument("--book", type=Path, help="analyse this workbook instead")
    args = parser.parse_args(argv)
    print(
        f"Priced at {CALL_MS[0]}–{CALL_MS[1]} ms per UDF call (xlwings #1976, #2315) and "
        f"{CELL_US[0]}–{CELL_US[1]} µs per range cell (xlwings #397); calls run one at a time."
    )
    if args.book:
        for line in analyse(args.book, 0).lines():
            print(line)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            t0 = time.perf_counter()
            book = month_book(n, Path(tmp))
            report = analyse(book, n)
            for line in report.lines():
                print(line)
            print(f"  (model built in {time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
