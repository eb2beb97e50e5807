"""The native build's formulas on the input sheets: scorecard 总分, 主管自评's weighted score,
团队目标's team sales and completion — the add-in build's UDF calls as plain formulas.

Each function returns the formula text of one cell (with ``=``); the add-in build's writers
(:mod:`workbook_templates.input_sheets`, :mod:`workbook_templates.scorecards`) take the same
cells, so a builder or new-month swaps one for the other cell by cell.
"""

from __future__ import annotations

from openpyxl.utils import quote_sheetname

from workbook_templates.native.pieces import SCORE_PLACES
from workbook_templates.policy_sheet import name_of
from xlkpi.layout import FIRST_DATA_ROW, LAST_DATA_ROW, PAYROLL
from xlkpi.payplans import PLAN_LABELS, TEAM_POOL_PLANS
from xlkpi.policy import Policy, Scorecard


def scorecard_total_formula(
    key: str, card: Scorecard, row: int, first_item: str, bonus: str, policy: Policy
) -> str:
    """总分 of one scorecard row: each item capped at its points plus extra (a blank item
    counts 0), plus 加分, ÷ the card's full points × 100, at most the plans' maximum score;
    blank while every item is blank.

    Item ``i`` is the ``i``-th column from ``first_item``; its cap is row ``i`` of
    ``P_scorecards_<key>_points`` and ``_extra`` (the 参数 sheet).
    """
    from openpyxl.utils import column_index_from_string, get_column_letter

    start = column_index_from_string(first_item)
    points, extra = name_of(f"scorecards.{key}.points"), name_of(f"scorecards.{key}.extra")
    items = [f"{get_column_letter(start + i)}{row}" for i in range(len(card.items))]
    capped = "+".join(
        f"MIN(N({cell}),INDEX({points},{i + 1})+N(INDEX({extra},{i + 1})))"
        for i, cell in enumerate(items)
    )
    tops = {p for p in card.plans if p in policy.score.plan_maximum}
    top = name_of(f"score.plan_maximum.{min(tops)}" if tops else "score.standard_maximum")
    full = name_of(f"scorecards.{key}.total")
    span = f"{items[0]}:{items[-1]}" if items else f"{first_item}{row}"
    total = f"({capped or '0'}+N({bonus}{row}))"
    return f'=IF(COUNT({span})=0,"",ROUND(MIN({total}*100/{full},{top}),{SCORE_PLACES}))'


def weighted_score_formula(row: int) -> str:
    """主管自评 score = supervisor × weight + self × weight; blank while both are blank."""
    sup, own = name_of("score.supervisor_weight"), name_of("score.self_weight")
    return f'=IF(AND(C{row}="",D{row}=""),"",ROUND(C{row}*{sup}+D{row}*{own},{SCORE_PLACES}))'


def team_sales_formula(row: int, last_row: int = LAST_DATA_ROW) -> str:
    """团队目标 team sales: the pool members' net sales on the Payroll (rows 2..``last_row``),
    at least 0."""
    pay = quote_sheetname(PAYROLL.name)

    def pay_col(field: str) -> str:
        letter = PAYROLL.letter(field)
        return f"{pay}!${letter}${FIRST_DATA_ROW}:${letter}${last_row}"

    terms = "+".join(
        f"SUMIFS({pay_col('net_sales')},{pay_col('team_name')},A{row},"
        f'{pay_col("plan")},"{PLAN_LABELS[plan][0]}")'
        for plan in sorted(TEAM_POOL_PLANS)
    )
    return f"=MAX({terms},0)"


def completion_formula(row: int) -> str:
    """团队目标 completion = team sales ÷ target (blank without a target)."""
    return f'=IF(N(B{row})>0,C{row}/B{row},"")'


__all__ = [
    "completion_formula",
    "scorecard_total_formula",
    "team_sales_formula",
    "weighted_score_formula",
]
