"""Formula pieces of the native build: each rule of rules.md as plain spreadsheet formula text.

These are the formula twins that ``tests/support/formula_twins.py`` proved against the engine
(LibreOffice recalculating, compared to the fen), promoted to the product. A piece is formula
text with ``{placeholders}`` for the cells of one row (``{base_pay}``, ``{score}``, ``{net}``,
…); policy values are never literals: they come from a :class:`Refs`, which names the 参数
sheet's defined ranges (:class:`PolicyRefs`) — or, for the test twins, their own Policy sheet.

Conventions that make binary floats agree with the engine's decimals (each measured by the
twins): every pay line is ``ROUND(…, 2)`` once; a quotient that meets a band boundary is
``ROUND(…, 12)`` first; the marginal commission is a SUMPRODUCT of rate increases; a pool
split in fen works on whole fen (``QUOTIENT`` / ``MOD``).
"""

from __future__ import annotations

import re
from typing import Protocol

from workbook_templates.policy_sheet import name_of
from xlkpi import layout
from xlkpi.money import FEN
from xlkpi.policy import Policy
from xlkpi.policy_io import policy_to_rows
from xlkpi.scales import AmountScale

PLACES = -FEN.as_tuple().exponent  # type: ignore[operator]  # money to the fen: 2
RATIO_PLACES = 12  # a ratio meeting a band boundary is rounded to 12 places first
SCORE_PLACES = 9  # a computed score (weighted, scorecard) as the twins compare it
_SETTING = re.compile(r"^(?P<scale>.+)\.(kind|inclusive|minimum)$")


def money(expr: str) -> str:
    """``expr`` rounded half-up to the fen (spreadsheet ROUND rounds half away from zero)."""
    return f"ROUND({expr},{PLACES})"


class Refs(Protocol):
    """Where a formula finds the policy: a scalar, a scale's bands, a keyed table, a list."""

    def value(self, path: str) -> str:
        """A single policy value (``attendance.bonus_rate``)."""
        ...

    def band(self, path: str, scale: AmountScale, x: str) -> str:
        """The amount of the band of scale ``path`` that ``x`` falls in."""
        ...

    def schedule(self, policy: Policy, name: str, x: str) -> str:
        """Commission schedule ``name`` on ``x``, unrounded."""
        ...

    def keyed(self, path: str, key: str) -> str:
        """The value of a keyed table (``team.level_share``) at the key (a cell's label)."""
        ...

    def first_of_list(self, path: str, count: str) -> str:
        """The sum of the first ``count`` numbers of a list (``fines.complaint_fines``)."""
        ...


def setting_rows(policy: Policy, path: str) -> int:
    """How many setting rows (kind / inclusive / minimum) a scale's block starts with on 参数."""
    return sum(
        1
        for row in policy_to_rows(policy)
        if not row.effective_from and (m := _SETTING.match(row.path)) and m["scale"] == path
    )


