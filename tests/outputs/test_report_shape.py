"""The report as a board paper (issue 29): page one carries the title block and the answer,
the body is what a board reads, and the registers and methods are lettered appendices, in the
order :data:`ccgmodels.outputs.report.SECTIONS` declares."""

from __future__ import annotations

import re

import pytest

from ccgmodels.outputs import document, report, tables


@pytest.fixture(scope="module")
def rep():
    return report.build("cpr_2019_20", runs=50, seed=1)


def headings(html: str, level: int = 2) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(rf"<h{level}>(.*?)</h{level}>", html)]


def test_every_section_is_a_method_and_appendices_come_last():
    for part in report.SECTIONS:
        assert callable(getattr(report.Report, part.method)), part
    flags = [p.appendix for p in report.SECTIONS]
    assert flags == sorted(flags), "an appendix before a body section"
    assert {"schemes", "assumptions", "methods"} <= {p.method for p in report.SECTIONS
                                                      if p.appendix}


def test_page_one_carries_the_title_and_the_answer(rep):
    front = rep.front()
    assert front.startswith('<section class="front">')
    assert f"<h1>{document.esc(rep.scenario.title)}</h1>" in front
    end = rep.scenario.end_year
    sel = rep.results[(rep.results["org"] == rep.org) & (rep.results["year"] == end)]
    for measure in ("do_nothing_surplus", "do_something_surplus"):
        value = sel.loc[sel["measure"] == measure, "value"].sum()
        assert f'<p class="tile-value">{tables.money(value)}</p>' in front, measure
    assert "The risk" in front and "chance of at least break-even" in front
    assert front.count("<figure") == 1  # one chart
    assert headings(front) == ["Executive summary"]


def test_the_body_has_no_register_and_the_appendices_are_lettered_in_order(rep):
    body, appendices = rep.body(), rep.appendices()
    assert "Assumptions register" not in " ".join(headings(body))
    assert "scheme register" not in " ".join(headings(body)).lower()
    assert headings(appendices) == ["Appendix A: QIPP scheme register",
                                    "Appendix B: Assumptions register",
                                    "Appendix C: Methods and definitions",
                                    "Appendix D: Sources"]
    assert appendices.count('class="keep appendix"') == 4
    assert rep.document() == rep.front() + body + appendices


def test_a_section_with_nothing_to_show_takes_no_letter(rep, monkeypatch):
    monkeypatch.setattr(report.Report, "schemes", lambda self: document.Html(""))
    assert headings(rep.appendices())[0] == "Appendix A: Assumptions register"


def test_an_appendix_must_be_a_section_and_keeps_its_attributes():
    with pytest.raises(ValueError, match="level-2 heading"):
        document.appendix("<p>not a section</p>", "A")
    assert document.appendix('<section class="keep" id="sources"><h2 id="s">Sources</h2>'
                             "</section>", "D") == (
        '<section class="keep appendix" id="sources"><h2 id="s">Appendix D: Sources</h2>'
        "</section>")


def test_register_columns_fit_their_widest_value_and_the_type_shrinks_to_the_page(rep):
    from ccgmodels.outputs import register

    reg = register.assumptions_register(rep.scenario)
    years = [c for c in reg.columns if register.YEAR.match(str(c))]
    for _, rows in reg.groupby("Organisation", sort=False):
        used = [y for y in [*years, "All years"] if (rows[y] != "").any()]
        cols, size = document.register_columns(rows, used)
        widths = [float(w) for w in re.findall(r"width:([\d.]+)em", cols)]
        assert len(widths) == len(used) + 2  # unit, values, flag (the name takes the rest)
        assert document.REGISTER_SMALLEST <= size <= document.REGISTER_SIZE
        assert widths[-1] >= document.text_width("ASSUMPTION", True) * 0.9
        for y, w in zip(used, widths[1:-1], strict=True):
            assert w >= document.text_width(y, True) or y == "All years"
