"""专项附加扣除: the seven items, their labels, this month's total and the check against the caps.

An amount above its cap is an input problem at the cell: :func:`deduction_problems` returns
(field, message) pairs that the workbook reader places on the 专项附加扣除 sheet.
"""

from __future__ import annotations

from decimal import Decimal

from xlkpi.inputs import TaxInput
from xlkpi.money import ZERO, format_yuan
from xlkpi.policy import Policy
from xlkpi.tax.policy import DeductionCaps, TaxPolicy
from xlkpi.tax.withholding import tax_section

# field → (Chinese label, English label), in the order of the withholding declaration.
ITEMS: dict[str, tuple[str, str]] = {
    "children_education": ("子女教育", "Children's education"),
    "infant_care": ("3岁以下婴幼儿照护", "Care of children under 3"),
    "continuing_education": ("继续教育", "Continuing education"),
    "housing_loan_interest": ("住房贷款利息", "Housing-loan interest"),
    "housing_rent": ("住房租金", "Housing rent"),
    "elderly_support": ("赡养老人", "Elderly support"),
    "serious_illness": ("大病医疗", "Serious illness"),
}


def additional_total(tax_input: TaxInput | None) -> Decimal:
    """This month's special additional deductions: the sum of the seven items."""
    if tax_input is None:
        return ZERO
    total = ZERO
    for field in ITEMS:
        total += getattr(tax_input, field)
    return total


def _cap(field: str, caps: DeductionCaps) -> Decimal:
    return {
        "continuing_education": caps.continuing_education_cap,
        "housing_loan_interest": caps.housing_loan_interest,
        "housing_rent": max(caps.housing_rent),
        "elderly_support": caps.elderly_support_only_child,
        "serious_illness": caps.serious_illness_maximum,
    }[field]


def deduction_problems(
    tax_input: TaxInput, policy: Policy | TaxPolicy | None = None, lang: str = "zh"
) -> list[tuple[str, str]]:
    """The items of ``tax_input`` above their caps, as (field, message) pairs.

    Per-child items (children's education, infant care) must be whole multiples of the
    per-child share (1,000 = 50% of 2,000), since the cap is per child; the other items are
    bounded by their monthly cap (serious illness by the annual limit); housing-loan
    interest and rent cannot both be claimed.
    """
    caps = tax_section(policy).caps
    zh = lang != "en"
    problems: list[tuple[str, str]] = []
    for field, per_child in (
        ("children_education", caps.children_education_per_child),
        ("infant_care", caps.infant_care_per_child),
    ):
        amount: Decimal = getattr(tax_input, field)
        step = per_child * caps.per_child_share
        if amount and (step <= ZERO or amount % step):
            label = ITEMS[field][0 if zh else 1]
            problems.append(
                (
                    field,
                    f"{label}{format_yuan(amount)}元不是每个子女{format_yuan(step)}元的整数倍："
                    f"每个子女每月最多{format_yuan(per_child)}元（父母各扣50%时为一半）。"
                    if zh
                    else f"{label} {format_yuan(amount)} is not a multiple of "
                    f"{format_yuan(step)} per child (at most {format_yuan(per_child)} a child)",
                )
            )
    for field in (
        "continuing_education",
        "housing_loan_interest",
        "housing_rent",
        "elderly_support",
        "serious_illness",
    ):
        amount = getattr(tax_input, field)
        cap = _cap(field, caps)
        if amount > cap:
            label = ITEMS[field][0 if zh else 1]
            problems.append(
                (
                    field,
                    f"{label}{format_yuan(amount)}元超过上限{format_yuan(cap)}元，请按上限或实际金额填写。"
                    if zh
                    else f"{label} {format_yuan(amount)} is above its cap {format_yuan(cap)}",
                )
            )
    if tax_input.housing_loan_interest > ZERO and tax_input.housing_rent > ZERO:
        problems.append(
            (
                "housing_rent",
                "住房贷款利息和住房租金不能同时扣除，请只填写其中一项。"
                if zh
                else "housing-loan interest and rent cannot both be deducted; enter one",
            )
        )
    return problems
