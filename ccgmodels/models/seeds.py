"""The seed rule of the Monte Carlo, written once.

A simulation's seed is the one given, or one drawn from the OS when none is (:func:`run_seed`;
the seed is recorded in the result, so any run can be repeated). A report's Monte Carlo uses
:data:`DEFAULT_SEED` unless told otherwise, so the same scenario gives the same report. Runs are
drawn in blocks of :data:`BLOCK`: block ``b`` draws from the child ``SeedSequence(seed,
spawn_key=(b,))`` (:func:`block_rng`), so the draws of run ``r`` (block ``r // BLOCK``, row
``r % BLOCK``) depend on the seed and the run index only, never on how runs are chunked or
spread over workers. The risk registers draw from a stream of their own,
``SeedSequence(seed, spawn_key=(b, 1))`` (:func:`register_rng`), so adding a register to a
scenario leaves its other draws as they were.
"""

from __future__ import annotations

import numpy as np

#: the seed of a report's Monte Carlo when none is given (the start of 2019/20) [-]
DEFAULT_SEED = 20190401

#: runs per child SeedSequence (fixed: changing it changes every draw) [count]
BLOCK = 1024


def run_seed(seed: int | None) -> int:
    """The seed of a simulation: ``seed``, or fresh entropy from the OS when None [-]."""
    return int(np.random.SeedSequence(seed).entropy) if seed is None else int(seed)


def block_rng(seed: int, block: int) -> np.random.Generator:
    """The generator of block ``block`` of runs (runs ``block * BLOCK`` to
    ``(block + 1) * BLOCK - 1``) of a simulation seeded ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))


def register_rng(seed: int, block: int) -> np.random.Generator:
    """The generator of the risk registers' draws in block ``block`` of runs of a simulation
    seeded ``seed``: a stream apart from :func:`block_rng`'s."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, 1)))
