"""Demand growth: activity and its cost by point of delivery.

Every function takes floats or numpy arrays and broadcasts; the year axis is always last, year
index ``t = 0`` is the base year. An array of shape ``(R, 1)`` in place of a float evaluates R
runs at once (used by :mod:`ccgmodels.models.uncertainty`). Any growth, inflation or efficiency
rate may be one number for every year or a mapping ``{year: rate}`` for the years after the
base (:mod:`ccgmodels.models.series`).

Notes
-----
For point of delivery *p* with age mix :math:`w_{p,b}` and population growth :math:`g_{b,t}` by
age band *b* and year *t*::

    demographic_p[t]     = sum_b w_{p,b} * g_{b,t}                           [fraction/yr]
    growth_p[t]          = (1 + demographic_p[t]) * (1 + non_demographic_p[t]) - 1
    activity_p[t]        = activity_p[0] * prod_{s<=t} (1 + growth_p[s])     [count/yr]
    unit_cost_p          = line_base * cost_share_p / activity_p[0]          [£k/unit]
    price[t]             = prod_{s<=t} (1 + inflation[s]) * (1 - tariff_efficiency[s])
                           (the efficiency factor on tariff-priced activity only: acute, not
                           GP appointments or prescribing items)
    activity_cost_p[t]   = activity_p[t] * unit_cost_p * price[t]            [£k]

When ``demand.growth_table`` names a provider, its base-year growth (000:L2485-2497) is the total
growth of each point of delivery it covers in every later year, and the non-demographic driver is
the residual ``(1 + total) / (1 + demographic[t]) - 1``: demography then splits the growth, it
does not add to it. Zero growth gives flat activity; activity rises with every driver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..inputs.scenario import Demand
from ..inputs.vocab import POD_SERVICE_LINE, TARIFF_LINES
from . import series
from .kernels import running_product


def demographic_growth(age_mix: Mapping[str, float], population_growth: Mapping[str, object],
                       years: Sequence[str]) -> np.ndarray:
    """Demographic growth of an activity in each year, base year 0 [fraction/yr].

    Parameters
    ----------
    age_mix : mapping of str to float
        Share of the activity in each age band [fraction]; sums to 1.
    population_growth : mapping of str to rate
        Population growth of each age band: a rate, or ``{year: rate}`` [fraction/yr].
    years : sequence of str
        Modelled years, base first.
    """
    return sum(w * series.rates(population_growth[band], years) for band, w in age_mix.items())


def combine_growth(demographic, non_demographic):
    """Total growth from its two drivers, compounded [fraction/yr]."""
    return (1 + demographic) * (1 + non_demographic) - 1


def residual_growth(total, demographic):
    """Non-demographic growth that, with ``demographic``, gives ``total`` [fraction/yr]."""
    return (1 + total) / (1 + demographic) - 1


@dataclass(frozen=True)
class PodProjection:
    """One point of delivery over the modelled years (arrays, year axis last)."""

    pod: str
    service_line: str
    demographic: np.ndarray  # [fraction/yr], base year 0
    non_demographic: np.ndarray  # [fraction/yr], base year 0
    growth: np.ndarray  # [fraction/yr], base year 0
    activity: np.ndarray  # [count/yr]
    unit_cost: object  # [£k/unit]
    cost: np.ndarray  # [£k]
    cost_at_base_volume: np.ndarray  # [£k]: base activity at each year's price


def project_pods(
    demand: Demand,
    line_base: Mapping[str, object],
    inflation: Mapping[str, object],
    years: Sequence[str],
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
        Price inflation of each service line: a rate or ``{year: rate}`` [fraction/yr].
    years : sequence of str
        Modelled years, base year first.
    growth_table : mapping, optional
        Total growth by point of delivery from the named provider's table, applied in every
        year after the base [fraction/yr].

    Returns
    -------
    list of PodProjection
    """
    table = growth_table or {}
    out = []
    for pod, p in demand.pods.items():
        line = POD_SERVICE_LINE[pod]
        demo = demographic_growth(p.age_mix, demand.population_growth, years)
        if p.non_demographic_growth is not None:
            non_demo = series.rates(p.non_demographic_growth, years)
        else:
            non_demo = residual_growth(series.rates(table[pod], years), demo)
        growth = combine_growth(demo, non_demo)
        activity = p.activity * running_product(1 + growth)
        unit_cost = np.divide(np.multiply(line_base[line], p.cost_share), p.activity,
                              out=np.zeros(np.broadcast_shapes(np.shape(line_base[line]),
                                                               np.shape(p.activity))),
                              where=np.asarray(p.activity) > 0)
        tariff = [(demand.tariff_efficiency, -1)] if line in TARIFF_LINES else []
        price = series.combined_index([inflation[line], *tariff], years)
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
