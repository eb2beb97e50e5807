"""Workbooks as earlier versions of xlkpi wrote them, made from today's for upgrade tests."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def without_sheet(src: Path, dst: Path, name: str) -> Path:
    """``src`` saved to ``dst`` without sheet ``name`` (as a book made before it existed).

    openpyxl keeps formulas and drops cached values: recalculate the result before reading
    numbers from it."""
    wb = openpyxl.load_workbook(src)
    wb.remove(wb[name])
    wb.save(dst)
    return dst
