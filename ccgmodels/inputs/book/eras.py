"""The assumptions workbook of the ICB era: its ICBs (Places, the owners of the registers),
its words and the rows it writes only where given, on the layout of
:mod:`ccgmodels.inputs.book.layout`, which is the CCG era's, unchanged.

The words: each field's description and the help go through the era word catalogue
(:func:`ccgmodels.inputs.vocab.in_era_words`) after the workbook's own phrases
(:data:`ERA_WORDS`: its lists of sheets and kinds); the sheets' names are the layout's
(:data:`ccgmodels.inputs.book.layout.ICB_SHEETS`, Efficiency for QIPP), read by either name.
A workbook's era is its scenario's (stated, else its base year's), or "icb" wherever an ICB
is among its organisations (:func:`book_era`); read back, its organisations and sheets tell
(:func:`era_of_book`). Sheets are named here by their ids (:data:`layout.SHEETS`, and Places).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from ..scenario import Place
from ..vocab import ICB_STREAMS, KINDS, SERVICE_LINES, in_era_words
from . import words as W
from .layout import (
    ICB_SHEETS,
    PARAMS,
    SHEETS,
    TABLES,
    YEAR,
    Column,
    Param,
    Table,
    _columns,
    era_of_data,
    write_cell,
)
from .layout import sheet_note as _sheet_note


def _has_icb(orgs) -> bool:
    return any(isinstance(o, dict) and o.get("kind") == "icb" for o in orgs or [])


def book_era(data: dict) -> str:
    """The era whose sheets and words the workbook of plain scenario ``data`` takes: "icb"
    where it holds an integrated care board (its places need their sheet), else the
    scenario's era (stated, else its base year's: :func:`layout.era_of_data`)."""
    return "icb" if _has_icb(data.get("organisations")) else era_of_data(data)


def era_of_book(names, orgs) -> str:
    """The era of a workbook read back, by its sheet ``names`` and the organisations read from
    it: "icb" where it has an ICB or a Places sheet, else "ccg" (its sheets are the same)."""
    return "icb" if _has_icb(orgs) or PLACES.sheet in names else "ccg"


#: the name a sheet goes by in an era, where it is not its id (the layout's)
ERA_SHEET_NAMES = {"icb": ICB_SHEETS}
#: the organisation kinds an era's Organisations sheet offers
ERA_KINDS = {"ccg": KINDS, "icb": ("icb", "provider", "social_care")}
#: the workbook's own phrases in the ICB era (its lists of sheets and kinds), tried in order
#: before the era word catalogue (:func:`ccgmodels.inputs.vocab.in_era_words`)
ERA_WORDS: dict[str, tuple[tuple[str, str], ...]] = {"icb": (
    (r"\(Activity, QIPP, Contracts,", "(Places, Activity, Efficiency, Contracts,"),
    (r"point of delivery, scheme, contract,", "place, point of delivery, efficiency scheme, "
     "contract,"),
    (r"\(ccg, provider or social_care\)", "(icb, provider or social_care)"),
    (r"a commissioner \(ccg\)", "an integrated care board (icb)"),
    (r"\ba QIPP scheme", "an efficiency scheme"),
    (r"\bcontrol totals\b", "planned surpluses"),
    (r"\bSTPs?\b", "system"),
    (r"are written 2019/20", "are written 2025/26"),
    (r"\btariff efficiency\b", "NHS Payment Scheme efficiency"),
    (r"\bTariff efficiency\b", "NHS Payment Scheme efficiency"),
)}
#: what each sheet holds, in an era's words where they are not the CCG era's
ERA_SHEET_NOTES = {"icb": {
    "Allocations": "Each ICB's recurrent allocation by stream (core services, primary medical "
                   "care, delegated pharmacy, optometry and dental, delegated specialised): the "
                   "base year, its growth (or the published levels) year by year, and "
                   "convergence to the target allocation; the running cost allowance per head "
                   "and the population it is paid on",
    "Plan": "Each ICB's planned spend by service line in the base year and its growth by year, "
            "contingency, the planned surplus (0 is breakeven), deficit support by year, and "
            "a merger's predecessors",
    "Demand": "Population growth by age band and the activity growth settings of each ICB "
              "(points of delivery are on the Activity sheet)",
    "Solutions": "The efficiency requirement and the delivery probability of each scheme "
                 "status, and the do-something levers",
    "Providers": "NHS provider trusts: income, cost and their growth, efficiency (CIP), "
                 "deficit support by year and the planned surplus (0 is breakeven)",
}}
#: lines an era adds to the cover's "How to fill it in"
ERA_COVER = {"icb": (
    "An ICB's places (sub-ICB locations) are on the Places sheet: each place's population, and "
    "its base-year allocation by stream and spend by service line in £k, or its share of the "
    "ICB's for what is left blank. The places must add up to the ICB exactly.",
    "A merged ICB names its predecessors (the ICBs merged into it, each listed on "
    "Organisations with its own base year) on the Plan sheet; leave its base-year allocation, "
    "spend and population blank and they are the sum of its predecessors'.",
    "Breakeven: every ICB and every trust must reach its planned surplus (0 is breakeven) "
    "without deficit support, which is non-recurrent income given year by year.",
)}
#: parameter rows an era writes only where the scenario gives them (the sustainability and
#: transformation funding of 2016 to 2020); a path ending in "." stands for every row below it
ERA_HIDDEN = {"icb": ("solutions.stf", "stf")}
#: the rows of a merger's predecessor (an ICB another names in ``predecessors``) written even
#: when blank: its base year, which the successor's is restated from; its other rows are
#: written only where given
PREDECESSOR_ROWS = ("allocation.base.", "expenditure.base.", "population",
                    "allocation.rca_per_head")
#: the service lines a Places header names in today's words, where its id does not
PLACE_LINES = {"primary_care_cocommissioning": "delegated primary medical care",
               "bcf": "Better Care Fund"}
PLACES = Table(
    "Places", "Places of each ICB (its sub-ICB locations), one row each: the population, and the "
    "base-year allocation by stream and spend by service line in £k; a blank group takes the "
    "place's share of the ICB's. The places must sum to the ICB exactly", "places", False,
    (*_columns(Place, ("id", "name", "population", "share"), labels={"id": "Place id"}),
     *(Column(f"Allocation: {k.replace('_', ' ')}", f"allocation.{k}", "money", "£k")
       for k in ICB_STREAMS),
     *(Column(f"Spend: {PLACE_LINES.get(k, k.replace('_', ' '))}", f"expenditure.{k}",
              "money", "£k")
       for k in SERVICE_LINES)),
    owners=("icb",),
    totals=("population", *(f"allocation.{k}" for k in ICB_STREAMS),
            *(f"expenditure.{k}" for k in SERVICE_LINES)))
#: the label of the totals above a table (:attr:`Table.totals`)
TOTALS = "Total of the rows (worked out)"


@lru_cache(maxsize=4096)  # each row's words, the same for every organisation
def say(text: str, era: str) -> str:
    """``text`` in the words of ``era``: the workbook's phrases (:data:`ERA_WORDS`), then the
    era word catalogue; a capital kept at its start."""
    out = text
    for old, new in ERA_WORDS.get(era, ()):
        out = re.sub(old, new, out)
    out = in_era_words(out, era)
    return out[:1].upper() + out[1:] if text[:1].isupper() else out


def sheet_name(sheet: str, era: str) -> str:
    """The name the sheet ``sheet`` (its CCG-era name) goes by in ``era``."""
    return ERA_SHEET_NAMES.get(era, {}).get(sheet, sheet)


def sheet_note(sheet: str, era: str) -> str:
    """What the sheet ``sheet`` (its id) holds, in the words of ``era``: its second row and its
    line on the cover."""
    if sheet == PLACES.sheet:
        return PLACES.title
    return ERA_SHEET_NOTES.get(era, {}).get(sheet) or say(
        _sheet_note(sheet, era if era == "icb" else None), era)


def _era_table(t: Table, era: str) -> Table:
    columns = tuple(replace(c, choices=ERA_KINDS[era]) if t.collection == "organisations"
                    and c.path == "kind" else c for c in t.columns)
    owners = tuple(dict.fromkeys(("icb", *t.owners))) if "ccg" in t.owners else t.owners
    return replace(t, title=say(t.title, era), columns=columns, owners=owners)


_ERA_TABLES = {"icb": {**{k: _era_table(t, "icb") for k, t in TABLES.items()},
                       PLACES.sheet: PLACES}}
_ERA_SHEETS = {"icb": (*SHEETS[:SHEETS.index("Plan") + 1], PLACES.sheet,
                       *SHEETS[SHEETS.index("Plan") + 1:])}


def tables(era: str) -> dict[str, Table]:
    """The record tables of an era's workbook, by the id of their sheet."""
    return _ERA_TABLES.get(era, TABLES)


