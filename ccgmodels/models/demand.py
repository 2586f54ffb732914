"""Demand growth: activity and its cost by point of delivery.

Every function takes floats or numpy arrays and broadcasts; the year axis is always last, year
index ``t = 0`` is the base year. An array of shape ``(R, 1)`` in place of a float evaluates R
runs at once (used by :mod:`ccgmodels.models.uncertainty`).

Notes
-----
For point of delivery *p* with age mix :math:`w_{p,b}` and population growth :math:`g_b` by
age band *b*::

    demographic_p      = sum_b w_{p,b} * g_b                                [fraction/yr]
    growth_p           = (1 + demographic_p) * (1 + non_demographic_p) - 1  [fraction/yr]
    activity_p[t]      = activity_p[0] * (1 + growth_p) ** t                [count/yr]
    unit_cost_p        = line_base * cost_share_p / activity_p[0]           [£k/unit]
    price[t]           = ((1 + inflation) * (1 - tariff_efficiency)) ** t   [index]
    activity_cost_p[t] = activity_p[t] * unit_cost_p * price[t]             [£k]

When ``demand.growth_table`` names a provider, its 2019/20 growth (000:L2485-2497) is the total
growth of each point of delivery it covers, and the non-demographic driver is the residual
``(1 + total) / (1 + demographic) - 1``: demography then splits the growth, it does not add to it.
Zero growth gives flat activity; activity rises with every driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..inputs.scenario import Demand
from ..inputs.vocab import POD_SERVICE_LINE


def demographic_growth(age_mix: Mapping[str, float], population_growth: Mapping[str, object]):
    """Demographic growth of an activity [fraction/yr].

    Parameters
    ----------
    age_mix : mapping of str to float
        Share of the activity in each age band [fraction]; sums to 1.
    population_growth : mapping of str to float or array
        Population growth a year of each age band [fraction/yr].
    """
    return sum(w * population_growth[band] for band, w in age_mix.items())


def combine_growth(demographic, non_demographic):
    """Total growth from its two drivers, compounded [fraction/yr]."""
    return (1 + demographic) * (1 + non_demographic) - 1


def residual_growth(total, demographic):
    """Non-demographic growth that, with ``demographic``, gives ``total`` [fraction/yr]."""
    return (1 + total) / (1 + demographic) - 1


def growth_index(rate, n_years: int) -> np.ndarray:
    """Compound index ``(1 + rate) ** t`` for ``t = 0 .. n_years - 1`` [index, base = 1].

    ``rate`` may be a float or an array of shape ``(R, 1)`` (one rate per run).
    """
    return (1 + np.asarray(rate, dtype=float)) ** np.arange(n_years)


def price_index(inflation, efficiency, n_years: int) -> np.ndarray:
    """Price index net of efficiency, ``((1 + inflation) * (1 - efficiency)) ** t`` [index]."""
    return growth_index((1 + np.asarray(inflation)) * (1 - np.asarray(efficiency)) - 1, n_years)


@dataclass(frozen=True)
class PodProjection:
    """One point of delivery over the modelled years (arrays, year axis last)."""

    pod: str
    service_line: str
    demographic: object  # [fraction/yr]
    non_demographic: object  # [fraction/yr]
    growth: object  # [fraction/yr]
    activity: np.ndarray  # [count/yr]
    unit_cost: object  # [£k/unit]
    cost: np.ndarray  # [£k]
    cost_at_base_volume: np.ndarray  # [£k]: base activity at each year's price


def project_pods(
    demand: Demand,
    line_base: Mapping[str, object],
    inflation: Mapping[str, object],
    n_years: int,
    growth_table: Mapping[str, float | None] | None = None,
) -> list[PodProjection]:
    """Activity and cost of every point of delivery.

    Parameters
    ----------
    demand : Demand
        The organisation's demand assumptions.
    line_base : mapping
        Base-year spend of each service line, gross of QIPP savings [£k].
    inflation : mapping
        Price inflation a year of each service line [fraction/yr].
    n_years : int
        Number of modelled years, base year first.
    growth_table : mapping, optional
        Total growth by point of delivery from the named provider's table [fraction/yr].

    Returns
    -------
    list of PodProjection
    """
    table = growth_table or {}
    out = []
    for pod, p in demand.pods.items():
        line = POD_SERVICE_LINE[pod]
        demo = demographic_growth(p.age_mix, demand.population_growth)
        if p.non_demographic_growth is not None:
            non_demo = p.non_demographic_growth
        else:
            non_demo = residual_growth(table[pod], demo)
        growth = combine_growth(demo, non_demo)
        activity = p.activity * growth_index(growth, n_years)
        unit_cost = np.divide(np.multiply(line_base[line], p.cost_share), p.activity,
                              out=np.zeros(np.broadcast_shapes(np.shape(line_base[line]),
                                                               np.shape(p.activity))),
                              where=np.asarray(p.activity) > 0)
        price = price_index(inflation[line], demand.tariff_efficiency, n_years)
        cost = activity * unit_cost * price
        base_volume_cost = p.activity * unit_cost * price
        out.append(PodProjection(pod, line, demo, non_demo, growth, activity, unit_cost, cost,
                                 base_volume_cost))
    return out


def pod_shares(demand: Demand | None) -> dict[str, float]:
    """Share of each service line's base spend covered by points of delivery [fraction]."""
    shares: dict[str, float] = {}
    if demand is None:
        return shares
    for pod, p in demand.pods.items():
        line = POD_SERVICE_LINE[pod]
        shares[line] = shares.get(line, 0.0) + p.cost_share
    return shares
