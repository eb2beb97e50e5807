"""An add-in book where the add-in is not: the last recalc's numbers, never #NAME?.

LibreOffice computes array formulas on load even when told to keep stored values, so the
工资表's ``PAY_TABLE`` block needs an answer without Python: the array asks a cheap add-in probe
and, where it is missing, shows the hidden ``_上次重算`` copy that every recalc writes
(``workbook_templates.payroll.payroll_array``). 团队目标's team sales are native. Checked on a
recalculated demo month and on a book made before the copy existed (recalc adds it), with
LibreOffice keeping stored values and recalculating everything.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support import libreoffice as lo
from tests.support.old_books import without_sheet
from workbook_templates import build_workbook
from xlkpi import layout, recalc
from xlkpi.sample_data import demo_month

SHEETS = (layout.PAYROLL.name, layout.TEAMS.name, layout.README)


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    lo.require_soffice()
    root = tmp_path_factory.mktemp("hosts")
    month = root / "month.xlsx"
    build_workbook(month, month=demo_month())
    old = without_sheet(
        Path(shutil.copy(month, root / "built.xlsx")), root / "old.xlsx", layout.LAST_RECALC
    )
    for book in (month, old):
        recalc.recalc(book)
    return {"recalculated": month, "made before _上次重算, recalculated": old}


def _values(path: Path, sheet: str) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return {
        c.coordinate: c.value
        for row in ws.iter_rows()
        for c in row
        if c.value not in (None, "")  # Excel and LibreOffice store no empty text
    }


@pytest.mark.parametrize("recalculate", [False, True], ids=["keeping values", "recalculating"])
@pytest.mark.parametrize("kind", ["recalculated", "made before _上次重算, recalculated"])
def test_libreoffice_shows_the_last_recalc_s_numbers(
    months: dict[str, Path], kind: str, recalculate: bool, tmp_path: Path
) -> None:
    src = months[kind]
    (out,) = lo.convert([src], tmp_path / "lo", recalc=recalculate)
    for sheet in SHEETS:
        stored, shown = _values(src, sheet), _values(out, sheet)
        assert not [v for v in shown.values() if str(v).startswith("#NAME")], sheet
        differ = {
            cell: (stored.get(cell), shown.get(cell))
            for cell in stored.keys() | shown.keys()
            if _differ(stored.get(cell), shown.get(cell))
        }
        assert not differ, (sheet, sorted(differ.items())[:8])
    pay = _values(out, layout.PAYROLL.name)
    total = layout.PAYROLL.letter("total")
    assert sum(1 for cell, v in pay.items() if cell.startswith(total) and v) > 10


def _differ(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) > 1e-9 * max(1.0, abs(a))
    return a != b


def test_the_array_would_show_name_errors_without_its_copy(
    months: dict[str, Path], tmp_path: Path
) -> None:
    """The check above could fail: without the hidden copy LibreOffice's array shows errors."""
    broken = without_sheet(months["recalculated"], tmp_path / "broken.xlsx", layout.LAST_RECALC)
    (out,) = lo.convert([broken], tmp_path / "lo", recalc=False)
    shown = _values(out, layout.PAYROLL.name)
    score = layout.PAYROLL.letter("score") + str(layout.FIRST_DATA_ROW)
    assert str(shown.get(score)).startswith("#")
