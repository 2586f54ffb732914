"""Packaging: environment.yml and pyproject.toml agree, and the wheel ships the data.

The conda environment must list exactly the dependencies of pyproject.toml (core and the
``dask``, ``lab``, ``app`` and ``dev`` extras), with the same version specifiers, so the two
install routes cannot drift apart. The core dependencies are exactly the third-party packages
the library imports (plus the kernel its reports run in), and a wheel runs a report with no
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


def pip_requirements(groups: list[str]) -> dict[str, SpecifierSet]:
    """``{conda package name: specifier}`` for the named pyproject groups ('core' or extras)."""
    project = PYPROJECT["project"]
    out: dict[str, SpecifierSet] = {}
    for group in groups:
        lines = project["dependencies"] if group == "core" else (
            project["optional-dependencies"][group])
        for line in lines:
            req = Requirement(line)
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
    pip = pip_requirements(["core", "dask", "lab", "app", "dev"])
    conda = conda_requirements()
    assert sorted(conda) == sorted(pip), "environment.yml and pyproject.toml list different "
    "packages"
    drifted = {n: (str(pip[n]), str(conda[n])) for n in pip if pip[n] != conda[n]}
    assert drifted == {}, f"version specifiers differ (pyproject, environment): {drifted}"


def test_core_dependencies_are_in_environment():
    # the core list alone, so an extra cannot hide a missing core package
    core = pip_requirements(["core"])
    assert {"numpy", "pandas", "pydantic", "pyyaml"} <= set(core)
    assert set(core) <= set(conda_requirements())


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
DISTRIBUTIONS = {"yaml": "pyyaml", "jupyter_client": "jupyter_client",
                 "jupyter_core": "jupyter_core"}
#: core dependencies the library never imports but needs: the kernel reports run in, and
#: the XML serialiser openpyxl writes workbooks through when it is installed
RUNTIME_ONLY = {"ipykernel", "lxml"}


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


def test_core_dependencies_are_what_the_library_imports():
    core = set(pip_requirements(["core"]))
    used = {DISTRIBUTIONS.get(n, n).lower() for n in third_party_imports()}
    used -= {"dask", "distributed"}  # the "dask" extra, imported only when asked for
    # the "app" extra: Voila (with its Jupyter Server and traitlets), imported only in the
    # server process ccgmodels app starts (batch/voila_server.py)
    app_extra = {"voila", "jupyter_server", "traitlets"}
    assert "voila" in {r.split(">")[0].split("=")[0] for r in pip_requirements(["app"])}
    used -= app_extra
    assert used - core == set(), "imported but not declared"
    assert core - used - RUNTIME_ONLY == set(), "declared but never imported"
    for dev_only in ("nbval", "jupyterlab", "pytest", "scipy", "voila"):
        assert dev_only not in core


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
