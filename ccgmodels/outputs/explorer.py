"""The explorer's state in plain Python: changes per organisation, the changes list, save-as.

No widgets here: :mod:`ccgmodels.outputs.widgets` is a thin view over :class:`ExplorerState`,
and tests drive this module directly.

* **Changes per organisation.** Each organisation keeps its own ``{assumption: value}`` of
  changes against the base scenario; switching the organisation shown loses nothing. The
  footprint (:data:`~ccgmodels.inputs.vocab.FOOTPRINT`) is a view over every organisation: a
  footprint-wide change sets the assumption for every organisation that has it, and
  :meth:`ExplorerState.differs` says when their values differ.
* **The changes list.** :meth:`ExplorerState.rows` lists every change (organisation,
  assumption, base, new), each removable; :meth:`ExplorerState.overrides` is exactly that list
  as ``{dotted.path: value}`` (after any overrides the explorer was opened with), and
  :meth:`ExplorerState.save` writes it as ``overrides:`` of a scenario that ``extends:`` the
  base, by bundled name or by a path relative to the saved file.
* **One display rule.** An assumption's unit (from :func:`ccgmodels.inputs.fields.describe`)
  picks how it is shown and entered (:func:`kind_of`): ``fraction`` and ``fraction/yr`` as per
  cent with one decimal (two where the scenario's figure has them: 2.53%), ``£k`` with
  thousands separators, booleans as yes/no. A value given by year (``{year: value}``) is one
  assumption per year, shown as a row of a grid.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..inputs.fields import describe
from ..inputs.loading import ScenarioError, bundled_scenarios, check, validate_data
from ..inputs.paths import get_path
from ..inputs.scenario import Commissioner, Scenario
from ..inputs.vocab import FOOTPRINT
from .levers import (  # noqa: F401 (CONTROLS, ControlSpec re-exported)
    CONTROLS,
    ICB_CONTROL_LABELS,
    ControlSpec,
    controls_of,
    plain,
)

#: units shown and entered as per cent [fraction -> %]
PERCENT_UNITS = {"fraction": "%", "fraction/yr": "% a year"}
#: environment variables through which ``ccgmodels app`` tells the served notebook what to show
#: and where to save
ENV_SCENARIO, ENV_FOLDER = "CCGMODELS_APP_SCENARIO", "CCGMODELS_APP_FOLDER"
#: folder the explorer saves into by default, under the checkout (git-ignored) or the current
#: folder
SAVE_FOLDER = "my_scenarios"


# --- the display rule -------------------------------------------------------------------------


def kind_of(unit: str, value: Any = None) -> str:
    """How an assumption is shown: ``percent``, ``money`` [£k], ``toggle`` or ``number``."""
    if isinstance(value, bool):
        return "toggle"
    if unit in PERCENT_UNITS:
        return "percent"
    if unit == "£k":
        return "money"
    return "number"


def unit_label(unit: str) -> str:
    """The unit as a label shows it: ``%``, ``% a year``, ``£k``."""
    return PERCENT_UNITS.get(unit, unit)


def to_shown(kind: str, value: float) -> float:
    """A stored value [unit of the field] as the explorer shows it (per cent for a rate)."""
    return round(value * 100, 6) if kind == "percent" else value


def from_shown(kind: str, shown: float) -> float:
    """What the explorer shows (per cent for a rate) back to the stored value [unit]."""
    return round(shown / 100, 8) if kind == "percent" else shown


def text(kind: str, value: Any) -> str:
    """A value as a reader sees it: ``5.9%``, ``(1,250)`` [£k], ``Yes``."""
    if value is None:
        return ""
    if kind == "toggle":
        return "Yes" if value else "No"
    if kind == "switch":  # a register's risk or mitigation: off is a likelihood of 0
        return f"On ({value * 100:.{decimals(value)}f}%)" if value else "Off"
    if kind == "percent":
        return f"{value * 100:.{decimals(value)}f}%"
    if kind == "money":
        body = f"{abs(value):,.0f}"
        return f"({body})" if value < 0 and body != "0" else body
    return f"{value:g}"


def decimals(value: float) -> int:
    """Decimals of a rate shown as per cent: one, or two where the value has them (2.53%),
    so that no figure of a scenario is shown rounded away."""
    return 1 if abs(value * 1000 - round(value * 1000)) < 1e-6 else 2


#: a number as typed: digits with commas only between thousands (``1,250``, not ``3,5``)
NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


def parse(kind: str, entry: str) -> float:
    """What an analyst typed, back to the stored value [unit of the field].

    A rate is typed as per cent (``3``, ``3.0``, ``3.0%``), money in £k with or without
    thousands separators or brackets (``(1,250)`` is -1250). A comma anywhere but between
    thousands (``3,5``) is refused, not guessed at: a decimal point is written ``.``.

    Raises
    ------
    ValueError
        If ``entry`` is no number, with what to type instead.
    """
    s = entry.strip().replace("£", "").removesuffix("%").removesuffix("k").strip()
    negative = s.startswith("(") and s.endswith(")")
    s = s.strip("()").strip()
    if not s or not NUMBER.match(s) or not any(c.isdigit() for c in s):
        hint = (f"; write the decimal point as a point ({s.replace(',', '.')})"
                if re.fullmatch(r"[-+]?\d+,\d+", s) else "")
        raise ValueError(f"{entry.strip()!r} is not a number{hint}")
    number = float(s.replace(",", ""))
    if not math.isfinite(number):
        raise ValueError(f"{entry!r} is not a finite number")
    return from_shown(kind, -number if negative else number)


# --- the assumptions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumption:
    """One editable value of an organisation: a scalar, or one year of a by-year value."""

    key: str  # dotted path below the organisation, with the year for a by-year value
    path: str  # the field's path (no year)
    year: str | None
    label: str  # full label with unit, e.g. "Allocation growth, programme [% a year]"
    description: str
    unit: str
    kind: str  # see kind_of
    low: float  # [unit]
    high: float  # [unit]
    span: float  # [unit]
    help: str = ""  # the tooltip, in plain words

    def text(self, value: Any) -> str:
        return text(self.kind, value)

    def range(self, base: float) -> tuple[float, float]:
        """The values this control accepts [unit]: ``base`` plus or minus :attr:`span`,
        within the field's bounds (the bounds alone when it has no span)."""
        if not self.span or self.kind == "toggle":
            return self.low, self.high
        return max(self.low, base - self.span), min(self.high, base + self.span)

    def parse(self, entry: str, base: float | None = None) -> float:
        """``entry`` as typed, checked against :meth:`range` around ``base`` (the field's
        bounds when no base is given) [unit].

        Raises
        ------
        ValueError
            If it is no number or outside the range: the message says the range; nothing is
            clamped.
        """
        value = parse(self.kind, entry)
        low, high = (self.low, self.high) if base is None else self.range(base)
        if not low - 1e-12 <= value <= high + 1e-12:
            if math.isinf(high):
                allowed = f"at least {self.text(low)}"
            elif math.isinf(low):
                allowed = f"at most {self.text(high)}"
            else:
                allowed = f"from {self.text(low)} to {self.text(high)}"
            raise ValueError(f"{entry.strip()} is out of range: this control takes {allowed}")
        return value


