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

    effect: np.ndarray  # (..., S, n): net saving of each scheme against do nothing
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
