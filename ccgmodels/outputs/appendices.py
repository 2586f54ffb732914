"""The report's sections of registers and plans: the scheme register, the trusts' and
councils' efficiency plans, the contract triangulation, the workforce, the risk-adjusted plan,
the assumptions register and the sources (most of them appendices of the board paper,
:data:`ccgmodels.outputs.report.SECTIONS`).

:class:`Registers` is a part of :class:`ccgmodels.outputs.report.Report` (its base class): its
methods read the report's scenario, results and book, and each returns one section as
:class:`~ccgmodels.outputs.document.Html` ("" when it has nothing to show).
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from ..inputs import documents
from ..inputs.vocab import FOOTPRINT
from . import document as doc
from . import labels, narrative, plans, register, riskplan, tables
from . import triangulation as contracts
from .document import Html


class Registers:
    """The register and plan sections of a :class:`~ccgmodels.outputs.report.Report`."""

    @cached_property
    def _assumptions_register(self) -> pd.DataFrame:
        """The assumptions register, made once for the appendix and the Excel pack (a copy
        each: :meth:`assumptions_frame`)."""
        return register.assumptions_register(self.scenario, self.base)

    def assumptions_frame(self) -> pd.DataFrame:
        """The assumptions register (:func:`ccgmodels.outputs.register.assumptions_register`)."""
        return self._assumptions_register.copy()

    @cached_property
    def _scheme_register(self) -> pd.DataFrame:
        return register.scheme_register(self.scenario)

    def scheme_frame(self) -> pd.DataFrame:
        """The scheme register (:func:`ccgmodels.outputs.register.scheme_register`), made once
        for the QIPP section, its appendix and the Excel pack (a copy each)."""
        return self._scheme_register.copy()

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

    def schemes(self) -> Html:
        """The scheme register (an appendix): each scheme's full-year saving."""
        schemes = self.scheme_frame()
        if self.org != FOOTPRINT:
            schemes = schemes[schemes["Organisation"] == self.name]
        if not len(schemes):
            return Html("")
        key = tables.table_key("QIPP", self.era)
        ties = [doc.table(register.scheme_reconciliation(self.scenario, self.results, o.id),
                          caption=f"From the register to the {key} table: {o.name}",
                          totals=("Difference",)) for o in self.scenario.organisations
                if o.name in set(schemes["Organisation"])]
        return doc.section(labels.term("scheme_register", self.era),
                           doc.scheme_table(schemes, self.era), *ties,
                           intro=narrative.scheme_register_intro(self.scenario))

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

    def assumptions(self) -> Html:
        reg = self.assumptions_frame()
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


def wf_tolerance() -> float:
    """How far a base-year pay bill may be from the pay cost [fraction]
    (:data:`ccgmodels.models.workforce.TOLERANCE`)."""
    from ..models.workforce import TOLERANCE

    return TOLERANCE
