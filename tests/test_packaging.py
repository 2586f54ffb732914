"""Packaging: environment.yml and pyproject.toml agree, the wheel ships the data, and the core
is light.

The conda environment must list exactly the dependencies of pyproject.toml (the core and the
``workbook``, ``reports``, ``dask``, ``lab``, ``app`` and ``dev`` extras), with the same version
specifiers, so the two install routes cannot drift apart. The core is numpy, pandas, pydantic
and pyyaml (issue 26): ``validate`` and ``run`` (Monte Carlo included) need nothing else, which
a fresh venv with the core alone checks (slow), and a process with every optional package
blocked checks in the quick tier; a command that needs an extra says which, exit 2. Every
package the library imports is in the core or an extra, and a wheel runs a report with no
checkout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
ENVIRONMENT = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
DATA = REPO / "ccgmodels" / "data"

#: a pip requirement with extras that conda-forge ships as separate packages
CONDA_SPLIT = {("dask", frozenset({"distributed"})): ["dask", "distributed"]}
#: the core, as issue 26 states it: the model, validate and run need these four only
CORE = {"numpy", "pandas", "pydantic", "pyyaml"}
#: the extras the package's own commands and notebooks need (dev is tooling, all gathers them)
EXTRAS = ("workbook", "reports", "dask", "lab", "app", "fast")


def pip_requirements(groups: list[str]) -> dict[str, SpecifierSet]:
    """``{conda package name: specifier}`` for the named pyproject groups ('core' or extras)."""
    project = PYPROJECT["project"]
    out: dict[str, SpecifierSet] = {}
    for group in groups:
        lines = project["dependencies"] if group == "core" else (
            project["optional-dependencies"][group])
        for line in lines:
            req = Requirement(line)
            if req.name == project["name"]:  # ccgmodels[...]: the named extras, listed too
                continue
            names = CONDA_SPLIT.get((req.name.lower(), frozenset(req.extras)), [req.name])
            for name in names:
                out[name.lower()] = req.specifier
    return out


def conda_requirements() -> dict[str, SpecifierSet]:
    """``{package: specifier}`` from environment.yml, without python, pip and the pip block."""
    out: dict[str, SpecifierSet] = {}
    for entry in ENVIRONMENT["dependencies"]:
        if not isinstance(entry, str):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", entry.strip())
        assert match, f"cannot read environment.yml entry {entry!r}"
        name, spec = match.groups()
        if name in ("python", "pip"):
            continue
        out[name.lower()] = SpecifierSet(spec)
    return out


def test_environment_matches_pyproject_dependencies():
    pip = pip_requirements(["core", *EXTRAS, "dev"])
    conda = conda_requirements()
    assert sorted(conda) == sorted(pip), "environment.yml and pyproject.toml list different "
    "packages"
    drifted = {n: (str(pip[n]), str(conda[n])) for n in pip if pip[n] != conda[n]}
    assert drifted == {}, f"version specifiers differ (pyproject, environment): {drifted}"


def test_core_dependencies_are_in_environment():
    # the core list alone, so an extra cannot hide a missing core package
    core = pip_requirements(["core"])
    assert set(core) == CORE
    assert set(core) <= set(conda_requirements())


def self_extras(group: str) -> set[str]:
    """The extras of ccgmodels that the extra ``group`` pulls in (``ccgmodels[reports,...]``)."""
    reqs = [Requirement(line) for line in PYPROJECT["project"]["optional-dependencies"][group]]
    return {e for r in reqs if r.name == PYPROJECT["project"]["name"] for e in r.extras}


def test_all_gathers_every_extra_and_dev_the_ones_it_tests():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert set(EXTRAS) <= set(extras)
    assert self_extras("all") >= set(EXTRAS)
    assert self_extras("dev") >= {"reports", "workbook", "app"}
    # make test installs dev with dask, make reports the reports extra
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "-e '.[dev,dask" in makefile
    assert re.search(r"\$\(STAMP\):.*\n\t.*-c requirements\.lock -e '\.\[reports", makefile)


def test_environment_python_satisfies_requires_python():
    pins = [e for e in ENVIRONMENT["dependencies"] if isinstance(e, str)
            and e.startswith("python=")]
    assert len(pins) == 1
    version = pins[0].removeprefix("python=")
    assert Version(version) in SpecifierSet(PYPROJECT["project"]["requires-python"])


def test_environment_installs_package_itself():
    pip_blocks = [e["pip"] for e in ENVIRONMENT["dependencies"] if isinstance(e, dict)]
    assert pip_blocks == [["-e ."]]


def test_drift_would_be_caught():
    # the comparison above is not vacuous: a changed specifier is seen as a difference
    pip = pip_requirements(["core"])
    assert pip["pandas"] != SpecifierSet(">=2.2")
    assert pip["pydantic"] == SpecifierSet("<3,>=2.5")


# --- package data -------------------------------------------------------------------------------


def package_data_globs() -> list[str]:
    return PYPROJECT["tool"]["setuptools"]["package-data"]["ccgmodels"]


def shipped_data_files() -> list[str]:
    return sorted(str(p.relative_to(DATA.parent)) for p in DATA.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


def test_every_data_file_is_listed_in_package_data():
    globs = package_data_globs()
    files = shipped_data_files()
    assert any(f.startswith("data/reference/") for f in files)
    assert any(f.startswith("data/scenarios/") for f in files)
    assert "data/scenario.schema.json" in files
    unlisted = [f for f in files if not any(fnmatch(f, g) for g in globs)]
    assert unlisted == []


def test_package_data_names_reference_scenarios_and_schema():
    globs = package_data_globs()
    assert "data/reference/*.csv" in globs
    assert "data/scenarios/*.yaml" in globs
    assert any(fnmatch("data/scenario.schema.json", g) for g in globs)


def _setuptools_version() -> Version | None:
    try:
        import setuptools
    except ImportError:
        return None
    return Version(setuptools.__version__)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel of the package built with ``pip wheel`` from a copy of the checkout."""
    needed = Requirement(next(r for r in PYPROJECT["build-system"]["requires"]
                              if r.startswith("setuptools")))
    have = _setuptools_version()
    if have is None or have not in needed.specifier:
        pytest.skip(f"building the wheel needs {needed} in this environment (found "
                    f"{have or 'no setuptools'}); install the dev extra")
    tmp_path = tmp_path_factory.mktemp("wheel")
    # build from a copy so the checkout gets no build/ or egg-info folder
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "ccgmodels", src / "ccgmodels",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path / "wheel"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                        "--no-build-isolation", "--no-cache-dir", "-q", "-w", str(out), "."],
                       cwd=src, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    (built,) = out.glob("ccgmodels-*.whl")
    return built


