"""``compare.html`` and ``compare.xlsx``: the complete reports of a batch compared like with
like.

Scenarios are compared only with scenarios of the same organisations over the same years (a
single CCG is never set against a footprint of two). In each such group the baseline is the
scenario asked for (``--baseline``), else the one the others ``extends:``, else the first; the
page shows each scenario's key figures, their differences from the baseline, and a variance
bridge from the baseline's end-year do-something position to each scenario's, one step per
group of assumptions that changed (:mod:`ccgmodels.outputs.variance`), with its residual.
Record text is untrusted and escaped (:mod:`ccgmodels.batch.htmlpage`). Money in £k; surplus
positive, deficits in brackets.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..models.results import read_tidy
from ..outputs import labels
from ..outputs.summaries import KEY_FIGURES, PROB, key_figures
from ..outputs.tables import money
from .htmlpage import ORG, esc, num, page, safe_folder

GOOD = ("ok", "unchanged")
#: key figures of the comparison page, in order [£k]
KEY_MEASURES = tuple(KEY_FIGURES)
PROB_HEADING = "Chance do something is at least break-even, end year"
#: waterfall charts drawn per group, at most
MAX_BRIDGE_CHARTS = 6


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


def entries(out: Path, records: list[dict]) -> tuple[list[Entry], list[str]]:
    """The comparable reports of ``records`` (status ok/unchanged, results readable) and notes
    on those left out."""
    found, notes, seen = [], [], set()
    for r in records:
        rel = safe_folder(out, r.get("report"))
        if r.get("status") not in GOOD or rel is None:
            continue
        name = str(r.get("name"))
        if name in seen:
            notes.append(f"{name}: left out, the name appears twice")
            continue
        folder = Path(out) / rel
        try:
            res = read_tidy(folder / "results.csv")
            unc = folder / "uncertainty.csv"
            figures = key_figures(res, ORG, read_tidy(unc) if unc.is_file() else None)
        except (OSError, ValueError, KeyError, pd.errors.ParserError) as e:
            notes.append(f"{name}: left out, results could not be read ({e})")
            continue
        seen.add(name)
        sel = res[(res["org"] == ORG) & (res["measure"] == "do_something_surplus")]
        orgs = res[res["org"] != ORG].groupby("org", sort=True)["kind"].first()
        found.append(Entry(name, str(r.get("title") or name), r.get("extends"), figures,
                           sel.groupby("year")["value"].sum(), tuple(orgs.index),
                           tuple(orgs.to_list()),
                           (figures["base_year"], figures["end_year"]), _assumptions(folder)))
    return found, notes


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
    e = group[0]
    counts = Counter(e.kinds)
    kinds = ", ".join(f"{n} {labels.KIND_NAMES.get(k, (k, k))[n != 1]}" for k, n in
                      counts.items())
    names = {}
    for g in group:
        for o in (g.assumptions or {}).get("organisations", []):
            if isinstance(o, dict) and o.get("id") in e.orgs:
                names.setdefault(o["id"], str(o.get("name") or o["id"]))
    who = ", ".join(names.get(o, labels.humanise(o)) for o in e.orgs)
    return f"Footprint ({kinds}): {who}, {e.years[0]} to {e.years[1]}"


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
    from ..outputs import variance

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
        try:
            steps = variance.bridge(b, Scenario.model_validate(e.assumptions), ORG)
        except ValueError as exc:  # NotComparable, or an intermediate case that is invalid
            notes.append(f"{e.name}: no variance bridge ({exc})")
            continue
        cols[e.name] = steps.set_index("step")["value"]
    return (pd.DataFrame(cols) if cols else None), notes


def _cells(row: pd.Series, diff: bool) -> str:
    cells = "".join(f'<td class="num">{esc(money(num(row[k])))}</td>' for k in KEY_MEASURES)
    p = num(row[PROB])
    prob = "" if p is None else f"{p * 100:+.0f} pp" if diff else f"{p:.0%}"
    return cells + f'<td class="num">{esc(prob)}</td>'


def _key_html(df: pd.DataFrame, diff: bool = False) -> str:
    heads = ["Scenario", "Years"] + [KEY_FIGURES[k][3] for k in KEY_MEASURES] + [PROB_HEADING]
    th = "".join(f'<th class="num">{h}</th>' if i > 1 else f"<th>{h}</th>"
                 for i, h in enumerate(heads))
    body = "".join(f"<tr><td>{esc(name)}<br><span class=\"small\">{esc(row['title'])}</span>"
                   f"</td><td>{esc(row['years'])}</td>{_cells(row, diff)}</tr>"
                   for name, row in df.iterrows())
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _frame_html(df: pd.DataFrame, first: str) -> str:
    th = f"<th>{esc(first)}</th>" + "".join(f'<th class="num">{esc(c)}</th>'
                                            for c in df.columns)
    body = "".join(f"<tr><td>{esc(i)}</td>" + "".join(
        f'<td class="num">{esc(money(num(v)))}</td>' for v in row) + "</tr>"
        for i, row in df.iterrows())
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _img(fig) -> str:
    from ..outputs.plotting import alt_text, to_png

    data = base64.b64encode(to_png(fig, dpi=100)).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt_text(fig))}">'


def _group_html(group: list[Entry], asked: str | None) -> tuple[str, dict]:
    from ..outputs import plotting

    base, how = baseline_of(group, asked)
    name = group_name(group)
    table = key_table(group)
    numeric = [*KEY_MEASURES, PROB]
    diff = table.copy()
    diff[numeric] = (table[numeric].astype(float)
                     - table.loc[base.name, numeric].astype(float))
    steps, notes = bridges(group, base)
    by_year = pd.DataFrame({e.name: e.by_year for e in group}).T.sort_index(axis=1)
    parts = [f"<h2>{esc(name)}</h2>",
             f"<p>Baseline: <strong>{esc(base.name)}</strong>, {esc(how)}. Every scenario "
             "below models the same organisations over the same years, so each figure "
             "compares like with like.</p>",
             f"<h3>Key measures, {esc(name)} [£k]</h3>", _key_html(table),
             f"<h3>Differences from the baseline scenario, {esc(base.name)} [£k]</h3>",
             "<p>Each figure is the scenario's value minus the baseline's.</p>",
             _key_html(diff, diff=True)]
    if steps is not None:
        end = base.years[1]
        parts += [f"<h3>Variance bridge: do something {esc(end)}, from {esc(base.name)} "
                  "[£k]</h3>",
                  "<p>From the baseline's end-year do-something position to each scenario's: "
                  "each group of assumptions that changed is applied in turn (funding, demand, "
                  "prices, QIPP delivery, solutions, other) and the model re-run; the residual "
                  "is what the steps leave unexplained, zero when they are exact.</p>",
                  _frame_html(steps, "Step")]
        for col in list(steps.columns)[:MAX_BRIDGE_CHARTS]:
            parts.append(_img(plotting.variance_waterfall(
                steps[col], f"Do something {end}, {base.name} to {col}")))
    parts += ["<h3>Do something surplus/(deficit) by year [£k]</h3>",
              _img(plotting.scenarios_by_year(by_year, ORG, name.split(":")[0])),
              _frame_html(by_year, "Scenario")]
    if notes:
        parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    sheets = {"table": table, "diff": diff, "steps": steps, "by_year": by_year,
              "name": name, "base": base.name}
    return "\n".join(parts), sheets


@dataclass
class Comparison:
    """The comparison of a batch: HTML sections and sheet data of every group of two or more
    scenarios, and notes on what was left out."""

    sections: list[str]
    sheets: list[dict]
    notes: list[str]


def compare(out: Path, records: list[dict], baseline: str | None) -> Comparison:
    """Compare the complete reports of ``records`` like with like (see the module
    docstring)."""
    found, notes = entries(out, records)
    sections, sheets, alone = [], [], []
    all_groups = groups(found)
    for group in all_groups:
        if len(group) < 2:
            alone.append(group[0])
            continue
        html, data = _group_html(group, baseline)
        sections.append(html)
        sheets.append(data)
    if alone and found:
        items = "".join(f"<li>{esc(e.name)} ({esc(group_name([e]))})</li>" for e in alone)
        sections.append("<h2>Not compared</h2><p>No other complete report models the same "
                        f"organisations over the same years as these:</p><ul>{items}</ul>")
    return Comparison(sections, sheets, notes)


def compare_html(out: Path, records: list[dict], baseline: str | None, generated: str,
                 comparison: Comparison | None = None) -> str:
    """The ``compare.html`` page as text (see the module docstring)."""
    c = comparison or compare(out, records, baseline)
    sections, notes = c.sections, c.notes
    book = ' · <a href="compare.xlsx">compare.xlsx</a>' if c.sheets else ""
    parts = [f'<p><a href="index.html">All scenarios</a>{book}</p>']
    found = any(sections)
    if not found and not notes:
        parts.append("<p>No scenario has a complete report to compare.</p>")
    elif not any(s.startswith("<h2>Footprint") for s in sections):
        parts.append("<p>No two complete reports model the same organisations over the same "
                     "years: nothing to compare like with like.</p>")
    parts += sections
    if notes:
        parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    return page("Scenario comparison", "\n".join(parts), generated)


def compare_frames(comparison: Comparison) -> dict[str, pd.DataFrame]:
    """The sheets of ``compare.xlsx``: key measures, differences, variance bridges and the
    do-something position by year, one row per scenario (or step) and group [£k]."""
    sheets = comparison.sheets
    heads = {k: KEY_FIGURES[k][3] for k in KEY_MEASURES}
    key, diff, steps, years = [], [], [], []
    for s in sheets:
        for frame, into in ((s["table"], key), (s["diff"], diff)):
            f = frame.rename(columns={**heads, PROB: PROB_HEADING, "title": "Title",
                                      "years": "Years"})
            f.insert(0, "Scenario", f.index)
            f.insert(0, "Comparison", s["name"])
            f.insert(2, "Baseline", s["base"])
            into.append(f.reset_index(drop=True))
        if s["steps"] is not None:
            f = s["steps"].copy()
            f.insert(0, "Step", f.index)
            f.insert(0, "Comparison", s["name"])
            steps.append(f.reset_index(drop=True))
        f = s["by_year"].copy()
        f.insert(0, "Scenario", f.index)
        f.insert(0, "Comparison", s["name"])
        years.append(f.reset_index(drop=True))
    out_frames = {}
    for name, parts in (("Key measures", key), ("Differences", diff),
                        ("Variance bridge", steps), ("By year", years)):
        if parts:
            out_frames[name] = pd.concat(parts, ignore_index=True)
    return out_frames


def write_compare_workbook(out: Path, comparison: Comparison) -> Path | None:
    """Write ``out/compare.xlsx`` (atomically); None, and any old one of ours removed, when
    nothing is compared."""
    from ..outputs.workbook import write_frames
    from .outdir import write_atomic

    path = Path(out) / "compare.xlsx"
    frames = compare_frames(comparison)
    if not frames:
        if path.is_file() and not path.is_symlink():
            path.unlink()
        return None
    return write_atomic(path, lambda tmp: write_frames(frames, tmp, "Scenario comparison"))
