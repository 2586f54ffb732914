"""Plan against actual: a scenario's base-year plan compared with its actuals or forecast
outturn (``actuals:``, :class:`~ccgmodels.inputs.actuals.Actuals`).

Not to be confused with :mod:`ccgmodels.outputs.variance`, which bridges one scenario's results
to another's (a what-if against its baseline). Here the plan is the run's own base-year figure
of each organisation, measure and item, and the actual is what the organisation reported (or
now forecasts) for that year.

:func:`plan_vs_actual` gives one tidy row per figure of ``actuals``: ``org, year, measure, item,
unit, plan, actual, variance, variance_pct, favourable, basis``, where

    variance     = actual - plan                       [£k]
    variance_pct = variance / |plan|                   [fraction]; empty when the plan is 0
    favourable   = variance >= 0 for money coming in or a surplus (allocation, income,
                   solutions, any surplus measure), variance <= 0 for spend
                   (:data:`LOWER_IS_BETTER`); empty for a measure that is neither

Sign: as the results table (surplus positive, deficit negative), so a positive variance is
more than planned: more income or surplus (favourable), or more spend (adverse).
"""

from __future__ import annotations

import math

import pandas as pd

from ..inputs.scenario import Scenario
from .measures import MEASURES, names

COLUMNS = ["org", "year", "measure", "item", "unit", "plan", "actual", "variance",
           "variance_pct", "favourable", "basis"]
#: measures where spending less than planned is favourable
LOWER_IS_BETTER = ("expenditure", "do_nothing_expenditure", "contract_payments")
#: measures where more than planned is favourable (and every surplus measure of the catalogue)
HIGHER_IS_BETTER = ("allocation", "income", "solutions")


class ActualsError(ValueError):
    """A figure of ``actuals`` names a measure or item the plan does not have.

    ``path`` is the dotted path in the scenario (``actuals.figures.cpr_ccg.expenditure.acute``);
    ``value`` the figure given.
    """

    def __init__(self, path: str, value: object, message: str):
        self.path, self.value = path, value
        super().__init__(f"{path}: {message} (got {value!r})")


def plan_vs_actual(scenario: Scenario, results: pd.DataFrame) -> pd.DataFrame:
    """The variance to plan of every figure of ``scenario.actuals``, as tidy rows.

    Parameters
    ----------
    scenario : Scenario
        The scenario run, with ``actuals`` (an empty table when it has none).
    results : pandas.DataFrame
        Its tidy results (:func:`ccgmodels.models.run.run_scenario`, or results.csv read back)
        [£k]; the plan is the ``value`` of the base year.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, in the order the scenario gives the figures: ``plan``,
        ``actual`` and ``variance`` [£k], ``variance_pct`` [fraction], ``favourable``
        (True, False or None), ``basis`` (``actual`` or ``forecast_outturn``).

    Raises
    ------
    ActualsError
        A figure names a measure that is not in the catalogue or not money, or an item the
        organisation's plan does not have; the message lists what it has.
    """
    a = scenario.actuals
    if a is None:
        return pd.DataFrame(columns=COLUMNS)
    year = scenario.base_year
    base = results[results["year"] == year]
    surplus = set(names("surplus"))
    rows = []
    for org, measures in a.figures.items():
        mine = base[base["org"] == org]
        for measure, given in measures.items():
            path = f"actuals.figures.{org}.{measure}"
            plan_items = _plan_items(mine, measure, path, given)
            pairs = given.items() if isinstance(given, dict) else [(_whole(plan_items), given)]
            for item, actual in pairs:
                where = f"{path}.{item}" if isinstance(given, dict) else path
                if item not in plan_items:
                    shown = ", ".join(i or "(none)" for i in plan_items)
                    raise ActualsError(where, actual, f"{org}'s plan has no {measure} item "
                                       f"{item or '(none)'!r} in {year}; its items are {shown}")
                plan = plan_items[item]
                variance = actual - plan
                pct = variance / abs(plan) if plan else math.nan
                rows.append({"org": org, "year": year, "measure": measure, "item": item,
                             "unit": "£k", "plan": plan, "actual": float(actual),
                             "variance": variance, "variance_pct": pct,
                             "favourable": _favourable(measure, variance, surplus),
                             "basis": a.basis})
    return pd.DataFrame(rows, columns=COLUMNS)


def check(scenario: Scenario, results: pd.DataFrame) -> None:
    """Raise :class:`ActualsError` if a figure of ``scenario.actuals`` cannot be compared
    with the plan in ``results`` (see :func:`plan_vs_actual`)."""
    plan_vs_actual(scenario, results)


def _plan_items(mine: pd.DataFrame, measure: str, path: str, given) -> dict[str, float]:
    """``{item: plan [£k]}`` of one organisation's measure in the base year."""
    m = MEASURES.get(measure)
    if m is None or m.unit != "£k":
        money = sorted(n for n, x in MEASURES.items() if x.unit == "£k")
        why = "is not a measure of the results" if m is None else f"is in {m.unit}, not £k"
        raise ActualsError(path, given, f"{measure!r} {why}; money measures are "
                           f"{', '.join(money)}")
    sel = mine[mine["measure"] == measure]
    if sel.empty:
        have = ", ".join(sorted(set(mine["measure"]))) or "none"
        raise ActualsError(path, given, f"the plan has no {measure} for this organisation in "
                           f"the base year; it has {have}")
    items = sel["item"].fillna("").astype(str)
    return dict(zip(items, sel["value"].astype(float), strict=True))


def _whole(plan_items: dict[str, float]) -> str:
    """The item a single number stands for: the measure itself (no item), else its total."""
    return "" if "" in plan_items else "total"


def _favourable(measure: str, variance: float, surplus: set[str]) -> bool | None:
    if measure in LOWER_IS_BETTER:
        return bool(variance <= 0)
    if measure in HIGHER_IS_BETTER or measure in surplus:
        return bool(variance >= 0)
    return None
