"""The 说明 sheet: how to use the workbook, derived from the layout, the policy and the ribbon.

Nothing on it is copied by hand from elsewhere: the month and the status are live formulas on
the hidden meta sheet (volatile, native functions only, so Excel refreshes them on open; the
commands that change them store the cached value, :func:`readme_edit`); the monthly steps name
the real command of each step (:data:`STEPS`, checked against the command line's parser by the
tests) and the label of its ribbon button, read from the add-in's ``customUI14.xml``; the
scorecard table comes from the policy's ``scorecards[key].plans`` (:func:`xlkpi.layout.
scorecard_of`); the input sheets each plan reads from the layout's ``Column.reads``; the notes
from the layout's ``Column.note``. Every sentence is a :mod:`xlkpi.messages` key, in the book's
language. Row 1 is left to the add-in notice (``workbook_templates.payroll.write_readme_notice``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

from xlkpi import layout
from xlkpi.messages import t
from xlkpi.payplans import PLAN_LABELS, plan_name
from xlkpi.workbook.meta import META_STATUS, STATUS_NEW, STATUS_RECALCULATED, STATUS_SEALED

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# openpyxl is imported by write_readme only: a repeat recalc stores 说明's cached month and
# status (readme_edit) without importing it (tests/test_recalc.py).

BUILDS = ("addin", "native")
FIRST_ROW = 2  # row 1: the add-in notice
TITLE_CELL = f"A{FIRST_ROW}"
MONTH_CELL = f"B{FIRST_ROW + 1}"
STATUS_CELL = f"B{FIRST_ROW + 2}"
BUILD_CELL = f"B{FIRST_ROW + 3}"
STATUSES = (STATUS_NEW, STATUS_RECALCULATED, STATUS_SEALED)
WIDTHS = {"A": 18, "B": 56, "C": 52, "D": 14}
NO_COMMAND = "—"
CUSTOM_UI = "customUI/customUI14.xml"  # in the package xlkpi.addin


@dataclass(frozen=True, slots=True)
class Step:
    """One monthly step: its message key, the command line (a format string) and its button."""

    key: str
    command: str  # "" = no command; {book} / {next_book} / {month} filled per language
    button: str  # the ribbon button's id in customUI14.xml; "" = none


STEPS: tuple[Step, ...] = (
    Step("fill", "", ""),
    Step("check", "xlkpi check {book}", "xlkpiCheck"),
    Step("recalc", "xlkpi recalc {book}", "xlkpiRecalc"),
    Step("payslips", "xlkpi payslips {book} --per-employee", "xlkpiPayslips"),
    Step("close", "xlkpi close {book}", "xlkpiCloseMonth"),
    Step(
        "new_month",
        "xlkpi new-month --from {book} --month {month} --out {next_book}",
        "xlkpiNewMonth",
    ),
)


@lru_cache(maxsize=1)
def ribbon_labels() -> dict[str, str]:
    """Button id → label of the add-in's ribbon (``xlkpi/addin/customUI/customUI14.xml``)."""
    root = ET.fromstring(files("xlkpi.addin").joinpath(CUSTOM_UI).read_bytes())
    return {
        el.get("id", ""): el.get("label", "")
        for el in root.iter()
        if el.tag.rsplit("}", 1)[-1] == "button"
    }


def step_command(step: Step, lang: str) -> str:
    """The command line of ``step`` with the language's example file names ("" if none)."""
    if not step.command:
        return ""
    return step.command.format(
        book=t("readme.book", lang=lang),
        next_book=t("readme.next_book", lang=lang),
        month="YYYY-MM",
    )


def plan_label(plan: str, lang: str) -> str:
    """A plan's name in ``lang`` (its code when unknown; ``payplans.plan_name``)."""
    return plan_name(plan, lang)


def score_sheet(plan: str, policy: object) -> str | None:
    """The sheet giving ``plan`` its score: its scorecard, else 主管自评; None when unscored."""
    key = layout.scorecard_of(plan, policy)
    if key is not None:
        return layout.SCORECARD_SHEETS.get(key, key)
    if layout.SCORE_COLUMN.reads(plan, policy):
        return layout.SUPERVISOR_SELF.name
    return None


