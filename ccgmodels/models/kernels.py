"""The Monte Carlo's inner loops, written once: running products and sums along the year axis,
and sums and counts over the runs.

Every array here is ``(R, n)``: runs first, the few years last (C order). numpy's own
``cumprod``/``cumsum`` along the last axis and ``sum(axis=0)`` walk such an array row by row,
a handful of elements at a time, and cost 4 to 7 times what the same arithmetic costs taken a
year (a column) at a time (measured at ``R = 10,000``, ``n = 5``); these functions do the
same additions and multiplications in the same order, so their results are equal to numpy's
to the last bit (tested), only faster.

Two paths behind one API: numpy's (always there), and numba's compiled loops when numba is
installed (the ``fast`` extra) and ``CCGMODELS_KERNEL`` is not ``numpy``. :func:`use` switches
them (the tests run both); :data:`PATH` says which is in use. A compiled loop pays only where
one pass over the runs replaces several: the reduction of a kept measure to its sum and its
break-even counts (:func:`reduce_runs`).
"""

from __future__ import annotations

import os

import numpy as np

#: the kernels in use: "numba" or "numpy" (None until first needed: then numba's when it is
#: installed and ``CCGMODELS_KERNEL`` is not "numpy", so importing this costs nothing)
PATH: str | None = None
_numba = None  # the compiled functions, once made


def running_product(a) -> np.ndarray:
    """``cumprod`` along the last (year) axis, equal to ``np.cumprod(a, axis=-1)`` [unit of
    the factors]; a new array."""
    out = np.array(a, dtype=float)
    if out.ndim < 2:
        return np.cumprod(out, axis=-1)
    for t in range(1, out.shape[-1]):
        np.multiply(out[..., t - 1], out[..., t], out=out[..., t])
    return out


def running_sum(a) -> np.ndarray:
    """``cumsum`` along the last (year) axis, equal to ``np.cumsum(a, axis=-1)`` [unit of
    ``a``]; a new array."""
    out = np.array(a, dtype=float)
    if out.ndim < 2:
        return np.cumsum(out, axis=-1)
    for t in range(1, out.shape[-1]):
        np.add(out[..., t - 1], out[..., t], out=out[..., t])
    return out


def sum_runs(x: np.ndarray) -> np.ndarray:
    """Sum over the runs (axis 0) of ``(R, n)``, added run by run as ``x.sum(axis=0)`` does
    [unit of ``x``]."""
    return np.einsum("ij->j", x) if x.ndim == 2 else x.sum(axis=0)


def count_runs(mask: np.ndarray) -> np.ndarray:
    """How many runs (axis 0) of a boolean ``(R, n)`` are true, by year [count, as float]."""
    if mask.ndim != 2:
        return mask.sum(axis=0) * 1.0
    return np.ones(mask.shape[0]) @ mask  # exact: counts far below 2**53


def _reduce_numpy(x: np.ndarray, floor: float, control: np.ndarray | None
                  ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    total = sum_runs(x)
    if np.isnan(floor):
        return total, None, None
    ge = count_runs(x >= floor)
    meets = None if control is None else count_runs(x >= control + floor)
    return total, ge, meets


def reduce_runs(x: np.ndarray, floor: float = np.nan, control: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """One kept measure's runs ``(R, n)`` reduced: their sum by year, and, when ``floor`` is
    given, how many runs are at least ``floor`` (break-even within its tolerance) and, when
    ``control`` ``(R, n)`` is given, how many are at least ``control + floor`` [unit of
    ``x``; counts as float]."""
    if PATH is None:
        use("numba" if os.environ.get("CCGMODELS_KERNEL", "") != "numpy" and available()
            else "numpy")
    if PATH == "numba" and x.ndim == 2 and x.flags.c_contiguous:
        c = control if control is None or control.flags.c_contiguous else \
            np.ascontiguousarray(control)
        total, ge, meets = _numba["reduce"](x, floor, c if c is not None else x,
                                            c is not None)
        return total, (None if np.isnan(floor) else ge), (None if c is None else meets)
    return _reduce_numpy(x, floor, control)


def _compile() -> dict:
    """numba's versions (compiled at first call, cached on disk)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def reduce(x, floor, control, with_control):  # pragma: no cover (compiled)
        r, n = x.shape
        total = np.zeros(n)
        ge = np.zeros(n)
        meets = np.zeros(n)
        counting = not np.isnan(floor)
        for i in range(r):  # run by run: the order of numpy's sum over axis 0
            for j in range(n):
                v = x[i, j]
                total[j] += v
                if counting:
                    if v >= floor:
                        ge[j] += 1.0
                    if with_control and v >= control[i, j] + floor:
                        meets[j] += 1.0
        return total, ge, meets

    return {"reduce": reduce}


def available() -> bool:
    """Whether numba can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def use(path: str) -> str:
    """Switch the kernels to ``"numba"`` or ``"numpy"``; returns the previous path. Raises
    ImportError for numba when it is not installed (``pip install ccgmodels[fast]``)."""
    global PATH, _numba
    if path not in ("numba", "numpy"):
        raise ValueError(f"kernel path must be 'numba' or 'numpy', not {path!r}")
    before = PATH
    if path == "numba" and _numba is None:
        if not available():
            raise ImportError("the numba kernels need numba: pip install 'ccgmodels[fast]'")
        _numba = _compile()
    PATH = path
    return before or "numpy"

