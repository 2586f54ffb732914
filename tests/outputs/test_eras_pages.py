"""The words of each era on the pages (issue 27, item 1): the 2014 and 2019/20 scenarios keep
their documents' words; a scenario of the ICB era (2022/23 on) shows no 2019 term and no
identifier on any page (the report, the tables' sheet names, the CLI's headline lines)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from ccgmodels.inputs import documents
from ccgmodels.inputs.loading import load_scenario
from ccgmodels.inputs.scenario import Scenario
from ccgmodels.models import measures
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import document, labels, narrative, report, summaries, tables

#: 2019 terms that no page of an ICB-era scenario may print (the scenario's own text apart)
FORBIDDEN = (r"\bCCGs?\b", r"\bSTPs?\b", r"\bQIPP\b", r"[Cc]ontrol totals?", r"\bSTF\b",
             r"[Tt]ariff efficiency", r"[Ff]ootprint", r"GPFV", r"GP Forward View",
             r"[Ss]ustainability and transformation", r"[Cc]o-commissioning")
#: every page of the report: page one, then the body and the appendices of report.SECTIONS
SECTIONS = ("front", "body", "appendices")
#: the ICB example (kind icb, places, a merger, deficit support; base year 2025/26)
ICB_EXAMPLE = Path(__file__).parents[1] / "scenarios" / "icb_example_2025_26.yaml"


def visible_text(page: str) -> str:
    """The text a reader sees: tags, styles and embedded images removed, entities decoded."""
    page = re.sub(r"<style.*?</style>|<script.*?</script>", " ", page, flags=re.S)
    page = re.sub(r'src="data:[^"]*"', " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def authored(scenario) -> list[str]:
    """Text the scenario file itself states (its title, names, sources): its author's words,
    not the model's, longest first."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and not labels.IDENTIFIER.fullmatch(node):
            found.append(" ".join(html.unescape(node).split()))
            # a source as the register prints it: its citations written out, each key a link
            # (a tag, so a space either side in the visible text)
            cited = re.sub(r"(\[(?:\d{3}|W\d\d)\])", r" \1 ",
                           documents.expand(html.unescape(node)))
            found.append(" ".join(cited.split()))

    walk(scenario.model_dump(mode="json"))
    # the cited documents' own names (ccgmodels/data/documents.yaml): their authors' words
    for d in documents.documents().values():
        found += [d.short, d.title, d.publisher, d.date, d.where]
    return sorted(set(found), key=len, reverse=True)


def model_words(text: str, scenario) -> str:
    """``text`` without the scenario's own words."""
    for s in authored(scenario):
        if len(s) > 2:
            text = text.replace(s, " ")
    return text


def forbidden_in(text: str) -> list[str]:
    return [f"{m.group(0)!r} in ...{text[max(0, m.start() - 60):m.end() + 40]}..."
            for pat in FORBIDDEN for m in re.finditer(pat, text)]


YEAR = re.compile(r"(\d{4})/(\d{2})")


def moved(data, years: int):
    """Plain scenario ``data`` with every financial year (keys and values) ``years`` later."""
    def later(text: str) -> str:
        return YEAR.sub(lambda m: f"{int(m[1]) + years}/{(int(m[1]) + years + 1) % 100:02d}",
                        text)

    if isinstance(data, dict):
        return {later(k) if isinstance(k, str) else k: moved(v, years) for k, v in data.items()}
    if isinstance(data, list):
        return [moved(v, years) for v in data]
    return later(data) if isinstance(data, str) and YEAR.fullmatch(data) else data


@pytest.fixture(scope="module")
def moved_report():
    """The 2014/15 scenario moved to a 2025/26 base year, no era stated: the ICB era."""
    s = load_scenario("essex_ccgs_2014_15")
    data = moved(s.model_dump(mode="json"), 2025 - int(s.base_year[:4]))
    return report.build(Scenario.model_validate(data), runs=20, seed=1)


@pytest.fixture(scope="module")
def icb_report():
    return report.build("footprint_2019_20", {"era": "icb"}, runs=20, seed=1)


@pytest.fixture(scope="module")
def ccg_report():
    return report.build("footprint_2019_20", runs=20, seed=1)


def test_an_icb_era_report_prints_no_2019_term_and_no_identifier(icb_report):
    assert icb_report.scenario.era == "icb"
    page = "".join(getattr(icb_report, s)() for s in SECTIONS)
    text = model_words(visible_text(page), icb_report.scenario)
    assert forbidden_in(text) == []
    assert document.no_identifiers(page) == []
    # the ICB era's own words are there
    for words in ("System summary", "Efficiency", "planned surplus", "System (2 ICBs)"):
        assert words in text, words


def test_a_scenario_moved_to_2025_26_is_in_the_icb_era_and_its_pages_say_so(moved_report):
    s = moved_report.scenario
    assert (s.base_year, s.era) == ("2025/26", "icb") and "era" not in s.model_dump()
    page = "".join(getattr(moved_report, sect)() for sect in SECTIONS)
    assert forbidden_in(model_words(visible_text(page), s)) == []
    assert document.no_identifiers(page) == []
    sheets = " ".join(moved_report.book)
    assert forbidden_in(sheets) == [] and "System summary 2025-26" in sheets


