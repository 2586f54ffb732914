"""An integrated care board (ICB) and today's rules: allocation streams, the running cost
allowance, convergence, places, a merger's restated baseline, deficit support and the breakeven
rule judged body by body [£k unless stated].

An ICB is a commissioner: :func:`ccgmodels.models.finance.commissioner` evaluates it by the
same steps as a CCG, taking its allocation from :func:`allocation` and adding the rows of
:func:`body_rows`. Sign: surplus positive, deficit negative.

* **Streams.** ``core_services``, ``primary_medical_care``, ``delegated_primary_care`` and
  ``specialised`` grow by their rates (or take published levels), times the growth adjustment;
  ``running_costs`` is the running cost allowance, ``rca_per_head [£/person] * population
  [people] / 1000``.
* **Convergence.** A stream with a target moves towards it: its distance from target closes at
  ``convergence_pace`` a year; the target grows with the stream's growth, or is published by
  year.
* **Places.** Each place keeps its base-year share of every stream and spend line, and of the
  population (so of the running cost allowance): the places sum to the ICB in every year,
  an identity checked with the others (:func:`ccgmodels.models.results.check_identities`).
  Places are rows of the ICB (``org`` the ICB, ``item`` the place id), not organisations, so
  the footprint never counts them.
* **A merger.** :func:`restated` folds the predecessors of a merged ICB into it (its base year
  the sum of theirs, they are not evaluated: nothing counts twice); :func:`restatement` is the
  table of the sums.
* **Today's rules.** Deficit support is non-recurrent income, a solution line of its own, left
  out of the underlying position; the breakeven rule (:func:`breakeven`) holds where the
  underlying position reaches the planned surplus, so a body that breaks even only with deficit
  support fails it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..inputs.icb import Base, base_of, place_figures
from ..inputs.scenario import Icb, IcbStreams, Scenario, ServiceLineSpend
from ..inputs.vocab import ICB_STREAMS, SERVICE_LINES
from . import series
from .arithmetic import grow

Series = dict[tuple[str, str], np.ndarray]


# --- allocation ------------------------------------------------------------------------------


def population(o: Icb, years: Sequence[str]) -> np.ndarray:
    """Population in each year, ``population * prod(1 + population_growth)`` [people]."""
    return grow(o.population, o.population_growth, years)


def running_costs(o: Icb, years: Sequence[str]) -> np.ndarray:
    """The running cost allowance, ``rca_per_head * population / 1000`` [£k].

    References
    ----------
    The issue's rate, "about £18.76 a head", is the scenario's to state and cite
    (``allocation.rca_per_head``); nothing is assumed here.
    """
    return series.levels(o.allocation.rca_per_head, years) * population(o, years) / 1000.0


def converged(level, target, pace: float, t) -> tuple[np.ndarray, np.ndarray]:
    """A stream after convergence, and its distance from target [£k, fraction].

    Notes
    -----
    ::

        d[0]        = (level[0] - target[0]) / target[0]
        d[t]        = d[0] * (1 - pace)^t          (the distance closes at the pace)
        converged_t = target[t] * (1 + d[t])

    With pace 0, ``converged = level`` when the target grows as the level does.
    """
    level = np.asarray(level, dtype=float)
    target = np.asarray(target, dtype=float)
    d0 = (level[..., :1] - target[..., :1]) / target[..., :1]
    distance = d0 * (1.0 - pace) ** np.asarray(t, dtype=float)
    return target * (1.0 + distance), distance


def allocation(o: Icb, years: Sequence[str]) -> tuple[dict[str, np.ndarray], Series]:
    """Allocation by stream and ``total`` [£k]; and the ICB's population, running cost rate,
    target allocations and distance from target [people, £/person, £k, fraction].

    Notes
    -----
    ::

        stream_x[t]   = base_x * prod_{s<=t} (1 + growth_x[s])   (or the published level)
                        * prod_{s<=t} (1 + growth_adjustment)     x: the four streams
        target_x[t]   = target_x * prod_{s<=t} (1 + growth_x[s])  (or published by year)
        stream_x[t]   = target_x[t] * (1 + d_x[0] * (1 - pace_x)^t)   with a target, grown
        running_costs = rca_per_head * population / 1000
        total         = sum of the five
    """
    a = o.allocation
    n = len(years)
    t = np.arange(n)
    adjustment = series.index(a.growth_adjustment, years)
    out: dict[str, np.ndarray] = {}
    rows: Series = {}
    for k in ICB_STREAMS:
        base = getattr(a.base, k)
        if a.levels is not None:
            level = series.levels({years[0]: base, **{
                y: getattr(a.levels[y], k) for y in years[1:]}}, years)
        else:
            level = grow(base, getattr(a.growth, k), years)
        c = a.convergence.get(k)
        if c is not None:
            target = (series.levels(c.target, years) if isinstance(c.target, dict)
                      else grow(c.target, getattr(a.growth, k), years))
            pace = 0.0 if a.levels is not None else c.convergence_pace
            moved, distance = converged(level, target, pace, t)
            level = level if a.levels is not None else moved
            # published levels: the distance is what they leave, read off the targets
            if a.levels is not None:
                distance = (level - target) / target
            rows[("target_allocation", k)] = target * adjustment
            rows[("distance_from_target", k)] = distance * np.ones(n)
        out[k] = level * adjustment
    out["running_costs"] = running_costs(o, years)
    out["total"] = sum(out[k] for k in (*ICB_STREAMS, "running_costs"))
    rows[("population", "")] = population(o, years)
    rows[("rca_per_head", "")] = series.levels(a.rca_per_head, years)
    return out, rows


def as_allocation_types(alloc: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The streams as the planning rules read a CCG's allocation types [£k]: ``programme`` all
    but the running cost allowance (the mental health investment standard grows with it),
    ``primary_care_cocommissioning`` primary medical care and delegated pharmacy, optometry
    and dental, ``running_costs`` and ``total`` as they are."""
    return {"programme": sum(alloc[k] for k in ICB_STREAMS),
            "primary_care_cocommissioning": alloc["primary_medical_care"]
            + alloc["delegated_primary_care"],
            "running_costs": alloc["running_costs"], "total": alloc["total"]}


