"""The registers of a scenario report: every assumption with its value by year, unit and
source (or its ASSUMPTION flag), what-if changes marked; and the QIPP scheme register.

Both are plain tables (:class:`pandas.DataFrame`) so the HTML report and the Excel pack show
the same rows. Values are as the scenario holds them: money [£k], rates as fractions (shown as
per cent), counts. Sources come from the scenario's ``sources:`` block, matched on the longest
dotted prefix of each assumption's path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..inputs import fields
from ..inputs.scenario import Scenario
from ..inputs.vocab import FOOTPRINT
from . import labels
from .tables import money

#: fields that describe the scenario rather than assume anything, and blocks shown elsewhere
NOT_ASSUMPTIONS = {"name", "title", "description", "base_year", "end_year", "era", "sources",
                   "uncertainty", "organisations", "id", "kind", "actuals"}
#: the flag of a row: where its value comes from
FLAG_SOURCE, FLAG_ASSUMPTION, FLAG_DEFAULT, FLAG_WHATIF, FLAG_NONE = (
    "Source", "ASSUMPTION", "Default", "What-if", "No source")
YEAR = re.compile(r"^\d{4}/\d{2}$")
ALL_YEARS = "All years"


def source_of(sources: Mapping[str, str], path: str) -> str:
    """The ``sources:`` entry that covers ``path`` (the longest dotted prefix), or ""."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        key = ".".join(parts[:i])
        if key in sources:
            return sources[key]
        star = ".".join(["organisations", "*", *parts[2:i]]) if parts[0] == "organisations" \
            else None
        if star and star in sources:
            return sources[star]
    return ""