def assumptions_of(org: Any, era: str | None = None) -> dict[str, tuple[Assumption, Any]]:
    """``{key: (assumption, base value)}`` of every lever of ``org`` (:func:`controls_of`: a
    commissioner's, a trust's or a council's) that it has, in display order, labelled in
    ``era``'s words; a by-year value gives one entry a year."""
    dumped = org.model_dump(mode="python")
    out: dict[str, tuple[Assumption, Any]] = {}
    for spec in controls_of(org):
        if spec.unless and _get(dumped, spec.unless) is not None:
            continue
        fills = [{}]
        if "{band}" in spec.path:
            fills = [{"band": b} for b in (org.demand.population_growth if org.demand else {})]
        elif "{status}" in spec.path:
            fills = [{"status": s} for s in org.qipp.delivery_probability]
        for fill in fills:
            words = ICB_CONTROL_LABELS.get(spec.path, spec.label) if era == "icb" \
                else spec.label
            path, label = spec.path.format(**fill), words.format(**fill)
            label = label.replace("in_progress", "in progress")
            try:
                start = get_path(dumped, path)
            except KeyError:
                continue  # this organisation has no such assumption (no bridge, no demand)
            if start is None:
                continue
            meta = describe(type(org), path)
            cells = (list(start.items()) if isinstance(start, Mapping) else [(None, start)])
            for year, value in cells:
                kind = kind_of(meta.unit, value)
                unit = unit_label(meta.unit)
                full = f"{label} [{unit}]" if unit and kind != "toggle" else label
                key = path if year is None else f"{path}.{year}"
                out[key] = (Assumption(key, path, year, full, meta.description, meta.unit,
                                       kind, meta.low, meta.high, spec.span,
                                       spec.help or plain(meta.description)), value)
    return out


