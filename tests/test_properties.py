"""Properties that hold for every input (hypothesis): monotone scales, continuity, exact sums.

Oracles here are independent of the engine: integer arithmetic in fen, not Decimal code paths.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from xlkpi import Employee, Month, MonthInput, compute_month, rules
from xlkpi.inputs import WORK_GRADES, Shop
from xlkpi.money import round_money, to_decimal
from xlkpi.policy import GRADES, PLAN_CODES
from xlkpi.policy_io import default_policy

P = default_policy()
FEN = Decimal("0.01")
# sales up to 300,000 yuan, in fen
cents = st.integers(min_value=0, max_value=30_000_000)
scores = st.integers(min_value=0, max_value=12_000).map(lambda n: Decimal(n) / 100)
SCHEDULES = sorted(P.commission)


def yuan(c: int) -> Decimal:
    return Decimal(c) / 100


def progressive_oracle(c: int) -> Decimal:
    """A4 in integer arithmetic: fen × percent, summed per bracket, rounded half-up once."""
    if c < 1_000_000:  # below 10,000 yuan: nothing at all
        return Decimal("0.00")
    edges = [0, 2_000_000, 3_000_000, 5_000_000, 8_000_000, 12_000_000]
    percents = [1, 2, 3, 5, 7, 10]
    hundredths_of_fen = 0  # fen × percent = 1/100 fen
    for i, lower in enumerate(edges):
        upper = edges[i + 1] if i + 1 < len(edges) else c
        if c > lower:
            hundredths_of_fen += (min(c, upper) - lower) * percents[i]
    fen = (hundredths_of_fen + 50) // 100  # half-up, all values ≥ 0
    return Decimal(fen) / 100


@given(cents)
@example(999_999)
@example(1_000_000)
@example(2_500_000)
@example(10_000_000)
def test_progressive_commission_matches_integer_oracle(c: int) -> None:
    assert rules.commission(yuan(c)) == progressive_oracle(c)


@given(cents, cents, st.sampled_from(SCHEDULES))
def test_commission_never_decreases_as_sales_grow(a: int, b: int, schedule: str) -> None:
    low, high = sorted((a, b))
    assert rules.commission(yuan(low), schedule) <= rules.commission(yuan(high), schedule)


@given(st.integers(min_value=1_000_000, max_value=30_000_000))
def test_commission_is_continuous_above_the_cliff(c: int) -> None:
    """A fen more in sales changes the bonus by at most 0.01 × top rate (0.001), rounded."""
    scale = P.commission["ops_progressive"]
    top = max(b.rate for b in scale.brackets)
    s, t = yuan(c), yuan(c + 1)
    assert Decimal(0) <= scale.compute(t) - scale.compute(s) <= FEN * top
    # unrounded step ≤ 0.001, so the rounded amounts differ by at most one fen
    assert Decimal(0) <= rules.commission(t) - rules.commission(s) <= FEN


@given(scores, scores)
def test_coefficient_and_ratio_never_decrease_as_score_grows(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert rules.perf_coeff(low) <= rules.perf_coeff(high)
    assert rules.bonus_ratio(low) <= rules.bonus_ratio(high)
    assert rules.perf_bonus(3000, low) <= rules.perf_bonus(3000, high)


@given(st.integers(min_value=0, max_value=10_000_000), st.integers(min_value=1, max_value=60))
def test_team_shares_add_up_to_the_pool_and_differ_by_a_fen_at_most(pool: int, n: int) -> None:
    shares = rules.split_evenly(yuan(pool), n)
    assert len(shares) == n
    assert sum(shares, Decimal(0)) == yuan(pool)
    assert max(shares) - min(shares) <= FEN
    assert shares == sorted(shares, reverse=True)  # leftover fen go to the first in order
    assert all(s == round_money(s) for s in shares)


@given(cents, st.integers(min_value=1, max_value=30_000_000), st.integers(1, 30))
def test_team_commission_shares_sum_to_the_pool(sales: int, target: int, n: int) -> None:
    shares = rules.team_commission(yuan(sales), yuan(target), n)
    assert sum(shares, Decimal(0)) == rules.team_pool(yuan(sales), yuan(target))


@given(cents)
@example(75)  # 2% × 0.75 = 0.015 → 0.02; round(0.75 * 0.02, 2) gives 0.01
@example(625)  # 2% × 6.25 = 0.125 → 0.13; round(float) gives 0.12
@example(3_800_025)  # 2% × 38,000.25 = 760.005 → 760.01
def test_flat_commission_is_decimal_half_up(c: int) -> None:
    expected = Decimal((c * 2 + 50) // 100) / 100  # fen, half-up, in integers
    assert rules.commission(yuan(c), "cs_flat") == expected


def test_float_rounding_would_differ_on_real_lines() -> None:
    """Real pay lines where round(float) loses a fen that half-up keeps."""
    cases = [
        (rules.commission(Decimal("0.75"), "cs_flat"), 0.75 * 0.02, Decimal("0.02")),
        (rules.commission(Decimal("12.25"), "cs_flat"), 12.25 * 0.02, Decimal("0.25")),
        (rules.attendance_bonus(Decimal("1.25"), 0, 0), 1.25 * 0.1, Decimal("0.13")),
        (rules.perf_bonus(Decimal("3333.35"), 75), 3333.35 * 0.2 * 0.6, Decimal("400.00")),
    ]
    differing = 0
    for exact, floated, expected in cases:
        assert exact == expected
        differing += Decimal(repr(round(floated, 2))) != exact
    assert differing >= 3


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_money_text_round_trips(amount: Decimal) -> None:
    assert to_decimal(f"¥{amount:,.2f}") == amount
    assert to_decimal(f"{amount:.2f}元") == amount
    assert to_decimal(float(f"{amount:.2f}")) == amount  # 0.1 stays 0.1


def _month_inputs(draw: st.DrawFn, emp_id: str, plan: str) -> MonthInput:
    """Random inputs a plan accepts: allowances and fines only on the plans that have them."""
    policy = default_policy()
    money = st.integers(0, 20_000_000).map(yuan)
    small = st.integers(0, 6)
    days = st.integers(0, 20).map(lambda n: Decimal(n) / 2)
    allowances = plan in policy.allowances.plans
    fines = plan in policy.fines.plans
    top = policy.score.maximum_for(plan)
    return MonthInput(
        emp_id,
        score=draw(st.integers(0, int(top * 100)).map(lambda n: Decimal(n) / 100)),
        lates=draw(small),
        early_leaves=draw(small),
        leaves=draw(small),
        late_minutes=draw(st.integers(0, 60)),
        personal_leave_days=draw(days),
        sick_leave_days=draw(days),
        absences=draw(st.sampled_from([Decimal(0), Decimal(0), Decimal(1)])),
        night_shifts=draw(small) if allowances else 0,
        late_night_shifts=draw(small) if allowances else 0,
        overtime_hours=draw(days) if allowances else Decimal(0),
        holiday_days=draw(st.integers(0, 3).map(Decimal)) if allowances else Decimal(0),
        working_days=draw(st.integers(0, 26).map(Decimal)),
        sales=draw(money),
        returns=draw(st.integers(0, 100_000).map(yuan)),
        shipping_paid=draw(st.integers(0, 10_000).map(yuan)),
        target=draw(st.integers(1, 30_000_000).map(yuan)),
        neutral_fixed=draw(small),
        negative_fixed=draw(small),
        complaints=draw(st.integers(0, 3)) if fines else 0,
        chat_violations=draw(small) if fines else 0,
        contact_leaks=draw(st.integers(0, 1)) if fines else 0,
        special_awards=draw(st.integers(0, 100_000).map(yuan)),
        rewards=draw(st.integers(0, 100_000).map(yuan)),
        penalties=draw(st.integers(0, 100_000).map(yuan)),
        losses=draw(st.integers(0, 100_000).map(yuan)),
        team_share_amount=draw(st.none() | st.integers(0, 500_000).map(yuan)),
        behaviour_score=draw(st.integers(0, 12).map(lambda n: Decimal(n) / 10)),
        absent_months=draw(st.integers(0, 4)),
        work_grade=draw(st.sampled_from(WORK_GRADES)),
        grade_rating=draw(st.sampled_from(GRADES)),
    )


@st.composite
def months(draw: st.DrawFn) -> Month:
    n = draw(st.integers(1, 12))
    money = st.integers(0, 20_000_000).map(yuan)
    small = st.integers(0, 6)
    target = st.integers(1, 30_000_000).map(yuan)
    employees, inputs = [], {}
    for i in range(n):
        plan = draw(st.sampled_from(PLAN_CODES))
        emp = Employee(
            f"E{i}",
            f"员工{i}",
            plan,
            date(draw(st.integers(2015, 2026)), draw(st.integers(1, 10)), draw(st.integers(1, 28))),
            base_pay=draw(st.integers(0, 1_000_000).map(yuan)),
            post_pay=draw(st.integers(0, 500_000).map(yuan)),
            level=draw(st.sampled_from(["assistant", "deputy", "staff"])),
            trial=draw(st.booleans()),
            team=draw(st.sampled_from(["A", "B"])),
            rank=draw(st.sampled_from(["trial", "iron", "gold"])),
        )
        employees.append(emp)
        inputs[emp.id] = _month_inputs(draw, emp.id, plan)
    return Month(
        "2026-10",
        employees,
        inputs,
        public_sales=draw(st.integers(0, 100_000_000).map(yuan)),
        shops=[
            Shop("A店", draw(money), draw(small.map(yuan)), Decimal(0), draw(target), "A"),
            Shop("B店", draw(money), Decimal(0), Decimal(0), Decimal(100000), "B"),
        ],
    )


@settings(max_examples=150, deadline=None)
@given(months())
def test_a_total_is_the_sum_of_its_lines(month: Month) -> None:
    result = compute_month(month)
    for r in result.results:
        assert all(line.amount == round_money(line.amount) for line in r.lines)
        assert r.total == sum((line.amount for line in r.lines), Decimal(0))
        assert r.trace.endswith(f"= {r.total:,.2f}")
    assert result.total == sum((r.total for r in result.results), Decimal(0))
    shares = [
        r.line("team").amount  # type: ignore[union-attr]
        for r in result.results
        if r.employee.plan == "ecom_cs"
    ]
    if shares:  # one pool for the department: the shares add up to it, at most a fen apart
        assert sum(shares, Decimal(0)) == rules.department_pool(month.shops)
        assert max(shares) - min(shares) <= FEN
