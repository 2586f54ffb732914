"""Pure figure builders: tidy results in, :class:`matplotlib.figure.Figure` out.

Every function takes a results table from :func:`ccgmodels.models.run.run_scenario` (columns
``scenario, org, year, measure, item, value, unit, kind``; money in £k) and returns a new Figure
built without :mod:`matplotlib.pyplot`, so no global figure state leaks and nothing needs a display:
library code never calls ``plt.show``. Charts show money in the tables' unit, £k, with deficits
in brackets on the axis; each carries a title naming the organisation (``name``, its display
name), the unit on the value axis, a source line, the colour-blind-safe palette of
:mod:`ccgmodels.outputs.chartdata` and alt text (``fig.alt_text``, read with :func:`alt_text`)
that states what it shows and its key numbers. Sign: surplus positive, deficit negative.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..inputs.vocab import FOOTPRINT
from . import labels
from .chartdata import (  # noqa: F401 (BRIDGE_LABELS, waterfall_steps re-exported)
    BRIDGE_LABELS,
    COLOURS,
    CYCLE,
    MONEY_UNIT,
    SOURCE,
    bars_alt,
    fan_alt,
    lines_alt,
    money_tick,
    span_limits,
    tornado_alt,
    waterfall_alt,
    waterfall_steps,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def new_figure(width: float = 8.0, height: float = 4.5) -> Figure:
    """A Figure not registered with pyplot [inches], drawing in the palette's colour order."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    fig.alt_text = ""
    return fig


def _axes(fig: Figure, *args, **kwargs):
    ax = fig.add_subplot(*args, **kwargs)
    ax.set_prop_cycle(color=CYCLE)
    return ax


def alt_text(fig: Figure) -> str:
    """What ``fig`` shows, with its key numbers, for an image's alt attribute."""
    if getattr(fig, "alt_text", ""):
        return fig.alt_text
    return fig.axes[0].get_title().replace("\n", " ") if fig.axes else "Chart"


def _name(org: str, name: str | None) -> str:
    return name or labels.humanise(org)


#: characters of a chart title on one line: a longer one wraps rather than running off the
#: figure (an organisation list like "System (1 ICB, 3 providers, 1 council)" is long)
TITLE_WIDTH = 78


def wrapped(title: str) -> str:
    """``title`` broken into lines of at most :data:`TITLE_WIDTH` characters."""
    return textwrap.fill(title, TITLE_WIDTH, break_long_words=False)


