"""The one-at-a-time sensitivity (tornado) as a reader sees it: assumptions by their display
names with their organisation, ranges in the assumption's own unit (per cent for a rate), the
distribution in words, and the position at each end of the range in £k as plans print it.

:func:`ccgmodels.models.uncertainty.tornado` returns dotted paths, distribution codes
(``normal80``) and raw floats; :func:`tornado_table` turns them into the table a notebook or a
report shows (with :func:`ccgmodels.outputs.document.table`), and :func:`tornado_names` gives
:func:`ccgmodels.outputs.plotting.tornado_chart` the same names.
"""

from __future__ import annotations

import pandas as pd

from ..inputs import fields
from ..inputs.scenario import Scenario
from . import labels
from .register import format_value

#: a distribution of the ``uncertainty`` block in words
DISTRIBUTIONS = {"normal80": "Normal (low and high its 10th and 90th percentiles)",
                 "triangular": "Triangular", "uniform": "Uniform"}


def assumption_unit(scenario: Scenario, path: str) -> str:
    """The unit of the assumption at dotted ``path`` (``organisations.*.`` paths: that of the
    first organisation that has it); "" when the models give none."""
    parts = path.split(".")
    if parts[0] == "organisations" and len(parts) > 2:
        orgs = [o for o in scenario.organisations if parts[1] in ("*", o.id)]
        for org in orgs:
            try:
                return fields.describe(type(org), parts[2:]).unit
            except KeyError:
                continue
        return ""
    try:
        return fields.describe(Scenario, parts).unit
    except KeyError:
        return ""


def tornado_names(table: pd.DataFrame, scenario: Scenario) -> dict[str, str]:
    """``{dotted path: display name with its organisation}`` of a tornado's assumptions."""
    return {p: labels.assumption_name(scenario, p) for p in table["assumption"]}


def tornado_table(table: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """A tornado (:func:`ccgmodels.models.uncertainty.tornado` output) as a reader sees it,
    largest swing first.

    Returns
    -------
    pandas.DataFrame
        Indexed by the assumption's display name (the index named after the position
        measured, e.g. "Do something surplus/(deficit) 2023/24 (£k)"), columns ``Range`` and
        ``Distribution`` (text) and ``At the low end``, ``At the high end``, ``Swing`` [£k].
    """
    names = tornado_names(table, scenario)
    rows = []
    for r in table.itertuples(index=False):
        unit = assumption_unit(scenario, r.assumption)
        rows.append({
            "Assumption": names[r.assumption],
            "Range": f"{format_value(r.low, unit, scenario.era)} to "
                     f"{format_value(r.high, unit, scenario.era)}",
            "Distribution": DISTRIBUTIONS.get(r.dist, labels.humanise(r.dist)),
            "At the low end": float(r.value_low), "At the high end": float(r.value_high),
            "Swing": float(r.swing)})
    cols = ["Assumption", "Range", "Distribution", "At the low end", "At the high end",
            "Swing"]
    out = pd.DataFrame(rows, columns=cols).set_index("Assumption")
    meta = table.attrs
    measure = labels.label(meta.get("measure", "value"), era=scenario.era)
    out.index.name = f"{measure} {meta.get('year', '')} (£k)".replace("  ", " ")
    return out
