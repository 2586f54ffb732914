"""Fan width with and without the risk registers (a script, not a test).

For a scenario with risk and mitigation registers, runs the Monte Carlo twice on one seed: the
scenario as it is, and the same scenario with every register removed. Prints, for the
footprint (or ``--org``) in the final year (or ``--year``), the 10th, 50th and 90th
percentiles and the fan width (P90 - P10) of the do-something position without the registers,
of the risk-adjusted position with them and of the registers' own effect (risk-adjusted less
do-something), the central (expected) values and the chance of break-even [£k, fraction].
The registers draw from a stream of their own (:mod:`ccgmodels.models.seeds`), so every other
draw is the same in both runs: the difference is the registers' alone.

Run: ``python benchmarks/risk_fan.py west_yorkshire_2026_27 --runs 10000``. A scenario without
a register is refused (nothing to compare).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from ccgmodels.inputs.loading import load_scenario
from ccgmodels.inputs.vocab import FOOTPRINT
from ccgmodels.models import uncertainty as u
from ccgmodels.models.risks import has_register
from ccgmodels.models.seeds import DEFAULT_SEED


def without_registers(s):
    """The scenario with every organisation's risks and mitigations removed."""
    orgs = [o.model_copy(update={"risks": [], "mitigations": []}) if has_register(o) else o
            for o in s.organisations]
    return s.model_copy(update={"organisations": orgs})


def final_year(sim, org: str, measure: str, less: str | None = None, t: int = -1
               ) -> dict[str, float]:
    """P10, P50, P90, width, central and chance of break-even of ``measure`` (less ``less``)
    in year index ``t`` (default the final year) over the random runs [£k, fraction]."""
    x = sim.get(org, measure) - (sim.get(org, less) if less else 0.0)
    runs = x[1:, t] if len(x) > 1 else x[:, t]
    p10, p50, p90 = np.percentile(runs, [10, 50, 90])
    return {"p10": p10, "p50": p50, "p90": p90, "width": p90 - p10, "central": x[0, t],
            "prob_ge_0": float((runs >= -u.BREAK_EVEN_TOL).mean())}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", help="bundled scenario name or YAML path")
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--org", default=FOOTPRINT)
    ap.add_argument("--year", default="", help="the year measured (default the final year)")
    args = ap.parse_args(argv)
    s = load_scenario(args.scenario)
    bodies = [o.id for o in s.organisations if has_register(o)]
    if not bodies:
        raise SystemExit(f"{s.name} has no risk register: nothing to compare")
    t0 = time.perf_counter()
    plain = u.simulate(without_registers(s), args.runs, seed=args.seed)
    t1 = time.perf_counter()
    risked = u.simulate(s, args.runs, seed=args.seed)
    t2 = time.perf_counter()
    year = args.year or s.years[-1]
    t = s.years.index(year)
    rows = [("without registers: do-something",
             final_year(plain, args.org, "do_something_surplus", t=t)),
            ("with registers: do-something",
             final_year(risked, args.org, "do_something_surplus", t=t)),
            ("with registers: risk-adjusted",
             final_year(risked, args.org, "risk_adjusted_surplus", t=t)),
            ("the registers alone: mitigations - net risk",
             final_year(risked, args.org, "risk_adjusted_surplus", "do_something_surplus", t))]
    print(f"{s.name}, {args.org}, {year}: {args.runs:,} runs, seed {args.seed}; registers on "
          f"{', '.join(bodies)}; load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| position | P10 | P50 | P90 | fan width P90-P10 | central | chance >= 0 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, r in rows:
        print(f"| {label} | {r['p10']:,.0f} | {r['p50']:,.0f} | {r['p90']:,.0f} | "
              f"{r['width']:,.0f} | {r['central']:,.0f} | {r['prob_ge_0']:.1%} |")
    base, with_reg = rows[0][1]["width"], rows[2][1]["width"]
    change = f" ({with_reg / base - 1:+.1%})" if base else ""
    print(f"fan width {base:,.0f} -> {with_reg:,.0f} £k{change}; "
          f"simulations {t1 - t0:.1f} s without, {t2 - t1:.1f} s with the registers")


if __name__ == "__main__":
    main()
