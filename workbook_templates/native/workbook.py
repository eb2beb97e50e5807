"""Turning a workbook into the native build: which cells get which native formula.

:func:`input_formulas` lists, per sheet, the formula cells of the input sheets that the add-in
build fills with UDF calls (scorecard 总分, 主管自评's score, 团队目标's team sales and
completion) with their native formulas. The builder applies them to the openpyxl workbook it
makes (:func:`make_native`); ``xlkpi new-month --formulas native`` applies them to an add-in
book as sheet edits (formula cells only: no input cell is written).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from workbook_templates.native.inputs import (
    completion_formula,
    scorecard_total_formula,
    team_sales_formula,
    weighted_score_formula,
)
from workbook_templates.native.payroll import total_formula
from xlkpi import layout
from xlkpi.builds import META_BUILD, NATIVE
from xlkpi.layout import FIRST_DATA_ROW, PAYROLL, SUPERVISOR_SELF, TEAMS
from xlkpi.messages import t
from xlkpi.policy import Policy

if TYPE_CHECKING:
    from openpyxl import Workbook


def readme_line() -> str:
    """说明's first line in a native book: which formulas it carries."""
    return t("build.native_readme", lang="zh")


def input_formulas(
    policy: Policy, rows: Mapping[str, Sequence[int]], last_row: int
) -> dict[str, dict[str, str]]:
    """Sheet → cell → native formula, for the data ``rows`` of each input sheet.

    ``rows`` maps a sheet name to the rows holding data (an employee id, a team name).
    """
    from workbook_templates.scorecards import card_layout

    out: dict[str, dict[str, str]] = {}
    for key, card in policy.scorecards.items():
        name = layout.SCORECARD_SHEETS.get(key)
        if name is None or name not in rows:
            continue
        sheet = card_layout(key, card)
        first = sheet.letter(f"item:{card.items[0].code}") if card.items else "C"
        bonus, score = sheet.letter("bonus_points"), sheet.letter("score")
        out[name] = {
            f"{score}{r}": scorecard_total_formula(key, card, r, first, bonus, policy)
            for r in rows[name]
        }
    if SUPERVISOR_SELF.name in rows:
        score = SUPERVISOR_SELF.letter("score")
        out[SUPERVISOR_SELF.name] = {
            f"{score}{r}": weighted_score_formula(r) for r in rows[SUPERVISOR_SELF.name]
        }
    if TEAMS.name in rows:
        sales, completion = TEAMS.letter("team_sales"), TEAMS.letter("completion")
        cells: dict[str, str] = {}
        for r in rows[TEAMS.name]:
            cells[f"{sales}{r}"] = team_sales_formula(r, last_row)
            cells[f"{completion}{r}"] = completion_formula(r)
        out[TEAMS.name] = cells
    return out


def _data_rows(ws: object) -> list[int]:
    return [
        r
        for r in range(FIRST_DATA_ROW, ws.max_row + 1)  # type: ignore[attr-defined]
        if ws.cell(row=r, column=1).value not in (None, "")  # type: ignore[attr-defined]
    ]


def make_native(wb: Workbook, policy: Policy, staff: int, last_row: int) -> None:
    """Make a freshly built workbook the native build (its Payroll already has the native
    line formulas): native input-sheet formulas, the 合计 row, no add-in notice, 说明 says
    which build it is, and the meta sheet records it."""
    sheets = [*layout.SCORECARD_SHEETS.values(), SUPERVISOR_SELF.name, TEAMS.name]
    rows = {name: _data_rows(wb[name]) for name in sheets if name in wb.sheetnames}
    for name, cells in input_formulas(policy, rows, last_row).items():
        for ref, formula in cells.items():
            wb[name][ref] = formula
    ws = wb[PAYROLL.name]
    if staff:
        total_row = FIRST_DATA_ROW + staff
        for field in ("total", *layout.NET_PAY_COLUMNS):
            letter = PAYROLL.letter(field)
            ws[f"{letter}{total_row}"] = "=" + total_formula(letter, total_row - 1)
    from workbook_templates.payroll import README_NOTICE_CELL, notice_cell

    ws[notice_cell()] = None
    wb[layout.README][README_NOTICE_CELL] = readme_line()
    wb[layout.META].append([META_BUILD, NATIVE])


__all__ = ["input_formulas", "make_native", "readme_line"]
