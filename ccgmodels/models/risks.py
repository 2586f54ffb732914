"""A body's risk and mitigation register, and its risk-adjusted position [£k].

The register is :mod:`ccgmodels.inputs.risks` (``risks:`` and ``mitigations:`` on every kind
of organisation). Sign: a risk's amounts are costs (positive numbers that lower the position),
a mitigation's value an improvement (positive); surplus positive, as everywhere.

Notes
-----
Deterministic (expected values), for each year ``t``::

    mean_k[t]       = (low_k[t] + most_likely_k[t] + high_k[t]) / 3   (triangular mean;
                      most_likely defaults to the midpoint of low and high)
    gross_risk[t]   = sum_k most_likely_k[t]              (as if every risk materialised)
    net_risk[t]     = sum_k likelihood_k * mean_k[t]      (expected cost)
    mitigations[t]  = sum_m probability_m * value_m[t]    (expected value)
    risk_adjusted_surplus = do_something_surplus - net_risk + mitigations

Monte Carlo (:mod:`ccgmodels.models.uncertainty`), run ``r``: risk ``k`` materialises on a
Bernoulli(likelihood_k) draw and its size is the triangular quantile of one uniform draw
``u_rk`` in every year (a risk is a bad or a good outcome for the whole plan, not year by
year); mitigation ``m`` is delivered on a Bernoulli(probability_m) draw::

    net_risk[r, t]    = sum_k 1[v_rk < likelihood_k] * Q(u_rk; low_k[t], most_likely_k[t],
                                                       high_k[t])
    mitigations[r, t] = sum_m 1[w_rm < probability_m] * value_m[t]

A provider's or council's rows are at its ``consolidation`` share, as all its money is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..inputs.risks import amount
from .measures import MeasureArrays

#: the items of the ``risk_register`` measure, in the order tables show them
ITEMS = ("gross_risk", "net_risk", "mitigations")


def has_register(o) -> bool:
    """Whether organisation ``o`` carries a risk or mitigation register."""
    return bool(getattr(o, "risks", None) or getattr(o, "mitigations", None))


def share_of(o) -> float:
    """The share of ``o`` whose money enters the results (a provider's or council's
    ``consolidation``; 1 for a commissioner) [fraction]."""
    return float(getattr(o, "consolidation", 1.0))


@dataclass(frozen=True)
class Ranges:
    """A body's register as arrays over the years [£k]: risks ``(K, n)``, mitigations ``(M,
    n)``, and their probabilities ``(K,)`` and ``(M,)`` [fraction]."""

    low: np.ndarray
    mode: np.ndarray
    high: np.ndarray
    likelihood: np.ndarray
    value: np.ndarray
    probability: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """Each risk's mean cost if it materialises, ``(K, n)`` [£k]."""
        return (self.low + self.mode + self.high) / 3


def ranges(o, years: Sequence[str]) -> Ranges:
    """The register of organisation ``o`` over ``years`` as :class:`Ranges` [£k]; nothing
    before a council's ``first_year`` (it has no money in the modelled books before it)."""
    n = len(years)
    first = getattr(o, "first_year", None)
    live = np.array([first is None or first not in years or years.index(first) <= i
                     for i in range(n)], dtype=float)
    rows = [r.range_in(y) for r in o.risks for y in years]
    tri = np.asarray(rows, dtype=float).reshape(len(o.risks), n, 3) * live[:, None]
    value = np.asarray([[amount(m.value, y) for y in years] for m in o.mitigations],
                       dtype=float).reshape(len(o.mitigations), n) * live
    return Ranges(tri[..., 0], tri[..., 1], tri[..., 2],
                  np.asarray([r.likelihood for r in o.risks], dtype=float),
                  value, np.asarray([m.probability for m in o.mitigations], dtype=float))


