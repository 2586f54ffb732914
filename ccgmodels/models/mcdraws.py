"""The draws of the Monte Carlo (:mod:`ccgmodels.models.uncertainty`): what is uncertain in a
scenario (:class:`Spec`), the uniform and normal draws of each run by the seed rule
(:mod:`ccgmodels.models.seeds`), each range's values, scheme delivery as bits, and a scenario
with a chunk's draws substituted in. The conventions are the uncertainty module's."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..inputs.fields import describe
from ..inputs.paths import get_path, matches, substitute_many
from ..inputs.rules import range_problems
from ..inputs.scenario import Commissioner, Distribution, Scenario
from . import efficiency, risks, schemes
from .seeds import BLOCK, block_rng

Z90 = 1.2815515655446004  # 90th percentile of the standard normal


@dataclass(frozen=True)
class Spec:
    """What is uncertain in a scenario: ranges, central values, bounds and schemes."""

    paths: tuple[str, ...]  # the uncertainty keys, one draw a run each
    dists: tuple[Distribution, ...]
    bounds: tuple[tuple[float, float], ...]
    schemes: tuple[tuple[str, int], ...]  # (commissioner id, number of schemes)
    targets: tuple[tuple[str, ...], ...]  # the assumptions each key sets (* expanded)
    centrals: tuple[tuple[float, ...], ...]  # the scenario value of each target
    correlation: float = 0.0  # programme-wide slippage (Scenario.delivery_correlation)
    #: (trust or council id, number of schemes) of each efficiency register
    registers: tuple[tuple[str, int], ...] = ()
    #: (org id, risks, mitigations) of each risk register
    risk_registers: tuple[tuple[str, int, int], ...] = ()

    @property
    def central(self) -> tuple[float, ...]:
        """Each key's central value: its first target's (a shared driver may have several)."""
        return tuple(c[0] for c in self.centrals)

    @property
    def n_uniform(self) -> int:
        """Uniform columns per run: one per assumption, scheme and gap (QIPP, then efficiency
        registers), and two for programme-wide slippage (the shared draw and the switch)."""
        return len(self.paths) + sum(n + 1 for _, n in (*self.schemes, *self.registers)) + 2


def spec_of(scenario: Scenario) -> Spec:
    """The :class:`Spec` of a scenario; raises ValueError for a range outside its bounds."""
    bad = range_problems(scenario)
    if bad:
        raise ValueError("; ".join(f"{p}: {m} (got {v})" for p, v, m in bad))
    paths = tuple(scenario.uncertainty)
    targets = tuple(tuple(matches(scenario, p)) for p in paths)
    centrals = tuple(tuple(float(get_path(scenario, t)) for t in ts) for ts in targets)
    metas = [describe(type(scenario), ts[0], scenario) for ts in targets]
    return Spec(paths, tuple(scenario.uncertainty.values()),
                tuple((m.low, m.high) for m in metas),
                tuple((o.id, len(schemes.all_schemes(o))) for o in scenario.organisations
                      if isinstance(o, Commissioner)),
                targets, centrals, float(scenario.delivery_correlation),
                tuple((o.id, len(o.efficiency.schemes)) for o in efficiency.registered(scenario)),
                risks.registers_of(scenario))


def transform(d: Distribution, u: np.ndarray, z: np.ndarray, bounds=(-math.inf, math.inf)):
    """Values of distribution ``d`` from uniform ``u`` and standard normal ``z`` draws."""
    low, high = d.low, d.high
    if d.dist == "normal80":
        x = (low + high) / 2 + (high - low) / (2 * Z90) * z
        return np.clip(x, *bounds)
    if d.dist == "uniform":
        return low + (high - low) * u
    mode = d.mode if d.mode is not None else (low + high) / 2
    if high - low == 0:
        return np.full_like(u, low)
    return risks.triangular_quantile(u, low, mode, high)


def uniforms(spec: Spec, seed: int, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform ``(m, n_uniform)`` and normal ``(m, n_paths)`` draws of runs ``start..stop-1``."""
    us, zs = [], []
    for b in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        rng = block_rng(seed, b)
        u = rng.random((BLOCK, spec.n_uniform))
        z = rng.standard_normal((BLOCK, len(spec.paths)))
        lo, hi = max(start, b * BLOCK) - b * BLOCK, min(stop, (b + 1) * BLOCK) - b * BLOCK
        us.append(u[lo:hi])
        zs.append(z[lo:hi])
    return np.concatenate(us), np.concatenate(zs)


