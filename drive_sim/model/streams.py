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

Each post (practitioner) gets generators of its own too, keyed by the post's *name*, not
its position in the team list: ``SeedSequence(seed, spawn_key=(replication,
stream_number, 2^33, post_key))`` with ``post_key`` the first 8 bytes of the SHA-256 of
the name (never Python's ``hash()``, which changes between processes). Adding a Drive
IDVA therefore leaves every other post's business-as-usual referrals, leaving and vacancy
draws unchanged.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

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

__all__ = ["STREAM_NAMES", "Streams", "post_key", "sample"]

#: Append only: a stream's number is its position here.
STREAM_NAMES: tuple[str, ...] = (
    "referrals",  # panel meeting sizes
    "cases",  # one generator per referred case
    "backlog",  # size and arrival times of the backdated backlog
    "backlog_cases",  # one generator per backdated case
    "non_drive",  # business-as-usual IDVA referrals and their lengths, one generator per post
    "routing",  # weighted picks within an IDVA group
    "workforce",  # leaving: one uniform a week, one generator per post
    "vacancy",  # vacancy lengths, one generator per post
)


#: spawn_key position that marks the key of a stream's per-item generators
_ITEMS = 1 << 32
#: spawn_key position that marks the key of a stream's per-post generators
_POSTS = 1 << 33


def post_key(name: str) -> int:
    """A stable 64-bit integer for a post's name (the same in every process and run)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")


class Streams:
    """The random streams of one replication, looked up by name."""

    def __init__(self, seed: int, replication: int):
        self.seed = seed
        self.replication = replication
        self._generators: dict[str, np.random.Generator] = {}
        self._items: dict[str, tuple[np.ndarray[Any, np.dtype[np.uint64]], np.random.Philox, np.random.Generator]] = {}
        self._posts: dict[tuple[str, str], np.random.Generator] = {}

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

    def post(self, name: str, post: str) -> np.random.Generator:
        """The generator of stream ``name`` that belongs to the post named ``post``."""
        generator = self._posts.get((name, post))
        if generator is None:
            sequence = np.random.SeedSequence(
                self.seed, spawn_key=(self.replication, self._number(name), _POSTS, post_key(post))
            )
            generator = self._posts[(name, post)] = np.random.Generator(np.random.PCG64(sequence))
        return generator

    def item(self, name: str, index: int) -> np.random.Generator:
        """The generator of item ``index`` (a case) of stream ``name``, valid until the next call.

        A counter-based Philox generator keyed by the stream: item ``index`` starts at
        counter ``index x 2^128``, so items never overlap. There is one item per case, so
        the stream keeps a single Philox generator and moves it to the item's counter
        (with an empty buffer, exactly the state of a new ``Philox(key, counter)``) rather
        than building a new one: each call re-seeds the generator the previous call
        returned, so draw everything an item needs before asking for the next.
        """
        item = self._items.get(name)
        if item is None:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(self.replication, self._number(name), _ITEMS))
            key = sequence.generate_state(2, np.uint64).astype(np.uint64)
            bit_generator = np.random.Philox(key=key)
            item = self._items[name] = (key, bit_generator, np.random.Generator(bit_generator))
        key, bit_generator, generator = item
        bit_generator.state = {
            "bit_generator": "Philox",
            "state": {"counter": np.array([0, 0, index, 0], dtype=np.uint64), "key": key},
            "buffer": np.zeros(4, dtype=np.uint64),
            "buffer_pos": 4,
            "has_uint32": 0,
            "uinteger": 0,
        }
        return generator


#: A spec's sampler, by ``id(spec)`` (the spec is kept with it, so an id is never reused
#: while its entry lives); cleared when it grows past _MAX_SAMPLERS.
_SAMPLERS: dict[int, tuple[Distribution, Callable[[np.random.Generator], float]]] = {}
_MAX_SAMPLERS = 4096


def sample(spec: Distribution, rng: np.random.Generator) -> float:
    """One draw from a distribution spec."""
    entry = _SAMPLERS.get(id(spec))
    if entry is None or entry[0] is not spec:
        if len(_SAMPLERS) >= _MAX_SAMPLERS:
            _SAMPLERS.clear()
        entry = _SAMPLERS[id(spec)] = (spec, _sampler(spec))
    return entry[1](rng)


def _sampler(spec: Distribution) -> Callable[[np.random.Generator], float]:
    """A function drawing from ``spec``, its parameters worked out once (the same numbers)."""
    match spec:
        case Fixed(value=value):
            fixed = float(value)
            return lambda rng: fixed
        case Exponential(mean=mean):
            return lambda rng: float(rng.exponential(mean))
        case LogNormal(mean=mean, sd=sd):
            sigma2 = math.log1p((sd / mean) ** 2)
            mu, sigma = math.log(mean) - sigma2 / 2, math.sqrt(sigma2)
            return lambda rng: float(rng.lognormal(mu, sigma))
        case Gamma(shape=shape, mean=mean):
            scale = mean / shape
            return lambda rng: float(rng.gamma(shape, scale))
        case Weibull(shape=shape, scale=scale):
            return lambda rng: float(scale * rng.weibull(shape))
        case Triangular(low=low, mode=mode, high=high):
            return lambda rng: float(rng.triangular(low, mode, high))
        case Uniform(low=low, high=high):
            return lambda rng: float(rng.uniform(low, high))
        case Empirical(values=values, weights=weights):

            def empirical(rng: np.random.Generator) -> float:
                p = None if weights is None else np.asarray(weights) / sum(weights)
                return float(rng.choice(values, p=p))

            return empirical
    raise TypeError(f"not a distribution spec: {spec!r}")
