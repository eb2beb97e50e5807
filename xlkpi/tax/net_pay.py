"""实发: a month's gross pay lines plus the deductions, as 应发合计 − 扣款合计 = 实发合计.

The deductions are pay lines of their own (negative amounts, each rounded once): the
individual's pension, medical, unemployment and housing fund, 个税 by cumulative
withholding, the separately taxed year-end bonus's tax, and other deductions. A year-end
bonus paid this month is a gross line; it enters the cumulative income only when it is not
taxed on its own. Totals are exact sums of the lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from xlkpi.history import Alert
from xlkpi.inputs import Employee, HistoryRecord, Month, TaxInput
from xlkpi.money import ONE, ZERO, format_number, format_rate, format_yuan, round_money
from xlkpi.paylines import EXTRA_LABELS, PayLine
from xlkpi.policy import Policy
from xlkpi.tax.additional_deductions import additional_total
from xlkpi.tax.contributions import Share, employer_shares, individual_shares
from xlkpi.tax.ledger import year_to_date
from xlkpi.tax.policy import CityContributions, TaxPolicy
from xlkpi.tax.withholding import (
    BonusOptions,
    Withholding,
    YearToDate,
    bonus_options,
    cliff_message,
    separate_ended_message,
    tax_section,
    withhold,
)

if TYPE_CHECKING:
    from xlkpi.engine import EmployeeResult

# code → (Chinese label, English label); the Payroll sheet's deduction columns follow it.
GROSS_LABELS: dict[str, tuple[str, str]] = {
    "year_end_bonus": ("全年一次性奖金", "Year-end one-off bonus"),
}
DEDUCTION_LABELS: dict[str, tuple[str, str]] = {
    "si_pension": ("养老保险(个人)", "Pension (individual)"),
    "si_medical": ("医疗保险(个人)", "Medical insurance (individual)"),
    "si_unemployment": ("失业保险(个人)", "Unemployment insurance (individual)"),
    "housing_fund": ("住房公积金(个人)", "Housing fund (individual)"),
    "iit": ("个人所得税", "Individual income tax"),
    "bonus_tax": ("年终奖个税", "Year-end bonus tax"),
    "other_deductions": ("其他扣除", "Other deductions"),
}
TAX_CODES = frozenset({"iit", "bonus_tax"})
EXTRA_LABELS.update(GROSS_LABELS)
EXTRA_LABELS.update(DEDUCTION_LABELS)
TOTAL_LABELS: dict[str, tuple[str, str]] = {
    "gross": ("应发合计", "Gross pay"),
    "deductions": ("扣款合计", "Total deductions"),
    "net": ("实发合计", "Net pay"),
}
_SHARE_CODES = {
    "pension": "si_pension",
    "medical": "si_medical",
    "unemployment": "si_unemployment",
    "housing_fund": "housing_fund",
}


class NetPay(NamedTuple):
    """One employee's month from gross to net, with the ledger figures 历史 keeps.

    ``deduction_lines`` have negative amounts; ``deductions`` is their total as a positive
    number (扣款合计); ``net`` = ``gross`` − ``deductions``. ``taxable_income`` is the income
    that entered the cumulative withholding this month, ``social_insurance`` the individual's
    four shares, ``additional`` the special additional deductions, ``other`` the other
    deductions — the four figures 历史 carries into the next month.
    """

    gross_lines: list[PayLine]
    gross: Decimal
    deduction_lines: list[PayLine]
    deductions: Decimal
    net: Decimal
    withholding: Withholding
    taxable_income: Decimal
    social_insurance: Decimal
    additional: Decimal
    other: Decimal
    contribution_base: Decimal
    city: CityContributions
    bonus: BonusOptions | None
    messages: list[str]
    # how the year-end bonus was taxed: "separate", "merged" ("" without a bonus)
    bonus_method: str = ""

    def line(self, code: str) -> PayLine | None:
        """The gross or deduction line with this code, if any."""
        for line in (*self.gross_lines, *self.deduction_lines):
            if line.code == code:
                return line
        return None

    @property
    def employer(self) -> list[Share]:
        """The employer's contributions (computed on demand: a cost report, not a deduction)."""
        return employer_shares(self.contribution_base, self.city)

    @property
    def employer_total(self) -> Decimal:
        """The employer's contributions: a cost, not deducted from pay."""
        total = ZERO
        for share in self.employer:
            total += share.amount
        return total

    def trace(self) -> str:
        """``应发 10,000.00 − 养老保险(个人) 800.00 − … = 实发 8,000.00``."""
        parts = [f"应发 {format_yuan(self.gross)}"]
        for line in self.deduction_lines:
            if line.amount:
                parts.append(f"− {DEDUCTION_LABELS[line.code][0]} {format_yuan(-line.amount)}")
        return " ".join(parts) + f" = 实发 {format_yuan(self.net)}"


