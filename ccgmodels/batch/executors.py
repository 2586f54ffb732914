"""Executors of the batch runner: one report made in a worker, on a process pool or dask.

:func:`execute` makes one report: it writes the resolved scenario into a staging folder,
resets this worker's Jupyter kernel (started once, reused for the next report, replaced after
any failure), runs the report notebook in it with papermill, exports HTML without code cells,
writes ``manifest.json`` and moves the folder into ``out/<name>`` (or ``out/_failed/<name>``).
:func:`run_processes` and :func:`run_dask` run many tasks and hand each record to a callback.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import shutil
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..inputs.vocab import era_of
from ..outputs import pdf
from . import outdir, provenance
from .outdir import FAILED, STAGING, UnsafeOutput  # noqa: F401 (re-exported)
from .provenance import now

HTML_TEMPLATES = provenance.PACKAGE_DIR / "data" / "templates"


class ReportError(UnsafeOutput):
    """A problem with the command's own input (no scenarios, busy output folder): exit 2."""


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to make one report (plain data: picklable for any engine)."""

    name: str
    title: str
    source: str
    assumptions: dict
    overrides: dict
    runs: int
    seed: int
    org: str
    template: str
    out: str
    input_key: str
    run_id: str
    timeout: int | None
    scenario_file: str = ""
    scenario_sha256: str = ""
    package: dict = field(default_factory=dict)  # provenance.package_state() of the batch
    template_sha256: str = ""
    #: the scenario this one varies (a bundled name or a resolved file; "" for none), and the
    #: name of the one it extends (the comparison page's default baseline)
    baseline: str = ""
    extends: str = ""
    #: print report.pdf (asked for, and Chromium found when the batch was planned)
    pdf: bool = True


# --- one report, in a worker ---------------------------------------------------------------

from .kernels import (  # noqa: E402
    KERNEL_ENV,  # noqa: F401 (re-exported)
    _discard_kernel,
    _parent_alive,
    _worker_init,
    report_kernel,
    warm,
)


def _worker_start(parent: int | None = None, prints: bool = False) -> None:
    """A pool worker's start (:func:`~ccgmodels.batch.kernels._worker_init`), then what every
    report of it needs, started at once and made ready in the background while the worker
    imports and takes its first task: its kernel (with the report's imports) and its browser
    when the batch prints PDFs (``prints``)."""
    _worker_init(parent)
    warm()
    if prints:
        pdf.warm()


@functools.cache
def _exporter():
    # one per worker: each new exporter builds a new jinja environment and keeps its caches
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="ccgmodels_report",
                            extra_template_basedirs=[str(HTML_TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    # cells for the notebook's reader and its tests (the notes, the checked figures), not the
    # board's
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"remove-cell"}),
                                   enabled=True)
    return exporter


def html_report(nb) -> str:
    """The executed notebook as HTML without code cells, prompts or the cells tagged
    ``remove-cell``, with no external scripts."""
    body, _ = _exporter().from_notebook_node(nb)
    return body


def _error_of(exc: BaseException) -> dict:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return {"cell": exc.exec_count, "source": exc.source, "ename": exc.ename,
                "evalue": exc.evalue}
    return {"cell": None, "source": "", "ename": type(exc).__name__, "evalue": str(exc)}


def _expected(task: Task) -> list[str]:
    files = ["report.ipynb", "results.csv", "report.xlsx"]
    return files + (["uncertainty.csv"] if task.runs > 0 else [])


def execute(task: Task) -> dict:
    """Make one report: execute the notebook in a fresh staging folder, export it, write the
    manifest, and move the folder into ``out/<name>`` (or ``out/_failed/<name>``).

    Returns the index record of the scenario. Never raises for a failing report, whatever the
    failure (the notebook, an encoding, a full disk, a folder in the way): the record says it.
    A kernel that died is replaced and the report tried once more, in a new staging folder.
    """
    out = Path(task.out)
    target = out / task.name
    if target.resolve().parent != out.resolve():  # names are slugs; never write outside out
        raise ValueError(f"unsafe scenario name {task.name!r}")
    started, t0 = now(), time.perf_counter()
    for attempt in (1, 2):
        staging = None
        try:
            staging = outdir.new_staging(out, task.name)
            error = _make(task, staging)
            if (error is not None and error.get("ename") == "DeadKernelError" and attempt == 1
                    and _parent_alive()):
                continue  # the kernel died (killed, out of memory): one retry, as for a worker
            record = _record(task, staging, error, started, time.perf_counter() - t0)
            if not _parent_alive():  # the batch is gone: install nothing after its end
                shutil.rmtree(staging, ignore_errors=True)
                os._exit(143)
            if error is None:
                outdir.mark(staging, "report", task.run_id)
                kept = outdir.install(staging, target, "report")
                if kept:  # the batch says so on the terminal
                    record["kept"] = [str(k) for k in kept]
                outdir.remove_owned(out / FAILED / task.name)
            else:
                install_failure(out, task.name, record, staging)
            return record
        except Exception as exc:  # noqa: BLE001 - isolation: this scenario fails, not the batch
            _discard_kernel()
            record = failed_record(task, type(exc).__name__, str(exc))
            try:
                install_failure(out, task.name, record)
            except Exception:  # noqa: BLE001 - the index still gets the record
                pass
            return record
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            _collect()
    raise AssertionError("unreachable")


def _collect() -> None:
    """Free the executed notebook and its outputs before the next report (a full collection),
    then, after a worker's first report, move what survives (modules, caches) out of the
    collector's reach (``gc.freeze``), so that later collections only walk a report's own
    objects (0.12 s a report otherwise)."""
    gc.collect()
    if not gc.get_freeze_count():
        gc.freeze()


def _make(task: Task, staging: Path) -> dict | None:
    """Run the report notebook into ``staging`` and export it; the error, or None."""
    import nbformat
    import papermill as pm

    from ..inputs.yamlread import dump

    error, nb = None, None
    # the writer validation sized: a scenario that validates re-reads from this file
    (staging / "scenario.yaml").write_text(dump(task.assumptions), encoding="utf-8")
    nb_path = staging / "report.ipynb"
    try:
        with report_kernel(staging) as km:
            nb = pm.execute_notebook(
                task.template, str(nb_path), km=km, kernel_name="python3",
                engine_name=_engine(),
                metadata={"ccgmodels": {"run_id": task.run_id, "input_key": task.input_key,
                                        "title": task.title},
                          "title": f"{task.title} ({task.name})"},
                parameters={"scenario": "scenario.yaml", "overrides": {}, "org": task.org,
                            "runs": task.runs, "seed": task.seed, "output_dir": ".",
                            "baseline": task.baseline, "provenance": _cover_facts(task)},
                progress_bar=False, log_output=False, execution_timeout=task.timeout)
    except Exception as exc:  # noqa: BLE001 - any failure is reported in the index
        error = _error_of(exc)  # the kernel is discarded (report_kernel)
        nb = nbformat.read(nb_path, as_version=4) if nb_path.exists() else None
    missing = [f for f in _expected(task) if not (staging / f).exists()]
    if error is None and missing:
        error = {"cell": None, "source": "", "ename": "MissingOutput",
                 "evalue": f"the notebook did not write {', '.join(missing)}"}
    if nb is not None:
        (staging / "report.html").write_text(html_report(nb), encoding="utf-8")
    if error is None and task.pdf and pdf.chromium() is not None:
        try:
            pdf.print_pdf(staging / "report.html", staging / "report.pdf")
        except pdf.PdfError as exc:
            error = {"cell": None, "source": "", "ename": "PdfError", "evalue": str(exc)}
    return error


ENGINE = "ccgmodels"


@functools.cache
def _engine() -> str:
    """Register (once per process) and name the papermill engine of batch reports:
    papermill's nbclient engine writing the executed notebook only where papermill needs it.

    papermill's own engine rewrites ``report.ipynb`` at every cell's start and end (39 writes
    of a report, charts included). This one writes it once, with the report's metadata:
    papermill's final write, or its write of a failing cell's notebook; and, when the engine
    itself fails (a dead kernel, a cell over the timeout), the notebook as far as it ran, for
    the failure folder.
    """
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.iorw import write_ipynb

    class FinalWriteEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, metadata=None,
                             **kwargs):
            nb.metadata.update(metadata or {})
            try:
                return super().execute_notebook(nb, kernel_name, output_path=None, **kwargs)
            except Exception:  # not when interrupted: that staging folder is discarded, and
                if output_path:  # a worker told to stop must unwind at once
                    write_ipynb(nb, output_path)
                raise

    papermill_engines.register(ENGINE, FinalWriteEngine)
    return ENGINE


def _cover_facts(task: Task) -> dict:
    """What the report's cover says of the run: run id, commit, version, date."""
    p = task.package or {}
    return {"run_id": task.run_id, "commit": (p.get("git_commit") or "")[:12],
            "dirty": bool(p.get("git_dirty")), "version": p.get("version", ""),
            "date": now()[:10]}


def install_failure(out: Path, key: str, record: dict, folder: Path | None = None) -> None:
    """Write ``record`` as ``out/_failed/<key>/failure.json`` (with the partial outputs in
    ``folder``, when given), replacing an earlier failure folder only if ccgmodels made it."""
    out = Path(out)
    tmp = folder or outdir.new_staging(out, key)
    try:
        (tmp / "failure.json").write_text(json.dumps(record, indent=2, default=str),
                                          encoding="utf-8")
        outdir.mark(tmp, "failed")
        outdir.install(tmp, out / FAILED / key, "failed")
    finally:
        if folder is None:
            shutil.rmtree(tmp, ignore_errors=True)


def task_record(task: Task, status: str, *, error: dict | None = None,
                report: str | None = None, partial: str | None = None,
                headline: dict | None = None) -> dict:
    """A scenario's row of the index (see :func:`ccgmodels.batch.pages.write_pages`)."""
    # the era whose words the index uses for this row: stated, else the base year's
    base = task.assumptions.get("base_year")
    era = task.assumptions.get("era") or (era_of(base) if isinstance(base, str)
                                          and base[:4].isdigit() else None)
    return {"name": task.name, "title": task.title, "source": task.source, "status": status,
            "report": report, "partial": partial, "headline": headline, "error": error,
            "finished": now(), "runs": task.runs, "seed": task.seed,
            "extends": task.extends or None, **({"era": era} if era else {})}


def _record(task: Task, folder: Path, error: dict | None, started: str, seconds: float
            ) -> dict:
    headline = None
    if (folder / "results.csv").exists():
        from ..models.results import read_tidy
        from ..outputs.summaries import key_figures

        try:
            headline = key_figures(read_tidy(folder / "results.csv"), task.org)
        except Exception:  # noqa: BLE001 - a partial results file has no headline
            headline = None
    if error is None:
        record = task_record(task, "ok", report=task.name, headline=headline)
    else:
        record = task_record(task, "failed", error=error, partial=f"{FAILED}/{task.name}",
                             headline=headline)
    if error is None:
        import papermill

        provenance.write_manifest(folder, provenance.manifest(
            "report", scenario=task.name, title=task.title, assumptions=task.assumptions,
            scenario_file=task.scenario_file, scenario_sha256=task.scenario_sha256,
            overrides=task.overrides, org=task.org, runs=task.runs, seed=task.seed,
            started=started, finished=record["finished"], package=task.package,
            duration_s=round(seconds, 3), input_key=task.input_key,
            papermill_run_id=task.run_id, papermill_version=papermill.__version__,
            template=task.template, template_sha256=task.template_sha256, index=record))
    return record


# --- engines -------------------------------------------------------------------------------

Done = Callable[[dict], None]


def failed_record(task: Task, ename: str, evalue: str) -> dict:
    """The index record of a report that failed outside its notebook (a dead worker)."""
    return task_record(task, "failed", error={"cell": None, "source": "", "ename": ename,
                                              "evalue": evalue})


def run_processes(tasks: list[Task], workers: int, done: Done) -> None:
    """Run ``tasks`` on a pool of ``workers`` processes, at most one report per worker.

    A worker that dies (killed, out of memory) breaks the pool: the reports it and its
    neighbours were making are retried once on a fresh pool, then reported failed.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    queue, attempts = deque(tasks), Counter()
    ctx = multiprocessing.get_context("spawn")
    while queue:
        ex = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_start,
                                 initargs=(os.getpid(), any(t.pdf for t in queue)))
        running: dict = {}
        broken = False
        try:
            while queue or running:
                while queue and not broken and len(running) < workers:
                    task = queue.popleft()
                    running[ex.submit(execute, task)] = task
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    task = running.pop(fut)
                    try:
                        done(fut.result())
                    except BrokenProcessPool:
                        broken = True
                        attempts[task.name] += 1
                        if attempts[task.name] < 2:
                            queue.appendleft(replace(task, run_id=uuid.uuid4().hex))
                        else:
                            done(failed_record(task, "WorkerDied", "the worker process making this "
                                         "report died twice (killed or out of memory)"))
                    except Exception as exc:  # noqa: BLE001
                        done(failed_record(task, type(exc).__name__, str(exc)))
                if broken and not running:
                    break
        except BaseException:
            for proc in list((getattr(ex, "_processes", None) or {}).values()):
                proc.terminate()  # SIGTERM: the worker removes its staging folder and kernel
            ex.shutdown(wait=True, cancel_futures=True)
            raise
        ex.shutdown(wait=True)


def run_dask(tasks: list[Task], workers: int, done: Done, scheduler: str | None = None
             ) -> None:
    """Run ``tasks`` on a dask.distributed cluster: the one at ``scheduler``, or a local
    cluster of ``workers`` single-threaded processes. Workers must see ``out`` at the same
    path (a shared file system)."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ReportError("the dask engine needs dask.distributed: pip install "
                          "'ccgmodels[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout=30)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    futures = {client.submit(execute, t, key=f"ccgmodels-report-{t.name}-{t.run_id}",
                             pure=False): t for t in tasks}
    try:
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                done(fut.result())
            except Exception as exc:  # noqa: BLE001 - KilledWorker and the like
                done(failed_record(task, type(exc).__name__, str(exc)))
    finally:
        client.cancel(list(futures))
        client.close()
        if cluster is not None:
            cluster.close()