class PolicyRefs:
    """The 参数 sheet's defined names (``workbook_templates.policy_sheet``).

    A scale ``P_<path>`` covers C:D from its setting rows to the last band: the bands are
    ``INDEX(P,s+1,c):INDEX(P,ROWS(P),c)`` (``s`` setting rows; a band row HR inserts inside the
    block is included). A keyed table covers B:C (label, value); a list covers C.
    """

    def __init__(self, policy: Policy) -> None:
        self._settings: dict[str, int] = {}
        self._policy = policy

    def _column(self, path: str, col: int) -> str:
        if path not in self._settings:
            self._settings[path] = setting_rows(self._policy, path)
        name = name_of(path)
        s = self._settings[path]
        return f"INDEX({name},{s + 1},{col}):INDEX({name},ROWS({name}),{col})"

    def value(self, path: str) -> str:
        return name_of(path)

    def band(self, path: str, scale: AmountScale, x: str) -> str:
        thresholds, amounts = self._column(path, 1), self._column(path, 2)
        if scale.inclusive == "lower":  # [a, b): the last threshold ≤ x
            return f"LOOKUP({x},{thresholds},{amounts})"
        # (a, b]: the count of thresholds strictly below x (at least the first band)
        return f"INDEX({amounts},MAX(1,SUMPRODUCT(--({thresholds}<{x}))))"

    def schedule(self, policy: Policy, name: str, x: str) -> str:
        path = f"commission.{name}"
        scale = policy.commission[name]
        rates = self._column(path, 2)
        if scale.is_flat:
            return f"MAX({x},0)*{rates}"
        thresholds = self._column(path, 1)
        n = name_of(path)
        s = self._settings[path]
        # the rate increase at each threshold: rate − the rate above it (0 above the first)
        previous = f"INDEX({n},{s},2):INDEX({n},ROWS({n})-1,2)"
        minimum = self.value(f"{path}.minimum")
        return (
            f"IF(OR({x}<=0,{x}<{minimum}),0,SUMPRODUCT(({x}>{thresholds})*({x}-{thresholds})"
            f"*ROUND({rates}-{previous},{RATIO_PLACES})))"
        )

    def keyed(self, path: str, key: str) -> str:
        n = name_of(path)
        return f"INDEX({n},MATCH({key},INDEX({n},0,1),0),2)"

    def first_of_list(self, path: str, count: str) -> str:
        n = name_of(path)
        return f"IF({count}<=0,0,SUM(INDEX({n},1):INDEX({n},MIN({count},ROWS({n})))))"


# ---------------------------------------------------------------- building blocks


def month_start(month: str) -> str:
    """The first day of the month held as text ``YYYY-MM`` in ``month`` (a cell or name)."""
    return f"DATE(VALUE(LEFT({month},4)),VALUE(MID({month},6,2)),1)"


def months_of(hire: str, start: str) -> str:
    """Full months of service at the end of the month whose first day is ``start``."""
    end = f"EDATE({start},1)"
    return f'IF({hire}>={end},0,DATEDIF({hire},{end},"m"))'


def years_of(hire: str, start: str) -> str:
    """Full years of service at the end of the month whose first day is ``start``."""
    return f"INT({months_of(hire, start)}/12)"


def completion_of(sales: str, target: str) -> str:
    """sales ÷ target, rounded to 12 places so an exact boundary stays exact in binary floats."""
    return f"ROUND({sales}/{target},{RATIO_PLACES})"


def grade_of(refs: Refs, score: str) -> str:
    """The grade label (优秀 / 良好 / 及格 / 不及格) of a score; blank for no score."""
    g = layout.GRADE_LABELS
    return (
        f'IF({score}="","",IF({score}>={refs.value("grades.excellent_from")},"{g["excellent"]}",'
        f'IF({score}>={refs.value("grades.good_from")},"{g["good"]}",'
        f'IF({score}>={refs.value("grades.pass_from")},"{g["pass"]}","{g["fail"]}"))))'
    )


def choice(cell: str, values: dict[str, str]) -> str:
    """The value of a choice cell holding a code or its label (#N/A for anything else).

    ``values`` maps each code to its formula; the labels come from the layout's choices.
    """
    labels = dict(layout.WORK_GRADE_CHOICES)
    out = "NA()"
    for code, formula in reversed(list(values.items())):
        label = labels.get(code, code)
        out = f'IF(OR({cell}="{code}",{cell}="{label}"),{formula},{out})'
    return out


def is_yes(cell: str) -> str:
    """TRUE when a 是/否 cell (or a boolean) says yes."""
    return f'OR({cell}=TRUE,{cell}="{layout.BOOL_LABELS[True]}")'


# ---------------------------------------------------------------- the pay lines of each plan


def _tail() -> list[tuple[str, str]]:
    return [
        ("rewards", money("{rewards}")),
        ("penalties", "-" + money("{penalties}")),
        ("losses", "-" + money("{losses}")),
    ]


def _cs_fines(refs: Refs) -> list[tuple[str, str]]:
    chat, leak = refs.value("fines.chat_per_time"), refs.value("fines.leak_per_time")
    fines = "{complaints}"
    return [
        ("complaint_fine", "-" + money(refs.first_of_list("fines.complaint_fines", fines))),
        ("conduct_fine", "-" + money(f"{{chat_violations}}*{chat}+{{contact_leaks}}*{leak}")),
    ]


