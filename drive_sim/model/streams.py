"""Named random streams and distribution samplers.

Every random number in a run comes from a stream derived from the scenario's seed, the
replication index and a stream name: ``SeedSequence(seed, spawn_key=(replication,
stream_number))``. Stream numbers are positions in :data:`STREAM_NAMES`, which is only
ever appended to, so adding a stream never changes the numbers an existing one gives.

Cases draw their random numbers in blocks: case ``k`` of a stream is row ``k mod
ITEM_BLOCK`` of block ``k // ITEM_BLOCK``, an array of uniforms from a Philox generator
keyed by the replication and stream, at a counter offset given by the block's index
(:meth:`Streams.items`). A case's numbers depend only on its index, never on what else
was drawn, so two scenarios run with the same seed see the same referrals and the same
cases (common random numbers), whatever their staffing; drawing a block at a time costs
a fraction of a call per case.

Every continuous draw is one uniform turned into the distribution by its quantile
function (:func:`quantile`, inversion), so each draw takes exactly one uniform whatever
its distribution: a scenario that changes one distribution's family or parameters keeps
every other draw the same.

Each post (practitioner) gets uniforms of its own too, keyed by the post's *name*, not
its position in the team list (:class:`PostStream`): its ``k``-th block comes from the
stream's Philox generator for posts at counter ``(0, 0, k, post_key)``, with
``post_key`` the first 8 bytes of the SHA-256 of the name (never Python's ``hash()``,
which changes between processes). Adding a Drive IDVA therefore leaves every other
post's business-as-usual referrals, leaving and vacancy draws unchanged.

Moving one Philox generator to a counter costs about a tenth of building a seeded
generator, which matters at a dozen posts and several streams a replication.
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

__all__ = [
    "ITEM_BLOCK",
    "STREAM_NAMES",
    "Floats",
    "PostStream",
    "Quantile",
    "Streams",
    "exponential_quantile",
    "post_key",
    "quantile",
    "sample",
]

#: An array of floats.
Floats = np.ndarray[Any, np.dtype[np.float64]]
#: A Philox key: two 64-bit words.
Words = np.ndarray[Any, np.dtype[np.uint64]]

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
        self._philox: dict[tuple[str, int], tuple[Words, np.random.Philox, np.random.Generator]] = {}
        self._posts: dict[tuple[str, str], PostStream] = {}

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

    def post(self, name: str, post: str) -> PostStream:
        """The uniforms of stream ``name`` that belong to the post named ``post``."""
        stream = self._posts.get((name, post))
        if stream is None:
            stream = self._posts[(name, post)] = PostStream(self, name, post_key(post))
        return stream

    def items(self, name: str, block: int, shape: tuple[int, int]) -> Floats:
        """Block ``block`` of stream ``name``'s items: ``shape`` uniforms in [0, 1), a row an item.

        From counter ``(0, 0, block, 0)`` of the stream's Philox generator for items, so
        blocks never overlap (a block of up to 2^130 uniforms).
        """
        return self.block(name, _ITEMS, (0, 0, block, 0), shape)

    def block(self, name: str, marker: int, counter: tuple[int, int, int, int], shape: tuple[int, ...]) -> Floats:
        """``shape`` uniforms from ``counter`` of stream ``name``'s Philox generator for ``marker`` (items, posts).

        The generator is keyed by ``SeedSequence(seed, spawn_key=(replication, stream,
        marker))``. The stream keeps a single Philox generator and moves it to the counter
        (with an empty buffer, exactly the state of a new ``Philox(key, counter)``) rather
        than building a new one.
        """
        keyed = self._philox.get((name, marker))
        if keyed is None:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(self.replication, self._number(name), marker))
            key = sequence.generate_state(2, np.uint64).astype(np.uint64)
            bit_generator = np.random.Philox(key=key)
            keyed = self._philox[(name, marker)] = (key, bit_generator, np.random.Generator(bit_generator))
        key, bit_generator, generator = keyed
        bit_generator.state = {
            "bit_generator": "Philox",
            "state": {"counter": np.array(counter, dtype=np.uint64), "key": key},
            "buffer": np.zeros(4, dtype=np.uint64),
            "buffer_pos": 4,
            "has_uint32": 0,
            "uinteger": 0,
        }
        return generator.random(shape)


class PostStream:
    """One post's uniforms of one stream: each call of :meth:`random` takes the post's next block.

    Block ``k`` starts at counter ``(0, 0, k, post_key)`` of the stream's Philox generator
    for posts, so a post's blocks never overlap each other's or another post's.
    """

    __slots__ = ("_blocks", "_key", "_name", "_streams")

    def __init__(self, streams: Streams, name: str, key: int):
        self._streams = streams
        self._name = name
        self._key = key
        self._blocks = 0

    def random(self, shape: int | tuple[int, ...]) -> Floats:
        """The post's next ``shape`` uniforms in [0, 1) (a block of its own)."""
        block = self._blocks
        self._blocks += 1
        return self._streams.block(
            self._name, _POSTS, (0, 0, block, self._key), (shape,) if isinstance(shape, int) else shape
        )


