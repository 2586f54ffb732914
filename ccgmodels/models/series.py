"""Assumptions over the years: a rate or a level given once or year by year, as arrays.

A rate (growth, inflation, efficiency) is given as one number for every year after the base, or
as a mapping ``{year: value}`` with one entry for each year after the base year; the rate of
year *t* is the change from year *t - 1* to year *t*, so the base year has none. A level (a
control total, a published allocation) is one number for every year, or a mapping with one
entry for every modelled year, base year included. Which years a mapping must have is checked
by :mod:`ccgmodels.inputs.rules`; here they are turned into arrays with the year axis last.

Every function broadcasts: a value may be a float or an array of shape ``(R, 1)`` (one value per
Monte Carlo run), and a mapping may mix them; the result then has shape ``(R, n)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .kernels import running_product


def _stack(columns: list) -> np.ndarray:
    """Columns of shape ``()`` or ``(R, 1)`` side by side: ``(n,)`` or ``(R, n)``."""
    cols = [np.asarray(c, dtype=float) for c in columns]
    batch = np.broadcast_shapes(*(c.shape[:-1] for c in cols if c.ndim))
    out = np.empty((*batch, len(cols)))
    for j, c in enumerate(cols):  # assigned in place: no broadcast copies (Monte Carlo's hot path)
        out[..., j] = c if c.ndim == 0 else c[..., 0]
    return out


def _repeat(value, n: int, first: float | None = None) -> np.ndarray:
    """One value (``()`` or ``(R, 1)``) in each of ``n`` columns, the first replaced by
    ``first`` when given: ``(n,)`` or ``(R, n)``."""
    v = np.asarray(value, dtype=float)
    out = np.empty((*v.shape[:-1], n)) if v.ndim else np.empty(n)
    out[...] = v if v.ndim == 0 else v[..., :1]
    if first is not None:
        out[..., 0] = first
    return out


def rates(value, years: Sequence[str]) -> np.ndarray:
    """The rate of each year, base year 0 [fraction/yr].

    Parameters
    ----------
    value : float, array or mapping of year to float or array
        One rate for every year after the base, or one per year after the base.
    years : sequence of str
        Modelled years, base first.
    """
    later = list(years[1:])
    if isinstance(value, Mapping):
        return _stack([0.0, *[value[y] for y in later]])
    return _repeat(value, len(years), first=0.0)


def index(value, years: Sequence[str]) -> np.ndarray:
    """Compound index of a rate, ``prod_{s <= t} (1 + rate_s)``, base year 1 [index]."""
    return running_product(1 + rates(value, years))


def combined_index(factors: Sequence, years: Sequence[str]) -> np.ndarray:
    """Compound index of several rates applied together, ``prod_t prod_k (1 + rate_k,t)``
    [index]; a factor ``(rate, -1)`` is applied as ``(1 - rate)`` (an efficiency)."""
    per_year = 1.0
    for f in factors:
        rate, sign = f if isinstance(f, tuple) else (f, 1)
        per_year = per_year * (1 + sign * rates(rate, years))
    return running_product(per_year)


def levels(value, years: Sequence[str]) -> np.ndarray:
    """A level in each year, from one number for every year or a mapping with one per year
    [unit of the value]."""
    if isinstance(value, Mapping):
        return _stack([value[y] for y in years])
    return _repeat(value, len(years))
