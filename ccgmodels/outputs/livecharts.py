"""Charts kept alive for the explorer: the report's charts, built once with a frozen layout,
their data replaced.

:mod:`ccgmodels.outputs.plotting` builds a new figure from scratch, with constrained layout, for
each report; built afresh on every change of an interactive control, one costs 100 to 400 ms.
Here each chart is made once (fixed margins, no layout engine), and :meth:`LiveChart.update`
only moves its lines, bars and value labels to the new results; :meth:`LiveChart.png`
rasterises it (Agg) when it is on screen. What it shows is the report's, from the same
definitions (:mod:`ccgmodels.outputs.plotting`, :mod:`ccgmodels.outputs.chartdata`): the same
lines and titles, money in £k with deficits in brackets, the colour-blind-safe palette, a value
axis that spans the lines (the gap shows, not a climb from zero), value labels, the same source
note and alt text (:attr:`LiveChart.alt`). Surplus positive, deficit negative.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..inputs.vocab import BRIDGE_STEPS
from .plotting import (
    ALLOCATION_LINES,
    ALLOCATION_TITLE,
    BRIDGE_LABELS,
    COLOURS,
    CYCLE,
    MONEY_UNIT,
    SOURCE,
    SURPLUS_LINES,
    SURPLUS_TITLE,
    end_label,
    lines_alt,
    money_axis,
    money_tick,
    span_limits,
    spread_end_labels,
    waterfall_alt,
    waterfall_steps,
    wrapped,
)

#: size [inches] and resolution [dots per inch] of every live chart (720 x 360 px)
SIZE, DPI = (8.0, 4.0), 90
#: PNG compression: speed over size for a picture sent once over localhost
COMPRESS = 1


class LiveChart:
    """One chart whose artists are made once and whose data :meth:`update` replaces.

    Subclasses set :attr:`title` and implement :meth:`_artists` and :meth:`_data`;
    :attr:`alt` is the chart's alt text once updated (what it shows and its key numbers).
    """

    title = ""
    ylabel = MONEY_UNIT
    era: str | None = None  # whose words the labels use (the explorer sets its scenario's)

    def __init__(self) -> None:
        self.fig = Figure(figsize=SIZE, dpi=DPI)
        FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(left=0.11, right=0.98, top=0.88, bottom=0.22)
        self.ax = self.fig.add_subplot()
        self.ax.set_prop_cycle(color=CYCLE)
        self.ax.set_ylabel(self.ylabel)
        money_axis(self.ax)
        self._zero = self.ax.axhline(0, color="black", linewidth=0.6)
        self.ax.grid(axis="y", alpha=0.3)
        self._title = self.ax.set_title("")
        self._note = self.fig.text(0.01, 0.01, SOURCE, fontsize=7, color=COLOURS["grey"])
        self.alt = ""
        self._artists()
        self.stale = True

    def _artists(self) -> None:
        raise NotImplementedError

    def available(self, results: pd.DataFrame, org: str) -> bool:
        """Whether ``results`` hold what this chart draws for ``org``."""
        return True

    def update(self, results: pd.DataFrame, org: str, name: str) -> None:
        """Move the chart's artists to ``org``'s values in ``results`` [£k]."""
        self._title.set_text(wrapped(f"{self.title}: {name}"))
        self._data(results[results["org"] == org])
        lo, hi = self._limits()
        self.ax.set_ylim(lo, hi)
        spread_end_labels(self.ax, getattr(self, "labels", {}).values())
        self._zero.set_visible(lo < 0 < hi)  # a zero line only where zero is on the axis
        self.stale = True

    def _limits(self) -> tuple[float, float]:
        self.ax.relim()
        self.ax.autoscale_view()
        return self.ax.get_ylim()

    def _data(self, rows: pd.DataFrame) -> None:
        raise NotImplementedError

    def moving(self) -> list:
        """The artists a change moves: the value axis (its ticks, grid and labels), the zero
        line and the subclass's data artists, drawn over a kept picture of the rest."""
        return [self.ax.yaxis, self._zero]

    def _background_key(self) -> tuple:
        """What the kept picture shows: a change to any of it draws it again."""
        return (self._title.get_text(), tuple(t.get_text() for t in self.ax.get_xticklabels()),
                self.ax.get_xlim())

    def png(self) -> bytes:
        """The chart as PNG bytes, drawn now: what does not move with the data (title,
        legend, source note, the year axis; most of the text, which is most of the drawing)
        is drawn once and kept, and a change draws only :meth:`moving` over it (blitting);
        then the canvas's pixels as RGB (a white chart needs no alpha channel)."""
        from PIL import Image

        canvas = self.fig.canvas
        moving = self.moving()
        key = self._background_key()
        if getattr(self, "_kept", None) is None or self._kept[0] != key:
            for a in moving:
                a.set_animated(True)
            canvas.draw()
            self._kept = (key, canvas.copy_from_bbox(self.fig.bbox))
        canvas.restore_region(self._kept[1])
        for a in moving:
            if a.get_visible():
                self.ax.draw_artist(a)
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(),
                                 "raw", "RGBA", 0, 1).convert("RGB")
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=COMPRESS)
        self.stale = False
        return buf.getvalue()


