"""The two pages of a batch output folder: ``index.html`` (every scenario, its status, headline
figures and links) and ``compare.html`` (key measures of the complete reports side by side).

Pages are self-contained: inline CSS, the chart inline as a base64 PNG, no JavaScript and no
external requests. Record text (names, titles, paths, error messages) is untrusted: every piece
goes through :func:`html.escape`, and a link is only made to a plain relative folder inside the
output folder (:func:`safe_folder`) and only to files that exist. Money is in £k as plans print
it (:func:`ccgmodels.outputs.tables.money`): surplus positive, deficits in brackets.
"""

from __future__ import annotations

import base64
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from ..models.results import read_tidy
from ..outputs.summaries import KEY_FIGURES, PROB, key_figures
from ..outputs.tables import money
from . import provenance
from .outdir import FAILED, PAGE_MARK

#: files of a complete report, in link order
REPORT_FILES = ("report.html", "report.xlsx", "results.csv", "uncertainty.csv", "report.ipynb",
                "manifest.json")
GOOD, BAD = ("ok", "unchanged"), ("failed", "invalid")
STATUS_ORDER = ("ok", "unchanged", "failed", "invalid", "interrupted", "pending")
#: key figures shown on the index, with their column headings [£k]
HEADLINE = tuple((k, KEY_FIGURES[k][3]) for k in ("do_nothing", "do_something",
                                                   "do_something_cumulative", "qipp_gap"))
#: key figures of the comparison page, in order [£k]
KEY_MEASURES = tuple(KEY_FIGURES)
ORG = "footprint"

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


def esc(value: object) -> str:
    """Any record value as HTML-escaped text ("" for None)."""
    return "" if value is None else escape(str(value), quote=True)


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


def _href(rel: str, name: str = "") -> str:
    return esc(quote(f"{rel}/{name}"))


def _status(status: object) -> str:
    s = str(status)
    kind = "good" if s in GOOD else "bad" if s in BAD else "other"
    return f'<span class="status status-{kind}">{esc(s)}</span>'


