"""Batch scenario reports: the report notebook executed once per scenario, in parallel.

``ccgmodels report SCENARIO... --out reports/`` validates every scenario first, then runs the
report notebook (:data:`TEMPLATE`, package data; ``notebooks/scenario_report.ipynb`` in a
checkout) with papermill once per scenario on a pool of worker
processes (or a dask.distributed cluster), each worker keeping one Jupyter kernel that is reset
between reports. Per scenario it writes ``out/<name>/``::

    report.ipynb    the executed notebook (its metadata carries the run id)
    report.html     the notebook without code cells, self-contained (no network)
    report.xlsx     the report's tables, one sheet each, £k number format, frozen headers
    results.csv     the tidy results; uncertainty.csv when Monte Carlo runs were asked for
    scenario.yaml   the resolved assumptions the notebook ran on
    manifest.json   provenance: version, git commit and dirtiness, hashes, seed, times, run id

and ``out/index.html`` and ``out/compare.html`` (:mod:`ccgmodels.batch.pages`).

Nothing is lost: a report is built in ``out/.staging/`` and moved into place only when
complete; a failing scenario's partial outputs go to ``out/_failed/<name>/`` and leave any
earlier complete report where it was; the index is rebuilt from what is on disk after every
report, so it is consistent even when the run is interrupted. A re-run skips a scenario whose
inputs (resolved assumptions, runs, seed, org, package code and version, template) are unchanged
since its report was made, unless ``force``.

Every batch writes its log beside the index, ``out/batch-<UTC time>.log``
(:mod:`ccgmodels.batch.batchlog`; the newest ten are kept): the package version and options,
the start line, the plan (unchanged, remade and invalid scenarios, with their problems), each
report's outcome as it finishes (its time; a failure's cell and error), any index not
rewritten, an interruption and the summary line. Messages go through the ``ccgmodels``
logger; the command line shows them on stderr as plain lines.
"""
from __future__ import annotations

import glob
import json
import logging
import os
import re
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..inputs.limits import printable
from ..inputs.vocab import FOOTPRINT
from ..models.seeds import DEFAULT_SEED
from ..outputs import pdf as printer
from ..version import version
from . import batchlog, outdir, provenance
from .executors import (
    FAILED,
    ReportError,
    Task,
    install_failure,
    run_dask,
    run_processes,
    task_record,
)
from .provenance import now, sha256

__all__ = ["ReportError", "Summary", "collect", "expand_sources", "plan", "run_batch"]
#: the report notebook, shipped as package data
TEMPLATE = provenance.PACKAGE_DIR / "data" / "templates" / "scenario_report.ipynb"
LOCK = ".lock"
_log = logging.getLogger(__name__)
EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


# --- planning: sources, validation, skip --------------------------------------------------


