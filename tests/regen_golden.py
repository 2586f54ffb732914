"""Regenerate the golden snapshots of every bundled scenario: ``python tests/regen_golden.py``.

Each ``tests/golden/<scenario>.csv`` holds the scenario's full results table with values rounded
to 3 decimals; ``tests/test_model.py`` compares a fresh run with it. Regenerate only on purpose,
after a change meant to move the results, and review the diff (``git diff tests/golden``) row by
row before committing: every changed figure should be explained by the change.

``python tests/regen_golden.py cpr_2019_20`` regenerates one scenario only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ccgmodels.inputs.loading import bundled_scenarios
from ccgmodels.models.results import COLUMNS
from ccgmodels.models.run import run_scenario

GOLDEN = Path(__file__).resolve().parent / "golden"
DECIMALS = 3


def snapshot(name: str) -> pd.DataFrame:
    """The results of bundled scenario ``name``, rounded and sorted as stored."""
    df = run_scenario(name)[COLUMNS].copy()
    df["value"] = df["value"].round(DECIMALS)
    return df.sort_values(["org", "measure", "item", "year"], ignore_index=True)


def read(name: str) -> pd.DataFrame:
    """The stored snapshot of ``name`` (empty items stay empty strings)."""
    return pd.read_csv(GOLDEN / f"{name}.csv", dtype={c: str for c in COLUMNS if c != "value"},
                       keep_default_na=False)


def main(names: list[str]) -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name in names or sorted(bundled_scenarios()):
        path = GOLDEN / f"{name}.csv"
        snapshot(name).to_csv(path, index=False, float_format=f"%.{DECIMALS}f")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
