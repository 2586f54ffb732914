"""The measure catalogue: every measure of the results table, written once.

Each :class:`Measure` says its unit, the items it breaks down into, its definition and formula,
its display name, whether the footprint sums it over the organisations (additive), what the
Monte Carlo keeps of it, and whether it is a surplus (so its chance of break-even, and of
meeting the control total, is reported). Everything else reads it: the results table's units and
the footprint rule (:mod:`ccgmodels.models.results`), the Monte Carlo
(:mod:`ccgmodels.models.uncertainty`, :mod:`ccgmodels.models.mcstats`), the display names
(:mod:`ccgmodels.outputs.labels`), the typed result (each measure an attribute of
:class:`ccgmodels.models.run.OrgResult`, its docstring made from its entry) and the docs
(``docs/measures.md``).

Adding a measure is one entry here plus the step that computes it (its formula, in the model).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np

from ..inputs.vocab import BRIDGE_ITEMS

#: a measure of the catalogue and one of its items (``""`` for a measure without items)
Key: TypeAlias = tuple[str, str]
#: an organisation id, a measure and one of its items (the Monte Carlo's key)
OrgKey: TypeAlias = tuple[str, str, str]
#: one organisation's measures, ``{(measure, item): array}``, year axis last, each array in its
#: measure's unit: what every step of the model returns and
#: :attr:`ccgmodels.models.run.OrgResult.series` holds
MeasureArrays: TypeAlias = dict[Key, np.ndarray]


@dataclass(frozen=True)
class Measure:
    """One measure of the results table."""

    name: str  # the ``measure`` column
    unit: str  # the ``unit`` column: £k, count, fraction, flag, ...
    items: str  # what the ``item`` column holds for it, in words
    definition: str
    formula: str
    additive: bool = True  # whether the footprint value is the sum of the organisations'
    display: str = ""  # its name on a page (the identifier never reaches one)
    #: its name in an era whose words differ (``{"icb": "Efficiency"}``); other eras: display
    eras: Mapping[str, str] = field(default_factory=dict)
    #: what the Monte Carlo keeps for every run: items kept, None for every item, () nothing
    keep: tuple[str, ...] | None = ()
    surplus: bool = False  # a surplus/(deficit): the chance of break-even is reported
    control_total: bool = False  # a surplus compared with the control total as well


    def display_in(self, era: str | None = None) -> str:
        """Its name on a page of a scenario of ``era`` (:data:`ccgmodels.inputs.vocab.ERAS`)."""
        return self.eras.get(era or "", self.display)


def kept() -> dict[str, tuple[str, ...] | None]:
    """``{measure: items}`` the Monte Carlo keeps for every run (None: every item)."""
    return {m.name: m.keep for m in MEASURES.values() if m.keep != ()}


def names(flag: str) -> tuple[str, ...]:
    """The measures with ``flag`` set (``"surplus"``, ``"control_total"``, ``"additive"``)."""
    return tuple(m.name for m in MEASURES.values() if getattr(m, flag))


#: the one definition of do nothing, used by the catalogue, the docs and the reports
DO_NOTHING = ("the base-year plan before all of its QIPP, identified and unidentified alike, "
              "carried forward with no new action: every line grown by its volume and price, "
              "recurrent savings neither added nor lost, the contingency held")

MEASURES: dict[str, Measure] = {m.name: m for m in [
    Measure("allocation", "£k", "programme, running_costs, primary_care_cocommissioning, total "
            "(a CCG); core_services, primary_medical_care, delegated_primary_care, specialised, "
            "running_costs, total (an ICB)",
            "Recurrent allocation by type (a CCG) or stream (an ICB)",
            "base * prod(1 + growth_t), or the published level; an ICB's stream with a target "
            "= target_t * (1 + distance_t); an ICB's running_costs = rca_per_head * population "
            "/ 1000; total = sum of types", display="Allocation", keep=("total",)),
    Measure("expenditure", "£k", "service line, contingency_reserve, unidentified_qipp, total",
            "Commissioner plan spend: do nothing with the identified QIPP schemes delivered "
            "(the base-year plan as printed, which also nets off its unidentified QIPP)",
            "line = do-nothing line - what the schemes take off it; contingency = rate * "
            "allocation; unidentified_qipp = -qipp unidentified in the base year, 0 after it; "
            "total = sum", display="Plan expenditure", keep=("total",)),
    Measure("surplus", "£k", "", "Commissioner plan surplus/(deficit): after a base year, "
            "on identified savings only (what is still to find is a shortfall, not a plug)",
            "allocation total - expenditure total", display="Plan surplus/(deficit)", keep=("",),
            surplus=True, control_total=True),
    Measure("control_total", "£k", "", "Surplus the organisation must reach: a CCG's control "
            "total; an ICB's or (with an ICB in the scenario) a trust's planned surplus",
            "stated (every year or by year), else 0 (break-even)", display="Control total",
            eras={"icb": "Planned surplus (breakeven duty)"}),
    Measure("do_nothing_expenditure", "£k", "total", f"Spend if nothing changes: {DO_NOTHING}",
            "sum_l gross_l * volume_index_l * price_index_l + contingency",
            display="Do nothing expenditure", keep=("total",)),
    Measure("do_nothing_surplus", "£k", "", "In-year surplus/(deficit) if nothing changes",
            "allocation (or income) - do-nothing expenditure",
            display="Do nothing surplus/(deficit)", keep=("",), surplus=True, control_total=True),
    Measure("do_nothing_cumulative_surplus", "£k", "", "Running total of do_nothing_surplus",
            "cumsum over years", display="Do nothing cumulative surplus/(deficit)", keep=("",),
            surplus=True),
    Measure("solutions", "£k",
            "efficiency, demand_mitigation, schemes, contingency_release, primary_care_model, "
            "mental_health_investment, contract_flows, avoided_cost, stf, social_care, "
            "deficit_support (where given), contract_value (where stated), total",
            "What closes the gap, each its own line (positive improves the position)",
            "efficiency = delivery * cost base * (1 - prod(1 - e_t)), or with a register "
            "its expected savings (efficiency_plan); demand_mitigation = "
            "(1 - investment) * d * cost of activity growth; schemes = sum p(status) * effect "
            "+ p(unidentified) * gap; "
            "contingency_release = min(contingency, QIPP slippage); primary_care_model = bridge "
            "enablers + CCG baseline funding (recurrent: carried on after the bridge); "
            "mental_health_investment = - what meets the standard; contract_flows = - savings "
            "a block contract gives back (commissioner) or - income lost on activity contracts "
            "(provider); "
            "avoided_cost = marginal cost rate * avoided activity; stf includes the bridge's "
            "GPFV STF; deficit_support = as given by year (non-recurrent income); "
            "contract_value = what a commissioner's lines derive for its contracts - the "
            "planned_value it states (its own side of the contract); total = sum",
            display="Solutions", keep=None),
    Measure("do_something_surplus", "£k", "", "Surplus/(deficit) after solutions",
            "do_nothing_surplus + solutions total", display="Do something surplus/(deficit)",
            keep=("",), surplus=True, control_total=True),
    Measure("do_something_cumulative_surplus", "£k", "", "Running total of "
            "do_something_surplus", "cumsum over years",
            display="Do something cumulative surplus/(deficit)", keep=("",), surplus=True),
    Measure("underlying_surplus", "£k", "", "Recurrent (underlying) surplus/(deficit): the "
            "exit run-rate", "do_something_surplus - STF - contingency release - deficit "
            "support - non-recurrent scheme savings (QIPP and efficiency registers)",
            display="Underlying (recurrent) surplus/(deficit)",
            keep=("",), surplus=True, control_total=True),
    Measure("risk_register", "£k", "gross_risk, net_risk, mitigations",
            "A body's risk and mitigation register (only a body that has one): its risks' cost "
            "if every one materialised at its most likely size, their expected cost, and the "
            "expected value of its mitigations; in the Monte Carlo, what each run drew",
            "gross_risk = sum_k most_likely_k; net_risk = sum_k likelihood_k * (low_k + "
            "most_likely_k + high_k) / 3 (most likely: the midpoint when not given); "
            "mitigations = sum_m probability_m * value_m; each at the body's consolidation "
            "share", display="Risks and mitigations", keep=None),
    Measure("risk_adjusted_surplus", "£k", "", "Surplus/(deficit) after the net risk and the "
            "mitigations of the register (a body with one; the footprint's counts a body "
            "without one at its do-something position)",
            "do_something_surplus - net_risk + mitigations", additive=False,
            display="Risk-adjusted surplus/(deficit)", eras={"icb": "Risk-adjusted position"},
            keep=("",), surplus=True, control_total=True),
    Measure("income", "£k", "other, contracts, budget, bcf, total",
            "Provider income (from outside the footprint's commissioners, and their contracts) "
            "or social care budget (and the BCF pooled with it)",
            "other = base * prod(1 + growth_t); contracts = the commissioners' payments; "
            "total = sum", display="Income", keep=("total",)),
    Measure("contract_payments", "£k", "provider id",
            "What a commissioner pays a footprint provider: the contract value, its plan's "
            "spend (net of the QIPP schemes agreed in the contract), or the planned_value it "
            "states; the commissioner's view in the contract triangulation",
            "stated planned_value in the years it states, else sum over lines of share * plan "
            "line spend", additive=False, display="Contract payments"),
    Measure("contract_derived", "£k", "provider id",
            "What a commissioner's plan lines derive for its contracts with a provider, beside "
            "the planned_value it states (written only for a commissioner that states one)",
            "sum over lines of share * plan line spend", additive=False,
            display="Contract value its plan lines derive"),
    Measure("contract_mismatch", "£k", "commissioner id, total",
            "Contract value triangulation: the trust's planned income from a commissioner less "
            "what that commissioner plans to pay it (written only for a trust that states its "
            "contract_income); at the trust's footprint share",
            "provider view - commissioner view = contract income - contract payments",
            display="Contract mismatch (provider less commissioner view)"),
    Measure("contract_income_lost", "£k", "provider id", "Income a provider loses on activity "
            "contracts when the commissioner avoids activity", "share * avoided spend",
            additive=False, display="Contract income lost"),
    Measure("contract_activity_avoided", "£k", "provider id", "Spend a commissioner avoids on "
            "a provider's contracts by demand mitigation (QIPP schemes count as agreed in "
            "the contracts)", "share * mitigation of the line", additive=False,
            display="Contract activity avoided"),
    Measure("bcf_pool", "£k", "", "A commissioner's Better Care Fund line in its plan (pooled "
            "with a council when the council names it)", "plan BCF line", additive=False,
            display="Better Care Fund pooled"),
    Measure("eliminations", "£k", "contracts, bcf, total", "Flows between the footprint's "
            "organisations, left out of system income and expenditure (footprint only)",
            "sum of contract payments to footprint providers + BCF pooled with footprint "
            "councils", additive=False, display="Eliminations"),
    Measure("system", "£k", "income, expenditure, do_nothing_surplus, contract_mismatch "
            "(where a side is stated)", "The footprint's income "
            "and expenditure net of eliminations, do nothing (footprint only); the "
            "eliminations take the commissioners' side of each contract, so a contract "
            "mismatch stays in the system position, its own line",
            "sum of allocations and incomes - eliminations; sum of expenditure - "
            "eliminations; surplus = income - expenditure = sum of surpluses; "
            "contract_mismatch = sum of the trusts' contract_mismatch total", additive=False,
            display="System position"),
    Measure("workforce_wte", "WTE", "staff group, total",
            "A trust's whole-time equivalent staff by staff group (the whole trust, before its "
            "footprint share), after its efficiency schemes' WTE changes",
            "stated WTE (the base year's kept, or by year) + sum_s p(status_s) * wte_s * "
            "phase_s", additive=False, display="Workforce (WTE)"),
    Measure("pay_bill", "£k", "staff group, total",
            "A trust's pay bill built from its workforce (the whole trust, before its "
            "footprint share)", "wte_g * cost_per_wte_g * prod(1 + pay_award) * (1 + "
            "agency_premium + bank_premium); total = sum", additive=False,
            display="Pay bill"),
    Measure("pay_cost_reconciliation", "£k", "pay_cost, pay_bill, difference",
            "The workforce's base-year pay bill against the pay cost the finance plan states "
            "(base year only); more than 1% apart is flagged", "difference = pay_bill - "
            "pay_cost", additive=False, display="Pay bill against pay cost"),
    Measure("pc_bridge_reconciliation", "£k", "income, expenditure", "Primary care bridge "
            "against the plan: bridge income less the co-commissioning allocation, bridge "
            "expenditure less the plan's co-commissioning line", "bridge - plan, years both "
            "cover", display="Primary care bridge against the plan"),
    Measure("activity", "count", "point of delivery", "Activity a year",
            "activity_0 * prod((1 + demographic_t) * (1 + non_demographic_t))", display="Activity"),
    Measure("activity_cost", "£k", "point of delivery", "Cost of the activity, do nothing",
            "activity * unit_cost_0 * prod((1 + inflation_t) * (1 - tariff_efficiency_t)); the "
            "efficiency factor on tariff-priced (acute) activity only", display="Cost of activity"),
    Measure("unit_cost", "£k", "point of delivery", "Cost per unit of activity",
            "activity_cost / activity", additive=False, display="Unit cost"),
    Measure("growth_demographic", "fraction", "point of delivery",
            "Demographic growth from the year before (none in the base year)",
            "sum_b age_mix_b * population_growth_b,t", additive=False,
            display="Demographic growth"),
    Measure("growth_non_demographic", "fraction", "point of delivery",
            "Non-demographic growth from the year before (none in the base year)",
            "stated, or (1 + table growth) / (1 + demographic_t) - 1", additive=False,
            display="Non-demographic growth"),
    Measure("growth_total", "fraction", "point of delivery",
            "Activity growth from the year before, both drivers compounded (none in the base "
            "year)", "(1 + demographic_t) * (1 + non_demographic_t) - 1", additive=False,
            display="Activity growth"),
    Measure("qipp", "£k",
            "required, planning_rule, target, identified, risk_adjusted, unidentified, "
            "headroom_target, pipeline_target, pipeline, pipeline_cover",
            "QIPP position of the year, cumulative against do nothing",
            "required = max(0, control_total - do_nothing_surplus); planning_rule = rate * "
            "allocation; target = the stated base-year target (or identified + a stated gap), "
            "else required; identified = sum of the plan's scheme effects; unidentified = "
            "max(target - identified, 0); headroom = headroom_rate * target; pipeline_target = "
            "target + headroom; pipeline = sum of the pipeline schemes' effects (outside the "
            "plan); pipeline_cover = identified + pipeline - pipeline_target", display="QIPP",
            eras={"icb": "Efficiency"},
            keep=("required", "target", "identified", "risk_adjusted", "unidentified")),
    Measure("qipp_scheme", "£k", "scheme id", "A scheme's net saving against do nothing",
            "share * (gross - investment) * phase, indexed with its lines; empty for a "
            "described, uncosted pipeline item", display="QIPP scheme",
            eras={"icb": "Efficiency scheme"}),
    Measure("qipp_status", "£k", "status", "Scheme savings by status",
            "sum of qipp_scheme by status", display="QIPP by status",
            eras={"icb": "Efficiency by status"}),
    Measure("qipp_category", "£k", "service line", "Scheme savings by expenditure category",
            "sum of qipp_scheme by category", display="QIPP by category",
            eras={"icb": "Efficiency by category"}),
    Measure("efficiency_plan", "£k",
            "requirement, identified, pay, non_pay, income, recurrent, non_recurrent, "
            "risk_adjusted, unidentified, pipeline",
            "Efficiency plan of a trust (its cost improvement programme) or a council (its "
            "savings plan) with an efficiency register, cumulative against do nothing",
            "requirement = stated, else a trust's CIP (cost * (1 - prod(1 - e_t))) or a "
            "council's cumulative savings; identified = sum of the plan's scheme effects "
            "(phase * (gross - investment), a trust's indexed with its cost base or income); "
            "pay, non_pay, income = identified by type; recurrent, non_recurrent = identified "
            "by recurrence; risk_adjusted = sum p(status) * effect; unidentified = "
            "max(requirement - identified, 0); pipeline = sum of the pipeline schemes' "
            "effects (outside the plan). Solution line (efficiency, or social_care) = sum "
            "p(status) * effect + p(unidentified) * unidentified; one-off schemes out of the "
            "underlying position", display="CIP and savings plan",
            eras={"icb": "Efficiency plan"}),
    Measure("efficiency_scheme", "£k", "scheme id", "An efficiency scheme's net saving "
            "against do nothing (a trust's or a council's register)",
            "(gross - investment) * phase, a trust's indexed with its cost base or income",
            additive=False, display="CIP scheme", eras={"icb": "Efficiency scheme"}),
    Measure("mental_health_investment", "£k", "planned, required, investment, shortfall",
            "Mental health investment standard (000:L2673): the plan's mental health spend, "
            "what the standard requires, and what the plan adds to meet it (costed in the plan "
            "and as a solution line of negative value)", "required = planned last year * (1 + "
            "programme allocation growth + uplift); investment = what lifts planned spend to "
            "required, carried on (none for a plan stated year by year, taken as printed); "
            "shortfall = max(0, required - planned)", display="Mental health investment standard"),
    Measure("pc_bridge", "£k", ", ".join(BRIDGE_ITEMS),
            "Primary care financial bridge (bridge years)",
            "in_year = income - expenditure; future_model = workforce + estates + "
            "other_enablers; end_state = in_year + future_model + baseline_funding + stf",
            display="Primary care bridge"),
    Measure("gp_access", "appointments/week", "do_nothing, each solution of the primary care "
            "strategy, unallocated, do_something", "GP appointments a week demanded beyond "
            "capacity across the footprint (its own years: the plan's, 000:L90), and what the "
            "strategy's solutions close (000:L632-637)", "do_something = do_nothing - sum of "
            "the solutions; solution_k = share_k * do_nothing * ramp", additive=False,
            display="GP appointments a week beyond capacity"),
    Measure("system_opportunity", "£k", "opportunity id, total_saving, total_investment",
            "The STP's transformation opportunities across its footprint, as it sizes them "
            "(000:L2532-2551), in the base year: beside the position, not in it",
            "totals count a repeated opportunity once (duplicate_of)", additive=False,
            display="System transformation opportunities"),
    Measure("business_rule", "flag", "mental_health_investment, primary_care_growth, "
            "community_growth, control_total (a CCG), breakeven (an ICB, and a trust in a "
            "scenario with an ICB)", "Planning rule met (1) or not (0)",
            "mental health growth >= programme allocation growth + uplift; primary care and "
            "community growth >= allocation growth; plan surplus less its unidentified QIPP >= "
            "control total (never met on unidentified savings); breakeven: underlying surplus "
            "(without deficit support) >= planned surplus, per body and year",
            additive=False, display="Planning rule met"),
    Measure("population", "people", "", "An ICB's population", "population * prod(1 + "
            "population_growth_t)", additive=False, display="Population"),
    Measure("rca_per_head", "£/person", "", "An ICB's running cost allowance per head of "
            "population", "stated, every year or by year", additive=False,
            display="Running cost allowance per head"),
    Measure("target_allocation", "£k", "allocation stream", "An ICB stream's target "
            "(fair-shares) allocation", "target * prod(1 + growth_t), or the published "
            "target", additive=False, display="Target allocation"),
    Measure("distance_from_target", "fraction", "allocation stream", "How far an ICB "
            "stream's allocation is from its target (positive: above target)",
            "(allocation - target) / target = d_0 * (1 - convergence_pace)^t; with published "
            "levels, read off them", additive=False, display="Distance from target"),
    Measure("place_population", "people", "place id", "Population of each place (sub-ICB "
            "location) of an ICB", "the ICB's population * the place's base-year share",
            additive=False, display="Population by place"),
    Measure("place_allocation", "£k", "place id", "Allocation of each place of an ICB; the "
            "places sum to the ICB", "sum of the place's base-year share of each stream * "
            "the stream, its population share of running costs", additive=False,
            display="Allocation by place"),
    Measure("place_expenditure", "£k", "place id", "Plan spend of each place of an ICB; the "
            "places sum to the ICB", "sum of the place's base-year share of each line * the "
            "plan line + its allocation share of contingency and unidentified efficiency",
            additive=False, display="Plan expenditure by place"),
    Measure("place_surplus", "£k", "place id", "Plan surplus/(deficit) of each place of an "
            "ICB; the places sum to the ICB", "place_allocation - place_expenditure",
            additive=False, display="Plan surplus/(deficit) by place"),
    Measure("restated_allocation", "£k", "predecessor id, total", "A merged ICB's base-year "
            "allocation (the four streams, before running costs) restated from its "
            "predecessors (base year only)", "total = sum of the predecessors'",
            additive=False, display="Restated allocation"),
    Measure("restated_expenditure", "£k", "predecessor id, total", "A merged ICB's base-year "
            "planned spend restated from its predecessors (base year only)",
            "total = sum of the predecessors'", additive=False,
            display="Restated expenditure"),
    Measure("restated_population", "people", "predecessor id, total", "A merged ICB's "
            "base-year population restated from its predecessors (base year only)",
            "total = sum of the predecessors'", additive=False,
            display="Restated population"),
]}


def catalogue_markdown() -> str:
    """The measure catalogue as a Markdown table (``docs/measures.md``)."""
    lines = [
        "# Measures in `results.csv`",
        "",
        "Generated from `ccgmodels.models.measures.MEASURES` (`ccgmodels catalogue`); do not "
        "edit by hand. Columns: `scenario, org, year, measure, item, value, unit, kind`. "
        "Sign: surplus positive, deficit negative; savings and solutions positive. Org "
        "`footprint` is the sum of the organisations for measures marked additive (every item "
        "any organisation reports, an organisation without it adding nothing). Monte Carlo: "
        "the items kept for every run; a surplus also gets its chance of break-even.",
        "",
        "| measure | name | unit | items | definition | formula | additive | Monte Carlo |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in MEASURES.values():
        mc = ("every item" if m.keep is None else ", ".join(i or "(the value)" for i in m.keep)
              if m.keep else "")
        name = m.display + "".join(f"; {era}: {n}" for era, n in m.eras.items())
        lines.append(f"| `{m.name}` | {name} | {m.unit} | {m.items or '(none)'} | "
                     f"{m.definition} | {m.formula} | {'yes' if m.additive else 'no'} | "
                     f"{mc}{'; surplus' if m.surplus else ''} |")
    return "\n".join(lines) + "\n"
