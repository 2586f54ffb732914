"""A trust's workforce: WTE by staff group and year, the pay bill they make, and its
reconciliation to the pay cost of the finance plan.

Plans must "demonstrate robust triangulation between finance, quality, activity and
workforce": a trust's pay bill is its staff (WTE by staff group) times their cost, moved by the
pay award, with the premium its agency and bank staff cost above substantive pay. Its
efficiency schemes may change WTE (a scheme's ``wte`` and ``staff_group``), phased as their
savings and weighted, as the savings are, by the delivery probability of their status.

Units: WTE [WTE], money [£k], rates [fraction]. Notes of :func:`pay_bill` give the formula.
The reconciliation is an identity checked in code (:func:`check`): a base-year pay bill more
than :data:`TOLERANCE` from the stated pay cost is flagged with a warning (not an error: the
plan's pay cost may hold costs the staff groups do not, e.g. apprenticeship levy), naming the
trust, the year and both figures.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from ..inputs.workforce import Workforce
from . import schemes as sch
from . import series
from .measures import MeasureArrays

#: how far a base-year pay bill may differ from the stated pay cost, relative to the pay cost,
#: and still reconcile. ASSUMPTION: 1%, as issue 28's shared design (ISSUE28.md) sets it; about
#: the size of the costs a plan's pay line carries that a staff-group build does not
TOLERANCE = 0.01


class WorkforceWarning(UserWarning):
    """A trust's pay bill does not reconcile to its pay cost."""


def scheme_wte_changes(register, years: Sequence[str]) -> dict[str, np.ndarray]:
    """Expected WTE change by staff group and year from an efficiency register's schemes
    (``wte`` and ``staff_group``) [WTE].

    Notes
    -----
    ::

        change_g[t] = sum over schemes s of group g, in the plan (not pipeline), of
                      p(status_s) * wte_s * phase_s[t]

    ``phase`` is the share of the scheme realised in the year
    (:func:`ccgmodels.models.schemes.phases`: the same phasing as its saving); ``p`` the
    register's delivery probability of its status (a status not given: 0).
    """
    if register is None:
        return {}
    chosen = [s for s in register.schemes if s.wte and s.staff_group and sch.in_plan(s)]
    if not chosen:
        return {}
    phase = sch.phases(chosen, years)
    out: dict[str, np.ndarray] = {}
    for s, row in zip(chosen, phase, strict=True):
        p = register.delivery_probability.get(s.status, 0.0)
        out[s.staff_group] = out.get(s.staff_group, np.zeros(len(years))) + p * s.wte * row
    return out


def wte(w: Workforce, years: Sequence[str],
        changes: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """WTE of each staff group in each year: as stated (the base year's kept, or by year),
    plus ``changes`` (:func:`scheme_wte_changes`) [WTE]."""
    changes = changes or {}
    return {g.group: series.levels(g.wte, years) + changes.get(g.group, 0.0)
            for g in w.staff_groups}


def pay_bill(w: Workforce, years: Sequence[str],
             changes: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """The pay bill of each staff group and its ``total`` in each year [£k].

    Notes
    -----
    ::

        pay_index[t] = prod_{s <= t} (1 + pay_award_s)        (1 in the base year)
        pay_bill[t]  = sum_g wte_g[t] * cost_per_wte_g * pay_index[t]
                       * (1 + agency_premium + bank_premium)
    """
    staff = wte(w, years, changes)
    factor = series.index(w.pay_award, years) * (1 + w.agency_premium + w.bank_premium)
    cost = {g.group: g.cost_per_wte for g in w.staff_groups}
    out = {k: v * cost[k] * factor for k, v in staff.items()}
    out["total"] = sum(out.values(), np.zeros(len(years)))
    return out


def reconciliation(w: Workforce, bill_base: float) -> dict[str, float]:
    """The base-year pay bill against the stated pay cost [£k]: ``pay_cost``, ``pay_bill``,
    ``difference`` (pay bill - pay cost) and ``share`` (difference / pay cost [fraction]; 0
    when both are 0)."""
    diff = bill_base - w.pay_cost
    if w.pay_cost:
        share = diff / w.pay_cost
    else:  # no pay cost stated: reconciles only to a pay bill of 0
        share = np.where(np.asarray(diff) == 0, 0.0, np.inf)
    return {"pay_cost": w.pay_cost, "pay_bill": bill_base, "difference": diff, "share": share}


def check(org: str, year: str, w: Workforce, bill_base: float) -> str | None:
    """The reconciliation of ``org``'s base-year (``year``) pay bill to its pay cost, checked:
    a warning (:class:`WorkforceWarning`) and its message when it is more than
    :data:`TOLERANCE` out, else None."""
    r = reconciliation(w, bill_base)
    if abs(r["share"]) <= TOLERANCE:
        return None
    message = (f"{org}: the {year} pay bill of its workforce, {r['pay_bill']:,.1f} £k, does "
               f"not reconcile to its pay cost of {r['pay_cost']:,.1f} £k (difference "
               f"{r['difference']:+,.1f} £k, {r['share']:+.1%}; tolerance "
               f"{TOLERANCE:.0%}): check the staff groups' WTE and cost per WTE, and the "
               "premia, against the finance plan")
    warnings.warn(message, WorkforceWarning, stacklevel=2)
    return message


def rows(org: str, w: Workforce, years: Sequence[str], register=None) -> MeasureArrays:
    """The workforce rows of trust ``org`` (the whole trust, before any footprint share):
    ``workforce_wte`` by staff group and ``total`` [WTE], ``pay_bill`` by staff group and
    ``total`` [£k], and ``pay_cost_reconciliation`` (``pay_cost``, ``pay_bill``,
    ``difference``; base year only, NaN after) [£k]; the reconciliation checked
    (:func:`check`)."""
    changes = scheme_wte_changes(register, years)
    staff = wte(w, years, changes)
    bill = pay_bill(w, years, changes)
    out: MeasureArrays = {("workforce_wte", k): v for k, v in staff.items()}
    out[("workforce_wte", "total")] = sum(staff.values(), np.zeros(len(years)))
    out.update({("pay_bill", k): v for k, v in bill.items()})
    base = np.asarray(bill["total"])[..., 0]  # one per Monte Carlo run, or one
    r = reconciliation(w, base)
    for k in ("pay_cost", "pay_bill", "difference"):
        v = np.full(np.shape(bill["total"]), np.nan)
        v[..., 0] = r[k]
        out[("pay_cost_reconciliation", k)] = v
    if np.ndim(base) == 0:  # the plan's run: checked (a Monte Carlo draws around it)
        check(org, years[0], w, float(base))
        for g, v in staff.items():
            below = [y for y, x in zip(years, np.ravel(v), strict=True) if x < 0]
            if below:
                warnings.warn(f"{org}: its efficiency schemes take the {g} staff group below "
                              f"0 WTE in {', '.join(below)}: check the schemes' wte against "
                              "the group's WTE", WorkforceWarning, stacklevel=2)
    return out
