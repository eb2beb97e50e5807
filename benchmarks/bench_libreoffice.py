"""Time LibreOffice headless recalculating a whole month's pure-formula payroll (no xlkpi).

The workbook is what a company would build without xlkpi (tests/support/formula_twins.py): a
Policy sheet, per-team SUMIFS pools, and one row of formulas per employee for all eight plans.
For 1,000 / 10,000 / 50,000 staff it prints the build time, the recalculation wall time with
LibreOffice start-up included (median of 3), start-up alone, the peak resident memory of the
LibreOffice processes, and whether every pay line agreed with the engine to the fen.
Run ``python -m benchmarks.bench_libreoffice [N ...]`` from the repo root.
"""

from __future__ import annotations

import atexit
import functools
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.support import formula_twins as ft
from tests.support import libreoffice as lo
from xlkpi.engine import compute_month
from xlkpi.inputs import Month
from xlkpi.policy_io import default_policy
from xlkpi.sample_data import synthetic_month

SIZES = (1_000, 10_000, 50_000)
REPEAT = 3
_WORK = Path(tempfile.mkdtemp(prefix="xlkpi-bench-lo-"))
atexit.register(shutil.rmtree, _WORK, True)


def payroll_month(n: int) -> Month:
    """The synthetic month of ``n`` staff (all plans), without History rows."""
    return ft.month_without_history(synthetic_month(n))


@functools.cache
def payroll_workbook(n: int) -> tuple[Path, ft.MonthLayout, float]:
    """The pure-formula payroll workbook for ``n`` staff, its layout and its build seconds."""
    folder = _WORK / "in"
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    layout = ft.build_month_workbook(
        folder / f"payroll_{n}.xlsx", payroll_month(n), default_policy()
    )
    return folder / f"payroll_{n}.xlsx", layout, time.perf_counter() - t0


@functools.cache
def startup_seconds() -> float:
    """LibreOffice start-up alone: median of 3 one-cell conversions (profile warmed first)."""
    return lo.startup_seconds(REPEAT)


def recalc_runs(n: int, repeat: int = REPEAT) -> tuple[list[float], Path]:
    """Wall times of ``repeat`` recalculations of the ``n``-staff payroll, and the last output."""
    src, _, _ = payroll_workbook(n)
    times, out = [], src
    for _ in range(repeat):
        out, seconds = lo.timed_recalculate(src, _WORK / "out")
        times.append(seconds)
    return times, out


def libreoffice_seconds(n: int) -> tuple[float, float]:
    """(median seconds to recalculate the n-staff payroll incl. start-up; start-up alone)."""
    times, _ = recalc_runs(n)
    return statistics.median(times), startup_seconds()


def _peak_child_mb() -> float:
    """Largest resident set of any finished child process so far (LibreOffice), in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(sizes: tuple[int, ...] = SIZES) -> None:
    """Print the table. Sizes run in increasing order, so each peak is that size's own."""
    if not lo.soffice_available():
        sys.exit("LibreOffice (soffice) not found")
    startup = startup_seconds()
    print(
        f"LibreOffice start-up alone (median of {REPEAT}): {startup:.2f} s, "
        f"peak {_peak_child_mb():.0f} MB"
    )
    header = (
        f"{'staff':>8} {'cells':>10} {'build s':>8} {'recalc s':>9} {'minus start':>11} "
        f"{'runs':>20} {'peak MB':>8} {'agree':>12}"
    )
    print(header)
    for n in sorted(sizes):
        _, layout, build = payroll_workbook(n)
        times, out = recalc_runs(n)
        peak = _peak_child_mb()
        result = compute_month(payroll_month(n), default_policy())
        compared, problems = ft.compare_month(result, out, layout)
        median = statistics.median(times)
        runs = " ".join(f"{t:.2f}" for t in times)
        cells = n * (layout.total_column + 1)
        agree = f"{compared - len(problems)}/{compared}"
        print(
            f"{n:>8,} {cells:>10,} {build:>8.2f} {median:>9.2f} {median - startup:>11.2f} "
            f"{runs:>20} {peak:>8.0f} {agree:>12}"
        )
        if problems:
            print(ft.table(problems, 10))


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
