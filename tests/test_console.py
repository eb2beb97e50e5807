"""Terminal rendering: tables readable in 80 columns, alerts summarised, cell text as typed."""

from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console

from xlkpi.console import MIN_COLUMN, alerts_table, explain_table, payroll_table, problems_table
from xlkpi.engine import compute_month
from xlkpi.errors import CellProblem
from xlkpi.history import Alert
from xlkpi.sample_data import demo_month


def _render(renderable: object, width: int) -> list[str]:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(renderable)
    return buffer.getvalue().splitlines()


def _column_widths(lines: list[str]) -> list[int]:
    border = next(line for line in lines if line.startswith("┏"))
    return [len(part) - 2 for part in border[1:-1].split("┳")]  # minus the padding


def _cells(line: str) -> int:
    from rich.cells import cell_len

    return cell_len(line)


def test_payroll_fits_80_columns_with_no_column_under_8() -> None:
    result = compute_month(demo_month())
    lines = _render(payroll_table(result, width=80), 80)
    assert max(_cells(line) for line in lines) <= 80
    widths = _column_widths(lines)
    assert len(widths) == 6 and min(widths) >= MIN_COLUMN  # … 应发合计, 实发合计
    text = "\n".join(lines)
    assert result.results[0].employee.name in text and "实发合计" in text and "应发合计" in text


def test_payroll_is_wide_in_a_wide_terminal() -> None:
    lines = _render(payroll_table(compute_month(demo_month()), width=150), 150)
    assert len(_column_widths(lines)) == 10 and "系数" in lines[2] and "个税" in lines[2]


def test_explain_and_alerts_fit_80_columns() -> None:
    result = compute_month(demo_month())
    for table in (explain_table(result), alerts_table(result.alerts)[0]):
        lines = _render(table, 80)
        assert max(_cells(line) for line in lines) <= 80
        assert min(_column_widths(lines)) >= MIN_COLUMN


def test_a_long_alert_list_is_cut_and_counted() -> None:
    alerts = [Alert(f"E{i:03d}", "王五", "warning", "x", f"第{i}条") for i in range(25)]
    table, hidden = alerts_table(alerts, limit=10)
    text = "\n".join(_render(table, 100))
    assert hidden == 15 and "第9条" in text and "第10条" not in text and "预警：25 条" in text
    assert alerts_table(alerts)[1] == 0


def test_text_from_cells_prints_as_typed() -> None:
    month = demo_month()
    odd = replace(month.employees[0], name="[bold]", id="[/]")
    result = compute_month(
        replace(
            month,
            employees=[odd, *month.employees[1:]],
            inputs={
                **month.inputs,
                "[/]": replace(month.inputs[month.employees[0].id], employee_id="[/]"),
            },
        )
    )
    text = "\n".join(_render(payroll_table(result), 150))
    assert "[bold]" in text and "[/]" in text
    alert = Alert("[red]", "[/]", "warning", "c", "[bold]x")
    assert "[bold]x" in "\n".join(_render(alerts_table([alert])[0], 100))
    problem = CellProblem("考勤", "C2", "[/]", "[i]bad", "[b]fix")
    text = "\n".join(_render(problems_table([problem]), 120))
    assert "[i]bad" in text and "[b]fix" in text
