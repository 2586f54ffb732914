"""Command-line entry points: ``ccgmodels validate|run|report|verify|workbook|schema|list``.

``catalogue`` prints the measure catalogue; ``workbook`` exports, imports or starts an Excel
assumptions workbook, which validate, run and report also take directly.

Input problems exit with status 2 and one line per problem (file, field path, value, what is
allowed; a ``--set`` argument's problem names the argument), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .batch.runs import write_run
from .inputs.vocab import FOOTPRINT
from .models.seeds import DEFAULT_SEED
from .version import version

EXIT_INPUT = 2
#: what ``ccgmodels --help`` says the tool is, in plain words
DESCRIPTION = ("Scenario models for NHS health-system finance planning: check scenario files, "
               "run them, and make board reports (HTML, PDF and an Excel pack) with an index "
               "and a comparison of scenarios.")


def _say(text: object, file=None) -> None:
    """Print ``text`` as one line, control characters escaped (a title's escape sequences
    are shown, never acted on: :func:`~ccgmodels.inputs.limits.terminal`)."""
    from .inputs.limits import terminal

    print(terminal(text), file=file or sys.stdout)


def _print_problems(problems) -> None:
    from .inputs.limits import MAX_PROBLEMS_SHOWN

    for p in problems[:MAX_PROBLEMS_SHOWN]:
        _say(p, sys.stderr)
    n = len(problems)
    more = f" ({n - MAX_PROBLEMS_SHOWN:,} more not shown)" if n > MAX_PROBLEMS_SHOWN else ""
    print(f"{n:,} problem{'s' if n != 1 else ''} found{more}", file=sys.stderr)


class InputError(Exception):
    """A command-line input problem: printed as is, exit status 2."""


#: the optional packages each extra installs (``pip install 'ccgmodels[EXTRA]'``); validate
#: and run need none of them: the core is numpy, pandas, pydantic and pyyaml
EXTRAS = {
    "reports": ("matplotlib", "openpyxl", "papermill", "nbformat", "nbconvert",
                "jupyter_client", "jupyter_core", "ipykernel", "tqdm"),
    "workbook": ("openpyxl",),
    "app": ("voila", "ipywidgets", "matplotlib"),
    "dask": ("dask", "distributed"),
}


def _needs(extra: str, what: str) -> None:
    """Refuse, before any work, when a package of ``extra`` is not installed (exit 2)."""
    from importlib.util import find_spec

    missing = [name for name in EXTRAS[extra] if find_spec(name) is None]
    if missing:
        names = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if missing[3:] else "")
        raise InputError(f"{what} needs the {extra} extra ({names} not installed): "
                         f"pip install 'ccgmodels[{extra}]'")


def _extra_for(exc: ModuleNotFoundError) -> str | None:
    """The extra that installs the module ``exc`` found missing (None: not an extra's)."""
    top = (exc.name or "").split(".")[0]
    # openpyxl alone is the workbook extra; any other report package, the reports extra
    for extra in ("workbook", "dask", "reports", "app"):
        if top in EXTRAS[extra]:
            return extra
    return None


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
    from .inputs.loading import check

    overrides = _overrides(args.set)
    problems = []
    for source in args.scenarios:
        scenario, _, found = check(source, overrides)
        problems.extend(found)
        if not found:
            _say(f"{source}: ok ({scenario.name}, {scenario.base_year} to "
                 f"{scenario.end_year})")
    if problems:
        _print_problems(problems)
        return EXIT_INPUT
    return 0


def cmd_run(args) -> int:
    from .batch import outdir
    from .batch.provenance import now
    from .inputs.loading import check, resolve
    from .models.run import run_scenario
    from .outputs import tables

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
        _say(f"two scenarios share the name {dupes}: their outputs would overwrite each "
             "other", sys.stderr)
        return EXIT_INPUT
    if problems:
        _print_problems(problems)
        return EXIT_INPUT
    if args.runs > 0 and (args.scheduler or (args.engine == "dask" and args.workers)):
        _needs("dask", "ccgmodels run --engine dask")
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
                                       scheduler=args.scheduler, engine=args.engine)
                        seed, extra = sim.seed, {"uncertainty.csv": summarise(sim)}
                    target = write_run(scenario, label, text, df, out, overrides=overrides,
                                       seed=seed, runs=args.runs, started=started,
                                       extra=extra)
                except outdir.UnsafeOutput:
                    raise
                except Exception as exc:  # noqa: BLE001 - one scenario fails, not the others
                    failed += 1
                    _say(f"{scenario.name}: failed: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}", sys.stderr)
                    continue
                _say(f"{scenario.name}: {scenario.title}")
                for line in tables.headline_lines(df, extra.get("uncertainty.csv"),
                                                  era=scenario.era):
                    print(f"  {line}")
                _say(f"  written to {target}: results.csv ({len(df):,} rows), manifest.json"
                     + (f", uncertainty.csv ({args.runs:,} runs, seed {seed})"
                        if extra else ""))
    except outdir.UnsafeOutput as exc:
        raise InputError(str(exc)) from None
    return 1 if failed else 0


