"""The two pages of a batch output folder: ``index.html`` (every scenario, its status, headline
figures and links) and ``compare.html`` (the complete reports compared like with like, the
data from :mod:`ccgmodels.outputs.compare`).

Pages are self-contained: inline CSS, the chart inline as a base64 PNG, no JavaScript and no
external requests. Record text (names, titles, paths, error messages) is untrusted: every piece
goes through :func:`html.escape` (:func:`ccgmodels.outputs.document.esc`, as the board report),
and a link is only made to a plain relative folder inside the output folder
(:func:`safe_folder`) and only to files that exist. Money is in £k as plans print
it (:func:`ccgmodels.outputs.tables.money`): surplus positive, deficits in brackets.
"""

from __future__ import annotations

import base64
import json
import math
import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from ..inputs.vocab import FOOTPRINT as ORG
from ..inputs.vocab import era_of
from ..outputs import compare as comparison
from ..outputs.compare import KEY_MEASURES, PROB_HEADING, GroupComparison
from ..outputs.document import esc
from ..outputs.summaries import KEY_FIGURES, PROB, key_heading
from ..outputs.tables import money
from . import batchlog, provenance
from .outdir import FAILED, PAGE_MARK, write_atomic

# -- the page frame, and the link rules for untrusted record text -------------------------

CSS = """
body{font-family:Arial,Helvetica,sans-serif;color:#212B32;margin:0;background:#F0F4F5}
header{background:#005EB8;color:#fff;padding:16px 24px}header h1{margin:0;font-size:1.6em}
main{padding:16px 24px;max-width:1400px}a{color:#005EB8}
table{border-collapse:collapse;background:#fff;margin:8px 0 24px;font-size:0.9em}
th,td{border:1px solid #D8DDE0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#E8EDEE}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#F8FAFA}.small{color:#4C6272;font-size:0.85em}
.status{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;font-weight:bold}
.status-good{background:#007F3B}.status-bad{background:#D5281B}.status-other{background:#768692}
tr.reason td{background:#FDF3F2}pre{background:#fff;border:1px solid #D8DDE0;padding:8px;
overflow-x:auto;white-space:pre-wrap;font-size:0.85em}ul{margin:4px 0}img{max-width:100%}
"""


def safe_folder(out: Path, folder: object) -> str | None:
    """``folder`` as a plain relative POSIX path inside ``out``, or None if it is not one.

    Rejects anything absolute, with ``..``, a backslash, a colon (scheme or drive), a control
    character, or resolving (through symlinks) outside ``out``.
    """
    if not isinstance(folder, str) or folder.startswith("/") or ".." in folder:
        return None
    if any(c in folder for c in "\\:") or any(ord(c) < 32 or ord(c) == 127 for c in folder):
        return None
    parts = [p for p in folder.split("/") if p not in ("", ".")]
    if not parts:
        return None
    rel = "/".join(parts)
    try:
        (Path(out) / rel).resolve().relative_to(Path(out).resolve())
    except (ValueError, OSError):
        return None
    return rel


def href(rel: str, name: str = "") -> str:
    return esc(quote(f"{rel}/{name}"))


def num(value: object) -> float | None:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def page(title: str, body: str, generated: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"{PAGE_MARK}\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<header><h1>{esc(title)}</h1></header>\n<main>\n"
            f'<p class="small">Generated {esc(generated)}. Money in £k; surplus positive, '
            f"deficits in brackets.</p>\n{body}\n</main>\n</body>\n</html>\n")


#: files of a complete report, in link order
REPORT_FILES = ("report.html", "report.pdf", "report.xlsx", "results.csv", "uncertainty.csv",
                "report.ipynb", "manifest.json")
GOOD, BAD = ("ok", "unchanged"), ("failed", "invalid")
STATUS_ORDER = ("ok", "unchanged", "failed", "invalid", "interrupted", "pending")
#: key figures shown on the index, with their column headings [£k]
HEADLINE = tuple((k, KEY_FIGURES[k][3]) for k in ("do_nothing", "do_something",
                                                   "do_something_cumulative", "qipp_gap"))
#: waterfall charts drawn per group of the comparison page, at most
MAX_BRIDGE_CHARTS = 6



def _status(status: object) -> str:
    s = str(status)
    kind = "good" if s in GOOD else "bad" if s in BAD else "other"
    return f'<span class="status status-{kind}">{esc(s)}</span>'


