"""The package's layers: imports only point down
(``version < inputs < models < outputs < batch < app < cli``).

Every module of ``ccgmodels`` is parsed (nothing is imported), and every import in it, at the
top or inside a function, is checked against the rule stated in ``ccgmodels/__init__.py``:

* a module imports only from its own layer or a lower one;
* there is no import circle (inside a layer or across);
* matplotlib only in ``outputs/plotting.py``, ipywidgets only in ``outputs/widgets.py``,
  openpyxl only in ``outputs/workbook.py`` and the assumptions workbook's writer
  (``inputs/book/writer.py``) and reader (``inputs/book/reader.py``), papermill /
  nbconvert / nbformat / nbclient /
  jupyter_client / jupyter_core only in ``batch/``;
* a test of a layer (``tests/<layer>/``) uses no upper layer, through a helper module of
  ``tests/`` or the public API (``from ccgmodels import run_scenario`` is the models layer)
  included; ``tests/test_*.py`` test the whole package;
* no module is longer than 600 lines (a guide against sprawl, never a reason to split a module
  by size rather than by meaning).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ccgmodels"
#: bottom to top; ``version`` is one module (the installed version, read by the package root,
#: manifests, the batch log and the command line), below everything so any layer may ask it
#: ``app`` is the explorer served as a web page, the second front door: under ``cli``, whose
#: ``ccgmodels app`` starts it
LAYERS = ("version", "inputs", "models", "outputs", "batch", "app", "cli")
#: third-party packages allowed only in the named modules (paths relative to the package);
#: matplotlib also in outputs/livecharts.py, the explorer's charts kept alive between changes
CONFINED = {
    "matplotlib": ("outputs/plotting.py", "outputs/livecharts.py"),
    "ipywidgets": ("outputs/widgets.py",),
    # the report workbook, and the assumptions workbook (layout: inputs/book/layout.py, no
    # openpyxl): written by inputs/book/writer.py, read by inputs/book/reader.py
    "openpyxl": ("outputs/workbook.py", "inputs/book/writer.py", "inputs/book/reader.py"),
    **{name: ("batch/",) for name in ("papermill", "nbconvert", "nbformat", "nbclient",
                                      "jupyter_client")},
    # and the Voila server's process, which uses its async helper
    "jupyter_core": ("batch/", "app/voila_server.py"),
    # the app extra: only in the Voila server's own process (app/launch.py starts it)
    **{name: ("app/voila_server.py",) for name in ("voila", "jupyter_server", "traitlets")},
}
MAX_LINES = 600


def module_name(path: Path, root: Path = PACKAGE) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer_of(module: str) -> int | None:
    """Layer index of a ``ccgmodels`` module; None for the package root (``__init__``,
    ``__main__``), which sits above every layer."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    head = parts[1]
    if head in LAYERS:
        return LAYERS.index(head)
    if head == "__main__":
        return None
    raise AssertionError(f"module {module} is in no layer: put it in one of {LAYERS}")


