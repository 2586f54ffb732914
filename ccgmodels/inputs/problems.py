"""What is wrong with a scenario, as people read it: :class:`Problem` (file, field, value,
what is allowed), :class:`ScenarioError`, and pydantic's errors turned into problems that name
the field as a dotted path and the value given."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .fields import field_names
from .limits import ABSENT as _ABSENT
from .limits import shown, terminal
from .rules import SemanticError
from .scenario import Scenario


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where, what value, and what is allowed."""

    file: str
    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else str(self.file)
        got = "" if self.value is _ABSENT else f" (got {shown(self.value)})"
        # one line whatever the file holds: a key with a newline cannot forge a problem
        return terminal(f"{where}: {self.message}{got}")


class ScenarioError(Exception):
    """Raised with every problem found in one or more scenario files."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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
