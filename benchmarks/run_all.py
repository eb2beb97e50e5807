"""Run every speed measurement in its own process and print (or write) one side-by-side table.

For each size N (default 1,000 / 10,000 / 50,000 staff of ``synthetic_month(N)``):

* ``xlkpi recalc`` — the real command (``xlkpi.cli.main(["recalc", BOOK])`` in a fresh Python
  process, wall time from process start to exit) on a filled workbook, twice over: the *first*
  recalc of the freshly filled book (writes every Payroll formula) and the *repeat* recalc after
  one input edit (the monthly routine). The command's in-process time and its stages
  (read / compute / build / write) are captured too;
* the floor — python-calamine reading every sheet + xlsxwriter writing the output cells alone;
* openpyxl load + save of the same workbook;
* LibreOffice headless recalculating the pure-formula twin of the month
  (``bench_libreoffice.libreoffice_seconds``), start-up included, and start-up alone;
* the engine alone — ``compute_month`` in memory, employees per second;

each with its peak resident memory (the child's max RSS from ``os.wait4``; for LibreOffice the
largest soffice process). Then the ratios and a verdict against the targets.

Run from the repo root: ``python -m benchmarks.run_all`` (``--sizes 100 1000`` for a quick run,
``--write docs/performance.md`` for the report, ``--profile`` for a cProfile of one recalc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 50_000)
MEASURES = ("first", "recalc", "warm", "floor", "openpyxl", "libreoffice", "engine")
FLOOR_TARGET = 2.0  # recalc at most 2x the floor
LO_TARGET = 2.0  # LibreOffice at least 2x slower than recalc ...
LO_TARGET_SIZES = (10_000, 50_000)  # ... at these sizes
ENGINE_TARGET = 20_000  # employees per second ...
ENGINE_TARGET_FROM = 1_000  # ... judged from this size on (below, fixed costs and noise rule)
WARMUP_N = 50  # staff in the book a warm process recalculates once before it is timed


# ---------------------------------------------------------------------------------------------
# children: one measurement each, result as JSON in --result


def _median_time(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def child_prepare(n: int, work: Path) -> dict[str, Any]:
    """fresh{n}.xlsx (filled), changed{n}.xlsx (recalculated, then one sales figure edited) and
    floor{n}.json (the output cells the floor writes)."""
    from benchmarks.bench_recalc import make_book
    from xlkpi import layout
    from xlkpi.layout import PAYROLL
    from xlkpi.recalc import payroll_values, recalc
    from xlkpi.xlsx_patch import SheetEdit, patch_workbook

    t0 = time.perf_counter()
    fresh = make_book(work / f"fresh{n}.xlsx", n)
    built = time.perf_counter() - t0
    done = work / f"done{n}.xlsx"
    shutil.copyfile(fresh, done)
    result = recalc(done).result
    patch_workbook(
        done, work / f"changed{n}.xlsx", {layout.SALES.name: SheetEdit(values={"C2": 12345})}
    )
    fields = [c.field for c in PAYROLL.columns]
    rows = []
    for r in result.results:
        values = payroll_values(r)
        rows.append([_plain(values.get(f)) for f in fields])
    alerts = [[a.employee_id, a.name, a.kind, a.code, a.message] for a in result.alerts]
    (work / f"floor{n}.json").write_text(json.dumps({"rows": rows, "alerts": alerts}), "utf-8")
    return {"build": built, "staff": len(result.results)}


def _plain(value: Any) -> Any:
    """A Payroll cell as JSON: strings stay, numbers become decimal strings tagged with '#'."""
    if value is None or isinstance(value, str):
        return value
    return f"#{value}"


def child_command(book: Path) -> dict[str, Any]:
    """`xlkpi recalc --no-progress BOOK` through the CLI entry point; the stage timings."""
    import contextlib
    import io

    import xlkpi.recalc as recalc_module
    from xlkpi import cli

    original = recalc_module.recalc
    stages: dict[str, float] = {}

    def capturing(*args: Any, **kwargs: Any) -> Any:
        r = original(*args, **kwargs)
        stages.update(r.timings)
        return r

    recalc_module.recalc = capturing  # type: ignore[assignment]
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) as text:
        code = cli.main(["recalc", "--no-progress", str(book)])
    seconds = time.perf_counter() - t0
    if code != 0:
        raise SystemExit(f"xlkpi recalc exited {code}: {text.getvalue()}")
    return {"cli": seconds, "stages": stages}


def child_warm(n: int, work: Path, repeat: int, warmup: Path) -> dict[str, Any]:
    """``recalc()`` in one warmed-up process, as bench_recalc times it: first and repeat."""
    from xlkpi.recalc import recalc

    def run(book: Path) -> dict[str, float]:
        copy = work / f"warm-run{n}.xlsx"
        shutil.copyfile(book, copy)
        return recalc(copy).timings

    run(warmup)  # imports, policy, caches: what a second recalc in the same process skips
    out: dict[str, Any] = {}
    for kind, book in (("first", f"fresh{n}.xlsx"), ("recalc", f"changed{n}.xlsx")):
        runs = sorted((run(work / book) for _ in range(repeat)), key=lambda t: t["total"])
        out[kind] = runs[len(runs) // 2]
    return out


def child_floor(n: int, work: Path, repeat: int) -> dict[str, float]:
    """calamine reading every sheet of the book; xlsxwriter writing the output cells alone."""
    from decimal import Decimal

    import xlsxwriter

    from xlkpi import layout
    from xlkpi.layout import ALERTS, PAYROLL
    from xlkpi.workbook_reader import load_sheets

    data = json.loads((work / f"floor{n}.json").read_text("utf-8"))
    rows = [
        [Decimal(v[1:]) if isinstance(v, str) and v.startswith("#") else v for v in row]
        for row in data["rows"]
    ]
    book, out = work / f"changed{n}.xlsx", work / f"floor-out{n}.xlsx"

    def write() -> None:
        wb = xlsxwriter.Workbook(str(out))
        ws = wb.add_worksheet(PAYROLL.name)
        for i, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(i, c, v)
                else:
                    ws.write_number(i, c, float(v))
        ws = wb.add_worksheet(ALERTS.name)
        for i, alert in enumerate(data["alerts"], start=1):
            ws.write_row(i, 0, alert)
        wb.add_worksheet(layout.META).write_row(0, 0, ["status", "recalculated"])
        wb.close()

    read = _median_time(lambda: load_sheets(book), repeat)
    return {"read": read, "write": _median_time(write, repeat)}


def child_openpyxl(n: int, work: Path) -> dict[str, float]:
    """openpyxl normal load + save of the book (once)."""
    from benchmarks.bench_recalc import openpyxl_roundtrip

    t0 = time.perf_counter()
    openpyxl_roundtrip(work / f"changed{n}.xlsx", work / f"openpyxl{n}.xlsx")
    return {"seconds": time.perf_counter() - t0}


def child_libreoffice(n: int) -> dict[str, float]:
    """LibreOffice recalculating the pure-formula month; peak RSS of its processes (MB)."""
    from benchmarks.bench_libreoffice import libreoffice_seconds

    total, startup = libreoffice_seconds(n)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"total": total, "startup": startup, "soffice_mb": peak}


def child_engine(n: int, repeat: int) -> dict[str, float]:
    """compute_month alone, in memory: median seconds and employees per second."""
    from benchmarks.bench_engine import bench

    build, runs = bench(n, repeat)
    median = statistics.median(runs)
    return {"build": build, "seconds": median, "rate": n / median}


def child_profile(n: int, work: Path, top: int, warmup: Path) -> dict[str, str]:
    """cProfile of one repeat recalc in a warm process: top functions by own time."""
    import cProfile
    import io
    import pstats

    from xlkpi.recalc import recalc

    book = work / f"profile{n}.xlsx"
    shutil.copyfile(warmup, book)
    recalc(book)
    shutil.copyfile(work / f"changed{n}.xlsx", book)
    profiler = cProfile.Profile()
    profiler.enable()
    r = recalc(book)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stages = ", ".join(f"{k} {v:.2f}" for k, v in r.timings.items())
    text = f"stages (s): {stages}\n" + out.getvalue().replace(str(REPO) + "/", "")
    return {"text": text}


def run_one(args: argparse.Namespace) -> None:
    """Child entry point: run one measurement and write its JSON result."""
    kind, target = args.one
    work, repeat = Path(args.work), args.repeat or 1
    if kind == "baseline":
        import xlkpi.cli
        import xlkpi.recalc  # noqa: F401

        data: dict[str, Any] = {}
    elif kind == "command":
        data = child_command(Path(target))
    elif kind == "prepare":
        data = child_prepare(int(target), work)
    elif kind == "warm":
        data = child_warm(int(target), work, repeat, Path(args.warmup))
    elif kind == "floor":
        data = child_floor(int(target), work, repeat)
    elif kind == "openpyxl":
        data = child_openpyxl(int(target), work)
    elif kind == "libreoffice":
        data = child_libreoffice(int(target))
    elif kind == "engine":
        data = child_engine(int(target), repeat)
    elif kind == "profile":
        data = child_profile(int(target), work, 20, Path(args.warmup))
    else:
        raise SystemExit(f"unknown measurement {kind!r}")
    Path(args.result).write_text(json.dumps(data), "utf-8")


# ---------------------------------------------------------------------------------------------
# the parent: run the children, collect, print


@dataclass
class Child:
    """One finished child process: wall seconds, peak RSS (MB) and its JSON result."""

    seconds: float
    peak_mb: float
    data: dict[str, Any]


def run_child(
    kind: str, target: object, work: Path, repeat: int = 1, warmup: Path | None = None
) -> Child:
    """Run ``python -m benchmarks.run_all --one KIND TARGET`` and wait for it with os.wait4."""
    result = work / f"result-{kind}-{time.monotonic_ns()}.json"
    log = result.with_suffix(".log")
    cmd = [sys.executable, "-m", "benchmarks.run_all", "--one", kind, str(target)]
    cmd += ["--work", str(work), "--result", str(result), "--repeat", str(repeat)]
    if warmup is not None:
        cmd += ["--warmup", str(warmup)]
    with log.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=err, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not result.exists():
        tail = log.read_text("utf-8", "replace")[-3000:]
        raise RuntimeError(f"{kind} {target} failed (exit {proc.returncode}):\n{tail}")
    return Child(seconds, usage.ru_maxrss / 1024, json.loads(result.read_text("utf-8")))


@dataclass
class Row:
    """Everything measured at one size (seconds; MB; employees/s)."""

    n: int
    times: dict[str, float] = field(default_factory=dict)
    mem: dict[str, float] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)
    warm_stages: dict[str, float] = field(default_factory=dict)
    notes: dict[str, float] = field(default_factory=dict)


def command_runs(book: Path, n: int, work: Path, repeat: int) -> tuple[float, float, float, dict]:
    """``repeat`` separate `xlkpi recalc` processes on copies of ``book``: median wall, median
    in-process time, peak MB, stages of the median run."""
    runs = []
    for _ in range(repeat):
        copy = work / f"run{n}.xlsx"
        shutil.copyfile(book, copy)
        runs.append(run_child("command", copy, work))
    runs.sort(key=lambda c: c.seconds)
    mid = runs[len(runs) // 2]
    cli = statistics.median(c.data["cli"] for c in runs)
    peak = max(c.peak_mb for c in runs)
    return statistics.median(c.seconds for c in runs), cli, peak, mid.data["stages"]


def measure(n: int, work: Path, repeat: int | None, skip: set[str], warmup: Path, echo: Any) -> Row:
    """Every measurement for ``n`` staff, each in its own process."""
    reps = repeat or (3 if n <= 10_000 else 1)
    row = Row(n)
    echo(f"  {n:,} staff: preparing the workbooks …")
    prep = run_child("prepare", n, work)
    row.notes["prepare"] = prep.seconds
    if "engine" not in skip:
        echo(f"  {n:,} staff: engine …")
        c = run_child("engine", n, work, reps)
        row.times["engine"], row.mem["engine"] = c.data["seconds"], c.peak_mb
        row.notes["engine_rate"] = c.data["rate"]
    if "floor" not in skip:
        echo(f"  {n:,} staff: floor …")
        c = run_child("floor", n, work, reps)
        row.times["read"], row.times["write"] = c.data["read"], c.data["write"]
        row.times["floor"] = c.data["read"] + c.data["write"]
        row.mem["floor"] = c.peak_mb
    for kind, book in (("first", f"fresh{n}.xlsx"), ("recalc", f"changed{n}.xlsx")):
        if kind in skip:
            continue
        echo(f"  {n:,} staff: xlkpi recalc ({kind}) …")
        wall, cli, peak, stages = command_runs(work / book, n, work, reps)
        row.times[kind], row.times[f"{kind}_in"], row.mem[kind] = wall, cli, peak
        if kind == "recalc":
            row.stages = {k: v for k, v in stages.items() if k != "total"}
    if "warm" not in skip:
        echo(f"  {n:,} staff: recalc() in a warmed-up process …")
        c = run_child("warm", n, work, reps, warmup)
        row.times["first_warm"] = c.data["first"]["total"]
        row.times["recalc_warm"] = c.data["recalc"]["total"]
        row.warm_stages = {k: v for k, v in c.data["recalc"].items() if k != "total"}
    if "openpyxl" not in skip:
        echo(f"  {n:,} staff: openpyxl …")
        c = run_child("openpyxl", n, work)
        row.times["openpyxl"], row.mem["openpyxl"] = c.data["seconds"], c.peak_mb
    if "libreoffice" not in skip:
        echo(f"  {n:,} staff: LibreOffice …")
        c = run_child("libreoffice", n, work)
        row.times["libreoffice"], row.times["lo_startup"] = c.data["total"], c.data["startup"]
        row.mem["libreoffice"] = c.data["soffice_mb"]
    return row


# ---------------------------------------------------------------------------------------------
# machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def _libreoffice_version() -> str:
    from tests.support.libreoffice import soffice_path

    exe = soffice_path()
    if exe is None:
        return "not installed"
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home}
        try:
            out = subprocess.run(
                [exe, "--version"], env=env, capture_output=True, text=True, timeout=60
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return "unknown"
    return " ".join(out.split()[:2]) or "unknown"


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for dist in ("python-calamine", "xlsxwriter", "openpyxl"):
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            parts.append(f"{dist} ?")
    return ", ".join(parts)


def machine() -> dict[str, str]:
    """CPU, cores, memory, OS, Python, LibreOffice, libraries, date, load."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "CPU": _cpu_model(),
        "cores": f"{os.cpu_count()} logical ({len(os.sched_getaffinity(0))} usable)",
        "memory": f"{_memory_gb():.1f} GB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_version()} ({sys.executable})",
        "LibreOffice": _libreoffice_version(),
        "libraries": _versions(),
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "load average at start (1/5/15 min)": load,
    }


