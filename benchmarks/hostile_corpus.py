"""Count how the ``ccgmodels`` command meets the hostile corpus (a script, not a test; issue #15).

Builds every case of ``tests/hostile.py`` in a fresh folder and runs it as a user would, one
``python -m ccgmodels.cli`` process per case (cwd an empty folder, ``--timeout`` seconds at
most), then counts:

tried              cases run
clean              exit 2, the expected words in the message, no traceback, under 2 s
slow               as clean, but 2 s or more
hang               still running after the timeout (killed)
traceback          a Python traceback printed
wrongly accepted   exit 0: the input was taken
other              any other outcome (exit 1, or exit 2 without the expected words)

Run: ``.venv/bin/python benchmarks/hostile_corpus.py [--code DIR] [--timeout 20] [--kind K] [-v]``;
``--code`` puts another checkout's package first on ``PYTHONPATH`` (e.g. the code before the
fix, from ``git archive``) to count the same corpus against it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile import corpus  # noqa: E402

LIMIT = 2.0  # [s]


def classify(code: int | None, err: str, seconds: float, expect: tuple[str, ...]) -> str:
    if code is None:
        return "hang"
    if "Traceback" in err:
        return "traceback"
    if code == 0:
        return "wrongly accepted"
    if code == 2 and all(e in err for e in expect):
        return "clean" if seconds < LIMIT else "slow"
    return "other"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", default=str(ROOT), help="checkout whose package is run")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds before a hang [s]")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case")
    ap.add_argument("--kind", action="append", default=[],
                    help="only the cases of this kind (repeatable), e.g. 'workbook sheet'")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(Path(args.code).resolve())}
    counts: Counter = Counter()
    worst = 0.0
    for case in corpus():
        if args.kind and case.kind not in args.kind:
            continue
        with tempfile.TemporaryDirectory(prefix="ccg-hostile-") as tmp:
            folder = Path(tmp)
            (folder / "cwd").mkdir()
            argv = case.make(folder)
            t0 = time.perf_counter()
            try:
                r = subprocess.run([sys.executable, "-m", "ccgmodels.cli", *argv],
                                   cwd=folder / "cwd", env=env, capture_output=True,
                                   timeout=args.timeout, errors="backslashreplace")
                code, err = r.returncode, r.stderr
            except subprocess.TimeoutExpired:
                code, err = None, ""
            seconds = time.perf_counter() - t0
        outcome = classify(code, err, seconds, case.expect)
        counts[outcome] += 1
        worst = max(worst, seconds) if code is not None else worst
        if args.verbose or outcome != "clean":
            print(f"{outcome:17} {seconds:6.2f} s  {case.kind:9} {case.name}"
                  + (f"  [exit {code}] {err.strip().splitlines()[-1][:100]}"
                     if err.strip() and outcome != "clean" else ""))
    total = sum(counts.values())
    print(f"tried {total}, clean {counts['clean']}, slow {counts['slow']}, hang "
          f"{counts['hang']}, traceback {counts['traceback']}, wrongly accepted "
          f"{counts['wrongly accepted']}, other {counts['other']}; slowest finished case "
          f"{worst:.2f} s (process start included)")
    return 0 if counts["clean"] == total else 1


if __name__ == "__main__":
    sys.exit(main())
