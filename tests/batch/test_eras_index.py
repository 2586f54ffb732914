"""The index page's headings in the era of the scenarios it lists (issue 27, item 1)."""

from __future__ import annotations

from ccgmodels.batch import pages


def _record(name: str, base_year: str, era: str | None = None) -> dict:
    record = {"name": name, "title": name, "status": "ok", "source": f"{name}.yaml",
              "headline": {"base_year": base_year, "end_year": base_year, "qipp_gap": 1.0}}
    return {**record, **({"era": era} if era else {})}


def test_the_index_speaks_the_era_its_scenarios_share(tmp_path):
    today = pages.index_html(tmp_path, [_record("plan_2026", "2025/26")], "now")
    assert "Efficiency gap, base year" in today and "QIPP" not in today
    stated = pages.index_html(tmp_path, [_record("old_as_new", "2019/20", "icb")], "now")
    assert "Efficiency gap, base year" in stated
    old = pages.index_html(tmp_path, [_record("plan_2019", "2019/20")], "now")
    assert "QIPP gap, base year" in old and "Efficiency" not in old
    mixed = pages.index_html(tmp_path, [_record("a", "2019/20"), _record("b", "2025/26")],
                             "now")
    assert "QIPP gap, base year" in mixed  # a mixed batch keeps the 2019/20 plans' words
    assert pages.record_problem(_record("x", "2025/26", "icb")) is None