def _report_links(out: Path, rel: str | None) -> list[str]:
    if rel is None:
        return []
    return [f'<a href="{href(rel, f)}">{f}</a>' for f in REPORT_FILES
            if (Path(out) / rel / f).is_file()]


def _reason(r: dict) -> str:
    err = r.get("error") or {}
    if r.get("status") == "invalid" and err.get("problems") is not None:
        items = "".join(f"<li>{esc(p)}</li>" for p in err["problems"])
        return f"<p>Scenario file is invalid:</p><ul>{items}</ul>"
    if not err:
        return ""
    where = f"cell {esc(err['cell'])}" if err.get("cell") is not None else "an unknown cell"
    text = f"<p>Failed in {where}: <strong>{esc(err.get('ename'))}</strong>: "
    text += f"{esc(err.get('evalue'))}</p>"
    if err.get("source"):
        text += f"<pre>{esc(err['source'])}</pre>"
    return text


def _index_row(out: Path, r: dict, ncol: int) -> str:
    status = str(r.get("status"))
    name = f"<strong>{esc(r.get('name'))}</strong>"
    if r.get("title"):
        name += f"<br>{esc(r['title'])}"
    name += f'<br><span class="small">{esc(r.get("source"))}</span>'
    h = r.get("headline") or {}
    years = " to ".join(esc(h[k]) for k in ("base_year", "end_year") if h.get(k))
    if h.get("org") and h.get("org") != ORG:
        years += f'<br><span class="small">{esc(h["org"])}</span>'
    figures = "".join(f'<td class="num">{esc(money(num(h.get(k))))}</td>' for k, _ in HEADLINE)
    links = _report_links(out, safe_folder(out, r.get("report")))
    outputs = " · ".join(links)
    if links and status not in GOOD:
        outputs = f"Previous report: {outputs}"
    partial = safe_folder(out, r.get("partial"))
    if partial and (Path(out) / partial).is_dir():
        outputs += f'<br><a href="{href(partial)}">Partial outputs</a>'
    done = esc(r.get("finished"))
    if r.get("runs"):
        done += f'<br><span class="small">{esc(r["runs"])} runs, seed {esc(r.get("seed"))}</span>'
    row = (f"<tr><td>{name}</td><td>{_status(status)}</td><td>{years}</td>{figures}"
           f"<td>{outputs}</td><td>{done}</td></tr>")
    reason = _reason(r) if status in BAD else ""
    if reason:
        row += f'<tr class="reason"><td colspan="{ncol}">{reason}</td></tr>'
    return row


def _era(records: list[dict]) -> str:
    """The era whose words the index's headings use: the one its scenarios share (each
    stated in the record, else its base year's), else the 2019/20 plans' (``ccg``)."""
    eras = {r.get("era") or era_of((r.get("headline") or {}).get("base_year"))
            for r in records if r.get("era") or (r.get("headline") or {}).get("base_year")}
    return eras.pop() if len(eras) == 1 else "ccg"


def index_html(out: Path, records: list[dict], generated: str) -> str:
    """The ``index.html`` page of ``records`` (one row each, in order) as text."""
    counts = Counter(str(r.get("status")) for r in records)
    order = [s for s in STATUS_ORDER if s in counts] + sorted(set(counts) - set(STATUS_ORDER))
    summary = ", ".join(f"{counts[s]} {esc(s)}" for s in order)
    era = _era(records)
    money_heads = [key_heading(k, era) for k, _ in HEADLINE]
    heads = ["Scenario", "Status", "Years"] + money_heads + ["Outputs", "Finished"]
    ncol = len(heads)
    th = "".join(f'<th class="num">{h}</th>' if h in money_heads else f"<th>{h}</th>"
                 for h in heads)
    rows = "\n".join(_index_row(out, r, ncol) for r in records)
    log = batchlog.latest(out)  # the batch's log: its newest
    body = (f"<p>{len(records)} scenario{'' if len(records) == 1 else 's'}"
            f"{': ' + summary if summary else ''}. "
            f'<a href="compare.html">Compare scenarios</a>.'
            + (f' <a href="{esc(quote(log))}">Batch log</a>.' if log else "") + "</p>\n"
            f"<table>\n<thead><tr>{th}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>")
    return page("Scenario reports", body, generated)


