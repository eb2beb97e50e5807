"""The LibreOffice harness recalculates on demand, keeps stored values otherwise, fails clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from tests.support import libreoffice as lo
from xlkpi.workbook.xlsx_patch import read_sheet


def _stale_formula_book(path: Path) -> Path:
    """A1=21 and B1 '=A1*2' whose stored (cached) value is a wrong 0, as xlsxwriter stores it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_number("A1", 21)
    ws.write_formula("B1", "=A1*2", None, 0)
    wb.close()
    return path


def test_recalculate_computes_formulas_instead_of_trusting_stored_values(tmp_path: Path) -> None:
    lo.require_soffice()
    src = _stale_formula_book(tmp_path / "in" / "stale.xlsx")
    assert read_sheet(src, "S") == [[21, 0]]
    out = lo.recalculate(src, tmp_path / "out")
    assert out == tmp_path / "out" / "stale.xlsx"
    assert read_sheet(out, "S") == [[21, 42]]


def test_without_recalc_libreoffice_keeps_stored_values(tmp_path: Path) -> None:
    lo.require_soffice()
    src = _stale_formula_book(tmp_path / "in" / "stale.xlsx")
    csv = lo.to_csv(src, tmp_path / "out", recalc=False)
    assert csv.read_text("utf-8").strip() == "21,0"


def test_recalculate_many_uses_one_run_for_several_files(tmp_path: Path) -> None:
    lo.require_soffice()
    a = _stale_formula_book(tmp_path / "in" / "a.xlsx")
    b = _stale_formula_book(tmp_path / "in" / "b.xlsx")
    outs = lo.recalculate_many([a, b], tmp_path / "out")
    assert [read_sheet(o, "S") for o in outs] == [[[21, 42]], [[21, 42]]]


def test_missing_soffice_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XLKPI_SOFFICE", str(tmp_path / "no-such-soffice"))
    assert not lo.soffice_available()
    src = _stale_formula_book(tmp_path / "in" / "stale.xlsx")
    with pytest.raises(lo.SofficeError, match="not found"):
        lo.recalculate(src, tmp_path / "out")


def test_out_dir_must_differ_from_source_folder(tmp_path: Path) -> None:
    src = _stale_formula_book(tmp_path / "stale.xlsx")
    with pytest.raises(ValueError, match="must differ"):
        lo.recalculate(src, tmp_path)
