"""From a scenario file (plus overrides) to a valid :class:`~ccgmodels.scenario.Scenario`, or to
every problem in it at once.

Each problem names the file, the field path, the offending value and what is allowed. Paths are
dotted and address list elements by their ``id`` (``organisations.cpr_ccg.qipp.schemes.avastin
.net_saving``); the same syntax serves ``--set path=value`` overrides and uncertainty keys.
"""

from __future__ import annotations

import difflib
import math
import types
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from . import years as fy
from .paths import get_path, parse_override, set_path  # noqa: F401 (parse_override re-exported)
from .scenario import (
    POD_SERVICE_LINE,
    Commissioner,
    Provider,
    Scenario,
    SemanticError,
    SocialCare,
    is_finite_number,
)

BUNDLED_PACKAGE = "ccgmodels"
BUNDLED_FOLDER = ("data", "scenarios")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where, what value, and what is allowed."""

    file: str
    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        shown = "" if self.value is _ABSENT else f" (got {_show(self.value)})"
        return f"{where}: {self.message}{shown}"


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class ScenarioError(Exception):
    """Raised with every problem found in one or more scenario files."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- YAML ------------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen[key] = True
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def read_yaml(path: Path | str) -> tuple[dict | None, list[Problem]]:
    """Read a scenario file into plain data, or say why it cannot be read."""
    name = str(path)
    p = Path(path)
    if not p.exists():
        return None, [Problem(name, "", _ABSENT, "file not found")]
    if p.is_dir():
        return None, [Problem(name, "", _ABSENT, "is a folder, not a scenario file")]
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, "", _ABSENT, f"cannot be read: {exc}")]
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[dict | None, list[Problem]]:
    """Parse scenario YAML text; ``name`` labels problems."""
    if not text.strip():
        return None, [Problem(name, "", _ABSENT, "file is empty: expected a scenario mapping")]
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, "", _ABSENT, f"not valid YAML{where}: {reason}")]
    if data is None:
        return None, [Problem(name, "", _ABSENT, "file is empty: expected a scenario mapping")]
    if not isinstance(data, dict):
        return None, [
            Problem(name, "", _ABSENT, f"expected a mapping of scenario fields, got a "
                    f"{type(data).__name__}")
        ]
    return data, []


# --- overrides -------------------------------------------------------------------------------


def apply_overrides(
    data: dict, overrides: Mapping[str, Any] | None, name: str
) -> tuple[dict, list[Problem]]:
    """Apply ``{dotted.path: value}`` overrides to plain data; problems for bad paths."""
    problems: list[Problem] = []
    for path, value in (overrides or {}).items():
        try:
            data = set_path(data, path, value)
        except KeyError as exc:
            problems.append(Problem(name, path, value, f"cannot override: {exc.args[0]}"))
    return data, problems


# --- pydantic errors to problems -------------------------------------------------------------


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) is not None and get_origin(tp).__name__ == "Annotated":
        tp = get_args(tp)[0]
    return tp


def _fields_at(loc: tuple) -> list[str]:
    """Names of the fields allowed at pydantic location ``loc`` (for suggestions)."""
    tp: Any = Scenario
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if part not in tp.model_fields:
                return []
            tp = tp.model_fields[part].annotation
            continue
        origin = get_origin(tp)
        args = [_unwrap(a) for a in get_args(tp)]
        if origin is list:
            tp = args[0]
        elif origin is dict:
            tp = args[1]
        elif origin in (Union, types.UnionType):
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            match = [m for m in models if "kind" in m.model_fields
                     and part in get_args(m.model_fields["kind"].annotation)]
            if match:
                tp = match[0]
            elif len(models) == 1:
                tp = models[0]
                tp = tp.model_fields[part].annotation if part in tp.model_fields else None
                if tp is None:
                    return []
            else:
                return []
        else:
            return []
    tp = _unwrap(tp)
    if get_origin(tp) in (Union, types.UnionType):
        models = [a for a in get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)]
        tp = models[0] if len(models) == 1 else tp
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _display_path(loc: tuple, data: Any) -> tuple[str, tuple]:
    """Dotted path for a pydantic ``loc``, with list indices replaced by element ids and union
    tags dropped; also returns the model-level loc (with tags) for field lookup."""
    parts: list[str] = []
    node = data
    skip_tag = False
    for part in loc:
        if skip_tag:
            skip_tag = False
            if isinstance(node, dict) and node.get("kind") == part:
                continue
        if isinstance(part, int) and isinstance(node, list):
            item = node[part] if part < len(node) else None
            label = item.get("id") if isinstance(item, dict) else None
            parts.append(str(label) if isinstance(label, str) and label else str(part))
            node = item
            skip_tag = True
            continue
        parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts), loc