def cmd_report(args) -> int:
    _needs("reports", "ccgmodels report")
    if args.engine == "dask" or args.scheduler:
        _needs("dask", "ccgmodels report --engine dask")
    from .batch import batchlog
    from .batch.outdir import UnsafeOutput
    from .batch.reports import TEMPLATE, run_batch

    try:
        with batchlog.console():  # the batch's messages, plain, on stderr
            summary = run_batch(
                args.scenarios, args.out, overrides=_overrides(args.set), runs=args.runs,
                seed=args.seed, org=args.org, workers=args.workers, engine=args.engine,
                scheduler=args.scheduler, force=args.force, baseline=args.baseline,
                template=args.template or TEMPLATE, timeout=args.timeout or None, log=None,
                pdf=not args.no_pdf)
    except UnsafeOutput as exc:
        raise InputError(str(exc)) from None
    _say(summary.line())
    if args.open:
        _open(summary.index)
    return summary.exit_code


def _open(page: Path) -> None:
    """Open ``page`` in a browser when one is available; say so when not."""
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        _say(f"--open: no browser available here; open {page} yourself", sys.stderr)
        return
    if not browser.open(Path(page).resolve().as_uri()):
        _say(f"--open: the browser did not open {page}", sys.stderr)


def cmd_verify(args) -> int:
    from .batch.outdir import FAILED, STAGING
    from .batch.provenance import MANIFEST, verify

    folder = Path(args.folder)
    if not os.path.isdir(folder):  # never raises, whatever the name
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
            _say(line, sys.stderr)
        if not found:
            _say(f"{d}: ok")
    print(f"{len(folders)} folder{'s' if len(folders) != 1 else ''} checked, {bad} differ"
          + (" from their manifests" if bad else ""))
    return 1 if bad else 0


def cmd_schema(args) -> int:
    from .inputs.scenario import Scenario

    print(json.dumps(Scenario.model_json_schema(), indent=2))
    return 0


def cmd_catalogue(args) -> int:
    from .models.measures import catalogue_markdown

    sys.stdout.write(catalogue_markdown())
    return 0


def cmd_app(args) -> int:
    """``ccgmodels app``: the explorer served on localhost (see :mod:`ccgmodels.app.launch`)."""
    from .app.launch import AppError, serve
    from .inputs.loading import CURRENT_PLAN

    try:
        return serve(args.scenario or CURRENT_PLAN, port=args.port, folder=args.folder)
    except AppError as exc:
        raise InputError(str(exc)) from None


