"""Benchmark of national scale (a script, not a test): validation with overrides, a run of
N synthetic commissioners (:mod:`ccgmodels.inputs.synthetic`), and Monte Carlo time and peak
memory, each case in its own process so peak memory is its own.

Run: ``python benchmarks/bench_national.py [--quick] [--dask] [--full] [--scaling]
[--against DIR]``. Prints a Markdown table for docs/guide/uncertainty.md: 20 and 200 synthetic
CCGs and the bundled footprint, 10,000 and 1,000,000 runs, in-process and (``--dask``) on a
local dask cluster of 2 workers, in one run. Each Monte Carlo row gives µs a run (wall, and CPU: the
machine is shared, so the load average is printed with each row) beside a floor no model
keeping the same measures can beat (the draws, and writing and summing the kept arrays).
``--scaling`` gives the cost a run at 200 and at 1,000 commissioners instead (the file limits
raised for the 1,000 in that process only). ``--against DIR`` runs every case with the code in
DIR as well (e.g. ``/work/main``), each row beside the other, so that a before and an after
come from one run (and the footprint's mean on the same seed from each).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

CASE = r"""
import json, os, resource, sys, time
from ccgmodels.inputs import limits, paths
from ccgmodels.inputs.loading import apply_overrides, validate_data
from ccgmodels.inputs.synthetic import national
from ccgmodels.models import uncertainty as u
try:
    from ccgmodels.models.seeds import BLOCK
except ImportError:  # a checkout from before the seed rule had its own module
    BLOCK = u.BLOCK