@pytest.mark.slow  # builds a wheel
def test_wheel_contains_reference_data_scenarios_and_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in shipped_data_files():
        assert f"ccgmodels/{f}" in names, f"{f} missing from the wheel"
    assert any(fnmatch(n, "ccgmodels/data/reference/*.csv") for n in names)
    assert any(fnmatch(n, "ccgmodels/data/scenarios/*.yaml") for n in names)
    assert "ccgmodels/data/scenario.schema.json" in names
    assert "ccgmodels/cli.py" in names
    assert "ccgmodels/data/templates/scenario_report.ipynb" in names


# --- dependencies as used ------------------------------------------------------------------------

#: import name -> distribution name, where they differ
DISTRIBUTIONS = {"yaml": "pyyaml", "PIL": "pillow", "jupyter_client": "jupyter_client",
                 "jupyter_core": "jupyter_core"}
#: packages of the extras the library never imports but needs: the kernel reports run in, the
#: XML serialiser openpyxl writes workbooks through when it is installed, and the servers the
#: app and the notebooks are started in (as processes)
RUNTIME_ONLY = {"ipykernel", "lxml", "voila", "jupyterlab"}


def third_party_imports() -> set[str]:
    """Top-level names of the non-standard-library modules the package imports."""
    import ast

    names = set()
    for path in (REPO / "ccgmodels").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in
            ("ccgmodels", "__future__")}


