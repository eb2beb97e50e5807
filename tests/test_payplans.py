"""The eleven pay plans, called directly: which lines each plan has and how they are computed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from xlkpi import compute_month
from xlkpi.errors import MissingValueError, OutOfRangeError
from xlkpi.inputs import Employee, MonthInput
from xlkpi.messages import set_lang
from xlkpi.money import round_money
from xlkpi.paylines import LINE_CODES
from xlkpi.payplans import PLAN_LABELS, PLANS, PlanContext
from xlkpi.policy import PLAN_CODES, Policy, validate_policy
from xlkpi.policy_io import default_policy
from xlkpi.sample_data import demo_month, synthetic_month


@pytest.fixture
def english() -> Iterator[None]:
    """These tests read the English twin of the engine's messages (tests/test_messages.py
    checks the Chinese ones)."""
    set_lang("en")
    yield
    set_lang("zh")


pytestmark = pytest.mark.usefixtures("english")

P = default_policy()
CTX = PlanContext(month="2026-10", group_completion=Decimal(1))


def with_value(path: str, value: object) -> Policy:
    """The default policy with one value changed (``a.b.c`` key path)."""
    data = P.model_dump(mode="python")
    *parents, leaf = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    node[leaf] = value
    return validate_policy(data)


LEVEL_SHARE = with_value("plans.store_manager.team_share_mode", "level_share")


def d(text: str | int) -> Decimal:
    return Decimal(text)


def emp(plan: str, **kw: object) -> Employee:
    return Employee("E1", "王伟", plan, date(2024, 1, 1), **kw)  # type: ignore[arg-type]


def amounts(lines: list) -> dict[str, Decimal]:  # type: ignore[type-arg]
    return {line.code: line.amount for line in lines if line.amount}


def test_every_plan_is_registered_and_labelled() -> None:
    assert set(PLANS) == set(PLAN_CODES)
    assert set(PLAN_LABELS) == set(PLAN_CODES)
    assert PLAN_LABELS["cs_003"][0].startswith("客服")


@pytest.mark.parametrize("plan", PLAN_CODES)
def test_plans_use_known_line_codes_once(plan: str) -> None:
    inp = MonthInput(
        "E1",
        score=d(85),
        sales=d(30000),
        target=d(30000),
        working_days=d(20),
        behaviour_score=d(1),
        work_grade="tier2",
        grade_rating="good",
    )
    lines = PLANS[plan](emp(plan, base_pay=d(3000), post_pay=d(800)), inp, CTX, P)
    codes = [line.code for line in lines]
    assert set(codes) <= set(LINE_CODES)
    assert len(codes) == len(set(codes))
    assert {"rewards", "penalties", "losses"} <= set(codes)  # every plan has the tail
    for line in lines:
        assert line.amount == round_money(line.amount)  # already in fen
        if line.amount:
            assert line.term, line


def test_designer_lines() -> None:
    inp = MonthInput("E1", score=d(85), special_awards=d(200), rewards=d(100), penalties=d(30))
    lines = PLANS["designer"](emp("designer", base_pay=d(4000)), inp, CTX, P)
    assert amounts(lines) == {
        "base": d("4000.00"),
        "attendance": d("400.00"),
        "perf": d("800.00"),  # 85 ≥ 80: the full pot (A2, second version)
        "special_awards": d("200.00"),
        "rewards": d("100.00"),
        "penalties": d("-30.00"),
    }


def test_cs_003_lines_and_trace_terms() -> None:
    inp = MonthInput("E1", score=d(85), sales=d(38000), neutral_fixed=3, negative_fixed=1)
    lines = PLANS["cs_003"](emp("cs_003"), inp, CTX, P)
    terms = {line.code: line.term for line in lines if line.amount}
    assert terms == {
        "base": "500 × 1.2",
        "commission": "2% × 38,000.00",
        "review_neutral": "3 × 10",
        "review_negative": "1 × 20",
    }


@pytest.mark.parametrize(
    ("score", "base"),
    [("64.99", "250.00"), ("65", "500.00"), ("94.99", "600.00"), ("95", "750.00")],
)
def test_cs_003_base_follows_the_coefficient(score: str, base: str) -> None:
    lines = PLANS["cs_003"](emp("cs_003"), MonthInput("E1", score=d(score)), CTX, P)
    assert amounts(lines)["base"] == d(base)


def test_commission_is_on_net_sales_and_never_negative() -> None:
    inp = MonthInput("E1", score=d(85), sales=d(1000), returns=d(1500))
    lines = PLANS["cs_003"](emp("cs_003"), inp, CTX, P)
    assert "commission" not in amounts(lines)
    inp = MonthInput("E1", score=d(85), sales=d(38000), returns=d(1000), shipping_paid=d(36))
    assert amounts(PLANS["cs_003"](emp("cs_003"), inp, CTX, P))["commission"] == d("739.28")


def test_store_manager_needs_a_coefficient_or_a_target() -> None:
    with pytest.raises(MissingValueError, match="task coefficient and personal target"):
        PLANS["store_manager"](emp("store_manager"), MonthInput("E1"), CTX, P)


@pytest.mark.parametrize(
    ("level", "team"), [("assistant", "1100.00"), ("deputy", "990.00"), ("staff", "880.00")]
)
def test_store_manager_level_share_of_the_team_average(level: str, team: str) -> None:
    ctx = PlanContext(month="2026-10", team_pool=d(2200), team_members=2)
    inp = MonthInput("E1", task_coefficient=d(1), team_share_amount=d(777))
    lines = PLANS["store_manager"](emp("store_manager", level=level), inp, ctx, LEVEL_SHARE)
    assert amounts(lines) == {"base": d("1800.00"), "team": d(team)}


def test_store_manager_team_share_is_the_entered_amount_by_default() -> None:
    ctx = PlanContext(month="2026-10", team_pool=d(2200), team_members=2)
    inp = MonthInput("E1", task_coefficient=d(1), team_share_amount=d("777.77"))
    lines = PLANS["store_manager"](emp("store_manager"), inp, ctx, P)
    assert amounts(lines) == {"base": d("1800.00"), "team": d("777.77")}
    blank = PLANS["store_manager"](
        emp("store_manager"), MonthInput("E1", task_coefficient=d(1)), ctx, P
    )
    assert amounts(blank) == {"base": d("1800.00")}


def test_store_manager_coefficient_multiplies_unrounded() -> None:
    inp = MonthInput("E1", sales=d(246912), target=d(200000))
    lines = PLANS["store_manager"](emp("store_manager"), inp, CTX, P)
    assert amounts(lines)["base"] == d("2222.21")  # 1,800 × 1.23456 = 2,222.208


@pytest.mark.parametrize("plan", ["designer", "promotion", "cs_003", "ops_specialist", "cs_2017"])
def test_an_allowance_on_a_plan_without_that_line_is_refused(plan: str) -> None:
    inp = MonthInput("E1", score=d(85), night_shifts=2)
    with pytest.raises(OutOfRangeError, match=r"allowances\.plans") as caught:
        PLANS[plan](emp(plan), inp, CTX, P)
    assert "(" not in str(caught.value)  # the plan named as a person reads it: 客服（2017标准）


@pytest.mark.parametrize("plan", ["warehouse", "ecom_cs", "ecom_other"])
def test_the_allowance_plans_pay_night_overtime_and_holiday_duty(plan: str) -> None:
    inp = MonthInput(
        "E1",
        score=d(85),
        night_shifts=2,
        late_night_shifts=1,
        overtime_hours=d(4),
        holiday_days=d(1),
        work_grade="tier1",
        grade_rating="pass",
    )
    got = amounts(PLANS[plan](emp(plan), inp, CTX, P))
    assert (got["night"], got["late_night"], got["overtime"], got["holiday"]) == (
        d("10.00"),
        d("10.00"),
        d("40.00"),
        d("120.00"),
    )


def test_fines_on_a_plan_without_them_are_refused() -> None:
    with pytest.raises(OutOfRangeError, match=r"fines\.plans"):
        PLANS["designer"](emp("designer"), MonthInput("E1", score=d(85), chat_violations=1), CTX, P)


def test_ecom_cs_lines_and_the_trial_phase() -> None:
    ctx = PlanContext(
        month="2026-10",
        team_pool=d("2550.01"),
        team_members=3,
        team_share=d("850.01"),
        group_completion=d("0.75"),
    )
    inp = MonthInput("E1", work_grade="tier3")
    got = amounts(PLANS["ecom_cs"](emp("ecom_cs", post_pay=d(3000)), inp, ctx, P))
    assert got == {
        "post": d("3000.00"),
        "work_award": d("500.00"),
        "group_bonus": d("400.00"),  # (60%, 80%]
        "team": d("850.01"),
    }
    trial = with_value("plans.ecom_cs.trial_operation", True)
    got = amounts(PLANS["ecom_cs"](emp("ecom_cs", post_pay=d(3000)), inp, ctx, trial))
    assert got == {"post": d("3000.00"), "work_award": d("500.00")}
    with pytest.raises(MissingValueError, match="工作表现为空"):
        PLANS["ecom_cs"](emp("ecom_cs"), MonthInput("E1"), ctx, P)


def test_ecom_other_level_share_and_grade_bonus() -> None:
    ctx = PlanContext(month="2026-10", team_pool=d("300.55"), team_members=3)
    inp = MonthInput("E1", grade_rating="good")
    got = amounts(PLANS["ecom_other"](emp("ecom_other", level="deputy"), inp, ctx, P))
    assert got == {"team": d("90.17"), "grade_bonus": d("400.00")}  # 300.55 × 90% ÷ 3 = 90.165
    with pytest.raises(MissingValueError, match="绩效评级为空"):
        PLANS["ecom_other"](emp("ecom_other"), MonthInput("E1"), ctx, P)


def test_logistics_sales_links_and_new_staff() -> None:
    inp = MonthInput("E1", sales=d(90000), target=d(100000), behaviour_score=d(1))
    ctx = PlanContext(month="2026-10", months_of_service=5)
    got = amounts(PLANS["logistics_sales"](emp("logistics_sales", base_pay=d(6000)), inp, ctx, P))
    assert got == {"base": d("4800.00"), "results": d("810.00"), "behaviour": d("300.00")}
    new = PlanContext(month="2026-10", months_of_service=0)
    got = amounts(PLANS["logistics_sales"](emp("logistics_sales", base_pay=d(6000)), inp, new, P))
    assert got == {"base": d("4800.00"), "results": d("900.00"), "behaviour": d("300.00")}
    with pytest.raises(OutOfRangeError, match=r"不能超过1\.2"):
        bad = MonthInput("E1", sales=d(1), target=d(1), behaviour_score=d("1.3"))
        PLANS["logistics_sales"](emp("logistics_sales"), bad, ctx, P)


def test_cs_2017_not_appraised_after_more_than_two_months_absent() -> None:
    inp = MonthInput("E1", score=d(95), sales=d(22000), absent_months=3)
    got = amounts(PLANS["cs_2017"](emp("cs_2017", post_pay=d(2800)), inp, CTX, P))
    assert got == {"post": d("2800.00")}
    inp = MonthInput("E1", score=d(95), sales=d(22000), absent_months=2)
    got = amounts(PLANS["cs_2017"](emp("cs_2017", post_pay=d(2800)), inp, CTX, P))
    assert got == {"post": d("2800.00"), "commission": d("860.00")}


def test_store_manager_trace_term_reproduces_the_amount() -> None:
    """The trace is checked by hand: the coefficient it shows must give the amount it shows.

    Net sales 250,001 ÷ target 200,000 = 1.250005 → 1,800 × 1.250005 = 2,250.009 → 2,250.01,
    but the term shows the coefficient rounded to 4 places (1.25), and 1,800 × 1.25 = 2,250.00.
    """
    inp = MonthInput("E1", sales=d(250001), target=d(200000))
    lines = PLANS["store_manager"](emp("store_manager"), inp, CTX, P)
    base = next(line for line in lines if line.code == "base")
    left, right = base.term.split(" × ")
    shown = d(left.replace(",", "")) * d(right)
    assert round_money(shown) == base.amount, base


def test_ops_specialist_progressive_term() -> None:
    inp = MonthInput("E1", score=d(100), sales=d(100000))
    lines = PLANS["ops_specialist"](emp("ops_specialist", base_pay=d(4500)), inp, CTX, P)
    commission = next(line for line in lines if line.code == "commission")
    assert commission.amount == d("3900.00")
    assert commission.term == "累进提成(100,000.00)"


def test_warehouse_trial_and_regular_base_ignore_the_roster_base() -> None:
    inp = MonthInput("E1", score=d(100))
    trial = PLANS["warehouse"](emp("warehouse", trial=True, base_pay=d(1)), inp, CTX, P)
    regular = PLANS["warehouse"](emp("warehouse", base_pay=d(1)), inp, CTX, P)
    assert amounts(trial)["base"] == d("5300.00")
    assert amounts(regular)["base"] == d("5500.00")
    assert amounts(regular)["appraisal"] == d("2000.00")


def test_cs_2017_streak_reward_comes_from_the_context() -> None:
    inp = MonthInput("E1", score=d(95))
    plain = PLANS["cs_2017"](emp("cs_2017", post_pay=d(2800)), inp, CTX, P)
    ctx = PlanContext(month="2026-10", streak_reward=True, years_of_service=2)
    rewarded = PLANS["cs_2017"](emp("cs_2017", post_pay=d(2800)), inp, ctx, P)
    assert "streak_reward" not in amounts(plain)
    assert amounts(rewarded)["streak_reward"] == d("200.00")
    assert amounts(rewarded)["seniority"] == d("100.00")


@pytest.mark.parametrize(
    "plan", ["designer", "promotion", "cs_000", "cs_003", "ops_specialist", "warehouse", "cs_2017"]
)
def test_plans_that_pay_by_score_need_one(plan: str) -> None:
    with pytest.raises(MissingValueError, match="score is blank"):
        PLANS[plan](emp(plan), MonthInput("E1"), CTX, P)


@pytest.mark.parametrize(
    "make", [demo_month, lambda: synthetic_month(800)], ids=["demo", "synthetic"]
)
def test_every_line_is_base_times_quantity_times_rate(make: object) -> None:
    """PayLine's contract: amount = base × quantity × rate, rounded half-up to the fen.

    The team-pool and public-pool lines carry the whole pool as base with quantity 1 and rate 1
    while their amount is one member's share, so a Payroll column built from (base, quantity,
    rate) would show the pool instead of the share.
    """
    result = compute_month(make())  # type: ignore[operator]
    wrong = sorted(
        {
            (r.employee.plan, line.code)
            for r in result.results
            for line in r.lines
            if round_money(line.base * line.quantity * line.rate) != line.amount
        }
    )
    assert wrong == []


def test_store_manager_share_multiplies_before_dividing() -> None:
    """300.55 × 90% ÷ 3 = 90.165 → 90.17 (the LibreOffice oracle found 300.55 ÷ 3 × 90% → 90.16)."""
    ctx = PlanContext(month="2026-10", team_pool=d("300.55"), team_members=3)
    inp = MonthInput("E1", task_coefficient=d(1))
    lines = PLANS["store_manager"](emp("store_manager", level="deputy"), inp, ctx, LEVEL_SHARE)
    assert amounts(lines)["team"] == d("90.17")


def test_plan_names_a_person_reads_use_full_width_brackets_and_keep_the_roster_value() -> None:
    from xlkpi.payplans import PLAN_LABELS, plan_name

    assert plan_name("cs_000") == "客服（绩效奖金制）" and plan_name("designer") == "美工"
    assert plan_name("cs_2017", "en") == "Customer service, 2017 standard"
    assert plan_name("no_such_plan") == "no_such_plan"
    for code, (zh, _en) in PLAN_LABELS.items():
        shown = plan_name(code)
        assert "(" not in shown and ")" not in shown, shown
        assert shown.replace("（", "(").replace("）", ")") == zh  # the roster value, unchanged
    assert PLAN_LABELS["cs_2017"][0] == "客服(2017标准)"  # typed in 花名册, matched by formulas
