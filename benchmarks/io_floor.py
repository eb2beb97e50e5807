"""Measure the I/O floor of `xlkpi recalc` against openpyxl and xlsx_patch on a payroll-like sheet.

The floor is what no implementation can beat: reading every input cell with python-calamine plus
writing the output cells alone with xlsxwriter. Two xlsx_patch cases are timed: ``patch`` sets
the cached values of existing formula cells (a repeat recalc), ``regen`` regenerates every row
from row 2 with formula + cached value per output cell (a first recalc: ``clear_rows_from``,
rows written straight from the plan). Run ``python -m benchmarks.io_floor`` from the repo root;
it prints wall times (median of a few runs) for 100 ... 50,000 rows.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from xlkpi.workbook.xlsx_patch import SheetEdit, column_letters, patch_workbook, read_sheet

SHEET = "Payroll"
N_INPUT = 8  # name, dept, base pay, KPI score, attendance, bonus rate, deductions, allowance
N_OUTPUT = 12
OUTPUT_FIRST_COL = N_INPUT + 1  # outputs are columns I..T


def make_payroll_book(path: Path, rows: int) -> Path:
    """A sheet of ``rows`` employees: 8 input columns and 12 formula columns with stored 0."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(SHEET)
    money = wb.add_format({"num_format": "#,##0.00"})
    headers = ["Name", "Dept", "Base", "Score", "Attendance", "BonusRate", "Deduct", "Allow"]
    headers += [f"Out{k}" for k in range(1, N_OUTPUT + 1)]
    ws.write_row(0, 0, headers)
    for i in range(rows):
        r = i + 1
        ws.write_string(r, 0, f"员工{i:05d}")
        ws.write_string(r, 1, f"Dept{i % 17}")
        ws.write_number(r, 2, 5000 + (i * 37) % 9000)
        ws.write_number(r, 3, 60 + (i * 7) % 41)
        ws.write_number(r, 4, 0.8 + (i % 21) / 100)
        ws.write_number(r, 5, 0.1 + (i % 9) / 100)
        ws.write_number(r, 6, (i * 13) % 500)
        ws.write_number(r, 7, (i * 11) % 300)
        x = r + 1
        for k in range(N_OUTPUT):
            col = OUTPUT_FIRST_COL - 1 + k
            ws.write_formula(r, col, f"=ROUND(C{x}*D{x}/100*E{x}+{k}*F{x}-G{x}+H{x},2)", money, 0)
    wb.close()
    return path


def output_values(rows: int) -> list[list[Decimal]]:
    """Deterministic Decimal results for the output cells (stand-ins for the engine's numbers)."""
    return [
        [Decimal(5000 + (i * 37) % 9000 + k * 13) / 100 + Decimal("0.10") for k in range(N_OUTPUT)]
        for i in range(rows)
    ]


def output_edit(values: list[list[Decimal]]) -> SheetEdit:
    """The SheetEdit writing ``values`` as cached values of the output formula cells."""
    letters = [column_letters(OUTPUT_FIRST_COL + k) for k in range(N_OUTPUT)]
    edit: dict[str, object] = {}
    for i, row in enumerate(values):
        r = str(i + 2)
        for letter, value in zip(letters, row, strict=True):
            edit[letter + r] = value
    return SheetEdit(values=edit)  # type: ignore[arg-type]


def regen_edit(values: list[list[Decimal]]) -> SheetEdit:
    """The SheetEdit of a first recalc: every row from 2 rewritten, inputs + formulas + values."""
    letters = [column_letters(OUTPUT_FIRST_COL + k) for k in range(N_OUTPUT)]
    cells: dict[str, object] = {}
    formulas: dict[str, str] = {}
    for i, row in enumerate(values):
        r = str(i + 2)
        cells["A" + r] = f"员工{i:05d}"
        cells["B" + r] = f"Dept{i % 17}"
        cells["C" + r] = 5000 + (i * 37) % 9000
        for k, (letter, value) in enumerate(zip(letters, row, strict=True)):
            formulas[letter + r] = f"=ROUND(C{r}*D{r}/100*E{r}+{k}*F{r}-G{r}+H{r},2)"
            cells[letter + r] = value
    return SheetEdit(
        values=cells,  # type: ignore[arg-type]
        formulas=formulas,
        style_from_row=2,
        clear_rows_from=2,
    )


def floor_read(book: Path) -> list[list[object]]:
    """Read every cell of the payroll sheet with python-calamine."""
    return read_sheet(book, SHEET)


def floor_write(values: list[list[Decimal]], out: Path) -> None:
    """Write the output cells alone with xlsxwriter."""
    wb = xlsxwriter.Workbook(str(out))
    ws = wb.add_worksheet(SHEET)
    for i, row in enumerate(values):
        for k, value in enumerate(row):
            ws.write_number(i + 1, OUTPUT_FIRST_COL - 1 + k, float(value))
    wb.close()


def openpyxl_roundtrip(book: Path, out: Path) -> None:
    """openpyxl normal load + save: the approach xlsx_patch replaces."""
    import openpyxl

    openpyxl.load_workbook(book).save(out)


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(rows: int, work: Path, repeat: int = 3, with_openpyxl: bool = True) -> dict[str, float]:
    """Times (s): floor read, floor write, floor, openpyxl round trip, patch, regen, read+patch."""
    book = make_payroll_book(work / f"book{rows}.xlsx", rows)
    values = output_values(rows)
    out = work / f"out{rows}.xlsx"
    edit = output_edit(values)
    result = {
        "read": timed(lambda: floor_read(book), repeat),
        "write": timed(lambda: floor_write(values, out), repeat),
    }
    result["floor"] = result["read"] + result["write"]
    result["openpyxl"] = (
        timed(lambda: openpyxl_roundtrip(book, out), max(1, repeat - 2))
        if with_openpyxl
        else float("nan")
    )
    result["patch"] = timed(lambda: patch_workbook(book, out, {SHEET: edit}), repeat)
    result["patch_build"] = timed(
        lambda: patch_workbook(book, out, {SHEET: output_edit(values)}), 1
    )
    regen = regen_edit(values)
    result["regen"] = timed(lambda: patch_workbook(book, out, {SHEET: regen}), repeat)
    result["read+patch"] = result["read"] + result["patch"]
    return result


def main(sizes: list[int]) -> None:
    """Print the table for the given row counts."""
    cols = ["read", "write", "floor", "openpyxl", "patch", "regen", "read+patch"]
    print(f"{'rows':>7} " + " ".join(f"{c:>10}" for c in cols) + f" {'(r+p)/floor':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            r = measure(rows, Path(tmp), repeat=3 if rows <= 10_000 else 1)
            line = " ".join(f"{r[c]:10.3f}" for c in cols)
            print(f"{rows:>7} {line} {r['read+patch'] / r['floor']:11.2f}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1_000, 10_000, 50_000])
