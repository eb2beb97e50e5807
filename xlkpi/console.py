"""Rich rendering for the command line: payroll tables, alerts, cell problems, command outcomes.

Operations (recalc, check, …) return data; this module only turns that data into text, so the
same operations can serve the Excel ribbon. Problems on neighbouring cells with the same message
are folded into one range line (``考勤!C2:C31 blank``) so a fresh month stays readable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from xlkpi.engine import MonthResult
from xlkpi.errors import CellProblem
from xlkpi.history import Alert
from xlkpi.layout import GRADE_LABELS
from xlkpi.messages import t
from xlkpi.money import format_number, format_yuan
from xlkpi.paylines import LINE_LABELS
from xlkpi.payplans import plan_name
from xlkpi.recalc import ALERT_KINDS
from xlkpi.workbook.xlsx_patch import split_ref

_ALERT_STYLE = {
    "warning": "yellow",
    "dismissal": "bold red",
    "promotion": "green",
    "reward": "cyan",
}
_SPANS = {
    "read": (0.0, 0.2),
    "compute": (0.2, 0.45),
    "payroll": (0.45, 0.7),
    "write": (0.7, 1.0),
    "done": (1.0, 1.0),
}
_STAGES = ("read", "compute", "payroll", "write", "payslips", "build", "done")


def make_console(stderr: bool = False) -> Console:
    """A console; when output is not a terminal it is wide enough for the payroll table."""
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console = Console(stderr=stderr, highlight=False, width=max(console.width, 150))
    return console


NARROW = 120  # below this width the payroll table leaves out score, coefficient and grade
MIN_COLUMN = 8  # no column of a table is narrower than this


def payroll_table(result: MonthResult, title: str | None = None, width: int = 150) -> Table:
    """The month's payroll: who, role, score, coefficient, each non-zero pay line, total.

    Pay lines are listed in one wrapped column (``基本工资 4,500.00 · 提成 919.50 …``, deductions
    in red) so 30 staff and 23 kinds of line fit a normal terminal; a last row sums each line.
    Narrower than :data:`NARROW` columns (an 80-column terminal), score, coefficient and grade
    are left out so no column is squeezed under :data:`MIN_COLUMN` characters.
    """
    wide = width >= NARROW
    table = Table(
        title=escape(title or t("console.payroll_title", month=result.month)),
        header_style="bold",
        row_styles=["", "on grey11"],
    )
    table.add_column("工号", min_width=MIN_COLUMN, overflow="fold")
    table.add_column("姓名", min_width=MIN_COLUMN, overflow="fold")
    table.add_column("岗位", min_width=MIN_COLUMN, max_width=None if wide else 10, overflow="fold")
    if wide:
        table.add_column("分数", justify="right", no_wrap=True, min_width=MIN_COLUMN)
        table.add_column("系数", justify="right", no_wrap=True, min_width=MIN_COLUMN)
        table.add_column("等级", no_wrap=True, min_width=MIN_COLUMN)
    table.add_column("工资明细", ratio=1, overflow="fold", min_width=MIN_COLUMN * 2)
    table.add_column("应发合计", justify="right", no_wrap=True, min_width=10)
    if wide:  # narrower, 个税 is listed with the pay lines instead
        table.add_column("个税", justify="right", no_wrap=True, min_width=MIN_COLUMN)
    table.add_column("实发合计", justify="right", style="bold", no_wrap=True, min_width=10)
    taxes = nets = Decimal(0)
    sums: dict[str, Decimal] = {}
    for r in result.results:
        amounts: dict[str, Decimal] = {}
        for line in r.lines:
            amounts[line.code] = amounts.get(line.code, Decimal(0)) + line.amount
        for code, amount in amounts.items():
            sums[code] = sums.get(code, Decimal(0)) + amount
        middle = (
            [
                "" if r.score is None else format_number(r.score),
                "" if r.coefficient is None else format_number(r.coefficient),
                escape(GRADE_LABELS.get(r.grade, r.grade)),
            ]
            if wide
            else []
        )
        table.add_row(
            escape(r.employee.id),
            escape(r.employee.name),
            escape(plan_name(r.employee.plan)),
            *middle,
            _lines(amounts) + ("" if wide else f" · 个税 {_money(-r.tax)}"),
            format_yuan(r.gross),
            *([format_yuan(r.tax)] if wide else []),
            format_yuan(r.net),
        )
        taxes += r.tax
        nets += r.net
    table.add_row(
        t("console.total_row"),
        t("console.people", count=len(result.results)),
        "",
        *(["", "", ""] if wide else []),
        _lines(sums) + ("" if wide else f" · 个税 {_money(-taxes)}"),
        format_yuan(sum((r.gross for r in result.results), Decimal(0))),
        *([format_yuan(taxes)] if wide else []),
        format_yuan(nets),
        style="bold",
    )
    return table


def explain_table(result: MonthResult) -> Table:
    """Each employee's trace: how the total was computed, as a person checks it by hand."""
    table = Table(title=t("console.explain_title"), header_style="bold", show_lines=False)
    table.add_column("工号", min_width=MIN_COLUMN, overflow="fold")
    table.add_column("姓名", min_width=MIN_COLUMN, overflow="fold")
    table.add_column("计算过程", ratio=1, overflow="fold", min_width=MIN_COLUMN * 2)
    for r in result.results:
        table.add_row(escape(r.employee.id), escape(r.employee.name), escape(r.trace))
    return table


