"""compute_month: invalid input named per employee, the shops' pool, public pool, totals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

import xlkpi
from xlkpi import Employee, HistoryRecord, InputError, Month, MonthInput, compute_month
from xlkpi.errors import InvalidNumberError, MissingValueError, OutOfRangeError
from xlkpi.inputs import Shop
from xlkpi.messages import set_lang
from xlkpi.policy import validate_policy
from xlkpi.sample_data import SAMPLE_PLANS, demo_month, synthetic_month


@pytest.fixture
def english() -> Iterator[None]:
    """These tests read the English twin of the engine's messages (tests/test_messages.py
    checks the Chinese ones)."""
    set_lang("en")
    yield
    set_lang("zh")


def d(text: str | int) -> Decimal:
    return Decimal(text)


def designer_month(**inputs: object) -> Month:
    emp = Employee("E7", "王伟", "designer", date(2024, 1, 1), base_pay=d(4000))
    return Month("2026-10", [emp], {"E7": MonthInput("E7", **inputs)})  # type: ignore[arg-type]


INVALID = [
    ({"score": d("-0.01")}, OutOfRangeError, "-0.01", "cannot be negative"),
    ({"score": d("100.01")}, OutOfRangeError, "100.01", "between 0 and 100"),  # per plan
    ({"score": d(85), "sales": d("-0.01")}, OutOfRangeError, "sales", "enter 0 or more"),
    ({"score": "abc"}, InvalidNumberError, "'abc'", "expected"),
    ({"score": d(85), "sales": "abc"}, InvalidNumberError, "sales", "expected"),
    ({"score": d(85), "sales": d("NaN")}, InvalidNumberError, "sales", "number"),
    ({"score": 85.5}, InvalidNumberError, "85.5", "expected a Decimal"),
    ({"score": d(85), "lates": -1}, OutOfRangeError, "late arrivals", "enter 0 or more"),
    ({"score": d(85), "lates": d("1.5")}, InvalidNumberError, "late arrivals", "whole number"),
    ({"score": d(85), "absences": d(-1)}, OutOfRangeError, "absence", "enter 0 or more"),
    ({"score": d(85), "rewards": d(-100)}, OutOfRangeError, "rewards", "enter 0 or more"),
    ({"score": None}, MissingValueError, "score is blank", "enter the month's appraisal score"),
]


@pytest.mark.parametrize(("inputs", "error", "what", "allowed"), INVALID)
@pytest.mark.usefixtures("english")
def test_invalid_input_says_what_is_wrong_and_what_is_allowed(
    inputs: dict[str, object], error: type[InputError], what: str, allowed: str
) -> None:
    """Whether the record refuses it when built or compute_month when it runs."""
    with pytest.raises(error) as info:
        compute_month(designer_month(**inputs))
    assert isinstance(info.value, InputError)
    assert what in str(info.value)
    assert allowed in str(info.value)


@pytest.mark.parametrize(("inputs", "error", "what", "allowed"), INVALID)
def test_invalid_input_names_the_employee(
    inputs: dict[str, object], error: type[InputError], what: str, allowed: str
) -> None:
    """A payroll of 100 people: the message must say whose row is wrong (at least the id)."""
    with pytest.raises(InputError) as info:
        compute_month(designer_month(**inputs))
    assert "E7" in str(info.value)


@pytest.mark.usefixtures("english")
def test_missing_inputs_missing_target_unknown_plan() -> None:
    emp = Employee("E1", "李娜", "designer", date(2024, 1, 1))
    with pytest.raises(MissingValueError, match=r"employee E1 \(李娜\) has no inputs for 2026-10"):
        compute_month(Month("2026-10", [emp], {}))
    cs = Employee("C1", "张伟", "ecom_cs", date(2024, 1, 1), team="A组")
    month = Month("2026-10", [cs], {"C1": MonthInput("C1", work_grade="tier1")})
    with pytest.raises(MissingValueError, match="本月没有店铺数据"):
        compute_month(month)
    shops = [Shop("B店", d(100), target=d(100), group="B组")]
    with pytest.raises(MissingValueError, match="客服组“A组”没有负责的店铺"):
        compute_month(replace(month, shops=shops))
    odd = Employee("X1", "赵六", "cashier", date(2024, 1, 1))
    with pytest.raises(OutOfRangeError, match=r"employee X1 .*pay plan is 'cashier'; use one of"):
        compute_month(Month("2026-10", [odd], {"X1": MonthInput("X1", score=d(80))}))


def test_one_pool_for_all_groups_split_in_roster_order() -> None:
    """One pool for the department ("不分一组二组"): 10,000.75 of shop sales against 12,500 =
    80.006% → 1.5% → 150.01 = 15,001 fen ÷ 4 → 37.51, 37.50, 37.50, 37.50 in roster order,
    whatever the groups; nobody's personal sales enter the pool."""
    staff = [
        Employee("A1", "甲", "ecom_cs", date(2024, 1, 1), team="A"),
        Employee("B1", "乙", "ecom_cs", date(2024, 1, 1), team="B"),
        Employee("A2", "丙", "ecom_cs", date(2024, 1, 1), team="A"),
        Employee("A3", "丁", "ecom_cs", date(2024, 1, 1), team="A"),
    ]
    inputs = {e.id: MonthInput(e.id, work_grade="tier1", sales=d(99999)) for e in staff}
    shops = [
        Shop("A店", d("9000.75"), target=d(10000), group="A"),
        Shop("B店", d(1000), target=d(2500), group="B"),
    ]
    result = compute_month(Month("2026-10", staff, inputs, shops=shops))
    team = {r.employee.id: r.line("team").amount for r in result.results}  # type: ignore[union-attr]
    assert team == {"A1": d("37.51"), "B1": d("37.50"), "A2": d("37.50"), "A3": d("37.50")}
    bonus = {r.employee.id: r.line("group_bonus").amount for r in result.results}  # type: ignore[union-attr]
    # A's shop 90.0075% > 80% → 500; B's shop 40% ≤ 60% → 300
    assert bonus == {"A1": d(500), "B1": d(300), "A2": d(500), "A3": d(500)}


