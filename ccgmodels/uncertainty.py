"""Monte Carlo over a scenario's uncertain assumptions, evaluated for every run at once.

Ranges live in the scenario's ``uncertainty:`` block, keyed by dotted path (the syntax of
``--set``): ``normal80`` (low and high are the 10th and 90th percentiles), ``triangular`` (low,
mode, high) or ``uniform`` (low to high). Besides those, every QIPP scheme is delivered or not in
each run (Bernoulli with ``p = delivery_probability[status]``), and so is each commissioner's
unidentified QIPP gap (``p = delivery_probability['unidentified']``).

Vectorisation: each uncertain leaf of the frozen scenario is replaced (``model_copy``, no
validation) by an array of shape ``(R, 1)``; the domain functions broadcast with the year axis
last, so one call of :func:`ccgmodels.model.evaluate` gives every measure as ``(R, n_years)``.

Conventions
-----------
* Run 0 is the central case: every assumption at its scenario value and scheme delivery at its
  expected value (the probabilities), so run 0 equals :func:`~ccgmodels.model.run_scenario`.
  Summary statistics are taken over the random runs ``1 .. R-1`` (over run 0 when ``R == 1``).
* Reproducibility: the draws of run ``r`` come from the child ``SeedSequence(seed,
  spawn_key=(r // BLOCK,))``, row ``r % BLOCK``, so they depend on the seed and the run index
  only, never on ``chunk_size`` or on how chunks are spread over dask workers.
* Bounds: a range whose low, mode or high lies outside its field's bounds (a rate in 0..1, growth
  in -1..1, money not negative, ``ge=0`` fields) is rejected by validation; ``normal80`` draws,
  whose tails are unbounded, are clipped to the field's bounds.
* Memory: only the measures in :data:`KEEP` are stored (money in £k), so 100,000 runs of the
  footprint fit in memory; runs are evaluated in chunks of ``chunk_size``.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel

from . import model, results
from .scenario import Commissioner, Distribution, Scenario
from .validation import get_path, load_scenario

BLOCK = 1024  # runs per child SeedSequence (fixed: changing it changes every draw)
Z90 = 1.2815515655446004  # 90th percentile of the standard normal
PERCENTILES = {"p5": 5, "p10": 10, "p50": 50, "p90": 90, "p95": 95}
SURPLUS_MEASURES = ("surplus", "do_nothing_surplus", "do_something_surplus",
                    "do_nothing_cumulative_surplus", "do_something_cumulative_surplus")
CONTROL_TOTAL_MEASURES = ("surplus", "do_nothing_surplus", "do_something_surplus")
#: measures kept for every run, ``{measure: items}`` (None keeps every item)
KEEP: dict[str, tuple[str, ...] | None] = {
    "allocation": ("total",),
    "income": ("total",),
    "do_nothing_expenditure": ("total",),
    "expenditure": ("total",),
    "surplus": ("",),
    "do_nothing_surplus": ("",),
    "do_nothing_cumulative_surplus": ("",),
    "solutions": None,
    "do_something_surplus": ("",),
    "do_something_cumulative_surplus": ("",),
    "qipp": ("target", "identified", "risk_adjusted", "unidentified"),
}
_VALIDATOR_BOUNDS = {"_fraction": (0.0, 1.0), "_growth": (-1.0, 1.0),
                     "_not_negative_money": (0.0, math.inf)}

Key = tuple[str, str, str]  # (org, measure, item)


# --- paths, bounds and substitution ----------------------------------------------------------


def _list_index(items: list, key: str) -> int:
    for i, item in enumerate(items):
        if getattr(item, "id", None) == key:
            return i
    return int(key)


def _bounds_of(annotation, metadata) -> tuple[float, float]:
    lo, hi = -math.inf, math.inf
    for m in metadata:
        name = getattr(getattr(m, "func", None), "__name__", "")
        if name in _VALIDATOR_BOUNDS:
            a, b = _VALIDATOR_BOUNDS[name]
            lo, hi = max(lo, a), min(hi, b)
        for attr, is_low in (("ge", True), ("gt", True), ("le", False), ("lt", False)):
            v = getattr(m, attr, None)
            if isinstance(v, int | float):
                lo, hi = (max(lo, v), hi) if is_low else (lo, min(hi, v))
        if hasattr(m, "metadata"):  # a FieldInfo inside Annotated
            a, b = _bounds_of(None, m.metadata)
            lo, hi = max(lo, a), min(hi, b)
    if annotation is not None:
        for arg in typing.get_args(annotation):
            if typing.get_origin(annotation) is typing.Annotated:
                break
            if arg is not type(None):  # Optional[Annotated[...]]
                a, b = _bounds_of(None, getattr(arg, "__metadata__", ()))
                lo, hi = max(lo, a), min(hi, b)
        a, b = _bounds_of(None, getattr(annotation, "__metadata__", ()))
        lo, hi = max(lo, a), min(hi, b)
    return lo, hi


def field_bounds(scenario: Scenario, path: str) -> tuple[float, float]:
    """Lowest and highest value the field at dotted ``path`` accepts [unit of the field].

    Read from the field's type: rates 0..1, growth -1..1, money >= 0, ``ge``/``le`` limits.
    """
    node: object = scenario
    annotation, metadata = None, []
    for part in path.split("."):
        if isinstance(node, BaseModel):
            info = type(node).model_fields[part]
            annotation, metadata = info.annotation, info.metadata
            node = getattr(node, part)
        elif isinstance(node, list):
            node = node[_list_index(node, part)]
        elif isinstance(node, dict):
            args = typing.get_args(annotation)
            annotation, metadata = (args[1] if len(args) == 2 else None), []
            node = node[part]
    return _bounds_of(annotation, metadata)


#: groups whose numbers the vectorised model cannot yet take as per-run arrays
UNSUPPORTED_GROUPS = ("stf", "savings", "schemes", "primary_care_bridge")


def bound_problems(scenario: Scenario) -> list[tuple[str, object, str]]:
    """Ranges reaching outside their field's bounds: ``(path, value, message)`` rows."""
    out = []
    for path, d in scenario.uncertainty.items():
        parts = path.split(".")
        if any(p in UNSUPPORTED_GROUPS for p in parts):
            out.append((f"uncertainty.{path}", path,
                        "a range is not supported here yet: by-year amounts (stf, savings), "
                        "scheme savings and primary care bridge rows are fixed; put ranges on "
                        "rates, growth, base values or delivery probabilities"))
            continue
        try:
            lo, hi = field_bounds(scenario, path)
        except (KeyError, ValueError, AttributeError, IndexError):
            continue  # a missing path is reported by validation.semantic_problems
        for name in ("low", "mode", "high"):
            v = getattr(d, name)
            if v is not None and not lo <= v <= hi:
                out.append((f"uncertainty.{path}.{name}", v,
                            f"outside the field's bounds {lo:g}..{hi:g}"))
    return out


