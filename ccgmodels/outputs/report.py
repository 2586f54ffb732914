"""The board report of one scenario, section by section: what the report notebook displays.

:func:`build` loads and runs the scenario (and its Monte Carlo and tornado when ``runs`` > 0),
finds the scenario it varies (for the what-if marks of the assumptions register) and returns a
:class:`Report` whose methods each give one section as :class:`~ccgmodels.outputs.document.Html`:
the cover, the executive summary, key figures, the position and its charts, the STP summary,
the system view, QIPP and its scheme register, the risk-adjusted plan, the primary care bridge,
activity, uncertainty,
the assumptions register and the methods. Money in £k; surplus positive, deficits in brackets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ..inputs import documents
from ..inputs.lineage import extends_of
from ..inputs.loading import load_scenario
from ..inputs.scenario import Scenario
from ..inputs.vocab import COMMISSIONER_KINDS, FOOTPRINT
from ..models.seeds import DEFAULT_SEED
from . import (
    bodies,
    labels,
    narrative,
    plans,
    plotting,
    register,
    riskplan,
    summaries,
    tables,
)
from . import document as doc
from . import triangulation as contracts
from .document import Html

#: the figures of the key figures table: (measure, item, label, unit); years across
KEY_ROWS = (
    ("allocation", "total", "Allocation", "£k"),
    ("do_nothing_surplus", "", "Do nothing surplus/(deficit)", "£k"),
    ("solutions", "total", "Solutions", "£k"),
    ("do_something_surplus", "", "Do something surplus/(deficit)", "£k"),
    ("do_something_cumulative_surplus", "", "Do something, cumulative", "£k"),
    ("underlying_surplus", "", "Underlying (recurrent) surplus/(deficit)", "£k"),
    ("risk_adjusted_surplus", "", "Risk-adjusted surplus/(deficit)", "£k"),
    ("qipp", "required", "Requirement: savings needed to meet the control total", "£k"),
    ("qipp", "unidentified", "QIPP still to identify", "£k"),
)
#: the key figures' labels in the ICB era where they differ
ICB_KEY_LABELS = {
    "Requirement: savings needed to meet the control total":
        "Requirement: savings needed to meet the planned surplus",
    "QIPP still to identify": "Efficiency still to identify",
    "Risk-adjusted surplus/(deficit)": "Risk-adjusted position",
}
CONVENTIONS = ("Money in £k (thousands of pounds); surplus positive, deficits in brackets, as "
               "NHS plans print Surplus/(Deficit).")


@dataclass
class Report:
    """A scenario run, ready to show: see the module docstring."""

    scenario: Scenario
    results: pd.DataFrame  # as shown: cash, or base-year prices
    cash: pd.DataFrame
    org: str
    runs: int
    seed: int
    base: Scenario | None = None
    summary: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)
    output_dir: str = ""
    real_terms: bool = False

    @property
    def era(self) -> str:
        """The scenario's era, whose words the report prints."""
        return self.scenario.era

    @property
    def name(self) -> str:
        """The organisation shown, by its display name."""
        return labels.org_name(self.scenario, self.org)

    @cached_property
    def book(self) -> dict[str, tables.ReportTable]:
        """The report's tables (:func:`ccgmodels.outputs.tables.report_tables`, and today's
        rules: :func:`ccgmodels.outputs.bodies.body_tables`)."""
        book = tables.report_tables(self.results, self.scenario, self.org, self.summary)
        book.update(bodies.body_tables(self.results, self.scenario))
        book.update(plans.plan_tables(self.results, self.scenario))
        plan = riskplan.plan_table(self.results, self.scenario, self.org)
        if plan is not None:
            book[riskplan.PLAN_KEY] = plan
        return book

    def _figure(self, fig, filename: str) -> Html:
        """The chart rendered once: the same PNG is shown in the report and saved beside it."""
        png = plotting.to_png(fig, dpi=plotting.SAVED_DPI)
        plotting.save_png(png, self.output_dir, filename)
        return doc.figure(png, plotting.alt_text(fig))

    # --- sections ---------------------------------------------------------------------------

    def facts(self) -> list[tuple[str, str]]:
        """The run's facts for the cover and the Excel pack's cover sheet."""
        s, p = self.scenario, self.provenance
        orgs = "; ".join(o.name for o in s.organisations)
        commit = p.get("commit") or "not recorded"
        if p.get("dirty"):
            commit += " (with uncommitted changes)"
        facts = [("Organisations", orgs), ("Figures shown for", self.name),
                 ("Horizon", f"{s.base_year} to {s.end_year} ({len(s.years)} years)"),
                 ("Prices", f"{s.base_year} prices" if self.real_terms else "cash"),
                 ("Prepared", str(p.get("date") or date.today().isoformat())),
                 ("Model", f"ccgmodels {p.get('version') or _version()}, commit {commit}"),
                 ("Run", (str(p.get("run_id"))[:8] if p.get("run_id") else "interactive")
                  + (f"; {self.runs:,} Monte Carlo runs, seed {self.seed}" if self.runs
                     else "; no Monte Carlo runs"))]
        if self.base is not None:
            facts.insert(1, ("Compared with", f"{self.base.title}: what-if changes are marked "
                                              "in the assumptions register"))
        return facts

    def cover(self) -> Html:
        s = self.scenario
        return doc.cover(s.title, s.description or "", self.facts(), CONVENTIONS)

    def executive_summary(self) -> Html:
        text = narrative.executive_summary(self.results, self.scenario, self.org, self.summary,
                                           self.sensitivity, self.runs)
        return doc.section("Executive summary", doc.paragraphs(text, "summary"))

    def key_figures(self) -> Html:
        rows = {}
        words = ICB_KEY_LABELS if self.era == "icb" else {}
        for measure, item, label, _ in KEY_ROWS:
            label = words.get(label, label)
            sel = self.results[(self.results["org"] == self.org)
                               & (self.results["measure"] == measure)
                               & (self.results["item"].fillna("") == item)]
            if len(sel):
                rows[label] = sel.groupby("year")["value"].sum()
        frame = pd.DataFrame(rows).T
        frame = frame[sorted(frame.columns)]
        frame.index.name = f"{self.name} (£k)"
        scopes = {words.get(label, label): tables.scope_of(self.results, self.scenario, m)
                  for m, _, label, _ in KEY_ROWS} if self.org == FOOTPRINT else {}
        if any(scopes.values()):  # a system of more than one kind: say whose each row is
            frame.insert(0, "Scope", [scopes.get(r, "") for r in frame.index])
        parts = [doc.table(frame, "£k", totals=("Do something surplus/(deficit)",),
                           css="key-figures")]
        if tables.BY_ORGANISATION in self.book:
            parts.append(doc.report_table(self.book[tables.BY_ORGANISATION]))
        if self.summary is not None:
            balance = tables.uncertainty_tables(self.summary, self.org, self.name)
            if "Probability of balance" in balance:
                t = balance["Probability of balance"]
                parts.append(doc.table(t.frame, "fraction", caption=t.title))
        # the variance to plan follows the key figures (nothing at all without actuals)
        return Html(doc.section("Key figures", *parts) + self.plan_vs_actual())

    def plan_vs_actual(self) -> Html:
        """The base year's plan against its actuals or forecast outturn ("" without them)."""
        a = self.scenario.actuals
        if a is None:
            return Html("")
        t = tables.plan_vs_actual_table(self.results, self.scenario, self.org, percent=True)
        if t.frame.empty:
            return Html("")
        basis = tables.BASIS_NAMES[a.basis].lower()
        return doc.section("Variance to plan", doc.table(
            t.frame, "£k", caption=t.title, units={"Variance %": "fraction"}, totals=()),
            intro=f"The {self.scenario.base_year} plan against the {basis}"
            f"{' at ' + a.as_at if a.as_at else ''}: variance = {basis} - plan, so a positive "
            "variance is more than planned (more income or surplus: favourable; more spend: "
            "adverse); variance % is of the plan.")

    def position(self) -> Html:
        book = self.book
        # the headline figures are the key figures above; the Excel pack has the Headline
        parts = [self._figure(plotting.do_nothing_vs_something(self.results, self.org,
                                                               self.name),
                              "do_nothing_vs_something")]
        if "allocation" in set(self.results.loc[self.results["org"] == self.org, "measure"]):
            data, org, name = self.results, self.org, self.name
            others = [o for o in self.scenario.organisations
                      if o.kind not in COMMISSIONER_KINDS]
            if self.org == FOOTPRINT and others:  # allocations are the commissioners' only
                data, org, name = commissioners(self.results, self.scenario)
            parts.append(self._figure(plotting.allocation_vs_expenditure(data, org, name),
                                      "allocation_vs_expenditure"))
        if "Solutions" in book:
            parts.append(doc.report_table(book["Solutions"]))
        return doc.section("The position: do nothing and do something", *parts)

    def stp(self) -> Html:
        book, s = self.book, self.scenario
        parts = []
        for year in dict.fromkeys([s.base_year, s.end_year]):
            t = book[tables.stp_key(year, self.era)]
            parts.append(doc.report_table(t, narrative.stp_notes(t.frame, s)))
        if self.era == "icb":
            return doc.section("System summary", *parts, intro="Do nothing, solutions and do "
                               "something for each kind of body and the whole system.")
        return doc.section("STP summary", *parts, intro="In the layout of the STP financial "
                           "template (do nothing, solutions, do something), for the whole "
                           "footprint.")

    def system(self) -> Html:
        book = self.book
        if "System position" not in book:
            return Html("")
        from ..models.system import EXPLANATION

        # the model's explanation says "footprint", the 2019 word; the ICB era says "system"
        where = labels.term("footprint", self.era).lower()
        EXPLANATION = EXPLANATION.replace("footprint", where)  # noqa: N806
        flows = book["Eliminations"]
        if (flows.frame.abs() < 0.5).all().all():
            return doc.section("System position", doc.paragraphs([
                EXPLANATION, f"No organisation of this {where} pays another (no contracts "
                "with its providers, no Better Care Fund pooled with its councils), so nothing "
                "is eliminated and the system position is the sum of the organisations."]),
                doc.report_table(book["System position"]))
        scope = narrative.scope_sentence(self.scenario)
        from ..models.triangulation import SIDE_USED, any_stated

        sides = [SIDE_USED.replace("footprint", where)] if any_stated(self.scenario) else []
        return doc.section("System position",
                           doc.paragraphs([EXPLANATION, *sides, *([scope] if scope else [])]),
                           doc.report_table(book["System position"]),
                           doc.report_table(flows))

    def triangulation(self) -> Html:
        """The contract value triangulation, whenever a commissioner contracts with a trust of
        the scenario: each pair's two sides and their mismatch by year, and which side the
        system position uses (nothing otherwise)."""
        from ..models.triangulation import SIDE_USED

        frame = contracts.contract_frame(self.scenario, self.cash, self.org)
        if frame is None:
            return Html("")
        where = labels.term("footprint", self.era).lower()
        return doc.section(
            "Contract triangulation",
            doc.paragraphs([*contracts.contract_sentences(frame),
                            SIDE_USED.replace("footprint", where)]),
            doc.report_table(contracts.contract_table(frame)),
            intro="Each commissioner's planned spend with each trust against the trust's "
            "planned income from it, as the two sides agree them in the contract round: "
            "each side as its plan states it, else the commissioner's plan lines (the "
            "trust's side then equals the commissioner's). Each body's own position uses its "
            "own side. Cash, £k.")

    def workforce(self) -> Html:
        """Each trust's workforce beside its pay bill, reconciled to its pay cost (nothing for
        a scenario whose trusts give no workforce)."""
        tables_ = contracts.workforce_tables(self.scenario, self.cash, self.org)
        if not tables_:
            return Html("")
        parts = []
        for staff, bill, sentence in tables_:
            parts += [doc.paragraphs([sentence]), doc.report_table(staff),
                      doc.report_table(bill)]
        return doc.section(
            "Workforce", *parts,
            intro="Each trust's whole-time equivalent staff by staff group (NHS Digital's "
            "workforce statistics groups), after the WTE its efficiency schemes change, "
            "beside the pay bill they make: WTE times cost per WTE, moved by the pay award, "
            "with the agency and bank premia. The base-year pay bill should reconcile to "
            f"the pay cost of the finance plan within {wf_tolerance():.0%}. Cash, £k.")

    def bodies(self) -> Html:
        """Today's rules: the breakeven rule body by body, each ICB's places and a merger's
        restatement (nothing for a scenario without them)."""
        book = self.book
        parts = []
        if "Breakeven" in book:
            parts.append(doc.section(
                "Breakeven, body by body",
                doc.paragraphs(bodies.breakeven_sentences(self.results, self.scenario)),
                doc.report_table(book["Breakeven"]),
                intro="Every ICB and every trust must break even as an individual body: its "
                "underlying position, which leaves deficit support out, must reach its planned "
                "surplus in each year. The system position above adds the bodies up; it does "
                "not balance for them."))
        for key in book:
            if key.startswith(("Places", "Restatement")):
                parts.append(doc.report_table(book[key]))
        return Html("".join(parts) + self.efficiency())

    def efficiency(self) -> Html:
        """The efficiency plan of each trust and council with an efficiency register, and
        their schemes (nothing when no body has one). Shown with the bodies
        (:meth:`bodies`)."""
        book = self.book
        if plans.EFFICIENCY_PLAN not in book:
            return Html("")
        parts = [doc.report_table(book[plans.EFFICIENCY_PLAN])]
        reg = plans.efficiency_schemes(self.scenario)
        money = ["Gross saving", "Investment", "Net saving", "Risk-adjusted saving"]
        for org, rows in reg.groupby("Organisation", sort=False):
            frame = rows.drop(columns=["Organisation"]).set_index("Scheme")
            frame.loc["Total"] = {**{c: "" for c in frame.columns},
                                  **{c: frame[c].sum() for c in [*money, "WTE"]},
                                  "Delivery probability": float("nan")}
            for c in [*money, "Delivery probability", "WTE"]:
                frame[c] = frame[c].astype(float)
            parts.append(doc.table(frame, "£k", caption=f"{org}: efficiency schemes (£k a "
                                   "year, full-year effect; WTE when delivered in full)",
                                   units={"Delivery probability": "fraction", "WTE": "count"},
                                   css="schemes"))
        cip = "efficiency" if self.era == "icb" else "cost improvement (CIP) and savings"
        return doc.section(plans.EFFICIENCY_PLAN, *parts, intro=(
            f"The {cip} plan of each trust and council with a register of schemes: what it "
            "must save (the requirement: as stated, else a trust's CIP at its efficiency rate "
            "or a council's planned savings), the schemes identified against it, by type (pay, "
            "non-pay, income) and whether they recur, the risk-adjusted savings (each scheme "
            "at the delivery probability of its status), and the gap still to identify. "
            "One-off (non-recurrent) schemes improve the year's position but not the "
            "underlying position. Pipeline schemes are outside the plan."))

    def qipp(self) -> Html:
        book, key = self.book, tables.table_key("QIPP", self.era)
        parts = []
        if key in book:
            parts += [doc.report_table(book[key]),
                      self._figure(plotting.qipp_by(self.results, self.org, "status",
                                                    name=self.name, era=self.era),
                                     "qipp_by_status")]
        schemes = register.scheme_register(self.scenario)
        if self.org != FOOTPRINT:
            schemes = schemes[schemes["Organisation"] == self.name]
        if len(schemes):
            ties = [doc.table(register.scheme_reconciliation(self.scenario, self.results, o.id),
                              caption=f"From the register to the {key} table: {o.name}",
                              totals=("Difference",)) for o in self.scenario.organisations
                    if o.name in set(schemes["Organisation"])]
            parts.append(doc.section(labels.term("scheme_register", self.era),
                                     doc.scheme_table(schemes, self.era), *ties,
                                     level=3, intro=narrative.scheme_register_intro(
                                         self.scenario)))
        return doc.section(labels.term("QIPP", self.era), *parts) if parts else Html("")

    def risk_adjusted_plan(self) -> Html:
        """Each body's plan against its risk register, and the register (nothing for a
        scenario without one)."""
        book = self.book
        if riskplan.PLAN_KEY not in book:
            return Html("")
        frame = riskplan.register_frame(self.scenario, self.org)
        return doc.section("Risk-adjusted plan", doc.report_table(book[riskplan.PLAN_KEY]),
                           riskplan.register_html(frame),
                           intro=riskplan.intro(self.scenario))

    def bridge(self) -> Html:
        book = self.book
        if "Primary care bridge" not in book:
            return Html("")
        return doc.section("Primary care bridge", doc.report_table(book["Primary care bridge"]),
                           self._figure(plotting.bridge_waterfall(self.results, self.org,
                                                                  name=self.name,
                                                                  era=self.era),
                                        "primary_care_bridge"))

    def activity(self) -> Html:
        book = self.book
        if "Activity" not in book:
            return Html("")
        return doc.section("Activity by point of delivery",
                           self._figure(plotting.activity_by_pod(self.results, self.org,
                                                                 name=self.name),
                                        "activity_by_pod"),
                           doc.report_table(book["Activity"]))

    def uncertainty(self) -> Html:
        if self.summary is None:
            return doc.section("Uncertainty", doc.paragraphs([
                "No Monte Carlo runs were made for this report, so it shows no range."]))
        book = self.book
        fans = [m for m in plotting.FAN_MEASURES if m in set(
            self.summary.loc[self.summary["org"] == self.org, "measure"])]
        parts = [self._figure(plotting.fan_chart(self.summary, self.org, fans, name=self.name),
                              "fan_chart"), doc.paragraphs([self.dependence()])]
        if self.sensitivity is not None and len(self.sensitivity):
            names = {p: labels.assumption_name(self.scenario, p)
                     for p in self.sensitivity["assumption"]}
            parts.append(self._figure(plotting.tornado_chart(
                self.sensitivity, self.scenario.name, names=names, name=self.name),
                "tornado"))
        parts += [doc.report_table(book["Uncertainty"])]
        return doc.section("Uncertainty", *parts, intro=(
            f"The spread of the surplus/(deficit) over {self.runs:,} Monte Carlo runs, each "
            "drawing every uncertain assumption from its range, and the assumptions that move "
            "the end-year position most, each taken alone from the low to the high end of its "
            "range." + (" With a risk register, the risk-adjusted panel draws each risk (in or "
                        "out of a run on its likelihood, at one size from its range) and each "
                        "mitigation (delivered or not on its probability); the tornado is then "
                        "of the risk-adjusted position, a risk or a mitigation a row of it."
                        if "risk_adjusted_surplus" in fans else "")))

    def dependence(self) -> str:
        """How the Monte Carlo draws depend on each other, by display names."""
        from ..models.uncertainty import dependence

        return dependence(self.scenario, lambda k: labels.assumption_name(self.scenario, k))

    def assumptions(self) -> Html:
        reg = register.assumptions_register(self.scenario, self.base)
        counts = reg["Flag"].value_counts()
        intro = (f"Every assumption the scenario uses ({len(reg)}), with its value by year, "
                 f"its unit and where it comes from: {counts.get(register.FLAG_SOURCE, 0)} "
                 f"cite a document and line, {counts.get(register.FLAG_ASSUMPTION, 0)} are "
                 f"marked ASSUMPTION, {counts.get(register.FLAG_DEFAULT, 0)} are package "
                 "defaults")
        if self.base is not None:
            intro += (f" and {counts.get(register.FLAG_WHATIF, 0)} change "
                      f"{self.base.title} (marked What-if)")
        years = [c for c in reg.columns if register.YEAR.match(str(c))]
        return doc.section("Assumptions register", doc.register_table(reg, years),
                           intro=intro + ".")

    def cited(self) -> list[documents.Document]:
        """The documents the scenario's sources cite (:mod:`ccgmodels.inputs.documents`), in
        the order of the list."""
        cited = {d.key for text in self.scenario.sources.values()
                 for d in documents.cited_in(text)}
        return [d for k, d in documents.documents().items() if k in cited]

    def sources(self) -> Html:
        """The sources appendix: every document the scenario's sources cite, each the target
        of the register's links."""
        docs = self.cited()
        if not docs:
            return Html("")
        return doc.section("Sources", doc.sources_list(docs), intro=(
            "Every document the assumptions cite, under the key in square brackets that the "
            "citations use and link to; a line number is a line of the text copy the entry "
            "names."))

    def methods(self) -> Html:
        return doc.section("Methods and definitions", doc.definitions(narrative.methods(self.era)),
                           doc.paragraphs([
                               "The tables of this report, the assumptions and scheme "
                               "registers and every result are in the Excel pack "
                               "(report.xlsx) beside it, with the results as results.csv."]))

    def checked_text(self) -> str:
        """Rounded base-year headline figures, compared by the notebook tests."""
        return tables.headline_text(self.results, self.org, self.scenario.base_year, self.era)

    def write_files(self) -> list[Path]:
        """``results.csv``, ``uncertainty.csv`` and the Excel pack into ``output_dir``."""
        from .workbook import Pack, write_report_files

        s = self.scenario
        reg = register.assumptions_register(s, self.base)
        reg["Source"] = reg["Source"].map(documents.expand)  # citations as the report writes them
        pack = Pack(title=s.title, cover=[*self.facts(), ("Conventions", CONVENTIONS)],
                    description=s.description or "",
                    assumptions=reg,
                    schemes=register.scheme_register(s),
                    efficiency_schemes=plans.efficiency_schemes(s),
                    contracts=contracts.contract_frame(s, self.cash),
                    workforce=contracts.workforce_frame(s, self.cash),
                    risks=riskplan.register_frame(s), sources=pd.DataFrame(
                        [(d.key, d.title, d.publisher, d.date, d.where) for d in self.cited()],
                        columns=["Key", "Title", "Publisher", "Date", "Where to get it"]))
        return write_report_files(self.output_dir, self.cash, self.book, self.summary, pack)