def test_dependencies_are_what_the_library_imports():
    core = set(pip_requirements(["core"]))
    extras = set(pip_requirements(list(EXTRAS)))
    used = {DISTRIBUTIONS.get(n, n).lower() for n in third_party_imports()}
    # Jupyter Server and traitlets come with Voila (the "app" extra) and are imported only in
    # the server process ccgmodels app starts (app/voila_server.py)
    used -= {"jupyter_server", "traitlets"}
    assert used - core - extras == set(), "imported but not declared"
    assert core - used == set(), "in the core but never imported"
    assert extras - used - RUNTIME_ONLY == set(), "in an extra but never imported"
    for dev_only in ("nbval", "pytest", "scipy", "hypothesis"):
        assert dev_only not in core | extras
    # selenium drives the batch's kept browser for report.pdf (outputs/pdf.py): the reports
    # extra's, not the core's
    assert "selenium" in set(pip_requirements(["reports"])) - core


def test_the_command_line_names_the_extra_of_each_optional_package():
    # ccgmodels report (or workbook, app, --scheduler) without its extra names that extra:
    # each package the command line checks for is one that extra installs
    from ccgmodels.cli import EXTRAS as CLI_EXTRAS

    for extra, modules in CLI_EXTRAS.items():
        declared = set(pip_requirements([extra]))
        assert {DISTRIBUTIONS.get(m, m).lower() for m in modules} <= declared, extra
    assert set(CLI_EXTRAS) <= set(EXTRAS)


