"""Independent re-implementations the tests check the package against (never imported by it).

:func:`footprint_of` sums a tidy table's organisations into the footprint the way the package
documents it (:func:`ccgmodels.models.results.footprint`), but from the long table with pandas
rather than from arrays: every item of an additive measure that any organisation reports is the
sum of the organisations that report it (one without the item adds nothing).
"""

from __future__ import annotations

import pandas as pd

from ccgmodels.models.measures import MEASURES

KEYS = ["scenario", "year", "measure", "item", "unit"]


def footprint_of(orgs: pd.DataFrame) -> pd.DataFrame:
    """The footprint rows implied by the organisations' rows of a tidy table [£k]."""
    additive = [m.name for m in MEASURES.values() if m.additive]
    part = orgs[orgs["measure"].isin(additive) & (orgs["org"] != "footprint")]
    return part.groupby(KEYS, sort=False)["value"].sum().reset_index()