def _lines(amounts: dict[str, Decimal]) -> str:
    parts = []
    for code in LINE_LABELS:
        amount = amounts.get(code)
        if amount:
            parts.append(f"{escape(LINE_LABELS[code][0])} {_money(amount)}")
    return " · ".join(parts)


def _money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    text = format_yuan(amount)
    return f"[red]{text}[/red]" if amount < 0 else text


def alerts_table(alerts: list[Alert], limit: int | None = None) -> tuple[Table, int]:
    """Warnings, promotions due and rewards due: (the table, how many were left out).

    With ``limit`` only the first ``limit`` alerts are rows; the caller says how many more
    there are and where to find them all. Rule codes are not shown (the message says it).
    """
    shown = alerts if limit is None else alerts[:limit]
    table = Table(title=t("console.alerts_title", count=len(alerts)), header_style="bold")
    table.add_column("工号", min_width=MIN_COLUMN, overflow="fold")
    table.add_column("姓名", min_width=MIN_COLUMN, overflow="fold")
    table.add_column("类型", min_width=MIN_COLUMN, no_wrap=True)
    table.add_column("内容", ratio=1, min_width=MIN_COLUMN * 2, overflow="fold")
    for a in shown:
        style = _ALERT_STYLE.get(a.kind, "")
        kind = ALERT_KINDS.get(a.kind, a.kind)
        table.add_row(
            escape(a.employee_id), escape(a.name), escape(kind), escape(a.message), style=style
        )
    return table, len(alerts) - len(shown)


@dataclass
class ProblemGroup:
    """Problems with the same sheet, message and remedy on a run of cells."""

    sheet: str
    first: str
    last: str
    count: int
    value: object
    message: str
    remedy: str

    @property
    def where(self) -> str:
        """``sheet!A2`` or ``sheet!C2:C31``."""
        cells = self.first if self.count == 1 else f"{self.first}:{self.last}"
        return f"{self.sheet}!{cells}"


def group_problems(problems: Iterable[CellProblem]) -> list[ProblemGroup]:
    """Fold runs of identical problems on adjacent cells of one column into ranges."""
    groups: list[ProblemGroup] = []
    by_key: dict[tuple[str, str, str, int], ProblemGroup] = {}
    for p in problems:
        try:
            row, col = split_ref(p.cell)
        except ValueError:
            groups.append(ProblemGroup(p.sheet, p.cell, p.cell, 1, p.value, p.message, p.remedy))
            continue
        blank = p.value in (None, "")
        key = (p.sheet, p.message, p.remedy, col)
        g = by_key.get(key)
        if blank and g is not None and split_ref(g.last)[0] == row - 1:
            g.last = p.cell
            g.count += 1
            continue
        g = ProblemGroup(p.sheet, p.cell, p.cell, 1, p.value, p.message, p.remedy)
        groups.append(g)
        if blank:
            by_key[key] = g
    return groups


def problems_table(problems: list[CellProblem]) -> Table:
    """Every problem: where (sheet!cell), the value found, what is wrong, what to do."""
    groups = group_problems(problems)
    table = Table(
        title=t("console.problems_title", count=len(problems)),
        header_style="bold red",
        show_lines=False,
    )
    table.add_column("位置", no_wrap=True, min_width=MIN_COLUMN)
    table.add_column("值", min_width=MIN_COLUMN, overflow="fold")
    table.add_column("问题", min_width=MIN_COLUMN, overflow="fold")
    table.add_column("怎么改", min_width=MIN_COLUMN, overflow="fold")
    for g in groups:
        shown = "" if g.value in (None, "") else repr(g.value)
        count = t("console.cells", count=g.count) if g.count > 1 else ""
        table.add_row(escape(g.where), escape(shown), escape(g.message + count), escape(g.remedy))
    return table


@contextmanager
def progress_bar(console: Console, enabled: bool = True) -> Iterator[Callable[[str, float], None]]:
    """A rich progress bar; yields a ``progress(stage, fraction)`` callback."""
    if not enabled:

        def ignore(stage: str, fraction: float) -> None:
            return None

        yield ignore
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn  # only when shown

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("…", total=1.0)

        def update(stage: str, fraction: float) -> None:
            start, end = _SPANS.get(stage, (0.0, 1.0))
            bar.update(
                task,
                description=t(f"progress.{stage}") if stage in _STAGES else stage,
                completed=start + (end - start) * fraction,
            )

        yield update
