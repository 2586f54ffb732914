"""An ICB's base year as the scenario states it: a merger's restated baseline and the places'
shares, written once for the checks (:mod:`ccgmodels.inputs.rules`) and the model
(:mod:`ccgmodels.models.icb`).

* **A merger.** An ICB that names ``predecessors`` takes as its base year the sum of theirs:
  each allocation stream, each spend line and the population. A figure the successor states as
  well must equal that sum.
* **Places.** Each place holds, for every allocation stream and spend line, its base-year
  figure in £k, or its ``share`` of the ICB's; the places' figures sum to the ICB's exactly.

The organisations are told apart by their ``kind`` tag (no model class is imported), as in
:mod:`ccgmodels.inputs.rules`. Money in £k, population in people.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocab import ICB_STREAMS, SERVICE_LINES

#: how far two sums of £k (or people) may differ and still be the same figure: float rounding
#: only (the figures of a file written to the pound differ by at least 0.001)
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Base:
    """An ICB's base year: allocation by stream and spend by line [£k], population
    [people]."""

    allocation: dict[str, float]
    expenditure: dict[str, float]
    population: float


def same(a: float, b: float) -> bool:
    """Whether two sums are one figure, to :data:`TOLERANCE` relative to their size."""
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def stated_base(o) -> Base | None:
    """The base year the ICB ``o`` states itself, or None where it leaves any of it to its
    predecessors."""
    if o.allocation.base is None or o.expenditure.base is None or o.population is None:
        return None
    return Base({k: getattr(o.allocation.base, k) for k in ICB_STREAMS},
                {k: getattr(o.expenditure.base, k) for k in SERVICE_LINES},
                float(o.population))


def restated_base(orgs_by_id: dict, o) -> Base | None:
    """The sum of the base years of the predecessors of ``o`` [£k, people]; None when it names
    none, or one that is not an ICB stating its own base year (the checks say which)."""
    if not o.predecessors:
        return None
    parts = [stated_base(orgs_by_id[p]) if getattr(orgs_by_id.get(p), "kind", None) == "icb"
             else None for p in o.predecessors]
    if any(b is None for b in parts):
        return None
    return Base({k: sum(b.allocation[k] for b in parts) for k in ICB_STREAMS},
                {k: sum(b.expenditure[k] for b in parts) for k in SERVICE_LINES},
                sum(b.population for b in parts))


def base_of(orgs_by_id: dict, o) -> Base | None:
    """The ICB's base year: restated from its predecessors when it names any, else stated."""
    return restated_base(orgs_by_id, o) if o.predecessors else stated_base(o)


def place_figures(o, base: Base) -> dict[str, Base]:
    """Each place's base-year allocation by stream and spend by line [£k], and population
    [people]: the figure it states, else its share of the ICB's (0 with no share)."""
    out = {}
    for p in o.places:
        share = p.share or 0.0
        alloc = {k: (getattr(p.allocation, k) if p.allocation is not None
                     else share * base.allocation[k]) for k in ICB_STREAMS}
        spend = {k: (getattr(p.expenditure, k) if p.expenditure is not None
                     else share * base.expenditure[k]) for k in SERVICE_LINES}
        out[p.id] = Base(alloc, spend, float(p.population))
    return out


def place_sum_problems(o, base: Base, root: str) -> list[tuple[str, object, str]]:
    """``(path, value, message)`` for every stream, line and the population whose places do
    not sum to the ICB's base year."""
    figures = place_figures(o, base)
    out = []
    for group, fields in (("allocation", ICB_STREAMS), ("expenditure", SERVICE_LINES)):
        for k in fields:
            total = sum(getattr(f, group)[k] for f in figures.values())
            icb = getattr(base, group)[k]
            if not same(total, icb):
                out.append((f"{root}.places", round(total, 6),
                            f"the places' {group} {k} sums to {total:,.3f} £k, not the ICB's "
                            f"{icb:,.3f} £k (difference {total - icb:+,.3f}): the places must "
                            "sum to the ICB exactly"))
    people = sum(f.population for f in figures.values())
    if not same(people, base.population):
        out.append((f"{root}.places", people,
                    f"the places' population sums to {people:,.0f}, not the ICB's "
                    f"{base.population:,.0f} people"))
    return out