def _write_atomic(path: Path, text: str) -> Path:
    def write(tmp: Path) -> None:
        # backslashreplace: a character UTF-8 cannot hold (a byte of a non-UTF-8 file name)
        # is written escaped rather than losing the page
        with open(tmp, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    return write_atomic(path, write)


def write_pages(out: Path, records: list[dict], baseline: str | None = None,
                compare: bool = True) -> tuple[Path, Path]:
    """Write ``out/index.html``, ``out/compare.html`` and ``out/compare.xlsx`` (when anything
    is compared), each atomically (temp file in ``out``,
    then :func:`os.replace`); returns their paths.

    Parameters
    ----------
    out : Path
        The batch output folder; report folders in records are relative to it.
    records : list of dict
        One per scenario, in display order (keys ``name, title, source, status, report,
        partial, headline, error, finished, runs, seed``); text is untrusted and escaped.
    baseline : str, optional
        Name of the scenario the comparison differences are taken from.
    compare : bool
        False rewrites only the index (the batch runner, between reports).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    generated = datetime.now().astimezone().isoformat(timespec="seconds")
    index = _write_atomic(out / "index.html", index_html(out, records, generated))
    page = out / "compare.html"
    if compare:
        c = compare_batch(out, records, baseline)
        write_compare_workbook(out, c)
        _write_atomic(page, compare_html(out, records, baseline, generated, c))
    return index, page


# -- compare.html: the comparison's data (ccgmodels.outputs.compare) as a page --------------


def entries(out: Path, records: list[dict]) -> tuple[list[comparison.Entry], list[str]]:
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
        try:
            entry = comparison.read_entry(Path(out) / rel, name, str(r.get("title") or name),
                                          r.get("extends"))
        except (OSError, ValueError, KeyError, pd.errors.ParserError) as e:
            notes.append(f"{name}: left out, results could not be read ({e})")
            continue
        seen.add(name)
        found.append(entry)
    return found, notes


def _cells(row: pd.Series, diff: bool) -> str:
    cells = "".join(f'<td class="num">{esc(money(num(row[k])))}</td>' for k in KEY_MEASURES)
    p = num(row[PROB])
    prob = "" if p is None else f"{p * 100:+.0f} pp" if diff else f"{p:.0%}"
    return cells + f'<td class="num">{esc(prob)}</td>'


def _key_html(df: pd.DataFrame, diff: bool = False, era: str = "ccg") -> str:
    heads = ["Scenario", "Years"] + comparison.key_headings(era) + [PROB_HEADING]
    th = "".join(f'<th class="num">{h}</th>' if i > 1 else f"<th>{h}</th>"
                 for i, h in enumerate(heads))
    body = "".join(f"<tr><td>{esc(row['title'])}<br><span class=\"small\">{esc(name)}</span>"
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


#: the charts of compare.html drawn in this process (as ``<img>``), by what they show: a batch
#: compares as its reports arrive (:func:`compare_batch`, to keep) and again at its end
_CHARTS: dict[str, str] = {}
#: charts kept at most [count]
MAX_CHARTS_KEPT = 256


def _chart(draw: Callable[..., object], *args: object) -> str:
    """``_img(draw(*args))``, drawn once for the same ``draw`` and arguments (series and
    frames by their values and labels)."""
    def exact(a: object) -> object:  # every value in full (json writes floats as repr)
        if isinstance(a, pd.Series):
            return [a.name, a.index.tolist(), a.tolist()]
        if isinstance(a, pd.DataFrame):
            return [a.index.tolist(), a.columns.tolist(), a.to_numpy().tolist()]
        return a

    key = json.dumps([draw.__name__, *map(exact, args)], default=str)
    img = _CHARTS.get(key)
    if img is None:
        img = _img(draw(*args))
        if len(_CHARTS) >= MAX_CHARTS_KEPT:
            _CHARTS.clear()
        _CHARTS[key] = img
    return img


def titles(g: GroupComparison) -> dict[str, str]:
    """Each scenario of a group by its title (its name added where two titles are alike)."""
    shown = {name: str(row["title"] or name) for name, row in g.table.iterrows()}
    twice = {v for v in shown.values() if list(shown.values()).count(v) > 1}
    return {k: f"{v} ({k})" if v in twice else v for k, v in shown.items()}


def _group_html(g: GroupComparison) -> str:
    from ..outputs import plotting

    title = titles(g)
    base = title.get(g.base, g.base)
    steps = _steps(g)
    parts = [f"<h2>{esc(g.name)}</h2>",
             f"<p>Baseline: <strong>{esc(base)}</strong>, {esc(g.how)}. Every scenario "
             "below models the same organisations over the same years, so each figure "
             "compares like with like.</p>",
             f"<h3>Key measures, {esc(g.name)} [£k]</h3>", _key_html(g.table, era=g.era),
             f"<h3>Differences from the baseline scenario, {esc(base)} [£k]</h3>",
             "<p>Each figure is the scenario's value minus the baseline's.</p>",
             _key_html(g.diff, diff=True, era=g.era)]
    if steps is not None:
        end, qipp = g.end_year, "efficiency" if g.era == "icb" else "QIPP"
        parts += [f"<h3>Variance bridge: do something {esc(end)}, from {esc(base)} "
                  "[£k]</h3>",
                  "<p>From the baseline's end-year do-something position to each scenario's: "
                  "each group of assumptions that changed is applied in turn (funding, demand, "
                  f"prices, {qipp} delivery, solutions, other) and the model re-run; the "
                  "residual is what the steps leave unexplained, zero when they are exact.</p>",
                  _frame_html(steps, "Step"), *_waterfalls(g, steps)]
    by_year = g.by_year.rename(index=title)
    parts += ["<h3>Do something surplus/(deficit) by year [£k]</h3>",
              _chart(plotting.scenarios_by_year, by_year, ORG, g.name.split(":")[0]),
              _frame_html(by_year, "Scenario")]
    if g.notes:
        parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in g.notes) + "</ul>")
    return "\n".join(parts)


def _steps(g: GroupComparison) -> pd.DataFrame | None:
    """A group's variance bridges as shown: the steps' group names in the group's era (the
    ICB era delivers efficiency), the scenarios by their titles."""
    if g.steps is None:
        return None
    qipp = "Efficiency" if g.era == "icb" else "QIPP"
    return g.steps.rename(index={"QIPP delivery": f"{qipp} delivery"}, columns=titles(g))


def _waterfalls(g: GroupComparison, steps: pd.DataFrame) -> list[str]:
    """The waterfall charts of a group's variance bridges (``steps``: :func:`_steps`)."""
    from ..outputs import plotting

    base = titles(g).get(g.base, g.base)
    return [_chart(plotting.variance_waterfall, steps[col],
                   f"Do something {g.end_year}, {base} to {col}")
            for col in list(steps.columns)[:MAX_BRIDGE_CHARTS]]