@pytest.mark.slow  # two whole reports with their Monte Carlo
@pytest.mark.parametrize("source", [str(ICB_EXAMPLE), "west_yorkshire_2026_27"],
                         ids=["icb_example", "current_plan"])
def test_an_icb_plan_s_pages_print_no_2019_term_and_no_identifier(source):
    """The ICB example and the bundled current plan: every section, sheet name, table title
    and row label in today's words, no identifier on a page."""
    rep = report.build(source, runs=20, seed=1)
    assert rep.scenario.era == "icb" and "icb" in {o.kind for o in rep.scenario.organisations}
    page = "".join(getattr(rep, s)() for s in SECTIONS)
    assert forbidden_in(model_words(visible_text(page), rep.scenario)) == []
    assert document.no_identifiers(page) == []
    titles = " ".join([*rep.book, *(t.title for t in rep.book.values()),
                       *(str(i) for t in rep.book.values() for i in t.frame.index)])
    assert forbidden_in(model_words(titles, rep.scenario)) == []
    assert "Breakeven" in rep.book and "Efficiency" in rep.book


def test_an_icb_era_reports_sheets_and_terminal_lines_are_in_todays_words(icb_report):
    sheets = " ".join(icb_report.book)
    titles = " ".join(t.title + " " + " ".join(map(str, t.frame.index))
                      for t in icb_report.book.values())
    lines = " ".join(tables.headline_lines(icb_report.cash, era="icb"))
    for text in (sheets, titles, lines):
        assert forbidden_in(model_words(text, icb_report.scenario)) == [], text
    assert "System summary 2019-20" in icb_report.book and "Efficiency" in icb_report.book


def test_a_2019_report_keeps_its_documents_words(ccg_report):
    page = "".join(getattr(ccg_report, s)() for s in SECTIONS)
    text = visible_text(page)
    for words in ("STP summary", "QIPP scheme register", "control total",
                  "Footprint (2 CCGs)", "Indicative STF Allocation", "QIPP schemes slip"):
        assert words in text, words
    assert "STP summary 2019-20" in ccg_report.book and "QIPP" in ccg_report.book
    assert document.no_identifiers(page) == []


def test_every_era_names_each_measure_and_the_2019_names_are_the_catalogues():
    for era in (None, "2014", "ccg", "icb"):
        for m in measures.MEASURES.values():
            shown = labels.label(m.name, era=era)
            assert shown == m.display_in(era) and not labels.identifiers_in(shown)
    assert labels.label("qipp", era="ccg") == labels.label("qipp") == "QIPP"
    assert labels.label("qipp", era="icb") == "Efficiency"
    assert labels.label("control_total", era="icb") == "Planned surplus (breakeven duty)"
    assert labels.kind_name("icb", 2) == "ICBs" and labels.kind_name("ccg", 1, "icb") == "ICB"
    for key, words in labels.TERMS.items():
        assert set(words) <= {"2014", "ccg", "icb"} and "ccg" in words, key
        assert forbidden_in(labels.term(key, "icb")) == [], key


def test_the_summary_and_methods_have_the_same_figures_in_either_eras_words():
    s = load_scenario("footprint_2019_20")
    results = run_scenario(s)
    old, new = (summaries.stp_summary(results, s.base_year, era) for era in ("ccg", "icb"))
    assert (old.to_numpy() == new.to_numpy()).all()
    assert list(new.index) == list(summaries.ICB_STP_ROWS)
    assert [t for t, _ in narrative.methods("icb")] == [t for t, _ in narrative.methods()]
    assert forbidden_in(" ".join(d for _, d in narrative.methods("icb"))) == []


def test_the_icb_era_summary_adds_each_body_once_and_carries_deficit_support():
    """The system summary of the ICB example: its total is the system's position (an ICB counted
    once), and deficit support sits on the non-recurrent support row, not in the bodies'."""
    s = load_scenario(str(ICB_EXAMPLE))
    results = run_scenario(s)
    for year in s.years:
        table = summaries.stp_summary(results, year, "icb")
        fp = results[(results["org"] == "footprint") & (results["year"] == year)
                     & (results["item"].fillna("") == "")].set_index("measure")["value"]
        total = table.loc["Total Surplus / (Deficit)"]
        assert total["Do Nothing"] == pytest.approx(fp["do_nothing_surplus"])
        assert total["Do Something"] == pytest.approx(fp["do_something_surplus"])
        support = results[(results["year"] == year) & (results["measure"] == "solutions")
                          & results["item"].isin(["stf", "deficit_support"])
                          & (results["org"] != "footprint")]["value"].sum()
        assert table.loc["Non-recurrent support funding", "Solutions"] == pytest.approx(support)
