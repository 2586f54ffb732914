"""The layout of the assumptions workbook, read from the typed models: one source of truth for
the writer (:mod:`ccgmodels.inputs.book.writer`) and the reader
(:mod:`ccgmodels.inputs.book.reader`).

Two kinds of sheet hold the assumptions:

* **parameter sheets** (Scenario, Allocations, Plan, Demand, Solutions, Bridge, Providers,
  Councils): one row per assumption of an organisation, keyed by the organisation id and the
  field's dotted path below it. A number for every year goes in the ``Value`` column; a
  number year by year goes in the year columns instead. A group by year (allocation levels,
  bridge years) is written ``allocation.levels.{year}.programme``: the year comes from the
  column.
* **record tables** (Organisations, Activity, QIPP, Contracts, Uncertainty, Sources): one row
  per organisation, point of delivery, scheme, contract, range or source.

The rows of the parameter sheets are every field of :class:`~ccgmodels.inputs.scenario.
Commissioner`, :class:`~ccgmodels.inputs.scenario.Provider` and :class:`~ccgmodels.inputs.
scenario.SocialCare` (and the scenario's own), walked from their pydantic definitions, so a new
field appears in the workbook without a change here. Units, descriptions and defaults come from
the same fields.

The ICB era's sheets and words (a Places sheet, Efficiency for QIPP, today's words in
every title and description) are in :mod:`ccgmodels.inputs.book.eras`.

Conventions: money in £k; rates as fractions (the workbook shows them as percentages; a cell
typed ``3.4%`` is 0.034); years ``"2019/20"``; surplus positive, deficit negative.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from ..efficiency import EfficiencyScheme
from ..fields import unwrap
from ..risks import Mitigation, Risk
from ..scenario import (
    Commissioner,
    Contract,
    Icb,
    PointOfDelivery,
    Provider,
    Scenario,
    Scheme,
)
from ..scenario import SocialCare as Council
from ..types import FinancialYear
from ..vocab import KINDS, PODS, SERVICE_LINES, STAFF_GROUPS
from ..workforce import StaffGroup

# a cell read and written the way a person means it (book/cells.py), re-exported as L.read_cell
from .cells import BLANK, BOOL_TEXT, read_cell, read_list, write_cell  # noqa: F401

#: the year placeholder of a group by year in a parameter row's field
YEAR = "{year}"
#: the header of a parameter sheet's one-number column
VALUE = "Value (every year)"
#: a record row whose note starts with this is the workbook's example, refused on import
EXAMPLE = "EXAMPLE"

Shape = Literal["value", "by_year", "years", "list"]


@dataclass(frozen=True)
class Param:
    """One row of a parameter sheet: a field below an organisation (or the scenario)."""

    sheet: str
    path: str  # below the organisation; may hold YEAR or a mapping key
    shape: Shape  # value: one cell; by_year: Value or the year columns; years: year columns
    scalar: str  # money, rate, growth, number, int, bool, text, year, choice
    unit: str
    description: str
    choices: tuple[str, ...] = ()
    default: Any = None


@dataclass(frozen=True)
class Column:
    """One column of a record table: a field below the record."""

    label: str  # the header
    path: str  # below the record; "" is the record itself (a source's text), "@key" its key
    scalar: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    by_year: bool = False  # a rate or {year: rate}: an "every year" column and year columns
    required: bool = False
    from_base: bool = False  # by year from the base year (money, WTE), not from the next


@dataclass(frozen=True)
class Table:
    """A record table: its sheet, where its records live and its columns."""

    sheet: str
    title: str
    collection: str  # "organisations", "uncertainty", "sources" or a path below a CCG
    keyed: bool  # a mapping keyed by its first column, else a list
    columns: tuple[Column, ...]
    owned: bool = True  # an Organisation column names the commissioner it belongs to
    dynamic: str = ""  # a column group whose keys come from the data (age bands)
    derived: tuple[tuple[str, str], ...] = field(default=())  # (header, formula template)
    owners: tuple[str, ...] = ("ccg",)  # the organisation kinds an owned table's rows name
    totals: tuple[str, ...] = ()  # the paths of columns totalled above the table


def _scalar(tp: Any, meta: list | tuple = (), unit: str = "") -> tuple[str, tuple[str, ...]]:
    """The kind of a scalar annotation (``meta``: a field's pydantic metadata; ``unit``: its
    unit) and its allowed values."""
    bare, more = unwrap(tp)
    text = repr(tp) + repr(list(meta) + more)
    if get_origin(bare) is Literal:
        return "choice", tuple(get_args(bare))
    if bare is bool:
        return "bool", ("Yes", "No")
    if bare is int:
        return "int", ()
    if bare is str:
        return ("year" if "_year" in text else "text"), ()
    if "£k" in unit or "_not_negative_money" in text:
        return "money", ()
    if "fraction" in unit or "_fraction" in text or "_growth" in text:
        return "rate", ()
    return "number", ()


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _union_members(tp: Any) -> list:
    return [a for a in get_args(tp) if a is not type(None)]


def _unit(description: str) -> str:
    units = re.findall(r"\[([^\]]+)\]", description)
    return units[-1] if units else ""


def _default(info) -> Any:
    return None if info.is_required() else info.get_default(call_default_factory=True)


def params(model: type[BaseModel], sheet_of, prefix: str = "", skip: tuple = (),
           default: Any = None) -> list[Param]:
    """Every parameter row of ``model``, walked from its fields: ``sheet_of(path)`` names the
    sheet of each (None: not on a parameter sheet); ``skip`` lists paths held elsewhere."""
    out: list[Param] = []
    for name, info in model.model_fields.items():
        path = prefix + name
        sheet = sheet_of(path)
        if path in skip or sheet is None:
            continue
        tp, _ = unwrap(info.annotation)
        desc = info.description or ""
        here = _default(info) if default is None else getattr(default, name, None)
        if _is_model(tp):
            out += params(tp, sheet_of, path + ".", skip, here)
            continue
        origin = get_origin(tp)
        if origin in (Union, types.UnionType):  # a number or {year: number}
            scalar, choices = _scalar(_union_members(tp)[0], info.metadata, _unit(desc))
            out.append(Param(sheet, path, "by_year", scalar, _unit(desc), desc, choices,
                             here if not isinstance(here, dict) else None))
        elif origin is dict:
            key, value = get_args(tp)
            vbare, _ = unwrap(value)
            if key is FinancialYear:
                if _is_model(vbare):  # a group by year: one row per field
                    for sub, sinfo in vbare.model_fields.items():
                        sdesc = sinfo.description or ""
                        scalar, choices = _scalar(sinfo.annotation, sinfo.metadata,
                                                  _unit(sdesc))
                        out.append(Param(sheet, f"{path}.{YEAR}.{sub}", "years", scalar,
                                         _unit(sdesc), sdesc, choices, _default(sinfo)))
                elif get_origin(vbare) is dict and get_args(unwrap(get_args(vbare)[0])[0]):
                    # levels by year and by a vocabulary (spend by year and service line)
                    inner_key, inner = get_args(vbare)
                    scalar, choices = _scalar(inner, (), _unit(desc))
                    for k in get_args(unwrap(inner_key)[0]):
                        out.append(Param(sheet, f"{path}.{YEAR}.{k}", "years", scalar,
                                         _unit(desc), desc, choices))
                else:
                    scalar, choices = _scalar(value, (), _unit(desc))
                    out.append(Param(sheet, path, "years", scalar, _unit(desc), desc, choices))
            elif _is_model(vbare) and get_args(unwrap(key)[0]):
                # a group per key of a vocabulary (convergence by stream): one row per field
                for k in get_args(unwrap(key)[0]):
                    out += params(vbare, sheet_of, f"{path}.{k}.", skip, None)
            else:
                keys = get_args(unwrap(key)[0])
                shape: Shape = "by_year" if get_origin(vbare) in (Union, types.UnionType) \
                    else "value"
                scalar, choices = _scalar(_union_members(vbare)[0] if shape == "by_year"
                                          else value, (), _unit(desc))
                for k in keys or ("<key>",):
                    d = here.get(k) if isinstance(here, dict) else None
                    out.append(Param(sheet, f"{path}.{k}", shape, scalar, _unit(desc), desc,
                                     choices, d))
        elif origin is list and _is_model(get_args(tp)[0]):
            continue  # records: a table of their own (TABLES)
        elif origin is list:
            scalar, choices = _scalar(get_args(tp)[0], (), _unit(desc))
            out.append(Param(sheet, path, "list", scalar, _unit(desc), desc, choices,
                             ", ".join(here) if isinstance(here, list) else None))
        else:
            scalar, choices = _scalar(info.annotation, info.metadata, _unit(desc))
            out.append(Param(sheet, path, "value", scalar, _unit(desc), desc, choices, here))
    return out


def _ccg_sheet(path: str) -> str:
    """The sheet of a commissioner's assumption: by its group; anything else (a field added
    to the model later) goes on Plan, so that nothing is left out of the workbook."""
    head = path.split(".")[0]
    return {"allocation": "Allocations", "demand": "Demand", "qipp": "Solutions",
            "solutions": "Solutions", "primary_care_bridge": "Bridge"}.get(head, "Plan")


def _icb_sheet(path: str) -> str:
    """The sheet of an ICB's assumption: a commissioner's, with its population (which sets
    the running cost allowance) beside its allocation."""
    return "Allocations" if path in ("population", "population_growth") else _ccg_sheet(path)


ORG_FIELDS = ("kind", "id", "name")
#: the parameter rows of each organisation kind, and of the scenario itself ("")
PARAMS: dict[str, list[Param]] = {
    "": params(Scenario, lambda p: "Scenario",
               skip=("organisations", "uncertainty", "sources", "actuals")),
    "ccg": params(Commissioner, _ccg_sheet,
                  skip=(*ORG_FIELDS, "contracts", "demand.pods", "qipp.schemes")),
    "provider": params(Provider, lambda p: "Providers", skip=ORG_FIELDS),
    "social_care": params(Council, lambda p: "Councils", skip=ORG_FIELDS),
    "icb": params(Icb, _icb_sheet, skip=(*ORG_FIELDS, "contracts", "demand.pods",
                                         "qipp.schemes", "places", "control_total")),
}
#: the parameter sheets, in workbook order
PARAM_SHEETS = ("Scenario", "Allocations", "Plan", "Demand", "Solutions", "Bridge",
                "Providers", "Councils")


def find_param(kind: str, path: str) -> tuple[Param | None, str]:
    """The parameter row spec of ``path`` for an organisation of ``kind`` ("" the scenario),
    and the mapping key it names where the spec's path ends in ``<key>``."""
    for p in PARAMS.get(kind, []):
        if p.path == path:
            return p, ""
        if p.path.endswith(".<key>") and path.startswith(p.path[:-5]) \
                and "." not in path[len(p.path) - 5:]:
            return p, path[len(p.path) - 5:]
    return None, ""


