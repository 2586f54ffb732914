"""The thin orchestrator: a scenario in, its typed result and the tidy results table out.

:func:`run_model` returns a :class:`ModelResult`: the scenario and every organisation's
measures as arrays (:func:`evaluate`), with the footprint (:func:`ccgmodels.models.results
.footprint`); :meth:`ModelResult.table` tabulates them and checks the identities, and
:func:`run_scenario` returns that table. Neither does arithmetic of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..inputs import refdata
from ..inputs.loading import load_scenario
from ..inputs.scenario import Commissioner, Provider, Scenario, SocialCare
from ..inputs.vocab import FOOTPRINT
from . import access, finance, icb, outturn, primary_care, providers, results, risks, series, system
from .measures import MEASURES, Measure, MeasureArrays


class IdentityError(AssertionError):
    """An identity of the model failed: a bug, never bad input."""


@dataclass(frozen=True)
class OrgResult:
    """One organisation's measures over one set of years, as arrays (year axis last).

    Besides its fields, every measure of the catalogue
    (:data:`ccgmodels.models.measures.MEASURES`) is an attribute, documented from its entry
    there: a measure without items (``r.surplus``) is its array over :attr:`years`, or None
    when the organisation has none; a measure with items (``r.solutions``) is ``{item:
    array}``, empty when it has none. Each is in its measure's unit (money in £k cash). In a
    Monte Carlo (:mod:`ccgmodels.models.uncertainty`) each array is ``(runs, years)``.
    """

    org: str
    """Organisation id, as in the scenario (or ``footprint``) [id]."""
    kind: str
    """Organisation kind: ``ccg``, ``provider``, ``social_care`` or ``footprint`` [-]."""
    years: list[str]
    """Financial years of the arrays, ``"2019/20"``: the scenario's, or the primary care
    bridge's or GP access's own [financial year]."""
    series: MeasureArrays
    """``{(measure, item): array over years}`` [unit of the measure, catalogue]."""


def _accessor(m: Measure) -> property:
    """The attribute of :class:`OrgResult` for measure ``m``, its docstring from the catalogue."""
    if m.items:
        def get(self: OrgResult) -> dict[str, np.ndarray]:
            return {item: v for (name, item), v in self.series.items() if name == m.name}
        shape = f"``{{item: array over years}}`` (items: {m.items}); empty when absent"
    else:
        def get(self: OrgResult) -> np.ndarray | None:
            return self.series.get((m.name, ""))
        shape = "an array over years; None when absent"
    return property(get, doc=f"{m.display}: {m.definition} [{m.unit}].\n\n{shape}. "
                             f"Formula: {m.formula}.")


for _m in MEASURES.values():
    if hasattr(OrgResult, _m.name):
        raise TypeError(f"measure {_m.name!r} has the name of a field of OrgResult")
    setattr(OrgResult, _m.name, _accessor(_m))


@dataclass(frozen=True)
class ModelResult:
    """A run of one scenario: the typed result of :func:`run_model`.

    The model's arrays, as the domain modules return them, one :class:`OrgResult` per
    organisation and set of years, and the footprint's; :meth:`table` is the tidy results
    table :func:`run_scenario` returns (and ``results.csv`` holds).

    Examples
    --------
    >>> r = run_model("cpr_2019_20")
    >>> r.years[0], r.org("cpr_ccg").surplus.shape
    ('2019/20', (5,))
    >>> round(float(r.org().solutions["total"][-1]))  # the footprint's, 2023/24 [£k]
    8334
    """

    scenario: Scenario
    """The scenario run: validated, overrides applied [-]."""
    orgs: tuple[OrgResult, ...]
    """Every organisation's measures, then the footprint's (:data:`~ccgmodels.inputs.vocab
    .FOOTPRINT`), each in its own years [unit of each measure]."""

    @property
    def name(self) -> str:
        """The scenario's name, the ``scenario`` column of the table [-]."""
        return self.scenario.name

    @property
    def years(self) -> list[str]:
        """The scenario's financial years, base year first [financial year]."""
        return self.scenario.years

    @cached_property
    def deflator(self) -> dict[str, float]:
        """Price index of each of the scenario's years, base year 1: ``value_real = value /
        index`` [index]."""
        return dict(zip(self.years, series.index(self.scenario.deflator, self.years),
                        strict=True))

    def org(self, org: str = FOOTPRINT, measure: str | None = None) -> OrgResult:
        """One organisation's result (default the footprint): the one in the scenario's years,
        or, given ``measure``, the one that holds it (a primary care bridge and GP access have
        years of their own).

        Raises
        ------
        KeyError
            If no result of ``org`` (holding ``measure``) exists.
        """
        for r in self.orgs:
            if r.org == org and (any(k[0] == measure for k in r.series) if measure
                                 else r.years == self.years):
                return r
        raise KeyError(f"no result for organisation {org!r}"
                       + (f" with measure {measure!r}" if measure else ""))

    def table(self) -> pd.DataFrame:
        """The tidy results table, its identities checked: what :func:`run_scenario` returns.

        Raises
        ------
        IdentityError
            If an identity fails.
        """
        df = pd.concat([results.tidy(self.name, r.org, r.years, r.series, r.kind,
                                     self.deflator) for r in self.orgs], ignore_index=True)
        bad = results.check_identities(df)
        if len(bad):
            raise IdentityError(f"{len(bad)} rows break the model's identities:\n"
                                f"{bad.head(20)}")
        return df


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
                  trim: Callable[[str, str], bool] | None = None, detail: bool = True,
                  register: Mapping[str, risks.Draws] | None = None
                  ) -> Iterator[OrgResult]:
    """Every organisation's measures as arrays, one organisation at a time in the scenario's
    order.

    A commissioner with a primary care bridge gives a second :class:`OrgResult` in the
    bridge's own years. A merged ICB is evaluated on its restated base year, its predecessors
    not at all (:func:`ccgmodels.models.icb.restated`), and carries the restatement table.
    ``delivery`` maps a commissioner id to keyword arguments of
    :func:`ccgmodels.models.finance.commissioner` (``delivery``, ``gap_delivery``: one delivery
    factor per run, used by :mod:`ccgmodels.models.uncertainty`), and a trust's or a council's
    id to those of :func:`ccgmodels.models.providers.provider` and
    :func:`~ccgmodels.models.providers.social_care` (its efficiency register's). ``growth`` is
    :func:`growth_tables`, made once by a caller that evaluates the scenario many times.
    ``trim(measure, item)`` keeps only the commissioner measures it accepts, dropped as soon as
    each commissioner is made (providers and councils still read its :data:`FLOWS`), so that
    a caller which consumes each organisation as it comes holds one organisation's arrays at
    a time, not every organisation's.
    ``detail=False`` leaves out each scheme's row and the sums by status and category, and has
    a commissioner given one delivery factor per run make its scheme sums as matrix products
    (``detail`` of :func:`ccgmodels.models.finance.commissioner`).
    ``register`` maps an organisation id to the Monte Carlo's draws of its risk register
    (:class:`ccgmodels.models.risks.Draws`); a body with a register and no draws gets its
    expected values (:func:`ccgmodels.models.risks.register`).

    A commissioner is made when its turn comes, or earlier when a provider or council before it
    needs its flows; a provider reads the flows of the commissioners that contract with it
    only, found through an index, so the work grows linearly with the organisations.
    """
    restatement = icb.restatement(s)
    s = icb.restated(s)
    today = s.era == "icb"  # today's rules (the era's, vocab.era_of): every body judged alone
    years = s.years
    delivery = delivery or {}
    register = register or {}

    def with_register(o, out: MeasureArrays) -> MeasureArrays:
        """``out`` and the body's risk register rows (none without a register)."""
        if risks.has_register(o):
            out.update(risks.register(o, years, out[("do_something_surplus", "")],
                                      register.get(o.id)))
        return out
    commissioners = [o for o in s.organisations if isinstance(o, Commissioner)]
    pending = iter(commissioners)
    made: dict[str, tuple[dict, dict | None]] = {}  # made, not yet given out
    flows: dict[str, dict] = {}  # what providers and councils read, by commissioner

    def make(until: str | None = None) -> None:
        """Make the commissioners still to make, in order, up to ``until`` (all when None)."""
        for o in pending:
            bridge = primary_care.bridge_of(o)
            table = growth[o.id] if growth is not None else growth_table(o, s.base_year)
            out = with_register(o, finance.commissioner(o, years, table, bridge_lines=bridge,
                                                        detail=detail,
                                                        **delivery.get(o.id, {})))
            flows[o.id] = {k: v for k, v in out.items() if k[0] in FLOWS}
            made[o.id] = ({k: v for k, v in out.items() if trim(*k)} if trim else out, bridge)
            if o.id == until:
                return

    paying: dict[str, list[Commissioner]] = {}  # provider -> commissioners contracting with it
    for c in commissioners:
        for p_id in dict.fromkeys(k.provider for k in c.contracts):
            paying.setdefault(p_id, []).append(c)
    flowing: dict[str, dict[str, dict]] | None = None  # provider -> flows naming it, in order
    for o in s.organisations:
        if isinstance(o, Commissioner):
            if o.id not in made:
                make(o.id)
            series, bridge = made.pop(o.id)
            restated = restatement.get(o.id, {})  # a merged ICB's restatement table
            yield OrgResult(o.id, o.kind, years, {**series, **{
                k: v for k, v in restated.items() if trim is None or trim(*k)}})
            if bridge is not None:
                yield OrgResult(o.id, o.kind, list(o.primary_care_bridge.years),
                                {("pc_bridge", k): v for k, v in bridge.items()})
        elif isinstance(o, Provider):
            make()
            if flowing is None:  # a commissioner without this provider's flows adds nothing
                flowing = {}
                for c_id, f in flows.items():
                    for p_id in dict.fromkeys(item for m, item in f if m != "bcf_pool"):
                        flowing.setdefault(p_id, {})[c_id] = f
            prices = providers.price_drivers(o, paying.get(o.id, []))
            yield OrgResult(o.id, o.kind, years, with_register(o, providers.provider(
                o, years, flowing.get(o.id, {}), prices, today=today, detail=detail,
                **delivery.get(o.id, {}))))
        elif isinstance(o, SocialCare):
            make()
            yield OrgResult(o.id, o.kind, years, with_register(o, providers.social_care(
                o, years, [flows[c] for c in o.bcf_from], detail=detail,
                **delivery.get(o.id, {}))))


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


def run_model(
    scenario: Scenario | str | Path, overrides: Mapping[str, Any] | None = None
) -> ModelResult:
    """Run one scenario: its typed result, as arrays.

    Parameters
    ----------
    scenario : Scenario, or path or bundled name
        The scenario, or where to load it from.
    overrides : mapping, optional
        ``{dotted.path: value}`` applied before validation (only when loading).

    Returns
    -------
    ModelResult
        Every organisation's measures and the footprint's [unit of each measure: money in
        £k cash].

    Raises
    ------
    ScenarioError
        If the scenario file or overrides are invalid.
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    return ModelResult(s, tuple(with_footprint(evaluate(s), s) + footprint_only(s)))


def run_scenario(
    scenario: Scenario | str | Path, overrides: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Run one scenario: the tidy results table (:meth:`ModelResult.table` of
    :func:`run_model`).

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
    model = run_model(scenario, overrides)
    df = model.table()
    if model.scenario.actuals is not None:  # a figure the plan cannot be compared with fails
        outturn.check(model.scenario, df)
    return df