# ---------------------------------------------------------------------------------------------
# the report


def _cell(row: Row, key: str, mem_key: str | None = None) -> str:
    t = row.times.get(key)
    if t is None:
        return "—"
    text = f"{t:.3f} s" if t < 10 else f"{t:.1f} s"
    if mem_key and mem_key in row.mem:
        text += f" · {row.mem[mem_key]:.0f} MB"
    return text


TABLE = [  # label, time key, memory key
    ("xlkpi recalc, repeat after one edit (command)", "recalc", "recalc"),
    ("  in-process, in the command", "recalc_in", None),
    ("  in-process, warm (as bench_recalc)", "recalc_warm", None),
    ("xlkpi recalc, first of a filled book (command)", "first", "first"),
    ("  in-process, in the command", "first_in", None),
    ("  in-process, warm (as bench_recalc)", "first_warm", None),
    ("floor: calamine read + xlsxwriter write", "floor", "floor"),
    ("  read every sheet (calamine)", "read", None),
    ("  write the output cells (xlsxwriter)", "write", None),
    ("openpyxl load + save", "openpyxl", "openpyxl"),
    ("LibreOffice recalc, start-up included", "libreoffice", "libreoffice"),
    ("  LibreOffice start-up alone", "lo_startup", None),
    ("engine alone: compute_month", "engine", "engine"),
]


