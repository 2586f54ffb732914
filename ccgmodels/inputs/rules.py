"""Rules that need more than one field to see, run once every field of a scenario has its type.

:func:`semantic_problems` is called by :class:`~ccgmodels.inputs.scenario.Scenario`'s validator
and returns ``(path, value, message)`` rows: years out of order or outside the horizon,
duplicate ids, scheme savings that do not add up or exceed the spend line they reduce, age mixes
that do not sum to 1, uncertainty ranges on missing, non-numeric or unsupported assumptions or
reaching outside their field's bounds, and sources that name no assumption.

The scenario's organisations are told apart by their ``kind`` tag, so this module needs none of
the model classes (they import it).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from . import refdata
from . import years as fy
from .actuals import actuals_problems
from .commissioner import contract_value_problems
from .efficiency import efficiency_problems
from .fields import describe
from .icb import base_of, place_sum_problems, same
from .limits import MAX_NODES
from .paths import Budget, Ids, WalkTooLong, get_path, matched
from .risks import merged_problems, register_fields, register_problems
from .vocab import COMMISSIONER_KINDS, FOOTPRINT, POD_SERVICE_LINE
from .workforce import workforce_problems

#: groups whose numbers the vectorised model cannot yet take as per-run arrays
UNSUPPORTED_GROUPS = ("stf", "savings", "schemes", "primary_care_bridge")
#: the risk register: the Monte Carlo draws it from its own likelihoods and ranges
REGISTER_GROUPS = ("risks", "mitigations")

Row = tuple[str, Any, str]


class SemanticError(ValueError):
    """Cross-field problems found in an otherwise well-typed scenario.

    ``problems`` is a list of ``(path, value, message)`` tuples.
    """

    def __init__(self, problems: list[Row]):
        self.problems = problems
        super().__init__("; ".join(f"{p}: {m}" for p, _, m in problems))


def is_finite_number(v: object) -> bool:
    """True for an int or float that is neither NaN nor infinite (bools excluded)."""
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def semantic_problems(s) -> list[Row]:
    """Every cross-field problem of the scenario ``s``: ``(path, value, message)`` rows."""
    out: list[Row] = []
    try:
        years = fy.span(s.base_year, s.end_year)
    except ValueError:
        out.append(("end_year", s.end_year,
                    f"years out of order: end_year is before base_year {s.base_year}"))
        years = [s.base_year]

    ids = [o.id for o in s.organisations]
    for i, org_id in enumerate(ids):
        if org_id in ids[:i]:
            out.append((f"organisations.{i}.id", org_id, "duplicate organisation id"))
        if org_id == FOOTPRINT:
            out.append((f"organisations.{i}.id", org_id, f"{FOOTPRINT!r} is reserved for the "
                        "sum of the organisations: give this organisation another id"))

    def in_horizon(path: str, year_keys) -> None:
        for y in year_keys:
            if y not in years:
                out.append((f"{path}.{y}", y, f"year outside the scenario's years "
                            f"{years[0]} to {years[-1]}"))

    later = years[1:]
    out.extend(_by_year(s.deflator, "deflator", later, "each year after the base"))
    for o in s.organisations:
        root = f"organisations.{o.id}"
        for path, value, want, which in by_year_fields(o, root, years):
            out.extend(_by_year(value, path, want, which))
        out.extend(register_problems(o, root))
        if o.kind in COMMISSIONER_KINDS:
            out.extend(_commissioner_problems(o, root, years))
            in_horizon(f"{root}.solutions.stf", o.solutions.stf)
            if o.kind == "icb":
                out.extend(_icb_problems(s, o, root, years))
                in_horizon(f"{root}.deficit_support", o.deficit_support)
        elif o.kind == "provider":
            in_horizon(f"{root}.stf", o.stf)
            out.extend(workforce_problems(o, root))
            in_horizon(f"{root}.deficit_support", o.deficit_support)
            out.extend(efficiency_problems(o.efficiency, root, years))
        elif o.kind == "social_care":
            in_horizon(f"{root}.savings", o.savings)
            out.extend(efficiency_problems(o.efficiency, root, years))
            if o.first_year is not None and o.first_year not in years:
                out.append((f"{root}.first_year", o.first_year,
                            f"not a modelled year ({years[0]} to {years[-1]})"))
            early = [y for y in o.savings if o.first_year in years and y in years
                     and years.index(y) < years.index(o.first_year)]
            if early:
                out.append((f"{root}.savings", early,
                            f"savings before the council's first year {o.first_year}"))

    if s.gp_access is not None:
        out.extend(_access_problems(s.gp_access))
    ids = [x.id for x in s.system_opportunities]
    for i, x in enumerate(s.system_opportunities):
        if x.duplicate_of is not None and (x.duplicate_of not in ids or x.duplicate_of == x.id):
            out.append((f"system_opportunities.{x.id}.duplicate_of", x.duplicate_of,
                        f"names no other opportunity of the list ({', '.join(ids)})"))
        if x.id in ids[:i]:
            out.append((f"system_opportunities.{x.id}.id", x.id, "duplicate opportunity id"))
    out.extend(_link_problems(s))
    out.extend(merged_problems(s))
    out.extend(_joint_scheme_problems(s))
    out.extend(actuals_problems(s))
    out.extend(range_problems(s))
    ids = Ids()  # each list searched once, however many sources name its elements
    for path in s.sources:
        try:
            get_path(s, path, ids)
        except KeyError as exc:
            out.append((f"sources.{path}", path, f"names no assumption: {exc.args[0]}"))
    return out


def _link_problems(s) -> list[Row]:
    """Contracts and pooled budgets name organisations of the right kind, and no line is
    paid out more than once over."""
    kinds = {o.id: o.kind for o in s.organisations}
    merged = {p: o.id for o in s.organisations if o.kind == "icb" for p in o.predecessors}
    out: list[Row] = []
    for o in s.organisations:
        root = f"organisations.{o.id}"
        if o.kind in COMMISSIONER_KINDS:
            paid: dict[str, float] = {}
            for i, c in enumerate(o.contracts):
                path = f"{root}.contracts.{i}"
                if kinds.get(c.provider) != "provider":
                    out.append((f"{path}.provider", c.provider,
                                "names no provider organisation of this scenario (providers: "
                                f"{sorted(k for k, v in kinds.items() if v == 'provider')})"))
                for line, share in c.lines.items():
                    paid[line] = paid.get(line, 0.0) + share
            for line, total in paid.items():
                if total > 1 + 1e-9:
                    out.append((f"{root}.contracts", total, f"contracts pay out {total:.0%} of "
                                f"the {line} line: shares of a line sum to at most 100%"))
        elif o.kind == "social_care":
            for i, ccg in enumerate(o.bcf_from):
                if kinds.get(ccg) not in COMMISSIONER_KINDS:
                    out.append((f"{root}.bcf_from.{i}", ccg,
                                "names no commissioner of this scenario"))
                elif ccg in merged:
                    out.append((f"{root}.bcf_from.{i}", ccg,
                                f"{ccg} merged into {merged[ccg]}, which is modelled in its "
                                f"place: name {merged[ccg]}"))
    out.extend(contract_value_problems(s))
    pooled = [c for o in s.organisations if o.kind == "social_care" for c in o.bcf_from]
    counted = Counter(pooled)  # not pooled.count per name: thousands of names pooled
    for ccg in sorted(c for c, n in counted.items() if n > 1):
        out.append(("organisations", ccg, f"{ccg}'s BCF is pooled with two councils"))
    return out


def by_year_fields(o, root: str, years: list[str]):
    """``(path, value, years it must cover, which)`` of every assumption of organisation ``o``
    that may be given year by year: rates for each year after the base, levels for every
    year."""
    later, every = years[1:], ("each year after the base", "every modelled year")
    rates = []
    if o.kind in COMMISSIONER_KINDS:
        g = o.allocation.growth
        rates += [(f"allocation.growth.{k}", getattr(g, k)) for k in type(g).model_fields]
        e = o.expenditure
        rates += [("expenditure.price_inflation", e.price_inflation)]
        rates += [(f"expenditure.price_inflation_by_line.{k}", v)
                  for k, v in e.price_inflation_by_line.items()]
        rates += [(f"expenditure.volume_growth.{k}", v) for k, v in e.volume_growth.items()]
        if o.allocation.levels is not None:
            rates += [("allocation.levels", o.allocation.levels)]
        if e.planned is not None:
            rates += [("expenditure.planned", e.planned)]
        if o.demand is not None:
            d = o.demand
            rates += [("demand.tariff_efficiency", d.tariff_efficiency)]
            rates += [(f"demand.population_growth.{k}", v)
                      for k, v in d.population_growth.items()]
            rates += [(f"demand.pods.{k}.non_demographic_growth", p.non_demographic_growth)
                      for k, p in d.pods.items() if p.non_demographic_growth is not None]
        if o.control_total is not None:
            yield f"{root}.control_total", o.control_total, years, every[1]
        if o.contingency is not None:
            yield f"{root}.contingency", o.contingency, years, every[1]
        if o.kind == "icb":
            rates += [("population_growth", o.population_growth)]
            yield f"{root}.planned_surplus", o.planned_surplus, years, every[1]
            yield f"{root}.allocation.rca_per_head", o.allocation.rca_per_head, years, every[1]
            for k, c in o.allocation.convergence.items():
                yield f"{root}.allocation.convergence.{k}.target", c.target, years, every[1]
    elif o.kind == "provider":
        rates += [(k, getattr(o, k)) for k in ("other_income_growth", "cost_volume_growth",
                                                "price_inflation", "tariff_efficiency",
                                                "efficiency_rate") if getattr(o, k) is not None]
        if o.planned_surplus is not None:
            yield f"{root}.planned_surplus", o.planned_surplus, years, every[1]
        if o.workforce is not None:
            rates += [("workforce.pay_award", o.workforce.pay_award)]
            for i, g in enumerate(o.workforce.staff_groups):
                yield f"{root}.workforce.staff_groups.{i}.wte", g.wte, years, every[1]
    elif o.kind == "social_care":
        own = years[years.index(o.first_year) + 1:] if o.first_year in years else later
        for k in ("budget_growth", "cost_growth"):
            yield (f"{root}.{k}", getattr(o, k), own,
                   f"each year after {o.first_year or 'the base'}")
    for path, value in rates:
        yield f"{root}.{path}", value, later, every[0]
    for path, value in register_fields(o, root):
        yield path, value, years, every[1]


def _by_year(value, path: str, want: list[str], which: str) -> list[Row]:
    """A mapping by year must have exactly the years ``want``; a number needs none."""
    if not isinstance(value, dict):
        return []
    out: list[Row] = []
    missing = [y for y in want if y not in value]
    extra = [y for y in value if y not in want]
    if missing:
        out.append((path, list(value), f"missing year{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)}: give a value for {which} "
                    f"({want[0] if want else '-'} to {want[-1] if want else '-'}), or one "
                    "number for every year"))
    for y in extra:
        out.append((f"{path}.{y}", y, f"year not modelled here: give a value for {which} "
                    f"({want[0] if want else 'none'} to {want[-1] if want else 'none'})"))
    return out


def range_problems(s) -> list[Row]:
    """Uncertainty ranges that name no numeric assumption, have their low above their high or
    a misplaced mode, sit in a group the vectorised model cannot vary, or reach outside their
    field's bounds (a rate in 0..1, growth in -1..1, money not negative, ``ge=0`` fields)."""
    out: list[Row] = []
    # the wildcards of every range together walk at most as many steps as a scenario may hold
    # values: many ranges over thousands of schemes are refused, not walked for minutes
    budget = Budget(MAX_NODES)
    registered = {o.id for o in s.organisations if getattr(o, "efficiency", None) is not None}
    for path, d in s.uncertainty.items():
        where = f"uncertainty.{path}"
        unsupported = any(p in UNSUPPORTED_GROUPS for p in path.split("."))
        register = any(p in REGISTER_GROUPS for p in path.split("."))
        try:  # one walk finds every path a wildcard names, with its value (linear in them)
            found = (matched(s, path, budget) if "*" in path.split(".")
                     else [(path, get_path(s, path))])
        except WalkTooLong:
            out.append((where, path, f"the wildcards of the uncertainty ranges up to this "
                        f"one name more than {MAX_NODES:,} places in all: give fewer ranges, "
                        "or name the organisations"))
            break
        except KeyError as exc:
            out.append((where, path, f"no such assumption: {exc.args[0]}"))
            continue
        if not found:
            out.append((where, path, "names no assumption of any organisation"))
            continue
        targets = [t for t, _ in found]
        unused = [t.split(".")[1] for t in targets if t.endswith(".efficiency_delivery")
                  and t.split(".")[1] in registered]
        if unused:
            out.append((where, path, f"efficiency_delivery of {', '.join(unused)} is not "
                        "used: a trust with an efficiency register delivers each scheme at "
                        "the probability of its status; put the range on "
                        "efficiency.delivery_probability.<status> instead"))
        numeric = all(is_finite_number(v) for _, v in found)
        if not numeric:
            out.append((where, found[0][1], "only a numeric assumption can have a range"))
        if d.low > d.high:
            out.append((f"{where}.low", d.low, f"low is above high ({d.high})"))
        if d.dist == "triangular":
            if d.mode is None:
                out.append((f"{where}.mode", None, "a triangular range needs a mode"))
            elif not d.low <= d.mode <= d.high:
                out.append((f"{where}.mode", d.mode, f"mode must lie within {d.low}..{d.high}"))
        elif d.mode is not None:
            out.append((f"{where}.mode", d.mode, "mode is only for a triangular range"))
        if register:
            out.append((where, path,
                        "a range is not taken on the risk register: the Monte Carlo draws each "
                        "risk from its likelihood and low..high range, and each mitigation "
                        "from its probability; change those instead"))
            continue
        if unsupported:
            out.append((where, path,
                        "a range is not supported here yet: by-year amounts (stf, savings), "
                        "scheme savings and primary care bridge rows are fixed; put ranges on "
                        "rates, growth, base values or delivery probabilities"))
            continue
        if not numeric:
            continue
        meta = describe(type(s), targets[0], s)
        for name in ("low", "mode", "high"):
            v = getattr(d, name)
            if v is not None and not meta.low <= v <= meta.high:
                out.append((f"{where}.{name}", v,
                            f"outside the field's bounds {meta.low:g}..{meta.high:g}"))
    return out


