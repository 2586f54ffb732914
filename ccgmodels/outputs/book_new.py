"""A blank assumptions workbook for a new organisation: ``ccgmodels workbook new``.

Its one commissioner, provider and council have every assumption blank (a blank cell takes the
default shown beside it); each record table holds one example row, marked EXAMPLE, whose
figures are those of a bundled scenario with their citations, so that none is made up. Import
refuses an example row until it is overwritten and its note cleared, or deleted.
"""

from __future__ import annotations

from pathlib import Path

from ..inputs.years import format_year, parse_year, start_of
from .book_export import write_book

#: the example rows of a blank workbook come from this bundled scenario, with its citations
EXAMPLE_SCENARIO = "mid_south_essex_system_2019_20"


def new_data(base_year: str = "2025/26", end_year: str | None = None) -> dict:
    """The skeleton of a blank workbook: a commissioner ``my_ccg``, a provider ``my_trust`` and
    a council ``my_council``, every assumption blank; each record table holds one example row,
    taken from the bundled :data:`EXAMPLE_SCENARIO` (figures and all: none is made up)."""
    from ..inputs.loading import load_scenario

    base = parse_year(base_year)
    end = parse_year(end_year) if end_year else format_year(start_of(base) + 4)
    src = load_scenario(EXAMPLE_SCENARIO).model_dump()
    cpr = next(o for o in src["organisations"] if o["kind"] == "ccg")
    pod = next(iter(cpr["demand"]["pods"]))
    contract = dict(cpr["contracts"][0], provider="my_trust")
    ccg = {"kind": "ccg", "id": "my_ccg", "name": "NHS My CCG",
           "demand": {"population_growth": dict.fromkeys(cpr["demand"]["population_growth"]),
                      "pods": {pod: cpr["demand"]["pods"][pod]}},
           "qipp": {"schemes": [cpr["qipp"]["schemes"][0]]}, "contracts": [contract]}
    first = next(iter(src["uncertainty"]))
    return {"name": None, "title": None, "description": None, "base_year": base,
            "end_year": end,
            "organisations": [ccg, {"kind": "provider", "id": "my_trust",
                                    "name": "My NHS Trust"},
                              {"kind": "social_care", "id": "my_council",
                               "name": "My Council (adult social care)"}],
            "uncertainty": {first: src["uncertainty"][first]},
            "sources": {"organisations.my_ccg.allocation.base": "000:L1980-L1984 (where the "
                        "CPR plan prints its allocations; write your own document and line, "
                        "or ASSUMPTION: why)"}}


def new_book(path: str | Path, base_year: str = "2025/26", end_year: str | None = None
             ) -> Path:
    """Write a blank assumptions workbook for a new organisation (see :func:`new_data`)."""
    return write_book(new_data(base_year, end_year), path, examples=True,
                      note="A blank workbook: the example rows (note EXAMPLE) show the layout "
                      f"with figures from the bundled {EXAMPLE_SCENARIO} scenario; overwrite "
                      "or delete them.")
