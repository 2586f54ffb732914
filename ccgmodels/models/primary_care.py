"""Primary care financial bridge: from income and expenditure to the end state.

Money in £k (the plan prints the bridge in £m; 000:L689-715). Enabler costs are negative, as
printed. Arrays broadcast; years on the last axis, in the bridge's own years.

Notes
-----
The bridge's identities, written once in :func:`subtotals` (which computes them for
:func:`bridge`, and checks them in :func:`check_bridge` and
:func:`ccgmodels.models.results.check_identities`)::

    in_year_position = income - expenditure
    future_model     = workforce + estates + other_enablers      (a subtotal, never added twice)
    end_state        = in_year_position + future_model + baseline_funding + stf

The shipped bridges are realigned: the plan's baseline funding and STF rows reconcile only when
moved one column right (000:L700-L701 and L713-L714; only then does the end state identity hold to
within 0.1), so the GPFV STF arrives in 2020/21 only. Reproduced end states (£m): Castle Point &
Rochford 0.6, -0.6, 1.1; Southend 0.4 (printed 0.5), -0.5, 1.6.

Levers: ``stf_arrives`` (no STF at all), ``stf_delay_years`` (the money moves later; money pushed
past the last bridge year is lost to the bridge), ``enabler_scale`` (multiplies every enabler
cost) and ``income_follows_pccc`` (income grows from its first year with the co-commissioning
allocation growth instead of the stated figures).
"""

from __future__ import annotations

import numpy as np

from ..inputs.scenario import PrimaryCareBridge
from ..inputs.vocab import BRIDGE_ENABLERS
from ..inputs.vocab import BRIDGE_ITEMS as ITEMS

#: the bridge rows after income and expenditure: a year that states none of them is bare
STEP_FIELDS = (*BRIDGE_ENABLERS, "baseline_funding", "stf")


def shift_later(values: np.ndarray, years: int) -> np.ndarray:
    """Move a year series ``years`` later along its last axis, zero-filling the start."""
    if years <= 0:
        return values
    out = np.zeros_like(values)
    if years < values.shape[-1]:
        out[..., years:] = values[..., :-years]
    return out


def bridge(b: PrimaryCareBridge, pccc_growth=0.0) -> dict[str, np.ndarray]:
    """Every bridge line by bridge year [£k].

    Parameters
    ----------
    b : PrimaryCareBridge
        The bridge assumptions.
    pccc_growth : float or array
        Co-commissioning allocation growth a year, used when ``b.income_follows_pccc``
        [fraction/yr].

    Returns
    -------
    dict of str to ndarray
        Keys are :data:`ITEMS`; each value has the bridge years on its last axis.
    """
    rows = list(b.years.values())
    n = len(rows)

    def col(name: str) -> np.ndarray:  # a row the plan does not give for a year is 0 in it
        return np.array([getattr(r, name) or 0.0 for r in rows], dtype=float)

    income = col("income")
    if b.income_follows_pccc:
        if isinstance(pccc_growth, dict):  # by scenario year; 0 in bridge years it lacks
            rates = np.array([0.0] + [pccc_growth.get(y, 0.0) for y in list(b.years)[1:]])
            income = income[0] * np.cumprod(1 + rates)
        else:
            income = income[0] * (1 + np.asarray(pccc_growth, dtype=float)) ** np.arange(n)
    expenditure = col("expenditure")
    scale = np.asarray(b.enabler_scale, dtype=float)
    workforce = col("workforce") * scale
    estates = col("estates") * scale
    other = col("other_enablers") * scale
    stf = shift_later(col("stf"), b.stf_delay_years) * float(b.stf_arrives)
    out = {
        "income": income,
        "expenditure": expenditure * np.ones_like(income),
        "workforce": workforce,
        "estates": estates,
        "other_enablers": other,
        "baseline_funding": col("baseline_funding"),
        "stf": stf,
    }
    out.update(subtotals(out))
    # a year the plan gives income and expenditure alone (CPR's and Southend's 2017/18) has no
    # enablers, funding or end state: the plan prints none, so none is made up (NaN, no row)
    bare = np.array([all(getattr(r, k) is None for k in STEP_FIELDS) for r in rows])
    for k in (*STEP_FIELDS, "future_model", "end_state"):
        out[k] = np.where(bare, np.nan, out[k])
    return {k: np.broadcast_arrays(out[k], income)[0] for k in ITEMS}


def subtotals(lines) -> dict:
    """The bridge's subtotals from its rows, the identities of :data:`SUBTOTALS` [£k].

    ``lines`` maps the bridge's row names to arrays (or to pandas Series: the results table's
    check uses it too); the subtotals it holds are not read.
    """
    in_year = lines["income"] - lines["expenditure"]
    future = sum(lines[k] for k in BRIDGE_ENABLERS)
    return {"in_year_position": in_year, "future_model": future,
            "end_state": in_year + future + lines["baseline_funding"] + lines["stf"]}


#: each subtotal and what :func:`subtotals` makes it of, in words (the failure messages)
SUBTOTALS = {"in_year_position": "income - expenditure",
             "future_model": " + ".join(BRIDGE_ENABLERS),
             "end_state": "in_year_position + future_model + baseline_funding + stf"}


def check_bridge(lines: dict[str, np.ndarray], tol: float = 1e-6) -> None:
    """Raise if the bridge's subtotals are not :func:`subtotals` of its rows (checked on
    every run).

    Raises
    ------
    AssertionError
        Naming the identity that failed.
    """
    for name, expected in subtotals(lines).items():
        if not np.allclose(lines[name], expected, atol=tol, equal_nan=True):
            raise AssertionError(f"primary care bridge: {name} != {SUBTOTALS[name]}")


def bridge_of(o) -> dict[str, np.ndarray] | None:
    """A commissioner's bridge lines by bridge year [£k], its identities checked; None without
    a bridge. The one place the bridge is computed for a run."""
    if o.primary_care_bridge is None:
        return None
    lines = bridge(o.primary_care_bridge, o.allocation.growth.primary_care_cocommissioning)
    check_bridge(lines)
    return lines
