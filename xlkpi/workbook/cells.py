"""One input cell → its value by the column's kind, or a problem at its cell.

Numbers, counts, ratios, dates, choices and yes/no cells are converted by the column's kind
(``xlkpi.layout.KINDS``); a value that does not fit is a :class:`Problems` entry in the
workbook's language, never a guess.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from xlkpi import layout
from xlkpi.errors import CellProblem, InputError
from xlkpi.messages import chinese_punctuation
from xlkpi.money import to_decimal
from xlkpi.workbook.sheets import CellError, cell_text, is_blank

EXCEL_EPOCH = date(1899, 12, 30)


class Problems:
    """Collects problems (and warnings), worded in the workbook's language (zh unless en)."""

    def __init__(self, lang: str = "zh") -> None:
        self.items: list[CellProblem] = []
        self.warnings: list[CellProblem] = []
        self.id_rows: dict[str, dict[str, int]] = {}  # sheet → employee id → row
        self.lang = "en" if lang == "en" else "zh"

    def t(self, zh: str, en: str) -> str:
        """The text in the workbook's language."""
        return en if self.lang == "en" else zh

    def add(self, sheet: str, cell: str, value: Any, message: str, remedy: str) -> None:
        self.items.append(self._problem(sheet, cell, value, message, remedy))

    def warn(self, sheet: str, cell: str, value: Any, message: str, remedy: str) -> None:
        self.warnings.append(self._problem(sheet, cell, value, message, remedy))

    def _problem(self, sheet: str, cell: str, value: Any, message: str, remedy: str) -> CellProblem:
        if self.lang == "zh":  # sentences assembled from parts: Chinese punctuation
            message, remedy = chinese_punctuation(message), chinese_punctuation(remedy)
        return CellProblem(sheet, cell, shown_value(value), message, remedy)


def shown_value(value: Any) -> Any:
    """A cell value as a problem shows it (an error value as its text)."""
    if type(value) is CellError:
        return str(value)
    return value


_DECIMAL_CACHE: dict[tuple[type, Any], Decimal] = {}


FLOAT_CACHE: dict[float, Decimal] = {}  # float cell value → to_decimal(value)


def cached_decimal(value: Any, what: str) -> Decimal:
    """to_decimal with a cache for repeated cell values (Decimals are immutable)."""
    key = (type(value), value)
    try:
        return _DECIMAL_CACHE[key]
    except (KeyError, TypeError):
        pass
    number = to_decimal(value, what)
    if len(_DECIMAL_CACHE) < 100_000:
        try:
            _DECIMAL_CACHE[key] = number
        except TypeError:
            pass
    return number


_TEXT_NUMBER = re.compile(r"^[+-]?\d*\.?\d+(e[+-]?\d+)?$", re.I)


def is_percent_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    import unicodedata

    return unicodedata.normalize("NFKC", value).strip().endswith("%")