def wf_tolerance() -> float:
    """How far a base-year pay bill may be from the pay cost [fraction]
    (:data:`ccgmodels.models.workforce.TOLERANCE`)."""
    from ..models.workforce import TOLERANCE

    return TOLERANCE


#: the org id of the commissioners' sum (the allocation chart of a system footprint)
COMMISSIONERS = "commissioners"


def commissioners(results: pd.DataFrame, scenario: Scenario) -> tuple[pd.DataFrame, str, str]:
    """The commissioners' rows summed as one organisation, with its id and display name, so
    that allocation is set against the commissioners' spend only [£k]."""
    sel = results[results["kind"].isin(COMMISSIONER_KINDS)]
    ccgs = sel["org"].unique()  # as modelled: a merged ICB's predecessors are not
    kinds = sel.groupby("org")["kind"].first()
    summed = sel.groupby(["scenario", "year", "measure", "item", "unit"], as_index=False,
                         sort=False)["value"].sum()
    summed["org"], summed["kind"] = COMMISSIONERS, "ccg"
    # the kind's name in the scenario's era: CCGs (2019/20), ICBs (an ICB, or the ICB era)
    kind = "icb" if "icb" in set(kinds) else "ccg"
    return summed, COMMISSIONERS, (f"Commissioners ({len(ccgs)} "
                                   f"{labels.kind_name(kind, len(ccgs), scenario.era)})")


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("ccgmodels")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def base_of(scenario: str | Path | Scenario, overrides: Mapping[str, Any] | None,
            baseline: str = "") -> Scenario | None:
    """The scenario that ``scenario`` varies: ``baseline`` when given, else the one it
    ``extends:``, else (with ``overrides``) the file without them; None for a plain
    scenario."""
    if baseline:
        return load_scenario(baseline)
    if isinstance(scenario, Scenario):
        return None
    parent = extends_of(scenario)
    if parent is not None:
        return load_scenario(parent)
    return load_scenario(scenario) if overrides else None


