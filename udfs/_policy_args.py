"""Optional policy arguments of the UDFs: Policy-sheet ranges read into engine objects.

A UDF's policy arguments are ranges of the 参数 sheet (defined names such as ``P_perf_coeff``)
or absent, in which case the shipped :func:`~xlkpi.policy_io.default_policy` applies.
A scale block is self-describing: rows ``kind`` / ``inclusive`` texts, a ``minimum`` row (a
number with a blank second cell) and threshold/amount or threshold/rate rows. The parsed
value replaces one path of the default policy (:func:`with_values`), so the engine's own
rule functions run on exactly what the sheet says.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from udfs._boundary import is_blank, scalar_of
from xlkpi import messages
from xlkpi.errors import PolicyError
from xlkpi.money import to_decimal
from xlkpi.policy import Policy
from xlkpi.policy_io import default_policy
from xlkpi.scales import AmountScale, Bracket, MarginalRateScale, RateBracket

_KINDS = {"amount", "rate", "factor"}
_INCLUSIVE = {"lower", "upper"}


def _table(value: object) -> tuple[tuple[Any, ...], ...]:
    """A range as a tuple of row tuples (hashable), blank rows dropped."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        value = [[value]]
    rows = []
    for row in value:
        if hasattr(row, "tolist"):
            row = row.tolist()
        cells = tuple(row) if isinstance(row, (list, tuple)) else (row,)
        cells = tuple(None if is_blank(c) else c for c in cells)
        if any(c is not None for c in cells):
            rows.append(cells)
    return tuple(rows)


def absent(value: object) -> bool:
    """True when an optional policy argument was not passed (or is blank)."""
    if value is None:
        return True
    table = _table(value)
    return not table


def number(value: object, default: Decimal, what: str) -> Decimal:
    """A scalar policy value, or the default when absent."""
    if absent(value):
        return default
    cell = scalar_of(value)
    try:
        return to_decimal(cell, what)
    except Exception as exc:
        raise PolicyError(f"{what}: {exc}", what) from None


def text(value: object, default: str) -> str:
    """A text policy value, or the default when absent."""
    return default if absent(value) else str(scalar_of(value)).strip()


def _invalid(what: str, exc: ValidationError) -> PolicyError:
    message = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
    return PolicyError(f"{what}: {message}", what)


@lru_cache(maxsize=256)
def _amount_scale(table: tuple[tuple[Any, ...], ...], kind: str, inclusive: str) -> AmountScale:
    brackets = []
    for row in table:
        first = row[0]
        second = row[1] if len(row) > 1 else None
        if isinstance(first, str) and first.strip() in _KINDS and second is None:
            kind = first.strip()
        elif isinstance(first, str) and first.strip() in _INCLUSIVE and second is None:
            inclusive = first.strip()
        else:
            brackets.append(
                Bracket(
                    threshold=to_decimal(first, "threshold"), amount=to_decimal(second, "amount")
                )
            )
    return AmountScale(kind=kind, inclusive=inclusive, brackets=brackets)  # type: ignore[arg-type]


def amount_scale(value: object, default: AmountScale, what: str) -> AmountScale:
    """A single-amount scale from a 2-column block, or the default when absent."""
    if absent(value):
        return default
    try:
        return _amount_scale(_table(value), default.kind, default.inclusive)
    except ValidationError as exc:
        raise _invalid(what, exc) from None
    except Exception as exc:
        raise PolicyError(f"{what}: {exc}", what) from None


@lru_cache(maxsize=256)
def _rate_scale(table: tuple[tuple[Any, ...], ...], minimum: Decimal) -> MarginalRateScale:
    brackets = []
    for row in table:
        second = row[1] if len(row) > 1 else None
        if second is None:
            minimum = to_decimal(row[0], "minimum")
        else:
            brackets.append(
                RateBracket(
                    threshold=to_decimal(row[0], "threshold"), rate=to_decimal(second, "rate")
                )
            )
    return MarginalRateScale(minimum=minimum, brackets=brackets)


def rate_scale(
    value: object, default: MarginalRateScale, what: str, minimum: object = None
) -> MarginalRateScale:
    """A marginal-rate schedule from a block (optional ``minimum`` row), or the default."""
    try:
        scale = default if absent(value) else _rate_scale(_table(value), default.minimum)
        if not absent(minimum):
            scale = MarginalRateScale(
                minimum=number(minimum, scale.minimum, f"{what} minimum"), brackets=scale.brackets
            )
        return scale
    except ValidationError as exc:
        raise _invalid(what, exc) from None
    except PolicyError:
        raise
    except Exception as exc:
        raise PolicyError(f"{what}: {exc}", what) from None


def keyed(
    value: object, default: dict[str, Decimal], labels: dict[str, str], what: str
) -> dict[str, Decimal]:
    """A key → value table (2 columns: key code or Chinese label, value), or the default."""
    if absent(value):
        return default
    by_label = {label: code for code, label in labels.items()}
    out: dict[str, Decimal] = {}
    for row in _table(value):
        if len(row) < 2 or row[0] is None:
            raise PolicyError(messages.t("udf.key_value", what=what), what)
        key = str(row[0]).strip()
        out[by_label.get(key, key)] = to_decimal(row[1], f"{what} {key}")
    return out


def numbers(value: object, default: list[Decimal], what: str) -> list[Decimal]:
    """A list of numbers from a one-column block, or the default."""
    if absent(value):
        return default
    return [to_decimal(row[0], what) for row in _table(value)]


def texts(value: object, default: list[str]) -> list[str]:
    """A list of texts from a block (``[]`` or blank cells mean none), or the default."""
    if absent(value):
        return default
    out = []
    for row in _table(value):
        for cell in row:
            if cell is not None and str(cell).strip() not in ("", "[]"):
                out.append(str(cell).strip())
    return out


def with_values(updates: dict[str, object], policy: Policy | None = None) -> Policy:
    """The default policy with values replaced at key paths (``perf_bonus.ratio``, …)."""
    result = policy or default_policy()
    for path, new in updates.items():
        result = _set(result, path.split("."), new)
    return result


def _set(model: BaseModel, parts: list[str], new: object) -> Any:
    head = parts[0]
    if len(parts) == 1:
        return model.model_copy(update={head: new})
    child = getattr(model, head)
    return model.model_copy(update={head: _set(child, parts[1:], new)})