def table_rows(rows: list[Row]) -> list[list[str]]:
    """The main table: one line per measurement, one column per size."""
    out = []
    for label, key, mem in TABLE:
        if all(key not in r.times for r in rows):
            continue
        out.append([label, *(_cell(r, key, mem) for r in rows)])
    if any("engine_rate" in r.notes for r in rows):
        rates = [
            f"{r.notes['engine_rate']:,.0f}/s" if "engine_rate" in r.notes else "—" for r in rows
        ]
        out.append(["  employees per second", *rates])
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def ratio_rows(rows: list[Row]) -> tuple[list[list[str]], list[str]]:
    """Ratio lines with a verdict per size, and the overall verdict sentences."""
    out: list[list[str]] = []
    fails: list[str] = []
    checked: list[str] = []

    def line(label: str, values: list[float | None], ok: list[bool | None], fmt: str) -> None:
        cells = []
        for r, v, good in zip(rows, values, ok, strict=True):
            if v is None:
                cells.append("—")
                continue
            mark = "" if good is None else (" ✓" if good else " ✗")
            cells.append(format(v, fmt) + mark)
            if good is not None:
                checked.append(label)
                if not good:
                    fails.append(f"{label} at {r.n:,} staff: {format(v, fmt)}")
        out.append([label, *cells])

    floor_in = [_ratio(r.times.get("recalc_warm"), r.times.get("floor")) for r in rows]
    line(
        f"recalc ÷ floor, warm in-process (target ≤ {FLOOR_TARGET:g})",
        floor_in,
        [None if v is None else v <= FLOOR_TARGET for v in floor_in],
        ".2f",
    )
    cold = [_ratio(r.times.get("recalc_in"), r.times.get("floor")) for r in rows]
    line("recalc ÷ floor, in-process in the command", cold, [None] * len(rows), ".2f")
    floor_cmd = [_ratio(r.times.get("recalc"), r.times.get("floor")) for r in rows]
    line("recalc ÷ floor, whole command", floor_cmd, [None] * len(rows), ".2f")
    first = [_ratio(r.times.get("first_warm"), r.times.get("floor")) for r in rows]
    line("first recalc ÷ floor, warm in-process", first, [None] * len(rows), ".2f")
    lo = [_ratio(r.times.get("libreoffice"), r.times.get("recalc")) for r in rows]
    sizes = "/".join(f"{n // 1000}k" for n in LO_TARGET_SIZES)
    line(
        f"LibreOffice ÷ recalc, both with start-up (target ≥ {LO_TARGET:g} at {sizes})",
        lo,
        [
            None if v is None or r.n not in LO_TARGET_SIZES else v >= LO_TARGET
            for r, v in zip(rows, lo, strict=True)
        ],
        ".2f",
    )
    rates = [r.notes.get("engine_rate") for r in rows]
    line(
        f"engine employees/s (target ≥ {ENGINE_TARGET:,} from {ENGINE_TARGET_FROM:,} staff)",
        rates,
        [
            None if v is None or r.n < ENGINE_TARGET_FROM else v >= ENGINE_TARGET
            for r, v in zip(rows, rates, strict=True)
        ],
        ",.0f",
    )
    verdict = []
    if not checked:
        verdict.append("No target was checked (measurements skipped).")
    elif fails:
        verdict.append("Targets missed: " + "; ".join(fails) + ".")
    else:
        verdict.append("Every target checked is met.")
    if not any(r.n in LO_TARGET_SIZES for r in rows):
        verdict.append(
            f"The LibreOffice target applies at {sizes} staff only; not measured in this run."
        )
    return out, verdict


