"""Service UDFs: months and years of service, seniority pay, year-end bonus, streak reward."""

from __future__ import annotations

from decimal import Decimal

import xlwings as xw

from udfs import _policy_args as pa
from udfs._boundary import (
    column_of,
    guarded,
    is_blank,
    need,
    to_date,
    to_excel,
    to_month,
    vectorize,
)
from xlkpi import messages, rules
from xlkpi.errors import OutOfRangeError
from xlkpi.history import previous_month
from xlkpi.layout import GRADE_LABELS, PLAN_BY_LABEL
from xlkpi.money import ZERO, round_money
from xlkpi.policy_io import default_policy

_GRADE_BY_LABEL = {label: code for code, label in GRADE_LABELS.items()}


@xw.func
@guarded
def SERVICE_MONTHS(hire_date: object, month: object) -> object:
    """连续服务月数(到该月末) Full months of service at the end of the month."""
    return vectorize(
        lambda h, m: rules.months_of_service(to_date(need(h), "入职日期"), to_month(need(m))),
        hire_date,
        month,
    )


def _per_year(plan_or_rate: object) -> Decimal:
    plans = default_policy().plans
    if is_blank(plan_or_rate) if not isinstance(plan_or_rate, list) else pa.absent(plan_or_rate):
        return plans.warehouse.seniority_per_year
    if isinstance(plan_or_rate, str):
        name = plan_or_rate.strip()
        code = PLAN_BY_LABEL.get(name, name)
        plan = getattr(plans, code, None)
        rate = getattr(plan, "seniority_per_year", None)
        if rate is None:
            raise OutOfRangeError(messages.t("udf.no_seniority", plan=name))
        return rate
    return pa.number(plan_or_rate, ZERO, "每年工龄工资")


@xw.func
@guarded
def SENIORITY_PAY(hire_date: object, month: object, plan_or_rate: object = None) -> object:
    """工龄工资=每满一年×年额(仓库200/运营专员50) Seniority pay per full year of service (A9)."""
    per_year = _per_year(plan_or_rate)
    return vectorize(
        lambda h, m: rules.seniority_pay(to_date(need(h), "入职日期"), to_month(need(m)), per_year),
        hire_date,
        month,
    )


@xw.func
@xw.arg("coefficients", ndim=2)
@xw.arg("tenure_table", ndim=2)
@guarded
def YEAR_END_BONUS(
    months_of_service: object,
    coefficients: object,
    tenure_table: object = None,
    post_coefficient: object = None,
    trial: object = None,
) -> object:
    """年终奖=按服务月数基数×岗位系数×月绩效系数平均值(仅正式员工) Year-end bonus (A9)."""
    d = default_policy()
    p = pa.with_values(
        {
            "year_end.base_by_tenure": pa.amount_scale(
                tenure_table, d.year_end.base_by_tenure, "year_end.base_by_tenure"
            ),
            "year_end.post_coefficient": pa.number(
                post_coefficient, d.year_end.post_coefficient, "year_end.post_coefficient"
            ),
        }
    )
    values = (
        [c for row in coefficients for c in row]
        if isinstance(coefficients, list)
        else [coefficients]
    )
    cells = [need(c) for c in values if not is_blank(c)]
    on_trial = _yes(trial)
    return to_excel(rules.year_end_bonus(need(months_of_service), cells, p, trial=on_trial))


def _yes(value: object) -> bool:
    """是/否, TRUE/FALSE or 1/0 (blank = no)."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text in ("是", "TRUE", "True", "true", "1", "1.0"):
        return True
    if text in ("否", "FALSE", "False", "false", "0", "0.0"):
        return False
    raise OutOfRangeError(messages.t("udf.trial", value=value, yes="是", no="否"))


def _grade_code(value: object) -> str:
    text = "" if is_blank(value) else str(value).strip()
    return _GRADE_BY_LABEL.get(text, text)


@xw.func
@xw.arg("history_months", ndim=2)
@xw.arg("history_ids", ndim=2)
@xw.arg("history_grades", ndim=2)
@xw.arg("plans", ndim=2)
@guarded
def STREAK_REWARD(
    employee_id: object,
    month: object,
    grade: object,
    plan: object,
    history_months: object,
    history_ids: object,
    history_grades: object,
    months: object = None,
    amount: object = None,
    streak_grade: object = None,
    plans: object = None,
) -> object:
    """连续3个月优秀奖励200元(按历史表) One-off reward after N months in a row excellent (A11)."""
    rule = default_policy().streak_reward
    run_length = int(pa.number(months, Decimal(rule.months), "streak_reward.months"))
    if run_length < 1:
        raise OutOfRangeError(messages.t("udf.streak_months"))
    reward = pa.number(amount, rule.amount, "streak_reward.amount")
    wanted = _grade_code(pa.text(streak_grade, rule.grade))
    plan_codes = {PLAN_BY_LABEL.get(p, p) for p in pa.texts(plans, list(rule.plans))}
    hist_months = column_of(history_months)
    hist_ids = column_of(history_ids)
    hist_grades = column_of(history_grades)
    if not len(hist_months) == len(hist_ids) == len(hist_grades):
        raise OutOfRangeError(messages.t("udf.same_height"))
    index: dict[str, dict[str, str]] = {}
    for m, i, g in zip(hist_months, hist_ids, hist_grades, strict=True):
        if is_blank(i) or is_blank(m):
            continue
        index.setdefault(str(i).strip(), {})[to_month(m)] = _grade_code(g)

    def due(emp: object, mon: object, now: object, plan_value: object) -> Decimal:
        name = str(need(plan_value)).strip()
        if PLAN_BY_LABEL.get(name, name) not in plan_codes or _grade_code(need(now)) != wanted:
            return round_money(ZERO)
        past = index.get(str(need(emp)).strip(), {})
        if not past:  # the engine looks for a streak only with a history
            return round_money(ZERO)
        run, m = 1, previous_month(to_month(need(mon)))
        while past.get(m) == wanted:
            run += 1
            m = previous_month(m)
        return round_money(reward if run % run_length == 0 else ZERO)

    return vectorize(due, employee_id, month, grade, plan)


__all__ = ["SENIORITY_PAY", "SERVICE_MONTHS", "STREAK_REWARD", "YEAR_END_BONUS"]
