"""Reading a tidy results table in the tests."""

from __future__ import annotations

import numpy as np


def series(df, measure, item="", org="cpr_ccg") -> np.ndarray:
    """One measure of ``org`` by year, in year order [unit of the measure]."""
    sel = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)]
    return sel.sort_values("year")["value"].to_numpy()


def value(df, org, measure, item="", year="2020/21") -> float:
    """The one value of ``org``'s ``measure`` (``item``) in ``year`` [unit of the measure]."""
    sel = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)
             & (df["year"] == year)]
    assert len(sel) == 1, (org, measure, item, year)
    return float(sel["value"].iloc[0])
