"""The commissioner's assumptions (a CCG, and what an ICB shares with it): allocation,
expenditure, points of delivery, QIPP schemes, solutions, contracts and the primary care
bridge. Part of the scenario contract (:mod:`ccgmodels.inputs.scenario`, which re-exports every
name here); its conventions (money [£k], rates as fractions, years "2019/20", surplus positive)
are written there.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from . import years as fy
from .risks import Mitigation, Risk, mitigations_field, risks_field
from .types import (
    FinancialYear,
    Finite,
    Growth,
    GrowthByYear,
    Money,
    Pod,
    Rate,
    RateByYear,
    ServiceLine,
    SignedMoney,
    SignedMoneyByYear,
    Slug,
    Status,
    Strict,
)
from .vocab import COMMISSIONER_KINDS, PROVIDERS_WITH_GROWTH_TABLE

# --- commissioner (CCG) -----------------------------------------------------------------------


class AllocationByType(Strict):
    programme: Money = Field(description="Programme allocation in the base year [£k]")
    running_costs: Money = Field(description="Running costs allocation in the base year [£k]")
    primary_care_cocommissioning: Money = Field(
        description="Primary care co-commissioning allocation in the base year [£k]"
    )


class AllocationGrowth(Strict):
    programme: GrowthByYear = Field(
        0.0, description="Programme allocation growth a year, or by year [fraction/yr]")
    running_costs: GrowthByYear = Field(
        0.0, description="Running costs allocation growth a year, or by year [fraction/yr]")
    primary_care_cocommissioning: GrowthByYear = Field(
        0.0, description="Primary care co-commissioning allocation growth a year, or by year "
        "[fraction/yr]"
    )


class Allocation(Strict):
    base: AllocationByType = Field(description="Recurrent allocation by type, base year [£k]")
    growth_adjustment: Growth = Field(
        0.0, description="A change to the growth of every allocation type in each year after the "
        "base, on top of its growth or published levels: 0 in the plan; what a later settlement "
        "might change, drawn in the Monte Carlo as a national driver "
        "(organisations.*.allocation.growth_adjustment) [fraction/yr]")
    growth: AllocationGrowth = Field(
        default_factory=AllocationGrowth,
        description="Growth of each allocation type in the years after the base: one rate for "
        "every year, or {year: rate} [fraction/yr]",
    )
    levels: dict[FinancialYear, AllocationByType] | None = Field(
        None,
        description="Published allocations by type for each year after the base, instead of "
        "growth (e.g. the five-year allocations 2019/20 to 2023/24) [£k]",
    )


class ServiceLineSpend(Strict):
    acute: Money = Field(description="Acute services [£k]")
    ambulance: Money = Field(description="Ambulance (EEAST) services [£k]")
    mental_health: Money = Field(description="Mental health services [£k]")
    community: Money = Field(description="Community services [£k]")
    continuing_care: Money = Field(description="Continuing care services [£k]")
    prescribing: Money = Field(description="Prescribing [£k]")
    other_primary_care: Money = Field(description="Other primary care services [£k]")
    primary_care_cocommissioning: Money = Field(description="Primary care co-commissioning [£k]")
    bcf: Money = Field(description="Better Care Fund [£k]")
    other_programme: Money = Field(description="Other programme services [£k]")
    running_costs: Money = Field(description="Running costs [£k]")


class Expenditure(Strict):
    base: ServiceLineSpend = Field(
        description="Planned spend by service line in the base year, net of identified QIPP "
        "schemes, excluding contingency and unidentified QIPP [£k]"
    )
    volume_growth: dict[ServiceLine, GrowthByYear] = Field(
        default_factory=dict,
        description="Volume growth a year of each service line not driven by points of delivery "
        "(and of the share of a line that its points of delivery do not cover); absent lines "
        "grow 0; a rate or {year: rate} [fraction/yr]",
    )
    price_inflation: GrowthByYear = Field(
        0.0, description="Price inflation a year applied to every service line, or by year "
        "[fraction/yr]"
    )
    price_inflation_by_line: dict[ServiceLine, GrowthByYear] = Field(
        default_factory=dict,
        description="Price inflation a year for named service lines, replacing price_inflation "
        "[fraction/yr]",
    )
    planned: dict[FinancialYear, dict[ServiceLine, Money]] | None = Field(
        None,
        description="The plan's stated spend by service line in every year after the base, as "
        "a multi-year plan prints it (the 2014 Essex five-year plans, 003:L521-532); the "
        "commissioner plan then takes these levels, and what they take off do nothing is the "
        "plan's mitigation of each line, reported as a scheme of its own (negative where the "
        "plan spends more than do nothing) [£k]",
    )
    planned_status: Status = Field(
        "in_progress", description="Status of the stated plan's mitigation, which sets its "
        "delivery probability")


class PointOfDelivery(Strict):
    activity: Finite = Field(ge=0, description="Activity in the base year [count/yr]")
    cost_share: Rate = Field(
        description="Share of its service line's base spend that this point of delivery accounts "
        "for [fraction]"
    )
    age_mix: dict[str, Rate] = Field(
        description="Share of this activity by age band; sums to 1 [fraction]"
    )
    non_demographic_growth: GrowthByYear | None = Field(
        None,
        description="Growth a year not explained by demography; when absent it is the residual "
        "of the growth table named in demand.growth_table [fraction/yr]",
    )


class Demand(Strict):
    population_growth: dict[str, GrowthByYear] = Field(
        description="Population growth a year by age band: a rate or {year: rate} [fraction/yr]"
    )
    growth_table: Literal[PROVIDERS_WITH_GROWTH_TABLE] | None = Field(  # type: ignore[valid-type]
        None,
        description="Provider whose 2019/20 activity growth by point of delivery (000:L2485-2497) "
        "sets total growth; non-demographic growth is then the residual after demography",
    )
    tariff_efficiency: RateByYear = Field(
        0.0,
        description="Efficiency deducted from the price of activity each year (the national "
        "tariff's efficiency factor), or by year [fraction/yr]",
    )
    pods: dict[Pod, PointOfDelivery] = Field(description="Points of delivery modelled")


class Scheme(Strict):
    id: Slug = Field(description="Unique scheme id")
    name: str = Field(description="Scheme name as the plan prints it")
    category: ServiceLine = Field(description="Expenditure category (service line) it reduces")
    gross_saving: Money | None = Field(
        None, description="Gross full-year saving [£k/yr]; net_saving + investment if absent"
    )
    investment: Money = Field(0.0, description="Investment the scheme needs [£k/yr]")
    investment_line: ServiceLine | None = Field(
        None, description="Service line that pays the investment; the category when absent")
    net_saving: SignedMoney | None = Field(
        None, description="Net full-year saving = gross_saving - investment; negative for a "
        "scheme that costs more than it saves [£k/yr]"
    )
    status: Status = Field(
        description="delivered, in_progress, scoping, unidentified, or pipeline: costed in the "
        "plan's programmes but not in its QIPP plan (outside identified savings and the plan; "
        "a pipeline item with neither saving given is described, not costed)")
    share: Rate = Field(
        1.0, description="Share of a joint scheme's gross saving and investment that falls to "
        "this commissioner; the shares of one scheme id across commissioners sum to at most 1, "
        "so it is counted once [fraction]")
    start_year: FinancialYear | None = Field(
        None, description="Financial year the saving starts (earlier than the base year for a "
        "scheme whose full-year effect arrives in it); the base year when absent"
    )
    start_quarter: int = Field(1, ge=1, le=4, description="Quarter the saving starts [1-4]")
    recurrent: bool = Field(True, description="Whether the saving recurs in later years")

    @property
    def costed(self) -> bool:
        """Whether the documents give the scheme a saving."""
        return self.gross_saving is not None or self.net_saving is not None

    @property
    def net(self) -> float:
        """Net full-year saving [£k/yr]."""
        if self.net_saving is not None:
            return self.net_saving
        return (self.gross_saving or 0.0) - self.investment

    @property
    def gross(self) -> float:
        """Gross full-year saving [£k/yr]."""
        if self.gross_saving is not None:
            return self.gross_saving
        return (self.net_saving or 0.0) + self.investment


def _default_probabilities() -> dict[str, float]:
    # ASSUMPTION: the documents give no delivery probabilities; 0.7 for schemes in progress (a
    # judgement: most, not all, deliver) and 0 for scoping and the unidentified gap.
    return {"delivered": 1.0, "in_progress": 0.7, "scoping": 0.0, "unidentified": 0.0,
            "pipeline": 0.0}


class Qipp(Strict):
    rate: Rate = Field(0.03, description="Gross QIPP target as a share of allocation (000:L2021)"
                       " [fraction]")
    target: Money | None = Field(
        None, description="Gross QIPP target in the base year, when the plan states it [£k]"
    )
    headroom_rate: Rate = Field(
        0.2, description="Pipeline headroom above the target (000:L2023) [fraction]"
    )
    unidentified: Money | None = Field(
        None,
        description="Unidentified QIPP stated in the base-year plan (Southend 235, 000:L2110); "
        "with it, the base-year target is the identified schemes plus this gap [£k]",
    )
    delivery_probability: dict[Status, Rate] = Field(
        default_factory=_default_probabilities,
        description="Probability a saving is delivered, by status; ASSUMPTION defaults "
        "delivered 1.0, in_progress 0.7, scoping 0, unidentified 0 [fraction]",
    )
    schemes: list[Scheme] = Field(default_factory=list, description="QIPP schemes")


def _refuse_old_fields(data, table: dict[str, str], verb: str):
    """``data`` as it is, unless it sets a field of an earlier version listed in ``table``:
    then one message per such field, saying what became of it (not pydantic's "extra"). A
    field given as None is not set: a dumped scenario (``model_dump``) carries it so."""
    if isinstance(data, dict):
        old = [k for k in table if data.get(k) is not None]
        if old:
            raise ValueError("; ".join(f"{k} {verb} {table[k]}" for k in old))
    return data


#: commissioner solution fields of earlier versions, and why they went
REMOVED_SOLUTION_FIELDS = {
    "efficiency_rate": "provider efficiency is counted once: it reaches a commissioner through "
                       "the prices it pays (demand.tariff_efficiency), and a provider's own "
                       "savings are the provider's efficiency_rate; delete this line",
    "efficiency_lines": "it went with solutions.efficiency_rate (provider efficiency reaches a "
                        "commissioner through prices); delete this line",
}


class Solutions(Strict):
    @model_validator(mode="before")
    @classmethod
    def _removed(cls, data):
        return _refuse_old_fields(data, REMOVED_SOLUTION_FIELDS, "was removed:")

    demand_mitigation_rate: Rate = Field(
        0.0,
        description="Share of each year's activity growth avoided; ASSUMPTION (004:L66 leaves it "
        "as X%) [fraction]",
    )
    demand_mitigation_investment: Finite = Field(
        0.775, ge=0, le=2,
        description="Investment in the services that avoid activity, per £ of spend avoided by "
        "demand mitigation; the lever's saving is net of it. Default: the plan's own costed "
        "programmes, investment 2,487.6 against gross savings 3,208.1 £k (respiratory GPwER, "
        "community heart failure, children's transformation; 000:L1007-L1018, L1216-L1230, "
        "L1314-L1316) [fraction]")
    mitigation_lines: list[ServiceLine] = Field(
        default=["acute", "ambulance", "mental_health", "community", "continuing_care",
                 "prescribing", "primary_care_cocommissioning", "other_primary_care"],
        description="Service lines whose growth is patient activity, which demand mitigation "
        "avoids (not BCF, other programme or running costs)",
    )
    stf: dict[FinancialYear, Money] = Field(
        default_factory=dict,
        description="Sustainability and transformation funding received, by year [£k]",
    )
    contingency_release: bool = Field(
        True,
        description="Release the contingency reserve against QIPP slippage in the do-something "
        "position, up to the slippage (000:L2015: the reserve is held as mitigation against "
        "in-year pressures)",
    )


class Contract(Strict):
    provider: Slug = Field(description="Id of the provider organisation in this scenario paid")
    lines: dict[ServiceLine, Rate] = Field(
        description="Share of the commissioner's spend on each service line paid to this "
        "provider; the rest goes to providers outside the footprint [fraction]")
    basis: Literal["activity", "block"] = Field(
        "activity", description="activity: payment follows activity, so avoided activity "
        "lowers the provider's income; block: a fixed payment that avoided activity does not "
        "change")
    planned_value: Money | dict[FinancialYear, Money] | None = Field(
        None, description="The contract's value as the commissioner plans it, for every year or "
        "{year: £k} for the years stated (contract value triangulation): the commissioner's "
        "side of the contract, compared with the provider's contract_income; the years not "
        "stated take the spend its lines derive [£k]")


class BridgeYear(Strict):
    income: Money = Field(description="Primary care income [£k]")
    expenditure: Money = Field(description="Primary care expenditure [£k]")
    # the rows after income and expenditure: absent where the plan prints none for the year
    # (CPR's and Southend's 2017/18), so the bridge makes up no end state for it; a year that
    # gives any of them takes the others as 0
    workforce: SignedMoney | None = Field(
        None, le=0, description="Workforce enabler cost, negative; blank where the plan gives "
        "none [£k]")
    estates: SignedMoney | None = Field(
        None, le=0, description="Estates enabler cost, negative; blank where the plan gives "
        "none [£k]")
    other_enablers: SignedMoney | None = Field(
        None, le=0, description="Other enablers, negative; blank where the plan gives none [£k]")
    baseline_funding: Money | None = Field(
        None, description="CCG baseline funding; blank where the plan gives none [£k]")
    stf: Money | None = Field(
        None, description="STF (GP Forward View) allocation; blank where the plan gives none "
        "[£k]")


class PrimaryCareBridge(Strict):
    years: dict[FinancialYear, BridgeYear] = Field(
        description="Bridge components by consecutive financial year (000:L689-715, realigned) "
        "[£k]"
    )
    stf_arrives: bool = Field(True, description="Whether the GPFV STF money arrives at all")
    stf_delay_years: int = Field(0, ge=0, description="Years the STF money arrives late [years]")
    enabler_scale: Finite = Field(
        1.0, ge=0, description="Multiplier on workforce, estates and other enabler costs [factor]"
    )
    income_follows_pccc: bool = Field(
        False,
        description="Grow income from its first year with the co-commissioning allocation growth "
        "instead of the stated income",
    )


class Commissioner(Strict):
    kind: Literal["ccg"] = Field(description="Organisation kind: a clinical commissioning group")
    id: Slug = Field(description="Organisation id")
    name: str = Field(description="Organisation name")
    allocation: Allocation = Field(description="Recurrent allocation and its growth")
    expenditure: Expenditure = Field(description="Spend by service line and its growth")
    contingency_rate: Rate = Field(
        0.005, description="Contingency reserve as a share of allocation (000:L2015) [fraction]"
    )
    contingency: SignedMoneyByYear | None = Field(
        None, description="Contingency as the plan states it, every year or {year: level}, "
        "instead of contingency_rate * allocation (003:L531 prints (2,795) in 2013/14) [£k]"
    )
    control_total: SignedMoneyByYear | None = Field(
        None, description="Surplus the organisation must reach, every year or {year: surplus}; "
        "break-even (0) when absent [£k]"
    )
    contracts: list[Contract] = Field(
        default_factory=list,
        description="What the commissioner pays the providers of this scenario, by service "
        "line; their income from it is this spend, eliminated in the footprint")
    mhis_uplift: Rate = Field(
        0.0, description="Mental health investment standard: mental health spend must grow by "
        "at least the programme allocation growth plus this uplift (000:L2673 states the growth "
        "in funding alone) [fraction/yr]"
    )
    demand: Demand | None = Field(None, description="Activity by point of delivery")
    qipp: Qipp = Field(default_factory=Qipp, description="QIPP target and schemes")
    solutions: Solutions = Field(default_factory=Solutions, description="Do-something levers")
    primary_care_bridge: PrimaryCareBridge | None = Field(
        None, description="Primary care financial bridge"
    )
    risks: list[Risk] = risks_field()
    mitigations: list[Mitigation] = mitigations_field()


def contract_value_problems(s) -> list[tuple[str, object, str]]:
    """The two sides of each contract (contract value triangulation): a commissioner's
    ``planned_value`` and a trust's ``contract_income`` name modelled years only, and a trust
    plans income only from a commissioner of this scenario that contracts with it.
    ``(path, value, message)`` rows, as :func:`ccgmodels.inputs.rules.semantic_problems`
    gives them; organisations told apart by their ``kind`` tag."""
    try:
        years = fy.span(s.base_year, s.end_year)
    except ValueError:  # years out of order: semantic_problems says so
        years = [s.base_year]
    out: list[tuple[str, object, str]] = []

    def outside(path: str, value) -> None:
        for y in value if isinstance(value, dict) else ():
            if y not in years:
                out.append((f"{path}.{y}", y, f"year outside the scenario's years {years[0]} "
                            f"to {years[-1]}"))

    paying: dict[str, list[str]] = {}
    for o in s.organisations:
        if o.kind in COMMISSIONER_KINDS:
            for i, c in enumerate(o.contracts):
                outside(f"organisations.{o.id}.contracts.{i}.planned_value", c.planned_value)
                paying.setdefault(c.provider, [])
                if o.id not in paying[c.provider]:
                    paying[c.provider].append(o.id)
    for o in s.organisations:
        if o.kind != "provider":
            continue
        for cid, value in o.contract_income.items():
            path = f"organisations.{o.id}.contract_income.{cid}"
            if cid not in paying.get(o.id, []):
                which = paying.get(o.id)
                have = (f"the commissioners that contract with it: {', '.join(which)}" if which
                        else "no commissioner of this scenario contracts with it")
                out.append((path, cid, f"{o.id} plans contract income from {cid}, which is not "
                            f"a commissioner of this scenario contracting with {o.id} ({have}); "
                            "give the commissioner a contract with it, or name one of those"))
            outside(path, value)
    return out
