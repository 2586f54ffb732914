"""Contract value triangulation: each commissioner-trust contract as both sides plan it [£k].

Plans must show that each commissioner's planned spend with a trust equals the trust's planned
income from that commissioner. For every commissioner of the scenario that contracts with a
trust of the scenario, and every year:

* **Commissioner view**: the contract's ``planned_value`` where the commissioner states it,
  else what its plan's service lines derive (``share * plan line spend``, the
  ``contract_payments`` of :func:`ccgmodels.models.system.contract_flows`), summed over its
  contracts with the trust.
* **Provider view**: the trust's ``contract_income`` from that commissioner where stated, else
  equal to the commissioner view.
* **Mismatch** = provider view - commissioner view (positive: the trust expects more than the
  commissioner plans to pay).

Each body's own position uses its own side: the commissioner pays its view (a stated value
apart from what its lines derive is its ``contract_value`` solution line, ``derived -
stated``), the trust books its view as its contract income. The system position eliminates
the commissioner's side (``eliminations`` ``contracts``), so the mismatch stays in the system
position, at the trust's footprint share, as its own line (``system`` ``contract_mismatch``).
Without a stated side nothing changes: every view is the derived payment and every mismatch 0.

Money in £k cash; arrays broadcast, years on the last axis (one row per Monte Carlo run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..inputs.vocab import COMMISSIONER_KINDS

#: what the system position's pages say of the side it uses (one source for the words)
SIDE_USED = (
    "The system position eliminates the commissioners' side of each contract: what each "
    "commissioner plans to pay each trust (its stated contract value, else what its plan's "
    "service lines derive). Where a trust plans a different income from a commissioner, the "
    "difference, the contract mismatch (provider view less commissioner view), is not "
    "eliminated: it stays in the system position, at the trust's footprint share, as its own "
    "line.")

#: the columns of :func:`table`
COLUMNS = ("commissioner", "provider", "year", "commissioner_view", "provider_view",
           "mismatch", "commissioner_stated", "provider_stated")


def stated(value, years: Sequence[str]) -> np.ndarray:
    """A side as stated: one £k for every year, ``{year: £k}`` for the years given, or None
    (nothing stated); NaN in a year not stated, shape ``(n,)`` [£k]."""
    if value is None:
        return np.full(len(years), np.nan)
    if isinstance(value, Mapping):
        return np.array([float(value[y]) if y in value else np.nan for y in years])
    return np.full(len(years), float(value))


def side(derived, value, years: Sequence[str]) -> np.ndarray:
    """The stated ``value`` in the years it states, ``derived`` in the others [£k].

    ``derived`` may be ``(n,)`` or ``(R, n)`` (Monte Carlo runs); the result broadcasts.
    """
    v = stated(value, years)
    return np.where(np.isnan(v), derived, v)


def pairs(s) -> list[tuple[str, str]]:
    """``(commissioner id, provider id)`` of every commissioner of ``s`` that contracts with a
    trust, in the scenario's order, each pair once."""
    providers = {o.id for o in s.organisations if o.kind == "provider"}
    out: list[tuple[str, str]] = []
    for o in s.organisations:
        if o.kind in COMMISSIONER_KINDS:
            for c in o.contracts:
                if c.provider in providers and (o.id, c.provider) not in out:
                    out.append((o.id, c.provider))
    return out


def any_stated(s) -> bool:
    """Whether any contract of ``s`` has a side stated (a ``planned_value`` or a trust's
    ``contract_income``): only then do the results carry the triangulation's rows."""
    return any(getattr(c, "planned_value", None) is not None
               for o in s.organisations if o.kind in COMMISSIONER_KINDS for c in o.contracts
               ) or any(o.contract_income for o in s.organisations if o.kind == "provider")


def trust_side(p, commissioner_views: Mapping[str, object], years: Sequence[str]
               ) -> dict[str, object]:
    """The trust ``p``'s contract income from each commissioner: its stated
    ``contract_income`` in the years it states, else the commissioner's view [£k].

    ``commissioner_views`` maps a commissioner id to what it plans to pay ``p`` (its
    ``contract_payments``); a commissioner the trust states nothing for is passed through as
    it is (the same array), so a scenario without stated sides is unchanged to the bit.
    """
    stated_income = p.contract_income
    return {cid: (side(v, stated_income[cid], years) if cid in stated_income else v)
            for cid, v in commissioner_views.items()}


def mismatches(p, commissioner_views: Mapping[str, object], years: Sequence[str]
               ) -> dict[str, np.ndarray]:
    """Provider view - commissioner view of each commissioner the trust ``p`` states income
    from, and their ``total`` [£k]; empty when it states none."""
    if not p.contract_income:
        return {}
    income = trust_side(p, commissioner_views, years)
    out = {cid: np.asarray(income[cid]) - np.asarray(v)
           for cid, v in commissioner_views.items() if cid in p.contract_income}
    out["total"] = sum(out.values(), np.zeros(len(years)))
    return out


def table(s, results: pd.DataFrame) -> pd.DataFrame:
    """The triangulation table finance teams agree in contract rounds: one row per
    commissioner-trust pair and year, :data:`COLUMNS`, cash [£k].

    ``results`` is the scenario's results table (cash); the commissioner view is each
    commissioner's ``contract_payments`` row for the trust, the provider view the trust's
    stated income where stated, else the commissioner view. Each row is checked in code:
    ``mismatch = provider_view - commissioner_view``.
    """
    years = s.years
    orgs = {o.id: o for o in s.organisations}
    cp = results[results["measure"] == "contract_payments"]
    paid = {(o, i, y): v for o, i, y, v in cp[["org", "item", "year", "value"]].itertuples(
        index=False)}
    rows = []
    for cid, pid in pairs(s):
        c, p = orgs[cid], orgs[pid]
        planned = [k.planned_value for k in c.contracts if k.provider == pid]
        com = np.array([paid.get((cid, pid, y), 0.0) for y in years])
        prov = trust_side(p, {cid: com}, years)[cid]
        mine = [stated(v, years) for v in planned]
        theirs = stated(p.contract_income.get(cid), years)
        for t, y in enumerate(years):
            rows.append((cid, pid, y, float(com[t]), float(prov[t]), float(prov[t] - com[t]),
                         any(not np.isnan(m[t]) for m in mine), bool(not np.isnan(theirs[t]))))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    gap = out["provider_view"] - out["commissioner_view"] - out["mismatch"]
    if len(out) and float(gap.abs().max()) > 1e-9:  # an identity: a bug, never bad input
        raise AssertionError("contract triangulation: mismatch != provider view - "
                             "commissioner view")
    return out