def expand_sources(items: list[str]) -> list[str]:
    """Scenario arguments as a list of sources: files (YAML or assumptions workbooks),
    folders (their ``*.yaml``/``*.yml``), globs and bundled scenario names, in the order given,
    duplicates removed.

    A glob matches YAML files, and workbooks when it ends in ``.xlsx`` (``plans/*.xlsx``; a
    folder's ``.xlsx`` files are not taken, since report folders hold output workbooks). A
    glob that matches nothing is kept as is, so validation reports it as a missing file.
    """
    out: list[str] = []
    for item in items:
        if any(c in item for c in "*?["):
            found = sorted(glob.glob(item, recursive=True))
            found = [f for f in found if f.endswith(_glob_suffixes(item))] or [item]
        elif os.path.isdir(item):  # never raises, whatever the name (over 255 characters)
            found = sorted(str(p) for p in Path(item).iterdir()
                           if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                found = [item]
        else:
            found = [item]
        out.extend(f for f in found if f not in out)
    return out


def _glob_suffixes(pattern: str) -> tuple[str, ...]:
    """The scenario files a glob takes: YAML, and assumptions workbooks when it asks for
    ``.xlsx`` (read in memory by :func:`ccgmodels.inputs.loading.check`)."""
    return (".yaml", ".yml", ".xlsx") if pattern.lower().endswith(".xlsx") else (".yaml",
                                                                               ".yml")


def safe_key(text: str) -> str:
    """A folder name for a scenario that has no valid name: a slug of ``text`` and a hash."""
    stem = re.sub(r"[^a-z0-9_]+", "_", Path(text).stem.lower()).strip("_")[:40] or "scenario"
    return f"{stem}_{sha256(text.encode('utf-8', 'surrogatepass'))[:8]}"  # any file name

@dataclass
class Plan:
    tasks: list[Task]
    invalid: list[dict]  # index records of scenarios that failed validation
    unchanged: list[str]  # names whose complete report is current
    order: list[str]  # every scenario name or key, in the order given
    valid_sources: list[str] = field(default_factory=list)
    #: names whose report has current inputs but files that differ from its manifest
    tampered: dict[str, list[str]] = field(default_factory=dict)
    #: names to be remade whose report folder holds files a user changed (kept on remaking)
    edited: dict[str, list[str]] = field(default_factory=dict)


def input_key(assumptions: dict, runs: int, seed: int, org: str, fingerprint: str,
              template_sha: str, pdf: bool = True) -> str:
    """Hash of everything a report depends on; equal keys give the same report. ``pdf``:
    whether the report has a PDF (asked for and Chromium there), so a report made without one
    is remade when one can be printed."""
    blob = json.dumps({"assumptions": assumptions, "runs": runs, "seed": seed, "org": org,
                       "version": version(), "package": fingerprint,
                       "template": template_sha, "pdf": pdf}, sort_keys=True, default=str)
    return sha256(blob.encode())


def _invalid(source: str, problems: list[str]) -> dict:
    from ..inputs.limits import MAX_PROBLEMS_SHOWN

    if len(problems) > MAX_PROBLEMS_SHOWN:
        problems = [*problems[:MAX_PROBLEMS_SHOWN],
                    f"... {len(problems) - MAX_PROBLEMS_SHOWN:,} more problems not shown"]
    key, source = safe_key(source), printable(source)
    return {"name": source, "key": key, "title": None, "source": source,
            "status": "invalid", "report": None, "partial": None, "headline": None,
            "error": {"problems": problems}, "finished": now(), "runs": 0, "seed": None}


def plan(sources: list[str], out: Path, *, overrides: Mapping[str, Any] | None = None,
         runs: int = 0, seed: int = DEFAULT_SEED, org: str = FOOTPRINT,
         template: Path = TEMPLATE, force: bool = False, timeout: int | None = 600,
         pdf: bool = True) -> Plan:
    """Validate every scenario (no kernel starts) and decide which reports to make.

    Returns the tasks to run, the invalid scenarios as index records, and the names whose
    complete report in ``out`` was made from the same inputs (skipped unless ``force``).
    ``pdf=False`` makes the reports without ``report.pdf`` (``--no-pdf``).
    """
    from ..inputs.lineage import extends_of
    from ..inputs.loading import check, resolve

    if not sources:
        raise ReportError("no scenarios given")
    template = Path(template)
    if not template.is_file():
        raise ReportError(f"report template {template} not found: pass --template")
    template_sha = sha256(template.read_bytes())
    makes_pdf = pdf and printer.chromium() is not None
    package = provenance.package_state()
    fingerprint = package["package_sha256"]
    found: list[tuple[str, Any, bytes]] = []
    invalid: list[dict] = []
    for source in sources:
        scenario, _, problems = check(source, overrides)
        if problems:
            invalid.append(_invalid(source, [str(p) for p in problems]))
        else:
            found.append((source, scenario, resolve(source)[1].read_bytes()))
    names = Counter(s.name for _, s, _ in found)
    tasks, unchanged, order = [], [], []
    tampered: dict[str, list[str]] = {}
    edited: dict[str, list[str]] = {}
    for source, s, text in found:
        if names[s.name] > 1:
            invalid.append(_invalid(source, [
                f"{source}: name: {s.name!r}: another scenario in this run has the same name; "
                "their reports would overwrite each other"]))
            continue
        if org != FOOTPRINT and org not in [o.id for o in s.organisations]:
            invalid.append(_invalid(source, [
                f"{source}: --org {org!r}: no such organisation in the scenario (have "
                f"footprint, {', '.join(o.id for o in s.organisations)})"]))
            continue
        try:
            outdir.check_target(out / s.name, "report")
            outdir.check_target(out / FAILED / s.name, "failed")
        except outdir.UnsafeOutput as exc:
            invalid.append(_invalid(source, [f"{source}: name: {s.name!r}: {exc}"]))
            continue
        assumptions = s.model_dump(mode="json")
        key = input_key(assumptions, runs, seed, org, fingerprint, template_sha, makes_pdf)
        order.append(s.name)
        mine = _edited(out / s.name)
        if mine:
            edited[s.name] = mine
        if not force and provenance.read_manifest(out / s.name).get("input_key") == key:
            changed = provenance.verify(out / s.name)
            if not changed:
                unchanged.append(s.name)
                continue
            tampered[s.name] = changed
        baseline, extends = _baseline_of(source, overrides, check, extends_of)
        tasks.append(Task(
            baseline=baseline, extends=extends, name=s.name, title=s.title,
            source=printable(source), assumptions=assumptions,
            overrides=dict(overrides or {}), runs=runs, seed=seed, org=org,
            template=str(template.resolve()), out=str(out.resolve()), input_key=key,
            run_id=uuid.uuid4().hex, timeout=timeout, scenario_file=printable(source),
            scenario_sha256=sha256(text), package=package, template_sha256=template_sha,
            pdf=makes_pdf))
    order += [r["key"] for r in invalid]
    edited = {n: f for n, f in edited.items() if n not in unchanged}  # not remade: kept
    return Plan(tasks, invalid, unchanged, order, [src for src, _, _ in found], tampered,
                edited)


def _edited(folder: Path) -> list[str]:
    """The files of the report folder ``folder`` changed since they were made (a user's
    notes sheet), which remaking it keeps beside the new ones."""
    record = outdir.marker(folder)
    return outdir.edited(folder, record) if record is not None else []


def _baseline_of(source: str, overrides: Mapping[str, Any] | None, check, extends_of
                 ) -> tuple[str, str]:
    """``(baseline, extends)`` of a scenario: the source of the scenario it varies (the one it
    ``extends:``, or itself before ``--set``), as a bundled name or an absolute path, and the
    name of the one it extends ("" for none)."""
    parent = extends_of(source)
    if parent is not None:
        base, _, _ = check(parent)
        return parent, (base.name if base is not None else "")
    if overrides:
        p = Path(source)
        return (str(p.resolve()) if p.is_file() else source), ""
    return "", ""


# --- the index and the batch ---------------------------------------------------------------


def collect(out: Path, current: Mapping[str, dict] | None = None,
            order: list[str] | None = None,
            corrupt: Callable[[Path, str], object] | None = None) -> list[dict]:
    """The index records of ``out`` from what is on disk (:func:`ccgmodels.batch.pages.collect`,
    imported on use: pages needs pandas)."""
    from .pages import collect as from_disk

    return from_disk(out, current, order, corrupt)


@dataclass
class Summary:
    counts: Counter
    seconds: float
    index: Path
    records: list[dict]

    @property
    def exit_code(self) -> int:
        if self.counts["interrupted"]:
            return EXIT_INTERRUPTED
        if self.counts["failed"]:
            return EXIT_FAILED
        return EXIT_INPUT if self.counts["invalid"] else EXIT_OK

    def line(self) -> str:
        c = self.counts
        total = sum(c.values())
        return (f"{total} scenario{'s' if total != 1 else ''} in {self.seconds:.1f} s: "
                f"{c['ok']} made, {c['unchanged']} unchanged, {c['failed']} failed, "
                f"{c['invalid']} invalid"
                + (f", {c['interrupted']} interrupted" if c["interrupted"] else "")
                + f"; index: {self.index}")


def run_batch(sources: list[str], out: Path | str, *, overrides: Mapping | None = None,
              runs: int = 0, seed: int = DEFAULT_SEED, org: str = FOOTPRINT,
              workers: int | None = None, engine: str = "process",
              scheduler: str | None = None, force: bool = False,
              baseline: str | None = None, template: Path | str = TEMPLATE,
              timeout: int | None = 600, progress: bool | None = None,
              log: Callable[[str], None] | None = print, pdf: bool = True) -> Summary:
    """Validate, run and index a batch of scenario reports (see the module docstring).

    Parameters
    ----------
    sources : list of str
        Scenario files, folders, globs or bundled names (:func:`expand_sources`).
    out : path
        Output folder; created if needed.
    runs, seed : int
        Monte Carlo runs per scenario [count] (0: none) and their seed.
    workers : int, optional
        Kernels in parallel (default: the CPU count, at most one per report).
    engine : {"process", "dask"}
        A local process pool, or dask.distributed (``scheduler`` address or a local cluster).
    pdf : bool
        Print each report's PDF when Chromium is there (False: ``--no-pdf``); one browser
        per worker, kept for the batch, prints them (the ``pdf`` module).
    log : callable, optional
        Given each message the command line shows (None: none; the messages go to the
        ``ccgmodels`` logger and the batch's log file either way).
    """
    from . import guardian, pages

    t0 = time.perf_counter()
    out = Path(out)
    if engine not in ("process", "dask"):
        raise ReportError(f"--engine {engine!r}: use 'process' or 'dask'")
    if workers is not None and workers < 1:
        raise ReportError(f"--workers {workers}: must be at least 1")
    if runs < 0:
        raise ReportError(f"--runs {runs}: must be 0 or more")
    if timeout is not None and timeout < 0:
        raise ReportError(f"--timeout {timeout}: must be 0 (no limit) or more seconds")
    with ExitStack() as stack:
        if log is not None:
            stack.enter_context(batchlog.console(log))
        stack.enter_context(outdir.locked(out, "report"))
        outdir.check_pages(out)
        p = plan(expand_sources(list(sources)), out, overrides=overrides, runs=runs,
                 seed=seed, org=org, template=Path(template), force=force, timeout=timeout,
                 pdf=pdf)
        n = workers or min(os.cpu_count() or 1, max(len(p.tasks), 1))
        stack.enter_context(batchlog.batch_log(out, {
            "runs": runs, "seed": seed, "org": org, "workers": n, "engine": engine,
            "scheduler": scheduler, "force": force, "baseline": baseline,
            "timeout": timeout, "template": template, "pdf": pdf}))
        for source in p.valid_sources:  # a file fixed since it was reported invalid
            outdir.remove_owned(out / FAILED / safe_key(source))
        for name in p.unchanged:  # its report is current: an older failure no longer applies
            outdir.remove_owned(out / FAILED / name)
        current: dict[str, dict] = {}
        for rec in p.invalid:
            for problem in rec["error"]["problems"]:
                _log.warning(problem)
            _keep_failure(out, rec["key"], rec, current)
        current.update({n: {"status": "unchanged"} for n in p.unchanged})
        current.update({t.name: task_record(t, "pending") for t in p.tasks})
        counts = Counter(unchanged=len(p.unchanged), invalid=len(p.invalid))
        lock = threading.Lock()
        bar = batchlog.progress(len(p.order), progress)
        bar.update(len(p.unchanged) + len(p.invalid))

        corrupt = batchlog.say_once()

        ahead = Ahead(lambda records: pages.compare_ahead(out, records, baseline))

        def refresh(compare: bool = False) -> None:
            if compare:  # what was compared ahead is reused: only new reports are compared
                ahead.wait()
            records = collect(out, current, p.order, corrupt)
            try:
                pages.write_pages(out, records, baseline=baseline, compare=compare)
            except OSError as exc:  # a full disk: the reports are what matter; said once each
                _log.warning(f"{'pages' if compare else 'index.html'} not rewritten: {exc}")
            if not compare and record_made(records):
                ahead.start(records)

        def done(record: dict) -> None:
            with lock:
                counts[record["status"]] += 1
                current.pop(record["name"], None)
                for copy in record.pop("kept", None) or []:
                    _log.warning(f"{record['name']}: your edited copy is kept beside the "
                                 f"remade report: {copy}")
                if record["status"] == "failed" and not _failure_on_disk(out, record):
                    _keep_failure(out, record["name"], record, current)
                tally = batchlog.tally(counts, len(p.order))
                _outcome(out, record, tally, bar.disable)
                bar.set_postfix_str(tally)
                bar.update(1)
                if guard is not None:
                    guard.finished(record["name"])
                refresh()  # a full disk: the reports go on, the index later

        _log.info(start_line(p, out, runs, n, pdf))
        undrawn = undrawn_line(p, runs)
        if undrawn:
            _log.warning(undrawn)
        for name in p.unchanged:
            _log.info(f"{name}: unchanged (inputs as for its report; --force to remake)")
        for name, files in p.edited.items():
            _log.warning(f"{name}: {', '.join(files)} changed since the report was made (your "
                         "edits?): remaking it keeps your copy beside the new one, named "
                         "*.yours-<time>.*")
        for name, changed in p.tampered.items():
            _log.warning(f"{name}: remaking: its report's files differ from its manifest "
                         f"({'; '.join(changed[:3])}{'; ...' if len(changed) > 3 else ''})")
        if p.tasks:
            _log.info(f"to make: {', '.join(t.name for t in p.tasks)}", extra={"console": False})
        refresh(compare=not p.tasks)
        guard = None
        try:
            _terminate_as_interrupt()
            if p.tasks:  # says "interrupted" in the index if this process is killed outright
                guard = guardian.start(out, p.order, baseline,
                                       {t.name: current[t.name] for t in p.tasks})
            if p.tasks and (engine == "dask" or scheduler):
                run_dask(p.tasks, n, done, scheduler)
            elif p.tasks:
                run_processes(p.tasks, n, done)
        except KeyboardInterrupt:
            for rec in current.values():
                if rec.get("status") == "pending":
                    rec["status"] = "interrupted"
                    counts["interrupted"] += 1
            stopped = [k for k, r in current.items() if r.get("status") == "interrupted"]
            _log.warning(f"interrupted: not made: {', '.join(stopped) or 'none'}",
                         extra={"console": False})
        finally:
            bar.close()
            if guard is not None:
                guard.end()
            _terminate_as_interrupt(restore=True)
        refresh(compare=True)
        summary = Summary(counts, time.perf_counter() - t0, out / "index.html",
                          collect(out, current, p.order, corrupt))
        _log.info(summary.line(), extra={"console": False})  # the command prints it
    return summary


def record_made(records: list[dict]) -> bool:
    """Whether any of ``records`` is a report made or current (something to compare)."""
    return any(r.get("status") in ("ok", "unchanged") for r in records)


class Ahead:
    """The comparison of a batch made ahead, in a thread, as reports arrive: its variance
    bridges and charts are kept (:mod:`ccgmodels.outputs.compare`,
    :mod:`ccgmodels.batch.pages`), so that the comparison at the batch's end makes only those
    of its last reports instead of all of them while the workers wait for nothing. Writes
    nothing; a failure here is left to the comparison at the end, which says it.

    Parameters
    ----------
    compare : callable
        Called with the batch's records (:func:`collect`).
    """

    def __init__(self, compare: Callable[[list[dict]], object]):
        self.compare = compare
        self._lock = threading.Lock()
        self._next: list[dict] | None = None
        self._thread: threading.Thread | None = None

    def start(self, records: list[dict]) -> None:
        """Compare ``records`` ahead: now, or after the comparison under way (only the
        newest records are compared then)."""
        with self._lock:
            self._next = records
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="ccgmodels-compare-ahead")
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                records, self._next = self._next, None
                if records is None:
                    self._thread = None
                    return
            try:
                self.compare(records)
            except Exception:  # noqa: BLE001 - the comparison at the end says it
                pass

    def wait(self) -> None:
        """Wait for the comparison under way (none is started after)."""
        with self._lock:
            self._next = None
            thread = self._thread
        if thread is not None:
            thread.join()


