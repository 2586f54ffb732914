"""The documents cited by the scenarios and the reference data, and the citations in a text.

One source of truth: ``ccgmodels/data/documents.yaml`` lists every document with the short key
citations use (``000:L1997`` is line 1997 of document ``000``; the documents cited in full text
have ``W`` keys), its title, date, publisher and where to get it. The report's sources appendix
and the assumptions register's links are both made from it:

* :func:`documents` reads the list;
* :func:`cited_in` finds the documents a source text cites, by short key or by a phrase that
  names it (``cited_as``);
* :func:`expand` rewrites short-key citations for a reader: ``000:L1997`` becomes
  ``CPR & Southend operational plan 2019/20, line 1997 [000]``;
* :func:`unresolved` lists what in a text looks like a citation but names no document (a
  short key not in the list, a web address no document claims, a file that is not shipped):
  what a test asserts is empty.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from .yamlread import load


@dataclass(frozen=True)
class Document:
    """One cited document.

    Attributes
    ----------
    key : str
        The short key citations use (``"000"``, ``"W01"``).
    short, title, publisher, date, where : str
        The name a citation is printed with, and the appendix entry: title, publisher, date
        and where to get it.
    cited_as : tuple of str
        Phrases that name the document inside a full-text citation.
    """

    key: str
    short: str
    title: str
    publisher: str
    date: str
    where: str
    cited_as: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        """The HTML id of its appendix entry."""
        return f"source-{self.key}"


#: a short-key citation: the key, then one or more line references ("000:L2023, L2036",
#: "000:L689-715", "003:L126; L508-L512")
LINES = r"L\d+(?:\s*-\s*L?\d+)?"
CITATION = re.compile(rf"\b(\d{{3}}):({LINES}(?:(?:, |; |,| and ){LINES})*)")
#: a bare key followed by a word that shows it is a document ("000 reports", "in 000")
BARE_KEY = re.compile(r"(?<![\d:.,£\[])\b(0\d\d)\b(?![\d:,.%\]])")
#: a web address or a repository path as scenarios write them (no scheme)
ADDRESS = re.compile(r"\b(?:[a-z0-9-]+\.)+(?:co\.uk|gov\.uk|org\.uk|nhs\.uk|com|org|net|uk)"
                     r"(?:/[^\s,;)']*)?")
#: files that are not shipped with the package and must never be cited
UNSHIPPED = re.compile(r"\bNOTES\.md\b|\bCONTEXT\.md\b")


@functools.cache
def documents() -> dict[str, Document]:
    """Every document, by key, in the order of ``documents.yaml``."""
    text = resources.files("ccgmodels.data").joinpath("documents.yaml").read_text("utf-8")
    out: dict[str, Document] = {}
    for i, d in enumerate(load(text)["documents"]):
        try:
            doc = Document(str(d["key"]), d["short"], d["title"], d["publisher"],
                           str(d["date"]), d["where"], tuple(d.get("cited_as") or ()))
        except KeyError as exc:
            raise ValueError(f"ccgmodels/data/documents.yaml: document {i + 1} has no "
                             f"{exc.args[0]!r}") from None
        if doc.key in out:
            raise ValueError(f"ccgmodels/data/documents.yaml: key {doc.key!r} appears twice")
        out[doc.key] = doc
    return out


def cited_in(text: str) -> list[Document]:
    """The documents ``text`` cites, in the order of the list: by short key (``000:L1997``,
    or a key alone such as "000 reports") or by a phrase of their ``cited_as``."""
    docs = documents()
    keys = {m.group(1) for m in CITATION.finditer(text)}
    keys |= {m.group(1) for m in BARE_KEY.finditer(text) if m.group(1) in docs}
    return [d for k, d in docs.items()
            if k in keys or any(p in text for p in d.cited_as)]


def unresolved(text: str) -> list[str]:
    """What ``text`` cites that no document of the list names: short keys that are not in it,
    web addresses no document claims, and files that are not shipped."""
    docs = documents()
    out = [f"{m.group(0)}: no document {m.group(1)}" for m in CITATION.finditer(text)
           if m.group(1) not in docs]
    claimed = [p for d in docs.values() for p in (*d.cited_as, d.where)]
    for m in ADDRESS.finditer(text):
        address = m.group(0)
        if not any(address in p or p in address for p in claimed if "." in p):
            out.append(f"{address}: no document has this address")
    out += [f"{m.group(0)}: not shipped with the package" for m in UNSHIPPED.finditer(text)]
    return out


def _lines(refs: str) -> str:
    """``L2023, L2036`` as ``lines 2023 and 2036``; ``L689-715`` as ``lines 689-715``."""
    parts = [re.sub(r"\s*-\s*L?", "-", p.strip()).lstrip("L")
             for p in re.split(r", |; |,| and ", refs)]
    if len(parts) == 1 and "-" not in parts[0]:
        return f"line {parts[0]}"
    return "lines " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1
                       else parts[0])


def expand(text: str) -> str:
    """``text`` with every short-key citation written out for a reader:
    ``000:L1997`` -> ``CPR & Southend operational plan 2019/20, line 1997 [000]``. Keys not in
    the list are left as written (:func:`unresolved` reports them)."""
    docs = documents()

    def one(m: re.Match) -> str:
        d = docs.get(m.group(1))
        return f"{d.short}, {_lines(m.group(2))} [{d.key}]" if d else m.group(0)

    def bare(m: re.Match) -> str:
        d = docs.get(m.group(1))
        return f"{d.short} [{d.key}]" if d else m.group(0)

    return CITATION.sub(one, BARE_KEY.sub(bare, text))
