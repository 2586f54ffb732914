"""Monte Carlo over a scenario's uncertain assumptions, evaluated for every run at once.

Ranges live in the scenario's ``uncertainty:`` block, keyed by dotted path (the syntax of
``--set``): ``normal80`` (low and high are the 10th and 90th percentiles), ``triangular`` (low,
mode, high) or ``uniform`` (low to high). Besides those, every QIPP scheme is delivered or not in
each run (Bernoulli with ``p = delivery_probability[status]``), and so is each commissioner's
unidentified QIPP gap (``p = delivery_probability['unidentified']``); a trust's or a council's
efficiency register is drawn the same way, scheme by scheme and its gap, under the same
programme-wide slippage. So is a body's risk register (:func:`ccgmodels.models.risks.draws_of`),
moving its risk-adjusted position only.

Vectorisation: each uncertain leaf of the frozen scenario is replaced (``model_copy``, no
validation) by an array of shape ``(R, 1)``; the domain functions broadcast with the year axis
last, so one call of :func:`ccgmodels.models.run.evaluate` gives every measure as
``(R, n_years)``.

Conventions
-----------
* Run 0 is the central case: every assumption at its scenario value and scheme delivery at its
  expected value (the probabilities), so run 0 equals
  :func:`~ccgmodels.models.run.run_scenario`: it is the deterministic model, evaluated once a
  simulation (:class:`Prepared`), and the model is evaluated for the random runs only.
  Summary statistics are taken over the random runs ``1 .. R-1`` (over run 0 when ``R == 1``).
* Reproducibility: the seed rule is :mod:`ccgmodels.models.seeds`; the draws of run ``r``
  depend on the seed and the run index only, never on ``chunk_size`` or on how chunks are
  spread over dask workers.
* Bounds: a range whose low, mode or high lies outside its field's bounds (a rate in 0..1, growth
  in -1..1, money not negative, ``ge=0`` fields; :mod:`ccgmodels.inputs.fields`) is rejected by
  validation; ``normal80`` draws, whose tails are unbounded, are clipped to the field's bounds.
* Shared drivers: a key ``organisations.*.<field>`` is drawn once a run and set in every
  organisation that has the field (a national driver such as price inflation); a key naming
  one organisation varies that one alone. Scheme delivery is Bernoulli per scheme; with
  ``delivery_correlation`` rho, a share rho of runs deliver (or slip) every scheme on one shared
  draw, so two schemes' delivery correlates by rho and programme-wide slippage happens.
* Memory is bounded whatever the number of runs. Runs are evaluated in chunks, and in a chunk
  one organisation at a time: each organisation's kept measures are reduced as soon as it is
  made and its other arrays dropped, so a chunk holds one organisation's arrays, the flows the
  providers and councils read, and the footprint's running sums (:func:`layout`); chunks are
  sized to ``chunk_budget`` by that, not by every measure of every organisation. Whatever
  no draw changes (growth tables, delivery probabilities, scheme phasing) is made once a
  simulation, and a provider reads only the commissioners that pay it, so the work of a run
  grows linearly with the organisations. A commissioner's scheme sums are matrix products of
  the delivery factors ``(R, S)`` and the schemes' effects by line
  (:func:`ccgmodels.models.schemes.run_sums`), no ``(R, S, n)`` array made; they agree with
  the element-wise sums of the deterministic model to the order of the additions (relative
  1e-15 of each measure), and the per-scheme rows the Monte Carlo keeps none of are not made.
  Only the measures in :data:`KEEP` are stored. The
  runs are identical whatever the chunk size; the sums over them are added chunk by chunk, so
  they agree to the last bits (relative 1e-14). The mean, the probabilities and the central
  run are accumulated over every run, exactly. The runs themselves are kept while they fit
  ``keep_budget``; beyond it a systematic sample of every k-th run is kept (runs are
  independent draws, so it is a random sample of them), and the percentiles come from it. With
  K runs kept, the DKW inequality bounds the error of every percentile in rank: the estimated
  p-th percentile lies between the true (p - e)-th and (p + e)-th, e = sqrt(ln(2 / 0.001) /
  (2K)), with probability 99.9% (:func:`percentile_error`; 0.9 points at K = 50,000). The
  ``runs_in_percentiles`` stat of ``uncertainty.csv`` says when a sample was used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs.loading import load_scenario
from ..inputs.paths import substitute
from ..inputs.scenario import Commissioner, Scenario
from ..inputs.vocab import FOOTPRINT
from . import efficiency, measures, pool, results, risks, schemes
from .mcdraws import (  # noqa: F401 (re-exported)
    Z90,
    Delivery,
    Spec,
    delivery_bits,
    draws,
    spec_of,
    substitute_draws,
    transform,
    uniforms,
)
from .mcstats import (  # noqa: F401 (re-exported)
    BREAK_EVEN_TOL,
    CONTROL_TOTAL_MEASURES,
    PERCENTILES,
    SURPLUS_MEASURES,
    Accumulator,
    check_finite,
    percentile_error,
    reduce,
    summarise,
    write_summary,
)
from .measures import OrgKey
from .run import FLOWS, evaluate, evaluate_iter, growth_tables
from .seeds import run_seed

#: measures kept for every run, ``{measure: items}`` (None keeps every item): the catalogue's
KEEP: dict[str, tuple[str, ...] | None] = measures.kept()


# --- evaluation of a chunk of runs -----------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """What every chunk of a simulation needs that no draw changes, made once per
    :func:`simulate` call rather than once per commissioner per chunk."""

    growth: dict  # commissioner id -> growth table (:func:`ccgmodels.models.run.growth_tables`)
    #: commissioner id (and the id of a trust or council with an efficiency register) ->
    #: delivery probabilities of its schemes ``(S,)`` and gap ``()``; None when a range draws
    #: a probability (then they are taken from each chunk's draws)
    probabilities: dict[str, tuple[np.ndarray, np.ndarray]] | None
    #: the central run: the deterministic model's held measures of each organisation
    #: (:func:`_held`), ``{org: ({(measure, item): (n,)}, control total or None)}``
    central: dict[str, tuple[dict, np.ndarray | None]] = field(default_factory=dict)
    keep: Mapping[str, tuple[str, ...] | None] = field(default_factory=lambda: KEEP)
    #: :func:`layout`, measured on the same evaluation [bytes]
    sizes: tuple[int, int] = (0, 0)


def prepare(scenario: Scenario, spec: Spec,
            keep: Mapping[str, tuple[str, ...] | None] = KEEP) -> Prepared:
    """The :class:`Prepared` of a scenario (the central run holding what ``keep`` keeps)."""
    drawn = any("delivery_probability" in t for ts in spec.targets for t in ts)
    registered = {o.id for o in efficiency.registered(scenario)}
    probabilities = None if drawn else {
        o.id: schemes.register_probabilities(o) for o in scenario.organisations
        if isinstance(o, Commissioner) or o.id in registered}
    growth = growth_tables(scenario)
    kept = _kept(keep)
    sizes = _Sizes(scenario, keep)
    central = {}
    for r in evaluate_iter(scenario, growth=growth, detail=False):  # as a chunk makes them
        sizes.add(r)
        if r.years == scenario.years:
            central[r.org] = ({k: np.asarray(v, dtype=float) for k, v in r.series.items()
                               if kept(*k)}, r.series.get(("control_total", "")))
    return Prepared(growth, probabilities, central, keep, sizes.result())


def _kept(keep: Mapping[str, tuple[str, ...] | None]) -> Callable[[str, str], bool]:
    """Whether the Monte Carlo keeps ``(measure, item)`` (the catalogue's ``keep``)."""
    def kept(measure: str, item: str) -> bool:
        items = keep.get(measure, ())
        return items is None or item in items
    return kept


def _held(keep: Mapping[str, tuple[str, ...] | None]) -> Callable[[str, str], bool]:
    """What a chunk holds of a commissioner: what is kept, and the control total (what a
    surplus is compared with)."""
    kept = _kept(keep)
    return lambda measure, item: measure == "control_total" or kept(measure, item)


def _organisations(scenario: Scenario, spec: Spec, seed: int, start: int, stop: int,
                   keep: Mapping[str, tuple[str, ...] | None] = KEEP,
                   prep: Prepared | None = None):
    """The draws of runs ``start..stop-1``, and an iterator of each organisation's kept
    measures ``(org, {(measure, item): (m, n)}, control total or None)`` in the scenario's
    order, one organisation's arrays made at a time (the footprint is not among them)."""
    n = len(scenario.years)
    if prep is None or prep.keep is not keep:
        prep = prepare(scenario, spec, keep)
    # run 0 is the deterministic model itself (made once, Prepared.central); the model is
    # evaluated for the random runs only
    first = 1 if start == 0 else 0
    m = stop - start - first
    drawn, bits = delivery_bits(spec, seed, start, stop, prep.probabilities, scenario)
    s = substitute_draws(scenario, spec, {k: v[first:] for k, v in drawn.items()}, False)
    delivery = Delivery(spec, bits[first:])
    register = (risks.draws_of(spec.risk_registers, s, seed, start, stop, first)
                if spec.risk_registers and m else {})
    kept = _kept(keep)

    def rows(central, v):  # run 0 (when in this chunk) on top of the random runs
        v = np.broadcast_to(np.asarray(v, dtype=float), (m, n))
        return np.concatenate([np.broadcast_to(central, (1, n)), v]) if first else v

    def each():
        if m == 0:  # the central run alone
            for org, (series, ct) in prep.central.items():
                yield (org, {k: np.broadcast_to(v, (1, n)) for k, v in series.items()},
                       None if ct is None else np.broadcast_to(ct, (1, n)))
            return
        for r in evaluate_iter(s, delivery, growth=prep.growth, trim=_held(keep),
                               detail=False, register=register):
            if r.years != s.years:
                continue  # the primary care bridge has its own years
            series, c = prep.central[r.org]
            ct = r.series.get(("control_total", ""))
            yield (r.org,
                   {k: rows(series.get(k), v) for k, v in r.series.items() if kept(*k)},
                   None if ct is None else rows(c, ct))

    return drawn, each()


def _chunk(scenario: Scenario, spec: Spec, seed: int, start: int, stop: int,
           keep: Mapping[str, tuple[str, ...] | None] = KEEP, prep: Prepared | None = None
           ) -> dict:
    """Every kept measure of runs ``start..stop-1``: ``{(org, measure, item): (m, n)}`` (read
    only), held all at once; :func:`_reduced_chunk` reduces them one organisation at a
    time instead."""
    drawn, each = _organisations(scenario, spec, seed, start, stop, keep, prep)
    out: dict[OrgKey, np.ndarray] = {}
    controls: dict[str, np.ndarray] = {}
    for org, series, ct in each:
        if ct is not None:
            controls[org] = ct
        out.update({(org, measure, item): v for (measure, item), v in series.items()})
    out.update(_footprint(out))
    if controls and len(controls) == len(scenario.organisations):
        controls[FOOTPRINT] = sum(controls.values())
    return {"values": out, "controls": controls, "draws": drawn}


def _footprint(values: Mapping[OrgKey, np.ndarray]) -> dict[OrgKey, np.ndarray]:
    """Per-run footprint of ``{(org, measure, item): (m, n)}`` by the one footprint rule
    (:func:`ccgmodels.models.results.footprint`)."""
    by_org: dict[str, dict] = {}
    for (org, measure, item), v in values.items():
        by_org.setdefault(org, {})[(measure, item)] = v
    return {(FOOTPRINT, measure, item): v
            for (measure, item), v in results.footprint(by_org.values()).items()}


# --- simulate --------------------------------------------------------------------------------


@dataclass
class Simulation:
    """Every kept measure for every run (run 0 central), with the draws that made them."""

    scenario: Scenario
    seed: int
    years: list[str]
    values: dict[OrgKey, np.ndarray]  # (R, n_years) [unit of the measure]
    draws: dict[str, np.ndarray]  # (R,) [unit of the assumption]
    controls: dict[str, np.ndarray] = field(default_factory=dict)  # (R, n_years) [£k]

    exact: dict[OrgKey, dict[str, np.ndarray]] = field(default_factory=dict)  # over every run
    total_runs: int | None = None  # every run made; values hold all of them, or a sample

    @property
    def runs(self) -> int:
        """Number of runs made, the central run 0 included."""
        return self.total_runs or self.kept_runs

    @property
    def kept_runs(self) -> int:
        """Runs held in ``values`` (all of them, or the systematic sample), run 0 first."""
        return len(next(iter(self.values.values())))

    def get(self, org: str, measure: str, item: str = "") -> np.ndarray:
        """One measure, shape ``(R, n_years)``."""
        return self.values[(org, measure, item)]


class _Sizes:
    """:func:`layout` taken one organisation's result at a time."""

    def __init__(self, scenario: Scenario, keep: Mapping[str, tuple[str, ...] | None]):
        self.years, self.kept = scenario.years, _kept(keep)
        self.largest = self.flows = self.kept_keys = 0
        self.footprint: set[tuple[str, str]] = set()

    def add(self, r) -> None:
        size = sum(np.asarray(v).size * 8 for v in r.series.values())
        self.largest = max(self.largest, size)
        self.flows += sum(np.asarray(v).size * 8 for k, v in r.series.items() if k[0] in FLOWS)
        if r.years == self.years:
            keys = [k for k in r.series if self.kept(*k)]
            self.kept_keys += len(keys)
            self.footprint.update(k for k in keys if measures.MEASURES[k[0]].additive)

    def result(self) -> tuple[int, int]:
        n = len(self.years)
        # x3: an organisation's intermediates besides its measures
        return (3 * self.largest + self.flows + 2 * len(self.footprint) * n * 8,
                (self.kept_keys + len(self.footprint)) * n * 8)


def layout(scenario: Scenario, keep: Mapping[str, tuple[str, ...] | None] = KEEP,
           growth: Mapping | None = None) -> tuple[int, int]:
    """What one run takes: the memory a chunk holds while it is evaluated, and the kept
    measures [bytes].

    A chunk holds one organisation's arrays at a time (the largest of them, as a chunk makes
    them: no scheme's own row, and twice as much again for its intermediates), the flows
    every commissioner leaves for the providers and councils
    (:data:`ccgmodels.models.run.FLOWS`), and the footprint's running sums of what is kept;
    the kept measures are every organisation's and the footprint's (what
    :class:`~ccgmodels.models.mcstats.Accumulator` stores of a kept run). ``growth``:
    :func:`ccgmodels.models.run.growth_tables`, when the caller has them. :func:`prepare`
    measures the same on the evaluation it makes anyway (:attr:`Prepared.sizes`).
    """
    sizes = _Sizes(scenario, keep)
    for r in evaluate_iter(scenario, growth=growth, detail=False):
        sizes.add(r)
    return sizes.result()


def bytes_per_run(scenario: Scenario) -> int:
    """Memory a chunk holds for one run while it is evaluated (:func:`layout`) [bytes]."""
    return layout(scenario)[0]


def simulate(scenario: Scenario | str | Path, runs: int = 1000, seed: int | None = None,
             chunk_size: int = 10_000, workers: int | None = None,
             scheduler: str | None = None, keep_budget: int = 512 * 2**20,
             chunk_budget: int = 256 * 2**20, engine: str = "process") -> Simulation:
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
        Most runs evaluated together; lowered to fit ``chunk_budget``; never changes the
        runs (their sums at most in the last bits, relative 1e-14) [count].
    workers : int, optional
        Spread chunks over this many local processes (``engine``); one, or None, evaluates
        them in this process.
    scheduler : str, optional
        Address of a running dask scheduler to spread chunks over (implies dask).
    keep_budget : int
        Memory for the kept runs; beyond it a systematic sample is kept [bytes].
    chunk_budget : int
        Memory for the model's arrays of one chunk, in this process or in each worker: the
        chunks are the same however many workers there are [bytes].
    engine : {"process", "dask"}
        What ``workers`` are: a pool of processes started for the call (forked where the
        platform can), or a local ``dask.distributed`` cluster. Either way each chunk is
        reduced where it was evaluated. The pool's results are taken in chunk order, so the
        numbers are identical to one process's, bit for bit; dask's as they complete, so the
        sums may differ from them in the last bits (relative 1e-15), the runs not at all.

    Returns
    -------
    Simulation
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if runs < 1:
        raise ValueError(f"runs must be at least 1, not {runs}")
    seed = run_seed(seed)
    spec = spec_of(s)
    prep = prepare(s, spec)
    if engine not in ("process", "dask"):
        raise ValueError(f"engine must be 'process' or 'dask', not {engine!r}")
    per_run, kept_bytes = prep.sizes
    per_run += spec.n_uniform  # the delivery bits (delivery_bits)
    stride = max(1, math.ceil(runs / max(keep_budget // max(kept_bytes, 1), 2)))
    # a run takes what a chunk holds while evaluated, and a kept run its rows; the chunks do
    # not depend on the workers (the sums are added chunk by chunk)
    chunk_size = max(1, min(chunk_size, chunk_budget
                            // (per_run + math.ceil(kept_bytes / stride))))
    bounds = [(a, min(a + chunk_size, runs)) for a in range(0, runs, chunk_size)]
    acc = Accumulator(runs, stride)
    if scheduler or (engine == "dask" and workers):  # each worker reduces its own chunks
        acc.merge(_reduced_chunk(s, spec, seed, *bounds[0], stride, prep))
        for reduced in _map_dask(s, spec, seed, bounds[1:], workers, scheduler, stride, prep):
            acc.merge(reduced)
    elif workers and workers > 1 and len(bounds) > 1:
        for reduced in pool.ordered_map(_pool_chunk, (s, spec, seed, stride, prep), bounds,
                                        workers):
            acc.merge(reduced)
    else:  # lazily, so that only one chunk's intermediates are alive at a time
        for a, b in bounds:
            acc.merge(_reduced_chunk(s, spec, seed, a, b, stride, prep))
    values, controls, drawn = acc.store["values"], acc.store["controls"], acc.store["draws"]
    check_finite(values, s.uncertainty)
    return Simulation(s, seed, s.years, values, drawn, controls, acc.statistics(), runs)


def _reduced_chunk(s: Scenario, spec: Spec, seed: int, a: int, b: int, stride: int,
                   prep: Prepared | None = None) -> dict:
    """Runs ``a..b-1`` evaluated, checked finite and reduced to their sums and kept rows
    (:func:`ccgmodels.models.mcstats.reduce`), where they were made, one organisation at a
    time: a chunk holds one organisation's arrays, the footprint's running sums and the
    kept rows, never every organisation's arrays at once."""
    drawn, each = _organisations(s, spec, seed, a, b, KEEP, prep)
    out = reduce(a, b, {"values": {}, "controls": {}, "draws": drawn}, stride)
    footprint = results.FootprintSum()
    controls, with_control = 0.0, 0

    def take(values: dict, control: dict) -> None:
        part = reduce(a, b, {"values": values, "controls": control}, stride)
        if not all(np.isfinite(x["sum"]).all() for x in part["exact"].values()):
            check_finite(values, s.uncertainty)  # a run lost its value: name it (a sum of
            # finite values is finite unless it overflows, which check_finite lets pass)
        out["exact"].update(part["exact"])
        for name, rows in part["rows"].items():
            out["rows"].setdefault(name, {}).update(rows)

    for org, series, ct in each:
        control = {} if ct is None else {org: ct}
        if ct is not None:
            controls, with_control = controls + ct, with_control + 1
        take({(org, measure, item): v for (measure, item), v in series.items()}, control)
        footprint.add(series, finite=True)
        del series, control, ct
    fp_control = ({FOOTPRINT: controls}
                  if with_control and with_control == len(s.organisations) else {})
    take({(FOOTPRINT, measure, item): v for (measure, item), v in footprint.result().items()},
         fp_control)
    return out


def _pool_chunk(s: Scenario, spec: Spec, seed: int, stride: int, prep: Prepared, a: int,
                b: int) -> dict:
    """:func:`_reduced_chunk` in a worker of :func:`ccgmodels.models.pool.ordered_map`."""
    return _reduced_chunk(s, spec, seed, a, b, stride, prep)


def _map_dask(s, spec, seed, bounds, workers, scheduler, stride, prep=None):
    """Each chunk reduced on a worker (its sums and kept rows only), as the workers finish
    them: each result is consumed (and released) as it arrives, never all gathered at
    once."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        s_f, spec_f, prep_f = client.scatter([s, spec, prep], broadcast=True)
        futures = [client.submit(_reduced_chunk, s_f, spec_f, seed, a, b, stride, prep_f,
                                 pure=False)
                   for a, b in bounds]
        done = as_completed(futures, with_results=True)
        del futures  # only the iterator holds the futures still to come
        for future, reduced in done:
            yield reduced
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def dependence(scenario: Scenario, name: Callable[[str], str] | None = None) -> str:
    """How the scenario's Monte Carlo draws depend on each other, in a sentence or two (shown
    beside the fan chart). ``name`` gives a shared assumption's words from its path
    (``organisations.*.<field>``); by default the field path itself."""
    name = name or (lambda path: path.split(".", 2)[2])
    shared = [name(k) for k in scenario.uncertainty if k.startswith("organisations.*.")]
    own = [k for k in scenario.uncertainty if not k.startswith("organisations.*.")]
    parts = []
    if shared:
        parts.append("shared across every organisation (one draw a run): " + ", ".join(shared))
    if own:
        parts.append(f"{len(own)} ranges drawn for one organisation each, independently")
    rho = scenario.delivery_correlation
    what = f"{measures.MEASURES['qipp'].display_in(scenario.era)} schemes"  # the era's words
    parts.append(f"{what} delivered or not each on its own draw" if rho == 0 else
                 f"{what} slip together in {rho:.0%} of runs (programme-wide slippage), "
                 "otherwise each on its own draw")
    return "How the draws depend on each other: " + "; ".join(parts) + "."


# --- summaries -------------------------------------------------------------------------------


def tornado(scenario: Scenario | str | Path, org: str = FOOTPRINT,
            measure: str | None = None, item: str = "",
            year: str | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivity: each uncertain assumption at its low and its high.

    All ``2K + 1`` cases (central, then low and high of each of K assumptions) are evaluated in
    one vectorised call; scheme delivery stays at its expected value. Where ``org`` has a risk
    register, ``measure`` defaults to its risk-adjusted position, each risk and mitigation a
    row of it too (:func:`~ccgmodels.models.risks.tornado_rows`).

    Returns
    -------
    pandas.DataFrame
        ``assumption, name, dist, low, high, value_low, value_high, central, swing`` sorted by
        swing descending; values in the measure's unit (£k for money), swing = |high - low|;
        ``name`` a register row's ("Risk: <its name>"), "" for an assumption.
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    spec = spec_of(s)
    year = year or s.years[-1]
    measure = measure or risks.tornado_measure(s, org)
    t = s.years.index(year)
    k = len(spec.paths)
    case = s
    for i, d in enumerate(spec.dists):
        for target, value in zip(spec.targets[i], spec.centrals[i], strict=True):
            x = np.full((2 * k + 1, 1), value)
            x[2 * i + 1], x[2 * i + 2] = d.low, d.high
            case = substitute(case, target, x)
    parts = ({"do_something_surplus", "risk_register"} if measure == "risk_adjusted_surplus"
             else set())
    values: dict[OrgKey, np.ndarray] = {}
    for r in evaluate(case):
        if r.years == s.years:
            values.update({(r.org, m, i): np.broadcast_to(
                np.asarray(v, dtype=float), (2 * k + 1, len(r.years)))
                for (m, i), v in r.series.items() if (m, i) == (measure, item) or m in parts})
    values.update(_footprint(values))
    v = values[(org, measure, item)][:, t]
    df = pd.DataFrame({
        "assumption": list(spec.paths), "name": "", "dist": [d.dist for d in spec.dists],
        "low": [d.low for d in spec.dists], "high": [d.high for d in spec.dists],
        "value_low": v[1::2], "value_high": v[2::2], "central": v[0],
    })
    if measure == "risk_adjusted_surplus" and item == "":
        df = risks.with_tornado_rows(df, s, org, year, float(v[0]))
    df["swing"] = (df["value_high"] - df["value_low"]).abs()
    df.attrs.update(scenario=s.name, org=org, measure=measure, item=item, year=year,
                    unit=measures.MEASURES[measure].unit)
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
