"""The seal: sealed cell values name each edit, the status cell cannot unseal, the keyed seal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cycle_support import patch_cell, write_book
from xlkpi.check import check
from xlkpi.errors import SealedMonthError, SealKeyError
from xlkpi.month_cycle import close
from xlkpi.recalc import recalc
from xlkpi.sample_data import demo_month
from xlkpi.workbook.reader import read_workbook
from xlkpi.workbook.seal import (
    META_SEAL_CELLS,
    by_cell,
    changed_cells,
    decode_cells,
    encode_cells,
    input_cells,
    read_key,
    shown,
)
from xlkpi.workbook.xlsx_patch import read_sheet


@pytest.fixture
def sealed(tmp_path: Path) -> Path:
    book = write_book(tmp_path / "month.xlsx", demo_month())
    recalc(book)
    close(book)
    return book


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "seal.key"
    path.write_bytes(b"0123456789abcdef-secret")
    return path


def _meta_row(book: Path, key: str) -> int:
    return next(i for i, r in enumerate(read_sheet(book, "_xlkpi"), start=1) if r and r[0] == key)


def test_an_edit_names_the_cell_its_sealed_and_its_new_value(sealed: Path) -> None:
    old = read_workbook(sealed).sheets["考勤"].value(5, 2)
    patch_cell(sealed, "考勤", "C5", 7)
    patch_cell(sealed, "花名册", "B3", "新名字")
    findings = check(sealed).seal_broken
    assert f"考勤!C5 封账时是 {shown(repr(float(old)))}，现在是 7" in findings
    assert any(
        f.startswith("花名册!B3 封账时是 “") and f.endswith("现在是 “新名字”") for f in findings
    )


def test_a_blank_cell_filled_after_sealing_is_named(sealed: Path) -> None:
    patch_cell(sealed, "考勤", "C40", 2)
    assert "考勤!C40 封账时是 空白，现在是 2" in check(sealed).seal_broken


def test_many_edits_are_counted_after_the_first_twenty(sealed: Path) -> None:
    for row in range(2, 32):
        patch_cell(sealed, "考勤", f"C{row}", 9)
    findings = check(sealed).seal_broken
    changed = [f for f in findings if f.startswith("考勤!")]
    assert len(changed) == 20 and any(f.startswith("另有") for f in findings)


def test_status_edited_to_recalculated_is_still_sealed(sealed: Path) -> None:
    patch_cell(sealed, "_xlkpi", f"B{_meta_row(sealed, 'status')}", "recalculated")
    patch_cell(sealed, "业绩", "C3", 1)
    contents = read_workbook(sealed)
    assert contents.status == "sealed"
    findings = check(sealed).seal_broken
    assert any("状态被改成了 recalculated" in f for f in findings)
    assert any(f.startswith("业绩!C3 封账时是") for f in findings)
    with pytest.raises(SealedMonthError, match="--reopen"):
        recalc(sealed)


def test_a_reopened_month_can_be_sealed_again(sealed: Path) -> None:
    recalc(sealed, reopen=True)
    assert read_workbook(sealed).status == "recalculated" and check(sealed).seal_broken == []
    close(sealed)
    assert check(sealed).ok


def test_sealed_values_round_trip_and_diff() -> None:
    cells = {"考勤": {"2": ["", "3.0"], "1": ["s:名", "s:王五"]}, "参数": {}}
    assert decode_cells("".join(encode_cells(cells))) == cells
    assert by_cell(cells["考勤"]) == {"C2": "3.0", "B1": "s:名", "B2": "s:王五"}
    assert decode_cells("not base64!") is None
    assert changed_cells({"C2": "3.0", "C10": "1.0"}, {"C2": "4.0", "C3": "s:x"}) == [
        ("C2", "3.0", "4.0"),
        ("C3", None, "s:x"),
        ("C10", "1.0", None),
    ]
    assert shown("s:王五") == "“王五”" and shown("3.0") == "3" and shown(None) == "空白"


def test_sealed_values_are_kept_in_meta_pieces(sealed: Path) -> None:
    contents = read_workbook(sealed)
    count = int(contents.meta[META_SEAL_CELLS])
    text = "".join(contents.meta[f"{META_SEAL_CELLS}_{i}"] for i in range(1, count + 1))
    assert decode_cells(text) == input_cells(contents)
    assert all(len(contents.meta[f"{META_SEAL_CELLS}_{i}"]) <= 30_000 for i in range(1, count + 1))


def test_keyed_seal_verifies_with_the_key(tmp_path: Path, key: Path) -> None:
    book = write_book(tmp_path / "m.xlsx", demo_month())
    recalc(book)
    close(book, key=read_key(key))
    assert check(book, key=read_key(key)).ok
    report = check(book)  # without the key: the hashes hold, and a note says how to verify
    assert report.ok and any("--key" in n for n in report.notes)
    other = tmp_path / "other.key"
    other.write_bytes(b"another-key-of-16-bytes")
    assert any("密钥签名不符" in f for f in check(book, key=read_key(other)).seal_broken)


def test_an_edited_month_re_sealed_without_the_key_fails_the_keyed_check(
    tmp_path: Path, key: Path
) -> None:
    book = write_book(tmp_path / "m.xlsx", demo_month())
    recalc(book)
    close(book, key=read_key(key))
    patch_cell(book, "考勤", "C5", 9)
    recalc(book, reopen=True)
    close(book)  # someone with xlkpi but not the key
    assert check(book).ok
    assert any("没有用密钥" in f for f in check(book, key=read_key(key)).seal_broken)


def test_a_forged_signature_is_caught(tmp_path: Path, key: Path) -> None:
    book = write_book(tmp_path / "m.xlsx", demo_month())
    recalc(book)
    close(book, key=read_key(key))
    patch_cell(book, "_xlkpi", f"B{_meta_row(book, 'seal_hmac')}", "0" * 64)
    assert any("密钥签名不符" in f for f in check(book, key=read_key(key)).seal_broken)


def test_a_key_file_must_exist_and_be_long_enough(tmp_path: Path) -> None:
    with pytest.raises(SealKeyError, match="无法读取密钥文件"):
        read_key(tmp_path / "none.key")
    short = tmp_path / "short.key"
    short.write_bytes(b"abc")
    with pytest.raises(SealKeyError, match="太短"):
        read_key(short)


def test_close_and_check_take_the_key_on_the_command_line(
    tmp_path: Path, key: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from xlkpi import cli

    book = write_book(tmp_path / "m.xlsx", demo_month())
    recalc(book)
    assert cli.main(["--no-progress", "close", str(book), "--key", str(key)]) == 0
    assert "带密钥签名" in capsys.readouterr().out
    assert cli.main(["--no-progress", "check", str(book), "--key", str(key)]) == 0
    patch_cell(book, "业绩", "C3", 1)
    assert cli.main(["--no-progress", "check", str(book), "--key", str(key)]) == 1
    out = capsys.readouterr().out
    assert "业绩!C3 封账时是" in out and "recalc --reopen" in out
