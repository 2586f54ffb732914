"""Actuals, or a forecast outturn, for a scenario's base year: what plan-vs-actual compares.

A scenario may carry, under ``actuals:``, the figures an organisation actually reported (or now
forecasts) for its base year, by organisation id, measure and item, in the results table's own
names and unit [£k]::

    actuals:
      basis: forecast_outturn        # or actual
      as_at: month 9                 # when the figures were taken (free text, printed)
      figures:
        cpr_ccg:
          surplus: -2500             # a measure with no breakdown: a number
          expenditure:               # a measure by item: item -> figure
            acute: 251000
            prescribing: 41200

A number given for a measure that has items is its ``total`` (``allocation: 512000``).
:mod:`ccgmodels.models.outturn` compares each figure with the plan (the run's base-year value
of the same organisation, measure and item) and says which measures and items there are when
one is not in the results; here only what needs no model is checked: the basis, and that each
organisation is one of the scenario's (:func:`actuals_problems`, called by the scenario's
cross-field rules).

Sign: as the results table: surplus positive, deficit negative; spend and income positive.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .types import SignedMoney, Slug, Strict

#: what the figures are: the year's reported actuals, or a forecast of the year's outturn
BASES = ("actual", "forecast_outturn")


class Actuals(Strict):
    basis: Literal[BASES] = Field(  # type: ignore[valid-type]
        description="What the figures are: 'actual' (the year's reported outturn) or "
        "'forecast_outturn' (the latest forecast of it)")
    as_at: str = Field("", max_length=80, description="When the figures were taken, as the "
                       "report prints it, e.g. 'month 9' or 'year end'")
    figures: dict[Slug, dict[Slug, SignedMoney | dict[Slug, SignedMoney]]] = Field(
        min_length=1,
        description="Base-year figures by organisation id, measure and item, in the results "
        "table's names: a number for a measure with no breakdown (or its total), item -> "
        "number for one by item [£k]")


def actuals_problems(s) -> list[tuple[str, object, str]]:
    """``(path, value, message)`` for each organisation of ``s.actuals`` that is not one of
    the scenario's."""
    if getattr(s, "actuals", None) is None:
        return []
    ids = [o.id for o in s.organisations]
    return [(f"actuals.figures.{org}", org, f"no organisation {org!r} in this scenario; its "
             f"organisations are {', '.join(ids)}")
            for org in s.actuals.figures if org not in ids]
