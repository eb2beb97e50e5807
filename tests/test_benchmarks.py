"""The benchmarks' filled month is a month check accepts (else run_all measures a refusal)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_recalc import make_book, sales_edit_cell
from xlkpi import layout
from xlkpi.recalc import recalc
from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook


def test_the_benchmark_month_recalculates_before_and_after_its_one_edit(tmp_path: Path) -> None:
    book = make_book(tmp_path / "b.xlsx", 40)
    first = recalc(book).result
    assert len(first.results) == 40
    changed = tmp_path / "c.xlsx"
    cell = sales_edit_cell(40)
    patch_workbook(book, changed, {layout.SALES.name: SheetEdit(values={cell: 12345})})
    second = recalc(changed).result
    assert sum(r.total for r in second.results) != sum(r.total for r in first.results)
