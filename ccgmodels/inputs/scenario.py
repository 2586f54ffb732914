"""Typed, frozen scenario assumptions: the contract between scenario files and the models.

A scenario is a YAML file validated by :class:`Scenario`. Every field carries a description with
its unit in square brackets. Conventions (written once, used everywhere):

* Money is in thousands of pounds, ``[£k]``, everywhere inside the package and in every file.
* Rates are fractions, ``[fraction]``: 0.034 is 3.4%. A rate above 1 is rejected with a hint that
  it looks like a per cent. Growth below -1 (-100%) is rejected.
* Financial years are written ``"2019/20"``; see :mod:`ccgmodels.inputs.years` for accepted input.
* Sign: surplus positive, deficit negative; savings are positive numbers that reduce expenditure;
  primary care bridge enabler costs are negative, as the documents print them.

Where a default comes from the planning documents its description cites the document and line
(``000`` is the 2019/20 CPR & Southend operational plan; see ``data/README.md``). A default the
documents do not give says ``ASSUMPTION``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_serializer, model_validator

from . import years as fy
from .actuals import Actuals
from .commissioner import (  # noqa: F401 (re-exported: the commissioner's models)
    REMOVED_SOLUTION_FIELDS,
    Allocation,
    AllocationByType,
    AllocationGrowth,
    BridgeYear,
    Commissioner,
    Contract,
    Demand,
    Expenditure,
    PointOfDelivery,
    PrimaryCareBridge,
    Qipp,
    Scheme,
    ServiceLineSpend,
    Solutions,
    _default_probabilities,
    _refuse_old_fields,
)
from .efficiency import Efficiency, EfficiencyScheme  # noqa: F401 (re-exported)
from .footprint import GpAccess, Opportunity  # noqa: F401 (re-exported)
from .icb import (  # noqa: F401 (re-exported: an ICB's models)
    Convergence,
    Icb,
    IcbAllocation,
    IcbExpenditure,
    IcbStreamGrowth,
    IcbStreams,
    Place,
)
from .risks import Mitigation, Risk, mitigations_field, risks_field  # noqa: F401 (re-exported)
from .rules import SemanticError, semantic_problems
from .types import (  # noqa: F401 (re-exported: the scalar types)
    Era,
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
    _fraction,
    _growth,
)
from .vocab import (  # noqa: F401 (re-exported: the vocabularies the types are built from)
    ALLOCATION_TYPES,
    ERAS,
    FOOTPRINT,
    ICB_STREAMS,
    KINDS,
    POD_SERVICE_LINE,
    PODS,
    PROVIDERS_WITH_GROWTH_TABLE,
    SERVICE_LINES,
    STAFF_GROUPS,
    STATUSES,
    era_of,
)
from .workforce import StaffGroup, Workforce  # noqa: F401 (re-exported)

#: provider fields of earlier versions, and what replaced them (a clear message, not "extra")
RENAMED_PROVIDER_FIELDS = {
    "income_growth": "other_income_growth (the volume of that income: its price now follows "
                     "price_inflation less tariff_efficiency)",
    "cost_growth": "cost_volume_growth (the volume of the cost base: its price now follows "
                   "price_inflation, by default the commissioners' national driver)",
}


class Provider(Strict):
    kind: Literal["provider"] = Field(description="Organisation kind: an NHS provider trust")
    id: Slug = Field(description="Organisation id")
    name: str = Field(description="Organisation name")
    income: Money = Field(description="Income in the base year from outside this scenario's "
                          "commissioners (their contracts add the rest) [£k]")
    other_income_growth: GrowthByYear = Field(
        0.0, description="Growth a year in the volume of the income from outside this "
        "scenario's commissioners, or by year; its price moves with price_inflation less "
        "tariff_efficiency, as the contracts' prices do [fraction/yr]")
    cost: Money = Field(description="Cost base in the base year [£k]")
    cost_volume_growth: GrowthByYear = Field(
        0.0, description="Growth a year in the volume of the cost base (the activity it "
        "delivers), do nothing, or by year; its price moves with price_inflation "
        "[fraction/yr]")
    price_inflation: GrowthByYear | None = Field(
        None, description="Pay and price inflation of the provider's costs, and of the prices "
        "it is paid, a year or by year; when absent, that of the commissioners that contract "
        "with it (one national driver, so a national price change moves income and cost "
        "together) [fraction/yr]")
    tariff_efficiency: RateByYear | None = Field(
        None, description="Efficiency factor deducted from the prices it is paid each year, or "
        "by year; when absent, that of the commissioners that contract with it [fraction/yr]")
    efficiency_rate: RateByYear = Field(
        0.0, description="Efficiency a year on the cost base (CIP), compounding, or by year: "
        "the one place provider efficiency is counted (004:L66) [fraction/yr]"
    )
    efficiency_delivery: Rate = Field(
        1.0, description="Share of the CIP expected to be delivered, as a QIPP scheme's "
        "delivery probability risks it (1: in full) [fraction]")
    consolidation: Rate = Field(
        1.0, description="Share of the provider that belongs to this footprint: its income, "
        "costs and solutions enter the results at this share, and so does the elimination of "
        "what the footprint's commissioners pay it (the STP's 'EPUT (71.4%)', 000:L2568) "
        "[fraction]")
    marginal_cost_rate: Rate = Field(
        0.7, description="Share of the income from activity a commissioner avoids that the "
        "provider can take out of its costs; the rest is fixed cost that strands. ASSUMPTION: "
        "70%, the national tariff's marginal rate for emergency activity above baseline "
        "[fraction]")
    stf: dict[FinancialYear, Money] = Field(
        default_factory=dict, description="Sustainability and transformation funding [£k]"
    )
    deficit_support: dict[FinancialYear, Money] = Field(
        default_factory=dict,
        description="Deficit support funding by year, non-recurrent income tapering as given "
        "(0 in a year not given): its own line, left out of the underlying position and the "
        "breakeven rule [£k]")
    planned_surplus: SignedMoneyByYear | None = Field(
        None, description="Surplus the trust plans as an individual body, every year or "
        "{year: surplus}; breakeven (0) when absent. Judged by the breakeven rule in a "
        "scenario with an ICB (today's rules) [£k]")
    contract_income: dict[Slug, Money | dict[FinancialYear, Money]] = Field(
        default_factory=dict,
        description="Income the trust plans from each commissioner of this scenario that "
        "contracts with it, {commissioner id: £k every year, or {year: £k} for the years "
        "stated} (contract value triangulation): the trust's side of the contract, its own "
        "contract income; a commissioner or year not stated takes the commissioner's side "
        "[£k]")
    workforce: Workforce | None = Field(
        None, description="Staff by group, cost per WTE, pay award and agency and bank premia: "
        "the pay bill, checked against the pay cost")
    efficiency: Efficiency | None = Field(
        None, description="The trust's efficiency register (cost improvement programme): its "
        "requirement, by default the CIP of efficiency_rate, and the schemes that meet it, "
        "each delivered with the probability of its status; absent: the CIP is delivered at "
        "efficiency_delivery")
    risks: list[Risk] = risks_field()
    mitigations: list[Mitigation] = mitigations_field()

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data):
        return _refuse_old_fields(data, RENAMED_PROVIDER_FIELDS, "was replaced by")

    @model_validator(mode="after")
    def _one_delivery_rule(self) -> Provider:
        if self.efficiency is not None and self.efficiency_delivery != 1.0:
            raise ValueError(
                f"efficiency_delivery is {self.efficiency_delivery:g} on a trust with an "
                "efficiency register: delivery then follows each scheme's status "
                "(efficiency.delivery_probability), so leave efficiency_delivery out (1)")
        return self


class SocialCare(Strict):
    kind: Literal["social_care"] = Field(description="Organisation kind: a council's social care")
    id: Slug = Field(description="Organisation id")
    name: str = Field(description="Organisation name")
    budget: Money = Field(description="Social care budget in the base year [£k]")
    budget_growth: GrowthByYear = Field(
        0.0, description="Budget growth a year, or by year [fraction/yr]")
    cost: Money = Field(description="Cost of social care in the base year [£k]")
    cost_growth: GrowthByYear = Field(
        0.0, description="Cost growth a year from inflation and demography, or by year "
        "[fraction/yr]"
    )
    savings: dict[FinancialYear, Money] = Field(
        default_factory=dict,
        description="New recurrent savings delivered in each year [£k]",
    )
    bcf_from: list[Slug] = Field(
        default_factory=list,
        description="Commissioners whose Better Care Fund line is pooled with this council: "
        "income and cost of the council, a flow eliminated in the footprint")
    consolidation: Rate = Field(
        1.0, description="Share of the council's own social care budget, cost and savings that "
        "belongs to this footprint (e.g. the footprint's share of a county's population); the "
        "BCF pooled from the footprint's commissioners is counted in full [fraction]")
    first_year: FinancialYear | None = Field(
        None, description="Year the council's figures are for, when later than the scenario's "
        "base year: budget and cost are that year's, growth runs from it, and the council has "
        "no rows of money before it (zero, outside the modelled books)")
    efficiency: Efficiency | None = Field(
        None, description="The council's savings plan as an efficiency register: its "
        "requirement, by default the cumulative savings, and the schemes that meet it, each "
        "delivered with the probability of its status; with it, the savings line comes from "
        "the register")
    risks: list[Risk] = risks_field()
    mitigations: list[Mitigation] = mitigations_field()


Organisation = Annotated[Commissioner | Icb | Provider | SocialCare, Field(discriminator="kind")]


# --- uncertainty -----------------------------------------------------------------------------


class Distribution(Strict):
    dist: Literal["normal80", "triangular", "uniform"] = Field(
        description="normal80: normal with low and high as its 10th and 90th percentiles; "
        "triangular: low, mode, high; uniform: low to high"
    )
    low: Finite = Field(description="Low value [unit of the assumption]")
    high: Finite = Field(description="High value [unit of the assumption]")
    mode: Finite | None = Field(
        None, description="Most likely value, triangular only [unit of the assumption]"
    )


class Scenario(Strict):
    """A scenario: every assumption one run of the model needs, validated and frozen.

    Load one with :func:`~ccgmodels.inputs.loading.load_scenario` (a bundled name, a YAML file
    or an assumptions workbook); change one with overrides (dotted paths), never in place.
    Each field carries its description, unit and bounds (``ccgmodels schema`` prints them as
    JSON Schema; the assumptions workbook shows them beside each row). Money is in £k, rates
    are fractions, years are written ``"2019/20"``.
    """

    name: Slug = Field(description="Scenario id; names its output folder")
    title: str = Field(description="Title printed on reports")
    description: str = Field("", description="What the scenario represents")
    base_year: FinancialYear = Field(description="First modelled year, the plan year")
    end_year: FinancialYear = Field(description="Last modelled year (inclusive)")
    era: Era | None = Field(
        None,
        description="Planning regime whose words the pages use: '2014' (plans before "
        "2017/18), 'ccg' (2017/18 to 2021/22) or 'icb' (2022/23 on); unset: the base year's",
    )
    organisations: list[Organisation] = Field(min_length=1, description="Organisations modelled")
    deflator: GrowthByYear = Field(
        0.02,
        description="Growth of the price level that turns cash into base-year prices (results' "
        "value_real); ASSUMPTION default 2% a year, the Bank of England's inflation target as a "
        "stand-in for the GDP deflator [fraction/yr]",
    )
    uncertainty: dict[str, Distribution] = Field(
        default_factory=dict,
        description="Ranges for numeric assumptions, keyed by dotted path "
        "(organisations.<id>.<field>...); organisations.*.<field> is a shared (national) "
        "driver: one draw a run for every organisation that has the field",
    )
    delivery_correlation: Rate = Field(
        0.0,
        description="Programme-wide QIPP slippage in the Monte Carlo: the share of runs in "
        "which every scheme and gap of the scenario is delivered or not on one shared draw "
        "(the correlation between any two schemes' delivery); 0 draws each scheme alone "
        "[fraction]",
    )
    system_opportunities: list[Opportunity] = Field(
        default_factory=list,
        description="The system's transformation opportunities as the STP sizes them, across "
        "its whole footprint: not schemes of any organisation here (no owner, investment or "
        "phasing given), so reported beside the position, not in it")
    gp_access: GpAccess | None = Field(
        None, description="GP appointment demand beyond capacity across the footprint, and "
        "how the primary care strategy's solutions close it")
    actuals: Actuals | None = Field(
        None, description="Actuals, or a forecast outturn, for the base year by organisation, "
        "measure and item [£k], compared with the plan in the report (variance to plan)")
    sources: dict[str, str] = Field(
        default_factory=dict,
        description="Where each assumption comes from, keyed by dotted path: a document line "
        "such as '000:L1981' or 'ASSUMPTION: ...'",
    )

    @property
    def years(self) -> list[str]:
        """Every modelled financial year, base to end inclusive."""
        return fy.span(self.base_year, self.end_year)

    def org(self, org_id: str) -> Commissioner | Icb | Provider | SocialCare:
        """The organisation with id ``org_id``."""
        for o in self.organisations:
            if o.id == org_id:
                return o
        raise KeyError(f"no organisation {org_id!r}; have {[o.id for o in self.organisations]}")

    @model_validator(mode="after")
    def _era(self) -> Scenario:
        # the era stated, else the base year's (era_of, the one rule); a derived era is not
        # written back when the scenario is dumped (see _dump), so files keep what they state
        if self.era is None:
            object.__setattr__(self, "era", era_of(self.base_year))
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        data = handler(self)
        if "era" not in self.model_fields_set and isinstance(data, dict):
            data.pop("era", None)
        return data

    @model_validator(mode="after")
    def _semantics(self) -> Scenario:
        problems = semantic_problems(self)
        if problems:
            raise SemanticError(problems)
        return self
