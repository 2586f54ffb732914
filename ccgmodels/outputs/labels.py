"""The one catalogue of display names: every identifier a reader could meet (measures, items,
service lines, points of delivery, scheme statuses, bridge lines, organisations, assumption
paths) mapped to the words a finance report prints.

Reports, charts, the workbook and the index pages call :func:`label` (or one of the helpers
below); no identifier such as ``in_year_position`` or ``non_elective_zero_los`` reaches a page.
Assumption names come from the field descriptions of the scenario models
(:func:`ccgmodels.inputs.fields.describe`) where no shorter name is written here.
"""

from __future__ import annotations

import re
from collections import Counter

from ..inputs import fields
from ..inputs.names import (
    ALLOCATION_NAMES,
    BRIDGE_NAMES,
    POD_NAMES,
    SERVICE_LINE_NAMES,
    STATUS_NAMES,
)
from ..inputs.scenario import Scenario
from ..inputs.vocab import (
    ALLOCATION_TYPES,
    BRIDGE_ITEMS,
    EFFICIENCY_CATEGORIES,
    EFFICIENCY_TYPES,
    FOOTPRINT,
    ORGANISATION_KINDS,
    PODS,
    SERVICE_LINES,
    STAFF_GROUPS,
    STATUSES,
    in_era_words,
)
from ..models.measures import MEASURES

#: the staff groups of NHS Digital's workforce statistics, as the publication names them
#: (:data:`ccgmodels.inputs.vocab.STAFF_GROUPS` gives the source)
STAFF_GROUP_NAMES = {
    "doctors": "HCHS doctors", "nursing": "Nurses and health visitors",
    "midwifery": "Midwives", "ambulance": "Ambulance staff",
    "scientific_therapeutic_technical": "Scientific, therapeutic and technical staff",
    "support_to_clinical": "Support to clinical staff",
    "infrastructure_support": "NHS infrastructure support", "other": "Other staff",
}
#: an efficiency scheme's type and category (inputs/vocab.py EFFICIENCY_TYPES, _CATEGORIES)
EFFICIENCY_TYPE_NAMES = {"pay": "Pay", "non_pay": "Non-pay", "income": "Income"}
EFFICIENCY_CATEGORY_NAMES = {
    "workforce_agency": "Workforce: agency", "workforce_bank": "Workforce: bank and locum",
    "workforce_establishment": "Workforce: establishment and skill mix",
    "workforce_productivity": "Workforce: rostering and job planning",
    "medicines": "Medicines optimisation", "procurement": "Procurement",
    "estates_facilities": "Estates and facilities", "corporate_services": "Corporate services",
    "clinical_support": "Clinical support services",
    "clinical_productivity": "Clinical productivity", "service_redesign": "Service redesign",
    "digital": "Digital", "income_generation": "Income generation", "other": "Other",
}
KIND_NAMES = {"ccg": ("CCG", "CCGs"), "icb": ("ICB", "ICBs"), "provider": ("provider", "providers"),
              "social_care": ("council", "councils")}