def _num(value: object) -> float | None:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _report_links(out: Path, rel: str | None) -> list[str]:
    if rel is None:
        return []
    return [f'<a href="{_href(rel, f)}">{f}</a>' for f in REPORT_FILES
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
    figures = "".join(f'<td class="num">{esc(money(_num(h.get(k))))}</td>' for k, _ in HEADLINE)
    links = _report_links(out, safe_folder(out, r.get("report")))
    outputs = " · ".join(links)
    if links and status not in GOOD:
        outputs = f"Previous report: {outputs}"
    partial = safe_folder(out, r.get("partial"))
    if partial and (Path(out) / partial).is_dir():
        outputs += f'<br><a href="{_href(partial)}">Partial outputs</a>'
    done = esc(r.get("finished"))
    if r.get("runs"):
        done += f'<br><span class="small">{esc(r["runs"])} runs, seed {esc(r.get("seed"))}</span>'
    row = (f"<tr><td>{name}</td><td>{_status(status)}</td><td>{years}</td>{figures}"
           f"<td>{outputs}</td><td>{done}</td></tr>")
    reason = _reason(r) if status in BAD else ""
    if reason:
        row += f'<tr class="reason"><td colspan="{ncol}">{reason}</td></tr>'
    return row


def _page(title: str, body: str, generated: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"{PAGE_MARK}\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<header><h1>{esc(title)}</h1></header>\n<main>\n"
            f'<p class="small">Generated {esc(generated)}. Money in £k; surplus positive, '
            f"deficits in brackets.</p>\n{body}\n</main>\n</body>\n</html>\n")


def index_html(out: Path, records: list[dict], generated: str) -> str:
    """The ``index.html`` page of ``records`` (one row each, in order) as text."""
    counts = Counter(str(r.get("status")) for r in records)
    order = [s for s in STATUS_ORDER if s in counts] + sorted(set(counts) - set(STATUS_ORDER))
    summary = ", ".join(f"{counts[s]} {esc(s)}" for s in order)
    heads = (["Scenario", "Status", "Years"] + [h for _, h in HEADLINE] + ["Outputs", "Finished"])
    ncol = len(heads)
    money_heads = {h for _, h in HEADLINE}
    th = "".join(f'<th class="num">{h}</th>' if h in money_heads else f"<th>{h}</th>"
                 for h in heads)
    rows = "\n".join(_index_row(out, r, ncol) for r in records)
    body = (f"<p>{len(records)} scenario{'' if len(records) == 1 else 's'}"
            f"{': ' + summary if summary else ''}. "
            f'<a href="compare.html">Compare scenarios</a>.</p>\n'
            f"<table>\n<thead><tr>{th}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>")
    return _page("Scenario reports", body, generated)


# --- compare -----------------------------------------------------------------------------------


def compare_data(out: Path, records: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Key measures of every comparable record (status ok/unchanged with a readable results.csv).

    Returns the key-measure table (index scenario name), ``do_something_surplus`` of ``org``
    by year (scenarios down, years across) [£k], and notes on records left out.
    """
    rows, series, notes = {}, {}, []
    for r in records:
        rel = safe_folder(out, r.get("report"))
        if r.get("status") not in GOOD or rel is None:
            continue
        name = str(r.get("name"))
        if name in rows:
            notes.append(f"{name}: left out, the name appears twice")
            continue
        folder = Path(out) / rel
        try:
            res = read_tidy(folder / "results.csv")
            unc = folder / "uncertainty.csv"
            rows[name] = key_figures(res, ORG, read_tidy(unc) if unc.is_file() else None)
        except (OSError, ValueError, KeyError, pd.errors.ParserError) as e:
            notes.append(f"{name}: left out, results could not be read ({e})")
            continue
        sel = res[(res["org"] == ORG) & (res["measure"] == "do_something_surplus")]
        series[name] = sel.groupby("year")["value"].sum()
    table = pd.DataFrame.from_dict(rows, orient="index")
    by_year = pd.DataFrame(series).T.sort_index(axis=1) if series else pd.DataFrame()
    return table, by_year, notes


def _table(df: pd.DataFrame, diff: bool = False) -> str:
    heads = ["Scenario", "Years"] + [KEY_FIGURES[k][3] for k in KEY_MEASURES]
    heads.append("P(do something ≥ 0), end year")
    th = "".join(f'<th class="num">{h}</th>' if i > 1 else f"<th>{h}</th>"
                 for i, h in enumerate(heads))
    body = []
    for name, row in df.iterrows():
        cells = "".join(f'<td class="num">{esc(money(_num(row[k])))}</td>' for k in KEY_MEASURES)
        p = _num(row[PROB])
        prob = "" if p is None else f"{p * 100:+.0f} pp" if diff else f"{p:.0%}"
        body.append(f"<tr><td>{esc(name)}</td><td>{esc(row['base_year'])} to "
                    f'{esc(row["end_year"])}</td>{cells}<td class="num">{esc(prob)}</td></tr>')
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _chart(by_year: pd.DataFrame) -> str:
    from ..outputs.plotting import scenarios_by_year, to_png

    data = base64.b64encode(to_png(scenarios_by_year(by_year, ORG), dpi=100)).decode("ascii")
    alt = (f"Line chart of do-something surplus/(deficit) by year in £m for {ORG}, one line per "
           f"scenario: {', '.join(map(str, by_year.index))}")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'


def compare_html(out: Path, records: list[dict], baseline: str | None, generated: str) -> str:
    """The ``compare.html`` page as text; ``baseline`` names the scenario differences are from
    (the first comparable scenario if it names none)."""
    table, by_year, notes = compare_data(out, records)
    parts = ['<p><a href="index.html">All scenarios</a></p>']
    if table.empty:
        parts.append("<p>No scenario has a complete report to compare.</p>")
    else:
        chosen = baseline if baseline in table.index else table.index[0]
        how = "as asked" if baseline == chosen else "the first scenario in order"
        if baseline is not None and baseline != chosen:
            how += f" (asked-for baseline {esc(baseline)} has no complete report)"
        parts += [f"<h2>Key measures, {ORG} [£k]</h2>", _table(table)]
        if len(table) == 1:
            parts.append("<p>Only one scenario has a complete report: nothing to compare it "
                         "with, so no differences or chart.</p>")
        else:
            num = list(KEY_MEASURES) + [PROB]
            diff = table.copy()
            diff[num] = table[num].astype(float) - table.loc[chosen, num].astype(float)
            parts += [f"<h2>Differences from the baseline scenario, {esc(chosen)} [£k]</h2>",
                      f"<p>Baseline: <strong>{esc(chosen)}</strong>, {how}. Each figure is "
                      "the scenario's value minus the baseline's.</p>", _table(diff, diff=True),
                      "<h2>Do something surplus/(deficit) by year</h2>", _chart(by_year)]
        th = "".join(f'<th class="num">{esc(y)}</th>' for y in by_year.columns)
        trs = "".join(f"<tr><td>{esc(n)}</td>"
                      + "".join(f'<td class="num">{esc(money(_num(v)))}</td>' for v in row)
                      + "</tr>" for n, row in by_year.iterrows())
        parts += [f"<h3>Do something surplus/(deficit) by year, {ORG} [£k]</h3>",
                  f"<table><thead><tr><th>Scenario</th>{th}</tr></thead><tbody>{trs}"
                  "</tbody></table>"]
    if notes:
        parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    return _page("Scenario comparison", "\n".join(parts), generated)


def _write_atomic(path: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # backslashreplace: a character UTF-8 cannot hold (a byte of a non-UTF-8 file name)
        # is written escaped rather than losing the page
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_pages(out: Path, records: list[dict], baseline: str | None = None,
                compare: bool = True) -> tuple[Path, Path]:
    """Write ``out/index.html`` and ``out/compare.html``, each atomically (temp file in ``out``,
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
        _write_atomic(page, compare_html(out, records, baseline, generated))
    return index, page


def collect(out: Path, current: Mapping[str, dict] | None = None,
            order: list[str] | None = None) -> list[dict]:
    """The index records of ``out`` from what is on disk, ``current`` statuses on top.

    A complete report gives an ``ok`` row; a failure record in ``_failed`` overrides it
    (keeping the report as the previous good one). Rows of ``order`` come first.
    """
    rows: dict[str, dict] = {}
    if out.is_dir():
        for d in sorted(out.iterdir()):
            if d.is_dir() and not d.name.startswith((".", "_")):
                m = provenance.read_manifest(d)
                if m.get("index"):
                    rows[d.name] = {**m["index"], "status": "ok", "report": d.name}
        for f in sorted((out / FAILED).glob("*/failure.json")):
            try:
                rec = json.loads(f.read_text())
            except (OSError, ValueError):
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