def delivery_bits(spec: Spec, seed: int, start: int, stop: int,
                  probabilities: Mapping[str, tuple[np.ndarray, np.ndarray]] | None,
                  scenario: Scenario) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The draws of runs ``start..stop-1`` (:func:`draws`), and whether each scheme and gap
    is delivered in each run, ``(m, columns)`` booleans in the order of :class:`Spec`'s
    registers: the uniforms of :func:`uniforms`, a block of runs at a time, each compared
    with its probability as soon as it is drawn, so that a chunk never holds a float for
    every scheme of every run (at 200 commissioners that is 60 kB a run). Programme-wide
    slippage: in a share ``correlation`` of runs every scheme and gap is delivered or not on
    one shared uniform draw, otherwise each on its own. ``probabilities``: those of
    :class:`Prepared`, or None when a range draws one (then each run's, from the scenario
    with that run's draws)."""
    k = len(spec.paths)
    cols = spec.n_uniform - k - 2  # schemes and gaps
    u_paths, z = np.empty((stop - start, k)), np.empty((stop - start, k))
    bits = np.empty((stop - start, cols), dtype=bool)
    fixed = None
    if probabilities is not None:
        fixed = np.concatenate([np.append(*probabilities[o]) for o, _ in
                                (*spec.schemes, *spec.registers)]) if cols else np.empty(0)
    blocks = []
    for b in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        rng = block_rng(seed, b)
        u = rng.random((BLOCK, spec.n_uniform))
        zb = rng.standard_normal((BLOCK, k))
        lo, hi = max(start, b * BLOCK) - b * BLOCK, min(stop, (b + 1) * BLOCK) - b * BLOCK
        at = slice(b * BLOCK + lo - start, b * BLOCK + hi - start)
        u_paths[at], z[at] = u[lo:hi, :k], zb[lo:hi]
        own = u[lo:hi, k:k + cols]
        if spec.correlation > 0:
            own = np.where(u[lo:hi, -1:] < spec.correlation, u[lo:hi, -2:-1], own)
        if fixed is not None:
            np.less(own, fixed, out=bits[at])
        else:
            blocks.append((at, own))
    drawn = draws(spec, seed, start, stop, (u_paths, z))
    if fixed is None:  # a probability drawn: each random run's, from its own scenario
        first = 1 if start == 0 else 0
        m = stop - start - first
        orgs = {o.id: o for o in substitute_draws(
            scenario, spec, {k: v[first:] for k, v in drawn.items()}, False).organisations}
        p = np.concatenate([np.column_stack([np.broadcast_to(pr[0], (m, n_s)),
                                             np.broadcast_to(pr[1], (m, 1))])
                            for o, n_s in (*spec.schemes, *spec.registers)
                            for pr in [schemes.register_probabilities(orgs[o])]], axis=1)
        p = np.concatenate([np.zeros((first, cols)), p])  # run 0's row: never read
        for at, own in blocks:
            np.less(own, p[at], out=bits[at])
    return drawn, bits


class Delivery(Mapping):
    """Each register's delivery factors from :func:`delivery_bits`, made as floats when its
    organisation is evaluated (``{id: {"delivery": (m, S), "gap_delivery": (m, 1)}}``, the
    keyword arguments of the models), not all at once."""

    def __init__(self, spec: Spec, bits: np.ndarray):
        self.bits, self.at = bits, {}
        col = 0
        for org_id, n_schemes in (*spec.schemes, *spec.registers):
            self.at[org_id] = (col, n_schemes)
            col += n_schemes + 1

    def __getitem__(self, org_id: str) -> dict[str, np.ndarray]:
        col, n_s = self.at[org_id]
        factor = self.bits[:, col:col + n_s + 1] * 1.0
        return {"delivery": factor[:, :n_s], "gap_delivery": factor[:, -1:]}

    def __iter__(self):
        return iter(self.at)

    def __len__(self) -> int:
        return len(self.at)


def draws(spec: Spec, seed: int, start: int, stop: int, made=None) -> dict[str, np.ndarray]:
    """Value of every uncertain assumption in runs ``start..stop-1``; run 0 is central.
    ``made``: the :func:`uniforms` of those runs, when the caller has them."""
    u, z = uniforms(spec, seed, start, stop) if made is None else made
    runs = np.arange(start, stop)
    out = {}
    for k, (path, d) in enumerate(zip(spec.paths, spec.dists, strict=True)):
        x = transform(d, u[:, k], z[:, k], spec.bounds[k])
        out[path] = np.where(runs == 0, spec.central[k], x)
    return out


def substitute_draws(scenario: Scenario, spec: Spec, drawn: Mapping[str, np.ndarray],
                     central_run) -> Scenario:
    """The scenario with each key's draw in every assumption it sets (a shared driver: the
    same draw in every organisation); in the central run each keeps its own value."""
    values = {}
    for k, path in enumerate(spec.paths):
        for target, value in zip(spec.targets[k], spec.centrals[k], strict=True):
            values[target] = np.where(central_run, value, drawn[path])[:, None]
    return substitute_many(scenario, values)