def test_each_groups_shops_are_found_without_a_scan_per_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shops are grouped once (a scan of every shop per group made a 50,000-staff month
    quadratic: 4,545 groups × 5,000 shops); group_shops is left to say a group has none."""
    month = synthetic_month(600)
    groups = {e.team for e in month.employees if e.plan == "ecom_cs"}
    assert len(groups) > 10 and all(any(s.group == g for s in month.shops) for g in groups)
    expected = compute_month(month)
    scans: list[str] = []
    real = xlkpi.engine.group_shops

    def counted(shops: list[Shop], group: str) -> list[Shop]:
        scans.append(group)
        return real(shops, group)

    monkeypatch.setattr(xlkpi.engine, "group_shops", counted)
    again = compute_month(month)
    assert scans == []
    assert [r.total for r in again.results] == [r.total for r in expected.results]
    bonus = [r.line("group_bonus") for r in again.results if r.employee.plan == "ecom_cs"]
    assert bonus and all(line is not None for line in bonus)


@pytest.mark.usefixtures("english")
def test_a_score_above_the_plans_maximum_is_an_error_never_capped() -> None:
    wh = Employee("W1", "陈刚", "warehouse", date(2024, 1, 1))
    with pytest.raises(OutOfRangeError, match="between 0 and 100"):
        compute_month(Month("2026-10", [wh], {"W1": MonthInput("W1", score=d(120))}))
    cs = Employee("S1", "刘洋", "cs_003", date(2024, 1, 1))
    result = compute_month(Month("2026-10", [cs], {"S1": MonthInput("S1", score=d(120))}))
    assert result.results[0].coefficient == d("1.5")


def test_the_trial_phase_is_a_dated_policy_flag() -> None:
    staff = [Employee("E1", "甲", "ecom_cs", date(2024, 1, 1), post_pay=d(3000), team="A")]
    inputs = {"E1": MonthInput("E1", work_grade="tier2")}
    shops = [Shop("A店", d(100000), target=d(100000), group="A")]
    data = xlkpi.default_policy().model_dump(mode="python")
    data["plans"]["ecom_cs"]["trial_operation"] = True
    data["changes"] = [
        {"effective_from": "2026-11", "path": "plans.ecom_cs.trial_operation", "value": False}
    ]
    policy = validate_policy(data)
    october = compute_month(Month("2026-10", staff, inputs, shops=shops), policy)
    november = compute_month(Month("2026-11", staff, inputs, shops=shops), policy)
    assert october.results[0].total == d("3400.00")  # post + work award only
    # 100% → 1.5% → pool 1,500.00 to one member; group bonus 500
    assert november.results[0].total == d("3000") + d(400) + d(500) + d(1500)


def test_iron_rank_looks_at_every_month_of_the_history() -> None:
    emp = Employee("S1", "刘洋", "cs_003", date(2025, 1, 1))
    inputs = {"S1": MonthInput("S1", score=d(90))}
    clean = [HistoryRecord("2026-05", "S1", d(90), "excellent", d("1.2"), d(0), "trial")]
    fined = HistoryRecord(
        "2026-03", "S1", d(90), "excellent", d("1.2"), d(0), "trial", bad_record=True
    )
    dirty = [*clean, fined]
    codes = [a.code for a in compute_month(Month("2026-10", [emp], inputs, history=clean)).alerts]
    assert codes == ["rank_iron"]
    assert compute_month(Month("2026-10", [emp], inputs, history=dirty)).alerts == []


def test_alerts_follow_the_runs_language_and_results_carry_the_bad_record() -> None:
    month = demo_month()
    try:
        set_lang("en")
        english = compute_month(month).alerts
    finally:
        set_lang("zh")
    chinese = compute_month(month).alerts
    assert [a.code for a in english] == [a.code for a in chinese]
    # the sentence is English; the policy's own labels (铁牌, warning rules) stay as HR wrote them
    assert all(a.message[0].isascii() for a in english if a.kind != "warning")
    assert any(a.message.startswith("due for promotion") for a in english)
    results = compute_month(month).results
    bad = {r.employee.id for r in results if r.bad_record}
    assert bad == {
        e.id
        for e in month.employees
        if (i := month.inputs[e.id]).complaints
        or i.penalties
        or i.losses
        or i.absences
        or i.chat_violations
        or i.contact_leaks
    }
    assert bad


def test_alert_messages_are_chinese_sentences() -> None:
    result = compute_month(demo_month())
    assert result.alerts
    for alert in result.alerts:
        assert alert.message.endswith("。"), alert
        assert any("\u4e00" <= ch <= "\u9fff" for ch in alert.message), alert


def test_public_pool_counts_cs_2017_staff_only() -> None:
    staff = [
        Employee("T1", "甲", "cs_2017", date(2024, 1, 1), rank="gold"),
        Employee("T2", "乙", "cs_2017", date(2024, 1, 1), rank="gold"),
        Employee("S1", "丙", "cs_003", date(2024, 1, 1), rank="gold"),
    ]
    inputs = {e.id: MonthInput(e.id, score=d(70)) for e in staff}
    result = compute_month(Month("2026-10", staff, inputs, public_sales=d("100001")))
    pool = [r.line("public_pool") for r in result.results]
    assert [line.amount for line in pool if line] == [d("500.01"), d("500.01")]  # 1000.01 ÷ 2
    assert pool[2] is None


def test_month_result_totals_and_alerts() -> None:
    result = compute_month(demo_month())
    assert len(result.results) == 38
    assert {r.employee.plan for r in result.results} == set(SAMPLE_PLANS)
    assert result.total == sum((r.total for r in result.results), d(0))
    assert result.alerts == [a for r in result.results for a in r.alerts]
    for r in result.results:
        assert r.total == sum((line.amount for line in r.lines), d(0))
        assert r.trace.endswith(f"= {r.total:,.2f}")
        assert r.months_of_service >= 0
        assert r.total.as_tuple().exponent == -2


def test_result_carries_score_grade_and_coefficient() -> None:
    result = compute_month(designer_month(score=d(85))).results[0]
    assert (result.score, result.grade, result.coefficient) == (d(85), "good", d("1.2"))
    assert result.line("base").amount == d("4000.00")  # type: ignore[union-attr]
    assert result.line("public_pool") is None


def test_store_manager_without_score_has_no_grade() -> None:
    emp = Employee("M1", "郭鹏", "store_manager", date(2024, 1, 1))
    month = Month("2026-10", [emp], {"M1": MonthInput("M1", task_coefficient=d(1))})
    result = compute_month(month).results[0]
    assert (result.score, result.grade) == (None, "")
    assert result.coefficient == d(1)  # the task coefficient its pay uses
    assert result.total == d("1800.00")


def test_the_store_managers_coefficient_is_the_task_coefficient_its_pay_uses() -> None:
    # 工资表's 绩效系数 and the payslip show it: 1800 × 1.0742349, not the score's 1.2
    month = demo_month()
    result = next(r for r in compute_month(month).results if r.employee.plan == "store_manager")
    base = result.line("base")
    assert base is not None and result.coefficient == base.rate
    inp = month.inputs[result.employee.id]
    assert inp.task_coefficient is None  # computed: net sales ÷ target
    assert result.coefficient == inp.net_sales / inp.target != d("1.2")
    assert result.score is not None and result.grade  # the score still grades the month
    typed = replace(inp, task_coefficient=d("0.9"))
    month = replace(month, inputs={**month.inputs, inp.employee_id: typed})
    again = next(r for r in compute_month(month).results if r.employee.plan == "store_manager")
    assert again.coefficient == d("0.9")


def test_computation_is_deterministic_and_uses_the_policy_in_force() -> None:
    month = synthetic_month(200)
    first, second = compute_month(month), compute_month(month)
    assert [r.total for r in first.results] == [r.total for r in second.results]
    assert [r.trace for r in first.results] == [r.trace for r in second.results]
    assert first.policy.changes == []
    assert first.month == "2026-10"


def test_default_policy_is_used_when_none_is_given() -> None:
    month = designer_month(score=d(85))
    assert (
        compute_month(month).results[0].total
        == compute_month(month, xlkpi.default_policy()).results[0].total
    )
