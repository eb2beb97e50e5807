"""Run every speed measurement of issue 13 in its own process; print (or write) one table.

For each size N (default 200 / 1,000 / 10,000 / 50,000 / 100,000 staff of ``synthetic_month(N)``
typed into the template) these are measured, each as a whole process, in *paired, interleaved*
rounds (round k runs one of each, the order rotating from round to round, so a load spike hits
both sides of a ratio alike; a ratio is the median over rounds of that round's ratio):

* ``xlkpi recalc`` — the real command (``xlkpi.cli.main(["recalc", BOOK])`` in a fresh Python,
  wall time from process start to exit), *repeat* (the book was recalculated before and one
  sales figure was edited since: the monthly routine) and *first* (the freshly filled book);
  its time after start-up and imports (``cli.main``) and its stages (read / compute / build /
  write) too;
* LibreOffice headless recalculating the same month built as formulas (the pure-formula twin of
  ``tests/support/formula_twins.py``), start-up included;
* the floor — python-calamine reading the sheets a month needs (every sheet but the Payroll and
  Alerts outputs) + xlsxwriter writing the output cells alone (Payroll values, Alerts, meta);
  in-process, as the issue measures it; its process's peak memory;
* ``xlkpi check`` and ``xlkpi payslips`` (sizes up to ``--small``, default 1,000);
* the engine alone — ``compute_month`` in memory, employees per second;

each with its peak resident memory (the child's max RSS from ``os.wait4``; for LibreOffice the
largest soffice process). Once per run: Python start-up plus the imports ``xlkpi recalc`` makes
(a fresh ``python -c "import …"`` of exactly the modules a recalc loaded, paired with a bare
``python -c pass``), and this machine's raw throughput — reading a file from the page cache,
inflating, deflating at the level xlsx_patch uses, writing and fsyncing — from which the
*physical floor* of each size is estimated: the compressed bytes a recalc must read, inflate,
deflate and write (taken from the real files), divided by those rates.

Run from the repo root: ``python -m benchmarks.run_all`` (about 25 minutes with 50k/100k),
``--sizes 200 1000 10000`` for a quick run (a few minutes), ``--write FILE`` for the markdown
report, ``--profile`` for a cProfile of one repeat recalc at the largest size.
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
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SIZES = (200, 1_000, 10_000, 50_000, 100_000)
MEASURES = ("recalc", "first", "libreoffice", "floor", "check", "payslips", "engine")
SMALL = 1_000  # check and payslips are measured up to this size
WARMUP_N = 50  # staff in the book a profiling process recalculates once first

# the targets of issue 13
LO_TARGETS = {10_000: 2.0, 50_000: 3.0}  # LibreOffice ÷ repeat recalc, at least
FLOOR_TARGET = 1.5  # repeat recalc ÷ floor, at most, at the LO_TARGETS sizes
FIRST_TARGET = 2.0  # first recalc ÷ floor, at most
MEMORY_TARGET = (50_000, 2.0)  # recalc peak ÷ floor peak, at most, at this size
SMALL_TARGET = (200, 0.3)  # recalc / check / payslips in-process seconds at this size
STARTUP_TARGET = 0.15  # Python start-up + imports of `xlkpi recalc`, seconds
ENGINE_TARGET = (50_000, 1_000)  # employees per second, judged from this size on


def _rounds(n: int) -> int:
    return 5 if n <= 1_000 else 3 if n <= 50_000 else 1


# ---------------------------------------------------------------------------------------------
# children: one measurement each, result as JSON in --result


def child_prepare(n: int, work: Path) -> dict[str, Any]:
    """fresh{n}.xlsx (filled), changed{n}.xlsx (recalculated, then one sales figure edited),
    done{n}.xlsx (changed{n} recalculated), floor{n}.json (the output cells the floor writes),
    twin{n}.xlsx (the pure-formula month for LibreOffice) and the bytes of the physical floor."""
    from benchmarks.bench_recalc import make_book, sales_edit_cell
    from xlkpi import layout
    from xlkpi.recalc import payroll_values, recalc
    from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

    t0 = time.perf_counter()
    fresh = make_book(work / f"fresh{n}.xlsx", n)
    built = time.perf_counter() - t0
    once = work / f"once{n}.xlsx"
    shutil.copyfile(fresh, once)
    result = recalc(once).result
    changed = work / f"changed{n}.xlsx"
    patch_workbook(
        once, changed, {layout.SALES.name: SheetEdit(values={sales_edit_cell(n): 12345})}
    )
    done = work / f"done{n}.xlsx"
    shutil.copyfile(changed, done)
    recalc(done)
    for extra in (once, once.with_name(f"once{n}.bak.xlsx"), done.with_name(f"done{n}.bak.xlsx")):
        extra.unlink(missing_ok=True)
    fields = [c.field for c in layout.PAYROLL.columns]
    rows = [[_plain(payroll_values(r).get(f)) for f in fields] for r in result.results]
    alerts = [[a.employee_id, a.name, a.kind, a.code, a.message] for a in result.alerts]
    (work / f"floor{n}.json").write_text(json.dumps({"rows": rows, "alerts": alerts}), "utf-8")
    out: dict[str, Any] = {"build": built, "staff": len(result.results)}
    out["bytes"] = floor_bytes(changed, done)
    try:
        out["twin"] = _build_twin(n, work)
    except Exception as exc:  # the twin follows the plans; report rather than stop the run
        out["twin_error"] = f"{type(exc).__name__}: {exc}"[:300]
    return out


def _build_twin(n: int, work: Path) -> float:
    from tests.support import formula_twins as ft
    from xlkpi.policy_io import default_policy
    from xlkpi.sample_data import synthetic_month

    t0 = time.perf_counter()
    month = ft.month_without_history(synthetic_month(n))
    ft.build_month_workbook(work / f"twin{n}.xlsx", month, default_policy())
    return time.perf_counter() - t0


def _plain(value: Any) -> Any:
    """A Payroll cell as JSON: strings stay, numbers become decimal strings tagged with '#'."""
    if value is None or isinstance(value, str):
        return value
    return f"#{value}"


def output_sheet_names() -> tuple[str, ...]:
    """The sheets a recalc writes wholesale and need not read: Payroll and Alerts."""
    from xlkpi.layout import ALERTS, PAYROLL

    return (PAYROLL.name, ALERTS.name)


def floor_bytes(before: Path, after: Path) -> dict[str, int]:
    """What a repeat recalc must move, from the real files: the compressed and inflated bytes
    of every part it reads (all but the output sheets), the inflated bytes of the parts that
    change (deflated again), and the size of the file written (a zip is rewritten whole)."""
    from zipfile import ZipFile

    from xlkpi.workbook.xlsx_patch import workbook_parts

    with ZipFile(before) as zin, ZipFile(after) as zout:
        parts = workbook_parts(zin)
        outputs = {parts.sheets[s] for s in output_sheet_names() if s in parts.sheets}
        read_packed = read_raw = 0
        for info in zin.infolist():
            if info.filename not in outputs:
                read_packed += info.compress_size
                read_raw += info.file_size
        old = {i.filename: i.CRC for i in zin.infolist()}
        changed = [i for i in zout.infolist() if old.get(i.filename) != i.CRC]
        return {
            "read_packed": read_packed,
            "read_raw": read_raw,
            "changed_raw": sum(i.file_size for i in changed),
            "changed_packed": sum(i.compress_size for i in changed),
            "changed_parts": len(changed),
            "file": after.stat().st_size,
            "input_file": before.stat().st_size,
        }


COMMAND_CHILD = """\
import sys
bare = set(sys.modules)
import contextlib, io, json, time
t0 = time.perf_counter()
import xlkpi.recalc as recalc_module
from xlkpi import cli
imports = time.perf_counter() - t0
argv, result = json.loads(sys.argv[1]), sys.argv[2]
original = recalc_module.recalc
stages = {}
memory = {}
def rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 1048576
def capturing(*args, **kwargs):
    shown = kwargs.get("progress")
    def progress(stage, fraction):
        if fraction == 0 or stage == "done":
            memory.setdefault(stage, rss_mb())
        if shown is not None:
            shown(stage, fraction)
    kwargs["progress"] = progress
    r = original(*args, **kwargs)
    stages.update(r.timings)
    return r