def money_axis(ax, axis: str = "y") -> None:
    """Ticks of ``axis`` in £k as the tables print them (deficits in brackets)."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(money_tick)


def _finish(fig: Figure, ax, title: str, ylabel: str, results: pd.DataFrame,
            money: bool = True) -> Figure:
    scenario = ", ".join(map(str, pd.unique(results["scenario"]))) if len(results) else ""
    ax.set_title(wrapped(title))
    ax.set_ylabel(ylabel)
    lo, hi = ax.get_ylim()
    if lo < 0 < hi:  # a zero line only where zero is on the axis: it never forces the range
        ax.axhline(0, color="black", linewidth=0.6)
    ax.grid(axis="y", alpha=0.3)
    if money:
        money_axis(ax)
    fig.text(0.01, 0.0, SOURCE.format(scenario=scenario), fontsize=7, color=COLOURS["grey"],
             ha="left", va="bottom")
    fig.get_layout_engine().set(h_pad=0.25)
    return fig


def _select(results: pd.DataFrame, org: str, measure: str) -> pd.DataFrame:
    sel = results[(results["org"] == org) & (results["measure"] == measure)]
    if sel.empty:
        raise ValueError(f"no {measure!r} rows for org {org!r}")
    return sel


def bridge_waterfall(results: pd.DataFrame, org: str, year: str | None = None,
                     name: str | None = None, era: str | None = None) -> Figure:
    """Waterfall of the primary care bridge of ``org`` in ``year`` (default last bridge year).

    Bars are the in-year position, each enabler, baseline funding and STF, each labelled with
    its value; the closing bar is the end state [£k].
    """
    bridge = _select(results, org, "pc_bridge")
    year = year or sorted(bridge["year"].unique())[-1]
    steps = waterfall_steps(bridge, year, era)
    fig = new_figure()
    ax = _axes(fig)
    colours = [COLOURS["total"] if k == "total" else COLOURS["up" if v >= 0 else "down"]
               for k, v in zip(steps["kind"], steps["value"], strict=True)]
    bars = ax.bar(steps["label"], steps["value"], bottom=steps["start"], color=colours)
    ax.bar_label(bars, labels=[money_tick(v) for v in steps["value"]], label_type="center",
                 fontsize=8, color="white", fontweight="bold")
    for i, (s, e) in enumerate(zip(steps["end"].iloc[:-1], steps["start"].iloc[1:],
                                   strict=True)):
        if steps["kind"].iloc[i + 1] == "step":
            ax.plot([i + 0.4, i + 0.6], [s, e], color=COLOURS["grey"], lw=0.8)
    ax.tick_params(axis="x", labelrotation=30)
    title = f"Primary care bridge {year}: {_name(org, name)}"
    fig.alt_text = waterfall_alt(title, steps)
    return _finish(fig, ax, title, MONEY_UNIT, bridge)


#: the lines of the surplus and the allocation charts, ``{(measure, item): label}``, and their
#: titles before ": <organisation>": one definition for the report and the app
#: (:mod:`ccgmodels.outputs.livecharts`)
SURPLUS_LINES = {("do_nothing_surplus", ""): "Do nothing", ("do_something_surplus", ""):
                 "Do something", ("surplus", ""): "Commissioner plan"}
SURPLUS_TITLE = "Surplus/(deficit), do nothing and do something"
ALLOCATION_LINES = {("allocation", "total"): "Allocation",
                    ("expenditure", "total"): "Plan expenditure",
                    ("do_nothing_expenditure", "total"): "Do nothing expenditure"}
ALLOCATION_TITLE = "Allocation and expenditure"


def end_label(ax, x, y: float, colour: str, text=None):
    """The value of a line's last point written beside it [£k, as the tables print it]; an
    existing label ``text`` is moved instead (the app's live charts)."""
    if text is None:
        return ax.annotate(money_tick(y), (x, y), xytext=(0, 7), textcoords="offset points",
                           ha="center", fontsize=8, color=colour, fontweight="bold")
    text.xy = (x, y)
    text.set_text(money_tick(y))
    return text


def spread_end_labels(ax, texts) -> None:
    """Keep the end labels of lines that finish close together apart: going down from the
    highest, a label within 7% of the axis of the one above goes under its point."""
    lo, hi = ax.get_ylim()
    near = 0.07 * (hi - lo)
    shown = sorted((t for t in texts if t.get_visible()), key=lambda t: -t.xy[1])
    above = None
    for t in shown:
        below = above is not None and above - t.xy[1] < near
        t.xyann = (0, -13) if below else (0, 7)
        above = None if below else t.xy[1]


def _lines(results: pd.DataFrame, org: str, lines: dict, ax) -> tuple[list, dict]:
    used, series = [], {}
    for (measure, item), label in lines.items():
        sel = results[(results["org"] == org) & (results["measure"] == measure)
                      & (results["item"].fillna("") == item)].sort_values("year")
        if sel.empty:
            continue
        sel = sel.groupby("year", as_index=False).agg(value=("value", "sum"),
                                                      scenario=("scenario", "first"))
        line = ax.plot(sel["year"], sel["value"], marker="o", label=label)[0]
        end_label(ax, sel["year"].iloc[-1], float(sel["value"].iloc[-1]), line.get_color())
        used.append(sel)
        series[label] = (list(sel["year"]), list(sel["value"]))
    return used, series


def variance_waterfall(steps: pd.Series, title: str) -> Figure:
    """Waterfall of a variance bridge (:func:`ccgmodels.outputs.variance.bridge` values by
    step): the opening and closing positions from zero, each step and the residual between,
    each bar labelled with its value [£k]."""
    labels_, values = list(steps.index), [float(v) for v in steps.to_numpy()]
    start, starts, kinds = 0.0, [], []
    for i, v in enumerate(values):
        total = i == 0 or i == len(values) - 1
        kinds.append("total" if total else "step")
        starts.append(0.0 if total else start)
        start = v if total else start + v
    fig = new_figure(9.0, 4.5)
    ax = _axes(fig)
    colours = [COLOURS["total"] if k == "total" else COLOURS["up" if v >= 0 else "down"]
               for k, v in zip(kinds, values, strict=True)]
    bars = ax.bar(labels_, values, bottom=starts, color=colours)
    ax.bar_label(bars, labels=[money_tick(v) for v in values], fontsize=8, padding=2)
    ax.tick_params(axis="x", labelrotation=20)
    frame = pd.DataFrame({"label": labels_, "value": values})
    fig.alt_text = waterfall_alt(title, frame)
    ax.set_title(wrapped(title))
    ax.set_ylabel(MONEY_UNIT)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.grid(axis="y", alpha=0.3)
    money_axis(ax)
    return fig


def do_nothing_vs_something(results: pd.DataFrame, org: str, name: str | None = None
                            ) -> Figure:
    """Lines of the do-nothing and do-something surplus/(deficit) of ``org`` by year [£k]."""
    fig = new_figure()
    ax = _axes(fig)
    used, series = _lines(results, org, SURPLUS_LINES, ax)
    if not used:
        raise ValueError(f"no surplus rows for org {org!r}")
    spread_end_labels(ax, ax.texts)
    ax.legend()
    title = f"{SURPLUS_TITLE}: {_name(org, name)}"
    fig.alt_text = lines_alt(title, series)
    return _finish(fig, ax, title, MONEY_UNIT, pd.concat(used))


def stacked_bars(table: pd.DataFrame, title: str, ylabel: str, results: pd.DataFrame,
                 scale: float = 1.0) -> Figure:
    """Stacked bars of a wide table (index on the x axis, one stack per column) [£k / scale]."""
    fig = new_figure()
    ax = _axes(fig)
    pos = np.zeros(len(table))
    neg = np.zeros(len(table))
    x = [str(i) for i in table.index]
    for col in table.columns:
        v = table[col].to_numpy(dtype=float) / scale
        bottom = np.where(v >= 0, pos, neg)
        ax.bar(x, v, bottom=bottom, label=str(col))
        pos, neg = pos + np.clip(v, 0, None), neg + np.clip(v, None, 0)
    if len(table.columns):  # no stacks (a plan with no schemes): no legend, and no warning
        ax.legend(fontsize=8)
    fig.alt_text = bars_alt(title, table / scale)
    return _finish(fig, ax, title, ylabel, results, money=ylabel == MONEY_UNIT)


def qipp_by(results: pd.DataFrame, org: str, by: str = "status", year: str | None = None,
            name: str | None = None, era: str | None = None) -> Figure:
    """Stacked bars of QIPP by ``by`` (``status`` or ``category``) with the target and gap.

    One bar per year (or only ``year``): scheme contributions stacked, the target as a black
    marker and the pipeline target (target + headroom) as an open marker [£k].
    """
    measure = {"status": "qipp_status", "category": "qipp_category"}[by]
    sel = results[(results["org"] == org) & results["measure"].isin([measure, "qipp"])]
    if sel.empty:
        raise ValueError(f"no QIPP rows for org {org!r}")
    years = sorted(sel["year"].unique())
    wide = sel[sel["measure"] == measure].pivot_table(
        index="year", columns="item", values="value", aggfunc="sum").reindex(years).fillna(0.0)
    wide.columns = [labels.label(c, era=era) for c in wide.columns]
    if year is not None:
        wide = wide.loc[[year]]
    fig = stacked_bars(wide, f"{labels.term('QIPP', era)} by {by}: {_name(org, name)}",
                       MONEY_UNIT, sel)
    ax = fig.axes[0]
    q = results[(results["org"] == org) & (results["measure"] == "qipp")]
    q = q.pivot_table(index="year", columns="item", values="value").reindex(wide.index)
    x = [str(i) for i in wide.index]
    if "unidentified" in q:
        gap = q["unidentified"].fillna(0).clip(lower=0).to_numpy()
        ax.bar(x, gap, bottom=wide.clip(lower=0).sum(axis=1).to_numpy(), fill=False,
               hatch="//", edgecolor=COLOURS["grey"], label="Unidentified (gap)")
    if "target" in q:
        ax.scatter(x, q["target"], color="black", marker="_", s=400, zorder=3,
                   label="Target")
        fig.alt_text = fig.alt_text[:-1] + "; target " + ", ".join(
            f"{i} {money_tick(v)}" for i, v in q["target"].items()) + "."
    if "pipeline_target" in q:
        ax.scatter(x, q["pipeline_target"], facecolors="none", edgecolors="black",
                   zorder=3, label="Target + headroom")
    # beside the axes: inside, the markers of the first year can sit on the legend
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def activity_by_pod(results: pd.DataFrame, org: str, pods: Sequence[str] | None = None,
                    name: str | None = None) -> Figure:
    """Activity by point of delivery by year, indexed to the base year = 100 [index]."""
    sel = _select(results, org, "activity")
    wide = sel.pivot_table(index="year", columns="item", values="value", aggfunc="sum")
    if pods is not None:
        wide = wide[list(pods)]
    index = wide / wide.iloc[0] * 100
    fig = new_figure()
    ax = _axes(fig)
    styles = ("-", "--", ":")
    for i, col in enumerate(index.columns):
        ax.plot(index.index, index[col], marker=".", linestyle=styles[i // len(CYCLE) % 3],
                label=labels.label(col))
    ax.legend(fontsize=7, ncol=2)
    title = f"Activity by point of delivery: {_name(org, name)}"
    end = index.iloc[-1].sort_values()
    fig.alt_text = (f"Line chart, {title}, index base year = 100: in {index.index[-1]} from "
                    f"{labels.label(end.index[0])} {end.iloc[0]:.0f} to "
                    f"{labels.label(end.index[-1])} {end.iloc[-1]:.0f}.")
    fig = _finish(fig, ax, title, "Index (base year = 100)", sel, money=False)
    ax.axhline(100, color=COLOURS["grey"], linewidth=0.6)
    ax.set_ylim(bottom=min(90, float(np.nanmin(index.to_numpy()))))
    return fig


def allocation_vs_expenditure(results: pd.DataFrame, org: str, name: str | None = None
                              ) -> Figure:
    """Allocation, plan and do-nothing expenditure totals of ``org`` by year [£k]; the value
    axis spans the lines (not from zero), so the gap between them shows."""
    fig = new_figure()
    ax = _axes(fig)
    used, series = _lines(results, org, ALLOCATION_LINES, ax)
    if not used:
        raise ValueError(f"no allocation or expenditure rows for org {org!r}")
    ax.set_ylim(*span_limits([v for _, vs in series.values() for v in vs]))
    spread_end_labels(ax, ax.texts)
    ax.legend()
    title = f"{ALLOCATION_TITLE}: {_name(org, name)}"
    fig.alt_text = lines_alt(title, series)
    return _finish(fig, ax, title, MONEY_UNIT, pd.concat(used))


def save_figure(fig: Figure, folder: str, name: str) -> str | None:
    """Write ``fig`` as ``folder/name.png``; nothing when ``folder`` is empty. Returns the path."""
    return save_png(to_png(fig, dpi=SAVED_DPI), folder, name) if folder else None


def save_png(png: bytes, folder: str, name: str) -> str | None:
    """Write rendered PNG bytes as ``folder/name.png`` (a report renders each chart once, shows
    those bytes and saves them); nothing when ``folder`` is empty. Returns the path."""
    from pathlib import Path

    if not folder:
        return None
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return str(path)


#: resolution of the charts a report shows and saves beside itself [dots per inch]
SAVED_DPI = 120


def to_png(fig: Figure, dpi: int = 90) -> bytes:
    """The figure as PNG bytes (for display in widgets and reports)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


# --- uncertainty charts (data from ccgmodels.models.uncertainty) ----------------------------

_FAN_MEASURES = {"do_nothing_surplus": ("Do nothing", "#E69F00"),
                 "do_something_surplus": ("Do something", COLOURS["total"]),
                 "risk_adjusted_surplus": ("Risk-adjusted", COLOURS["down"])}
#: the measures a fan chart can draw, in order (the risk-adjusted one where there is a risk
#: register: the do-something position with the register drawn)
FAN_MEASURES = tuple(_FAN_MEASURES)


def _source_line(fig: Figure, scenario: str) -> None:
    fig.text(0.01, 0.0, SOURCE.format(scenario=scenario), fontsize=7, color=COLOURS["grey"],
             ha="left", va="bottom")
    fig.get_layout_engine().set(h_pad=0.25)


def fan_chart(summary: pd.DataFrame, org: str = FOOTPRINT,
              measures: Sequence[str] = FAN_MEASURES[:2], name: str | None = None
              ) -> Figure:
    """Fan chart of surplus/(deficit) by year: median line, p10-p90 and p5-p95 bands [£k].

    Each measure has its own panel, on one shared value axis, so the bands never overlap
    into a third colour.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`ccgmodels.models.uncertainty.summarise` output (stats in £k).
    org : str
        Organisation id or ``footprint``.
    measures : sequence of str
        Surplus measures to draw (default do nothing and do something).
    """
    sel = summary[summary["org"] == org]
    if sel.empty:
        raise ValueError(f"no uncertainty rows for org {org!r}")
    fig = new_figure(9.0, 4.5)
    axes = fig.subplots(1, len(measures), sharey=True, squeeze=False)[0]
    bands = {}
    for ax, measure in zip(axes, measures, strict=True):
        label, colour = _FAN_MEASURES.get(measure, (measure, COLOURS["grey"]))
        t = sel[sel["measure"] == measure].pivot(index="year", columns="stat", values="value")
        t = t.sort_index()
        bands[label] = t
        x = np.arange(len(t))
        ax.fill_between(x, t["p5"], t["p95"], color=colour, alpha=0.2,
                        label="5th-95th percentile")
        ax.fill_between(x, t["p10"], t["p90"], color=colour, alpha=0.45,
                        label="10th-90th percentile")
        ax.plot(x, t["p50"], color=colour, linewidth=2, label="Median")
        ax.set_xticks(x, list(t.index))
        ax.set_title(label)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
        money_axis(ax)
        lo, hi = ax.get_ylim()
        if lo < 0 < hi:
            ax.axhline(0, color="black", linewidth=0.6)
    axes[0].set_ylabel(f"Surplus/(deficit) [{MONEY_UNIT}]")
    title = f"Surplus/(deficit) uncertainty: {_name(org, name)}"
    fig.suptitle(wrapped(title))
    fig.alt_text = fan_alt(title, bands)
    scenario = ", ".join(map(str, pd.unique(sel["scenario"]))) if "scenario" in sel else ""
    _source_line(fig, scenario)
    return fig


def _assumption(path: str) -> str:
    """A dotted assumption path as a label that keeps its organisation (when no display names
    are given): ``organisations.cpr_ccg.expenditure.price_inflation`` as ``Expenditure price
    inflation (Cpr ccg)``."""
    parts = path.split(".")
    if parts[0] == "organisations" and len(parts) > 2:
        who = "all organisations" if parts[1] == "*" else labels.humanise(parts[1])
        return f"{labels.humanise('.'.join(parts[2:]))} ({who})"
    return labels.humanise(path)


def tornado_chart(table: pd.DataFrame, scenario: str | None = None, top: int = 12,
                  names: Mapping[str, str] | None = None, name: str | None = None) -> Figure:
    """Tornado chart of one-at-a-time sensitivity: bars from central to low and high [£k].

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`ccgmodels.models.uncertainty.tornado` output (values in £k), sorted by swing.
    scenario : str, optional
        Scenario name for the source line; ``table.attrs['scenario']`` when absent.
    top : int
        Number of assumptions drawn, largest swing at the top.
    names : mapping, optional
        Display name of each assumption path, with its organisation
        (:func:`ccgmodels.outputs.labels.assumption_name`); else the path's last parts.
    name : str, optional
        Display name of the organisation whose position is measured.
    """
    meta = table.attrs
    scenario = scenario or meta.get("scenario", "")
    t = table.head(top).iloc[::-1]
    centre = float(t["central"].iloc[0]) if len(t) else 0.0
    given = t["name"] if "name" in t else [""] * len(t)  # a risk's or mitigation's name
    shown = [(names or {}).get(a) or g or _assumption(a)
             for a, g in zip(t["assumption"], given, strict=True)]
    fig = new_figure(9.0, 1.4 + 0.4 * max(len(t), 1))
    ax = _axes(fig)
    y = np.arange(len(t))
    for col, colour, label in (("value_low", COLOURS["down"], "Assumption at its low"),
                               ("value_high", COLOURS["total"], "Assumption at its high")):
        ax.barh(y, t[col] - centre, left=centre, color=colour, label=label)
    ax.axvline(centre, color="black", linewidth=0.8)
    ax.set_yticks(y, shown, fontsize=7)
    measure = labels.label(meta.get("measure", "value"))
    ax.set_xlabel(f"{measure} in {meta.get('year', '')} [{MONEY_UNIT}]")
    money_axis(ax, "x")
    who = name or labels.humanise(meta.get("org", ""))
    title = f"Sensitivity of the {meta.get('year', '')} {measure.lower()}: {who}"
    fig.suptitle(wrapped(title))  # over the figure: the long labels leave the axes narrow
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.legend(fontsize=7)
    fig.alt_text = tornado_alt(title, shown[::-1], list(t["value_low"])[::-1],
                               list(t["value_high"])[::-1], centre)
    _source_line(fig, scenario)
    return fig


def position_s_curve(values, scenario: str, org: str = FOOTPRINT,
                     measure: str = "do_something_surplus", year: str = "",
                     name: str | None = None) -> Figure:
    """Histogram and S-curve (cumulative probability) of one year's position [£k].

    Parameters
    ----------
    values : array
        The position in each run [£k], e.g. ``Simulation.get(org, measure)[1:, -1]``.
    """
    v = np.sort(np.asarray(values, dtype=float))
    fig = new_figure()
    ax = _axes(fig)
    ax.hist(v, bins=min(50, max(5, len(v) // 20)), color=COLOURS["total"], alpha=0.5)
    ax.set_ylabel("Runs [count]")
    ax.set_xlabel(f"{labels.label(measure)} {year} [{MONEY_UNIT}]")
    money_axis(ax, "x")
    s = ax.twinx()
    s.plot(v, np.arange(1, len(v) + 1) / max(len(v), 1), color="black", linewidth=1.5)
    s.set_ylabel("Probability position <= value [fraction]")
    s.set_ylim(0, 1)
    ax.axvline(0, color=COLOURS["down"], linewidth=1)
    p = float((v >= 0).mean()) if len(v) else float("nan")
    title = f"{labels.label(measure)} {year}: {_name(org, name)}; P(surplus >= 0) = {p:.2f}"
    ax.set_title(wrapped(title))
    fig.alt_text = (f"Histogram and cumulative probability, {title}; median "
                    f"{money_tick(float(np.median(v))) if len(v) else ''} £k.")
    _source_line(fig, scenario)
    return fig


def scenarios_by_year(by_year: pd.DataFrame, org: str = FOOTPRINT, name: str | None = None
                      ) -> Figure:
    """Lines of the do-something surplus/(deficit) of ``org`` by year, one per scenario [£k].

    ``by_year`` has scenarios down and years across [£k] (the comparison page's table).
    """
    fig = new_figure()
    ax = _axes(fig)
    series = {}
    for key, row in by_year.iterrows():
        label = str(key).replace("$", r"\$")  # no mathtext; a leading "_" hides a legend entry
        ax.plot(list(row.index), row.to_numpy(), marker="o", label=" " + label)
        series[str(key)] = (list(row.index), list(row.to_numpy()))
    lo, hi = ax.get_ylim()
    if lo < 0 < hi:
        ax.axhline(0, color="black", linewidth=0.6)
    ax.grid(axis="y", alpha=0.3)
    title = f"Do something surplus/(deficit) by year: {_name(org, name)}"
    ax.set_title(wrapped(title), color=COLOURS["total"])
    ax.set_ylabel(MONEY_UNIT)
    money_axis(ax)
    ax.legend(fontsize=8)
    fig.alt_text = lines_alt(title, series)
    return fig
