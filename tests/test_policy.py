"""The policy: rules.md's numbers as defaults, dated changes, and validation naming the key path."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from xlkpi import Employee, Month, MonthInput, compute_month, messages
from xlkpi.errors import PolicyError
from xlkpi.policy import GRADES, LEVELS, PLAN_CODES, Policy, validate_policy
from xlkpi.policy_io import (
    PolicyRow,
    default_policy,
    flatten,
    policy_from_rows,
    policy_to_rows,
    unflatten,
)

BROKEN = Path(__file__).parent / "broken_policies"
FIXTURES = sorted(BROKEN.glob("*.toml"))


def _dec(text: str) -> Decimal:
    return Decimal(text)


# ---------------------------------------------------------------- the defaults are rules.md


def test_default_policy_holds_rules_md_numbers() -> None:
    p = default_policy()
    assert p.score.maximum == 120
    assert (p.score.supervisor_weight, p.score.self_weight) == (_dec("0.75"), _dec("0.25"))
    assert [(b.threshold, b.amount) for b in p.perf_coeff.brackets] == [
        (0, _dec("0.5")),
        (65, _dec("1.0")),
        (80, _dec("1.2")),
        (95, _dec("1.5")),
    ]
    assert p.perf_coeff.inclusive == "lower"
    assert p.perf_bonus.pot_rate == _dec("0.20")
    assert [(b.threshold, b.amount) for b in p.perf_bonus.ratio.brackets] == [
        (0, 0),
        (60, _dec("0.4")),
        (70, _dec("0.6")),
        (80, 1),  # second version: "绩效80分以上=满额"
    ]
    assert [(b.threshold, b.amount) for b in p.perf_bonus.five_step_ratio.brackets] == [
        (0, 0),
        (60, _dec("0.4")),
        (70, _dec("0.6")),
        (80, _dec("0.8")),
        (90, 1),
    ]
    assert p.score.maximum_for("cs_003") == p.score.maximum_for("store_manager") == 120
    assert {p.score.maximum_for(plan) for plan in PLAN_CODES} - {Decimal(120)} == {100}
    assert p.plans.cs_2017.commission_schedule == "cs_2017"
    assert p.plans.store_manager.team_share_mode == "entered"
    assert p.plans.warehouse.cancel_absence_days == 1
    assert p.team.pool_plans == ["ecom_cs"] and p.team.share_plans == ["ecom_other"]
    assert (p.attendance.bonus_rate, p.attendance.cancel_at_count) == (_dec("0.10"), 3)
    assert (p.strict_attendance.max_late_times, p.strict_attendance.max_late_minutes) == (1, 10)
    ops = p.commission["ops_progressive"]
    assert ops.minimum == 10000
    assert [(b.threshold, b.rate) for b in ops.brackets] == [
        (0, _dec("0.01")),
        (20000, _dec("0.02")),
        (30000, _dec("0.03")),
        (50000, _dec("0.05")),
        (80000, _dec("0.07")),
        (120000, _dec("0.10")),
    ]
    assert p.commission["cs_flat"].flat_rate == _dec("0.02")
    assert p.commission["public_pool"].flat_rate == _dec("0.01")
    assert p.team.pool_rate.inclusive == "upper"
    assert [(b.threshold, b.amount) for b in p.team.pool_rate.brackets] == [
        (0, 0),
        (_dec("0.6"), _dec("0.01")),
        (_dec("0.8"), _dec("0.015")),
        (1, _dec("0.02")),
        (_dec("1.5"), _dec("0.025")),
    ]
    assert p.team.level_share == {"assistant": 1, "deputy": _dec("0.9"), "staff": _dec("0.8")}
    assert [b.amount for b in p.team.group_bonus.brackets] == [300, 400, 500]
    assert p.team.grade_bonus == {"fail": 0, "pass": 300, "good": 400, "excellent": 500}
    assert (p.review.neutral, p.review.negative) == (10, 20)
    a = p.allowances
    assert (a.lunch_per_day, a.night_shift, a.late_night_shift) == (18, 5, 10)
    assert (a.overtime_per_day, a.overtime_hours_per_day, a.overtime_minimum_hours) == (80, 8, 4)
    assert a.holiday_per_day == 120
    assert p.fines.complaint_fines == [50, 100]
    assert p.fines.complaint_dismissal_at == 3
    assert (p.fines.chat_per_time, p.fines.leak_per_time) == (20, 100)
    assert [(b.threshold, b.amount) for b in p.year_end.base_by_tenure.brackets] == [
        (0, 0),
        (6, 4000),
        (12, 10000),
    ]
    assert p.streak_reward.months == 3 and p.streak_reward.amount == 200
    plans = p.plans
    assert (plans.cs_003.base_amount, plans.store_manager.base_amount) == (500, 1800)
    assert plans.ops_specialist.seniority_per_year == 50
    assert plans.ops_specialist.perf_pot_rate == _dec("0.20")
    assert plans.warehouse.seniority_per_year == 200
    assert (plans.warehouse.base_trial, plans.warehouse.base_regular) == (5300, 5500)
    assert plans.warehouse.appraisal_base == 2000
    assert [r.name for r in p.ranks.ladder] == ["trial", "iron", "bronze", "silver", "gold"]
    iron = p.ranks.ladder[1]
    assert (iron.min_tenure_months, iron.min_score, iron.needs_approval) == (2, 80, True)
    assert {w.code: w.months for w in p.warnings} == {
        "cs003_two_below_65": 2,
        "doc000_three_below_60": 3,
        "cs2017_three_fails": 3,
    }


def test_scorecards_follow_rules_md_section_c() -> None:
    cards = default_policy().scorecards
    design = {i.code: i.points for i in cards["design"].items}
    assert list(design.values()) == [10, 40, 20, 10, 10, 10]
    cs = cards["customer_service"]
    assert sum(i.points for i in cs.items) == 100
    assert next(i for i in cs.items if i.code == "attendance").points == 10
    warehouse = cards["warehouse"]
    sales = next(i for i in warehouse.items if i.code == "sales_target")
    assert (sales.points, sales.maximum) == (30, 40)
    assert sum(i.points for i in cards["logistics_kpi"].items) == 100


def test_codes_tables() -> None:
    assert len(PLAN_CODES) == 11
    assert LEVELS == ("assistant", "deputy", "staff")
    assert GRADES == ("fail", "pass", "good", "excellent")


def test_policy_is_immutable_and_shared() -> None:
    p = default_policy()
    assert p is default_policy()
    with pytest.raises(ValidationError):
        p.review.neutral = Decimal(11)  # type: ignore[misc]


# ---------------------------------------------------------------- dated changes


def _with_changes(changes: list[dict[str, Any]]) -> Policy:
    data = default_policy().model_dump(mode="python")
    data["changes"] = changes
    return validate_policy(data)


def test_at_without_changes_is_the_same_policy() -> None:
    p = default_policy()
    assert p.at("2026-10") is p


def test_at_applies_changes_up_to_the_month_only() -> None:
    p = _with_changes(
        [
            {"effective_from": "2026-11", "path": "review.neutral", "value": Decimal(12)},
            {"effective_from": "2027-01", "path": "review.neutral", "value": Decimal(15)},
        ]
    )
    assert p.at("2026-10").review.neutral == 10
    assert p.at("2026-11").review.neutral == 12
    assert p.at("2026-12").review.neutral == 12
    assert p.at("2027-01").review.neutral == 15
    assert p.at("2027-01").changes == []
    assert p.review.neutral == 10  # the policy itself is unchanged


def test_changes_apply_in_month_order_whatever_their_listing() -> None:
    p = _with_changes(
        [
            {"effective_from": "2027-01", "path": "review.neutral", "value": Decimal(15)},
            {"effective_from": "2026-11", "path": "review.neutral", "value": Decimal(12)},
        ]
    )
    assert p.at("2027-06").review.neutral == 15


def test_rate_changed_from_next_month_leaves_past_months_as_before() -> None:
    """cs_003 commission 2% → 3% from 2026-11: October pays as it did, November at 3%."""
    p = _with_changes(
        [
            {
                "effective_from": "2026-11",
                "path": "commission.cs_flat.brackets[0].rate",
                "value": Decimal("0.03"),
            }
        ]
    )
    emp = Employee("C1", "李娜", "cs_003", date(2025, 1, 1))
    inp = MonthInput("C1", score=Decimal(85), sales=Decimal(38000))

    def pay(month: str, policy: Policy) -> Decimal:
        result = compute_month(Month(month, [emp], {"C1": inp}), policy).results[0]
        line = result.line("commission")
        assert line is not None
        return line.amount

    assert pay("2026-10", p) == pay("2026-10", default_policy()) == Decimal("760.00")
    assert pay("2026-11", p) == Decimal("1140.00")  # 3% × 38,000
    assert compute_month(Month("2026-10", [emp], {"C1": inp}), p).policy.changes == []


# ---------------------------------------------------------------- broken policies


def _load_fixture(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text("utf-8"), parse_float=Decimal)


def _broken_as_data(fixture: dict[str, Any]) -> None:
    pairs = dict(flatten(default_policy().model_dump(mode="python", exclude={"changes"})))
    pairs.update(fixture.get("set", {}))
    data = unflatten(list(pairs.items()))
    data["changes"] = fixture.get("change", [])
    policy = validate_policy(data, source="fixture")
    for change in policy.changes:
        policy.at(change.effective_from)


def _broken_as_rows(fixture: dict[str, Any]) -> None:
    rows = policy_to_rows(default_policy())
    overrides = dict(fixture.get("set", {}))
    rows = [PolicyRow(r.path, overrides.pop(r.path, r.value)) for r in rows]
    rows += [PolicyRow(path, value) for path, value in overrides.items()]  # new keys
    rows += [
        PolicyRow(c["path"], c["value"], c["effective_from"]) for c in fixture.get("change", [])
    ]
    policy_from_rows(rows)


def test_there_is_a_fixture_per_validation_error() -> None:
    names = {p.stem for p in FIXTURES}
    assert {
        "unsorted_bands",
        "duplicate_threshold",
        "gap_below_first_band",
        "weights_not_100",
        "scorecard_points_not_total",
        "rate_above_100",
        "rate_below_0",
        "negative_amount",
        "unknown_key",
        "unknown_schedule",
        "bad_effective_from",
        "decreasing_band_amount",
        "bad_dated_value",
    } <= names


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("route", [_broken_as_data, _broken_as_rows], ids=["data", "rows"])
@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_broken_policy_names_the_key_path(path: Path, route: Any, lang: str) -> None:
    fixture = _load_fixture(path)
    try:
        messages.set_lang(lang)
        with pytest.raises(PolicyError) as info:
            route(fixture)
    finally:
        messages.set_lang("zh")
    message = str(info.value)  # raised in the run's language, the other one kept too
    expected = fixture["expect_message"] if lang == "zh" else fixture["expect_message_en"]
    assert f"{fixture['expect_path']}{'：' if lang == 'zh' else ':'}" in message
    assert expected in message
    assert info.value.text(lang) == message
    assert fixture["expect_message"] in info.value.text("zh")
    assert fixture["expect_message_en"] in info.value.text("en")
    assert info.value.path == fixture["expect_path"]


def test_every_error_is_reported_not_just_the_first() -> None:
    data = default_policy().model_dump(mode="python")
    data["review"]["negative"] = Decimal(-20)
    data["attendance"]["bonus_rate"] = Decimal("1.5")
    with pytest.raises(PolicyError) as info:
        validate_policy(data)
    assert "review.negative" in str(info.value)
    assert "attendance.bonus_rate" in str(info.value)
    assert info.value.path in {"review.negative", "attendance.bonus_rate"}


@pytest.mark.parametrize(
    ("section", "key", "value", "zh", "en"),
    [
        (
            "warnings",
            0,
            {"below_score": None},
            "below_score 和 grade 必须填写且只填写其中一个",
            "give exactly one of below_score and grade",
        ),
        ("warnings", 2, {"grade": "awful"}, "没有“awful”这个等级", "unknown grade 'awful'"),
        (
            "grades",
            None,
            {"good_from": Decimal(95)},
            "分数线必须逐级升高",
            "the grade lines must rise",
        ),
        (
            "team",
            None,
            {"level_share": {"boss": Decimal(1)}},
            "没有“boss”这个级别：请用 assistant、deputy、staff 之一",
            "unknown level 'boss'; use one of assistant, deputy, staff",
        ),
        (
            "streak_reward",
            None,
            {"plans": ["cashier"]},
            "含有未知的岗位方案“cashier”",
            "unknown plan 'cashier'",
        ),
    ],
)
def test_other_validation_messages(
    section: str, key: int | None, value: dict[str, Any], zh: str, en: str
) -> None:
    data = default_policy().model_dump(mode="python")
    target = data[section] if key is None else data[section][key]
    target.update(value)
    with pytest.raises(PolicyError) as info:
        validate_policy(data)
    assert zh in str(info.value) and zh in info.value.text("zh")
    assert en in info.value.text("en")


def test_missing_section_is_reported() -> None:
    data = default_policy().model_dump(mode="python")
    del data["review"]
    with pytest.raises(PolicyError) as info:
        validate_policy(data)
    assert info.value.text("zh") == "参数中 review：缺少这一项（必填）"
    assert info.value.text("en") == "policy: review: Field required"


def test_reference_tables_reach_no_plan_and_say_why() -> None:
    """Issue #12 point 12: the 物流部KPI card scores no plan and its note says why (rules.md §C);
    the engine grades with the one grade function of rules.py (point 14)."""
    import inspect

    from xlkpi import engine, rules

    p = default_policy()
    card = p.scorecards["logistics_kpi"]
    assert card.plans == [] and "参考表" in card.note and "§B" in card.note
    assert engine.grade_of is rules.grade_of
    assert "def grade" not in inspect.getsource(engine)
