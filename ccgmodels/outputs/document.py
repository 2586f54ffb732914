"""HTML pieces of the board report: styled tables, figures with alt text, the cover, the
summary, the registers and the methods.

Each function returns :class:`Html`, text a notebook displays as HTML (it has
``_repr_html_``), so the report notebook stays a list of calls. Every piece of text that comes
from a scenario file is escaped. Numbers are formatted as plans print them (£k, deficits in
brackets, :func:`ccgmodels.outputs.tables.money`); the look (fonts, colours, page breaks for
printing) is the report template's stylesheet (``ccgmodels/data/templates/ccgmodels_report``),
keyed on the classes used here: ``report-table``, ``num``, ``neg``, ``total``, ``note``,
``cover``, ``keep``, ``figure``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from html import escape

import pandas as pd

from ..inputs import documents
from . import labels
from .tables import NUMBER_FORMATS, ReportTable, money


class Html(str):
    """A string of HTML that Jupyter displays as HTML."""

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:  # IPython's text/plain: not the HTML again
        p.text(f"<report section: {len(self):,} characters of HTML>")


def esc(value: object) -> str:
    """Text as HTML ("" for None)."""
    return "" if value is None else escape(str(value), quote=True)


def cell(value: object, unit: str) -> tuple[str, str]:
    """``(text, css class)`` of a table cell: money as plans print it, fractions as per cent,
    counts with separators; text as given."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return esc(value), ""
    if pd.isna(value):
        return "", "num"
    if unit == "fraction":
        return f"{value:.1%}", "num"
    if unit == "count":
        return f"{value:,.0f}", "num"
    return money(value), "num neg" if round(value) < 0 else "num"


