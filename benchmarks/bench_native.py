"""The native build at scale: LibreOffice's own recalculation equals ``xlkpi recalc``.

For each size (default 1,000 staff, every pay plan, with a History) it builds the month as a
native workbook (``build_workbook(…, build="native")``), runs ``xlkpi recalc`` on it, lets
LibreOffice recalculate every formula itself (a forced hard recalculation on load, see
tests/support/libreoffice.py), and compares every formula cell of the workbook — the 工资表
pay lines and lookups and the input sheets' computed cells — to the fen. It prints the cells
compared (per sheet), the mismatches, and the times of build, recalc and LibreOffice, and
that no UDF name appears in the book. Run ``python -m benchmarks.bench_native [N ...]`` from
the repo root.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import udfs
from tests.support import libreoffice as lo
from tests.support.native_proof import compare_books, functions_called
from workbook_templates import build_workbook
from xlkpi.payplans import PLANS
from xlkpi.recalc import recalc
from xlkpi.sample_data import synthetic_month

SIZES = (1_000,)


def run(n: int, folder: Path) -> int:
    """Build, recalc, recalculate in LibreOffice and compare ``n`` staff; prints, returns the
    number of mismatches (plus one if a UDF name appears)."""
    month = synthetic_month(n)
    plans = {e.plan for e in month.employees}
    book = folder / f"native_{n}.xlsx"
    t0 = time.perf_counter()
    build_workbook(book, month=month, build="native")
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    recalc(book)
    recalculated = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = lo.recalculate(book, folder / "lo", timeout=3600)
    libreoffice = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = compare_books(book, theirs)
    compared = time.perf_counter() - t0
    udf_calls = functions_called(book) & set(udfs.__all__)
    print(f"native build, {n:,} staff, {len(plans)} of {len(PLANS)} pay plans")
    print(f"  build_workbook            {built:8.2f} s")
    print(f"  xlkpi recalc              {recalculated:8.2f} s")
    print(f"  LibreOffice hard recalc   {libreoffice:8.2f} s (start-up included)")
    print(f"  compare                   {compared:8.2f} s")
    print(f"  formula cells compared    {result.compared:,}")
    for sheet, count in result.per_sheet.items():
        print(f"    {sheet:<12} {count:>9,}")
    print(f"  mismatches (to the fen)   {len(result.mismatches):,}")
    if result.mismatches:
        print(result.table(20))
    print(f"  UDF names in the book     {sorted(udf_calls) or 'none'}")
    return len(result.mismatches) + (1 if udf_calls else 0)


def main(argv: list[str]) -> int:
    sizes = [int(a.replace(",", "").replace("_", "")) for a in argv] or list(SIZES)
    if not lo.soffice_available():
        print("LibreOffice (soffice) not found: install libreoffice-calc")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="xlkpi-bench-native-"))
    try:
        bad = sum(run(n, folder) for n in sizes)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
