"""Numbers for money: the only place decimals are built, rounded and formatted.

Rule for the whole codebase: build a number from outside input only through
:func:`to_decimal` (or :func:`D` for literals in code and tests), and round money
only through :func:`round_money`, which rounds half-up to the fen (0.01 元).
The ambient decimal context rounds half-even; that is never used for pay.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from xlkpi.errors import InvalidNumberError, MissingValueError
from xlkpi.messages import t

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
FEN = Decimal("0.01")

_STRIP = re.compile(r"[\s,_¥￥元]|RMB|CNY", re.IGNORECASE)


def D(value: str | int | Decimal) -> Decimal:
    """Build a Decimal from a literal in code: ``D("0.02")``. Floats are refused."""
    if isinstance(value, float):
        raise TypeError("D() takes str, int or Decimal; use to_decimal() for floats")
    return Decimal(value)


def to_decimal(value: object, what: str = "value") -> Decimal:
    """Turn what Excel or a person hands us into a Decimal, or raise a clear error.

    Accepts int, float (through ``str`` so 0.1 stays 0.1), Decimal and strings such as
    ``"25,000"``, ``"¥3,000.50"``, ``"３０００"`` (full-width, NFKC) and ``"85%"`` (→ 0.85).
    ``None`` and blank strings raise :class:`MissingValueError`; anything else that is
    not a number (bool, date, "abc", NaN, infinity) raises :class:`InvalidNumberError`.

    >>> to_decimal("¥25,000")
    Decimal('25000')
    >>> to_decimal(0.1)
    Decimal('0.1')
    """
    if value is None:
        raise MissingValueError(t("value.blank", what=what))
    if isinstance(value, bool):
        raise InvalidNumberError(t("value.not_number", what=what, value=repr(value)))
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        result = _parse_text(value, what)
    else:
        raise InvalidNumberError(
            t("value.not_number", what=what, value=f"{value!r} ({type(value).__name__})")
        )
    if not result.is_finite():
        raise InvalidNumberError(t("value.not_finite", what=what, value=repr(value)))
    return result


def _parse_text(text: str, what: str) -> Decimal:
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        raise MissingValueError(t("value.blank", what=what))
    percent = cleaned.endswith("%")
    body = _STRIP.sub("", cleaned[:-1] if percent else cleaned)
    try:
        number = Decimal(body)
    except InvalidOperation:
        raise InvalidNumberError(t("value.not_digits", what=what, value=repr(text))) from None
    return number / HUNDRED if percent else number


def round_money(amount: Decimal) -> Decimal:
    """Round an amount half-up to the fen: the single rounding point for pay.

    >>> round_money(Decimal("2.345"))
    Decimal('2.35')
    """
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def round_places(value: Decimal, places: int) -> Decimal:
    """Round a non-money figure (a coefficient) half-up to ``places`` decimals."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_yuan(amount: Decimal, symbol: str = "") -> str:
    """Format an amount with thousands separators and two decimals: ``1,410.00``."""
    return f"{symbol}{amount:,.2f}"


def format_amount(amount: Decimal) -> str:
    """Money with two decimals, or more when an exact intermediate has them: ``12.345``."""
    if amount == amount.quantize(FEN):
        return f"{amount:,.2f}"
    return format_number(amount)


@lru_cache(maxsize=4096)
def format_number(value: Decimal) -> str:
    """Format a non-money number without trailing zeros: ``1.2``, ``38,000``, ``2%``-free."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return f"{normalized:,.0f}"
    return f"{normalized:,f}"


@lru_cache(maxsize=1024)
def format_rate(rate: Decimal) -> str:
    """Format a rate as a percentage: ``Decimal("0.02")`` → ``2%``."""
    return f"{format_number(rate * HUNDRED)}%"
