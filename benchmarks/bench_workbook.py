"""Benchmark of the assumptions workbook's export at national scale (a script, not a test):
``ccgmodels workbook export`` of synthetic scenarios of 25, 100, 200 and 500 commissioners
(:func:`ccgmodels.inputs.synthetic.national`, with their trusts and councils), each case in its
own process, to show that the time grows linearly with the organisations.

Each scenario carries a source for every organisation's figures, as the bundled scenarios do:
the template's sources for the organisation it copies (Castle Point & Rochford CCG, SUHFT,
Essex County Council), renamed; their text is the documents' and says so. 500 commissioners is
beyond the scenario limits (:mod:`ccgmodels.inputs.limits`: the resolved form of about 300 is
the most they admit), so that case is validated by the typed models alone: a workbook that
size is written, not one the limits would let ``workbook import`` read back.

It prints, per case, the export's wall and CPU time [s], CPU time per organisation [ms], peak
memory [MiB], the workbook's size [MB] and its validation ranges, then the slope: the least
squares fit of CPU time against organisations [ms per organisation] and the exponent of the
largest case against the smallest (CPU time ~ organisations ** k: 1 is linear, 2 quadratic).
The load average is printed before and after; CPU time is the figure to compare on a shared
machine, wall time the one a user waits.

Run: ``.venv/bin/python benchmarks/bench_workbook.py [--sizes 25,100,200,500]
[--against ../other-checkout]`` from the repository root; ``--against`` also runs every case
with another checkout's ``ccgmodels`` (e.g. main), in the same run, case by case alternating.
The default run takes about a minute on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (25, 100, 200, 500)
#: the organisation of the template each synthetic kind is a copy of
COPIED = {"ccg": "cpr_ccg", "provider": "suhft", "social_care": "essex_cc"}


def with_sources(data: dict) -> dict:
    """``data`` (a :func:`~ccgmodels.inputs.synthetic.national` scenario) with the template's
    sources: its scenario-wide ones, and for each organisation those of the organisation it
    copies, under its own id."""
    from ccgmodels.inputs.loading import read_yaml, resolve
    from ccgmodels.inputs.synthetic import TEMPLATE

    _, path = resolve(TEMPLATE)
    template, problems = read_yaml(path)
    if template is None:
        raise ValueError(f"cannot read the template {TEMPLATE}: {problems}")
    sources = template.get("sources") or {}
    out = {k: v for k, v in sources.items() if not k.startswith("organisations.")}
    for o in data["organisations"]:
        prefix = f"organisations.{COPIED[o['kind']]}."
        out.update({f"organisations.{o['id']}.{k[len(prefix):]}": v
                    for k, v in sources.items() if k.startswith(prefix)})
    return {**data, "sources": out}


def scenario(n: int):
    """The typed scenario of ``n`` synthetic commissioners with sources, and how it was
    validated: ``"limits"`` (as ``ccgmodels`` would) or ``"typed models only"`` (beyond the
    size limits)."""
    from ccgmodels.inputs.loading import validate_data
    from ccgmodels.inputs.scenario import Scenario
    from ccgmodels.inputs.synthetic import national

    data = with_sources(national(n))
    s, problems = validate_data(data, f"national_{n}")
    if s is not None:
        return s, "limits"
    if not all("more than" in p.message for p in problems):
        raise ValueError(f"national({n}) does not validate: {problems[:3]}")
    return Scenario.model_validate(data), "typed models only"


CASE = r"""
import json, os, resource, sys, time, zipfile
sys.path.insert(0, sys.argv[3])
import bench_workbook as b
from ccgmodels.inputs.book.writer import export_book
n, out = int(sys.argv[1]), sys.argv[2]
s, how = b.scenario(n)
t, c = time.perf_counter(), time.process_time()
export_book(s, out)
wall, cpu = time.perf_counter() - t, time.process_time() - c
with zipfile.ZipFile(out) as z:
    xml = b"".join(z.read(i) for i in z.namelist() if i.startswith("xl/worksheets/sheet"))
ranges = sum(len(part.split(b'"', 1)[0].split()) for part in xml.split(b' sqref="')[1:])
print(json.dumps({"n": n, "orgs": len(s.organisations), "sources": len(s.sources or {}),
                  "how": how, "wall_s": wall, "cpu_s": cpu, "bytes": os.path.getsize(out),
                  "ranges": ranges, "code": os.path.dirname(sys.modules["ccgmodels"].__file__),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def case(n: int, code: Path, out: Path) -> dict:
    """Export ``national(n)`` with ``code``'s ``ccgmodels`` (a checkout) in a new process."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    r = subprocess.run([sys.executable, "-c", CASE, str(n), str(out), str(ROOT / "benchmarks")],
                       capture_output=True, text=True, env=env, cwd=code)
    if r.returncode:
        sys.exit(f"bench_workbook: national({n}) with {code} failed:\n{r.stderr[-3000:]}")
    result = json.loads(r.stdout.strip().splitlines()[-1])
    if Path(result["code"]).resolve() != (code / "ccgmodels").resolve():
        sys.exit(f"bench_workbook: ran {result['code']}, not {code}")
    return result


def slope(rows: list[dict]) -> tuple[float, float]:
    """The least squares fit of CPU time on organisations [ms per organisation], and the
    exponent k of CPU time ~ organisations ** k from the smallest case to the largest."""
    xs, ys = [r["orgs"] for r in rows], [r["cpu_s"] for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    fit = (sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
           / sum((x - mx) ** 2 for x in xs))
    k = math.log(ys[-1] / ys[0]) / math.log(xs[-1] / xs[0])
    return fit * 1000, k


def table(name: str, rows: list[dict]) -> None:
    print(f"\n{name}\n")
    print("| commissioners | organisations | sources | validated by | wall [s] | CPU [s] | "
          "CPU per organisation [ms] | peak [MiB] | workbook [MB] | validation ranges |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['n']} | {r['orgs']} | {r['sources']:,} | {r['how']} | {r['wall_s']:.1f} | "
              f"{r['cpu_s']:.1f} | {1000 * r['cpu_s'] / r['orgs']:.1f} | {r['peak_mib']:.0f} "
              f"| {r['bytes'] / 1e6:.1f} | {r['ranges']:,} |")
    if len(rows) > 1:
        fit, k = slope(rows)
        print(f"\nslope: {fit:.1f} ms CPU per organisation (least squares); CPU time ~ "
              f"organisations ** {k:.2f} from {rows[0]['orgs']} to {rows[-1]['orgs']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="commissioners of each case, comma-separated")
    parser.add_argument("--against", type=Path, help="another checkout to run each case with")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    codes = [ROOT] + ([args.against.resolve()] if args.against else [])
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs)")
    results: dict[Path, list[dict]] = {code: [] for code in codes}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for code in codes:
                results[code].append(case(n, code, Path(tmp) / f"national_{n}.xlsx"))
    for code in codes:
        table(f"ccgmodels workbook export, {code}", results[code])
    if args.against:
        print("\nCPU time of the other checkout over this one's (above 1: this one is "
              "faster): " + ", ".join(
            f"{a['orgs']} organisations {b['cpu_s'] / a['cpu_s']:.1f}x"
            for a, b in zip(results[ROOT], results[codes[1]], strict=True)))
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