def imports_of(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """``(line, imported module)`` for every import statement in ``path``, lazy ones included;
    relative imports resolved, ``from X import name`` giving ``X.name`` when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                is_module = (root.parent / Path(*sub.split("."))).with_suffix(".py").is_file() \
                    or (root.parent / Path(*sub.split(".")) / "__init__.py").is_file()
                out.append((node.lineno, sub if is_module else target))
    return out


def breaches(root: Path = PACKAGE) -> list[str]:
    """Every breach of the layer rule under ``root``, as ``file:line: what`` text."""
    out = []
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        here = module_name(path, root)
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            out.append(f"{rel}: {n} lines, more than {MAX_LINES}")
        mine = layer_of(here)
        graph.setdefault(here, set())
        for line, target in imports_of(path, root):
            top = target.split(".")[0]
            if top == root.name:
                graph[here].add(target)
                theirs = layer_of(target)
                if mine is not None and (theirs is None or theirs > mine):
                    where = "the package root" if theirs is None else LAYERS[theirs]
                    out.append(f"{rel}:{line}: imports {target} ({where}) from the "
                               f"{LAYERS[mine]} layer: imports must point down "
                               f"({' < '.join(LAYERS)})")
            elif top in CONFINED and not any(rel == a or (a.endswith("/") and
                                                          rel.startswith(a))
                                             for a in CONFINED[top]):
                out.append(f"{rel}:{line}: imports {target}, allowed only in "
                           f"{', '.join(CONFINED[top])}")
    out += [f"import circle: {' -> '.join(c)}" for c in cycles(graph)]
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import circles among package modules (a module importing its own package's
    ``__init__`` counts as importing that package)."""
    found, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found


def test_imports_point_down_and_nothing_breaks_the_rule():
    found = breaches()
    assert found == [], "layer rule broken:\n" + "\n".join(found)


def test_package_docstring_states_the_rule():
    import ccgmodels

    doc = ccgmodels.__doc__ or ""
    assert "version < inputs < models < outputs < batch < app < cli" in doc


@pytest.fixture
def planted(tmp_path):
    """A copy of the package with one upward import planted in a models module."""
    import shutil

    copy = tmp_path / "ccgmodels"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    target = copy / "models" / "demand.py"
    text = target.read_text(encoding="utf-8")
    target.write_text(text + "\n\ndef _planted():\n    from ..outputs import tables\n"
                      "    return tables\n", encoding="utf-8")
    return copy, len(text.splitlines()) + 4


def test_a_planted_upward_import_is_caught(planted):
    copy, line = planted
    found = breaches(copy)
    assert found[0] == (f"models/demand.py:{line}: imports ccgmodels.outputs.tables (outputs) "
                        "from the models layer: imports must point down "
                        "(version < inputs < models < outputs < batch < app < cli)")
    # and, since outputs import models, it closes a circle back to demand
    assert [f for f in found[1:] if not f.startswith("import circle:")] == []
    assert any("ccgmodels.models.demand -> ccgmodels.outputs.tables" in f for f in found[1:])


def test_a_planted_circle_and_confined_import_are_caught(tmp_path):
    import shutil

    copy = tmp_path / "ccgmodels"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    (copy / "inputs" / "years.py").write_text(
        (copy / "inputs" / "years.py").read_text() + "\nfrom . import paths  # noqa\n"
        "import matplotlib  # noqa\n")
    (copy / "inputs" / "paths.py").write_text(
        (copy / "inputs" / "paths.py").read_text() + "\nfrom . import years  # noqa\n")
    found = breaches(copy)
    assert any(f.startswith("inputs/years.py:") and "matplotlib" in f for f in found), found
    assert any(f.startswith("import circle:") and "ccgmodels.inputs.paths" in f
               and "ccgmodels.inputs.years" in f for f in found), found


POSIX_ONLY = {"fcntl", "pwd", "grp", "termios", "resource", "posix"}


def posix_imports(source: str) -> list[str]:
    """POSIX-only modules imported at the top level of a module's source."""
    found = []
    for node in ast.parse(source).body:  # the module's top level only
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        found += [n for n in names if n.split(".")[0] in POSIX_ONLY]
    return found


def test_no_module_imports_a_posix_only_module_at_top_level():
    """Windows, where most NHS analysts work, has none of these: a top-level import would stop
    every command there. Function-local imports guarded by the platform are allowed."""
    found = [f"{path.relative_to(PACKAGE)}: {n}" for path in sorted(PACKAGE.rglob("*.py"))
             for n in posix_imports(path.read_text(encoding="utf-8"))]
    assert found == []
    assert posix_imports("import os\nimport fcntl\nfrom pwd import getpwnam\n") == [
        "fcntl", "pwd"]
    assert posix_imports("def f():\n    import fcntl\n") == []


# -- tests obey the rule too --------------------------------------------------------------------

TESTS = Path(__file__).resolve().parent


def public_api() -> dict[str, str]:
    """``ccgmodels``'s public names and the modules that define them (``_API``, read, not
    imported)."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if getattr(target, "id", None) == "_API":
                return ast.literal_eval(node.value)
    raise AssertionError("ccgmodels/__init__.py has no _API")


def used_by_test(path: Path, api: dict[str, str],
                 root: Path = TESTS) -> list[tuple[int, str]]:
    """``(line, ccgmodels module)`` a test file uses: its imports (``from ccgmodels import
    run_scenario`` is ``ccgmodels.models.run``; ``ccgmodels.widgets`` after ``import
    ccgmodels`` is ``ccgmodels.outputs.widgets``), and those of the helper modules in
    ``tests/`` it imports (``from books import exported``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        names: list[tuple[str, list[str]]] = []
        if isinstance(node, ast.Import):
            names = [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [(node.module, [a.name for a in node.names])]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "ccgmodels" and node.attr in api):
            out.append((node.lineno, api[node.attr]))
        for module, members in names:
            top = module.split(".")[0]
            helper = root / (module.removeprefix("tests.").replace(".", "/") + ".py")
            if top == "ccgmodels":
                if module == "ccgmodels" and members:
                    out += [(node.lineno, api.get(m, f"ccgmodels.{m}")) for m in members]
                elif module != "ccgmodels":
                    out.append((node.lineno, module))
            elif helper.is_file() and helper.parent == root and helper != path:
                out += [(node.lineno, f"{t} (through {helper.name})")
                        for _, t in used_by_test(helper, api, root)]
    return out


def layer_breaches_of_tests(root: Path = TESTS) -> list[str]:
    """Every test of a layer (``tests/<layer>/``) that uses an upper layer."""
    api, out = public_api(), []
    for path in sorted(root.rglob("test_*.py")):
        rel = path.relative_to(root)
        if len(rel.parts) < 2 or rel.parts[0] not in LAYERS:
            continue  # tests/test_*.py test the whole package
        mine = LAYERS.index(rel.parts[0])
        for line, target in used_by_test(path, api, root):
            module = target.split(" ")[0]
            theirs = layer_of(module) if module != "ccgmodels" else None
            if theirs is None or theirs > mine:
                where = "the package root" if theirs is None else LAYERS[theirs]
                out.append(f"{rel.as_posix()}:{line}: uses {target} ({where}) from a test of "
                           f"the {LAYERS[mine]} layer: move the test up, or test the lower "
                           "layer's own function")
    return out


def test_a_test_of_a_lower_layer_uses_no_upper_layer():
    found = layer_breaches_of_tests()
    assert found == [], "a test of a lower layer uses an upper layer:\n" + "\n".join(found)


def test_a_planted_upward_test_import_is_caught(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "helper.py").write_text("from ccgmodels.outputs.tables import money\n")
    (tmp_path / "models" / "test_x.py").write_text(
        "import ccgmodels\nfrom ccgmodels import plotting\nfrom helper import money\n"
        "from ccgmodels.inputs import years\n\n"
        "def test_y():\n    ccgmodels.run_scenario\n")
    found = layer_breaches_of_tests(tmp_path)
    assert [f.split(" from ")[0] for f in found] == [
        "models/test_x.py:2: uses ccgmodels.outputs.plotting (outputs)",
        "models/test_x.py:3: uses ccgmodels.outputs.tables (through helper.py) (outputs)"]
