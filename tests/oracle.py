"""Independent re-implementations the tests check the package against (never imported by it).

:func:`footprint_of` sums a tidy table's organisations into the footprint the way the package
documents it (:func:`ccgmodels.models.results.footprint`), but from the long table with pandas
rather than from arrays: a figure is summed only where every organisation reporting that measure
in that year reports the item.
"""

from __future__ import annotations

import pandas as pd

from ccgmodels.models.results import MEASURES

KEYS = ["scenario", "year", "measure", "item", "unit"]


def footprint_of(orgs: pd.DataFrame) -> pd.DataFrame:
    """The footprint rows implied by the organisations' rows of a tidy table [£k]."""
    summed = [m.name for m in MEASURES.values() if m.summed]
    part = orgs[orgs["measure"].isin(summed) & (orgs["org"] != "footprint")]
    grouped = part.groupby(KEYS, sort=False)["value"]
    fp = pd.concat([grouped.sum(), grouped.size().rename("n")], axis=1).reset_index()
    reporting = part.groupby(["scenario", "year", "measure"])["org"].nunique().rename("n_all")
    fp = fp.join(reporting, on=["scenario", "year", "measure"])
    return fp[fp["n"] == fp["n_all"]].drop(columns=["n", "n_all"])
