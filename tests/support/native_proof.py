"""The native build's proof: LibreOffice's own recalculation equals ``xlkpi recalc``.

``compare_books(ours, theirs)`` reads every formula cell of the workbook ``xlkpi recalc`` wrote
(formulas from the sheet XML, cached values with python-calamine) and the value LibreOffice
computed for the same cell after a forced hard recalculation: numbers to the fen (half-up from
the exact decimal of the double), text exactly, blank equal to blank. Used by
``tests/test_native_build.py`` (a small month with every plan) and
``benchmarks/bench_native.py`` (1,000 staff).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from python_calamine import CalamineWorkbook

from xlkpi.workbook.xlsx_patch import read_formulas, split_ref, workbook_parts

FEN = Decimal("0.01")


@dataclass
class Comparison:
    """How many formula cells were compared and the ones that differ."""

    compared: int = 0
    mismatches: list[tuple[str, str, object, object]] = field(default_factory=list)
    per_sheet: dict[str, int] = field(default_factory=dict)

    def table(self, limit: int = 40) -> str:
        """The first ``limit`` mismatches, one a line."""
        lines = [f"{len(self.mismatches)} of {self.compared} formula cells differ"]
        for sheet, cell, ours, theirs in self.mismatches[:limit]:
            lines.append(f"{sheet}!{cell}: xlkpi {ours!r}  LibreOffice {theirs!r}")
        return "\n".join(lines)


def _norm(value: object) -> object:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(repr(float(value))).quantize(FEN, rounding=ROUND_HALF_UP)
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


def _at(rows: list[list[object]], row: int, col: int) -> object:
    if row - 1 < len(rows) and col - 1 < len(rows[row - 1]):
        return rows[row - 1][col - 1]
    return ""


def sheet_names(path: Path) -> list[str]:
    """The workbook's worksheet names in order."""
    with zipfile.ZipFile(path) as zf:
        return list(workbook_parts(zf).sheets)


def compare_books(ours: Path, theirs: Path, skip: tuple[str, ...] = ()) -> Comparison:
    """Compare the cached value of every formula cell of ``ours`` with ``theirs``."""
    result = Comparison()
    a, b = CalamineWorkbook.from_path(str(ours)), CalamineWorkbook.from_path(str(theirs))
    for sheet in sheet_names(ours):
        if sheet in skip:
            continue
        formulas = read_formulas(ours, sheet)
        if not formulas:
            continue
        mine = a.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        other = b.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        count = 0
        for cell in formulas:
            row, col = split_ref(cell)
            x, y = _at(mine, row, col), _at(other, row, col)
            count += 1
            if _norm(x) != _norm(y):
                result.mismatches.append((sheet, cell, x, y))
        result.per_sheet[sheet] = count
        result.compared += count
    return result


_NAME = re.compile(r"(?<![A-Za-z0-9_.'])([A-Z][A-Z0-9_.]*)\s*\(")


def functions_called(path: Path) -> set[str]:
    """Every function name called in any formula of the workbook (upper case)."""
    names: set[str] = set()
    for sheet in sheet_names(path):
        for formula in read_formulas(path, sheet).values():
            text = re.sub(r'"[^"]*"', '""', formula)
            names |= {m.group(1).upper() for m in _NAME.finditer(text)}
    return names


__all__ = ["Comparison", "compare_books", "functions_called", "sheet_names"]
