"""The Excel boundary of the UDFs: cell values in, engine Decimals out, one row at a time.

Excel (through xlwings) hands a UDF a scalar for one cell, a list for a column or row, or a
list of lists for a block; the ``formulas`` evaluator hands the same shapes. :func:`vectorize`
turns every data argument into a column (broadcasting scalars), calls the rule once per row,
and gives back a scalar for scalar calls or a column (list of one-element lists) otherwise.
Per row: a blank argument gives a blank result (None, never a number), an error value in a
cell is passed on, and an :class:`~xlkpi.errors.XlkpiError` becomes a readable error text
such as ``#输入错误: score is 130; …`` that makes any ``+`` total depending on it #VALUE!.
Numbers leave as floats built from the Decimal's text, so 0.1 stays 0.1: no float arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from xlkpi import layout
from xlkpi.errors import InputError, PolicyError, XlkpiError
from xlkpi.messages import t

_NOT_APPLICABLE = frozenset({layout.NOT_APPLICABLE, layout.NOT_APPLICABLE_EN})

ERROR_PREFIX = "#输入错误: "
POLICY_ERROR_PREFIX = "#参数错误: "
Result = Any


class BlankInput(Exception):
    """Raised inside a rule when a required cell is blank: the result is blank."""


def is_blank(value: object) -> bool:
    """None, an empty or whitespace-only text (what Excel hands over for a blank cell), or the
    不适用 marker of a cell the row's plan does not read (``xlkpi.layout.NOT_APPLICABLE``)."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    return not text or text in _NOT_APPLICABLE


def is_error(value: object) -> bool:
    """An Excel error value or an error text produced by another UDF (``#…``)."""
    if isinstance(value, str):
        return value.startswith("#")
    return type(value).__name__ == "XlError"


def rows_of(value: object) -> list[object] | None:
    """A column of per-row values (a multi-cell row stays a list), or None for a scalar."""
    if hasattr(value, "tolist"):  # numpy arrays from evaluators
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return None
    out: list[object] = []
    for row in value:
        if hasattr(row, "tolist"):
            row = row.tolist()
        if isinstance(row, (list, tuple)):
            out.append(row[0] if len(row) == 1 else list(row))
        else:
            out.append(row)
    if len(out) == 1 and not isinstance(out[0], list):
        return None  # one cell: a scalar
    return out


def scalar_of(value: object) -> object:
    """A scalar from a 1×1 block (``[[x]]`` or ``[x]``); anything else unchanged."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    while isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    return value


def to_excel(value: object) -> Result:
    """What a cell shows: floats from Decimal text, texts, None for blank."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return float(str(value))
    if isinstance(value, int):
        return float(value)
    return value


def error_text(exc: Exception) -> str:
    """The error text a cell shows for an exception raised by a rule."""
    if isinstance(exc, PolicyError):
        return f"{POLICY_ERROR_PREFIX}{exc}".replace("\n", "; ")
    if isinstance(exc, XlkpiError):
        return f"{ERROR_PREFIX}{exc}".replace("\n", "; ")
    return f"{ERROR_PREFIX}{type(exc).__name__}: {exc}"


def vectorize(rule: Callable[..., object], *args: object) -> Result:
    """Apply ``rule`` row by row over the data arguments (scalars broadcast).

    ``rule`` receives one cell value per argument; it may raise :class:`BlankInput` or an
    XlkpiError. The result is a scalar when every argument is a scalar, else a column.
    """
    columns = [rows_of(arg) for arg in args]
    lengths = {len(col) for col in columns if col is not None}
    if not lengths:
        return _one(rule, [scalar_of(a) for a in args])
    if len(lengths) > 1:
        text = ", ".join(str(n) for n in sorted(lengths))
        return (
            f"{ERROR_PREFIX}the ranges have different numbers of rows ({text}); "
            "pass ranges of equal height"
        )
    n = lengths.pop()
    out = []
    for i in range(n):
        row = [
            scalar_of(a) if col is None else col[i] for a, col in zip(args, columns, strict=True)
        ]
        out.append([_one(rule, row)])
    return out[0][0] if n == 1 else out


def _one(rule: Callable[..., object], values: Sequence[object]) -> Result:
    for value in values:
        for cell in value if isinstance(value, list) else [value]:
            if is_error(cell):
                return str(cell)
    try:
        return to_excel(rule(*values))
    except BlankInput:
        return None
    except (InputError, PolicyError, XlkpiError, ArithmeticError) as exc:
        return error_text(exc)


def need(value: object) -> object:
    """The value, or raise BlankInput when the cell is blank."""
    if isinstance(value, list):
        if all(is_blank(v) for v in value):
            raise BlankInput
        return value
    if is_blank(value):
        raise BlankInput
    return value


def given(value: object) -> bool:
    """True when an optional argument was passed and is not blank."""
    value = scalar_of(value)
    return not (value is None or is_blank(value))


EXCEL_EPOCH = date(1899, 12, 30)


def to_date(value: object, what: str) -> date:
    """A date from a date cell, an Excel serial number or ``YYYY-MM-DD`` text."""
    from xlkpi.errors import InvalidNumberError

    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return EXCEL_EPOCH + timedelta(days=int(value))
    if isinstance(value, str):
        text = value.strip().replace("/", "-").replace(".", "-")
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
    raise InvalidNumberError(t("value.not_date", what=what, value=repr(value)))


def to_month(value: object) -> str:
    """A month as ``YYYY-MM`` from text, a date or an Excel serial number."""
    from xlkpi.errors import InvalidNumberError
    from xlkpi.policy import MONTH_PATTERN

    if isinstance(value, str) and MONTH_PATTERN.match(value.strip()):
        return value.strip()
    try:
        day = to_date(value, "month")
    except InvalidNumberError:
        raise InvalidNumberError(t("value.not_month", value=repr(value))) from None
    return f"{day.year:04d}-{day.month:02d}"


def guarded(udf: Callable[..., Result]) -> Callable[..., Result]:
    """Turn an XlkpiError raised while reading the policy arguments into the cell's error text."""
    import functools

    @functools.wraps(udf)
    def wrapper(*args: object) -> Result:
        try:
            return udf(*args)
        except (XlkpiError, ArithmeticError) as exc:
            return error_text(exc)

    return wrapper


def column_of(value: object) -> list[object]:
    """Any argument as a list of per-row values (a scalar is a one-row column)."""
    rows = rows_of(value)
    return [scalar_of(value)] if rows is None else rows
