"""The tax policy section: withholding tables, deduction caps, contribution rates (dated data).

The section hangs off :class:`xlkpi.policy.Policy` as ``tax``; its defaults are the
``[tax]`` tables of ``default_policy.toml``, and each leaf is a row of the 参数 sheet, so a
value may carry the month it takes effect from like any other policy value. The city
social-insurance and housing-fund values shipped are **examples**: no official current table
was available to this project, and ``last_checked`` stays blank until HR fills it.

A tax table is a list of bands ``(threshold, rate, quick_deduction)``: a band applies to an
amount *above* its threshold (``≤ 36,000`` is the band from 0 to 36,000 inclusive) and the
tax is ``amount × rate − quick_deduction``. Validation checks that each quick deduction is
the one that makes the table continuous, which catches a mistyped rate or deduction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xlkpi.money import ZERO
from xlkpi.policy_errors import MONTH_PATTERN, PolicyValueError

_MONTH = MONTH_PATTERN
_EXAMPLE = "示例值：非官方现行标准，请按当地社保、公积金通知核对"


def _note(text: str) -> dict[str, Any]:
    return {"note": text}


def _rate(value: Decimal) -> Decimal:
    if not ZERO <= value <= 1:
        raise PolicyValueError("policy.not_rate", value=value)
    return value


class _Section(BaseModel):
    """Base of the tax sections: unknown keys are errors, values are immutable, none negative."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_negative(cls, value: Any) -> Any:
        if isinstance(value, Decimal) and value < 0:
            raise PolicyValueError("policy.negative", value=value)
        return value


class TaxBand(_Section):
    """One band of a tax table: above ``threshold``, tax = amount × rate − quick deduction."""

    threshold: Decimal = Field(title="级距下限(不含)")
    rate: Decimal = Field(title="税率")
    quick_deduction: Decimal = Field(title="速算扣除数")
    _r = field_validator("rate")(_rate)


class TaxTable(_Section):
    """A progressive tax table with quick deductions (the annual or the monthly table)."""

    bands: list[TaxBand]

    @model_validator(mode="after")
    def _check(self) -> TaxTable:
        bands = self.bands
        if not bands:
            raise PolicyValueError("policy.empty_tax_table")
        if bands[0].threshold != ZERO or bands[0].quick_deduction != ZERO:
            raise PolicyValueError("policy.first_tax_band", "bands[0]")
        for i in range(1, len(bands)):
            low, high = bands[i - 1], bands[i]
            if high.threshold <= low.threshold or high.rate <= low.rate:
                raise PolicyValueError(
                    "policy.tax_band_order",
                    f"bands[{i}]",
                    threshold=high.threshold,
                    rate=high.rate,
                    previous=f"bands[{i - 1}]",
                )
            expected = low.quick_deduction + high.threshold * (high.rate - low.rate)
            if high.quick_deduction != expected:
                raise PolicyValueError(
                    "policy.quick_deduction",
                    f"bands[{i}].quick_deduction",
                    value=high.quick_deduction,
                    expected=expected,
                )
        return self

    def band(self, amount: Decimal) -> TaxBand:
        """The band ``amount`` falls in: the last whose threshold is below it."""
        chosen = self.bands[0]
        for band in self.bands:
            if amount > band.threshold:
                chosen = band
        return chosen

    def tax(self, amount: Decimal) -> Decimal:
        """Unrounded tax on ``amount``: amount × rate − quick deduction, never below 0."""
        if amount <= ZERO:
            return ZERO
        band = self.band(amount)
        return max(ZERO, amount * band.rate - band.quick_deduction)


class BonusPolicy(_Section):
    """全年一次性奖金: taxed on its own by the monthly table (bonus ÷ 12 picks the band)."""

    separate_until: str = Field(
        title="单独计税截止月份",
        description="last month a year-end bonus may be taxed on its own (2027-12)",
        pattern=_MONTH,
    )
    divisor: int = Field(title="奖金除以月数", description="bonus ÷ 12 picks the rate", ge=1)
    monthly_table: TaxTable = Field(title="按月换算后的综合所得税率表")


class DeductionCaps(_Section):
    """专项附加扣除: the monthly cap of each item (effective 2023-01-01)."""

    children_education_per_child: Decimal = Field(title="子女教育/每个子女/月")
    infant_care_per_child: Decimal = Field(title="3岁以下婴幼儿照护/每个婴幼儿/月")
    per_child_share: Decimal = Field(
        title="子女项目分摊比例",
        description="parents split a child's amount 100% or 50%: amounts are multiples of it",
    )
    elderly_support_only_child: Decimal = Field(title="赡养老人(独生子女)/月")
    elderly_support_shared: Decimal = Field(title="赡养老人(非独生子女)每人最多/月")
    continuing_education: Decimal = Field(title="继续教育(学历)/月")
    continuing_education_certificate: Decimal = Field(
        title="继续教育(职业资格证书)/取得当年", description="once, in the year obtained"
    )
    housing_loan_interest: Decimal = Field(title="住房贷款利息/月")
    housing_rent: list[Decimal] = Field(
        title="住房租金/月(按城市)", description="800 / 1,100 / 1,500 by city"
    )
    serious_illness_threshold: Decimal = Field(
        title="大病医疗起付(年)", description="the part of the year's cost above this counts"
    )
    serious_illness_maximum: Decimal = Field(
        title="大病医疗扣除限额(年)", description="the deduction itself is at most this"
    )
    _share = field_validator("per_child_share")(_rate)

    @property
    def continuing_education_cap(self) -> Decimal:
        """Most continuing-education deduction in a month (the certificate year's lump)."""
        return max(self.continuing_education, self.continuing_education_certificate)