def convert_cell(
    value: Any,
    column: layout.Column,
    where: tuple[str, str],
    problems: Problems,
    score_max: Decimal | None = None,
    percent_format: bool = False,
) -> Decimal | int | str | None:
    """A non-blank input cell → its value by the column's kind, or None after a problem.

    Numbers: a ``%`` only in ratio columns (typed, or a percentage-formatted number);
    no bool, date, text, NaN or infinity; within the column's bounds; counts whole.
    Choices: the label or code of one of the column's choices.
    """
    sheet, cell = where
    t = problems.t
    kind = layout.KINDS[column.kind]
    what = column.header
    unit = kind.unit
    remedy = t(kind.remedy, kind.remedy_en or kind.remedy)
    if type(value) is CellError:
        problems.add(
            sheet,
            cell,
            value,
            t(f"{what}是错误值 {value}(公式出错),不是数字", f"{what} is the error value {value}"),
            t("改正公式或直接输入数值", "correct the formula or type the value"),
        )
        return None
    if column.kind == "choice":
        code = column.choice_code(cell_text(value))
        if code is None:
            labels = "、".join(label for _c, label in column.choices)
            problems.add(
                sheet,
                cell,
                value,
                t(f"{what}不是可选的值", f"{what} is not one of the choices"),
                t(f"请从下拉列表中选择:{labels}", f"choose one of: {labels}"),
            )
        return code
    if not kind.percent and (is_percent_text(value) or (percent_format and is_numeric(value))):
        problems.add(
            sheet,
            cell,
            value,
            t(
                f"{what}不能是百分比(此列是{kind_name(column.kind)})",
                f"{what} cannot be a percentage (this column holds {column.kind})",
            ),
            remedy,
        )
        return None
    try:
        number = cached_decimal(value, f"{sheet}!{cell}")
    except InputError:
        if isinstance(value, bool):
            msg = t(f"{what}是逻辑值 {value},不是数字", f"{what} is {value}, not a number")
        elif isinstance(value, date | datetime):
            msg = t(f"{what}是日期,不是数字", f"{what} is a date, not a number")
        else:
            msg = t(f"{what}不是数字", f"{what} is not a number")
        problems.add(sheet, cell, value, msg, remedy)
        return None
    low, high = column.bounds(score_max)
    if low is not None and number < low:
        problems.add(
            sheet,
            cell,
            value,
            t(
                f"{what}不能小于{format_number(low)}{unit}(当前为{format_number(number)})",
                f"{what} cannot be below {format_number(low)} (it is {format_number(number)})",
            ),
            remedy,
        )
        return None
    if high is not None and number > high:
        if column.kind == "score":
            zh = f"{what}为{format_number(number)}分,超过评分上限{format_number(high)}分"
        elif column.kind == "points":
            zh = f"{what}为{format_number(number)}分,超过该项上限{format_number(high)}分"
        else:
            zh = (
                f"{what}为{format_number(number)}{unit},"
                f"超过上限{format_number(high)}{unit},不是合理的数值"
            )
        problems.add(
            sheet,
            cell,
            value,
            t(zh, f"{what} is {format_number(number)}, above the limit {format_number(high)}"),
            remedy,
        )
        return None
    if kind.whole:
        if number != number.to_integral_value():
            problems.add(
                sheet,
                cell,
                value,
                t(
                    f"{what}应为整数(当前为{format_number(number)})",
                    f"{what} must be a whole number",
                ),
                remedy,
            )
            return None
        return int(number)
    return number


def is_numeric(value: Any) -> bool:
    return type(value) in (int, float)


def format_number(number: Decimal) -> str:
    """A bound or value for a message: plain digits, short for huge numbers."""
    if abs(number) >= Decimal("1e12"):
        return f"{number:.3E}"
    return format(number.normalize(), "f") if number == number else str(number)


_KIND_NAMES = {
    "amount": "金额(元)",
    "count": "次数",
    "days": "天数",
    "hours": "小时数",
    "score": "分数",
    "points": "考核项得分",
    "ratio": "系数",
}


def kind_name(kind: str) -> str:
    return _KIND_NAMES.get(kind, kind)


def convert_number(
    value: Any, kind: str, where: tuple[str, str], problems: Problems, maximum: Decimal | None
) -> Decimal | int | None:
    """A numeric cell of ``kind`` → Decimal (int for counts); a blank is a problem."""
    column = layout.Column("value", where[1], kind, True, maximum=maximum)
    if is_blank(value):
        blank_problem(problems, where[0], where[1], value, column)
        return None
    number = convert_cell(value, column, where, problems, maximum)
    assert not isinstance(number, str)
    return number


def blank_problem(
    problems: Problems, sheet: str, cell: str, value: Any, column: layout.Column, extra: str = ""
) -> None:
    t = problems.t
    kind = layout.KINDS[column.kind]
    problems.add(
        sheet,
        cell,
        value,
        t(f"{column.header}为空,此项必填{extra}", f"{column.header} is blank; it is required"),
        t(kind.remedy or "请填写", kind.remedy_en or "fill it in"),
    )


def date_value(value: Any) -> date | None:
    if isinstance(value, bool) or type(value) is CellError:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return EXCEL_EPOCH + timedelta(days=int(value))
    if isinstance(value, str):
        text = value.strip().replace("/", "-").replace(".", "-")
        text = text.replace("年", "-").replace("月", "-").replace("日", "")
        try:
            y, m, d = (int(p) for p in text.split("-")[:3])
            return date(y, m, d)
        except (ValueError, TypeError):
            return None
    return None


_BOOL_TEXT = {
    "是": True,
    "否": False,
    "true": True,
    "false": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
}


def bool_value(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    return _BOOL_TEXT.get(cell_text(value).lower())


def fast_decimal(value: Any, what: str) -> Decimal:
    """to_decimal, memoised for float cells (the common case)."""
    if type(value) is float:
        number = FLOAT_CACHE.get(value)
        if number is None:
            number = to_decimal(value, what)
            if len(FLOAT_CACHE) < 100_000:
                FLOAT_CACHE[value] = number
        return number
    return to_decimal(value, what)
