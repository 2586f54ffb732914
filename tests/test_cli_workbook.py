"""``ccgmodels workbook export|import|new``, and ``validate``, ``run`` and ``report`` (planning)
taking an assumptions workbook directly, imported in memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from books import edit

from ccgmodels.batch.reports import expand_sources, plan, undrawn_line
from ccgmodels.inputs.loading import load_scenario

#: slow: every test starts the command line in a new process
pytestmark = pytest.mark.slow


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ccgmodels", *args], capture_output=True,
                          text=True, timeout=180, cwd=cwd)


def test_export_then_import_writes_the_same_scenario_as_yaml(tmp_path):
    book, yaml_file = tmp_path / "plan.xlsx", tmp_path / "scenario.yaml"
    r = run_cli("workbook", "export", "footprint_2019_20_tight_funding", "-o", str(book))
    assert r.returncode == 0, r.stderr
    r = run_cli("workbook", "import", str(book), "-o", str(yaml_file))
    assert r.returncode == 0, r.stderr
    assert load_scenario(yaml_file).model_dump() == \
        load_scenario("footprint_2019_20_tight_funding").model_dump()
    assert "sources:" in yaml_file.read_text(encoding="utf-8")


def test_import_of_a_broken_workbook_exits_2_naming_each_cell(tmp_path):
    book = tmp_path / "plan.xlsx"
    assert run_cli("workbook", "export", "cpr_2019_20", "-o", str(book)).returncode == 0
    # 000:L2021: CPR's QIPP rate is 3%, typed here as 3.4 instead of 3.4%
    refs = edit(book, ("Solutions", "cpr_ccg", "qipp.rate", "Value (every year)", 3.4),
                ("QIPP", "cpr_ccg", "avastin", "Status", "planned"))
    r = run_cli("workbook", "import", str(book), "-o", str(tmp_path / "out.yaml"))
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert f"{book}: {refs[0]}: organisations.cpr_ccg.qipp.rate: 3.4 is above 1: rates are " \
        "fractions, not per cent (did you mean 0.034?) (got 3.4)" in lines
    assert any(line.startswith(f"{book}: {refs[1]}: organisations.cpr_ccg.qipp.schemes"
                               ".avastin.status: ") for line in lines), lines
    assert lines[-1] == "2 problems found"
    assert not (tmp_path / "out.yaml").exists()


def test_new_writes_a_blank_that_names_what_to_fill(tmp_path):
    blank = tmp_path / "blank.xlsx"
    r = run_cli("workbook", "new", "-o", str(blank), "--org", "ccg:north_icb:NHS North ICB")
    assert r.returncode == 0, r.stderr
    r = run_cli("validate", str(blank))
    assert r.returncode == 2
    assert f"{blank}: Efficiency!" in r.stderr and "example row" in r.stderr  # 2025/26: ICB era
    assert f"{blank}: Scenario!G5: name: required field is missing" in r.stderr
    bad = run_cli("workbook", "new", "-o", str(tmp_path / "x.xlsx"), "--org", "trust:x")
    assert bad.returncode == 2 and "expected KIND:ID[:NAME]" in bad.stderr
    assert run_cli("workbook", "new", "-o", str(tmp_path / "x.yaml")).returncode == 2


def test_run_takes_a_workbook_and_gives_the_yaml_results(tmp_path):
    book = tmp_path / "plan.xlsx"
    assert run_cli("workbook", "export", "southend_2019_20", "-o", str(book)).returncode == 0
    for source, out in ((str(book), "from_book"), ("southend_2019_20", "from_yaml")):
        r = run_cli("run", source, "--out", str(tmp_path / out))
        assert r.returncode == 0, r.stderr
    a, b = (pd.read_csv(tmp_path / out / "southend_2019_20" / "results.csv")
            for out in ("from_book", "from_yaml"))
    pd.testing.assert_frame_equal(a, b)


def test_report_planning_takes_workbooks_and_lists_their_problems(tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    for path in (good, bad):
        assert run_cli("workbook", "export", "cpr_2019_20", "-o", str(path)).returncode == 0
    refs = edit(bad, ("Scenario", None, "name", "Value (every year)", "cpr two"))
    assert expand_sources([str(tmp_path / "*.xlsx")]) == [str(bad), str(good)]
    assert expand_sources([str(tmp_path / "*")]) == [str(tmp_path / "*")]  # YAML only
    planned = plan([str(good), str(bad)], tmp_path / "reports")
    assert [t.name for t in planned.tasks] == ["cpr_2019_20"]
    assert planned.tasks[0].assumptions == load_scenario("cpr_2019_20").model_dump(mode="json")
    (invalid,) = planned.invalid
    assert invalid["error"]["problems"][0].startswith(f"{bad}: {refs[0]}: name: ")



def test_a_report_without_runs_says_its_uncertainty_sheet_is_not_drawn(tmp_path):
    """A report made from a workbook with ranges and no --runs says aloud that the ranges are
    not drawn (issue 29), and --help says when compare.xlsx is written."""
    book = tmp_path / "plan.xlsx"
    assert run_cli("workbook", "export", "cpr_2019_20", "-o", str(book)).returncode == 0
    planned = plan([str(book)], tmp_path / "reports")
    ranges = len(load_scenario("cpr_2019_20").uncertainty)
    line = undrawn_line(planned, 0)
    assert ranges > 0 and f"cpr_2019_20 ({ranges})" in line, line
    assert "Uncertainty sheet" in line and "--runs 1000" in line, line
    assert undrawn_line(planned, 500) == ""
    helped = run_cli("report", "--help").stdout.replace("\n", " ")
    assert "compare.xlsx too when two or more reports" in " ".join(helped.split())

# --- issue 25: -o follows the safe writer's rules ------------------------------------------


def test_o_never_replaces_a_users_file_the_input_a_fifo_or_a_folder(tmp_path, capsys):
    import os
    import stat

    from ccgmodels.cli import main

    book = tmp_path / "plan.xlsx"
    assert main(["workbook", "export", "cpr_2019_20", "-o", str(book)]) == 0
    book.chmod(0o640)
    assert main(["workbook", "export", "cpr_2019_20", "-o", str(book)]) == 0  # ours: replaced
    assert stat.S_IMODE(book.stat().st_mode) == 0o640  # its permissions kept
    mine = tmp_path / "mine.xlsx"
    mine.write_text("my own")
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    link = tmp_path / "link.xlsx"
    link.symlink_to(mine)
    capsys.readouterr()
    for argv, why in (
            (["workbook", "export", "cpr_2019_20", "-o", str(mine)], "--force"),
            (["workbook", "new", "-o", str(mine)], "--force"),
            (["workbook", "export", str(book), "-o", str(book), "--force"], "reads"),
            (["workbook", "import", str(book), "-o", str(book), "--force"], "reads"),
            (["workbook", "export", "cpr_2019_20", "-o", str(fifo), "--force"], "FIFO"),
            (["workbook", "export", "cpr_2019_20", "-o", str(folder), "--force"], "folder"),
            (["workbook", "import", str(book), "-o", str(tmp_path), "--force"], "folder"),
            (["workbook", "new", "-o", str(link), "--force"], "symbolic link"),
            (["workbook", "import", str(book), "-o", str(tmp_path / ("a" * 300))],
             "too long")):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and why in err[0] and "Traceback" not in err[0], (argv, err)
    assert mine.read_text() == "my own" and stat.S_ISFIFO(fifo.lstat().st_mode)
    assert link.is_symlink() and folder.is_dir()
    assert main(["workbook", "new", "-o", str(mine), "--force"]) == 0  # asked for: replaced
    assert mine.read_bytes()[:2] == b"PK"


def test_o_refuses_a_workbook_saved_since_and_a_yaml_not_written_by_import(tmp_path, capsys):
    import openpyxl

    from ccgmodels.cli import main

    book, out = tmp_path / "plan.xlsx", tmp_path / "s.yaml"
    assert main(["workbook", "export", "cpr_2019_20", "-o", str(book)]) == 0
    assert main(["workbook", "import", str(book), "-o", str(out)]) == 0
    assert main(["workbook", "import", str(book), "-o", str(out)]) == 0  # ours: replaced
    out.write_text("name: my_own\n")
    wb = openpyxl.load_workbook(book)
    wb.properties.lastModifiedBy = "A. Finance"  # as Excel saves it
    wb.save(book)
    capsys.readouterr()
    assert main(["workbook", "import", str(book), "-o", str(out)]) == 2
    assert main(["workbook", "export", "cpr_2019_20", "-o", str(book)]) == 2
    assert capsys.readouterr().err.count("--force") == 2
    assert out.read_text() == "name: my_own\n"
