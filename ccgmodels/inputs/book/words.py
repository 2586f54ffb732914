"""The words the assumptions workbook shows a finance team: each row's plain label ("Acute volume
growth"), its unit as people type it ("% a year", "£k") and its description without any one
plan's names or document citations.

The models' field descriptions (:mod:`ccgmodels.inputs.scenario` and the modules it imports)
stay as they are, with their citations, for the schema and the sources: the workbook's help
text is derived from them here, one rule for every row, so a field added later reads the same
way. The dotted path stays on each row, in its grey Field column, for reference (problems and
the Sources sheet name it).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..names import (
    ALLOCATION_NAMES,
    BRIDGE_NAMES,
    POD_NAMES,
    SERVICE_LINE_NAMES,
    STATUS_NAMES,
    STREAM_NAMES,
)

#: the display name of each vocabulary key a path can hold (a line, a stream, a status, ...)
KEY_NAMES = {**SERVICE_LINE_NAMES, **ALLOCATION_NAMES, **STREAM_NAMES, **POD_NAMES,
             **{k: v.split(" (")[0] for k, v in STATUS_NAMES.items()}, **BRIDGE_NAMES,
             "increasing_capacity": "Increasing capacity", "improved_triage": "Improved triage",
             "proactive_risk_stratified_care": "Pro-active and risk-stratified care",
             "reduced_gp_admin_burden": "Reduced GP admin burden"}

#: labels by the path with each key written ``*`` (and a group by year's year ``{year}``); a
#: ``{}`` takes the key's name. A path not here is labelled from its description.
LABELS = {
    "name": "Scenario id (names the output folder)", "title": "Title on the reports",
    "description": "What the scenario represents", "base_year": "Base year (the plan year)",
    "end_year": "Last year modelled", "era": "Planning era whose words the pages use",
    "deflator": "Deflator (growth of the price level)",
    "delivery_correlation": "Programme-wide scheme slippage (correlation)",
    "gp_access.unmet_demand": "GP appointments a week beyond capacity",
    "gp_access.growth": "How unmet GP demand grows between stated years",
    "gp_access.solution_shares.*": "Share of the GP gap closed by: {}",
    "gp_access.close_by": "Year the GP gap is closed",
    "allocation.base.*": "{} allocation, base year",
    "allocation.growth.*": "{} allocation growth",
    "allocation.growth_adjustment": "Change to every allocation's growth",
    "allocation.levels.{year}.*": "{} allocation, published level",
    "allocation.rca_per_head": "Running cost allowance per head",
    "allocation.convergence.*.target": "{}: target (fair shares) allocation",
    "allocation.convergence.*.convergence_pace": "{}: pace of convergence to target",
    "population": "Population, base year", "population_growth": "Population growth",
    "expenditure.base.*": "{} spend, base year",
    "expenditure.volume_growth.*": "{} volume growth",
    "expenditure.price_inflation": "Price inflation, every service line",
    "expenditure.price_inflation_by_line.*": "{} price inflation",
    "expenditure.planned.{year}.*": "{} spend, as the plan states it",
    "expenditure.planned_status": "Status of the stated plan's savings",
    "contingency_rate": "Contingency reserve (share of allocation)",
    "contingency": "Contingency, as the plan states it",
    "control_total": "Control total (surplus to reach)",
    "planned_surplus": "Planned surplus",
    "mhis_uplift": "Mental health investment standard: uplift",
    "demand.population_growth.*": "Population growth, ages {}",
    "demand.growth_table": "Activity growth table (published)",
    "demand.tariff_efficiency": "Tariff efficiency factor",
    "qipp.rate": "QIPP planning rule (share of allocation)",
    "qipp.target": "QIPP target, base year", "qipp.headroom_rate": "QIPP pipeline headroom",
    "qipp.unidentified": "Unidentified QIPP, base year",
    "qipp.delivery_probability.*": "Delivery probability of a scheme: {}",
    "solutions.demand_mitigation_rate": "Demand mitigation (share of growth avoided)",
    "solutions.demand_mitigation_investment": "Investment per £ of demand avoided",
    "solutions.mitigation_lines": "Service lines demand mitigation reduces",
    "solutions.stf": "Sustainability and transformation funding",
    "solutions.contingency_release": "Release the contingency against slippage",
    "primary_care_bridge.years.{year}.*": "Primary care bridge: {}",
    "primary_care_bridge.stf_arrives": "GP Forward View funding arrives",
    "primary_care_bridge.stf_delay_years": "Years the GP Forward View funding is late",
    "primary_care_bridge.enabler_scale": "Enabler costs multiplier",
    "primary_care_bridge.income_follows_pccc": "Bridge income follows the co-commissioning "
                                               "allocation",
    "income": "Income from other sources, base year",
    "other_income_growth": "Growth of that other income (volume)",
    "cost": "Cost base, base year", "cost_volume_growth": "Cost volume growth",
    "price_inflation": "Pay and price inflation", "tariff_efficiency": "Tariff efficiency factor",
    "efficiency_rate": "Efficiency (CIP) a year",
    "efficiency_delivery": "Share of the CIP delivered",
    "consolidation": "Share in this footprint",
    "marginal_cost_rate": "Marginal cost rate of avoided activity",
    "stf": "Sustainability and transformation funding", "deficit_support": "Deficit support",
    "budget": "Social care budget, base year", "budget_growth": "Budget growth",
    "cost_growth": "Cost growth", "savings": "New recurrent savings",
    "bcf_from": "Commissioners pooling their Better Care Fund here",
    "first_year": "Year the council's figures are for",
    "predecessors": "ICBs merged into this one",
    # the registers of issue 28 on the Providers and Councils sheets
    "contract_income.*": "Contract income planned from {}",
    "workforce.pay_cost": "Pay cost, base year", "workforce.pay_award": "Pay award",
    "workforce.agency_premium": "Agency premium (share of the pay bill)",
    "workforce.bank_premium": "Bank premium (share of the pay bill)",
    "efficiency.requirement": "Efficiency requirement (cumulative, by year)",
    "efficiency.delivery_probability.*": "CIP/savings delivery probability: {}",
}
#: labels whose key is an organisation's id, shown as it is
ID_KEYS = ("contract_income.*",)

#: the workbook's help for a row where the field's description, made plain, is not enough
DESCRIPTIONS = {
    "demand.growth_table": "Optional. A provider's published activity growth by point of "
    "delivery for the base year: when chosen, it sets each point of delivery's total growth, "
    "and the growth not explained by demography is what is left after it. Leave it blank and "
    "give each point of delivery's non-demographic growth on the Activity sheet instead. The "
    "drop-down offers only the tables that have figures for this workbook's base year.",
    "contract_income.<key>": "Income the trust plans from this commissioner: the trust's side "
    "of the contract, one number for every year or year by year. A year left blank takes the "
    "commissioner's side, so the two agree (contract value triangulation). To add a "
    "commissioner, type contract_income.<its id> in the Field column of a spare row.",
}

#: each unit of the models as a person types it
UNITS = {"fraction": "%", "fraction/yr": "% a year", "£k": "£k", "£k/yr": "£k a year",
         "factor": "multiplier", "£/person": "£ per person",
         "appointments/week": "appointments a week", "£k/WTE": "£k per WTE"}

#: capitals a description may keep in brackets: general terms, not one body's name
TERMS = {"CIP", "QIPP", "STF", "GPFV", "BCF", "MHIS", "ICB", "CCG", "NHS", "WTE", "GP", "A&E",
         "CHC", "RCA"}
_CITATION = re.compile(r"\b\d{3}:L\d+")
_IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def unit(text: str) -> str:
    """A unit of the models (``fraction/yr``) as people type it (``% a year``)."""
    if text in UNITS:
        return UNITS[text]
    return text.replace("fraction", "%").replace("/yr", " a year").replace("/", " per ")


def _pattern(path: str) -> tuple[str, list[str]]:
    """``(the path as :data:`LABELS` writes it, the key it holds)``: the path itself, else the
    path with one part (from the end) written ``*``."""
    if path in LABELS:
        return path, []
    parts = path.split(".")
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in ("{year}", "<key>"):
            continue
        pattern = ".".join([*parts[:i], "*", *parts[i + 1:]])
        if pattern in LABELS:
            return pattern, [parts[i]]
    return path, []


def key_name(key: str) -> str:
    """A vocabulary key (``mental_health``, ``65-74``) as people read it."""
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=4096)  # the same rows for every organisation of a national workbook
def label(path: str, description: str = "") -> str:
    """The plain label of a parameter row ``path`` (its path below the organisation; ``<key>``
    and ``{year}`` as the layout writes them, or the key itself): ``expenditure.volume_growth.
    acute`` is "Acute volume growth"."""
    pattern, keys = _pattern(path)
    if pattern in LABELS:
        text = LABELS[pattern]
        if "{}" in text:
            key = (keys[0] if pattern in ID_KEYS else key_name(keys[0])) if keys else "each"
            text = text.replace("{}", key)
        return text[:1].upper() + text[1:]
    words = plain(description).split(";")[0].split(". ")[0].split(", or ")[0].strip()
    words = words if 0 < len(words) <= 70 else path.split(".")[-1].replace("_", " ")
    keys = [p for p in path.split(".") if p not in ("{year}", "<key>")][1:]
    keys = [k for k in keys if k in KEY_NAMES]
    text = f"{words}: {', '.join(key_name(k) for k in keys)}" if keys else words
    return text[:1].upper() + text[1:]


def _drop_brackets(text: str, drop) -> str:
    """``text`` without each outermost bracketed part ``(...)`` for which ``drop(inner)``."""
    out, depth, start = [], 0, 0
    keep_from = 0
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0 and drop(text[start + 1:i]):
                out.append(text[keep_from:start].rstrip())
                keep_from = i + 1
    out.append(text[keep_from:])
    return "".join(out)


@lru_cache(maxsize=4096)
def help_text(path: str, description: str) -> str:
    """The Description cell of parameter row ``path`` (as the layout writes it): its own help
    (:data:`DESCRIPTIONS`), else its field's description made plain (:func:`plain`)."""
    return DESCRIPTIONS.get(path) or plain(description, by_year="{year}" in path)


