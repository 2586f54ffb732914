"""The system view: what links the organisations of a footprint [£k].

* **Contracts.** A commissioner's planned spend on a service line (its plan, net of the QIPP
  schemes agreed in the contracts) is split across the footprint's providers by share (the
  rest goes to providers outside the footprint). A provider's income from the footprint's
  commissioners *is* that spend: one set of flows, paid and received. When the commissioner
  avoids activity by demand mitigation, an activity-based contract passes the saving on: the
  provider loses that income and takes out ``marginal_cost_rate`` of it as cost, so its fixed
  costs strand. The provider's costs move with the same price inflation as the prices it is
  paid (:func:`ccgmodels.models.providers.price_drivers`), so a national price change creates
  no margin. A block contract does not move: the commissioner keeps paying (its saving
  on that share is given back) and the provider keeps the income and saves the same avoided
  cost. Either way the footprint's benefit on a contracted share is the provider's avoided cost.
* **The Better Care Fund.** A commissioner's BCF line pooled with a council of the footprint
  is the council's income and cost.
* **Eliminations.** Footprint income and expenditure leave out these flows (the plan's
  contract values):
  ``system income = sum of allocations and incomes - eliminations``, ``system expenditure =
  sum of expenditure - eliminations``; the surplus is unchanged, the sum of the organisations'.
* **The primary care bridge inside the plan.** The bridge's new model of care reaches the CCG
  position as ``primary_care_model = enabler costs (negative) + CCG baseline funding`` in the
  years after the base that the bridge and the scenario share (the base-year plan as printed
  already carries that year's commitments) and, being recurrent, at its last bridge year's
  level in cash in every later year (ASSUMPTION: the plan prints no year after 2020/21); its
  GPFV STF, non-recurrent, as STF income in its own years only (the STP summary's
  "Indicative STF Allocation"); its income and expenditure are reconciled with the
  co-commissioning allocation and plan line (``pc_bridge_reconciliation``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..inputs import years as fy
from ..inputs.scenario import Commissioner, Provider, SocialCare
from ..inputs.vocab import BRIDGE_ENABLERS, COMMISSIONER_KINDS
from . import primary_care, triangulation
from .measures import MeasureArrays

#: what a report says beside the system position (one source for the words)
EXPLANATION = (
    "The system position adds the organisations up and leaves out what they pay each other: "
    "the commissioners' planned contract payments to the footprint's providers (at each "
    "provider's footprint share), which are the providers' contract income, and the Better Care "
    "Fund they pool with their councils. Income and expenditure both fall by these "
    "eliminations, so the surplus is the sum of the organisations' surpluses. A provider's costs "
    "move with the same price inflation as the prices it is paid, so a national price change "
    "makes it no margin. Under an activity contract, activity a commissioner avoids also lowers "
    "the provider's income; under a block contract it does not, and the commissioner keeps "
    "paying. Either way the provider saves its avoidable (marginal) cost.")


def contract_flows(o: Commissioner, plan_spend: Mapping[str, np.ndarray],
                   avoided: Mapping[str, object], n: int,
                   years: Sequence[str] | None = None) -> MeasureArrays:
    """What the commissioner pays each footprint provider, and what its avoided activity does
    to them [£k].

    Parameters
    ----------
    plan_spend : mapping
        The commissioner plan's spend of each service line, net of its QIPP schemes: the
        contract value agreed with the provider [£k].
    avoided : mapping
        Spend each line avoids in do something through activity: demand mitigation (QIPP
        schemes are netted off the plan's lines, so taken as agreed in the contracts) [£k].
    years : sequence of str, optional
        The modelled years: needed only when a contract states its ``planned_value``.

    Returns
    -------
    dict
        ``("contract_payments", provider)`` (the commissioner's side: a contract's stated
        ``planned_value``, else what the plan's lines derive), ``("contract_income_lost",
        provider)`` (activity contracts), ``("contract_activity_avoided", provider)`` (every
        contract), and ``("solutions", "given_back")``: the savings a block contract gives back,
        which the commissioner's ``contract_flows`` solution takes off [£k]. With a
        ``planned_value`` stated: ``("contract_derived", provider)``, what the lines derive, and
        ``("solutions", "contract_value")`` = derived - stated, the commissioner's own side in
        its own position (:mod:`ccgmodels.models.triangulation`) [£k].
    """
    out: MeasureArrays = {}
    given_back = np.zeros(n)
    stating = any(c.planned_value is not None for c in o.contracts)
    for c in o.contracts:
        pay, moved = np.zeros(n), np.zeros(n)
        for line, share in c.lines.items():
            pay = pay + share * plan_spend[line]
            moved = moved + share * np.asarray(avoided.get(line, 0.0))
        key = c.provider
        if stating:
            out[("contract_derived", key)] = out.get(("contract_derived", key), 0.0) + pay
            if c.planned_value is not None:
                pay = triangulation.side(pay, c.planned_value, years)
        out[("contract_payments", key)] = out.get(("contract_payments", key), 0.0) + pay
        out[("contract_activity_avoided", key)] = (
            out.get(("contract_activity_avoided", key), 0.0) + moved)
        lost = moved if c.basis == "activity" else 0.0 * moved
        out[("contract_income_lost", key)] = out.get(("contract_income_lost", key), 0.0) + lost
        if c.basis == "block":
            given_back = given_back + moved
    out[("solutions", "given_back")] = given_back
    if stating:
        out[("solutions", "contract_value")] = sum(
            out[k] - out[("contract_payments", k[1])] for k in list(out)
            if k[0] == "contract_derived")
    return out


def bridge_in_plan(o: Commissioner, years: Sequence[str], allocation_pccc, plan_pccc,
                   lines: Mapping[str, np.ndarray] | None = None
                   ) -> tuple[dict[str, np.ndarray], MeasureArrays]:
    """The primary care bridge's effect on the CCG position, and its reconciliation [£k].

    ``lines`` are the bridge's lines (:func:`ccgmodels.models.primary_care.bridge_of`), made
    once by the caller; made here when not given.

    Returns
    -------
    (dict, dict)
        Solution lines ``primary_care_model`` and ``stf`` (GPFV) by scenario year, and the
        ``pc_bridge_reconciliation`` measure: bridge income less the co-commissioning
        allocation, bridge expenditure less the plan's co-commissioning line (NaN in years the
        bridge does not cover).
    """
    n = len(years)
    model, stf = np.zeros(n), np.zeros(n)
    b = o.primary_care_bridge
    if b is None:
        return {"primary_care_model": model, "stf": stf}, {}
    if lines is None:
        lines = primary_care.bridge_of(o)
    bridge_years = list(b.years)
    shape = np.broadcast_shapes(np.shape(allocation_pccc), np.shape(plan_pccc))

    def model_of(k: int) -> float:
        # enablers and baseline funding are fixed rows (no ranges): one value a year
        return float(np.nan_to_num(sum(np.ravel(lines[e][..., k])[0]
                                       for e in (*BRIDGE_ENABLERS, "baseline_funding"))))

    recon = {k: np.full(shape, np.nan) for k in ("income", "expenditure")}
    last = len(bridge_years) - 1
    for t, y in enumerate(years):
        if t == 0 or fy.start_of(y) < fy.start_of(bridge_years[0]):
            continue  # the base-year plan as printed carries its own
        if y not in bridge_years:  # after the bridge: its recurrent model carries on
            if fy.start_of(y) > fy.start_of(bridge_years[-1]):
                model[t] = model_of(last)
            continue
        k = bridge_years.index(y)
        model[t] = model_of(k)
        stf[t] = np.nan_to_num(np.ravel(lines["stf"][..., k])[0])
        recon["income"][..., t] = lines["income"][..., k] - np.asarray(allocation_pccc)[..., t]
        recon["expenditure"][..., t] = (lines["expenditure"][..., k]
                                        - np.asarray(plan_pccc)[..., t])
    return ({"primary_care_model": model, "stf": stf},
            {("pc_bridge_reconciliation", k): v for k, v in recon.items()})


def eliminations(commissioners: Sequence[MeasureArrays], pooled: set[str],
                 ids: Sequence[str], n_shape, shares: Mapping[str, float] | None = None
                 ) -> dict[str, np.ndarray]:
    """Flows between the footprint's organisations [£k]: the plan's contract payments to its
    providers (at each provider's consolidated ``shares``) and BCF lines pooled with its
    councils."""
    contracts = np.zeros(n_shape)
    bcf = np.zeros(n_shape)
    for org_id, series in zip(ids, commissioners, strict=True):
        for (measure, provider), v in series.items():
            if measure == "contract_payments":
                contracts = contracts + (shares or {}).get(provider, 1.0) * v
        if org_id in pooled:
            bcf = bcf + series[("bcf_pool", "")]
    return {"contracts": contracts, "bcf": bcf, "total": contracts + bcf}


def system_position(s, evaluated: Sequence[tuple[str, str, MeasureArrays]], shape) -> MeasureArrays:
    """The footprint's eliminations and its income, expenditure and surplus net of them [£k].

    ``evaluated`` is each organisation's ``(id, kind, measures)`` in the scenario's years;
    ``shape`` the shape of a footprint array (years last).

    Notes
    -----
    ::

        system income      = sum of allocations and incomes - eliminations
        system expenditure = sum of do-nothing expenditure - eliminations
        system surplus     = income - expenditure   (= the sum of the organisations')
        contract_mismatch  = sum of the trusts' contract_mismatch (at their footprint share)

    The eliminations take the commissioners' side of each contract; where a trust states its
    own (contract value triangulation), the mismatch stays in system income, and is shown as
    its own line, ``("system", "contract_mismatch")``, written only when a side is stated.
    """
    ccgs = [(org, series) for org, kind, series in evaluated if kind in COMMISSIONER_KINDS]
    pooled = {c for o in s.organisations if isinstance(o, SocialCare) for c in o.bcf_from}
    shares = {o.id: o.consolidation for o in s.organisations if isinstance(o, Provider)}
    elim = eliminations([m for _, m in ccgs], pooled, [org for org, _ in ccgs], shape, shares)
    income = sum(m.get(("allocation", "total"), m.get(("income", "total"), 0.0))
                 for _, _, m in evaluated)
    spend = sum(m[("do_nothing_expenditure", "total")] for _, _, m in evaluated)
    out: MeasureArrays = {("eliminations", k): v for k, v in elim.items()}
    out[("system", "income")] = income - elim["total"]
    out[("system", "expenditure")] = spend - elim["total"]
    out[("system", "do_nothing_surplus")] = (out[("system", "income")]
                                             - out[("system", "expenditure")])
    if triangulation.any_stated(s):
        out[("system", "contract_mismatch")] = sum(
            (m.get(("contract_mismatch", "total"), 0.0) for _, kind, m in evaluated
             if kind == "provider"), np.zeros(shape))
    return out
