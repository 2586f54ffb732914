"""Scheme savings (QIPP): phasing, delivery risk, and the requirement, target, gap and headroom.

Savings are positive numbers that reduce expenditure [£k]. Arrays: schemes on the first axis,
years on the last; year index ``t = 0`` is the base year.

Notes
-----
**Phasing.** A scheme starting in quarter ``q`` of year ``y0`` realises a share of its full-year
saving in each year: ``(5 - q) / 4`` in ``y0``, then all of it (recurrent) or none of it
(non-recurrent). Its *phase* in year ``t`` is what it realises beyond the run-rate already in the
year before the base, so that do nothing is "the base-year plan before all of its QIPP"::

    phase[t] = realised[t] - realised[base - 1]      (recurrent; realised[base - 1] = 0 unless
                                                        the scheme started before the base)
    phase[t] = realised[t]                             (non-recurrent: a one-off in y0)

A scheme that started in 2018/19 Q3 thus brings the rest of its full-year effect, half, into
2019/20 (the plan's "FYE of 18/19 schemes", 000:L2041).

**Lines.** The gross saving comes off the scheme's category line and its investment goes on the
investment line (the category unless stated), both grown with their line's do-nothing index
``g_l[t]`` (recurrent savings are indexed with the line they come out of)::

    effect_s[t] = phase_s[t] * (gross_s * g_cat[t] - investment_s * g_inv[t])     [£k]

**The QIPP position** in year *t*, all cumulative against do nothing (000:L2019-2068)::

    required        = max(0, control_total - do_nothing_surplus)     what must be saved
    planning_rule   = rate * allocation                              (3%, 000:L2021)
    target          = base year: the stated target, else identified + a stated gap, else
                      required; later years: required
    identified      = sum_s effect_s
    unidentified    = max(target - identified, 0)                    (the planning gap)
    risk_adjusted   = sum_s p(status_s) * effect_s
    headroom_target = headroom_rate * target                         (20%, 000:L2023)
    pipeline_target = target + headroom_target
    pipeline        = sum over pipeline schemes (costed in the programmes, not in the plan)
    pipeline_cover  = identified + pipeline - pipeline_target

Identified, risk-adjusted and unidentified count the plan's schemes only; a pipeline scheme is
delivered in the do something with the probability of ``pipeline`` (0 unless stated). A joint
scheme counts at its ``share`` in each commissioner.

Castle Point & Rochford 2019/20: target 8,264; identified 7,858; gap 406; headroom 1,653 (£k).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..inputs import years as fy
from ..inputs.scenario import Commissioner, Qipp, Scheme
from ..inputs.vocab import SERVICE_LINES


def start_fraction(quarter: int) -> float:
    """Share of a full year's saving realised when a scheme starts in ``quarter`` [fraction]."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1 to 4, not {quarter!r}")
    return (5 - quarter) / 4


def phases(schemes: Sequence[Scheme], years: Sequence[str]) -> np.ndarray:
    """Share of each scheme's full-year saving realised in each year beyond the run-rate of the
    year before the base, shape ``(S, n)`` [fraction] (see the module notes). Read-only: the
    same timings and years give the same array, made once (a Monte Carlo makes every
    commissioner again in each chunk of runs; no draw changes when a scheme starts)."""
    return _phases(tuple((s.start_year, s.start_quarter, bool(s.recurrent)) for s in schemes),
                   tuple(years))


@functools.lru_cache(maxsize=4096)
def _phases(timings: tuple[tuple[str | None, int, bool], ...], years: tuple[str, ...]
            ) -> np.ndarray:
    """:func:`phases` of schemes given as ``(start_year, start_quarter, recurrent)``."""
    base = fy.start_of(years[0])
    out = np.zeros((len(timings), len(years)))
    for i, (start_year, start_quarter, recurrent) in enumerate(timings):
        k = (fy.start_of(start_year) - base) if start_year is not None else 0
        f = start_fraction(start_quarter)
        t = np.arange(len(years))
        if recurrent:
            realised = np.where(t > k, 1.0, np.where(t == k, f, 0.0))
            before = 1.0 if k < -1 else f if k == -1 else 0.0
            out[i] = realised - before
        else:
            out[i] = np.where(t == k, f, 0.0)
    out.flags.writeable = False  # shared by every caller
    return out


