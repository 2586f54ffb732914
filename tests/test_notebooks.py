"""The notebooks: thin, parameterised, stripped, and executed.

How the notebooks are checked
-----------------------------
* ``make test`` (plain ``pytest``) collects ``notebooks/`` too and executes every notebook with
  nbval in lax mode (``--nbval-lax``, set in pyproject.toml): every cell must run without error.
* Notebooks are committed with no outputs at all (:func:`test_outputs_stripped`). The summary
  cell of each notebook, whose first line is ``# CHECKED: ...``, prints rounded headline
  figures of the default scenario (footprint_2019_20, £k); the papermill run below compares
  that printed text with ``tests/golden/notebooks/<name>.txt``. When the model changes a
  headline figure on purpose, refresh the golden files with
  ``.venv/bin/python tests/test_notebooks.py --refresh`` and review the diff.
* Below, papermill runs every notebook with no parameters (the default scenario) and with each
  other bundled scenario (``ccgmodels list``), in a temporary folder, on the ``python3`` kernel
  (the venv's python), one kernel reset between runs as the batch runner does; the uncertainty
  notebook runs with ``runs=200`` to keep this quick.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import pytest

from ccgmodels import run_scenario
from ccgmodels.models.seeds import DEFAULT_SEED

#: slow: the notebooks executed in kernels with papermill
pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ("demand_growth", "commissioner_plan", "primary_care_bridge", "qipp_schemes",
         "uncertainty", "scenario_report", "explorer")
CHECK_MARK = "# CHECKED:"
GOLDEN = Path(__file__).resolve().parent / "golden" / "notebooks"
#: every parameter a notebook may take; each notebook's cell holds those it uses
PARAMETERS = {"scenario", "overrides", "org", "runs", "seed", "output_dir", "interactive",
              "real_terms", "baseline", "provenance"}
DEFAULT_SCENARIO = "footprint_2019_20"


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def python_of(cell) -> str:
    """Cell source with IPython magics turned into Python, so ``ast`` can parse it."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell.source)


def test_every_notebook_is_there():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_opens_with_what_it_answers(name):
    first = read(name).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert " For " in first.source  # says for whom


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell_is_literals_annotated_and_commented(name):
    nb = read(name)
    tagged = [c for c in code_cells(nb) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse(tagged[0].source)
    names = set()
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), ast.dump(node)
        value = ast.literal_eval(node.value)  # raises on anything but a literal
        names.add(node.target.id)
        if node.target.id == "seed":  # a literal here, so checked against the one rule
            assert value == DEFAULT_SEED, f"{name}: seed {value}, not {DEFAULT_SEED}"
    assert names <= PARAMETERS, names - PARAMETERS
    # each parameter is one the notebook uses, and nothing else sits in the cell
    used = {n.id for c in code_cells(nb) if c is not tagged[0]
            for n in ast.walk(ast.parse(python_of(c))) if isinstance(n, ast.Name)}
    assert names <= used, f"{name}: parameters it never uses: {sorted(names - used)}"
    assert {"scenario", "overrides"} <= names
    lines = [ln for ln in tagged[0].source.splitlines() if ln and not ln.startswith("#")]
    assert all("  # " in ln for ln in lines), "every parameter has a comment"
    assert DEFAULT_SCENARIO in tagged[0].source


@pytest.mark.parametrize("name", NAMES)
def test_no_definitions_in_notebooks(name):
    for cell in code_cells(read(name)):
        tree = ast.parse(python_of(cell))
        bad = [type(n).__name__ for n in ast.walk(tree)
               if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)]
        assert not bad, f"{name}: {bad} in cell:\n{cell.source}"


@pytest.mark.parametrize("name", NAMES)
def test_outputs_stripped(name):
    for cell in code_cells(read(name)):
        assert cell.execution_count is None
        assert cell.outputs == [], f"{name}: output stored in:\n{cell.source}"


