"""Print that holds, read from a PDF's text positions (pdfminer.six): words outside the page's
printable box, words outside their table cell, and table words broken mid-token.

A word is a run of characters on one baseline with no gap wider than :data:`WORD_GAP` of the
font size between them (Chromium writes no space characters). A table is found from what
Chromium draws for the report's stylesheet: a header row of filled rectangles (each header
cell painted on its own) and, under it, the cells' bottom rules (thin filled rectangles, one
per column: Chromium paints a collapsed border column by column). A word in a table must lie
inside the table and inside its header cell (a header word); a cell's lone word (a number, a
badge) must not cross a column's edge (unless it is alone on its line and starts in the first
column: a note or source across the row); and every word of a table must be a whole word of the
HTML's tables (or a piece of one at a hyphen).

Used by tests/batch/test_print.py on every bundled scenario's report.pdf and, for the page box,
on the Excel pack printed by LibreOffice.
"""

from __future__ import annotations

import html as htmllib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

#: a word may overhang a box by this much before it counts as outside [pt]
TOLERANCE = 0.75
#: the fill of the report tables' header cells (the stylesheet's --nhs-blue, #005EB8)
HEADER_FILL = (0.0, 0.3686, 0.7216)
#: rules under one table are never further apart than this (a register entry's source note of
#: ten lines is about 100 pt) [pt]
RULE_GAP = 160.0
MM = 72 / 25.4
#: a gap between two characters wider than this share of the font size ends a word
WORD_GAP = 0.15
#: a gap between two words wider than this share of the font size ends a cell's text
PHRASE_GAP = 0.6


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def overlap_x(self, other: Box) -> float:
        return min(self.x1, other.x1) - max(self.x0, other.x0)


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
    page: int

    def __str__(self) -> str:
        b = self.box
        return f"page {self.page}: {self.text!r} at x {b.x0:.1f}-{b.x1:.1f}, y {b.y0:.1f}"


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word]
    fills: list[tuple[Box, tuple]]  # filled rectangles and their colour


def normal(text: str) -> str:
    """``text`` as compared: ligatures and compatibility forms undone (pdfminer reads "fi" as
    one glyph)."""
    return unicodedata.normalize("NFKC", text)


def read(path: Path) -> list[Page]:
    """Every page of ``path``: its size, words (top line first) and filled rectangles.

    The characters as drawn, without pdfminer's layout analysis (its text lines and boxes: a
    third of the time of reading a pack printed by LibreOffice), which :func:`words_of` does not
    need."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=None)
    interpreter = PDFPageInterpreter(resources, device)
    pages = []
    with open(path, "rb") as f:
        for n, page in enumerate(PDFPage.get_pages(f), 1):
            interpreter.process_page(page)
            layout = device.get_result()
            chars: list = []
            fills: list = []
            _walk(layout, chars, fills)
            pages.append(Page(n, layout.width, layout.height, words_of(chars, n), fills))
    return pages


def _walk(items, chars: list, fills: list) -> None:
    """Collect the characters and the filled shapes of a page's layout, at any depth."""
    from pdfminer.layout import LTChar, LTContainer, LTCurve

    for el in items:
        if isinstance(el, LTChar):
            chars.append(el)
        elif isinstance(el, LTContainer):  # text boxes and lines, figures
            _walk(el, chars, fills)
        elif isinstance(el, LTCurve) and el.fill:  # LTRect and LTLine are LTCurves
            colour = el.non_stroking_color
            colour = (tuple(round(float(c), 4) for c in colour)
                      if isinstance(colour, tuple | list) else (colour,))
            fills.append((Box(el.x0, el.y0, el.x1, el.y1), colour))


