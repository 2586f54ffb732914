"""Charts kept alive for the explorer: built once with a frozen layout, their data replaced.

:mod:`ccgmodels.outputs.plotting` builds a new figure from scratch, with constrained layout, for
each report; redrawn on every change of an interactive control, three of those cost most of a
half-second. Here each chart is made once (fixed margins, no layout engine), and
:meth:`LiveChart.update` only moves its lines and bars to the new results; :meth:`LiveChart.png`
rasterises it (Agg) when it is on screen. Same colours, titles and units as the report charts:
money in £m, surplus positive, deficit negative.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..inputs.vocab import BRIDGE_STEPS
from .plotting import BRIDGE_LABELS, COLOURS, waterfall_steps

#: size [inches] and resolution [dots per inch] of every live chart (720 x 360 px)
SIZE, DPI = (8.0, 4.0), 90
#: PNG compression: speed over size for a picture sent once over localhost
COMPRESS = 1


class LiveChart:
    """One chart whose artists are made once and whose data :meth:`update` replaces.

    Subclasses set :attr:`title` and implement :meth:`_artists` and :meth:`_data`.
    """

    title = ""
    ylabel = "£m"
    era: str | None = None  # whose words the labels use (the explorer sets its scenario's)

    def __init__(self) -> None:
        self.fig = Figure(figsize=SIZE, dpi=DPI)
        FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.22)
        self.ax = self.fig.add_subplot()
        self.ax.set_ylabel(self.ylabel)
        self.ax.axhline(0, color="black", linewidth=0.6)
        self.ax.grid(axis="y", alpha=0.3)
        self._title = self.ax.set_title("")
        self._note = self.fig.text(0.01, 0.01, "", fontsize=7, color=COLOURS["grey"])
        self._artists()
        self.stale = True

    def _artists(self) -> None:
        raise NotImplementedError

    def available(self, results: pd.DataFrame, org: str) -> bool:
        """Whether ``results`` hold what this chart draws for ``org``."""
        return True

    def update(self, results: pd.DataFrame, org: str, name: str) -> None:
        """Move the chart's artists to ``org``'s values in ``results`` [£k, shown in £m]."""
        self._title.set_text(f"{self.title}: {name}")
        scenario = ", ".join(map(str, pd.unique(results["scenario"])))
        self._note.set_text(f"Source: ccgmodels scenario {scenario}")
        self._data(results[results["org"] == org])
        self.ax.relim()
        self.ax.autoscale_view()
        self.stale = True

    def _data(self, rows: pd.DataFrame) -> None:
        raise NotImplementedError

    def png(self) -> bytes:
        """The chart as PNG bytes, drawn now."""
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": COMPRESS})
        self.stale = False
        return buf.getvalue()


class LinesByYear(LiveChart):
    """Lines of some ``(measure, item)`` series by year."""

    series: dict[tuple[str, str], str] = {}

    def _artists(self) -> None:
        self.lines = {key: self.ax.plot([], [], marker="o", label=label)[0]
                      for key, label in self.series.items()}
        self.ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=3, fontsize=8,
                       frameon=False)
        self._years: list[str] = []

    def _data(self, rows: pd.DataFrame) -> None:
        wanted = np.zeros(len(rows), dtype=bool)
        for measure, item in self.lines:
            wanted |= ((rows["measure"] == measure) & (rows["item"].fillna("") == item)).to_numpy()
        rows = rows[wanted]
        years = sorted(pd.unique(rows["year"].dropna()))
        if years != self._years:
            self.ax.set_xticks(range(len(years)), years)
            self.ax.set_xlim(-0.3, len(years) - 0.7)
            self._years = years
        at = {y: i for i, y in enumerate(years)}
        for (measure, item), line in self.lines.items():
            sel = rows[(rows["measure"] == measure) & (rows["item"].fillna("") == item)]
            sel = sel.groupby("year")["value"].sum()
            line.set_data([at[y] for y in sel.index], sel.to_numpy() / 1000)
            line.set_visible(len(sel) > 0)


class Surplus(LinesByYear):
    title = "Surplus/(deficit): do nothing vs do something"
    series = {("do_nothing_surplus", ""): "Do nothing",
              ("do_something_surplus", ""): "Do something",
              ("surplus", ""): "Commissioner plan"}


class AllocationSpend(LinesByYear):
    title = "Allocation vs expenditure"
    series = {("allocation", "total"): "Allocation",
              ("expenditure", "total"): "Plan expenditure",
              ("do_nothing_expenditure", "total"): "Do-nothing expenditure"}


class Bridge(LiveChart):
    """Waterfall of the primary care bridge in its last year."""

    title = "Primary care bridge"

    def _artists(self) -> None:
        labels = [BRIDGE_LABELS[s] for s in BRIDGE_STEPS] + [BRIDGE_LABELS["end_state"]]
        self.bars = self.ax.bar(labels, np.zeros(len(labels)))
        self.ax.tick_params(axis="x", labelrotation=20, labelsize=8)
        self.links = [self.ax.plot([i + 0.4, i + 0.6], [0, 0], color=COLOURS["grey"],
                                   lw=0.8)[0] for i in range(len(labels) - 2)]

    def available(self, results: pd.DataFrame, org: str) -> bool:
        return bool(((results["org"] == org) & (results["measure"] == "pc_bridge")).any())

    def _data(self, rows: pd.DataFrame) -> None:
        bridge = rows[rows["measure"] == "pc_bridge"]
        if bridge.empty:
            for b in self.bars:
                b.set_height(0)
            return
        year = sorted(bridge["year"].unique())[-1]
        steps = waterfall_steps(bridge, year, self.era)
        if list(steps["label"]) != [t.get_text() for t in self.ax.get_xticklabels()]:
            self.ax.set_xticks(range(len(steps)), list(steps["label"]))
        self._title.set_text(self._title.get_text().replace(self.title,
                                                            f"{self.title} {year}"))
        for bar, start, value, kind in zip(self.bars, steps["start"], steps["value"],
                                           steps["kind"], strict=True):
            bar.set_y(start / 1000)
            bar.set_height(value / 1000)
            bar.set_color(COLOURS["total"] if kind == "total"
                          else COLOURS["up" if value >= 0 else "down"])
        for link, end, nxt in zip(self.links, steps["end"].iloc[:-2], steps["start"].iloc[1:-1],
                                  strict=True):
            link.set_ydata([end / 1000, nxt / 1000])

    def update(self, results: pd.DataFrame, org: str, name: str) -> None:
        super().update(results, org, name)
        # bars are not data limits autoscale_view follows once moved: set them from the bars
        tops = [b.get_y() + h for b in self.bars for h in (0, b.get_height())]
        low, high = min(0.0, *tops), max(0.0, *tops)
        pad = (high - low) * 0.08 or 1.0
        self.ax.set_ylim(low - pad, high + pad)


#: the explorer's charts, in tab order: (tab title, class)
CHARTS = (("Surplus", Surplus), ("Allocation and spend", AllocationSpend),
          ("Primary care bridge", Bridge))
