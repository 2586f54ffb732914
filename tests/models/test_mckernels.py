"""The Monte Carlo's inner loops (ccgmodels.models.kernels) and its worker processes
(ccgmodels.models.pool): both kernel paths, numpy's and numba's, give numpy's own results to the
last bit, and so does a simulation spread over processes; no worker outlives the call."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import pytest

from ccgmodels.inputs.loading import load_scenario
from ccgmodels.models import kernels, pool
from ccgmodels.models import uncertainty as u
from ccgmodels.models.seeds import BLOCK

PATHS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(
    not kernels.available(), reason="numba not installed (the fast extra)"))]


@pytest.fixture(params=PATHS)
def path(request):
    before = kernels.use(request.param)
    yield request.param
    kernels.use(before)


def test_running_product_and_sum_are_numpys_to_the_bit():
    rng = np.random.default_rng(3)
    for shape in [(5,), (1, 5), (1000, 5), (7, 3, 6), (4, 1)]:
        a = 1 + rng.normal(0, 0.05, shape)
        np.testing.assert_array_equal(kernels.running_product(a), np.cumprod(a, axis=-1))
        np.testing.assert_array_equal(kernels.running_sum(a * 1e4), np.cumsum(a * 1e4, -1))
    a = np.ones((3, 4))
    kernels.running_product(a)
    assert (a == 1).all()  # a new array: the input is left as it was


def test_reduce_runs_is_the_sum_and_counts_over_runs(path):
    rng = np.random.default_rng(4)
    x = rng.normal(0, 1000, (5000, 5))
    x[::97] = -0.5  # on the tolerance itself: counted
    control = rng.normal(0, 500, (5000, 5))
    total, ge, meets = kernels.reduce_runs(x, -0.5, control)
    np.testing.assert_array_equal(total, x.sum(axis=0))
    np.testing.assert_array_equal(ge, (x >= -0.5).sum(axis=0))
    np.testing.assert_array_equal(meets, (x >= control - 0.5).sum(axis=0))
    total, ge, meets = kernels.reduce_runs(x[:, :3])  # no floor: the sum alone
    np.testing.assert_array_equal(total, x[:, :3].sum(axis=0))
    assert ge is None and meets is None
    # a transposed layout is summed run by run too: the result never depends on the layout
    f = np.asfortranarray(x)
    np.testing.assert_array_equal(kernels.reduce_runs(f[1:], -0.5)[0], x[1:].sum(axis=0))
    # a strided view (every other run) gives the same as its copy
    view = kernels.reduce_runs(x[::2], -0.5, control[::2])
    np.testing.assert_array_equal(view[0], x[::2].sum(axis=0))
    np.testing.assert_array_equal(view[2], (x[::2] >= control[::2] - 0.5).sum(axis=0))


def test_unknown_kernel_path_is_refused():
    with pytest.raises(ValueError, match="'auto', 'numba' or 'numpy'"):
        kernels.use("fortran")


@pytest.mark.skipif(not kernels.available(), reason="numba not installed (the fast extra)")
def test_simulation_is_the_same_on_both_kernel_paths():
    def run(p):
        before = kernels.use(p)
        try:
            return u.simulate("footprint_2019_20", 1500, seed=8, chunk_size=400)
        finally:
            kernels.use(before)
    a, b = run("numpy"), run("numba")
    assert a.exact.keys() == b.exact.keys()
    for key, stats in a.exact.items():
        for stat, v in stats.items():
            np.testing.assert_array_equal(v, b.exact[key][stat], err_msg=f"{key} {stat}")


def children() -> set[int]:
    """This process's live child processes (from /proc), but multiprocessing's own helper
    (its resource tracker, started once a process and kept: not a worker)."""
    out = set()
    for pid in _children_of(os.getpid()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"resource_tracker" in f.read():
                    continue
        except OSError:
            continue
        out.add(pid)
    return out


@pytest.mark.slow  # worker processes
def test_workers_give_identical_numbers_and_leave_no_process():
    s = load_scenario("footprint_2019_20")
    before = children()
    one = u.simulate(s, 2 * BLOCK + 300, seed=12, chunk_size=500)
    two = u.simulate(s, 2 * BLOCK + 300, seed=12, chunk_size=500, workers=2)
    assert children() <= before and not multiprocessing.active_children()
    assert one.kept_runs == two.kept_runs == 2 * BLOCK + 300
    for key, v in one.values.items():
        np.testing.assert_array_equal(v, two.values[key], err_msg=key)
    for key, stats in one.exact.items():
        for stat, v in stats.items():
            np.testing.assert_array_equal(v, two.exact[key][stat], err_msg=f"{key} {stat}")
    for k, v in one.draws.items():
        np.testing.assert_array_equal(v, two.draws[k])


@pytest.mark.slow  # worker processes
def test_workers_make_the_chunks_one_process_makes():
    # chunks sized by the memory budget (about 700 runs here) are the same on workers, so
    # the sums, added chunk by chunk, are the same to the bit
    s = load_scenario("footprint_2019_20")
    budget = u.bytes_per_run(s) * 700
    one = u.simulate(s, 3000, seed=13, chunk_budget=budget)
    two = u.simulate(s, 3000, seed=13, chunk_budget=budget, workers=2)
    for key, stats in one.exact.items():
        for stat, v in stats.items():
            np.testing.assert_array_equal(v, two.exact[key][stat], err_msg=f"{key} {stat}")


def _task(fail_at, a, b):
    if a == fail_at:
        raise ValueError(f"chunk {a}..{b - 1} refused")
    if a == -fail_at:
        os._exit(3)  # a worker that dies (killed, out of memory)
    return a, b


@pytest.mark.slow  # worker processes
def test_pool_gives_chunks_in_order():
    bounds = [(a, a + 10) for a in range(0, 200, 10)]
    assert list(pool.ordered_map(_task, (999,), bounds, 2)) == bounds


@pytest.mark.slow  # worker processes
def test_a_chunk_that_raises_stops_the_pool_with_its_error():
    bounds = [(a, a + 10) for a in range(0, 200, 10)]
    before = children()
    got = []
    with pytest.raises(ValueError, match="chunk 50..59 refused"):
        for r in pool.ordered_map(_task, (50,), bounds, 2):
            got.append(r)
    assert got == bounds[:5]  # every chunk before it given out, in order
    assert children() <= before


@pytest.mark.slow  # worker processes
def test_a_worker_that_dies_is_named():
    bounds = [(a, a + 10) for a in range(0, 100, 10)]
    with pytest.raises(RuntimeError,
                       match=r"ended while evaluating runs \d+\.\.\d+: killed, out of memory"):
        list(pool.ordered_map(_task, (-30,), bounds, 2))
    assert not multiprocessing.active_children()


def test_delivery_bits_follow_the_seed_rule():
    # the bits are the uniforms of the seed rule (uniforms) compared with each scheme's
    # probability, programme-wide slippage included, whatever the chunk
    s = load_scenario("footprint_2019_20", {"delivery_correlation": 0.4})
    spec = u.spec_of(s)
    prep = u.prepare(s, spec)
    start, stop = BLOCK - 37, 2 * BLOCK + 5
    drawn, bits = u.delivery_bits(spec, 6, start, stop, prep.probabilities, s)
    uni, _ = u.uniforms(spec, 6, start, stop)
    k = len(spec.paths)
    p = np.concatenate([np.append(*prep.probabilities[o]) for o, _ in
                        (*spec.schemes, *spec.registers)])
    own = np.where(uni[:, -1:] < 0.4, uni[:, -2:-1], uni[:, k:-2])
    np.testing.assert_array_equal(bits, own < p)
    assert bits.dtype == bool and bits.any() and not bits.all()
    for key, v in u.draws(spec, 6, start, stop).items():
        np.testing.assert_array_equal(drawn[key], v)


@pytest.mark.slow  # a process killed
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc (Linux)")
def test_workers_die_with_a_killed_command():
    import signal
    import subprocess
    import sys
    import time

    code = ("from ccgmodels.models import uncertainty as u\n"
            "u.simulate('footprint_2019_20', 2_000_000, seed=1, workers=2)\n")
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:  # the pool started
            workers = _children_of(proc.pid)
            time.sleep(0.1)
        assert len(workers) == 2, "the pool never started"
    finally:
        proc.send_signal(signal.SIGKILL)  # no moment to end its workers
        proc.wait()
    deadline = time.monotonic() + 30
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(workers), "a worker outlived the killed command"


def _children_of(pid: int) -> set[int]:
    out = set()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(entry))
    return out


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.add(p)
        except OSError:
            continue
    return alive