def compare_ahead(out: Path, records: list[dict], baseline: str | None) -> None:
    """Make and keep the variance bridges of ``records``' groups and their charts, as
    :func:`compare_batch` does, writing nothing (a batch, as its reports arrive: at its end
    the comparison makes only what is new)."""
    found, _ = entries(out, records)
    for group in comparison.groups(found):
        if len(group) >= 2:
            g = comparison.compare_group(group, baseline)
            steps = _steps(g)
            if steps is not None:
                _waterfalls(g, steps)


@dataclass
class Comparison:
    """The comparison of a batch: HTML sections and the data of every group of two or more
    scenarios, and notes on what was left out."""

    sections: list[str]
    compared: list[GroupComparison]
    notes: list[str]


def compare_batch(out: Path, records: list[dict], baseline: str | None) -> Comparison:
    """Compare the complete reports of ``records`` like with like
    (:mod:`ccgmodels.outputs.compare`)."""
    found, notes = entries(out, records)
    sections, compared, alone = [], [], []
    for group in comparison.groups(found):
        if len(group) < 2:
            alone.append(group[0])
            continue
        g = comparison.compare_group(group, baseline)
        sections.append(_group_html(g))
        compared.append(g)
    if alone and found:
        items = "".join(f"<li><strong>{esc(e.title)}</strong> <span class=\"small\">"
                        f"{esc(e.name)}</span>: {esc(comparison.group_name([e]))}</li>"
                        for e in alone)
        sections.append("<h2>Not compared</h2><p>No other complete report models the same "
                        f"organisations over the same years as these:</p><ul>{items}</ul>")
    return Comparison(sections, compared, notes)


def compare_html(out: Path, records: list[dict], baseline: str | None, generated: str,
                 c: Comparison | None = None) -> str:
    """The ``compare.html`` page as text: the comparison of :func:`compare_batch`."""
    c = c or compare_batch(out, records, baseline)
    sections, notes = c.sections, c.notes
    book = ' · <a href="compare.xlsx">compare.xlsx</a>' if c.compared else ""
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


