"""The efficiency plan of a trust or a council: its requirement, the schemes that meet it, and
the gap [£k].

One engine with a commissioner's QIPP (:mod:`ccgmodels.models.schemes`): a scheme's phasing
(start quarter, recurrent or one-off) is :func:`~ccgmodels.models.schemes.phases` through
:func:`~ccgmodels.models.schemes.effects`, its delivery probability the one rule from status to
probability, :func:`~ccgmodels.models.schemes.delivery_probabilities`; the plan's schemes and
the pipeline are told apart by :func:`~ccgmodels.models.schemes.plan_mask`. Savings are
positive numbers that improve the position; arrays broadcast, schemes on the second-last axis,
years on the last.

Notes
-----
All cumulative against do nothing, in each year ``t``::

    effect_s[t]   = phase_s[t] * (gross_s - investment_s) * g_type(s)[t]
    requirement   = stated for the year, else the body's default (a trust's CIP:
                    cost[t] * (1 - prod(1 - efficiency_rate)); a council's cumulative savings)
    identified    = sum over the plan's schemes of effect            (every status but pipeline)
    risk_adjusted = sum over the plan's schemes of p_s * effect
    unidentified  = max(requirement - identified, 0)
    pipeline      = sum over pipeline schemes of effect              (outside the plan)
    recurrent, non_recurrent = identified from recurrent and from one-off schemes
    pay, non_pay, income     = identified by the schemes' type
    line          = sum over every scheme of p_s * effect + p(unidentified) * unidentified
                    (the body's efficiency, or savings, solution line)
    one_off       = sum over one-off schemes of p_s * effect  (left out of the underlying
                    position: arithmetic.position's non_recurrent_extra)

``p_s`` is the delivery probability of the scheme's status (deterministic) or its delivery
factor, 0 or 1, in a Monte Carlo run. ``g_type`` indexes a trust's savings with its cost base
(pay and non-pay: volume and price) or its other income (income: volume and price less the
tariff efficiency), as a QIPP scheme is indexed with its line; a council's savings are cash,
as its ``savings`` are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..inputs.efficiency import Efficiency
from ..inputs.scenario import Provider, Scenario, SocialCare
from ..inputs.vocab import EFFICIENCY_TYPES
from . import schemes as sch
from .measures import MeasureArrays

#: the items of the ``efficiency_plan`` measure, in the order a plan prints them
PLAN_ITEMS = ("requirement", "identified", *EFFICIENCY_TYPES, "recurrent", "non_recurrent",
              "risk_adjusted", "unidentified", "pipeline")


@dataclass(frozen=True)
class EfficiencyPlan:
    """A body's efficiency plan by year [£k]; ``rows`` holds the ``efficiency_plan`` items."""

    rows: dict[str, np.ndarray]
    effect: np.ndarray  # (..., S, n): each scheme's net saving against do nothing
    line: np.ndarray  # the expected efficiency: the solution line
    one_off: np.ndarray  # its non-recurrent part


def registered(scenario: Scenario) -> list[Provider | SocialCare]:
    """The trusts and councils with an efficiency register, in the scenario's order."""
    return [o for o in scenario.organisations if isinstance(o, Provider | SocialCare)
            and o.efficiency is not None]


def requirement(e: Efficiency, years: Sequence[str], default) -> np.ndarray:
    """The requirement of each year: stated, else ``default`` [£k, cumulative]."""
    stated = e.requirement or {}
    # a stated level may be one value per Monte Carlo run, shape (R, 1)
    columns = [np.asarray(stated[y], dtype=float) if y in stated else None for y in years]
    default = np.asarray(default, dtype=float)
    shape = np.broadcast_shapes(default.shape[:-1] if default.ndim else (),
                                *(c.shape[:-1] for c in columns if c is not None and c.ndim))
    out = np.array(np.broadcast_to(default, (*shape, len(years))), dtype=float)
    for t, c in enumerate(columns):
        if c is not None:
            out[..., t] = c[..., 0] if c.ndim else c
    return out