@pytest.mark.parametrize("name", NAMES)
def test_checked_cell_names_its_golden_file(name):
    checked = [c for c in code_cells(read(name)) if c.source.startswith(CHECK_MARK)]
    if name == "uncertainty":  # random draws: nothing rounded enough to pin
        assert checked == []
        return
    assert len(checked) == 1
    golden = f"tests/golden/notebooks/{name}.txt"
    assert checked[0].source.splitlines()[0] == f"{CHECK_MARK} output compared with {golden}"
    assert "\n" in (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")  # several lines


def checked_text(nb) -> str | None:
    """Printed text of the notebook's ``# CHECKED:`` cell, or None if it has none."""
    cells = [c for c in code_cells(nb) if c.source.startswith(CHECK_MARK)]
    if not cells:
        return None
    assert len(cells) == 1
    return "".join(o.get("text", "") for o in cells[0].outputs if o.output_type == "stream")


def _has_uncertainty() -> bool:
    try:
        from ccgmodels.models import uncertainty
        from ccgmodels.outputs import plotting
    except ImportError:
        return False
    return all(hasattr(uncertainty, f) for f in ("simulate", "summarise", "tornado")) and all(
        hasattr(plotting, f) for f in ("fan_chart", "tornado_chart", "position_s_curve"))


def _scenarios() -> list[str]:
    from ccgmodels.inputs.loading import bundled_scenarios

    return sorted(bundled_scenarios())


@pytest.fixture(scope="module", autouse=True)
def _no_kernel_left():
    """The kernel these tests share is shut down when they end."""
    yield
    from ccgmodels.batch.kernels import _discard_kernel

    _discard_kernel()


def _execute(name: str, out: Path, params: dict, folder: Path) -> None:
    """papermill runs notebook ``name`` into ``out`` in a kernel reset in ``folder``, as
    ``ccgmodels report`` runs its notebook: one kernel kept across these tests and reset
    before each (:mod:`ccgmodels.batch.kernels`), replaced after a failure. nbval runs every
    notebook in a fresh kernel besides."""
    import papermill as pm

    from ccgmodels.batch.kernels import report_kernel

    with report_kernel(folder) as km:
        pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out), parameters=params,
                            km=km, kernel_name="python3", cwd=str(folder), progress_bar=False)


@pytest.mark.parametrize("scenario", _scenarios())
@pytest.mark.parametrize("name", NAMES)
def test_papermill_runs(name, scenario, tmp_path):
    pm = pytest.importorskip("papermill")
    if name == "uncertainty" and not _has_uncertainty():
        pytest.skip("ccgmodels.models.uncertainty or its charts are missing")
    params: dict = {} if scenario == DEFAULT_SCENARIO else {"scenario": scenario}
    if name == "uncertainty":
        params["runs"] = 200
    if name == "scenario_report":
        params["output_dir"] = str(tmp_path / "figures")
    out = tmp_path / f"{name}.ipynb"
    needs = {"demand_growth": "activity", "primary_care_bridge": "pc_bridge"}.get(name)
    has = set(run_scenario(scenario)["measure"])
    if needs is not None and needs not in has:
        # a scenario without what the notebook draws gets one clear sentence, not a traceback
        with pytest.raises(pm.PapermillExecutionError, match="nothing to show for it"):
            _execute(name, out, params, tmp_path)
        return
    _execute(name, out, params, tmp_path)
    done = nbformat.read(out, as_version=4)
    printed = "".join(o.get("text", "") for c in code_cells(done) for o in c.outputs)
    assert "Traceback" not in printed
    if name == "scenario_report":
        # the waterfall is drawn only for a scenario with a primary care bridge
        assert len(list((tmp_path / "figures").glob("*.png"))) >= 4 + ("pc_bridge" in has)
    text = checked_text(done)
    if scenario == DEFAULT_SCENARIO and text is not None:
        assert text == (GOLDEN / f"{name}.txt").read_text(encoding="utf-8"), (
            f"{name}: headline figures changed; if on purpose, run "
            "tests/test_notebooks.py --refresh")


def refresh() -> None:
    """Re-execute each notebook on the default scenario and store its checked cell's text."""
    import tempfile

    import papermill as pm

    for name in NAMES:
        if checked_text(read(name)) is None:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.ipynb"
            pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out),
                                kernel_name="python3", cwd=tmp, progress_bar=False)
            text = checked_text(nbformat.read(out, as_version=4))
        (GOLDEN / f"{name}.txt").write_text(text, encoding="utf-8")
        print("refreshed", name)


if __name__ == "__main__" and sys.argv[1:] == ["--refresh"]:
    refresh()


@pytest.mark.parametrize("name", ["commissioner_plan", "uncertainty"])
def test_tables_read_as_the_report(name, tmp_path):
    """Issue 29: the notebooks' tables use the report's display names and number formats: no
    dotted path, distribution code, raw float or pandas header row of ids."""
    import re

    pytest.importorskip("papermill")
    params = {"runs": 200} if name == "uncertainty" else {}
    out = tmp_path / f"{name}.ipynb"
    _execute(name, out, params, tmp_path)
    shown = [str(o.get("data", {}).get("text/html", "")) for c in code_cells(
        nbformat.read(out, as_version=4)) for o in c.outputs]
    tables = [t for t in shown if "<table" in t]
    assert tables, f"{name}: no table shown"
    for t in tables:
        assert 'class="dataframe"' not in t, "a raw pandas table"
        assert 'class="report-table' in t
        for bad in (r"organisations\.", r"normal80", r"\d\.\d{5,}", r"\(Cpr ccg\)",
                    r">footprint \(£k\)<", r">solutions<"):
            assert not re.search(bad, t), f"{name}: {bad!r} in a table"
    if name == "uncertainty":
        assert any("Price inflation (all organisations)" in t for t in tables)