def sheets_read_by(plan: str, policy: object) -> list[str]:
    """The input sheets ``plan`` reads, in the workbook's order (from the layout's readers)."""
    sheets = [layout.ROSTER.name]
    for sheet in (layout.ATTENDANCE, layout.SALES):
        if any(c.reads(plan, policy) for c in layout.month_columns(sheet)):
            sheets.append(sheet.name)
    if plan in layout.SHOP_PLANS or layout.PUBLIC_SALES_COLUMN.reads(plan, policy):
        sheets.append(layout.SHOPS.name)
    scored = score_sheet(plan, policy)
    if scored is not None:
        sheets.append(scored)
    tax_inputs = layout.month_columns(layout.TAX_INPUTS)
    if any(c.reads(plan, policy) for c in tax_inputs):
        sheets.append(layout.TAX_INPUTS.name)
    return sheets


def month_formula(lang: str = "zh") -> str:
    """The month from the meta sheet's defined name; volatile so Excel shows it on open."""
    unset = t("readme.month_unset", lang=lang)
    return f'=IF({layout.MONTH_NAME}="","{unset}",{layout.MONTH_NAME})&T(NOW())'


def status_formula(lang: str) -> str:
    """The status from the meta sheet, in words; volatile so Excel shows it on open."""
    meta = _quoted(layout.META)
    value = f'INDEX({meta}!$B:$B,MATCH("{META_STATUS}",{meta}!$A:$A,0))'
    new = f'"{status_text(STATUS_NEW, lang)}"'
    text = new
    for status in reversed(STATUSES[1:]):
        text = f'IF({value}="{status}","{status_text(status, lang)}",{text})'
    return f"=IFERROR({text},{new})&T(NOW())"


def _quoted(sheet: str) -> str:
    """``sheet`` quoted as openpyxl's ``quote_sheetname`` does, without importing openpyxl."""
    return "'" + sheet.replace("'", "''") + "'"


def status_text(status: str, lang: str) -> str:
    """A meta status in words (新建，未重算 / 已重算 / 已封账)."""
    return t(f"status.{status if status in STATUSES else STATUS_NEW}", lang=lang)


def readme_rows(policy: object, lang: str = "zh", build: str = "addin") -> list[list[str]]:
    """The sheet's rows from :data:`FIRST_ROW` on (formulas as text starting with ``=``)."""
    if build not in BUILDS:
        raise ValueError(f"build is {build!r}; one of {BUILDS}")
    tr = {"lang": lang}
    buttons = ribbon_labels()
    rows: list[list[str]] = [
        [t("readme.title", **tr)],
        [t("readme.month", **tr), month_formula(lang)],
        [t("readme.status", **tr), status_formula(lang)],
        [t("readme.build", **tr), t(f"readme.build.{build}", **tr)],
        [],
        [t("readme.steps", **tr)],
        [
            t("readme.col.step", **tr),
            t("readme.col.what", **tr),
            t("readme.col.command", **tr),
            t("readme.col.button", **tr),
        ],
    ]
    for i, step in enumerate(STEPS, start=1):
        rows.append(
            [
                f"{i}. {t(f'readme.step.{step.key}', **tr)}",
                t(f"readme.step.{step.key}.what", **tr, **_SHEETS),
                step_command(step, lang) or NO_COMMAND,
                buttons.get(step.button, NO_COMMAND) if step.button else NO_COMMAND,
            ]
        )
    rows += [
        [],
        [t("readme.scorecards", **tr)],
        [t("readme.col.sheet", **tr), t("readme.col.scores", **tr), t("readme.col.note", **tr)],
    ]
    plans = list(PLAN_LABELS)
    separator = ", " if lang == "en" else "、"
    scorecards = getattr(policy, "scorecards", {})
    for key, card in scorecards.items():
        scored = [p for p in plans if layout.scorecard_of(p, policy) == key]
        rows.append(
            [
                layout.SCORECARD_SHEETS.get(key, key),
                separator.join(plan_label(p, lang) for p in scored) or t("readme.reference", **tr),
                t("readme.scorecard_total", total=_number(card.total), **tr),
            ]
        )
    by_self = [p for p in plans if score_sheet(p, policy) == layout.SUPERVISOR_SELF.name]
    rows.append(
        [
            layout.SUPERVISOR_SELF.name,
            separator.join(plan_label(p, lang) for p in by_self),
            t("readme.supervisor_self", **tr),
        ]
    )
    rows += [
        [],
        [t("readme.plans", **tr)],
        [t("readme.col.plan", **tr), t("readme.col.inputs", **tr), t("readme.col.score", **tr)],
    ]
    for plan in plans:
        rows.append(
            [
                plan_label(plan, lang),
                separator.join(sheets_read_by(plan, policy)),
                score_sheet(plan, policy) or t("readme.no_score", **tr),
            ]
        )
    notes = [
        (sheet.name, column.header, column.note)
        for sheet in layout.INPUT_SHEETS
        for column in sheet.columns
        if column.note
    ]
    if notes:
        rows += [[], [t("readme.notes", **tr)]]
        rows += [[sheet, header, note] for sheet, header, note in notes]
    return rows


