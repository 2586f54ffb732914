"""Pure figure builders: tidy results in, :class:`matplotlib.figure.Figure` out.

Every function takes a results table from :func:`ccgmodels.models.run.run_scenario` (columns
``scenario, org, year, measure, item, value, unit, kind``; money in £k) and returns a new Figure
built without :mod:`matplotlib.pyplot`, so no global figure state leaks and nothing needs a display:
library code never calls ``plt.show``. Charts rescale money to £m, carry a title, the unit on the
value axis and a source line. Sign: surplus positive, deficit negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..inputs.vocab import BRIDGE_STEPS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SOURCE = "Source: ccgmodels scenario {scenario}; 2019/20 operational plans (000) and assumptions"
BRIDGE_LABELS = {
    "in_year_position": "In-year position", "workforce": "Workforce", "estates": "Estates",
    "other_enablers": "Other enablers", "baseline_funding": "CCG baseline funding",
    "stf": "STF (GPFV)", "end_state": "End state",
}
COLOURS = {"up": "#009639", "down": "#DA291C", "total": "#005EB8", "grey": "#768692"}


def new_figure(width: float = 8.0, height: float = 4.5) -> Figure:
    """A Figure not registered with pyplot [inches]."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _finish(fig: Figure, ax, title: str, ylabel: str, results: pd.DataFrame) -> Figure:
    scenario = ", ".join(map(str, pd.unique(results["scenario"]))) if len(results) else ""
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.grid(axis="y", alpha=0.3)
    fig.text(0.01, 0.0, SOURCE.format(scenario=scenario), fontsize=7, color=COLOURS["grey"],
             ha="left", va="bottom")
    fig.get_layout_engine().set(h_pad=0.25)
    return fig


def _select(results: pd.DataFrame, org: str, measure: str) -> pd.DataFrame:
    sel = results[(results["org"] == org) & (results["measure"] == measure)]
    if sel.empty:
        raise ValueError(f"no {measure!r} rows for org {org!r}")
    return sel


def waterfall_steps(bridge: pd.DataFrame, year: str) -> pd.DataFrame:
    """Waterfall geometry for one bridge year from ``pc_bridge`` rows [£k].

    Returns
    -------
    pandas.DataFrame
        Columns ``label, start, value, end, kind`` (``kind`` ``step`` or ``total``); the last row
        is the end state, a closing bar from zero. ``end`` of the last step equals the end state
        (the bridge identity, checked on every run).
    """
    rows = bridge[bridge["year"] == year].set_index("item")["value"]
    start, out = 0.0, []
    for item in BRIDGE_STEPS:
        v = float(rows.get(item, 0.0))
        out.append((BRIDGE_LABELS[item], start, v, start + v, "step"))
        start += v
    end = float(rows.get("end_state", start))
    out.append((BRIDGE_LABELS["end_state"], 0.0, end, end, "total"))
    return pd.DataFrame(out, columns=["label", "start", "value", "end", "kind"])


def bridge_waterfall(results: pd.DataFrame, org: str, year: str | None = None) -> Figure:
    """Waterfall of the primary care bridge of ``org`` in ``year`` (default last bridge year).

    Bars are the in-year position, each enabler, baseline funding and STF; the closing bar is
    the end state [£m].
    """
    bridge = _select(results, org, "pc_bridge")
    year = year or sorted(bridge["year"].unique())[-1]
    steps = waterfall_steps(bridge, year)
    fig = new_figure()
    ax = fig.add_subplot()
    colours = [COLOURS["total"] if k == "total" else COLOURS["up" if v >= 0 else "down"]
               for k, v in zip(steps["kind"], steps["value"], strict=True)]
    ax.bar(steps["label"], steps["value"] / 1000, bottom=steps["start"] / 1000, color=colours)
    for i, (s, e) in enumerate(zip(steps["end"].iloc[:-1], steps["start"].iloc[1:],
                                   strict=True)):
        if steps["kind"].iloc[i + 1] == "step":
            ax.plot([i + 0.4, i + 0.6], [s / 1000, e / 1000], color=COLOURS["grey"], lw=0.8)
    ax.tick_params(axis="x", labelrotation=30)
    return _finish(fig, ax, f"Primary care bridge {year}: {org}", "£m", bridge)