def _message(err: dict, loc: tuple) -> str:
    kind = err["type"]
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        msg = "unknown field"
        if hint:
            msg += f"; did you mean {hint[0]!r}?"
        if allowed:
            msg += f" (allowed: {', '.join(allowed)})"
    elif kind == "missing":
        msg = "required field is missing"
    elif kind == "finite_number":
        msg = "must be a finite number, not NaN or infinity"
    elif kind in ("float_parsing", "int_parsing"):
        msg = "not a number: expected a number"
    elif kind in ("float_type", "int_type"):
        msg = f"{msg} (expected a number)"
    return msg


def problems_from_validation(exc: ValidationError, data: Any, name: str) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into :class:`Problem` rows."""
    out: list[Problem] = []
    for err in exc.errors():
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, SemanticError):
            out.extend(Problem(name, p, v, m) for p, v, m in cause.problems)
            continue
        loc = tuple(err["loc"])
        path, model_loc = _display_path(loc, data)
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            # name the tag field itself, and show the bad tag rather than the whole block
            ctx = err.get("ctx") or {}
            tag = ctx.get("discriminator", "'kind'").strip("'")
            if err["type"] == "union_tag_invalid":
                out.append(Problem(name, f"{path}.{tag}", ctx.get("tag", _ABSENT),
                                   f"unknown {tag}; allowed: {ctx.get('expected_tags', '')}"))
            else:
                out.append(Problem(name, f"{path}.{tag}", _ABSENT,
                                   "required field is missing"))
            continue
        value = err.get("input", _ABSENT) if err["type"] != "missing" else _ABSENT
        out.append(Problem(name, path, value, _message(err, model_loc)))
    return out


# --- cross-field checks ------------------------------------------------------------------------


def semantic_problems(s: Scenario) -> list[tuple[str, Any, str]]:
    """Problems that need more than one field to see: ``(path, value, message)`` rows.

    Called by :class:`Scenario`'s validator once every field has its type.
    """
    out: list[tuple[str, Any, str]] = []
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

    def in_horizon(path: str, year_keys) -> None:
        for y in year_keys:
            if y not in years:
                out.append((f"{path}.{y}", y, f"year outside the scenario's years "
                            f"{years[0]} to {years[-1]}"))

    for o in s.organisations:
        root = f"organisations.{o.id}"
        if isinstance(o, Commissioner):
            out.extend(_commissioner_problems(o, root, years))
            in_horizon(f"{root}.solutions.stf", o.solutions.stf)
        elif isinstance(o, Provider):
            in_horizon(f"{root}.stf", o.stf)
        elif isinstance(o, SocialCare):
            in_horizon(f"{root}.savings", o.savings)

    plain = s.model_dump(mode="python")
    for path, d in s.uncertainty.items():
        where = f"uncertainty.{path}"
        try:
            central = get_path(plain, path)
        except KeyError as exc:
            out.append((where, path, f"no such assumption: {exc.args[0]}"))
            continue
        if not is_finite_number(central):
            out.append((where, central, "only a numeric assumption can have a range"))
        if d.low > d.high:
            out.append((f"{where}.low", d.low, f"low is above high ({d.high})"))
        if d.dist == "triangular":
            if d.mode is None:
                out.append((f"{where}.mode", None, "a triangular range needs a mode"))
            elif not d.low <= d.mode <= d.high:
                out.append((f"{where}.mode", d.mode, f"mode must lie within {d.low}..{d.high}"))
        elif d.mode is not None:
            out.append((f"{where}.mode", d.mode, "mode is only for a triangular range"))
    if s.uncertainty:  # low, mode and high within the field's bounds (a rate in 0..1, ...)
        from .uncertainty import bound_problems

        out.extend(bound_problems(s))
    for path in s.sources:
        try:
            get_path(plain, path)
        except KeyError as exc:
            out.append((f"sources.{path}", path, f"names no assumption: {exc.args[0]}"))
    return out


def _commissioner_problems(o: Commissioner, root: str, years: list[str]):
    out: list[tuple[str, Any, str]] = []
    if o.demand is not None:
        out.extend(_demand_problems(o, f"{root}.demand"))

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
        if sc.gross_saving is None and sc.net_saving is None:
            out.append((f"{path}.net_saving", None, "give net_saving or gross_saving"))
        if sc.gross_saving is not None and sc.net_saving is not None and not math.isclose(
            sc.gross_saving - sc.investment, sc.net_saving, abs_tol=0.5
        ):
            out.append((f"{path}.net_saving", sc.net_saving,
                        f"net_saving must equal gross_saving - investment "
                        f"({sc.gross_saving - sc.investment:g})"))
        if sc.net_saving is None and sc.gross_saving is not None and sc.net < 0:
            out.append((f"{path}.investment", sc.investment,
                        "investment exceeds the gross saving: give net_saving explicitly if the "
                        "scheme is a net cost"))
        if sc.start_year is not None and sc.start_year not in years:
            out.append((f"{path}.start_year", sc.start_year,
                        f"start year outside the scenario's years {years[0]} to {years[-1]}"))
        by_category[sc.category] = by_category.get(sc.category, 0.0) + sc.net
    for category, total in by_category.items():
        line = getattr(o.expenditure.base, category)
        if total > line:
            out.append((f"{root}.qipp.schemes", total,
                        f"savings of {total:,.0f} £k in {category} are larger than the "
                        f"{category} spend line they reduce ({line:,.0f} £k)"))
    if q.unidentified is not None and q.schemes:
        out.append((f"{root}.qipp.unidentified", q.unidentified,
                    "give either a scheme list or a stated unidentified QIPP, not both: with "
                    "schemes the gap is target - identified"))

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


def _demand_problems(o: Commissioner, root: str):
    from . import refdata

    d = o.demand
    out: list[tuple[str, Any, str]] = []
    bands = set(d.population_growth)
    table: dict[str, float | None] = {}
    if d.growth_table is not None:
        table = refdata.activity_growth(d.growth_table, "2019/20")
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
        if p.non_demographic_growth is None and table.get(pod) is None:
            why = (f"the {d.growth_table} growth table has no value for it"
                   if d.growth_table else "no demand.growth_table is named")
            out.append((f"{path}.non_demographic_growth", None,
                        f"required: {why}"))
        line = POD_SERVICE_LINE[pod]
        shares[line] = shares.get(line, 0.0) + p.cost_share
    for line, total in shares.items():
        if total > 1 + 1e-9:
            out.append((f"{root}.pods", total,
                        f"cost shares of the {line} points of delivery sum above 1"))
    return out


# --- loading ---------------------------------------------------------------------------------


def bundled_scenarios() -> dict[str, Any]:
    """Bundled scenario files shipped with the package, by scenario file stem."""
    folder = resources.files(BUNDLED_PACKAGE).joinpath(*BUNDLED_FOLDER)
    return {
        f.name.removesuffix(".yaml"): f
        for f in folder.iterdir()
        if f.name.endswith(".yaml")
    }


def resolve(source: str | Path) -> tuple[str, Path | Any]:
    """Map a path or a bundled scenario name to ``(label, file)``."""
    p = Path(source)
    if p.exists() or str(source).endswith((".yaml", ".yml")) or "/" in str(source):
        return str(source), p
    bundled = bundled_scenarios()
    if str(source) in bundled:
        return f"<bundled>/{source}.yaml", bundled[str(source)]
    return str(source), p


def validate_data(
    data: dict, name: str, overrides: Mapping[str, Any] | None = None
) -> tuple[Scenario | None, list[Problem]]:
    """Validate plain data (plus overrides). Returns the scenario or every problem."""
    data, problems = apply_overrides(data, overrides, name)
    if problems:
        return None, problems
    try:
        return Scenario.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from_validation(exc, data, name)


def _read_source(source: str | Path) -> tuple[str, Any, dict | None, list[Problem]]:
    name, file = resolve(source)
    if isinstance(file, Path):
        data, problems = read_yaml(file)
    else:
        data, problems = parse_yaml(file.read_text(encoding="utf-8"), name)
    return name, file, data, problems


def expand(data: dict, name: str, here: Path | None, seen: tuple[str, ...] = ()
           ) -> tuple[dict | None, list[Problem]]:
    """Resolve ``extends: BASE`` and ``overrides: {path: value}`` in scenario data.

    ``BASE`` is a bundled scenario name or a file path (relative to the extending file). The
    extending file's other top-level fields replace the base's; then its overrides apply.
    """
    if "extends" not in data:
        if "overrides" in data:
            return None, [Problem(name, "overrides", data["overrides"],
                                  "overrides need 'extends: <base scenario>'")]
        return data, []
    data = dict(data)
    base_ref = data.pop("extends")
    overrides = data.pop("overrides", None) or {}
    if not isinstance(base_ref, str):
        return None, [Problem(name, "extends", base_ref, "must name a scenario file or a "
                              "bundled scenario")]
    if not isinstance(overrides, dict):
        return None, [Problem(name, "overrides", overrides, "must be a mapping of "
                              "dotted.path: value")]
    ref = base_ref
    if here is not None and (here / base_ref).exists():
        ref = str(here / base_ref)
    if ref in seen:
        return None, [Problem(name, "extends", base_ref, "scenarios extend each other in a "
                              "loop")]
    base_name, base_file, base, problems = _read_source(ref)
    if base is None:
        hint = f"; bundled scenarios: {', '.join(sorted(bundled_scenarios()))}"
        return None, [Problem(name, "extends", base_ref, f"base scenario cannot be read: "
                              f"{p.message}{hint}") for p in problems]
    base_here = base_file.parent if isinstance(base_file, Path) else None
    base, problems = expand(base, base_name, base_here, (*seen, ref))
    if base is None:
        return None, problems
    merged = {**base, **data}
    merged, problems = apply_overrides(merged, overrides, name)
    if problems:  # a bad override path must stop the file, not be dropped
        return None, [Problem(p.file, f"overrides.{p.path}", p.value, p.message)
                      for p in problems]
    return merged, []


def check(
    source: str | Path, overrides: Mapping[str, Any] | None = None
) -> tuple[Scenario | None, dict | None, list[Problem]]:
    """Read and validate one scenario; returns ``(scenario, plain data, problems)``."""
    name, file, data, problems = _read_source(source)
    if data is None:
        return None, None, problems
    here = file.parent if isinstance(file, Path) else None
    data, problems = expand(data, name, here)
    if data is None:
        return None, None, problems
    scenario, problems = validate_data(data, name, overrides)
    return scenario, data, problems


def load_scenario(
    source: str | Path, overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Load and validate a scenario file or bundled scenario name.

    Parameters
    ----------
    source : str or Path
        A YAML file, or the name of a bundled scenario (see :func:`bundled_scenarios`).
    overrides : mapping, optional
        ``{dotted.path: value}`` applied before validation, exactly as ``--set`` does.

    Raises
    ------
    ScenarioError
        With every problem found.
    """
    scenario, _, problems = check(source, overrides)
    if problems:
        raise ScenarioError(problems)
    assert scenario is not None
    return scenario
