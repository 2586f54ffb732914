"""The explorer's levers: which assumptions of each kind of organisation it shows, labelled and
explained in plain words.

A commissioner's (:data:`CONTROLS`), a provider trust's (:data:`PROVIDER_CONTROLS`) and a
council's (:data:`COUNCIL_CONTROLS`); :func:`controls_of` picks an organisation's. Each lever's
tooltip is written here in words a finance director reads (``help``); a field without one
gets its description with the schema notes taken out (:func:`plain`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..inputs.scenario import Commissioner, Provider, SocialCare


@dataclass(frozen=True)
class ControlSpec:
    """One assumption the explorer shows: a path below an organisation, its label and help.

    ``path`` may hold ``{band}`` (every age band of ``demand.population_growth``) or
    ``{status}`` (every status of ``qipp.delivery_probability``); ``span`` is how far either
    side of the base value a slider reaches, and so the range a typed value must lie in [unit
    of the assumption], clipped to the field's bounds (0: the field's bounds); a commissioner
    that gives ``unless`` (a path) does not get the control (its allocation stated as levels by
    year has no growth to change). ``help`` is the tooltip, in plain words.
    """

    path: str
    label: str
    span: float = 0.0
    unless: str = ""
    help: str = ""


#: a commissioner's levers (a CCG's or an ICB's)
CONTROLS = (
    ControlSpec("allocation.growth_adjustment", "Allocation growth: change to the settlement, "
                "every year", 0.03, help="Added to the growth of every allocation each year "
                "after the base year: 0 in the plan; try what a later settlement might give."),
    ControlSpec("expenditure.price_inflation", "Price inflation, every service line", 0.03,
                help="How much prices rise each year, for every service the commissioner "
                "buys."),
    ControlSpec("solutions.demand_mitigation_rate", "Demand mitigation: share of activity "
                "growth avoided", 0.5, help="The share of each year's growth in hospital and "
                "community activity that schemes avoid."),
    ControlSpec("qipp.delivery_probability.{status}", "QIPP delivery probability, {status}",
                1.0, help="The chance that a saving at this stage is delivered: 100% counts "
                "it in full, 0% not at all."),
    ControlSpec("demand.population_growth.{band}", "Population growth, ages {band}", 0.02,
                help="How fast the population in this age band grows each year; activity "
                "grows with it."),
    ControlSpec("contingency_rate", "Contingency reserve, share of allocation", 0.01,
                unless="contingency", help="Money held back each year against risks, as a "
                "share of the allocation."),
    ControlSpec("contingency", "Contingency as the plan states it",
                help="Money held back against risks, as the plan states it, in thousands of "
                "pounds."),
    ControlSpec("control_total", "Control total (surplus to reach)",
                help="The surplus the commissioner must reach, in thousands of pounds."),
    ControlSpec("primary_care_bridge.stf_arrives", "GPFV STF arrives",
                help="Whether the General Practice Forward View transformation money arrives "
                "at all."),
)
#: a provider trust's levers
PROVIDER_CONTROLS = (
    ControlSpec("efficiency_rate", "Cost improvement (CIP): efficiency on the cost base",
                0.03, help="The trust's cost improvement programme: the share of its costs "
                "it saves each year."),
    ControlSpec("efficiency_delivery", "Share of the CIP delivered", 1.0,
                help="How much of the cost improvement programme is expected to be "
                "delivered: 100% in full."),
    ControlSpec("cost_volume_growth", "Cost growth: activity the trust delivers", 0.03,
                help="How much the activity behind the trust's costs grows each year, "
                "before efficiency."),
    ControlSpec("price_inflation", "Pay and price inflation of the trust", 0.03,
                help="How much the trust's pay and prices rise each year; its income from "
                "contracts moves with it."),
    ControlSpec("other_income_growth", "Growth of other income", 0.03,
                help="Growth each year of the trust's income from outside this system's "
                "commissioners."),
)
#: a council's levers (its social care)
COUNCIL_CONTROLS = (
    ControlSpec("cost_growth", "Social care cost growth", 0.03,
                help="How much the council's social care costs grow each year from "
                "inflation and an older population."),
    ControlSpec("budget_growth", "Social care budget growth", 0.03,
                help="How much the council's social care budget grows each year."),
    ControlSpec("savings", "Council savings", help="New recurrent savings the council "
                "delivers in each year, in thousands of pounds."),
)
#: the controls' labels in the ICB era's words where they differ, by path
ICB_CONTROL_LABELS = {
    "qipp.delivery_probability.{status}": "Efficiency delivery probability, {status}",
    "control_total": "Planned surplus (breakeven duty: surplus to reach)",
    "primary_care_bridge.stf_arrives": "Primary care transformation funding arrives",
}


def controls_of(org: Any) -> tuple[ControlSpec, ...]:
    """The levers of an organisation of any kind: a commissioner's, a trust's, a council's."""
    if isinstance(org, Commissioner):
        return CONTROLS
    if isinstance(org, Provider):
        return PROVIDER_CONTROLS
    if isinstance(org, SocialCare):
        return COUNCIL_CONTROLS
    return ()


def plain(description: str) -> str:
    """A field's description as help a reader can take in: without its unit in square
    brackets, its schema notes (``{year: rate}``, "or by year"), dotted paths and citations
    (``(000:L2015)``); the sources are in the report's assumptions register."""
    text = re.sub(r"\s*\[[^\]]*\]", "", description)
    text = re.sub(r"\s*\([^)]*(?:\d{3}:L\d|\w+\.\w+\.)[^)]*\)", "", text)
    text = re.sub(r":?\s*a rate or \{[^}]*\}", "", text)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r",? or by year", "", text)
    text = re.sub(r"\s+", " ", text).strip().rstrip(".;,:")
    return f"{text}." if text else ""
