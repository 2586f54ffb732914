"""The benchmarks' own inputs stay valid as the model's rules change (a benchmark that fails
at its first step measures nothing): the report benchmark's generated what-if files validate,
and so do the workbook benchmark's national scenarios with their sources. (The national
generator's scenarios are validated in tests/models/test_national.py.)"""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import REPO

from ccgmodels.inputs.loading import check


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_report_benchmark_variants_validate(tmp_path):
    bench = _bench("bench_reports")
    paths = bench.write_variants(tmp_path, 6)
    assert len(paths) == 6
    for path in paths:
        scenario, _, problems = check(str(path))
        assert problems == [], f"{path.name}: {problems}"
        assert scenario.name == path.stem
        assert "tariff efficiency" in scenario.description


def test_workbook_benchmark_scenarios_validate_with_a_source_per_organisation():
    bench = _bench("bench_workbook")
    scenario, how = bench.scenario(4)
    assert how == "limits"  # validated as ccgmodels would, not only by the typed models
    ids = {o.id for o in scenario.organisations}
    owners = {k.split(".")[1] for k in scenario.sources if k.startswith("organisations.")}
    assert owners == ids  # every organisation's figures have sources, each under its own id
    copied = {k for k in scenario.sources if k.startswith("organisations.ccg_001.")}
    assert len(copied) == len([k for k in scenario.sources
                               if k.startswith("organisations.ccg_004.")]) > 10


def test_risk_fan_compares_one_seed_with_and_without_the_registers(tmp_path, capsys):
    import yaml
    from risk_scenarios import with_registers

    bench = _bench("risk_fan")
    path = tmp_path / "registered.yaml"
    path.write_text(yaml.safe_dump(with_registers()), encoding="utf-8")
    bench.main([str(path), "--runs", "40", "--seed", "5"])
    out = capsys.readouterr().out
    rows = {line.split(" | ")[0].strip("| "): line for line in out.splitlines()
            if line.startswith("| ") and "P10" not in line}
    # the registers draw from their own stream: the do-something fan is the same without them
    without = rows["without registers: do-something"].split(" | ")[1:]
    assert rows["with registers: do-something"].split(" | ")[1:] == without
    assert "registers on cpr_ccg, suhft" in out and "fan width" in out


@pytest.mark.slow  # new processes
def test_national_benchmark_case_runs_on_worker_processes():
    # one small case as the benchmark runs it (its own process, the worker pool, the memory
    # of the processes sampled together): the same mean as in-process, and its row printed
    bench = _bench("bench_national")
    one = bench.case("footprint", 2, 25_000, overrides=False)  # three chunks
    two = bench.case("footprint", 2, 25_000, workers=2, overrides=False)
    assert one["mean"] == two["mean"] and len(one["mean"]) == 5
    assert two["tree_peak_mb"] > 0 and two["worker_peak_mb"] > 0
    row = bench.row("footprint", 2, 25_000, two, workers=2)
    assert row.startswith("| footprint_2019_20, 25,000 runs, 2 processes |")
