"""The board report of one scenario, section by section: what the report notebook displays.

:func:`build` loads and runs the scenario (and its Monte Carlo and tornado when ``runs`` > 0),
finds the scenario it varies (for the what-if marks of the assumptions register) and returns a
:class:`Report` whose methods each give one section as :class:`~ccgmodels.outputs.document.Html`.

The report is shaped as a board paper: page one (:meth:`Report.front`) carries the title block
and the answer (the gap, the plan, the risk in four figures, one chart and the executive
summary); the body (:meth:`Report.body`) is what a board reads; the appendices
(:meth:`Report.appendices`), each starting a page and lettered A, B, ... in order, hold the
registers, the methods and the sources. :data:`SECTIONS` declares the order: a new section is
a method of :class:`Report` and one :class:`Part` in that list, ``appendix=True`` to put it at
the end. A section with nothing to show returns "" and takes no letter. Money in £k; surplus
positive, deficits in brackets.
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
from .appendices import Registers
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


@dataclass(frozen=True)
class Part:
    """One section of the report: the :class:`Report` method that makes it (it takes no
    argument and returns :class:`~ccgmodels.outputs.document.Html`, "" when it has nothing to
    show), and whether it is an appendix (after the body, on a page of its own, lettered in
    the order of :data:`SECTIONS`; it must be made by :func:`document.section`)."""

    method: str
    appendix: bool = False


#: the sections after page one, in order: the body a board reads, then the appendices
SECTIONS: tuple[Part, ...] = (
    Part("key_figures"),
    Part("position"),
    Part("stp"),
    Part("system"),
    Part("bodies"),
    Part("qipp"),
    Part("risk_adjusted_plan"),
    Part("bridge"),
    Part("activity"),
    Part("uncertainty"),
    Part("schemes", appendix=True),
    Part("efficiency", appendix=True),
    Part("triangulation", appendix=True),
    Part("workforce", appendix=True),
    Part("assumptions", appendix=True),
    Part("methods", appendix=True),
    Part("sources", appendix=True),
)
CONVENTIONS = ("Money in £k (thousands of pounds); surplus positive, deficits in brackets, as "
               "NHS plans print Surplus/(Deficit).")


@dataclass
class Report(Registers):
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
        """The run's facts for the methods appendix and the Excel pack's cover sheet."""
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

    def front(self) -> Html:
        """Page one: the title block and the answer: the end year's gap (do nothing), plan
        (solutions), position after the plan (do something) and risk (the chance of balance
        and its range over the Monte Carlo runs; without runs, the savings still to identify,
        else the underlying position), the do-nothing and do-something chart, and the
        executive summary."""
        s, p = self.scenario, self.provenance
        h = summaries.key_figures(self.results, self.org, self.summary)
        end = h["end_year"]
        prices = f"{s.base_year} prices" if self.real_terms else "cash"
        runs = (f"{self.runs:,} Monte Carlo runs" if self.runs else "no Monte Carlo runs")
        meta = (f"Figures for {self.name}; {s.base_year} to {s.end_year}; £k, {prices}; "
                f"{runs}; prepared {p.get('date') or date.today().isoformat()} with ccgmodels "
                f"{p.get('version') or _version()}. Surplus positive, deficits in brackets.")
        tiles = [_tile("The gap", h["do_nothing"], f"do nothing surplus/(deficit) in {end}"),
                 _tile("The plan", h["solutions"], f"solutions in {end}", sign=False)]
        cum = h.get("do_something_cumulative")
        tiles.append(_tile("After the plan", h["do_something"],
                           f"do something surplus/(deficit) in {end}"
                           + (f"; {tables.money(cum)} over the {len(s.years)} years"
                              if cum is not None else "")))
        tiles.append(self._risk_tile(end))
        chart = self._figure(plotting.do_nothing_vs_something(self.results, self.org,
                                                              self.name),
                             "do_nothing_vs_something")
        text = narrative.executive_summary(self.results, s, self.org, self.summary,
                                           self.sensitivity, self.runs)
        # the summary follows the front block, not inside it: nested, Chromium moved the whole
        # block to a second page
        return Html(doc.front(s.title, s.description or "", meta,
                              [t for t in tiles if t is not None], chart)
                    + doc.section("Executive summary", doc.paragraphs(text, "summary")))

    def _risk_tile(self, end: str) -> tuple[str, str, str, str] | None:
        """The risk on page one: the chance of balance in ``end`` and the 5th to 95th
        percentile of the do-something position; without Monte Carlo runs, the savings
        still to identify in ``end``, else the underlying position."""
        if self.summary is not None:
            u = self.summary
            prob = summaries.value_at(u[u["stat"] == summaries.PROB], self.org,
                                      "do_something_surplus", "", end)
            lo, hi = (summaries.value_at(u[u["stat"] == q], self.org, "do_something_surplus",
                                         "", end) for q in ("p5", "p95"))
            if prob is not None:
                spread = (f"; 90% of runs between {tables.money(lo)} and {tables.money(hi)}"
                          if lo is not None and hi is not None else "")
                return ("The risk", f"{prob:.0%}",
                        f"chance of at least break-even in {end}{spread} (£k)",
                        "neg" if prob < 0.5 else "")
        gap = summaries.value_at(self.results, self.org, "qipp", "unidentified", end)
        if gap is not None and abs(gap) >= 0.5:
            return _tile("The risk", gap, f"{labels.term('qipp', self.era)} still to "
                         f"identify in {end}", sign=False, css="neg")
        under = summaries.value_at(self.results, self.org, "underlying_surplus", "", end)
        if under is None:
            return None
        return _tile("The risk", under, f"underlying (recurrent) surplus/(deficit) in {end}, "
                     "without non-recurrent support")

    def executive_summary(self) -> Html:
        """The executive summary on its own (page one carries it: :meth:`front`)."""
        text = narrative.executive_summary(self.results, self.scenario, self.org, self.summary,
                                           self.sensitivity, self.runs)
        return doc.section("Executive summary", doc.paragraphs(text, "summary"))

    # --- the report as a board paper: page one, the body, the appendices ---------------------

    def body(self) -> Html:
        """The sections of :data:`SECTIONS` that are not appendices, in order."""
        return Html("".join(getattr(self, part.method)() for part in SECTIONS
                            if not part.appendix))

    def appendices(self) -> Html:
        """The appendices of :data:`SECTIONS`, in order, each on a page of its own and
        lettered A, B, ... (a section with nothing to show takes no letter)."""
        out, letters = [], iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for part in SECTIONS:
            if part.appendix:
                html = getattr(self, part.method)()
                if html:
                    out.append(doc.appendix(html, next(letters)))
        return Html("".join(out))

    def document(self) -> Html:
        """The whole report: page one, the body and the appendices."""
        return Html(self.front() + self.body() + self.appendices())

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
        # the do-nothing and do-something chart is on page one; the Excel pack has the Headline
        parts = []
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
        return Html("".join(parts))

    def qipp(self) -> Html:
        book, key = self.book, tables.table_key("QIPP", self.era)
        parts = []
        if key in book:
            parts += [doc.report_table(book[key]),
                      self._figure(plotting.qipp_by(self.results, self.org, "status",
                                                    name=self.name, era=self.era),
                                     "qipp_by_status")]
        if not parts:
            return Html("")
        where = ("The scheme register, scheme by scheme, is in an appendix."
                 if len(self.scheme_frame()) else None)
        return doc.section(labels.term("QIPP", self.era), *parts, intro=where)

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

    def methods(self) -> Html:
        """The methods and definitions, and the run's facts (an appendix)."""
        return doc.section("Methods and definitions", doc.definitions(narrative.methods(self.era)),
                           doc.paragraphs([
                               "The tables of this report, the assumptions and scheme "
                               "registers and every result are in the Excel pack "
                               "(report.xlsx) beside it, with the results as results.csv."]),
                           doc.section("This run", doc.definitions(
                               [*self.facts(), ("Conventions", CONVENTIONS)], css="facts"),
                               level=3))

    def checked_text(self) -> str:
        """Rounded base-year headline figures, compared by the notebook tests."""
        return tables.headline_text(self.results, self.org, self.scenario.base_year, self.era)

    def write_files(self) -> list[Path]:
        """``results.csv``, ``uncertainty.csv`` and the Excel pack into ``output_dir``."""
        from .workbook import Pack, write_report_files

        s = self.scenario
        reg = self.assumptions_frame()
        reg["Source"] = reg["Source"].map(documents.expand)  # citations as the report writes them
        pack = Pack(title=s.title, cover=[*self.facts(), ("Conventions", CONVENTIONS)],
                    description=s.description or "",
                    assumptions=reg,
                    schemes=self.scheme_frame(),
                    scheme_subtotals=register.scheme_subtotal_frame(self.scheme_frame(),
                                                                     self.era),
                    efficiency_schemes=plans.efficiency_schemes(s),
                    contracts=contracts.contract_frame(s, self.cash),
                    workforce=contracts.workforce_frame(s, self.cash),
                    risks=riskplan.register_frame(s), sources=pd.DataFrame(
                        [(d.key, d.title, d.publisher, d.date, d.where) for d in self.cited()],
                        columns=["Key", "Title", "Publisher", "Date", "Where to get it"]))
        return write_report_files(self.output_dir, self.cash, self.book, self.summary, pack)


def _tile(head: str, value: float | None, note: str, sign: bool = True, css: str = ""
          ) -> tuple[str, str, str, str] | None:
    """A figure tile of page one: ``value`` [£k] as plans print it, red when it is a deficit
    (``sign``) or ``css`` says so; None without a value."""
    if value is None:
        return None
    if sign and round(value) < 0:
        css = "neg"
    return head, tables.money(value), f"{note} (£k)", css


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
