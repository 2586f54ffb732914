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
