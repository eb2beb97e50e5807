"""The `xlkpi` command line: everything the Excel ribbon does, without Excel.

Each subcommand calls one operation (recalc, check, new-month, close, payslips, demo, addin)
and renders its result with :mod:`xlkpi.console`. Exit codes: 0 done; 1 the workbook has
problems to fix (listed); 2 an error (message in red, never a traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from xlkpi.console import alerts_table, make_console, payroll_table, problems_table, progress_bar
from xlkpi.errors import WorkbookValidationError, XlkpiError
from xlkpi.money import format_yuan

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlkpi",
        description="KPI scores and monthly pay for small e-commerce companies (工资/绩效).",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not show progress bars")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--no-progress", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    p = command("demo", help="show the demo shop's payroll (and write a demo workbook)")
    p.add_argument("--out", type=Path, help="folder for the demo workbook (default: current)")
    p.add_argument("--no-workbook", action="store_true", help="only print, write no workbook")

    p = command("new-month", help="start a month from the template or last month's book")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="BOOK",
        help="last month's workbook (roster, policy and history carried forward)",
    )
    src.add_argument("--template", action="store_true", help="start from the blank template")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the new month")
    p.add_argument("--out", required=True, type=Path, metavar="BOOK", help="the new workbook")
    p.add_argument(
        "--force",
        action="store_true",
        help="carry forward a month that was not recalculated; overwrite --out",
    )

    p = command("check", help="validate every input and the policy; list all problems")
    p.add_argument("book", type=Path)

    p = command("recalc", help="compute the month and write the results into the book")
    p.add_argument("book", type=Path)
    p.add_argument("--reopen", action="store_true", help="recalculate a sealed (closed) month")
    p.add_argument("--table", action="store_true", help="also print the payroll table")

    p = command("payslips", help="工资条: printable payslip strips, per-employee files")
    p.add_argument("book", type=Path)
    p.add_argument("--out", type=Path, metavar="DIR", help="folder (default: next to the book)")
    p.add_argument("--per-employee", action="store_true", help="also one file per employee")
    pw = p.add_mutually_exclusive_group()
    pw.add_argument(
        "--password-column",
        metavar="HEADER",
        help="encrypt each employee's file with the value of this roster column",
    )
    pw.add_argument(
        "--passwords",
        type=Path,
        metavar="FILE",
        help="encrypt each employee's file; FILE holds 工号,密码 rows (CSV)",
    )

    p = command("close", help="seal the month (check reports later edits)")
    p.add_argument("book", type=Path)

    p = command("addin", help="build or install the Excel add-in")
    addin = p.add_subparsers(dest="addin_command", required=True, metavar="ACTION")
    b = addin.add_parser("build", help="build the .xlam add-in")
    b.add_argument("--out", type=Path, metavar="PATH")
    i = addin.add_parser("install", help="install the add-in into Excel")
    i.add_argument(
        "--addin",
        type=Path,
        metavar="PATH",
        help="an add-in built earlier (default: build one into ~/.xlkpi)",
    )
    return parser


# ---------------------------------------------------------------------------------------------
# commands


def cmd_demo(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.engine import compute_month
    from xlkpi.sample_data import demo_month

    result = compute_month(demo_month())
    out.print(payroll_table(result, f"演示门店 {result.month} 工资表 (demo payroll)"))
    out.print(alerts_table(result.alerts))
    if args.no_workbook:
        return EXIT_OK
    from xlkpi.month_cycle import write_demo_workbook

    folder = args.out or Path.cwd()
    with progress_bar(out, not args.no_progress) as progress:
        book = write_demo_workbook(folder, progress=progress)
    out.print(f"[green]Demo workbook written and recalculated:[/green] {book}")
    return EXIT_OK


def cmd_new_month(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.month_cycle import new_month

    r = new_month(args.month, args.out, source=args.source, force=args.force)
    for warning in r.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}")
    if r.previous_month:
        out.print(
            f"[green]Started {r.month}[/green] in {r.path}: {r.employees} staff carried forward "
            f"from {r.previous_month}; {r.history_added} history rows added"
            + (f", {r.history_skipped} already there" if r.history_skipped else "")
            + ". Monthly inputs are blank: fill them in, then run `xlkpi check`."
        )
    else:
        out.print(f"[green]Started {r.month}[/green] from the template in {r.path}.")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.check import check

    report = check(args.book)
    head = (
        f"{args.book.name}: month {report.month or '?'}, status {report.status or '?'}, "
        f"{report.employees} staff"
    )
    out.print(head)
    if report.problems:
        out.print(problems_table(report.problems))
    for finding in report.seal_broken:
        out.print(f"[bold red]sealed month edited:[/bold red] {finding}")
    for note in report.notes:
        out.print(f"[yellow]note:[/yellow] {note}")
    if report.ok:
        total = f"; payroll total {format_yuan(report.result.total)}" if report.result else ""
        out.print(f"[green]No problems found{total}.[/green]")
        return EXIT_OK
    return EXIT_PROBLEMS


def cmd_recalc(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.recalc import recalc

    with progress_bar(out, not args.no_progress) as progress:
        r = recalc(args.book, reopen=args.reopen, progress=progress)
    if args.table:
        out.print(payroll_table(r.result))
    if r.result.alerts:
        out.print(alerts_table(r.result.alerts))
    out.print(
        f"[green]Recalculated {r.result.month}[/green]: {len(r.result.results)} staff, "
        f"total {format_yuan(r.result.total)}, {len(r.result.alerts)} alert(s), "
        f"{r.timings['total']:.2f} s. Saved {r.path}"
        + (f" (previous version: {r.backup.name})" if r.backup else "")
    )
    return EXIT_OK


def cmd_payslips(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.payslips import read_passwords, write_payslips

    passwords = read_passwords(args.passwords) if args.passwords else None
    with progress_bar(out, not args.no_progress) as progress:
        r = write_payslips(
            args.book,
            args.out,
            per_employee=args.per_employee,
            passwords=passwords,
            password_column=args.password_column,
            progress=progress,
        )
    out.print(f"[green]工资条 for {r.month}[/green] ({r.employees} staff): {r.sheet_file}")
    if r.employee_files:
        how = "encrypted, one password each" if r.encrypted else "not encrypted"
        out.print(
            f"{len(r.employee_files)} per-employee files ({how}) in {r.employee_files[0].parent}"
        )
    return EXIT_OK


def cmd_close(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.month_cycle import close

    r = close(args.book)
    out.print(
        f"[green]Sealed {r.month}[/green]: {r.employees} staff, total "
        f"{format_yuan(r.total)}; seal {r.seal[:16]}…  `xlkpi check` reports later edits."
    )
    return EXIT_OK


def cmd_addin(args: argparse.Namespace, out: Console) -> int:
    from xlkpi import addin

    if args.addin_command == "build":
        path = addin.build_addin(args.out or Path.cwd())
        out.print(f"[green]Add-in built:[/green] {path}")
        return EXIT_OK
    path = args.addin or addin.build_addin(Path.home() / ".xlkpi")
    if addin.install_addin(path, echo=lambda text: out.print(_escape(text))):
        out.print(f"[green]Add-in installed:[/green] {path}")
    else:
        out.print(f"[yellow]Excel is not available here; the add-in is at[/yellow] {path}")
    return EXIT_OK


COMMANDS = {
    "demo": cmd_demo,
    "new-month": cmd_new_month,
    "check": cmd_check,
    "recalc": cmd_recalc,
    "payslips": cmd_payslips,
    "close": cmd_close,
    "addin": cmd_addin,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 problems, 2 error)."""
    args = _parser().parse_args(argv)
    out = make_console()
    err = make_console(stderr=True)
    try:
        return COMMANDS[args.command](args, out)
    except WorkbookValidationError as exc:
        err.print(problems_table(exc.problems))
        err.print("[red]Fix the problems above, then run the command again.[/red]")
        return EXIT_PROBLEMS
    except XlkpiError as exc:
        err.print(f"[bold red]error:[/bold red] [red]{_escape(str(exc))}[/red]")
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.print("[red]interrupted; the workbook was not changed[/red]")
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: say so plainly, traceback only on request
        if os.environ.get("XLKPI_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error:[/bold red] [red]{type(exc).__name__}: "
            f"{_escape(str(exc))}[/red]\nSet XLKPI_DEBUG=1 to see the details, and "
            "please report it."
        )
        return EXIT_ERROR


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


if __name__ == "__main__":
    sys.exit(main())
