"""The risk-adjusted plan on the report's pages: each body's plan position, its risks and
mitigations and its risk-adjusted position by year, and the register itself.

The figures by year are read from the tidy results (:mod:`ccgmodels.models.risks` made them);
the register is the scenario's (:mod:`ccgmodels.inputs.risks`). Money in £k; surplus positive,
deficits in brackets in tables; a risk's amounts are costs, a mitigation's value an
improvement, both positive.
"""

from __future__ import annotations

import pandas as pd

from ..inputs import documents
from ..inputs.risks import amount
from ..inputs.scenario import Scenario
from ..inputs.vocab import FOOTPRINT
from ..models.measures import MEASURES
from ..models.risks import has_register
from . import document as doc
from . import labels
from .document import Html
from .tables import ReportTable

NAN = float("nan")

#: the book's key (the Excel sheet) of the risk-adjusted plan by year, and of the register
PLAN_KEY, REGISTER_KEY = "Risk-adjusted plan", "Risks and mitigations"


def _rows(era: str | None) -> dict[tuple[str, str], str]:
    """The rows of each body's block: (measure, item) -> row label, in ``era``'s words."""
    return {
        ("do_something_surplus", ""): "plan surplus/(deficit) (do something)",
        ("risk_register", "gross_risk"): "gross risk (every risk at its most likely)",
        ("risk_register", "net_risk"): "net risk (likelihood x expected size)",
        ("risk_register", "mitigations"): "mitigations (probability x value)",
        ("risk_adjusted_surplus", ""):
            MEASURES["risk_adjusted_surplus"].display_in(era).lower(),
    }


def with_register(scenario: Scenario, org: str = FOOTPRINT) -> list[str]:
    """The bodies shown: ``org`` when it has a register, or for the footprint every body with
    one and the footprint; [] when none has a register."""
    bodies = [o.id for o in scenario.organisations if has_register(o)]
    if org == FOOTPRINT:
        return [*bodies, FOOTPRINT] if bodies else []
    return [org] if org in bodies else []


def plan_table(results: pd.DataFrame, scenario: Scenario, org: str = FOOTPRINT
               ) -> ReportTable | None:
    """Per body and year: the plan position, gross risk, net risk, mitigations and the
    risk-adjusted position [£k]; None when no body shown has a register."""
    rows = {}
    for body in with_register(scenario, org):
        name = labels.org_name(scenario, body)
        for (measure, item), label in _rows(scenario.era).items():
            sel = results[(results["org"] == body) & (results["measure"] == measure)
                          & (results["item"].fillna("") == item)]
            if len(sel):
                rows[f"{name}: {label}"] = sel.set_index("year")["value"].sort_index()
    if not rows:
        return None
    frame = pd.DataFrame(rows).T
    frame = frame[sorted(frame.columns)]
    frame.index.name, frame.columns.name = "Body (£k)", None
    return ReportTable("Risk-adjusted plan: plan, net risk, mitigations and the risk-adjusted "
                       "position (£k)", frame, "£k")


def register_frame(scenario: Scenario, org: str = FOOTPRINT) -> pd.DataFrame:
    """The register of the bodies shown: one row per risk and per mitigation, with its
    likelihood (or probability), range (or value) and expected value in its year (the year of
    the plan in which it is largest: its most likely size, or a mitigation's value, the first
    such year), what a mitigation is held against and the source [£k, fraction]. Empty when
    none has one.

    A risk's expected value is ``likelihood * (low + most likely + high) / 3``, a
    mitigation's ``probability * value``; both for the whole body (before a provider's or
    council's consolidation share, which the plan table applies).
    """
    years = scenario.years
    recs = []
    for body in with_register(scenario, org):
        if body == FOOTPRINT:
            continue
        o = scenario.org(body)
        names = {r.id: r.name for r in o.risks}
        for r in o.risks:
            year = max(years, key=lambda y: (r.range_in(y)[1], -years.index(y)))
            low, mode, high = r.range_in(year)
            recs.append({"Organisation": o.name, "Type": "Risk", "Name": r.name, "Year": year,
                         "Likelihood or probability": r.likelihood, "Low": low,
                         "Most likely": mode, "High": high, "Value": NAN,
                         "Expected value": r.likelihood * (low + mode + high) / 3,
                         "Held against": "", "Source": r.source, "Id": r.id})
        for m in o.mitigations:
            year = max(years, key=lambda y: (amount(m.value, y), -years.index(y)))
            value = amount(m.value, year)
            recs.append({"Organisation": o.name, "Type": "Mitigation", "Name": m.name,
                         "Year": year, "Likelihood or probability": m.probability,
                         "Low": NAN, "Most likely": NAN, "High": NAN, "Value": value,
                         "Expected value": m.probability * value,
                         "Held against": "; ".join(names.get(a, a) for a in m.against),
                         "Source": m.source, "Id": m.id})
    return pd.DataFrame(recs, columns=REGISTER_COLUMNS)


#: the register's columns, and its money columns [£k]
REGISTER_COLUMNS = ["Organisation", "Type", "Name", "Year", "Likelihood or probability", "Low",
                    "Most likely", "High", "Value", "Expected value", "Held against", "Source",
                    "Id"]
REGISTER_MONEY = ("Low", "Most likely", "High", "Value", "Expected value")


def intro(scenario: Scenario) -> str:
    """What the section shows, in words."""
    return (f"Each body's risk register against its plan: the plan's do-something "
            "surplus/(deficit), the gross risk (every risk at its most likely size), the net "
            "risk (each risk's likelihood times its expected size, the mean of its low, most "
            "likely and high), the mitigations (each one's probability times its value) and "
            "the risk-adjusted position = plan - net risk + mitigations. A provider's or "
            "council's figures are at the share of it that belongs to "
            f"{labels.term('the_footprint', scenario.era)}. The register below gives each risk "
            "and mitigation as the plan states it, in the year it is largest (its Year); a "
            "risk's amounts are what it would cost in that year if it materialised, and each "
            "item's source follows its body's table.")


def register_html(frame: pd.DataFrame) -> Html:
    """The register (:func:`register_frame`), for each organisation a table of its risks (year,
    likelihood, range, expected value) and one of its mitigations (year, probability, value,
    expected value, what it is held against) [£k, fraction]; the sources in a note under them
    (a table as wide as the page holds no paragraph of citation)."""
    shapes = (("Risk", "risks", ["Year", "Likelihood or probability", "Low", "Most likely",
                                 "High", "Expected value"], "Likelihood"),
              ("Mitigation", "mitigations", ["Year", "Likelihood or probability", "Value",
                                             "Expected value", "Held against"], "Probability"))
    out = []
    for org, rows in frame.groupby("Organisation", sort=False):
        for kind, plural, columns, chance in shapes:
            part = rows[rows["Type"] == kind]
            if not len(part):
                continue
            t = part.set_index("Name")[columns].rename(
                columns={"Likelihood or probability": chance})
            t.index.name = kind
            for c in columns:
                if c in REGISTER_MONEY:
                    t[c] = t[c].astype(float)
            out.append(doc.table(t, "£k", caption=f"{org}: {plural} (£k a year)",
                                 units={chance: "fraction"}, totals=()))
        cited = [f"{n}: {documents.expand(src)}"
                 for n, src in zip(rows["Name"], rows["Source"], strict=True) if src]
        if cited:
            out.append(doc.paragraphs(["Sources. " + "; ".join(cited)], "note"))
    return Html("".join(out))