def _columns(model: type[BaseModel], names: tuple[str, ...] | None = None,
             labels: dict[str, str] | None = None,
             choices: dict[str, tuple[str, ...]] | None = None) -> tuple[Column, ...]:
    """The columns of ``model``'s fields (``names``: those only), headed by ``labels`` (else
    the field's name in words); ``choices`` gives a text field its allowed values."""
    out = []
    for name, info in model.model_fields.items():
        if names is not None and name not in names:
            continue
        desc = info.description or ""
        scalar, allowed = _scalar(info.annotation, info.metadata, _unit(desc))
        if name in (choices or {}):
            scalar, allowed = "choice", (choices or {})[name]
        label = (labels or {}).get(name) or name.replace("_", " ").capitalize()
        out.append(Column(label, name, scalar, _unit(desc), allowed,
                          required=info.is_required()))
    return tuple(out)


#: the headers of an efficiency scheme's columns that differ from its field names in words
SCHEME_LABELS = {"id": "Scheme id", "gross_saving": "Gross saving", "wte": "WTE change"}
#: a scheme's staff group is one of the workforce's (vocab.STAFF_GROUPS)
STAFF_CHOICES = {"staff_group": STAFF_GROUPS}


def _lines(prefix: str) -> tuple[Column, ...]:
    return tuple(Column(f"Share: {line}", f"{prefix}.{line}", "rate", "fraction")
                 for line in SERVICE_LINES)


