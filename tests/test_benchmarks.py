"""The benchmarks' own inputs stay valid as the model's rules change (a benchmark that fails
at its first step measures nothing): the report benchmark's generated what-if files validate,
and so do the workbook benchmark's national scenarios with their sources. (The national
generator's scenarios are validated in tests/models/test_national.py.)"""

from __future__ import annotations

import importlib.util
import sys

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