def triangular_quantile(u, low, mode, high):
    """The ``u``-quantile of the triangular distribution (low, mode, high), elementwise
    [unit of low]; a range of no width gives its one value.

    Notes
    -----
    ::

        c = (mode - low) / (high - low)
        Q(u) = low + sqrt(u (high - low) (mode - low))           for u < c
             = high - sqrt((1 - u) (high - low) (high - mode))   otherwise
    """
    width = np.subtract(high, low)
    with np.errstate(invalid="ignore", divide="ignore"):  # width 0: both branches give low
        c = (np.subtract(mode, low)) / width
    left = low + np.sqrt(u * width * np.subtract(mode, low))
    right = high - np.sqrt((1 - u) * width * np.subtract(high, mode))
    return np.where(u < c, left, right)


@dataclass(frozen=True)
class Draws:
    """One body's register draws for a chunk of runs: whether each risk materialises ``(R,
    K)`` and its size's uniform draw ``(R, K)``, and whether each mitigation is delivered
    ``(R, M)`` [flag, fraction]."""

    occurs: np.ndarray
    size: np.ndarray
    delivered: np.ndarray


def expected(reg: Ranges) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gross risk, net (expected) risk and expected mitigations of a register, each ``(n,)``
    [£k] (see the module's Notes)."""
    gross = reg.mode.sum(axis=0)
    net = reg.likelihood @ reg.mean
    mit = reg.probability @ reg.value
    return gross, net, mit


def drawn(reg: Ranges, d: Draws) -> tuple[np.ndarray, np.ndarray]:
    """Net risk and mitigations of each run, each ``(R, n)`` [£k] (see the module's Notes)."""
    u = d.size[:, :, None]  # (R, K, 1): one draw a run, every year alike
    size = triangular_quantile(u, reg.low[None], reg.mode[None], reg.high[None])  # (R, K, n)
    net = np.einsum("rk,rkn->rn", d.occurs * 1.0, size)
    return net, (d.delivered * 1.0) @ reg.value


def register(o, years: Sequence[str], do_something_surplus, draws: Draws | None = None
             ) -> MeasureArrays:
    """The ``risk_register`` and ``risk_adjusted_surplus`` rows of organisation ``o`` (none
    for a body without a register) [£k].

    Parameters
    ----------
    o : organisation
        Any kind (its ``risks`` and ``mitigations``).
    years : sequence of str
        The modelled years.
    do_something_surplus : array
        Its do-something position, ``(n,)`` or ``(R, n)``, already at its consolidation
        share [£k].
    draws : Draws, optional
        A Monte Carlo chunk's draws; None: expected values (the deterministic model).
    """
    if not has_register(o):
        return {}
    reg = ranges(o, years)
    share = share_of(o)
    gross, net, mit = expected(reg)
    if draws is not None:
        net, mit = drawn(reg, draws)
    dss = np.asarray(do_something_surplus, dtype=float)
    shape = np.broadcast_shapes(dss.shape, np.shape(net), np.shape(mit))
    out: MeasureArrays = {
        ("risk_register", "gross_risk"): np.broadcast_to(share * gross, shape),
        ("risk_register", "net_risk"): np.broadcast_to(share * net, shape),
        ("risk_register", "mitigations"): np.broadcast_to(share * mit, shape),
    }
    out[("risk_adjusted_surplus", "")] = adjusted(dss, out[("risk_register", "net_risk")],
                                                  out[("risk_register", "mitigations")])
    return out


def adjusted(do_something_surplus, net_risk, mitigations):
    """The risk-adjusted position: ``do_something_surplus - net_risk + mitigations`` [£k]
    (the one place this rule is written; the footprint's is made by it too)."""
    return do_something_surplus - net_risk + mitigations


# --- the Monte Carlo's draws and the tornado's rows -------------------------------------------


def registers_of(scenario) -> tuple[tuple[str, int, int], ...]:
    """``(organisation id, risks, mitigations)`` of every body of ``scenario`` with a
    register, in the scenario's order."""
    return tuple((o.id, len(o.risks), len(o.mitigations)) for o in scenario.organisations
                 if has_register(o))


def uniforms(registers, seed: int, start: int, stop: int) -> np.ndarray:
    """Uniform draws ``(stop - start, 2K + M over every register)`` of runs
    ``start..stop-1``: two columns a risk (whether it materialises, its size), one a
    mitigation, from the registers' own stream (:func:`ccgmodels.models.seeds.register_rng`),
    block by block as every draw, so a run's draws depend on the seed and its index only."""
    from .seeds import BLOCK, register_rng

    width = sum(2 * k + m for _, k, m in registers)
    parts = []
    for b in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        u = register_rng(seed, b).random((BLOCK, width))
        lo, hi = max(start, b * BLOCK) - b * BLOCK, min(stop, (b + 1) * BLOCK) - b * BLOCK
        parts.append(u[lo:hi])
    return np.concatenate(parts)


def draws_of(registers, scenario, seed: int, start: int, stop: int, first: int = 0
             ) -> dict[str, Draws]:
    """Each register's :class:`Draws` in runs ``start + first..stop-1`` (``first`` 1 leaves
    out run 0, the expected values): a risk materialises when its first uniform is below its
    likelihood, its size is the triangular quantile of its second; a mitigation is delivered
    when its uniform is below its probability."""
    u = uniforms(registers, seed, start, stop)[first:]
    out, col = {}, 0
    for org_id, k, m in registers:
        o = scenario.org(org_id)
        likelihood = np.array([r.likelihood for r in o.risks], dtype=float)
        probability = np.array([x.probability for x in o.mitigations], dtype=float)
        out[org_id] = Draws(occurs=u[:, col:col + k] < likelihood,
                            size=u[:, col + k:col + 2 * k],
                            delivered=u[:, col + 2 * k:col + 2 * k + m] < probability)
        col += 2 * k + m
    return out


def tornado_measure(scenario, org: str) -> str:
    """The tornado's measure for ``org``: the risk-adjusted position where it has one (a body
    with a register, or the footprint of a scenario with one), else the do-something."""
    from ..inputs.vocab import FOOTPRINT

    return ("risk_adjusted_surplus" if any(has_register(o) and org in (o.id, FOOTPRINT)
                                           for o in scenario.organisations)
            else "do_something_surplus")


def tornado_rows(scenario, org: str, year: str, central: float):
    """The tornado's rows of the registers of ``org`` (every body's for the footprint) on its
    ``year`` risk-adjusted position, whose expected value is ``central`` [£k]: a
    ``pandas.DataFrame`` of ``assumption, name, dist, low, high, value_low, value_high,
    central`` (as :func:`ccgmodels.models.uncertainty.tornado`).

    A risk at its low does not materialise (the position gains its expected cost back); at
    its high it materialises at its high cost. A mitigation at its low is not delivered, at
    its high it is. Each at the body's consolidation share. ``low`` and ``high`` are the
    risk's cost (0 and its high) or the mitigation's value (0 and its value) [£k]; ``name``
    is "Risk: <name>" or "Mitigation: <name>", as the register names it.
    """
    import pandas as pd

    from ..inputs.vocab import FOOTPRINT

    rows = []
    for o in scenario.organisations:
        if not has_register(o) or org not in (o.id, FOOTPRINT):
            continue
        reg, share, t = ranges(o, scenario.years), share_of(o), scenario.years.index(year)
        for j, r in enumerate(o.risks):
            expected_cost = share * r.likelihood * float(reg.mean[j, t])
            high = float(reg.high[j, t])
            rows.append((f"organisations.{o.id}.risks.{r.id}", f"Risk: {r.name}", "risk",
                         0.0, high, central + expected_cost,
                         central + expected_cost - share * high))
        for j, x in enumerate(o.mitigations):
            value = float(reg.value[j, t])
            expected_value = share * x.probability * value
            rows.append((f"organisations.{o.id}.mitigations.{x.id}", f"Mitigation: {x.name}",
                         "mitigation", 0.0, value, central - expected_value,
                         central - expected_value + share * value))
    cols = ["assumption", "name", "dist", "low", "high", "value_low", "value_high"]
    return pd.DataFrame(rows, columns=cols).assign(central=central)


def with_tornado_rows(table, scenario, org: str, year: str, central: float):
    """A tornado ``table`` with :func:`tornado_rows` after its own rows; ``central`` is the
    risk-adjusted position of ``org`` in ``year`` [£k]."""
    import pandas as pd

    rows = tornado_rows(scenario, org, year, central)
    if not len(rows):
        return table
    return pd.concat([table, rows], ignore_index=True) if len(table) else rows