def plain(description: str, by_year: bool = False) -> str:
    """A field's description as the workbook's help: its unit (a column of its own), document
    citations, one plan's names and figures, and schema notation left out. ``by_year``: the row
    is a group by year (a published allocation), whose figure is each year's, not the base
    year's."""
    text = re.sub(r"\s*\[[^\]]*\]\s*$", "", description or "")
    text = _drop_brackets(text, lambda inner: bool(
        _CITATION.search(inner) or _IDENTIFIER.search(inner)
        or (re.fullmatch(r"[A-Z]{3,}", inner.strip()) and inner.strip() not in TERMS)))
    # a sentence describing one plan's own figures
    text = ". ".join(s for s in text.split(". ") if "the plan's own" not in s)
    text = re.sub(r";\s*ASSUMPTION\s*$", "", text)
    text = re.sub(r"\bASSUMPTION:?\s+(defaults?)\b", r"\1 (assumed)", text)
    text = re.sub(r"\bASSUMPTION:\s*", "default (assumed) ", text)
    text = re.sub(r"\{year: [^}]*\}", "year by year", text)
    text = _IDENTIFIER.sub(lambda m: m.group(0).replace("_", " "), text)
    if by_year:
        text = re.sub(r"\s+in the base year\b", " in each year (one column a year)", text)
    text = re.sub(r"\s+([,;.])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip().rstrip(";,")