TABLES: dict[str, Table] = {t.sheet: t for t in (
    Table("Organisations", "Organisations modelled, in order: a commissioner (ccg), an NHS "
          "provider trust (provider) or a council's social care (social_care)",
          "organisations", False,
          (Column("Kind", "kind", "choice", choices=KINDS, required=True),
           Column("Id", "id", "text", required=True),
           Column("Name", "name", "text", required=True)), owned=False),
    Table("Activity", "Demand by point of delivery and age band, one row per point of "
          "delivery of a commissioner", "demand.pods", True,
          (Column("Point of delivery", "@key", "choice", choices=PODS, required=True),
           *_columns(PointOfDelivery, ("activity", "cost_share")),
           Column("Non-demographic growth", "non_demographic_growth", "rate", "fraction/yr",
                  by_year=True)),
          dynamic="age_mix",
          derived=(("Age mix total (worked out)", "=SUM({age_mix})"),)),
    Table("QIPP", "QIPP schemes, one row each: savings positive [£k/yr]; give net saving or "
          "gross saving (and investment)", "qipp.schemes", False,
          _columns(Scheme, labels={"id": "Scheme id", "gross_saving": "Gross saving",
                                   "net_saving": "Net saving"}),
          derived=(("Net saving (worked out)",
                    '=IF(ISNUMBER({net_saving}),{net_saving},'
                    'IF(ISNUMBER({gross_saving}),{gross_saving},0)-N({investment}))'),)),
    Table("Contracts", "What each commissioner pays the providers of this scenario: the share "
          "of each service line's spend, by contract", "contracts", False,
          (*_columns(Contract, ("provider", "basis")), *_lines("lines"),
           Column("Planned value", "planned_value", "money", "£k", by_year=True,
                  from_base=True))),
    # the registers of issue 28: a trust's or a council's efficiency schemes, every body's
    # risks and mitigations, a trust's workforce by staff group
    Table("CIP and savings schemes", "Trusts' cost improvement (CIP) and councils' savings "
          "schemes, one row each: savings positive [£k/yr]; the requirement and the delivery "
          "probabilities are on the Providers and Councils sheets", "efficiency.schemes", False,
          _columns(EfficiencyScheme, labels=SCHEME_LABELS, choices=STAFF_CHOICES),
          owners=("provider", "social_care"),
          derived=(("Net saving (worked out)",
                    '=IF(ISNUMBER({gross_saving}),{gross_saving},0)-N({investment})'),)),
    Table("Workforce", "Each trust's staff by group, one row each: whole-time equivalents "
          "(WTE) in the base year (or year by year) and the cost of one WTE [£k]; the pay cost, "
          "pay award and agency and bank premia are on the Providers sheet",
          "workforce.staff_groups", False,
          (*_columns(StaffGroup, ("group",), labels={"group": "Staff group"}),
           Column("WTE", "wte", "number", "WTE", by_year=True, required=True,
                  from_base=True),
           *_columns(StaffGroup, ("cost_per_wte",), labels={"cost_per_wte": "Cost per WTE"})),
          owners=("provider",)),
    Table("Risks", "Each body's risk register, one row per risk: its likelihood a year and "
          "its cost to the position if it materialises, low, most likely and high [£k a "
          "year], every year or year by year", "risks", False,
          (*_columns(Risk, ("id", "name", "likelihood"), labels={"id": "Risk id"}),
           *(Column(label, path, "money", "£k/yr", by_year=True, required=path != "most_likely",
                    from_base=True)
             for label, path in (("Low", "low"), ("Most likely", "most_likely"),
                                 ("High", "high"))),
           *_columns(Risk, ("source",), labels={"source": "Evidence"})),
          owners=("ccg", "icb", "provider", "social_care")),
    Table("Mitigations", "Each body's mitigations, one row each: its value a year when "
          "delivered [£k], the probability it is delivered, and the risks it is held against "
          "(their ids, comma separated)", "mitigations", False,
          (*_columns(Mitigation, ("id", "name"), labels={"id": "Mitigation id"}),
           Column("Value", "value", "money", "£k/yr", by_year=True, required=True,
                  from_base=True),
           *_columns(Mitigation, ("probability",)),
           Column("Held against (risk ids)", "against", "list"),
           *_columns(Mitigation, ("source",), labels={"source": "Evidence"})),
          owners=("ccg", "icb", "provider", "social_care")),
    Table("Uncertainty", "Ranges for the Monte Carlo runs, keyed by dotted path "
          "(organisations.<id>.<field>...; organisations.*.<field> is a national driver)",
          "uncertainty", True,
          (Column("Assumption (dotted path)", "@key", "text", required=True),
           Column("Distribution", "dist", "choice",
                  choices=("normal80", "triangular", "uniform"), required=True),
           Column("Low", "low", "number", required=True),
           Column("Mode", "mode", "number"),
           Column("High", "high", "number", required=True)), owned=False),
    Table("Sources", "Where each assumption comes from, keyed by its dotted path (the Field "
          "column): a document and where in it (a page, table or line), or 'ASSUMPTION: why'",
          "sources", True,
          (Column("Assumption (dotted path)", "@key", "text", required=True),
           Column("Source", "", "text", required=True)), owned=False,
          derived=(("Assumption? (worked out)",
                    '=IF(ISNUMBER(SEARCH("ASSUMPTION",{})),"ASSUMPTION","")'),)),
)}