def write_compare_workbook(out: Path, c: Comparison) -> Path | None:
    """Write ``out/compare.xlsx`` (atomically); None, and any old one of ours removed, when
    nothing is compared."""
    from ..outputs.workbook import write_frames

    path = Path(out) / "compare.xlsx"
    frames = comparison.compare_frames(c.compared)
    if not frames:
        if path.is_file() and not path.is_symlink():
            path.unlink()
        return None
    return write_atomic(path, lambda tmp: write_frames(frames, tmp, "Scenario comparison"))


#: the fields of an index record read from disk, and the types each may have
_FIELDS = {"name": (str,), "key": (str, type(None)), "status": (str,),
           "title": (str, type(None)), "source": (str, type(None)),
           "report": (str, type(None)), "partial": (str, type(None)),
           "headline": (dict, type(None)), "error": (dict, type(None)),
           "finished": (str, type(None)), "extends": (str, type(None)),
           "runs": (int, type(None)), "era": (str, type(None))}


def record_problem(rec: object) -> str | None:
    """What is wrong with an index record read from disk (a ``failure.json``, a manifest's
    ``index``), or None: it must be a mapping with a name and a status, each field of the
    type the pages read it as."""
    if not isinstance(rec, dict):
        return f"is a JSON {type(rec).__name__}, not a record"
    for key in ("name", "status"):
        if not rec.get(key) or not isinstance(rec[key], str):
            return f"has no {key}" if key not in rec else f"{key} is not text"
    for key, types in _FIELDS.items():
        if key in rec and (not isinstance(rec[key], types) or isinstance(rec[key], bool)):
            return f"{key} is {type(rec[key]).__name__}, not {types[0].__name__}"
    problems = (rec.get("error") or {}).get("problems")
    if problems is not None and not isinstance(problems, list):
        return "error.problems is not a list"
    return None


def read_record(path: Path) -> tuple[dict | None, str | None]:
    """The index record in the JSON file ``path`` (``failure.json``), or ``(None, why)``:
    unreadable (a folder, not UTF-8, not JSON) or not a record (:func:`record_problem`)."""
    try:
        rec = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        return None, f"cannot be read ({type(exc).__name__}: {exc})"
    why = record_problem(rec)
    return (rec, None) if why is None else (None, why)


def collect(out: Path, current: Mapping[str, dict] | None = None,
            order: list[str] | None = None,
            corrupt: Callable[[Path, str], object] | None = None) -> list[dict]:
    """The index records of ``out`` from what is on disk, ``current`` statuses on top.

    A complete report gives an ``ok`` row; a failure record in ``_failed`` overrides it
    (keeping the report as the previous good one). Rows of ``order`` come first.

    A record on disk that cannot be read or is not one (someone's edit, a disk fault) is
    set aside: left where it is, out of the index, and handed to ``corrupt(path, why)`` (the
    batch says so once), never fatal to the batch.
    """
    rows: dict[str, dict] = {}
    say = corrupt or (lambda path, why: None)
    if out.is_dir():
        for d in sorted(out.iterdir()):
            if d.is_dir() and not d.name.startswith((".", "_")):
                m = provenance.read_manifest(d)
                if not m.get("index"):
                    continue
                why = record_problem(m["index"])
                if why is not None:
                    say(d / provenance.MANIFEST, f"its index record {why}")
                    continue
                rows[d.name] = {**m["index"], "status": "ok", "report": d.name}
        for f in sorted((out / FAILED).glob("*/failure.json")):
            rec, why = read_record(f)
            if rec is None:
                say(f, why)
                continue
            key = rec.get("key") or rec["name"]
            prev = rows.get(key)
            rows[key] = {**rec, "report": prev["report"] if prev else None}
    for key, rec in (current or {}).items():
        if rec.get("status") == "unchanged" and key in rows:
            rows[key] = {**rows[key], "status": "unchanged"}
        elif rec.get("status") in ("interrupted", "pending", "failed", "invalid"):
            prev = rows.get(key)
            rows[key] = {**rec, "report": prev["report"] if prev else None}
    first = [k for k in (order or []) if k in rows]
    return [rows[k] for k in first] + [rows[k] for k in sorted(rows) if k not in first]