def do_nothing_vs_something(results: pd.DataFrame, org: str) -> Figure:
    """Lines of the do-nothing and do-something surplus/(deficit) of ``org`` by year [£m]."""
    fig = new_figure()
    ax = fig.add_subplot()
    labels = {"do_nothing_surplus": "Do nothing", "do_something_surplus": "Do something",
              "surplus": "Commissioner plan"}
    used = []
    for measure, label in labels.items():
        sel = results[(results["org"] == org) & (results["measure"] == measure)]
        if sel.empty:
            continue
        sel = sel.sort_values("year")
        ax.plot(sel["year"], sel["value"] / 1000, marker="o", label=label)
        used.append(sel)
    if not used:
        raise ValueError(f"no surplus rows for org {org!r}")
    ax.legend()
    return _finish(fig, ax, f"Surplus/(deficit): do nothing vs do something, {org}", "£m",
                   pd.concat(used))


def stacked_bars(table: pd.DataFrame, title: str, ylabel: str, results: pd.DataFrame,
                 scale: float = 1000.0) -> Figure:
    """Stacked bars of a wide table (index on the x axis, one stack per column) [£k / scale]."""
    fig = new_figure()
    ax = fig.add_subplot()
    pos = np.zeros(len(table))
    neg = np.zeros(len(table))
    x = [str(i) for i in table.index]
    for col in table.columns:
        v = table[col].to_numpy(dtype=float) / scale
        bottom = np.where(v >= 0, pos, neg)
        ax.bar(x, v, bottom=bottom, label=str(col))
        pos, neg = pos + np.clip(v, 0, None), neg + np.clip(v, None, 0)
    ax.legend(fontsize=8)
    return _finish(fig, ax, title, ylabel, results)


def qipp_by(results: pd.DataFrame, org: str, by: str = "status", year: str | None = None
            ) -> Figure:
    """Stacked bars of QIPP by ``by`` (``status`` or ``category``) with the target and gap.

    One bar per year (or only ``year``): scheme contributions stacked, the target as a black
    marker and the pipeline target (target + headroom) as an open marker [£m].
    """
    measure = {"status": "qipp_status", "category": "qipp_category"}[by]
    sel = results[(results["org"] == org) & results["measure"].isin([measure, "qipp"])]
    if sel.empty:
        raise ValueError(f"no QIPP rows for org {org!r}")
    years = sorted(sel["year"].unique())
    wide = sel[sel["measure"] == measure].pivot_table(
        index="year", columns="item", values="value", aggfunc="sum").reindex(years).fillna(0.0)
    if year is not None:
        wide = wide.loc[[year]]
    fig = stacked_bars(wide, f"QIPP by {by}, {org}", "£m", sel)
    ax = fig.axes[0]
    q = results[(results["org"] == org) & (results["measure"] == "qipp")]
    q = q.pivot_table(index="year", columns="item", values="value").reindex(wide.index)
    x = [str(i) for i in wide.index]
    if "unidentified" in q:
        gap = q["unidentified"].fillna(0).clip(lower=0).to_numpy() / 1000
        ax.bar(x, gap, bottom=wide.clip(lower=0).sum(axis=1).to_numpy() / 1000, fill=False,
               hatch="//", edgecolor=COLOURS["grey"], label="Unidentified (gap)")
    if "target" in q:
        ax.scatter(x, q["target"] / 1000, color="black", marker="_", s=400, zorder=3,
                   label="Target")
    if "pipeline_target" in q:
        ax.scatter(x, q["pipeline_target"] / 1000, facecolors="none", edgecolors="black",
                   zorder=3, label="Target + headroom")
    # beside the axes: inside, the markers of the first year can sit on the legend
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def activity_by_pod(results: pd.DataFrame, org: str, pods: Sequence[str] | None = None
                    ) -> Figure:
    """Activity by point of delivery by year, indexed to the base year = 100 [index]."""
    sel = _select(results, org, "activity")
    wide = sel.pivot_table(index="year", columns="item", values="value", aggfunc="sum")
    if pods is not None:
        wide = wide[list(pods)]
    index = wide / wide.iloc[0] * 100
    fig = new_figure()
    ax = fig.add_subplot()
    for col in index.columns:
        ax.plot(index.index, index[col], marker=".", label=col)
    ax.legend(fontsize=7, ncol=2)
    fig = _finish(fig, ax, f"Activity by point of delivery, {org}", "Index (base year = 100)",
                  sel)
    ax.axhline(100, color=COLOURS["grey"], linewidth=0.6)
    ax.set_ylim(bottom=min(90, float(np.nanmin(index.to_numpy()))))
    return fig


