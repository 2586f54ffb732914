"""The planning rules of a commissioner's plan as results: the mental health investment
standard and the business rules (000:L2673-2676, L1976) [£k, flag]."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..inputs.scenario import Commissioner
from .measures import MeasureArrays


def _growth(x) -> np.ndarray:
    """Growth of a series from the year before; NaN in the base year [fraction]."""
    x = np.asarray(x, dtype=float)
    g = np.full(x.shape, np.nan)
    g[..., 1:] = x[..., 1:] / np.where(x[..., :-1] == 0, np.nan, x[..., :-1]) - 1
    return g


def mhis_investment(o: Commissioner, years: Sequence[str], alloc, planned) -> np.ndarray:
    """What the plan must add to mental health spend to meet the mental health investment
    standard each year, given its planned spend before it [£k] (000:L2673).

    Notes
    -----
    ::

        met[0]        = planned[0]
        met[t]        = max(planned[t], met[t-1] * (1 + programme growth[t] + uplift))
        investment[t] = met[t] - planned[t]

    The standard builds on last year's spend as met, so one year's investment carries on. A
    plan stated year by year (``expenditure.planned``, the 2014 five-year plans) is taken as
    printed: nothing is added, and its shortfall is reported, not costed.
    """
    planned = np.asarray(planned, dtype=float)
    if o.expenditure.planned:
        return np.zeros(np.broadcast_shapes(planned.shape, np.shape(alloc["programme"])))
    growth = np.nan_to_num(_growth(alloc["programme"])) + o.mhis_uplift
    shape = np.broadcast_shapes(planned.shape, np.shape(growth))
    planned = np.broadcast_to(planned, shape)
    growth = np.broadcast_to(growth, shape)
    met = np.array(planned, dtype=float)
    for t in range(1, len(years)):
        met[..., t] = np.maximum(planned[..., t], met[..., t - 1] * (1 + growth[..., t]))
    return met - planned


def mental_health_investment(o: Commissioner, years: Sequence[str], alloc, plan_spend,
                             investment=0.0) -> MeasureArrays:
    """The mental health investment standard by year [£k]: mental health spend must grow by at
    least the programme allocation's growth plus ``mhis_uplift`` (000:L2673).

    ``plan_spend`` is the plan's spend with ``investment``, what it adds to meet the standard
    (:func:`mhis_investment`): ``required[t] = planned[t-1] * (1 + programme growth[t] +
    uplift)``; ``investment`` is what the plan costs in to meet it, and ``shortfall =
    max(0, required - planned)`` what is left (0 once costed; a stated plan's is reported as
    printed); none in the base year.
    """
    planned = np.asarray(plan_spend["mental_health"], dtype=float)
    growth = _growth(alloc["programme"]) + o.mhis_uplift
    required = np.full(np.broadcast_shapes(planned.shape, growth.shape), np.nan)
    required[..., 1:] = planned[..., :-1] * (1 + growth[..., 1:])
    invested = np.asarray(investment, dtype=float) * np.ones_like(required)
    invested[..., 0] = np.nan
    return {("mental_health_investment", "planned"): planned * np.ones_like(required),
            ("mental_health_investment", "required"): required,
            ("mental_health_investment", "investment"): invested,
            ("mental_health_investment", "shortfall"): np.maximum(required - planned, 0.0)}


#: the business rules of the 2019/20 plans (000:L1976, L2673, L2676): an ICB is judged by
#: today's breakeven rule instead (:func:`ccgmodels.models.icb.body_rows`)
CCG_ERA_RULES = ("mental_health_investment", "primary_care_growth", "community_growth",
                 "control_total")


def business_rules(o: Commissioner, alloc, plan_spend, surplus, target, unidentified=0.0
                   ) -> MeasureArrays:
    """Planning rules as results: 1 where the rule holds, 0 where it fails [flag].

    Rules: mental health spend grows at least at programme allocation growth plus the
    standard's uplift (MHIS, 000:L2673); primary care and community spend grow at least at the
    overall uplift (000:L2676); the plan's surplus meets the control total (000:L1976) on
    identified savings alone: ``unidentified``, the QIPP the plan nets off without a scheme
    [£k], is taken back out first, so no rule is met on savings nobody has found. Growth rules
    are judged from the second year.
    """
    uplift = _growth(alloc["total"])
    primary = plan_spend["primary_care_cocommissioning"] + plan_spend["other_primary_care"]
    rules = {
        "mental_health_investment": _growth(plan_spend["mental_health"])
        >= _growth(alloc["programme"]) + o.mhis_uplift - 1e-12,
        "primary_care_growth": _growth(primary) >= uplift - 1e-12,
        "community_growth": _growth(plan_spend["community"]) >= uplift - 1e-12,
    }
    out = {}
    for k, v in rules.items():
        flag = v.astype(float)
        flag[..., 0] = np.nan
        out[("business_rule", k)] = flag
    out[("business_rule", "control_total")] = (surplus - unidentified >= target - 1e-9) * 1.0
    return out
