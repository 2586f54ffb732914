"""Output folders as ccgmodels makes them, for the tests of the safe writer
(``tests/batch/test_outdir.py``) and of the commands that use it (``tests/test_cli_outdir.py``)."""

from __future__ import annotations

from ccgmodels.batch import outdir, provenance

#: the scenario the output folder tests run
NAME = "cpr_2019_20"


def fake_report(out, name=NAME):
    """A folder as ``report`` makes it: files, manifest, marker."""
    folder = out / name
    folder.mkdir(parents=True)
    for f in ("report.html", "report.xlsx", "results.csv", "report.ipynb"):
        (folder / f).write_text(f"the {f}")
    provenance.write_manifest(folder, provenance.manifest(
        "report", scenario=name, title="t", assumptions={}, scenario_file="x",
        scenario_sha256="0", overrides=None, org="footprint", runs=0, seed=None,
        started="s", finished="f", package={"package": "ccgmodels"}))
    outdir.mark(folder, "report", "id")
    return folder
