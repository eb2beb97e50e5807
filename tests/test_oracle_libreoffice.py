"""LibreOffice Calc, an engine nobody here wrote, recomputes every rule and pay plan from plain
formulas over a Policy sheet, and agrees with xlkpi to the fen (rules.md §A, §B).

One LibreOffice run recalculates three workbooks: the rule and plan twins (a few thousand rows:
random ones, every band boundary and both sides of it, extremes, and half-fen ties x.xx5 that
binary floats put below the tie), a synthetic month's whole payroll, and a small month built so
that a level share, pool × level share ÷ members, is an exact half-fen tie.
Without LibreOffice the tests skip locally and fail on CI (CI=true).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tests.support import formula_twins as ft
from tests.support import libreoffice as lo
from xlkpi.engine import MonthResult, compute_month
from xlkpi.inputs import Employee, Month, MonthInput, Shop
from xlkpi.payplans import PLANS
from xlkpi.policy import PLAN_CODES, Policy
from xlkpi.policy_io import default_policy
from xlkpi.sample_data import synthetic_month

SEED = 20261
MONTH_STAFF = 550  # 50 on each of the 11 plans


@dataclass(frozen=True)
class Oracle:
    """The twins written, and the workbooks LibreOffice recalculated."""

    policy: Policy
    rule_twins: list[ft.Twin]
    plan_twins: list[ft.Twin]
    rules_book: Path
    months: list[tuple[MonthResult, Path, ft.MonthLayout]]


def tie_month() -> Month:
    """Three ecom_cs staff and one shop selling 30,055 against a 40,000 target (75% → 1%), so
    the department's pool is 300.55; the deputy ecom_other's level share is 300.55 × 90% ÷ 3
    = 90.165 exactly, rounded once to 90.17 (dividing first, 100.18333… × 90%, would round
    down to 90.16). Two cs_2017 staff share the public pool of 1,234.50 × 1% = 12.345."""

    def emp(i: int, plan: str, level: str = "staff") -> Employee:
        return Employee(
            f"E{i}", f"n{i}", plan, date(2020, 1, 1), Decimal(3000), Decimal(0), level, False, "T1"
        )

    staff = [
        emp(1, "ecom_cs"),
        emp(2, "ecom_cs"),
        emp(3, "ecom_cs"),
        emp(4, "ecom_other", "deputy"),
        emp(5, "cs_2017"),
        emp(6, "cs_2017"),
    ]
    sales = ["10000", "10000", "10055", "0", "1000", "2000"]
    inputs = {
        e.id: MonthInput(
            e.id,
            score=Decimal(85),
            sales=Decimal(s),
            work_grade="tier2" if e.plan == "ecom_cs" else None,
            grade_rating="good" if e.plan == "ecom_other" else None,
        )
        for e, s in zip(staff, sales, strict=True)
    }
    shops = [Shop("店", Decimal(30055), target=Decimal(40000), group="T1")]
    return Month("2026-11", staff, inputs, public_sales=Decimal("1234.5"), shops=shops)


def payroll_month() -> Month:
    """The synthetic month on every plan, without History.

    Public sales of 4,000,024.50 make the share rounded once (40,000.245 ÷ 50 = 800.0049 →
    800.00) differ from rounding the pool first (40,000.25 ÷ 50 = 800.005 → 800.01).
    """
    month = ft.month_without_history(synthetic_month(MONTH_STAFF, plans=PLAN_CODES))
    return replace(month, public_sales=Decimal("4000024.5"))


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Oracle:
    lo.require_soffice()
    policy = default_policy()
    rng = random.Random(SEED)
    rule_twins = ft.rule_twins(policy, rng)
    plan_twins = ft.plan_twins(policy, rng)
    src = tmp_path_factory.mktemp("twins")
    rules_src = ft.build_rules_workbook(src / "rules.xlsx", [*rule_twins, *plan_twins], policy)
    sources, months = [rules_src], []
    for name, month in (
        ("month", payroll_month()),
        ("ties", tie_month()),
    ):
        layout = ft.build_month_workbook(src / f"{name}.xlsx", month, policy)
        sources.append(src / f"{name}.xlsx")
        months.append((compute_month(month, policy), layout))
    outputs = lo.recalculate_many(sources, tmp_path_factory.mktemp("recalculated"))
    return Oracle(
        policy,
        rule_twins,
        plan_twins,
        outputs[0],
        [(res, out, layout) for (res, layout), out in zip(months, outputs[1:], strict=True)],
    )


def test_every_rule_twin_agrees_with_the_engine(oracle: Oracle) -> None:
    compared, problems = ft.compare(oracle.rule_twins, oracle.rules_book)
    assert not problems, ft.table(problems)
    assert compared == sum(len(t.rows) * len(t.outputs) for t in oracle.rule_twins)
    assert compared > 3000


def test_every_plan_twin_agrees_with_the_engine_line_by_line(oracle: Oracle) -> None:
    compared, problems = ft.compare(oracle.plan_twins, oracle.rules_book)
    assert not problems, ft.table(problems)
    assert {t.name for t in oracle.plan_twins} == {f"plan_{p}" for p in PLANS}
    assert compared > 15000


def test_a_whole_month_payroll_agrees_with_the_engine(oracle: Oracle) -> None:
    result, workbook, layout = oracle.months[0]
    compared, problems = ft.compare_month(result, workbook, layout)
    assert not problems, ft.table(problems)
    assert {r.employee.plan for r in result.results} == set(PLANS)
    assert compared == sum(len(r.lines) + 1 for r in result.results)
    pool = [r.line("team") for r in result.results if r.employee.plan == "ecom_cs"]
    assert pool and all(line is not None and line.amount > 0 for line in pool)  # exercised
    levels = [r.line("team") for r in result.results if r.employee.plan == "ecom_other"]
    assert levels and all(line is not None and line.amount > 0 for line in levels)
    shares = {line.amount for r in result.results if (line := r.line("public_pool")) is not None}
    public = sum(1 for r in result.results if r.employee.plan == "cs_2017")
    assert public == 50 and shares == {Decimal("800.00")}  # 800.01 if the pool were rounded first


def test_a_level_share_rounds_an_exact_half_fen_up(oracle: Oracle) -> None:
    result, workbook, layout = oracle.months[1]
    _, problems = ft.compare_month(result, workbook, layout)
    assert not problems, ft.table(problems)
    other = next(r for r in result.results if r.employee.plan == "ecom_other")
    team = other.line("team")
    assert team is not None
    assert team.amount == Decimal("90.17")  # 300.55 × 0.9 ÷ 3 = 90.165


def test_libreoffice_recalculated_instead_of_keeping_stored_zeros(oracle: Oracle) -> None:
    values = ft.read_sheet_values(oracle.rules_book, "perf_coeff")
    coefficients = {Decimal(repr(row[1])) for row in values}
    assert coefficients == {b.amount for b in oracle.policy.perf_coeff.brackets}


def test_the_rows_hold_half_fen_ties_that_binary_floats_round_down() -> None:
    policy = default_policy()
    twins = {t.name: t for t in ft.rule_twins(policy, random.Random(SEED), n=10)}
    rate = policy.commission["cs_flat"].flat_rate
    sales = [row[0] for row in twins["commission_cs_flat"].rows]
    ties = [s for s in sales if ft.is_half_fen(s * rate)]
    assert len(ties) >= 40
    wrong = [
        s
        for s in ties
        if round(float(s) * float(rate), 2)
        != float((s * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    ]
    assert len(wrong) >= 20  # float arithmetic plus round() gets these wrong; the engine must not


def test_upper_inclusive_bands_count_thresholds_strictly_below() -> None:
    policy = default_policy()
    assert ft.band(policy.team.group_bonus, "P_Group", "A2") == (
        "INDEX(P_Group_Amt,MAX(1,SUMPRODUCT(--(P_Group_Thr<A2))))"
    )
    assert ft.band(policy.perf_coeff, "P_Coeff", "A2") == "LOOKUP(A2,P_Coeff_Thr,P_Coeff_Amt)"
    assert [ft.col_letter(i) for i in (0, 25, 26, 51, 52)] == ["A", "Z", "AA", "AZ", "BA"]


# ---------------------------------------------------------------------------------------------
# the product's own book: its native formulas, recalculated by LibreOffice, equal xlkpi recalc

PRODUCT_STAFF = 220  # 20 on each of the 11 plans


def _native_columns() -> dict[str, list[str]]:
    """Sheet → the headers of the product's native formula columns that no UDF feeds: the
    工资表's lookups, net sales and tail lines, each scorecard's 总分, 主管自评's 绩效分数,
    团队目标's team sales and completion."""
    from xlkpi import layout

    pay = layout.PAYROLL
    tail = ("rewards", "complaint_fine", "conduct_fine", "penalties", "losses")
    helpers = ("roster_row", "attendance_row", "sales_row", "score_row", "net_sales")
    columns = {pay.name: [pay.column(f).header for f in ("name", "plan", *tail, *helpers)]}
    for sheet in layout.SCORECARD_SHEETS.values():
        columns[sheet] = [layout.SCORECARD_TOTAL_HEADER]
    columns[layout.SUPERVISOR_SELF.name] = [layout.SUPERVISOR_SELF.column("score").header]
    teams = layout.TEAMS
    columns[teams.name] = [teams.column(f).header for f in ("team_sales", "completion")]
    return columns


