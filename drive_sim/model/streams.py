"""Named random streams and distribution samplers.

Every random number in a run comes from a stream derived from the scenario's seed, the
replication index and a stream name: ``SeedSequence(seed, spawn_key=(replication,
stream_number))``. Stream numbers are positions in :data:`STREAM_NAMES`, which is only
ever appended to, so adding a stream never changes the numbers an existing one gives.

Each case gets a generator of its own (a Philox generator keyed by the replication and
stream, at a counter offset given by the case's index) and draws everything random about
itself when it is referred. Two
scenarios run with the same seed therefore see the same referrals and the same cases
(common random numbers), whatever their staffing.
"""

from __future__ import annotations

import math

import numpy as np

from drive_sim.scenario import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    Triangular,
    Uniform,
    Weibull,
)

__all__ = ["STREAM_NAMES", "Streams", "sample"]

#: Append only: a stream's number is its position here.
STREAM_NAMES: tuple[str, ...] = (
    "referrals",  # panel meeting sizes
    "cases",  # one generator per referred case
    "backlog",  # size and arrival times of the backdated backlog
    "backlog_cases",  # one generator per backdated case
    "non_drive",  # business-as-usual IDVA referrals and their lengths
    "routing",  # weighted picks within an IDVA group
    "workforce",  # leaving, vacancy lengths
)


#: spawn_key position that marks the key of a stream's per-item generators
_ITEMS = 1 << 32


class Streams:
    """The random streams of one replication, looked up by name."""

    def __init__(self, seed: int, replication: int):
        self.seed = seed
        self.replication = replication
        self._generators: dict[str, np.random.Generator] = {}
        self._keys: dict[str, np.ndarray] = {}

    def _number(self, name: str) -> int:
        try:
            return STREAM_NAMES.index(name)
        except ValueError:
            raise KeyError(f"unknown random stream {name!r}; add it to STREAM_NAMES") from None

    def __getitem__(self, name: str) -> np.random.Generator:
        generator = self._generators.get(name)
        if generator is None:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(self.replication, self._number(name)))
            generator = self._generators[name] = np.random.Generator(np.random.PCG64(sequence))
        return generator

    def item(self, name: str, index: int) -> np.random.Generator:
        """A generator of its own for item ``index`` (a case) of stream ``name``.

        A counter-based Philox generator keyed by the stream: item ``index`` starts at
        counter ``index x 2^128``, so items never overlap, and making one costs about half
        as much as hashing a new SeedSequence (there is one per case).
        """
        key = self._keys.get(name)
        if key is None:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(self.replication, self._number(name), _ITEMS))
            key = self._keys[name] = sequence.generate_state(2, np.uint64)
        return np.random.Generator(np.random.Philox(key=key, counter=[0, 0, index, 0]))


def sample(spec: Distribution, rng: np.random.Generator) -> float:
    """One draw from a distribution spec."""
    match spec:
        case Fixed(value=value):
            return float(value)
        case Exponential(mean=mean):
            return float(rng.exponential(mean))
        case LogNormal(mean=mean, sd=sd):
            sigma2 = math.log1p((sd / mean) ** 2)
            return float(rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2)))
        case Gamma(shape=shape, mean=mean):
            return float(rng.gamma(shape, mean / shape))
        case Weibull(shape=shape, scale=scale):
            return float(scale * rng.weibull(shape))
        case Triangular(low=low, mode=mode, high=high):
            return float(rng.triangular(low, mode, high))
        case Uniform(low=low, high=high):
            return float(rng.uniform(low, high))
        case Empirical(values=values, weights=weights):
            p = None if weights is None else np.asarray(weights) / sum(weights)
            return float(rng.choice(values, p=p))
    raise TypeError(f"not a distribution spec: {spec!r}")