def switches_of(org: Any) -> dict[str, tuple[Assumption, Any]]:
    """``{key: (assumption, base value)}`` of the risks and mitigations of ``org``'s register
    (issue 28), each a switch: on as the register gives it, off as if it could not happen
    (a risk's likelihood, a mitigation's probability, set to 0). Keys are the dotted paths of
    those fields below the organisation (``risks.<id>.likelihood``)."""
    out: dict[str, tuple[Assumption, Any]] = {}
    for field, what, kind in (("risks", "likelihood", "Risk"),
                              ("mitigations", "probability", "Mitigation")):
        for item in getattr(org, field, None) or []:
            key = f"{field}.{item.id}.{what}"
            help_ = (f"Untick to plan as if this {kind.lower()} could not happen (its "
                     f"{what} set to 0); tick to take it as the register gives it.")
            out[key] = (Assumption(key, key, None, f"{kind}: {item.name}", help_, "fraction",
                                   "switch", 0.0, 1.0, 0.0, help_), getattr(item, what))
    return out


@dataclass(frozen=True)
class ChangeRow:
    """One row of the changes panel."""

    org: str
    key: str
    label: str  # the assumption's label, with the year of a by-year value
    base: str  # as shown
    new: str  # as shown
    path: str  # dotted path from the scenario root, as in ``overrides:``


def scenario_title(name: str) -> str:
    """A bundled scenario's title as its file gives it (``title:``), for the scenario list;
    anything else (a file's path) as it is."""
    path = bundled_scenarios().get(name)
    if path is not None:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"title:\s*(.+?)\s*$", line)
            if match:
                return str(yaml.safe_load(match.group(1)))
    return name


def slug(name: str) -> str:
    """A scenario id from free text: lower case, runs of other characters as ``_``."""
    out = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return out or "scenario"


