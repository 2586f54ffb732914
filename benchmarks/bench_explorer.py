"""Benchmark: time of one explorer recompute for footprint_2019_20 (target < 100 ms).

Run: ``.venv/bin/python benchmarks/bench_explorer.py``. Prints the median of repeated
recomputes: numbers only (validate + run_scenario) and with the table and charts redrawn.
"""

import statistics
import time

from ccgmodels.outputs.widgets import Explorer


def median_ms(explorer: Explorer, repeats: int) -> float:
    times = []
    for i in range(repeats):
        explorer.controls["allocation_growth"].value = 0.05 + 0.001 * (i % 2)  # not observed
        start = time.perf_counter()
        explorer.recompute()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


if __name__ == "__main__":
    numbers = Explorer("footprint_2019_20", draw=False)
    numbers.controls["allocation_growth"].unobserve_all()
    drawn = Explorer("footprint_2019_20", draw=True)
    drawn.controls["allocation_growth"].unobserve_all()
    print(f"recompute, numbers only: {median_ms(numbers, 20):.0f} ms (target < 100 ms)")
    print(f"recompute and redraw:    {median_ms(drawn, 5):.0f} ms")