def _outcome(out: Path, record: dict, tally: str, show_tally: bool) -> None:
    """Say how a report ended: its name and status, a failure's cell and error; the log also
    has its time and the tally, the console the tally when no progress bar shows it."""
    err = record.get("error") or {}
    line = (f"{record['name']}: {record['status']}"
            + (" (" + (f"In [{err['cell']}] " if err.get("cell") else "")
               + f"{err.get('ename')}: {err.get('evalue')})" if err else ""))
    seconds = None
    if record["status"] == "ok":
        seconds = provenance.read_manifest(out / record["name"]).get("duration_s")
    took = f" in {seconds:.1f} s" if isinstance(seconds, int | float) else ""
    _log.log(logging.ERROR if record["status"] == "failed" else logging.INFO,
             f"{line}{took} [{tally}]",
             extra={"console": line + (f" [{tally}]" if show_tally else "")})


def _failure_on_disk(out: Path, record: dict) -> bool:
    from .pages import read_record

    rec, _ = read_record(out / FAILED / record["name"] / "failure.json")
    return (rec is not None and rec.get("finished") == record.get("finished")
            and rec.get("error") == record.get("error"))


def _keep_failure(out: Path, key: str, record: dict, current: dict) -> None:
    """Record a failure in ``out/_failed/<key>/``; when that folder is not ours to replace,
    keep the record for the index only, saying why."""
    try:
        install_failure(out, key, record)
    except (OSError, outdir.UnsafeOutput) as exc:
        err = dict(record.get("error") or {})
        note = f"(its failure record could not be written: {exc})"
        if "problems" in err:
            err["problems"] = [*err["problems"], note]
        else:
            err["evalue"] = f"{err.get('evalue', '')} {note}".strip()
        current[key] = {**record, "error": err}


