"""The vocabularies of a scenario, written once: service lines, allocation types, points of
delivery, scheme statuses, organisation kinds and the primary care bridge items.

Everything that lists one of these (the assumption models, the models, the reference data, the
catalogue of measures, the charts) imports it from here.
"""

from __future__ import annotations

SERVICE_LINES = (
    "acute",
    "ambulance",
    "mental_health",
    "community",
    "continuing_care",
    "prescribing",
    "other_primary_care",
    "primary_care_cocommissioning",
    "bcf",
    "other_programme",
    "running_costs",
)
ALLOCATION_TYPES = ("programme", "running_costs", "primary_care_cocommissioning")
#: an ICB's allocation streams given in £k (NHS England's ICB allocations, 2022/23 on); the
#: running cost allowance, the fifth stream, is a rate per head times the population
ICB_STREAMS = ("core_services", "primary_medical_care", "delegated_primary_care", "specialised")
#: every stream of an ICB's allocation, as its results carry them
ICB_ALLOCATION_ITEMS = (*ICB_STREAMS, "running_costs")
PODS = (
    "ae",
    "first_outpatient",
    "followup_outpatient",
    "elective",
    "day_case",
    "non_elective",
    "non_elective_zero_los",
    "gp_appointments",
    "prescribing_items",
)
#: the service line whose spend each point of delivery drives
POD_SERVICE_LINE = {
    "ae": "acute",
    "first_outpatient": "acute",
    "followup_outpatient": "acute",
    "elective": "acute",
    "day_case": "acute",
    "non_elective": "acute",
    "non_elective_zero_los": "acute",
    "gp_appointments": "primary_care_cocommissioning",
    "prescribing_items": "prescribing",
}
#: service lines whose points of delivery the national tariff prices (admitted patient care,
#: outpatients, A&E): its efficiency factor cuts their price. GP appointments are paid under
#: primary medical care contracts and prescribing through the Drug Tariff, neither of which the
#: national tariff's efficiency factor touches (2019/20 National Tariff Payment System, scope)
TARIFF_LINES = ("acute",)
#: scheme statuses; ``pipeline``: costed in the plan's programmes but not in its QIPP plan, so
#: outside the identified savings and the plan, and counted towards the pipeline (000:L2023)
STATUSES = ("delivered", "in_progress", "scoping", "unidentified", "pipeline")
PROVIDERS_WITH_GROWTH_TABLE = ("suhft", "btuh", "meht")
#: organisation kinds (the ``kind`` tag of each organisation, and of the results' rows)
KINDS = ("ccg", "provider", "social_care")
#: the kinds of commissioner, each evaluated by the commissioner finance chain: a CCG, or an
#: integrated care board (``icb``, 2022/23 on; not yet laid out by the assumptions workbook,
#: so not in KINDS, the workbook's choices)
COMMISSIONER_KINDS = ("ccg", "icb")
#: every organisation kind a scenario may hold (the ``kind`` of the results' rows)
ORGANISATION_KINDS = ("ccg", "icb", "provider", "social_care")
#: the org id of the sum of the organisations in every results table
FOOTPRINT = "footprint"

#: planning regimes, whose words a scenario's pages use: ``2014`` (the five year forward view
#: and health and wellbeing board plans), ``ccg`` (CCGs in STPs: QIPP, control totals, STF),
#: ``icb`` (integrated care boards from July 2022: efficiency, breakeven duty, deficit support)
ERAS = ("2014", "ccg", "icb")
#: the first financial year of each era after the first (April of that year)
ERA_STARTS = {"ccg": 2017, "icb": 2022}


def era_of(base_year: str) -> str:
    """The planning regime of a plan whose base year is ``base_year`` (``"2019/20"``).

    Before 2017/18: ``"2014"``; 2017/18 to 2021/22: ``"ccg"``; 2022/23 on: ``"icb"`` (ICBs
    replaced CCGs on 1 July 2022, Health and Care Act 2022; the 2022/23 plans were the first
    written for ICBs).
    """
    start = int(str(base_year)[:4])
    if start >= ERA_STARTS["icb"]:
        return "icb"
    if start >= ERA_STARTS["ccg"]:
        return "ccg"
    return "2014"

#: a trust's staff groups (its workforce, :mod:`ccgmodels.inputs.workforce`): the staff groups
#: of NHS Digital's "NHS Workforce Statistics" (NHS Digital, now NHS England, monthly series,
#: https://digital.nhs.uk/data-and-information/publications/statistical/nhs-workforce-statistics;
#: the same groups as its "Healthcare Workforce Statistics, September 2016", as reported by The
#: Clinical Services Journal, https://clinicalservicesjournal.com/story/20216/): HCHS doctors,
#: nurses and health visitors, midwives, ambulance staff, scientific, therapeutic and technical
#: staff, support to clinical staff and NHS infrastructure support (central functions, estates,
#: managers). ``other``: ASSUMPTION, a home for staff a plan does not classify, as the statistics
#: keep an "unknown classification" group (Department of Health, HPSSS table D4,
#: http://www.performance.doh.gov.uk/HPSSS/TBL_D4.HTM). Ids are short (``nursing``, as issue 28's
#: shared design writes them); the outputs print the publication's names.
STAFF_GROUPS = (
    "doctors",
    "nursing",
    "midwifery",
    "ambulance",
    "scientific_therapeutic_technical",
    "support_to_clinical",
    "infrastructure_support",
    "other",
)

