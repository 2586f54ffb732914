"""The report's words written from its numbers: the executive summary, the notes on the STP
summary's empty rows, and the methods.

Every figure in a sentence is read from the results (or the Monte Carlo summary, or the
tornado table) passed in; nothing is typed. Money in £k, written as plans print it (deficits in
brackets in tables; in sentences "a deficit of £8,909k"). Sign: surplus positive, deficit
negative.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..inputs.scenario import Scenario
from ..inputs.vocab import COMMISSIONER_KINDS, FOOTPRINT
from ..models import measures as catalogue
from . import labels, summaries
from .tables import money


def pounds(value: float) -> str:
    """``value`` [£k] in a sentence: ``£8,909k``, no sign (the words carry it)."""
    return f"£{money(abs(value))}k"


#: materiality of a position: a surplus/(deficit) smaller than this share of the allocation,
#: and never more than :data:`MATERIALITY_CAP` [£k], is break-even in words (a rounding or
#: timing residual is not a result)
MATERIALITY_SHARE = 0.001
MATERIALITY_CAP = 500.0


def materiality(results: pd.DataFrame, org: str) -> float:
    """The size below which a surplus/(deficit) of ``org`` is break-even in the report's words
    [£k]: 0.1% of its base-year allocation, at most £500k (£500k when it has no allocation);
    never below the rounding of £0.5k."""
    alloc = _series(results, org, "allocation", "total")
    if not len(alloc) or alloc.iloc[0] <= 0:
        return MATERIALITY_CAP
    return max(min(MATERIALITY_SHARE * float(alloc.iloc[0]), MATERIALITY_CAP), 0.5)


def materiality_sentence(tolerance: float) -> str:
    """The materiality rule, stated once where the summary first applies it."""
    return (f"A position within {pounds(tolerance)} of zero is called break-even: 0.1% of the "
            "base-year allocation, at most £500k, is the materiality of this report's words "
            "(the tables print every figure as it is).")


def position(value: float, tolerance: float = 0.5) -> str:
    """A surplus/(deficit) [£k] in words: ``a deficit of £8,909k``, ``a surplus of £622k`` or
    ``break-even`` when smaller than ``tolerance`` [£k] either way (:func:`materiality`)."""
    if abs(value) < tolerance or round(value) == 0:
        return "break-even"
    return f"a {'surplus' if value > 0 else 'deficit'} of {pounds(value)}"


def _series(results: pd.DataFrame, org: str, measure: str, item: str = "") -> pd.Series:
    sel = results[(results["org"] == org) & (results["measure"] == measure)
                  & (results["item"].fillna("") == item)]
    return sel.groupby("year")["value"].sum().sort_index()


def _lower(text: str) -> str:
    """``text`` inside a sentence: its first letter lower-cased unless it starts an acronym."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _join(parts: Sequence[str]) -> str:
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def subject(scenario: Scenario, org: str) -> str:
    """``org`` as the subject of a sentence: an organisation's name, or the footprint with the
    organisations it holds."""
    if org != FOOTPRINT:
        return labels.org_name(scenario, org)
    names = [o.name for o in labels.modelled(scenario)]
    return (names[0] if len(names) == 1
            else f"{labels.term('the_footprint', scenario.era)} of {_join(names)}")


