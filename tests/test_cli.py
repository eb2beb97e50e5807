"""The command line: exit codes, messages instead of tracebacks, every command wired."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cycle_support import set_cell, write_book
from xlkpi import cli
from xlkpi.engine import compute_month
from xlkpi.money import format_yuan
from xlkpi.sample_data import demo_month
from xlkpi.workbook_reader import read_workbook


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "2026-10.xlsx", demo_month())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--no-progress", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_demo_prints_the_payroll(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--no-workbook")
    assert code == 0
    month = demo_month()
    assert month.employees[0].name in out and month.employees[-1].name in out
    assert format_yuan(compute_month(month).total) in out
    assert "预警" in out and "cs003_two_below_65" in out


def test_check_clean_and_with_problems(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(book))
    assert code == 0 and "No problems found" in out
    set_cell(book, "业绩", "C3", "abc")
    set_cell(book, "考勤", "C4", -1)
    code, out, _ = run(capsys, "check", str(book))
    assert code == 1
    assert "业绩!C3" in out and "考勤!C4" in out and "not a number" in out


def test_check_folds_blank_runs(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "recalc", str(book))[0] == 0
    out_book = tmp_path / "2026-11.xlsx"
    assert (
        run(capsys, "new-month", "--from", str(book), "--month", "2026-11", "--out", str(out_book))[
            0
        ]
        == 0
    )
    code, out, _ = run(capsys, "check", str(out_book))
    assert code == 1
    assert "考勤!C2:C31" in out and "(30 cells)" in out


def test_recalc_close_and_reopen(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "recalc", str(book))
    total = format_yuan(compute_month(demo_month()).total)
    assert code == 0 and "Recalculated 2026-10" in out and total in out
    code, out, _ = run(capsys, "close", str(book))
    assert code == 0 and "Sealed 2026-10" in out
    code, _, err = run(capsys, "recalc", str(book))
    assert code == 2 and "--reopen" in err and "Traceback" not in err
    code, _, _ = run(capsys, "recalc", str(book), "--reopen")
    assert code == 0 and read_workbook(book).status == "recalculated"


def test_recalc_with_problems_exits_1(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_cell(book, "花名册", "C5", "厨师")
    code, _, err = run(capsys, "recalc", str(book))
    assert code == 1 and "花名册!C5" in err


def test_errors_are_messages_not_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_text("no")
    code, _, err = run(capsys, "recalc", str(junk))
    assert code == 2 and "error:" in err and "Traceback" not in err
    code, _, err = run(capsys, "check", str(tmp_path / "missing.xlsx"))
    assert code == 2 and "does not exist" in err


def test_locked_workbook_message(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book.with_name("~$" + book.name).write_bytes(b"")
    code, _, err = run(capsys, "recalc", str(book))
    assert code == 2 and "open in Excel" in err


def test_new_month_refuses_then_forces(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_book = tmp_path / "next.xlsx"
    args = ["new-month", "--from", str(book), "--month", "2026-11", "--out", str(out_book)]
    code, _, err = run(capsys, *args)
    assert code == 2 and "never recalculated" in err
    code, out, _ = run(capsys, *args, "--force")
    assert code == 0 and "Started 2026-11" in out and "30 history rows" in out


def test_payslips_command(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "recalc", str(book))
    passwords = tmp_path / "pw.csv"
    passwords.write_text("\n".join(f"{e.id},x{e.id}" for e in demo_month().employees))
    code, out, _ = run(
        capsys,
        "payslips",
        str(book),
        "--out",
        str(tmp_path / "slips"),
        "--passwords",
        str(passwords),
    )
    assert code == 0 and "30 per-employee files (encrypted" in out
    assert len(list((tmp_path / "slips" / "工资条_2026-10").glob("*.xlsx"))) == 30


def test_addin_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from xlkpi import addin

    calls: list[Path] = []

    def fake_build(out: Path) -> Path:
        calls.append(out)
        return out / "xlkpi.xlam"

    monkeypatch.setattr(addin, "build_addin", fake_build)
    code, out, _ = run(capsys, "addin", "build", "--out", str(tmp_path))
    assert code == 0 and calls == [tmp_path] and "xlkpi.xlam" in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["recalc"])
    assert info.value.code == 2
