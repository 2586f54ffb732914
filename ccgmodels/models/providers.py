"""Do nothing and do something of the NHS providers and councils in a footprint [£k].

A provider's and a council's position is income (or budget) less cost; their solutions are
efficiency and STF (providers) and recurrent savings (councils). Sign: surplus positive; rates
may be given year by year.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..inputs.scenario import Provider, SocialCare
from .finance import cumulative, efficiency_saving, grow, position


def income_less_cost(income, cost) -> dict[tuple[str, str], np.ndarray]:
    """Do-nothing measures of an organisation whose position is income less cost [£k]."""
    dn = income - cost
    return {("income", "total"): income, ("do_nothing_expenditure", "total"): cost,
            ("do_nothing_surplus", ""): dn, ("do_nothing_cumulative_surplus", ""): cumulative(dn)}


def provider(p: Provider, years: Sequence[str]) -> dict[tuple[str, str], np.ndarray]:
    """Do nothing and do something of an NHS provider [£k]."""
    out = income_less_cost(grow(p.income, p.income_growth, years),
                           grow(p.cost, p.cost_growth, years))
    cost = out[("do_nothing_expenditure", "total")]
    out.update(position(out[("do_nothing_surplus", "")],
                        {"efficiency": efficiency_saving(cost, p.efficiency_rate, years),
                         "stf": np.array([p.stf.get(y, 0.0) for y in years])}))
    return out


def social_care(sc: SocialCare, years: Sequence[str]) -> dict[tuple[str, str], np.ndarray]:
    """Do nothing and do something of a council's social care [£k]."""
    out = income_less_cost(grow(sc.budget, sc.budget_growth, years),
                           grow(sc.cost, sc.cost_growth, years))
    savings = cumulative(np.array([sc.savings.get(y, 0.0) for y in years]))
    out.update(position(out[("do_nothing_surplus", "")], {"social_care": savings}))
    return out
