"""What the charts draw and say, without drawing: the palette, the money axis format, the
waterfall geometry and the alt text of every chart (:mod:`ccgmodels.outputs.plotting` draws).

Charts are in the tables' unit, £k, with deficits in brackets on the axis as in the tables
(``(5,000)``). The palette is Okabe and Ito's, safe for the common colour-vision deficiencies
(Okabe & Ito 2008, "Color Universal Design"). Alt text states what a chart shows and its key
numbers, so a reader who cannot see it loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..inputs.vocab import BRIDGE_STEPS
from . import labels
from .tables import money

#: Okabe-Ito colour-blind-safe palette
PALETTE = {"blue": "#0072B2", "orange": "#E69F00", "vermillion": "#D55E00",
           "green": "#009E73", "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442",
           "black": "#000000", "grey": "#6E6E6E"}
#: colours by role: rises, falls, totals, and the lines of a chart in order
COLOURS = {"up": PALETTE["green"], "down": PALETTE["vermillion"], "total": PALETTE["blue"],
           "grey": PALETTE["grey"]}
CYCLE = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple",
                              "yellow", "black")]
#: the note under every chart: where its figures come from (no identifier, any scenario)
SOURCE = ("Source: ccgmodels model run; each assumption and its source is in the assumptions "
          "register")
BRIDGE_LABELS = {k: labels.BRIDGE_NAMES[k] for k in (*BRIDGE_STEPS, "end_state")}
#: the unit of every money axis
MONEY_UNIT = "£k"


def money_tick(value: float, _pos=None) -> str:
    """An axis tick [£k] as the tables print it: ``(5,000)`` for -5,000."""
    return money(value)


def waterfall_steps(bridge: pd.DataFrame, year: str, era: str | None = None) -> pd.DataFrame:
    """Waterfall geometry for one bridge year from ``pc_bridge`` rows [£k], labelled in
    ``era``'s words.

    Returns
    -------
    pandas.DataFrame
        Columns ``label, start, value, end, kind`` (``kind`` ``step`` or ``total``); the last row
        is the end state, a closing bar from zero. ``end`` of the last step equals the end state
        (the bridge identity, checked on every run).
    """
    rows = bridge[bridge["year"] == year].set_index("item")["value"]
    start, out = 0.0, []
    names = {k: labels.label(k, "pc_bridge", era) for k in BRIDGE_LABELS}
    for item in BRIDGE_STEPS:
        v = float(rows.get(item, 0.0))
        out.append((names[item], start, v, start + v, "step"))
        start += v
    end = float(rows.get("end_state", start))
    out.append((names["end_state"], 0.0, end, end, "total"))
    return pd.DataFrame(out, columns=["label", "start", "value", "end", "kind"])


def span_limits(values: Sequence[float], pad: float = 0.08) -> tuple[float, float]:
    """y-axis limits that show the spread of ``values`` [£k] rather than start at zero: the
    range padded by ``pad`` of itself on each side (zero is included only when the values
    cross or touch it)."""
    lo, hi = float(min(values)), float(max(values))
    if lo <= 0 <= hi:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    span = (hi - lo) or abs(hi) or 1.0
    return lo - pad * span, hi + pad * span


def _series_text(name: str, years: Sequence[str], values: Sequence[float]) -> str:
    years, values = list(years), list(values)
    if not years:
        return f"{name}: no values"
    return f"{name} {money(values[0])} in {years[0]} to {money(values[-1])} in {years[-1]}"


def lines_alt(title: str, series: dict[str, tuple[Sequence[str], Sequence[float]]]) -> str:
    """Alt text of a line chart: its title and, per line, first and last values [£k]."""
    parts = [_series_text(n, y, v) for n, (y, v) in series.items()]
    return f"Line chart, {title}, £k: " + "; ".join(parts) + "."


def waterfall_alt(title: str, steps: pd.DataFrame) -> str:
    """Alt text of a waterfall: every step and the closing total [£k]."""
    parts = [f"{r.label} {money(r.value)}" for r in steps.itertuples()]
    return f"Waterfall chart, {title}, £k: " + ", ".join(parts) + "."


def bars_alt(title: str, table: pd.DataFrame) -> str:
    """Alt text of stacked bars: the total of each bar and the largest part of the last [£k]."""
    totals = table.sum(axis=1)
    parts = [f"{i} {money(v)}" for i, v in totals.items()]
    text = f"Stacked bar chart, {title}, £k; totals: " + ", ".join(parts)
    if len(table.columns) and len(table):
        last = table.iloc[-1]
        top = last.abs().idxmax()
        text += f"; largest part in {table.index[-1]}: {top} {money(last[top])}"
    return text + "."


def fan_alt(title: str, bands: dict[str, pd.DataFrame]) -> str:
    """Alt text of a fan chart: per measure, the end-year median and 5th-95th range [£k]."""
    parts = []
    for name, t in bands.items():
        end = t.index[-1]
        parts.append(f"{name} in {end}: median {money(t.loc[end, 'p50'])}, 5th to 95th "
                     f"percentile {money(t.loc[end, 'p5'])} to {money(t.loc[end, 'p95'])}")
    return f"Fan chart, {title}, £k: " + "; ".join(parts) + "."


def tornado_alt(title: str, names: Sequence[str], low: Sequence[float],
                high: Sequence[float], central: float) -> str:
    """Alt text of a tornado: the central value and the three largest swings [£k]."""
    parts = [f"{n} {money(a)} to {money(b)}" for n, a, b in
             list(zip(names, low, high, strict=True))[:3]]
    return (f"Tornado chart, {title}, £k: central {money(central)}; largest swings: "
            + "; ".join(parts) + ".")