#: each measure's name on a page: the catalogue's (one place for every fact of a measure)
MEASURE_NAMES = {m.name: m.display for m in MEASURES.values() if m.display}
#: items of one measure whose name differs from the general item names
MEASURE_ITEMS = {
    "qipp": {"required": "Required to meet the control total",
             "planning_rule": "Planning rule (share of allocation)", "target": "Target",
             "identified": "Identified schemes", "risk_adjusted": "Risk-adjusted schemes",
             "unidentified": "Unidentified (gap)", "headroom_target": "Headroom above target",
             "pipeline_target": "Pipeline target (target + headroom)",
             "pipeline": "Pipeline schemes (outside the plan)",
             "pipeline_cover": "Identified and pipeline over the pipeline target"},
    "efficiency_plan": {"requirement": "Requirement (CIP; a council's savings)",
                        "identified": "Identified schemes", "pay": "of which pay",
                        "non_pay": "of which non-pay", "income": "of which income",
                        "recurrent": "of which recurrent",
                        "non_recurrent": "of which non-recurrent (one-off)",
                        "risk_adjusted": "Risk-adjusted schemes",
                        "unidentified": "Unidentified (gap)",
                        "pipeline": "Pipeline schemes (outside the plan)"},
    "gp_access": {"do_nothing": "Do nothing", "do_something": "Left after the strategy",
                  "increasing_capacity": "Increasing capacity",
                  "improved_triage": "Improved triage",
                  "proactive_risk_stratified_care": "Pro-active and risk-stratified care",
                  "reduced_gp_admin_burden": "Reduced GP admin burden",
                  "unallocated": "Unallocated (no share given)"},
    "system_opportunity": {"total_saving": "Total saving (each counted once)",
                           "total_investment": "Total investment"},
    "solutions": {"efficiency": "Provider efficiency", "demand_mitigation": "Demand mitigation",
                  "schemes": "QIPP schemes (risk-adjusted)",
                  "contingency_release": "Contingency released",
                  "primary_care_model": "Primary care model of care",
                  "mental_health_investment": "Mental health investment standard",
                  "contract_flows": "Contract flows", "avoided_cost": "Avoided cost",
                  "stf": "STF", "social_care": "Social care savings",
                  "contract_value": "Contract values stated, against the plan's lines",
                  "total": "Total"},
    "system": {"income": "Income", "expenditure": "Expenditure",
               "do_nothing_surplus": "Do nothing surplus/(deficit)",
               "contract_mismatch": "Contract mismatch (trusts' less commissioners' view), "
                                    "not eliminated"},
    "workforce_wte": {**STAFF_GROUP_NAMES, "total": "All staff groups"},
    "pay_bill": {**STAFF_GROUP_NAMES, "total": "All staff groups"},
    "pay_cost_reconciliation": {"pay_cost": "Pay cost (finance plan)",
                                "pay_bill": "Pay bill (workforce)",
                                "difference": "Difference"},
    "eliminations": {"contracts": "Contracts", "bcf": "Better Care Fund", "total": "Total"},
    "income": {"other": "Other income", "contracts": "Contracts", "budget": "Budget",
               "bcf": "Better Care Fund", "total": "Total"},
    "expenditure": {"contingency_reserve": "Contingency reserve",
                    "unidentified_qipp": "Unidentified QIPP", "total": "Total"},
}
#: general item names, across measures
ITEMS = {**SERVICE_LINE_NAMES, **POD_NAMES, **STATUS_NAMES, **BRIDGE_NAMES, **ALLOCATION_NAMES,
         "total": "Total"}
#: shorter names of assumption fields than their descriptions; keyed by field name
FIELD_NAMES = {
    "price_inflation": "Price inflation", "price_inflation_by_line": "Price inflation",
    "volume_growth": "Volume growth", "tariff_efficiency": "Tariff efficiency",
    "population_growth": "Population growth", "growth": "Allocation growth",
    "delivery_probability": "QIPP delivery probability", "contingency_rate": "Contingency rate",
    "efficiency_rate": "Provider efficiency", "demand_mitigation_rate": "Demand mitigation",
    "demand_mitigation_investment": "Investment per £ of demand mitigated",
    "growth_adjustment": "Allocation growth (change to the settlement)",
    "other_income_growth": "Other income volume growth",
    "cost_volume_growth": "Cost volume growth", "efficiency_delivery": "CIP delivery",
    "consolidation": "Footprint share", "budget_growth": "Budget growth",
    "cost_growth": "Cost growth",
    "headroom_rate": "QIPP headroom", "rate": "QIPP planning rule",
    "stf_arrives": "GPFV STF arrives",
    "deflator": "Deflator", "mhis_uplift": "Mental health investment uplift",
    "cost_share": "Cost share", "age_mix": "Age mix", "activity": "Base-year activity",
    "non_demographic_growth": "Non-demographic growth", "workforce": "Workforce",
    "estates": "Estates", "other_enablers": "Other enablers", "control_total": "Control total",
    "contracts": "Contracts with the footprint's providers",
    "growth_table": "Activity growth table",
    "delivery_correlation": "Programme-wide QIPP slippage (correlation)",
    "levels": "Published allocations",
    "mitigation_lines": "Lines demand mitigation reduces",
    "contingency_release": "Contingency released against QIPP slippage",
    "stf_delay_years": "Years the GPFV STF arrives late",
    "enabler_scale": "Enabler costs multiplier",
    "income_follows_pccc": "Bridge income follows the co-commissioning allocation",
    "planned": "Stated plan by year", "planned_status": "Status of the stated plan's mitigation",
    "contingency": "Contingency (stated)", "first_year": "First year of the council's figures",
    "share": "Share of a joint scheme", "gp_access": "GP access",
    "unmet_demand": "GP appointments a week beyond capacity",
    "solution_shares": "Primary care strategy solution shares",
    "close_by": "Year the strategy closes the gap",
    "system_opportunities": "System transformation opportunities",
}
#: providers whose activity growth table is reference data (000:L2485-2497)
PROVIDER_NAMES = {"suhft": "SUHFT", "btuh": "BTUH", "meht": "MEHT"}
#: names of a field that depend on the field above it: (parent, field) -> name
PAIR_NAMES = {
    ("allocation", "base"): "Base-year allocation", ("expenditure", "base"): "Base-year spend",
    ("allocation", "levels"): "Published allocation", ("solutions", "stf"): "STF",
    ("pods", "activity"): "Base-year activity", ("", "activity"): "Base-year activity",
    ("qipp", "target"): "QIPP target", ("qipp", "unidentified"): "Unidentified QIPP",
    ("qipp", "schemes"): "QIPP schemes", ("primary_care_bridge", "years"): "Primary care bridge",
    ("efficiency", "requirement"): "CIP / savings requirement",
    ("efficiency", "delivery_probability"): "CIP delivery probability",
    ("efficiency", "schemes"): "CIP / savings schemes",
}
#: an identifier as code writes it: lower-case words joined by underscores or dots
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+\b")

