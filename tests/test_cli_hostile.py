"""The hostile corpus (``tests/hostile.py``): every case refused with exit status 2, a message
naming the file or field and the reason, no traceback, and no hang (the 2-second bound is
measured by benchmarks/hostile_corpus.py).

Each case runs in-process through :func:`ccgmodels.cli.main` under an alarm, so a case that
hangs fails here instead of blocking the suite.
"""

from __future__ import annotations

import signal

import pytest
from hostile import corpus

from ccgmodels.cli import main

#: the alarm that catches a hang [s]: a guard, not a speed target. The 2-second bound is
#: measured by benchmarks/hostile_corpus.py, which prints its figures; a timed unit test would
#: be flaky on CI's shared cores.
ALARM = 60


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang


#: the cases of work that grew faster than the input (issue 25: thousands of schemes, sources
#: or ranges, each a few seconds to build and refuse) are the slow tier's; every other kind of
#: hostile input is refused in the quick tier too
CASES = [pytest.param(c, id=c.name, marks=[pytest.mark.slow] if c.kind == "cost" else [])
         for c in corpus()]


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_is_refused_with_a_message(case, tmp_path, monkeypatch, capsys):
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")  # not a parent of the files: extends stays inside
    argv = case.make(tmp_path)
    capsys.readouterr()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(ALARM)
    try:
        code = main(argv)
    except Hang:
        pytest.fail(f"{case.name}: still running after {ALARM} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    err = capsys.readouterr().err
    assert code == 2, f"{case.name}: exit {code}, stderr:\n{err[:2000]}"
    assert "Traceback" not in err
    for text in case.expect:
        assert text in err, f"{case.name}: {text!r} not in:\n{err[:2000]}"
    assert len(err.splitlines()) <= 60, f"{case.name}: {len(err.splitlines())} lines printed"
    assert max(map(len, err.splitlines())) <= 1000, "a value printed in full"
