"""Interactive explorer: ipywidgets controls built from the scenario model's metadata.

Each control edits one commissioner assumption by its dotted path (the same paths as ``--set``
and ``overrides:``). Its label, tooltip, unit and bounds come from the pydantic field through
:func:`ccgmodels.inputs.fields.describe` (description with the unit in square brackets; a rate is
bounded to 0..1, a growth to -1..1, money to 0 and above); :data:`CONTROLS`
only says which assumptions to show and how wide a slider to draw around the current value.

The organisation dropdown picks whose assumptions the controls show and whose results are drawn;
``footprint`` edits every commissioner at once. A control left at its starting value writes no
override; a moved control writes its value for every organisation it covers. Changing the scenario
or the organisation resets the controls to that organisation's values.

Save-as writes a scenario that ``extends`` the chosen scenario with the current ``overrides`` (the
format of ``data/scenarios/footprint_2019_20_tight_funding.yaml``); it refuses to replace an
existing file unless asked to.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
import yaml

from ..inputs.fields import describe
from ..inputs.loading import ScenarioError, bundled_scenarios, check, validate_data
from ..inputs.paths import get_path
from ..inputs.scenario import Commissioner
from ..inputs.vocab import FOOTPRINT
from ..models.run import run_scenario
from . import labels, plotting, summaries, tables


@dataclass(frozen=True)
class ControlSpec:
    """One explorer control: a commissioner assumption and the slider range around it.

    ``path`` is relative to a commissioner (``{band}`` expands to every age band of
    ``demand.population_growth``); ``span`` is how far either side of the starting value the
    slider reaches [unit of the assumption], clipped to the field's bounds.
    """

    name: str
    path: str
    label: str
    span: float = 0.0
    step: float = 0.001


CONTROLS = (
    ControlSpec("allocation_growth", "allocation.growth.programme", "Allocation growth", 0.05),
    ControlSpec("price_inflation", "expenditure.price_inflation", "Price inflation", 0.03),
    ControlSpec("demand_mitigation", "solutions.demand_mitigation_rate", "Demand mitigation",
                0.5, 0.01),
    ControlSpec("p_delivered", "qipp.delivery_probability.delivered", "P(delivered)", 1, 0.05),
    ControlSpec("p_in_progress", "qipp.delivery_probability.in_progress", "P(in progress)", 1,
                0.05),
    ControlSpec("p_scoping", "qipp.delivery_probability.scoping", "P(scoping)", 1, 0.05),
    ControlSpec("p_unidentified", "qipp.delivery_probability.unidentified", "P(unidentified)",
                1, 0.05),
    ControlSpec("population_growth_{band}", "demand.population_growth.{band}",
                "Population growth", 0.02),
    ControlSpec("stf_arrives", "primary_care_bridge.stf_arrives", "STF arrives"),
)


# --- metadata ---------------------------------------------------------------------------------


def field_meta(path: str) -> dict:
    """Description, unit and bounds of a commissioner assumption from the pydantic model.

    Parameters
    ----------
    path : str
        Dotted path relative to a commissioner, e.g. ``solutions.efficiency_rate``; the last part
        may be a key of a mapping field (``qipp.delivery_probability.scoping``).

    Returns
    -------
    dict
        ``description``, ``unit`` (from the square brackets), ``low`` and ``high`` [unit].
    """
    meta = describe(Commissioner, path)
    return {"description": meta.description, "unit": meta.unit, "low": meta.low,
            "high": meta.high}


# --- the explorer -----------------------------------------------------------------------------


def _bundle(data: dict) -> dict:
    """A ``display_data`` output for an Output widget's ``outputs``."""
    return {"output_type": "display_data", "data": data, "metadata": {}}


def slug(text: str) -> str:
    """A scenario id from free text: lower case, runs of other characters as ``_``."""
    out = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return out or "scenario"


