"""Distributions are data: ``{kind = "triangular", low = 90, mode = 210, high = 365}``.

Each kind is a frozen pydantic model with a ``mean``; ``sampling.sample`` draws from one.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "DISTRIBUTION_KINDS",
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
    """Base of every scenario section: immutable, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Fixed(Frozen):
    kind: Literal["fixed"]
    value: float = Field(ge=0)

    @property
    def mean(self) -> float:
        return self.value


class Exponential(Frozen):
    kind: Literal["exponential"]
    mean: float = Field(gt=0)


class LogNormal(Frozen):
    """Lognormal given by the mean and standard deviation of the value itself."""

    kind: Literal["lognormal"]
    mean: float = Field(gt=0)
    sd: float = Field(gt=0)


class Gamma(Frozen):
    """Gamma given by shape and the mean of the value (scale = mean / shape)."""

    kind: Literal["gamma"]
    shape: float = Field(gt=0)
    mean: float = Field(gt=0)


class Weibull(Frozen):
    kind: Literal["weibull"]
    shape: float = Field(gt=0)
    scale: float = Field(gt=0)

    @property
    def mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)


class Triangular(Frozen):
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


class Uniform(Frozen):
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


class Empirical(Frozen):
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


Distribution = Annotated[
    Fixed | Exponential | LogNormal | Gamma | Weibull | Triangular | Uniform | Empirical,
    Field(discriminator="kind"),
]


def fixed(value: float) -> Fixed:
    return Fixed(kind="fixed", value=value)


DISTRIBUTION_KINDS = ("fixed", "exponential", "lognormal", "gamma", "weibull", "triangular", "uniform", "empirical")