def effects(schemes: Sequence[Scheme], years: Sequence[str], index=None) -> np.ndarray:
    """Net saving of each scheme against do-nothing spend, shape ``(S, n)`` or ``(..., S, n)``
    [£k].

    ``index`` maps a service line to its do-nothing growth index (1 in the base year); absent,
    savings are flat cash.
    """
    phase = phases(schemes, years)
    if not schemes:
        return phase

    def g(line: str):
        return 1.0 if index is None else index[line]

    rows = [p * s.share * (s.gross * g(s.category)
                           - s.investment * g(s.investment_line or s.category))
            for s, p in zip(schemes, phase, strict=True)]
    shape = np.broadcast_shapes(*(np.shape(r) for r in rows))
    return np.stack([np.broadcast_to(r, shape) for r in rows], axis=-2)


def by_line(schemes: Sequence[Scheme], years: Sequence[str], index=None
            ) -> dict[str, np.ndarray]:
    """What the schemes of the plan, delivered, take off each service line's do-nothing spend:
    gross savings off the category, investment onto the investment line, indexed as
    :func:`effects` [£k]. Pipeline schemes are not in the plan."""
    schemes = [s for s in schemes if in_plan(s)]
    phase = phases(schemes, years)
    out: dict[str, np.ndarray] = {}
    for s, ph in zip(schemes, phase, strict=True):
        for line, amount in ((s.category, s.gross), (s.investment_line or s.category,
                                                     -s.investment)):
            if amount == 0:
                continue
            g = 1.0 if index is None else index[line]
            out[line] = out.get(line, 0.0) + ph * s.share * amount * g
    return out


def in_plan(s: Scheme) -> bool:
    """Whether a scheme is in the QIPP plan (every status but ``pipeline``)."""
    return s.status != "pipeline"


def plan_mask(schemes: Sequence[Scheme]) -> np.ndarray:
    """1 for each scheme in the QIPP plan, 0 for a pipeline scheme, shape ``(S, 1)``."""
    return np.array([float(in_plan(s)) for s in schemes]).reshape(-1, 1)


def stated_lines(o: Commissioner) -> list[str]:
    """The service lines a plan stated year by year (``expenditure.planned``) sets, in
    :data:`SERVICE_LINES` order; none without a stated plan."""
    planned = o.expenditure.planned
    if not planned:
        return []
    return sorted({line for v in planned.values() for line in v}, key=SERVICE_LINES.index)


def all_schemes(o: Commissioner) -> list[Scheme]:
    """The commissioner's QIPP schemes and, for a plan stated year by year, the plan's
    mitigation of each line as a scheme of its own (status ``expenditure.planned_status``): every
    saving whose delivery is uncertain, in the order their delivery factors take."""
    return list(o.qipp.schemes) + [
        Scheme(id=f"stated_plan_{line}", name=f"Stated plan: {line}", category=line,
               net_saving=0.0, investment=0.0, status=o.expenditure.planned_status)
        for line in stated_lines(o)]