class Explorer:
    """Controls over one scenario, its results, and save-as-scenario.

    Parameters
    ----------
    scenario : str
        Bundled scenario name or scenario file path.
    org : str, optional
        Organisation shown; ``footprint`` (the default where there are several commissioners)
        edits them all.
    overrides : dict, optional
        ``{dotted.path: value}`` applied under the controls (the controls start from them) and
        kept in :meth:`overrides`.
    draw : bool
        Whether moving a control redraws the table and charts in the output widgets; tests and
        benchmarks pass False to time or check the numbers only.
    """

    def __init__(self, scenario: str = "footprint_2019_20", org: str | None = None,
                 overrides: dict | None = None, draw: bool = True):
        self.fixed = dict(overrides or {})
        self.draw = draw
        self._quiet = False
        self.results: pd.DataFrame | None = None
        names = sorted(bundled_scenarios())
        self.scenario_dropdown = w.Dropdown(
            options=names if scenario in names else [*names, scenario], value=scenario,
            description="Scenario")
        self.org_dropdown = w.Dropdown(description="Organisation")
        self.controls: dict[str, w.ValueWidget] = {}
        self.controls_box = w.VBox()
        self.table_out = w.Output()
        self.charts_out = w.Output()
        self.save_path = w.Text(value="my_scenario.yaml", description="File")
        self.save_overwrite = w.Checkbox(value=False, description="Overwrite if it exists")
        self.save_button = w.Button(description="Save as scenario", icon="save")
        self.message = w.HTML()
        self.save_button.on_click(self._on_save)
        self._load(scenario, org)
        self.scenario_dropdown.observe(self._on_scenario, names="value")
        self.org_dropdown.observe(self._on_org, names="value")

    # -- state

    def _load(self, source: str, org: str | None) -> None:
        scenario, data, problems = check(source, self.fixed)
        if problems:
            raise ScenarioError(problems)
        self.source, self.base, self._data = source, scenario, data
        self._plain = scenario.model_dump(mode="python")
        ccgs = [o.id for o in scenario.organisations if isinstance(o, Commissioner)]
        options = [*ccgs, FOOTPRINT] if len(ccgs) > 1 else ccgs
        org = org if org in options else options[-1]
        self._quiet = True  # setting the dropdown fires _on_org; the controls are built below
        try:
            self.org_dropdown.options = options
            self.org_dropdown.value = org
        finally:
            self._quiet = False
        self._build_controls(org)

    @property
    def org(self) -> str:
        """Organisation shown and edited."""
        return self.org_dropdown.value

    def targets(self) -> list[str]:
        """Commissioner ids the controls edit."""
        if self.org == FOOTPRINT:
            return [o.id for o in self.base.organisations if isinstance(o, Commissioner)]
        return [self.org]

    def _build_controls(self, org: str) -> None:
        first = self.base.org(self.targets()[0])
        plain = first.model_dump(mode="python")
        self._paths: dict[str, str] = {}
        self._start: dict[str, Any] = {}
        controls: dict[str, w.ValueWidget] = {}
        for spec in CONTROLS:
            bands = ([""] if "{band}" not in spec.path else
                     list(first.demand.population_growth) if first.demand else [])
            for band in bands:
                name, path = spec.name.format(band=band), spec.path.format(band=band)
                try:
                    start = get_path(plain, path)
                except KeyError:
                    continue  # this organisation has no such assumption (no bridge, no demand)
                # a rate given year by year gets one control a year
                items = ([(f"{name}_{y}", f"{path}.{y}", v, f"{band} {y}".strip())
                          for y, v in start.items()] if isinstance(start, dict)
                         else [(name, path, start, band)])
                for key, where, value, label in items:
                    controls[key] = self._control(spec, where, value, label)
                    self._paths[key], self._start[key] = where, value
        for c in controls.values():
            c.observe(self._on_change, names="value")
        self.controls = controls
        self.controls_box.children = list(controls.values())

    def _control(self, spec: ControlSpec, path: str, start: Any, band: str) -> w.ValueWidget:
        meta = field_meta(path)
        label = f"{spec.label} {band}".strip()
        tip = f"{meta['description']} ({path})"
        if isinstance(start, bool):
            return w.ToggleButton(value=start, description=label, tooltip=tip, icon="check")
        low = max(meta["low"], start - spec.span)
        high = min(meta["high"], start + spec.span)
        return w.FloatSlider(value=start, min=low, max=high, step=spec.step,
                             description=f"{label} [{meta['unit']}]", readout_format=".3f",
                             continuous_update=False, tooltip=tip,
                             style={"description_width": "220px"},
                             layout=w.Layout(width="520px"))

    def overrides(self) -> dict[str, Any]:
        """``{dotted.path: value}`` of every control moved from its starting value."""
        out: dict[str, Any] = dict(self.fixed)
        for name, control in self.controls.items():
            value = control.value
            if value == self._start[name]:
                continue
            for org in self.targets():
                path = f"organisations.{org}.{self._paths[name]}"
                try:
                    get_path(self._plain, path)  # the validated scenario: defaults included
                except KeyError:
                    continue  # this organisation has no such assumption
                out[path] = value
        return out

    def recompute(self) -> pd.DataFrame:
        """Run the scenario with the current overrides; redraw when drawing [£k]."""
        scenario, problems = validate_data(self._data, str(self.source), self.overrides())
        if problems:
            raise ScenarioError(problems)
        self.results = run_scenario(scenario)
        self.shown_scenario = scenario
        if self.draw:
            self.redraw()
        return self.results

    def summary(self) -> pd.DataFrame:
        """Headline table of the shown organisation (numbers) [£k]."""
        if self.results is None:
            self.recompute()
        return summaries.headline(self.results, self.org)

    def figures(self) -> list:
        """The explorer's charts for the shown organisation."""
        if self.results is None:
            self.recompute()
        r, org = self.results, self.org
        name = labels.org_name(self.shown_scenario, org)  # the organisation picked now
        figs = [plotting.do_nothing_vs_something(r, org, name),
                plotting.allocation_vs_expenditure(r, org, name)]
        if ((r["org"] == org) & (r["measure"] == "pc_bridge")).any():
            figs.append(plotting.bridge_waterfall(r, org, name=name))
        return figs

    def redraw(self) -> None:
        """Replace the table and charts in place.

        Each Output widget's ``outputs`` is swapped in one assignment: the same effect as
        ``clear_output(wait=True)`` then ``display`` (no flicker), and it also works outside a
        kernel (tests, threads).
        """
        table = tables.money_table(self.summary())
        self.table_out.outputs = (_bundle({"text/html": table.to_html(),
                                           "text/plain": table.to_string()}),)
        self.charts_out.outputs = tuple(
            _bundle({"image/png": base64.b64encode(plotting.to_png(f)).decode("ascii"),
                     "text/plain": f"<chart: {f.axes[0].get_title()}>"})
            for f in self.figures())

    # -- save as scenario

    def scenario_text(self, name: str) -> str:
        """YAML of a scenario extending the chosen one with the current overrides."""
        base = self.source
        if Path(str(base)).exists():
            base = str(Path(base).resolve())
        data = {"name": slug(name), "title": f"{self.base.title} (explorer: {name})",
                "description": f"Saved from the ccgmodels explorer: {self.base.name} with "
                               f"{len(self.overrides())} assumptions overridden.",
                "extends": base, "overrides": self.overrides()}
        head = "# Saved from the ccgmodels explorer; every changed figure is an ASSUMPTION.\n"
        return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def save(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write the current settings as a scenario file.

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.
        """
        p = Path(path)
        if p.exists() and not overwrite:
            raise FileExistsError(f"{p} exists: tick 'Overwrite if it exists' to replace it")
        p.write_text(self.scenario_text(p.stem), encoding="utf-8")
        return p

    # -- events

    def _on_change(self, _change=None) -> None:
        try:
            self.recompute()
            self.message.value = ""
        except ScenarioError as exc:
            self.message.value = f"<pre>{exc}</pre>"

    def _on_scenario(self, change) -> None:
        self._load(change["new"], self.org)
        self._on_change()

    def _on_org(self, change) -> None:
        if self._quiet or change["new"] is None:
            return
        self._build_controls(change["new"])
        self._on_change()

    def _on_save(self, _button=None) -> None:
        try:
            p = self.save(self.save_path.value, overwrite=self.save_overwrite.value)
        except (FileExistsError, OSError) as exc:
            self.message.value = f"<b>Not saved:</b> {exc}"
            return
        self.save_overwrite.value = False
        self.message.value = f"Saved {p}: run it with <code>ccgmodels run {p}</code>"

    def widget(self) -> w.Widget:
        """The whole explorer as one widget: choosers, controls, save row, table, charts."""
        if self.results is None:
            self.recompute()
        elif self.draw:
            self.redraw()
        save_row = w.HBox([self.save_path, self.save_overwrite, self.save_button])
        left = w.VBox([self.scenario_dropdown, self.org_dropdown, self.controls_box, save_row,
                       self.message])
        return w.VBox([left, self.table_out, self.charts_out])