def stage_rows(rows: list[Row]) -> list[list[str]]:
    """Where the repeat recalc spends its time, per size: in the command (share of its wall
    time) and in a warm process."""
    out = []
    for stage in ("read", "compute", "build", "write"):
        cells = []
        for r in rows:
            v, total, warm = r.stages.get(stage), r.times.get("recalc"), r.warm_stages.get(stage)
            cell = "—" if v is None or not total else f"{v:.3f} s ({v / total:.0%})"
            if warm is not None:
                cell += f" · warm {warm:.3f} s"
            cells.append(cell)
        out.append([stage, *cells])
    cells = []
    for r in rows:
        wall, inner = r.times.get("recalc"), r.times.get("recalc_in")
        if wall is None or inner is None:
            cells.append("—")
        else:
            cells.append(f"{wall - inner:.3f} s ({(wall - inner) / wall:.0%})")
    out.append(["Python start-up, imports, CLI", *cells])
    return out


def text_table(head: list[str], body: list[list[str]]) -> str:
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    lines = []
    for k, cells in enumerate([head, *body]):
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        lines.append("  ".join([first, *rest]).rstrip())
        if k == 0:
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)


def md_table(head: list[str], body: list[list[str]]) -> str:
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
    ]
    lines += ["| " + " | ".join(c.replace("  ", "&nbsp;&nbsp;", 1) for c in b) + " |" for b in body]
    return "\n".join(lines)