def cmd_allocations(args) -> int:
    """``ccgmodels allocations FILE --icb CODE``: one ICB's published allocations as a table,
    or (``--yaml``) as a scenario fragment (:mod:`ccgmodels.inputs.allocations`)."""
    from .inputs.allocations import AllocationsError, read_allocations

    if Path(args.file).suffix.lower() in (".xlsx", ".xlsm"):
        _needs("workbook", "reading an .xlsx allocations file")
    try:
        alloc = read_allocations(args.file, args.icb, stream=args.stream)
        if args.yaml:
            import yaml

            fragment, notes = alloc.fragment(args.base_year)
            sys.stdout.write(f"# {alloc.code} {alloc.name}, from {alloc.source}: the fields "
                             "of an icb organisation\n")
            for note in notes:
                sys.stdout.write(f"# NOTE: {note}\n")
            sys.stdout.write(yaml.safe_dump(fragment, sort_keys=False, allow_unicode=True,
                                            width=1000))
            return 0
    except (AllocationsError, ValueError) as exc:
        raise InputError(str(exc)) from None
    import pandas as pd

    rows = alloc.rows()
    for r in rows:  # as text: £k and people with separators, the distance as a per cent
        r["value"] = f"{r['value']:.2%}" if r["unit"] == "fraction" else f"{r['value']:,.0f}"
    _say(f"{alloc.code} {alloc.name} ({alloc.source}); money in £k, population in people")
    wide = pd.DataFrame(rows).pivot(index=["measure", "stream"], columns="year", values="value")
    wide = wide.reindex(list(dict.fromkeys((r["measure"], r["stream"]) for r in rows)))
    print(wide.fillna("").to_string())
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
        _say(f"{name:<{width}}  {load_scenario(name).title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ccgmodels", description=DESCRIPTION)
    p.add_argument("--version", action="version", version=f"ccgmodels {version()}")
    sub = p.add_subparsers(dest="command", required=True)
    setter = {"action": "append", "default": [], "metavar": "PATH=VALUE",
              "help": "override an assumption, e.g. "
                      "organisations.cpr_ccg.allocation.growth.programme=0.03"}

    v = sub.add_parser("validate", help="check scenario files without running them")
    v.add_argument("scenarios", nargs="+",
                   help="YAML files, assumptions workbooks (.xlsx) or bundled scenario names")
    v.add_argument("--set", **setter)
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser("run", help="run scenarios and write results.csv and manifest.json")
    r.add_argument("scenarios", nargs="+",
                   help="YAML files, assumptions workbooks (.xlsx) or bundled scenario names")
    r.add_argument("--out", default="runs",
                   help="output folder (default: runs; reports/ is for ccgmodels report)")
    r.add_argument("--set", **setter)
    r.add_argument("--runs", type=int, default=0,
                   help="Monte Carlo runs over the scenario's uncertainty block; writes "
                        "uncertainty.csv (default 0: none)")
    r.add_argument("--seed", type=int, default=None, help="random seed of the Monte Carlo runs")
    r.add_argument("--workers", type=int, default=None,
                   help="spread the Monte Carlo runs over this many local processes "
                        "(default: one; the numbers are the same either way)")
    r.add_argument("--engine", choices=("process", "dask"), default="process",
                   help="the workers as a process pool (default) or a local dask cluster")
    r.add_argument("--scheduler", default=None,
                   help="address of a dask scheduler to use (implies --engine dask)")
    r.set_defaults(func=cmd_run)

    b = sub.add_parser(
        "report", help="make a board report per scenario (HTML, PDF, Excel pack, CSV), with an "
        "index and a comparison page",
        description="Execute the report notebook once per scenario with papermill, "
        "in parallel, into OUT/<scenario>/ (report.html, report.pdf, report.xlsx, "
        "results.csv, report.ipynb, manifest.json) plus OUT/index.html and OUT/compare.html; "
        "OUT/compare.xlsx too when two or more reports model the same organisations over the "
        "same years (a single scenario has nothing to compare, and compare.html says so). "
        "Without --runs, a scenario's uncertainty ranges (a workbook's Uncertainty sheet) are "
        "not drawn, and the batch says so. "
        "Every scenario is validated before any kernel starts. Exit status: "
        "0 all reports made or current, 1 a report failed, 2 a scenario is invalid, 130 "
        "interrupted.")
    b.add_argument("scenarios", nargs="+",
                   help="YAML files or assumptions workbooks (.xlsx), folders of them, globs, "
                        "or bundled scenario names")
    b.add_argument("--out", default="reports", help="output folder (default: reports)")
    b.add_argument("--set", **setter)
    b.add_argument("--runs", type=int, default=0,
                   help="Monte Carlo runs per scenario over its uncertainty ranges (a "
                        "workbook's Uncertainty sheet); writes uncertainty.csv (default 0: "
                        "none, and the ranges are not drawn)")
    b.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"random seed of the Monte Carlo runs (default {DEFAULT_SEED})")
    b.add_argument("--org", default=FOOTPRINT,
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
    b.add_argument("--no-pdf", action="store_true",
                   help="make no report.pdf (HTML and Excel only)")
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

    _workbook_parser(sub, setter)

    al = sub.add_parser("allocations", help="read one ICB's allocations from NHS England's "
                        "published allocation tables (.xlsx or .csv)")
    al.add_argument("file", help="the published allocations workbook (.xlsx) or a .csv table")
    al.add_argument("--icb", required=True, help="the ICB's code (e.g. QH8) or name")
    al.add_argument("--stream", default=None, help="the stream of a table that does not name "
                    "it (core_services, primary_medical_care, delegated_primary_care, "
                    "specialised, running_costs)")
    al.add_argument("--yaml", action="store_true", help="print a scenario fragment (the "
                    "base-year allocation by stream, later years' levels, population, running "
                    "cost allowance per head, target) with the cell each figure came from")
    al.add_argument("--base-year", default=None, help="the fragment's base year (default: "
                    "the file's first)")
    al.set_defaults(func=cmd_allocations)

    sub.add_parser("schema", help="print the scenario JSON Schema").set_defaults(
        func=cmd_schema)
    sub.add_parser("catalogue", help="print the measure catalogue (Markdown)").set_defaults(
        func=cmd_catalogue)
    li = sub.add_parser("list", help="list bundled scenarios with their titles (names alone "
                        "when piped)")
    li.add_argument("--titles", action="store_true",
                    help="print titles even when the output is not a terminal")
    li.set_defaults(func=cmd_list)

    a = sub.add_parser("app", help="serve the explorer as a web page on localhost (Voila)",
                       description="Serve the scenario explorer in a browser, no Python or "
                       "JupyterLab needed by whoever uses it: prints the URL (localhost only); "
                       "Ctrl-C stops. Needs the app extra: pip install 'ccgmodels[app]'.")
    a.add_argument("scenario", nargs="?", default=None,
                   help="bundled scenario name or YAML file (default: the bundled current "
                   "plan, listed first by the app)")
    a.add_argument("--port", type=int, default=None,
                   help="port on 127.0.0.1 (default 8866, or a free one when taken)")
    a.add_argument("--folder", default=None,
                   help="where Save as scenario writes (default: my_scenarios/ at the top of "
                        "the checkout, git-ignored, or of the current folder)")
    a.set_defaults(func=cmd_app)
    return p


# --- ccgmodels workbook export|import|new: the assumptions workbook (issue 18) --------------


def _write_file(path: Path, write, args, reads: tuple = (), check_only: bool = False):
    """Write ``path`` by the safe writer's rules (:mod:`ccgmodels.batch.safefile`)."""
    from .batch.outdir import UnsafeOutput
    from .batch.safefile import check_file, write_file

    try:
        if check_only:
            return check_file(path, force=args.force, reads=reads)
        return write_file(path, write, force=args.force, reads=reads)
    except UnsafeOutput as exc:
        raise InputError(f"-o {exc}") from None


def _xlsx_target(text: str) -> Path:
    out = Path(text)
    if out.suffix.lower() != ".xlsx":
        raise InputError(f"-o {text}: an assumptions workbook is an .xlsx file")
    return out


def _org(text: str) -> tuple[str, str, str]:
    from .inputs.vocab import ORGANISATION_KINDS as KINDS

    kind, _, rest = text.partition(":")
    org_id, _, name = rest.partition(":")
    if kind not in KINDS or not org_id:
        raise InputError(f"--org {text!r}: expected KIND:ID[:NAME] with KIND one of "
                         f"{', '.join(KINDS)}, e.g. icb:north_icb:'NHS North ICB'")
    return kind, org_id, name or org_id


def cmd_workbook(args) -> int:
    from .inputs.limits import printable
    from .inputs.loading import check

    _needs("workbook", f"ccgmodels workbook {args.action}")
    if args.action == "new":
        from .inputs.book.blank import new_book

        out = _xlsx_target(args.out)
        orgs = [_org(text) for text in args.org] or None
        try:
            _write_file(out, lambda tmp: new_book(tmp, args.base_year, args.end_year, orgs),
                        args)
        except ValueError as exc:
            raise InputError(f"workbook new: {exc}") from None
        _say(f"blank workbook -> {out}")
        return 0
    if args.out not in (None, "-"):  # refused before the source is read: at once
        _write_file(Path(args.out), None, args, reads=(args.source,), check_only=True)
    scenario, _, problems = check(args.source, _overrides(args.set))
    if problems:
        _print_problems(problems)
        return EXIT_INPUT
    if args.action == "export":
        from .inputs.book.writer import export_book, export_problems

        out = _xlsx_target(args.out)
        unlaid = export_problems(scenario, printable(str(args.source)))
        if unlaid:  # a kind the workbook does not lay out (a guard: none today)
            _print_problems(unlaid)
            return EXIT_INPUT
        _write_file(out, lambda tmp: export_book(scenario, tmp, printable(str(args.source))),
                    args, reads=(args.source,))
        _say(f"{scenario.name}: assumptions workbook -> {out}")
        if scenario.actuals is not None:
            _say(f"{scenario.name}: its actuals (plan against actual) are not carried by the "
                 "workbook; keep them in the scenario YAML", sys.stderr)
        return 0
    from .inputs.book.reader import scenario_yaml

    text = scenario_yaml(scenario)
    if args.out in (None, "-"):
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    _write_file(out, lambda tmp: tmp.write_text(text, encoding="utf-8"), args,
                reads=(args.source,))
    _say(f"{scenario.name}: scenario -> {out}", sys.stderr)
    return 0


def _workbook_parser(sub, setter: dict) -> None:
    w = sub.add_parser(
        "workbook", help="the Excel assumptions workbook: export a scenario, import one, or "
        "start a blank one",
        description="An Excel assumptions workbook a finance team fills in instead of YAML: "
        "yellow input cells, one sheet per kind of input, drop-down lists, money in £k. "
        "run, report and validate also take a workbook directly.")
    actions = w.add_subparsers(dest="action", required=True)
    force = {"action": "store_true",
             "help": "replace an existing -o file ccgmodels did not write (or that was saved "
                     "since); never the file read, a folder, a FIFO or a device"}
    e = actions.add_parser("export", help="write the assumptions workbook of a scenario")
    e.add_argument("source", metavar="SCENARIO", help="a YAML file, workbook or bundled name")
    e.add_argument("-o", "--out", required=True, help="the .xlsx file to write")
    e.add_argument("--set", **setter)
    e.add_argument("--force", **force)
    i = actions.add_parser("import", help="read a workbook into a validated scenario YAML",
                           description="Read an assumptions workbook and write it as a "
                           "scenario YAML file with its sources, or list every problem (sheet, "
                           "cell, field, value, what is allowed) and exit 2.")
    i.add_argument("source", metavar="WORKBOOK", help="the .xlsx file to read")
    i.add_argument("-o", "--out", default=None,
                   help="the YAML file to write (default: standard output)")
    i.add_argument("--set", **setter)
    i.add_argument("--force", **force)
    n = actions.add_parser("new", help="write a blank workbook for a new organisation")
    n.add_argument("-o", "--out", required=True, help="the .xlsx file to write")
    n.add_argument("--force", **force)
    n.add_argument("--base-year", default="2025/26", help="first modelled year (default "
                   "2025/26); from 2022/23 the blank lays out an ICB-era plan (an ICB with its "
                   "places, a trust and a council, today's allocation streams and words), "
                   "before it a CCG-era one")
    n.add_argument("--end-year", default=None, help="last modelled year (default: base + 4)")
    n.add_argument("--org", action="append", default=[], metavar="KIND:ID[:NAME]",
                   help="an organisation to lay out rows for (repeat; KIND icb, ccg, provider "
                   "or social_care); default: one example of each of the base year's era")
    w.set_defaults(func=cmd_workbook)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        _say(exc, sys.stderr)
        return EXIT_INPUT
    except OSError as exc:  # the file system refused (full, read-only, a name too long):
        # one line naming the file, as for any refusal, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"{where}{exc.strerror or exc}", sys.stderr)
        return EXIT_INPUT
    except ModuleNotFoundError as exc:  # a package of an extra, not installed: say which
        extra = _extra_for(exc)
        if extra is None:
            raise
        _say(f"this needs {exc.name.split('.')[0]}, which is not installed: pip install "
             f"'ccgmodels[{extra}]'", sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted; completed outputs are intact", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
