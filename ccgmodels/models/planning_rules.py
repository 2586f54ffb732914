"""The planning rules of a commissioner's plan as results: the mental health investment
standard and the business rules (000:L2673-2676, L1976) [£k, flag]."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..inputs.scenario import Commissioner

Series = dict[tuple[str, str], np.ndarray]


def _growth(x) -> np.ndarray:
    """Growth of a series from the year before; NaN in the base year [fraction]."""
    x = np.asarray(x, dtype=float)
    g = np.full(x.shape, np.nan)
    g[..., 1:] = x[..., 1:] / np.where(x[..., :-1] == 0, np.nan, x[..., :-1]) - 1
    return g


def mental_health_investment(o: Commissioner, years: Sequence[str], alloc, plan_spend
                             ) -> Series:
    """The mental health investment standard by year [£k]: mental health spend must grow by at
    least the programme allocation's growth plus ``mhis_uplift`` (000:L2673).

    ``required[t] = planned[t-1] * (1 + programme growth[t] + uplift)``;
    ``shortfall = max(0, required - planned)``; none in the base year.
    """
    planned = np.asarray(plan_spend["mental_health"], dtype=float)
    growth = _growth(alloc["programme"]) + o.mhis_uplift
    required = np.full(np.broadcast_shapes(planned.shape, growth.shape), np.nan)
    required[..., 1:] = planned[..., :-1] * (1 + growth[..., 1:])
    shortfall = np.maximum(required - planned, 0.0)
    return {("mental_health_investment", "planned"): planned * np.ones_like(required),
            ("mental_health_investment", "required"): required,
            ("mental_health_investment", "shortfall"): shortfall}


def business_rules(o: Commissioner, alloc, plan_spend, surplus, target) -> Series:
    """Planning rules as results: 1 where the rule holds, 0 where it fails [flag].

    Rules: mental health spend grows at least at programme allocation growth plus the
    standard's uplift (MHIS, 000:L2673); primary care and community spend grow at least at the
    overall uplift (000:L2676); the plan's surplus meets the control total (000:L1976). Growth
    rules are judged from the second year.
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
    out[("business_rule", "control_total")] = (surplus >= target - 1e-9) * 1.0
    return out