STAGE_NOTES = """\
* **read** — python-calamine reads every sheet, then every input cell is converted and
  validated (`to_decimal`, whole-number checks, one `CellProblem` per bad cell) into a `Month`;
* **compute** — `compute_month`: every pay line, trace and alert in Decimal;
* **build** — the engine's results turned into cell edits (Payroll values, Alerts, meta, the
  cached values of formula cells on the input sheets);
* **write** — `xlsx_patch` copies the workbook into a temporary file, rewriting only the edited
  sheets' XML, and `atomic_replace` swaps it in (keeping the previous version as `.bak.xlsx`);
* **Python start-up, imports, CLI** — what the command costs beyond `recalc()` itself.

read + write are the floor's two halves done for real (converting and validating every input,
keeping every formula and style of the template); compute + build are the work proper."""


def report_markdown(
    rows: list[Row], info: dict[str, str], argv: list[str], profile: str | None, repeat: int | None
) -> str:
    head = ["", *(f"{r.n:,} staff" for r in rows)]
    ratios, verdict = ratio_rows(rows)
    prep = ", ".join(f"{r.n:,}: {r.notes['prepare']:.0f} s" for r in rows)
    runs = f"{repeat} runs" if repeat else "3 runs up to 10,000 staff, 1 above"
    parts = [
        "# Performance",
        "",
        f"Measured by `python -m benchmarks.run_all {' '.join(argv)}`.".replace("  ", " ")
        + " Every measurement ran in its own Python process; times are medians"
        f" ({runs}; LibreOffice always 3, openpyxl 1); memory is the peak resident set of"
        " that process (for LibreOffice, of its largest soffice process).",
        "",
        "## Results",
        "",
        "Wall time · peak memory.",
        "",
        md_table(head, table_rows(rows)),
        "",
        "* **xlkpi recalc (command)** — a fresh `python` process running `xlkpi recalc"
        " --no-progress BOOK` (the CLI entry point), from process start to exit, on a workbook"
        " of `synthetic_month(N)` typed into the template. *repeat*: the monthly routine — the"
        " book was recalculated before and one sales figure changed since. *first*: the first"
        " recalc of the freshly filled book, which also writes every Payroll formula."
        " *in-process, in the command*: `recalc()` timed inside that command (no interpreter"
        " start-up, but the first call's lazy imports and policy loading)."
        " *in-process, warm*: `recalc()` in a process that recalculated a small book first,"
        " as `benchmarks/bench_recalc.py` times it.",
        "* **floor** — what no implementation can avoid: python-calamine reading every sheet"
        " of the same book + xlsxwriter writing the output cells alone (Payroll values, Alerts,"
        " meta) into a new file; in-process.",
        "* **openpyxl** — `load_workbook` + `save` of the same book (what a naive tool does).",
        "* **LibreOffice** — headless LibreOffice recalculating the same month built as a"
        " pure-formula workbook (`tests/support/formula_twins.py`: a Policy sheet, team pools"
        " by SUMIFS, one row of formulas per employee for all eight plans), start-up included;"
        " median of 3 (`benchmarks/bench_libreoffice.py`).",
        "* **engine** — `compute_month` on the month in memory (input building excluded).",
        "",
        "## Ratios and targets",
        "",
        md_table(head, ratios),
        "",
        *verdict,
        "",
        "The recalc ÷ floor target is checked like with like: both in a warm process, as"
        " `bench_recalc.py` measures them (the floor is a median of runs in one process); the"
        " two lines below it show what the command adds (first-call imports, then Python"
        " start-up). LibreOffice ÷ recalc compares the two commands a user would run, both"
        " with start-up.",
        "",
        "## Where the time goes (repeat recalc)",
        "",
        "Stages of the median repeat recalc, as `xlkpi.recalc` times them, inside the command"
        " (share of the command's wall time) and in a warm process:",
        "",
        md_table(head, stage_rows(rows)),
        "",
        STAGE_NOTES,
        "",
    ]
    if profile:
        parts += [
            f"cProfile of one repeat recalc at {rows[-1].n:,} staff (warm process, top functions"
            " by own time; profiling slows it down):",
            "",
            "```",
            profile.strip(),
            "```",
            "",
        ]
    parts += [
        "## Machine",
        "",
        *(f"* {k}: {v}" for k, v in info.items()),
        "",
        "## How to reproduce",
        "",
        "```sh",
        "cd /work/main   # the repo root",
        "/work/venv/bin/python -m benchmarks.run_all --write docs/performance.md   # full sizes",
        "/work/venv/bin/python -m benchmarks.run_all --sizes 100 1000           # quick check",
        "/work/venv/bin/python -m benchmarks.run_all --profile                  # + cProfile",
        "```",
        "",
        "Options: `--sizes N …`, `--repeat R` (default 3 up to 10,000 staff, else 1),"
        " `--skip openpyxl libreoffice …`, `--profile`, `--write FILE`. LibreOffice must be"
        " installed (`soffice` on PATH or `XLKPI_SOFFICE`). Run it on a quiet machine: other"
        " load inflates every figure. Preparing the workbooks (template filled, recalculated"
        f" once, one input edited) is not timed ({prep}).",
        "",
    ]
    return "\n".join(parts)


