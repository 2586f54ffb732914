"""The batch tests' stand-in report (a file of helpers, not tests): the quick template, scenario
variants and a silent log, shared by tests/batch/test_reports.py, test_reports_resume.py and
test_reports_interrupt.py.

The stand-in template (``quick_template``) is the real report's parameters cell, then the
model and the data files, without charts, and switches read from the scenario's description:
``FAIL`` raises in a cell, ``SLOW`` sleeps (so a run can be interrupted mid-report),
``KILLKERNEL`` ends the kernel process. Every report also asserts that nothing is left in the
kernel's namespace from the report before it.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import yaml

PARAMETERS = '''\
scenario: str = "footprint_2019_20"  # bundled scenario name or YAML path
overrides: dict = {}  # {"dotted.path": value}
org: str = "footprint"  # organisation id or footprint
runs: int = 0  # Monte Carlo draws [count]
seed: int = 20190401  # random seed [-]
output_dir: str = ""  # folder for the report's files
interactive: bool = False  # unused here
'''
CELLS = [
    "import time\nfrom ccgmodels.outputs import tables, workbook\n"
    "from ccgmodels.models.run import run_scenario\n"
    "from ccgmodels.inputs.loading import load_scenario\ns = load_scenario(scenario, overrides)",
    'assert "leftover" not in globals(), "state leaked from the previous report"\nleftover = 1',
    'if "FAIL" in s.description:\n    raise ValueError("deliberate failure in " + s.name)',
    # SLOW waits up to 8 s, or until the file its description ends with exists (the test
    # releases it)
    'if "SLOW" in s.description:\n    import os\n    end = time.monotonic() + 8\n'
    '    release = s.description.split()[-1]\n'
    '    while time.monotonic() < end and not os.path.exists(release):\n'
    '        time.sleep(0.05)',
    'if "KILLKERNEL" in s.description:\n    import os\n    os._exit(1)',
    "from ccgmodels.models import uncertainty\nresults = run_scenario(s)\n"
    "summary = uncertainty.summarise(uncertainty.simulate(s, runs, seed)) if runs else None\n"
    "book = tables.report_tables(results, s, org, summary)\n"
    "written = workbook.write_report_files(output_dir, results, book, summary)",
]


def write_quick_template(folder: Path) -> Path:
    """The stand-in report notebook, written to ``folder/quick.ipynb``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "quick.ipynb"
    nbformat.write(nb, path)
    return path


def variant(folder: Path, name: str, description: str = "a variant", base: str = "cpr_2019_20",
            file: str | None = None, **fields) -> Path:
    """A scenario file extending ``base`` with its own name and description."""
    path = folder / (file or f"{name}.yaml")
    path.write_text(yaml.safe_dump({"extends": base, "name": name, "description": description,
                                    **fields}))
    return path


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def quiet(line: str) -> None:  # run_batch's log
    pass


#: a line of the batch log: time, level (the terminal shows the same lines without them)
LOG_LINE = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 (INFO|WARNING|ERROR) ")


def log_names(out: Path) -> list[str]:
    """The batch logs' names in ``out``, oldest first."""
    return sorted(p.name for p in out.glob("batch-*")) if out.exists() else []
