"""Benchmark the engine: employees per second for a full month (lines, trace, alerts).

Run from the repo root: ``python -m benchmarks.bench_engine`` (sizes 10,000 and 100,000) or
``python -m benchmarks.bench_engine --sizes 10000 --profile``. Input building
(``sample_data.synthetic_month``) is timed separately; only ``compute_month`` counts for the
rate. The target is 20,000 employees/s on one core.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import time

from xlkpi import compute_month
from xlkpi.policy_io import default_policy
from xlkpi.sample_data import synthetic_month

TARGET = 20_000


def bench(n: int, repeat: int) -> tuple[float, list[float]]:
    """Seconds to build the month's input, and the seconds of each compute_month run."""
    start = time.perf_counter()
    month = synthetic_month(n)
    build = time.perf_counter() - start
    policy = default_policy()
    compute_month(synthetic_month(50), policy)  # warm caches (policy.at, formatting)
    runs = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = compute_month(month, policy)
        runs.append(time.perf_counter() - start)
        assert len(result.results) == n
    return build, runs


def profile(n: int, top: int) -> str:
    month = synthetic_month(n)
    policy = default_policy()
    profiler = cProfile.Profile()
    profiler.enable()
    compute_month(month, policy)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    out.write("\n--- by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="compute_month runs per size")
    parser.add_argument("--profile", action="store_true", help="cProfile top functions")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)

    print(f"{'employees':>10} {'build s':>9} {'compute s':>10} {'best s':>8} {'emp/s':>9}  target")
    for n in args.sizes:
        build, runs = bench(n, args.repeat)
        median, best = statistics.median(runs), min(runs)
        rate = n / median
        verdict = "ok" if rate >= TARGET else f"below {TARGET:,}"
        print(f"{n:>10,} {build:>9.2f} {median:>10.2f} {best:>8.2f} {rate:>9,.0f}  {verdict}")
    if args.profile:
        n = min(args.sizes)
        print(f"\ncProfile of compute_month, {n:,} employees (top {args.top}, by own time):")
        print(profile(n, args.top))


if __name__ == "__main__":
    main()
