"""The footprint as a whole: GP access (appointment demand beyond capacity, and how the primary
care strategy closes it) and the system's transformation opportunities.

The plan gives two points of the gap, about 20k appointments a week in 2018 and 60k by 2020/21
if demand keeps growing (000:L90), and the shares of the solutions that close it: increasing
capacity 81%, improved triage 12%, pro-active and risk-stratified care 3%, reduced GP admin
3% (000:L632-637; collaboration has no share, and the shares sum to 99%). It gives no more, so
the series stops at the last stated year::

    do_nothing[t]    = the stated gap, interpolated between stated years (linear: the same
                       number each year; compound: the same rate)
    closed[t]        = do_nothing[t] * ramp[t], ramp rising in equal steps from 0 in the first
                       stated year to 1 at close_by
    closed_k[t]      = share_k * closed[t]                    for each solution k
    unallocated[t]   = (1 - sum_k share_k) * closed[t]        what the shares leave
    do_something[t]  = do_nothing[t] - sum_k closed_k[t]      (unallocated stays open)

[appointments/week]
"""

from __future__ import annotations

import numpy as np

from ..inputs import years as fy
from ..inputs.scenario import GpAccess
from .measures import MeasureArrays


def gp_access(a: GpAccess) -> tuple[list[str], MeasureArrays]:
    """The years of the gap and its measures ``("gp_access", item)`` [appointments/week]."""
    stated = sorted(a.unmet_demand, key=fy.start_of)
    years = fy.span(stated[0], stated[-1])
    t = np.array([fy.start_of(y) for y in years], dtype=float)
    at = np.array([fy.start_of(y) for y in stated], dtype=float)
    values = np.array([a.unmet_demand[y] for y in stated], dtype=float)
    if a.growth == "compound":
        demand = np.exp(np.interp(t, at, np.log(values)))
    else:
        demand = np.interp(t, at, values)
    close = fy.start_of(a.close_by or stated[-1])
    ramp = np.clip((t - t[0]) / (close - t[0]), 0.0, 1.0)
    closed = demand * ramp
    out = {("gp_access", "do_nothing"): demand}
    for k, share in a.solution_shares.items():
        out[("gp_access", k)] = share * closed
    out[("gp_access", "unallocated")] = (1 - sum(a.solution_shares.values())) * closed
    out[("gp_access", "do_something")] = demand - sum(
        (out[("gp_access", k)] for k in a.solution_shares), np.zeros(len(years)))
    return years, out


def opportunities(items, years) -> MeasureArrays:
    """The system's opportunities in the base year, and their totals with every repeat
    counted once ``("system_opportunity", item)`` [£k]; an opportunity without a figure has
    none (NaN, no row)."""
    n = len(years)
    out: MeasureArrays = {}
    totals = {"total_saving": 0.0, "total_investment": 0.0}
    for x in items:
        value = np.nan if x.value is None else x.value
        out[("system_opportunity", x.id)] = np.where(np.arange(n) == 0, value, np.nan)
        if x.value is not None and x.duplicate_of is None:
            totals[f"total_{x.kind}"] += x.value
    for k, v in totals.items():
        out[("system_opportunity", k)] = np.where(np.arange(n) == 0, v, np.nan)
    return out
