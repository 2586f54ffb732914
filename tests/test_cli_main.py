"""The command line run in-process (:func:`ccgmodels.cli.main`), for what a test of a lower layer
asks of it: quick, no new Python process (``tests/test_cli.py`` runs it as a user does)."""

from __future__ import annotations

import json

import pytest
from books import exported, without

from ccgmodels.cli import main


def test_by_year_through_set_on_the_command_line(tmp_path):
    out = tmp_path / "out"
    # a rate by year, given in one --set as a YAML mapping (in-process: no new Python)
    code = main(["run", "cpr_2019_20", "--out", str(out), "--set",
                 "organisations.cpr_ccg.allocation.growth.programme="
                 "{2020/21: 0.03, 2021/22: 0.03, 2022/23: 0.02, 2023/24: 0.02}"])
    assert code == 0
    assert (out / "cpr_2019_20" / "results.csv").is_file()


def test_cli_run_writes_uncertainty_csv_and_records_runs_and_seed(tmp_path, capsys):
    assert main(["run", "cpr_2019_20", "--runs", "50", "--seed", "12", "--out",
                 str(tmp_path)]) == 0
    folder = tmp_path / "cpr_2019_20"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["runs"], manifest["seed"]) == (50, 12)
    text = (folder / "uncertainty.csv").read_text()
    assert text.startswith("scenario,org,year,measure,item,stat,value,unit\n")
    assert ",prob_surplus_ge_0," in text and ",footprint," in text


def test_the_command_line_refuses_a_lost_sheet_with_exit_2(tmp_path, capsys):
    book = without(exported(tmp_path), "QIPP", "Sources")
    assert main(["validate", str(book)]) == 2
    err = capsys.readouterr().err
    assert "sheet 'QIPP' is missing" in err and "Traceback" not in err


@pytest.mark.slow  # worker processes
def test_cli_run_on_worker_processes_writes_the_same_uncertainty_csv(tmp_path):
    # the runs spread over two local processes (chunks of 10,000: two of them) give the same
    # file, byte for byte, as one process
    args = ["run", "footprint_2019_20", "--runs", "12000", "--seed", "4"]
    assert main([*args, "--out", str(tmp_path / "one")]) == 0
    assert main([*args, "--workers", "2", "--out", str(tmp_path / "two")]) == 0
    one, two = (tmp_path / d / "footprint_2019_20" / "uncertainty.csv" for d in ("one", "two"))
    assert one.read_bytes() == two.read_bytes() and len(one.read_bytes()) > 10_000
