"""The native build's 工资表 formulas: every pay line as a plain formula over the 参数 names.

Same sheet, same columns and the same lookups as the add-in build
(:mod:`workbook_templates.payroll`): hidden helper columns hold each employee's row on the
input sheets (``MATCH`` by 工号, so HR may sort them), every input is ``INDEX(column, row)``.
The lines are the promoted formula twins (:func:`workbook_templates.native.pieces.
line_formulas`) with their placeholders bound to those lookups; the month-wide figures (the
doc-002 pool from 店铺, its head count, a member's place in roster order, the public share)
are computed inside each row's formula, so no cell outside the layout is needed.
The streak reward stays a value ``xlkpi recalc`` writes (it reads the History), as in the
add-in build.
"""

from __future__ import annotations

import re

from openpyxl.utils import quote_sheetname

from workbook_templates.native.pieces import (
    PolicyRefs,
    completion_of,
    grade_of,
    line_formulas,
    money,
    month_start,
    months_of,
    task_coefficient,
    years_of,
)
from workbook_templates.payroll import VALUE_LINES, own_cell, own_column, score_sheet
from workbook_templates.payroll import input_column as column
from xlkpi import layout
from xlkpi.inputs import Employee
from xlkpi.layout import (
    ATTENDANCE,
    FIRST_DATA_ROW,
    HISTORY_LAST_ROW,
    LAST_DATA_ROW,
    ROSTER,
    SALES,
)
from xlkpi.paylines import LINE_CODES
from xlkpi.payplans import PAY_COEFFICIENTS, PLAN_LABELS, TEAM_POOL_PLANS
from xlkpi.policy import Policy

# month inputs whose blank (or 不适用) is not 0: the formula tests them itself
_RAW_INPUTS = frozenset({"task_coefficient", "target", "work_grade", "grade_rating"})
_PLACEHOLDER = re.compile(r"\{\w+\}")
_REFS: dict[int, tuple[Policy, PolicyRefs]] = {}


def refs_for(policy: Policy) -> PolicyRefs:
    """The 参数 references of ``policy`` (cached: the scale offsets are read once)."""
    hit = _REFS.get(id(policy))
    if hit is None or hit[0] is not policy:
        hit = (policy, PolicyRefs(policy))
        _REFS.clear()
        _REFS[id(policy)] = hit
    return hit[1]


def _count_plans(plans: object, last: int) -> str:
    """How many roster rows have one of ``plans`` (the roster shows the plan's label)."""
    labels = [PLAN_LABELS[p][0] for p in plans]  # type: ignore[attr-defined]
    return "+".join(f'COUNTIF({column(ROSTER, "plan", last)},"{x}")' for x in labels) or "0"


def department_pool(policy: Policy, last: int) -> str:
    """The doc-002 pool: all shops' sales × rate(completion), to the fen; 0 without members
    or in the trial operation."""
    if policy.plans.ecom_cs.trial_operation:
        return "0"
    shops = layout.SHOPS
    sales = f"MAX(SUM({column(shops, 'shop_sales', last)}),0)"
    target = f"SUM({column(shops, 'target', last)})"
    completion = completion_of(sales, target)
    rate = refs_for(policy).band("team.pool_rate", policy.team.pool_rate, completion)
    members = _count_plans(policy.team.pool_plans, last)
    return f"IF({members}=0,0,{money(f'{sales}*{rate}')})"


def _helpers(row: int, employee: Employee, policy: Policy, last: int) -> dict[str, str]:
    """Placeholder → expression for one Payroll row (inputs, service, pools, shares)."""
    rr, ar, sr = (
        own_cell("roster_row", row),
        own_cell("attendance_row", row),
        own_cell("sales_row", row),
    )
    cells: dict[str, str] = {}
    for field in ("base_pay", "post_pay", "level", "trial", "hire_date", "team"):
        cells[field] = f"INDEX({column(ROSTER, field, last)},{rr})"
    for sheet, at in ((ATTENDANCE, ar), (SALES, sr)):
        for c in sheet.columns:
            if c.is_input and c.field not in ("id", "name"):
                cell = f"INDEX({column(sheet, c.field, last)},{at})"
                cells[c.field] = cell if c.field in _RAW_INPUTS else f"N({cell})"
    start = month_start(layout.MONTH_NAME)
    cells["score"] = own_cell("score", row)
    cells["net"] = own_cell("net_sales", row)
    cells["years"] = years_of(cells["hire_date"], start)
    cells["months"] = months_of(cells["hire_date"], start)
    refs = refs_for(policy)
    pool = department_pool(policy, last)
    members = _count_plans(policy.team.pool_plans, last)
    cells["team_pool"] = pool
    cells["team_members"] = members
    labels = [PLAN_LABELS[p][0] for p in policy.team.pool_plans]
    position = "+".join(
        f'COUNTIFS({own_column("plan", last)},"{x}",{own_column("roster_row", last)},"<="&{rr})'
        for x in labels
    )
    fen = f"ROUND({pool}*100,0)"
    cells["team_share"] = (
        f"IF({members}=0,0,(QUOTIENT({fen},{members})+(({position})<=MOD({fen},{members})))/100)"
    )
    shops = layout.SHOPS
    groups = column(shops, "group", last)
    cells["group_completion"] = completion_of(
        f"MAX(SUMIFS({column(shops, 'shop_sales', last)},{groups},{cells['team']}),0)",
        f"SUMIFS({column(shops, 'target', last)},{groups},{cells['team']})",
    )
    staff = _count_plans(policy.team.public_pool_plans, last)
    schedule = refs.schedule(
        policy, policy.plans.cs_2017.public_pool_schedule, f"N({layout.PUBLIC_SALES_NAME})"
    )
    cells["public_share"] = f"IF({staff}=0,0,{money(f'{schedule}/({staff})')})"
    cells["streak"] = "0"  # never read: the streak reward is a value (VALUE_LINES)
    return cells


