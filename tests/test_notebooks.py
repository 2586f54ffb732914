"""The notebooks: thin, parameterised, stripped, and executed.

How the notebooks are checked
-----------------------------
* ``make test`` (plain ``pytest``) collects ``notebooks/`` too and executes every notebook with
  nbval in lax mode (``--nbval-lax``, set in pyproject.toml with ``--nbval-sanitize-with
  tests/nbval_sanitize.cfg``): every cell must run without error, and only cells whose first
  line is ``# NBVAL_CHECK_OUTPUT`` have their output compared.
* Decision: those marked cells, and only those, are committed WITH their expected output (the
  rounded headline figures of the default scenario, footprint_2019_20, in £k); every other cell
  is committed with no output and ``execution_count`` None (a checked cell keeps an execution
  count: nbval rejects a stored output on a cell that was never run).
  :func:`test_outputs_stripped_except_checked_cells` enforces exactly that. When the model
  changes a headline figure on purpose, refresh the stored outputs with
  ``.venv/bin/python tests/test_notebooks.py --refresh`` and review the diff.
* Below, papermill runs every notebook with no parameters (the default scenario) and with each
  other bundled scenario (``ccgmodels list``), in a temporary folder, on the ``python3`` kernel
  (the venv's python); the uncertainty notebook runs with ``runs=200`` to keep this quick.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ("demand_growth", "commissioner_plan", "primary_care_bridge", "qipp_schemes",
         "uncertainty", "scenario_report", "explorer")
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
PARAMETERS = {"scenario", "overrides", "org", "runs", "seed", "output_dir", "interactive"}
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
        ast.literal_eval(node.value)  # raises on anything but a literal
        names.add(node.target.id)
    assert names == PARAMETERS
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
def test_outputs_stripped_except_checked_cells(name):
    for cell in code_cells(read(name)):
        if cell.source.startswith(CHECK_MARK):
            # nbval treats a cell with outputs and no execution count as an error
            assert cell.execution_count is not None
            assert cell.outputs, "a checked cell stores its expected output"
            assert all(o.output_type == "stream" for o in cell.outputs)
        else:
            assert cell.execution_count is None
            assert cell.outputs == [], f"{name}: output stored in:\n{cell.source}"


def _has_uncertainty() -> bool:
    try:
        from ccgmodels import plotting, uncertainty
    except ImportError:
        return False
    return all(hasattr(uncertainty, f) for f in ("simulate", "summarise", "tornado")) and all(
        hasattr(plotting, f) for f in ("fan_chart", "tornado_chart", "position_s_curve"))


def _scenarios() -> list[str]:
    from ccgmodels.validation import bundled_scenarios

    return sorted(bundled_scenarios())


@pytest.mark.parametrize("scenario", _scenarios())
@pytest.mark.parametrize("name", NAMES)
def test_papermill_runs(name, scenario, tmp_path):
    pm = pytest.importorskip("papermill")
    if name == "uncertainty" and not _has_uncertainty():
        pytest.skip("ccgmodels.uncertainty or its charts are missing")
    params: dict = {} if scenario == DEFAULT_SCENARIO else {"scenario": scenario}
    if name == "uncertainty":
        params["runs"] = 200
    if name == "scenario_report":
        params["output_dir"] = str(tmp_path / "figures")
    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out), parameters=params,
                        kernel_name="python3", cwd=str(tmp_path), progress_bar=False)
    done = nbformat.read(out, as_version=4)
    printed = "".join(o.get("text", "") for c in code_cells(done) for o in c.outputs)
    assert "Traceback" not in printed
    if name == "scenario_report":
        assert len(list((tmp_path / "figures").glob("*.png"))) >= 5


def refresh() -> None:
    """Re-execute each notebook and store the outputs of the checked cells only."""
    import tempfile

    import papermill as pm

    for name in NAMES:
        if not any(c.source.startswith(CHECK_MARK) for c in code_cells(read(name))):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.ipynb"
            pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out),
                                kernel_name="python3", cwd=tmp, progress_bar=False)
            ran = {c.source: c.outputs for c in code_cells(nbformat.read(out, as_version=4))}
        nb = read(name)
        for i, cell in enumerate(code_cells(nb), start=1):
            checked = cell.source.startswith(CHECK_MARK)
            cell.execution_count = i if checked else None
            cell.outputs = ([o for o in ran[cell.source] if o.output_type == "stream"]
                            if checked else [])
            cell.metadata.pop("execution", None)
            cell.metadata.pop("papermill", None)
        nb.metadata.pop("papermill", None)
        nbformat.write(nb, NOTEBOOKS / f"{name}.ipynb")
        print("refreshed", name)


if __name__ == "__main__" and sys.argv[1:] == ["--refresh"]:
    refresh()
