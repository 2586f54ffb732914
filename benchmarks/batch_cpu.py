"""The CPU a batch of reports costs, every process it starts included (a script, not a test).

Runs ``ccgmodels report SCENARIO... --out OUT --workers 2 --force`` with the checkout in ROOT
and prints its wall time and the CPU seconds (user and system) of the command, its workers,
kernels, Chromium and its helpers: this process makes itself their subreaper
(``PR_SET_CHILD_SUBREAPER``, Linux), so the browser processes orphaned when a kept browser's
group is killed are reaped, and counted, here. Unlike wall time, the CPU is hardly moved by
other work on a shared machine.

Run: ``.venv/bin/python benchmarks/batch_cpu.py ROOT OUT SCENARIO...`` (OUT is replaced).
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> None:
    if len(argv) < 3:
        sys.exit(__doc__)
    root, out, scenarios = argv[0], argv[1], argv[2:]
    ctypes.CDLL("libc.so.6").prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ccgmodels", "report", *scenarios, "--out",
                           out, "--workers", "2", "--force"], cwd=root, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": root})
    wall = time.perf_counter() - t
    end = time.monotonic() + 10  # the orphans: a kept browser's profile removal ends in 2 s
    while time.monotonic() < end:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                time.sleep(0.1)
        except ChildProcessError:
            break
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{root}: exit {proc.returncode}, wall {wall:.1f} s, CPU {r.ru_utime + r.ru_stime:.1f}"
          f" s (user {r.ru_utime:.1f}, system {r.ru_stime:.1f}); load average {load}")


if __name__ == "__main__":
    main(sys.argv[1:])
