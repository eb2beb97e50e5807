"""Formula twins: the engine's rules and pay plans as plain spreadsheet formulas (test oracle).

A *twin* is what a company would type into Excel without xlkpi: a Policy sheet holding the policy
values (bracket tables as ranges, every cell a defined name such as ``P_Coeff_Thr``) and, per rule,
a sheet of input rows with one formula column per result. LibreOffice recalculates the workbook
(an engine nobody on this project wrote) and :func:`compare` checks every value against the engine
to the fen. :func:`build_month_workbook` is the pure-formula payroll of a whole month (all
eleven plans), used by the oracle test and by ``benchmarks/bench_libreoffice.py``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook

from workbook_templates.native import pieces
from xlkpi import rules
from xlkpi.engine import MonthResult
from xlkpi.inputs import MONTH_FIELDS, Employee, Month, MonthInput
from xlkpi.paylines import LINE_CODES, total_of
from xlkpi.payplans import PLANS, PlanContext
from xlkpi.policy import Policy
from xlkpi.scales import AmountScale

POLICY_SHEET = "Policy"
PAYROLL_SHEET = "Payroll"
SHOPS_SHEET = "Shops"
MONTH_SHEET = "Month"
CENT = Decimal("0.01")

Row = dict[str, Any]
EngineFn = Callable[[Row], Sequence[object]]

# ---------------------------------------------------------------- the Policy sheet


def _cell_value(ws: Any, row: int, col: int, value: object, fmt: Any = None) -> None:
    """Write one input value as Excel holds it (Decimal → double, bool → TRUE/FALSE)."""
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, Decimal):
        ws.write_number(row, col, float(value))
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_string(row, col, str(value))


def _scalars(policy: Policy) -> list[tuple[str, object, str]]:
    """(defined name, value, policy path) of every single policy value a twin reads."""
    p, pl, a, d = policy.plans, policy.allowances, policy.discipline, policy.strict_attendance
    return [
        ("P_SupW", policy.score.supervisor_weight, "score.supervisor_weight"),
        ("P_SelfW", policy.score.self_weight, "score.self_weight"),
        ("P_PotRate", policy.perf_bonus.pot_rate, "perf_bonus.pot_rate"),
        ("P_AttRate", policy.attendance.bonus_rate, "attendance.bonus_rate"),
        ("P_AttCancelCount", policy.attendance.cancel_at_count, "attendance.cancel_at_count"),
        (
            "P_AttCancelAbs",
            policy.attendance.cancel_at_absence_days,
            "attendance.cancel_at_absence_days",
        ),
        ("P_StrictAmt", d.amount, "strict_attendance.amount"),
        ("P_StrictMaxLate", d.max_late_times, "strict_attendance.max_late_times"),
        ("P_StrictMaxMin", d.max_late_minutes, "strict_attendance.max_late_minutes"),
        ("P_RevNeutral", policy.review.neutral, "review.neutral"),
        ("P_RevNegative", policy.review.negative, "review.negative"),
        ("P_Lunch", pl.lunch_per_day, "allowances.lunch_per_day"),
        ("P_Night", pl.night_shift, "allowances.night_shift"),
        ("P_LateNight", pl.late_night_shift, "allowances.late_night_shift"),
        ("P_OtPerDay", pl.overtime_per_day, "allowances.overtime_per_day"),
        ("P_OtHours", pl.overtime_hours_per_day, "allowances.overtime_hours_per_day"),
        ("P_OtMin", pl.overtime_minimum_hours, "allowances.overtime_minimum_hours"),
        ("P_Holiday", pl.holiday_per_day, "allowances.holiday_per_day"),
        ("P_Chat", policy.fines.chat_per_time, "fines.chat_per_time"),
        ("P_Leak", policy.fines.leak_per_time, "fines.leak_per_time"),
        ("P_DiscMeeting", a.per_missed_meeting, "discipline.per_missed_meeting"),
        ("P_DiscLates", a.lates_per_point, "discipline.lates_per_point"),
        ("P_DiscAbsence", a.per_absence, "discipline.per_absence"),
        ("P_DiscDress", a.per_dress_breach, "discipline.per_dress_breach"),
        ("P_DiscHygiene", a.per_hygiene_failure, "discipline.per_hygiene_failure"),
        ("P_CsItem", a.cs_attendance_item_points, "discipline.cs_attendance_item_points"),
        ("P_CsPerLate", a.cs_attendance_per_late, "discipline.cs_attendance_per_late"),
        ("P_CsPerLeave", a.cs_attendance_per_leave, "discipline.cs_attendance_per_leave"),
        ("P_CsAbsZero", a.cs_attendance_absence_zeroes, "discipline.cs_attendance_absence_zeroes"),
        ("P_GradePass", policy.grades.pass_from, "grades.pass_from"),
        ("P_GradeGood", policy.grades.good_from, "grades.good_from"),
        ("P_GradeExc", policy.grades.excellent_from, "grades.excellent_from"),
        ("P_StreakAmt", policy.streak_reward.amount, "streak_reward.amount"),
        ("P_YePost", policy.year_end.post_coefficient, "year_end.post_coefficient"),
        ("P_Cs003Base", p.cs_003.base_amount, "plans.cs_003.base_amount"),
        ("P_SmBase", p.store_manager.base_amount, "plans.store_manager.base_amount"),
        (
            "P_SmCap",
            p.store_manager.task_coefficient_cap,
            "plans.store_manager.task_coefficient_cap",
        ),
        (
            "P_OpsSeniority",
            p.ops_specialist.seniority_per_year,
            "plans.ops_specialist.seniority_per_year",
        ),
        ("P_OpsPerfPot", p.ops_specialist.perf_pot_rate, "plans.ops_specialist.perf_pot_rate"),
        ("P_WhTrial", p.warehouse.base_trial, "plans.warehouse.base_trial"),
        ("P_WhRegular", p.warehouse.base_regular, "plans.warehouse.base_regular"),
        ("P_WhAppBase", p.warehouse.appraisal_base, "plans.warehouse.appraisal_base"),
        (
            "P_WhCancelPL",
            p.warehouse.cancel_personal_leave_days,
            "plans.warehouse.cancel_personal_leave_days",
        ),
        (
            "P_WhCancelSL",
            p.warehouse.cancel_sick_leave_days,
            "plans.warehouse.cancel_sick_leave_days",
        ),
        ("P_WhCancelAb", p.warehouse.cancel_absence_days, "plans.warehouse.cancel_absence_days"),
        ("P_WhSeniority", p.warehouse.seniority_per_year, "plans.warehouse.seniority_per_year"),
        ("P_Cs17Seniority", p.cs_2017.seniority_per_year, "plans.cs_2017.seniority_per_year"),
        ("P_Cs17MaxAbs", p.cs_2017.max_absent_months, "plans.cs_2017.max_absent_months"),
        ("P_LsFixed", p.logistics_sales.fixed_rate, "plans.logistics_sales.fixed_rate"),
        ("P_LsResults", p.logistics_sales.results_rate, "plans.logistics_sales.results_rate"),
        (
            "P_LsBehaviour",
            p.logistics_sales.behaviour_rate,
            "plans.logistics_sales.behaviour_rate",
        ),
        ("P_LsCap", p.logistics_sales.completion_cap, "plans.logistics_sales.completion_cap"),
        (
            "P_LsNewMonths",
            p.logistics_sales.new_staff_months,
            "plans.logistics_sales.new_staff_months",
        ),
        (
            "P_LsNewFactor",
            p.logistics_sales.new_staff_factor,
            "plans.logistics_sales.new_staff_factor",
        ),
        ("P_LogW1", policy.score.logistics_sales_weight, "score.logistics_sales_weight"),
        ("P_LogW2", policy.score.logistics_department_weight, "score.logistics_department_weight"),
    ]


def _scale_tables(policy: Policy) -> list[tuple[str, AmountScale, str]]:
    """(name, scale, policy path) of every single-amount band table."""
    return [
        ("P_Coeff", policy.perf_coeff, "perf_coeff"),
        ("P_Ratio", policy.perf_bonus.ratio, "perf_bonus.ratio"),
        ("P_Pool", policy.team.pool_rate, "team.pool_rate"),
        ("P_Group", policy.team.group_bonus, "team.group_bonus"),
        ("P_Ye", policy.year_end.base_by_tenure, "year_end.base_by_tenure"),
    ]


def write_policy_sheet(wb: xlsxwriter.Workbook, policy: Policy) -> None:
    """The Policy sheet: one named cell per value, each bracket table as named column ranges.

    Scalars are ``P_<Name>``; a band table ``P_Coeff`` gives ``P_Coeff_Thr`` / ``P_Coeff_Amt``; a
    commission schedule ``s`` gives ``P_s_Min`` and ``P_s_Thr`` / ``P_s_Rate`` / ``P_s_Inc`` (the
    rate increase at each threshold, ``=ROUND(rate − previous rate, 12)``, for SUMPRODUCT).
    """
    ws = wb.add_worksheet(POLICY_SHEET)
    ws.write_row(0, 0, ["name", "value", "value 2", "value 3", "policy path"])
    row = 1

    def name_range(name: str, col: int, first: int, last: int) -> None:
        letter = "ABCD"[col]
        wb.define_name(name, f"={POLICY_SHEET}!${letter}${first + 1}:${letter}${last + 1}")

    for name, value, path in _scalars(policy):
        ws.write_string(row, 0, name)
        _cell_value(ws, row, 1, value)
        ws.write_string(row, 4, path)
        name_range(name, 1, row, row)
        row += 1
    for name, scale, path in _scale_tables(policy):
        first = row
        for i, b in enumerate(scale.brackets):
            ws.write_string(row, 0, f"{name}[{i}]")
            _cell_value(ws, row, 1, b.threshold)
            _cell_value(ws, row, 2, b.amount)
            ws.write_string(row, 4, f"{path}.brackets[{i}]")
            row += 1
        name_range(f"{name}_Thr", 1, first, row - 1)
        name_range(f"{name}_Amt", 2, first, row - 1)
    for sched, rates in policy.commission.items():
        ws.write_string(row, 0, f"P_{sched}_Min")
        _cell_value(ws, row, 1, rates.minimum)
        ws.write_string(row, 4, f"commission.{sched}.minimum")
        name_range(f"P_{sched}_Min", 1, row, row)
        row += 1
        first = row
        for i, rb in enumerate(rates.brackets):
            ws.write_string(row, 0, f"P_{sched}[{i}]")
            _cell_value(ws, row, 1, rb.threshold)
            _cell_value(ws, row, 2, rb.rate)
            previous = f"-C{row}" if i else ""
            ws.write_formula(row, 3, f"=ROUND(C{row + 1}{previous},12)")
            ws.write_string(row, 4, f"commission.{sched}.brackets[{i}]")
            row += 1
        name_range(f"P_{sched}_Thr", 1, first, row - 1)
        name_range(f"P_{sched}_Rate", 2, first, row - 1)
        name_range(f"P_{sched}_Inc", 3, first, row - 1)
    for name, table, path in (
        ("P_Fines", dict(enumerate(policy.fines.complaint_fines, 1)), "fines.complaint_fines"),
        ("P_Level", policy.team.level_share, "team.level_share"),
        ("P_Work", policy.plans.ecom_cs.work_award, "plans.ecom_cs.work_award"),
        ("P_GradeB", policy.team.grade_bonus, "team.grade_bonus"),
    ):
        first = row
        for key, value in table.items():
            ws.write_string(row, 0, f"{name}[{key}]")
            _cell_value(ws, row, 1, key)
            _cell_value(ws, row, 2, value)
            ws.write_string(row, 4, f"{path}")
            row += 1
        name_range(f"{name}_Key", 1, first, max(first, row - 1))
        name_range(f"{name}_Amt", 2, first, max(first, row - 1))


# ---------------------------------------------------------------- formula pieces


def band(scale: AmountScale, table: str, x: str) -> str:
    """The amount of the band ``x`` falls in: LOOKUP for ``[a, b)`` bands; for ``(a, b]`` bands
    the count of thresholds strictly below ``x`` (numeric SUMPRODUCT, no text criteria)."""
    if scale.inclusive == "lower":
        return f"LOOKUP({x},{table}_Thr,{table}_Amt)"
    return f"INDEX({table}_Amt,MAX(1,SUMPRODUCT(--({table}_Thr<{x}))))"


def schedule(policy: Policy, name: str, x: str) -> str:
    """A commission schedule on ``x``, unrounded: flat rate × x, or the marginal brackets as
    SUMPRODUCT((x > threshold) × (x − threshold) × rate increase), nothing below the minimum."""
    scale = policy.commission[name]
    if scale.is_flat:
        return f"MAX({x},0)*P_{name}_Rate"
    return (
        f"IF(OR({x}<=0,{x}<P_{name}_Min),0,"
        f"SUMPRODUCT(({x}>P_{name}_Thr)*({x}-P_{name}_Thr)*P_{name}_Inc))"
    )


def years(hire: str, month: str) -> str:
    """Full years of service at the end of the month whose first day is in ``month``."""
    end = f"EDATE({month},1)"
    return f'INT(IF({hire}>={end},0,DATEDIF({hire},{end},"m"))/12)'


def completion_of(sales: str, target: str) -> str:
    """sales ÷ target, rounded to 12 places so an exact boundary stays exact in binary floats."""
    return f"ROUND({sales}/{target},12)"


# ---------------------------------------------------------------- twins


@dataclass(frozen=True)
class Twin:
    """One rule (or plan) as formulas: input columns, helper columns, compared result columns.

    Templates name cells ``{input}`` / ``{helper}`` / ``{output}`` of the same row. ``engine``
    maps an input row to the engine's results in ``outputs`` order. ``places`` is the quantum the
    values are compared at (2 = money to the fen, None = exact).
    """

    name: str
    reference: str
    inputs: tuple[str, ...]
    outputs: tuple[tuple[str, str], ...]
    engine: EngineFn
    rows: list[tuple[Any, ...]]
    places: int | None = 2
    helpers: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> list[str]:
        """Every column in sheet order: inputs, helpers, outputs (``out_<name>``, so that a
        result may share its name with an input, as the ``rewards`` line does)."""
        helpers = [h for h, _ in self.helpers]
        return [*self.inputs, *helpers, *(f"out_{o}" for o, _ in self.outputs)]


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def col_letter(index: int) -> str:
    """0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def fill(template: str, cells: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders by cell addresses."""
    return _PLACEHOLDER.sub(lambda m: cells[m.group(1)], template)


def build_rules_workbook(path: Path, twins: Sequence[Twin], policy: Policy) -> Path:
    """One workbook: the Policy sheet and one sheet per twin (header row, then input rows)."""
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    write_policy_sheet(wb, policy)
    for twin in twins:
        ws = wb.add_worksheet(twin.name)
        columns = twin.columns
        ws.write_row(0, 0, columns)
        letters = {c: col_letter(i) for i, c in enumerate(columns)}
        formulas = [*twin.helpers, *twin.outputs]
        first_formula = len(twin.inputs)
        for r, values in enumerate(twin.rows, start=1):
            for c, value in enumerate(values):
                _cell_value(ws, r, c, value, date_fmt)
            cells = {name: f"{letter}{r + 1}" for name, letter in letters.items()}
            for k, (_, template) in enumerate(formulas):
                ws.write_formula(r, first_formula + k, "=" + fill(template, cells), None, 0)
    wb.close()
    return path


def read_sheet_values(book: Path | CalamineWorkbook, sheet: str) -> list[list[Any]]:
    """Every row of ``sheet`` below the header, as python-calamine reads it."""
    if isinstance(book, Path):
        book = CalamineWorkbook.from_path(str(book))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)[1:]


# ---------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Disagreement:
    """One value where LibreOffice and the engine differ."""

    twin: str
    reference: str
    output: str
    row: int
    inputs: str
    engine: str
    libreoffice: str


def as_decimal(value: object, places: int | None) -> object:
    """A LibreOffice cell value as an exact Decimal (through ``repr``), quantized for money."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if places is None:
        return number
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _show(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)


def compare(twins: Sequence[Twin], workbook: Path) -> tuple[int, list[Disagreement]]:
    """Compare every twin result in a recalculated workbook with the engine.

    Returns the number of values compared and every disagreement.
    """
    compared = 0
    problems: list[Disagreement] = []
    book = CalamineWorkbook.from_path(str(workbook))
    for twin in twins:
        values = read_sheet_values(book, twin.name)
        start = len(twin.inputs) + len(twin.helpers)
        if len(values) < len(twin.rows):
            raise AssertionError(f"{twin.name}: {len(values)} rows read, {len(twin.rows)} written")
        for r, inputs in enumerate(twin.rows):
            row = dict(zip(twin.inputs, inputs, strict=True))
            expected = twin.engine(row)
            for k, (output, _) in enumerate(twin.outputs):
                compared += 1
                want = expected[k]
                got = values[r][start + k]
                places = twin.places if isinstance(want, Decimal) else None
                engine_value = as_decimal(want, places)
                lo_value = as_decimal(got, places)
                if engine_value != lo_value or type(engine_value) is not type(lo_value):
                    shown = ", ".join(f"{n}={_show(v)}" for n, v in row.items())
                    problems.append(
                        Disagreement(
                            twin.name,
                            twin.reference,
                            output,
                            r + 2,
                            shown,
                            _show(engine_value),
                            _show(lo_value if got != "" else "(blank)"),
                        )
                    )
    return compared, problems


def table(problems: Iterable[Disagreement], limit: int = 80) -> str:
    """A readable table of disagreements (the first ``limit``)."""
    items = list(problems)
    lines = [f"{len(items)} disagreement(s) between the engine and LibreOffice:"]
    lines.append(
        f"{'rule':<22} {'rules.md':<9} {'output':<16} {'row':>5}  {'engine':>16} "
        f"{'LibreOffice':>16}  inputs"
    )
    for p in items[:limit]:
        lines.append(
            f"{p.twin:<22} {p.reference:<9} {p.output:<16} {p.row:>5}  {p.engine:>16} "
            f"{p.libreoffice:>16}  {p.inputs}"
        )
    if len(items) > limit:
        lines.append(f"... and {len(items) - limit} more")
    return "\n".join(lines)


# ---------------------------------------------------------------- input values


def money(rng: random.Random, low: float, high: float, places: int = 2) -> Decimal:
    """A random amount with ``places`` decimals."""
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(repr(rng.uniform(low, high)))).quantize(quantum)