def substitute(node, path: str | list[str], value):
    """A copy of ``node`` with ``value`` (often an array) at dotted ``path``; no validation."""
    parts = path.split(".") if isinstance(path, str) else path
    head, rest = parts[0], parts[1:]
    if isinstance(node, BaseModel):
        new = substitute(getattr(node, head), rest, value) if rest else value
        return node.model_copy(update={head: new})
    if isinstance(node, list):
        i = _list_index(node, head)
        out = list(node)
        out[i] = substitute(node[i], rest, value) if rest else value
        return out
    if isinstance(node, dict):
        out = dict(node)
        out[head] = substitute(node[head], rest, value) if rest else value
        return out
    raise KeyError(f"cannot substitute {'.'.join(parts)!r}: {type(node).__name__} is a value")


# --- draws -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What is uncertain in a scenario: ranges, central values, bounds and schemes."""

    paths: tuple[str, ...]
    dists: tuple[Distribution, ...]
    central: tuple[float, ...]
    bounds: tuple[tuple[float, float], ...]
    schemes: tuple[tuple[str, int], ...]  # (commissioner id, number of schemes)

    @property
    def n_uniform(self) -> int:
        """Uniform columns per run: one per assumption, scheme and unidentified gap."""
        return len(self.paths) + sum(n + 1 for _, n in self.schemes)


