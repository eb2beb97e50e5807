"""Pay lines and the one-line trace: the audit trail of a month's pay.

A :class:`PayLine` carries Odoo's (base, quantity, rate) triple, its code and labels, the
amount (already rounded to the fen) and the *term* a person checks by hand, e.g.
``2% × 38,000.00``. A total is the exact sum of the line amounts, and the trace reads
``500 × 1.2 + 2% × 38,000.00 + 3 × 10 + 1 × 20 = 1,410.00``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from xlkpi.money import ZERO, format_yuan

# code → (Chinese label, English label); the Payroll sheet's columns follow this order.
LINE_LABELS: dict[str, tuple[str, str]] = {
    "base": ("基本工资", "Base pay"),
    "post": ("岗位工资", "Post pay"),
    "seniority": ("工龄工资", "Seniority pay"),
    "attendance": ("全勤奖", "Full-attendance bonus"),
    "perf": ("绩效奖金", "Performance bonus"),
    "appraisal": ("月度考核奖", "Monthly appraisal bonus"),
    "results": ("业绩考核工资", "Results-linked pay"),
    "behaviour": ("行为考核工资", "Behaviour-linked pay"),
    "commission": ("提成", "Commission"),
    "team": ("团队提成", "Team commission"),
    "public_pool": ("公共提成", "Public pool share"),
    "work_award": ("工作表现奖", "Work-performance award"),
    "group_bonus": ("小组绩效奖金", "Group performance bonus"),
    "grade_bonus": ("绩效评级奖金", "Grade bonus"),
    "review_neutral": ("中评修改", "Neutral reviews changed"),
    "review_negative": ("差评修改", "Negative reviews changed"),
    "lunch": ("午餐补贴", "Lunch allowance"),
    "night": ("夜班补贴", "Night-shift allowance"),
    "late_night": ("深夜补贴", "Late-night allowance"),
    "overtime": ("加班费", "Overtime pay"),
    "holiday": ("节假日值班", "Holiday duty pay"),
    "special_awards": ("特殊奖励", "Special awards"),
    "streak_reward": ("连续优秀奖", "Three-months-excellent reward"),
    "rewards": ("奖励", "Rewards"),
    "complaint_fine": ("客诉罚款", "Complaint fines"),
    "conduct_fine": ("违纪罚款", "Conduct fines"),
    "penalties": ("处罚", "Penalties"),
    "losses": ("损失工资", "Losses deducted"),
}
LINE_CODES: tuple[str, ...] = tuple(LINE_LABELS)
# Lines outside the plans (the deductions of xlkpi.tax.net_pay register theirs here).
EXTRA_LABELS: dict[str, tuple[str, str]] = {}


class PayLine(NamedTuple):
    """One pay line: ``amount`` = base × quantity × rate, rounded half-up to the fen.

    Deductions have a negative amount. ``term`` is how the trace shows the line (blank
    on a line of 0, which the trace leaves out). A named tuple: immutable and cheap to
    build, since a month of 100,000 staff makes over a million of them.
    """

    code: str
    base: Decimal
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    term: str

    @property
    def label_zh(self) -> str:
        """Chinese label, as the documents name the line."""
        return (LINE_LABELS.get(self.code) or EXTRA_LABELS[self.code])[0]

    @property
    def label_en(self) -> str:
        """English label."""
        return (LINE_LABELS.get(self.code) or EXTRA_LABELS[self.code])[1]


def total_of(lines: list[PayLine]) -> Decimal:
    """The exact sum of the (already rounded) line amounts."""
    total = ZERO
    for line in lines:
        total += line.amount
    return total


def trace(lines: list[PayLine], total: Decimal) -> str:
    """One line a person can check by hand; lines of 0 are left out unless cancelled.

    Deductions appear as ``− term``; the result is ``= total`` with two decimals.
    """
    parts: list[str] = []
    for line in lines:
        if not line.amount:
            if line.term:  # a line a rule cancelled: say why
                parts.append(f"+ 0({line.term})" if parts else f"0({line.term})")
            continue
        if line.amount < ZERO:
            parts.append(f"− {line.term}")
        else:
            parts.append(f"+ {line.term}" if parts else line.term)
    body = " ".join(parts) if parts else "0"
    if body.startswith("− "):
        body = "−" + body[2:]
    return f"{body} = {format_yuan(total)}"
