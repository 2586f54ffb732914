"""Benchmark of worker memory over a long batch (a script, not a test; issue #15).

Generates ``--reports`` what-if files (``extends: cpr_2019_20`` with their own name), runs
``ccgmodels report <all> --out DIR --workers W --force`` with the bundled report template, and
samples every pool worker twice a second: resident memory (RSS) [MB] and open file descriptors
(zmq sockets included) [count], against the number of reports finished so far. It prints, per
worker, the figures at its first sample after the first report and at its last sample, and the
growth per report [MB/report]. Issue #15 measured 31 -> 320 MB a worker over 40 reports before
the fix (kernel clients left open).

Run: ``.venv/bin/python benchmarks/bench_worker_memory.py [--reports 40] [--workers 2]``;
about 3 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import yaml


def finished(out: Path) -> int:
    return sum(1 for d in out.glob("*/manifest.json"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ccg-mem-") as tmp:
        folder, out = Path(tmp) / "scenarios", Path(tmp) / "out"
        folder.mkdir()
        for i in range(args.reports):
            (folder / f"mem_{i:02d}.yaml").write_text(yaml.safe_dump(
                {"extends": "cpr_2019_20", "name": f"mem_{i:02d}"}))
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "ccgmodels.cli", "report", str(folder),
                                 "--out", str(out), "--workers", str(args.workers), "--force"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        parent = psutil.Process(proc.pid)
        samples: dict[int, list[tuple[int, float, int]]] = {}
        while proc.poll() is None:
            done = finished(out)
            try:
                children = parent.children()
            except psutil.NoSuchProcess:
                break
            for child in children:
                try:
                    if "multiprocessing" not in " ".join(child.cmdline()):
                        continue  # the guardian
                    rss = child.memory_info().rss / 1e6
                    samples.setdefault(child.pid, []).append((done, rss, child.num_fds()))
                except psutil.NoSuchProcess:
                    continue
            time.sleep(0.5)
        stdout, _ = proc.communicate()
        seconds = time.perf_counter() - t0
        print(stdout.strip().splitlines()[-1] if stdout.strip() else "(no summary)")
        print(f"exit {proc.returncode}, {finished(out)} reports in {seconds:.0f} s")
        print("worker    reports  RSS start [MB]  RSS end [MB]  fds start  fds end  "
              "growth [MB/report]")
        for pid, rows in samples.items():
            # start: once every worker has made a report or two (its imports all loaded)
            after_first = [r for r in rows if r[0] >= 2 * args.workers] or rows
            (n0, rss0, fd0), (n1, rss1, fd1) = after_first[0], after_first[-1]
            per = (rss1 - rss0) / (n1 - n0) if n1 > n0 else 0.0
            print(f"{pid:<9} {n0:>3}-{n1:<4} {rss0:>14.0f} {rss1:>13.0f} {fd0:>10} {fd1:>8} "
                  f"{per:>19.2f}")
    return 0 if proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
