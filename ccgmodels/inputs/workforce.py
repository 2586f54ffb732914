"""A trust's workforce (:class:`Workforce`, the ``workforce:`` of a provider): its pay cost,
pay award, agency and bank premia and its staff by group, from which
:mod:`ccgmodels.models.workforce` builds the pay bill and checks it against the pay cost.

Part of the scenario contract (:mod:`ccgmodels.inputs.scenario`); its conventions (money
[£k], rates as fractions, years "2019/20") are written there. Staff in whole-time equivalents
[WTE]; cost per WTE in £k a WTE a year [£k/WTE]. The staff groups are
:data:`~ccgmodels.inputs.vocab.STAFF_GROUPS` (NHS Digital's workforce statistics).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .fields import Bounds
from .types import FinancialYear, Money, Rate, RateByYear, Strict
from .vocab import STAFF_GROUPS

StaffGroupId = Literal[STAFF_GROUPS]  # type: ignore[valid-type]
#: whole-time equivalent staff [WTE]: not negative
Wte = Annotated[float, Field(ge=0, allow_inf_nan=False), Bounds(0.0)]
#: WTE in the base year (carried to every year), or {year: WTE} for the years stated
WteByYear = Wte | dict[FinancialYear, Wte]


class StaffGroup(Strict):
    group: StaffGroupId = Field(
        description="Staff group, as NHS Digital's workforce statistics group staff: doctors, "
        "nursing (nurses and health visitors), midwifery, ambulance, "
        "scientific_therapeutic_technical, support_to_clinical, infrastructure_support, other")
    wte: WteByYear = Field(
        description="Whole-time equivalent staff in the base year, kept in later years, or "
        "{year: WTE} for every modelled year; before the efficiency schemes' WTE changes [WTE]")
    cost_per_wte: Money = Field(
        description="Cost of one WTE in the base year, substantive pay with on-costs, before "
        "agency and bank premia; later years move with the pay award [£k/WTE]")


class Workforce(Strict):
    pay_cost: Money = Field(
        description="Pay cost in the base year as the finance plan states it, part of the "
        "provider's cost base; the workforce's base-year pay bill should reconcile to it "
        "(within 1%) [£k]")
    pay_award: RateByYear = Field(
        0.0, description="Pay award a year, or by year for each year after the base: moves the "
        "cost per WTE of every staff group [fraction/yr]")
    agency_premium: Rate = Field(
        0.0, description="Agency cost above substantive pay, as a share of the substantive pay "
        "bill [fraction]")
    bank_premium: Rate = Field(
        0.0, description="Bank cost above substantive pay, as a share of the substantive pay "
        "bill [fraction]")
    staff_groups: list[StaffGroup] = Field(
        min_length=1, description="Staff by group, each group once")


def workforce_problems(o, root: str) -> list[tuple[str, object, str]]:
    """A trust's workforce names each staff group once, and an efficiency scheme's WTE change
    names a staff group of the vocabulary, one of the trust's workforce where it has one.
    ``(path, value, message)`` rows at ``root`` (``organisations.<id>``), as
    :func:`ccgmodels.inputs.rules.semantic_problems` gives them."""
    w = getattr(o, "workforce", None)
    out: list[tuple[str, object, str]] = []
    register = getattr(o, "efficiency", None)
    groups = [g.group for g in w.staff_groups] if w is not None else list(STAFF_GROUPS)
    for x in register.schemes if register is not None else ():
        if x.wte is None or x.wte == 0:
            continue
        path = f"{root}.efficiency.schemes.{x.id}"
        if x.staff_group is None and w is not None:
            out.append((f"{path}.staff_group", None, f"the scheme changes WTE by {x.wte:g}: "
                        "name its staff group, one of the trust's workforce "
                        f"({', '.join(groups)})"))
        elif x.staff_group is not None and x.staff_group not in groups:
            where = "the trust's workforce" if w is not None else "the staff groups"
            out.append((f"{path}.staff_group", x.staff_group, f"not a staff group of {where} "
                        f"({', '.join(groups)})"))
    if w is None:
        return out
    seen: list[str] = []
    for i, g in enumerate(w.staff_groups):
        if g.group in seen:
            out.append((f"{root}.workforce.staff_groups.{i}.group", g.group,
                        "staff group given twice: give each group once, its WTE and cost "
                        "per WTE together"))
        seen.append(g.group)
    return out