def _record_lists(model: type[BaseModel], prefix: str = "") -> list[tuple[str, type]]:
    """``(path, record model)`` of every list of records below ``model``."""
    out = []
    for name, info in model.model_fields.items():
        tp, _ = unwrap(info.annotation)
        if _is_model(tp):
            out += _record_lists(tp, f"{prefix}{name}.")
        elif get_origin(tp) is list and _is_model(get_args(tp)[0]):
            out.append((prefix + name, get_args(tp)[0]))
    return out


def _more_tables() -> list[Table]:
    """A table for each list of records of the scenario or of a commissioner that no table
    above holds (one added to the models later): its columns are the record's fields."""
    held = {t.collection for t in TABLES.values()}
    out = []
    for owned, model in ((False, Scenario), (True, Commissioner)):
        for path, record in _record_lists(model):
            if path in held or path == "organisations":
                continue
            name = path.split(".")[-1].replace("_", " ").capitalize()[:31]
            out.append(Table(name, f"{name}: one row each ({record.__name__})", path, False,
                             _columns(record), owned=owned))
    return out


TABLES.update({t.sheet: t for t in _more_tables()})
#: what each parameter sheet holds (its second row, and the cover's list of sheets)
SHEET_NOTES = {
    "Scenario": "The scenario's name, title, years and national assumptions",
    "Allocations": "Each commissioner's recurrent allocation by type: the base year, and its "
                   "growth (or the published levels) year by year",
    "Plan": "Each commissioner's planned spend by service line in the base year, its growth by "
            "year, contingency and control total",
    "Demand": "Population growth by age band and the activity growth settings of each "
              "commissioner (points of delivery are on the Activity sheet)",
    "Solutions": "QIPP target and delivery probabilities, and the do-something levers",
    "Bridge": "The primary care financial bridge by year; enabler costs negative",
    "Providers": "NHS provider trusts: income, cost and their growth, efficiency (CIP)",
    "Councils": "Councils' social care: budget, cost, savings and the pooled BCF",
}
#: the cover sheet's text: (heading, lines)
COVER = (
    ("How to fill it in", (
        "Yellow cells are inputs; grey cells are worked out (formulas) or describe the row. "
        "Change yellow cells only.",
        "Organisations lists every organisation once: its kind (ccg, provider or social_care), "
        "an id (lower-case letters, digits and _) and its name. Every other sheet names the "
        "organisation of each row by that id.",
        "Parameter sheets (Scenario, Allocations, Plan, Demand, Solutions, Bridge, Providers, "
        "Councils) have one row per assumption, named in plain words in the Assumption column "
        "(the grey Field column beside it is the name the model and its messages use): one "
        "number for every year goes in 'Value (every year)'; a number that changes year by "
        "year goes in the year columns instead (not both). A blank cell takes the default "
        "shown beside it. To add a row, pick the organisation and the assumption from the "
        "drop-downs of a spare row at the end.",
        "Record sheets (Activity, QIPP, Contracts, CIP and savings schemes, Workforce, Risks, "
        "Mitigations, Uncertainty, Sources) have one row per "
        "point of delivery, scheme, contract, staff group, risk, mitigation, range or source; "
        "a body with none has a row saying (none). Blank rows are ignored: type "
        "into the spare rows at the end, or copy a row.",
        "The sheets are protected without a password, so that grey cells are not typed over; "
        "to add more rows than the spare ones, Review > Unprotect Sheet.",
        "To add an organisation, add its row on Organisations, then copy one organisation's "
        "block of rows on each parameter sheet and change the id in the copies.",
        "Say where each figure comes from on the Sources sheet (a document and where in it: a "
        "page, table or line; or 'ASSUMPTION: why'); the Source column beside each value looks "
        "it up.",
        "Then: ccgmodels workbook import plan.xlsx -o scenario.yaml (or ccgmodels run / report "
        "plan.xlsx directly). Every problem is listed at once with its sheet and cell.",
    )),
    ("Units and conventions", (
        "Money: thousands of pounds (£k, £000) throughout.",
        "Rates and growth (Unit '%' or '% a year'): percentages. Type 3.4% (or 0.034, the "
        "same); a rate typed as 3.4 is refused with 'did you mean 0.034?'.",
        "Financial years are written 2019/20.",
        "Sign: surplus positive, deficit negative; savings are positive numbers that reduce "
        "spend; primary care bridge enabler costs are negative, as the plans print them.",
    )),
)
#: the sheets in workbook order
SHEETS = ("Cover", "Scenario", "Organisations", "Allocations", "Plan", "Demand", "Activity",
          "QIPP", "Solutions", "Bridge", "Contracts", "Providers", "Councils",
          *[t for t in TABLES if t not in ("Organisations", "Activity", "QIPP", "Contracts",
                                           "Uncertainty", "Sources")],
          "Uncertainty", "Sources")