recalc_module.recalc = capturing
t0 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()) as text:
    code = cli.main(["--no-progress", *argv])
seconds = time.perf_counter() - t0
if code != 0:
    raise SystemExit(f"xlkpi {' '.join(argv)} exited {code}: {text.getvalue()[-2000:]}")
modules = sorted(set(sys.modules) - bare)
with open(result, "w", encoding="utf-8") as fh:
    out = {"cli": seconds, "imports": imports, "stages": stages, "modules": modules}
    json.dump({**out, "memory": memory}, fh)
"""


def run_command(argv: list[str], work: Path) -> Child:
    """``xlkpi ARGV`` in a fresh Python that imports nothing else first: its wall time, peak
    memory, the seconds of importing xlkpi.cli and xlkpi.recalc, the seconds of
    ``cli.main`` after that (imports it makes lazily included), recalc stages and the modules
    it loaded beyond bare Python."""
    script = work / "command_child.py"
    if not script.exists():
        script.write_text(COMMAND_CHILD, "utf-8")
    result = work / f"result-command-{time.monotonic_ns()}.json"
    log = result.with_suffix(".log")
    seconds, peak, code = _wait([sys.executable, str(script), json.dumps(argv), str(result)], log)
    if code != 0 or not result.exists():
        tail = log.read_text("utf-8", "replace")[-3000:]
        raise RuntimeError(f"xlkpi {argv} failed (exit {code}):\n{tail}")
    return Child(seconds, peak, json.loads(result.read_text("utf-8")))


def child_floor(n: int, work: Path) -> dict[str, float]:
    """calamine reading the sheets a month needs; xlsxwriter writing the output cells alone."""
    from decimal import Decimal

    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from xlkpi import layout
    from xlkpi.layout import ALERTS, PAYROLL

    data = json.loads((work / f"floor{n}.json").read_text("utf-8"))
    rows = [
        [Decimal(v[1:]) if isinstance(v, str) and v.startswith("#") else v for v in row]
        for row in data["rows"]
    ]
    book, out = work / f"changed{n}.xlsx", work / f"floor-out{n}.xlsx"
    skip = set(output_sheet_names())
    t0 = time.perf_counter()
    wb = CalamineWorkbook.from_path(str(book))
    sheets = {
        name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in wb.sheet_names
        if name not in skip
    }
    wb.close()
    t1 = time.perf_counter()
    xl = xlsxwriter.Workbook(str(out))
    ws = xl.add_worksheet(PAYROLL.name)
    for i, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(i, c, v)
            else:
                ws.write_number(i, c, float(v))
    ws = xl.add_worksheet(ALERTS.name)
    for i, alert in enumerate(data["alerts"], start=1):
        ws.write_row(i, 0, alert)
    xl.add_worksheet(layout.META).write_row(0, 0, ["status", "recalculated"])
    xl.close()
    t2 = time.perf_counter()
    cells = sum(len(r) for rows_ in sheets.values() for r in rows_)
    return {"read": t1 - t0, "write": t2 - t1, "cells": cells}


def child_libreoffice(n: int, work: Path) -> dict[str, float]:
    """One LibreOffice recalculation of the pure-formula month; peak RSS of soffice (MB)."""
    from tests.support import libreoffice as lo

    out_dir = work / f"lo-out{n}"
    _, seconds = lo.timed_recalculate(work / f"twin{n}.xlsx", out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "soffice_mb": peak}


def child_lo_startup() -> dict[str, float]:
    """LibreOffice start-up alone (median of 3, profile warmed first)."""
    from tests.support import libreoffice as lo

    return {"seconds": lo.startup_seconds(3)}


def child_engine(n: int, repeat: int) -> dict[str, float]:
    """compute_month alone, in memory: median seconds and employees per second."""
    from benchmarks.bench_engine import bench

    build, runs = bench(n, repeat)
    median = statistics.median(runs)
    return {"build": build, "seconds": median, "rate": n / median}


def child_throughput(work: Path) -> dict[str, float]:
    """This machine's raw rates (MB/s) on 64 MB of sheet-like XML: read from the page cache,
    inflate, deflate at xlsx_patch's level, write + fsync."""
    from xlkpi.workbook.xlsx_patch import COMPRESS_LEVEL

    row = (
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>E%05d</t></is></c>'
        b'<c r="B%d"><v>%d.25</v></c></row>'
    )
    data = b"".join(row % (i, i, i % 99999, i, i * 37 % 9000) for i in range(1, 700_000))[
        : 64 << 20
    ]
    mb = len(data) / 1e6
    path = work / "throughput.bin"
    packed = zlib.compress(data, COMPRESS_LEVEL, -15)

    def best(fn: Callable[[], object]) -> float:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    def write() -> None:
        with open(path, "wb") as fh:
            fh.write(packed)
            fh.flush()
            os.fsync(fh.fileno())

    write()
    packed_mb = len(packed) / 1e6
    return {
        "write": packed_mb / best(write),
        "read": packed_mb / best(path.read_bytes),
        "inflate": mb / best(lambda: zlib.decompress(packed, -15)),
        "deflate": mb / best(lambda: zlib.compress(data, COMPRESS_LEVEL, -15)),
        "ratio": len(data) / len(packed),
    }


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
    work = Path(args.work)
    data: dict[str, Any]
    if kind == "prepare":
        data = child_prepare(int(target), work)
    elif kind == "floor":
        data = child_floor(int(target), work)
    elif kind == "libreoffice":
        data = child_libreoffice(int(target), work)
    elif kind == "lo_startup":
        data = child_lo_startup()
    elif kind == "engine":
        data = child_engine(int(target), args.repeat or 3)
    elif kind == "throughput":
        data = child_throughput(work)
    elif kind == "profile":
        data = child_profile(int(target), work, 25, Path(args.warmup))
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


