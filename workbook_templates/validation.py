"""Data validation of input columns, derived from the contract: bounds, whole numbers, lists."""

from __future__ import annotations

from decimal import Decimal

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlkpi import layout
from xlkpi.layout import (
    BOOL_LABELS,
    FIRST_DATA_ROW,
    KINDS,
    LAST_DATA_ROW,
    LEVEL_LABELS,
    PLAN_BY_LABEL,
    Column,
    SheetLayout,
)
from xlkpi.messages import t
from xlkpi.policy import Policy


def _list(values: list[str]) -> str:
    return '"' + ",".join(values) + '"'


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _choices(column: Column, policy: Policy) -> list[str] | None:
    if column.kind == "plan":
        return list(PLAN_BY_LABEL)
    if column.kind == "level":
        return list(LEVEL_LABELS.values())
    if column.kind == "bool":
        return [BOOL_LABELS[True], BOOL_LABELS[False]]
    if column.kind == "rank":
        return [r.label for r in policy.ranks.ladder]
    if column.kind == "choice":
        return [label for _code, label in column.choices]
    return None


def validation_for(
    column: Column,
    policy: Policy,
    maximum: Decimal | None = None,
    marked: str = "",
    lang: str = "zh",
) -> DataValidation | None:
    """The validation of one input column (``maximum``: a points column's item maximum).

    ``marked``: the column's first cell (``"C2"``) when a row's plan may not read the column,
    so the cell may also hold the 不适用 marker of a ``lang`` book
    (``layout.not_applicable_texts``; a number column's check is then a custom formula).
    """
    kind = KINDS[column.kind]
    choices = _choices(column, policy)
    markers = layout.not_applicable_texts(lang)
    if choices is not None and marked:
        choices = [*choices, *markers]
    if choices is not None:
        dv = DataValidation(type="list", formula1=_list(choices))
        separator = ", " if lang == "en" else "、"
        error = t("validation.choose", lang=lang, choices=separator.join(choices))
    elif column.kind == "date":
        dv = DataValidation(type="date", operator="greaterThan", formula1="1")
        error = t("validation.date", lang=lang)
    elif kind.number:
        low, high = column.bounds(layout.score_maximum(policy))
        if maximum is not None:
            high = maximum
        low = low if low is not None else Decimal(0)
        kind_type = "whole" if kind.whole else "decimal"
        if high is None:
            dv = DataValidation(
                type=kind_type, operator="greaterThanOrEqual", formula1=_number(low)
            )
            error = t("validation.at_least", lang=lang, low=_number(low))
        else:
            dv = DataValidation(
                type=kind_type, operator="between", formula1=_number(low), formula2=_number(high)
            )
            key = "validation.between_whole" if kind.whole else "validation.between"
            error = t(key, lang=lang, low=_number(low), high=_number(high))
        if not kind.percent:
            error += t("validation.no_percent", lang=lang)
        if marked:
            dv = _or_not_applicable(marked, kind_type, low, high, markers)
            error += t("validation.not_applicable", lang=lang, marker=markers[0])
    else:
        return None
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = t("validation.title", lang=lang)
    dv.error = error
    dv.promptTitle = column.header[:32]
    if column.note:
        dv.showInputMessage = True
        dv.prompt = column.note[:255]
    return dv


def _or_not_applicable(
    cell: str, kind_type: str, low: Decimal, high: Decimal | None, markers: tuple[str, ...]
) -> DataValidation:
    """A number between ``low`` and ``high`` (whole for ``kind_type`` "whole"), or one of the
    not-applicable ``markers``."""
    checks = [f"ISNUMBER({cell})", f"{cell}>={_number(low)}"]
    if high is not None:
        checks.append(f"{cell}<={_number(high)}")
    if kind_type == "whole":
        checks.append(f"{cell}=INT({cell})")
    marks = "".join(f'TRIM({cell})="{marker}",' for marker in markers)
    formula = f"OR({marks}AND({','.join(checks)}))"
    return DataValidation(type="custom", formula1=formula)


def validations_for(
    sheet: SheetLayout,
    policy: Policy,
    maxima: dict[str, Decimal] | None = None,
    lang: str = "zh",
) -> list[tuple[str, DataValidation]]:
    """(column letter, validation) for every input column of ``sheet`` in a ``lang`` book.

    ``maxima`` gives a points column's own maximum (a scorecard item's points plus extra).
    """
    out: list[tuple[str, DataValidation]] = []
    per_plan = layout.PLAN_HELPER in sheet.columns  # rows a plan may not read: 不适用
    for column in sheet.inputs:
        marked = ""
        if per_plan and column.readers(policy) is not None:
            marked = f"{sheet.letter(column.field)}{FIRST_DATA_ROW}"
        dv = validation_for(column, policy, (maxima or {}).get(column.field), marked, lang)
        if dv is not None:
            out.append((sheet.letter(column.field), dv))
    return out


def add_validations(
    ws: Worksheet,
    sheet: SheetLayout,
    policy: Policy,
    last_row: int = LAST_DATA_ROW,
    maxima: dict[str, Decimal] | None = None,
    lang: str = "zh",
) -> None:
    """Attach the validations of ``sheet``'s input columns for rows 2..``last_row``."""
    for letter, dv in validations_for(sheet, policy, maxima, lang):
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        ws.add_data_validation(dv)
