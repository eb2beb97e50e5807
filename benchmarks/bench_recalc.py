"""Time `xlkpi recalc` against the I/O floor and openpyxl, for 100 … 50,000 employees.

For each size a filled month workbook is made from ``synthetic_month(n)`` (the template filled
by ``workbook_templates.build_workbook`` when the template package is installed, else the same
layout written directly with xlsxwriter), then these are timed, side by side:

* recalc    — :func:`xlkpi.recalc.recalc` of a workbook recalculated before whose input changed
              (the monthly routine: read, compute, patch the cached values, atomic swap);
* first     — the first recalc of the freshly filled workbook (also writes every formula);
* floor     — python-calamine reading every sheet + xlsxwriter writing the output cells alone
              (Payroll values, Alerts, meta), i.e. the I/O no implementation can avoid;
* openpyxl  — openpyxl load + save of the same workbook (what a naive tool would do);
* LibreOffice — headless LibreOffice recalculating the pure-formula twin of the month, start-up
              included (:func:`benchmarks.bench_libreoffice.libreoffice_seconds`, median of 3).

Run ``python -m benchmarks.bench_recalc [sizes…]`` from the repo root; ``--profile N`` prints a
cProfile of one recalc at N employees. Medians of a few runs; 50,000 runs once.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from xlkpi import layout
from xlkpi.engine import MonthResult
from xlkpi.inputs import Month
from xlkpi.layout import ALERTS, PAYROLL
from xlkpi.payplans import PLAN_LABELS
from xlkpi.policy_io import default_policy
from xlkpi.recalc import payroll_values, recalc
from xlkpi.sample_data import synthetic_month
from xlkpi.workbook.sheets import load_sheets

SIZES = [100, 1_000, 10_000, 50_000]


def _num(value: Any) -> Any:
    return float(value) if value is not None and not isinstance(value, str) else value


def write_layout_book(path: Path, month: Month) -> Path:
    """The month laid out as xlkpi.layout says, written with xlsxwriter (no template)."""
    policy = default_policy()
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(layout.ROSTER.name)
    ws.write_row(0, 0, layout.ROSTER.headers)
    ranks = {r.name: r.label for r in policy.ranks.ladder}
    for i, e in enumerate(month.employees, start=1):
        ws.write_row(i, 0, [e.id, e.name, PLAN_LABELS[e.plan][0], layout.LEVEL_LABELS[e.level]])
        ws.write_datetime(i, 4, e.hire_date, date_fmt)
        ws.write_row(
            i,
            5,
            [
                layout.BOOL_LABELS[e.trial],
                float(e.base_pay),
                float(e.post_pay),
                e.team,
                ranks.get(e.rank, e.rank),
            ],
        )
    for sheet_layout in (layout.ATTENDANCE, layout.SALES):
        ws = wb.add_worksheet(sheet_layout.name)
        ws.write_row(0, 0, sheet_layout.headers)
        fields = [c.field for c in sheet_layout.columns[2:]]
        for i, e in enumerate(month.employees, start=1):
            inp = month.inputs[e.id]
            ws.write_string(i, 0, e.id)
            ws.write_formula(i, 1, f"=VLOOKUP(A{i + 1},'{layout.ROSTER.name}'!A:B,2,FALSE)")
            ws.write_row(i, 2, [_num(getattr(inp, f)) for f in fields])
    ws = wb.add_worksheet(layout.TEAMS.name)
    ws.write_row(0, 0, layout.TEAMS.headers)
    for i, (team, target) in enumerate(month.team_targets.items(), start=1):
        ws.write_row(i, 0, [team, float(target)])
    ws.write_row(
        len(month.team_targets) + 2, 0, [layout.PUBLIC_SALES_LABEL, float(month.public_sales)]
    )
    ws = wb.add_worksheet(layout.SUPERVISOR_SELF.name)
    ws.write_row(0, 0, layout.SUPERVISOR_SELF.headers)
    cards: dict[str, list[Any]] = {k: [] for k in layout.SCORECARD_SHEETS}
    row = 1
    for e in month.employees:
        key = layout.SCORECARD_OF_PLAN.get(e.plan)
        if key:
            cards[key].append(e)
            continue
        score = float(month.inputs[e.id].score or 0)
        ws.write_row(row, 0, [e.id, e.name, score, score])
        row += 1
    for key, name in layout.SCORECARD_SHEETS.items():
        card = policy.scorecards[key]
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, ["工号", "姓名", *(item.label for item in card.items), "合计"])
        for i, e in enumerate(cards[key], start=1):
            left = month.inputs[e.id].score or 0
            points = []
            for item in card.items:
                take = min(item.maximum, left)
                points.append(float(take))
                left -= take
            ws.write_row(i, 0, [e.id, e.name, *points])
    for sheet_layout in (PAYROLL, ALERTS):
        wb.add_worksheet(sheet_layout.name).write_row(0, 0, sheet_layout.headers)
    ws = wb.add_worksheet(layout.HISTORY.name)
    ws.write_row(0, 0, layout.HISTORY.headers)
    for i, h in enumerate(month.history, start=1):
        ws.write_row(
            i,
            0,
            [
                h.month,
                h.employee_id,
                "",
                float(h.score or 0),
                layout.GRADE_LABELS.get(h.grade, h.grade),
                float(h.coefficient),
                float(h.total),
                h.rank,
                h.complaints,
            ],
        )
    wb.add_worksheet(layout.POLICY).write_row(0, 0, ["path", "value"])
    ws = wb.add_worksheet(layout.META)
    ws.write_row(0, 0, ["month", month.month])
    ws.write_row(1, 0, ["status", "new"])
    ws.hide()
    wb.close()
    return path


def fill_template(template: Path, path: Path, month: Month) -> Path:
    """The blank template with ``month`` typed in (roster, inputs, teams, scores, history).

    Written with xlsx_patch: building a 10,000-staff month with the template builder
    (openpyxl, formulas per cell) takes minutes, typing the inputs into the template seconds.
    """
    from workbook_templates.scorecards import spread
    from xlkpi.workbook.reader import scorecard_columns
    from xlkpi.workbook.sheets import load_sheets
    from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

    policy = default_policy()
    _names, sheets = load_sheets(template)
    ranks = {r.name: r.label for r in policy.ranks.ladder}
    edits: dict[str, dict[str, Any]] = {}

    def put(sheet: str, col: int, row: int, value: Any) -> None:
        edits.setdefault(sheet, {})[f"{layout.column_letter(col + 1)}{row}"] = value

    epoch = date(1899, 12, 30)
    for i, e in enumerate(month.employees):
        r = i + 2
        row = [
            e.id,
            e.name,
            PLAN_LABELS[e.plan][0],
            layout.LEVEL_LABELS[e.level],
            (e.hire_date - epoch).days,
            layout.BOOL_LABELS[e.trial],
            e.base_pay,
            e.post_pay,
            e.team or None,
            ranks.get(e.rank, e.rank) or None,
        ]
        for c, value in enumerate(row):
            put(layout.ROSTER.name, c, r, value)
        for sheet_layout in (layout.ATTENDANCE, layout.SALES):
            inp = month.inputs[e.id]
            put(sheet_layout.name, 0, r, e.id)
            for c, column in enumerate(sheet_layout.columns[2:], start=2):
                if column.is_input and column.reads(e.plan, policy):
                    put(sheet_layout.name, c, r, getattr(inp, column.field))
    rows = {name: 2 for name in [layout.SUPERVISOR_SELF.name, *layout.SCORECARD_SHEETS.values()]}
    for e in month.employees:
        score = month.inputs[e.id].score or Decimal(0)
        key = layout.SCORECARD_OF_PLAN.get(e.plan)
        if key is None:
            name = layout.SUPERVISOR_SELF.name
            for c, value in enumerate((e.id, None, score, score)):
                put(name, c, rows[name], value)
        else:
            name = layout.SCORECARD_SHEETS[key]
            cols = scorecard_columns(sheets[name], key, policy)
            card = policy.scorecards[key]
            points, rest = spread(score, card)
            put(name, cols["id"], rows[name], e.id)
            for item, value in zip(card.items, points, strict=True):
                put(name, cols[item.code], rows[name], value)
            if rest and "bonus_points" in cols:
                put(name, cols["bonus_points"], rows[name], rest)
        rows[name] += 1
    for i, (team, target) in enumerate(sorted(month.team_targets.items()), start=2):
        put(layout.TEAMS.name, 0, i, team)
        put(layout.TEAMS.name, 1, i, target)
    for i, shop in enumerate(month.shops, start=2):
        row = [shop.name, shop.orders, shop.returns, shop.shipping_paid, shop.target, shop.group]
        for c, value in enumerate(row):
            put(layout.SHOPS.name, c, i, value or None)
    edits.setdefault(layout.SHOPS.name, {})[layout.PUBLIC_SALES_CELL] = month.public_sales
    for i, h in enumerate(month.history, start=2):
        row = [
            h.month,
            h.employee_id,
            None,
            h.score,
            layout.GRADE_LABELS.get(h.grade, h.grade),
            h.coefficient,
            h.total,
            h.rank or None,
            h.complaints,
        ]
        for c, value in enumerate(row):
            put(layout.HISTORY.name, c, i, value)
    edits[layout.META] = {layout.META_MONTH_CELL: month.month}
    patch_workbook(
        template,
        path,
        {name: SheetEdit(values=cells, style_from_row=2) for name, cells in edits.items()},
    )
    return path


def sales_edit_cell(n: int) -> str:
    """The 业绩 cell of the first synthetic employee whose plan reads personal sales: the one
    input a benchmark edits between two recalcs."""
    month = synthetic_month(n)
    column = next(c for c in layout.SALES.columns if c.field == "sales")
    col = layout.column_letter(layout.SALES.columns.index(column) + 1)
    policy = default_policy()
    row = next(i for i, e in enumerate(month.employees, start=2) if column.reads(e.plan, policy))
    return f"{col}{row}"


def make_book(path: Path, n: int) -> Path:
    """A filled workbook of ``n`` synthetic employees (the template when available)."""
    month = synthetic_month(n)
    try:
        from workbook_templates import build_workbook
    except ImportError:
        return write_layout_book(path, month)
    template = build_workbook(path.with_name(f"template-{n}.xlsx"))
    return fill_template(template, path, month)


def floor_write(result: MonthResult, out: Path) -> None:
    """xlsxwriter writing the output cells alone: Payroll values, Alerts, meta."""
    wb = xlsxwriter.Workbook(str(out))
    ws = wb.add_worksheet(PAYROLL.name)
    fields = [c.field for c in PAYROLL.columns]
    for i, r in enumerate(result.results, start=1):
        values = payroll_values(r)
        for c, f in enumerate(fields):
            v = values.get(f)
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(i, c, v)
            else:
                ws.write_number(i, c, float(v))
    ws = wb.add_worksheet(ALERTS.name)
    for i, a in enumerate(result.alerts, start=1):
        ws.write_row(i, 0, [a.employee_id, a.name, a.kind, a.code, a.message])
    wb.add_worksheet(layout.META).write_row(0, 0, ["status", "recalculated"])
    wb.close()


def floor_read(book: Path) -> None:
    """python-calamine reading every sheet."""
    load_sheets(book)


def openpyxl_roundtrip(book: Path, out: Path) -> None:
    """openpyxl normal load + save."""
    import openpyxl

    openpyxl.load_workbook(book).save(out)


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs (s)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(n: int, work: Path, with_openpyxl: bool = True) -> dict[str, Any]:
    """Times for one size, and the stage timings of the last repeat recalc.

    ``first``: recalc of the freshly filled workbook (writes every Payroll formula, names on
    the input sheets). ``recalc``: recalc of a workbook recalculated before, after an input
    changed — the monthly routine (formulas in place, cached values rewritten).
    """
    from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

    book = make_book(work / f"book{n}.xlsx", n)
    repeat = 3 if n <= 10_000 else 1
    stages: dict[str, float] = {}
    result: list[MonthResult] = []
    copy = work / f"run{n}.xlsx"

    def first() -> None:
        shutil.copyfile(book, copy)
        result[:] = [recalc(copy).result]

    out: dict[str, Any] = {"first": timed(first, repeat)}
    done = work / f"done{n}.xlsx"
    shutil.copyfile(copy, done)
    changed = work / f"changed{n}.xlsx"  # one sales figure edited since the last recalc
    patch_workbook(done, changed, {layout.SALES.name: SheetEdit(values={"C2": 12345})})

    def again() -> None:
        shutil.copyfile(changed, copy)
        r = recalc(copy)
        stages.clear()
        stages.update(r.timings)

    out["recalc"] = timed(again, repeat)
    out["read"] = timed(lambda: floor_read(changed), repeat)
    out["write"] = timed(lambda: floor_write(result[0], work / "floor.xlsx"), repeat)
    out["floor"] = out["read"] + out["write"]
    out["openpyxl"] = (
        timed(lambda: openpyxl_roundtrip(changed, work / "opx.xlsx"), 1)
        if with_openpyxl
        else float("nan")
    )
    out["stages"] = dict(stages)
    return out


def _libreoffice(n: int, skip: bool) -> str:
    """LibreOffice's recalculation of the n-staff formula twin (start-up included), or —."""
    from benchmarks.bench_libreoffice import libreoffice_seconds
    from tests.support.libreoffice import soffice_available

    if skip or not soffice_available():
        return "—"
    return f"{libreoffice_seconds(n)[0]:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=SIZES)
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one recalc of N")
    parser.add_argument("--no-openpyxl", action="store_true")
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.profile:
            book = make_book(work / "p.xlsx", args.profile)
            recalc(book)
            from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

            patch_workbook(
                book,
                work / "q.xlsx",
                {layout.SALES.name: SheetEdit(values={sales_edit_cell(args.profile): 1})},
            )
            book = work / "q.xlsx"
            profiler = cProfile.Profile()
            profiler.enable()
            profiled = recalc(book)
            profiler.disable()
            print("stages (s):", {k: round(v, 3) for k, v in profiled.timings.items()})
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            return
        cols = ["recalc", "first", "floor", "read", "write", "openpyxl"]
        print(
            f"{'staff':>7} "
            + " ".join(f"{c:>9}" for c in cols)
            + f" {'LibreOffice':>11} {'recalc/floor':>12}  recalc stages (s)"
        )
        for n in args.sizes:
            r = measure(n, work, with_openpyxl=not args.no_openpyxl)
            stages = " ".join(f"{k}={v:.2f}" for k, v in r["stages"].items() if k != "total")
            print(
                f"{n:>7} "
                + " ".join(f"{r[c]:9.3f}" for c in cols)
                + f" {_libreoffice(n, args.no_libreoffice):>11} "
                + f"{r['recalc'] / r['floor']:12.2f}  {stages}",
                flush=True,
            )


if __name__ == "__main__":
    main()