def _wait_usage(cmd: list[str], log: Path) -> tuple[float, float, int, float]:
    """Run ``cmd``; (wall seconds, peak RSS MB, exit code, CPU seconds), with os.wait4."""
    with log.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=err, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), cpu


def _wait(cmd: list[str], log: Path) -> tuple[float, float, int]:
    """Run ``cmd``; (wall seconds, peak RSS MB, exit code), measured with os.wait4."""
    return _wait_usage(cmd, log)[:3]


def run_child(
    kind: str, target: object, work: Path, repeat: int = 0, warmup: Path | None = None
) -> Child:
    """Run ``python -m benchmarks.run_all --one KIND TARGET`` and wait for it."""
    result = work / f"result-{kind}-{time.monotonic_ns()}.json"
    log = result.with_suffix(".log")
    cmd = [sys.executable, "-m", "benchmarks.run_all", "--one", kind, str(target)]
    cmd += ["--work", str(work), "--result", str(result), "--repeat", str(repeat)]
    if warmup is not None:
        cmd += ["--warmup", str(warmup)]
    seconds, peak, code = _wait(cmd, log)
    if code != 0 or not result.exists():
        tail = log.read_text("utf-8", "replace")[-3000:]
        raise RuntimeError(f"{kind} {target} failed (exit {code}):\n{tail}")
    return Child(seconds, peak, json.loads(result.read_text("utf-8")))


