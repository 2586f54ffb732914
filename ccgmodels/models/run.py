"""The thin orchestrator: a scenario in, the tidy results table out.

:func:`evaluate` calls the domain modules for each organisation and returns their arrays;
:func:`run_scenario` tabulates them, adds the footprint (:func:`ccgmodels.models.results
.footprint`) and checks the identities. Neither does arithmetic of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..inputs import refdata
from ..inputs.loading import load_scenario
from ..inputs.scenario import Commissioner, Provider, Scenario, SocialCare
from ..inputs.vocab import FOOTPRINT
from . import access, finance, primary_care, providers, results, series, system


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


#: the commissioner measures that providers and councils read: contract flows and the BCF pool
FLOWS = frozenset({"contract_payments", "contract_income_lost", "contract_activity_avoided",
                   "bcf_pool"})


def growth_tables(s: Scenario) -> dict[str, dict[str, float | None] | None]:
    """Every commissioner's :func:`growth_table`, looked up once for each table named (a
    reference-table lookup no Monte Carlo draw changes: the table is named by text)."""
    tables: dict[str | None, dict[str, float | None] | None] = {}
    out = {}
    for o in s.organisations:
        if isinstance(o, Commissioner):
            name = o.demand.growth_table if o.demand is not None else None
            if name not in tables:
                tables[name] = growth_table(o, s.base_year)
            out[o.id] = tables[name]
    return out


def evaluate(s: Scenario, delivery: Mapping[str, Mapping[str, Any]] | None = None
             ) -> list[OrgResult]:
    """Every organisation's measures as arrays (:func:`evaluate_iter`, as a list)."""
    return list(evaluate_iter(s, delivery))


def evaluate_iter(s: Scenario, delivery: Mapping[str, Mapping[str, Any]] | None = None, *,
                  growth: Mapping[str, Mapping[str, float | None] | None] | None = None,
                  trim: Callable[[str, str], bool] | None = None) -> Iterator[OrgResult]:
    """Every organisation's measures as arrays, one organisation at a time in the scenario's
    order.

    A commissioner with a primary care bridge gives a second :class:`OrgResult` in the
    bridge's own years. ``delivery`` maps a commissioner id to keyword arguments of
    :func:`ccgmodels.models.finance.commissioner` (``delivery``, ``gap_delivery``: one delivery
    factor per run, used by :mod:`ccgmodels.models.uncertainty`). ``growth`` is
    :func:`growth_tables`, made once by a caller that evaluates the scenario many times.
    ``trim(measure, item)`` keeps only the commissioner measures it accepts, dropped as soon as
    each commissioner is made (providers and councils still read its :data:`FLOWS`), so that
    a caller which consumes each organisation as it comes holds one organisation's arrays at
    a time, not every organisation's.

    A commissioner is made when its turn comes, or earlier when a provider or council before it
    needs its flows; a provider reads the flows of the commissioners that contract with it
    only, found through an index, so the work grows linearly with the organisations.
    """
    years = s.years
    delivery = delivery or {}
    commissioners = [o for o in s.organisations if isinstance(o, Commissioner)]
    pending = iter(commissioners)
    made: dict[str, tuple[dict, dict | None]] = {}  # made, not yet given out
    flows: dict[str, dict] = {}  # what providers and councils read, by commissioner

    def make(until: str | None = None) -> None:
        """Make the commissioners still to make, in order, up to ``until`` (all when None)."""
        for o in pending:
            bridge = primary_care.bridge_of(o)
            table = growth[o.id] if growth is not None else growth_table(o, s.base_year)
            out = finance.commissioner(o, years, table, bridge_lines=bridge,
                                       **delivery.get(o.id, {}))
            flows[o.id] = {k: v for k, v in out.items() if k[0] in FLOWS}
            made[o.id] = ({k: v for k, v in out.items() if trim(*k)} if trim else out, bridge)
            if o.id == until:
                return

    paying: dict[str, list[Commissioner]] = {}  # provider -> commissioners contracting with it
    for c in commissioners:
        for p_id in dict.fromkeys(k.provider for k in c.contracts):
            paying.setdefault(p_id, []).append(c)
    flowing: dict[str, list[dict]] | None = None  # provider -> flows naming it, in order
    for o in s.organisations:
        if isinstance(o, Commissioner):
            if o.id not in made:
                make(o.id)
            series, bridge = made.pop(o.id)
            yield OrgResult(o.id, o.kind, years, series)
            if bridge is not None:
                yield OrgResult(o.id, o.kind, list(o.primary_care_bridge.years),
                                {("pc_bridge", k): v for k, v in bridge.items()})
        elif isinstance(o, Provider):
            make()
            if flowing is None:  # a commissioner without this provider's flows adds nothing
                flowing = {}
                for f in flows.values():
                    for p_id in dict.fromkeys(item for m, item in f if m != "bcf_pool"):
                        flowing.setdefault(p_id, []).append(f)
            prices = providers.price_drivers(o, paying.get(o.id, []))
            yield OrgResult(o.id, o.kind, years,
                            providers.provider(o, years, flowing.get(o.id, []), prices))
        elif isinstance(o, SocialCare):
            make()
            yield OrgResult(o.id, o.kind, years, providers.social_care(
                o, years, [flows[c] for c in o.bcf_from]))


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
    return df
