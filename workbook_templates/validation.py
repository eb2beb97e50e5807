"""Data validation for input columns: ranges, whole numbers, dates and dropdown lists."""

from __future__ import annotations

from decimal import Decimal

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlkpi.layout import (
    BOOL_LABELS,
    FIRST_DATA_ROW,
    LAST_DATA_ROW,
    LEVEL_LABELS,
    PLAN_BY_LABEL,
    SheetLayout,
)
from xlkpi.policy import Policy


def _list(values: list[str]) -> str:
    return '"' + ",".join(values) + '"'


def validations_for(sheet: SheetLayout, policy: Policy) -> list[tuple[str, DataValidation]]:
    """(column letter, validation) for every input column of ``sheet``."""
    maximum = policy.score.maximum
    out: list[tuple[str, DataValidation]] = []
    for column in sheet.columns:
        kind = column.kind
        dv: DataValidation | None = None
        if kind == "plan":
            dv = DataValidation(type="list", formula1=_list(list(PLAN_BY_LABEL)))
        elif kind == "level":
            dv = DataValidation(type="list", formula1=_list(list(LEVEL_LABELS.values())))
        elif kind == "bool":
            dv = DataValidation(
                type="list", formula1=_list([BOOL_LABELS[True], BOOL_LABELS[False]])
            )
        elif kind == "rank":
            dv = DataValidation(type="list", formula1=_list([r.label for r in policy.ranks.ladder]))
        elif kind == "count":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        elif kind in ("amount", "days", "hours", "ratio"):
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        elif kind == "score":
            dv = DataValidation(
                type="decimal", operator="between", formula1="0", formula2=str(Decimal(maximum))
            )
        elif kind == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="1")
        if dv is None:
            continue
        dv.allow_blank = True
        dv.showErrorMessage = True
        dv.errorTitle = "输入错误 Invalid input"
        dv.error = _message(kind, maximum)
        dv.promptTitle = column.header
        out.append((sheet.letter(column.field), dv))
    return out


def _message(kind: str, maximum: Decimal) -> str:
    return {
        "plan": "请从下拉列表选择薪资方案 Choose a pay plan from the list",
        "level": "请选择 助理/副理/员工 Choose a level",
        "bool": "请选择 是 或 否 Choose 是 or 否",
        "rank": "请从下拉列表选择等级 Choose a rank from the list",
        "count": "请输入0或正整数 Enter a whole number, 0 or more",
        "score": f"分数须在0到{maximum}之间 A score lies between 0 and {maximum}",
        "date": "请输入日期 Enter a date, e.g. 2024-03-01",
    }.get(kind, "请输入0或正数 Enter a number, 0 or more")


def add_validations(
    ws: Worksheet, sheet: SheetLayout, policy: Policy, last_row: int = LAST_DATA_ROW
) -> None:
    """Attach the validations of ``sheet``'s input columns for rows 2..``last_row``."""
    for letter, dv in validations_for(sheet, policy):
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        ws.add_data_validation(dv)