def test_the_product_books_native_formulas_equal_recalc_in_libreoffice(
    tmp_path: Path,
) -> None:
    """The block design leaves per-row formulas native (no UDF call); LibreOffice, which has
    no xlkpi add-in, recomputes them from the month's inputs and the 参数 names, and they
    equal the values `xlkpi recalc` stored — to the fen for money, to 1e-9 for scores."""
    from python_calamine import CalamineWorkbook

    from workbook_templates import build_workbook
    from xlkpi.recalc import recalc

    lo.require_soffice()
    book = tmp_path / "month.xlsx"
    build_workbook(book, month=synthetic_month(PRODUCT_STAFF))
    recalc(book)
    # a mark in the hidden copy the table shows without the add-in (no native cell reads 绩效分数)
    from xlkpi import layout
    from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

    score_cell = f"{layout.PAYROLL.letter('score')}{layout.FIRST_DATA_ROW}"
    marked = tmp_path / "marked.xlsx"
    patch_workbook(book, marked, {layout.LAST_RECALC: SheetEdit(values={score_cell: 12345})})
    again = lo.recalculate(marked, tmp_path / "lo")

    def sheets(path: Path) -> dict[str, list[list[object]]]:
        wb = CalamineWorkbook.from_path(str(path))
        try:
            return {n: wb.get_sheet_by_name(n).to_python() for n in _native_columns()}
        finally:
            wb.close()

    stored, recomputed = sheets(book), sheets(again)
    compared, wrong = 0, []
    for sheet, headers in _native_columns().items():
        rows, lo_rows = stored[sheet], recomputed[sheet]
        for header in headers:
            c = rows[0].index(header)
            for r in range(1, len(rows)):
                if not rows[r][0] or rows[r][0] == "合计":
                    continue
                want, got = rows[r][c], lo_rows[r][c] if c < len(lo_rows[r]) else ""
                if isinstance(want, float | int) and isinstance(got, float | int):
                    ok = abs(float(want) - float(got)) < 1e-9
                else:
                    ok = (want or "") == (got or "")
                compared += 1
                if not ok:
                    wrong.append((sheet, header, r + 1, want, got))
    assert wrong == []
    assert compared > 12 * PRODUCT_STAFF  # every row, every native column
    # LibreOffice did recompute: without the add-in the table's array shows the hidden copy
    wb = CalamineWorkbook.from_path(str(again))
    try:
        pay = wb.get_sheet_by_name("工资表").to_python()
    finally:
        wb.close()
    score = stored["工资表"][0].index("绩效分数")
    assert pay[1][score] == 12345 != stored["工资表"][1][score]