#: the words of the pages that are not measures or items, by era: ``ccg`` holds the 2019/20
#: plans' words (the 2014 plans use the same unless ``2014`` says otherwise), ``icb`` today's
#: (ICBs in systems from July 2022; the 2025 medium-term planning framework's terms). A 2019
#: concept with no ICB-era equivalent keeps a plain description, not a modern name.
TERMS: dict[str, dict[str, str]] = {
    "footprint": {"ccg": "Footprint", "icb": "System"},
    "the_footprint": {"ccg": "the footprint", "icb": "the system"},
    "stp": {"ccg": "STP", "icb": "system"},
    "stp_summary": {"ccg": "STP summary", "icb": "System summary"},
    "commissioner": {"ccg": "CCG", "icb": "ICB"},
    "commissioners": {"ccg": "CCGs", "icb": "ICBs"},
    "qipp": {"ccg": "QIPP", "icb": "efficiency"},
    "QIPP": {"ccg": "QIPP", "icb": "Efficiency"},
    "qipp_schemes": {"ccg": "QIPP schemes", "icb": "efficiency schemes"},
    "scheme_register": {"ccg": "QIPP scheme register", "icb": "Efficiency scheme register"},
    "the_scheme_register": {"ccg": "the QIPP scheme register",
                            "icb": "the efficiency scheme register"},
    "control_total": {"ccg": "control total", "icb": "planned surplus"},
    "stf": {"ccg": "STF", "icb": "non-recurrent support funding"},
    "stf_long": {"ccg": "sustainability and transformation funding",
                 "icb": "non-recurrent support funding"},
}
#: the ICB era's names where they differ from the tables above (which keep the 2019/20 and
#: 2014 plans' words)
ICB_NAMES: dict[str, dict] = {
    "kinds": {"ccg": ("ICB", "ICBs")},  # a CCG of an ICB-era plan stands for an ICB
    "items": {"baseline_funding": "ICB baseline funding",
              "stf": "GP transformation funding",
              "primary_care_cocommissioning": "Primary medical care (delegated)"},
    "measure_items": {
        "qipp": {"required": "Required to meet the planned surplus"},
        "efficiency_plan": {"requirement": "Efficiency requirement"},
        "solutions": {"schemes": "Efficiency schemes (risk-adjusted)",
                      "stf": "Non-recurrent support funding"},
        "expenditure": {"unidentified_qipp": "Unidentified efficiency"},
    },
    "fields": {"tariff_efficiency": "NHS Payment Scheme efficiency factor",
               "delivery_probability": "Efficiency delivery probability",
               "headroom_rate": "Efficiency headroom", "rate": "Efficiency planning rule",
               "stf_arrives": "Primary care transformation funding arrives",
               "control_total": "Planned surplus",
               "contracts": "Contracts with the system's providers",
               "consolidation": "System share",
               "delivery_correlation": "Programme-wide efficiency slippage (correlation)",
               "contingency_release": "Contingency released against efficiency slippage",
               "stf_delay_years": "Years the primary care transformation funding arrives late",
               "primary_care_cocommissioning": "Primary medical care (delegated) allocation "
                                               "growth",
               "income_follows_pccc": "Bridge income follows the delegated primary medical "
                                      "care allocation"},
    "pairs": {("solutions", "stf"): "Non-recurrent support funding",
              ("qipp", "target"): "Efficiency target",
              ("qipp", "unidentified"): "Unidentified efficiency",
              ("qipp", "schemes"): "Efficiency schemes",
              ("efficiency", "requirement"): "Efficiency requirement",
              ("efficiency", "delivery_probability"): "Efficiency delivery probability",
              ("efficiency", "schemes"): "Efficiency schemes"},
    "measures": {m.name: m.eras["icb"] for m in MEASURES.values() if "icb" in m.eras},
}
_TABLES: dict[str, dict] = {"kinds": KIND_NAMES, "items": ITEMS, "measure_items": MEASURE_ITEMS,
                            "fields": FIELD_NAMES, "pairs": PAIR_NAMES, "measures": MEASURE_NAMES}


