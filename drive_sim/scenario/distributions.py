"""Distributions are data: ``{kind = "triangular", low = 90, mode = 210, high = 365}``.

Each kind is a frozen pydantic model with a ``mean``; ``sampling.sample`` draws from one.
Every distribution in a scenario is a duration in days, so each is checked when it is
validated: its mean and its 99.9th percentile must be finite and at most
:data:`MAX_DURATION_DAYS`, so that sampling can never overflow.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "DISTRIBUTION_KINDS",
    "MAX_DURATION_DAYS",
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Frozen",
    "Gamma",
    "LogNormal",
    "Triangular",
    "Uniform",
    "Weibull",
    "fixed",
]


class Frozen(BaseModel):
    """Base of every scenario section: immutable, unknown keys are errors, types are strict.

    Strict: a number is never read from ``true`` or ``"150"``, a count never from ``2.5``
    (an int is still a float). Every float must be finite (no ``inf`` or ``nan``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


#: The longest duration a distribution may give, in its mean and 99.9th percentile: 100 years.
MAX_DURATION_DAYS = 36_525
_HIGH = 0.999
_Z_HIGH = 3.090232306167813  # the standard normal's 99.9th percentile


class _Duration(Frozen):
    """A distribution of days, checked for a finite, plausible mean and upper tail."""

    def _high_quantile(self) -> float:
        raise NotImplementedError

    @model_validator(mode="after")
    def _plausible(self) -> _Duration:
        for what, measure in (("mean", lambda: self.mean), ("99.9th percentile", self._high_quantile)):  # type: ignore[attr-defined]
            try:
                value = float(measure())
            except (OverflowError, ValueError, ZeroDivisionError):
                value = math.inf
            if not math.isfinite(value) or value > MAX_DURATION_DAYS:
                shown = "not a finite number" if not math.isfinite(value) else f"{value:.4g} days"
                raise ValueError(
                    f"its {what} is {shown}; a duration's mean and 99.9th percentile must be at most "
                    f"{MAX_DURATION_DAYS:,} days (100 years): check its parameters"
                )
        return self


class Fixed(_Duration):
    kind: Literal["fixed"]
    value: float = Field(ge=0)

    @property
    def mean(self) -> float:
        return self.value

    def _high_quantile(self) -> float:
        return self.value


class Exponential(_Duration):
    kind: Literal["exponential"]
    mean: float = Field(gt=0)

    def _high_quantile(self) -> float:
        return -self.mean * math.log1p(-_HIGH)


class LogNormal(_Duration):
    """Lognormal given by the mean and standard deviation of the value itself."""

    kind: Literal["lognormal"]
    mean: float = Field(gt=0)
    sd: float = Field(gt=0)

    def _high_quantile(self) -> float:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return math.exp(math.log(self.mean) - sigma2 / 2 + _Z_HIGH * math.sqrt(sigma2))


class Gamma(_Duration):
    """Gamma given by shape and the mean of the value (scale = mean / shape)."""

    kind: Literal["gamma"]
    shape: float = Field(gt=0)
    mean: float = Field(gt=0)

    def _high_quantile(self) -> float:
        # Wilson-Hilferty; good to a few per cent, enough to catch an implausible tail.
        c = 1 / (9 * self.shape)
        return self.mean * max(0.0, 1 - c + _Z_HIGH * math.sqrt(c)) ** 3


class Weibull(_Duration):
    kind: Literal["weibull"]
    shape: float = Field(gt=0)
    scale: float = Field(gt=0)

    @property
    def mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)

    def _high_quantile(self) -> float:
        return self.scale * (-math.log1p(-_HIGH)) ** (1 / self.shape)


class Triangular(_Duration):
    kind: Literal["triangular"]
    low: float = Field(ge=0)
    mode: float = Field(ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("needs low <= mode <= high with low < high")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def _high_quantile(self) -> float:
        return self.high


class Uniform(_Duration):
    kind: Literal["uniform"]
    low: float = Field(ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError("needs low < high")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def _high_quantile(self) -> float:
        return self.high


class Empirical(_Duration):
    """Resample from observed values (each equally likely unless weights are given)."""

    kind: Literal["empirical"]
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _valid(self) -> Empirical:
        if any(v < 0 for v in self.values):
            raise ValueError("values must not be negative")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have one entry per value")
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be non-negative and not all zero")
        return self

    @property
    def mean(self) -> float:
        weights = self.weights or [1.0] * len(self.values)
        return sum(v * w for v, w in zip(self.values, weights, strict=True)) / sum(weights)

    def _high_quantile(self) -> float:
        return max(self.values)


Distribution = Annotated[
    Fixed | Exponential | LogNormal | Gamma | Weibull | Triangular | Uniform | Empirical,
    Field(discriminator="kind"),
]


def fixed(value: float) -> Fixed:
    return Fixed(kind="fixed", value=value)


DISTRIBUTION_KINDS = ("fixed", "exponential", "lognormal", "gamma", "weibull", "triangular", "uniform", "empirical")
