"""Reading a tidy results table in the tests."""

from __future__ import annotations

import numpy as np


def series(df, measure, item="", org="cpr_ccg") -> np.ndarray:
    """One measure of ``org`` by year, in year order [unit of the measure]."""
    sel = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)]
    return sel.sort_values("year")["value"].to_numpy()
