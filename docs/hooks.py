"""MkDocs hooks of the ccgmodels site (``mkdocs.yml``: ``hooks: [docs/hooks.py]``).

What the site generates at build time, so that no page is a hand copy of something kept
elsewhere:

- the measure glossary (``measures.md``) is replaced by the output of ``ccgmodels catalogue``
  (the measure catalogue of the package being documented);
- one API reference page per domain module under ``ccgmodels/models/`` (a new module gets its
  page and its nav entry without an edit here);
- a ``<!-- OrgResult measures -->`` line is replaced by a table of the per-measure attributes of
  :class:`ccgmodels.models.run.OrgResult` with their docstrings, which the class makes from the
  measure catalogue when it is imported (so static docstring collection cannot see them);
- every public function and class of the public API and of ``ccgmodels/models/`` must have a
  docstring: a missing one is a warning, so ``mkdocs build --strict`` fails.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "ccgmodels" / "models"
log = logging.getLogger("mkdocs.hooks.ccgmodels")

#: the nav section the domain module pages are added to
REFERENCE = "API reference"
#: a Sphinx role of a docstring (``:func:`~a.b```) as Markdown renders it
ROLE = re.compile(r":(?:class|func|meth|attr|mod|data|exc|obj|math):<code>(~?)([^<]*)</code>")


def model_modules() -> list[str]:
    """The domain modules: ``ccgmodels/models/*.py`` without the private ones."""
    return sorted(p.stem for p in MODELS.glob("*.py") if not p.stem.startswith("_"))


def on_config(config):
    for entry in config["nav"]:
        if isinstance(entry, dict) and REFERENCE in entry:
            entry[REFERENCE].append({"Domain modules (ccgmodels.models)": [
                {name: f"reference/models/{name}.md"} for name in model_modules()]})
            break
    else:
        log.warning("mkdocs.yml has no nav section %r for the domain module pages", REFERENCE)
    return config


def on_files(files, config):
    for name in model_modules():
        files.append(File.generated(config, f"reference/models/{name}.md",
                                    content=module_page(name)))
    return files


def module_page(name: str) -> str:
    """A domain module's reference page; what it defines for the public API is documented on
    the Public API page (one home for each object), and linked from here."""
    module = f"ccgmodels.models.{name}"
    public = sorted(p for p, m in public_api().items() if m == module)
    page = [f"# `{module}`", ""]
    if public:
        links = ", ".join(f"[`{p}`][{module}.{p}]" for p in public)
        page += [f"Of the public API, {links} {'is' if len(public) == 1 else 'are'} "
                 f"defined here and documented on the [Public API](../api.md) page.", ""]
    page += [f"::: {module}"]
    if public:
        filters = ", ".join(['"!^_"', *(f'"!^{p}$"' for p in public)])
        page += ["    options:", f"      filters: [{filters}]"]
    return "\n".join(page) + "\n"


def on_pre_build(config):
    for problem in missing_docstrings():
        log.warning("missing docstring: %s", problem)


def checkout_python(*args: str) -> subprocess.CompletedProcess:
    """``python *args`` with the checkout being documented first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8")


def catalogue() -> str:
    """``ccgmodels catalogue`` of the checkout being documented."""
    done = checkout_python("-m", "ccgmodels", "catalogue")
    if done.returncode:
        log.warning("ccgmodels catalogue failed: %s", done.stderr.strip())
        return "# Measures\n\nThe catalogue could not be generated.\n"
    return done.stdout


MEASURE_ATTRIBUTES = "<!-- OrgResult measures -->"
#: prints the table of OrgResult's per-measure attributes, from the class itself
_ATTRIBUTES_TABLE = """
from ccgmodels.models.measures import MEASURES
from ccgmodels.models.run import OrgResult
print("| attribute | what it is |")
print("|---|---|")
for name in MEASURES:
    doc = " ".join(getattr(OrgResult, name).__doc__.split())
    print(f"| `OrgResult.{name}` | {doc} |")
"""


def measure_attributes() -> str:
    """The table of :class:`ccgmodels.models.run.OrgResult`'s per-measure attributes."""
    done = checkout_python("-c", _ATTRIBUTES_TABLE)
    if done.returncode or not done.stdout.strip():
        log.warning("OrgResult's measure attributes could not be listed: %s",
                    done.stderr.strip())
        return ""
    return done.stdout


def on_page_read_source(page, config):
    if page.file.src_uri == "measures.md":
        return catalogue()
    return None


def on_page_markdown(markdown, page, config, files):
    if MEASURE_ATTRIBUTES in markdown:
        markdown = markdown.replace(MEASURE_ATTRIBUTES, measure_attributes())
    return markdown


def on_page_content(html, page, config, files):
    """The docstrings' Sphinx roles as cross-references (to the object's page when the site
    documents it, else as code): ``:func:`~ccgmodels.models.run.evaluate``` and, on a module's
    page, ``:func:`evaluate``` link to that function."""
    here = re.fullmatch(r"reference/models/(\w+)\.md", page.file.src_uri)
    module = f"ccgmodels.models.{here.group(1)}" if here else None

    def ref(match):
        short, target = match.groups()
        if not re.fullmatch(r"[\w.]+", target):  # :math: and the like: code as it is
            return f"<code>{target}</code>"
        title = target.rsplit(".", 1)[-1] if short else target
        if "." not in target and module:
            target = f"{module}.{target}"
        return f'<autoref identifier="{target}" optional><code>{title}</code></autoref>'

    return ROLE.sub(ref, html)


def missing_docstrings() -> list[str]:
    """Public functions and classes without a docstring: those ``ccgmodels/__init__.py``
    exports, and those of every domain module (``ccgmodels/models/*.py``)."""
    problems = []
    for name in model_modules():
        path = MODELS / f"{name}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not ast.get_docstring(tree):
            problems.append(f"ccgmodels.models.{name} (the module)")
        for node in tree.body:
            if (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                    and not node.name.startswith("_") and not ast.get_docstring(node)):
                problems.append(f"ccgmodels.models.{name}.{node.name}")
    for public, module in public_api().items():
        path = ROOT / Path(*module.split(".")).with_suffix(".py")
        if not path.exists():  # a subpackage (plotting, tables, widgets are modules)
            path = path.with_suffix("") / "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if module.endswith("." + public):
            if not ast.get_docstring(tree):
                problems.append(module)
            continue
        nodes = [n for n in tree.body if getattr(n, "name", None) == public]
        if nodes and not ast.get_docstring(nodes[0]):
            problems.append(f"{module}.{public}")
    return sorted(set(problems))


def public_api() -> dict[str, str]:
    """``ccgmodels._API``, read from the source (public name -> module defining it)."""
    tree = ast.parse((ROOT / "ccgmodels" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(getattr(t, "id", None) == "_API" for t in targets):
                return ast.literal_eval(node.value)
    log.warning("ccgmodels/__init__.py has no _API table")
    return {}
