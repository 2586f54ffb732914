"""The folder of one ``ccgmodels run``: ``results.csv`` (and ``uncertainty.csv``) with its
``manifest.json``, built in staging and installed by the safe writer (:mod:`.outdir`)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from ..inputs.limits import terminal
from ..inputs.vocab import FOOTPRINT
from . import outdir, provenance


def write_run(scenario, source: str, text: bytes, df, out: Path, *, overrides=None,
              seed=None, runs: int = 0, started: str | None = None,
              extra: dict | None = None) -> Path:
    """Write ``results.csv`` and ``manifest.json`` for one scenario into ``out/<name>/``.

    ``extra`` maps further file names to tables written beside them (``uncertainty.csv`` of a
    Monte Carlo run of ``runs`` runs with ``seed``).

    The caller holds ``out``'s lock (:func:`.outdir.locked`). Files are written
    to a staging folder and moved into place when complete, so an interrupted run never leaves
    a half-written result; a folder in the way is replaced only if it is an earlier ``run``
    output (:func:`.outdir.install`).
    """
    from ..models.results import write_tidy

    target = out / scenario.name
    tmp = outdir.new_staging(out, scenario.name)
    try:
        write_tidy(df, tmp / "results.csv")
        for name, frame in (extra or {}).items():
            write_tidy(frame, tmp / name)
        provenance.write_manifest(tmp, provenance.manifest(
            "run", scenario=scenario.name, title=scenario.title,
            assumptions=scenario.model_dump(mode="json"), scenario_file=source,
            scenario_sha256=provenance.sha256(text), overrides=overrides, org=FOOTPRINT,
            runs=runs, seed=seed, started=started or provenance.now(),
            finished=provenance.now(), rows=int(len(df))))
        outdir.mark(tmp, "run")
        for copy in outdir.install(tmp, target, "run"):  # said where the user looks
            print(terminal(f"{scenario.name}: your edited copy is kept beside the remade "
                           f"results: {copy}"), file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