def spec_of(scenario: Scenario) -> Spec:
    """The :class:`Spec` of a scenario; raises ValueError for a range outside its bounds."""
    bad = bound_problems(scenario)
    if bad:
        raise ValueError("; ".join(f"{p}: {m} (got {v})" for p, v, m in bad))
    plain = scenario.model_dump(mode="python")
    paths = tuple(scenario.uncertainty)
    return Spec(paths, tuple(scenario.uncertainty.values()),
                tuple(float(get_path(plain, p)) for p in paths),
                tuple(field_bounds(scenario, p) for p in paths),
                tuple((o.id, len(o.qipp.schemes)) for o in scenario.organisations
                      if isinstance(o, Commissioner)))


def transform(d: Distribution, u: np.ndarray, z: np.ndarray, bounds=(-math.inf, math.inf)):
    """Values of distribution ``d`` from uniform ``u`` and standard normal ``z`` draws."""
    low, high = d.low, d.high
    if d.dist == "normal80":
        x = (low + high) / 2 + (high - low) / (2 * Z90) * z
        return np.clip(x, *bounds)
    if d.dist == "uniform":
        return low + (high - low) * u
    mode = d.mode if d.mode is not None else (low + high) / 2
    width = high - low
    if width == 0:
        return np.full_like(u, low)
    c = (mode - low) / width
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1 - u) * width * (high - mode))
    return np.where(u < c, left, right)


