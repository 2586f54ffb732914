"""The batch kernel's start on a busy machine: a kernel that dies or does not answer at start is
replaced, a bounded number of times, and the failure says why (no kernel is started here: the
kernel manager is a stand-in; real kernels are exercised by test_reports.py and test_faults.py)."""

from __future__ import annotations

import pytest

from ccgmodels.batch import kernels


class FakeKernel:
    def __init__(self, n: int):
        self.n = n


@pytest.fixture
def starts(monkeypatch):
    """Kernels started and discarded, with ``_prepare`` failing for the first ``fail[0]``."""
    made, discarded, fail = [], [], [0]

    def kernel():
        made.append(FakeKernel(len(made) + 1))
        return made[-1]

    def prepare(km, folder, timeout=kernels.READY_TIMEOUT):
        if km.n <= fail[0]:
            raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(kernels, "_kernel", kernel)
    monkeypatch.setattr(kernels, "_prepare", prepare)
    monkeypatch.setattr(kernels, "_discard_kernel", lambda: discarded.append(made[-1].n))
    return made, discarded, fail


def test_a_kernel_that_dies_at_start_is_replaced(starts, tmp_path):
    made, discarded, fail = starts
    fail[0] = kernels.START_ATTEMPTS - 1
    km = kernels.ready_kernel(tmp_path)
    assert km is made[-1] and km.n == kernels.START_ATTEMPTS
    assert discarded == list(range(1, kernels.START_ATTEMPTS))


def test_a_kernel_that_never_answers_fails_after_the_attempts(starts, tmp_path):
    made, discarded, fail = starts
    fail[0] = kernels.START_ATTEMPTS
    with pytest.raises(RuntimeError, match="Kernel died before replying"):
        kernels.ready_kernel(tmp_path)
    assert len(made) == kernels.START_ATTEMPTS
    assert discarded == list(range(1, kernels.START_ATTEMPTS + 1))


def test_a_healthy_kernel_is_used_first_time(starts, tmp_path):
    made, discarded, _ = starts
    assert kernels.ready_kernel(tmp_path) is made[0]
    assert discarded == []
