"""The arithmetic every organisation's position shares: growth indices, running totals,
compounding efficiency, and the do-something and underlying position from the solution lines.

Commissioners (:mod:`ccgmodels.models.finance`), providers and councils
(:mod:`ccgmodels.models.providers`) all build on it, so none imports another's module for it.
Money in £k; arrays broadcast, years on the last axis. Sign: surplus positive; solutions
positive numbers that improve the position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import series
from .kernels import running_sum
from .measures import MeasureArrays

SOLUTION_ITEMS = ("efficiency", "demand_mitigation", "schemes", "contingency_release",
                  "primary_care_model", "mental_health_investment", "contract_flows",
                  "avoided_cost", "stf", "social_care")
#: solution lines written only for an organisation that has them (today's rules), so a plan of
#: an earlier era has no row of them
OPTIONAL_ITEMS = ("deficit_support", "contract_value")
#: non-recurrent income and savings: left out of the underlying position
NON_RECURRENT_ITEMS = ("stf", "contingency_release", "deficit_support")


def grow(base, rate, years: Sequence[str]) -> np.ndarray:
    """``base`` grown by ``rate`` (a rate or ``{year: rate}``) each year [unit of base]."""
    return np.asarray(base, dtype=float) * series.index(rate, years)


def cumulative(values) -> np.ndarray:
    """Running total along the year axis [unit of values]."""
    return running_sum(values)


def efficiency_saving(cost_base, rate, years: Sequence[str]) -> np.ndarray:
    """Saving from efficiency ``rate`` a year (or by year) compounding after the base year::

        saving[t] = cost_base[t] * (1 - prod_{s<=t} (1 - rate_s))                  [£k]
    """
    return np.asarray(cost_base) * (1 - series.combined_index([(rate, -1)], years))


def position(do_nothing_surplus, lines: Mapping[str, object],
             non_recurrent_items=NON_RECURRENT_ITEMS, non_recurrent_extra=0.0
             ) -> MeasureArrays:
    """The solution lines, their total, the do-something and the underlying position [£k].

    Notes
    -----
    ::

        solutions total      = sum of the lines in SOLUTION_ITEMS (absent lines are 0), and of
                               OPTIONAL_ITEMS given (deficit support; a commissioner's
                               stated contract values against what its lines derive)
        do_something_surplus = do_nothing_surplus + solutions total              (exactly)
        underlying_surplus   = do_something_surplus - non-recurrent income and savings (STF,
                               contingency release, deficit support, non-recurrent schemes):
                               the exit run-rate
    """
    shape = np.broadcast(do_nothing_surplus, *lines.values(), non_recurrent_extra).shape
    total = np.zeros(shape)
    out: MeasureArrays = {}
    for item in (*SOLUTION_ITEMS, *(k for k in OPTIONAL_ITEMS if k in lines)):
        v = np.broadcast_to(np.asarray(lines.get(item, 0.0), dtype=float), shape)
        out[("solutions", item)] = v
        total = total + v
    out[("solutions", "total")] = total
    out[("do_something_surplus", "")] = do_nothing_surplus + total
    out[("do_something_cumulative_surplus", "")] = cumulative(do_nothing_surplus + total)
    one_off = sum(out[("solutions", k)] for k in non_recurrent_items
                  if ("solutions", k) in out) + non_recurrent_extra
    out[("underlying_surplus", "")] = out[("do_something_surplus", "")] - one_off
    return out
