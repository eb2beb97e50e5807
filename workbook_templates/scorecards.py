"""Scorecard sheets (one per policy scorecard): items with maximum points, 加分 and 总分.

Rows are the employees whose plan is scored on the card (policy ``scorecards.<key>.plans``); item
cells and 加分 are unlocked inputs; 总分 is a native formula over the 参数 names
(:func:`score_formula`: each item capped at its points plus extra; no UDF call). For a demo
month the month's score is spread over the items in proportion to their points, any remainder
going to items with room, then 加分.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal

from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from workbook_templates.input_sheets import cell_value, guarded, name_formula, write_formulas
from workbook_templates.policy_sheet import name_of
from workbook_templates.style import FORMATS, font, style_header, unlock_inputs
from workbook_templates.validation import add_validations
from xlkpi import layout
from xlkpi.inputs import Employee, Month
from xlkpi.layout import (
    FIRST_DATA_ROW,
    LAST_DATA_ROW,
    SPARE_ROWS,
    SheetLayout,
)
from xlkpi.money import ZERO
from xlkpi.payplans import PLAN_LABELS, plan_name
from xlkpi.policy import Policy, Scorecard
from xlkpi.policy_io import default_policy

_TENTH = Decimal("0.1")
NOTE_FONT = font(bold=True, color="7F7F7F")


def sheet_name(key: str) -> str:
    """The sheet of a scorecard (layout's name, else the key)."""
    return layout.SCORECARD_SHEETS.get(key, key[:31])


def card_layout(key: str, card: Scorecard) -> SheetLayout:
    """The columns of a scorecard sheet."""
    sheet = (
        layout.scorecard_layout(key, [(i.code, i.label) for i in card.items])
        if (key in layout.SCORECARD_SHEETS)
        else None
    )
    if sheet is None:
        base = layout.scorecard_layout(next(iter(layout.SCORECARD_SHEETS)), [])
        sheet = SheetLayout(sheet_name(key), key, base.columns)
    return sheet


def score_letter(key: str, policy: Policy | None = None) -> str:
    """The letter of the 总分 column of scorecard ``key``."""
    card = (policy or default_policy()).scorecards[key]
    return card_layout(key, card).letter("score")


def score_formula(key: str, card: Scorecard, row: int, top: str) -> str:
    """总分, native (no UDF call): each item capped at its points plus extra (参数), plus 加分,
    ÷ the card's full points × 100, at most the plan's maximum score ``top`` (a 参数 name) —
    rules.md A8, as the engine's ``scorecard_total`` / ``scorecard_score``; blank while no
    item is filled."""
    sheet = card_layout(key, card)
    points = name_of(f"scorecards.{key}.points")
    extra = name_of(f"scorecards.{key}.extra")
    full = name_of(f"scorecards.{key}.total")
    bonus = f"N({sheet.letter('bonus_points')}{row})"
    if not card.items:
        return f'=IF({bonus}=0,"",MIN({top},{bonus}*100/{full}))'
    cells = [f"{sheet.letter(f'item:{item.code}')}{row}" for item in card.items]
    capped = "+".join(
        f"MIN(N({cell}),INDEX({points},{i})+INDEX({extra},{i}))"
        for i, cell in enumerate(cells, start=1)
    )
    filled = f"COUNTA({cells[0]}:{cells[-1]})"
    return f'=IF({filled}=0,"",MIN({top},({capped}+{bonus})*100/{full}))'


def spread(score: Decimal, card: Scorecard) -> tuple[list[Decimal], Decimal]:
    """Item points adding up to the card points of ``score`` (score × full points ÷ 100, rules.md
    A8), each within its maximum, and the 加分 remainder."""
    wanted = score * card.total / 100
    factor = min(wanted / card.total, Decimal(1)) if card.total else ZERO
    points = [(i.points * factor).quantize(_TENTH, rounding=ROUND_DOWN) for i in card.items]
    rest = wanted - sum(points, ZERO)
    for index, item in enumerate(card.items):
        room = item.maximum - points[index]
        step = min(room, rest)
        if step > 0:
            points[index] += step
            rest -= step
    return points, rest


SCOPE_NOTE_WIDTH = 30


def scope_note(card: Scorecard) -> str:
    """What a scorecard sheet says it scores: the plans it scores, or that it is a reference
    table scoring none (its policy note says why)."""
    if not card.plans:
        return card.note or "参考表：本表不用于任何岗位方案的工资计算"
    labels = "、".join(plan_name(p) for p in card.plans if p in PLAN_LABELS)
    return f"本表评分的岗位方案：{labels}（其他方案的员工不要填在本表）"


def scope_note_cell(sheet: SheetLayout) -> str:
    """The cell of the note: row 1, one empty column right of the table."""
    return f"{layout.column_letter(len(sheet.columns) + 2)}{layout.HEADER_ROW}"


def write_scope_note(ws: Worksheet, sheet: SheetLayout, card: Scorecard) -> None:
    """Row 1, right of the table: which plans the sheet scores (or that it is a reference)."""
    cell = ws[scope_note_cell(sheet)]
    cell.value = scope_note(card)
    cell.font = NOTE_FONT
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions[cell.column_letter].width = SCOPE_NOTE_WIDTH


def write_scorecard(
    ws: Worksheet,
    key: str,
    card: Scorecard,
    employees: list[Employee],
    month: Month | None,
    policy: Policy,
    last_row: int = LAST_DATA_ROW,
    lang: str = "zh",
) -> None:
    """One scorecard sheet with its staff rows; lookups and validation reach ``last_row``."""
    sheet = card_layout(key, card)
    ws.append(sheet.headers)
    style_header(ws, sheet)
    for i, item in enumerate(card.items):
        cell = ws.cell(row=layout.HEADER_ROW, column=3 + i)
        cell.comment = Comment(
            f"满分 {item.points} 分"
            + (f"(可超额 {item.extra})" if item.extra else "")
            + f" / max {item.maximum}; {item.code}",
            "xlkpi",
        )
    write_scope_note(ws, sheet, card)
    staff = [e for e in employees if e.plan in card.plans]
    tops = {p for p in card.plans if p in policy.score.plan_maximum}
    top = name_of(f"score.plan_maximum.{min(tops)}" if tops else "score.standard_maximum")
    for emp in staff:
        inp = month.inputs.get(emp.id) if month else None
        values: list[object] = [None] * len(card.items)
        extra: object = None
        if inp is not None and inp.score is not None:
            points, rest = spread(inp.score, card)
            values = [cell_value(p) for p in points]
            extra = cell_value(rest) if rest else None
        ws.append([emp.id, None, *values, extra])
    formulas: dict[str, Callable[[int], str]] = {
        "name": lambda row: name_formula(row, last_row),
        "score": lambda row: guarded(row, score_formula(key, card, row, top)),  # native
    }
    write_formulas(ws, sheet, formulas, len(staff), {"score": FORMATS["score"]})
    unlock_inputs(ws, sheet, FIRST_DATA_ROW + len(staff) + SPARE_ROWS - 1)
    maxima = {f"item:{item.code}": item.maximum for item in card.items}
    add_validations(ws, sheet, policy, last_row, maxima, lang)