def _fill(template: str, cells: dict[str, str]) -> str:
    out = template
    for key in sorted(cells, key=len, reverse=True):
        out = out.replace("{" + key + "}", cells[key])
    missing = _PLACEHOLDER.search(out)
    if missing:
        raise ValueError(f"no cell for {missing.group(0)} in {template!r}")
    return out


def native_payroll_formulas(
    row: int,
    employee: Employee,
    policy: Policy,
    *,
    last_row: int = LAST_DATA_ROW,
    history_last_row: int = HISTORY_LAST_ROW,
) -> dict[str, str]:
    """Field → native formula for one Payroll row (the signature of
    :func:`workbook_templates.payroll.payroll_formulas`; ``history_last_row`` is unused, as
    no formula reads the History)."""
    r, last = row, last_row
    rr = own_cell("roster_row", r)
    sheet, letter = score_sheet(employee.plan)
    quoted = quote_sheetname(sheet)
    ids = f"!$A${FIRST_DATA_ROW}:$A${last}"
    score = own_cell("score", r)
    refs = refs_for(policy)
    out: dict[str, str] = {
        "name": f"=INDEX({column(ROSTER, 'name', last)},{rr})",
        "plan": f"=INDEX({column(ROSTER, 'plan', last)},{rr})",
        "score": (
            f"=INDEX({quoted}!${letter}${FIRST_DATA_ROW}:${letter}${last},"
            f"{own_cell('score_row', r)})"
        ),
        "coefficient": (f'=IF({score}="","",{refs.band("perf_coeff", policy.perf_coeff, score)})'),
        "grade": "=" + grade_of(refs, score),
        "roster_row": f"=MATCH($A{r},{quote_sheetname(ROSTER.name)}{ids},0)",
        "attendance_row": f"=MATCH($A{r},{quote_sheetname(ATTENDANCE.name)}{ids},0)",
        "sales_row": f"=MATCH($A{r},{quote_sheetname(SALES.name)}{ids},0)",
        "score_row": f"=MATCH($A{r},{quoted}{ids},0)",
    }
    if employee.plan in TEAM_POOL_PLANS:  # 团队目标's SUMIFS reads the pool members' team
        out["team_name"] = f'=INDEX({column(ROSTER, "team", last)},{rr})&""'

    cells = _helpers(r, employee, policy, last)
    out["net_sales"] = f"={cells['sales']}-{cells['returns']}-{cells['shipping_paid']}"
    plan = employee.plan
    if not layout.SCORE_COLUMN.reads(plan, policy):
        for key in ("score", "coefficient", "grade", "score_row"):
            out.pop(key)
    if plan == "cs_2017":  # 第2条: absent more than the limit → not appraised
        absent = f"{cells['absent_months']}>{refs.value('plans.cs_2017.max_absent_months')}"
        for key in ("coefficient", "grade"):
            out[key] = f'=IF({absent},"",{out[key][1:]})'
    if plan in PAY_COEFFICIENTS and "coefficient" in out:  # the coefficient its pay uses
        out["coefficient"] = "=" + _fill(task_coefficient(refs), cells)
    lines = line_formulas(plan, policy, refs)
    for code, template in lines:
        if code not in VALUE_LINES:
            out[code] = "=" + _fill(template, cells)
    out["total"] = "=" + "+".join(own_cell(code, r) for code in LINE_CODES if code in dict(lines))
    return out


def total_formula(letter: str, last: int) -> str:
    """The 合计 row's formula of one money column: the rounded sum of the rows above."""
    return layout.money_sum_formula(letter, last)


__all__ = ["column", "department_pool", "native_payroll_formulas", "refs_for", "total_formula"]