def format_value(value: Any, unit: str, era: str | None = None) -> str:
    """An assumption's value as a report prints it: £k as plans print money, fractions as per
    cent (two decimals when needed), yes/no, counts with separators."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            return "; ".join(_entry(v, era) for v in value)
        return ", ".join(labels.label(str(v), era=era) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{labels.label(str(k), era=era) if not str(k)[:1].isdigit() else k} "
                         f"{format_value(v, unit, era)}" for k, v in value.items())
    if isinstance(value, str):
        return labels.label(value, era=era) if labels.IDENTIFIER.fullmatch(value) or \
            "_" not in value and value.islower() else value
    if not isinstance(value, int | float) or math.isnan(value):
        return str(value)
    if unit.startswith("fraction"):
        pct = value * 100
        return f"{pct:.2f}%" if round(pct, 1) != round(pct, 2) else f"{pct:.1f}%"
    if unit.startswith("£k"):
        return money(value)
    if unit.startswith("count"):
        return f"{value:,.0f}"
    return f"{value:g}"


def _entry(entry: dict, era: str | None = None) -> str:
    """One entry of a list of mappings in words: a contract as ``SUHFT: Acute 70% (block
    contract)``, anything else as its fields."""
    if "provider" in entry and "lines" in entry:
        lines = ", ".join(f"{labels.label(k, era=era)} {v:.0%}"
                          for k, v in entry["lines"].items())
        return (f"{labels.label(entry['provider'])}: {lines}"
                f" ({entry.get('basis', 'activity')} contract)")
    return ", ".join(f"{labels.humanise(k)} {format_value(v, '', era)}"
                     for k, v in entry.items())


def _flat(node: Any, path: str = "") -> dict[str, Any]:
    """Leaves of plain data by dotted path (lists of schemes by their ids)."""
    out: dict[str, Any] = {}
    if isinstance(node, dict):
        for k, v in node.items():
            out.update(_flat(v, f"{path}.{k}" if path else str(k)))
    elif isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        for i, x in enumerate(node):
            out.update(_flat(x, f"{path}.{x.get('id', i)}"))
    else:
        out[path] = node
    return out


def _rows(scenario: Scenario, root: Any, node: Any, path: str, org: str, unit_root: type,
          unit_parts: list[str], out: list[dict]) -> None:
    key_years = isinstance(node, dict) and node and all(YEAR.match(str(k)) for k in node)
    if isinstance(node, dict) and not key_years and not path.endswith(("age_mix",)):
        for k, v in node.items():
            if not path and k in NOT_ASSUMPTIONS:
                continue
            _rows(scenario, root, v, f"{path}.{k}" if path else str(k), org, unit_root,
                  [*unit_parts, str(k)], out)
        return
    if key_years and all(isinstance(v, dict) for v in node.values()):  # {year: {field: v}}
        subfields = list(dict.fromkeys(f for v in node.values() for f in v))
        for f in subfields:
            _rows(scenario, root, {y: v.get(f) for y, v in node.items()}, f"{path}.{f}", org,
                  unit_root, [*unit_parts, next(iter(node)), f], out)
            out[-1]["leaves"] = {f"{path}.{y}.{f}": v.get(f) for y, v in node.items()}
        return
    try:
        meta = fields.describe(unit_root, unit_parts)
        unit = meta.unit
    except KeyError:
        unit = ""
    out.append({"path": path, "org": org, "unit": unit, "value": node, "by_year": key_years,
                "default": _is_default(unit_root, unit_parts, node),
                "leaves": _flat(node, path) if isinstance(node, dict | list) else {path: node}})


def _is_default(root: type, parts: list[str], value: Any) -> bool:
    """Whether ``value`` is the package default of the field at ``parts`` below ``root``."""
    try:
        parent, _, _ = fields.walk(root, parts[:-1])
    except KeyError:
        return False
    info = getattr(parent, "model_fields", {}).get(parts[-1]) if parts else None
    if info is None or info.is_required():
        return False
    default = info.get_default(call_default_factory=True)
    if hasattr(default, "model_dump"):
        default = default.model_dump(mode="json")
    return default == value


#: registers listed by a section of their own, pointed at by the assumptions register rather
#: than written out in one cell
LISTED_ELSEWHERE = {".efficiency.schemes": "the efficiency plan",
                    ".risks": "the risk-adjusted plan",
                    ".mitigations": "the risk-adjusted plan",
                    ".workforce.staff_groups": "the workforce"}


def assumptions_register(scenario: Scenario, base: Scenario | None = None) -> pd.DataFrame:
    """Every assumption ``scenario`` uses, one row each.

    Parameters
    ----------
    scenario : Scenario
        The scenario reported.
    base : Scenario, optional
        The scenario it varies (the one a what-if ``extends:``, or the file before ``--set``):
        rows whose value differs from it are flagged ``What-if`` with the base value.

    Returns
    -------
    pandas.DataFrame
        Columns ``Organisation, Assumption, Unit``, one per year (the modelled years and any
        earlier year an assumption is given for) plus ``All years``
        (the value, as text, in the years it applies to), ``Source`` (document and line, the
        ASSUMPTION text, or the package default), ``Flag`` (:data:`FLAG_SOURCE`,
        :data:`FLAG_ASSUMPTION`, :data:`FLAG_DEFAULT`, :data:`FLAG_WHATIF` or
        :data:`FLAG_NONE`) and ``path`` (the dotted path, for the workbook and tests; not shown
        in the HTML). QIPP schemes are one row pointing at :func:`scheme_register`.
    """
    data, era = scenario.model_dump(mode="json"), scenario.era
    base_flat = _flat(base.model_dump(mode="json")) if base is not None else {}
    rows: list[dict] = []
    _rows(scenario, data, {k: v for k, v in data.items() if k not in NOT_ASSUMPTIONS}, "",
          FOOTPRINT, Scenario, [], rows)
    for o, od in zip(scenario.organisations, data["organisations"], strict=True):
        od = {k: v for k, v in od.items() if k not in NOT_ASSUMPTIONS and k != "name"}
        sub: list[dict] = []
        _rows(scenario, od, od, "", o.id, type(o), [], sub)
        for r in sub:
            r["path"] = f"organisations.{o.id}.{r['path']}"
            r["leaves"] = {f"organisations.{o.id}.{k}": v for k, v in r["leaves"].items()}
        rows += sub
    # the modelled years, and any other years an assumption is given for (the bridge's
    # earlier years)
    years = sorted(set(scenario.years) | {str(y) for r in rows if r["by_year"] for y in
                                          r["value"]})
    out = []
    for r in rows:
        path, value, unit = r["path"], r["value"], r["unit"]
        if value is None:  # an optional assumption the scenario does not use
            continue
        is_default = r["default"]
        source = source_of(scenario.sources, path)
        row = {"Organisation": labels.org_name(scenario, r["org"]) if r["org"] != FOOTPRINT
               else "All organisations",
               "Assumption": labels.assumption_name(scenario, path, with_org=False),
               "Unit": _unit_name(unit), "path": path}
        listed = next((where for end, where in LISTED_ELSEWHERE.items()
                       if path.endswith(end)), None)
        if path.endswith(".qipp.schemes") or listed:
            for y in [*years, ALL_YEARS]:
                row[y] = ""
            what = "schemes" if "schemes" in path else "entries"
            row[ALL_YEARS] = (f"{len(value or [])} {what}: see "
                              f"{listed or labels.term('the_scheme_register', era)}"
                              if value else "none")
        elif r["by_year"]:
            for y in years:
                row[y] = format_value(value.get(y), unit, era) if y in value else ""
            row[ALL_YEARS] = ""
        else:
            for y in years:
                row[y] = ""
            row[ALL_YEARS] = format_value(value, unit, era)
        changed = []
        if base is not None:
            changed = [p for p, v in r["leaves"].items() if base_flat.get(p, object()) != v]
        if changed:
            was = {p: base_flat.get(p) for p in changed}
            was_text = "; ".join(format_value(v, unit, era) for v in was.values()
                                 if v is not None) or "not set"
            flag = FLAG_WHATIF
            source = (f"What-if: changed from {was_text} in {base.title}"
                      + (f". {source}" if source else ""))
        elif source:
            flag = FLAG_ASSUMPTION if "ASSUMPTION" in source else FLAG_SOURCE
        elif is_default:
            flag = FLAG_DEFAULT
            source = "Package default: not set in the scenario file (see the methods)"
        else:
            flag = FLAG_NONE
            source = "No source given in the scenario file"
        row["Source"], row["Flag"] = source, flag
        out.append(row)
    cols = ["Organisation", "Assumption", "Unit", *years, ALL_YEARS, "Source", "Flag", "path"]
    return pd.DataFrame(out, columns=cols)


def _unit_name(unit: str) -> str:
    return {"fraction/yr": "% a year", "fraction": "%", "£k": "£k", "£k/yr": "£k a year",
            "count/yr": "a year", "count": "count", "factor": "×", "years": "years"}.get(
        unit, unit)


#: columns of the scheme register, money in £k
SCHEME_COLUMNS = ["Organisation", "Scheme", "Category", "Status", "Gross saving",
                  "Investment", "Net saving", "Delivery probability", "Risk-adjusted saving",
                  "Phasing", "Recurrent"]


def scheme_register(scenario: Scenario) -> pd.DataFrame:
    """Every QIPP scheme of every commissioner: full-year gross saving, investment and net
    saving [£k/yr], the delivery probability of its status [fraction] and the risk-adjusted net
    saving (probability × net) [£k/yr], when it starts and whether it recurs.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCHEME_COLUMNS`, one row per scheme, schemes in the plan's order.
    """
    rows = []
    for o in scenario.organisations:
        q = getattr(o, "qipp", None)
        if q is None:
            continue
        for s in q.schemes:
            # a joint scheme at this commissioner's share; a described, uncosted pipeline
            # item has no figures
            nan = float("nan")
            net = s.net * s.share if s.costed else nan
            gross = s.gross * s.share if s.costed else nan
            p = float(q.delivery_probability.get(s.status, 0.0))
            start = s.start_year or scenario.base_year
            name = s.name + (f" (joint, {s.share:.1%} share)" if s.share < 1 else "") + (
                "" if s.costed else " (described, not costed)")
            rows.append({
                "Organisation": o.name, "Scheme": name,
                "Category": labels.label(s.category, era=scenario.era),
                "Status": labels.label(s.status, era=scenario.era),
                "Gross saving": gross,
                "Investment": s.investment * s.share if s.costed else nan,
                "Net saving": net,
                "Delivery probability": p, "Risk-adjusted saving": p * net,
                "Phasing": f"{start} Q{s.start_quarter}",
                "Recurrent": "Yes" if s.recurrent else "No (one year)"})
    return pd.DataFrame(rows, columns=SCHEME_COLUMNS)


#: the order of the scheme register's statuses: the plan's, then the pipeline outside it
STATUS_ORDER = ("delivered", "in_progress", "scoping", "unidentified", "pipeline")
#: the scheme register's money columns [£k a year]
SCHEME_MONEY = ("Gross saving", "Investment", "Net saving", "Risk-adjusted saving")


def scheme_subtotals(reg: pd.DataFrame, era: str | None = None) -> list[tuple[str, pd.DataFrame]]:
    """The rows of one organisation's scheme register (:func:`scheme_register`) grouped for
    the page: each status's schemes with its subtotal, the total of the plan, then the
    pipeline (outside the plan) with its own subtotal, never added to the plan.

    Returns
    -------
    list of (str, pandas.DataFrame)
        ``(kind, rows)`` in order: ``"schemes"`` (the schemes of one status),
        ``"subtotal"`` (one row: that status), ``"plan"`` (one row: every status but the
        pipeline) and ``"pipeline"`` (one row) [£k a year, full-year effect].
    """
    out: list[tuple[str, pd.DataFrame]] = []
    pipeline = labels.label("pipeline", era=era)
    names = [labels.label(s, era=era) for s in STATUS_ORDER]
    order = [n for n in names if n in set(reg["Status"])] + sorted(
        set(reg["Status"]) - set(names))
    plan = reg[reg["Status"] != pipeline]

    def total(rows: pd.DataFrame, name: str) -> pd.DataFrame:
        row = {c: "" for c in reg.columns}
        row.update({c: rows[c].sum() for c in SCHEME_MONEY})
        row.update({"Scheme": name, "Delivery probability": float("nan")})
        return pd.DataFrame([row], columns=reg.columns)

    for status in order:
        rows = reg[reg["Status"] == status]
        if status == pipeline:
            continue
        out += [("schemes", rows), ("subtotal", total(rows, f"Subtotal: {status}"))]
    if len(plan):
        out.append(("plan", total(plan, f"Total in the plan ({labels.term('qipp', era)} "
                                        "identified, full-year)")))
    if (reg["Status"] == pipeline).any():
        rows = reg[reg["Status"] == pipeline]
        out += [("schemes", rows), ("pipeline", total(rows, f"Subtotal: {pipeline}"))]
    return out


def scheme_reconciliation(scenario: Scenario, results: pd.DataFrame, org: str,
                          year: str | None = None) -> pd.DataFrame:
    """How the scheme register's plan total (full-year effect) becomes the QIPP table's
    identified and risk-adjusted savings of ``year`` (the base year unless given).

    The register gives each scheme's full-year saving before any growth; the QIPP table counts
    what the plan's schemes save in the year: nothing before a scheme starts, part of the year
    in its first year, grown with its expenditure line after the base year. The pipeline is
    outside both. A plan stated year by year (the 2014 Essex plan) adds its mitigation of each
    line, which is not a scheme of the register.

    Returns
    -------
    pandas.DataFrame
        Rows: the register's subtotals (full-year); phasing and growth in ``year``; the
        stated plan's mitigation (when there is one); the schemes in ``year``; the QIPP table's
        figures; the difference (zero when they tie). Columns ``Net saving`` and
        ``Risk-adjusted saving`` of the plan and ``Pipeline net saving`` (outside the plan,
        the QIPP table's pipeline schemes) [£k]. Empty when ``org`` has no QIPP.
    """
    from ..models import schemes as model

    o = next((x for x in scenario.organisations if x.id == org), None)
    q = getattr(o, "qipp", None)
    cols = ["Net saving", "Risk-adjusted saving", "Pipeline net saving"]
    if q is None:
        return pd.DataFrame(columns=cols)
    year = year or scenario.base_year
    sel = results[(results["org"] == org) & (results["year"] == year)]
    effect = sel[sel["measure"] == "qipp_scheme"].groupby("item")["value"].sum()
    qipp = sel[sel["measure"] == "qipp"].groupby("item")["value"].sum()
    full, in_year, stated = [0.0] * 3, [0.0] * 3, [0.0] * 3
    # the register's own objects, found by identity before ``in`` compares fields (comparing
    # every scheme with every other took a minute for 4,000 schemes)
    listed = {id(x) for x in q.schemes}
    for s in model.all_schemes(o):
        p = float(q.delivery_probability.get(s.status, 0.0))
        e = float(effect.get(s.id, 0.0))
        net = s.net * s.share if s.costed else 0.0
        if not model.in_plan(s):  # the pipeline: its own column, outside the plan
            full[2] += net
            in_year[2] += e
        elif id(s) not in listed and s not in q.schemes:  # a stated plan's line's mitigation
            stated = [stated[0] + e, stated[1] + p * e, 0.0]
        else:
            full = [full[0] + net, full[1] + p * net, full[2]]
            in_year = [in_year[0] + e, in_year[1] + p * e, in_year[2]]
    made = [a + b for a, b in zip(in_year, stated, strict=True)]
    table = [float(qipp.get(k, 0.0)) for k in ("identified", "risk_adjusted", "pipeline")]
    qname = labels.term("QIPP", scenario.era)
    rows = {"Register subtotals, full-year": full,
            f"Phasing and growth in {year}": [a - b for a, b in zip(in_year, full, strict=True)]}
    if any(abs(v) >= 0.5 for v in stated):
        rows["Stated plan's mitigation, not in the register"] = stated
    rows[f"Schemes in {year}"] = made
    rows[f"{qname} table, {year}"] = table
    rows["Difference"] = [a - b for a, b in zip(made, table, strict=True)]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=cols)
    frame.index.name = f"{year} (£k)"
    return frame


def scheme_subtotal_frame(reg: pd.DataFrame, era: str | None = None) -> pd.DataFrame:
    """The subtotals of :func:`scheme_subtotals` for every organisation of the scheme register,
    as one frame (the Excel pack's *Scheme subtotals* sheet): for each organisation each
    status's subtotal, the total in the plan and the pipeline's subtotal, never added to it
    [£k a year, full-year effect]."""
    rows = []
    for org, part in reg.groupby("Organisation", sort=False):
        for kind, frame in scheme_subtotals(part, era):
            if kind != "schemes":
                row = frame.iloc[0]
                rows.append({"Organisation": org, "Line": row["Scheme"],
                             **{c: float(row[c]) for c in SCHEME_MONEY}})
    return pd.DataFrame(rows, columns=["Organisation", "Line", *SCHEME_MONEY])