def delivery_probabilities(qipp: Qipp, schemes: Sequence[Scheme] | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
    """The probability that each of ``schemes`` (default ``qipp.schemes``; a commissioner's
    :func:`all_schemes` for its stated plan's mitigation too), and the unidentified gap, is
    delivered [fraction].

    The one rule from status to probability: a scheme (a stated plan's mitigation included) is
    delivered with the probability of its status (``qipp.delivery_probability``; a status not
    listed is 0), the unidentified QIPP gap with that of ``unidentified``; probabilities are
    clipped to 0..1 (a normal draw may stray).

    Returns
    -------
    (ndarray, ndarray)
        Schemes, shape ``(S,)``, and the gap, shape ``()``; with a probability given per run
        as shape ``(R, 1)``, shapes ``(R, S)`` and ``(R, 1)``.
    """
    def p(status: str) -> np.ndarray:
        return np.clip(np.asarray(qipp.delivery_probability.get(status, 0.0), dtype=float),
                       0.0, 1.0)

    probs = [p(s.status) for s in (qipp.schemes if schemes is None else schemes)]
    gap = p("unidentified")
    shape = np.broadcast_shapes(*(x.shape for x in probs)) if probs else ()
    if not shape:
        return np.array(probs, dtype=float), gap
    return np.concatenate([np.broadcast_to(x, shape) for x in probs], axis=-1), gap


def register_probabilities(o) -> tuple[np.ndarray, np.ndarray]:
    """:func:`delivery_probabilities` of an organisation's register: a commissioner's QIPP
    (its stated plan's mitigation too, :func:`all_schemes`), a trust's or a council's
    efficiency register (``o.efficiency``) [fraction]."""
    if isinstance(o, Commissioner):
        return delivery_probabilities(o.qipp, all_schemes(o))
    return delivery_probabilities(o.efficiency, o.efficiency.schemes)


def targets(qipp: Qipp, required, identified) -> np.ndarray:
    """The QIPP target of each year [£k]: the requirement, except in the base year the stated
    target or, with a stated gap, the identified schemes plus that gap."""
    target = np.array(np.broadcast_to(required, np.broadcast_shapes(np.shape(required),
                                                                    np.shape(identified))),
                      dtype=float)
    if qipp.target is not None:  # may be one value per run, shape (R, 1)
        stated = np.asarray(qipp.target, dtype=float)
        target[..., 0] = stated[..., 0] if stated.ndim else stated
    elif qipp.unidentified is not None:
        gap = np.asarray(qipp.unidentified, dtype=float)
        target[..., 0] = np.asarray(identified)[..., 0] + (gap[..., 0] if gap.ndim else gap)
    return target


def summary(target, identified, risk_adjusted, headroom_rate, required, planning_rule,
            pipeline=0.0) -> dict[str, np.ndarray]:
    """The QIPP position by year [£k]; keys are the ``qipp`` measure's items.

    ``pipeline`` is the value of the costed schemes outside the plan; ``pipeline_cover`` is
    what the identified schemes and the pipeline together hold against the pipeline target
    (negative: short of the 20% headroom, 000:L2023)."""
    target = np.asarray(target)
    headroom = headroom_rate * target
    return {
        "required": np.asarray(required),
        "planning_rule": np.asarray(planning_rule),
        "target": target,
        "identified": np.asarray(identified),
        "risk_adjusted": np.asarray(risk_adjusted),
        "unidentified": np.maximum(target - np.asarray(identified), 0.0),
        "headroom_target": headroom,
        "pipeline_target": target + headroom,
        "pipeline": np.asarray(pipeline) * np.ones_like(target),
        "pipeline_cover": np.asarray(identified) + pipeline - (target + headroom),
    }


def group_sum(keys: Sequence[str], values: np.ndarray) -> dict[str, np.ndarray]:
    """Sum rows of ``values`` (schemes on the second-last axis) by ``keys`` [£k]."""
    out: dict[str, np.ndarray] = {}
    for i, key in enumerate(keys):
        out[key] = out.get(key, 0.0) + values[..., i, :]
    return out


@dataclass(frozen=True)
class SchemeSavings:
    """The QIPP schemes of one commissioner by year, indexed with their lines [£k]."""

    #: (..., S, n): net saving of each scheme against do nothing; None when the sums were made
    #: without it (:func:`run_sums`)
    effect: np.ndarray | None
    by_line: dict[str, object]  # service line -> (..., n): what the schemes take off it


def stated_plan(o: Commissioner, years: Sequence[str], spend: dict,
                savings: SchemeSavings) -> tuple[SchemeSavings, list[Scheme]]:
    """The QIPP schemes with the stated plan's mitigation of each line added as a scheme of
    its own (:func:`all_schemes`).

    Notes
    -----
    Where ``expenditure.planned`` states the plan's spend by line (a five-year plan as
    printed), the plan is those levels, and what they take off do nothing after the QIPP
    schemes is the plan's mitigation of the line::

        mitigation_l[t] = spend_l[t] - schemes on l[t] - planned_l[t]     (0 in the base year)

    negative where the plan spends more than do nothing (a shift of resources into the line).
    It is delivered with the probability of ``expenditure.planned_status``, by the one rule of
    :func:`delivery_probabilities` (and drawn, like any scheme, in the Monte Carlo).

    References
    ----------
    003:L519-532 (the Essex CCGs' five-year plans, which "mitigate" the do-nothing gap).
    """
    schemes = all_schemes(o)
    stated = stated_lines(o)
    if not stated:
        return savings, schemes
    planned = o.expenditure.planned
    rows = []
    for line in stated:
        level = np.array([np.nan] + [planned[y][line] for y in years[1:]])
        net = spend[line] - savings.by_line.get(line, 0.0)
        rows.append(np.where(np.arange(len(years)) == 0, 0.0, net - level))
    shape = np.broadcast_shapes(np.shape(savings.effect)[:-2], *(np.shape(r)[:-1] for r in rows))
    n = len(years)
    effect = np.concatenate(
        [np.broadcast_to(savings.effect, (*shape, *np.shape(savings.effect)[-2:]))]
        + [np.broadcast_to(r, (*shape, n))[..., None, :] for r in rows], axis=-2)
    by_line = dict(savings.by_line)
    for line, r in zip(stated, rows, strict=True):
        by_line[line] = by_line.get(line, 0.0) + r
    return SchemeSavings(effect, by_line), schemes


# --- many runs at once: the scheme sums as matrix products -----------------------------------


def by_terms(schemes: Sequence[Scheme]) -> bool:
    """Whether :func:`run_sums` applies: schemes whose saving, investment and share are one
    value each (no range draws them), so that only the delivery factors vary by run."""
    return bool(schemes) and all(np.ndim(v) == 0 for s in schemes
                                 for v in (s.gross, s.investment, s.share))


def line_terms(schemes: Sequence[Scheme], years: Sequence[str]
               ) -> tuple[list[str], np.ndarray]:
    """Each scheme's effect split by the line whose index it is grown with, shape
    ``(S, L, n)`` [£k at base-year prices], and the ``L`` lines: ``effect_s[t] = sum_l
    terms[s, l, t] * g_l[t]`` (:func:`effects`), gross savings on the category, investment
    (negative) on the investment line."""
    lines, terms, _ = _terms(_key(schemes), tuple(years))
    return list(lines), terms


def _key(schemes: Sequence[Scheme]) -> tuple:
    """What :func:`_terms` reads of each scheme, hashable."""
    return tuple((s.start_year, s.start_quarter, bool(s.recurrent), float(s.share),
                  float(s.gross), float(s.investment), s.category,
                  s.investment_line or s.category, in_plan(s)) for s in schemes)


@functools.lru_cache(maxsize=4096)
def _terms(schemes: tuple, years: tuple[str, ...]) -> tuple[tuple[str, ...], np.ndarray, dict]:
    """:func:`line_terms` of schemes given as tuples, and the right-hand sides of
    :func:`run_sums` (read-only: made once a simulation, not once a chunk)."""
    phase = _phases(tuple(s[:3] for s in schemes), years)
    lines = tuple(dict.fromkeys(x for s in schemes for x in s[6:8]))
    terms = np.zeros((len(schemes), len(lines), len(years)))
    for i, (*_, share, gross, investment, category, line, _plan) in enumerate(schemes):
        terms[i, lines.index(category)] += phase[i] * share * gross
        terms[i, lines.index(line)] -= phase[i] * share * investment
    flat = terms.reshape(len(schemes), -1)
    mask = np.array([float(s[8]) for s in schemes])[:, None]  # in the plan
    flags = np.array([float(not s[2]) for s in schemes])[:, None]  # non-recurrent
    made = {"mask": mask, "flat": flat, "plan": mask * flat,
            "weighted": np.concatenate([flat, mask * flat, flags * flat], axis=1),
            "constant": np.concatenate([mask, 1 - mask], axis=1).T @ flat,
            "plan_lines": tuple(x for x in lines if any(
                s[8] and x in s[6:8] for s in schemes))}
    for a in (terms, *(v for v in made.values() if isinstance(v, np.ndarray))):
        a.flags.writeable = False  # shared by every caller
    return lines, terms, made


#: (ids of the schemes, years) -> (the schemes, :func:`_terms`): a chunk of a Monte Carlo finds
#: the same (frozen) scheme objects again without reading their fields; holding the schemes
#: keeps their ids from being reused
_BY_OBJECT: dict[tuple, tuple[tuple[Scheme, ...], tuple]] = {}


def _terms_of(schemes: Sequence[Scheme], years: Sequence[str]) -> tuple:
    """:func:`_terms` of scheme objects, found by identity once made."""
    key = (tuple(map(id, schemes)), tuple(years))
    hit = _BY_OBJECT.get(key)
    if hit is None:
        if len(_BY_OBJECT) >= 4096:
            _BY_OBJECT.clear()
        hit = _BY_OBJECT[key] = (tuple(schemes), _terms(_key(schemes), tuple(years)))
    return hit[1]


def _product(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b`` in row blocks small enough that BLAS keeps each on one thread: at this size
    (a few hundred thousand multiply-adds) its threads cost more than they give, and on a
    shared machine far more (measured: 13 ms threaded, 0.4 ms blocked, 1,700 x 37 x 120).
    The rows are the same whatever the blocks. ``out``: where to write it."""
    rows = max(1, (1 << 18) // max(a.shape[1] * b.shape[1], 1))
    out = np.empty((a.shape[0], b.shape[1])) if out is None else out
    for i in range(0, a.shape[0], rows):
        np.matmul(a[i:i + rows], b, out=out[i:i + rows])
    return out


@dataclass(frozen=True)
class RunSums:
    """The scheme sums a commissioner's position needs, every run at once (:func:`run_sums`)
    [£k, shape ``(R, n)``]."""

    identified: np.ndarray  # sum over the plan's schemes of effect
    pipeline: np.ndarray  # sum over pipeline schemes of effect
    risk_adjusted: np.ndarray  # sum over the plan's schemes of p * effect
    delivered: np.ndarray  # sum over every scheme of p * effect
    slipped: np.ndarray  # sum over the plan's schemes of (1 - p) * effect
    non_recurrent: np.ndarray  # sum over non-recurrent schemes of p * effect
    by_line: dict[str, np.ndarray]  # :func:`by_line`


def run_sums(schemes: Sequence[Scheme], years: Sequence[str], index, delivery) -> RunSums:
    """The sums of :func:`effects` weighted by the delivery factors ``(R, S)``, for many runs
    at once, without making the ``(R, S, n)`` effects: with ``effect = sum_l terms_l * g_l``
    (:func:`line_terms`), a weighted sum is ``sum_l g_l * (w @ terms_l)``, one matrix product
    for every weighting and line. Equal to the element-wise sums of
    :func:`ccgmodels.models.finance.qipp` and :func:`~ccgmodels.models.finance.solutions` up
    to the order of the additions (relative 1e-15); only for :func:`by_terms` schemes."""
    lines, terms, made = _terms_of(schemes, years)
    n_s, n_l, n = terms.shape
    p = np.asarray(delivery, dtype=float)
    shape = np.broadcast_shapes((n,), *(np.shape(index[x]) for x in lines))
    g = np.stack([np.broadcast_to(np.asarray(index[x], dtype=float), shape) for x in lines],
                 axis=-2)  # (..., L, n)
    # delivered, risk-adjusted and non-recurrent, and the plan's slippage, each by line; the
    # slippage (mask * (1 - p)) @ terms as (1 - p) @ (mask * terms), mask 0 or 1; then
    # sum_l g_l * x_l, the lines in order (einsum's own loop: half the time of a product and
    # a sum over a short middle axis)
    g = np.broadcast_to(g, (len(p), n_l, n))
    y = np.einsum("rkln,rln->rkn", _product(p, made["weighted"]).reshape(len(p), 3, n_l, n), g)
    slipped = np.einsum("rln,rln->rn", _product(1 - p, made["plan"]).reshape(len(p), n_l, n),
                        g)
    c = np.einsum("kln,rln->rkn", made["constant"].reshape(2, n_l, n), g)
    plan_terms = made["constant"][0].reshape(n_l, n)
    by = {x: plan_terms[k] * g[..., k, :] for k, x in enumerate(lines)
          if x in made["plan_lines"]}
    return RunSums(identified=c[:, 0], pipeline=c[:, 1], risk_adjusted=y[:, 1],
                   delivered=y[:, 0], slipped=slipped, non_recurrent=y[:, 2], by_line=by)
