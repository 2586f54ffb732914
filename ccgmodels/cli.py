"""Command-line entry points: ``ccgmodels validate|run|report|verify|schema|catalogue|list``.

Input problems exit with status 2 and one line per problem (file, field path, value, what is
allowed; a ``--set`` argument's problem names the argument), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from .batch.provenance import version

EXIT_INPUT = 2
#: what ``ccgmodels --help`` says the tool is, in plain words
DESCRIPTION = ("Scenario models for NHS health-system finance planning: check scenario files, "
               "run them, and make board reports (HTML, PDF and an Excel pack) with an index "
               "and a comparison of scenarios.")


def _print_problems(problems) -> None:
    from .inputs.limits import MAX_PROBLEMS_SHOWN

    for p in problems[:MAX_PROBLEMS_SHOWN]:
        print(str(p), file=sys.stderr)
    n = len(problems)
    more = f" ({n - MAX_PROBLEMS_SHOWN:,} more not shown)" if n > MAX_PROBLEMS_SHOWN else ""
    print(f"{n:,} problem{'s' if n != 1 else ''} found{more}", file=sys.stderr)


class InputError(Exception):
    """A command-line input problem: printed as is, exit status 2."""


def _overrides(items: list[str]) -> dict:
    from .inputs.paths import parse_override

    out = {}
    for text in items or []:
        try:
            path, value = parse_override(text)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        out[path] = value
    return out


def cmd_validate(args) -> int:
    from .inputs.limits import printable
    from .inputs.loading import check

    overrides = _overrides(args.set)
    problems = []
    for source in args.scenarios:
        scenario, _, found = check(source, overrides)
        problems.extend(found)
        if not found:
            print(printable(f"{source}: ok ({scenario.name}, {scenario.base_year} to "
                            f"{scenario.end_year})"))
    if problems:
        _print_problems(problems)
        return EXIT_INPUT
    return 0


def write_run(scenario, source: str, text: bytes, df, out: Path, *, overrides=None,
              seed=None, runs: int = 0, started: str | None = None,
              extra: dict | None = None) -> Path:
    """Write ``results.csv`` and ``manifest.json`` for one scenario into ``out/<name>/``.

    ``extra`` maps further file names to tables written beside them (``uncertainty.csv`` of a
    Monte Carlo run of ``runs`` runs with ``seed``).

    The caller holds ``out``'s lock (:func:`ccgmodels.batch.outdir.locked`). Files are written
    to a staging folder and moved into place when complete, so an interrupted run never leaves
    a half-written result; a folder in the way is replaced only if it is an earlier ``run``
    output (:func:`ccgmodels.batch.outdir.install`).
    """
    from .batch import outdir, provenance
    from .models.results import write_tidy

    target = out / scenario.name
    tmp = outdir.new_staging(out, scenario.name)
    try:
        write_tidy(df, tmp / "results.csv")
        for name, frame in (extra or {}).items():
            write_tidy(frame, tmp / name)
        provenance.write_manifest(tmp, provenance.manifest(
            "run", scenario=scenario.name, title=scenario.title,
            assumptions=scenario.model_dump(mode="json"), scenario_file=source,
            scenario_sha256=provenance.sha256(text), overrides=overrides, org="footprint",
            runs=runs, seed=seed, started=started or provenance.now(),
            finished=provenance.now(), rows=int(len(df))))
        outdir.mark(tmp, "run")
        outdir.install(tmp, target, "run")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def cmd_run(args) -> int:
    from .batch import outdir
    from .batch.provenance import now
    from .inputs.loading import check, resolve
    from .models.run import run_scenario

    overrides = _overrides(args.set)
    checked, problems = [], []
    for source in args.scenarios:  # validate everything before running anything
        scenario, data, found = check(source, overrides)
        problems.extend(found)
        if scenario is not None:
            label, file = resolve(source)
            checked.append((scenario, label, file.read_bytes()))
    names = [s.name for s, _, _ in checked]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        print(f"two scenarios share the name {dupes}: their outputs would overwrite each "
              "other", file=sys.stderr)
        return EXIT_INPUT
    if problems:
        _print_problems(problems)
        return EXIT_INPUT
    out = Path(args.out)
    failed = 0
    try:
        with outdir.locked(out, "run"):
            for scenario, _, _ in checked:  # refuse before computing anything
                outdir.check_target(out / scenario.name, "run")
            for scenario, label, text in checked:
                started = now()
                try:
                    df = run_scenario(scenario)
                    seed, extra = args.seed, {}
                    if args.runs > 0:
                        from .models.uncertainty import simulate, summarise

                        sim = simulate(scenario, args.runs, args.seed, workers=args.workers,
                                       scheduler=args.scheduler)
                        seed, extra = sim.seed, {"uncertainty.csv": summarise(sim)}
                    target = write_run(scenario, label, text, df, out, overrides=overrides,
                                       seed=seed, runs=args.runs, started=started,
                                       extra=extra)
                except outdir.UnsafeOutput:
                    raise
                except Exception as exc:  # noqa: BLE001 - one scenario fails, not the others
                    failed += 1
                    print(f"{scenario.name}: failed: {type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
                    continue
                print(f"{scenario.name}: {scenario.title}")
                for line in headline_lines(df, extra.get("uncertainty.csv")):
                    print(f"  {line}")
                print(f"  written to {target}: results.csv ({len(df):,} rows), manifest.json"
                      + (f", uncertainty.csv ({args.runs:,} runs, seed {seed})"
                         if extra else ""))
    except outdir.UnsafeOutput as exc:
        raise InputError(str(exc)) from None
    return 1 if failed else 0


def headline_lines(results, uncertainty=None, org: str = "footprint") -> list[str]:
    """The headline figures of a run for the terminal, £k as plans print them."""
    from .outputs.summaries import PROB, key_figures
    from .outputs.tables import money

    h = key_figures(results, org, uncertainty)
    end, base = h["end_year"], h["base_year"]
    first = [f"{label} {money(h[key])}" for key, label in (
        ("allocation", "allocation"), ("do_nothing", "do nothing"), ("solutions", "solutions"),
        ("do_something", "do something"), ("underlying", "underlying"))
        if h.get(key) is not None]
    second = []
    if h.get("do_something_cumulative") is not None:
        second.append(f"do something cumulative to {end} "
                      f"{money(h['do_something_cumulative'])}")
    if h.get("qipp_gap") is not None:
        second.append(f"QIPP still to identify in {base} {money(h['qipp_gap'])}")
    if h.get(PROB) is not None:
        second.append(f"chance do something is at least break-even in {end}: {h[PROB]:.0%}")
    return [f"{end} (£k): " + "; ".join(first), "; ".join(second)]


def cmd_report(args) -> int:
    from .batch.outdir import UnsafeOutput
    from .batch.reports import TEMPLATE, run_batch

    try:
        summary = run_batch(
            args.scenarios, args.out, overrides=_overrides(args.set), runs=args.runs,
            seed=args.seed, org=args.org, workers=args.workers, engine=args.engine,
            scheduler=args.scheduler, force=args.force, baseline=args.baseline,
            template=args.template or TEMPLATE, timeout=args.timeout or None,
            log=lambda line: print(line, file=sys.stderr))
    except UnsafeOutput as exc:
        raise InputError(str(exc)) from None
    print(summary.line())
    if args.open:
        _open(summary.index)
    return summary.exit_code


def _open(page: Path) -> None:
    """Open ``page`` in a browser when one is available; say so when not."""
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        print(f"--open: no browser available here; open {page} yourself", file=sys.stderr)
        return
    if not browser.open(Path(page).resolve().as_uri()):
        print(f"--open: the browser did not open {page}", file=sys.stderr)


def cmd_verify(args) -> int:
    from .batch.outdir import FAILED, STAGING
    from .batch.provenance import MANIFEST, verify

    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    if (folder / MANIFEST).is_file():
        folders = [folder]
    else:
        folders = sorted(d for d in folder.iterdir() if d.is_dir() and not d.is_symlink()
                         and d.name not in (STAGING, FAILED) and (d / MANIFEST).exists())
    if not folders:
        raise InputError(f"{folder}: holds no ccgmodels output (no manifest.json)")
    bad = 0
    for d in folders:
        found = verify(d)
        bad += bool(found)
        for line in found:
            print(line, file=sys.stderr)
        if not found:
            print(f"{d}: ok")
    print(f"{len(folders)} folder{'s' if len(folders) != 1 else ''} checked, {bad} differ"
          + (" from their manifests" if bad else ""))
    return 1 if bad else 0


def cmd_schema(args) -> int:
    from .inputs.scenario import Scenario

    print(json.dumps(Scenario.model_json_schema(), indent=2))
    return 0


def cmd_catalogue(args) -> int:
    from .models.results import catalogue_markdown

    sys.stdout.write(catalogue_markdown())
    return 0


def cmd_list(args) -> int:
    from .inputs.loading import bundled_scenarios, load_scenario

    names = sorted(bundled_scenarios())
    # names alone when piped, so `ccgmodels report $(ccgmodels list)` works; titles for a person
    if not (args.titles or sys.stdout.isatty()):
        for name in names:
            print(name)
        return 0
    width = max(map(len, names), default=0)
    for name in names:
        print(f"{name:<{width}}  {load_scenario(name).title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ccgmodels", description=DESCRIPTION)
    p.add_argument("--version", action="version", version=f"ccgmodels {version()}")
    sub = p.add_subparsers(dest="command", required=True)
    setter = {"action": "append", "default": [], "metavar": "PATH=VALUE",
              "help": "override an assumption, e.g. "
                      "organisations.cpr_ccg.allocation.growth.programme=0.03"}

    v = sub.add_parser("validate", help="check scenario files without running them")
    v.add_argument("scenarios", nargs="+", help="YAML files or bundled scenario names")
    v.add_argument("--set", **setter)
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser("run", help="run scenarios and write results.csv and manifest.json")
    r.add_argument("scenarios", nargs="+", help="YAML files or bundled scenario names")
    r.add_argument("--out", default="runs",
                   help="output folder (default: runs; reports/ is for ccgmodels report)")
    r.add_argument("--set", **setter)
    r.add_argument("--runs", type=int, default=0,
                   help="Monte Carlo runs over the scenario's uncertainty block; writes "
                        "uncertainty.csv (default 0: none)")
    r.add_argument("--seed", type=int, default=None, help="random seed of the Monte Carlo runs")
    r.add_argument("--workers", type=int, default=None,
                   help="spread runs over a local dask cluster of this many processes")
    r.add_argument("--scheduler", default=None, help="address of a dask scheduler to use")
    r.set_defaults(func=cmd_run)

    b = sub.add_parser(
        "report", help="make a board report per scenario (HTML, PDF, Excel pack, CSV), with an "
        "index and a comparison page",
        description="Execute the report notebook once per scenario with papermill, "
        "in parallel, into OUT/<scenario>/ (report.html, report.pdf, report.xlsx, "
        "results.csv, report.ipynb, manifest.json) plus OUT/index.html, OUT/compare.html and "
        "OUT/compare.xlsx. Every scenario is validated before any kernel starts. Exit status: "
        "0 all reports made or current, 1 a report failed, 2 a scenario is invalid, 130 "
        "interrupted.")
    b.add_argument("scenarios", nargs="+",
                   help="YAML files, folders of them, globs, or bundled scenario names")
    b.add_argument("--out", default="reports", help="output folder (default: reports)")
    b.add_argument("--set", **setter)
    b.add_argument("--runs", type=int, default=0,
                   help="Monte Carlo runs per scenario; writes uncertainty.csv (default 0)")
    b.add_argument("--seed", type=int, default=20190401,
                   help="random seed of the Monte Carlo runs (default 20190401)")
    b.add_argument("--org", default="footprint",
                   help="organisation the report is about (default: footprint)")
    b.add_argument("--workers", type=int, default=None,
                   help="kernels in parallel (default: one per CPU)")
    b.add_argument("--engine", choices=("process", "dask"), default="process",
                   help="process pool (default) or dask.distributed")
    b.add_argument("--scheduler", default=None,
                   help="address of a dask scheduler (implies --engine dask)")
    b.add_argument("--force", action="store_true",
                   help="remake reports whose inputs are unchanged")
    b.add_argument("--baseline", default=None,
                   help="scenario the comparison page measures differences from (default: "
                        "the one a what-if extends, else the first of its group)")
    b.add_argument("--open", action="store_true",
                   help="open the index in a browser when done, if one is available")
    b.add_argument("--template", default=None,
                   help="report notebook to execute instead of the bundled one")
    b.add_argument("--timeout", type=int, default=600,
                   help="seconds a notebook cell may run (default 600; 0: no limit)")
    b.set_defaults(func=cmd_report)

    c = sub.add_parser("verify", help="check output folders against their manifests",
                       description="Check every file of a run or report folder (or of each "
                       "one in a batch output folder) against the sha256 its manifest.json "
                       "records. Exit status: 0 all match, 1 a file changed, is missing or is "
                       "not recorded, 2 nothing to check.")
    c.add_argument("folder", help="an output folder (--out of run or report) or one of its "
                   "scenario folders")
    c.set_defaults(func=cmd_verify)

    sub.add_parser("schema", help="print the scenario JSON Schema").set_defaults(
        func=cmd_schema)
    sub.add_parser("catalogue", help="print the measure catalogue (Markdown)").set_defaults(
        func=cmd_catalogue)
    li = sub.add_parser("list", help="list bundled scenarios with their titles (names alone "
                        "when piped)")
    li.add_argument("--titles", action="store_true",
                    help="print titles even when the output is not a terminal")
    li.set_defaults(func=cmd_list)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted; completed outputs are intact", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
