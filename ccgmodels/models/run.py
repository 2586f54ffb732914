"""The thin orchestrator: a scenario in, the tidy results table out.

:func:`evaluate` calls the domain modules for each organisation and returns their arrays;
:func:`run_scenario` tabulates them, adds the footprint (:func:`ccgmodels.models.results
.footprint`) and checks the identities. Neither does arithmetic of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..inputs import refdata
from ..inputs.loading import load_scenario
from ..inputs.scenario import Commissioner, Provider, Scenario, SocialCare
from ..inputs.vocab import FOOTPRINT
from . import access, finance, outturn, primary_care, providers, results, series, system


class IdentityError(AssertionError):
    """An identity of the model failed: a bug, never bad input."""


@dataclass(frozen=True)
class OrgResult:
    """One organisation's measures over its years, as arrays (year axis last)."""

    org: str  # organisation id
    kind: str  # "ccg", "provider", "social_care" (or FOOTPRINT)
    years: list[str]  # financial years of the arrays: the scenario's, or the bridge's own
    series: dict[tuple[str, str], np.ndarray]  # (measure, item) -> array [unit of the measure]


def growth_table(o: Commissioner, base_year: str) -> dict[str, float | None] | None:
    """Base-year growth by point of delivery of the provider table ``o.demand.growth_table``
    names, or None [fraction/yr]."""
    if o.demand is None or not o.demand.growth_table:
        return None
    return refdata.activity_growth(o.demand.growth_table, base_year)


def evaluate(s: Scenario, delivery: Mapping[str, Mapping[str, Any]] | None = None
             ) -> list[OrgResult]:
    """Every organisation's measures as arrays.

    A commissioner with a primary care bridge gives a second :class:`OrgResult` in the
    bridge's own years. ``delivery`` maps a commissioner id to keyword arguments of
    :func:`ccgmodels.models.finance.commissioner` (``delivery``, ``gap_delivery``: one delivery
    factor per run, used by :mod:`ccgmodels.models.uncertainty`).
    """
    years = s.years
    ccg: dict[str, dict] = {}
    bridges: dict[str, dict | None] = {}
    for o in s.organisations:  # commissioners first: providers and councils need their flows
        if isinstance(o, Commissioner):
            bridges[o.id] = primary_care.bridge_of(o)
            ccg[o.id] = finance.commissioner(o, years, growth_table(o, s.base_year),
                                             bridge_lines=bridges[o.id],
                                             **(delivery or {}).get(o.id, {}))
    commissioners = [o for o in s.organisations if isinstance(o, Commissioner)]
    out = []
    for o in s.organisations:
        if isinstance(o, Commissioner):
            out.append(OrgResult(o.id, o.kind, years, ccg[o.id]))
            if bridges[o.id] is not None:
                out.append(OrgResult(o.id, o.kind, list(o.primary_care_bridge.years),
                                     {("pc_bridge", k): v for k, v in bridges[o.id].items()}))
        elif isinstance(o, Provider):
            prices = providers.price_drivers(o, commissioners)
            out.append(OrgResult(o.id, o.kind, years,
                                 providers.provider(o, years, list(ccg.values()), prices)))
        elif isinstance(o, SocialCare):
            out.append(OrgResult(o.id, o.kind, years, providers.social_care(
                o, years, [ccg[c] for c in o.bcf_from])))
    return out


def with_footprint(evaluated: list[OrgResult], s: Scenario | None = None) -> list[OrgResult]:
    """``evaluated`` and the footprint, one :class:`OrgResult` per set of years; in the
    scenario's years the footprint also carries the eliminations and the system position
    (:mod:`ccgmodels.models.system`)."""
    by_years: dict[tuple[str, ...], list] = {}
    for r in evaluated:
        by_years.setdefault(tuple(r.years), []).append(r.series)
    out = []
    for years, group in by_years.items():
        fp = results.footprint(group)
        if s is not None and list(years) == s.years:
            fp.update(system.system_position(
                s, [(r.org, r.kind, r.series) for r in evaluated if r.years == s.years],
                np.shape(fp[("do_nothing_surplus", "")])))
        out.append(OrgResult(FOOTPRINT, FOOTPRINT, list(years), fp))
    return evaluated + out


def footprint_only(s: Scenario) -> list[OrgResult]:
    """Measures of the footprint as a whole that no organisation carries: GP access (in its
    own years) and the system's opportunities."""
    out = []
    if s.gp_access is not None:
        years, lines = access.gp_access(s.gp_access)
        out.append(OrgResult(FOOTPRINT, FOOTPRINT, years, lines))
    if s.system_opportunities:
        out.append(OrgResult(FOOTPRINT, FOOTPRINT, s.years,
                             access.opportunities(s.system_opportunities, s.years)))
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
        Columns ``scenario, org, year, measure, item, value, value_real, unit, kind``; money
        in £k (``value_real`` in base-year prices).

    Raises
    ------
    ScenarioError
        If the scenario file or overrides are invalid.
    IdentityError
        If an identity fails (footprint = sum; do something = do nothing + solutions; bridge;
        QIPP gap).
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    deflator = dict(zip(s.years, series.index(s.deflator, s.years), strict=True))
    df = pd.concat([results.tidy(s.name, r.org, r.years, r.series, r.kind, deflator)
                    for r in with_footprint(evaluate(s), s) + footprint_only(s)],
                   ignore_index=True)
    bad = results.check_identities(df)
    if len(bad):
        raise IdentityError(f"{len(bad)} rows break the model's identities:\n{bad.head(20)}")
    if s.actuals is not None:  # a figure the plan cannot be compared with fails the run
        outturn.check(s, df)
    return df
