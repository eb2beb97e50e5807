"""PAY_EXPLAIN: a one-line, hand-checkable trace of a Payroll row from its labels and amounts.

The Payroll's 计算过程 column holds the engine's own trace (terms such as ``2% × 38,000.00``),
written as a value by ``xlkpi recalc`` and the template builder. PAY_EXPLAIN is the live
companion HR can put anywhere: ``=PAY_EXPLAIN(工资表!$G$1:$AC$1, G5:AC5, AD5)`` reads
``基本工资 3,000.00 + 全勤奖 300.00 − 处罚 50.00 = 3,250.00``; blank and zero lines are left out.
"""

from __future__ import annotations

import xlwings as xw

from udfs._boundary import column_of, guarded, is_blank, is_error, scalar_of
from xlkpi.money import ZERO, format_yuan, to_decimal


def _cells(value: object) -> list[object]:
    out: list[object] = []
    for row in column_of(value):
        out.extend(row if isinstance(row, list) else [row])
    return out


@xw.func
@xw.arg("labels", ndim=2)
@xw.arg("amounts", ndim=2)
@guarded
def PAY_EXPLAIN(labels: object, amounts: object, total: object = None) -> object:
    """工资计算过程(项目 金额 + … = 合计) One-line trace of a pay row from labels and amounts."""
    names = _cells(labels)
    values = _cells(amounts)
    if len(names) != len(values):
        return "#输入错误: labels and amounts must have the same number of cells"
    parts: list[str] = []
    running = ZERO
    for name, value in zip(names, values, strict=True):
        if is_error(value):
            return str(value)
        if is_blank(value):
            continue
        amount = to_decimal(value, str(name))
        running += amount
        if not amount:
            continue
        label = "" if is_blank(name) else f"{str(name).strip()} "
        if amount < ZERO:
            parts.append(f"− {label}{format_yuan(-amount)}")
        else:
            parts.append(
                f"+ {label}{format_yuan(amount)}" if parts else f"{label}{format_yuan(amount)}"
            )
    body = " ".join(parts) if parts else "0"
    if body.startswith("− "):
        body = "−" + body[2:]
    shown = running
    end = scalar_of(total)
    if end is not None and not is_blank(end):
        if is_error(end):
            return str(end)
        shown = to_decimal(end, "total")
    return f"{body} = {format_yuan(shown)}"


__all__ = ["PAY_EXPLAIN"]