def around(*points: Decimal, step: Decimal = CENT) -> list[Decimal]:
    """Each point and both sides of it (x − step, x, x + step), never below 0."""
    out: list[Decimal] = []
    for p in points:
        out.extend(v for v in (p - step, p, p + step) if v >= 0)
    return out


def is_half_fen(exact: Decimal, places: int = 2) -> bool:
    """True when ``exact`` is an odd multiple of half a unit in the last place: x.xx5 exactly
    (for ``places`` = 2: half a fen)."""
    scaled = exact * 2 * 10**places
    return scaled == scaled.to_integral_value() and int(scaled) % 2 == 1


def half_fen_ties(
    rng: random.Random,
    draw: Callable[[random.Random], Decimal],
    exact: Callable[[Decimal], Decimal],
    naive: Callable[[float], float],
    count: int,
    tries: int = 400_000,
    places: int = 2,
) -> list[Decimal]:
    """Inputs whose exact result is a half-fen tie (x.xx5) that the naive binary-float
    computation puts *below* the tie, so float rounding would go the wrong way (down)."""
    found: list[Decimal] = []
    for _ in range(tries):
        value = draw(rng)
        result = exact(value)
        short = value.as_tuple().exponent >= -6  # type: ignore[operator]
        if short and is_half_fen(result, places) and Decimal(naive(float(value))) < result:
            found.append(value)
            if len(found) == count:
                return found
    raise AssertionError(f"found only {len(found)} of {count} half-fen ties; widen the draw")


