"""What a scenario says of its footprint as a whole, beside its organisations: GP access and
the system's transformation opportunities. Conventions as :mod:`ccgmodels.inputs.scenario`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .types import FinancialYear, Finite, Money, Rate, Slug, Strict


class GpAccess(Strict):
    unmet_demand: dict[FinancialYear, Annotated[Finite, Field(ge=0)]] = Field(
        min_length=2,
        description="GP appointments a week demanded beyond capacity, in the years the plan "
        "states them (000:L90: about 20k in 2018, 60k by 2020/21 if demand continues to grow); "
        "the years between are interpolated [appointments/week]")
    growth: Literal["linear", "compound"] = Field(
        "linear", description="How the unmet demand grows between the stated years: by the "
        "same number each year, or at the same rate")
    solution_shares: dict[Slug, Rate] = Field(
        default_factory=dict,
        description="Share of the gap each solution of the primary care strategy closes "
        "(000:L632-637: increasing capacity 81%, improved triage 12%, pro-active care 3%, "
        "reduced GP admin 3%); what the shares leave is shown as unallocated [fraction]")
    close_by: FinancialYear | None = Field(
        None, description="Year by which the strategy closes the gap, in equal steps from the "
        "first stated year; the last stated year when absent")


class Opportunity(Strict):
    id: Slug = Field(description="Opportunity id")
    name: str = Field(description="Opportunity as the plan names it")
    kind: Literal["saving", "investment"] = Field(
        "saving", description="saving: a recurrent saving the plan sizes; investment: money it "
        "puts in to generate savings")
    value: Money | None = Field(
        None, description="Its size as the plan states it; absent where the plan describes it "
        "without a figure [£k]")
    approximate: bool = Field(False, description="The plan gives it as 'c.' (about)")
    activity: Annotated[Finite, Field(ge=0)] | None = Field(
        None, description="Activity it removes, where the plan states it [count]")
    duplicate_of: Slug | None = Field(
        None, description="Another opportunity of the list that this one repeats: counted "
        "once, in that one")