def _merged(table: str, names: dict) -> dict:
    base = _TABLES[table]
    if table == "measure_items":
        return {m: {**base.get(m, {}), **names.get(m, {})} for m in {*base, *names}}
    return {**base, **names}


#: each era's tables, whole (only the eras whose words differ)
_ERA_TABLES = {"icb": {t: _merged(t, n) for t, n in ICB_NAMES.items()}}

#: each vocabulary with its display names, checked to match by the tests
VOCABULARIES = ((SERVICE_LINES, SERVICE_LINE_NAMES), (PODS, POD_NAMES), (STATUSES, STATUS_NAMES),
                (BRIDGE_ITEMS, BRIDGE_NAMES), (ALLOCATION_TYPES, ALLOCATION_NAMES),
                (ORGANISATION_KINDS, KIND_NAMES), (EFFICIENCY_TYPES, EFFICIENCY_TYPE_NAMES),
                (EFFICIENCY_CATEGORIES, EFFICIENCY_CATEGORY_NAMES),
                (STAFF_GROUPS, STAFF_GROUP_NAMES))


def humanise(identifier: str) -> str:
    """A readable fallback for an identifier with no catalogue entry: ``foo_bar`` as
    ``Foo bar``."""
    text = str(identifier).replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def _in(table: str, era: str | None) -> dict:
    """The names of ``table`` (``"items"``, ``"kinds"``, ...) in ``era``."""
    return _ERA_TABLES.get(era or "", {}).get(table) or _TABLES[table]


def label(identifier: str, measure: str | None = None, era: str | None = None) -> str:
    """The display name of ``identifier``: an item of ``measure`` when given, else a measure or
    any item, in the words of ``era`` (a scenario's ``era``; None: the 2019/20 plans' words);
    unknown identifiers are humanised, never shown raw."""
    measure_items, names, items = (_in("measure_items", era), _in("measures", era),
                                   _in("items", era))
    if measure is not None and identifier in measure_items.get(measure, {}):
        return measure_items[measure][identifier]
    if measure is None and identifier in names:
        return names[identifier]
    if identifier in items:
        return items[identifier]
    if identifier in PROVIDER_NAMES:
        return PROVIDER_NAMES[identifier]
    if identifier in names:
        return names[identifier]
    return humanise(identifier)


def term(key: str, era: str | None = None) -> str:
    """A word of the pages that is not a measure or an item (:data:`TERMS`), in ``era``'s
    words: ``term("stp_summary", "icb")`` is ``System summary``."""
    words = TERMS[key]
    return words.get(era or "ccg") or words["ccg"]


def kind_name(kind: str, count: int = 1, era: str | None = None) -> str:
    """An organisation kind's name, singular or plural by ``count``: ``CCG``, ``ICBs``."""
    names = _in("kinds", era)
    return names.get(kind, (kind, kind))[count != 1]


def modelled(scenario: Scenario) -> list:
    """The organisations the results hold: all but a merged ICB's predecessors (restated into
    it, not modelled)."""
    merged = {p for o in scenario.organisations for p in getattr(o, "predecessors", ())}
    return [o for o in scenario.organisations if o.id not in merged]


def footprint_name(scenario: Scenario) -> str:
    """The footprint as a reader knows it, from what it holds: ``Footprint (2 CCGs)`` (ICB
    era: ``System (1 ICB, 3 providers)``); a scenario of one organisation is that
    organisation."""
    orgs = modelled(scenario)
    if len(orgs) == 1:
        return orgs[0].name
    counts = Counter(o.kind for o in orgs)
    parts = [f"{n} {kind_name(k, n, scenario.era)}" for k, n in counts.items()]
    return f"{term('footprint', scenario.era)} ({', '.join(parts)})"


def org_name(scenario: Scenario, org: str) -> str:
    """Display name of organisation ``org`` of ``scenario`` (or of the footprint)."""
    if org == FOOTPRINT:
        return footprint_name(scenario)
    for o in scenario.organisations:
        if o.id == org:
            return o.name
    return humanise(org)


def scheme_names(scenario: Scenario) -> dict[tuple[str, str], str]:
    """``(org id, scheme id) -> scheme name as the plan prints it``."""
    out = {}
    for o in scenario.organisations:
        for s in getattr(getattr(o, "qipp", None), "schemes", []) or []:
            out[(o.id, s.id)] = s.name
    return out