_SIGTERM_DEFAULT: list = []


def _terminate_as_interrupt(restore: bool = False) -> None:
    """While reports run, SIGTERM (``kill``) and SIGHUP (the terminal closed) stop the batch as
    Ctrl-C does: completed reports are kept, staging cleared and the index rewritten with the
    rest "interrupted". Only the main thread can set handlers."""
    if threading.current_thread() is not threading.main_thread():
        return
    if restore:
        while _SIGTERM_DEFAULT:
            signal.signal(*_SIGTERM_DEFAULT.pop())
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):  # SIGHUP is POSIX only
        if hasattr(signal, name):
            sig = getattr(signal, name)
            _SIGTERM_DEFAULT.append((sig, signal.signal(sig, interrupt)))


def undrawn_line(p: Plan, runs: int) -> str:
    """What a batch of no Monte Carlo runs leaves out, said aloud (issue 29): the scenarios
    about to be made whose uncertainty ranges (a workbook's Uncertainty sheet) are not drawn;
    "" when runs are asked for or none has ranges."""
    if runs > 0:
        return ""
    ranged = [(t.name, len(t.assumptions.get("uncertainty") or {}), t.source) for t in p.tasks
              if t.assumptions.get("uncertainty")]
    if not ranged:
        return ""
    sheet = any(str(src).lower().endswith(".xlsx") for _, _, src in ranged)
    listed = ", ".join(f"{name} ({n})" for name, n, _ in ranged[:6]) + (
        f" and {len(ranged) - 6} more" if len(ranged) > 6 else "")
    return (f"no Monte Carlo runs (--runs 0): the uncertainty ranges of {listed} "
            + ("(a workbook's Uncertainty sheet) " if sheet else "")
            + "are not drawn, so the reports show no fan or probabilities; pass --runs 1000 "
            "(or more) to draw them")


def start_line(p: Plan, out: Path, runs: int, workers: int, pdf: bool = True) -> str:
    """What a batch is about to make, said before the first kernel starts."""
    what = ("HTML and Excel (no PDF: --no-pdf)" if not pdf else "HTML, PDF and Excel"
            if printer.chromium() else "HTML and Excel (no PDF: no Chromium)")
    n = len(p.tasks)
    text = (f"Making {n} report{'s' if n != 1 else ''} ({what}) into {out}"
            + (f", {runs:,} Monte Carlo runs each" if runs else "")
            + (f", {min(workers, n)} at a time" if n else ""))
    rest = [f"{len(p.unchanged)} unchanged"] if p.unchanged else []
    rest += [f"{len(p.invalid)} invalid"] if p.invalid else []
    return text + (f"; {', '.join(rest)}" if rest else "") + "."
