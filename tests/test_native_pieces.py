"""workbook_templates.native: policy values are references, never literals; the 参数 offsets.

The LibreOffice proofs (tests/test_native_build.py, tests/test_oracle_libreoffice.py) show
the formulas compute what the engine does; these show they do it from the 参数 sheet: the same
formulas come out for a policy with other values, and no number of rules.md is in them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from workbook_templates.native import pieces
from workbook_templates.native.payroll import native_payroll_formulas
from workbook_templates.policy_sheet import write_policy_sheet
from xlkpi.payplans import PLANS
from xlkpi.policy import Policy
from xlkpi.policy_io import default_policy, policy_from_rows, policy_to_rows
from xlkpi.sample_data import synthetic_month

CHANGED = {  # path → new value: values only, the 参数 sheet keeps its shape
    "attendance.bonus_rate": Decimal("0.15"),
    "perf_coeff.brackets[1].amount": Decimal("1.1"),
    "commission.ops_progressive.brackets[2].rate": Decimal("0.035"),
    "commission.cs_000.brackets[0].rate": Decimal("0.015"),
    "review.neutral": Decimal(12),
    "allowances.lunch_per_day": Decimal(20),
    "team.pool_rate.brackets[2].amount": Decimal("0.016"),
    "plans.warehouse.base_trial": Decimal(5400),
    "fines.complaint_fines[0]": Decimal(60),
    "plans.ecom_cs.work_award.tier2": Decimal(450),
}


def _changed() -> Policy:
    rows = policy_to_rows(default_policy())
    seen = set()
    out = []
    for row in rows:
        if row.path in CHANGED and not row.effective_from:
            row = replace(row, value=CHANGED[row.path])
            seen.add(row.path)
        out.append(row)
    assert seen == set(CHANGED)
    return policy_from_rows(out)


def _one_per_plan() -> list:
    month = synthetic_month(22)
    firsts = {}
    for e in month.employees:
        firsts.setdefault(e.plan, e)
    assert set(firsts) == set(PLANS)
    return list(firsts.values())


@pytest.mark.parametrize("employee", _one_per_plan(), ids=lambda e: e.plan)
def test_other_policy_values_give_the_same_formulas(employee: object) -> None:
    a = native_payroll_formulas(5, employee, default_policy())  # type: ignore[arg-type]
    b = native_payroll_formulas(5, employee, _changed())  # type: ignore[arg-type]
    assert a == b


_REFERENCE = re.compile(
    r"'[^']*'!\$?[A-Z]{1,3}\$?\d+(:\$?[A-Z]{1,3}\$?\d+)?|\$?[A-Z]{1,3}\$?\d+|P_\w+|XLKPI_MONTH"
)
# structure, not policy: 0/1 (blank, flags), 2 (fen), 100 (percent), 12 (months, ratio
# places), 9 (score places), the month text's positions (4, 6, 2) and band-block offsets
# (a scale's setting rows + 1: 2 or 3)
_STRUCTURE = {"0", "1", "2", "3", "4", "6", "9", "12", "100"}


@pytest.mark.parametrize("employee", _one_per_plan(), ids=lambda e: e.plan)
def test_no_policy_number_is_a_literal(employee: object) -> None:
    for field, formula in native_payroll_formulas(5, employee, default_policy()).items():  # type: ignore[arg-type]
        text = _REFERENCE.sub("R", re.sub(r'"[^"]*"', '""', formula))
        numbers = set(re.findall(r"(?<![A-Za-z_])\d+(?:\.\d+)?", text))
        assert numbers <= _STRUCTURE, (field, numbers - _STRUCTURE, formula)


def test_scale_offsets_are_the_policy_sheets_setting_rows() -> None:
    from openpyxl import Workbook

    policy = default_policy()
    names = write_policy_sheet(Workbook().active, policy)
    for path, scale in (
        ("perf_coeff", policy.perf_coeff),
        ("team.pool_rate", policy.team.pool_rate),
        ("commission.ops_progressive", policy.commission["ops_progressive"]),
    ):
        ref = names[pieces.name_of(path)]
        first, last = (int(x) for x in re.findall(r"\$(\d+)", ref))
        assert last - first + 1 - pieces.setting_rows(policy, path) == len(scale.brackets)
    refs = pieces.PolicyRefs(policy)
    assert "INDEX(P_perf_coeff,3,1):INDEX(P_perf_coeff,ROWS(P_perf_coeff),1)" in refs.band(
        "perf_coeff", policy.perf_coeff, "x"
    )


def test_an_unfilled_placeholder_is_refused() -> None:
    from workbook_templates.native.payroll import _fill

    with pytest.raises(ValueError, match="no cell for"):
        _fill("ROUND({nowhere},2)", {"score": "$D5"})
