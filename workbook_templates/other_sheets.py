"""The 说明 readme, 预警 Alerts, 历史 History and hidden ``_xlkpi`` meta sheets."""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from workbook_templates.readme_sheet import write_readme
from workbook_templates.style import AMOUNT_FORMAT, style_header
from xlkpi import layout
from xlkpi.engine import MonthResult
from xlkpi.inputs import Employee, Month
from xlkpi.layout import (
    ALERTS,
    BOOL_LABELS,
    FIRST_DATA_ROW,
    GRADE_LABELS,
    HISTORY,
    TAX_ITEM_HEADERS,
    TAX_SHEET,
)

__all__ = ["write_alerts", "write_history", "write_meta", "write_readme", "write_tax_sheet"]

TEMPLATE_VERSION = "1"
ALERT_KINDS = {"warning": "警告", "dismissal": "劝退", "promotion": "晋升", "reward": "奖励"}
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
DISMISSAL_FILL = PatternFill("solid", fgColor="FFC7CE")


def write_alerts(
    ws: Worksheet, result: MonthResult | None, last_row: int = layout.LAST_DATA_ROW
) -> None:
    """预警: the month's alerts (filled by recalc; by the builder for a demo month).

    The warning / dismissal shading covers rows 2..``last_row``.
    """
    ws.append(ALERTS.headers)
    style_header(ws, ALERTS)
    if result is not None:
        for alert in result.alerts:
            ws.append(
                [
                    alert.employee_id,
                    alert.name,
                    ALERT_KINDS.get(alert.kind, alert.kind),
                    alert.code,
                    alert.message,
                ]
            )
    kind = ALERTS.letter("kind")
    area = f"A{FIRST_DATA_ROW}:{ALERTS.letter('message')}{last_row}"
    ws.conditional_formatting.add(
        area,
        FormulaRule(
            formula=[f'${kind}{FIRST_DATA_ROW}="{ALERT_KINDS["dismissal"]}"'], fill=DISMISSAL_FILL
        ),
    )
    ws.conditional_formatting.add(
        area,
        FormulaRule(
            formula=[f'${kind}{FIRST_DATA_ROW}="{ALERT_KINDS["warning"]}"'], fill=WARNING_FILL
        ),
    )


def write_history(ws: Worksheet, month: Month | None, employees: list[Employee]) -> None:
    """历史: closed months (grades as Chinese labels)."""
    ws.append(HISTORY.headers)
    style_header(ws, HISTORY)
    names = {e.id: e.name for e in employees}
    if month is None:
        return
    amounts = [(c.field, HISTORY.letter(c.field)) for c in HISTORY.columns if c.kind == "amount"]
    records = sorted(month.history, key=lambda r: (r.month, r.employee_id))
    for row, rec in enumerate(records, start=FIRST_DATA_ROW):
        values = {
            "month": rec.month,
            "id": rec.employee_id,
            "name": names.get(rec.employee_id, ""),
            "score": _num(rec.score),
            "grade": GRADE_LABELS.get(rec.grade, rec.grade),
            "coefficient": _num(rec.coefficient),
            "total": _num(rec.total),
            "rank": rec.rank or None,
            "complaints": rec.complaints,
            "bad_record": BOOL_LABELS[rec.bad_record],
        }
        if rec.in_ledger:  # the month's own ledger figures (the cumulative ones are not known)
            items = dict(rec.additional_items)
            values |= {
                "income": _num(rec.gross),
                "social_insurance": _num(rec.social_insurance),
                "other_deductions": _num(rec.other_deductions),
                "tax_withheld": _num(rec.tax_withheld),
            }
            values |= {f"item:{f}": _num(items.get(f, 0)) for f in TAX_ITEM_HEADERS}
        ws.append([values.get(c.field) for c in HISTORY.columns])
        for field, letter in amounts:
            if values.get(field) is not None:
                ws[f"{letter}{row}"].number_format = AMOUNT_FORMAT  # (ws.max_row is O(rows))


def _num(value: object) -> object:
    from workbook_templates.input_sheets import cell_value

    return cell_value(value)


def write_meta(ws: Worksheet, month: str | None, lang: str) -> dict[str, str]:
    """The hidden meta sheet (key in A, value in B); returns the month's defined name."""
    values = {
        "month": month or "",
        "status": "new",
        "seal_hash": "",
        "template_version": TEMPLATE_VERSION,
        "lang": lang,
    }
    for key in layout.META_KEYS:
        ws.append([key, values[key] or None])
    ws.sheet_state = "hidden"
    cell = layout.META_MONTH_CELL
    return {layout.MONTH_NAME: f"{quote_sheetname(ws.title)}!${cell[0]}${cell[1:]}"}


def write_tax_sheet(ws: Worksheet, result: MonthResult | None, month: Month | None) -> None:
    """个税: the withholding declaration's figures per employee (filled by recalc; by the
    builder for a demo month)."""
    from xlkpi.tax.declaration_sheet import tax_sheet_values

    ws.append(TAX_SHEET.headers)
    style_header(ws, TAX_SHEET)
    if result is None or month is None:
        return
    amounts = {TAX_SHEET.letter(c.field) for c in TAX_SHEET.columns if c.kind == "amount"}
    for cell, value in tax_sheet_values(result, month).items():
        ws[cell] = _num(value)
        if cell.rstrip("0123456789") in amounts:
            ws[cell].number_format = AMOUNT_FORMAT