def sheets(era: str) -> tuple[str, ...]:
    """The ids of the sheets of an era's workbook, in order."""
    return _ERA_SHEETS.get(era, SHEETS)


def record_sheets(era: str) -> tuple[str, ...]:
    """The record tables of an era read after the parameter sheets, in workbook order."""
    return tuple(s for s in sheets(era) if s in tables(era) and s != "Organisations")


def owner_words(table: Table) -> str:
    """The organisations an owned table's rows may name: "commissioner (ccg)", "ICB (icb)"."""
    if set(table.owners) - {"ccg", "icb"}:  # a register of trusts, councils or any body
        kinds = table.owners
        word = {("provider",): "trust", ("provider", "social_care"): "trust or council"}.get(
            kinds, "organisation")
        said = f"{', '.join(kinds[:-1])} or {kinds[-1]}" if len(kinds) > 1 else kinds[0]
        return f"{word} ({said})"
    return ("commissioner" if "ccg" in table.owners else "ICB") + \
        f" ({' or '.join(table.owners)})"


def predecessors(orgs) -> set[str]:
    """The ids the organisations ``orgs`` (plain data) name as a merger's predecessors."""
    return {p for o in orgs if isinstance(o, dict) for p in o.get("predecessors") or []
            if isinstance(p, str)}