def _commissioner_problems(o, root: str, years: list[str]) -> list[Row]:
    out: list[Row] = []
    if o.demand is not None:
        out.extend(_demand_problems(o, f"{root}.demand", years[0]))

    q = o.qipp
    seen_ids: set[str] = set()
    seen_names: dict[str, str] = {}
    by_category: dict[str, float] = {}
    for sc in q.schemes:
        path = f"{root}.qipp.schemes.{sc.id}"
        if sc.id in seen_ids:
            out.append((f"{path}.id", sc.id, "duplicate scheme id"))
        seen_ids.add(sc.id)
        key = sc.name.strip().lower()
        if key in seen_names and seen_names[key] != sc.category:
            out.append((f"{path}.category", sc.category,
                        f"scheme {sc.name!r} is counted under two categories "
                        f"({seen_names[key]} and {sc.category})"))
        seen_names.setdefault(key, sc.category)
        if not sc.costed and sc.status != "pipeline":
            out.append((f"{path}.net_saving", None, "give net_saving or gross_saving (only a "
                        "pipeline item may be described without a saving)"))
        if not sc.costed and sc.investment:
            out.append((f"{path}.investment", sc.investment, "a scheme with no saving given "
                        "is described, not costed: put its investment in the sources, or give "
                        "its saving"))
        if sc.gross_saving is not None and sc.net_saving is not None and not math.isclose(
            sc.gross_saving - sc.investment, sc.net_saving, abs_tol=0.5
        ):
            out.append((f"{path}.net_saving", sc.net_saving,
                        f"net_saving must equal gross_saving - investment "
                        f"({sc.gross_saving - sc.investment:g})"))
        if sc.gross < 0 and sc.investment > 0:
            out.append((f"{path}.net_saving", sc.net_saving,
                        f"the gross saving (net_saving + investment = {sc.gross:g}) cannot be "
                        "negative"))
        if sc.net_saving is not None and sc.net_saving < 0 and sc.investment == 0:
            out.append((f"{path}.net_saving", sc.net_saving,
                        "a negative net saving is a scheme that costs more than it saves: give "
                        "its investment (and gross_saving) so the cost lands on a line"))
        if sc.start_year is not None and fy.start_of(sc.start_year) > fy.start_of(years[-1]):
            out.append((f"{path}.start_year", sc.start_year,
                        f"start year after the scenario's last year {years[-1]}"))
        by_category[sc.category] = by_category.get(sc.category, 0.0) + sc.gross
    base = o.expenditure.base
    if base is None:  # a merged ICB's: restated from its predecessors, checked there
        by_category = {}
    for category, total in by_category.items():
        line = getattr(base, category)
        if total > line:
            out.append((f"{root}.qipp.schemes", total,
                        f"savings of {total:,.0f} £k in {category} are larger than the "
                        f"{category} spend line they reduce ({line:,.0f} £k)"))
    if q.unidentified is not None and q.target is not None:
        out.append((f"{root}.qipp.unidentified", q.unidentified,
                    "give the base-year target or the stated unidentified QIPP, not both: the "
                    "gap is target - identified, or the target identified + gap"))
    a = o.allocation
    if a.levels is not None and any(isinstance(v, dict) or v != 0
                                    for v in a.growth.model_dump().values()):
        out.append((f"{root}.allocation.growth", a.growth.model_dump(),
                    "give allocation growth or levels by year, not both"))

    planned = o.expenditure.planned
    if planned is not None:
        path = f"{root}.expenditure.planned"
        lines = {frozenset(v) for v in planned.values()}
        if len(lines) > 1:
            out.append((path, sorted({k for v in planned.values() for k in v}),
                        "state the same service lines in every year"))

    if o.primary_care_bridge is not None:
        keys = list(o.primary_care_bridge.years)
        path = f"{root}.primary_care_bridge.years"
        starts = [fy.start_of(k) for k in keys]
        if starts != sorted(starts):
            out.append((path, keys, "years out of order: list them earliest first"))
        else:
            for a, b in zip(starts, starts[1:], strict=False):
                if b != a + 1:
                    out.append((path, keys, f"years have a gap between {fy.format_year(a)} "
                                f"and {fy.format_year(b)}"))
    return out


