"""Scheme savings (QIPP): phasing, delivery risk, and the target, gap and headroom.

Savings are positive numbers that reduce expenditure [£k]. Arrays: schemes on the first axis,
years on the last; year index ``t = 0`` is the base year.

Notes
-----
A scheme with net full-year saving ``S`` starting in quarter ``q`` of year ``y0``::

    effect[y0]      = S * (5 - q) / 4      part-year effect in the start year
    effect[y > y0]  = S if recurrent else 0 full-year effect carried into later years
    qipp[y]         = effect[y] - effect[y-1]  (recurrent)  or  effect[y]  (non-recurrent)

``effect`` is the saving against do-nothing spend in each year; ``qipp`` is what the scheme
counts towards that year's QIPP programme (the start year's part-year effect, then the
remaining full-year effect the next year, as the plan's "FYE of 18/19 schemes", 000:L2041).

QIPP in year *t* (000:L2019-2068)::

    target          = stated target (base year) or rate * allocation    (3%, 000:L2021)
    identified      = sum of scheme qipp[t]
    unidentified    = target - identified                                (the planning gap)
    risk_adjusted   = sum of p(status) * scheme qipp[t]
    headroom_target = headroom_rate * target                             (20%, 000:L2023)
    pipeline_target = target + headroom_target

Castle Point & Rochford 2019/20: target 8,264; identified 7,858; gap 406; headroom 1,653 (£k).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..inputs.scenario import Qipp, Scheme


def start_fraction(quarter: int) -> float:
    """Share of a full year's saving realised when a scheme starts in ``quarter`` [fraction]."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1 to 4, not {quarter!r}")
    return (5 - quarter) / 4


def effects(schemes: Sequence[Scheme], years: Sequence[str]) -> np.ndarray:
    """Saving of each scheme against do-nothing spend in each year, shape ``(S, n)`` [£k]."""
    out = np.zeros((len(schemes), len(years)))
    for i, s in enumerate(schemes):
        start = years.index(s.start_year) if s.start_year is not None else 0
        out[i, start] = s.net * start_fraction(s.start_quarter)
        if s.recurrent:
            out[i, start + 1:] = s.net
    return out


def qipp_contributions(schemes: Sequence[Scheme], effect: np.ndarray) -> np.ndarray:
    """What each scheme counts towards each year's QIPP programme, shape ``(S, n)`` [£k]."""
    recurrent = np.array([s.recurrent for s in schemes], dtype=bool)
    if effect.size == 0:
        return effect.copy()
    previous = np.concatenate([np.zeros((effect.shape[0], 1)), effect[:, :-1]], axis=1)
    return np.where(recurrent[:, None], effect - previous, effect)


def delivery_probabilities(qipp: Qipp) -> tuple[np.ndarray, np.ndarray]:
    """The probability that each scheme, and the unidentified gap, is delivered [fraction].

    The one rule from status to probability: a scheme is delivered with the probability of its
    status (``qipp.delivery_probability``; a status not listed is 0), the unidentified QIPP gap
    with that of ``unidentified``; probabilities are clipped to 0..1 (a normal draw may stray).

    Returns
    -------
    (ndarray, ndarray)
        Schemes, shape ``(S,)``, and the gap, shape ``()``; with a probability given per run
        as shape ``(R, 1)``, shapes ``(R, S)`` and ``(R, 1)``.
    """
    def p(status: str) -> np.ndarray:
        return np.clip(np.asarray(qipp.delivery_probability.get(status, 0.0), dtype=float),
                       0.0, 1.0)

    probs = [p(s.status) for s in qipp.schemes]
    gap = p("unidentified")
    shape = np.broadcast_shapes(*(x.shape for x in probs)) if probs else ()
    if not shape:
        return np.array(probs, dtype=float), gap
    return np.concatenate([np.broadcast_to(x, shape) for x in probs], axis=-1), gap


def targets(qipp: Qipp, allocation_total) -> np.ndarray:
    """Gross QIPP target in each year [£k]: the stated base-year target, else rate x allocation.

    Parameters
    ----------
    allocation_total : array
        Total allocation by year, year axis last [£k].
    """
    target = qipp.rate * np.asarray(allocation_total, dtype=float)
    if qipp.target is not None:  # may be one value per run, shape (R, 1)
        stated = np.asarray(qipp.target, dtype=float)
        target = np.array(np.broadcast_to(target, np.broadcast_shapes(target.shape,
                                                                      stated.shape)))
        target[..., 0] = stated[..., 0] if stated.ndim else stated
    return target


def summary(target, identified, risk_adjusted, headroom_rate) -> dict[str, np.ndarray]:
    """The QIPP position by year [£k]; keys are the ``qipp`` measure's items."""
    headroom = headroom_rate * np.asarray(target)
    return {
        "target": np.asarray(target),
        "identified": np.asarray(identified),
        "risk_adjusted": np.asarray(risk_adjusted),
        "unidentified": np.asarray(target) - np.asarray(identified),
        "headroom_target": headroom,
        "pipeline_target": np.asarray(target) + headroom,
    }


def group_sum(keys: Sequence[str], values: np.ndarray) -> dict[str, np.ndarray]:
    """Sum rows of ``values`` (schemes first axis) by ``keys`` (category or status) [£k]."""
    out: dict[str, np.ndarray] = {}
    for key, row in zip(keys, values, strict=True):
        out[key] = out.get(key, 0.0) + row
    return out
