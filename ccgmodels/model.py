"""The thin orchestrator: a scenario in, the tidy results table out.

``run_scenario`` calls the domain modules for each organisation, tabulates what they return,
adds the footprint and checks the identities. It does no arithmetic of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import finance, primary_care, refdata, results
from .scenario import Commissioner, Provider, Scenario, SocialCare
from .validation import load_scenario


class IdentityError(AssertionError):
    """An identity of the model failed: a bug, never bad input."""


def evaluate(s: Scenario, delivery: Mapping[str, Mapping[str, Any]] | None = None
             ) -> list[tuple[str, str, list[str], dict]]:
    """Every organisation's measures as arrays: ``(org, kind, years, {(measure, item): array})``.

    Bridge measures come with their own years. ``delivery`` maps a commissioner id to keyword
    arguments of :func:`ccgmodels.finance.commissioner` (``delivery``, ``gap_delivery``: one
    delivery factor per run, used by :mod:`ccgmodels.uncertainty`).
    """
    years = s.years
    out = []
    for o in s.organisations:
        if isinstance(o, Commissioner):
            table = (refdata.activity_growth(o.demand.growth_table, "2019/20")
                     if o.demand is not None and o.demand.growth_table else None)
            out.append((o.id, o.kind, years,
                        finance.commissioner(o, years, table, **(delivery or {}).get(o.id, {}))))
            if o.primary_care_bridge is not None:
                lines = primary_care.bridge(o.primary_care_bridge,
                                            o.allocation.growth.primary_care_cocommissioning)
                primary_care.check_bridge(lines)
                out.append((o.id, o.kind, list(o.primary_care_bridge.years),
                            {("pc_bridge", k): v for k, v in lines.items()}))
        elif isinstance(o, Provider):
            out.append((o.id, o.kind, years, finance.provider(o, years)))
        elif isinstance(o, SocialCare):
            out.append((o.id, o.kind, years, finance.social_care(o, years)))
    return out


def run_scenario(
    scenario: Scenario | str | Path, overrides: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Run one scenario.

    Parameters
    ----------
    scenario : Scenario, or path or bundled name
        The scenario, or where to load it from.
    overrides : mapping, optional
        ``{dotted.path: value}`` applied before validation (only when loading).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, org, year, measure, item, value, unit, kind``; money in £k.

    Raises
    ------
    ScenarioError
        If the scenario file or overrides are invalid.
    IdentityError
        If an identity fails (footprint = sum; do something = do nothing + solutions; bridge;
        QIPP gap).
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    evaluated = evaluate(s)
    frames = [results.tidy(s.name, org, years, series, kind)
              for org, kind, years, series in evaluated]
    frames += [results.tidy(s.name, results.FOOTPRINT, years, series, "footprint")
               for years, series in results.footprint_series(evaluated)]
    df = pd.concat(frames, ignore_index=True)
    bad = results.check_identities(df)
    if len(bad):
        raise IdentityError(f"{len(bad)} rows break the model's identities:\n{bad.head(20)}")
    return df