from ccgmodels import run_scenario
kind, n, runs, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
overrides, engine = sys.argv[5] == "1", sys.argv[6]
out = {"load": os.getloadavg()[0]}
if n > 500:  # a national scenario of 1,000 commissioners is past the limits of one file
    limits.MAX_NODES, limits.MAX_FILE_BYTES = 10_000_000, 1 << 30
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
    if overrides:  # the old way is quadratic: six minutes at 200 commissioners
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
    t, c = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    how = {"workers": workers, "engine": engine} if workers else {}  # (the code before knew
    sim = u.simulate(s, runs=runs, seed=1, **how)                    # no engine)
    u.summarise(sim)
    out["mc_s"] = time.perf_counter() - t
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU of this process and of the worker processes it waited for (a dask cluster's
    # workers are not its children: their CPU is not counted)
    out["mc_cpu_s"] = (time.process_time() - c + done.ru_utime - children.ru_utime
                       + done.ru_stime - children.ru_stime)
    out["worker_peak_mb"] = done.ru_maxrss / 1024 if workers else 0.0
    out["kept"] = sim.kept_runs
    key = ("footprint", "do_something_surplus", "")
    out["mean"] = [float(x) for x in sim.exact[key]["mean"]] if key in sim.exact else None
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # a floor no implementation keeping these measures beats, in CPU time: the draws of a
    # run (a whole seed block of them), and writing and summing its kept arrays once (on
    # an array already touched: no first-touch faults); no model at all
    import numpy as np
    spec = u.spec_of(s)
    c = time.process_time()
    a, z = u.uniforms(spec, 1, 0, BLOCK)
    draws_us = (time.process_time() - c) / BLOCK * 1e6
    m = min(runs, 256)
    x = np.zeros((m, sum(v[0].size for v in sim.values.values())))
    c = time.process_time()
    for _ in range(4):
        np.multiply(a[:m, :1], 1.5, out=x)
        x.sum(axis=0)
    out["floor_us"] = draws_us + (time.process_time() - c) / (4 * m) * 1e6
out["load_end"] = os.getloadavg()[0]
out.setdefault("peak_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
"""


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process under it (from /proc)."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(c for c, pp in parent.items() if pp == p)
    return out


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size of ``pids`` together [MB]: a page shared by processes (a
    forked worker's copy-on-write pages) counted once, split between them."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total / 1024


def case(kind: str, n: int, runs: int, workers: int = 0, code: str | None = None,
         overrides: bool = True, engine: str = "process") -> dict:
    """One case in its own process, with the code of ``code`` (a checkout) when given;
    ``overrides`` times applying overrides too; ``workers`` processes of ``engine`` (a pool,
    or a local dask cluster). The process and its workers' memory together is sampled every
    quarter second (``tree_peak_mb``, Linux)."""
    env = dict(os.environ, PYTHONPATH=code) if code else None
    proc = subprocess.Popen([sys.executable, "-c", CASE, kind, str(n), str(runs), str(workers),
                             "1" if overrides else "0", engine],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=code, env=env)
    peak = 0.0
    while proc.poll() is None:
        if os.path.isdir("/proc"):
            peak = max(peak, _pss_mb(_descendants(proc.pid)))
        time.sleep(0.25)
    out, err = proc.communicate()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, "case", out, err)
    r = json.loads(out.strip().splitlines()[-1])
    r["tree_peak_mb"] = peak
    return r


def row(kind: str, n: int, runs: int, r: dict, workers: int = 0, code: str = "",
        engine: str = "process") -> str:
    name = f"{n} synthetic CCGs" if kind == "national" else "footprint_2019_20"
    how = ((f", dask {workers} workers" if engine == "dask" else f", {workers} processes")
           if workers else (", in-process" if runs else ""))
    ov = (f"{r['overrides_s']:.2f} / {r['overrides_copy_each_s']:.1f}"
          if "overrides_s" in r else "")
    us = (f"{r['mc_s'] / runs * 1e6:,.0f} / {r['mc_cpu_s'] / runs * 1e6:,.0f} "
          f"(floor {r['floor_us']:,.0f})" if runs and "floor_us" in r else
          f"{r['mc_s'] / runs * 1e6:,.0f} / {r['mc_cpu_s'] / runs * 1e6:,.0f}"
          if runs and "mc_cpu_s" in r else "")
    peak = (f"{r['tree_peak_mb']:.0f} ({r['peak_mb']:.0f} + {workers} x "
            f"{r['worker_peak_mb']:.0f})" if workers and engine == "process"
            else f"{r['peak_mb']:.0f}")
    return (f"| {name}, {runs:,} runs{how}{f' ({code})' if code else ''} | "
            f"{r.get('validate_s', float('nan')):.2f} | {ov} | "
            f"{r.get('run_s', float('nan')):.2f} | {r.get('mc_s', float('nan')):.1f} | {us} | "
            f"{r.get('kept', '')} | {peak} | {r['load']:.1f}-{r['load_end']:.1f} |")


def main() -> None:
    """Every case once, in-process and on ``--workers`` processes (2 by default; the numbers
    are the same); with ``--dask``, each Monte Carlo case also on a local dask cluster of as
    many workers, in the same run; ``--quick`` leaves out the cases over a minute; ``--full``
    adds 200 CCGs x 1,000,000 runs on the worker processes alone. ``--against DIR`` runs
    the other checkout in-process only (the code before had no process pool)."""
    quick, full, dask = "--quick" in sys.argv, "--full" in sys.argv, "--dask" in sys.argv
    scaling = "--scaling" in sys.argv
    against = sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else None
    workers = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else 2
    cases = [("national", 20, 0), ("national", 200, 0), ("national", 20, 10_000),
             ("footprint", 2, 100_000), ("footprint", 2, 1_000_000)]
    if not quick:
        cases += [("national", 200, 10_000), ("national", 20, 1_000_000)]
    if scaling:  # cost a run against the organisations, the same runs at each size
        cases = [("national", 200, 3000), ("national", 1000, 3000)]
    if "--only-full" in sys.argv:
        cases = []
    if full:
        cases.append(("national", 200, 1_000_000))
    print(f"load average at the start: {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs")
    print("| case | validate (s) | 5 overrides a CCG: one copy / copy each (s) | run (s) "
          "| Monte Carlo (s) | µs a run: wall / CPU | runs kept | peak memory (MB; on "
          "workers: the processes together, sampled, and each one's own peak) "
          "| load average (1 min, start-end) |")
    print("|---|---|---|---|---|---|---|---|---|")
    cost: dict[tuple, float] = {}
    for kind, n, runs in cases:
        alone = full and (kind, n, runs) == ("national", 200, 1_000_000)
        for code in ([None, against] if against and not alone else [None]):
            means = []
            ways = [0] if code or scaling else ([workers] if alone else [0, workers])
            for w in ways if runs else [0]:
                r = case(kind, n, runs, workers=w, code=code,
                         overrides=not (scaling or against or w))
                print(row(kind, n, runs, r, workers=w, code=code or ""), flush=True)
                if runs and not w:
                    cost[(code, n)] = r["mc_cpu_s"] / runs
                if r.get("mean") is not None:
                    means.append((w, r["mean"]))
            for w, mean in means if against or len(means) > 1 else []:
                print(f"| footprint mean do-something surplus by year [£k], "
                      f"{code or 'this code'}{f', {w} processes' if w else ''}: "
                      f"{', '.join(repr(x) for x in mean)} |", flush=True)
            if dask and runs and not code:
                print(row(kind, n, runs, case(kind, n, runs, workers=workers, code=code,
                                              overrides=False, engine="dask"),
                          workers=workers, code=code or "", engine="dask"), flush=True)
    for code in ([None, against] if against else [None]):
        if (code, 200) in cost and (code, 1000) in cost:
            print(f"\nCost a run (CPU) at 1,000 organisations / at 200, {code or 'this code'}: "
                  f"{cost[(code, 1000)] / cost[(code, 200)]:.2f}x")


if __name__ == "__main__":
    main()