def _field_name(part: str, description: str, era: str | None = None) -> str:
    names = _in("fields", era)
    if part in names:
        return names[part]
    description = in_era_words(description, era)
    text = re.sub(r"\s*\[[^\]]*\]", "", description).split(";")[0].split(", or ")[0]
    text = re.sub(r"\s*\([^)]*\)", "", text).strip().rstrip(".")
    return text or humanise(part)


def assumption_name(scenario: Scenario, path: str, with_org: bool = True) -> str:
    """Display name of the assumption at dotted ``path``, with its organisation: e.g.
    ``organisations.cpr_ccg.expenditure.volume_growth.acute`` as ``Volume growth: Acute (NHS
    Castle Point and Rochford CCG)``; ``organisations.*.`` paths say "all organisations"."""
    parts = path.split(".")
    entry = register_entry(scenario, parts)
    if entry:  # a risk or a mitigation (a tornado row): by the name the register gives it
        who = org_name(scenario, parts[1])
        return f"{entry} ({who})" if with_org else entry
    who = ""
    if parts[0] == "organisations" and len(parts) > 2:
        who = "all organisations" if parts[1] == "*" else org_name(scenario, parts[1])
        org = next((o for o in scenario.organisations if o.id == parts[1]),
                   scenario.organisations[0])
        root, rest = type(org), parts[2:]
    else:
        root, rest = Scenario, parts
    # the deepest field names the assumption; the mapping keys on the way (lines, points of
    # delivery, statuses, years, age bands) say which one
    is_key = [_is_key(root, rest, i) for i in range(len(rest))]
    pairs = _in("pairs", scenario.era)
    name, keys = humanise(rest[-1]), [k for k, key in zip(rest, is_key, strict=True) if key]
    for i in range(len(rest), 0, -1):
        if is_key[i - 1]:
            continue
        pair = (rest[i - 2] if i > 1 else "", rest[i - 1])
        try:
            meta = fields.describe(root, rest[:i])
        except KeyError:
            break
        name = pairs.get(pair) or _field_name(rest[i - 1], meta.description, scenario.era)
        above = (rest[i - 3] if i > 2 else "", rest[i - 2] if i > 1 else "")
        if above in pairs and not is_key[i - 2]:  # allocation.base.programme
            name, keys = pairs[above], [rest[i - 1], *keys]
        break
    detail = ", ".join(_key_name(k, scenario.era) for k in keys)
    text = f"{name}: {detail}" if detail else name
    return f"{text} ({who})" if who and with_org else text


def register_entry(scenario: Scenario, parts: list[str]) -> str:
    """``Risk: <name>`` or ``Mitigation: <name>`` for the path parts
    ``organisations.<org>.risks.<id>`` or ``...mitigations.<id>``; "" for any other path."""
    if len(parts) != 4 or parts[0] != "organisations" or parts[2] not in ("risks",
                                                                          "mitigations"):
        return ""
    o = next((o for o in scenario.organisations if o.id == parts[1]), None)
    entries = getattr(o, parts[2], None) or []
    name = next((e.name for e in entries if e.id == parts[3]), None)
    if name is None:
        return ""
    return f"{'Risk' if parts[2] == 'risks' else 'Mitigation'}: {name}"


def _is_key(root, parts: list[str], i: int) -> bool:
    """Whether ``parts[i]`` is a mapping key (a line, a year, an age band) rather than a field."""
    from typing import get_origin

    try:
        tp, _, _ = fields.walk(root, parts[:i])
    except KeyError:
        return True
    return get_origin(tp) in (dict, list) or not (isinstance(tp, type) and hasattr(
        tp, "model_fields"))


def _key_name(key: str, era: str | None = None) -> str:
    if re.fullmatch(r"\d{4}/\d{2}", key):
        return key
    if re.fullmatch(r"[\d+\-]+", key):
        return f"ages {key}"
    return _in("items", era).get(key) or label(key, era=era)


def identifiers_in(text: str) -> list[str]:
    """Identifier-like words in ``text`` (``in_year_position``, ``a.b``) that a page should not
    show; numbers, years and file names with a known extension are not identifiers."""
    found = []
    for m in IDENTIFIER.finditer(text):
        word = m.group(0)
        if re.search(r"\.(html|pdf|xlsx|csv|yaml|json|ipynb|png|md|txt)$", word) or re.search(
                r"\.(uk|org|com|net|gov|nhs)$", word):  # file names and web addresses
            continue
        found.append(word)
    return found