def _allowances(plan: str, policy: Policy, refs: Refs) -> list[tuple[str, str]]:
    a = "allowances."
    hours = "overtime_hours_per_day"
    v = refs.value
    lines = []
    if plan in policy.allowances.lunch_plans:
        lines.append(("lunch", money(f"{v(a + 'lunch_per_day')}*{{working_days}}")))
    if plan in policy.allowances.plans:
        lines += [
            ("night", money(f"{v(a + 'night_shift')}*{{night_shifts}}")),
            ("late_night", money(f"{v(a + 'late_night_shift')}*{{late_night_shifts}}")),
            (
                "overtime",
                f"IF({{overtime_hours}}<{v(a + 'overtime_minimum_hours')},0,"
                + money(f"{{overtime_hours}}*{v(a + 'overtime_per_day')}/{v(a + hours)}")
                + ")",
            ),
            ("holiday", money(f"{v(a + 'holiday_per_day')}*{{holiday_days}}")),
        ]
    return lines


def level_share(refs: Refs) -> str:
    """pool × level share ÷ members, multiplied before dividing, rounded once (0 without
    members)."""
    share = refs.keyed("team.level_share", "{level}")
    return f"IF({{team_members}}=0,0,{money(f'{{team_pool}}*{share}/{{team_members}}')})"


def task_coefficient(refs: Refs) -> str:
    """The store manager's task coefficient (the one its pay and its 绩效系数 cell use): the
    entered coefficient, or net sales ÷ target when blank; capped, never rounded."""
    cap = refs.value("plans.store_manager.task_coefficient_cap")
    return (
        f'IF({{task_coefficient}}="",MIN(MAX({{net}},0)/{{target}},{cap}),'
        f"MIN({{task_coefficient}},{cap}))"
    )