@pytest.mark.slow
def test_installed_wheel_makes_a_report_without_a_checkout(wheel, tmp_path):
    """The wheel installed into a folder of its own (its dependencies from this environment)
    runs ``ccgmodels report`` from anywhere, finding its report template as package data."""
    site = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                        "-q", "--target", str(site), str(wheel)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = ("import ccgmodels.batch.reports as r, sys; print(r.TEMPLATE); "
            "sys.exit(r.TEMPLATE.is_file() is False)")
    r = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert Path(r.stdout.strip()).is_relative_to(site)
    r = subprocess.run([sys.executable, "-m", "ccgmodels", "report", "cpr_2019_20", "--out",
                        str(work / "out"), "--workers", "1"], cwd=work, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    manifest = json.loads((work / "out" / "cpr_2019_20" / "manifest.json").read_text())
    assert Path(manifest["template"]).is_relative_to(site)
    assert (work / "out" / "cpr_2019_20" / "report.html").stat().st_size > 10_000


def test_openpyxl_writes_through_lxml():
    # report.xlsx's Data sheet (a row per result) is written by lxml's C serialiser, not
    # openpyxl's pure-Python fallback, when lxml is installed, as the core dependencies say
    from openpyxl.xml import LXML

    assert LXML is True


# --- the core alone: validate and run without any extra (issue 26) -----------------------------

#: the packages of the extras (and what they pull in) that validate and run never import
OPTIONAL = ("matplotlib", "openpyxl", "lxml", "papermill", "nbformat", "nbconvert", "nbclient",
            "jupyter_client", "jupyter_core", "ipykernel", "ipywidgets", "IPython", "tqdm",
            "voila", "dask", "distributed", "filelock")
#: what a command that needs the reports extra says, in one line
REPORTS_HINT = "pip install 'ccgmodels[reports]'"

BLOCKED_RUN = """
import json, sys
OPTIONAL = {optional!r}
for name in OPTIONAL:  # import of any of these now fails, as where it is not installed
    sys.modules[name] = None
from ccgmodels.cli import main
out, other = sys.argv[1], sys.argv[2]
codes = [main(["validate", "cpr_2019_20"]),
         main(["run", "cpr_2019_20", "--out", out]),
         main(["run", "footprint_2019_20", "--runs", "20", "--out", out]),
         main(["report", "cpr_2019_20", "--out", other]),
         main(["workbook", "export", "cpr_2019_20", "-o", other + ".xlsx"])]
print(json.dumps(codes))
"""


def test_validate_and_run_need_no_optional_package(tmp_path):
    """The quick tier's check of the light core: every optional package blocked (an import of
    it fails), ``validate`` and ``run`` (a Monte Carlo too) succeed, and ``report`` and
    ``workbook`` say in one line which extra to install, exit 2, having written nothing."""
    out, other = tmp_path / "out", tmp_path / "other"
    code = BLOCKED_RUN.format(optional=OPTIONAL)
    r = subprocess.run([sys.executable, "-c", code, str(out), str(other)], cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.splitlines()[-1]) == [0, 0, 0, 2, 2], r.stdout + r.stderr
    assert (out / "cpr_2019_20" / "results.csv").is_file()
    assert (out / "footprint_2019_20" / "uncertainty.csv").is_file()
    assert "Traceback" not in r.stderr
    assert REPORTS_HINT in r.stderr
    assert "pip install 'ccgmodels[workbook]'" in r.stderr
    assert not other.exists() and not Path(f"{other}.xlsx").exists()


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


@pytest.mark.slow
def test_a_fresh_venv_with_the_core_alone_runs_a_scenario(wheel, tmp_path):
    """``pip install ccgmodels`` with no extras: a new venv holding the four core packages
    (their versions from requirements.lock) and the wheel, nothing else, validates and runs a
    scenario and its Monte Carlo; ``report`` names the extra it needs, exit 2, no traceback."""
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    r = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True,
                       text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    python = _venv_python(venv)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    r = subprocess.run([*pip, "-c", str(REPO / "requirements.lock"), *sorted(CORE)],
                       capture_output=True, text=True, timeout=600, env=env)
    if r.returncode != 0 and re.search(r"(?i)connection|network|resolve host|no matching "
                                       r"distribution|could not find a version", r.stderr):
        pytest.skip(f"the core's packages cannot be downloaded here: {r.stderr[-300:]}")
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*pip, "--no-deps", str(wheel)], capture_output=True, text=True,
                       timeout=300, env=env)
    assert r.returncode == 0, r.stderr

    work = tmp_path / "elsewhere"  # not the checkout: the installed package, nothing else
    work.mkdir()
    probe = (f"import importlib.util, json; print(json.dumps([n for n in {OPTIONAL!r} "
             "if importlib.util.find_spec(n) is not None]))")
    r = subprocess.run([str(python), "-c", probe], cwd=work, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [], "optional packages installed with the core"
    for name in ("matplotlib", "openpyxl", "jupyter_client", "papermill"):
        r = subprocess.run([str(python), "-c", f"import {name}"], cwd=work, env=env,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode != 0 and "ModuleNotFoundError" in r.stderr, name

    cli = [str(python), "-m", "ccgmodels"]
    script = venv / ("Scripts/ccgmodels.exe" if sys.platform == "win32" else "bin/ccgmodels")
    assert script.exists()  # the console script pip install makes
    out = tmp_path / "out"

    def ccgmodels(*args: str, command=(str(script),)) -> subprocess.CompletedProcess:
        return subprocess.run([*command, *args], cwd=work, env=env, capture_output=True,
                              text=True, timeout=600)

    r = ccgmodels("validate", "cpr_2019_20")
    assert r.returncode == 0, r.stderr
    r = ccgmodels("run", "cpr_2019_20", "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert (out / "cpr_2019_20" / "results.csv").stat().st_size > 10_000
    assert json.loads((out / "cpr_2019_20" / "manifest.json").read_text())["kind"] == "run"
    r = ccgmodels("run", "footprint_2019_20", "--runs", "50", "--out", str(out), command=cli)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (out / "footprint_2019_20" / "results.csv").is_file()
    assert (out / "footprint_2019_20" / "uncertainty.csv").is_file()
    r = ccgmodels("verify", str(out))
    assert r.returncode == 0, r.stdout + r.stderr

    r = ccgmodels("report", "cpr_2019_20", "--out", str(tmp_path / "x"))
    assert r.returncode == 2, r.stdout + r.stderr
    assert REPORTS_HINT in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "x").exists()
