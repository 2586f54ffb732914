"""The efficiency register of a trust or a council: its efficiency requirement and the schemes
that meet it (a trust's cost improvement programme, a council's savings plan). Part of the
scenario contract (:mod:`ccgmodels.inputs.scenario`, which re-exports every name here); its
conventions (money [£k], rates as fractions, years "2019/20", savings positive) are written
there.

The schemes follow the rules of a commissioner's QIPP schemes (:mod:`ccgmodels.models.schemes`):
the same statuses and delivery probability by status, the same phasing from the start quarter,
recurrent or one-off. A scheme adds what a trust plans by: its type (pay, non-pay, income) and
its category (:data:`~ccgmodels.inputs.vocab.EFFICIENCY_CATEGORIES`).
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import Field, model_validator

from . import years as fy
from .commissioner import _default_probabilities
from .limits import shown
from .types import FinancialYear, Finite, Money, Rate, Slug, Status, Strict
from .vocab import EFFICIENCY_CATEGORIES, EFFICIENCY_TYPES

EfficiencyType = Literal[EFFICIENCY_TYPES]  # type: ignore[valid-type]
EfficiencyCategory = Literal[EFFICIENCY_CATEGORIES]  # type: ignore[valid-type]


class EfficiencyScheme(Strict):
    id: Slug = Field(description="Unique scheme id within the register")
    name: str = Field(description="Scheme name as the plan prints it")
    type: EfficiencyType = Field(
        description="What the scheme changes: pay (the pay bill), non_pay (other costs) or "
        "income (more income)")
    category: EfficiencyCategory = Field(
        description="Efficiency category (after the NHS efficiency categorisation; the list is "
        "in inputs/vocab.py EFFICIENCY_CATEGORIES)")
    gross_saving: Money = Field(
        description="Gross full-year saving, or extra income, when delivered in full [£k/yr]")
    investment: Money = Field(0.0, description="Investment the scheme needs [£k/yr]")
    status: Status = Field(
        description="delivered, in_progress, scoping, unidentified, or pipeline: costed but "
        "not in the efficiency plan (outside the identified savings and the plan)")
    start_year: FinancialYear | None = Field(
        None, description="Financial year the saving starts (earlier than the base year for a "
        "scheme whose full-year effect arrives in it); the base year when absent")
    start_quarter: int = Field(1, ge=1, le=4, description="Quarter the saving starts [1-4]")
    recurrent: bool = Field(
        True, description="Whether the saving recurs in later years; false: a one-off in its "
        "start year, which improves the headline position but not the underlying one")
    wte: Finite | None = Field(
        None, description="Change in whole-time equivalent staff when the scheme is delivered "
        "in full, negative for fewer staff (phased as the saving) [WTE]")
    staff_group: Slug | None = Field(
        None, description="Staff group whose WTE changes, with wte")

    # what the scheme engine (models/schemes.py) reads of a scheme, as a QIPP scheme has it:
    # the whole saving falls to this body, off the one cost base it has
    @property
    def share(self) -> float:
        """Share of the scheme that falls to this body: all of it [fraction]."""
        return 1.0

    @property
    def gross(self) -> float:
        """Gross full-year saving [£k/yr]."""
        return self.gross_saving

    @property
    def net(self) -> float:
        """Net full-year saving = gross_saving - investment [£k/yr]."""
        return self.gross_saving - self.investment

    @property
    def investment_line(self) -> None:
        """The investment is paid from the same cost base as the saving."""
        return None

    @model_validator(mode="after")
    def _staff_group_with_wte(self) -> EfficiencyScheme:
        if self.staff_group is not None and self.wte is None:
            raise ValueError(f"staff_group {shown(self.staff_group)} is given without wte: "
                             "give the scheme's WTE change, or leave staff_group out")
        return self


def _efficiency_probabilities() -> dict[str, float]:
    # the same ASSUMPTION defaults as a commissioner's QIPP (inputs/commissioner.py)
    return _default_probabilities()


class Efficiency(Strict):
    requirement: dict[FinancialYear, Money] | None = Field(
        None, description="Efficiency the body must deliver, cumulative against do nothing, by "
        "year; a year not given takes the default: a trust's CIP (efficiency_rate compounding "
        "on its cost base), a council's cumulative savings [£k]")
    delivery_probability: dict[Status, Rate] = Field(
        default_factory=_efficiency_probabilities,
        description="Probability a saving is delivered, by status (a status not given: 0); "
        "ASSUMPTION defaults as a commissioner's QIPP: delivered 1.0, in_progress 0.7, "
        "scoping 0, unidentified 0, pipeline 0 [fraction]")
    schemes: list[EfficiencyScheme] = Field(
        default_factory=list, description="Efficiency schemes (cost improvement programme)")

    @model_validator(mode="after")
    def _unique_ids(self) -> Efficiency:
        twice = [k for k, n in Counter(s.id for s in self.schemes).items() if n > 1]
        if twice:
            raise ValueError("scheme ids must be unique within the register: "
                             + ", ".join(f"{shown(k)} appears more than once" for k in twice))
        return self


def efficiency_problems(e: Efficiency | None, root: str, years: list[str]
                        ) -> list[tuple[str, object, str]]:
    """Cross-field problems of a register at ``root`` (``organisations.<id>``): requirement
    years and scheme start years outside the scenario. ``(path, value, message)`` rows, as
    :func:`ccgmodels.inputs.rules.semantic_problems` gives them."""
    if e is None:
        return []
    out: list[tuple[str, object, str]] = []
    for y in e.requirement or {}:
        if y not in years:
            out.append((f"{root}.efficiency.requirement.{y}", y,
                        f"year outside the scenario's years {years[0]} to {years[-1]}"))
    for s in e.schemes:
        if s.start_year is not None and fy.start_of(s.start_year) > fy.start_of(years[-1]):
            out.append((f"{root}.efficiency.schemes.{s.id}.start_year", s.start_year,
                        f"start year after the scenario's last year {years[-1]}"))
    return out
