"""Benchmark: what the user SEES redraw in the served app after a typed change, measured in a
real browser (targets: headline < 250 ms, chart < 500 ms, median).

Run: ``.venv/bin/python benchmarks/bench_app.py [SCENARIO] [--repeats N]``. It serves
``ccgmodels app SCENARIO`` (default ``footprint_2019_20``) on a free localhost port, opens it in
headless Chromium through chromedriver (:mod:`ccgmodels.app.probe`), and types a new
allocation growth in the footprint's box N times (alternating values, so each is a change),
pressing Enter. The page itself times each (:data:`ccgmodels.app.probe.TIMER_JS`): from the
Enter key to the headline figures rewritten and painted, and to the chart on screen's new
image decoded and painted; the kernel's validation and run, the messages both ways and the
browser's drawing are all inside. Prints the first load, the medians (and the spread), and the
load average, since on a shared 2-core machine the load moves every figure.

Needs the ``app`` extra, selenium, Chromium and chromedriver (as ``make test``'s browser tier).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ccgmodels.app import probe

#: the control typed in, by the start of its label
LABEL = "Allocation growth: change to the settlement"
#: values typed in turn [per cent]: each differs from the last
VALUES = ("1.0", "0.5")
#: targets [ms]
HEADLINE_TARGET, CHART_TARGET = 250, 500


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(scenario: str, repeats: int) -> dict:
    """``{"load": s, "headline": [ms], "chart": [ms]}`` of ``repeats`` typed changes."""
    with tempfile.TemporaryDirectory(prefix="bench_app_") as tmp:
        work = Path(tmp)
        proc, url = probe.serve(scenario, work / "saved", work)
        try:
            driver = probe.browser(work / "profile")
            try:
                first = probe.open_app(driver, url)
                probe.time_redraw(driver, LABEL, "0.2")  # warm-up: the first change
                head, chart = [], []
                for i in range(repeats):
                    h, c = probe.time_redraw(driver, LABEL, VALUES[i % len(VALUES)])
                    head.append(h)
                    chart.append(c)
                    time.sleep(0.3)  # the changes list and table settle before the next
                return {"load": first, "headline": head, "chart": chart}
            finally:
                driver.quit()
        finally:
            probe.stop(proc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="footprint_2019_20")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    why = probe.problem()
    if why:
        print(f"bench_app: cannot run: {why}", file=sys.stderr)
        return 2
    print(f"before: {load()}")
    got = measure(args.scenario, args.repeats)
    print(f"after:  {load()}")
    print(f"{args.scenario}: first load {got['load']:.1f} s; {args.repeats} typed changes")
    for name, target in (("headline", HEADLINE_TARGET), ("chart", CHART_TARGET)):
        times = got[name]
        print(f"  {name:8s} median {statistics.median(times):4.0f} ms (target < {target} ms; "
              f"min {min(times):.0f}, max {max(times):.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
