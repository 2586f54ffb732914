"""Scenarios compared like with like: the data of a batch's ``compare.html`` and
``compare.xlsx`` (the page itself is :mod:`ccgmodels.batch.pages`).

Scenarios are compared only with scenarios of the same organisations over the same years (a
single CCG is never set against a footprint of two). In each such group the baseline is the
scenario asked for (``--baseline``), else the one the others ``extends:``, else the first; a
group's comparison holds each scenario's key figures, their differences from the baseline, and
a variance bridge from the baseline's end-year do-something position to each scenario's, one
step per group of assumptions that changed (:mod:`ccgmodels.outputs.variance`), with its
residual. Money in £k; surplus positive, deficits negative.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..inputs.vocab import FOOTPRINT, era_of
from ..models.results import read_tidy
from . import labels
from .summaries import KEY_FIGURES, PROB, key_figures, key_heading

#: key figures of the comparison page, in order [£k]
KEY_MEASURES = tuple(KEY_FIGURES)
PROB_HEADING = "Chance do something is at least break-even, end year"


@dataclass
class Entry:
    """One complete report, read back."""

    name: str
    title: str
    extends: str | None
    figures: dict
    by_year: pd.Series  # do-something surplus of the footprint by year [£k]
    orgs: tuple[str, ...]
    kinds: tuple[str, ...]
    years: tuple[str, str]
    assumptions: dict | None  # the manifest's resolved assumptions, when readable


def entry_era(e: Entry) -> str:
    """The era of an entry's scenario: stated in its recorded assumptions, else its base
    year's (:func:`ccgmodels.inputs.vocab.era_of`)."""
    return (e.assumptions or {}).get("era") or era_of(e.years[0])


def group_era(group: list[Entry]) -> str:
    """The era whose words a group's headings use: its entries' when they share one, else the
    2019/20 plans' (``ccg``)."""
    eras = {entry_era(e) for e in group}
    return eras.pop() if len(eras) == 1 else "ccg"


def key_headings(era: str | None = None) -> list[str]:
    """The key figures' headings (:data:`KEY_MEASURES`) in ``era``'s words."""
    return [key_heading(k, era) for k in KEY_MEASURES]


def read_entry(folder: Path, name: str, title: str, extends: str | None) -> Entry:
    """A complete report's folder read back: its key figures, do-something position by year,
    organisations and recorded assumptions.

    Raises
    ------
    OSError, ValueError, KeyError, pandas.errors.ParserError
        If its results cannot be read.
    """
    res = read_tidy(folder / "results.csv")
    unc = folder / "uncertainty.csv"
    figures = key_figures(res, FOOTPRINT, read_tidy(unc) if unc.is_file() else None)
    sel = res[(res["org"] == FOOTPRINT) & (res["measure"] == "do_something_surplus")]
    orgs = res[res["org"] != FOOTPRINT].groupby("org", sort=True)["kind"].first()
    return Entry(name, title, extends, figures, sel.groupby("year")["value"].sum(),
                 tuple(orgs.index), tuple(orgs.to_list()),
                 (figures["base_year"], figures["end_year"]), _assumptions(folder))


def _assumptions(folder: Path) -> dict | None:
    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    a = m.get("assumptions") if isinstance(m, dict) else None
    return a if isinstance(a, dict) else None


def groups(found: list[Entry]) -> list[list[Entry]]:
    """Entries of the same organisations and years, in first-seen order."""
    out: dict[tuple, list[Entry]] = {}
    for e in found:
        out.setdefault((e.orgs, e.years), []).append(e)
    return list(out.values())


def group_name(group: list[Entry]) -> str:
    """What a group compares: the footprint of its organisations, by name where known."""
    e, era = group[0], group_era(group)
    counts = Counter(e.kinds)
    kinds = ", ".join(f"{n} {labels.kind_name(k, n, era)}" for k, n in counts.items())
    names = {}
    for g in group:
        for o in (g.assumptions or {}).get("organisations", []):
            if isinstance(o, dict) and o.get("id") in e.orgs:
                names.setdefault(o["id"], str(o.get("name") or o["id"]))
    who = ", ".join(names.get(o, labels.humanise(o)) for o in e.orgs)
    return f"{labels.term('footprint', era)} ({kinds}): {who}, {e.years[0]} to {e.years[1]}"


def baseline_of(group: list[Entry], asked: str | None) -> tuple[Entry, str]:
    """The baseline of a group and why it was chosen."""
    by_name = {e.name: e for e in group}
    if asked in by_name:
        return by_name[asked], "as asked"
    extended = Counter(e.extends for e in group if e.extends in by_name)
    if extended:
        name = extended.most_common(1)[0][0]
        how = "the scenario the others extend"
    else:
        name, how = group[0].name, "the first scenario in order"
    if asked is not None:
        how += f" (asked-for baseline {asked} is not in this group or has no complete report)"
    return by_name[name], how