LINE_HEIGHT = 15  # points per line of 11-point text


def _lines(value: str, column: int) -> int:
    """Lines ``value`` takes in its column when wrapped (a Chinese character is two units)."""
    if value.startswith("="):
        return 1
    width = WIDTHS.get(layout.column_letter(column), 10)
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in value)
    return max(1, -(-units // max(width - 1, 1)))


def _number(value: object) -> str:
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


_SHEETS = {
    "roster": layout.ROSTER.name,
    "payroll": layout.PAYROLL.name,
    "alerts": layout.ALERTS.name,
    "tax": layout.TAX_SHEET.name,
}
_SECTION_KEYS = ("readme.steps", "readme.scorecards", "readme.plans", "readme.notes")


def write_readme(
    ws: Worksheet,
    month: str | None = None,
    *,
    policy: object | None = None,
    lang: str = "zh",
    build: str = "addin",
) -> None:
    """Write 说明 from :data:`FIRST_ROW` on (``month`` is shown by the meta-sheet formula).

    ``build`` names the workbook's formulas: "addin" (xlwings UDFs) or "native" (no add-in).
    """
    from openpyxl.styles import Alignment

    from workbook_templates.style import HEADER_FILL, HEADER_FONT, font

    del month  # the month cell reads the meta sheet, which the builder stamps
    if policy is None:
        from xlkpi.policy_io import default_policy

        policy = default_policy()
    sections = {t(key, lang=lang) for key in _SECTION_KEYS}
    heads = {t("readme.col.step", lang=lang), t("readme.col.sheet", lang=lang)}
    heads.add(t("readme.col.plan", lang=lang))
    wrap = Alignment(wrap_text=True, vertical="top", horizontal="left")
    for offset, values in enumerate(readme_rows(policy, lang, build)):
        row = FIRST_ROW + offset
        single = len(values) <= 1  # a title: it runs on into the empty cells to its right
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.alignment = Alignment(vertical="top") if single else wrap
        lines = 1 if single else max(_lines(v, c) for c, v in enumerate(values, start=1))
        if lines > 1:  # hosts do not grow a wrapped row by themselves (LibreOffice, WPS)
            ws.row_dimensions[row].height = LINE_HEIGHT * lines + 2
        if values and values[0] in sections:
            ws.cell(row=row, column=1).font = font(bold=True, size=12)
        elif values and values[0] in heads:
            for col in range(1, len(values) + 1):
                ws.cell(row=row, column=col).font = HEADER_FONT
                ws.cell(row=row, column=col).fill = HEADER_FILL
    ws[TITLE_CELL].font = font(bold=True, size=14)
    ws[TITLE_CELL].alignment = Alignment(vertical="top")
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width


def readme_edit(readme: object, month: str, status: str, lang: str = "zh") -> object | None:
    """The 说明 edit storing the cached month and status (None for an older 说明 layout).

    ``readme`` is the workbook's 说明 :class:`xlkpi.workbook.sheets.Sheet`; the formulas are
    kept (rewritten as they are), their cached values set, so hosts that show cached values
    (WPS, previews, ``openpyxl`` with ``data_only=True``) show the month and status too.
    """
    from xlkpi.workbook.xlsx_patch import SheetEdit, split_ref

    labels = {t("readme.month", lang=lang_) for lang_ in ("zh", "en")}
    row, col = split_ref(MONTH_CELL)
    if readme is None or readme.value(row, col - 2) not in labels:  # type: ignore[attr-defined]
        return None
    return SheetEdit(
        values={
            MONTH_CELL: month or t("readme.month_unset", lang=lang),
            STATUS_CELL: status_text(status, lang),
        },
        formulas={MONTH_CELL: month_formula(lang), STATUS_CELL: status_formula(lang)},
    )
