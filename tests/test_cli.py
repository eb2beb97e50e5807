"""The command line: exit codes, Chinese messages instead of tracebacks, every command wired."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from tests.cycle_support import set_cell, write_book
from xlkpi import cli, messages
from xlkpi.engine import compute_month
from xlkpi.money import format_yuan
from xlkpi.sample_data import demo_month
from xlkpi.workbook.reader import read_workbook


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    yield
    messages.set_lang("zh")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "2026-10.xlsx", demo_month())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--no-progress", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_demo_prints_the_payroll_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--no-workbook")
    assert code == 0
    month = demo_month()
    assert month.employees[0].name in out and month.employees[-1].name in out
    assert format_yuan(compute_month(month).total) in out
    assert "预警：" in out and "连续两个月绩效低于65分" in out
    assert "cs003_two_below_65" not in out  # a Chinese sentence, not a rule code


def test_demo_explain_shows_each_trace(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--no-workbook", "--explain")
    first = compute_month(demo_month()).results[0]
    assert code == 0 and "计算过程" in out
    assert first.trace.split(" = ")[-1] in out and "×" in out


def test_demo_workbook_leaves_no_backup_of_a_file_never_had(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path))
    assert code == 0 and "演示工作簿已写出并重算" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xlkpi_demo_2026-10.xlsx"]


def test_check_clean_and_with_problems(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(book))
    assert code == 0 and "没有发现问题" in out
    set_cell(book, "业绩", "C3", "abc")
    set_cell(book, "考勤", "C4", -1)
    code, out, _ = run(capsys, "check", str(book))
    assert code == 1
    assert "业绩!C3" in out and "考勤!C4" in out and "不是数字" in out


def test_check_folds_blank_runs(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "recalc", str(book))[0] == 0
    out_book = tmp_path / "2026-11.xlsx"
    args = ["new-month", "--from", str(book), "--month", "2026-11", "--out", str(out_book)]
    assert run(capsys, *args)[0] == 0
    code, out, _ = run(capsys, "check", str(out_book))
    assert code == 1
    assert "考勤!C3:C19" in out and "（17 个单元格）" in out  # the plans reading 迟到次数


def test_recalc_close_and_reopen(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "recalc", str(book))
    total = format_yuan(compute_month(demo_month()).total)
    assert code == 0 and "已重算 2026-10" in out and total in out
    code, out, _ = run(capsys, "close", str(book))
    assert code == 0 and "已封账 2026-10" in out
    code, _, err = run(capsys, "recalc", str(book))
    assert code == 2 and "--reopen" in err and "Traceback" not in err
    code, _, _ = run(capsys, "recalc", str(book), "--reopen")
    assert code == 0 and read_workbook(book).status == "recalculated"


def test_recalc_with_problems_exits_1(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_cell(book, "花名册", "C5", "厨师")
    code, _, err = run(capsys, "recalc", str(book))
    assert code == 1 and "花名册!C5" in err and "请改正以上问题" in err


def test_errors_are_messages_not_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_text("no")
    code, _, err = run(capsys, "recalc", str(junk))
    assert code == 2 and "错误：" in err and "Traceback" not in err
    code, _, err = run(capsys, "check", str(tmp_path / "missing.xlsx"))
    assert code == 2 and "missing.xlsx" in err


def test_locked_workbook_message(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book.with_name("~$" + book.name).write_bytes(b"")
    code, _, err = run(capsys, "recalc", str(book))
    assert code == 2 and "正在 Excel" in err


def test_an_excel_lock_file_warns_on_check_payslips_and_new_month(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "recalc", str(book))[0] == 0
    book.with_name("~$" + book.name).write_bytes(b"")
    for args in (
        ["check", str(book)],
        ["payslips", str(book), "--out", str(tmp_path / "slips")],
        ["new-month", "--from", str(book), "--month", "2026-11", "--out", str(tmp_path / "n.xlsx")],
    ):
        code, out, _ = run(capsys, *args)
        assert code == 0 and "似乎正在 Excel 中打开" in out and "~$2026-10.xlsx" in out, args


def test_new_month_refuses_then_forces(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_book = tmp_path / "next.xlsx"
    args = ["new-month", "--from", str(book), "--month", "2026-11", "--out", str(out_book)]
    code, _, err = run(capsys, *args)
    assert code == 2 and "recalc" in err
    code, out, _ = run(capsys, *args, "--force")
    assert code == 0 and "已开始 2026-11" in out and "历史新增 38 行" in out


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
    assert code == 0 and "另按人写了 38 个文件（已加密" in out
    assert len(list((tmp_path / "slips" / "工资条_2026-10").glob("*.xlsx"))) == 38


def test_a_missing_password_is_an_input_problem(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "recalc", str(book))
    passwords = tmp_path / "pw.csv"
    passwords.write_text("E00001,secret\n")
    code, _, err = run(capsys, "payslips", str(book), "--passwords", str(passwords))
    assert code == 1 and "没有密码" in err


def test_addin_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from xlkpi.addin import build as addin

    calls: list[Path] = []

    def fake_build(out: Path) -> Path:
        calls.append(out)
        return out / "xlkpi.xlam"

    monkeypatch.setattr(addin, "build_addin", fake_build)
    code, out, _ = run(capsys, "addin", "build", "--out", str(tmp_path))
    assert code == 0 and calls == [tmp_path] and "xlkpi.xlam" in out


def test_usage_error_exits_2_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["recalc"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "缺少必需的参数" in err and "用法：" in err


def test_help_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert "显示本帮助并退出" in out and "recalc" in out and "计算本月工资" in out
    assert "show this help" not in out
    with pytest.raises(SystemExit):
        cli.main(["payslips", "--help"])
    out = capsys.readouterr().out
    assert "按原样使用" in out and "positional arguments" not in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert re.match(r"xlkpi \d+\.\d+", capsys.readouterr().out)


def test_bare_xlkpi_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in cli.COMMAND_NAMES)
    assert "用法：" in out and "显示版本号并退出" in out and "usage:" not in out


def test_a_mistyped_command_suggests_the_right_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "recalk", "book.xlsx")
    assert code == 2 and "xlkpi recalc" in err and "recalk" in err
    code, _, err = run(capsys, "zzzz")
    assert code == 2 and "new-month" in err


def test_english_by_flag_environment_or_workbook(
    book: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--lang", "en", "check", str(book))
    assert code == 0 and "No problems found" in out
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    code, out, _ = run(capsys, "demo", "--no-workbook")
    assert "Alerts: " in out
    code, out, _ = run(capsys, "--lang", "zh", "check", str(book))
    assert "没有发现问题" in out
    monkeypatch.delenv("LANG")
    row = max(read_workbook(book).meta_rows.values()) + 1
    set_cell(book, "_xlkpi", f"A{row}", "lang")
    set_cell(book, "_xlkpi", f"B{row}", "en")
    code, out, _ = run(capsys, "check", str(book))
    assert "No problems found" in out


def test_ctrl_c_after_the_swap_says_the_new_version_is_in_place(
    book: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from xlkpi import recalc as recalc_module

    real = recalc_module._recalc

    def interrupted(*args: object) -> object:
        real(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(recalc_module, "_recalc", interrupted)
    code, _, err = run(capsys, "recalc", str(book))
    assert code == 130 and "新版本已经保存到" in err and "2026-10.bak.xlsx" in err
    assert read_workbook(book).status == "recalculated"


def test_ctrl_c_before_the_swap_says_nothing_changed(
    book: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from xlkpi import recalc as recalc_module

    def interrupted(*args: object) -> object:
        raise KeyboardInterrupt

    before = book.read_bytes()
    monkeypatch.setattr(recalc_module, "compute_checked", interrupted)
    code, _, err = run(capsys, "recalc", str(book))
    assert code == 130 and "工作簿没有改动" in err and book.read_bytes() == before


def test_a_second_xlkpi_on_the_same_book_is_refused(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import os
    import socket
    import subprocess
    import sys

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock = book.with_name(".~xlkpi-lock." + book.name)
        record = {"pid": sleeper.pid, "host": socket.gethostname(), "started": "x", "time": 0}
        record["time"] = __import__("time").time()
        lock.write_text(json.dumps(record))
        before = book.read_bytes()
        code, _, err = run(capsys, "recalc", str(book))
        assert code == 2 and "另一个 xlkpi 正在处理" in err and str(sleeper.pid) in err
        assert book.read_bytes() == before
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not os.path.exists(str(book) + ".bak")
    code, _, _ = run(capsys, "recalc", str(book))  # the holder is gone: the lock is stale
    assert code == 0 and not lock.exists()


def test_names_from_cells_print_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = demo_month()
    odd = [replace(month.employees[0], name="[bold]"), replace(month.employees[1], name="[/]")]
    month = replace(month, employees=[*odd, *month.employees[2:]])
    book = write_book(tmp_path / "odd.xlsx", month)
    code, out, _ = run(capsys, "recalc", str(book), "--table")
    assert code == 0 and "[bold]" in out and "[/]" in out
