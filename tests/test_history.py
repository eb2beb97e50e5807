"""Rules across months (A11): dismissal warnings, the streak reward, the rank ladder, streaks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xlkpi import Employee, HistoryRecord, Month, MonthInput, compute_month
from xlkpi.history import (
    index_history,
    next_month,
    previous_month,
    rank_due,
    streak_reward_due,
    warnings_for,
)
from xlkpi.policy_io import default_policy

P = default_policy()


def d(text: str | int) -> Decimal:
    return Decimal(text)


def rec(month: str, score: int | str, grade: str = "", emp: str = "E1") -> HistoryRecord:
    return HistoryRecord(month, emp, d(score), grade, d(1), d(0), "")


def past(*records: HistoryRecord) -> dict[str, HistoryRecord]:
    return index_history(list(records)).get("E1", {})


def worker(plan: str, rank: str = "gold", hired: date = date(2020, 1, 1)) -> Employee:
    return Employee("E1", "王伟", plan, hired, base_pay=d(3000), post_pay=d(2800), rank=rank)


def codes(alerts: list) -> list[str]:  # type: ignore[type-arg]
    return [a.code for a in alerts]


def test_month_arithmetic_wraps_years() -> None:
    assert previous_month("2026-01") == "2025-12"
    assert previous_month("2026-10") == "2026-09"
    assert next_month("2025-12") == "2026-01"
    assert next_month("2026-09") == "2026-10"


def test_index_history_later_record_wins() -> None:
    index = index_history([rec("2026-09", 50), rec("2026-09", 70), rec("2026-09", 80, emp="E2")])
    assert index["E1"]["2026-09"].score == 70
    assert index["E2"]["2026-09"].score == 80


# ---------------------------------------------------------------- warnings


@pytest.mark.parametrize(
    ("history", "score", "warned"),
    [
        ([("2026-09", "64.99")], "64.99", True),  # two months in a row below 65
        ([("2026-09", "65")], "64.99", False),
        ([("2026-09", "50")], "65", False),
        ([], "10", False),  # one month is not two
        ([("2026-08", "50")], "50", False),  # 2026-09 missing: the run is broken
    ],
)
def test_cs_003_two_months_below_65(
    history: list[tuple[str, str]], score: str, warned: bool
) -> None:
    alerts = warnings_for(
        worker("cs_003"), "2026-10", d(score), "", 0, past(*(rec(m, s) for m, s in history)), P
    )
    assert ("cs003_two_below_65" in codes(alerts)) is warned


@pytest.mark.parametrize(
    ("plan", "history", "score", "warned"),
    [
        ("designer", ["59.99", "59"], "0", True),
        ("promotion", ["50", "50"], "59.99", True),
        ("cs_000", ["50", "50"], "59.99", True),
        ("cs_000", ["50", "60"], "50", False),
        ("cs_000", ["50"], "50", False),
        ("cs_003", ["50", "50"], "50", False),  # another plan's rule
        ("warehouse", ["50", "50"], "50", False),
    ],
)
def test_doc_000_three_months_below_60(
    plan: str, history: list[str], score: str, warned: bool
) -> None:
    months = ["2026-08", "2026-09"][-len(history) :] if history else []
    records = [rec(m, s) for m, s in zip(months, history, strict=True)]
    alerts = warnings_for(worker(plan), "2026-10", d(score), "", 0, past(*records), P)
    assert ("doc000_three_below_60" in codes(alerts)) is warned


def test_cs_2017_three_fails_in_a_row() -> None:
    fails = past(rec("2026-08", 50, "fail"), rec("2026-09", 55, "fail"))
    alerts = warnings_for(worker("cs_2017"), "2026-10", d(58), "fail", 0, fails, P)
    assert codes(alerts) == ["cs2017_three_fails"]
    assert "连续3个月" in alerts[0].message
    assert alerts[0].kind == "warning"
    assert warnings_for(worker("cs_2017"), "2026-10", d(60), "pass", 0, fails, P) == []
    gap = past(rec("2026-07", 50, "fail"), rec("2026-09", 55, "fail"))
    assert warnings_for(worker("cs_2017"), "2026-10", d(58), "fail", 0, gap, P) == []


def test_runs_cross_the_new_year() -> None:
    history = past(rec("2025-11", 50), rec("2025-12", 50))
    alerts = warnings_for(worker("designer"), "2026-01", d(50), "", 0, history, P)
    assert codes(alerts) == ["doc000_three_below_60"]


def test_a_blank_score_in_history_breaks_a_run() -> None:
    blank = HistoryRecord("2026-09", "E1", None, "", d(1), d(0), "")
    history = past(rec("2026-08", 50), blank)
    assert warnings_for(worker("designer"), "2026-10", d(50), "", 0, history, P) == []


@pytest.mark.parametrize(
    ("plan", "complaints", "dismissal"),
    [
        ("cs_003", 2, False),
        ("cs_003", 3, True),
        ("cs_000", 4, True),
        ("cs_2017", 3, True),
        ("designer", 3, False),
    ],
)
def test_third_complaint_means_dismissal(plan: str, complaints: int, dismissal: bool) -> None:
    alerts = warnings_for(worker(plan), "2026-10", d(90), "excellent", complaints, {}, P)
    assert ("complaints" in codes(alerts)) is dismissal
    if dismissal:
        assert alerts[-1].kind == "dismissal"


# ---------------------------------------------------------------- streak reward


@pytest.mark.parametrize(
    ("run_before", "grade", "due"),
    [
        (2, "excellent", True),  # third month in a row → 200
        (1, "excellent", False),
        (3, "excellent", False),  # fourth month: paid once, not again
        (4, "excellent", False),
        (5, "excellent", True),  # a second full run of three (months 4–6)
        (2, "good", False),
    ],
)
def test_streak_reward_once_per_three_months(run_before: int, grade: str, due: bool) -> None:
    months, m = [], "2026-10"
    for _ in range(run_before):
        m = previous_month(m)
        months.append(m)
    history = past(*(rec(month, 95, "excellent") for month in months))
    assert streak_reward_due(worker("cs_2017"), "2026-10", grade, history, P) is due


def test_streak_reward_only_for_its_plans_and_broken_by_a_gap() -> None:
    history = past(rec("2026-08", 95, "excellent"), rec("2026-09", 95, "excellent"))
    assert not streak_reward_due(worker("cs_003"), "2026-10", "excellent", history, P)
    gap = past(rec("2026-07", 95, "excellent"), rec("2026-08", 95, "excellent"))
    assert not streak_reward_due(worker("cs_2017"), "2026-10", "excellent", gap, P)


def test_streak_reward_is_a_pay_line_of_cs_2017_in_the_month() -> None:
    emp = worker("cs_2017", hired=date(2026, 1, 1))
    history = [rec("2026-08", 95, "excellent"), rec("2026-09", 92, "excellent")]
    month = Month("2026-10", [emp], {"E1": MonthInput("E1", score=d(90))}, history=history)
    result = compute_month(month).results[0]
    assert result.line("streak_reward").amount == d("200.00")  # type: ignore[union-attr]
    assert result.total == d("3000.00")  # 2,800 + 200 (no sales, no public sales, 0 years)
    assert codes(result.alerts) == ["streak_reward"]
    month4 = Month(
        "2026-11",
        [emp],
        {"E1": MonthInput("E1", score=d(90))},
        history=[*history, rec("2026-10", 90, "excellent")],
    )
    again = compute_month(month4).results[0]
    assert again.line("streak_reward").amount == d("0.00")  # type: ignore[union-attr]
    assert again.total == d("2800.00")


# ---------------------------------------------------------------- rank ladder


@pytest.mark.parametrize(
    ("rank", "months", "score", "clean", "due"),
    [
        ("trial", 2, "80", True, "rank_iron"),  # iron: ≥ 2 months, ≥ 80, clean, approval
        ("trial", 1, "100", True, None),
        ("trial", 2, "79.99", True, None),
        ("trial", 2, "80", False, None),  # a bad record
        ("iron", 6, "85", True, "rank_bronze"),
        ("iron", 5, "85", True, None),
        ("bronze", 12, "90", True, "rank_silver"),
        ("silver", 24, "95", True, "rank_gold"),
        ("silver", 24, "94.99", True, None),
        ("gold", 100, "120", True, None),  # top of the ladder
        ("unknown", 2, "80", True, "rank_iron"),  # treated as trial
    ],
)
def test_rank_ladder(rank: str, months: int, score: str, clean: bool, due: str | None) -> None:
    alert = rank_due(worker("cs_003", rank=rank), months, d(score), clean, P)
    assert (alert.code if alert else None) == due
    if alert:
        assert alert.kind == "promotion"
        assert "需主管批准" in alert.message
        assert ("示例标准" in alert.message) is (due != "rank_iron")


def test_rank_ladder_only_for_customer_service() -> None:
    assert rank_due(worker("designer", rank="trial"), 12, d(100), True, P) is None
    assert rank_due(worker("cs_000", rank="trial"), 12, None, True, P) is None


def test_rank_due_in_the_month_needs_a_clean_record() -> None:
    emp = worker("cs_003", rank="trial", hired=date(2026, 8, 1))  # 3 months by October
    ok = compute_month(Month("2026-10", [emp], {"E1": MonthInput("E1", score=d(80))}))
    assert codes(ok.alerts) == ["rank_iron"]
    fined = MonthInput("E1", score=d(80), penalties=d(10))
    assert compute_month(Month("2026-10", [emp], {"E1": fined})).alerts == []