def executive_summary(results: pd.DataFrame, scenario: Scenario, org: str = FOOTPRINT,
                      summary: pd.DataFrame | None = None,
                      tornado: pd.DataFrame | None = None, runs: int = 0) -> list[str]:
    """The executive summary of ``org`` as plain-English sentences, every figure from the
    inputs.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results [£k].
    summary : pandas.DataFrame, optional
        :func:`ccgmodels.models.uncertainty.summarise` output: adds the probability of balance
        and the 5th-95th percentile range of the end-year position.
    tornado : pandas.DataFrame, optional
        :func:`ccgmodels.models.uncertainty.tornado` output: adds the three assumptions that
        move the end-year position most.

    Returns
    -------
    list of str
        The do-nothing gap by the end year and cumulatively; what closes it (the largest
        solutions); the requirement left; the year of balance; the probability of balance; the
        assumptions that matter most.
    """
    name, era = subject(scenario, org), scenario.era
    tol = materiality(results, org)

    def pos(value: float) -> str:
        return position(value, tol)

    years = summaries.years_of(results, org)
    base, end = years[0], years[-1]
    dn = _series(results, org, "do_nothing_surplus")
    ds = _series(results, org, "do_something_surplus")
    dn_cum = float(dn.sum())
    out = [f"If nothing changes, {name} moves from {pos(dn[base])} in {base} to "
           f"{pos(dn[end])} in {end}; over the {len(years)} years to {end} that adds up "
           f"to {pos(dn_cum)}."]
    sol = results[(results["org"] == org) & (results["measure"] == "solutions")
                  & (results["year"] == end) & (results["item"] != "total")]
    sol = sol.groupby("item")["value"].sum()
    total = float(sol.sum())
    if abs(total) >= 0.5:
        top = sol[sol.abs() >= 0.5].sort_values(ascending=False, key=abs).head(3)
        parts = [f"{_lower(labels.label(i, 'solutions', era))} {pounds(v)}"
                 + (" (a cost)" if v < 0 else "") for i, v in top.items()]
        gap = -float(dn[end]) if dn[end] < 0 else 0.0
        share = (f" close {min(total / gap, 9.99):.0%} of the do-nothing gap" if gap > 0
                 else " add to the position")
        out.append(f"Solutions worth {pounds(total)} in {end}{share}; the largest are "
                   f"{_join(parts)}.")
    else:
        out.append(f"The scenario has no solutions in {end}: do something equals do nothing.")
    control = _series(results, org, "control_total")
    target = float(control.get(end, 0.0)) if len(control) else 0.0
    left = target - float(ds[end])
    goal = ("break-even" if round(target) == 0
            else f"its {labels.term('control_total', era)} of {pounds(target)}")
    if left > 0.5:
        out.append(f"After solutions, {name} is at {pos(ds[end])} in {end}: a further "
                   f"{pounds(left)} a year is still needed to reach {goal}, and the cumulative "
                   f"position by {end} is {pos(ds.sum())}.")
    else:
        at = ("breaks even" if pos(ds[end]) == "break-even" and goal == "break-even"
              else f"is at {pos(ds[end])}, meeting {goal},")
        out.append(f"After solutions, {name} {at} in {end}; the cumulative position by {end} "
                   f"is {pos(ds.sum())}.")
    out.append(balance_sentence(ds, tol))
    out.append(materiality_sentence(tol))
    risked = risk_sentence(results, org, end)
    if risked:
        out.append(risked)
    identified = identified_sentence(results, org, era)
    if identified:
        out.append(identified)
    if org == FOOTPRINT:
        scope = scope_sentence(scenario)
        if scope:
            out.append(scope)
    if summary is not None:
        out += _uncertainty_sentences(summary, org, end, runs, tol)
    if tornado is not None and len(tornado):
        top = tornado.head(3)
        parts = [f"{labels.assumption_name(scenario, r.assumption)}, from {pos(r.value_low)} "
                 f"at its low to {pos(r.value_high)} at its high" for r in top.itertuples()]
        many = {1: "one assumption", 2: "two assumptions", 3: "three assumptions"}[len(top)]
        what = ("risk-adjusted position" if tornado.attrs.get("measure")
                == "risk_adjusted_surplus" else "do-something position")
        out.append(f"The {many} that move the {end} {what} most: {'; '.join(parts)}.")
    return out


def risk_sentence(results: pd.DataFrame, org: str, year: str) -> str:
    """The ``year`` risk-adjusted position of ``org`` and what makes it [£k]; "" without a
    risk register."""
    adjusted = _series(results, org, "risk_adjusted_surplus")
    if year not in adjusted:
        return ""
    net = _series(results, org, "risk_register", "net_risk")
    mit = _series(results, org, "risk_register", "mitigations")
    whose = "the risk registers of its bodies" if org == FOOTPRINT else "its risk register"
    held = mit.get(year, 0.0)
    back = (f" and the expected value of its mitigations ({pounds(held)}) added back"
            if round(held) else ", with no mitigation held that year")
    return (f"Against {whose}, the {year} position is {position(adjusted[year])} "
            f"once the expected cost of its risks ({pounds(net.get(year, 0.0))}) is taken "
            f"off{back}: the risk-adjusted position.")


