"""The 工资表 Payroll sheet: one array formula for the computed block, native formulas per row.

The UDF-call budget (docs/template.md, "The UDF-call budget"): 绩效分数..特殊奖励 (D..AB) is
**one** legacy array formula, ``PAY_TABLE`` over the staff block (:func:`payroll_array`), whose
arguments are the month's input sheets — each the runs of its input columns, bounded by its
used rows (:func:`table_runs`) — so a full recalculation of the whole block is one UDF call,
and it equals ``xlkpi recalc`` by construction (the same reader and engine). Everything else on a
row is native (:func:`payroll_formulas`): 姓名 / 岗位 and the hidden helpers look the employee up
by id (``MATCH``; HR may sort any input sheet), net sales, the lines right of the
History-dependent 连续优秀奖 (a value recalc writes) as the rules' formula twins over the 参数
names, the row total as ``+`` of the plan's line cells; the grand-total row is the rounded
SUM of each money column, an error text if the column holds one (:func:`total_formula`).

Above the table's right end (row 1, after the hidden helper columns) and at the top of 说明 a
notice cell tells the person when the add-in is missing: a native ``IF(ISERROR(…))`` around one
cheap UDF call made volatile with ``NOW()``, so Excel evaluates it on every open although the
workbook asks for no recalculation on load (:mod:`xlkpi.workbook.calc_properties`). Hosts
that do not recalculate show the cached value ``xlkpi recalc`` stores — the notice, as they
have no add-in.
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.utils.cell import absolute_coordinate
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from workbook_templates.policy_sheet import name_of
from workbook_templates.style import AMOUNT_FORMAT, font, style_header
from xlkpi import layout
from xlkpi.engine import MonthResult
from xlkpi.inputs import Employee
from xlkpi.layout import (
    ATTENDANCE,
    BLANK_NONE,
    FIRST_DATA_ROW,
    HISTORY_LAST_ROW,
    LAST_DATA_ROW,
    PAYROLL,
    ROSTER,
    SALES,
    SCORECARD_OF_PLAN,
    SCORECARD_SHEETS,
    SUPERVISOR_SELF,
    SheetLayout,
)
from xlkpi.paylines import LINE_CODES
from xlkpi.payplans import PAY_COEFFICIENTS, PLAN_LABELS, PUBLIC_POOL_PLANS, TEAM_POOL_PLANS
from xlkpi.policy import Policy
from xlkpi.workbook.calc_properties import openpyxl_calc_properties

# The Payroll columns the array formula fills: from 绩效分数 to the last column before the
# History-dependent streak reward (a table must not span it: udfs.table.HISTORY_FIELDS).
_FIELDS = [c.field for c in PAYROLL.columns]
TABLE_FIELDS: tuple[str, ...] = tuple(
    _FIELDS[_FIELDS.index("score") : _FIELDS.index("streak_reward")]
)


def table_runs(policy: Policy) -> list[tuple[str, list[tuple[int, int]]]]:
    """(sheet, its 1-based column runs) of every sheet ``PAY_TABLE`` reads, in argument order
    (``udfs.table.sheet_runs``; a scorecard's from its items in ``policy``)."""
    from udfs.table import sheet_runs, table_sheets
    from workbook_templates.scorecards import card_layout

    cards = {
        layout.SCORECARD_SHEETS[key]: card_layout(key, card)
        for key, card in policy.scorecards.items()
        if key in layout.SCORECARD_SHEETS
    }
    return [(name, sheet_runs(name, cards.get(name))) for name in table_sheets()]


def table_block(staff: int) -> str:
    """The array formula's block on the 工资表: D2:AB<last staff row>."""
    first, last = PAYROLL.letter(TABLE_FIELDS[0]), PAYROLL.letter(TABLE_FIELDS[-1])
    return f"{first}{FIRST_DATA_ROW}:{last}{FIRST_DATA_ROW + staff - 1}"


def payroll_array(policy: Policy, staff: int, sheet_rows: dict[str, int]) -> dict[str, str]:
    """{block: formula} of the 工资表's array formula for ``staff`` rows (empty for none).

    ``sheet_rows``: each input sheet's last used row (header = 1); a sheet not in it is missing
    from the workbook and handed over as blank text (``PAY_TABLE`` then reads it as absent).
    """
    if staff <= 0:
        return {}
    args: list[str] = []
    for name, runs in table_runs(policy):
        # the meta block is the template's keys (month, lang …): keys recalc appends below them
        # are not the table's, and a fixed block keeps the formula the same month to month
        rows = len(layout.META_KEYS) if name == layout.META else sheet_rows.get(name)
        for first, last in runs:
            if rows is None:
                args.append('""')
                continue
            a, b = layout.column_letter(first), layout.column_letter(last)
            args.append(f"{quote_sheetname(name)}!${a}$1:${b}${max(rows, 1)}")
    ids = f"$A${FIRST_DATA_ROW}:$A${FIRST_DATA_ROW + staff - 1}"
    table = f'PAY_TABLE("{TABLE_FIELDS[0]}","{TABLE_FIELDS[-1]}",{ids},{",".join(args)})'
    block = table_block(staff)
    last = last_recalc_block(block)  # its blank cells ("" in the table) stay blank, not 0
    return {block: f'=IF(ISERROR({TABLE_PROBE}),IF({last}="","",{last}),{table})'}


def last_recalc_block(block: str) -> str:
    """The hidden copy of the table's block: the same addresses on :data:`layout.LAST_RECALC`.

    The array formula shows it where the add-in is missing — Excel without it recalculating
    after an edit, and LibreOffice, which computes array formulas on load even when told to
    keep stored values — so such a host shows the last recalc's numbers, never #NAME?."""
    return f"{quote_sheetname(layout.LAST_RECALC)}!{absolute_coordinate(block)}"


def total_formula(letter: str, last_staff_row: int) -> str:
    """The 合计 row's cell of a money column: the column's staff cells summed, to the fen."""
    return "=" + layout.money_sum_formula(letter, last_staff_row)


# Lines that depend on the History are values the engine computes (builder and recalc write
# them), not UDF calls: a STREAK_REWARD per row handed Python three whole History columns on
# every call (docs/template.md, "Opening, protection and the add-in notice" / the cost model).
VALUE_LINES = frozenset({"streak_reward"})

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
TOTAL_FONT = font(bold=True)
NOTICE_FONT = font(bold=True, color="C00000")

# The add-in probe: a cheap UDF every add-in has. The table's array formula asks it (an error:
# no add-in, show the last recalc's values); the notice makes it volatile through NOW() (see the
# module docstring) — the array must not be volatile, or every edit would call PAY_TABLE.
TABLE_PROBE = "AMOUNT(0)"
ADDIN_PROBE = f"{TABLE_PROBE}+0*NOW()"
ADDIN_NOTICE = (
    "⚠ 未加载 xlkpi 加载项：本工作簿的工资数字是上次运行 xlkpi recalc（或按“重算薪资”）时的结果，"
    "修改输入后不会自动更新。修改后请运行 xlkpi recalc 本文件，或加载 xlkpi 加载项后按“重算薪资”。"
)
README_NOTICE_CELL = "A1"  # 说明: the notice is the sheet's first line (write_readme_notice)


def notice_cell() -> str:
    """The 工资表 cell of the add-in notice: row 1, first column after the layout's columns."""
    return f"{layout.column_letter(len(PAYROLL.columns) + 1)}{layout.HEADER_ROW}"


def notice_formula() -> str:
    """The notice: the text when the probe UDF is missing (an error), else empty text."""
    return f'=IF(ISERROR({ADDIN_PROBE}),"{ADDIN_NOTICE}","")'


def readme_notice_formula() -> str:
    """说明's notice: the 工资表 notice cell (one probe per workbook)."""
    cell = notice_cell()
    column, row = cell.rstrip("0123456789"), cell[len(cell.rstrip("0123456789")) :]
    return f"={quote_sheetname(PAYROLL.name)}!${column}${row}"


def write_readme_notice(ws: Worksheet) -> None:
    """Insert the add-in notice as 说明's first line (the readme moves down one row)."""
    ws.insert_rows(1)
    cell = ws[README_NOTICE_CELL]
    cell.value = readme_notice_formula()
    cell.font = NOTICE_FONT


def input_column(sheet: SheetLayout, field: str, last: int) -> str:
    """An absolute column range of an input sheet: ``'花名册'!$G$2:$G$2001``."""
    letter = sheet.letter(field)
    return f"{quote_sheetname(sheet.name)}!${letter}${FIRST_DATA_ROW}:${letter}${last}"


def own_cell(field: str, row: int) -> str:
    return f"${PAYROLL.letter(field)}{row}"


def own_column(field: str, last: int) -> str:
    letter = PAYROLL.letter(field)
    return f"${letter}${FIRST_DATA_ROW}:${letter}${last}"


def score_sheet(plan: str) -> tuple[str, str]:
    """The sheet holding a plan's score and the letter of its score column."""
    key = SCORECARD_OF_PLAN.get(plan)
    if key is None:
        return SUPERVISOR_SELF.name, SUPERVISOR_SELF.letter("score")
    from workbook_templates.scorecards import score_letter

    return SCORECARD_SHEETS[key], score_letter(key)


def payroll_formulas(
    row: int,
    employee: Employee,
    policy: Policy,
    *,
    last_row: int = LAST_DATA_ROW,
    history_last_row: int = HISTORY_LAST_ROW,
) -> dict[str, str]:
    """Field → formula for one Payroll row (fields as in ``layout.PAYROLL``).

    Lookups cover rows 2..``last_row`` of the staff sheets (and of the Payroll itself):
    ``layout.data_last_row(staff)`` for the workbook at hand. No formula reads the History
    any more (``history_last_row`` is kept for callers that pass it).
    The id, the trace and the :data:`VALUE_LINES` are values (written by the builder /
    recalc), so they are not here; line columns the employee's plan does not have are left
    out (they stay empty).
    """
    r = row
    last = last_row
    rr, ar, sr = own_cell("roster_row", r), own_cell("attendance_row", r), own_cell("sales_row", r)
    score, coeff = own_cell("score", r), own_cell("coefficient", r)
    net = own_cell("net_sales", r)

    def roster(field: str) -> str:
        return f"INDEX({input_column(ROSTER, field, last)},{rr})"

    def att(field: str) -> str:
        return f"INDEX({input_column(ATTENDANCE, field, last)},{ar})"

    def sales(field: str) -> str:
        cell = f"INDEX({input_column(SALES, field, last)},{sr})"
        # an "if any" input left blank means none (layout's blank meaning)
        return f"N({cell})" if SALES.column(field).blank_means == BLANK_NONE else cell

    def sales_n(field: str) -> str:
        return f"N(INDEX({input_column(SALES, field, last)},{sr}))"

    def n(path: str) -> str:
        return name_of(path)

    sheet, letter = score_sheet(employee.plan)
    quoted = quote_sheetname(sheet)
    score_range = f"{quoted}!${letter}${FIRST_DATA_ROW}:${letter}${last}"
    ids = f"{{sheet}}!$A${FIRST_DATA_ROW}:$A${last}"
    out: dict[str, str] = {
        "name": f"={roster('name')}",
        "plan": f"={roster('plan')}",
        "score": f"=INDEX({score_range},{own_cell('score_row', r)})",
        "coefficient": f"=PERF_COEFF({score},{n('perf_coeff')},{n('score.maximum')})",
        "grade": f"=GRADE({score},{n('grades')},{n('score.maximum')})",
        "roster_row": f"=MATCH($A{r},{ids.format(sheet=quote_sheetname(ROSTER.name))},0)",
        "attendance_row": f"=MATCH($A{r},{ids.format(sheet=quote_sheetname(ATTENDANCE.name))},0)",
        "sales_row": f"=MATCH($A{r},{ids.format(sheet=quote_sheetname(SALES.name))},0)",
        "score_row": f"=MATCH($A{r},{ids.format(sheet=quoted)},0)",
        # the team of a pool member (blank for the other plans): 团队目标's team sales sum
        # the net sales of the rows with its team here
        **({"team_name": f'={roster("team")}&""'} if employee.plan in TEAM_POOL_PLANS else {}),
        "net_sales": (f"=NET_SALES({sales('sales')},{sales('returns')},{sales('shipping_paid')})"),
    }
    if employee.plan in PAY_COEFFICIENTS:  # the coefficient its pay uses: the task coefficient
        cap = n("plans.store_manager.task_coefficient_cap")
        task = f"{sales('task_coefficient')},{net},{sales('target')},{cap}"
        out["coefficient"] = f"=TASK_COEFF({task})"
    positive_net = f"IF({net}<0,0,{net})"

    def commission(schedule: str) -> str:
        return f"=COMMISSION({positive_net},{n('commission.' + schedule)})"

    def seniority(plan: str) -> str:
        month = layout.MONTH_NAME
        return (
            f"=SENIORITY_PAY({roster('hire_date')},{month},{n(f'plans.{plan}.seniority_per_year')})"
        )

    lines: dict[str, str] = {}
    base_pay = roster("base_pay")
    doc000 = {
        "base": f"=AMOUNT({base_pay})",
        "attendance": (
            f"=ATTENDANCE_BONUS({base_pay},SUM_COUNTS({att('lates')},{att('early_leaves')},"
            f"{att('leaves')}),{att('absences')},{n('attendance.bonus_rate')},"
            f"{n('attendance.cancel_at_count')},{n('attendance.cancel_at_absence_days')})"
        ),
        "perf": (
            f"=PERF_BONUS({base_pay},{score},{n('perf_bonus.ratio')},"
            f"{n('perf_bonus.pot_rate')},{n('score.maximum')})"
        ),
    }
    tail = {
        "rewards": f"=AMOUNT({sales('rewards')})",
        "penalties": f"=AMOUNT({sales('penalties')},-1)",
        "losses": f"=AMOUNT({sales('losses')},-1)",
    }
    fines = {
        "complaint_fine": f"=-COMPLAINT_FINE({sales('complaints')},{n('fines.complaint_fines')})",
        "conduct_fine": (
            f"=-CONDUCT_FINE({sales('chat_violations')},{sales('contact_leaks')},"
            f"{n('fines.chat_per_time')},{n('fines.leak_per_time')})"
        ),
    }
    plans = policy.plans
    plan = employee.plan
    if plan == "designer":
        lines = {**doc000, "special_awards": f"=AMOUNT({sales('special_awards')})", **tail}
    elif plan == "promotion":
        lines = {**doc000, "commission": commission(plans.promotion.commission_schedule), **tail}
    elif plan == "cs_000":
        lines = {
            **doc000,
            "commission": commission(plans.cs_000.commission_schedule),
            **fines,
            **tail,
        }
    elif plan == "cs_003":
        review = f"{n('review.neutral')},{n('review.negative')}"
        lines = {
            "base": f"=LINE({n('plans.cs_003.base_amount')},{coeff})",
            "commission": commission(plans.cs_003.commission_schedule),
            "review_neutral": f"=REVIEW_PAY({sales('neutral_fixed')},0,{review})",
            "review_negative": f"=REVIEW_PAY(0,{sales('negative_fixed')},{review})",
            **fines,
            **tail,
        }
    elif plan == "store_manager":
        lines = {
            "base": (
                f"=TASK_PAY({sales('task_coefficient')},{net},{sales('target')},"
                f"{n('plans.store_manager.base_amount')},"
                f"{n('plans.store_manager.task_coefficient_cap')})"
            ),
            "team": (
                _second_version_lines("ecom_other", r, last, roster, sales, policy, rr, net, tail)[
                    "team"
                ]
                if plans.store_manager.team_share_mode == "level_share"
                else f"=AMOUNT({sales('team_share_amount')})"
                if any(c.field == "team_share_amount" for c in SALES.columns)
                else "=AMOUNT(0)"
            ),
            **tail,
        }
    elif plan == "ops_specialist":
        lines = {
            "base": doc000["base"],
            "post": f"=AMOUNT({roster('post_pay')})",
            "seniority": seniority("ops_specialist"),
            "attendance": (
                f"=STRICT_ATTENDANCE(SUM_COUNTS({att('lates')},{att('early_leaves')}),"
                f"{att('late_minutes')},{att('absences')},{att('personal_leave_days')},"
                f"{att('sick_leave_days')},{n('strict_attendance.amount')},"
                f"{n('strict_attendance.max_late_times')},{n('strict_attendance.max_late_minutes')})"
            ),
            "perf": (
                f"=SCORE_PAY({base_pay},{score},{n('plans.ops_specialist.perf_pot_rate')},"
                f"{n('score.maximum')})"
            ),
            "commission": commission(plans.ops_specialist.commission_schedule),
            **tail,
        }
    elif plan == "warehouse":
        w = "plans.warehouse."
        lines = {
            "base": (
                f"=TRIAL_BASE({roster('trial')},{n(w + 'base_trial')},{n(w + 'base_regular')})"
            ),
            "appraisal": (
                f"=WAREHOUSE_APPRAISAL({score},{att('personal_leave_days')},"
                f"{att('sick_leave_days')},{att('absences')},{n(w + 'appraisal_base')},"
                f"{n(w + 'cancel_personal_leave_days')},{n(w + 'cancel_sick_leave_days')},"
                f"{n(w + 'cancel_absence_days')},{n('score.maximum')})"
            ),
            "seniority": seniority("warehouse"),
            "lunch": f"=LINE({n('allowances.lunch_per_day')},{att('working_days')})",
            "night": f"=LINE({n('allowances.night_shift')},{att('night_shifts')})",
            "late_night": f"=LINE({n('allowances.late_night_shift')},{att('late_night_shifts')})",
            "overtime": (
                f"=OVERTIME_PAY({att('overtime_hours')},{n('allowances.overtime_per_day')},"
                f"{n('allowances.overtime_hours_per_day')},"
                f"{n('allowances.overtime_minimum_hours')})"
            ),
            "holiday": f"=LINE({n('allowances.holiday_per_day')},{att('holiday_days')})",
            **tail,
        }
    elif plan == "cs_2017":
        public_label = PLAN_LABELS[sorted(PUBLIC_POOL_PLANS)[0]][0]
        staff = f'COUNTIF({input_column(ROSTER, "plan", last)},"{public_label}")'
        lines = {
            "post": f"=AMOUNT({roster('post_pay')})",
            "commission": (
                f"=IF(N({sales('absent_months')})>{n('plans.cs_2017.max_absent_months')},0,"
                + commission(plans.cs_2017.commission_schedule)[1:]
                + ")"
                if any(c.field == "absent_months" for c in SALES.columns)
                else commission(plans.cs_2017.commission_schedule)
            ),
            "public_pool": (
                f"=PUBLIC_SHARE({layout.PUBLIC_SALES_NAME},{staff},"
                f"{n('commission.' + plans.cs_2017.public_pool_schedule)})"
            ),
            "seniority": seniority("cs_2017"),
            "streak_reward": "",  # a value (VALUE_LINES): the engine reads the History
            **fines,
            **tail,
        }
    elif plan in ("ecom_cs", "ecom_other", "logistics_sales"):
        lines = _second_version_lines(plan, r, last, roster, sales, policy, rr, net, tail)
    else:
        raise ValueError(f"unknown pay plan {plan!r}")
    if not layout.SCORE_COLUMN.reads(plan, policy):
        # a plan without an appraisal score (doc 002, logistics sales): the cells stay blank
        for key in ("score", "coefficient", "grade", "score_row"):
            out.pop(key, None)
    if plan == "cs_2017" and any(c.field == "absent_months" for c in SALES.columns):
        # 第2条: absent more than 2 months → not appraised: no grade, no coefficient
        absent = f"N({sales('absent_months')})>{n('plans.cs_2017.max_absent_months')}"
        for key in ("coefficient", "grade"):
            out[key] = f'=IF({absent},"",{out[key][1:]})'
    codes = [code for code in LINE_CODES if code in lines]
    for key in (*TABLE_FIELDS, "net_sales"):  # the table computes these; net sales is native
        out.pop(key, None)
    out["net_sales"] = (
        f"=ROUND({sales_n('sales')}-{sales_n('returns')}-{sales_n('shipping_paid')},2)"
    )
    native = _native_tail(sales_n)
    for code in codes:
        if code in native:
            out[code] = native[code]
    # the total adds the table's cells, the streak reward's value and the native tail
    out["total"] = "=" + "+".join(own_cell(code, r) for code in codes)
    return out


def _native_tail(sales_n: Callable[[str], str]) -> dict[str, str]:
    """The lines right of the streak reward as native formulas (rules.md A10, document 001):
    each rounded half-up to the fen once, over the 参数 names — the formula twins of the rules
    (tests/support/formula_twins.py), so they cost no UDF call."""
    n = name_of
    fines = n("fines.complaint_fines")
    return {
        "rewards": f"=ROUND({sales_n('rewards')},2)",
        "penalties": f"=-ROUND({sales_n('penalties')},2)",
        "losses": f"=-ROUND({sales_n('losses')},2)",
        "complaint_fine": (
            f"=-ROUND(SUMPRODUCT((ROW({fines})-MIN(ROW({fines}))+1<={sales_n('complaints')})"
            f"*{fines}),2)"
        ),
        "conduct_fine": (
            f"=-ROUND({sales_n('chat_violations')}*{n('fines.chat_per_time')}"
            f"+{sales_n('contact_leaks')}*{n('fines.leak_per_time')},2)"
        ),
    }


def _allowance_lines(att: Callable[[str], str]) -> dict[str, str]:
    """Night, late-night, overtime and holiday-duty pay (rules.md A9) from the attendance row."""
    n = name_of
    return {
        "night": f"=LINE({n('allowances.night_shift')},{att('night_shifts')})",
        "late_night": f"=LINE({n('allowances.late_night_shift')},{att('late_night_shifts')})",
        "overtime": (
            f"=OVERTIME_PAY({att('overtime_hours')},{n('allowances.overtime_per_day')},"
            f"{n('allowances.overtime_hours_per_day')},{n('allowances.overtime_minimum_hours')})"
        ),
        "holiday": f"=LINE({n('allowances.holiday_per_day')},{att('holiday_days')})",
    }


def _second_version_lines(
    plan: str,
    r: int,
    last: int,
    roster: Callable[[str], str],
    sales: Callable[[str], str],
    policy: Policy,
    rr: str,
    net: str,
    tail: dict[str, str],
) -> dict[str, str]:
    """The pay lines of the second version's plans (rules.md §B, A6): the doc-002 pool from the
    店铺 sheet, split evenly in roster order; level shares; awards; the logistics links."""
    n = name_of
    shops = layout.SHOPS  # type: ignore[attr-defined]
    ar = own_cell("attendance_row", r)

    def att(field: str) -> str:
        return f"INDEX({input_column(ATTENDANCE, field, last)},{ar})"

    shop_sales, shop_targets = (
        input_column(shops, "shop_sales", last),
        input_column(shops, "target", last),
    )
    pool = f"SHOP_POOL({shop_sales},{shop_targets},{n('team.pool_rate')})"
    labels = [PLAN_LABELS[p][0] for p in policy.team.pool_plans]
    members = (
        "+".join(f'COUNTIF({input_column(ROSTER, "plan", last)},"{x}")' for x in labels) or "0"
    )
    position = "+".join(
        f'COUNTIFS({own_column("plan", last)},"{x}",{own_column("roster_row", last)},"<="&{rr})'
        for x in labels
    )
    allowances = _allowance_lines(att) if plan in policy.allowances.plans else {}
    post = f"=AMOUNT({roster('post_pay')})"
    level_share = (
        f"=LEVEL_SHARE({pool},{members},{roster('level')},{n('team.level_share')})"
        if not policy.plans.ecom_cs.trial_operation
        else "=AMOUNT(0)"
    )
    if plan == "ecom_cs":
        lines = {
            "post": post,
            "work_award": (
                f"=WORK_AWARD({sales('work_grade')},"
                + ",".join(n(f"plans.ecom_cs.work_award.{t}") for t in ("tier1", "tier2", "tier3"))
                + ")"
            ),
        }
        if not policy.plans.ecom_cs.trial_operation:
            groups = input_column(shops, "group", last)
            completion = f"SHOP_COMPLETION({shop_sales},{shop_targets},{groups},{roster('team')})"
            lines["group_bonus"] = f"=GROUP_BONUS({completion},{n('team.group_bonus')})"
            lines["team"] = f"=POOL_SHARE({pool},{members},{position})"
        return {**lines, **allowances, **tail}
    if plan == "ecom_other":
        bonus = f"=GRADE_BONUS({sales('grade_rating')},{n('team.grade_bonus')})"
        return {"post": post, "team": level_share, "grade_bonus": bonus, **allowances, **tail}
    ls = "plans.logistics_sales."
    months = f"SERVICE_MONTHS({roster('hire_date')},{layout.MONTH_NAME})"
    new = f"{n(ls + 'new_staff_months')},{n(ls + 'new_staff_factor')}"
    base_pay = roster("base_pay")
    return {
        "base": f"=LINE({base_pay},1,{n(ls + 'fixed_rate')})",
        "results": (
            f"=LOGISTICS_RESULTS({base_pay},{net},{sales('target')},{months},"
            f"{n(ls + 'results_rate')},{n(ls + 'completion_cap')},{new})"
        ),
        "behaviour": (
            f"=LOGISTICS_BEHAVIOUR({base_pay},{sales('behaviour_score')},{months},"
            f"{n(ls + 'behaviour_rate')},{n(ls + 'behaviour_max')},{new})"
        ),
        **allowances,
        **tail,
    }


def write_payroll_array(
    ws: Worksheet, policy: Policy, staff: int, sheet_rows: dict[str, int]
) -> None:
    """The table's array formula on its master cell (openpyxl writes ``t="array" ref=…``), and
    the hidden sheet of the last recalc's values it falls back on (``xlkpi recalc`` fills it)."""
    for block, formula in payroll_array(policy, staff, sheet_rows).items():
        ws[block.split(":")[0]] = ArrayFormula(block, formula)
    wb = ws.parent
    if layout.LAST_RECALC not in wb.sheetnames:
        wb.create_sheet(layout.LAST_RECALC).sheet_state = "hidden"


def used_rows(ws: Worksheet) -> int:
    """The last row holding a value (1 for a sheet with only its header, or empty).

    Formulas do not count: a built book's spare rows hold guarded formulas with no value, and
    ``xlkpi recalc`` sizes the array's blocks by the rows calamine reads values in, so the
    builder and recalc write the same array formula."""
    last = 1
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if any(v is not None and not _is_formula(v) for v in row):
            last = r
    return last


def _is_formula(value: object) -> bool:
    return isinstance(value, ArrayFormula) or (isinstance(value, str) and value.startswith("="))


def _engine_lines(result: MonthResult | None) -> dict[str, str]:
    if result is None:
        return {}
    return {r.employee.id: r.trace for r in result.results}


def _value_lines(result: MonthResult | None) -> dict[str, dict[str, object]]:
    """Employee id → the amounts of their :data:`VALUE_LINES` (floats, as a cell holds them)."""
    if result is None:
        return {}
    return {
        r.employee.id: {
            line.code: float(line.amount) for line in r.lines if line.code in VALUE_LINES
        }
        for r in result.results
    }


def write_payroll_sheet(
    ws: Worksheet,
    employees: list[Employee],
    policy: Policy,
    result: MonthResult | None = None,
    formulas: Callable[..., dict[str, str]] = payroll_formulas,
    last_row: int = LAST_DATA_ROW,
    history_last_row: int = HISTORY_LAST_ROW,
    sheet_rows: dict[str, int] | None = None,
) -> None:
    """Header, one formula row per employee, the grand-total row, formats and print setup.

    ``formulas(row, employee, policy, last_row=…, history_last_row=…)`` gives each row; with
    ``sheet_rows`` (each input sheet's last used row) the table's array formula is written.
    """
    ws.append(PAYROLL.headers)
    style_header(ws, PAYROLL)
    traces = _engine_lines(result)
    values = _value_lines(result)
    letters = {c.field: PAYROLL.letter(c.field) for c in PAYROLL.columns}
    for i, emp in enumerate(employees):
        row = FIRST_DATA_ROW + i
        ws[f"{letters['id']}{row}"] = emp.id
        row_formulas = formulas(
            row, emp, policy, last_row=last_row, history_last_row=history_last_row
        )
        for field, formula in row_formulas.items():
            ws[f"{letters[field]}{row}"] = formula
        if emp.id in traces:
            ws[f"{letters['trace']}{row}"] = traces[emp.id]
        for code, amount in values.get(emp.id, {}).items():
            ws[f"{letters[code]}{row}"] = amount
    last = FIRST_DATA_ROW + len(employees) - 1
    if sheet_rows is not None:
        write_payroll_array(ws, policy, len(employees), sheet_rows)
    money = [c.field for c in PAYROLL.columns if c.field in LINE_CODES or c.field == "total"]
    if employees:
        total_row = last + 1
        ws[f"{letters['id']}{total_row}"] = layout.PAYROLL_TOTAL_LABEL
        ws[f"{letters['id']}{total_row}"].font = TOTAL_FONT
        for field in ("total", *layout.NET_PAY_COLUMNS):  # every money column is totalled
            t = letters[field]
            ws[f"{t}{total_row}"] = total_formula(t, last)
            ws[f"{t}{total_row}"].font = TOTAL_FONT
            ws[f"{t}{total_row}"].number_format = AMOUNT_FORMAT
    for field in (*money, *layout.NET_PAY_COLUMNS):
        for row in range(FIRST_DATA_ROW, last + 1):
            ws[f"{letters[field]}{row}"].number_format = AMOUNT_FORMAT
    first_money, last_money = letters[money[0]], letters["total"]
    area = f"{first_money}{FIRST_DATA_ROW}:{last_money}{max(last + 1, FIRST_DATA_ROW)}"
    ws.conditional_formatting.add(
        area,
        FormulaRule(
            formula=[
                f"OR(ISERROR({first_money}{FIRST_DATA_ROW}),ISTEXT({first_money}{FIRST_DATA_ROW}))"
            ],
            fill=ERROR_FILL,
        ),
    )
    for column in layout.PAYROLL_HELPERS:
        ws.column_dimensions[letters[column.field]].hidden = True
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{layout.HEADER_ROW}:{layout.HEADER_ROW}"
    notice = ws[notice_cell()]
    notice.value = notice_formula()
    notice.font = NOTICE_FONT
    ws.column_dimensions[notice_cell().rstrip("0123456789")].width = 100
    ws.protection.sheet = True
    ws.parent.calculation = openpyxl_calc_properties()  # keep stored values on open