def run_all(args: argparse.Namespace, argv: list[str]) -> None:
    def echo(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    info = machine()
    skip = set(args.skip or [])
    rows: list[Row] = []
    profile = None
    with tempfile.TemporaryDirectory(prefix="xlkpi-run-all-") as tmp:
        work = Path(tmp)
        base = run_child("baseline", 0, work)
        echo(
            f"Python + xlkpi imports alone: {base.seconds:.2f} s, {base.peak_mb:.0f} MB "
            f"(a floor under every command figure)"
        )
        run_child("prepare", WARMUP_N, work)
        warmup = work / f"changed{WARMUP_N}.xlsx"
        for n in sorted(args.sizes):
            t0 = time.perf_counter()
            rows.append(measure(n, work, args.repeat, skip, warmup, echo))
            echo(f"  {n:,} staff done in {time.perf_counter() - t0:.0f} s")
        if args.profile:
            echo(f"  profiling one recalc at {rows[-1].n:,} staff …")
            profile = run_child("profile", rows[-1].n, work, warmup=warmup).data["text"]
    info["Python + xlkpi imports alone"] = f"{base.seconds:.2f} s, {base.peak_mb:.0f} MB"
    info["load average at end (1/5/15 min)"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())

    head = ["", *(f"{r.n:,} staff" for r in rows)]
    ratios, verdict = ratio_rows(rows)
    print()
    print("  ".join(f"{k}: {v}" for k, v in info.items() if k in ("CPU", "cores", "memory")))
    print(f"Python {platform.python_version()}, {info['LibreOffice']}, {info['date']}")
    print(
        f"load average: start {info['load average at start (1/5/15 min)']}, "
        f"end {info['load average at end (1/5/15 min)']}"
    )
    print()
    print("Wall time · peak memory (each measurement in its own process)")
    print(text_table(head, table_rows(rows)))
    print()
    print(text_table(head, ratios))
    print()
    print("\n".join(verdict))
    print()
    print("Where the repeat recalc's time goes")
    print(text_table(head, stage_rows(rows)))
    if profile:
        print()
        print(profile)
    if args.write:
        path = Path(args.write)
        path.write_text(report_markdown(rows, info, argv, profile, args.repeat), "utf-8")
        print(f"\nwritten: {path}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, help="runs per timing (default 3, 1 above 10,000)")
    parser.add_argument("--skip", nargs="+", choices=MEASURES, help="measurements to leave out")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile one recalc at the largest size"
    )
    parser.add_argument("--write", metavar="FILE", help="write the markdown report to FILE")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "TARGET"), help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--warmup", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        run_one(args)
    else:
        run_all(args, argv)


if __name__ == "__main__":
    main()