def predecessor_row(path: str) -> bool:
    """Whether a predecessor's parameter row ``path`` is written even when blank."""
    return any(path == h or (h.endswith(".") and path.startswith(h))
               for h in PREDECESSOR_ROWS)


def hidden(era: str, path: str) -> bool:
    """Whether the parameter row ``path`` is written in ``era`` only where it is given."""
    return any(path == h or (h.endswith(".") and path.startswith(h))
               for h in ERA_HIDDEN.get(era, ()))


def row_shown(era: str, merged: set[str], spec: Param, org: str, node: dict, path: str) -> bool:
    """Whether the parameter row ``path`` of organisation ``org`` (plain data ``node``) is
    written: every row, but those of another era's (:func:`hidden`) and a merger's
    predecessor's (``merged``) beyond its base year (:func:`predecessor_row`) only where
    given."""
    if org in merged and not predecessor_row(path):
        return given(spec, node, path)
    return not hidden(era, path) or given(spec, node, path)


def given(spec: Param, node: dict, path: str) -> bool:
    """Whether the organisation ``node`` gives the parameter row ``path`` a value other than
    its default (a group by year: any year)."""
    parts = path.split(".")
    if YEAR in parts:
        group = _get(node, parts[:parts.index(YEAR)])
        rest = parts[parts.index(YEAR) + 1:]
        return any(_get(v, rest) is not None for v in (group or {}).values())
    value = _get(node, parts)
    if spec.shape == "list" and isinstance(value, list):  # its default is shown joined
        return write_cell(value, spec.scalar) != spec.default
    return value not in (None, {}, []) and value != spec.default


def _get(node: Any, parts: list[str]) -> Any:
    for p in parts:
        node = node.get(p) if isinstance(node, dict) else None
    return node


def labels(kind: str, sheet: str, era: str) -> dict[str, str]:
    """``{label: dotted path}`` of the parameter rows of an organisation of ``kind`` ("" the
    scenario) on ``sheet``, in ``era``'s words: what a spare row's drop-down offers and what
    the reader takes a label typed without its path to mean (rows of a key the data names,
    such as an age band, need their path)."""
    out: dict[str, str] = {}
    for spec in PARAMS.get(kind, []):
        if spec.sheet == sheet and "<key>" not in spec.path:
            out.setdefault(say(W.label(spec.path, spec.description), era), spec.path)
    return out


@lru_cache(maxsize=64)  # looked up for each commissioner's row: once per table and year
def growth_table_has(provider: str, base_year: str) -> bool:
    """Whether ``provider``'s published activity growth table (reference data) has figures for
    ``base_year``: the growth table drop-down offers only those."""
    from .. import refdata

    try:
        return bool(refdata.activity_growth(provider, base_year))
    except (KeyError, ValueError):
        return False


def allowed(spec: Param, base_year: str) -> tuple:
    """The values a parameter row's drop-down offers: the field's, but for the activity growth
    table only the providers whose published table has the base year's figures (none for a
    base year with no table: the writer then leaves the row out unless the scenario gives
    it)."""
    if spec.path != "demand.growth_table":
        return spec.choices
    return tuple(p for p in spec.choices if growth_table_has(p, base_year))
