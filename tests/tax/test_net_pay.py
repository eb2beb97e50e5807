"""实发: deductions as pay lines, exact totals, the bonus side by side, the ledger figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from xlkpi.inputs import Employee, TaxInput
from xlkpi.money import ONE
from xlkpi.paylines import PayLine
from xlkpi.tax.net_pay import DEDUCTION_LABELS, contribution_base, net_pay
from xlkpi.tax.withholding import YearToDate

D = Decimal
EMP = Employee(id="E1", name="王芳", plan="designer", hire_date=date(2022, 3, 1), base_pay=D(8000))


def gross(*amounts: str) -> list[PayLine]:
    return [PayLine("base", D(a), ONE, ONE, D(a), a) for a in amounts]


def test_missing_tax_input_uses_the_roster_base_and_no_additional_deduction() -> None:
    assert contribution_base(EMP, None) == 8000
    assert contribution_base(EMP, TaxInput("E1", contribution_base=D(6000))) == 6000
    result = net_pay(gross("8000.00"), EMP, None, YearToDate(), "2026-03")
    codes = [line.code for line in result.deduction_lines]
    assert codes == ["si_pension", "si_medical", "si_unemployment", "housing_fund", "iit"]
    assert result.social_insurance == D("1400.00")  # 640 + 160 + 40 + 560
    assert result.additional == 0 and result.other == 0
    assert result.withholding.taxable == 8000 - 5000 - 1400


def test_lines_have_terms_and_totals_are_exact_sums() -> None:
    result = net_pay(gross("7333.33", "1000.01"), EMP, None, YearToDate(), "2026-01")
    pension = result.line("si_pension")
    assert (
        pension is not None and pension.term == "8% × 8,000.00" and pension.amount == D("-640.00")
    )
    iit = result.line("iit")
    assert iit is not None and iit.term.startswith("3% × ")
    assert result.gross == D("8333.34")
    assert result.deductions == -sum(line.amount for line in result.deduction_lines)
    assert result.net == result.gross - result.deductions
    assert all(line.amount == line.amount.quantize(D("0.01")) for line in result.deduction_lines)
    assert result.trace().startswith("应发 8,333.34 − 养老保险(个人) 640.00")
    assert result.trace().endswith(f"= 实发 {result.net:,.2f}")
    assert set(DEDUCTION_LABELS) >= {line.code for line in result.deduction_lines}


def test_employer_shares_are_a_cost_not_a_deduction() -> None:
    result = net_pay(gross("8000"), EMP, None, YearToDate(), "2026-01")
    assert result.employer_total == D("2616.00")  # 1,280 + 720 + 40 + 16 + 560
    assert result.net == D("8000") - result.deductions


def test_a_bonus_on_the_cliff_warns_and_stays_out_of_the_cumulative_income() -> None:
    entry = TaxInput("E1", year_end_bonus=D(36001))
    result = net_pay(gross("8000"), EMP, entry, YearToDate(), "2026-12")
    assert result.line("year_end_bonus") is not None
    assert result.taxable_income == 8000
    bonus_line = result.line("bonus_tax")
    assert bonus_line is not None and bonus_line.amount == D("-3390.10")
    assert result.bonus is not None and result.bonus.cheaper == "merged"
    assert len(result.messages) == 1 and "2,309.10" in result.messages[0]


def test_after_separate_taxation_ends_the_bonus_is_merged() -> None:
    entry = TaxInput("E1", year_end_bonus=D(20000))
    result = net_pay(gross("8000"), EMP, entry, YearToDate(), "2028-01")
    assert result.line("bonus_tax") is None
    assert result.taxable_income == 28000


def test_compute_month_carries_net_pay_and_the_ledger() -> None:
    from dataclasses import replace

    from xlkpi.engine import compute_month
    from xlkpi.inputs import HistoryRecord
    from xlkpi.sample_data import demo_month

    month = demo_month()
    result = compute_month(month)
    for r in result.results:
        assert r.pay is not None
        assert r.gross == r.total  # no year-end bonus in the demo month
        assert r.net == r.gross - r.deductions
        assert r.deductions == -sum(line.amount for line in r.pay.deduction_lines)
    # A bigger ledger this year means more withheld already: this month's tax goes down.
    emp = next(r for r in result.results if r.tax > 0).employee
    record = HistoryRecord("2026-09", emp.id, None, "", ONE, D(0), "", tax_withheld=D(99999))
    again = compute_month(replace(month, history=[*month.history, record]))
    assert next(r for r in again.results if r.employee.id == emp.id).tax == 0
    bonus = {emp.id: TaxInput(emp.id, year_end_bonus=D(36001))}
    cliff = compute_month(replace(month, tax_inputs=bonus))
    assert [a.code for a in cliff.alerts if a.employee_id == emp.id] == ["bonus_cliff"]