#: the record tables read after the parameter sheets, in workbook order
RECORD_SHEETS = tuple(s for s in SHEETS if s in TABLES and s != "Organisations")

# --- the ICB era's words (2022/23 on): the writer uses them for an ICB-era scenario, the
# reader reads a sheet by either name. The layout above keeps the 2019/20 plans' words, and
# the sheets' ids (the names above) are what the code and the cell references use.

#: sheet names that differ in the ICB era
ICB_SHEETS = {"QIPP": "Efficiency"}
#: sheet notes and record tables' titles that differ in the ICB era
ICB_SHEET_NOTES = {
    "Plan": "Each commissioner's planned spend by service line in the base year, its growth by "
            "year, contingency and planned surplus (breakeven duty)",
    "Solutions": "Efficiency target and delivery probabilities, and the do-something levers",
    "QIPP": "Efficiency schemes, one row each: savings positive [£k/yr]; give net saving or "
            "gross saving (and investment)",
}


def description(text: str, era: str | None = None) -> str:
    """A field's description (the schema's, in the 2019/20 plans' words) in ``era``'s words
    (:func:`ccgmodels.inputs.vocab.in_era_words`)."""
    from ..vocab import in_era_words

    return in_era_words(text, era)


def era_of_data(data: dict) -> str:
    """The era of plain scenario ``data``: stated, else its base year's."""
    from ..vocab import era_of

    return data.get("era") or era_of(data.get("base_year") or "2019/20")


