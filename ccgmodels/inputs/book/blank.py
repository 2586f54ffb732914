"""A blank assumptions workbook for a new organisation: ``ccgmodels workbook new``.

Its organisations (by default one commissioner, provider and council: from 2022/23 an
integrated care board with two places, before it a CCG) have every assumption blank (a blank
cell takes the default shown beside it); each record table holds one example row, marked
EXAMPLE, whose figures are those of a bundled scenario with their citations, so that none is
made up (an example place has an id and a name only). Import refuses an example row until it
is overwritten and its note cleared, or deleted.
"""

from __future__ import annotations

from pathlib import Path

from ..vocab import COMMISSIONER_KINDS, era_of
from ..years import format_year, parse_year, start_of
from . import eras as E
from .writer import write_book

#: the example rows of a blank workbook come from this bundled scenario, with its citations
EXAMPLE_SCENARIO = "mid_south_essex_system_2019_20"


#: the organisations of a blank workbook when none are named: (kind, id, name)
DEFAULT_ORGS = (("ccg", "my_ccg", "NHS My CCG"), ("provider", "my_trust", "My NHS Trust"),
                ("social_care", "my_council", "My Council (adult social care)"))
#: the same in the ICB era (base year 2022/23 on: :func:`ccgmodels.inputs.vocab.era_of`)
ICB_DEFAULT_ORGS = (("icb", "my_icb", "NHS My ICB"), ("provider", "my_trust", "My NHS Trust"),
                    ("social_care", "my_council", "My Council (adult social care)"))
#: the example places of a blank workbook's first ICB: an id and a name, no figure
EXAMPLE_PLACES = (("my_place_1", "My first place"), ("my_place_2", "My second place"))
RECORD_SHEETS = ("Activity", "QIPP", "Contracts", "Uncertainty", "Sources")


def new_data(base_year: str = "2025/26", end_year: str | None = None,
             orgs: list[tuple[str, str, str]] | None = None) -> dict:
    """The skeleton of a blank workbook: the organisations ``orgs`` (``(kind, id, name)``;
    default :data:`DEFAULT_ORGS`), every assumption blank. The first commissioner holds one
    example row of each record table, taken from the bundled :data:`EXAMPLE_SCENARIO`
    (figures and citations: none is made up); its contract is with the first provider.

    The default organisations are those of the base year's era: an ICB (with
    :data:`EXAMPLE_PLACES`) from 2022/23, a CCG before it.

    Raises
    ------
    ValueError
        If a year cannot be read, or no organisation is a commissioner (icb or ccg).
    """
    from ..loading import load_scenario

    base = parse_year(base_year)
    end = parse_year(end_year) if end_year else format_year(start_of(base) + 4)
    icb_era = era_of(base) == "icb"
    orgs = list(orgs or (ICB_DEFAULT_ORGS if icb_era else DEFAULT_ORGS))
    ccgs = [i for k, i, _ in orgs if k in COMMISSIONER_KINDS]
    if not ccgs:
        raise ValueError("name at least one commissioner, e.g. --org "
                         + ("icb:my_icb" if icb_era else "ccg:my_ccg"))
    providers = [i for k, i, _ in orgs if k == "provider"]
    src = load_scenario(EXAMPLE_SCENARIO).model_dump()
    cpr = next(o for o in src["organisations"] if o["kind"] == "ccg")
    pod = next(iter(cpr["demand"]["pods"]))
    bands = dict.fromkeys(cpr["demand"]["population_growth"])
    out = []
    for kind, org_id, name in orgs:
        org = {"kind": kind, "id": org_id, "name": name}
        if kind in COMMISSIONER_KINDS:
            org["demand"] = {"population_growth": dict(bands)}
        if kind == "icb" and org_id == ccgs[0]:
            org["places"] = [{"id": i, "name": n} for i, n in EXAMPLE_PLACES]
        if org_id == ccgs[0]:
            org["demand"]["pods"] = {pod: cpr["demand"]["pods"][pod]}
            org["qipp"] = {"schemes": [cpr["qipp"]["schemes"][0]]}
            if providers:
                org["contracts"] = [dict(cpr["contracts"][0], provider=providers[0])]
        out.append(org)
    first = next(iter(src["uncertainty"]))
    return {"name": None, "title": None, "description": None, "base_year": base,
            "end_year": end, "organisations": out,
            "uncertainty": {first: src["uncertainty"][first]},
            "sources": {f"organisations.{ccgs[0]}.allocation.base": "Your plan document and "
                        "where in it the figure is (e.g. 'Operational plan, allocations "
                        "table'), or ASSUMPTION: why"}}


def example_notes(sheets) -> dict[str, str]:
    """Where each example row of a blank workbook comes from: the bundled scenario's
    organisation and its source for that record."""
    from ..loading import load_scenario

    s = load_scenario(EXAMPLE_SCENARIO)
    ccg = next(o for o in s.organisations if o.kind == "ccg")
    root = f"organisations.{ccg.id}"
    keys = {"Activity": f"{root}.demand.pods", "QIPP": f"{root}.qipp.schemes",
            "Contracts": f"{root}.contracts"}
    out = dict.fromkeys(sheets, "")
    for sheet, key in keys.items():
        out[sheet] = f"From {EXAMPLE_SCENARIO} ({ccg.id}); its source: {s.sources[key]}"
    # the scenario file says of its ranges: "ASSUMPTION: every range is illustrative"
    out["Uncertainty"] = f"From {EXAMPLE_SCENARIO}, whose ranges are illustrative (ASSUMPTION)"
    out["Places"] = "Give each place's own id, name, population and figures"
    return {k: v for k, v in out.items() if k in sheets}


def new_book(path: str | Path, base_year: str = "2025/26", end_year: str | None = None,
             orgs: list[tuple[str, str, str]] | None = None) -> Path:
    """Write a blank assumptions workbook for new organisations (see :func:`new_data`); the
    Organisations rows are examples too when ``orgs`` is not given."""
    data = new_data(base_year, end_year, orgs)
    era = E.book_era(data)
    sheets = (*(("Places",) if era == "icb" else ()), *RECORD_SHEETS)
    sheets = sheets if orgs else ("Organisations", *sheets)
    return write_book(data, path, examples=example_notes(sheets),
                      note="A blank workbook: the example rows (note EXAMPLE) show the layout "
                      f"with figures from the bundled {EXAMPLE_SCENARIO} scenario; overwrite "
                      "or delete them.")
