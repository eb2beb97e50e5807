"""Hand-computed tax scenarios (tests/tax_scenarios/*.toml), run by one parametrized test.

A scenario's ``kind`` says what it checks: ``year`` — one employee's months (income, social
insurance and housing fund, special additional deductions) and the withholding of each month,
both through :func:`xlkpi.withholding_schedule` and month by month through the 历史 ledger;
``bonus`` — the year-end bonus taxed on its own and merged; ``contributions`` — the individual
shares for a base in a month (dated city changes allowed); ``net`` — a month from 应发 to 实发.
Every expectation was computed by hand; the arithmetic is in the file's comments.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import xlkpi
from xlkpi.inputs import Employee, HistoryRecord, TaxInput
from xlkpi.money import ONE, ZERO
from xlkpi.paylines import PayLine
from xlkpi.policy import Change
from xlkpi.policy_io import default_policy
from xlkpi.tax.ledger import year_records, year_to_date
from xlkpi.tax.net_pay import net_pay
from xlkpi.tax.withholding import YearToDate, bonus_options, withhold

SCENARIOS = sorted((Path(__file__).parent / "tax_scenarios").glob("*.toml"))


def load(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text("utf-8"), parse_float=Decimal)


def D(values: Any) -> Any:
    if isinstance(values, list):
        return [D(v) for v in values]
    return Decimal(str(values))


def test_every_kind_has_a_scenario() -> None:
    kinds = {load(path)["kind"] for path in SCENARIOS}
    assert kinds == {"year", "bonus", "contributions", "net"}


def run_year(data: dict[str, Any]) -> None:
    incomes, deductions, additional = (
        D(data["income"]),
        D(data["deductions"]),
        D(data["additional"]),
    )
    expected = D(data["expected"])
    assert xlkpi.withholding_schedule(incomes, deductions, additional) == expected
    # The same months through the ledger 历史 carries, as the engine runs them.
    hire = data["hire_date"]
    first = data.get("first_month", 1)
    history: list[HistoryRecord] = []
    for k, income in enumerate(incomes):
        month = f"{data['year']}-{first + k:02d}"
        before = year_to_date(year_records(history, month).get("E", []), hire, month)
        w = withhold(before, income, deductions[k], additional[k])
        assert (month, w.tax) == (month, expected[k])
        assert w.months == k + 1
        assert w.taxable == D(data["expected_taxable"][k])
        history.append(
            HistoryRecord(
                month=month,
                employee_id="E",
                score=None,
                grade="",
                coefficient=ONE,
                total=income,
                rank="",
                gross=income,
                social_insurance=deductions[k],
                additional_deductions=additional[k],
                tax_withheld=w.tax,
            )
        )


def run_bonus(data: dict[str, Any]) -> None:
    for case in data["bonuses"]:
        bonus = D(case["bonus"])
        assert xlkpi.bonus_tax(bonus) == D(case["separate"])
        options = bonus_options(bonus, data["month"], YearToDate(), D(data["wage"]), ZERO, ZERO)
        assert options.separate_tax == D(case["separate"])
        assert options.cliff_loss == D(case["cliff_loss"])
        if "merged" in case:
            assert options.merged_tax == D(case["merged"])
            assert options.cheaper == case["cheaper"]


def run_contributions(data: dict[str, Any]) -> None:
    changes = [Change(**c) for c in data.get("changes", [])]
    policy = default_policy().model_copy(update={"changes": changes})
    for case in data["cases"]:
        got = xlkpi.contributions(case["base"], policy.at(case["month"]))
        assert dict(got) == {k: D(v) for k, v in case["expected"].items()}, case


def run_net(data: dict[str, Any]) -> None:
    lines = [
        PayLine(code, D(v), ONE, ONE, D(v).quantize(D("0.01")), str(v))
        for code, v in data["gross"].items()
    ]
    for row in data["employees"]:
        employee = Employee(
            id=row["id"],
            name=row["id"],
            plan="designer",
            hire_date=data["hire_date"],
            base_pay=D(data["base_pay"]),
        )
        fields = {k: (v if isinstance(v, str) else D(v)) for k, v in row["tax_input"].items()}
        result = net_pay(
            lines, employee, TaxInput(row["id"], **fields), YearToDate(), data["month"]
        )
        amounts = {line.code: -line.amount for line in result.deduction_lines if line.amount}
        assert amounts == {k: D(v) for k, v in row["expected"].items()}, row["id"]
        assert result.gross == D(row["gross_total"])
        assert result.deductions == D(row["deductions"])
        assert result.net == D(row["net"])
        assert result.net == result.gross - result.deductions
        assert result.withholding.taxable == D(row["taxable"])


RUNNERS = {"year": run_year, "bonus": run_bonus, "contributions": run_contributions, "net": run_net}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path) -> None:
    data = load(path)
    assert data["name"]
    RUNNERS[data["kind"]](data)
