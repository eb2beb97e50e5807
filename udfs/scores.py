"""Score UDFs: coefficient, bonus ratio, grade, weighted score, scorecard total, rank."""

from __future__ import annotations

from decimal import Decimal

import xlwings as xw

from udfs import _policy_args as pa
from udfs._boundary import BlankInput, guarded, is_blank, need, vectorize
from xlkpi import messages, rules
from xlkpi.errors import OutOfRangeError
from xlkpi.history import rank_due
from xlkpi.inputs import Employee
from xlkpi.layout import GRADE_LABELS, PLAN_BY_LABEL
from xlkpi.money import ZERO
from xlkpi.policy import Policy
from xlkpi.policy_io import default_policy


def score_policy(tiers: object = None, max_score: object = None) -> Policy:
    """The default policy with the coefficient tiers and score maximum from the sheet."""
    d = default_policy()
    return pa.with_values(
        {
            "perf_coeff": pa.amount_scale(tiers, d.perf_coeff, "perf_coeff"),
            "score.maximum": pa.number(max_score, d.score.maximum, "score.maximum"),
        }
    )


@xw.func
@xw.arg("tiers", ndim=2)
@guarded
def PERF_COEFF(score: object, tiers: object = None, max_score: object = None) -> object:
    """绩效系数:按分数取系数 Performance coefficient by score (rules A1)."""
    p = score_policy(tiers, max_score)
    return vectorize(lambda s: rules.perf_coeff(need(s), p), score)


@xw.func
@xw.arg("bands", ndim=2)
@guarded
def BONUS_RATIO(score: object, bands: object = None, max_score: object = None) -> object:
    """绩效奖金发放比例 Share of the performance-bonus pot paid at a score (rules A2)."""
    d = default_policy()
    p = pa.with_values(
        {
            "perf_bonus.ratio": pa.amount_scale(bands, d.perf_bonus.ratio, "perf_bonus.ratio"),
            "score.maximum": pa.number(max_score, d.score.maximum, "score.maximum"),
        }
    )
    return vectorize(lambda s: rules.bonus_ratio(need(s), p), score)


def grade_policy(lines: object = None, max_score: object = None) -> Policy:
    """The default policy with the grade lines (pass, good, excellent) from the sheet."""
    d = default_policy()
    updates: dict[str, object] = {
        "score.maximum": pa.number(max_score, d.score.maximum, "score.maximum")
    }
    if not pa.absent(lines):
        values = pa.numbers(lines, [], "grades")
        if len(values) != 3:
            from xlkpi.errors import PolicyError

            raise PolicyError(messages.t("udf.grades"), "grades")
        updates["grades"] = d.grades.model_copy(
            update=dict(zip(("pass_from", "good_from", "excellent_from"), values, strict=True))
        )
    return pa.with_values(updates)


@xw.func
@xw.arg("lines", ndim=2)
@guarded
def GRADE(score: object, lines: object = None, max_score: object = None) -> object:
    """考核等级(不及格/及格/良好/优秀) Appraisal grade of a score."""
    p = grade_policy(lines, max_score)
    return vectorize(lambda s: GRADE_LABELS[rules.grade(need(s), p)], score)


@xw.func
@guarded
def WEIGHTED_SCORE(
    supervisor: object,
    self_score: object,
    supervisor_weight: object = None,
    self_weight: object = None,
) -> object:
    """绩效分数=主管75%+自评25% Score = 75% supervisor + 25% self-assessment (rules A8)."""
    d = default_policy()
    p = pa.with_values(
        {
            "score.supervisor_weight": pa.number(
                supervisor_weight, d.score.supervisor_weight, "score.supervisor_weight"
            ),
            "score.self_weight": pa.number(self_weight, d.score.self_weight, "score.self_weight"),
        }
    )
    return vectorize(lambda a, b: rules.weighted_score(need(a), need(b), p), supervisor, self_score)