def uniforms(spec: Spec, seed: int, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform ``(m, n_uniform)`` and normal ``(m, n_paths)`` draws of runs ``start..stop-1``."""
    us, zs = [], []
    for b in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(b,)))
        u = rng.random((BLOCK, spec.n_uniform))
        z = rng.standard_normal((BLOCK, len(spec.paths)))
        lo, hi = max(start, b * BLOCK) - b * BLOCK, min(stop, (b + 1) * BLOCK) - b * BLOCK
        us.append(u[lo:hi])
        zs.append(z[lo:hi])
    return np.concatenate(us), np.concatenate(zs)


def draws(spec: Spec, seed: int, start: int, stop: int) -> dict[str, np.ndarray]:
    """Value of every uncertain assumption in runs ``start..stop-1``; run 0 is central."""
    u, z = uniforms(spec, seed, start, stop)
    runs = np.arange(start, stop)
    out = {}
    for k, (path, d) in enumerate(zip(spec.paths, spec.dists, strict=True)):
        x = transform(d, u[:, k], z[:, k], spec.bounds[k])
        out[path] = np.where(runs == 0, spec.central[k], x)
    return out


# --- evaluation of a chunk of runs -----------------------------------------------------------


def _chunk(scenario: Scenario, spec: Spec, seed: int, start: int, stop: int,
           keep: Mapping[str, tuple[str, ...] | None] = KEEP) -> dict:
    """Every kept measure of runs ``start..stop-1``: ``{(org, measure, item): (m, n)}``."""
    m, n = stop - start, len(scenario.years)
    drawn = draws(spec, seed, start, stop)
    s = scenario
    for path, x in drawn.items():
        s = substitute(s, path, x[:, None])
    u, _ = uniforms(spec, seed, start, stop)
    col = len(spec.paths)
    central = (np.arange(start, stop) == 0)[:, None]
    delivery = {}
    for org_id, n_schemes in spec.schemes:
        o = s.org(org_id)
        probs = o.qipp.delivery_probability
        p = np.column_stack([np.broadcast_to(np.asarray(probs.get(sc.status, 0.0), float),
                                             (m, 1)) for sc in o.qipp.schemes]
                            + [np.broadcast_to(np.asarray(probs.get("unidentified", 0.0),
                                                          float), (m, 1))])
        p = np.clip(p, 0.0, 1.0)
        factor = np.where(central, p, (u[:, col:col + n_schemes + 1] < p) * 1.0)
        delivery[org_id] = {"delivery": factor[:, :n_schemes], "gap_delivery": factor[:, -1:]}
        col += n_schemes + 1
    out: dict[Key, np.ndarray] = {}
    controls: dict[str, np.ndarray] = {}
    for org, _, years, series in model.evaluate(s, delivery):
        if list(years) != s.years:
            continue  # the primary care bridge has its own years
        ct = getattr(s.org(org), "control_total", None)
        if ct is not None:
            controls[org] = np.broadcast_to(np.asarray(ct, dtype=float), (m, 1)).copy()
        for (measure, item), v in series.items():
            items = keep.get(measure, ())
            if items is None or item in items:
                out[(org, measure, item)] = np.broadcast_to(np.asarray(v, dtype=float),
                                                            (m, n)).copy()
    out.update(_footprint(out))
    if controls and len(controls) == len(s.organisations):
        controls[results.FOOTPRINT] = sum(controls.values())
    return {"values": out, "controls": controls, "draws": drawn}


def _footprint(values: Mapping[Key, np.ndarray]) -> dict[Key, np.ndarray]:
    """Per-run footprint: a summed measure's item is added where every org reporting the
    measure reports the item (as :func:`ccgmodels.results.footprint_sum`)."""
    orgs_of: dict[str, set[str]] = {}
    for org, measure, _ in values:
        orgs_of.setdefault(measure, set()).add(org)
    out = {}
    for (_, measure, item) in {(None, m_, i) for _, m_, i in values}:
        if not results.MEASURES[measure].summed:
            continue
        orgs = orgs_of[measure]
        if all((o, measure, item) in values for o in orgs):
            out[(results.FOOTPRINT, measure, item)] = sum(values[(o, measure, item)]
                                                          for o in sorted(orgs))
    return out


# --- simulate --------------------------------------------------------------------------------


@dataclass
class Simulation:
    """Every kept measure for every run (run 0 central), with the draws that made them."""

    scenario: Scenario
    seed: int
    years: list[str]
    values: dict[Key, np.ndarray]  # (R, n_years) [unit of the measure]
    draws: dict[str, np.ndarray]  # (R,) [unit of the assumption]
    controls: dict[str, np.ndarray] = field(default_factory=dict)  # (R, 1) [£k]

    @property
    def runs(self) -> int:
        """Number of runs, the central run 0 included."""
        return len(next(iter(self.values.values())))

    def get(self, org: str, measure: str, item: str = "") -> np.ndarray:
        """One measure, shape ``(R, n_years)``."""
        return self.values[(org, measure, item)]


def simulate(scenario: Scenario | str | Path, runs: int = 1000, seed: int | None = None,
             chunk_size: int = 10_000, workers: int | None = None,
             scheduler: str | None = None) -> Simulation:
    """Monte Carlo runs of a scenario, all runs of a chunk evaluated at once.

    Parameters
    ----------
    scenario : Scenario, or path or bundled name
    runs : int
        Number of runs, the central run 0 included [count].
    seed : int, optional
        Seed of the ``numpy.random.SeedSequence``; drawn from the OS when absent (and recorded
        in the result).
    chunk_size : int
        Runs evaluated together; bounds memory, never changes the numbers [count].
    workers : int, optional
        Spread chunks over a local ``dask.distributed`` cluster of this many processes.
    scheduler : str, optional
        Address of a running dask scheduler to spread chunks over.

    Returns
    -------
    Simulation
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if runs < 1:
        raise ValueError(f"runs must be at least 1, not {runs}")
    seed = int(np.random.SeedSequence(seed).entropy) if seed is None else int(seed)
    spec = spec_of(s)
    bounds = [(a, min(a + chunk_size, runs)) for a in range(0, runs, chunk_size)]
    if workers or scheduler:
        parts = iter(_map_dask(s, spec, seed, bounds, workers, scheduler))
    else:  # lazily, so that only one chunk's intermediates are alive at a time
        parts = (_chunk(s, spec, seed, a, b) for a, b in bounds)
    out: dict[str, dict] = {}
    for (a, b), part in zip(bounds, parts, strict=True):
        for name, arrays in part.items():
            store = out.setdefault(name, {})
            for key, v in arrays.items():
                if key not in store:
                    store[key] = np.empty((runs, *np.shape(v)[1:]))
                store[key][a:b] = v
    values, controls, drawn = out["values"], out["controls"], out["draws"]
    return Simulation(s, seed, s.years, values, drawn, controls)


def _map_dask(s, spec, seed, bounds, workers, scheduler) -> list[dict]:
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        s_f, spec_f = client.scatter([s, spec], broadcast=True)
        futures = [client.submit(_chunk, s_f, spec_f, seed, a, b, pure=False)
                   for a, b in bounds]
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --- summaries -------------------------------------------------------------------------------


def summarise(sim: Simulation) -> pd.DataFrame:
    """The ``uncertainty.csv`` table: ``scenario, org, year, measure, item, stat, value, unit``.

    Stats over the random runs: mean, p5, p10, p50, p90, p95; ``central`` is run 0. Surplus
    measures add ``prob_surplus_ge_0`` and, where a control total is set,
    ``prob_meets_control_total`` [fraction].
    """
    sample = slice(1, None) if sim.runs > 1 else slice(None)
    rows = []
    for (org, measure, item), arr in sorted(sim.values.items()):
        x = arr[sample]
        stats = {"central": arr[0], "mean": x.mean(axis=0)}
        pct = np.percentile(x, list(PERCENTILES.values()), axis=0)
        stats.update(dict(zip(PERCENTILES, pct, strict=True)))
        unit = results.MEASURES[measure].unit
        units = dict.fromkeys(stats, unit)
        if measure in SURPLUS_MEASURES:
            stats["prob_surplus_ge_0"] = (x >= 0).mean(axis=0)
            units["prob_surplus_ge_0"] = "fraction"
            if measure in CONTROL_TOTAL_MEASURES and org in sim.controls:
                ct = sim.controls[org][sample]
                stats["prob_meets_control_total"] = (x >= ct - 1e-9).mean(axis=0)
                units["prob_meets_control_total"] = "fraction"
        for stat, v in stats.items():
            rows.append(pd.DataFrame({"org": org, "year": sim.years, "measure": measure,
                                      "item": item, "stat": stat, "value": v,
                                      "unit": units[stat]}))
    df = pd.concat(rows, ignore_index=True)
    df = df[np.isfinite(df["value"])]
    df.insert(0, "scenario", sim.scenario.name)
    return df.reset_index(drop=True)


def write_summary(sim: Simulation, folder: Path) -> Path:
    """Write ``uncertainty.csv`` into ``folder``; same seed and runs give identical bytes."""
    path = Path(folder) / "uncertainty.csv"
    results.write_tidy(summarise(sim), path)
    return path


def tornado(scenario: Scenario | str | Path, org: str = results.FOOTPRINT,
            measure: str = "do_something_surplus", item: str = "",
            year: str | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivity: each uncertain assumption at its low and its high.

    All ``2K + 1`` cases (central, then low and high of each of K assumptions) are evaluated in
    one vectorised call; scheme delivery stays at its expected value.

    Returns
    -------
    pandas.DataFrame
        ``assumption, dist, low, high, value_low, value_high, central, swing`` sorted by swing
        descending; values in the measure's unit (£k for money), swing = |high - low|.
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    spec = spec_of(s)
    year = year or s.years[-1]
    t = s.years.index(year)
    k = len(spec.paths)
    case = s
    for i, (path, d) in enumerate(zip(spec.paths, spec.dists, strict=True)):
        x = np.full((2 * k + 1, 1), spec.central[i])
        x[2 * i + 1], x[2 * i + 2] = d.low, d.high
        case = substitute(case, path, x)
    values: dict[Key, np.ndarray] = {}
    for o, _, years, series in model.evaluate(case):
        if list(years) == s.years and (measure, item) in series:
            values[(o, measure, item)] = np.broadcast_to(
                np.asarray(series[(measure, item)], dtype=float), (2 * k + 1, len(years)))
    values.update(_footprint(values))
    v = values[(org, measure, item)][:, t]
    df = pd.DataFrame({
        "assumption": list(spec.paths), "dist": [d.dist for d in spec.dists],
        "low": [d.low for d in spec.dists], "high": [d.high for d in spec.dists],
        "value_low": v[1::2], "value_high": v[2::2], "central": v[0],
    })
    df["swing"] = (df["value_high"] - df["value_low"]).abs()
    df.attrs.update(scenario=s.name, org=org, measure=measure, item=item, year=year,
                    unit=results.MEASURES[measure].unit)
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)