def key_table(group: list[Entry]) -> pd.DataFrame:
    """Key figures of a group's scenarios [£k; the chance of balance as a fraction]."""
    rows = {e.name: {**{k: e.figures.get(k) for k in KEY_MEASURES},
                     PROB: e.figures.get(PROB), "title": e.title,
                     "years": f"{e.years[0]} to {e.years[1]}"} for e in group}
    return pd.DataFrame.from_dict(rows, orient="index")


def bridges(group: list[Entry], base: Entry) -> tuple[pd.DataFrame | None, list[str]]:
    """The variance bridge of every other scenario of ``group`` from ``base``: steps down,
    scenarios across [£k]; notes where a bridge cannot be made."""
    from ..inputs.scenario import Scenario
    from . import variance

    cols, notes = {}, []
    if base.assumptions is None:
        return None, [f"{base.name}: its manifest has no assumptions, so no variance bridge"]
    try:
        b = Scenario.model_validate(base.assumptions)
    except ValueError as exc:
        return None, [f"{base.name}: its recorded assumptions do not validate ({exc})"]
    for e in group:
        if e is base:
            continue
        if e.assumptions is None:
            notes.append(f"{e.name}: its manifest has no assumptions, so no variance bridge")
            continue
        key = json.dumps([base.assumptions, e.assumptions], sort_keys=True, default=str)
        steps = _BRIDGES.get(key)
        if steps is None:
            try:
                steps = variance.bridge(b, Scenario.model_validate(e.assumptions), FOOTPRINT)
            except ValueError as exc:  # NotComparable, or an intermediate case that is invalid
                notes.append(f"{e.name}: no variance bridge ({exc})")
                continue
            if len(_BRIDGES) >= MAX_BRIDGES_KEPT:
                _BRIDGES.clear()
            _BRIDGES[key] = steps
        cols[e.name] = steps.set_index("step")["value"]
    return (pd.DataFrame(cols) if cols else None), notes


#: the variance bridges made in this process, by their two scenarios' assumptions: a batch
#: compares as its reports arrive and again at its end, and re-runs only what is new
_BRIDGES: dict[str, pd.DataFrame] = {}
#: bridges kept at most [count]
MAX_BRIDGES_KEPT = 512


@dataclass
class GroupComparison:
    """One group of scenarios of the same organisations and years, compared with its
    baseline."""

    name: str  # what the group compares (:func:`group_name`)
    base: str  # the baseline scenario
    how: str  # why that baseline was chosen
    table: pd.DataFrame  # key figures by scenario [£k; the chance of balance a fraction]
    diff: pd.DataFrame  # the same, minus the baseline's
    steps: pd.DataFrame | None  # variance bridges: steps down, scenarios across [£k]
    by_year: pd.DataFrame  # do-something surplus of the footprint, scenarios by year [£k]
    notes: list[str]  # where a bridge could not be made
    end_year: str  # the baseline's end year
    era: str = "ccg"  # whose words its headings use (:func:`group_era`)


def compare_group(group: list[Entry], asked: str | None) -> GroupComparison:
    """The comparison of ``group`` with its baseline (:func:`baseline_of`)."""
    base, how = baseline_of(group, asked)
    table = key_table(group)
    numeric = [*KEY_MEASURES, PROB]
    diff = table.copy()
    diff[numeric] = (table[numeric].astype(float)
                     - table.loc[base.name, numeric].astype(float))
    steps, notes = bridges(group, base)
    by_year = pd.DataFrame({e.name: e.by_year for e in group}).T.sort_index(axis=1)
    return GroupComparison(group_name(group), base.name, how, table, diff, steps, by_year,
                           notes, base.years[1], group_era(group))


def compare_frames(compared: list[GroupComparison]) -> dict[str, pd.DataFrame]:
    """The sheets of ``compare.xlsx``: key measures, differences, variance bridges and the
    do-something position by year, one row per scenario (or step) and group [£k]."""
    eras = {s.era for s in compared}
    heads = dict(zip(KEY_MEASURES, key_headings(eras.pop() if len(eras) == 1 else "ccg"),
                     strict=True))
    key, diff, steps, years = [], [], [], []
    for s in compared:
        for frame, into in ((s.table, key), (s.diff, diff)):
            f = frame.rename(columns={**heads, PROB: PROB_HEADING, "title": "Title",
                                      "years": "Years"})
            f.insert(0, "Scenario", f.index)
            f.insert(0, "Comparison", s.name)
            f.insert(2, "Baseline", s.base)
            into.append(f.reset_index(drop=True))
        if s.steps is not None:
            f = s.steps.copy()
            if s.era == "icb":  # the ICB era delivers efficiency, not QIPP
                f = f.rename(index={"QIPP delivery": "Efficiency delivery"})
            f.insert(0, "Step", f.index)
            f.insert(0, "Comparison", s.name)
            steps.append(f.reset_index(drop=True))
        f = s.by_year.copy()
        f.insert(0, "Scenario", f.index)
        f.insert(0, "Comparison", s.name)
        years.append(f.reset_index(drop=True))
    out_frames = {}
    for name, parts in (("Key measures", key), ("Differences", diff),
                        ("Variance bridge", steps), ("By year", years)):
        if parts:
            out_frames[name] = pd.concat(parts, ignore_index=True)
    return out_frames