def plan(e: Efficiency, years: Sequence[str], default_requirement,
         index: Mapping[str, object] | None = None, delivery=None, gap_delivery=None,
         live=1.0) -> EfficiencyPlan:
    """The efficiency plan of a register (module notes).

    Parameters
    ----------
    e : Efficiency
    default_requirement : array
        The body's requirement where the register states none [£k, cumulative].
    index : mapping, optional
        ``{type: growth index}`` (1 in the base year) that each type's savings are grown
        with; absent, cash [factor].
    delivery, gap_delivery : array, optional
        Delivery factor of each scheme ``(..., S)`` and of the gap ``(..., 1)`` in a Monte
        Carlo run; by default each scheme's status probability [fraction].
    live : array
        1 in the years the body has figures, 0 before (a council's ``first_year``).
    """
    schemes = e.schemes
    n = len(years)
    p, p_gap = sch.delivery_probabilities(e, schemes)
    if delivery is not None:
        p, p_gap = np.asarray(delivery, dtype=float), np.asarray(gap_delivery, dtype=float)
    effect = sch.effects(schemes, years) * live  # cash: phase * share * (gross - investment)
    if index is not None and schemes:
        g = [np.asarray(index[s.type], dtype=float) for s in schemes]
        shape = np.broadcast_shapes(*(x.shape for x in g), (n,))
        effect = effect * np.stack([np.broadcast_to(x, shape) for x in g], axis=-2)
    mask = sch.plan_mask(schemes) if schemes else np.zeros((0, 1))
    recurrent = np.array([float(s.recurrent) for s in schemes]).reshape(-1, 1)
    zero = np.zeros(n)

    def total(weights) -> np.ndarray:
        return (weights * effect).sum(axis=-2) if schemes else zero

    weighted = p[..., :, None] * effect if schemes else zero
    identified = total(mask)
    required = requirement(e, years, default_requirement) * live
    rows = {"requirement": required, "identified": identified}
    for kind in EFFICIENCY_TYPES:
        rows[kind] = total(mask * np.array([[float(s.type == kind)] for s in schemes])
                           if schemes else 0.0)
    rows["recurrent"] = total(mask * recurrent)
    rows["non_recurrent"] = total(mask * (1 - recurrent))
    rows["risk_adjusted"] = (mask * weighted).sum(axis=-2) if schemes else zero
    rows["unidentified"] = np.maximum(required - identified, 0.0)
    rows["pipeline"] = total(1 - mask)
    check(rows)
    line = (weighted.sum(axis=-2) if schemes else zero) + p_gap * rows["unidentified"]
    one_off = ((1 - recurrent) * weighted).sum(axis=-2) if schemes else zero
    return EfficiencyPlan(rows, effect, line, one_off)


def check(rows: Mapping[str, np.ndarray], tol: float = 1e-6) -> None:
    """The plan's identities, checked in code: identified = pay + non_pay + income =
    recurrent + non_recurrent; unidentified = max(requirement - identified, 0) [£k]."""
    identified = rows["identified"]
    for name, rhs in (
            ("pay + non_pay + income", sum(rows[k] for k in EFFICIENCY_TYPES)),
            ("recurrent + non_recurrent", rows["recurrent"] + rows["non_recurrent"])):
        gap = np.abs(identified - rhs)
        if np.any(gap > tol + 1e-12 * np.abs(identified)):
            raise AssertionError(f"efficiency plan: identified != {name} "
                                 f"(largest gap {float(np.max(gap)):g} £k)")
    if np.any(np.abs(rows["unidentified"] - np.maximum(rows["requirement"] - identified, 0.0))
              > tol):
        raise AssertionError("efficiency plan: unidentified != max(requirement - identified, 0)")


def measures(pl: EfficiencyPlan, e: Efficiency, detail: bool = True) -> MeasureArrays:
    """The ``efficiency_plan`` rows and, with ``detail``, each scheme's ``efficiency_scheme``
    row (its net saving against do nothing) [£k]."""
    out: MeasureArrays = {("efficiency_plan", k): pl.rows[k] for k in PLAN_ITEMS}
    if detail:
        for i, s in enumerate(e.schemes):
            out[("efficiency_scheme", s.id)] = pl.effect[..., i, :]
    return out


def wte_by_group(e: Efficiency, years: Sequence[str], delivery=None) -> dict[str, np.ndarray]:
    """The WTE change the schemes bring by staff group, phased as their savings and weighted
    by their delivery (status probability, or a run's delivery factor) [WTE, cumulative
    against do nothing]; schemes with no ``wte`` change nothing, those with no staff group
    are counted under ``""``. Pipeline schemes count at the probability of ``pipeline``."""
    with_wte = [s for s in e.schemes if s.wte is not None]
    if not with_wte:
        return {}
    p, _ = sch.delivery_probabilities(e, e.schemes)
    if delivery is not None:
        p = np.asarray(delivery, dtype=float)
    keep = [i for i, s in enumerate(e.schemes) if s.wte is not None]
    phase = sch.phases(with_wte, years)
    out: dict[str, np.ndarray] = {}
    for j, (i, s) in enumerate(zip(keep, with_wte, strict=True)):
        change = p[..., i, None] * phase[j] * s.wte
        out[s.staff_group or ""] = out.get(s.staff_group or "", 0.0) + change
    return out
