"""From a scenario file (plus overrides) to a valid :class:`~ccgmodels.inputs.scenario.Scenario`,
or to every problem in it at once.

Each problem names the file, the field path, the offending value and what is allowed. Paths are
dotted and address list elements by their ``id`` (``organisations.cpr_ccg.qipp.schemes.avastin
.net_saving``); the same syntax serves ``--set path=value`` overrides and uncertainty keys.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .fields import field_names
from .paths import set_path
from .rules import SemanticError
from .scenario import Scenario

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
        allowed = field_names(Scenario, loc[:-1])
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


def _is_member_tag(part: Any) -> bool:
    """Whether a pydantic location part names a member of a plain union (``float``,
    ``function-after[_growth(), float]``, ``dict[...]``) rather than a field."""
    return isinstance(part, str) and (part in ("float", "int", "str", "bool")
                                      or part.startswith(("function-", "dict[", "list[")))


def _by_year_member(loc: tuple, data: Any) -> tuple | None:
    """``loc`` without its union member tag when the error is of the member the input chose
    (a mapping by year for a mapping, the number for anything else), else None (the error of
    the other member, which would only confuse)."""
    for i, part in enumerate(loc):
        if not _is_member_tag(part):
            continue
        node = data
        for key in loc[:i]:
            if isinstance(node, dict) and key not in node and node.get("kind") == key:
                continue  # the tag of a discriminated union is not in the data
            if isinstance(node, dict):
                node = node.get(key)
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
            else:
                node = None
        wants_dict = part.startswith("dict[")
        if wants_dict != isinstance(node, dict):
            return None
        rest = tuple(p for p in loc[i + 1:] if p != "[key]")
        return loc[:i] + rest
    return loc


def problems_from_validation(exc: ValidationError, data: Any, name: str) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into :class:`Problem` rows."""
    out: list[Problem] = []
    for err in exc.errors():
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, SemanticError):
            out.extend(Problem(name, p, v, m) for p, v, m in cause.problems)
            continue
        loc = _by_year_member(tuple(err["loc"]), data)
        if loc is None:
            continue
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
