"""The tidy results table, its catalogue of measures, the footprint rule and the identity checks.

Every run produces one long table with columns ``scenario, org, year, measure, item, value,
value_real, unit, kind`` (money in £k cash; ``value_real`` the same money in base-year prices,
deflated by the scenario's ``deflator``, empty for rows that are not money or lie outside the
modelled years; ``item`` empty where a measure has no breakdown; ``kind`` the organisation's
kind, ``ccg``, ``provider``, ``social_care`` or ``footprint``). The same columns
are written to ``results.csv``, so anything computed from a results table gives the same answer
from a file read back. The footprint is the org ``footprint``: the sum of the organisations,
by :func:`footprint` (the one place that rule is written). Every measure is documented once,
in the catalogue :data:`ccgmodels.models.measures.MEASURES`; the docs (``docs/measures.md``)
are generated from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ..inputs.celltext import FORMULA_START, QUOTE, csv_read, csv_text
from ..inputs.vocab import BRIDGE_ITEMS, FOOTPRINT
from . import primary_care, risks
from .measures import MEASURES, MeasureArrays

COLUMNS = ["scenario", "org", "year", "measure", "item", "value", "value_real", "unit", "kind"]
#: the columns that say what a row is (the others are its values)
KEY_COLUMNS = ["scenario", "org", "year", "measure", "item", "unit", "kind"]


def write_tidy(df: pd.DataFrame, path, columns: list[str] | None = None) -> None:
    """Write a tidy table as ``results.csv`` is written: ``columns`` (default all), 6 decimals,
    each text field that a spreadsheet would run as a formula quoted
    (:func:`ccgmodels.inputs.celltext.csv_text`; :func:`read_tidy` gives it back)."""
    frame = df if columns is None else df[columns]
    quoted = {}
    for col in frame.columns:
        if _is_text(frame[col]):
            texts = frame[col]
            if _quoted(texts, (*FORMULA_START, QUOTE)).any():
                quoted[col] = texts.map(csv_text)
    if quoted:  # a copy only when a field needs it
        frame = frame.assign(**quoted)
    frame.to_csv(path, index=False, float_format="%.6f")


def _is_text(column: pd.Series) -> bool:
    """Whether a column may hold text (object, or pandas's own string dtype)."""
    return column.dtype == object or pd.api.types.is_string_dtype(column.dtype)


def _quoted(texts: pd.Series, starts: tuple[str, ...]) -> pd.Series:
    """Whether each value is text starting with one of ``starts`` (anything else: False)."""
    return texts.map(lambda v: isinstance(v, str) and v.startswith(starts)).astype(bool)


def read_tidy(path) -> pd.DataFrame:
    """A tidy ``results.csv`` or ``uncertainty.csv``, years and items as text ("" for none),
    as :func:`write_tidy` was given it (the text it quoted unquoted)."""
    df = pd.read_csv(path, dtype={"scenario": str, "year": str, "item": str, "org": str,
                                  "measure": str, "unit": str, "kind": str})
    for col in df.columns:
        if _is_text(df[col]):
            quoted = _quoted(df[col], (QUOTE,))
            if quoted.any():
                df.loc[quoted, col] = df.loc[quoted, col].map(csv_read)
    df["item"] = df["item"].fillna("")
    return df


def tidy(scenario: str, org: str, years, series: dict, kind: str = "",
         deflator: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Long rows from ``{(measure, item): array over years}`` for one organisation.

    ``deflator`` maps a year to its price index (base year 1): money rows [£k] of those years
    get ``value_real = value / index``. NaN values (a figure that does not exist, e.g. a
    growth rule in the base year) are dropped.
    """
    n = len(years)
    measures, items, values = [], [], []
    for (measure, item), v in series.items():
        v = np.asarray(v, dtype=float)
        if v.shape != (n,):
            raise ValueError(f"{org} {measure}[{item}]: expected one value per year, got shape "
                             f"{v.shape}")
        measures.append(measure)
        items.append(item)
        values.append(v)
    value = np.concatenate(values) if values else np.zeros(0)
    units = np.repeat(np.asarray([MEASURES[m].unit for m in measures], dtype=object), n)
    index = np.array([(deflator or {}).get(y, np.nan) for y in years], dtype=float)
    real = np.where(units == "£k", value / np.tile(index, len(values)), np.nan)
    df = pd.DataFrame({
        "scenario": scenario,
        "org": org,
        "year": np.tile(np.asarray(years, dtype=object), len(values)),
        "measure": np.repeat(np.asarray(measures, dtype=object), n),
        "item": np.repeat(np.asarray(items, dtype=object), n),
        "value": value,
        "value_real": real,
        "unit": units,
        "kind": kind,
    })
    return df[np.isfinite(value)].reset_index(drop=True)


def footprint(series: Iterable[Mapping[tuple[str, str], object]]
              ) -> MeasureArrays:
    """The footprint's ``{(measure, item): array}``: the sum over organisations of every
    additive measure (:data:`MEASURES`), from each organisation's arrays over the same years.

    Every item any organisation reports is summed, including items only some organisations
    have (one commissioner's delivered schemes, one QIPP category): an organisation without
    the item adds nothing to it. A figure is NaN (no row) only where no organisation has a
    value (elementwise: per year, and per run for Monte Carlo arrays of shape ``(R, n)``).
    """
    total = FootprintSum()
    for org_series in series:
        total.add(org_series)
    return total.result()


class FootprintSum:
    """:func:`footprint` taken one organisation at a time (the same sums in the same order), so
    that a caller need not hold every organisation's arrays at once."""

    def __init__(self) -> None:
        self.additive = {m.name for m in MEASURES.values() if m.additive}
        self.sums: dict[tuple[str, str], tuple] = {}  # (measure, item) -> (total, any value)

    def add(self, org_series: Mapping[tuple[str, str], object], finite: bool = False
            ) -> None:
        """Add one organisation's ``{(measure, item): array}``; ``finite``: the caller has
        checked that every value is finite (the Monte Carlo), so none is masked (the same
        additions, the same results)."""
        for (measure, item), v in org_series.items():
            if measure not in self.additive:
                continue
            v = np.asarray(v, dtype=float)
            total, seen = self.sums.get((measure, item), (0.0, False))
            if finite:
                self.sums[(measure, item)] = (total + v, True)
                continue
            ok = np.isfinite(v)
            self.sums[(measure, item)] = (total + np.where(ok, v, 0.0), seen | ok)

    def result(self) -> dict[tuple[str, str], np.ndarray]:
        """The footprint of the organisations added so far; with a risk register among them,
        the footprint's risk-adjusted position too: its do-something less its net risk plus its
        mitigations (:func:`ccgmodels.models.risks.adjusted`), so a body without a register
        counts at its do-something position."""
        out = {key: np.where(seen, total, np.nan) for key, (total, seen) in self.sums.items()}
        parts = [("do_something_surplus", ""), ("risk_register", "net_risk"),
                 ("risk_register", "mitigations")]
        if all(k in out for k in parts):
            out[("risk_adjusted_surplus", "")] = risks.adjusted(*(out[k] for k in parts))
        return out


def compare(a: pd.DataFrame, b: pd.DataFrame, tol: float = 1e-6,
            keys: list[str] | None = None) -> pd.DataFrame:
    """Rows where two results tables differ by more than ``tol``, matched on ``keys`` (every
    column but value by default); the offending rows with ``value_a`` and ``value_b``."""
    keys = keys or KEY_COLUMNS
    m = a[[*keys, "value"]].merge(b[[*keys, "value"]], on=keys, how="outer",
                                  suffixes=("_a", "_b"), indicator=True)
    bad = (m["_merge"] != "both") | ((m["value_a"] - m["value_b"]).abs() > tol)
    return m[bad]


#: relative tolerance of the identity checks on top of the absolute one: sums of hundreds of
#: organisations' ~1e8 figures differ in the last bits with the order of summation
REL_TOL = 1e-12


def check_identities(df: pd.DataFrame, tol: float = 1e-6) -> pd.DataFrame:
    """Rows that break the model's identities; empty when all hold.

    Identities: each footprint row of an additive measure = the sum of the organisations' rows
    with its key, and every such key of an organisation has its footprint row (a missing one
    fails);
    do_something = do_nothing + solutions total; solutions total = sum of its lines; the
    bridge's subtotals (:func:`ccgmodels.models.primary_care.subtotals`); QIPP
    unidentified = max(target - identified, 0) for each organisation; an efficiency plan's
    unidentified = max(requirement - identified, 0) (each organisation) and identified = pay +
    non_pay + income = recurrent + non_recurrent; an ICB's places sum to
    its allocation, expenditure and surplus. Each within ``tol`` plus
    :data:`REL_TOL` of its size.
    """
    problems = []
    keys = ["scenario", "year", "measure", "item", "unit"]
    additive = [m.name for m in MEASURES.values() if m.additive]
    fp = df[(df["org"] == FOOTPRINT) & df["measure"].isin(additive)]
    orgs = df[(df["org"] != FOOTPRINT) & df["measure"].isin(additive)]
    if len(orgs) and (df["org"] == FOOTPRINT).any():
        expect = orgs.groupby(keys, sort=False)["value"].sum()
        got = fp.groupby(keys, sort=False)["value"].sum()
        both = pd.concat([got.rename("value_b"), expect.rename("value_a")], axis=1,
                         join="outer")
        gap = (both["value_a"] - both["value_b"]).abs()
        # a NaN gap is a row on one side only: a footprint row no organisation has, or an
        # organisation's row the footprint left out
        bad = both[~(gap <= tol + REL_TOL * both["value_a"].abs())]
        if len(bad):
            problems.append(bad.reset_index().assign(identity="footprint = sum of organisations"))

    wide = df[df["measure"].isin(_CHECKED)].set_index(["org", "year", "measure", "item"])[
        "value"].unstack(["measure", "item"])

    def col(measure: str, item: str = "") -> pd.Series:
        return wide[(measure, item)] if (measure, item) in wide.columns else pd.Series(
            np.nan, index=wide.index)

    def residual(name: str, lhs: pd.Series, rhs: pd.Series) -> None:
        gap = (lhs - rhs).abs()
        bad = gap[gap > tol + REL_TOL * rhs.abs()]
        if len(bad):
            problems.append(pd.DataFrame({"lhs": lhs[bad.index], "rhs": rhs[bad.index]})
                            .reset_index().assign(identity=name))

    total = col("solutions", "total")
    residual("do_something = do_nothing + solutions", col("do_something_surplus"),
             col("do_nothing_surplus") + total)
    lines = [c for c in wide.columns if c[0] == "solutions" and c[1] != "total"]
    residual("solutions total = sum of lines", total, wide[lines].sum(axis=1, min_count=1))
    bridge = {item: col("pc_bridge", item) for item in BRIDGE_ITEMS}
    for name, expected in primary_care.subtotals(bridge).items():
        residual(f"bridge {name} = {primary_care.SUBTOTALS[name]}", bridge[name], expected)
    access = [c for c in wide.columns if c[0] == "gp_access"
              and c[1] not in ("do_nothing", "do_something", "unallocated")]
    residual("gp access do_something = do_nothing - solutions", col("gp_access",
             "do_something"), col("gp_access", "do_nothing")
             - wide[access].sum(axis=1) if access else col("gp_access", "do_nothing"))
    residual("system surplus = sum of surpluses (flows eliminated)",
             col("system", "do_nothing_surplus").dropna(),
             col("do_nothing_surplus")[col("system", "do_nothing_surplus").dropna().index])
    # per organisation: the footprint's gap is the sum of theirs, and one organisation's
    # savings beyond its own target do not close another's gap
    own = wide.index.get_level_values("org") != FOOTPRINT
    residual("qipp unidentified = max(target - identified, 0)",
             col("qipp", "unidentified")[own],
             np.maximum(col("qipp", "target") - col("qipp", "identified"), 0.0)[own])
    residual("efficiency_plan unidentified = max(requirement - identified, 0)",
             col("efficiency_plan", "unidentified")[own],
             np.maximum(col("efficiency_plan", "requirement")
                        - col("efficiency_plan", "identified"), 0.0)[own])
    residual("efficiency_plan identified = pay + non_pay + income",
             col("efficiency_plan", "identified"), col("efficiency_plan", "pay")
             + col("efficiency_plan", "non_pay") + col("efficiency_plan", "income"))
    residual("efficiency_plan identified = recurrent + non_recurrent",
             col("efficiency_plan", "identified"), col("efficiency_plan", "recurrent")
             + col("efficiency_plan", "non_recurrent"))
    residual("risk_adjusted = do_something - net_risk + mitigations",
             col("risk_adjusted_surplus"), risks.adjusted(
                 col("do_something_surplus"), col("risk_register", "net_risk"),
                 col("risk_register", "mitigations")))
    for measure, whole in PLACE_SUMS.items():  # an ICB's places sum to it
        rows = df[df["measure"] == measure]
        if len(rows):
            parts = rows.groupby(["org", "year"], sort=False)["value"].sum()
            icb = df[(df["measure"] == whole[0]) & (df["item"] == whole[1])].set_index(
                ["org", "year"])["value"].reindex(parts.index)
            residual(f"sum of {measure} = {whole[0]} {whole[1]}".strip(), parts, icb)
    return pd.concat(problems, ignore_index=True) if problems else pd.DataFrame()


#: the measures of an ICB's places and the ICB's measure they sum to
PLACE_SUMS = {"place_allocation": ("allocation", "total"),
              "place_expenditure": ("expenditure", "total"),
              "place_surplus": ("surplus", "")}
_CHECKED = ("do_something_surplus", "do_nothing_surplus", "solutions", "pc_bridge", "qipp",
            "system", "gp_access", "efficiency_plan", "risk_register", "risk_adjusted_surplus")
