"""An integrated care board's assumptions (:class:`Icb`, 2022/23 on) and its base year as the
scenario states it: a merger's restated baseline and the places' shares, written once for the
checks (:mod:`ccgmodels.inputs.rules`) and the model (:mod:`ccgmodels.models.icb`).

* **An ICB** is a commissioner (:class:`~ccgmodels.inputs.commissioner.Commissioner`) with
  today's allocation streams, the running cost allowance per head, convergence, places, a
  merger's predecessors, deficit support and a planned surplus.
* **A merger.** An ICB that names ``predecessors`` takes as its base year the sum of theirs:
  each allocation stream, each spend line and the population. A figure the successor states as
  well must equal that sum.
* **Places.** Each place holds, for every allocation stream and spend line, its base-year
  figure in £k, or its ``share`` of the ICB's; the places' figures sum to the ICB's exactly.

The helpers tell organisations apart by their ``kind`` tag, as :mod:`ccgmodels.inputs.rules`
does. Money in £k, population in people. :mod:`ccgmodels.inputs.scenario` re-exports the
models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from .commissioner import Commissioner, Expenditure, ServiceLineSpend, _refuse_old_fields
from .types import (
    FinancialYear,
    Growth,
    GrowthByYear,
    Money,
    Rate,
    SignedMoneyByYear,
    Slug,
    Strict,
)
from .vocab import ICB_STREAMS, SERVICE_LINES

IcbStream = Literal[ICB_STREAMS]  # type: ignore[valid-type]
#: a rate per head of population: one for every year, or {year: rate} [£/person]
PerHead = Annotated[float, Field(ge=0, allow_inf_nan=False)]
People = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class IcbStreams(Strict):
    core_services: Money = Field(
        description="ICB core services allocation: the programme allocation for the acute, "
        "community, mental health, continuing care and prescribing services the ICB "
        "commissions [£k]")
    primary_medical_care: Money = Field(
        0.0, description="Primary medical care allocation (GP services) [£k]")
    delegated_primary_care: Money = Field(
        0.0, description="Delegated pharmacy, optometry and dental allocation [£k]")
    specialised: Money = Field(
        0.0, description="Specialised services allocation where NHS England has delegated "
        "them to the ICB; 0 where not delegated [£k]")


class IcbStreamGrowth(Strict):
    core_services: GrowthByYear = Field(
        0.0, description="Core services allocation growth a year, or by year [fraction/yr]")
    primary_medical_care: GrowthByYear = Field(
        0.0, description="Primary medical care allocation growth a year, or by year "
        "[fraction/yr]")
    delegated_primary_care: GrowthByYear = Field(
        0.0, description="Delegated pharmacy, optometry and dental allocation growth a year, "
        "or by year [fraction/yr]")
    specialised: GrowthByYear = Field(
        0.0, description="Delegated specialised services allocation growth a year, or by "
        "year [fraction/yr]")


class Convergence(Strict):
    target: Money | dict[FinancialYear, Money] = Field(
        description="Target (fair-shares) allocation of the stream: its base-year level, "
        "grown each year with the stream's growth, or the published target of every modelled "
        "year [£k]")
    convergence_pace: Rate = Field(
        0.0, description="Share of the distance from target closed each year after the base: "
        "0 keeps the distance, 1 reaches the target the next year; only with growth (published "
        "levels already include convergence) [fraction/yr]")


class IcbAllocation(Strict):
    base: IcbStreams | None = Field(
        None, description="Allocation by stream in the base year, excluding the running cost "
        "allowance; for a merged ICB (predecessors) when absent, the sum of its predecessors' "
        "[£k]")
    growth: IcbStreamGrowth = Field(
        default_factory=IcbStreamGrowth,
        description="Growth of each stream in the years after the base: one rate for every "
        "year, or {year: rate} [fraction/yr]")
    levels: dict[FinancialYear, IcbStreams] | None = Field(
        None, description="Published allocations by stream for each year after the base, "
        "instead of growth [£k]")
    growth_adjustment: Growth = Field(
        0.0, description="A change to the growth of every stream but the running cost "
        "allowance in each year after the base, on top of its growth or published levels: 0 "
        "in the plan; what a later settlement might change [fraction/yr]")
    rca_per_head: PerHead | dict[FinancialYear, PerHead] = Field(
        description="Running cost allowance per head of population, one rate for every year "
        "or {year: rate} for every modelled year; the running costs stream is this times the "
        "population / 1000 [£/person]")
    convergence: dict[IcbStream, Convergence] = Field(
        default_factory=dict,
        description="Convergence of named streams to their target allocation: distance from "
        "target = (allocation - target) / target, closed at convergence_pace a year")


class IcbExpenditure(Expenditure):
    base: ServiceLineSpend | None = Field(  # type: ignore[assignment]
        None, description="Planned spend by service line in the base year, net of identified "
        "efficiency schemes, excluding contingency and unidentified efficiency; for a merged "
        "ICB (predecessors) when absent, the sum of its predecessors' (primary care "
        "co-commissioning holds primary medical care and delegated pharmacy, optometry and "
        "dental) [£k]")


class Place(Strict):
    id: Slug = Field(description="Place id (the sub-ICB location, a former CCG area)")
    name: str = Field(description="Place name")
    population: People = Field(description="Population of the place in the base year [people]")
    share: Rate | None = Field(
        None, description="Share of each of the ICB's base-year allocation streams and spend "
        "lines not given in £k below [fraction]")
    allocation: IcbStreams | None = Field(
        None, description="The place's base-year allocation by stream (its running cost "
        "allowance follows its population) [£k]")
    expenditure: ServiceLineSpend | None = Field(
        None, description="The place's base-year planned spend by service line [£k]")


#: ICB fields that belong to the CCG era, and what an ICB states instead
ICB_REFUSED_FIELDS = {
    "control_total": "planned_surplus (the surplus the ICB plans as an individual body; "
                     "breakeven, 0, when absent)",
}


class Icb(Commissioner):
    """An integrated care board: a commissioner evaluated by the same finance chain, with
    today's allocation streams, its places (sub-ICB locations), a merger's predecessors,
    deficit support and a planned surplus judged body by body."""

    kind: Literal["icb"] = Field(  # type: ignore[assignment]
        description="Organisation kind: an integrated care board")
    allocation: IcbAllocation = Field(  # type: ignore[assignment]
        description="Allocation by stream (today's streams and the running cost allowance), "
        "its growth and convergence")
    expenditure: IcbExpenditure = Field(  # type: ignore[assignment]
        description="Spend by service line and its growth")
    population: People | None = Field(
        None, description="Population in the base year (registered or weighted, as the "
        "allocation uses it); for a merged ICB when absent, the sum of its predecessors' "
        "[people]")
    population_growth: GrowthByYear = Field(
        0.0, description="Population growth a year, or by year [fraction/yr]")
    places: list[Place] = Field(
        default_factory=list,
        description="Places (sub-ICB locations): their allocation, spend and population sum "
        "to the ICB's exactly; results are reported by place as well")
    predecessors: list[Slug] = Field(
        default_factory=list,
        description="A merger: the ids of the ICBs of this scenario merged into this one. Its "
        "base year is restated as the sum of theirs, and they are not counted again")
    deficit_support: dict[FinancialYear, Money] = Field(
        default_factory=dict,
        description="Deficit support funding by year, non-recurrent income tapering as given "
        "(0 in a year not given): its own line, left out of the underlying position and the "
        "breakeven rule [£k]")
    planned_surplus: SignedMoneyByYear = Field(
        0.0, description="Surplus the ICB plans as an individual body, every year or {year: "
        "surplus}; 0 is breakeven [£k]")
    # a CCG's field, refused with a message (below), left out of the schema and of a dump (a
    # resolved scenario.yaml must load again)
    control_total: SkipJsonSchema[None] = Field(None, exclude=True)  # type: ignore[assignment]

    @model_validator(mode="before")
    @classmethod
    def _ccg_era(cls, data):
        return _refuse_old_fields(data, ICB_REFUSED_FIELDS, "is a CCG-era field; an ICB states")


# --- the base year: a merger and the places ------------------------------------------------


#: how far two sums of £k (or people) may differ, relative to their size, and still be the
#: same figure: float rounding only. The figures of a file written to the pound differ by at
#: least 0.001 £k, which this keeps apart up to 10^9 £k (1e-6 took a place £1k out on an ICB of
#: £1bn for the same figure)
TOLERANCE = 1e-12


@dataclass(frozen=True)
class Base:
    """An ICB's base year: allocation by stream and spend by line [£k], population
    [people]; each a number, or one per Monte Carlo run (an array of shape ``(R, 1)``)."""

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
                o.population)


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
        out[p.id] = Base(alloc, spend, p.population)
    return out


def place_sum_problems(o, base: Base, root: str) -> list[tuple[str, object, str]]:
    """``(path, value, message)`` for every stream, line and the population whose places do
    not sum to the ICB's base year; the path names the places' column
    (``<root>.places.allocation.core_services``), where a workbook shows it."""
    figures = place_figures(o, base)
    out = []
    for group, fields in (("allocation", ICB_STREAMS), ("expenditure", SERVICE_LINES)):
        for k in fields:
            total = sum(getattr(f, group)[k] for f in figures.values())
            icb = getattr(base, group)[k]
            if not same(total, icb):  # the path of the column of every place's figure
                out.append((f"{root}.places.{group}.{k}", round(total, 6),
                            f"the places' {group} {k} sums to {total:,.3f} £k, not the ICB's "
                            f"{icb:,.3f} £k (difference {total - icb:+,.3f}): the places must "
                            "sum to the ICB exactly"))
    people = sum(f.population for f in figures.values())
    if not same(people, base.population):
        out.append((f"{root}.places.population", people,
                    f"the places' population sums to {people:,.0f}, not the ICB's "
                    f"{base.population:,.0f} people"))
    return out
