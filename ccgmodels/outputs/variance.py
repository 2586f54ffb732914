"""The variance bridge between two scenarios of the same organisations: from the baseline's
end-year position to the scenario's, one step per group of assumptions that changed.

The assumptions that differ are sorted into groups (:data:`GROUPS`: funding, demand, prices,
QIPP delivery, solutions, other) by their dotted path (:func:`group_of`). Starting from the
baseline, each group's changes are applied in turn and the scenario re-run; a step is the
change in the position it makes. The steps are taken in :data:`GROUPS` order, so each one is
measured with the groups before it already changed; the residual is the scenario's own
position less the last step's, zero (to rounding) when the steps are exact. Money in £k;
surplus positive, deficit negative.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..inputs.scenario import Scenario
from ..inputs.vocab import FOOTPRINT
from ..models.run import run_scenario
from . import summaries

#: the assumption groups, in the order the bridge applies them
GROUPS = ("Funding", "Demand", "Prices", "QIPP delivery", "Solutions", "Other")
#: the group of an organisation's assumption, by the longest matching prefix of its path
ORG_GROUPS = {
    "allocation": "Funding", "income": "Funding", "other_income_growth": "Funding",
    "budget": "Funding", "budget_growth": "Funding", "control_total": "Funding",
    "expenditure.volume_growth": "Demand", "demand": "Demand",
    "expenditure.price_inflation": "Prices", "expenditure.price_inflation_by_line": "Prices",
    "demand.tariff_efficiency": "Prices", "price_inflation": "Prices",
    "tariff_efficiency": "Prices", "cost_volume_growth": "Demand", "cost_growth": "Prices",
    "qipp": "QIPP delivery",
    "solutions": "Solutions", "primary_care_bridge": "Solutions", "efficiency_rate": "Solutions",
    "savings": "Solutions", "stf": "Solutions", "marginal_cost_rate": "Solutions",
    "efficiency_delivery": "Solutions", "consolidation": "Other",
}
#: scenario-level fields: the QIPP slippage correlation only moves the Monte Carlo
TOP_GROUPS = {"delivery_correlation": "QIPP delivery"}
#: what the bridge leaves out: words, not assumptions (a changed title moves nothing)
IGNORED = {"name", "title", "description", "sources", "uncertainty"}


class NotComparable(ValueError):
    """Two scenarios whose positions cannot be bridged (other organisations or years)."""


def group_of(path: tuple) -> str:
    """The group of a leaf path of a scenario's plain data (``("organisations", 0,
    "allocation", "growth", "programme")``)."""
    if path and path[0] == "organisations":
        local = ".".join(str(p) for p in path[2:])
        best = ""
        for prefix in ORG_GROUPS:
            if (local == prefix or local.startswith(prefix + ".")) and len(prefix) > len(best):
                best = prefix
        return ORG_GROUPS.get(best, "Other")
    return TOP_GROUPS.get(str(path[0]), "Other") if path else "Other"


def _leaves(node: Any, path: tuple = ()) -> dict[tuple, Any]:
    if isinstance(node, dict):
        out: dict[tuple, Any] = {}
        for k, v in node.items():
            out.update(_leaves(v, (*path, k)))
        return out or {path: node}
    if isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        out = {}
        for i, x in enumerate(node):
            out.update(_leaves(x, (*path, i)))
        return out
    return {path: node}


def _set(data: Any, path: tuple, value: Any) -> None:
    node = data
    for part in path[:-1]:
        if isinstance(node, list):
            node = node[part]
        else:
            node = node.setdefault(part, {})
    node[path[-1]] = value


def _drop(data: Any, path: tuple) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    if isinstance(node, dict):
        node.pop(path[-1], None)


def changes(base: Mapping, other: Mapping) -> dict[str, list[tuple]]:
    """The leaf paths that differ between two scenarios' plain data, by group.

    Raises
    ------
    NotComparable
        If the organisations (ids and kinds, in order) or the years differ, or a list of
        schemes changed length (the bridge compares scheme by scheme).
    """
    ids = [(o["id"], o["kind"]) for o in base["organisations"]]
    if ids != [(o["id"], o["kind"]) for o in other["organisations"]]:
        raise NotComparable("the scenarios model different organisations")
    if (base["base_year"], base["end_year"]) != (other["base_year"], other["end_year"]):
        raise NotComparable("the scenarios cover different years")
    a, b = _leaves(dict(base)), _leaves(dict(other))
    out: dict[str, list[tuple]] = {g: [] for g in GROUPS}
    for path in sorted(set(a) | set(b), key=str):
        if path and path[0] in IGNORED:
            continue
        if a.get(path, _MISSING) != b.get(path, _MISSING):
            out[group_of(path)].append(path)
    return out


_MISSING = object()


def bridge(base: Scenario, other: Scenario, org: str = FOOTPRINT,
           measure: str = "do_something_surplus", year: str | None = None) -> pd.DataFrame:
    """The variance bridge of ``org``'s ``measure`` in ``year`` (default the end year) from
    ``base`` to ``other``.

    Returns
    -------
    pandas.DataFrame
        Columns ``step, value, kind, changed``: the opening (the baseline's position, kind
        ``total``), one ``step`` per group of :data:`GROUPS` (0 where nothing in it changed),
        the ``residual`` and the closing position (``total``) [£k]; ``changed`` counts the
        assumptions of each group that differ. Opening + steps + residual = closing.

    Raises
    ------
    NotComparable
        See :func:`changes`.
    """
    a, b = base.model_dump(mode="json"), other.model_dump(mode="json")
    diff = changes(a, b)
    year = year or base.end_year
    b_leaves = _leaves(b)

    def position(s: Scenario) -> float:
        value = summaries.value_at(run_scenario(s), org, measure, "", year)
        if value is None:
            raise NotComparable(f"no {measure} of {org} in {year}")
        return value

    opening = position(base)
    rows = [("Opening", opening, "total", 0)]
    data, last = a, opening
    for group in GROUPS:
        paths = diff[group]
        if paths:
            for path in paths:
                if path in b_leaves:
                    _set(data, path, b_leaves[path])
                else:
                    _drop(data, path)
            last_before, last = last, position(Scenario.model_validate(data))
            rows.append((group, last - last_before, "step", len(paths)))
        else:
            rows.append((group, 0.0, "step", 0))
    closing = position(other)
    rows.append(("Residual", closing - last, "residual", 0))
    rows.append(("Closing", closing, "total", 0))
    return pd.DataFrame(rows, columns=["step", "value", "kind", "changed"])