@dataclass
class Row:
    """Everything measured at one size: per-round values, medians, notes."""

    n: int
    runs: dict[str, list[float]] = field(default_factory=dict)  # measure -> per-round seconds
    mem: dict[str, float] = field(default_factory=dict)  # measure -> peak MB (max over rounds)
    inner: dict[str, list[float]] = field(default_factory=dict)  # in-process seconds
    stages: dict[str, float] = field(default_factory=dict)  # of the median repeat recalc
    notes: dict[str, Any] = field(default_factory=dict)

    def median(self, key: str) -> float | None:
        values = self.runs.get(key)
        return statistics.median(values) if values else None

    def inner_median(self, key: str) -> float | None:
        values = self.inner.get(key)
        return statistics.median(values) if values else None

    def paired(self, a: str, b: str, inner_a: bool = False) -> float | None:
        """Median over rounds of a ÷ b (same round), a's in-process time with ``inner_a``."""
        xs = (self.inner if inner_a else self.runs).get(a, [])
        ys = self.runs.get(b, [])
        ratios = [x / y for x, y in zip(xs, ys, strict=False) if y]
        return statistics.median(ratios) if ratios else None


def measure(
    n: int, work: Path, rounds: int, skip: set[str], small: int, echo: Callable[[str], None]
) -> Row:
    """Every measurement for ``n`` staff, in ``rounds`` interleaved rounds."""
    row = Row(n)
    echo(f"  {n:,} staff: preparing the workbooks …")
    prep = run_child("prepare", n, work)
    row.notes["prepare"] = prep.seconds
    row.notes["bytes"] = prep.data["bytes"]
    if "twin_error" in prep.data:
        row.notes["twin_error"] = prep.data["twin_error"]
        skip = skip | {"libreoffice"}
    kinds = [k for k in ("recalc", "libreoffice", "floor", "first") if k not in skip]
    kinds += [k for k in ("check", "payslips") if k not in skip and n <= small]
    slips = work / f"slips{n}"
    for k in range(rounds):
        echo(f"  {n:,} staff: round {k + 1} of {rounds} …")
        order = kinds[k % len(kinds) :] + kinds[: k % len(kinds)] if kinds else []
        for kind in order:
            if kind == "floor":
                c = run_child("floor", n, work)
                row.runs.setdefault("floor", []).append(c.data["read"] + c.data["write"])
                row.runs.setdefault("floor_read", []).append(c.data["read"])
                row.runs.setdefault("floor_write", []).append(c.data["write"])
                row.notes["floor_cells"] = c.data["cells"]
            elif kind == "libreoffice":
                c = run_child("libreoffice", n, work)
                row.runs.setdefault(kind, []).append(c.data["seconds"])
                row.mem[kind] = max(row.mem.get(kind, 0.0), c.data["soffice_mb"])
                continue
            else:
                book = {"recalc": "changed", "first": "fresh"}.get(kind, "done")
                copy = work / f"run{n}.xlsx"
                shutil.copyfile(work / f"{book}{n}.xlsx", copy)
                argv = {
                    "recalc": ["recalc", str(copy)],
                    "first": ["recalc", str(copy)],
                    "check": ["check", str(copy)],
                    "payslips": ["payslips", str(copy), "--out", str(slips)],
                }[kind]
                c = run_command(argv, work)
                row.runs.setdefault(kind, []).append(c.seconds)
                row.inner.setdefault(kind, []).append(c.data["cli"])
                if kind == "recalc":
                    row.notes.setdefault("recalc_stages", []).append((c.seconds, c.data["stages"]))
                    row.notes["recalc_memory"] = {**c.data.get("memory", {}), "peak": c.peak_mb}
                    row.notes["modules"] = c.data["modules"]
            row.mem[kind] = max(row.mem.get(kind, 0.0), c.peak_mb)
    stages = sorted(row.notes.pop("recalc_stages", []), key=lambda s: s[0])
    if stages:
        row.stages = {k: v for k, v in stages[len(stages) // 2][1].items() if k != "total"}
    if "engine" not in skip:
        echo(f"  {n:,} staff: engine …")
        c = run_child("engine", n, work, 3 if n <= 50_000 else 1)
        row.runs["engine"] = [c.data["seconds"]]
        row.mem["engine"] = c.peak_mb
        row.notes["engine_rate"] = c.data["rate"]
    return row


def startup(work: Path, modules: list[str], rounds: int = 7) -> dict[str, Any]:
    """Python start-up alone and with the imports of `xlkpi recalc`: paired, interleaved
    process wall times (median), and the heaviest imports by ``-X importtime`` (self ms)."""
    bare_out = subprocess.run(
        [sys.executable, "-c", "import sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    bare = set(bare_out)
    wanted = [m for m in modules if m not in bare and not m.startswith(("benchmarks", "__main__"))]
    stdlib = sys.stdlib_module_names
    tops = sorted({m.split(".")[0] for m in wanted} - stdlib - {"_distutils_hack"})
    tops = [t for t in tops if not t.startswith("_")]
    code = (
        "import importlib\n"
        f"for name in {sorted(wanted, key=len)!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception:\n"
        "        pass\n"
    )
    script = work / "startup_imports.py"
    script.write_text(code, "utf-8")
    alone, full, alone_cpu, full_cpu = [], [], [], []
    log = work / "startup.log"
    for _ in range(rounds):
        seconds, _, _, cpu = _wait_usage([sys.executable, "-c", "pass"], log)
        alone.append(seconds)
        alone_cpu.append(cpu)
        seconds, _, _, cpu = _wait_usage([sys.executable, str(script)], log)
        full.append(seconds)
        full_cpu.append(cpu)
    trace = subprocess.run(
        [sys.executable, "-X", "importtime", str(script)],
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stderr
    heavy: list[tuple[int, str]] = []
    for line in trace.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[0].strip().startswith("import time:"):
            try:
                own = int(parts[0].split(":")[1])
            except ValueError:
                continue
            heavy.append((own, parts[2].strip()))
    heavy.sort(reverse=True)
    return {
        "python": statistics.median(alone),
        "with_imports": statistics.median(full),
        "python_cpu": statistics.median(alone_cpu),
        "with_imports_cpu": statistics.median(full_cpu),
        "modules": len(wanted),
        "packages": tops,
        "heaviest": [f"{name} {us / 1000:.0f} ms" for us, name in heavy[:8]],
    }


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
    for dist in ("python-calamine", "xlsxwriter", "pydantic"):
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            parts.append(f"{dist} ?")
    return ", ".join(parts)


def _git_head() -> str:
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%h %s"], cwd=REPO, capture_output=True, text=True
        )
    except OSError:
        return "?"
    return out.stdout.strip()[:80] or "?"


def machine() -> dict[str, str]:
    """CPU, cores, memory, OS, Python, LibreOffice, libraries, commit, date, load."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "CPU": _cpu_model(),
        "cores": f"{os.cpu_count()} logical ({len(os.sched_getaffinity(0))} usable)",
        "memory": f"{_memory_gb():.1f} GB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_version()} ({sys.executable})",
        "LibreOffice": _libreoffice_version(),
        "libraries": _versions(),
        "commit": _git_head(),
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load average at start (1/5/15 min)": load,
    }


# ---------------------------------------------------------------------------------------------
# the report


def _secs(t: float | None) -> str:
    if t is None:
        return "—"
    return f"{t:.3f} s" if t < 10 else f"{t:.1f} s"


def _mb(row: Row, key: str) -> str:
    return f" · {row.mem[key]:.0f} MB" if key in row.mem else ""


def physical_floor(row: Row, rates: dict[str, float]) -> dict[str, float] | None:
    """Seconds to move this size's bytes at this machine's raw rates (see child_throughput)."""
    b = row.notes.get("bytes")
    if not b or not rates:
        return None
    parts = {
        "read": b["read_packed"] / 1e6 / rates["read"],
        "inflate": b["read_raw"] / 1e6 / rates["inflate"],
        "deflate": b["changed_raw"] / 1e6 / rates["deflate"],
        "write": b["file"] / 1e6 / rates["write"],
    }
    parts["total"] = sum(parts.values())
    return parts


def table_rows(rows: list[Row], rates: dict[str, float]) -> list[list[str]]:
    """The main table: one line per measurement, one column per size."""
    out: list[list[str]] = []

    def line(label: str, cells: list[str]) -> None:
        if any(c != "—" for c in cells):
            out.append([label, *cells])

    line(
        "xlkpi recalc, repeat after one edit",
        [_secs(r.median("recalc")) + _mb(r, "recalc") for r in rows],
    )
    line("  after start-up and imports (cli.main)", [_secs(r.inner_median("recalc")) for r in rows])
    line(
        "xlkpi recalc, first of a filled month",
        [_secs(r.median("first")) + _mb(r, "first") for r in rows],
    )
    line("  after start-up and imports (cli.main)", [_secs(r.inner_median("first")) for r in rows])
    line(
        "LibreOffice recalculating the month as formulas",
        [_secs(r.median("libreoffice")) + _mb(r, "libreoffice") for r in rows],
    )
    line(
        "floor: calamine read + xlsxwriter write",
        [_secs(r.median("floor")) + _mb(r, "floor") for r in rows],
    )
    line(
        "  read the sheets a month needs (calamine)", [_secs(r.median("floor_read")) for r in rows]
    )
    line("  write the output cells (xlsxwriter)", [_secs(r.median("floor_write")) for r in rows])
    phys = [physical_floor(r, rates) for r in rows]
    line(
        "physical floor: read + inflate + deflate + write",
        [_secs(p["total"]) if p else "—" for p in phys],
    )
    line(
        "xlkpi check, after start-up (cli.main)",
        [_secs(r.inner_median("check")) + _mb(r, "check") for r in rows],
    )
    line(
        "xlkpi payslips, after start-up (cli.main)",
        [_secs(r.inner_median("payslips")) + _mb(r, "payslips") for r in rows],
    )
    line(
        "engine alone: compute_month", [_secs(r.median("engine")) + _mb(r, "engine") for r in rows]
    )
    line(
        "  employees per second",
        [f"{r.notes['engine_rate']:,.0f}/s" if "engine_rate" in r.notes else "—" for r in rows],
    )
    return out


def bytes_rows(rows: list[Row], rates: dict[str, float]) -> list[list[str]]:
    """The physical floor of each size: bytes that must be moved and what they cost here."""
    out: list[list[str]] = []
    labels = [
        ("read_packed", "read: compressed bytes of the parts a month needs", "read"),
        ("read_raw", "inflate: their XML", "inflate"),
        ("changed_raw", "deflate: XML of the parts a recalc changes", "deflate"),
        ("file", "write: the whole new file (fsync)", "write"),
    ]
    for key, label, stage in labels:
        cells = []
        for r in rows:
            b, p = r.notes.get("bytes"), physical_floor(r, rates)
            if not b:
                cells.append("—")
                continue
            cost = f" · {p[stage] * 1000:.0f} ms" if p else ""
            cells.append(f"{b[key] / 1e6:.1f} MB{cost}")
        out.append([label, *cells])
    return out


def _mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✓" if ok else " ✗")


def ratio_rows(rows: list[Row], start: dict[str, Any] | None) -> tuple[list[list[str]], list[str]]:
    """Ratio lines with a verdict per size (paired rounds), and the verdict sentences."""
    out: list[list[str]] = []
    met: list[str] = []
    missed: list[str] = []

    def judge(label: str, r: Row, text: str, ok: bool | None) -> str:
        if ok is not None:
            (met if ok else missed).append(f"{label} at {r.n:,} staff: {text}")
        return text + _mark(ok)

    def line(
        label: str, values: list[float | None], ok: Callable[[Row, float], bool | None], fmt: str
    ) -> None:
        cells = []
        for r, v in zip(rows, values, strict=True):
            cells.append("—" if v is None else judge(label, r, format(v, fmt), ok(r, v)))
        if any(c != "—" for c in cells):
            out.append([label, *cells])

    targets = ", ".join(f"≥ {t:g} at {n // 1000}k" for n, t in LO_TARGETS.items())
    line(
        f"LibreOffice ÷ repeat recalc ({targets})",
        [r.paired("libreoffice", "recalc") for r in rows],
        lambda r, v: v >= LO_TARGETS[r.n] if r.n in LO_TARGETS else None,
        ".2f",
    )
    sizes = "/".join(f"{n // 1000}k" for n in LO_TARGETS)
    line(
        f"repeat recalc ÷ floor (≤ {FLOOR_TARGET:g} at {sizes})",
        [r.paired("recalc", "floor") for r in rows],
        lambda r, v: v <= FLOOR_TARGET if r.n in LO_TARGETS else None,
        ".2f",
    )
    line(
        "  cli.main of repeat recalc ÷ floor",
        [r.paired("recalc", "floor", inner_a=True) for r in rows],
        lambda r, v: None,
        ".2f",
    )
    line(
        f"first recalc ÷ floor (≤ {FIRST_TARGET:g})",
        [r.paired("first", "floor") for r in rows],
        lambda r, v: v <= FIRST_TARGET,
        ".2f",
    )
    n_mem, mem_target = MEMORY_TARGET
    line(
        f"peak memory, recalc ÷ floor (≤ {mem_target:g} at {n_mem // 1000}k)",
        [
            r.mem["recalc"] / r.mem["floor"] if "recalc" in r.mem and "floor" in r.mem else None
            for r in rows
        ],
        lambda r, v: v <= mem_target if r.n == n_mem else None,
        ".2f",
    )
    n_small, small_target = SMALL_TARGET
    for kind in ("recalc", "check", "payslips"):
        line(
            f"{kind} after start-up, s (< {small_target:g} at {n_small})",
            [r.inner_median(kind) for r in rows],
            lambda r, v: v < small_target if r.n == n_small else None,
            ".3f",
        )
    rate_target, rate_from = ENGINE_TARGET
    line(
        f"engine employees/s (≥ {rate_target:,} from {rate_from:,})",
        [r.notes.get("engine_rate") for r in rows],
        lambda r, v: v >= rate_target if r.n >= rate_from else None,
        ",.0f",
    )
    verdict = []
    if start:
        total = start["with_imports"]
        text = f"{total:.3f} s"
        (met if total < STARTUP_TARGET else missed).append(
            f"Python start-up + imports of xlkpi recalc (< {STARTUP_TARGET:g} s): {text}"
        )
    if met:
        verdict.append("Met: " + "; ".join(met) + ".")
    if missed:
        verdict.append("Missed: " + "; ".join(missed) + ".")
    if not met and not missed:
        verdict.append("No target was checked (measurements skipped).")
    return out, verdict


def stage_rows(rows: list[Row], start: dict[str, Any] | None) -> list[list[str]]:
    """Where the median repeat recalc spends its wall time, per size."""
    out = []
    for stage in ("read", "compute", "build", "write"):
        cells = []
        for r in rows:
            v, total = r.stages.get(stage), r.median("recalc")
            cells.append("—" if v is None or not total else f"{v:.3f} s ({v / total:.0%})")
        out.append([stage, *cells])
    cells = []
    for r in rows:
        wall, inner = r.median("recalc"), r.inner_median("recalc")
        if wall is None or inner is None:
            cells.append("—")
            continue
        cells.append(f"{wall - inner:.3f} s ({(wall - inner) / wall:.0%})")
    out.append(["Python start-up, imports, CLI", *cells])
    if start:
        out.append(["  of which Python alone", *(f"{start['python']:.3f} s" for _ in rows)])
    marks = (  # resident memory when each stage starts (progress callback), then the peak
        ("memory: after start-up and imports", "read"),
        ("memory: after read", "compute"),
        ("memory: after compute and build", "write"),
        ("memory: peak of the process", "peak"),
    )
    for label, key in marks:
        cells = [
            f"{r.notes['recalc_memory'][key]:.0f} MB"
            if key in r.notes.get("recalc_memory", {})
            else "—"
            for r in rows
        ]
        out.append([label, *cells])
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


@dataclass
class Report:
    """Everything one run measured, ready to print or write."""

    rows: list[Row]
    info: dict[str, str]
    rates: dict[str, float]
    start: dict[str, Any] | None
    profile: str | None
    argv: list[str]
    elapsed: dict[int, float]

    def sections(self) -> list[tuple[str, str, list[list[str]]]]:
        head = ["", *(f"{r.n:,} staff" for r in self.rows)]
        ratios, _ = ratio_rows(self.rows, self.start)
        return [
            ("Wall time · peak memory", "results", [head, *table_rows(self.rows, self.rates)]),
            ("Paired ratios and targets", "ratios", [head, *ratios]),
            (
                "Where the repeat recalc's time goes",
                "stages",
                [head, *stage_rows(self.rows, self.start)],
            ),
            (
                "Physical floor: bytes to move and their cost here",
                "bytes",
                [head, *bytes_rows(self.rows, self.rates)],
            ),
        ]

    def verdict(self) -> list[str]:
        return ratio_rows(self.rows, self.start)[1]

    def notes(self) -> list[str]:
        lines = []
        if self.start:
            s = self.start
            lines.append(
                f"Python start-up alone {s['python']:.3f} s wall ({s['python_cpu']:.3f} s CPU);"
                f" with the {s['modules']} modules `xlkpi recalc` imports"
                f" {s['with_imports']:.3f} s wall ({s['with_imports_cpu']:.3f} s CPU; packages: "
                f"{', '.join(s['packages'])}). Heaviest imports (own time): "
                f"{', '.join(s['heaviest'])}."
            )
        if self.rates:
            r = self.rates
            lines.append(
                f"Raw rates here: read from page cache {r['read']:,.0f} MB/s, inflate "
                f"{r['inflate']:,.0f} MB/s, deflate (level of xlsx_patch) {r['deflate']:,.0f} MB/s,"
                f" write + fsync {r['write']:,.0f} MB/s (64 MB of sheet XML, best of 3)."
            )
        for r in self.rows:
            if "twin_error" in r.notes:
                lines.append(f"LibreOffice twin at {r.n:,} staff failed: {r.notes['twin_error']}")
        took = ", ".join(f"{n:,}: {s:.0f} s" for n, s in self.elapsed.items())
        lines.append(f"Time this run took per size (preparing the books included): {took}.")
        return lines


def print_report(rep: Report) -> None:
    info = rep.info
    print()
    print("  ".join(f"{k}: {v}" for k, v in info.items() if k in ("CPU", "cores", "memory")))
    print(f"Python {platform.python_version()}, {info['LibreOffice']}, {info['started']}")
    print(
        f"load average: start {info['load average at start (1/5/15 min)']}, "
        f"end {info.get('load average at end (1/5/15 min)', '?')}"
    )
    for title, _, table in rep.sections():
        print()
        print(title)
        print(text_table(table[0], table[1:]))
    print()
    print("\n".join(rep.verdict()))
    print()
    print("\n".join(rep.notes()))
    if rep.profile:
        print()
        print(rep.profile)


def report_markdown(rep: Report) -> str:
    argv = " ".join(rep.argv)
    parts = [
        "# Performance",
        "",
        f"Measured by `python -m benchmarks.run_all {argv}`".rstrip() + " (issue 13's"
        " targets). Every figure is a whole process or timed inside one; the sides of each"
        " ratio ran in paired, interleaved rounds and a ratio is the median of the rounds'"
        " ratios; times are medians; memory is the peak resident set of the process (for"
        " LibreOffice, of its largest soffice process).",
        "",
    ]
    for title, _, table in rep.sections():
        parts += [f"## {title}", "", md_table(table[0], table[1:]), ""]
    parts += ["## Verdict", "", *rep.verdict(), "", *(f"* {n}" for n in rep.notes()), ""]
    if rep.profile:
        parts += ["## Profile", "", "```", rep.profile.strip(), "```", ""]
    parts += ["## Machine", "", *(f"* {k}: {v}" for k, v in rep.info.items()), ""]
    return "\n".join(parts)


PROJECT_PACKAGES = ("xlkpi", "workbook_templates", "udfs", "benchmarks")


def use_bytecode() -> str:
    """Measure as an installed package runs: from bytecode caches (``__pycache__``).

    ``pip install`` compiles a package's modules; a machine that sets
    ``PYTHONDONTWRITEBYTECODE`` (this one does) would otherwise have every child compile
    xlkpi from source on each start (about 0.15 s here). The project's packages are compiled
    once, and the children run without the variable. Returns what was done, for the report.
    """
    import compileall

    was_set = os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None
    sys.dont_write_bytecode = False
    for package in PROJECT_PACKAGES:
        compileall.compile_dir(REPO / package, quiet=1)
    note = "project packages compiled to __pycache__ before the run"
    return note + ("; PYTHONDONTWRITEBYTECODE unset for the children" if was_set else "")


def run_all(args: argparse.Namespace, argv: list[str]) -> Report:
    def echo(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    info = machine()
    info["bytecode"] = use_bytecode()
    skip = set(args.skip or [])
    rows: list[Row] = []
    elapsed: dict[int, float] = {}
    profile = None
    start = None
    with tempfile.TemporaryDirectory(prefix="xlkpi-run-all-") as tmp:
        work = Path(tmp)
        echo("raw throughput …")
        rates = run_child("throughput", 0, work).data
        if "libreoffice" not in skip:
            info["LibreOffice start-up alone"] = (
                f"{run_child('lo_startup', 0, work).data['seconds']:.2f} s"
            )
        for n in sorted(args.sizes):
            t0 = time.perf_counter()
            rounds = args.rounds or _rounds(n)
            rows.append(measure(n, work, rounds, skip, args.small, echo))
            elapsed[n] = time.perf_counter() - t0
            echo(f"  {n:,} staff done in {elapsed[n]:.0f} s")
        modules = next((r.notes["modules"] for r in rows if "modules" in r.notes), None)
        if modules:
            echo("start-up …")
            start = startup(work, modules)
        if args.profile:
            run_child("prepare", WARMUP_N, work)
            echo(f"  profiling one recalc at {rows[-1].n:,} staff …")
            warmup = work / f"changed{WARMUP_N}.xlsx"
            profile = run_child("profile", rows[-1].n, work, warmup=warmup).data["text"]
    info["load average at end (1/5/15 min)"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    info["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Report(rows, info, rates, start, profile, argv, elapsed)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--rounds", type=int, help="interleaved rounds per size (default 5 ≤ 1k, 3 ≤ 50k, else 1)"
    )
    parser.add_argument("--skip", nargs="+", choices=MEASURES, help="measurements to leave out")
    parser.add_argument(
        "--small", type=int, default=SMALL, help="measure check and payslips up to this size"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile one recalc at the largest size"
    )
    parser.add_argument("--write", metavar="FILE", help="write the markdown report to FILE")
    parser.add_argument("--json", metavar="FILE", help="write the raw measurements to FILE")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "TARGET"), help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--warmup", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        run_one(args)
        return
    rep = run_all(args, argv)
    print_report(rep)
    if args.json:
        raw = {
            "rows": [r.__dict__ for r in rep.rows],
            "info": rep.info,
            "rates": rep.rates,
            "startup": rep.start,
        }
        for row in raw["rows"]:
            row.get("notes", {}).pop("modules", None)
        Path(args.json).write_text(json.dumps(raw, indent=1, default=str), "utf-8")
    if args.write:
        Path(args.write).write_text(report_markdown(rep), "utf-8")
        print(f"\nwritten: {args.write}")


if __name__ == "__main__":
    main()
