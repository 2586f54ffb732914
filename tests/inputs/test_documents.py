"""The list of cited documents (ccgmodels/data/documents.yaml) and the citations in text.

Expected texts are written out by hand from the rule of :func:`documents.expand`: a short-key
citation ``KEY:Lnnn`` becomes ``<short name>, line nnn [KEY]``.
"""

from __future__ import annotations

import pytest

from ccgmodels.inputs import documents, refdata
from ccgmodels.inputs.loading import bundled_scenarios, load_scenario


def test_every_document_names_its_title_publisher_date_and_where():
    docs = documents.documents()
    assert {"000", "002", "003", "004"} <= set(docs)
    for key, d in docs.items():
        assert d.key == key
        for field in ("short", "title", "publisher", "date", "where"):
            assert getattr(d, field).strip(), (key, field)


def test_the_reference_tables_cite_only_listed_documents():
    """The reference data's ``source_file`` keys (data/README.md) are the documents' keys."""
    keys = set()
    for name in refdata.list_tables():
        table = refdata.load(name)
        if "source_file" in table:
            keys |= {str(k).zfill(3) for k in table["source_file"].dropna().unique()}
    assert keys and keys <= set(documents.documents()), sorted(keys)


def test_short_key_citations_are_written_out():
    assert documents.expand("000:L1997") == \
        "CPR & Southend operational plan 2019/20, line 1997 [000]"
    assert documents.expand("(000:L2023, L2036)") == \
        "(CPR & Southend operational plan 2019/20, lines 2023 and 2036 [000])"
    assert documents.expand("003:L126; L508-L512") == \
        "Essex Health and Wellbeing Board pack 2014, lines 126 and 508-512 [003]"
    assert documents.expand("000:L689-715") == \
        "CPR & Southend operational plan 2019/20, lines 689-715 [000]"
    # a key alone names the document; amounts and other numbers are left alone
    assert documents.expand("000 reports no change; £000 and 2,000 stay") == \
        "CPR & Southend operational plan 2019/20 [000] reports no change; £000 and 2,000 stay"
    # written out once only
    once = documents.expand("004:L66")
    assert documents.expand(once) == once


def test_documents_are_found_by_key_and_by_name():
    text = ("000:L1980 and 003:L419; HFMA, 'CCG allocations: fair shares', 26 February 2019, "
            "hfma.org.uk/news/healthcare-finance/feature/fair-shares---ccg-allocations")
    assert [d.key for d in documents.cited_in(text)] == ["000", "003", "W01"]
    assert documents.cited_in("ASSUMPTION: 2% a year") == []


def test_unresolved_citations_are_reported():
    assert documents.unresolved("000:L1 and hfma.org.uk/news/healthcare-finance/feature/"
                                "fair-shares---ccg-allocations") == []
    bad = documents.unresolved("001:L5; example.com/paper; NOTES.md 1.1.5")
    assert bad == ["001:L5: no document 001", "example.com/paper: no document has this address",
                   "NOTES.md: not shipped with the package"]


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenario_cites_only_listed_and_shipped_documents(name):
    s = load_scenario(name)
    bad = {k: documents.unresolved(v) for k, v in s.sources.items() if documents.unresolved(v)}
    assert not bad, bad
