"""The `xlkpi` command line: everything the Excel ribbon does, without Excel.

Each subcommand calls one operation (recalc, check, new-month, close, payslips, demo, addin)
and renders its result with :mod:`xlkpi.console`; every sentence comes from
:mod:`xlkpi.messages` in the run's language (``--lang``, else the workbook's ``lang``, else
``LANG``, else Chinese). A command working on a workbook holds its process lock
(:mod:`xlkpi.workbook.lock`) from the first read to the last write. Exit codes: 0 done; 1 the
input has problems to fix (cell problems, a missing or duplicated password); 2 anything else
that stopped the command (message in red, never a traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from xlkpi import builds, messages
from xlkpi.cli_parser import Parser
from xlkpi.console import (
    alerts_table,
    explain_table,
    make_console,
    payroll_table,
    problems_table,
    progress_bar,
)
from xlkpi.errors import WorkbookValidationError, XlkpiError
from xlkpi.messages import t
from xlkpi.money import format_yuan
from xlkpi.workbook import atomic_file
from xlkpi.workbook.atomic_file import workbook_lock_file

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
_STATUSES = ("new", "recalculated", "sealed")
COMMAND_NAMES = ("demo", "new-month", "check", "recalc", "payslips", "close", "addin")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xlkpi")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="xlkpi", description=t("cli.description"), epilog=t("cli.epilog"), add_help=False
    )
    parser.add_argument("-h", "--help", action="help", help=t("cli.help"))
    parser.add_argument(
        "--version", action="version", version=f"xlkpi {_version()}", help=t("cli.version")
    )
    parser.add_argument("--no-progress", action="store_true", help=t("cli.no_progress"))
    parser.add_argument("--lang", choices=messages.LANGS, help=t("cli.lang"))
    common = Parser(add_help=False)
    common.add_argument("-h", "--help", action="help", help=t("cli.help"))
    common.add_argument(
        "--no-progress", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    common.add_argument(
        "--lang", choices=messages.LANGS, default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title=t("cli.commands"))

    def command(name: str, help_key: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, help=t(help_key), description=t(help_key), parents=[common], add_help=False
        )

    p = command("demo", "cli.demo")
    p.add_argument("--out", type=Path, metavar="DIR", help=t("cli.demo.out"))
    p.add_argument("--no-workbook", action="store_true", help=t("cli.demo.no_workbook"))
    p.add_argument("--explain", action="store_true", help=t("cli.explain"))
    p.add_argument("--all-alerts", action="store_true", help=t("cli.all_alerts"))
    p.add_argument("--formulas", choices=builds.BUILDS, default=None, help=t("cli.formulas"))

    p = command("new-month", "cli.new_month")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--from", dest="source", type=Path, metavar="BOOK", help=t("cli.new_month.from")
    )
    src.add_argument("--template", action="store_true", help=t("cli.new_month.template"))
    p.add_argument("--month", required=True, metavar="YYYY-MM", help=t("cli.new_month.month"))
    p.add_argument("--out", required=True, type=Path, metavar="BOOK", help=t("cli.new_month.out"))
    p.add_argument("--force", action="store_true", help=t("cli.new_month.force"))
    p.add_argument("--formulas", choices=builds.BUILDS, default=None, help=t("cli.formulas"))

    p = command("check", "cli.check")
    p.add_argument("book", type=Path, metavar="BOOK", help=t("cli.book"))
    p.add_argument("--key", type=Path, metavar="FILE", help=t("cli.key"))

    p = command("recalc", "cli.recalc")
    p.add_argument("book", type=Path, metavar="BOOK", help=t("cli.book"))
    p.add_argument("--reopen", action="store_true", help=t("cli.recalc.reopen"))
    p.add_argument("--table", action="store_true", help=t("cli.recalc.table"))
    p.add_argument("--all-alerts", action="store_true", help=t("cli.all_alerts"))

    p = command("payslips", "cli.payslips")
    p.add_argument("book", type=Path, metavar="BOOK", help=t("cli.book"))
    p.add_argument("--out", type=Path, metavar="DIR", help=t("cli.payslips.out"))
    p.add_argument("--per-employee", action="store_true", help=t("cli.payslips.per_employee"))
    pw = p.add_mutually_exclusive_group()
    pw.add_argument("--password-column", metavar="HEADER", help=t("cli.payslips.password_column"))
    pw.add_argument("--passwords", type=Path, metavar="FILE", help=t("cli.payslips.passwords"))

    p = command("close", "cli.close")
    p.add_argument("book", type=Path, metavar="BOOK", help=t("cli.book"))
    p.add_argument("--key", type=Path, metavar="FILE", help=t("cli.key"))

    p = command("addin", "cli.addin")
    addin = p.add_subparsers(dest="addin_command", required=True, metavar="ACTION")
    b = addin.add_parser("build", help=t("cli.addin.build"), description=t("cli.addin.build"))
    b.add_argument("--out", type=Path, metavar="PATH", help=t("cli.addin.build.out"))
    i = addin.add_parser("install", help=t("cli.addin.install"), description=t("cli.addin.install"))
    i.add_argument("--addin", type=Path, metavar="PATH", help=t("cli.addin.install.addin"))
    return parser


# ---------------------------------------------------------------------------------------------
# output helpers


def _say(out: Console, text: str, style: str = "", prefix_key: str = "") -> None:
    """Print ``text`` as typed (markup in it escaped), optionally styled and prefixed."""
    prefix = f"[bold {style}]{escape(t(prefix_key))}[/bold {style}]" if prefix_key else ""
    body = escape(text)
    out.print(prefix + (f"[{style}]{body}[/{style}]" if style else body), soft_wrap=True)


def _warn_if_open_in_excel(out: Console, book: Path | None) -> None:
    if book is None:
        return
    lock = workbook_lock_file(book)
    if lock is not None:
        _say(
            out,
            t("cli.excel_lock_warning", name=book.name, lock=lock.name),
            "yellow",
            "cli.warning",
        )


def _alerts(out: Console, alerts: list, show_all: bool, where: str) -> None:
    table, hidden = alerts_table(alerts, limit=None if show_all else 10)
    out.print(table)
    if hidden:
        _say(out, t("console.alerts_more", hidden=hidden, count=len(alerts), where=where), "yellow")


# ---------------------------------------------------------------------------------------------
# commands


def cmd_demo(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.engine import compute_month
    from xlkpi.sample_data import demo_month

    result = compute_month(demo_month())
    out.print(payroll_table(result, t("cli.demo.title", month=result.month), width=out.width))
    if args.explain:
        out.print(explain_table(result))
    if result.alerts:
        _alerts(out, result.alerts, args.all_alerts, t("console.alerts_where_flag"))
    if args.no_workbook:
        return EXIT_OK
    from xlkpi.month_cycle import write_demo_workbook
    from xlkpi.workbook.lock import workbook_lock

    folder = args.out or Path.cwd()
    target = folder / f"xlkpi_demo_{result.month}.xlsx"
    with workbook_lock(target), progress_bar(out, not args.no_progress) as progress:
        book = write_demo_workbook(
            folder, progress=progress, build=args.formulas or builds.DEFAULT_BUILD
        )
    _say(out, t("cli.demo.written", path=book), "green")
    return EXIT_OK


def cmd_new_month(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.month_cycle import new_month
    from xlkpi.workbook.lock import workbook_lock

    _warn_if_open_in_excel(out, args.source)
    with workbook_lock(args.out):
        r = new_month(
            args.month, args.out, source=args.source, force=args.force, formulas=args.formulas
        )
    for warning in r.warnings:
        _say(out, warning, "yellow", "cli.warning")
    if r.previous_month:
        skipped = t("cli.new_month.skipped", count=r.history_skipped) if r.history_skipped else ""
        text = t(
            "cli.new_month.carried",
            month=r.month,
            path=r.path,
            previous=r.previous_month,
            employees=r.employees,
            added=r.history_added,
            skipped=skipped,
        )
    else:
        text = t("cli.new_month.template_done", month=r.month, path=r.path)
    _say(out, text, "green")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.check import check
    from xlkpi.workbook.lock import workbook_lock

    _warn_if_open_in_excel(out, args.book)
    with workbook_lock(args.book):
        report = check(args.book, key=_read_key(args.key))
    head = t(
        "cli.check.head",
        name=args.book.name,
        month=report.month or "?",
        status=t(f"status.{report.status}") if report.status in _STATUSES else "?",
        employees=report.employees,
    )
    _say(out, head)
    if report.problems:
        out.print(problems_table(report.problems))
    for finding in report.seal_broken:
        _say(out, finding, "red", "cli.check.sealed_edited")
    if report.seal_broken:
        from xlkpi.workbook.seal import remedy

        _say(out, remedy(), "yellow")
    for note in report.notes:
        _say(out, note, "yellow", "cli.note")
    if report.ok:
        if report.result:
            _say(out, t("cli.check.ok_total", total=format_yuan(report.result.total)), "green")
        else:
            _say(out, t("cli.check.ok"), "green")
        return EXIT_OK
    return EXIT_PROBLEMS


def cmd_recalc(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.layout import ALERTS
    from xlkpi.recalc import recalc
    from xlkpi.workbook.lock import workbook_lock

    with workbook_lock(args.book), progress_bar(out, not args.no_progress) as progress:
        r = recalc(args.book, reopen=args.reopen, progress=progress)
    if args.table:
        out.print(payroll_table(r.result, width=out.width))
    if r.result.alerts:
        where = t("console.alerts_where_sheet", sheet=ALERTS.name)
        _alerts(out, r.result.alerts, args.all_alerts, where)
    text = t(
        "cli.recalc.done",
        month=r.result.month,
        employees=len(r.result.results),
        total=format_yuan(r.result.total),
        alerts=len(r.result.alerts),
        seconds=f"{r.timings['total']:.2f}",
        path=r.path,
    )
    if r.backup:
        text += t("cli.recalc.backup", name=r.backup.name)
    _say(out, text, "green")
    return EXIT_OK


def cmd_payslips(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.payslips import read_passwords, write_payslips
    from xlkpi.workbook.lock import workbook_lock

    _warn_if_open_in_excel(out, args.book)
    passwords = read_passwords(args.passwords) if args.passwords else None
    with workbook_lock(args.book), progress_bar(out, not args.no_progress) as progress:
        r = write_payslips(
            args.book,
            args.out,
            per_employee=args.per_employee,
            passwords=passwords,
            password_column=args.password_column,
            progress=progress,
        )
    _say(
        out,
        t("cli.payslips.done", month=r.month, employees=r.employees, path=r.sheet_file),
        "green",
    )
    if r.employee_files:
        how = t("cli.payslips.encrypted") if r.encrypted else t("cli.payslips.plain")
        folder = r.employee_files[0].parent
        _say(out, t("cli.payslips.files", count=len(r.employee_files), how=how, folder=folder))
    return EXIT_OK


def cmd_close(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.month_cycle import close
    from xlkpi.workbook.lock import workbook_lock

    key = _read_key(args.key)
    with workbook_lock(args.book):
        r = close(args.book, key=key)
    text = t(
        "cli.close.done",
        month=r.month,
        employees=r.employees,
        total=format_yuan(r.total),
        seal=r.seal[:16],
        keyed=t("cli.close.keyed") if key else "",
    )
    _say(out, text, "green")
    return EXIT_OK


def cmd_addin(args: argparse.Namespace, out: Console) -> int:
    from xlkpi.addin import build as addin

    if args.addin_command == "build":
        path = addin.build_addin(args.out or Path.cwd())
        _say(out, t("cli.addin.built", path=path), "green")
        return EXIT_OK
    path = args.addin or addin.build_addin(Path.home() / ".xlkpi")
    if addin.install_addin(path, echo=lambda text: out.print(escape(text))):
        _say(out, t("cli.addin.installed", path=path), "green")
    else:
        _say(out, t("cli.addin.no_excel", path=path), "yellow")
    return EXIT_OK


def _read_key(path: Path | None) -> bytes | None:
    if path is None:
        return None
    from xlkpi.workbook.seal import read_key

    return read_key(path)


COMMANDS = {
    "demo": cmd_demo,
    "new-month": cmd_new_month,
    "check": cmd_check,
    "recalc": cmd_recalc,
    "payslips": cmd_payslips,
    "close": cmd_close,
    "addin": cmd_addin,
}


# ---------------------------------------------------------------------------------------------
# language and the first word


def _pre_scan(argv: Sequence[str]) -> tuple[str | None, str | None]:
    """(the ``--lang`` value, the first word that is not an option) of the raw arguments."""
    lang = None
    first = None
    it = iter(argv)
    for arg in it:
        if arg == "--lang":
            lang = next(it, None)
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
        elif not arg.startswith("-") and first is None:
            first = arg
    return lang, first


def _workbook_lang(args: argparse.Namespace) -> str | None:
    """The ``lang`` of the workbook the command reads (its hidden meta sheet), if any."""
    book = getattr(args, "book", None) or getattr(args, "source", None)
    if book is None or not Path(book).is_file():
        return None
    try:
        from xlkpi.layout import META
        from xlkpi.workbook.meta import read_meta
        from xlkpi.workbook.sheets import load_sheets

        _names, sheets = load_sheets(Path(book), [META])
        return read_meta(sheets.get(META))[0].get("lang") or None
    except (XlkpiError, OSError, ValueError):
        return None  # the command itself reports what is wrong with the file


def _unknown_command(word: str, err: Console) -> int:
    close = difflib.get_close_matches(word, COMMAND_NAMES, n=1, cutoff=0.5)
    if close:
        text = t("cli.unknown_command", command=word, suggestion=close[0])
    else:
        text = t("cli.unknown_command_plain", command=word, commands="、".join(COMMAND_NAMES))
    _say(err, text, "red", "cli.error")
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 problems, 2 error, 130 Ctrl-C)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    explicit, first = _pre_scan(argv)
    messages.set_lang(messages.resolve_lang(explicit, None))
    out = make_console()
    err = make_console(stderr=True)
    if first is not None and first not in COMMANDS:
        return _unknown_command(first, err)
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    messages.set_lang(messages.resolve_lang(explicit, _workbook_lang(args)))
    mark = atomic_file.swap_mark()
    try:
        return COMMANDS[args.command](args, out)
    except WorkbookValidationError as exc:
        err.print(problems_table(exc.problems))
        _say(err, t("cli.fix_problems"), "red")
        return EXIT_PROBLEMS
    except XlkpiError as exc:
        _say(err, str(exc), "red", "cli.error")
        return getattr(exc, "exit_code", EXIT_ERROR)
    except KeyboardInterrupt:
        swapped = atomic_file.swaps_since(mark)
        if swapped:
            path, backup = swapped[-1]
            shown = backup.name if backup else "—"
            _say(err, t("cli.interrupted_after_swap", path=path, backup=shown), "yellow")
        else:
            _say(err, t("cli.interrupted"), "red")
        return EXIT_INTERRUPTED
    except MemoryError:
        _say(err, t("cli.out_of_memory"), "red", "cli.error")
        return EXIT_ERROR
    except Exception as exc:  # a bug: say so plainly, traceback only on request
        if os.environ.get("XLKPI_DEBUG"):
            raise
        _say(err, t("cli.internal_error", error=f"{type(exc).__name__}: {exc}"), "red")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