#: primary care bridge lines, in the order the plan prints them (000:L689-715)
BRIDGE_ITEMS = (
    "income",
    "expenditure",
    "in_year_position",
    "workforce",
    "estates",
    "other_enablers",
    "future_model",
    "baseline_funding",
    "stf",
    "end_state",
)
#: the bridge's enabler costs (negative), whose sum is ``future_model``
BRIDGE_ENABLERS = ("workforce", "estates", "other_enablers")
#: the bridge lines a waterfall draws as steps from the in-year position to the end state
BRIDGE_STEPS = ("in_year_position", *BRIDGE_ENABLERS, "baseline_funding", "stf")


#: the schema's descriptions and help text (written in the 2019/20 plans' words) as the ICB
#: era says them: each 2019 name of a concept that carries on under today's name, applied in
#: order (longest first). A concept with no successor keeps its plain description.
ICB_WORDS = (
    ("STF (GP Forward View) allocation", "Primary care transformation funding (non-recurrent)"),
    ("GPFV STF money", "primary care transformation funding"),
    ("STF money", "transformation funding"),
    ("CCG baseline funding", "ICB baseline funding"),
    ("co-commissioning", "delegated primary medical care"),
    ("Co-commissioning", "Delegated primary medical care"),
    ("the STP's", "the 2019/20 system plan's"),
    ("QIPP", "efficiency"),
    ("footprint", "system"),
    ("control total", "planned surplus"),
    ("CCGs", "ICBs"),
    ("CCG", "ICB"),
)


def in_era_words(text: str, era: str | None = None) -> str:
    """``text`` (a field's description, a help line) in ``era``'s words: unchanged but in the
    ICB era (:data:`ICB_WORDS`)."""
    if era != "icb":
        return text
    out = text
    for old, new in ICB_WORDS:
        out = out.replace(old, new)
    return out[:1].upper() + out[1:] if text[:1].isupper() else out


#: what an efficiency scheme of a trust or a council changes (the efficiency plan's columns,
#: as the provider financial plans split a cost improvement programme: pay, non-pay, income)
EFFICIENCY_TYPES = ("pay", "non_pay", "income")
#: categories of an efficiency scheme (a trust's CIP, a council's savings), after the NHS
#: efficiency categorisation.
#:
#: ASSUMPTION: NHS Improvement's categorisation is "Appendix 4 - Financial efficiency
#: categorisation" of *Technical guidance for NHS Improvement financial planning return
#: 2019/20* (NHS Improvement, January 2019; a copy at
#: https://pdfslide.us/documents/technical-guidance-for-nhs-improvement-financial-planning-1-introduction.html),
#: whose list of categories could not be read from the sources at hand. The list below is
#: built instead from the areas of provider efficiency that Lord Carter's review names and
#: that the plans since have categorised savings by: workforce (temporary staffing, the
#: establishment, rostering and job planning), hospital pharmacy and medicines optimisation,
#: procurement, estates and facilities, corporate and clinical support services (*Operational
#: productivity and performance in English NHS acute hospitals: unwarranted variations*, Lord
#: Carter of Coles, Department of Health, February 2016; summarised in "Productivity in acute
#: hospitals - are the recommendations of the Carter Review realistic?", The King's Fund, 2016,
#: https://www.kingsfund.org.uk/insight-and-analysis/blogs/productivity-acute-hospitals-carter-review),
#: plus clinical productivity and service redesign (length of stay, theatres, outpatients),
#: digital, and income generation, the income column of a CIP, and ``other``. Replace it with
#: the template's list when it is to hand.
EFFICIENCY_CATEGORIES = (
    "workforce_agency",         # temporary staffing: agency
    "workforce_bank",           # temporary staffing: bank, overtime and locums
    "workforce_establishment",  # substantive establishment and skill mix
    "workforce_productivity",   # rostering, job planning, sickness absence
    "medicines",                # pharmacy and medicines optimisation
    "procurement",              # goods and services bought (not medicines)
    "estates_facilities",       # estates, facilities and energy
    "corporate_services",       # back office: finance, HR, IT, payroll, admin
    "clinical_support",         # pathology, imaging and other clinical support services
    "clinical_productivity",    # length of stay, theatres, outpatients
    "service_redesign",         # pathway and service changes, a council's demand management
    "digital",                  # digital and technology-enabled change
    "income_generation",        # private patients, commercial and other income
    "other",
)
