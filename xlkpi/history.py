"""Rules across months: dismissal warnings, the rank ladder and the streak reward (A11).

Each rule looks at the employee's closed months (the History sheet) plus the month being
computed, and yields :class:`Alert` records for the Alerts sheet. A month missing from the
history breaks a streak: "in a row" means calendar months one after another.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xlkpi.inputs import Employee, HistoryRecord
from xlkpi.messages import t
from xlkpi.money import format_number
from xlkpi.policy import Policy


@dataclass(frozen=True, slots=True)
class Alert:
    """Something a manager must act on: a warning, a promotion due or a reward due."""

    employee_id: str
    name: str
    kind: str  # "warning" | "promotion" | "reward" | "dismissal"
    code: str
    message: str


def previous_month(month: str) -> str:
    """The month before ``month``: ``2026-01`` → ``2025-12``."""
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def next_month(month: str) -> str:
    """The month after ``month``: ``2025-12`` → ``2026-01``."""
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + 1}-01" if mon == 12 else f"{year}-{mon + 1:02d}"


def index_history(records: list[HistoryRecord]) -> dict[str, dict[str, HistoryRecord]]:
    """History grouped by employee id, then by month (a later record for a month wins)."""
    index: dict[str, dict[str, HistoryRecord]] = {}
    for record in records:
        index.setdefault(record.employee_id, {})[record.month] = record
    return index


def _run(past: dict[str, HistoryRecord], month: str, current: bool, test: object) -> int:
    """Length of the run of months ending with ``month`` for which the test holds."""
    if not current:
        return 0
    count = 1
    m = previous_month(month)
    while (record := past.get(m)) is not None and test(record):  # type: ignore[operator]
        count += 1
        m = previous_month(m)
    return count


def warnings_for(
    emp: Employee,
    month: str,
    score: Decimal | None,
    grade: str,
    complaints: int,
    past: dict[str, HistoryRecord],
    policy: Policy,
) -> list[Alert]:
    """Dismissal warnings due this month for one employee."""
    alerts: list[Alert] = []
    if score is not None:
        for rule in policy.warnings:
            if emp.plan not in rule.plans:
                continue
            if rule.below_score is not None:
                limit = rule.below_score
                run = _run(
                    past,
                    month,
                    score < limit,
                    lambda r, limit=limit: r.score is not None and r.score < limit,
                )
            else:
                wanted = rule.grade
                run = _run(past, month, grade == wanted, lambda r, wanted=wanted: r.grade == wanted)
            if run >= rule.months:
                alerts.append(
                    Alert(
                        emp.id,
                        emp.name,
                        "warning",
                        rule.code,
                        t("alert.warning_run", label=rule.label, run=run),
                    )
                )
    limit = policy.fines.complaint_dismissal_at
    if emp.plan in policy.fines.dismissal_plans and limit and complaints >= limit:
        alerts.append(
            Alert(
                emp.id,
                emp.name,
                "dismissal",
                "complaints",
                t("alert.complaints", count=complaints, limit=limit),
            )
        )
    return alerts


def streak_reward_due(
    emp: Employee, month: str, grade: str, past: dict[str, HistoryRecord], policy: Policy
) -> bool:
    """True when this month completes a run of N months graded excellent (N, 2N, …)."""
    rule = policy.streak_reward
    if emp.plan not in rule.plans:
        return False
    run = _run(past, month, grade == rule.grade, lambda r: r.grade == rule.grade)
    return run > 0 and run % rule.months == 0


def rank_due(
    emp: Employee, months: int, score: Decimal | None, clean_record: bool, policy: Policy
) -> Alert | None:
    """The next rung of the rank ladder, when the employee now qualifies for it.

    ``clean_record`` is the whole service's: no complaint, fine, penalty, loss or absence in
    this month nor in any month of the History (rules.md A11).
    """
    ranks = policy.ranks
    if emp.plan not in ranks.plans or score is None or not clean_record:
        return None
    names = [rung.name for rung in ranks.ladder]
    position = names.index(emp.rank) if emp.rank in names else 0
    if position + 1 >= len(ranks.ladder):
        return None
    rung = ranks.ladder[position + 1]
    if months < rung.min_tenure_months or score < rung.min_score:
        return None
    approval = t("alert.rank_approval") if rung.needs_approval else ""
    example = t("alert.rank_example") if rung.example else ""
    return Alert(
        emp.id,
        emp.name,
        "promotion",
        f"rank_{rung.name}",
        t(
            "alert.rank_due",
            rank=rung.label,
            example=example,
            months=months,
            score=format_number(score),
            approval=approval,
        ),
    )
