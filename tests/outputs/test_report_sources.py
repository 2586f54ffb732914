"""Sources anyone can follow: in every bundled scenario's report, every citation the text makes
resolves to a named document of the sources appendix, and every register link lands on it."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from ccgmodels.inputs import documents
from ccgmodels.inputs.loading import bundled_scenarios
from ccgmodels.outputs import report


def sections() -> list[str]:
    """The report's sections, as the bundled report notebook calls them (``rep.<name>()``)."""
    nb = json.loads(resources.files("ccgmodels.data").joinpath(
        "templates/scenario_report.ipynb").read_text(encoding="utf-8"))
    calls = [re.fullmatch(r"rep\.(\w+)\(\)", "".join(c["source"]).strip())
             for c in nb["cells"] if c["cell_type"] == "code"]
    return [m.group(1) for m in calls if m]


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").replace("&#x27;", "'")


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_citation_resolves_to_a_named_document_of_the_appendix(name):
    rep = report.build(name)
    names = sections()
    assert {"assumptions", "sources", "executive_summary"} <= set(names)
    body = "".join(getattr(rep, s)() for s in names if s != "sources")
    appendix = rep.sources()
    listed = set(re.findall(r'<tr id="source-([^"]+)">', appendix))
    # every document the scenario's sources cite has an entry with its title and publisher
    cited = {d.key for t in rep.scenario.sources.values() for d in documents.cited_in(t)}
    assert cited == listed
    for key in listed:
        d = documents.documents()[key]
        entry = re.search(rf'<tr id="source-{key}">(.*?)</tr>', appendix).group(1)
        assert d.title.replace("'", "&#x27;").replace("&", "&amp;")[:20] in entry \
            or d.title[:20] in visible(entry)
    text = visible(body)
    # no short-key citation is left for the reader to decode, and each written-out one
    # carries a key of the appendix
    assert not documents.CITATION.search(text), documents.CITATION.search(text).group(0)
    keys = set(re.findall(r"\[(\d{3}|W\d\d)\]", text))
    assert keys <= listed, keys - listed
    # every link of the register lands on an entry
    links = set(re.findall(r'href="#source-([^"]+)"', body))
    assert links <= listed, links - listed
    # nothing cites a web address no document claims, or a file that is not shipped
    assert documents.unresolved(text) == []
    assert "NOTES.md" not in text and "NOTES.md" not in visible(appendix)


def test_register_links_each_cited_assumption_to_its_entry():
    rep = report.build("cpr_2019_20")
    html = rep.assumptions()
    # the allocation's source, 000:L1980-L1984, written out and linked to the plan's entry
    assert ('CPR &amp; Southend operational plan 2019/20, lines 1980-1984 '
            '<a href="#source-000" class="cite">[000]</a>') in html
    # a full-text citation of a web document gets its key as a link after the text
    assert '<a href="#source-W01" class="cite">[W01]</a>' in html
    assert 'id="source-W01"' in rep.sources()
