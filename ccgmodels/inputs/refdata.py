"""Reference figures from the planning documents, as tidy tables.

The CSV files live in ``ccgmodels/data/reference/`` and are shipped inside the
package; they are read through :mod:`importlib.resources`, so the loader works
from an installed wheel as well as from a source checkout. The datasheet
``data/README.md`` in the repository describes every table, its source lines
and every correction made.

Conventions (all tables)
------------------------
* Tidy long format: dimension columns, then ``value``, ``unit``,
  ``source_file``, ``source_lines`` and ``note``.
* ``value`` is numeric; a figure the documents do not give ("-", "TBC", a
  missing number) is ``NaN`` with an explanation in ``note``, never 0.
* Money is in the unit printed in the source: ``£``, ``£k`` or ``£m`` (see
  ``unit``). Rates and shares are fractions (3.40% is 0.034, unit
  ``fraction``). Counts have unit ``count`` or a more specific unit such as
  ``appointments/week``.
* Signs: surplus positive, deficit negative; savings positive; costs shown as
  negatives in the source (primary care bridge enablers, "Unidentified QIPP")
  stay negative.
* Financial years are written ``2019/20`` (column ``financial_year``).
* ``source_file`` is a short name (``000``, ``002``, ``003``, ``004``; see
  :data:`SOURCE_FILES`) and ``source_lines`` gives 1-based line numbers in that
  file, e.g. ``L1981`` or ``L1997-L2013``; several ranges are separated by ``;``.
* Text columns are strings; empty text is ``""``. The columns ``corrected``,
  ``is_subtotal`` and ``printed_column_shifted`` are booleans.
"""

from __future__ import annotations

import functools
import math
from importlib import resources
from importlib.resources.abc import Traversable

import pandas as pd

from . import years as fy
from .vocab import BRIDGE_ITEMS

__all__ = [
    "COMMON_COLUMNS",
    "SOURCE_FILES",
    "activity_growth",
    "allocation_growth",
    "allocations",
    "expenditure_plan",
    "list_tables",
    "load",
    "pc_bridge",
    "qipp_schemes",
    "qipp_summary",
]

#: Columns every reference table ends with, in this order.
COMMON_COLUMNS: tuple[str, ...] = ("value", "unit", "source_file", "source_lines", "note")

#: Short source names used in ``source_file`` and the document each refers to.
SOURCE_FILES: dict[str, str] = {
    "000": "ccg-operational-plan-2019-20-castle-point-rochford-southend.txt",
    "002": "stp-progress-update-hosc-2017-01.txt",
    "003": "essex-hwb-five-year-plan-2014-06.txt",
    "004": "nhse-stp-plans-on-a-page-examples-2016-09.txt",
}

_BOOL_COLUMNS = ("corrected", "is_subtotal", "printed_column_shifted")
#: the bridge rows as the document names them, where they differ from the model's items
_BRIDGE_DOCUMENT_NAMES = {"baseline_funding": "ccg_baseline_funding",
                          "stf": "stf_allocation_gpfv"}
_BRIDGE_ORDER = tuple(_BRIDGE_DOCUMENT_NAMES.get(item, item) for item in BRIDGE_ITEMS)


def _reference_dir() -> Traversable:
    """Return the package resource directory holding the reference CSVs."""
    return resources.files("ccgmodels") / "data" / "reference"


def list_tables() -> list[str]:
    """List the available reference tables.

    Returns
    -------
    list of str
        Table names (CSV file names without ``.csv``), sorted.
    """
    return sorted(
        entry.name[: -len(".csv")]
        for entry in _reference_dir().iterdir()
        if entry.name.endswith(".csv")
    )