def allocation_vs_expenditure(results: pd.DataFrame, org: str) -> Figure:
    """Allocation, plan and do-nothing expenditure totals of ``org`` by year [£m]."""
    fig = new_figure()
    ax = fig.add_subplot()
    lines = {("allocation", "total"): "Allocation",
             ("expenditure", "total"): "Plan expenditure",
             ("do_nothing_expenditure", "total"): "Do-nothing expenditure"}
    used = []
    for (measure, item), label in lines.items():
        sel = results[(results["org"] == org) & (results["measure"] == measure)
                      & (results["item"] == item)].sort_values("year")
        if sel.empty:
            continue
        ax.plot(sel["year"], sel["value"] / 1000, marker="o", label=label)
        used.append(sel)
    if not used:
        raise ValueError(f"no allocation or expenditure rows for org {org!r}")
    ax.legend()
    return _finish(fig, ax, f"Allocation vs expenditure, {org}", "£m", pd.concat(used))


def save_figure(fig: Figure, folder: str, name: str) -> str | None:
    """Write ``fig`` as ``folder/name.png``; nothing when ``folder`` is empty. Returns the path."""
    from pathlib import Path

    if not folder:
        return None
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return str(path)


def to_png(fig: Figure, dpi: int = 90) -> bytes:
    """The figure as PNG bytes (for display in widgets and reports)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


# --- uncertainty charts (data from ccgmodels.models.uncertainty) ----------------------------

_FAN_MEASURES = {"do_nothing_surplus": ("Do nothing", COLOURS["down"]),
                 "do_something_surplus": ("Do something", COLOURS["total"])}


def _source_line(fig: Figure, scenario: str) -> None:
    fig.text(0.01, 0.0, SOURCE.format(scenario=scenario), fontsize=7, color=COLOURS["grey"],
             ha="left", va="bottom")
    fig.get_layout_engine().set(h_pad=0.25)


def fan_chart(summary: pd.DataFrame, org: str = "footprint",
              measures: Sequence[str] = tuple(_FAN_MEASURES)) -> Figure:
    """Fan chart of surplus/(deficit) by year: median line, p10-p90 and p5-p95 bands [£m].

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`ccgmodels.models.uncertainty.summarise` output (stats in £k).
    org : str
        Organisation id or ``footprint``.
    measures : sequence of str
        Surplus measures to draw (default do nothing and do something).
    """
    fig = new_figure()
    ax = fig.add_subplot()
    sel = summary[summary["org"] == org]
    if sel.empty:
        raise ValueError(f"no uncertainty rows for org {org!r}")
    for measure in measures:
        label, colour = _FAN_MEASURES.get(measure, (measure, COLOURS["grey"]))
        t = sel[sel["measure"] == measure].pivot(index="year", columns="stat", values="value")
        t = t.sort_index() / 1000
        x = np.arange(len(t))
        ax.fill_between(x, t["p5"], t["p95"], color=colour, alpha=0.15,
                        label=f"{label} 5th-95th percentile")
        ax.fill_between(x, t["p10"], t["p90"], color=colour, alpha=0.3,
                        label=f"{label} 10th-90th percentile")
        ax.plot(x, t["p50"], color=colour, linewidth=2, label=f"{label} median")
        ax.set_xticks(x, list(t.index))
    ax.legend(fontsize=7, ncols=2)
    return _finish(fig, ax, f"{org}: surplus/(deficit) uncertainty (£m)",
                   "Surplus/(deficit) [£m]", sel)


def tornado_chart(table: pd.DataFrame, scenario: str | None = None, top: int = 12) -> Figure:
    """Tornado chart of one-at-a-time sensitivity: bars from central to low and high [£m].

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`ccgmodels.models.uncertainty.tornado` output (values in £k), sorted by swing.
    scenario : str, optional
        Scenario name for the source line; ``table.attrs['scenario']`` when absent.
    top : int
        Number of assumptions drawn, largest swing at the top.
    """
    meta = table.attrs
    scenario = scenario or meta.get("scenario", "")
    t = table.head(top).iloc[::-1]
    centre = float(t["central"].iloc[0]) / 1000 if len(t) else 0.0
    fig = new_figure(8.0, 1.2 + 0.4 * max(len(t), 1))
    ax = fig.add_subplot()
    y = np.arange(len(t))
    for col, colour, label in (("value_low", COLOURS["down"], "assumption at low"),
                               ("value_high", COLOURS["up"], "assumption at high")):
        ax.barh(y, t[col] / 1000 - centre, left=centre, color=colour, label=label)
    ax.axvline(centre, color="black", linewidth=0.8)
    ax.set_yticks(y, [a.split(".", 2)[-1] for a in t["assumption"]], fontsize=7)
    ax.set_xlabel(f"{meta.get('measure', 'value')} in {meta.get('year', '')} [£m]")
    ax.set_title(f"{meta.get('org', '')}: sensitivity of {meta.get('measure', '')} "
                 f"{meta.get('year', '')} (£m)")
    ax.legend(fontsize=7)
    _source_line(fig, scenario)
    return fig


def position_s_curve(values, scenario: str, org: str = "footprint",
                     measure: str = "do_something_surplus", year: str = "") -> Figure:
    """Histogram and S-curve (cumulative probability) of one year's position [£m].

    Parameters
    ----------
    values : array
        The position in each run [£k], e.g. ``Simulation.get(org, measure)[1:, -1]``.
    """
    v = np.sort(np.asarray(values, dtype=float)) / 1000
    fig = new_figure()
    ax = fig.add_subplot()
    ax.hist(v, bins=min(50, max(5, len(v) // 20)), color=COLOURS["total"], alpha=0.5)
    ax.set_ylabel("Runs [count]")
    ax.set_xlabel(f"{measure} {year} [£m]")
    s = ax.twinx()
    s.plot(v, np.arange(1, len(v) + 1) / max(len(v), 1), color="black", linewidth=1.5)
    s.set_ylabel("Probability position <= value [fraction]")
    s.set_ylim(0, 1)
    ax.axvline(0, color=COLOURS["down"], linewidth=1)
    p = float((v >= 0).mean()) if len(v) else float("nan")
    ax.set_title(f"{org}: {measure} {year} (£m); P(surplus >= 0) = {p:.2f}")
    _source_line(fig, scenario)
    return fig


def scenarios_by_year(by_year: pd.DataFrame, org: str = "footprint") -> Figure:
    """Lines of the do-something surplus/(deficit) of ``org`` by year, one per scenario [£m].

    ``by_year`` has scenarios down and years across [£k] (the comparison page's table).
    """
    fig = new_figure()
    ax = fig.add_subplot()
    for name, row in by_year.iterrows():
        label = str(name).replace("$", r"\$")  # no mathtext; a leading "_" hides a legend entry
        ax.plot(list(row.index), row.to_numpy() / 1000, marker="o", label=" " + label)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(f"Do something surplus/(deficit) by year, {org}", color=COLOURS["total"])
    ax.set_ylabel("£m")
    ax.legend(fontsize=8)
    return fig