def _share_line(share: Share) -> PayLine:
    term = f"{format_rate(share.rate)} × {format_yuan(share.base)}"
    if share.fixed:
        term += f" + {format_number(share.fixed)}"
    return PayLine(
        _SHARE_CODES[share.code],
        share.base,
        ONE,
        share.rate,
        -share.amount,
        term if share.amount else "",
    )


def _tax_line(w: Withholding) -> PayLine:
    term = (
        f"{format_rate(w.rate)} × {format_yuan(w.taxable)} − {format_number(w.quick_deduction)}"
        f" − 已预扣 {format_yuan(w.withheld_before)}"
    )
    return PayLine("iit", w.taxable, ONE, w.rate, -w.tax, term if w.tax else "")


def contribution_base(
    employee: Employee, tax_input: TaxInput | None, gross: Decimal = ZERO
) -> Decimal:
    """The entered contribution base (0 = not enrolled), else the roster's base pay, else —
    for a plan whose roster base pay is blank — the month's gross pay."""
    if tax_input is not None and tax_input.contribution_base is not None:
        return tax_input.contribution_base
    return employee.base_pay if employee.base_pay > ZERO else max(gross, ZERO)


def net_pay(
    gross_lines: list[PayLine],
    employee: Employee,
    tax_input: TaxInput | None,
    before: YearToDate,
    month: str,
    policy: Policy | TaxPolicy | None = None,
) -> NetPay:
    """From the plan's lines (应发) to 实发, with this month's withholding.

    ``before`` is the employee's tax year before this month (:mod:`xlkpi.tax.ledger`);
    ``policy`` is the policy in force in ``month``.
    """
    tax = tax_section(policy)
    city = tax.contributions.current
    lines = list(gross_lines)
    bonus = tax_input.year_end_bonus if tax_input is not None else ZERO
    if bonus:
        lines.append(
            PayLine("year_end_bonus", bonus, ONE, ONE, round_money(bonus), format_yuan(bonus))
        )
    gross = ZERO
    for line in lines:
        gross += line.amount
    wage = gross - bonus
    base = contribution_base(employee, tax_input, wage)
    shares = individual_shares(base, city)
    social = ZERO
    for share in shares:
        social += share.amount
    additional = additional_total(tax_input)
    other = tax_input.other_deductions if tax_input is not None else ZERO
    messages: list[str] = []
    options = None
    separate = False
    method = ""
    if bonus:
        options = bonus_options(bonus, month, before, wage, social, additional, other, tax)
        chosen = tax_input.bonus_method if tax_input is not None else ""
        separate = options.separate_allowed and chosen != "merged"
        method = "separate" if separate else "merged"
        if chosen == "separate" and not options.separate_allowed:
            messages.append(separate_ended_message(tax))
        if separate and options.cliff_loss:
            messages.append(cliff_message(options, tax))
    income = wage if separate else gross
    w = withhold(before, income, social, additional, other, tax)
    deduction_lines = [_share_line(s) for s in shares]
    deduction_lines.append(_tax_line(w))
    if separate and options is not None:
        deduction_lines.append(
            PayLine(
                "bonus_tax",
                bonus,
                ONE,
                ZERO,
                -options.separate_tax,
                f"年终奖单独计税 {format_yuan(options.separate_tax)}",
            )
        )
    if other:
        deduction_lines.append(
            PayLine("other_deductions", other, ONE, ONE, -round_money(other), format_yuan(other))
        )
    total = ZERO
    for line in deduction_lines:
        total -= line.amount
    return NetPay(
        gross_lines=lines,
        gross=gross,
        deduction_lines=deduction_lines,
        deductions=total,
        net=gross - total,
        withholding=w,
        taxable_income=income,
        social_insurance=social,
        additional=additional,
        other=other,
        contribution_base=base,
        city=city,
        bonus=options,
        messages=messages,
        bonus_method=method,
    )


def with_net_pay(
    result: EmployeeResult, month: Month, records: Iterable[HistoryRecord], policy: Policy
) -> EmployeeResult:
    """``result`` with its :class:`NetPay` (and a bonus-cliff warning when there is one).

    ``records`` are the employee's 历史 rows of this tax year before the month.
    """
    emp = result.employee
    before = year_to_date(records, emp.hire_date, month.month)
    pay = net_pay(result.lines, emp, month.tax_inputs.get(emp.id), before, month.month, policy)
    if not pay.messages:
        return result._replace(pay=pay)
    alerts = [*result.alerts]
    alerts += [Alert(emp.id, emp.name, "warning", "bonus_cliff", m) for m in pay.messages]
    return result._replace(pay=pay, alerts=alerts)
