"""Monte Carlo statistics: accumulated exactly over every run as chunks arrive, and the
``uncertainty.csv`` table (see :mod:`ccgmodels.models.uncertainty` for the conventions)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from . import kernels, measures, results
from .measures import OrgKey

#: a position within half a £k of break-even (or of the control total) is at it: every table
#: shows £k, and summing a plan's lines leaves noise far below that [£k]
BREAK_EVEN_TOL = 0.5
PERCENTILES = {"p5": 5, "p10": 10, "p50": 50, "p90": 90, "p95": 95}
#: surplus measures (chance of break-even) and those compared with the control total: the
#: catalogue's flags
SURPLUS_MEASURES = measures.names("surplus")
CONTROL_TOTAL_MEASURES = measures.names("control_total")


def percentile_error(kept: int, confidence: float = 0.999) -> float:
    """Rank error bound of a percentile estimated from ``kept`` independent runs: with
    probability ``confidence`` no percentile is off by more than this in rank (the
    Dvoretzky-Kiefer-Wolfowitz inequality) [fraction]."""
    return math.sqrt(math.log(2 / (1 - confidence)) / (2 * kept))


class Accumulator:
    """Exact running statistics of the random runs (1..R-1) of every kept measure, and the
    kept rows (all runs, or every ``stride``-th)."""

    def __init__(self, runs: int, stride: int):
        self.runs, self.stride = runs, stride
        self.kept = np.arange(0, runs, stride)
        self.exact: dict[OrgKey, dict[str, np.ndarray]] = {}
        self.store: dict[str, dict] = {}

    def add(self, a: int, b: int, part: dict) -> None:
        """Take in the chunk of runs ``a..b-1`` (every kept measure's ``(m, n)`` arrays)."""
        self.merge(reduce(a, b, part, self.stride))

    def merge(self, reduced: dict) -> None:
        """Take in a chunk already reduced by :func:`reduce` (where it was made: a dask worker
        sends back its sums and kept rows, not every run)."""
        for key, partial in reduced["exact"].items():
            acc = self.exact.setdefault(key, {})
            for stat, v in partial.items():
                if stat == "central":
                    acc[stat] = v
                elif stat not in acc:
                    acc[stat] = v + 0.0  # 0.0 + v, as a sum starts (a -0.0 becomes 0.0)
                else:
                    acc[stat] += v
        at = reduced["at"]  # consecutive: a slice
        at = slice(int(at[0]), int(at[0]) + len(at)) if len(at) else at
        for name, arrays in reduced["rows"].items():
            store = self.store.setdefault(name, {})
            for key, v in arrays.items():
                if key not in store:
                    store[key] = np.empty((len(self.kept), *np.shape(v)[1:]))
                store[key][at] = v

    def statistics(self) -> dict[OrgKey, dict[str, np.ndarray]]:
        n = max(self.runs - 1, 1)
        out = {}
        for key, acc in self.exact.items():
            stats = {"central": acc["central"],
                     "mean": acc["sum"] / n if self.runs > 1 else acc["central"]}
            if "ge0" in acc:
                stats["prob_surplus_ge_0"] = (acc["ge0"] / n if self.runs > 1
                                              else (acc["central"] >= -BREAK_EVEN_TOL) * 1.0)
            if "meets" in acc and self.runs > 1:
                stats["prob_meets_control_total"] = acc["meets"] / n
            out[key] = stats
        return out


def reduce(a: int, b: int, part: dict, stride: int) -> dict:
    """A chunk of runs ``a..b-1`` reduced to what :class:`Accumulator` keeps: per measure the
    sums and counts over its random runs (and run 0 itself, when the chunk holds it), and the
    rows of every ``stride``-th run (:mod:`ccgmodels.models.kernels` does the passes over the
    runs)."""
    rand = slice(1, None) if a == 0 else slice(None)  # run 0 is not random
    first = -a % stride  # the chunk's first kept run: run a + first
    take = slice(first, None, stride)
    controls = part["controls"]
    exact: dict[OrgKey, dict[str, np.ndarray]] = {}
    for key, v in part["values"].items():
        acc = exact[key] = {}
        if a == 0:
            acc["central"] = v[0].copy()
        x = v[rand]
        surplus = key[1] in SURPLUS_MEASURES
        control = (controls[key[0]][rand] if surplus and key[1] in CONTROL_TOTAL_MEASURES
                   and key[0] in controls else None)
        total, ge, meets = kernels.reduce_runs(x, -BREAK_EVEN_TOL if surplus else np.nan,
                                               control)
        acc["sum"] = total
        if ge is not None:
            acc["ge0"] = ge
        if meets is not None:
            acc["meets"] = meets
    return {"exact": exact, "at": np.arange(a + first, b, stride) // stride,
            "rows": {name: {key: v[take].copy() for key, v in arrays.items()}
                     for name, arrays in part.items()}}


def summarise(sim) -> pd.DataFrame:
    """The ``uncertainty.csv`` table of a :class:`~ccgmodels.models.uncertainty.Simulation`:
    ``scenario, org, year, measure, item, stat, value, unit``.

    Stats over the random runs: mean, p5, p10, p50, p90, p95; ``central`` is run 0. Surplus
    measures add ``prob_surplus_ge_0`` and, where a control total is set,
    ``prob_meets_control_total`` [fraction]. When the runs did not all fit in memory, the mean
    and probabilities are still over every run and the percentiles are from the kept sample,
    whose size the ``runs_in_percentiles`` stat gives [count]. Built as one table.
    """
    sampled = sim.kept_runs < sim.runs
    sample = slice(1, None) if sim.kept_runs > 1 else slice(None)
    n = len(sim.years)
    cols: dict[str, list] = {k: [] for k in ("org", "measure", "item", "stat", "unit")}
    values: list[np.ndarray] = []
    for (org, measure, item), arr in sorted(sim.values.items()):
        x = arr[sample]
        exact = sim.exact.get((org, measure, item), {}) if sampled else {}
        stats = {"central": arr[0], "mean": exact.get("mean", x.mean(axis=0))}
        pct = np.percentile(x, list(PERCENTILES.values()), axis=0)
        stats.update(dict(zip(PERCENTILES, pct, strict=True)))
        unit = measures.MEASURES[measure].unit
        units = dict.fromkeys(stats, unit)
        if measure in SURPLUS_MEASURES:
            stats["prob_surplus_ge_0"] = exact.get(
                "prob_surplus_ge_0", (x >= -BREAK_EVEN_TOL).mean(axis=0))
            units["prob_surplus_ge_0"] = "fraction"
            if measure in CONTROL_TOTAL_MEASURES and org in sim.controls:
                ct = sim.controls[org][sample]
                stats["prob_meets_control_total"] = exact.get(
                    "prob_meets_control_total", (x >= ct - BREAK_EVEN_TOL).mean(axis=0))
                units["prob_meets_control_total"] = "fraction"
        if sampled:
            stats["runs_in_percentiles"] = np.full(n, float(len(x)))
            units["runs_in_percentiles"] = "count"
        for stat, v in stats.items():
            for name, val in (("org", org), ("measure", measure), ("item", item),
                              ("stat", stat), ("unit", units[stat])):
                cols[name].append(val)
            values.append(np.broadcast_to(np.asarray(v, dtype=float), (n,)))
    k = len(values)
    df = pd.DataFrame({"org": np.repeat(cols["org"], n), "year": np.tile(sim.years, k),
                       "measure": np.repeat(cols["measure"], n),
                       "item": np.repeat(cols["item"], n), "stat": np.repeat(cols["stat"], n),
                       "value": np.concatenate(values) if values else np.array([]),
                       "unit": np.repeat(cols["unit"], n)})
    df = df[np.isfinite(df["value"])]
    df.insert(0, "scenario", sim.scenario.name)
    return df.reset_index(drop=True)


def write_summary(sim, folder: Path) -> Path:
    """Write ``uncertainty.csv`` into ``folder``; same seed and runs give identical bytes."""
    path = Path(folder) / "uncertainty.csv"
    results.write_tidy(summarise(sim), path)
    return path


def check_finite(values: Mapping[OrgKey, np.ndarray], ranges: Mapping) -> None:
    """Refuse a simulation whose draws made a figure overflow or lose its meaning, rather than
    leave those runs out of the statistics without a word.

    Raises
    ------
    ValueError
        Naming the first measure affected, how many runs, and the ranges to look at.
    """
    for (org, measure, item), v in values.items():
        bad = ~np.isfinite(v)
        if bad.any():
            runs = int(bad.any(axis=-1).sum())
            raise ValueError(
                f"{runs} Monte Carlo run(s) give {org} {measure}{f'[{item}]' if item else ''} "
                "no finite value: a range is too wide for the model (check "
                f"{', '.join(sorted(ranges)) or 'the uncertainty block'})")