class CityContributions(_Section):
    """One city's social insurance and housing fund: bases, individual and employer rates."""

    label: str = Field(title="城市")
    effective_year: int = Field(
        title="缴费基数适用年度", description="check warns when older than the month", ge=2000
    )
    last_checked: str = Field(
        default="",
        title="最后核对日期",
        description="blank until HR checks the values against the city's notice",
    )
    social_floor: Decimal = Field(title="社保缴费基数下限", json_schema_extra=_note(_EXAMPLE))
    social_ceiling: Decimal = Field(title="社保缴费基数上限", json_schema_extra=_note(_EXAMPLE))
    housing_floor: Decimal = Field(title="公积金缴存基数下限", json_schema_extra=_note(_EXAMPLE))
    housing_ceiling: Decimal = Field(title="公积金缴存基数上限", json_schema_extra=_note(_EXAMPLE))
    pension: Decimal = Field(title="养老保险(个人)")
    medical: Decimal = Field(title="医疗保险(个人)")
    medical_fixed: Decimal = Field(
        title="医疗保险(个人)固定金额/月", json_schema_extra=_note(_EXAMPLE)
    )
    unemployment: Decimal = Field(title="失业保险(个人)", json_schema_extra=_note(_EXAMPLE))
    housing_fund: Decimal = Field(
        title="住房公积金(个人)", description="a company choice within 5%–12%"
    )
    employer_pension: Decimal = Field(title="养老保险(单位)", json_schema_extra=_note(_EXAMPLE))
    employer_medical: Decimal = Field(title="医疗保险(单位)", json_schema_extra=_note(_EXAMPLE))
    employer_unemployment: Decimal = Field(
        title="失业保险(单位)", json_schema_extra=_note(_EXAMPLE)
    )
    employer_injury: Decimal = Field(title="工伤保险(单位)", json_schema_extra=_note(_EXAMPLE))
    employer_housing_fund: Decimal = Field(title="住房公积金(单位)")

    _rates = field_validator(
        "pension",
        "medical",
        "unemployment",
        "housing_fund",
        "employer_pension",
        "employer_medical",
        "employer_unemployment",
        "employer_injury",
        "employer_housing_fund",
    )(_rate)

    @field_validator("last_checked", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return "" if value is None else str(value)

    @model_validator(mode="after")
    def _bounds(self) -> CityContributions:
        for floor, ceiling in (
            ("social_floor", "social_ceiling"),
            ("housing_floor", "housing_ceiling"),
        ):
            if getattr(self, floor) > getattr(self, ceiling):
                raise PolicyValueError(
                    "policy.floor_ceiling",
                    floor,
                    value=getattr(self, floor),
                    ceiling=ceiling,
                    ceiling_value=getattr(self, ceiling),
                )
        return self


class ContributionPolicy(_Section):
    """社保与公积金: the company's city, the permitted housing-fund range and the city tables."""

    city: str = Field(title="参保城市", description="key of the city table that applies")
    housing_fund_min: Decimal = Field(title="公积金比例下限", description="5%")
    housing_fund_max: Decimal = Field(title="公积金比例上限", description="12%")
    cities: dict[str, CityContributions] = Field(title="城市社保公积金参数")
    _r = field_validator("housing_fund_min", "housing_fund_max")(_rate)

    @model_validator(mode="after")
    def _check(self) -> ContributionPolicy:
        if self.city not in self.cities:
            known = tuple(sorted(self.cities))
            raise PolicyValueError("policy.unknown_city", "city", city=self.city, choices=known)
        for key, city in self.cities.items():
            for field in ("housing_fund", "employer_housing_fund"):
                rate = getattr(city, field)
                if not self.housing_fund_min <= rate <= self.housing_fund_max:
                    raise PolicyValueError(
                        "policy.housing_rate",
                        f"cities.{key}.{field}",
                        value=rate,
                        minimum=self.housing_fund_min,
                        maximum=self.housing_fund_max,
                    )
        return self

    @property
    def current(self) -> CityContributions:
        """The table of the company's city."""
        return self.cities[self.city]


class TaxPolicy(_Section):
    """个人所得税 and 社保公积金: everything the net-pay step reads."""

    basic_deduction: Decimal = Field(title="基本减除费用/月", description="5,000 per month")
    annual_table: TaxTable = Field(title="综合所得预扣率表(累计)")
    bonus: BonusPolicy
    caps: DeductionCaps
    contributions: ContributionPolicy
