"""A small stand-in UDF module for the add-in tests (the shapes xlwings wrappers must handle)."""

from __future__ import annotations

import xlwings as xw

__all__ = ["PERF_COEFF", "SCALE", "TOTAL", "WHO_CALLS"]


@xw.func
def PERF_COEFF(score: float) -> float:
    """Performance coefficient of a score."""
    return score / 100


@xw.func
def SCALE(value: float, factor: float = 1.0, offset: float = 0.0) -> float:
    """Value times factor plus offset; factor and offset are optional."""
    return value * factor + offset


@xw.func
def TOTAL(first: float, *rest: float) -> float:
    """Sum of one or more values."""
    return first + sum(rest)


@xw.func
def WHO_CALLS(label: str, caller: object = None) -> str:
    """Takes the calling range from xlwings; Excel passes only the label."""
    return f"{label}: {caller!r}"


def helper(x: int) -> int:
    """Not a UDF: not in __all__."""
    return x
