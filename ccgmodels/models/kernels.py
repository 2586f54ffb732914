"""The Monte Carlo's inner loops, written once: running products and sums along the year axis,
and sums and counts over the runs.

Every array here is ``(R, n)``: runs first, the few years last (C order). numpy's own
``cumprod``/``cumsum`` along the last axis and ``sum(axis=0)`` walk such an array row by row,
a handful of elements at a time, and cost 4 to 7 times what the same arithmetic costs taken a
year (a column) at a time (measured at ``R = 10,000``, ``n = 5``); these functions do the
same additions and multiplications in the same order, so their results are equal to numpy's
to the last bit (tested), only faster.

Two paths behind one API: numpy's (always there), and numba's compiled loop, one pass over
the runs for a kept measure's sum and its break-even counts (:func:`reduce_runs`), where numpy
makes three. :data:`PATH` says which: ``"auto"`` (the default, or ``CCGMODELS_KERNEL``) takes
numba's for chunks of at least :data:`MIN_RUNS` runs when numba is installed (the ``fast``
extra), where its start (an import and a compiled function read from numba's cache, about a
second the first time) is paid back; ``"numba"`` or ``"numpy"`` forces one (:func:`use`; the
tests run both).
"""

from __future__ import annotations

import os

import numpy as np

#: the kernels in use: "auto", "numba" or "numpy"
PATH = os.environ.get("CCGMODELS_KERNEL", "auto")
#: the fewest runs a chunk has for "auto" to take numba's path [count]
MIN_RUNS = 4096
_numba = None  # the compiled functions, once made


def _running(step: np.ufunc, whole, a) -> np.ndarray:
    """``whole(a, axis=-1)`` (numpy's ``cumprod`` or ``cumsum``) along the last (year) axis,
    taken a year at a time with ``step``: the same operations in the same order; a new
    array."""
    out = np.array(a, dtype=float)
    if out.ndim < 2:
        return whole(out, axis=-1)
    for t in range(1, out.shape[-1]):
        step(out[..., t - 1], out[..., t], out=out[..., t])
    return out


def running_product(a) -> np.ndarray:
    """``cumprod`` along the last (year) axis, equal to ``np.cumprod(a, axis=-1)`` [unit of
    the factors]; a new array."""
    return _running(np.multiply, np.cumprod, a)


def running_sum(a) -> np.ndarray:
    """``cumsum`` along the last (year) axis, equal to ``np.cumsum(a, axis=-1)`` [unit of
    ``a``]; a new array."""
    return _running(np.add, np.cumsum, a)


def sum_runs(x: np.ndarray) -> np.ndarray:
    """Sum over the runs (axis 0) of ``(R, n)``, added run by run (numpy's ``sum(axis=0)`` of
    a C-ordered array, to the bit, as ``einsum`` does in a quarter of the time); an array of
    another layout (a transposed one) is taken in C order first, so that the result never
    depends on how an array was laid out [unit of ``x``]."""
    if x.ndim != 2:
        return x.sum(axis=0)
    return np.einsum("ij->j", np.ascontiguousarray(x))


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
    compiled = PATH == "numba" or (PATH == "auto" and len(x) >= MIN_RUNS and _ready())
    if compiled and x.ndim == 2:
        x = np.ascontiguousarray(x)  # run by run, whatever the layout (sum_runs)
        c = None if control is None else np.ascontiguousarray(control)
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


_AVAILABLE: bool | None = None


def _ready() -> bool:
    """Whether numba's path can be taken (compiled on the first call that can)."""
    global _AVAILABLE, _numba
    if _AVAILABLE is None:
        _AVAILABLE = available()
    if _AVAILABLE and _numba is None:
        _numba = _compile()
    return _AVAILABLE


def use(path: str) -> str:
    """Switch the kernels to ``"auto"``, ``"numba"`` or ``"numpy"``; returns the previous
    path. Raises ImportError for numba when it is not installed (``pip install
    'ccgmodels[fast]'``)."""
    global PATH
    if path not in ("auto", "numba", "numpy"):
        raise ValueError(f"kernel path must be 'auto', 'numba' or 'numpy', not {path!r}")
    if path == "numba" and not _ready():
        raise ImportError("the numba kernels need numba: pip install 'ccgmodels[fast]'")
    before, PATH = PATH, path
    return before