def default_folder(start: Path | None = None) -> Path:
    """Where saved scenarios go by default: :data:`SAVE_FOLDER` at the top of the checkout
    holding ``start`` (default: the current folder), which ``.gitignore`` ignores, else below
    ``start``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder / SAVE_FOLDER
    return here / SAVE_FOLDER


class ExplorerState:
    """Changes to one scenario's assumptions, per organisation (commissioners, trusts,
    councils).

    Parameters
    ----------
    source : str or Path
        Bundled scenario name or scenario file.
    fixed : dict, optional
        ``{dotted.path: value}`` applied before anything is shown: the base the changes are
        measured against; saved first among the overrides.

    Raises
    ------
    ScenarioError
        If the scenario (with ``fixed``) is not valid.
    """

    def __init__(self, source: str | Path, fixed: Mapping[str, Any] | None = None):
        self.fixed = dict(fixed or {})
        scenario, data, problems = check(source, self.fixed)
        if problems:
            raise ScenarioError(problems)
        self.source, self.base, self._data = source, scenario, data
        # a merged ICB's predecessors are restated into it, not modelled: not shown
        merged = {p for o in scenario.organisations for p in getattr(o, "predecessors", ())}
        bodies = [o for o in scenario.organisations
                  if o.id not in merged and controls_of(o)]
        #: every organisation with levers: commissioners, then trusts and councils
        self.bodies = [o.id for o in sorted(bodies, key=lambda o: not isinstance(
            o, Commissioner))]
        self.commissioners = [o.id for o in bodies if isinstance(o, Commissioner)]
        self.names = {o.id: o.name for o in bodies}
        self.era = scenario.era  # whose words the labels use
        self._table = {o.id: assumptions_of(o, self.era) for o in bodies}
        #: the risk and mitigation switches of each organisation with a register
        self._switches = {o.id: switches_of(o) for o in bodies}
        for o in bodies:
            self._table[o.id].update(self._switches[o.id])
        self.changes: dict[str, dict[str, Any]] = {o: {} for o in self.bodies}

    # -- what there is

    @property
    def orgs(self) -> list[str]:
        """Organisations the explorer can show: the commissioners, the trusts and councils,
        then the footprint when there are several."""
        return [*self.bodies, FOOTPRINT] if len(self.bodies) > 1 else list(self.bodies)

    def targets(self, org: str) -> list[str]:
        """Organisations a change made while showing ``org`` applies to (the footprint:
        every one that has the assumption)."""
        return list(self.bodies) if org == FOOTPRINT else [org]

    def keys(self, org: str) -> list[str]:
        """Assumption keys shown for ``org`` (the footprint: every organisation's, in order),
        its risk and mitigation switches apart (:meth:`switches`)."""
        out: dict[str, None] = {}
        for o in self.targets(org):
            out.update(dict.fromkeys(k for k in self._table[o] if k not in self._switches[o]))
        return list(out)

    def switches(self, org: str) -> list[tuple[str, str]]:
        """``[(organisation, key)]`` of the risk and mitigation switches shown for ``org``
        (the footprint: every organisation's, each switched for its own organisation)."""
        return [(o, k) for o in self.targets(org) for k in self._switches[o]]

    def switched_on(self, org: str, key: str) -> bool:
        """Whether ``org``'s risk or mitigation ``key`` is on (its likelihood above 0)."""
        return bool(self.changes[org].get(key, self._table[org][key][1]))

    def switch(self, org: str, key: str, on: bool) -> None:
        """Switch ``org``'s risk or mitigation ``key`` on (as its register gives it) or off
        (likelihood or probability 0)."""
        self.set(org, key, self._table[org][key][1] if on else 0.0)

    def assumption(self, org: str, key: str) -> Assumption:
        for o in self.targets(org):
            if key in self._table[o]:
                return self._table[o][key][0]
        raise KeyError(f"{org} has no assumption {key!r}")

    def base_value(self, org: str, key: str) -> Any:
        """Value in the base scenario (the footprint: the first organisation that has it)."""
        return self.values(org, key, base=True)[0][1]

    def values(self, org: str, key: str, base: bool = False) -> list[tuple[str, Any]]:
        """``[(organisation, value)]`` of every organisation ``org`` covers that has ``key``."""
        out = []
        for o in self.targets(org):
            if key in self._table[o]:
                start = self._table[o][key][1]
                out.append((o, start if base else self.changes[o].get(key, start)))
        if not out:
            raise KeyError(f"{org} has no assumption {key!r}")
        return out

    def value(self, org: str, key: str) -> Any:
        """Current value of ``key`` for ``org``; for the footprint, the first organisation's
        (see :meth:`differs`)."""
        return self.values(org, key)[0][1]

    def differs(self, org: str, key: str) -> bool:
        """Whether the organisations ``org`` covers hold different values of ``key``."""
        return len({v for _, v in self.values(org, key)}) > 1

    def by_year(self, org: str) -> dict[str, list[str]]:
        """``{field path: [keys, one a year]}`` of the by-year assumptions of ``org``."""
        out: dict[str, list[str]] = {}
        for key in self.keys(org):
            a = self.assumption(org, key)
            if a.year is not None:
                out.setdefault(a.path, []).append(key)
        return out

    # -- changing

    def set(self, org: str, key: str, value: Any) -> None:
        """Set ``key`` to ``value`` [unit of the field] for every organisation ``org`` covers
        that has it; a value equal to the base removes the change."""
        for o, _ in self.values(org, key):
            start = self._table[o][key][1]
            if _same(value, start):
                self.changes[o].pop(key, None)
            else:
                self.changes[o][key] = value

    def remove(self, org: str, key: str) -> None:
        """Undo the change of ``key`` for every organisation ``org`` covers."""
        for o in self.targets(org):
            self.changes[o].pop(key, None)

    def clear(self) -> None:
        for o in self.bodies:
            self.changes[o].clear()

    def rows(self) -> list[ChangeRow]:
        """Every change against the base, organisation by organisation, in display order."""
        out = []
        for o in self.bodies:
            for key, (a, start) in self._table[o].items():
                if key in self.changes[o]:
                    label = a.label if a.year is None else f"{a.label}, {a.year}"
                    out.append(ChangeRow(o, key, label, a.text(start),
                                         a.text(self.changes[o][key]),
                                         f"organisations.{o}.{key}"))
        return out

    def overrides(self) -> dict[str, Any]:
        """``{dotted.path: value}``: the overrides opened with, then every change."""
        out = dict(self.fixed)
        for o in self.bodies:
            for key in self._table[o]:
                if key in self.changes[o]:
                    out[f"organisations.{o}.{key}"] = self.changes[o][key]
        return out

    def scenario(self) -> Scenario:
        """The base scenario with every change, validated.

        Raises
        ------
        ScenarioError
            If a change makes it invalid.
        """
        scenario, problems = validate_data(self._data, str(self.source), self.overrides())
        if problems:
            raise ScenarioError(problems)
        return scenario

    # -- save as scenario

    def extends(self, folder: Path) -> str:
        """``extends:`` of a scenario saved in ``folder``: the bundled name, or the base file
        relative to ``folder``."""
        if str(self.source) in bundled_scenarios() and not Path(str(self.source)).is_file():
            return str(self.source)
        base = Path(self.source).resolve()
        return Path(os.path.relpath(base, Path(folder).resolve())).as_posix()

    def scenario_text(self, name: str, folder: Path) -> str:
        """YAML of a scenario extending the base with :meth:`overrides`, to be saved in
        ``folder``."""
        overrides = self.overrides()
        data = {"name": slug(name), "title": f"{self.base.title} (explorer: {name})",
                "description": f"Saved from the ccgmodels explorer: {self.base.name} with "
                               f"{len(overrides)} assumptions overridden.",
                "extends": self.extends(folder), "overrides": overrides}
        head = "# Saved from the ccgmodels explorer; every changed figure is an ASSUMPTION.\n"
        return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def save(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write the changes as a scenario file at ``path`` (its folder made if need be).

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.
        """
        p = Path(path)
        if p.exists() and not overwrite:
            raise FileExistsError(f"{p} exists: tick 'Overwrite if it exists' to replace it")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(self.scenario_text(p.stem, p.parent), encoding="utf-8")
        return p

    def save_as(self, name: str, folder: str | Path | None = None,
                overwrite: bool = False) -> Path:
        """Save as ``folder/<slug of name>.yaml`` (default folder: :func:`default_folder`)."""
        folder = Path(folder) if folder else default_folder()
        return self.save(folder / f"{slug(name)}.yaml", overwrite)


def _get(data: dict, path: str) -> Any:
    try:
        return get_path(data, path)
    except KeyError:
        return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-12)