def build(scenario: str | Path | Scenario, overrides: Mapping[str, Any] | None = None,
          org: str = FOOTPRINT, runs: int = 0, seed: int = DEFAULT_SEED, real_terms: bool = False,
          baseline: str = "", provenance: Mapping[str, Any] | None = None,
          output_dir: str = "") -> Report:
    """Load, run and (with ``runs`` > 0) simulate a scenario for its report.

    Parameters
    ----------
    scenario, overrides, org, real_terms
        As :func:`ccgmodels.outputs.summaries.open_scenario`.
    runs, seed : int
        Monte Carlo runs [count] (0: none) and their seed; with runs, the tornado too (when
        the scenario has uncertainty ranges).
    baseline : str
        The scenario this one varies (:func:`base_of`).
    provenance : mapping, optional
        ``run_id``, ``commit``, ``dirty``, ``version``, ``date`` for the cover (a batch passes
        them).
    output_dir : str
        Folder for the figures and data files; "" writes nothing.
    """
    from ..models import uncertainty

    opened = summaries.open_scenario(scenario, overrides, org, real_terms)
    s = opened.scenario
    summary = uncertainty.summarise(uncertainty.simulate(s, runs, seed)) if runs > 0 else None
    registers = any(o.risks or o.mitigations for o in s.organisations)
    sensitivity = (uncertainty.tornado(s, org) if runs > 0 and (s.uncertainty or registers)
                   else None)
    return Report(s, opened.shown, opened.results, org, runs, seed, base_of(
        scenario, overrides, baseline), summary, sensitivity, dict(provenance or {}),
        output_dir, real_terms)
