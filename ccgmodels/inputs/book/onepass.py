"""Every problem of an assumptions workbook in one import, not in rounds.

Pydantic checks a scenario in two stages: the type and bounds of each field, then the rules
across fields (:func:`ccgmodels.inputs.rules.semantic_problems`: an age mix that does not sum to
1, a contract naming no provider, a range whose low is above its high, a source naming no
assumption), which run only once every field has its type. A workbook with one slip of each
kind would so report the first kind, then the second once the first was fixed: "rounds".

:func:`every_problem` validates, and while the problems found are field problems it sets each
bad value aside and validates again, so that the rules across fields run on everything else:

* a value whose field has a default is removed (the default stands in), as is a bad year of a
  group by year, an unknown field and a bad element of a list;
* a required value is replaced by the first of a few plain stand-ins its type accepts (the
  first allowed word, 0, 1, ...);
* an organisation of an unknown kind is set aside whole, and any later problem naming its id is
  left out (a contract with it would otherwise be reported as naming no provider); one that
  lists organisations says it was read without it.

A problem found in a later pass is kept only where it is not at, above or below a value set
aside, nor in the same organisation naming that value's field or key (a stand-in's own
consequences are not the user's problems). At most :data:`PASSES`
passes; the scenario itself is never built from stand-ins (the caller gets the problems only).
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, get_args, get_origin

from ..fields import walk
from ..paths import split
from ..problems import Problem
from ..scenario import Scenario

#: the most validations of one workbook (the first, then one per stage of rules)
PASSES = 4
_STANDINS = (0, 0.0, 1, 1.0, 0.5, "x", False, [], {})


def _node(data: Any, parts: list[str]) -> Any:
    node = data
    for part in parts:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list):
            node = next((x for x in node if isinstance(x, dict) and x.get("id") == part),
                        node[int(part)] if part.isdecimal() and int(part) < len(node)
                        else None)
        else:
            return None
    return node


def _standin(path: list[str], data: dict) -> tuple[bool, Any]:
    """``(True, a value the field at ``path`` accepts)``, or ``(False, None)``."""
    from pydantic import TypeAdapter

    try:
        tp, meta, _ = walk(Scenario, path, data)
    except KeyError:
        return False, None
    candidates: list[Any] = []
    if get_origin(tp) is not None and get_args(tp) and all(
            isinstance(a, str) for a in get_args(tp)):  # a Literal: its first word
        candidates.append(get_args(tp)[0])
    if "year" in path[-1] or path[-1] in ("base_year", "end_year"):
        candidates += [data.get("base_year"), "2019/20"]
    candidates += list(_STANDINS)
    try:
        adapter = TypeAdapter(Annotated[tp, *meta] if meta else tp)
    except Exception:  # noqa: BLE001 - a type pydantic cannot adapt alone
        return False, None
    for value in candidates:
        try:
            adapter.validate_python(value)
        except Exception:  # noqa: BLE001 - not this one
            continue
        return True, value
    return False, None


def _has_default(parts: list[str], data: dict) -> bool:
    """Whether the field at ``parts`` may be left out: it has a default, or it is a key of a
    mapping or an element of a list (not a model's required field)."""
    try:
        parent, _, _ = walk(Scenario, parts[:-1], data) if parts[:-1] else (Scenario, [], "")
    except KeyError:
        return True
    fields = getattr(parent, "model_fields", None)
    if fields is None:
        return True
    info = fields.get(parts[-1])
    return info is None or not info.is_required()


def _set_aside(data: dict, problem: Problem, dropped: set[str]) -> bool:
    """Set the value of ``problem`` aside in ``data`` (changed); whether it could be."""
    try:
        parts = split(problem.path)
    except KeyError:
        return False
    if parts[0] == "organisations" and len(parts) == 3 and parts[2] == "kind" \
            and "unknown kind" in problem.message:
        orgs = data.get("organisations")
        if isinstance(orgs, list):
            keep = [o for o in orgs if not (isinstance(o, dict) and o.get("id") == parts[1])]
            if len(keep) < len(orgs):
                data["organisations"] = keep
                dropped.add(parts[1])
                return True
        return False
    parent = _node(data, parts[:-1])
    last = parts[-1]
    if isinstance(parent, list):
        keep = [x for i, x in enumerate(parent)
                if not ((isinstance(x, dict) and x.get("id") == last) or str(i) == last)]
        if len(keep) == len(parent):
            return False
        parent[:] = keep
        return True
    if not isinstance(parent, dict):
        return False
    if problem.message.startswith("unknown field") or _has_default(parts, data):
        if last in parent:
            del parent[last]
            return True
        return False
    ok, value = _standin(parts, data)
    if ok:
        parent[last] = value
    return ok


def _near(path: str, paths: set[str]) -> bool:
    return any(path == p or path.startswith(p + ".") or p.startswith(path + ".")
               for p in paths)


def _names_dropped(problem: Problem, dropped: set[str]) -> bool:
    text = f"{problem.path} {problem.value!r} {problem.message}"
    return any(d in text for d in dropped)


def _about_aside(problem: Problem, aside: set[str]) -> bool:
    """Whether a later problem is about a value set aside: in the same organisation (or
    anywhere, for a value of the scenario's own), its message names the value's field or key
    (a saving "larger than the acute spend line" once the acute spend stands in as 0)."""
    import re

    if problem.path.startswith(("sources.", "uncertainty.")):
        return False  # about a key naming an assumption, not about a value
    for path in aside:
        parts = path.split(".")
        within = ".".join(parts[:2]) + "." if parts[0] == "organisations" and len(parts) > 2 \
            else ""
        word = parts[-1]
        if problem.path.startswith(within) and re.search(
                rf"\b({re.escape(word)}|{re.escape(word.replace('_', ' '))})\b",
                problem.message):
            return True
    return False


def _fields_stage(data: dict, overrides) -> bool:
    """Whether validating ``data`` stops at the fields' types and bounds (so the rules across
    fields have not run), rather than passing or failing on those rules alone."""
    from pydantic import ValidationError

    from ..paths import set_in_place
    from ..rules import SemanticError

    if overrides:  # as loading.apply_overrides does (imported from here, it would be a circle)
        data = copy.deepcopy(data)
        for path, value in overrides.items():
            try:
                set_in_place(data, str(path), copy.deepcopy(value))
            except KeyError:
                return False
    try:
        Scenario.model_validate(data)
    except ValidationError as exc:
        return any(not isinstance((e.get("ctx") or {}).get("error"), SemanticError)
                   for e in exc.errors())
    except (TypeError, ValueError, RecursionError):
        return False
    return False


def every_problem(data: dict, name: str, validate, overrides=None
                  ) -> tuple[Any, list[Problem]]:
    """``(scenario, problems)`` of plain workbook ``data``: ``validate(data, name, overrides)``
    (:func:`ccgmodels.inputs.loading.validate_data`) once, then again with the values of its
    field problems set aside, until the rules across fields have run on the rest (see the
    module's note). The scenario is the first validation's (None when there are problems)."""
    scenario, found = validate(data, name, overrides)
    if scenario is not None or not found or not _fields_stage(data, overrides):
        return scenario, found  # valid, or every rule has run (or the limits stopped it)
    problems = list(found)
    shown = {(p.path, p.message) for p in problems}
    aside: set[str] = set()
    dropped: set[str] = set()
    work = copy.deepcopy(data)
    for _ in range(PASSES - 1):
        moved = False
        for p in found:
            if p.path and p.path not in aside and not _near(p.path, aside - {p.path}) \
                    and _set_aside(work, p, dropped):
                aside.add(p.path)
                moved = True
        if not moved:
            break
        again, found = validate(work, name, overrides)
        if again is not None:
            break
        more = _fields_stage(work, overrides)
        for p in found:
            if (p.path, p.message) in shown or _near(p.path, aside) or \
                    _names_dropped(p, dropped) or _about_aside(p, aside):
                continue
            shown.add((p.path, p.message))
            if dropped and "organisation" in p.message:  # a list of them lacks the dropped
                p = Problem(p.file, p.path, p.value, f"{p.message}; read without "
                            f"{', '.join(sorted(dropped))}, whose kind is not known")
            problems.append(p)
        if not more:  # the rules across fields have run: nothing more to find
            break
    return None, problems