# --- today's rules ---------------------------------------------------------------------------


def deficit_support(given: dict[str, float], years: Sequence[str]) -> np.ndarray:
    """Deficit support funding by year, 0 in a year not given (the taper as stated) [£k]."""
    return np.array([given.get(y, 0.0) for y in years], dtype=float)


def breakeven(underlying, planned) -> np.ndarray:
    """The breakeven rule of one body: 1 where the underlying position (which leaves deficit
    support out) reaches the planned surplus, else 0 [flag]::

        breakeven[t] = underlying_surplus[t] >= planned_surplus[t]
    """
    return (np.asarray(underlying) >= np.asarray(planned) - 1e-9) * 1.0


def body_rows(o: Icb, years: Sequence[str], out: Series) -> Series:
    """The ICB's rows beyond a CCG's: its places and its breakeven rule, from its measures
    ``out`` [£k, people, flag]."""
    rows = places(o, years, out)
    rows[("business_rule", "breakeven")] = breakeven(out[("underlying_surplus", "")],
                                                     out[("control_total", "")])
    return rows


# --- places ----------------------------------------------------------------------------------


def _share(part, whole) -> np.ndarray:
    """``part / whole``, 0 for a whole of 0 (whose parts are then 0 too) [fraction]."""
    part, whole = np.broadcast_arrays(np.asarray(part, dtype=float),
                                      np.asarray(whole, dtype=float))
    return np.divide(part, whole, out=np.zeros(part.shape), where=whole != 0)


