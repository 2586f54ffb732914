"""The batch's comparison made ahead (reports.Ahead): one at a time, the newest records only,
a failure left to the comparison at the end, nothing running after ``wait``."""

from __future__ import annotations

import threading

from ccgmodels.batch.reports import Ahead, record_made


def test_records_arriving_while_one_compares_are_compared_once_newest_first():
    seen, entered, release = [], threading.Event(), threading.Event()

    def compare(records):
        seen.append(records)
        entered.set()
        release.wait(10)  # the comparison is under way while records arrive

    ahead = Ahead(compare)
    ahead.start([1])
    assert entered.wait(10)
    for n in (2, 3, 4):
        ahead.start([n])
    release.set()
    while ahead._thread is not None and len(seen) < 2:
        threading.Event().wait(0.01)
    ahead.wait()
    assert seen == [[1], [4]]  # 2 and 3 were superseded before their turn
    assert ahead._thread is None


def test_wait_drops_what_has_not_started_and_a_failure_is_left_to_the_end():
    calls, entered = [], threading.Event()

    def compare(records):
        calls.append(records)
        entered.set()
        raise ValueError("an unreadable report")

    ahead = Ahead(compare)
    ahead.start([1])
    assert entered.wait(10)
    ahead.wait()  # returns: the failure is not raised here
    assert calls == [[1]] and ahead._thread is None
    ahead.start([2])
    ahead.wait()  # the end of the batch: [2] is compared there if not already
    assert calls in ([[1]], [[1], [2]]) and ahead._thread is None


def test_only_made_reports_are_worth_comparing():
    assert not record_made([{"status": "pending"}, {"status": "failed"}])
    assert record_made([{"status": "pending"}, {"status": "unchanged"}])
