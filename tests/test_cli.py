"""The command line (``python -m ccgmodels``): run outputs, manifest, schema and catalogue.

Commands run as subprocesses, as a user would run them; each test asserts on files written into
``tmp_path`` or on the committed schema and measure catalogue.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ccgmodels import __version__
from ccgmodels.inputs.loading import bundled_scenarios, check, load_scenario
from ccgmodels.inputs.scenario import Scenario
from ccgmodels.models.measures import MEASURES, catalogue_markdown
from ccgmodels.models.results import COLUMNS, compare
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs.tables import money

#: slow: commands run as subprocesses, as a user would run them
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "ccgmodels" / "data" / "scenarios"
SCHEMA = REPO / "ccgmodels" / "data" / "scenario.schema.json"
MEASURES_DOC = REPO / "docs" / "measures.md"
BAD = Path(__file__).parent / "bad_scenarios"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ccgmodels", *args], capture_output=True,
                          text=True, timeout=120)


def read_results(folder: Path) -> pd.DataFrame:
    # keep_default_na=False: an empty item stays "" rather than NaN
    return pd.read_csv(folder / "results.csv", keep_default_na=False,
                       dtype={"item": str, "year": str})


@pytest.fixture(scope="module")
def cpr_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run")
    r = run_cli("run", "cpr_2019_20", "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out / "cpr_2019_20"


@pytest.fixture(scope="module")
def bundled_runs() -> dict[str, pd.DataFrame]:
    return {name: run_scenario(name) for name in sorted(bundled_scenarios())}


# --- run: results.csv and manifest.json --------------------------------------------------------


def test_results_csv_columns_exactly(cpr_run):
    header = (cpr_run / "results.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == ["scenario", "org", "year", "measure", "item", "value",
                                 "value_real", "unit", "kind"]
    assert COLUMNS == header.split(",")


def test_results_item_empty_where_no_breakdown(cpr_run):
    df = read_results(cpr_run)
    # surplus has no breakdown (measures.MEASURES['surplus'].items == "")
    assert set(df.loc[df["measure"] == "surplus", "item"]) == {""}
    assert "" not in set(df.loc[df["measure"] == "allocation", "item"])
    assert set(df["scenario"]) == {"cpr_2019_20"}
    assert set(df["org"]) == {"cpr_ccg", "footprint"}


def test_results_values_match_plan(cpr_run):
    df = read_results(cpr_run)
    row = df.query("org == 'cpr_ccg' and measure == 'allocation' and item == 'programme' "
                   "and year == '2019/20'")
    assert row["value"].item() == pytest.approx(247026)  # 000:L1981, 19/20 programme
    assert row["unit"].item() == "£k"


def test_manifest_records_version_hash_assumptions_seed_time(cpr_run):
    m = json.loads((cpr_run / "manifest.json").read_text(encoding="utf-8"))
    assert m["version"] == __version__
    assert "git_commit" in m  # a commit id inside a checkout, null outside one
    if m["git_commit"] is not None:
        assert re.fullmatch(r"[0-9a-f]{40}", m["git_commit"])
    text = (SCENARIOS / "cpr_2019_20.yaml").read_bytes()
    assert m["scenario_sha256"] == hashlib.sha256(text).hexdigest()
    assert m["assumptions"] == load_scenario("cpr_2019_20").model_dump(mode="json")
    assert "seed" in m
    for when in ("started", "finished"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", m[when])
    assert m["rows"] == len(read_results(cpr_run))
    # one manifest format for run and report: the same fields, and the hash of every file
    assert (m["format"], m["kind"]) == ("ccgmodels-manifest/1", "run")
    assert m["scenario_file"] == "<bundled>/cpr_2019_20.yaml"
    assert m["files_sha256"] == {"results.csv": hashlib.sha256(
        (cpr_run / "results.csv").read_bytes()).hexdigest()}


def test_bundled_name_and_file_path_give_same_results(cpr_run, tmp_path):
    r = run_cli("run", str(SCENARIOS / "cpr_2019_20.yaml"), "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    by_path = read_results(tmp_path / "cpr_2019_20")
    by_name = read_results(cpr_run)
    assert len(by_path) == len(by_name)
    assert compare(by_path, by_name, tol=0).empty
    m_path = json.loads((tmp_path / "cpr_2019_20" / "manifest.json").read_text())
    m_name = json.loads((cpr_run / "manifest.json").read_text())
    assert m_path["scenario_sha256"] == m_name["scenario_sha256"]


def test_bad_scenario_among_good_writes_nothing(tmp_path):
    out = tmp_path / "out"
    r = run_cli("run", "cpr_2019_20", str(BAD / "percent_rate.yaml"), "southend_2019_20",
                "--out", str(out))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "qipp.rate" in r.stderr
    assert not out.exists()


def test_bad_set_on_run_exit_2_writes_nothing(tmp_path):
    out = tmp_path / "out"
    r = run_cli("run", "cpr_2019_20", "--out", str(out), "--set", "name")
    assert r.returncode == 2
    assert "expected path=value" in r.stderr
    assert not out.exists()


# --- schema ------------------------------------------------------------------------------------


def test_schema_command_prints_model_schema():
    r = run_cli("schema")
    assert r.returncode == 0
    assert json.loads(r.stdout) == Scenario.model_json_schema()


def test_committed_schema_is_current():
    committed = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert committed == Scenario.model_json_schema(), (
        "regenerate: .venv/bin/ccgmodels schema > ccgmodels/data/scenario.schema.json")


def _types(prop: dict) -> set[str]:
    """Every JSON type a property (or its union, list items, dict values) can take."""
    out = {prop["type"]} if isinstance(prop.get("type"), str) else set(prop.get("type", []))
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in prop.get(key, []):
            out |= _types(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(prop.get(key), dict):
            out |= _types(prop[key])
    return out


def _properties() -> list[tuple[str, str, dict]]:
    schema = Scenario.model_json_schema()
    models = {**schema["$defs"], "Scenario": schema}
    return [(model, name, prop) for model, d in models.items()
            for name, prop in d.get("properties", {}).items()]


def test_schema_walks_every_model():
    models = {m for m, _, _ in _properties()}
    assert {"Scenario", "Commissioner", "Provider", "SocialCare", "Scheme", "BridgeYear",
            "Distribution"} <= models
    assert len(_properties()) > 80


def test_every_property_has_a_description():
    missing = [f"{m}.{n}" for m, n, p in _properties() if not p.get("description")]
    assert missing == []


UNIT = re.compile(r"\[[^\]]+\]")


def test_every_numeric_property_gives_a_unit():
    missing = [f"{m}.{n}" for m, n, p in _properties()
               if _types(p) & {"number", "integer"} and not UNIT.search(p["description"])]
    assert missing == []


# --- measures ---------------------------------------------------------------------------------


def test_catalogue_command_matches_committed_docs():
    r = run_cli("catalogue")
    assert r.returncode == 0
    assert r.stdout == catalogue_markdown()
    assert MEASURES_DOC.read_text(encoding="utf-8") == catalogue_markdown(), (
        "regenerate: .venv/bin/ccgmodels catalogue > docs/measures.md")


def test_every_emitted_measure_is_catalogued(bundled_runs):
    for name, df in bundled_runs.items():
        emitted = set(df["measure"])
        assert emitted <= set(MEASURES), f"{name}: {sorted(emitted - set(MEASURES))}"
        units = df.groupby("measure")["unit"].unique()
        for measure, found in units.items():
            assert list(found) == [MEASURES[measure].unit], (name, measure)


REQUIRED = {
    "activity": None,
    "activity_cost": None,
    "allocation": None,
    "expenditure": None,
    "surplus": None,
    "do_nothing_surplus": None,
    "do_nothing_cumulative_surplus": None,
    "solutions": {"efficiency", "demand_mitigation", "schemes", "stf", "social_care", "total"},
    "do_something_surplus": None,
    "pc_bridge": {"income", "expenditure", "in_year_position", "workforce", "estates",
                  "other_enablers", "future_model", "baseline_funding", "stf", "end_state"},
    "qipp": {"target", "identified", "risk_adjusted", "unidentified", "headroom_target",
             "pipeline_target"},
    "qipp_scheme": None,
}


@pytest.mark.parametrize("measure", sorted(REQUIRED))
def test_required_measures_in_a_bundled_run(bundled_runs, measure):
    df = bundled_runs["cpr_2019_20"]
    rows = df[(df["measure"] == measure) & (df["org"] == "cpr_ccg")]
    assert len(rows), f"{measure} missing from the cpr_2019_20 run"
    assert measure in MEASURES
    items = REQUIRED[measure]
    if items is not None:
        assert items <= set(rows["item"]), sorted(items - set(rows["item"]))


def test_qipp_scheme_rows_name_every_scheme(bundled_runs):
    df = bundled_runs["cpr_2019_20"]
    schemes = load_scenario("cpr_2019_20").org("cpr_ccg").qipp.schemes
    # the 27 of the QIPP plan and the 4 costed pipeline schemes; a described, uncosted
    # pipeline item has no number, so no row
    costed = {s.id for s in schemes if s.costed}
    assert set(df.loc[df["measure"] == "qipp_scheme", "item"]) == costed
    assert len(costed) == 31 and len(schemes) - len(costed) == 6


def test_list_names_bundled_scenarios():
    r = run_cli("list")
    assert r.stdout.split() == sorted(bundled_scenarios())
    assert {"cpr_2019_20", "southend_2019_20", "footprint_2019_20"} <= set(r.stdout.split())


@pytest.mark.parametrize("command", ["validate", "run"])
def test_malformed_set_exits_2_with_the_expected_form(command, tmp_path):
    # "--set nonsense" has no "=": a usage problem, reported in one line, nothing written
    proc = subprocess.run(
        [sys.executable, "-m", "ccgmodels", command, "cpr_2019_20", "--set", "nonsense",
         *(["--out", str(tmp_path / "out")] if command == "run" else [])],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "expected path=value" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_list_with_titles_for_a_person():
    r = run_cli("list", "--titles")
    lines = r.stdout.splitlines()
    assert [ln.split()[0] for ln in lines] == sorted(bundled_scenarios())
    assert any(ln.endswith("South east Essex CCGs 2019/20 plans (footprint)") for ln in lines)


def test_help_has_no_markup():
    for args in ([], ["report"], ["run"], ["list"]):
        r = run_cli(*args, "--help")
        assert r.returncode == 0
        assert "``" not in r.stdout and ":func:" not in r.stdout, args


def test_run_ends_with_the_headline_figures(tmp_path):
    r = run_cli("run", "cpr_2019_20", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "cpr_2019_20: Castle Point & Rochford CCG 2019/20 plan"
    # cpr 2023/24 from the results table, as plans print it
    df = read_results(tmp_path / "cpr_2019_20")
    end = df[(df["org"] == "footprint") & (df["measure"] == "do_something_surplus")
             & (df["year"] == "2023/24")]["value"].iloc[0]
    assert lines[1].startswith("  2023/24 (£k): allocation ")
    assert f"do something {money(end)}" in lines[1]
    assert "rows ->" not in r.stdout and "results.csv (" in lines[-1]


def test_set_problems_name_the_argument_and_names_suggest_bundled_ones(tmp_path):
    r = run_cli("validate", "cpr_2019_20", "--set",
                "organisations.cpr_ccg.allocation.growth.programme=abc")
    assert r.returncode == 2
    first = r.stderr.splitlines()[0]
    assert first.startswith("--set (applied to <bundled>/cpr_2019_20.yaml): "
                            "organisations.cpr_ccg.allocation.growth.programme:")
    assert "(got 'abc')" in first
    r = run_cli("run", "footprnt_2019_20", "--out", str(tmp_path))
    assert r.returncode == 2
    assert "did you mean footprint_2019_20" in r.stderr and "Traceback" not in r.stderr


def test_open_uses_a_browser_only_when_there_is_one(tmp_path, monkeypatch, capsys):
    import webbrowser

    from ccgmodels import cli

    page = tmp_path / "index.html"
    page.write_text("<html></html>")
    opened = []

    class Browser:
        def open(self, url):
            opened.append(url)
            return True

    monkeypatch.setattr(webbrowser, "get", lambda: Browser())
    cli._open(page)
    assert opened == [page.resolve().as_uri()]

    def none():
        raise webbrowser.Error("no runnable browser")

    monkeypatch.setattr(webbrowser, "get", none)
    cli._open(page)
    assert "no browser available here" in capsys.readouterr().err


# --- validate, and overrides the same from the command line and from Python ----------------
# (moved from tests/inputs/test_validation.py: a test of the inputs layer runs no command)

CPR = "organisations.cpr_ccg"
GROWTH = f"{CPR}.allocation.growth.programme"


@pytest.mark.slow  # the command line in a new process
def test_cli_validate_reports_all_files_exit_2_without_traceback():
    files = sorted(str(p) for p in BAD.glob("*.yaml"))
    r = run_cli("validate", *files)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stdout == ""
    # one line per problem plus the count: nan_inf has 2, several_problems 5, the others 1
    n = len(files) - 2 + 2 + 5
    assert r.stderr.splitlines()[-1] == f"{n} problems found"
    assert len(r.stderr.splitlines()) == n + 1


@pytest.mark.slow  # the command line in a new process
def test_cli_validate_missing_file_exit_2():
    r = run_cli("validate", "no/such/file.yaml")
    assert r.returncode == 2
    assert "no/such/file.yaml: file not found" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.slow  # the command line in a new process
def test_cli_validate_good_bundled_scenarios():
    r = run_cli("validate", *sorted(bundled_scenarios()))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(": ok (") == len(bundled_scenarios())


def cli_problems(stderr: str) -> list[str]:
    return stderr.splitlines()[:-1]


@pytest.mark.slow  # the command line in a new process
def test_bad_override_same_problem_from_cli_and_python():
    r = run_cli("validate", "cpr_2019_20", "--set", f"{GROWTH}=5")
    assert r.returncode == 2
    _, _, problems = check("cpr_2019_20", {GROWTH: 5})
    assert cli_problems(r.stderr) == [str(p) for p in problems]
    assert [(p.path, p.value) for p in problems] == [(GROWTH, 5)]
    assert "did you mean 0.05?" in problems[0].message


@pytest.mark.slow  # the command line in a new process
def test_bad_override_path_same_from_cli_and_python():
    path = f"{CPR}.qipp.schemes.avastine.net_saving"
    r = run_cli("validate", "cpr_2019_20", "--set", f"{path}=100")
    _, _, problems = check("cpr_2019_20", {path: 100})
    assert r.returncode == 2
    assert cli_problems(r.stderr) == [str(p) for p in problems]
    assert "did you mean 'avastin'?" in problems[0].message


@pytest.mark.slow  # the command line in a new process
def test_good_override_same_results_from_cli_and_python(tmp_path):
    r = run_cli("run", "cpr_2019_20", "--out", str(tmp_path), "--set", f"{GROWTH}=0.03")
    assert r.returncode == 0, r.stderr
    from_cli = pd.read_csv(tmp_path / "cpr_2019_20" / "results.csv", keep_default_na=False)
    from_python = run_scenario("cpr_2019_20", {GROWTH: 0.03})
    assert compare(from_cli, from_python, tol=1e-5).empty
    # and the override took effect: 2020/21 programme allocation = 247026 * 1.03 (000:L1981)
    row = from_python.query("org == 'cpr_ccg' and measure == 'allocation' and "
                            "item == 'programme' and year == '2020/21'")
    assert row["value"].item() == pytest.approx(247026 * 1.03)


@pytest.mark.slow  # the command line in a new process
def test_icb_example_validates_and_runs(tmp_path):
    # the ICB-era example under tests (invented figures): validate, then run end to end; the
    # results carry the breakeven rule per body and year, the places and the restatement
    example = REPO / "tests" / "scenarios" / "icb_example_2025_26.yaml"
    r = run_cli("validate", str(example))
    assert r.returncode == 0, r.stderr
    assert "icb_example_2025_26" in r.stdout
    r = run_cli("run", str(example), "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    df = read_results(tmp_path / "icb_example_2025_26")
    assert set(df["measure"]) <= set(MEASURES)
    rule = df[(df["measure"] == "business_rule") & (df["item"] == "breakeven")]
    assert sorted(set(rule["org"])) == ["example_trust", "merged_icb"]
    assert len(rule) == 2 * 4
    assert {"north", "south"} == set(df[df["measure"] == "place_allocation"]["item"])
    assert {"north_icb", "south_icb", "total"} == set(
        df[df["measure"] == "restated_allocation"]["item"])
    assert not df["org"].isin(["north_icb", "south_icb"]).any()


@pytest.mark.slow  # the command line in new processes
def test_icb_workbook_export_then_import_gives_the_scenario_back(tmp_path):
    # the ICB era's assumptions workbook (issue 27): export, import, the same scenario
    example = REPO / "tests" / "scenarios" / "icb_example_2025_26.yaml"
    out = tmp_path / "icb.xlsx"
    r = run_cli("workbook", "export", str(example), "-o", str(out))
    assert r.returncode == 0, r.stderr
    r = run_cli("workbook", "import", str(out), "-o", str(tmp_path / "back.yaml"))
    assert r.returncode == 0, r.stderr
    assert load_scenario(tmp_path / "back.yaml").model_dump() == \
        load_scenario(example).model_dump()


@pytest.mark.slow  # the command line in a new process
def test_run_prints_the_era_s_words(tmp_path):
    """A run's terminal lines use the scenario's era (issue 27): QIPP in 2019/20, efficiency
    for the same scenario stated in the ICB era."""
    old = run_cli("run", "cpr_2019_20", "--out", str(tmp_path / "old"))
    new = run_cli("run", "cpr_2019_20", "--set", "era=icb", "--out", str(tmp_path / "new"))
    assert old.returncode == new.returncode == 0, new.stderr
    assert "QIPP still to identify" in old.stdout
    lines = new.stdout.splitlines()[1:]  # after the scenario's own title
    assert "efficiency still to identify" in new.stdout
    assert not [w for w in lines if re.search(r"QIPP|\bCCG|\bSTP|[Cc]ontrol total", w)]