def _lowest(rate) -> float:
    """The lowest value of a rate given once or year by year."""
    return min(rate.values(), default=0.0) if isinstance(rate, dict) else rate


def _demand_problems(o, root: str, base_year: str) -> list[Row]:
    d = o.demand
    out: list[Row] = []
    bands = set(d.population_growth)
    table: dict[str, float | None] = {}
    if d.growth_table is not None:
        try:
            table = refdata.activity_growth(d.growth_table, base_year)
        except KeyError:
            out.append((f"{root}.growth_table", d.growth_table,
                        f"the {d.growth_table} growth table has no figures for the base year "
                        f"{base_year}: give each point of delivery's non_demographic_growth"))
    shares: dict[str, float] = {}
    for pod, p in d.pods.items():
        path = f"{root}.pods.{pod}"
        unknown = sorted(set(p.age_mix) - bands)
        if unknown:
            out.append((f"{path}.age_mix", unknown,
                        f"age bands not in demand.population_growth ({sorted(bands)})"))
        total = sum(p.age_mix.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            out.append((f"{path}.age_mix", total, "age mix must sum to 1"))
        elif sum(w * _lowest(d.population_growth.get(b, 0.0))
                 for b, w in p.age_mix.items()) <= -1 + 1e-9:
            # demography is divided out of the total growth: (1 + total) / (1 + demographic)
            out.append((f"{root}.population_growth", dict(d.population_growth),
                        f"every age band of {pod} shrinks by 100% a year: no population is "
                        "left to model its activity from"))
        if p.non_demographic_growth is None and table.get(pod) is None and (
                d.growth_table is None or table):
            why = (f"the {d.growth_table} activity growth table has no value for it"
                   if d.growth_table else "no activity growth table (demand.growth_table) is "
                   "chosen to work it out from")
            out.append((f"{path}.non_demographic_growth", None, "required: give the growth a "
                        f"year not explained by demography, because {why}"))
        line = POD_SERVICE_LINE[pod]
        shares[line] = shares.get(line, 0.0) + p.cost_share
    for line, total in shares.items():
        if total > 1 + 1e-9:
            out.append((f"{root}.pods", total,
                        f"cost shares of the {line} points of delivery sum above 1"))
    return out


def _access_problems(a) -> list[Row]:
    """The GP access gap's stated years in order, its shares at most 1, its close-by year
    after the first stated year."""
    out: list[Row] = []
    starts = [fy.start_of(y) for y in a.unmet_demand]
    if starts != sorted(starts):
        out.append(("gp_access.unmet_demand", list(a.unmet_demand),
                    "years out of order: list them earliest first"))
    total = sum(a.solution_shares.values())
    if total > 1 + 1e-9:
        out.append(("gp_access.solution_shares", total,
                    f"the solutions' shares sum to {total:.0%}: at most 100%"))
    if a.close_by is not None and fy.start_of(a.close_by) <= min(starts):
        out.append(("gp_access.close_by", a.close_by,
                    f"must be after the first stated year {min(a.unmet_demand)}"))
    if a.growth == "compound" and any(v <= 0 for v in a.unmet_demand.values()):
        out.append(("gp_access.unmet_demand", list(a.unmet_demand.values()),
                    "compound growth needs every stated figure above 0"))
    return out


def _joint_scheme_problems(s) -> list[Row]:
    """A joint scheme (one given a share below 1) is counted once: the shares of its id across
    commissioners sum to at most 1. Commissioners' own schemes may share an id by chance."""
    shares: dict[str, list[tuple[str, float]]] = {}
    for o in s.organisations:
        if o.kind in COMMISSIONER_KINDS:
            for sc in o.qipp.schemes:
                held = shares.setdefault(sc.id, [])
                if o.id not in [org for org, _ in held]:  # a repeat within one is a duplicate
                    held.append((o.id, sc.share))
    shares = {k: v for k, v in shares.items() if any(share < 1 for _, share in v)}
    out: list[Row] = []
    for scheme, held in shares.items():
        total = sum(v for _, v in held)
        if len(held) > 1 and total > 1 + 1e-9:
            out.append((f"organisations.{held[-1][0]}.qipp.schemes.{scheme}.share", total,
                        f"joint scheme {scheme} is counted {total:.0%} over "
                        f"{', '.join(o for o, _ in held)}: its shares sum to at most 100%"))
    return out


def _icb_problems(s, o, root: str, years: list[str]) -> list[Row]:
    """A merger's predecessors, the base year stated or restated, the places' sums, and
    convergence that can be computed."""
    out: list[Row] = []
    orgs = {x.id: x for x in s.organisations}
    successors = Counter(p for x in s.organisations if x.kind == "icb" for p in x.predecessors)
    for i, p in enumerate(o.predecessors):
        path = f"{root}.predecessors.{i}"
        other = orgs.get(p)
        if other is None:
            icbs = sorted(k for k, x in orgs.items() if x.kind == "icb" and k != o.id)
            out.append((path, p, "names no organisation of this scenario: a predecessor is an "
                        f"ICB of the scenario (its other ICBs: {icbs})"))
        elif p == o.id:
            out.append((path, p, "an ICB cannot be its own predecessor"))
        elif other.kind != "icb":
            out.append((path, p, f"{p} is a {other.kind}, not an ICB: restate it as an ICB "
                        "(today's allocation streams) to merge it"))
        elif other.predecessors:
            out.append((path, p, f"{p} has predecessors of its own: name the bodies it "
                        "merged from here instead"))
        elif other.contracts or other.qipp.schemes or other.deficit_support:
            held = [k for k in ("contracts", "qipp.schemes", "deficit_support")
                    if get_path(other, k)]
            out.append((path, p, f"{p} is restated into {o.id} from its base-year figures "
                        f"only, so its {', '.join(held)} would be lost: state them on {o.id}"))
        elif o.predecessors.index(p) != i:
            out.append((path, p, "named twice: a predecessor is counted once"))
        elif successors[p] > 1:
            out.append((path, p, f"{p} is a predecessor of more than one ICB: it would be "
                        "counted twice"))
    if not o.predecessors:
        for field, value in (("allocation.base", o.allocation.base),
                             ("expenditure.base", o.expenditure.base),
                             ("population", o.population)):
            if value is None:
                out.append((f"{root}.{field}", None, "required (only a merged ICB, one with "
                            "predecessors, may leave it to be restated from theirs)"))
    base = base_of(orgs, o)
    if base is not None and o.predecessors:
        out.extend(_restatement_problems(o, base, root))
    if base is not None and o.places:
        out.extend(_place_problems(o, base, root))
    a = o.allocation
    if a.levels is not None:
        out.extend(_by_year(a.levels, f"{root}.allocation.levels", years[1:],
                            "each year after the base"))
    for k, c in a.convergence.items():
        path = f"{root}.allocation.convergence.{k}"
        targets = c.target.values() if isinstance(c.target, dict) else [c.target]
        if any(t <= 0 for t in targets):
            out.append((f"{path}.target", c.target, "a target allocation must be above 0 £k "
                        "(the distance from target is divided by it)"))
        if a.levels is not None and c.convergence_pace:
            out.append((f"{path}.convergence_pace", c.convergence_pace,
                        "published levels already include convergence: give the pace only "
                        "with growth"))
        if a.levels is not None and not isinstance(c.target, dict):
            out.append((f"{path}.target", c.target, "with published levels, give the target "
                        "of every modelled year ({year: £k}): there is no growth to grow one "
                        "base-year target by"))
    return out


def _restatement_problems(o, base, root: str) -> list[Row]:
    """Base-year figures a merged ICB states that are not the sum of its predecessors'."""


    out: list[Row] = []
    stated = [("allocation.base", o.allocation.base, base.allocation),
              ("expenditure.base", o.expenditure.base, base.expenditure)]
    for field, given, restated in stated:
        for k, v in restated.items():
            if given is not None and not same(getattr(given, k), v):
                out.append((f"{root}.{field}.{k}", getattr(given, k),
                            f"not the sum of the predecessors' ({v:,.3f} £k): leave it out to "
                            "restate it, or correct it"))
    if o.population is not None and not same(o.population, base.population):
        out.append((f"{root}.population", o.population, f"not the sum of the predecessors' "
                    f"({base.population:,.0f} people): leave it out to restate it"))
    return out


def _place_problems(o, base, root: str) -> list[Row]:
    """Places with unique ids, each with its figures or a share, summing to the ICB."""
    out: list[Row] = []
    seen: set[str] = set()
    for i, p in enumerate(o.places):
        path = f"{root}.places.{i}"
        if p.id in seen:
            out.append((f"{path}.id", p.id, "duplicate place id"))
        seen.add(p.id)
        if p.share is None and (p.allocation is None or p.expenditure is None):
            missing = [k for k in ("allocation", "expenditure") if getattr(p, k) is None]
            out.append((f"{path}.share", None, f"give the place's {' and '.join(missing)} in "
                        "£k, or its share of the ICB's"))
        elif p.share is not None and p.allocation is not None and p.expenditure is not None:
            out.append((f"{path}.share", p.share, "unused: the place gives its allocation and "
                        "expenditure in £k; give a share only for what it does not"))
    if not out:
        out.extend(place_sum_problems(o, base, root))
    return out