def identified_sentence(results: pd.DataFrame, org: str, era: str | None = None) -> str:
    """How much of each year's QIPP (ICB era: efficiency) requirement someone has identified
    [£k, %], and what is still to find: counted as a shortfall in the plan, never as a
    saving."""
    target = _series(results, org, "qipp", "target")
    identified = _series(results, org, "qipp", "identified")
    if not len(target) or (target.abs() < 0.5).all():
        return ""
    parts = []
    for year, need in target.items():
        if need < 0.5:
            parts.append(f"{year} none needed")
            continue
        got = float(identified.get(year, 0.0))
        parts.append(f"{year} {min(got / need, 9.99):.0%} ({pounds(got)} of {pounds(need)})")
    end = target.index[-1]
    left = max(float(target[end]) - float(identified.get(end, 0.0)), 0.0)
    text = (f"Identified schemes cover this share of each year's "
            f"{labels.term('qipp', era)} requirement: {_join(parts)}.")
    if left >= 0.5:
        text += (f" The {pounds(left)} still to find in {end} is a shortfall in the plan, not "
                 "a saving: no planning rule is met on it.")
    return text


def scope_sentence(scenario: Scenario) -> str:
    """Which share of each organisation the system counts: '' when every one is in full."""
    parts = []
    for o in scenario.organisations:
        share = getattr(o, "consolidation", 1.0)
        if share != 1.0:
            extra = (" (the Better Care Fund pooled with it in full)"
                     if getattr(o, "bcf_from", None) else "")
            parts.append(f"{labels.org_name(scenario, o.id)} at {share:.2%} of its own income, "
                         f"costs and savings{extra}")
    if not parts:
        return ""
    return ("The system counts each organisation at the share of it that belongs to "
            f"{labels.term('the_footprint', scenario.era)}: {_join(parts)}; every other "
            "organisation in full.")


def balance_sentence(surplus: pd.Series, tolerance: float = 0.5) -> str:
    """Whether the do-something position [£k] is in balance (at least break-even, within
    ``tolerance`` [£k]) in each year of the horizon, every year said: runs of years in the
    same state, in order."""
    years = list(surplus.index)
    ok = [bool(v >= -tolerance) for v in surplus]
    start, end = years[0], years[-1]
    if all(ok):
        return f"The do-something position is in balance in every year from {start} to {end}."
    deficits = float(surplus[[not b for b in ok]].sum())
    if not any(ok):
        return (f"The do-something position is in deficit in every year from {start} to {end}, "
                f"the deficits adding up to {pounds(deficits)}.")
    runs: list[tuple[bool, list[str]]] = []
    for y, b in zip(years, ok, strict=True):
        if runs and runs[-1][0] == b:
            runs[-1][1].append(y)
        else:
            runs.append((b, [y]))
    seen: set[bool] = set()
    parts = []
    for b, ys in runs:
        when = f"in {ys[0]}" if len(ys) == 1 else f"from {ys[0]} to {ys[-1]}"
        again = " again" if b in seen else ""
        parts.append(f"{'in balance' if b else 'in deficit'}{again} {when}")
        seen.add(b)
    return (f"The do-something position is {_join(parts)}; the deficits add up to "
            f"{pounds(deficits)}.")


def _uncertainty_sentences(summary: pd.DataFrame, org: str, year: str, runs: int = 0,
                           tolerance: float = 0.5) -> list[str]:
    sel = summary[(summary["org"] == org) & (summary["measure"] == "do_something_surplus")
                  & (summary["year"] == year) & (summary["item"].fillna("") == "")]
    stat = sel.set_index("stat")["value"]
    if summaries.PROB not in stat:
        return []
    runs_text = f"{runs:,} Monte Carlo runs" if runs else "the Monte Carlo runs"
    risked = summary[(summary["org"] == org) & (summary["measure"] == "risk_adjusted_surplus")
                     & (summary["year"] == year) & (summary["stat"] == summaries.PROB)]
    also = (f" With the risk register drawn as well, the chance that the {year} risk-adjusted "
            f"position is at least break-even is {float(risked['value'].iloc[0]):.0%}."
            if len(risked) else "")
    text = (f"Across {runs_text}, the chance that the {year} do-something position is at least "
            f"break-even is {stat[summaries.PROB]:.0%}")
    if {"p5", "p95"} <= set(stat.index):
        if round(stat["p5"]) == round(stat["p95"]):  # nothing uncertain moves this figure
            text += (f"; every run gives {position(stat['p5'], tolerance)}, as no uncertain "
                     "assumption of the scenario moves it")
        else:
            text += (f"; nine runs in ten fall between {position(stat['p5'], tolerance)} and "
                     f"{position(stat['p95'], tolerance)}")
    return [text + "." + also]