#: Items (cases) a block of :meth:`Streams.items` holds.
ITEM_BLOCK = 64

#: A function of uniforms in [0, 1): the distribution's values at them (its quantile function).
Quantile = Callable[[Floats], Floats]

#: A spec's quantile function, by ``id(spec)`` (the spec is kept with it, so an id is never
#: reused while its entry lives); cleared when it grows past _MAX_QUANTILES.
_QUANTILES: dict[int, tuple[Distribution, Quantile]] = {}
_MAX_QUANTILES = 4096


def quantile(spec: Distribution) -> Quantile:
    """The quantile function of a distribution spec, vectorised: ``quantile(spec)(u)`` for an array ``u``.

    Its parameters are worked out once per spec.
    """
    entry = _QUANTILES.get(id(spec))
    if entry is None or entry[0] is not spec:
        if len(_QUANTILES) >= _MAX_QUANTILES:
            _QUANTILES.clear()
        entry = _QUANTILES[id(spec)] = (spec, _quantile(spec))
    return entry[1]


def sample(spec: Distribution, rng: np.random.Generator | PostStream) -> float:
    """One draw from a distribution spec: one uniform from ``rng``, by inversion (a fixed value takes one too)."""
    return float(quantile(spec)(rng.random(1))[0])


def exponential_quantile(mean: float, u: Floats) -> Floats:
    """Exponential draws with mean ``mean`` at uniforms ``u`` (mean 1: unit-exponential clocks)."""
    return -mean * np.log1p(-u)


def _quantile(spec: Distribution) -> Quantile:
    """The quantile function of ``spec`` (parameters as in the schema's field descriptions)."""
    match spec:
        case Fixed(value=value):
            fixed = float(value)
            return lambda u: np.full(u.shape, fixed)
        case Exponential(mean=mean):
            return lambda u: exponential_quantile(mean, u)
        case LogNormal(mean=mean, sd=sd):
            from scipy.special import ndtri

            sigma2 = math.log1p((sd / mean) ** 2)
            mu, sigma = math.log(mean) - sigma2 / 2, math.sqrt(sigma2)
            return lambda u: np.exp(mu + sigma * ndtri(u))
        case Gamma(shape=shape, mean=mean):
            from scipy.special import gammaincinv

            scale = mean / shape
            return lambda u: scale * gammaincinv(shape, u)
        case Weibull(shape=shape, scale=scale):
            return lambda u: scale * (-np.log1p(-u)) ** (1 / shape)
        case Triangular(low=low, mode=mode, high=high):
            width = high - low
            split = (mode - low) / width if width > 0 else 1.0

            def triangular(u: Floats) -> Floats:
                rising = low + np.sqrt(u * width * (mode - low))
                falling = high - np.sqrt((1 - u) * width * (high - mode))
                return np.where(u < split, rising, falling)

            return triangular
        case Uniform(low=low, high=high):
            return lambda u: low + (high - low) * u
        case Empirical(values=values, weights=weights):
            points = np.asarray(values, dtype=float)
            cumulative = np.cumsum(np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float))
            cumulative /= cumulative[-1]
            last = len(points) - 1
            return lambda u: points[np.minimum(np.searchsorted(cumulative, u, side="right"), last)]
    raise TypeError(f"not a distribution spec: {spec!r}")
