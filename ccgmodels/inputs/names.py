"""Display names of the vocabularies (service lines, allocation types and streams, points of
delivery, scheme statuses, primary care bridge lines): the words a finance report and the
assumptions workbook print for each identifier of :mod:`ccgmodels.inputs.vocab`.

Here, at the inputs layer, so that the workbook (:mod:`ccgmodels.inputs.book`) and the reports'
catalogue (:mod:`ccgmodels.outputs.labels`, which adds measures, fields and each era's words)
share one source.
"""

from __future__ import annotations

SERVICE_LINE_NAMES = {
    "acute": "Acute", "ambulance": "Ambulance", "mental_health": "Mental health",
    "community": "Community", "continuing_care": "Continuing healthcare",
    "prescribing": "Prescribing", "other_primary_care": "Other primary care",
    "primary_care_cocommissioning": "Primary care co-commissioning",
    "bcf": "Better Care Fund", "other_programme": "Other programme",
    "running_costs": "Running costs",
}
ALLOCATION_NAMES = {"programme": "Programme", "running_costs": "Running costs",
                    "primary_care_cocommissioning": "Primary care co-commissioning"}
POD_NAMES = {
    "ae": "A&E attendances", "first_outpatient": "First outpatient appointments",
    "followup_outpatient": "Follow-up outpatient appointments", "elective": "Elective admissions",
    "day_case": "Day cases", "non_elective": "Non-elective admissions",
    "non_elective_zero_los": "Non-elective admissions, zero length of stay",
    "gp_appointments": "GP appointments", "prescribing_items": "Prescribing items",
}
STATUS_NAMES = {"delivered": "Delivered", "in_progress": "In progress", "scoping": "Scoping",
                "unidentified": "Unidentified", "pipeline": "Pipeline (outside the plan)"}
BRIDGE_NAMES = {
    "income": "Income", "expenditure": "Expenditure", "in_year_position": "In-year position",
    "workforce": "Workforce", "estates": "Estates", "other_enablers": "Other enablers",
    "future_model": "Future model of care", "baseline_funding": "CCG baseline funding",
    "stf": "STF (GP Forward View)", "end_state": "End state",
}
#: the ICB era's allocation streams (vocab.ICB_STREAMS)
STREAM_NAMES = {"core_services": "Core services", "primary_medical_care": "Primary medical care",
                "delegated_primary_care": "Delegated pharmacy, optometry and dental",
                "specialised": "Specialised services"}