def stp_notes(table: pd.DataFrame, scenario: Scenario) -> dict[str, str]:
    """Why each all-zero row of an STP summary (:func:`summaries.stp_summary`) is zero:
    row label -> note."""
    kinds = {o.kind for o in scenario.organisations}
    rows = dict(zip(summaries.STP_ROWS, summaries.stp_rows(scenario.era), strict=True))
    why = {
        rows["Provider Surplus / (Deficit)"]: "No NHS provider is modelled in this scenario, "
        "so the provider row is empty (the documents give no provider finances for it).",
        rows["Social Care Surplus / (Deficit)"]: "No council's social care is modelled in this "
        "scenario, so the social care row is empty.",
        rows["Indicative STF Allocation"]: f"No {labels.term('stf_long', scenario.era)} is "
        "assumed in this year.",
        rows["Commissioner Surplus / (Deficit)"]: "No commissioner is modelled in this "
        "scenario.",
    }
    present = {rows["Provider Surplus / (Deficit)"]: "provider" in kinds,
               rows["Social Care Surplus / (Deficit)"]: "social_care" in kinds,
               rows["Commissioner Surplus / (Deficit)"]: any(k in kinds
                                                             for k in COMMISSIONER_KINDS)}
    out = {}
    for row, values in table.iterrows():
        if (values.abs() >= 0.5).any():
            continue
        if present.get(row, False):
            out[row] = "The organisations of this kind break even in every column this year."
        elif row in why:
            out[row] = why[row]
        else:
            out[row] = "Every line that adds up to this row is zero this year."
    return out


#: the definitions printed at the end of every report, from their one source
def methods(era: str | None = None) -> list[tuple[str, str]]:
    """``(term, definition)`` pairs for the methods section, in ``era``'s words."""
    m = catalogue.MEASURES
    qipp, control, stf = (labels.term(k, era) for k in ("qipp", "control_total", "stf"))
    items = {i: labels.label(i, "solutions", era) for i in labels.MEASURE_ITEMS["solutions"]}
    do_nothing = catalogue.DO_NOTHING.replace("QIPP", qipp)
    return [
        ("Do nothing", f"{do_nothing[:1].upper()}{do_nothing[1:]}."),
        ("Solutions", f"{m['solutions'].definition}: "
                      + ", ".join(n.lower() if not n[1].isupper() else n
                                  for i, n in items.items() if i != "total")
                      + ". Schemes count at their delivery probability; the contingency is "
                        f"released once, up to the {qipp} slippage."),
        ("Do something", f"{m['do_something_surplus'].definition}: do nothing plus "
                         "solutions."),
        ("Requirement", f"What must be saved each year to reach the {control}: the {control} "
                        "less the do-nothing position, where that is positive (zero "
                        f"otherwise); break-even when no {control} is stated."),
        ("Underlying position", f"{m['underlying_surplus'].definition}: the do-something "
                                f"position without {stf}, the contingency release and one-off "
                                "scheme savings."),
        ("Risk-adjusted saving", "A scheme's net saving times the probability that a scheme of "
                                 "its status is delivered."),
        ("Sign convention", "Money in £k (thousands of pounds) in cash unless a table says "
                            "base-year prices; surplus positive, deficits negative and shown "
                            "in brackets, as NHS plans print Surplus/(Deficit); savings are "
                            "positive numbers that reduce expenditure."),
        ("Package default", "An assumption the scenario file leaves out, so the model's own "
                            "default applies (each default is described in the scenario "
                            "schema); the assumptions register marks it Default."),
        ("ASSUMPTION", "A figure the planning documents do not give, chosen and explained in "
                       "the scenario file's sources; What-if marks a figure a what-if scenario "
                       "changes from the scenario it extends."),
        ("Probability of balance", "The share of Monte Carlo runs in which the do-something "
                                   "position is at least break-even; each run draws every "
                                   "uncertain assumption from its range."),
    ]


def scheme_register_intro(scenario: Scenario) -> str:
    """What the scheme register holds and how it ties to the QIPP (ICB era: efficiency) table,
    in ``scenario``'s words."""
    q, base = labels.term("QIPP", scenario.era), scenario.base_year
    return (f"Each scheme's full-year saving at base-year ({base}) values, before growth: the "
            "risk-adjusted saving is the net saving times the delivery probability of its "
            "status. Schemes are grouped by status with a subtotal each; the total in the plan "
            f"is what the {q} table counts as identified, and the pipeline, outside the plan, "
            f"has its own subtotal and is never added to it. The {q} table counts what the "
            f"plan's schemes save in each year (nothing before a scheme starts, part of its "
            "first year, grown with its expenditure line after that), so the table below takes "
            f"the register's total to the {q} table's {base} figures; the difference is zero.")
