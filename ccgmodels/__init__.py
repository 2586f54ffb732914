"""ccgmodels: scenario models for NHS health-system finance planning.

The package is five layers, each a folder, and the command line on top::

    inputs/    what a scenario is: years, dotted paths, vocabularies, field metadata, the typed
               frozen assumptions, cross-field rules, loading, the assumptions workbook
               (``book/``), reference data
    models/    the arithmetic: demand, schemes, primary care, finance, results (tidy table,
               catalogue, footprint, identities), run (the thin orchestrator), uncertainty
    outputs/   what people see: summaries, tables, the Excel pack, plotting, the explorer (its
               state, live charts and widgets)
    batch/     running many: provenance, executors, reports, pages
    app/       the explorer served as a web page (``ccgmodels app``, Voila)
    cli.py     the ``ccgmodels`` command

and, below them all, ``version.py``, the installed version (``__version__``). The rule:
``version < inputs < models < outputs < batch < app < cli``. A module imports only from its own
layer or a lower one, function-local imports included, and no two modules import each other in
a circle. matplotlib is imported only in ``outputs/plotting.py``, ipywidgets only in
``outputs/widgets.py``, openpyxl only in ``outputs/workbook.py`` and the assumptions
workbook's writer and reader (``inputs/book/writer.py``, ``inputs/book/reader.py``), and
papermill, nbconvert, nbformat and jupyter_client only in ``batch/``. ``tests/test_layers.py``
enforces it.

The explorer's charts, kept alive between changes, are the one other home of matplotlib
(``outputs/livecharts.py``).

Conventions: money in £k; rates as fractions (0.034 is 3.4%); financial years ``"2019/20"``;
surplus positive, deficit negative, savings positive. The public API below is imported on first
use, so ``import ccgmodels`` is cheap.
"""

from __future__ import annotations

import importlib

#: public name -> module that defines it
_API = {
    "Scenario": "ccgmodels.inputs.scenario",
    "ScenarioError": "ccgmodels.inputs.loading",
    "load_scenario": "ccgmodels.inputs.loading",
    "check": "ccgmodels.inputs.loading",
    "run_scenario": "ccgmodels.models.run",
    "run_model": "ccgmodels.models.run",
    "ModelResult": "ccgmodels.models.run",
    "OrgResult": "ccgmodels.models.run",
    "IdentityError": "ccgmodels.models.run",
    "simulate": "ccgmodels.models.uncertainty",
    "summarise": "ccgmodels.models.uncertainty",
    "tornado": "ccgmodels.models.uncertainty",
    "open_scenario": "ccgmodels.outputs.summaries",
    "stp_summary": "ccgmodels.outputs.summaries",
    "key_figures": "ccgmodels.outputs.summaries",
    "plotting": "ccgmodels.outputs.plotting",
    "tables": "ccgmodels.outputs.tables",
    "widgets": "ccgmodels.outputs.widgets",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name == "__version__":
        from .version import version

        return version()
    if name not in _API:
        raise AttributeError(f"module 'ccgmodels' has no attribute {name!r}")
    module = importlib.import_module(_API[name])
    value = module if module.__name__.endswith("." + name) else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
