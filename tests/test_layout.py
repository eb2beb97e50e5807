"""The input contract: declarations are complete and consistent, and honest against the engine.

For every plan and every month input the contract says the plan does not read, changing that
input changes nobody's pay; for every input it says the plan reads, some plausible change of
it changes that plan's result (a pay line, the grade or an alert).
"""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal

import pytest

from tests.contract_support import candidates, clean_month, month_input_columns, small_month
from xlkpi import layout
from xlkpi.engine import compute_month
from xlkpi.errors import InputError
from xlkpi.inputs import MONTH_FIELDS, Month, MonthInput
from xlkpi.payplans import PLANS
from xlkpi.policy_io import default_policy

POLICY = default_policy()
MONTH = small_month()
PLAN_OF = {e.plan: e.id for e in MONTH.employees}
COLUMNS = month_input_columns()


def _pay(month: Month) -> dict[str, tuple[Decimal, ...]]:
    result = compute_month(month, POLICY)
    return {r.employee.id: tuple(line.amount for line in r.lines) for r in result.results}


def _outcome(month: Month, emp_id: str) -> tuple[object, ...]:
    result = compute_month(month, POLICY)
    r = next(r for r in result.results if r.employee.id == emp_id)
    alerts = sorted(a.code for a in result.alerts if a.employee_id == emp_id)
    return (tuple(line.amount for line in r.lines), r.grade, tuple(alerts))


def _with(month: Month, emp_id: str, field: str, value: object) -> Month:
    inputs = dict(month.inputs)
    inputs[emp_id] = replace(inputs[emp_id], **{field: value})
    return replace(month, inputs=inputs)


BASE_PAY = _pay(MONTH)


def _cases(reads: bool) -> list[tuple[str, str]]:
    return [(plan, c.field) for plan in PLAN_OF for c in COLUMNS if c.reads(plan, POLICY) is reads]


@pytest.mark.parametrize(("plan", "field"), _cases(False))
def test_an_input_a_plan_does_not_read_changes_no_pay(plan: str, field: str) -> None:
    column = next(c for c in COLUMNS if c.field == field)
    emp_id = PLAN_OF[plan]
    for value in candidates(column):
        month = _with(MONTH, emp_id, field, value)
        try:
            pay = _pay(month)
        except InputError:  # the engine refuses it outright (an allowance on a plan without)
            continue
        assert pay == BASE_PAY, (plan, field, value)


@pytest.mark.parametrize(("plan", "field"), _cases(True))
def test_an_input_a_plan_reads_changes_its_result(plan: str, field: str) -> None:
    column = next(c for c in COLUMNS if c.field == field)
    emp_id = PLAN_OF[plan]
    month = clean_month(MONTH)
    if field in ("target", "task_coefficient") and plan == "store_manager":
        other = "task_coefficient" if field == "target" else "target"
        month = _with(month, emp_id, other, None)  # the other one decides otherwise
        if field == "target":
            month = _with(month, emp_id, "sales", Decimal(60000))
    base = _outcome(_with(month, emp_id, field, candidates(column)[0]), emp_id)
    outcomes = {base}
    for value in candidates(column)[1:]:
        outcomes.add(_outcome(_with(month, emp_id, field, value), emp_id))
    assert len(outcomes) > 1, f"{plan} does not react to {field}"


def test_every_month_input_is_declared_once() -> None:
    declared = [c.field for c in COLUMNS]
    assert len(declared) == len(set(declared))
    choice_fields = {"work_grade", "grade_rating"}
    record_fields = {f.name for f in fields(MonthInput)} - {"employee_id"}
    assert set(declared) == record_fields
    assert set(MONTH_FIELDS) | choice_fields == record_fields


def test_every_input_column_has_a_kind_with_bounds_and_a_remedy() -> None:
    sheets = (*layout.INPUT_SHEETS, layout.scorecard_layout("design", [("x", "项")]))
    for sheet in sheets:
        for column in sheet.inputs:
            kind = layout.KINDS[column.kind]
            assert kind.remedy, (sheet.name, column.field)
            if kind.number and column.kind != "points":  # points: the item's, from policy
                low, high = column.bounds(Decimal(120))
                where = (sheet.name, column.field)
                assert low is not None and low >= 0 and high is not None and high > low, where


def test_a_percent_is_accepted_only_in_ratio_columns() -> None:
    percent = {k for k, kind in layout.KINDS.items() if kind.percent}
    assert percent == {"ratio"}
    ratios = {c.field for c in COLUMNS if c.kind == "ratio"}
    assert ratios == {"task_coefficient", "behaviour_score"}


def test_optional_inputs_are_the_documents_if_any_ones() -> None:
    optional = {c.field for c in COLUMNS if c.blank_means == layout.BLANK_NONE}
    assert optional == layout.IF_ANY | {"team_share_amount"}
    computed = {c.field for c in COLUMNS if c.blank_means == layout.BLANK_COMPUTED}
    assert computed == {"task_coefficient"}
    assert "留空则按销售额÷目标计算" in layout.SALES.column("task_coefficient").note


def test_scorecard_routing_is_the_policy() -> None:
    for plan in PLANS:
        key = layout.scorecard_of(plan, POLICY)
        if key is not None:
            assert plan in POLICY.scorecards[key].plans
    assert layout.scorecard_of("designer", POLICY) == "design"
    assert layout.scorecard_of("cs_003", POLICY) is None


def test_policy_lists_decide_where_the_policy_has_them() -> None:
    column = layout.SALES.column("complaints")
    fines = POLICY.fines
    if hasattr(fines, "plans"):
        assert column.readers(POLICY) == frozenset(fines.plans)
    else:
        assert column.readers(POLICY) == column.plans


def test_not_applicable_texts_put_the_book_s_own_first_and_english_books_take_both() -> None:
    assert layout.not_applicable_texts("zh") == (layout.NOT_APPLICABLE,)
    assert layout.not_applicable_texts("en") == (layout.NOT_APPLICABLE_EN, layout.NOT_APPLICABLE)
    texts = [layout.not_applicable_text(lang) for lang in ("zh", "en", "")]
    assert texts == ["不适用", "N/A", "不适用"]
    assert layout.is_not_applicable(" N/A ", "en") and not layout.is_not_applicable("N/A", "zh")
    assert layout.is_not_applicable("不适用", "en") and not layout.is_not_applicable(0, "en")