@functools.cache
def _read(name: str) -> pd.DataFrame:
    with (_reference_dir() / f"{name}.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    df["value"] = pd.to_numeric(df["value"].where(df["value"] != ""), errors="raise")
    df["value"] = df["value"].astype("float64")
    for col in _BOOL_COLUMNS:
        if col in df.columns:
            df[col] = df[col].map({"true": True, "false": False}).astype(bool)
    return df


def load(name: str) -> pd.DataFrame:
    """Load one reference table.

    Parameters
    ----------
    name : str
        Table name as returned by :func:`list_tables` (without ``.csv``).

    Returns
    -------
    pandas.DataFrame
        A fresh copy of the table: ``value`` is float with ``NaN`` for figures
        the source does not give, text columns are strings.

    Raises
    ------
    KeyError
        If there is no table called `name`; the message lists the available ones.
    """
    available = list_tables()
    if name not in available:
        raise KeyError(f"unknown reference table {name!r}; available tables: {available}")
    return _read(name).copy()


def _select(table: str, **keys: str) -> pd.DataFrame:
    df = load(table)
    mask = pd.Series(True, index=df.index)
    for col, wanted in keys.items():
        mask &= df[col] == wanted
    out = df[mask]
    if out.empty:
        options = sorted(set(zip(*(df[c] for c in keys), strict=True)))
        raise KeyError(f"no rows in {table!r} for {keys}; available {tuple(keys)}: {options}")
    return out


def allocations(org_id: str, year: str) -> dict[str, float]:
    """Recurrent CCG allocation by type (£k).

    Parameters
    ----------
    org_id : str
        ``"cpr_ccg"`` or ``"southend_ccg"``.
    year : str
        ``"2018/19"`` or ``"2019/20"``.

    Returns
    -------
    dict of str to float
        Keys ``programme``, ``running_costs``, ``primary_care_cocommissioning``
        and ``total`` (the printed grand total), in £k.
    """
    df = _select("ccg_allocations", org_id=org_id, financial_year=year)
    return dict(zip(df["allocation_type"], df["value"], strict=True))


def allocation_growth(org_id: str, year: str = "2019/20") -> dict[str, float]:
    """Allocation growth computed from the levels, not the printed rates.

    Parameters
    ----------
    org_id : str
        ``"cpr_ccg"`` or ``"southend_ccg"``.
    year : str, default "2019/20"
        Year of the later level; growth is against the previous year.

    Returns
    -------
    dict of str to float
        Growth as a fraction for each allocation type (e.g. CPR
        co-commissioning 0.0307, printed ".1%" in the source).
    """
    previous = fy.format_year(fy.start_of(year) - 1)
    now, before = allocations(org_id, year), allocations(org_id, previous)
    return {k: now[k] / before[k] - 1.0 for k in now}


def expenditure_plan(org_id: str, year: str = "2019/20") -> dict[str, float]:
    """CCG expenditure plan by service line (£k).

    Parameters
    ----------
    org_id : str
        ``"cpr_ccg"`` or ``"southend_ccg"``.
    year : str, default "2019/20"
        Only 2019/20 is given in the source.

    Returns
    -------
    dict of str to float
        Service lines (``acute``, ``ambulance``, ..., ``unidentified_qipp``
        negative) plus ``total_expenditure``, ``total_allocation`` and
        ``surplus`` as printed.
    """
    df = _select("ccg_expenditure_plan", org_id=org_id, financial_year=year)
    return dict(zip(df["service_line"], df["value"], strict=True))


def qipp_summary(org_id: str = "cpr_ccg", year: str = "2019/20") -> dict[str, float]:
    """QIPP value by expenditure category (£k); CPR 2019/20 only in the source.

    Parameters
    ----------
    org_id : str, default "cpr_ccg"
    year : str, default "2019/20"

    Returns
    -------
    dict of str to float
        Categories plus ``planning_gap``, ``grand_total`` and
        ``headroom_target``.
    """
    df = _select("qipp_summary", org_id=org_id, financial_year=year)
    return dict(zip(df["expenditure_category"], df["value"], strict=True))


def qipp_schemes(org_id: str = "cpr_ccg", year: str = "2019/20") -> pd.DataFrame:
    """QIPP schemes with net saving (£k), status and inferred category.

    Parameters
    ----------
    org_id : str, default "cpr_ccg"
        No Southend scheme list exists in the source.
    year : str, default "2019/20"

    Returns
    -------
    pandas.DataFrame
        One row per scheme, indexed by ``scheme_id``; ``value`` is ``NaN`` for
        schemes still scoping (printed "-").
    """
    df = _select("qipp_schemes", org_id=org_id, financial_year=year)
    return df.set_index("scheme_id")


def pc_bridge(org_id: str) -> pd.DataFrame:
    """Primary care financial bridge (£m), realigned reading, as a wide table.

    Parameters
    ----------
    org_id : str
        ``"cpr_ccg"`` or ``"southend_ccg"``.

    Returns
    -------
    pandas.DataFrame
        Index ``line_item`` in source order, columns financial years
        2017/18-2020/21, ``NaN`` where the source has no value.
        ``future_model``, ``in_year_position`` and ``end_state`` are subtotals.
    """
    df = _select("primary_care_bridge", org_id=org_id)
    wide = df.pivot(index="line_item", columns="financial_year", values="value")
    wide = wide.reindex(list(_BRIDGE_ORDER))
    wide.columns.name = None
    return wide


def activity_growth(provider_id: str, year: str = "2019/20") -> dict[str, float | None]:
    """Planned activity growth by point of delivery for an acute provider.

    Parameters
    ----------
    provider_id : str
        ``"suhft"``, ``"btuh"`` or ``"meht"``.
    year : str, default "2019/20"

    Returns
    -------
    dict of str to float or None
        Growth as a fraction per point of delivery; ``None`` where the source
        prints "-" (no value, not zero).
    """
    df = _select("activity_growth", provider_id=provider_id, financial_year=year)
    return {
        pod: (None if math.isnan(v) else float(v))
        for pod, v in zip(df["point_of_delivery"], df["value"], strict=True)
    }
