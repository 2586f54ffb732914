"""Benchmark: the time of one explorer change for footprint_2019_20 (target < 250 ms median).

Run: ``.venv/bin/python benchmarks/bench_explorer.py``. Prints medians of repeated changes:

* numbers only: validate and run the scenario with the changes;
* one change as the analyst makes it: a control moved, its observer validating and running the
  scenario, then the headline, table and changes list rewritten and the chart on screen redrawn
  (a figure kept alive, :mod:`ccgmodels.outputs.livecharts`);
* the old redraw, for comparison: the same run, then the table and three report charts built
  from scratch with constrained layout and rasterised, as the explorer did before issue 17
  (353 ms median on this 2-core machine at commit 91616b2).
"""

import base64
import statistics
import time

from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import plotting, summaries, tables
from ccgmodels.outputs.widgets import Explorer

GROWTH = "allocation.growth_adjustment"
#: the old explorer's figure, measured with the old benchmark before the change [ms]
OLD_RECORDED = 353


def median_ms(step, repeats: int) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def old_redraw(explorer: Explorer) -> None:
    """What one change cost before: run, the table as HTML, three charts from scratch."""
    results = run_scenario(explorer.state.scenario())
    org = explorer.org
    tables.money_table(summaries.headline(results, org)).to_html()
    figs = [plotting.do_nothing_vs_something(results, org),
            plotting.allocation_vs_expenditure(results, org)]
    if ((results["org"] == org) & (results["measure"] == "pc_bridge")).any():
        figs.append(plotting.bridge_waterfall(results, org))
    for f in figs:
        base64.b64encode(plotting.to_png(f))


if __name__ == "__main__":
    ex = Explorer("footprint_2019_20", draw=True)
    ex.widget()
    slider = ex.controls[GROWTH]

    def move(i: int) -> None:
        slider.value = 0.5 + 0.1 * (i % 5)  # observed: the whole interactive path

    numbers = median_ms(lambda i: run_scenario(ex.state.scenario()), 20)
    change = median_ms(move, 20)
    old = median_ms(lambda i: old_redraw(ex), 5)
    print(f"numbers only (validate + run):       {numbers:4.0f} ms")
    print(f"one change, as the analyst makes it: {change:4.0f} ms (target < 250 ms)")
    print(f"old redraw, measured now:            {old:4.0f} ms "
          f"(recorded before issue 17: {OLD_RECORDED} ms)")
    print(f"speed-up:                            {old / change:4.1f}x")