def table(frame: pd.DataFrame, unit: str = "£k", *, caption: str | None = None,
          index: bool = True, totals: Iterable[str] = ("Total",),
          units: Mapping[str, str] | None = None, notes: Mapping[str, str] | None = None,
          css: str = "") -> Html:
    """``frame`` as a styled table: one header row (the index name over the labels), numbers
    right-aligned, deficits in brackets, rows named in ``totals`` ruled as totals, and a note
    under any row named in ``notes``.

    ``units`` gives a column its own unit (e.g. ``{"Delivery probability": "fraction"}``).
    """
    if unit not in NUMBER_FORMATS:
        raise ValueError(f"table: unit {unit!r} is not one of {sorted(NUMBER_FORMATS)}")
    totals, units, notes = set(totals), dict(units or {}), dict(notes or {})
    head = ([f'<th scope="col">{esc(frame.index.name or "")}</th>'] if index else [])
    for c in frame.columns:
        num = pd.api.types.is_numeric_dtype(frame[c])
        head.append(f'<th scope="col"{" class=num" if num else ""}>{esc(c)}</th>')
    rows = []
    width = len(frame.columns) + int(index)
    for label, row in frame.iterrows():
        cells = [f'<th scope="row">{esc(label)}</th>'] if index else []
        for c, v in row.items():
            text, cls = cell(v, units.get(str(c), unit))
            cells.append(f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>")
        key = str(label) if index else str(row.iloc[0])
        cls = ' class="total"' if key in totals else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
        if key in notes:
            rows.append(f'<tr class="note"><td colspan="{width}">{esc(notes[key])}</td></tr>')
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return Html(f'<table class="report-table {css}">{cap}<thead><tr>{"".join(head)}</tr>'
                f'</thead><tbody>{"".join(rows)}</tbody></table>')


def report_table(t: ReportTable, notes: Mapping[str, str] | None = None) -> Html:
    """A :class:`ReportTable` with its title as the caption."""
    frame = t.frame.copy()
    frame.index.name = frame.index.name or ""
    return table(frame, t.unit, caption=t.title, notes=notes)


def figure(png: bytes, alt: str, caption: str | None = None) -> Html:
    """A chart as an inline image with its alt text (what it shows and its key numbers)."""
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return Html(f'<figure class="figure keep"><img src="data:image/png;base64,{data}" '
                f'alt="{esc(alt)}">{cap}</figure>')


def section(title: str, *parts: str, level: int = 2, intro: str | None = None) -> Html:
    """A heading kept with what follows it."""
    body = (f"<p>{esc(intro)}</p>" if intro else "") + "".join(parts)
    return Html(f'<section class="keep"><h{level}>{esc(title)}</h{level}>{body}</section>')


def paragraphs(texts: Sequence[str], css: str = "") -> Html:
    """Sentences as paragraphs."""
    cls = f' class="{css}"' if css else ""
    return Html("".join(f"<p{cls}>{esc(t)}</p>" for t in texts))


def definitions(pairs: Sequence[tuple[str, str]], css: str = "definitions") -> Html:
    """Terms and their definitions, as a two-column table."""
    rows = "".join(f'<tr><th scope="row">{esc(a)}</th><td>{esc(b)}</td></tr>' for a, b in pairs)
    return Html(f'<table class="{css}"><tbody>{rows}</tbody></table>')


def cover(title: str, description: str, facts: Sequence[tuple[str, str]],
          conventions: str) -> Html:
    """The cover page: the scenario's title and description and the run's facts."""
    rows = "".join(f'<tr><th scope="row">{esc(a)}</th><td>{esc(b)}</td></tr>' for a, b in facts)
    return Html(f'<section class="cover"><p class="kicker">Scenario report</p>'
                f"<h1>{esc(title)}</h1><p class=\"lead\">{esc(description)}</p>"
                f'<table class="facts"><tbody>{rows}</tbody></table>'
                f"<p class=\"small\">{esc(conventions)}</p></section>")


def cited(text: str) -> Html:
    """A source text for a reader: short-key citations written out (``000:L1997`` as ``CPR &
    Southend operational plan 2019/20, line 1997 [000]``) and every document it cites linked to
    its entry in the sources appendix (:func:`sources_list`)."""
    docs = documents.cited_in(text)
    out = esc(documents.expand(text))
    for d in docs:
        link = f'<a href="#{d.anchor}" class="cite">[{esc(d.key)}]</a>'
        marker = f"[{esc(d.key)}]"
        out = out.replace(marker, link) if marker in out else f"{out} {link}"
    return Html(out)


def sources_list(docs: Sequence[documents.Document]) -> Html:
    """The sources appendix: one entry per document, its key as the anchor the citations link
    to, then title, publisher, date and where to get it."""
    rows = "".join(
        f'<tr id="{esc(d.anchor)}"><th scope="row">[{esc(d.key)}]</th><td><strong>'
        f"{esc(d.title)}</strong>. {esc(d.publisher)}; date: {esc(d.date)}. Where to get it: "
        f"{esc(d.where)}."
        "</td></tr>" for d in docs)
    cols = '<colgroup><col style="width:9%"><col style="width:91%"></colgroup>'
    return Html(f'<table class="definitions sources">{cols}<tbody>{rows}</tbody></table>')


def register_table(reg: pd.DataFrame, years: Sequence[str]) -> Html:
    """The assumptions register, one table per organisation, without the dotted paths: the
    value in each year it applies to (or under "All years"), the flag as a badge (Source,
    ASSUMPTION, What-if, Default) and the source on a line of its own under the row."""
    out = []
    for org, rows in reg.groupby("Organisation", sort=False):
        used = [y for y in [*years, "All years"] if (rows[y] != "").any()]
        head = "".join(f'<th scope="col" class="num">{esc(y)}</th>' for y in used)
        width = len(used) + 3
        body = []
        for _, r in rows.iterrows():
            text = str(r["All years"])
            if len(text) > 12 and not any(str(r[y]) for y in used if y != "All years"):
                # a list or a mapping in words: across the value columns, not squeezed
                values = f'<td class="text" colspan="{len(used)}">{esc(text)}</td>'
            else:
                values = "".join(f'<td class="num">{esc(r[y])}</td>' for y in used)
            flag = str(r["Flag"])
            badge = (f'<span class="flag flag-{esc(flag.lower().replace(" ", "-"))}">'
                     f"{esc(flag)}</span>")
            cls = "whatif" if flag == "What-if" else ""
            body.append(f'<tbody class="entry {cls}"><tr><th scope="row">{esc(r["Assumption"])}'
                        f'</th><td>{esc(r["Unit"])}</td>{values}<td>{badge}</td></tr>'
                        f'<tr class="source"><td colspan="{width}">{cited(r["Source"])}</td>'
                        "</tr></tbody>")
        lead = (25, 7) if len(used) > 4 else (34, 9)
        share = (100.0 - sum(lead) - 11.0) / max(len(used), 1)
        cols = (f'<colgroup><col style="width:{lead[0]}%"><col style="width:{lead[1]}%">'
                + "".join(f'<col style="width:{share:.2f}%">' for _ in used)
                + '<col style="width:11%"></colgroup>')
        out.append(f'<table class="report-table register"><caption>{esc(org)}</caption>{cols}'
                   f'<thead><tr><th scope="col">Assumption</th><th scope="col">Unit</th>'
                   f'{head}<th scope="col">Flag</th></tr></thead>{"".join(body)}</table>')
    return Html("".join(out))


#: shorter column headings of the scheme register on the page
SCHEME_HEADINGS = {"Gross saving": "Gross", "Net saving": "Net",
                   "Delivery probability": "Probability", "Risk-adjusted saving": "Risk-adjusted",
                   "Phasing": "Starts"}


def scheme_table(reg: pd.DataFrame, era: str | None = None) -> Html:
    """The QIPP scheme register, one table per organisation, in ``era``'s words: the schemes
    of each status with its subtotal, the total of the plan, then the pipeline (outside the
    plan) with its own subtotal, never added to the plan's total."""
    from .register import scheme_subtotals

    money_cols = ["Gross", "Investment", "Net", "Risk-adjusted"]
    out = []
    for org, rows in reg.groupby("Organisation", sort=False):
        parts, totals = [], []
        for kind, part in scheme_subtotals(rows, era):
            parts.append(part)
            if kind != "schemes":
                totals += list(part["Scheme"])
        frame = pd.concat(parts).drop(columns=["Organisation"]).set_index("Scheme").rename(
            columns=SCHEME_HEADINGS)
        frame.index.name = "Scheme"
        for c in [*money_cols, "Probability"]:
            frame[c] = frame[c].astype(float)
        out.append(table(frame, "£k", caption=f"{org}: {labels.term('qipp_schemes', era)} "
                                              "(£k a year, full-year effect)",
                         units={"Probability": "fraction"}, totals=totals, css="schemes"))
    return Html("".join(out))


def no_identifiers(html: str) -> list[str]:
    """Identifier-like words in the visible text of ``html`` (tags and attributes removed):
    what a test asserts is empty."""
    import re

    text = re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
    return labels.identifiers_in(text)
