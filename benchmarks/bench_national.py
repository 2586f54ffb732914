"""Benchmark of national scale (a script, not a test): validation with overrides, a run of
N synthetic commissioners (:mod:`ccgmodels.inputs.synthetic`), and Monte Carlo time and peak
memory, each case in its own process so peak memory is its own.

Run: ``python benchmarks/bench_national.py [--quick] [--dask] [--full]``. Prints a Markdown table
for the README: 20 and 200 synthetic CCGs and the bundled footprint, 10,000 and 1,000,000
runs, in-process and (``--dask``) on a local dask cluster of 2 workers, in one run.
"""

from __future__ import annotations

import json
import subprocess
import sys

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


def row(kind: str, n: int, runs: int, r: dict, workers: int = 0) -> str:
    name = f"{n} synthetic CCGs" if kind == "national" else "footprint_2019_20"
    how = f", dask {workers} workers" if workers else (", in-process" if runs else "")
    ov = (f"{r['overrides_s']:.2f} / {r['overrides_copy_each_s']:.1f}"
          if "overrides_s" in r else "")
    return (f"| {name}, {runs:,} runs{how} | {r.get('validate_s', float('nan')):.2f} | {ov} | "
            f"{r.get('run_s', float('nan')):.2f} | {r.get('mc_s', float('nan')):.1f} | "
            f"{r.get('kept', '')} | {r['peak_mb']:.0f} |")


def main() -> None:
    """Every case once; with ``--dask``, each Monte Carlo case also with ``--workers 2``
    (dask.distributed LocalCluster) in the same run; ``--quick`` leaves out the cases over a
    minute; ``--full`` adds 200 CCGs x 1,000,000 runs (hours on 2 cores)."""
    quick, full, dask = "--quick" in sys.argv, "--full" in sys.argv, "--dask" in sys.argv
    cases = [("national", 20, 0), ("national", 200, 0), ("national", 20, 10_000),
             ("footprint", 2, 100_000), ("footprint", 2, 1_000_000)]
    if not quick:
        cases += [("national", 200, 10_000), ("national", 20, 1_000_000)]
    if full:
        cases.append(("national", 200, 1_000_000))
    print("| case | validate (s) | 5 overrides a CCG: one copy / copy each (s) | run (s) "
          "| Monte Carlo (s) | runs kept | peak memory (MB) |")
    print("|---|---|---|---|---|---|---|")
    for kind, n, runs in cases:
        print(row(kind, n, runs, case(kind, n, runs)), flush=True)
        if dask and runs:
            print(row(kind, n, runs, case(kind, n, runs, workers=2), workers=2), flush=True)


if __name__ == "__main__":
    main()
