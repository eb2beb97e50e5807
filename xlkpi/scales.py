"""Bracket scales as data: single-amount scales (bands) and marginal-rate scales.

Two kinds, as in OpenFisca, but holding Decimals:

- :class:`AmountScale` — a *single-amount* scale: the input falls into one band and the
  band's amount is the answer (coefficient tiers, bonus-ratio bands, group bonus).
  With ``inclusive="lower"`` a threshold is an inclusive lower bound (``[65, 80)``);
  with ``inclusive="upper"`` bands are closed on the right (``(60%, 80%]``).
- :class:`MarginalRateScale` — each bracket's rate applies to the part of the base
  inside the bracket (the progressive sales bonus); a flat rate is a one-bracket scale.
  ``minimum`` is the cliff below which nothing at all is paid.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, model_validator

from xlkpi.money import ONE, ZERO
from xlkpi.policy_errors import PolicyValueError


def _cache(model: BaseModel, name: str, value: object) -> None:
    """Keep a derived lookup table on a frozen model as a plain attribute.

    Pydantic private attributes go through ``__getattr__`` on every read, which dominated
    the engine's profile; a plain instance attribute is read at C speed. The table is
    derived from the fields, so equality and serialisation are unaffected.
    """
    object.__setattr__(model, name, value)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy whose derived lookup tables match its (possibly updated) fields."""
        copy = super().model_copy(update=update, deep=deep)
        copy.model_post_init(None)
        return copy


class Bracket(_Frozen):
    """One band of a single-amount scale: from ``threshold`` on, the value is ``amount``."""

    threshold: Decimal
    amount: Decimal


class RateBracket(_Frozen):
    """One bracket of a marginal-rate scale: above ``threshold``, ``rate`` applies."""

    threshold: Decimal
    rate: Decimal


def _check_thresholds(thresholds: list[Decimal]) -> None:
    if not thresholds:
        raise PolicyValueError("policy.empty_scale")
    if thresholds[0] != ZERO:
        raise PolicyValueError("policy.first_band", "brackets[0].threshold", value=thresholds[0])
    for i in range(1, len(thresholds)):
        if thresholds[i] <= thresholds[i - 1]:
            raise PolicyValueError(
                "policy.threshold_order",
                f"brackets[{i}].threshold",
                value=thresholds[i],
                previous=f"brackets[{i - 1}]",
                previous_value=thresholds[i - 1],
            )


class AmountScale(_Frozen):
    """A single-amount scale: ``value(x)`` is the amount of the band ``x`` falls in.

    ``kind`` says what the amounts are: ``amount`` (元, ≥ 0), ``rate`` (a share 0–100%)
    or ``factor`` (a coefficient ≥ 0). Amounts never decrease from band to band.

    >>> s = AmountScale(brackets=[Bracket(threshold=0, amount=Decimal("0.5")),
    ...                           Bracket(threshold=65, amount=1)], kind="factor")
    >>> s.value(Decimal(65)), s.value(Decimal("64.99"))
    (Decimal('1'), Decimal('0.5'))
    """

    kind: Literal["amount", "rate", "factor"] = "amount"
    inclusive: Literal["lower", "upper"] = "lower"
    brackets: list[Bracket]

    @model_validator(mode="after")
    def _check(self) -> AmountScale:
        _check_thresholds([b.threshold for b in self.brackets])
        for i, b in enumerate(self.brackets):
            if b.amount < ZERO:
                raise PolicyValueError(
                    "policy.negative_value", f"brackets[{i}].amount", value=b.amount
                )
            if self.kind == "rate" and b.amount > ONE:
                raise PolicyValueError("policy.rate_range", f"brackets[{i}].amount", value=b.amount)
            if i and b.amount < self.brackets[i - 1].amount:
                raise PolicyValueError(
                    "policy.amount_order",
                    f"brackets[{i}].amount",
                    value=b.amount,
                    previous=f"brackets[{i - 1}]",
                    previous_value=self.brackets[i - 1].amount,
                )
        return self

    def model_post_init(self, __context: object) -> None:
        _cache(self, "_thresholds", tuple(b.threshold for b in self.brackets))
        _cache(self, "_amounts", tuple(b.amount for b in self.brackets))
        _cache(self, "_lower", self.inclusive == "lower")

    def band_index(self, x: Decimal) -> int:
        """Index of the band that ``x`` falls in (values below 0 fall in the first band)."""
        if self._lower:
            index = bisect_right(self._thresholds, x) - 1
        else:
            index = bisect_left(self._thresholds, x) - 1
        return index if index > 0 else 0

    def value(self, x: Decimal) -> Decimal:
        """The amount of the band ``x`` falls in."""
        return self._amounts[self.band_index(x)]


class MarginalRateScale(_Frozen):
    """A marginal-rate scale: each rate applies to the part of the base inside its bracket.

    The documents' progressive sales bonus (rules.md A4):

    >>> from xlkpi import default_policy
    >>> default_policy().commission["ops_progressive"].compute(Decimal(25000))
    Decimal('300.00')
    """

    minimum: Decimal = ZERO
    brackets: list[RateBracket]

    @model_validator(mode="after")
    def _check(self) -> MarginalRateScale:
        _check_thresholds([b.threshold for b in self.brackets])
        if self.minimum < ZERO:
            raise PolicyValueError("policy.negative_value", "minimum", value=self.minimum)
        for i, b in enumerate(self.brackets):
            if not ZERO <= b.rate <= ONE:
                raise PolicyValueError("policy.rate_range", f"brackets[{i}].rate", value=b.rate)
        return self

    def model_post_init(self, __context: object) -> None:
        _cache(self, "_thresholds", tuple(b.threshold for b in self.brackets))
        _cache(self, "_rates", tuple(b.rate for b in self.brackets))

    @property
    def is_flat(self) -> bool:
        """True for a one-bracket scale with no minimum: a flat rate."""
        return len(self._rates) == 1 and self.minimum == ZERO

    @property
    def flat_rate(self) -> Decimal:
        """The rate of the first bracket (the whole rate of a flat scale)."""
        return self._rates[0]

    def compute(self, base: Decimal) -> Decimal:
        """The amount for ``base``: 0 below ``minimum``, else the sum over brackets (unrounded)."""
        if base <= ZERO or base < self.minimum:
            return ZERO
        total = ZERO
        thresholds = self._thresholds
        last = len(thresholds) - 1
        for i, rate in enumerate(self._rates):
            lower = thresholds[i]
            if base <= lower:
                break
            upper = thresholds[i + 1] if i < last else base
            total += (min(base, upper) - lower) * rate
        return total