def sheet_name(sheet: str, era: str | None = None) -> str:
    """The name a workbook of ``era`` gives sheet ``sheet`` (one of :data:`SHEETS`)."""
    return ICB_SHEETS.get(sheet, sheet) if era == "icb" else sheet


def sheet_id(name: str) -> str:
    """The sheet of :data:`SHEETS` that a workbook's sheet ``name`` is (either era's name)."""
    return {v: k for k, v in ICB_SHEETS.items()}.get(name, name)


def sheet_note(sheet: str, era: str | None = None) -> str:
    """What sheet ``sheet`` holds, in ``era``'s words (its second row and the cover)."""
    if era == "icb" and sheet in ICB_SHEET_NOTES:
        return ICB_SHEET_NOTES[sheet]
    return SHEET_NOTES.get(sheet) or TABLES[sheet].title


def cover(era: str | None = None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """:data:`COVER` in ``era``'s words: the ICB era names its sheets by their ICB-era names and
    offers the ICB-era kinds."""
    if era != "icb":
        return COVER
    from ..vocab import KINDS

    kinds = [k for k in KINDS if k != "ccg"] if "icb" in KINDS else list(KINDS)
    words = {"Record sheets (Activity, QIPP,": "Record sheets (Activity, Efficiency,",
             "its kind (ccg, provider or social_care)":
                 f"its kind ({', '.join(kinds[:-1])} or {kinds[-1]})"}
    out = []
    for heading, lines in COVER:
        new = []
        for line in lines:
            for old, now in words.items():
                line = line.replace(old, now)
            new.append(line)
        out.append((heading, tuple(new)))
    return tuple(out)
AGE_MIX = "Age mix"
NOTE = "Note"
#: the first cell of a register's row that says it has no rows (a commissioner with no QIPP
#: schemes, a scenario with no ranges): an empty register is written, never a missing sheet
NONE = "(none)"
ORG = "Organisation"
FIELD = "Field"
#: a parameter row's plain label (:func:`ccgmodels.inputs.book.words.label`); the Field column
#: beside it keeps the dotted path, for reference and for the reader
LABEL = "Assumption"


def param_columns(years: list[str]) -> list[str]:
    """The headers of a parameter sheet."""
    return [ORG, LABEL, FIELD, "Description", "Unit", "Default", VALUE, *years, "Source",
            "Assumption?"]


def record_columns(table: Table, years: list[str], keys: list[str]) -> list[tuple[str, Column,
                                                                                 str | None]]:
    """``(header, column, year or dynamic key)`` of a record table, left to right, before its
    derived columns; ``years`` (the scenario's, base year first) feed by-year columns (a
    growth's from the year after the base, a :attr:`Column.from_base` one's from the base),
    ``keys`` the dynamic group."""
    out: list[tuple[str, Column, str | None]] = []
    if table.owned:
        out.append((ORG, Column(ORG, "@org", "text", required=True), None))
    for col in table.columns:
        if col.by_year:
            out.append((f"{col.label}: every year", col, None))
            out += [(f"{col.label}: {y}", col, y) for y in (years if col.from_base
                                                             else years[1:])]
        else:
            out.append((col.label, col, None))
        if table.dynamic and col.path == "cost_share":
            dyn = Column(AGE_MIX, table.dynamic, "rate", "fraction")
            out += [(f"{AGE_MIX}: {k}", dyn, k) for k in keys]
    return out