@xw.func
@xw.arg("points", ndim=2)
@xw.arg("weights", ndim=2)
@xw.arg("extra", ndim=2)
@guarded
def SCORECARD_TOTAL(
    points: object,
    weights: object,
    extra: object = None,
    bonus: object = None,
    full_points: object = None,
    max_score: object = None,
) -> object:
    """考核表得分:各项封顶求和+加分,÷满分×100 Scorecard score (A8): points ÷ full × 100."""
    caps = pa.numbers(weights, [], "考核项分值")
    extras = pa.numbers(extra, [ZERO] * len(caps), "考核项超额分")
    if len(extras) != len(caps):
        extras = [ZERO] * len(caps)
    maxima = [c + e for c, e in zip(caps, extras, strict=True)]
    full = None if pa.absent(full_points) else pa.number(full_points, ZERO, "满分")
    top = pa.number(max_score, default_policy().score.maximum, "score.maximum")

    def total(row: object, plus: object) -> Decimal:
        cells = row if isinstance(row, list) else [row]
        if all(is_blank(c) for c in cells):
            raise BlankInput
        if len(cells) != len(maxima):
            raise OutOfRangeError(messages.t("udf.items", cells=len(cells), maxima=len(maxima)))
        given = [None if is_blank(c) else c for c in cells]
        base = rules.scorecard_total(given, maxima)
        total = base + (ZERO if is_blank(plus) else rules.amount_arg(plus, "加分"))
        if full is None:
            return total
        return rules.scorecard_score(total, full, top)

    return vectorize(total, points, bonus)


@xw.func
@guarded
def CS_ATTENDANCE_ITEM(lates: object, leaves: object, absences: object) -> object:
    """客服考勤项得分(10分,迟到-2,请假-1) Customer-service attendance item (rules A10)."""
    return vectorize(
        lambda a, b, c: rules.cs_attendance_item(need(a), need(b), need(c)), lates, leaves, absences
    )


@xw.func
@guarded
def CS_RANK(
    current_rank: object,
    months_of_service: object,
    score: object,
    clean_record: object = True,
    plan: object = None,
) -> object:
    """客服等级:应晋升的等级或当前等级 Customer-service rank due (next rung) or current (A11)."""
    policy = default_policy()
    ladder = policy.ranks.ladder
    by_label = {r.label: r.name for r in ladder}

    def rank(current: object, months: object, s: object, clean: object, plan_value: object) -> str:
        name = "trial" if is_blank(current) else str(current).strip()
        name = by_label.get(name, name)
        plan_code = policy.ranks.plans[0]
        if not is_blank(plan_value):
            plan_code = PLAN_BY_LABEL.get(str(plan_value).strip(), str(plan_value).strip())
        emp = Employee("", "", plan_code, hire_date=_epoch(), rank=name)
        ok = clean not in (False, 0, "否", "FALSE", "false")
        due = rank_due(
            emp,
            rules.count_arg(need(months), "服务月数"),
            rules.score_arg(need(s), policy),
            ok,
            policy,
        )
        if due is not None:
            return next(r.label for r in ladder if f"rank_{r.name}" == due.code)
        current_rung = next((r for r in ladder if r.name == name), None)
        return current_rung.label if current_rung else name

    return vectorize(rank, current_rank, months_of_service, score, clean_record, plan)


def _epoch():  # type: ignore[no-untyped-def]
    from datetime import date

    return date(2000, 1, 1)


@xw.func
@guarded
def LOGISTICS_SCORE(
    first: object, second: object, first_weight: object = None, second_weight: object = None
) -> object:
    """物流考核分=业绩60%+部门考核40%(或定量7:定性3) Logistics weighted score (A8, doc 001)."""
    w = default_policy().score
    a = pa.number(first_weight, w.logistics_sales_weight, "score.logistics_sales_weight")
    b = pa.number(second_weight, w.logistics_department_weight, "score.logistics_department_weight")
    if a + b != 1:
        raise OutOfRangeError(messages.t("udf.weights", total=a + b))
    p = default_policy()

    def score(x: object, y: object) -> Decimal:
        return a * rules.score_arg(need(x), p, "第一个分数") + b * rules.score_arg(
            need(y), p, "第二个分数"
        )

    return vectorize(score, first, second)


@xw.func
@guarded
def DISCIPLINE_POINTS(
    missed_meetings: object,
    lates: object,
    absences: object,
    dress_breaches: object = 0,
    hygiene_failures: object = 0,
) -> object:
    """纪律扣分(缺会-1,每3次迟到-1,旷工-1,着装-1,卫生-2) Discipline points lost (doc 004)."""
    return vectorize(
        lambda m, la, ab, dr, hy: rules.discipline_deduction(
            need(m), need(la), need(ab), 0 if is_blank(dr) else dr, 0 if is_blank(hy) else hy
        ),
        missed_meetings,
        lates,
        absences,
        dress_breaches,
        hygiene_failures,
    )
