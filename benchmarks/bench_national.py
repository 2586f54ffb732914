"""Benchmark of national scale (a script, not a test): validation with overrides, a run of
N synthetic commissioners (:mod:`ccgmodels.inputs.synthetic`), and Monte Carlo time and peak
memory, each case in its own process so peak memory is its own.

Run: ``python benchmarks/bench_national.py [--quick]``. Prints a Markdown table for the README.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

CASE = r"""
import json, resource, sys, time
from ccgmodels.inputs import paths
from ccgmodels.inputs.loading import apply_overrides, validate_data
from ccgmodels.inputs.synthetic import national
from ccgmodels.models import uncertainty as u
from ccgmodels import run_scenario
kind, n, runs, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
out = {}
if kind == "footprint":
    from ccgmodels.inputs.loading import load_scenario
    s = load_scenario("footprint_2019_20")
else:
    data = national(n)
    t = time.perf_counter()
    s, _ = validate_data(data, "syn")
    out["validate_s"] = time.perf_counter() - t
    ov = {f"organisations.ccg_{i + 1:03d}.{f}": v for i in range(n) for f, v in (
        ("contingency_rate", 0.004), ("qipp.headroom_rate", 0.25),
        ("expenditure.price_inflation", 0.03), ("allocation.growth.programme", 0.03),
        ("qipp.delivery_probability.in_progress", 0.5))}
    t = time.perf_counter()
    apply_overrides(data, ov, "syn")
    out["overrides_s"] = time.perf_counter() - t
    t = time.perf_counter()
    d = data
    for k, v in ov.items():  # the old way: a deep copy per override
        d = paths.set_path(d, k, v)
    out["overrides_copy_each_s"] = time.perf_counter() - t
    t = time.perf_counter(); run_scenario(s); out["run_s"] = time.perf_counter() - t
if runs:
    t = time.perf_counter()
    sim = u.simulate(s, runs=runs, seed=1, workers=workers or None)
    u.summarise(sim)
    out["mc_s"] = time.perf_counter() - t
    out["kept"] = sim.kept_runs
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def case(kind: str, n: int, runs: int, workers: int = 0) -> dict:
    r = subprocess.run([sys.executable, "-c", CASE, kind, str(n), str(runs), str(workers)],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    quick = "--quick" in sys.argv
    cases = [("national", 20, 0), ("national", 200, 0), ("national", 20, 10_000),
             ("footprint", 2, 100_000), ("footprint", 2, 1_000_000)]
    if not quick:
        cases.insert(3, ("national", 200, 10_000))
    print("| case | validate (s) | 5 overrides a CCG: one copy / copy each (s) | run (s) "
          "| Monte Carlo (s) | runs kept | peak memory (MB) |")
    print("|---|---|---|---|---|---|---|")
    for kind, n, runs in cases:
        t = time.perf_counter()
        r = case(kind, n, runs)
        name = f"{n} synthetic CCGs" if kind == "national" else "footprint_2019_20"
        ov = (f"{r['overrides_s']:.2f} / {r['overrides_copy_each_s']:.1f}"
              if "overrides_s" in r else "")
        print(f"| {name}, {runs:,} runs | {r.get('validate_s', float('nan')):.2f} | {ov} | "
              f"{r.get('run_s', float('nan')):.2f} | {r.get('mc_s', float('nan')):.1f} | "
              f"{r.get('kept', '')} | {r['peak_mb']:.0f} |", flush=True)
        del t
    print()
    print("| footprint_2019_20, 100,000 runs | in-process (s) | dask, 2 workers (s) |")
    print("|---|---|---|")
    a, b = case("footprint", 2, 100_000), case("footprint", 2, 100_000, workers=2)
    print(f"| | {a['mc_s']:.1f} | {b['mc_s']:.1f} |")


if __name__ == "__main__":
    main()