def line_formulas(plan: str, policy: Policy, refs: Refs) -> list[tuple[str, str]]:
    """The formula of each pay line of ``plan`` (rules.md §B), in the engine's line order.

    Placeholders: the roster fields (base_pay, post_pay, level, trial), the month inputs, and
    the row's helpers net (net sales), years and months (of service), team_share (the pool
    member's share), team_pool, team_members, group_completion, public_share and streak (1
    when the three-months-excellent reward is due).
    """
    p = policy
    v = refs.value
    ratio = refs.band("perf_bonus.ratio", p.perf_bonus.ratio, "{score}")
    doc000 = [
        ("base", money("{base_pay}")),
        (
            "attendance",
            f"IF(AND({{lates}}+{{early_leaves}}+{{leaves}}<{v('attendance.cancel_at_count')},"
            f"{{absences}}<{v('attendance.cancel_at_absence_days')}),"
            + money(f"{{base_pay}}*{v('attendance.bonus_rate')}")
            + ",0)",
        ),
        ("perf", money(f"{{base_pay}}*{ratio}*{v('perf_bonus.pot_rate')}")),
    ]

    def commission(name: str) -> tuple[str, str]:
        return ("commission", money(refs.schedule(p, name, "{net}")))

    sm = p.plans.store_manager
    smp = "plans.store_manager."
    store_team = (
        level_share(refs)
        if sm.team_share_mode == "level_share"
        else money("N({team_share_amount})")
    )
    work = {code: v(f"plans.ecom_cs.work_award.{code}") for code in p.plans.ecom_cs.work_award}
    ecom_cs = [("post", money("{post_pay}")), ("work_award", money(choice("{work_grade}", work)))]
    if not p.plans.ecom_cs.trial_operation:
        group = refs.band("team.group_bonus", p.team.group_bonus, "{group_completion}")
        ecom_cs += [("group_bonus", money(group)), ("team", "{team_share}")]
    ls = "plans.logistics_sales."
    linked = f"IF({{months}}<{v(ls + 'new_staff_months')},{v(ls + 'new_staff_factor')},"
    strict = "strict_attendance."
    wh = "plans.warehouse."
    coeff = refs.band("perf_coeff", p.perf_coeff, "{score}")
    cs17 = "plans.cs_2017."
    main: dict[str, list[tuple[str, str]]] = {
        "designer": [*doc000, ("special_awards", money("{special_awards}"))],
        "promotion": [*doc000, commission(p.plans.promotion.commission_schedule)],
        "cs_000": [*doc000, commission(p.plans.cs_000.commission_schedule)],
        "cs_003": [
            ("base", money(f"{v('plans.cs_003.base_amount')}*{coeff}")),
            commission(p.plans.cs_003.commission_schedule),
            ("review_neutral", money(f"{v('review.neutral')}*{{neutral_fixed}}")),
            ("review_negative", money(f"{v('review.negative')}*{{negative_fixed}}")),
        ],
        "store_manager": [
            (
                "base",
                money(f"{v(smp + 'base_amount')}*{task_coefficient(refs)}"),
            ),
            ("team", store_team),
        ],
        "ops_specialist": [
            ("base", money("{base_pay}")),
            ("post", money("{post_pay}")),
            ("seniority", money(f"{v('plans.ops_specialist.seniority_per_year')}*{{years}}")),
            (
                "attendance",
                f"IF(AND({{lates}}+{{early_leaves}}<={v(strict + 'max_late_times')},"
                f"{{late_minutes}}<{v(strict + 'max_late_minutes')},{{absences}}=0,"
                "{personal_leave_days}=0,{sick_leave_days}=0),"
                + money(v(strict + "amount"))
                + ",0)",
            ),
            (
                "perf",
                money(f"{{base_pay}}*{{score}}/100*{v('plans.ops_specialist.perf_pot_rate')}"),
            ),
            commission(p.plans.ops_specialist.commission_schedule),
        ],
        "warehouse": [
            ("base", f"IF({is_yes('{trial}')},{v(wh + 'base_trial')},{v(wh + 'base_regular')})"),
            (
                "appraisal",
                f"IF(OR({{personal_leave_days}}>{v(wh + 'cancel_personal_leave_days')},"
                f"{{sick_leave_days}}>{v(wh + 'cancel_sick_leave_days')},"
                f"{{absences}}>={v(wh + 'cancel_absence_days')}),0,"
                + money(f"{v(wh + 'appraisal_base')}*{{score}}/100")
                + ")",
            ),
            ("seniority", money(f"{v(wh + 'seniority_per_year')}*{{years}}")),
        ],
        "cs_2017": [
            ("post", money("{post_pay}")),
            (
                "commission",
                f"IF({{absent_months}}>{v(cs17 + 'max_absent_months')},0,"
                + money(refs.schedule(p, p.plans.cs_2017.commission_schedule, "{net}"))
                + ")",
            ),
            ("public_pool", "{public_share}"),
            ("seniority", money(f"{v(cs17 + 'seniority_per_year')}*{{years}}")),
            ("streak_reward", f"IF({{streak}}=1,{money(v('streak_reward.amount'))},0)"),
        ],
        "ecom_cs": ecom_cs,
        "ecom_other": [
            ("post", money("{post_pay}")),
            ("team", level_share(refs)),
            ("grade_bonus", money(refs.keyed("team.grade_bonus", "{grade_rating}"))),
        ],
        "logistics_sales": [
            ("base", money(f"{{base_pay}}*{v(ls + 'fixed_rate')}")),
            (
                "results",
                money(
                    f"{{base_pay}}*{linked}MIN(MAX({{net}},0)/{{target}},"
                    f"{v(ls + 'completion_cap')}))*{v(ls + 'results_rate')}"
                ),
            ),
            (
                "behaviour",
                money(f"{{base_pay}}*{linked}{{behaviour_score}})*{v(ls + 'behaviour_rate')}"),
            ),
        ],
    }
    fines = _cs_fines(refs) if plan in p.fines.plans else []
    return [*main[plan], *_allowances(plan, p, refs), *fines, *_tail()]


__all__ = [
    "PLACES",
    "PolicyRefs",
    "Refs",
    "choice",
    "completion_of",
    "grade_of",
    "is_yes",
    "level_share",
    "line_formulas",
    "money",
    "month_start",
    "months_of",
    "setting_rows",
    "years_of",
]
