"""实发: deductions as pay lines, exact totals, the bonus side by side, the ledger figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xlkpi.inputs import Employee, TaxInput
from xlkpi.money import ONE
from xlkpi.paylines import PayLine
from xlkpi.tax.net_pay import DEDUCTION_LABELS, NetPay, contribution_base, net_pay
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


NOT_ENROLLED = D(0)  # contribution base 0: no social insurance, so the tax is easy to follow


def _bonus(amount: str, method: str = "", month: str = "2026-01") -> NetPay:
    entry = TaxInput(
        "E1", contribution_base=NOT_ENROLLED, year_end_bonus=D(amount), bonus_method=method
    )
    return net_pay(gross("8000"), EMP, entry, YearToDate(), month)


def test_bonus_separate_and_merged_side_by_side_by_hand() -> None:
    """8,000 wage + 36,000 bonus in January, no social insurance.

    Wage alone: (8,000 − 5,000) × 3% = 90.00. Separate: 36,000 ÷ 12 = 3,000 → 3% → 1,080.00.
    Merged: 44,000 − 5,000 = 39,000 → 10% − 2,520 = 1,380.00, i.e. 1,290.00 for the bonus.
    """
    blank = _bonus("36000")
    assert blank.bonus_method == "separate" and blank.bonus is not None
    assert (blank.bonus.separate_tax, blank.bonus.merged_tax) == (D("1080.00"), D("1290.00"))
    assert blank.withholding.tax == D("90.00") and blank.line("bonus_tax").amount == D("-1080")
    assert blank.deductions == D("1170.00") and blank.net == D("42830.00")
    assert blank.messages == []  # 36,000 is the band's top: no cliff
    merged = _bonus("36000", "merged")
    assert merged.bonus_method == "merged" and merged.line("bonus_tax") is None
    assert merged.withholding.tax == D("1380.00") and merged.taxable_income == D(44000)
    assert merged.net == D("42620.00")
    separate = _bonus("36000", "separate")
    assert separate.deductions == blank.deductions


def test_the_cliff_says_by_how_much_to_lower_the_bonus() -> None:
    """36,001: separate 36,001 × 10% − 210 = 3,390.10; after tax 32,610.90 < 34,920.00 at
    36,000, so 1.00 less bonus leaves 2,309.10 more. Merged: 39,001 × 10% − 2,520 − 90."""
    result = _bonus("36001")
    assert result.bonus is not None and result.bonus.merged_tax == D("1290.10")
    [message] = result.messages
    assert "建议降低1.00元至36,000.00元" in message and "多得2,309.10元" in message
    assert "并入综合所得计税为1,290.10元" in message
    assert _bonus("36001", "merged").messages == []  # merged: no cliff to warn about
    lower = _bonus("38000")  # 2,000.00 above the edge, still 510.00 worse off
    assert "建议降低2,000.00元至36,000.00元" in lower.messages[0] and "510.00" in lower.messages[0]


def test_separate_chosen_after_the_policy_end_is_merged_with_a_warning() -> None:
    late = _bonus("20000", "separate", "2028-01")
    assert late.bonus_method == "merged" and late.line("bonus_tax") is None
    [message] = late.messages
    assert "2027-12" in message and "并入" in message
    assert _bonus("20000", "", "2028-01").messages == []  # blank: the default, merged


def test_demo_shows_gross_income_tax_and_net(capsys: pytest.CaptureFixture[str]) -> None:
    from xlkpi import cli, messages
    from xlkpi.engine import compute_month
    from xlkpi.money import format_yuan
    from xlkpi.sample_data import demo_month

    messages.set_lang("zh")
    assert cli.main(["--no-progress", "demo", "--no-workbook"]) == 0
    out = capsys.readouterr().out
    assert "应发合计" in out and "个税" in out and "实发合计" in out
    taxed = next(r for r in compute_month(demo_month()).results if r.pay and r.pay.withholding.tax)
    assert format_yuan(taxed.pay.withholding.tax) in out and format_yuan(taxed.pay.net) in out
