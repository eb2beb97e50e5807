"""Hand-computed months, one scenario file per pay plan of rules.md §B, run by one test.

A scenario file (tests/scenarios/*.toml) holds: ``name``, ``month``, optional ``policy``
overrides (key path → value, applied to the default policy), ``roster``, ``inputs``,
``shops`` (店铺: name, orders, returns, shipping_paid, target, group), ``public_sales``,
``history``, and ``expected`` per employee: the non-zero
pay lines, the total, the one-line trace and the alert codes. Every expectation was computed by
hand from rules.md; the arithmetic is in the file's comments.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from xlkpi import Employee, HistoryRecord, Month, MonthInput, Policy, compute_month
from xlkpi.inputs import MONTH_FIELDS, Shop
from xlkpi.paylines import LINE_CODES
from xlkpi.policy import PLAN_CODES, validate_policy
from xlkpi.policy_io import default_policy, flatten, unflatten

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.toml"))
_COUNTS = {name for name, (_, _, kind) in MONTH_FIELDS.items() if kind == "count"}
_TEXTS = {"employee_id", "work_grade", "grade_rating"}


def load(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text("utf-8"), parse_float=Decimal)


def _number(value: Any) -> Decimal:
    return Decimal(value) if isinstance(value, int | str) else value


def build_policy(overrides: dict[str, Any]) -> Policy:
    if not overrides:
        return default_policy()
    pairs = dict(flatten(default_policy().model_dump(mode="python", exclude={"changes"})))
    unknown = set(overrides) - set(pairs)
    assert not unknown, f"policy overrides name unknown key paths: {unknown}"
    pairs.update(overrides)
    return validate_policy(unflatten(list(pairs.items())), source="scenario")


def build_month(data: dict[str, Any]) -> Month:
    employees = []
    for row in data["roster"]:
        fields = dict(row)
        for key in ("base_pay", "post_pay"):
            if key in fields:
                fields[key] = _number(fields[key])
        employees.append(Employee(**fields))
    inputs = {}
    for row in data["inputs"]:
        fields = {
            key: (value if key in _COUNTS or key in _TEXTS else _number(value))
            for key, value in row.items()
        }
        inputs[row["employee_id"]] = MonthInput(**fields)
    history = [
        HistoryRecord(
            month=row["month"],
            employee_id=row["employee_id"],
            score=_number(row["score"]),
            grade=row["grade"],
            coefficient=Decimal(1),
            total=Decimal(0),
            rank=row.get("rank", ""),
            complaints=row.get("complaints", 0),
            bad_record=row.get("bad_record", False),
        )
        for row in data.get("history", [])
    ]
    shops = [
        Shop(
            name=row["name"],
            orders=_number(row["orders"]),
            returns=_number(row.get("returns", 0)),
            shipping_paid=_number(row.get("shipping_paid", 0)),
            target=_number(row["target"]) if "target" in row else None,
            group=row.get("group", ""),
        )
        for row in data.get("shops", [])
    ]
    return Month(
        month=data["month"],
        employees=employees,
        inputs=inputs,
        public_sales=_number(data.get("public_sales", 0)),
        history=history,
        shops=shops,
    )


def test_one_scenario_per_pay_plan() -> None:
    plans = set()
    for path in SCENARIOS:
        data = load(path)
        plans |= {row["plan"] for row in data["roster"]}
        assert {e["employee_id"] for e in data["expected"]} == {r["id"] for r in data["roster"]}
    assert plans == set(PLAN_CODES)
    assert {p.stem for p in SCENARIOS} >= set(PLAN_CODES)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path) -> None:
    data = load(path)
    result = compute_month(build_month(data), build_policy(data.get("policy", {})))
    by_id = {r.employee.id: r for r in result.results}
    assert [r.employee.id for r in result.results] == [row["id"] for row in data["roster"]]
    expected_total = Decimal(0)
    for expected in data["expected"]:
        who = expected["employee_id"]
        got = by_id[who]
        lines = {code: Decimal("0.00") for code in LINE_CODES}
        lines.update({code: Decimal(str(v)) for code, v in expected["lines"].items()})
        actual = {line.code: line.amount for line in got.lines}
        assert {c: a for c, a in actual.items() if a} == {c: a for c, a in lines.items() if a}, who
        assert got.total == expected["total"], who
        assert got.total == sum((line.amount for line in got.lines), Decimal(0)), who
        assert got.trace == expected["trace"], who
        assert sorted(a.code for a in got.alerts) == sorted(expected["alerts"]), who
        expected_total += expected["total"]
    assert result.total == expected_total
    assert sorted(a.code for a in result.alerts) == sorted(
        code for e in data["expected"] for code in e["alerts"]
    )
