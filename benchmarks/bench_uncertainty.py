"""Benchmark of the vectorised Monte Carlo (a script, not a test).

Times 10,000 runs of ``cpr_2019_20`` evaluated at once against a plain Python loop that calls
the deterministic model (:func:`ccgmodels.models.run.evaluate`, no tidy table) once per draw, the
loop timed over a few hundred draws and scaled up; then 10,000 runs of ``footprint_2019_20``
and the peak memory (tracemalloc) of 10,000 and 100,000 footprint runs (chunked).

Run: ``python benchmarks/bench_uncertainty.py``. Prints a Markdown table for
docs/guide/uncertainty.md.
"""

from __future__ import annotations

import platform
import time
import tracemalloc

import numpy as np

from ccgmodels.inputs.loading import load_scenario
from ccgmodels.inputs.scenario import Commissioner
from ccgmodels.models import run as model
from ccgmodels.models import uncertainty as u

RUNS = 10_000
LOOP_DRAWS = 300
SEED = 2019


def best_of(fn, repeat: int = 3) -> float:
    """Fastest of ``repeat`` wall-clock timings of ``fn()`` [s]."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def loop(scenario, n: int) -> None:
    """The same draws, one deterministic model call per run (the slow reference)."""
    spec = u.spec_of(scenario)
    drawn = u.draws(spec, SEED, 1, n + 1)
    uni, _ = u.uniforms(spec, SEED, 1, n + 1)
    for r in range(n):
        s = scenario
        for path, x in drawn.items():
            s = u.substitute(s, path, float(x[r]))
        col, delivery = len(spec.paths), {}
        for org_id, n_schemes in spec.schemes:
            o = s.org(org_id)
            assert isinstance(o, Commissioner)
            p = np.array([o.qipp.delivery_probability.get(sc.status, 0.0)
                          for sc in o.qipp.schemes] + [o.qipp.delivery_probability.get(
                              "unidentified", 0.0)])
            f = (uni[r, col:col + n_schemes + 1] < p) * 1.0
            delivery[org_id] = {"delivery": f[:n_schemes], "gap_delivery": f[-1]}
            col += n_schemes + 1
        model.evaluate(s, delivery)


def peak_memory(name: str, runs: int) -> float:
    """Peak traced memory of ``simulate`` [MiB]."""
    tracemalloc.start()
    u.simulate(name, runs, SEED)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    cpr = load_scenario("cpr_2019_20")
    u.simulate(cpr, 100, SEED)  # warm up imports and caches
    vec = best_of(lambda: u.simulate(cpr, RUNS, SEED))
    loop_time = best_of(lambda: loop(cpr, LOOP_DRAWS), repeat=1)
    loop_scaled = loop_time * RUNS / LOOP_DRAWS
    footprint = load_scenario("footprint_2019_20")
    fp = best_of(lambda: u.simulate(footprint, RUNS, SEED))
    mem_10k = peak_memory("footprint_2019_20", 10_000)
    mem_100k = peak_memory("footprint_2019_20", 100_000)

    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}; best of 3 unless stated")
    print(f"cpr_2019_20 vectorised, {RUNS:,} runs: {vec:.3f} s")
    print(f"cpr_2019_20 plain loop: timed {LOOP_DRAWS} draws in {loop_time:.3f} s, "
          f"scaled to {RUNS:,}: {loop_scaled:.1f} s")
    print(f"speed-up: {loop_scaled / vec:.0f}x")
    print(f"footprint_2019_20 vectorised, {RUNS:,} runs: {fp:.3f} s")
    print(f"peak memory footprint_2019_20: 10,000 runs {mem_10k:.0f} MiB; "
          f"100,000 runs {mem_100k:.0f} MiB")
    print()
    print("| Benchmark | Result |")
    print("|---|---|")
    print(f"| cpr_2019_20, {RUNS:,} runs, vectorised | {vec:.2f} s |")
    print(f"| cpr_2019_20, {RUNS:,} runs, loop over the deterministic model "
          f"({LOOP_DRAWS} timed, scaled) | {loop_scaled:.1f} s |")
    print(f"| speed-up | {loop_scaled / vec:.0f}x |")
    print(f"| footprint_2019_20, {RUNS:,} runs, vectorised | {fp:.2f} s |")
    print(f"| peak memory, footprint_2019_20, 10,000 runs | {mem_10k:.0f} MiB |")
    print(f"| peak memory, footprint_2019_20, 100,000 runs (chunks of 10,000) | "
          f"{mem_100k:.0f} MiB |")


if __name__ == "__main__":
    main()