def words_of(chars, page: int) -> list[Word]:
    """Characters grouped into words: by baseline, then split at spaces and wide gaps; the top
    line first, each line from the left."""
    lines: dict[tuple[float, float], list] = {}
    for c in chars:
        if not c.get_text().strip():
            continue
        key = (round(c.y0 * 2) / 2, round(c.size, 1))
        lines.setdefault(key, []).append(c)
    words = []
    for (_, size), cs in sorted(lines.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
        cs.sort(key=lambda c: c.x0)
        run = [cs[0]]
        for a, b in zip(cs, cs[1:], strict=False):
            if b.x0 - a.x1 > WORD_GAP * size:
                words.append(_word(run, page))
                run = []
            run.append(b)
        words.append(_word(run, page))
    return words


def _word(run, page: int) -> Word:
    box = Box(min(c.x0 for c in run), min(c.y0 for c in run), max(c.x1 for c in run),
              max(c.y1 for c in run))
    return Word(normal("".join(c.get_text() for c in run)), box, page)


def outside_page(pages: list[Page], margins_mm: tuple[float, float]) -> list[str]:
    """Words past the page's left or right margin, or off the page."""
    bad = []
    for p in pages:
        left, right = margins_mm[0] * MM, p.width - margins_mm[1] * MM
        for w in p.words:
            b = w.box
            if (b.x0 < left - TOLERANCE or b.x1 > right + TOLERANCE or b.y0 < -TOLERANCE
                    or b.y1 > p.height + TOLERANCE):
                bad.append(f"{w} is outside the printable width {left:.1f}-{right:.1f}")
    return bad


def _is_header(colour: tuple) -> bool:
    return len(colour) == 3 and all(abs(a - b) < 0.01 for a, b in zip(colour, HEADER_FILL,
                                                                        strict=True))


def tables(page: Page) -> list[tuple[list[Box], list[Box]]]:
    """The tables of ``page``: each as its header cells and the rules under them."""
    heads = sorted((b for b, c in page.fills if _is_header(c) and b.y1 - b.y0 > 5),
                   key=lambda b: (-b.y1, b.x0))
    rows: list[list[Box]] = []
    for b in heads:
        if rows and abs(rows[-1][0].y1 - b.y1) < 1 and abs(rows[-1][0].y0 - b.y0) < 1:
            rows[-1].append(b)
        else:
            rows.append([b])
    rules = sorted((b for b, c in page.fills if b.y1 - b.y0 < 2.5 and b.x1 - b.x0 > 2
                    and not _is_header(c)),  # a heading's blue rule is no table's
                   key=lambda b: -b.y1)
    out = []
    for i, cells in enumerate(rows):
        x0, x1 = min(c.x0 for c in cells), max(c.x1 for c in cells)
        bottom = min(c.y0 for c in cells)
        stop = rows[i + 1][0].y1 if i + 1 < len(rows) else -1.0
        under, last = [], bottom
        for r in rules:
            if r.y1 > bottom + 1 or r.y1 < stop:
                continue
            if r.x0 < x0 - 1 or r.x1 > x1 + 1:
                continue
            if last - r.y1 > RULE_GAP:
                break
            under.append(r)
            last = r.y0
        out.append((cells, under))
    return out


def _extent(cells: list[Box], rules: list[Box]) -> tuple[float, float, float, float]:
    """``(x0, x1, bottom, top)`` of a table."""
    bottom = min(r.y0 for r in rules) if rules else min(c.y0 for c in cells)
    return (min(c.x0 for c in cells), max(c.x1 for c in cells), bottom,
            max(c.y1 for c in cells))


def phrases(words: list[Word], gap: float = PHRASE_GAP) -> list[list[Word]]:
    """Words on one baseline closer than ``gap`` font sizes: the text of one cell (the gap
    between two cells is their padding, wider than a space)."""
    lines: dict[float, list[Word]] = {}
    for w in words:
        lines.setdefault(round(w.box.y0 * 2) / 2, []).append(w)
    out = []
    for ws in lines.values():
        ws.sort(key=lambda w: w.box.x0)
        run = [ws[0]]
        for a, b in zip(ws, ws[1:], strict=False):
            size = a.box.y1 - a.box.y0
            if b.box.x0 - a.box.x1 > gap * size:
                out.append(run)
                run = []
            run.append(b)
        out.append(run)
    return out


def outside_cells(pages: list[Page]) -> list[str]:
    """Table words outside their table or their header cell, and a cell's lone word (a
    number, a badge) across a column's edge.

    Chromium paints a collapsed border per column, so a colspan cell (a note, a source) is
    told from an overflowing one by its text: several words in a run across the columns.
    """
    bad = []
    for p in pages:
        for cells, rules in tables(p):
            x0, x1, bottom, top = _extent(cells, rules)
            inside = [w for w in p.words if bottom <= w.box.cy <= top
                      and w.box.overlap_x(Box(x0, 0, x1, 0)) > 0]
            body = []
            for w in inside:
                b = w.box
                head = next((c for c in cells if c.y0 <= b.cy <= c.y1
                             and c.x0 <= b.cx <= c.x1), None)
                if head is not None:
                    if b.x0 < head.x0 - TOLERANCE or b.x1 > head.x1 + TOLERANCE:
                        bad.append(f"{w} runs out of its header cell "
                                   f"{head.x0:.1f}-{head.x1:.1f}")
                elif any(c.y0 <= b.cy <= c.y1 for c in cells):
                    continue  # beside the header row, not in the table
                elif b.x0 < x0 - TOLERANCE or b.x1 > x1 + TOLERANCE:
                    bad.append(f"{w} runs out of its table {x0:.1f}-{x1:.1f}")
                else:
                    body.append(w)
            lines: dict[float, int] = {}
            for w in body:
                key = round(w.box.y0 * 2) / 2
                lines[key] = lines.get(key, 0) + 1
            first = min(cells, key=lambda c: c.x0)
            for run in phrases(body):
                if len(run) > 1:
                    continue
                b = run[0].box
                if lines[round(b.y0 * 2) / 2] == 1 and first.x0 <= b.x0 <= first.x1:
                    continue  # alone on its line from the first column: a note across the row
                crossed = [c for c in cells if c.overlap_x(b) > TOLERANCE]
                if len(crossed) > 1:
                    bad.append(f"{run[0]} runs across the edge of its column "
                               f"{crossed[0].x0:.1f}-{crossed[0].x1:.1f}")
    return bad


#: where a line may break inside a token: after a hyphen or dash, after a slash before a letter
BREAK = re.compile(r"(?<=[-\u2013\u2014])|(?<=/)(?=[A-Za-z])")
#: tokens this long (addresses, paths) may be broken anywhere to fit their cell
LONG = 25


def html_tokens(page_html: str) -> set[str]:
    """The words of the tables of an HTML page, and the pieces a line may break them into."""
    found: set[str] = set()
    for table in re.findall(r"<table.*?</table>", page_html, flags=re.S):
        # an inline tag (a link, a badge's span) joins the text around it as the page prints
        # it ("[000])"); any other tag parts words
        inline = re.sub(r"</?(?:a|span|strong|em|b|i|sup|sub)\b[^>]*>", "", table)
        text = htmllib.unescape(re.sub(r"<[^>]+>", " ", inline))
        for token in normal(text).split():
            pieces = [p for p in BREAK.split(token) if p]
            for i in range(len(pieces)):
                for j in range(i + 1, len(pieces) + 1):
                    found.add("".join(pieces[i:j]))
    return found


def broken_tokens(pages: list[Page], tokens: set[str]) -> list[str]:
    """Words in tables that are no whole word (nor a piece at a hyphen) of the tables of the
    HTML: a token broken across lines ("201" over "7/18", "year" over "s")."""
    longs = [t for t in tokens if len(t) > LONG]
    bad = []
    for p in pages:
        for cells, rules in tables(p):
            x0, x1, bottom, top = _extent(cells, rules)
            for w in p.words:
                b = w.box
                if not (bottom <= b.cy <= top and x0 <= b.cx <= x1):
                    continue
                if w.text in tokens or any(w.text in t for t in longs):
                    continue
                bad.append(f"{w} is no whole word of the tables (broken?)")
    return bad


def outline_titles(path: Path) -> list[str]:
    """The titles of the PDF's bookmarks (its document outline), in order."""
    from pdfminer.pdfdocument import PDFDocument, PDFNoOutlines
    from pdfminer.pdfparser import PDFParser

    with open(path, "rb") as f:
        doc = PDFDocument(PDFParser(f))
        try:
            return [normal(str(title)) for _, title, *_ in doc.get_outlines()]
        except PDFNoOutlines:
            return []
