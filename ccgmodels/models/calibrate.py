"""Calibration: the assumption a stated figure implies, found by running the model itself.

A plan often states a result (the 2014 Essex CCGs' do-nothing gap, 003:L519) without the
assumptions behind it. :func:`solve` finds the value of one numeric assumption at which the
model gives the stated figure, by bisection on the model's own output, so the calibrated value
is what the model needs, not a hand formula that could drift from it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..inputs.paths import substitute
from ..inputs.scenario import Scenario
from . import run


def measure(s: Scenario, org: str, measure: str, year: str, item: str = "") -> float:
    """One figure of one organisation's results [unit of the measure]."""
    for r in run.evaluate(s):
        if r.org == org and year in r.years:
            return float(np.asarray(r.series[(measure, item)])[..., r.years.index(year)])
    raise KeyError(f"{org} has no {measure} in {year}")


def solve(s: Scenario, path: str, figure: Callable[[Scenario], float], target: float,
          low: float, high: float, tol: float = 1e-10) -> float:
    """The value of the assumption at ``path`` in ``[low, high]`` at which ``figure`` of the
    scenario equals ``target`` [unit of the assumption].

    ``figure`` must be monotone in the assumption over the bracket; a bracket that does not
    hold the target raises ``ValueError`` naming both ends' figures.
    """
    def f(x: float) -> float:
        return figure(substitute(s, path, x)) - target

    f_low, f_high = f(low), f(high)
    if np.sign(f_low) == np.sign(f_high):
        raise ValueError(f"{path}: the figure runs from {f_low + target:,.3f} to "
                         f"{f_high + target:,.3f} over [{low}, {high}], which does not hold "
                         f"the target {target:,.3f}")
    while high - low > tol:
        mid = (low + high) / 2
        f_mid = f(mid)
        if np.sign(f_mid) == np.sign(f_low):
            low, f_low = mid, f_mid
        else:
            high = mid
    return (low + high) / 2
