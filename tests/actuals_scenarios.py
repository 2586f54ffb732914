"""A scenario with actuals for the plan-vs-actual tests: the CPR CCG 2019/20 plan (bundled)
with a month 9 forecast outturn whose figures are made up so the variances are round numbers.

The plan's base-year figures (``run_scenario("cpr_2019_20")``, 2019/20, cpr_ccg): surplus
579.9, allocation total 275,220, expenditure acute 141,916 and prescribing 29,373 [£k].
"""

from __future__ import annotations

ACTUALS = """
extends: cpr_2019_20
name: cpr_actuals
actuals:
  basis: forecast_outturn
  as_at: month 9
  figures:
    cpr_ccg:
      surplus: -1420.1
      allocation: 275220
      expenditure:
        acute: 144916
        prescribing: 28873
"""


def write(tmp_path, text: str = ACTUALS, name: str = "cpr_actuals.yaml"):
    """``text`` written as a scenario file in ``tmp_path``; its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
