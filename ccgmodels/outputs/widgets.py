"""Interactive explorer: an ipywidgets view over :class:`ccgmodels.outputs.explorer.ExplorerState`.

Everything the explorer knows (the changes per organisation, the footprint-wide view, the
changes list, the overrides, save-as) lives in the state, in plain Python; this module only
draws it and passes the analyst's moves to it. One control per assumption of the organisation
shown, labelled in full with its unit, its tooltip in plain words: a rate as a per-cent
slider with a box beside it to type in, a value given by year as a row of per-year boxes, money
in £k with separators, a yes/no choice whose look says which. A typed value that is no number
(``3,5``) or outside the control's range (``25`` for a rate that reaches 5.5%) is refused, with
the reason beside the control; nothing is clamped. Every kind of organisation has its levers:
commissioners, trusts (CIP, cost growth), councils (cost growth, savings). On the footprint a
control sets every organisation that has it and says when their values differ. Scenarios and
organisations are offered by name; charts are the report's (:mod:`.livecharts`), each an image
with its alt text.

Speed: one change validates and runs the scenario once, rewrites the headline, the table and
the changes list, and redraws only the chart on screen (the tabs), a figure kept alive and
updated (:mod:`ccgmodels.outputs.livecharts`); the others are redrawn when their tab is opened.

Used by ``notebooks/explorer.ipynb`` (JupyterLab) and by ``ccgmodels app`` (the same notebook
served by Voila: :mod:`ccgmodels.app.launch`).
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from ..inputs.fields import describe
from ..inputs.loading import CURRENT_PLAN, ScenarioError, bundled_names
from ..inputs.scenario import Commissioner
from ..inputs.vocab import FOOTPRINT
from ..models.run import run_scenario
from . import labels, summaries, tables
from .explorer import (
    ENV_FOLDER,
    ENV_SCENARIO,
    Assumption,
    ExplorerState,
    decimals,
    default_folder,
    from_shown,
    scenario_title,
    slug,
    to_shown,
)
from .livecharts import CHARTS

__all__ = ["Explorer", "field_meta", "slug", "app"]

#: widths [px]: labels never cut, controls in one column
LABEL, CONTROL, CELL = "330px", "300px", "74px"
#: the columns of the changes panel: (heading, width)
CHANGE_COLUMNS = (("Organisation", "150px"), ("Assumption", "250px"), ("Base", "60px"),
                  ("New", "60px"))
#: the rows of the headline figures above the charts: (row of summaries.headline, short label)
HEADLINES = (("Do nothing surplus/(deficit)", "Do nothing"),
             ("Do something surplus/(deficit)", "Do something"),
             ("Risk-adjusted surplus/(deficit)", "Risk-adjusted"))
#: the measure of each headline row (summaries.HEADLINE's words); the risk-adjusted position
#: exists where an organisation has a risk register
HEADLINE_MEASURES = {"Do nothing surplus/(deficit)": "do_nothing_surplus",
                     "Do something surplus/(deficit)": "do_something_surplus",
                     "Risk-adjusted surplus/(deficit)": "risk_adjusted_surplus"}
CSS = """<style>
.ccg-explorer .widget-label, .ccg-label { white-space: normal; }
.ccg-headline { font-size: 1.35em; margin-right: 2em; }
.ccg-note { color: #4C6272; font-size: 0.9em; }
.ccg-refused { color: #B00020; font-weight: bold; }
.ccg-explorer .widget-toggle-button.mod-active { background: #005EB8; color: white; }
.ccg-table table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.ccg-table td, .ccg-table th { padding: 2px 10px; text-align: right; }
.ccg-table th:first-child, .ccg-table td:first-child { text-align: left; }
.ccg-explorer .lm-TabBar-tab, .ccg-explorer .lm-TabBar-tabLabel { color: #212B32 !important;
  opacity: 1 !important; }
.ccg-explorer .ccg-entry { margin-left: 14px; }
</style>"""


def field_meta(path: str) -> dict:
    """Description, unit and bounds of a commissioner assumption from the pydantic model
    (``path`` relative to a commissioner)."""
    meta = describe(Commissioner, path)
    return {"description": meta.description, "unit": meta.unit, "low": meta.low,
            "high": meta.high}


def _label(text: str, width: str = LABEL) -> w.HTML:
    return w.HTML(f"<span class='ccg-label'>{html.escape(text)}</span>",
                  layout=w.Layout(width=width))


class Explorer:
    """Controls over one scenario, its results, the changes list and save-as-scenario.

    Parameters
    ----------
    scenario : str or Path
        Bundled scenario name or scenario file.
    org : str, optional
        Organisation shown (default: the footprint where there are several commissioners).
    overrides : dict, optional
        ``{dotted.path: value}`` applied under the controls: the base they start from.
    draw : bool
        Whether a change redraws the table and chart; False times or checks the numbers only.
    folder : str or Path, optional
        Where save-as writes (default :func:`~ccgmodels.outputs.explorer.default_folder`).
    """

    def __init__(self, scenario: str | Path = "footprint_2019_20", org: str | None = None,
                 overrides: dict | None = None, draw: bool = True,
                 folder: str | Path | None = None):
        self.draw = draw
        self.results: pd.DataFrame | None = None
        self._states: dict[str, ExplorerState] = {}
        self._quiet = False
        names = bundled_names()
        scenario = str(scenario)
        self.state = self._states.setdefault(scenario, ExplorerState(scenario, overrides))
        self.scenario_dropdown = w.Dropdown(
            options=[(scenario_title(n), n) for n in
                     (names if scenario in names else [*names, scenario])],
            value=scenario, description="Scenario", layout=w.Layout(width="520px"))
        self.org_dropdown = w.Dropdown(description="Organisation",
                                       style={"description_width": "90px"},
                                       layout=w.Layout(width="460px"))
        self.controls: dict[str, w.ValueWidget] = {}
        #: the box beside each slider, where a rate is typed [per cent]
        self.entries: dict[str, w.Text] = {}
        self.notes: dict[str, w.HTML] = {}
        self.controls_box = w.VBox()
        self.headline = w.HTML()
        self.headline.add_class("ccg-headlines")
        self.table = w.HTML()
        self.table.add_class("ccg-table")
        self.changes_box = w.VBox()
        self.remove_buttons: list[tuple[Any, w.Button]] = []
        self.charts = [cls() for _, cls in CHARTS]
        #: each chart as an image with its alt text (an ``<img>`` in an HTML widget: the
        #: Image widget has no alt attribute)
        self.images = [w.HTML(layout=w.Layout(width="730px", height="370px"))
                       for _ in self.charts]
        #: the PNG bytes each image shows (empty until drawn)
        self.pictures: list[bytes] = [b"" for _ in self.charts]
        for image in self.images:
            image.add_class("ccg-chart-box")
        self.tabs = w.Tab(children=self.images, titles=[t for t, _ in CHARTS])
        self.save_folder = w.Text(value=str(folder or default_folder()), description="Folder",
                                  continuous_update=False,
                                  layout=w.Layout(width="460px"))
        self.save_name = w.Text(value="my_what_if", description="Name",
                                placeholder="name of the new scenario",
                                continuous_update=False,
                                layout=w.Layout(width="300px"))
        self.save_overwrite = w.Checkbox(value=False, description="Overwrite if it exists",
                                         indent=False)
        self.save_button = w.Button(description="Save as scenario", button_style="primary")
        self.message = w.HTML()
        self.save_button.on_click(self._on_save)
        self.tabs.observe(self._on_tab, names="selected_index")
        self._set_orgs(org)
        self.scenario_dropdown.observe(self._on_scenario, names="value")
        self.org_dropdown.observe(self._on_org, names="value")

    # -- what is shown

    @property
    def org(self) -> str:
        """Organisation shown and edited."""
        return self.org_dropdown.value

    @property
    def base(self):
        """The base scenario (validated, with the overrides the explorer was opened with)."""
        return self.state.base

    def _set_orgs(self, org: str | None) -> None:
        s = self.state
        options = [(s.names[o], o) for o in s.bodies]
        if FOOTPRINT in s.orgs:
            every = "every commissioner" if s.bodies == s.commissioners else \
                "every organisation"
            options.append((f"{labels.term('footprint', s.era)}: {every}", FOOTPRINT))
        ids = [o for _, o in options]
        self._quiet = True  # setting the dropdown fires _on_org; the controls are built below
        try:
            self.org_dropdown.options = options
            self.org_dropdown.value = org if org in ids else ids[-1]
        finally:
            self._quiet = False
        self._build_controls()

    def _build_controls(self) -> None:
        s, org = self.state, self.org
        self.controls, self.notes, self.entries = {}, {}, {}
        rows: list[w.Widget] = []
        grids = s.by_year(org)
        done: set[str] = set()
        for key in s.keys(org):
            a = s.assumption(org, key)
            if a.year is not None:
                if a.path not in done:
                    done.add(a.path)
                    rows.append(self._grid(a, grids[a.path]))
                continue
            control = self._control(a, s.value(org, key))
            control.observe(lambda change, k=key: self._on_control(k, change), names="value")
            self.controls[key] = control
            self.notes[key] = w.HTML(layout=w.Layout(width="260px"))
            shown: list[w.Widget] = [control]
            if isinstance(control, w.FloatSlider):
                entry = w.Text(value=a.text(s.value(org, key)), continuous_update=False,
                               tooltip=a.help, description_allow_html=False,
                               layout=w.Layout(width="80px"))
                entry.add_class("ccg-entry")
                entry.observe(lambda change, k=key: self._on_entry(k, change), names="value")
                self.entries[key] = entry
                shown.append(entry)
            rows.append(w.HBox([_label(a.label), *shown, self.notes[key]]))
        self.switch_boxes: dict[tuple[str, str], w.Checkbox] = {}
        switches = s.switches(org)
        if switches:
            rows.append(w.HTML("<b>Risks and mitigations</b> <span class='ccg-note'>(untick "
                               "one to plan as if it could not happen)</span>"))
        for o, key in switches:
            a = s.assumption(o, key)
            words = a.label if org != FOOTPRINT else f"{a.label} ({s.names[o]})"
            box = w.Checkbox(value=s.switched_on(o, key), description=words, indent=False,
                             tooltip=a.help, layout=w.Layout(width="640px"))
            box.add_class("ccg-switch")
            box.observe(lambda change, o=o, k=key: self._on_switch(o, k, change),
                        names="value")
            self.switch_boxes[(o, key)] = box
            rows.append(box)
        self.controls_box.children = rows
        self._sync_controls()

    def _control(self, a: Assumption, value: Any) -> w.ValueWidget:
        tip = a.help
        if a.kind == "toggle":
            return w.ToggleButtons(options=[("Yes", True), ("No", False)], value=value,
                                   tooltips=[tip, tip], style={"button_width": "70px"})
        if a.kind == "percent":
            low, high = a.range(value)
            return w.FloatSlider(value=to_shown("percent", value), min=to_shown("percent", low),
                                 max=to_shown("percent", high), step=0.1, readout=False,
                                 readout_format=f".{decimals(value)}f",
                                 continuous_update=False, tooltip=tip,
                                 layout=w.Layout(width=CONTROL))
        return w.Text(value=a.text(value), continuous_update=False, tooltip=tip,
                      layout=w.Layout(width="140px"))

    def _grid(self, first: Assumption, keys: list[str]) -> w.Widget:
        cells = []
        for key in keys:
            a = self.state.assumption(self.org, key)
            box = w.Text(value=a.text(self.state.value(self.org, key)), continuous_update=False,
                         tooltip=f"{a.help} ({a.year})",
                         layout=w.Layout(width="100%"))
            box.observe(lambda change, k=key: self._on_control(k, change), names="value")
            self.controls[key] = box
            cells.append(w.VBox([w.HTML(f"<span class='ccg-note'>{a.year}</span>"), box],
                                layout=w.Layout(width=CELL, overflow="visible")))
        note = w.HTML(layout=w.Layout(width="260px"))
        for key in keys:
            self.notes[key] = note
        return w.HBox([_label(f"{first.label}, by year"),
                       w.HBox(cells, layout=w.Layout(overflow="visible")), note],
                      layout=w.Layout(overflow="visible"))

    def _sync_controls(self) -> None:
        """Show the state's values of the organisation shown, and where commissioners differ."""
        s, org = self.state, self.org
        self._quiet = True
        try:
            for key, control in self.controls.items():
                a, value = s.assumption(org, key), s.value(org, key)
                if isinstance(control, w.FloatSlider):
                    control.readout_format = f".{decimals(value)}f"
                    control.value = to_shown("percent", value)
                    self.entries[key].value = a.text(value)
                elif isinstance(control, w.Text):
                    control.value = a.text(value)
                else:
                    control.value = value
            for (o, key), box in self.switch_boxes.items():
                box.value = s.switched_on(o, key)
            notes: dict[int, list[str]] = {}  # a by-year row shares one note
            for key in self.controls:
                a = s.assumption(org, key)
                lines = notes.setdefault(id(self.notes[key]), [])
                if s.differs(org, key):
                    lines.append(f"Differs{'' if a.year is None else ' in ' + a.year}: "
                                 + ", ".join(f"{s.names[o]} {a.text(v)}"
                                             for o, v in s.values(org, key)))
            for note in self.notes.values():
                lines = notes.get(id(note), [])
                every = "Every commissioner" if s.bodies == s.commissioners else \
                    "Every organisation that has it"
                text = "; ".join(lines) or (every if org == FOOTPRINT else "")
                note.value = f"<span class='ccg-note'>{html.escape(text)}</span>"
        finally:
            self._quiet = False

    # -- numbers and pictures

    def recompute(self) -> pd.DataFrame:
        """Run the scenario with every change; redraw when drawing [£k]."""
        self.results = run_scenario(self.state.scenario())
        if self.draw:
            self.redraw()
        return self.results

    def overrides(self) -> dict[str, Any]:
        """``{dotted.path: value}`` of every change (see ExplorerState.overrides)."""
        return self.state.overrides()

    def summary(self) -> pd.DataFrame:
        """Headline table of the organisation shown (numbers) [£k]."""
        if self.results is None:
            self.recompute()
        table = summaries.headline(self.results, self.org, self.state.era)
        table.index.name = f"{self.org_name} (£k)"
        return table

    def figures(self) -> list:
        """The charts (matplotlib figures) for the organisation shown, each brought up to date."""
        if self.results is None:
            self.recompute()
        name = self._name()
        out = []
        for chart in self.charts:
            if chart.available(self.results, self.org):
                chart.era = self.state.era
                chart.update(self.results, self.org, name)
                out.append(chart.fig)
        return out

    @property
    def org_name(self) -> str:
        """The organisation shown, by its name (the footprint by the era's word)."""
        return self._name()

    def _name(self) -> str:
        return (labels.term("footprint", self.state.era) if self.org == FOOTPRINT
                else self.state.names[self.org])

    def redraw(self) -> None:
        """Rewrite the headline, redraw the chart on screen, then the table and the changes
        list: what the eye goes to first is sent first."""
        self.headline.value = self._headline()
        for chart in self.charts:
            chart.stale = True
        self._draw_chart(self.tabs.selected_index or 0)
        table = self.summary()
        shown = tables.money_table(table)
        shown.columns.name = None
        # one header row, every heading named (an empty <th> is read as nothing)
        self.table.value = shown.reset_index().to_html(border=0, index=False)
        self._draw_changes()

    def _headline(self) -> str:
        """The end-year do-nothing and do-something positions of the organisation shown, from
        its rows alone (the whole headline table comes after the chart) [£k]."""
        r = self.results
        rows = r[(r["org"] == self.org) & r["measure"].isin(list(HEADLINE_MEASURES.values()))]
        if rows.empty:
            return ""
        end = rows["year"].max()
        rows = rows[rows["year"] == end].groupby("measure")["value"].sum()
        out = []
        for row, short in HEADLINES:
            measure = HEADLINE_MEASURES[row]
            if measure in rows.index:
                v = float(rows[measure])
                out.append(f"<span class='ccg-headline' data-row='{html.escape(row)}' "
                           f"data-value='{v:.3f}'>{short} {end}: "
                           f"<b>{tables.money(v)}</b> £k</span>")
        return "".join(out)

    def _draw_chart(self, i: int) -> None:
        chart, image = self.charts[i], self.images[i]
        if not chart.available(self.results, self.org):
            chart.stale = False
            self.pictures[i] = b""
            image.value = ("<p class='ccg-note'>Nothing to draw for "
                           f"{html.escape(self._name())}.</p>")
            return
        chart.update(self.results, self.org, self._name())
        self.pictures[i] = chart.png()
        data = base64.b64encode(self.pictures[i]).decode("ascii")
        image.value = (f"<img class='ccg-chart' width='720' height='360' "
                       f"alt='{html.escape(chart.alt, quote=True)}' "
                       f"src='data:image/png;base64,{data}'>")

    def _draw_changes(self) -> None:
        s = self.state
        rows = s.rows()
        self.remove_buttons = []
        children: list[w.Widget] = [w.HTML(
            f"<b>Changes against {html.escape(s.base.title)}</b> ({len(rows)})"
            + ("" if rows else "<br><span class='ccg-note'>None yet: move a control.</span>"))]
        if rows:
            children.append(w.HBox([_label(t, width) for t, width in CHANGE_COLUMNS]))
        for row in rows:
            button = w.Button(description="Remove", layout=w.Layout(width="80px"),
                              tooltip=f"Back to the base value {row.base}")
            button.on_click(lambda _b, r=row: self._on_remove(r))
            self.remove_buttons.append((row, button))
            cells = (s.names[row.org], row.label, row.base)
            line = w.HBox([
                *(_label(t, width) for t, (_, width) in zip(cells, CHANGE_COLUMNS, strict=False)),
                w.HTML(f"<b>{html.escape(row.new)}</b>", layout=w.Layout(
                    width=CHANGE_COLUMNS[-1][1])), button])
            line.add_class("ccg-change")
            children.append(line)
        self.changes_box.children = children

    # -- events

    def _on_control(self, key: str, change) -> None:
        if self._quiet:
            return
        s, org = self.state, self.org
        a = s.assumption(org, key)
        control = self.controls[key]
        try:
            if isinstance(control, w.FloatSlider):
                if abs(change["new"] - change["old"]) < control.step / 2:
                    return  # the slider snapping to its step, not a move
                value = from_shown("percent", change["new"])
            elif isinstance(control, w.Text):
                value = a.parse(change["new"], s.base_value(org, key))
            else:
                value = change["new"]
        except ValueError as exc:
            self._refuse(key, str(exc))
            return
        s.set(org, key, value)
        self._changed()

    def _on_entry(self, key: str, change) -> None:
        """A rate typed in the box beside its slider: checked against the slider's range, set
        when it lies in it, refused with the reason beside it otherwise (never clamped)."""
        if self._quiet:
            return
        s, org = self.state, self.org
        a = s.assumption(org, key)
        try:
            value = a.parse(change["new"], s.base_value(org, key))
        except ValueError as exc:
            self._refuse(key, str(exc))
            return
        s.set(org, key, value)
        self._changed()

    def _on_switch(self, org: str, key: str, change) -> None:
        """A risk or mitigation switched on or off: the positions, the risk-adjusted one
        included, redraw."""
        if self._quiet:
            return
        self.state.switch(org, key, bool(change["new"]))
        self._changed()

    def _refuse(self, key: str, why: str) -> None:
        """Say beside the control (and above the save button) why an entry was refused, and
        show the value still in force."""
        self._sync_controls()
        text = f"<b>Not changed:</b> {html.escape(why)}"
        self.notes[key].value = f"<span class='ccg-refused' role='alert'>{text}</span>"
        self.message.value = text

    def _changed(self) -> None:
        try:
            self.recompute()
            self.message.value = ""
        except ScenarioError as exc:
            self.message.value = f"<pre>{html.escape(str(exc))}</pre>"
        self._sync_controls()

    def _on_remove(self, row) -> None:
        self.state.remove(row.org, row.key)
        self._changed()

    def _on_tab(self, change) -> None:
        i = change["new"]
        if self.draw and i is not None and self.results is not None and self.charts[i].stale:
            self._draw_chart(i)

    def _on_scenario(self, change) -> None:
        name = change["new"]
        try:
            self.state = self._states.setdefault(name, ExplorerState(name))
        except ScenarioError as exc:
            self.message.value = f"<pre>{html.escape(str(exc))}</pre>"
            return
        self._set_orgs(self.org)
        self._changed()

    def _on_org(self, change) -> None:
        if self._quiet or change["new"] is None:
            return
        self._build_controls()
        if self.draw and self.results is not None:
            self.redraw()  # the same results: only what is shown changes

    # -- save as scenario

    def save(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write the changes as a scenario file (see ExplorerState.save)."""
        return self.state.save(path, overwrite)

    def _on_save(self, _button=None) -> None:
        try:
            p = self.state.save_as(self.save_name.value, self.save_folder.value or None,
                                   overwrite=self.save_overwrite.value)
        except (FileExistsError, OSError) as exc:
            self.message.value = f"<b>Not saved:</b> {html.escape(str(exc))}"
            return
        self.save_overwrite.value = False
        self.message.value = (f"Saved <code class='ccg-saved'>{html.escape(str(p))}</code>: run "
                              f"it with <code>ccgmodels run {html.escape(str(p))}</code>")

    def widget(self) -> w.Widget:
        """The whole explorer: choosers; assumptions beside the changes and save-as; headline,
        chart tabs and table."""
        if self.results is None:
            self.recompute()
        elif self.draw:
            self.redraw()
        top = w.HBox([self.scenario_dropdown, self.org_dropdown])
        save = w.VBox([w.HTML("<b>Save as scenario</b>"), self.save_folder,
                       w.HBox([self.save_name, self.save_button]), self.save_overwrite,
                       self.message])
        side = w.VBox([self.changes_box, save], layout=w.Layout(margin="0 0 0 24px"))
        box = w.VBox([w.HTML(CSS), top, w.HBox([self.controls_box, side]), self.headline,
                      self.tabs, self.table])
        box.add_class("ccg-explorer")
        return box


def app() -> w.Widget:
    """The explorer as ``ccgmodels app`` serves it: the scenario and save folder from
    :data:`ENV_SCENARIO` and :data:`ENV_FOLDER` (defaults: the current plan,
    :data:`~ccgmodels.inputs.loading.CURRENT_PLAN`, and
    :func:`~ccgmodels.outputs.explorer.default_folder`)."""
    explorer = Explorer(os.environ.get(ENV_SCENARIO) or CURRENT_PLAN,
                        folder=os.environ.get(ENV_FOLDER) or None)
    return explorer.widget()