def places(o: Icb, years: Sequence[str], out: Series) -> Series:
    """Each place's population, allocation, spend and surplus/(deficit) [people, £k].

    Notes
    -----
    Each place keeps its base-year share of each stream and line::

        place_allocation[t]  = sum_x s_x * stream_x[t] + p * running_costs[t]
        place_expenditure[t] = sum_l s_l * expenditure_l[t]
                               + a[t] * (contingency_reserve[t] + unidentified_qipp[t])
        place_surplus[t]     = place_allocation[t] - place_expenditure[t]

    where ``s`` is the place's base-year figure over the ICB's, ``p`` its share of the
    population, ``a[t]`` its share of the allocation; the shares of the places sum to 1, so the
    places sum to the ICB.
    """
    if not o.places:
        return {}
    base = Base({k: getattr(o.allocation.base, k) for k in ICB_STREAMS},
                {k: getattr(o.expenditure.base, k) for k in SERVICE_LINES}, o.population)
    alloc = {k: out[("allocation", k)] for k in (*ICB_STREAMS, "running_costs")}
    total = out[("allocation", "total")]
    held = out[("expenditure", "contingency_reserve")] + out[("expenditure", "unidentified_qipp")]
    rows: Series = {}
    for pid, f in place_figures(o, base).items():
        p = _share(f.population, base.population)
        a = sum(_share(f.allocation[k], base.allocation[k]) * alloc[k] for k in ICB_STREAMS)
        a = a + p * alloc["running_costs"]
        a_share = np.divide(a, total, out=np.zeros(np.shape(a)), where=np.asarray(total) != 0)
        spend = sum(_share(f.expenditure[k], base.expenditure[k]) * out[("expenditure", k)]
                    for k in SERVICE_LINES) + a_share * held
        rows[("place_population", pid)] = p * population(o, years)
        rows[("place_allocation", pid)] = a
        rows[("place_expenditure", pid)] = spend
        rows[("place_surplus", pid)] = a - spend
    return rows


def _base_year_only(value, n: int) -> np.ndarray:
    """``value`` in the base year and NaN after it: shape ``(n,)``, or ``(R, n)`` for a value
    of shape ``(R, 1)`` [unit of the value]."""
    value = np.asarray(value, dtype=float)
    row = np.full((*value.shape[:-1], n), np.nan)
    row[..., 0] = value[..., 0] if value.ndim else value
    return row


# --- a merger --------------------------------------------------------------------------------


def restated(s: Scenario) -> Scenario:
    """The scenario with each merged ICB's base year restated as the sum of its predecessors'
    and the predecessors left out: they are not evaluated, so nothing counts twice."""
    merged = {p for o in s.organisations if isinstance(o, Icb) for p in o.predecessors}
    if not merged:
        return s
    orgs = {o.id: o for o in s.organisations}
    kept = []
    for o in s.organisations:
        if o.id in merged:
            continue
        if isinstance(o, Icb) and o.predecessors:
            b = base_of(orgs, o)
            # constructed, not validated: checked when the scenario was, and a Monte Carlo
            # run's figures are arrays
            o = o.model_copy(update={
                "allocation": o.allocation.model_copy(update={
                    "base": IcbStreams.model_construct(**b.allocation)}),
                "expenditure": o.expenditure.model_copy(update={
                    "base": ServiceLineSpend.model_construct(**b.expenditure)}),
                "population": b.population})
        kept.append(o)
    return s.model_copy(update={"organisations": kept})


def restatement(s: Scenario) -> dict[str, Series]:
    """Each merged ICB's restatement table, in its base year (NaN after it): every
    predecessor's base-year allocation (the four streams), spend (every line) and population,
    and the successor's, their sum (item ``total``) [£k, people]."""
    orgs = {o.id: o for o in s.organisations}
    years = s.years
    out: dict[str, Series] = {}
    for o in s.organisations:
        if not (isinstance(o, Icb) and o.predecessors):
            continue
        rows: Series = {}
        parts = {p: base_of(orgs, orgs[p]) for p in o.predecessors}
        parts["total"] = base_of(orgs, o)
        for item, b in parts.items():
            for measure, value in (("restated_allocation", sum(b.allocation.values())),
                                   ("restated_expenditure", sum(b.expenditure.values())),
                                   ("restated_population", b.population)):
                rows[(measure, item)] = _base_year_only(value, len(years))
        out[o.id] = rows
    return out