class LinesByYear(LiveChart):
    """Lines of some ``(measure, item)`` series by year, the last value of each written at its
    end; the value axis spans the lines (with room for their labels)."""

    series: dict[tuple[str, str], str] = {}

    def _artists(self) -> None:
        self.lines = {key: self.ax.plot([], [], marker="o", label=label)[0]
                      for key, label in self.series.items()}
        self.labels = {key: end_label(self.ax, 0, 0.0, line.get_color())
                       for key, line in self.lines.items()}
        self.ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=3, fontsize=8,
                       frameon=False)
        self._years: list[str] = []
        self._values: list[float] = []

    def moving(self) -> list:
        return [*super().moving(), *self.lines.values(), *self.labels.values()]

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
        self._values, shown = [], {}
        for key, line in self.lines.items():
            measure, item = key
            sel = rows[(rows["measure"] == measure) & (rows["item"].fillna("") == item)]
            sel = sel.groupby("year")["value"].sum()
            x, y = [at[yr] for yr in sel.index], sel.to_numpy(dtype=float)
            line.set_data(x, y)
            line.set_visible(len(sel) > 0)
            self.labels[key].set_visible(len(sel) > 0)
            if len(sel):
                end_label(self.ax, x[-1], float(y[-1]), line.get_color(), self.labels[key])
                self._values.extend(y)
                shown[line.get_label()] = (list(sel.index), list(y))
        self.alt = lines_alt(self._title.get_text().replace("\n", " "), shown)

    def _limits(self) -> tuple[float, float]:
        lo, hi = span_limits(self._values or [0.0], pad=0.12)
        return lo, hi


class Surplus(LinesByYear):
    title = SURPLUS_TITLE
    series = SURPLUS_LINES


class AllocationSpend(LinesByYear):
    title = ALLOCATION_TITLE
    series = ALLOCATION_LINES


class Bridge(LiveChart):
    """Waterfall of the primary care bridge in its last year, each bar labelled with its
    value."""

    title = "Primary care bridge"

    def _artists(self) -> None:
        labels = [BRIDGE_LABELS[s] for s in BRIDGE_STEPS] + [BRIDGE_LABELS["end_state"]]
        self.bars = self.ax.bar(labels, np.zeros(len(labels)))
        self.values = [self.ax.text(i, 0, "", ha="center", va="center", fontsize=8,
                                    color="white", fontweight="bold")
                       for i in range(len(labels))]
        self.ax.tick_params(axis="x", labelrotation=20, labelsize=8)
        self.links = [self.ax.plot([i + 0.4, i + 0.6], [0, 0], color=COLOURS["grey"],
                                   lw=0.8)[0] for i in range(len(labels) - 2)]

    def available(self, results: pd.DataFrame, org: str) -> bool:
        return bool(((results["org"] == org) & (results["measure"] == "pc_bridge")).any())

    def moving(self) -> list:
        return [*super().moving(), *self.bars, *self.links, *self.values]

    def update(self, results: pd.DataFrame, org: str, name: str) -> None:
        self._name = name
        super().update(results, org, name)

    def _data(self, rows: pd.DataFrame) -> None:
        bridge = rows[rows["measure"] == "pc_bridge"]
        if bridge.empty:
            for b, t in zip(self.bars, self.values, strict=True):
                b.set_height(0)
                t.set_text("")
            return
        year = sorted(bridge["year"].unique())[-1]
        steps = waterfall_steps(bridge, year, self.era)
        if list(steps["label"]) != [t.get_text() for t in self.ax.get_xticklabels()]:
            self.ax.set_xticks(range(len(steps)), list(steps["label"]))
        title = f"{self.title} {year}: {getattr(self, '_name', '')}"
        self._title.set_text(wrapped(title))
        for bar, text, start, value, kind in zip(self.bars, self.values, steps["start"],
                                                 steps["value"], steps["kind"], strict=True):
            bar.set_y(start)
            bar.set_height(value)
            bar.set_color(COLOURS["total"] if kind == "total"
                          else COLOURS["up" if value >= 0 else "down"])
            text.set_position((bar.get_x() + bar.get_width() / 2, start + value / 2))
            text.set_text(money_tick(value))
        for link, end, nxt in zip(self.links, steps["end"].iloc[:-2], steps["start"].iloc[1:-1],
                                  strict=True):
            link.set_ydata([end, nxt])
        self.alt = waterfall_alt(title, steps)

    def _limits(self) -> tuple[float, float]:
        # bars are not data limits autoscale_view follows once moved: set them from the bars
        tops = [b.get_y() + h for b in self.bars for h in (0, b.get_height())]
        low, high = min(0.0, *tops), max(0.0, *tops)
        pad = (high - low) * 0.08 or 1.0
        return low - pad, high + pad


#: the explorer's charts, in tab order: (tab title, class)
CHARTS = (("Surplus", Surplus), ("Allocation and spend", AllocationSpend),
          ("Primary care bridge", Bridge))