def tie_draw(factor: Decimal, low: float, high: float) -> Callable[[random.Random], Decimal]:
    """Draw x = (random amount + half a fen) ÷ factor, so that x × factor is a half-fen tie
    whenever the division is exact (the caller's check throws the others away)."""
    half = Decimal("0.005")
    return lambda g: (money(g, low, high) + half) / factor


def score_points(policy: Policy) -> list[Decimal]:
    """Every score boundary of the policy and both sides of it, plus 0 and the maximum."""
    edges = [b.threshold for b in policy.perf_coeff.brackets]
    edges += [b.threshold for b in policy.perf_bonus.ratio.brackets]
    g = policy.grades
    edges += [g.pass_from, g.good_from, g.excellent_from, policy.score.maximum]
    values = around(*sorted(set(edges)))
    values += around(*sorted(set(edges)), step=Decimal("0.001"))
    return sorted({v for v in values if v <= policy.score.maximum})


def scores(policy: Policy, rng: random.Random, n: int) -> list[Decimal]:
    """Boundary scores and ``n`` random ones with two decimals."""
    top = float(policy.score.maximum)
    return score_points(policy) + [money(rng, 0, top) for _ in range(n)]


# ---------------------------------------------------------------- the rule twins


def rule_twins(policy: Policy, rng: random.Random, n: int = 150) -> list[Twin]:
    """Every building block of rules.md §A that a plain formula can express, with its rows.

    ``n`` is the number of random rows per rule (boundary and tie rows come on top).
    """
    p = policy
    twins: list[Twin] = []
    score_rows = [(s,) for s in scores(p, rng, n)]

    twins.append(
        Twin(
            "perf_coeff",
            "A1",
            ("score",),
            (("coefficient", band(p.perf_coeff, "P_Coeff", "{score}")),),
            lambda r: (rules.perf_coeff(r["score"], p),),
            score_rows,
            None,
        )
    )
    twins.append(
        Twin(
            "bonus_ratio",
            "A2",
            ("score",),
            (("ratio", band(p.perf_bonus.ratio, "P_Ratio", "{score}")),),
            lambda r: (rules.bonus_ratio(r["score"], p),),
            score_rows,
            None,
        )
    )
    twins.append(
        Twin(
            "grade",
            "grades",
            ("score",),
            (
                (
                    "grade",
                    'IF({score}>=P_GradeExc,"excellent",IF({score}>=P_GradeGood,'
                    '"good",IF({score}>=P_GradePass,"pass","fail")))',
                ),
            ),
            lambda r: (rules.grade(r["score"], p),),
            score_rows,
            None,
        )
    )

    # A2: performance bonus. Ties need bases with 4 decimals (base × 0.08 = x.xx5).
    ratio_rows: list[tuple[Any, ...]] = []
    for b in p.perf_bonus.ratio.brackets:
        if not b.amount:
            continue
        factor = p.perf_bonus.pot_rate * b.amount
        ties = half_fen_ties(
            rng,
            tie_draw(factor, 1, 8000),
            _times(factor),
            _float_times(float(factor)),
            12,
        )
        ratio_rows += [(base, b.threshold + Decimal("0.5")) for base in ties]
    bases = [money(rng, 1000, 30000) for _ in range(n)]
    bases += [Decimal("0.01"), Decimal("0.05"), Decimal("99999999.99"), Decimal("123456789.125")]
    ratio_rows += [(rng.choice(bases), s) for (s,) in score_rows]
    twins.append(
        Twin(
            "perf_bonus",
            "A2",
            ("base", "score"),
            (
                (
                    "perf_bonus",
                    "ROUND({base}*P_PotRate*"
                    + band(p.perf_bonus.ratio, "P_Ratio", "{score}")
                    + ",2)",
                ),
            ),
            lambda r: (rules.perf_bonus(r["base"], r["score"], p),),
            ratio_rows,
        )
    )

    # A3: full attendance, document 000 and the strict document-001 variant.
    att_ties = half_fen_ties(
        rng,
        tie_draw(p.attendance.bonus_rate, 1, 3000),
        lambda v: v * p.attendance.bonus_rate,
        lambda v: v * float(p.attendance.bonus_rate),
        40,
    )
    att_rows = []
    for base in att_ties + bases[:40]:
        for lates in range(0, p.attendance.cancel_at_count + 2):
            absence = rng.choice(
                [
                    Decimal(0),
                    Decimal(0),
                    *around(p.attendance.cancel_at_absence_days),
                    Decimal("0.5"),
                ]
            )
            att_rows.append((base, lates, absence))
    twins.append(
        Twin(
            "attendance_bonus",
            "A3",
            ("base", "lates", "absences"),
            (
                (
                    "attendance_bonus",
                    "IF(OR({lates}>=P_AttCancelCount,{absences}>=P_AttCancelAbs),"
                    "0,ROUND({base}*P_AttRate,2))",
                ),
            ),
            lambda r: (rules.attendance_bonus(r["base"], r["lates"], r["absences"], p),),
            att_rows,
        )
    )
    s = p.strict_attendance
    strict_rows = [
        (t, m, ab, pl, sl)
        for t in range(s.max_late_times + 2)
        for m in [Decimal(0), *around(s.max_late_minutes)]
        for ab in (Decimal(0), Decimal("0.5"))
        for pl in (Decimal(0), Decimal("0.5"))
        for sl in (Decimal(0), Decimal(1))
    ]
    twins.append(
        Twin(
            "strict_attendance",
            "A3",
            ("late_times", "late_minutes", "absences", "personal_leave", "sick_leave"),
            (
                (
                    "strict_attendance",
                    "IF(AND({late_times}<=P_StrictMaxLate,"
                    "{late_minutes}<P_StrictMaxMin,{absences}=0,{personal_leave}=0,"
                    "{sick_leave}=0),ROUND(P_StrictAmt,2),0)",
                ),
            ),
            lambda r: (
                rules.strict_attendance_bonus(
                    r["late_times"],
                    r["late_minutes"],
                    r["absences"],
                    r["personal_leave"],
                    r["sick_leave"],
                    p,
                ),
            ),
            strict_rows,
        )
    )

    # A4, A5: every commission schedule (progressive with its cliff, and the flat ones).
    for name, scale in p.commission.items():
        points = [b.threshold for b in scale.brackets[1:]] + [scale.minimum]
        values = around(*points) + around(*points, step=Decimal("0.001"))
        values += [
            Decimal(v)
            for v in (
                0,
                "0.01",
                "0.001",
                "0.5",
                25000,
                35000,
                70000,
                100000,
                "9999.99",
                "1000000000",
                "987654321.23",
            )
        ]
        values += [money(rng, 0, 200000) for _ in range(n)]
        values += half_fen_ties(
            rng,
            lambda g: money(g, 1, 300000, rng.choice((1, 2, 3))),
            scale.compute,
            _naive_schedule(scale),
            40,
        )
        twins.append(
            Twin(
                f"commission_{name}",
                "A4/A5",
                ("sales",),
                (("commission", f"ROUND({schedule(p, name, '{sales}')},2)"),),
                _commission_engine(name, p),
                [(v,) for v in sorted(set(values))],
            )
        )

    pool_scale = p.commission[p.plans.cs_2017.public_pool_schedule]
    pool_rows = [(money(rng, 0, 2_000_000), rng.randint(1, 12)) for _ in range(n)]
    for heads in (1, 2, 3, 4, 5, 8):
        ties = half_fen_ties(
            rng,
            lambda g: money(g, 1, 500000, 1),
            _over(pool_scale.compute, Decimal(heads)),
            _float_times(float(pool_scale.flat_rate) / heads),
            6,
        )
        pool_rows += [(v, heads) for v in ties]
    pool_rows += [(Decimal(0), 3), (Decimal("0.01"), 7), (Decimal("1234.5"), 2)]
    twins.append(
        Twin(
            "public_pool_share",
            "A5",
            ("public_sales", "staff"),
            (
                (
                    "share",
                    "ROUND("
                    + schedule(p, p.plans.cs_2017.public_pool_schedule, "{public_sales}")
                    + "/{staff},2)",
                ),
            ),
            lambda r: (rules.public_pool_share(r["public_sales"], r["staff"], None, p),),
            pool_rows,
        )
    )

    # A6: team pool, its split in fen, completion bands (a, b].
    targets = [Decimal(v) for v in ("100000", "150000", "33333.33", "77777", "123456.78", "1800")]
    completion_points = [b.threshold for b in p.team.pool_rate.brackets[1:]]
    completion_points += [b.threshold for b in p.team.group_bonus.brackets[1:]]
    team_rows: list[tuple[Any, ...]] = []
    for target in targets:
        for c in sorted(set(completion_points)):
            exact = target * c
            team_rows += [(v, target) for v in (exact - CENT, exact, exact + CENT)]
        team_rows += [(money(rng, 0, float(target) * 2), target) for _ in range(n // 6)]
    team_rows += [(Decimal(0), Decimal(1000)), (Decimal("123456789.12"), Decimal("1000000"))]
    pool_formula = (
        "ROUND(MAX({team_sales},0)*"
        + band(p.team.pool_rate, "P_Pool", completion_of("MAX({team_sales},0)", "{target}"))
        + ",2)"
    )
    twins.append(
        Twin(
            "team_pool",
            "A6",
            ("team_sales", "target"),
            (("pool", pool_formula),),
            lambda r: (rules.team_pool(r["team_sales"], r["target"], p),),
            team_rows,
        )
    )
    share_rows = []
    for sales, target in team_rows[::2]:
        members = rng.randint(1, 9)
        share_rows.append((sales, target, members, rng.randint(1, members)))
    twins.append(
        Twin(
            "team_share",
            "A6",
            ("team_sales", "target", "members", "position"),
            (("share", "(QUOTIENT({fen},{members})+({position}<=MOD({fen},{members})))/100"),),
            lambda r: (
                rules.team_commission(r["team_sales"], r["target"], r["members"], p)[
                    r["position"] - 1
                ],
            ),
            share_rows,
            2,
            (("pool", pool_formula), ("fen", "ROUND({pool}*100,0)")),
        )
    )
    ratios = around(*completion_points) + around(*completion_points, step=Decimal("0.0001"))
    ratios += [Decimal(0), Decimal(5)] + [money(rng, 0, 2, 4) for _ in range(n)]
    ratio_rows2 = [(c,) for c in sorted(set(ratios))]
    twins.append(
        Twin(
            "group_bonus",
            "A6",
            ("completion",),
            (
                (
                    "group_bonus",
                    "ROUND(" + band(p.team.group_bonus, "P_Group", "{completion}") + ",2)",
                ),
            ),
            lambda r: (rules.group_bonus(r["completion"], p),),
            ratio_rows2,
        )
    )
    twins.append(
        Twin(
            "team_pool_rate",
            "A6",
            ("completion",),
            (("rate", band(p.team.pool_rate, "P_Pool", "{completion}")),),
            lambda r: (p.team.pool_rate.value(r["completion"]),),
            ratio_rows2,
            None,
        )
    )

    # A7, A8: reviews, weighted score.
    review_rows = [(rng.randint(0, 40), rng.randint(0, 40)) for _ in range(n)] + [
        (0, 0),
        (1, 0),
        (0, 1),
    ]
    twins.append(
        Twin(
            "review_pay",
            "A7",
            ("neutral", "negative"),
            (("review_pay", "ROUND({neutral}*P_RevNeutral+{negative}*P_RevNegative,2)"),),
            lambda r: (rules.review_pay(r["neutral"], r["negative"], p),),
            review_rows,
        )
    )
    all_scores = [s for (s,) in score_rows]
    weighted_rows = [(rng.choice(all_scores), rng.choice(all_scores)) for _ in range(2 * n)]
    weighted_rows += [
        (Decimal(80), Decimal(100)),
        (p.score.maximum, p.score.maximum),
        (Decimal(0),) * 2,
    ]
    twins.append(
        Twin(
            "weighted_score",
            "A8",
            ("supervisor", "self"),
            (("score", "ROUND({supervisor}*P_SupW+{self}*P_SelfW,6)"),),
            lambda r: (rules.weighted_score(r["supervisor"], r["self"], p),),
            weighted_rows,
            6,
        )
    )

    # A9: overtime, seniority, warehouse appraisal, year-end.
    a = p.allowances
    hourly = a.overtime_per_day / a.overtime_hours_per_day
    hours = around(a.overtime_minimum_hours) + around(
        a.overtime_minimum_hours, step=Decimal("0.0001")
    )
    hours += [Decimal(0), Decimal("0.01"), Decimal("100000.55")] + [
        money(rng, 0, 120) for _ in range(n)
    ]
    hours += half_fen_ties(
        rng,
        tie_draw(hourly, 40, 2000),
        lambda v: v * hourly,
        lambda v: v * float(a.overtime_per_day) / float(a.overtime_hours_per_day),
        30,
    )
    twins.append(
        Twin(
            "overtime_pay",
            "A9",
            ("hours",),
            (("overtime", "IF({hours}<P_OtMin,0,ROUND({hours}*P_OtPerDay/P_OtHours,2))"),),
            lambda r: (rules.overtime_pay(r["hours"], p),),
            [(h,) for h in hours],
        )
    )
    service_rows = _service_rows(rng, n)
    for label, name, per_year in (
        ("ops", "P_OpsSeniority", p.plans.ops_specialist.seniority_per_year),
        ("warehouse", "P_WhSeniority", p.plans.warehouse.seniority_per_year),
    ):
        twins.append(
            Twin(
                f"seniority_{label}",
                "A9",
                ("hire_date", "month"),
                (("seniority", f"ROUND({name}*{years('{hire_date}', '{month}')},2)"),),
                _seniority_engine(per_year),
                service_rows,
            )
        )
    w = p.plans.warehouse
    wh_rows = []
    wh_scores = [x for x in all_scores if x <= p.score.maximum_for("warehouse")]
    for _ in range(3 * n):
        wh_rows.append(
            (
                rng.choice(wh_scores),
                rng.choice([Decimal(0), *around(w.cancel_personal_leave_days), Decimal("3.5")]),
                rng.choice([Decimal(0), *around(w.cancel_sick_leave_days), Decimal("5.5")]),
                rng.choice(
                    [Decimal(0), Decimal(0), Decimal("0.5"), *around(w.cancel_absence_days)]
                ),
            )
        )
    cancelled = (
        "OR({personal_leave}>P_WhCancelPL,{sick_leave}>P_WhCancelSL,{absences}>=P_WhCancelAb)"
    )
    twins.append(
        Twin(
            "warehouse_appraisal",
            "A9",
            ("score", "personal_leave", "sick_leave", "absences"),
            (
                ("cancelled", f"IF({cancelled},1,0)"),
                ("appraisal", f"IF({cancelled},0,ROUND(P_WhAppBase*{{score}}/100,2))"),
            ),
            lambda r: _warehouse_appraisal(r, p),
            wh_rows,
        )
    )
    coefficients = [b.amount for b in p.perf_coeff.brackets]
    ye_rows = [
        (
            rng.choice([Decimal(m) for m in (0, 5, "5.99", 6, 11, "11.99", 12, 13, 60)]),
            rng.choice(coefficients),
            rng.choice(coefficients),
            rng.choice(coefficients),
            rng.random() < 0.2,
        )
        for _ in range(2 * n)
    ]
    twins.append(
        Twin(
            "year_end_bonus",
            "A9",
            ("months", "c1", "c2", "c3", "trial"),
            (
                (
                    "year_end",
                    "IF({trial},0,ROUND("
                    + band(p.year_end.base_by_tenure, "P_Ye", "{months}")
                    + "*P_YePost*AVERAGE({c1},{c2},{c3}),2))",
                ),
            ),
            lambda r: (
                rules.year_end_bonus(
                    r["months"], [r["c1"], r["c2"], r["c3"]], p, trial=bool(r["trial"])
                ),
            ),
            ye_rows,
        )
    )

    # A6 (second version): work award, grade bonus; A8: scorecard score, logistics weights.
    twins.append(
        Twin(
            "work_award",
            "A6",
            ("tier",),
            (("award", "ROUND(INDEX(P_Work_Amt,MATCH({tier},P_Work_Key,0)),2)"),),
            lambda r: (rules.work_award(r["tier"], p),),
            [(t,) for t in p.plans.ecom_cs.work_award],
        )
    )
    twins.append(
        Twin(
            "grade_bonus",
            "A6",
            ("grade",),
            (("bonus", "ROUND(INDEX(P_GradeB_Amt,MATCH({grade},P_GradeB_Key,0)),2)"),),
            lambda r: (rules.grade_bonus(r["grade"], p),),
            [(g,) for g in p.team.grade_bonus],
        )
    )
    card_rows = []
    for card in p.scorecards.values():
        top = max((p.score.maximum_for(x) for x in card.plans), default=p.score.maximum)
        most = sum((i.maximum for i in card.items), Decimal(0))
        for _ in range(n // 3):
            card_rows.append((money(rng, 0, float(most), 1), card.total, top))
        card_rows += [
            (card.total, card.total, top),
            (most, card.total, top),
            (Decimal(0), card.total, top),
        ]
    twins.append(
        Twin(
            "scorecard_score",
            "A8",
            ("points", "full", "maximum"),
            (("score", "ROUND(MIN({points}*100/{full},{maximum}),9)"),),
            lambda r: (rules.scorecard_score(r["points"], r["full"], r["maximum"]),),
            card_rows,
            9,
        )
    )
    twins.append(
        Twin(
            "logistics_score",
            "A8",
            ("sales_result", "department"),
            (("score", "ROUND({sales_result}*P_LogW1+{department}*P_LogW2,6)"),),
            lambda r: (rules.logistics_score(r["sales_result"], r["department"], p),),
            [(money(rng, 0, 100), money(rng, 0, 100)) for _ in range(n)],
            6,
        )
    )

    # A10: fines and discipline.
    twins.append(
        Twin(
            "complaint_fine",
            "A10",
            ("complaints",),
            (("fine", "ROUND(SUMPRODUCT(--(P_Fines_Key<={complaints}),P_Fines_Amt),2)"),),
            lambda r: (rules.complaint_fine(r["complaints"], p),),
            [(c,) for c in range(8)],
        )
    )
    cs_rows = [
        (lt, lv, ab)
        for lt in range(7)
        for lv in range(5)
        for ab in (Decimal(0), Decimal("0.5"), Decimal(1))
    ]
    twins.append(
        Twin(
            "cs_attendance_item",
            "A10",
            ("lates", "leaves", "absences"),
            (
                (
                    "points",
                    "IF(AND(P_CsAbsZero,{absences}>0),0,"
                    "MAX(P_CsItem-{lates}*P_CsPerLate-{leaves}*P_CsPerLeave,0))",
                ),
            ),
            lambda r: (rules.cs_attendance_item(r["lates"], r["leaves"], r["absences"], p),),
            cs_rows,
            None,
        )
    )
    disc_rows = [tuple(rng.randint(0, k) for k in (3, 10, 3, 3, 3)) for _ in range(n)]
    twins.append(
        Twin(
            "discipline",
            "A10",
            ("meetings", "lates", "absences", "dress", "hygiene"),
            (
                (
                    "points",
                    "{meetings}*P_DiscMeeting+INT({lates}/P_DiscLates)+{absences}"
                    "*P_DiscAbsence+{dress}*P_DiscDress+{hygiene}*P_DiscHygiene",
                ),
            ),
            lambda r: (
                rules.discipline_deduction(
                    r["meetings"], r["lates"], r["absences"], r["dress"], r["hygiene"], p
                ),
            ),
            disc_rows,
            None,
        )
    )
    return twins


def _times(factor: Decimal) -> Callable[[Decimal], Decimal]:
    """x → x × factor, exactly."""
    return lambda v: v * factor


def _over(first: Callable[[Decimal], Decimal], divisor: Decimal) -> Callable[[Decimal], Decimal]:
    """x → first(x) ÷ divisor (exact whenever the quotient terminates)."""
    return lambda v: first(v) / divisor


def _float_over(divisor: float) -> Callable[[float], float]:
    """x → x ÷ divisor in binary floats."""
    return lambda v: v / divisor


def _float_times(factor: float) -> Callable[[float], float]:
    """x → x × factor in binary floats."""
    return lambda v: v * factor


def _commission_engine(name: str, policy: Policy) -> EngineFn:
    return lambda r: (rules.commission(r["sales"], name, policy),)


def _seniority_engine(per_year: Decimal) -> EngineFn:
    return lambda r: (rules.seniority_pay(r["hire_date"], r["month"].strftime("%Y-%m"), per_year),)


def _naive_schedule(scale: Any) -> Callable[[float], float]:
    """The marginal schedule in binary floats, as a naive spreadsheet adds it up."""
    thresholds = [float(b.threshold) for b in scale.brackets]
    rates = [float(b.rate) for b in scale.brackets]

    def compute(x: float) -> float:
        if x <= 0 or x < float(scale.minimum):
            return 0.0
        total = 0.0
        for i, rate in enumerate(rates):
            upper = thresholds[i + 1] if i + 1 < len(thresholds) else x
            if x > thresholds[i]:
                total += (min(x, upper) - thresholds[i]) * rate
        return total

    return compute


def _warehouse_appraisal(row: Row, policy: Policy) -> tuple[Decimal, Decimal]:
    cancelled = rules.warehouse_appraisal_cancelled(
        row["personal_leave"], row["sick_leave"], row["absences"], policy
    )
    emp = Employee("E", "e", "warehouse", date(2020, 1, 1))
    inp = MonthInput(
        "E",
        score=row["score"],
        personal_leave_days=row["personal_leave"],
        sick_leave_days=row["sick_leave"],
        absences=row["absences"],
    )
    lines = PLANS["warehouse"](emp, inp, PlanContext("2026-11"), policy)
    appraisal = next(line.amount for line in lines if line.code == "appraisal")
    return Decimal(int(cancelled)), appraisal


def _service_rows(rng: random.Random, n: int) -> list[tuple[date, date]]:
    """(hire date, first day of month): random ones, whole-year anniversaries on the 1st and
    the 2nd of a month, hires after the month, 29 February."""
    rows = []
    for _ in range(n):
        month = date(rng.randint(2015, 2030), rng.randint(1, 12), 1)
        rows.append((date(rng.randint(1990, 2031), rng.randint(1, 12), rng.randint(1, 28)), month))
    for k in range(0, 12):
        month = date(2026, rng.randint(1, 12), 1)
        for day in (1, 2, 28):
            for shift in (-1, 0, 1):
                y, m = month.year - k, month.month + shift
                y, m = (y - 1, 12) if m == 0 else ((y + 1, 1) if m == 13 else (y, m))
                rows.append((date(y, m, day), month))
    rows += [
        (date(2024, 2, 29), date(2025, 2, 1)),
        (date(2024, 2, 29), date(2028, 2, 1)),
        (date(2027, 1, 1), date(2026, 12, 1)),
        (date(2026, 12, 1), date(2026, 12, 1)),
    ]
    return rows


# ---------------------------------------------------------------- pay-plan twins

# Formula of every pay line, per plan, in the engine's line order. Placeholders are month
# inputs, roster fields, and the helpers net (net sales), years and months (full years and
# months of service), team_share, team_pool, team_members, group_completion, public_share,
# streak (0/1). Which plans get the allowances and the fines is read from the policy, as the
# engine reads it. The level share is team_pool × level share ÷ team_members, multiplied
# before dividing, rounded once.


class TwinRefs:
    """The twins' Policy sheet (:func:`write_policy_sheet`) as the product's formula pieces see
    policy references (:class:`workbook_templates.native.pieces.Refs`): the pay lines below are
    the product's own (``pieces.line_formulas``), checked here against the engine row by row."""

    def __init__(self, policy: Policy) -> None:
        self._scalars = {path: name for name, _value, path in _scalars(policy)}
        self._scales = {path: name for name, _scale, path in _scale_tables(policy)}

    def value(self, path: str) -> str:
        tier = re.fullmatch(r"plans\.ecom_cs\.work_award\.(\w+)", path)
        if tier:
            return f'INDEX(P_Work_Amt,MATCH("{tier[1]}",P_Work_Key,0))'
        minimum = re.fullmatch(r"commission\.(\w+)\.minimum", path)
        if minimum:
            return f"P_{minimum[1]}_Min"
        return self._scalars[path]

    def band(self, path: str, scale: AmountScale, x: str) -> str:
        return band(scale, self._scales[path], x)

    def schedule(self, policy: Policy, name: str, x: str) -> str:
        return schedule(policy, name, x)

    def keyed(self, path: str, key: str) -> str:
        table = {"team.level_share": "P_Level", "team.grade_bonus": "P_GradeB"}[path]
        return f"INDEX({table}_Amt,MATCH({key},{table}_Key,0))"

    def first_of_list(self, path: str, count: str) -> str:
        assert path == "fines.complaint_fines", path
        return f"SUMPRODUCT(--(P_Fines_Key<={count}),P_Fines_Amt)"


def line_formulas(plan: str, policy: Policy) -> list[tuple[str, str]]:
    """The formula of each pay line of ``plan`` (rules.md §B), in the engine's order: the
    native build's pieces over the twins' Policy sheet."""
    return pieces.line_formulas(plan, policy, TwinRefs(policy))


EMPLOYEE_FIELDS = ("base_pay", "post_pay", "level", "trial", "hire_date")
CHOICE_INPUTS = ("work_grade", "grade_rating")
MONTH_INPUTS = (*MONTH_FIELDS, *CHOICE_INPUTS)  # every month input, in the engine's order
CONTEXT_INPUTS = (
    "month",
    "team_share",
    "team_pool",
    "team_members",
    "group_completion",
    "public_share",
    "streak",
)
PLAN_INPUTS = (*EMPLOYEE_FIELDS, *MONTH_INPUTS, *CONTEXT_INPUTS)


def months_of(hire: str, month: str) -> str:
    """Full months of service at the end of the month whose first day is in ``month``."""
    end = f"EDATE({month},1)"
    return f'IF({hire}>={end},0,DATEDIF({hire},{end},"m"))'


PLAN_HELPERS = (
    ("net", "{sales}-{returns}-{shipping_paid}"),
    ("years", years("{hire_date}", "{month}")),
    ("months", months_of("{hire_date}", "{month}")),
)


def _plan_engine(plan: str, policy: Policy) -> EngineFn:
    def run(row: Row) -> list[Decimal]:
        emp = Employee(
            "E",
            "e",
            plan,
            row["hire_date"],
            row["base_pay"],
            row["post_pay"],
            row["level"],
            bool(row["trial"]),
        )
        inp = MonthInput("E", **{k: row[k] for k in MONTH_INPUTS})
        month = row["month"].strftime("%Y-%m")
        ctx = PlanContext(
            month,
            years_of_service=rules.years_of_service(emp.hire_date, month),
            team_pool=row["team_pool"],
            team_members=row["team_members"],
            team_share=row["team_share"],
            public_share=row["public_share"],
            streak_reward=bool(row["streak"]),
            months_of_service=rules.months_of_service(emp.hire_date, month),
            group_completion=row["group_completion"],
        )
        lines = PLANS[plan](emp, inp, ctx, policy)
        codes = [code for code, _ in line_formulas(plan, policy)]
        if [line.code for line in lines] != codes:
            raise AssertionError(f"{plan}: engine lines {[x.code for x in lines]} != twin {codes}")
        return [*(line.amount for line in lines), total_of(lines)]

    return run


def _pick(
    rng: random.Random, edges: Sequence[Any], draw: Callable[[], Any], edge_share: float = 0.4
) -> Any:
    return rng.choice(edges) if rng.random() < edge_share else draw()


def plan_rows(plan: str, policy: Policy, rng: random.Random, n: int) -> list[tuple[Any, ...]]:
    """``n`` input rows for a plan twin: random values mixed with boundaries, ties and extremes.

    Inputs a plan has no line for (an allowance, a fine) stay 0: the engine refuses them.
    """
    p = policy
    sched = {
        "promotion": p.plans.promotion.commission_schedule,
        "cs_000": p.plans.cs_000.commission_schedule,
        "cs_003": p.plans.cs_003.commission_schedule,
        "ops_specialist": p.plans.ops_specialist.commission_schedule,
        "cs_2017": p.plans.cs_2017.commission_schedule,
    }.get(plan, "cs_flat")
    scale = p.commission[sched]
    sales_edges = around(*[b.threshold for b in scale.brackets[1:]], scale.minimum)
    sales_edges += [Decimal(v) for v in ("0", "15000.5", "1234.25", "20000.75", "123456789.99")]
    top = p.score.maximum_for(plan)
    score_edges = [s for s in score_points(p) if s <= top]
    amount_edges = [Decimal(v) for v in ("0", "0", "100", "12.345", "0.005", "200", "99999.995")]
    allowances = plan in p.allowances.plans
    fines = plan in p.fines.plans
    completion_edges = [b.threshold for b in p.team.group_bonus.brackets[1:]]
    d = Decimal
    rows = []
    for _ in range(n):
        month = date(rng.randint(2024, 2028), rng.randint(1, 12), 1)
        sales = _pick(rng, sales_edges, lambda: money(rng, 0, 150000))
        target = rng.choice([None, d(200000), d(150000), d("33333.33"), d(1800)])
        if plan == "logistics_sales":
            target = rng.choice([d(100000), d(150000), d("33333.33"), d(1800)])
        task = (
            None
            if target is not None and rng.random() < 0.7
            else rng.choice(
                [d(0), d("0.5"), d("1.2"), d("1.5"), d("1.51"), d(2), money(rng, 0, 2, 4)]
            )
        )
        values = {
            "base_pay": _pick(
                rng,
                [d(3000), d("3000.05"), d("1234.0625"), d("0.01"), d("99999999.99")],
                lambda: money(rng, 2000, 20000),
            ),
            "post_pay": _pick(
                rng, [d(0), d(800), d(2800), d("1000.005")], lambda: money(rng, 0, 5000)
            ),
            "level": rng.choice(["assistant", "deputy", "staff"]),
            "trial": rng.random() < 0.3,
            "hire_date": _pick(
                rng,
                [date(month.year, month.month, 1), date(month.year, month.month, 2)],
                lambda: date(
                    rng.randint(1995, 2028), rng.randint(1, 12), rng.choice((1, 2, 15, 28))
                ),
                0.15,
            ),
            "score": _pick(rng, score_edges, lambda: money(rng, 0, float(top)), 0.5),
            "lates": rng.choice((0, 0, 1, 2, 3)),
            "early_leaves": rng.choice((0, 0, 0, 1)),
            "leaves": rng.choice((0, 0, 1)),
            "late_minutes": rng.choice((0, 0, 9, 10, 11, 30)),
            "personal_leave_days": rng.choice([d(0), d(0), d(0), *around(d(3)), d("3.5")]),
            "sick_leave_days": rng.choice([d(0), d(0), d(0), *around(d(5)), d(6)]),
            "absences": rng.choice([d(0)] * 6 + [d("0.5"), d(1), d("0.99")]),
            "night_shifts": rng.randint(0, 10) if allowances else 0,
            "late_night_shifts": rng.randint(0, 4) if allowances else 0,
            "overtime_hours": _pick(
                rng, [*around(d(4)), d("4.0005"), d("12.3455"), d(0)], lambda: money(rng, 0, 40)
            )
            if allowances
            else d(0),
            "holiday_days": rng.choice((d(0), d(0), d("0.5"), d(1), d(2))) if allowances else d(0),
            "working_days": rng.choice((d(0), d("21.5"), d(22), d(26), d("22.125"))),
            "sales": sales,
            "returns": rng.choice((d(0), d(0), (sales * d("0.03")).quantize(CENT), sales + d(10))),
            "shipping_paid": rng.choice((d(0), d(0), d(12), d(36))),
            "target": target,
            "task_coefficient": task,
            "neutral_fixed": rng.randint(0, 6),
            "negative_fixed": rng.randint(0, 4),
            "complaints": rng.choice((0, 0, 0, 1, 2, 3)) if fines else 0,
            "chat_violations": rng.choice((0, 0, 0, 1, 2)) if fines else 0,
            "contact_leaks": rng.choice((0, 0, 0, 0, 1)) if fines else 0,
            "special_awards": _pick(rng, amount_edges, lambda: money(rng, 0, 1000)),
            "rewards": _pick(rng, amount_edges, lambda: money(rng, 0, 1000)),
            "penalties": _pick(rng, amount_edges, lambda: money(rng, 0, 500)),
            "losses": _pick(rng, amount_edges, lambda: money(rng, 0, 500)),
            "team_share_amount": rng.choice((None, d(0), money(rng, 0, 3000), d("0.005"))),
            "behaviour_score": rng.choice((d(0), d("0.6"), d("0.8"), d(1), d("1.2"), d("1.15"))),
            "absent_months": rng.choice((0, 0, 1, 2, 3)),
            "work_grade": rng.choice(list(p.plans.ecom_cs.work_award)),
            "grade_rating": rng.choice(list(p.team.grade_bonus)),
            "month": month,
            "team_share": money(rng, 0, 3000),
            "team_pool": _pick(
                rng, [d(0), d("300.55"), d("0.01"), d("99999.99")], lambda: money(rng, 0, 9000)
            ),
            "team_members": rng.randint(0, 8),
            "group_completion": _pick(
                rng, around(*completion_edges, step=d("0.0001")), lambda: money(rng, 0, 2, 4)
            ),
            "public_share": money(rng, 0, 2000),
            "streak": rng.choice((0, 0, 1)),
        }
        rows.append(tuple(values[k] for k in PLAN_INPUTS))
    return rows


def level_share_ties(
    policy: Policy, rng: random.Random, rows: list[tuple[Any, ...]], count: int = 3
) -> list[tuple[Any, ...]]:
    """Rows whose level-share line, pool × level share ÷ members, is exactly a half-fen tie that
    binary floats put below it (first the worked case 300.55 × 90% ÷ 3 = 90.165); ``count``
    per level and head count where such ties exist (none do for, say, 80% ÷ 3)."""
    cases = [("deputy", 3, Decimal("300.55"))]
    for level, share in policy.team.level_share.items():
        for members in (2, 3, 4, 8):
            found = 0
            for _ in range(2_000):
                pool = money(rng, 1, 9000)
                exact = pool * share / members
                naive = float(pool) * float(share) / members
                if is_half_fen(exact) and Decimal(naive) < exact:
                    cases.append((level, members, pool))
                    found += 1
                    if found == count:
                        break
    out = []
    for level, members, pool in cases:
        row = dict(zip(PLAN_INPUTS, rng.choice(rows), strict=True))
        row.update(level=level, team_members=members, team_pool=pool)
        out.append(tuple(row[k] for k in PLAN_INPUTS))
    return out


def plan_twins(policy: Policy, rng: random.Random, n: int = 300) -> list[Twin]:
    """A whole plan's pay per row: every line ROUNDed to the fen, the total their sum (§B)."""
    twins = []
    for plan in PLANS:
        lines = line_formulas(plan, policy)
        codes = [code for code, _ in lines]
        outputs = (*lines, ("total", "+".join(f"{{out_{c}}}" for c in codes)))
        rows = plan_rows(plan, policy, rng, n)
        if plan == "ecom_other" or (
            plan == "store_manager" and policy.plans.store_manager.team_share_mode == "level_share"
        ):
            rows += level_share_ties(policy, rng, rows)
        twins.append(
            Twin(
                f"plan_{plan}",
                "§B",
                PLAN_INPUTS,
                outputs,
                _plan_engine(plan, policy),
                rows,
                2,
                PLAN_HELPERS,
            )
        )
    return twins


# ---------------------------------------------------------------- a whole month's payroll

PAYROLL_INPUTS = ("id", "plan", "team", "seat", *EMPLOYEE_FIELDS, *MONTH_INPUTS, "streak")
PAYROLL_HELPERS = (
    "net",
    "years",
    "months",
    "team_share",
    "team_pool",
    "team_members",
    "group_completion",
    "public_share",
)
_SHOP_COLUMNS = ("shop", "group", "sales", "target")


@dataclass
class MonthLayout:
    """Where the month twin put things: the Payroll column of each line code and the total."""

    rows: int
    line_columns: dict[str, int] = field(default_factory=dict)
    total_column: int = 0


def build_month_workbook(path: Path, month: Month, policy: Policy) -> MonthLayout:
    """The pure-formula payroll of ``month``: what a company would build without xlkpi.

    Sheets: Policy; Month (public sales, the public-pool head count, the exact public pool and
    the share ROUND(pool ÷ staff, 2), rounded once; the doc-002 pool: all shops' sales and
    targets, the pool by completion band to the fen, in fen, and the pool head count); Shops
    (one row per shop: group, sales = orders − returns − shipping paid, target); Payroll (one
    row per employee: inputs, helpers, one column per pay line, total = sum of the lines).
    A pool member's share is the pool split in fen with the leftover fen going one by one in
    roster order, which needs the member's seat (an input column: a running COUNTIFS would make
    the sheet quadratic). A group's completion is SUMIFS over its shops. The
    three-months-excellent reward reads History; here it is the ``streak`` input (0 without).
    """
    p = policy.at(month.month)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})  # rows are written in order
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    write_policy_sheet(wb, p)
    n = len(month.employees)
    lines = [f"out_{c}" for c in LINE_CODES]
    columns = [*PAYROLL_INPUTS, *PAYROLL_HELPERS, *lines, "total"]
    letter = {c: col_letter(i) for i, c in enumerate(columns)}
    last = n + 1

    def whole(col: str) -> str:
        return f"{PAYROLL_SHEET}!${letter[col]}$2:${letter[col]}${last}"

    def count_of(plans: list[str]) -> str:
        return "+".join(f'COUNTIF({whole("plan")},"{x}")' for x in plans) or "0"

    shops = month.shops
    shop_last = len(shops) + 1
    shop_col = {
        c: f"{SHOPS_SHEET}!${col_letter(i)}$2:${col_letter(i)}${max(shop_last, 2)}"
        for i, c in enumerate(_SHOP_COLUMNS)
    }
    ms = wb.add_worksheet(MONTH_SHEET)
    pool_name = p.plans.cs_2017.public_pool_schedule
    ms.write_row(0, 0, ["month", month.month])
    ms.write_row(1, 0, ["public_sales", float(month.public_sales)])
    ms.write_row(2, 0, ["staff", f"={count_of(p.team.public_pool_plans)}"])
    ms.write_row(3, 0, ["pool", f"={schedule(p, pool_name, 'B2')}"])  # exact: rounded once
    ms.write_row(4, 0, ["share", "=IF(B3=0,0,ROUND(B4/B3,2))"])
    trial = p.plans.ecom_cs.trial_operation
    rate = band(p.team.pool_rate, "P_Pool", completion_of("MAX(B6,0)", "B7"))
    ms.write_row(5, 0, ["shop_sales", f"=SUM({shop_col['sales']})"])
    ms.write_row(6, 0, ["shop_target", f"=SUM({shop_col['target']})"])
    ms.write_row(7, 0, ["pool_members", f"={count_of(p.team.pool_plans)}"])
    ms.write_row(8, 0, ["dept_pool", "=0" if trial else f"=IF(B8=0,0,ROUND(MAX(B6,0)*{rate},2))"])
    ms.write_row(9, 0, ["dept_fen", "=ROUND(B9*100,0)"])

    ss = wb.add_worksheet(SHOPS_SHEET)
    ss.write_row(0, 0, _SHOP_COLUMNS)
    for r, shop in enumerate(shops, start=1):
        ss.write_string(r, 0, shop.name)
        ss.write_string(r, 1, shop.group)
        ss.write_number(r, 2, float(shop.sales))
        if shop.target is not None:
            ss.write_number(r, 3, float(shop.target))

    ws = wb.add_worksheet(PAYROLL_SHEET)
    ws.write_row(0, 0, columns)
    seat = 0
    layout = MonthLayout(
        n, {c: columns.index(f"out_{c}") for c in LINE_CODES}, columns.index("total")
    )
    line_cols = [letter[c] for c in lines]
    for r, emp in enumerate(month.employees, start=1):
        inp = month.inputs[emp.id]
        position = 0
        if emp.plan in p.team.pool_plans:
            seat += 1
            position = seat
        values: dict[str, Any] = {
            "id": emp.id,
            "plan": emp.plan,
            "team": emp.team,
            "seat": position,
            "base_pay": emp.base_pay,
            "post_pay": emp.post_pay,
            "level": emp.level,
            "trial": emp.trial,
            "hire_date": emp.hire_date,
            "streak": 0,
            **{k: getattr(inp, k) for k in MONTH_INPUTS},
        }
        for c, name in enumerate(PAYROLL_INPUTS):
            _cell_value(ws, r, c, values[name], date_fmt)
        x = r + 1
        cells = {c: f"{letter[c]}{x}" for c in columns}
        cells["month"] = f"DATE({month.month[:4]},{int(month.month[5:])},1)"
        m = MONTH_SHEET
        helpers = {
            "net": "{sales}-{returns}-{shipping_paid}",
            "years": years("{hire_date}", "{month}"),
            "months": months_of("{hire_date}", "{month}"),
            "team_share": (
                f"IF({{seat}}=0,0,(QUOTIENT({m}!$B$10,{m}!$B$8)+({{seat}}<=MOD({m}!$B$10,"
                f"{m}!$B$8)))/100)"
            ),
            "team_pool": f"{m}!$B$9",
            "team_members": f"{m}!$B$8",
            "group_completion": completion_of(
                f"MAX(SUMIFS({shop_col['sales']},{shop_col['group']},{{team}}),0)",
                f"SUMIFS({shop_col['target']},{shop_col['group']},{{team}})",
            ),
            "public_share": f"{m}!$B$5",
        }
        level_share = emp.plan == "ecom_other" or (
            emp.plan == "store_manager" and p.plans.store_manager.team_share_mode == "level_share"
        )
        needed = {"net", "years", "months"}
        needed |= {"team_share"} if emp.plan in p.team.pool_plans else set()
        needed |= {"team_pool", "team_members"} if level_share else set()
        needed |= {"group_completion"} if emp.plan == "ecom_cs" and not trial else set()
        needed |= {"public_share"} if emp.plan in p.team.public_pool_plans else set()
        for name, template in helpers.items():
            if name in needed:
                ws.write_formula(r, columns.index(name), "=" + fill(template, cells), None, 0)
            else:
                ws.write_number(r, columns.index(name), 0)
        for code, template in line_formulas(emp.plan, p):
            ws.write_formula(r, layout.line_columns[code], "=" + fill(template, cells), None, 0)
        ws.write_formula(
            r, layout.total_column, f"=SUM({line_cols[0]}{x}:{line_cols[-1]}{x})", None, 0
        )
    wb.close()
    return layout


def compare_month(
    result: MonthResult, workbook: Path, layout: MonthLayout
) -> tuple[int, list[Disagreement]]:
    """Compare every pay line and total of a computed month with the recalculated month twin."""
    values = read_sheet_values(workbook, PAYROLL_SHEET)
    compared = 0
    problems = []
    for r, res in enumerate(result.results):
        row = values[r]
        expected = {line.code: line.amount for line in res.lines}
        expected["total"] = res.total
        where = {**layout.line_columns, "total": layout.total_column}
        for code, want in expected.items():
            compared += 1
            got = row[where[code]]
            if as_decimal(want, 2) != as_decimal(got if got != "" else 0, 2):
                problems.append(
                    Disagreement(
                        f"month:{res.employee.plan}",
                        "§B",
                        code,
                        r + 2,
                        f"employee={res.employee.id}",
                        str(want),
                        str(got),
                    )
                )
    return compared, problems


def month_without_history(month: Month) -> Month:
    """The same month with no History rows (the streak reward is then never due)."""
    return replace(month, history=[])


__all__ = [
    "Disagreement",
    "MonthLayout",
    "Twin",
    "build_month_workbook",
    "build_rules_workbook",
    "compare",
    "compare_month",
    "half_fen_ties",
    "line_formulas",
    "month_without_history",
    "plan_twins",
    "rule_twins",
    "table",
    "write_policy_sheet",
]
