"""Dotted paths into a scenario: ``organisations.cpr_ccg.qipp.schemes.avastin.net_saving``.

One syntax serves ``--set path=value`` overrides, ``overrides:`` in scenario files, uncertainty
keys and the ``sources:`` block, and one walker, :func:`child`, follows it through plain data
(mappings and lists) and through the frozen assumption models alike. Segments are mapping keys or
fields; inside a list they pick the element whose ``id`` matches (or a numeric index).
"""

from __future__ import annotations

import bisect
import copy
import difflib
import itertools
import math
from typing import Any

import yaml

from .limits import shown
from .yamlread import YamlLimit, load


def split(path: str) -> list[str]:
    """The segments of a dotted path.

    Raises
    ------
    KeyError
        If the path is empty or has an empty segment.
    """
    parts = path.split(".") if isinstance(path, str) else []
    if not parts or any(not p for p in parts):
        raise KeyError(f"{path!r} is not a dotted path such as 'organisations.cpr_ccg.name'")
    return parts


def _id_of(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else getattr(item, "id", None)


def list_index(items: list, key: str, where: str = "the list") -> int:
    """Index of the element of ``items`` whose ``id`` is ``key``, else of the numeric index
    ``key``.

    Raises
    ------
    KeyError
        If neither matches; the message names the closest id.
    """
    for i, item in enumerate(items):
        if _id_of(item) == key:
            return i
    # isdecimal and ASCII: "①" and "²" are digits to str.isdigit, but int() refuses them
    if key.isascii() and key.isdecimal() and int(key) < len(items):
        return int(key)
    raise _no_element(key, where, [_id_of(item) for item in items if _id_of(item) is not None])


#: the most ids a "did you mean" hint compares a missing one with (difflib is quadratic-ish)
_MAX_HINTED = 1000


def _no_element(key: str, where: str, ids: list) -> KeyError:
    hint = (difflib.get_close_matches(key, [str(i) for i in ids], n=1)
            if len(ids) <= _MAX_HINTED else [])
    extra = f"; did you mean {hint[0]!r}?" if hint else ""
    return KeyError(f"no element {key!r} in {where} (have {shown(ids)}){extra}")


class Ids:
    """Where each id sits in the lists of one document, found in one pass over each list.

    Many paths into one document (thousands of overrides or sources naming schemes) then cost
    a look-up each, not a search of the list each. It follows the replacements
    :func:`set_in_place` makes through it; other changes to the lists are not seen.
    """

    def __init__(self) -> None:
        self._lists: dict[int, tuple[list, dict[str, list[int]]]] = {}

    def _table(self, items: list) -> dict[str, list[int]]:
        got = self._lists.get(id(items))
        if got is None or got[0] is not items:
            table: dict[str, list[int]] = {}
            for i, item in enumerate(items):
                key = _id_of(item)
                if isinstance(key, str):
                    table.setdefault(key, []).append(i)
            got = self._lists[id(items)] = (items, table)
        return got[1]

    def index(self, items: list, key: str, where: str = "the list") -> int:
        """As :func:`list_index`."""
        table = self._table(items)
        at = table.get(key)
        if at:
            return at[0]
        if key.isascii() and key.isdecimal() and int(key) < len(items):
            return int(key)
        # a long list: no hint, and only the ids a message shows (not a copy of them all for
        # each of thousands of misses)
        raise _no_element(key, where, [_id_of(x) for x in items if _id_of(x) is not None]
                          if len(items) <= _MAX_HINTED else list(itertools.islice(table, 8)))

    def replace(self, items: list, i: int, value: Any) -> None:
        """``items[i] = value``, keeping the table of ids true."""
        old, new = _id_of(items[i]), _id_of(value)
        if old != new and id(items) in self._lists:
            table = self._table(items)
            if isinstance(old, str):
                table[old].remove(i)
                if not table[old]:
                    del table[old]
            if isinstance(new, str):
                bisect.insort(table.setdefault(new, []), i)
        items[i] = value


def _is_model(node: Any) -> bool:
    return hasattr(node, "model_copy") and hasattr(type(node), "model_fields")


def child(node: Any, part: str, where: str = "the scenario", ids: Ids | None = None) -> Any:
    """The value below ``node`` at one segment: a mapping key, a model field or a list element
    (found through ``ids`` when given).

    Raises
    ------
    KeyError
        If there is no such key, field or element; the message names the closest one.
    """
    if isinstance(node, list):
        return node[ids.index(node, part, where) if ids else list_index(node, part, where)]
    if isinstance(node, dict) or _is_model(node):
        keys = list(node) if isinstance(node, dict) else list(type(node).model_fields)
        if part not in keys:
            hint = difflib.get_close_matches(part, [str(k) for k in keys], n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise KeyError(f"no field {part!r} in {where}{extra}")
        return node[part] if isinstance(node, dict) else getattr(node, part)
    raise KeyError(f"{where} is a value, not a group: cannot look up {part!r}")


def get_path(data: Any, path: str, ids: Ids | None = None) -> Any:
    """The value at a dotted ``path`` in plain scenario data or a scenario model; ``ids``
    (:class:`Ids`) finds list elements when many paths are looked up in one document.

    Raises
    ------
    KeyError
        If the path does not exist; the message names the closest field.
    """
    node = data
    done: list[str] = []
    for part in split(path):
        node = child(node, part, ".".join(done) or "the scenario", ids)
        done.append(part)
    return node


def matches(data: Any, path: str) -> list[str]:
    """The dotted paths that ``path`` names in ``data``: itself, or, where a segment is ``*``,
    one path for each element (list items by id, mapping keys) that has the rest of it.

    ``organisations.*.expenditure.price_inflation`` names the price inflation of every
    organisation that has one: a national driver declared once.
    """
    if "*" not in split(path):
        return [path]
    return [p for p, _ in matched(data, path)]


class WalkTooLong(ValueError):
    """A wildcard walk took more steps than its :class:`Budget` allowed."""


class Budget:
    """Steps that the wildcard walks of :func:`matched` may still take between them [count];
    one budget shared by many walks bounds their cost together."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def spend(self, steps: int) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise WalkTooLong("a wildcard walk longer than its budget")


def matched(data: Any, path: str, budget: Budget | None = None) -> list[tuple[str, Any]]:
    """``(path, value)`` of every path that ``path`` names in ``data`` (:func:`matches`), each
    value found on the one walk down.

    The walk goes down from each element a ``*`` stands for, never again from the top, and an
    element without the rest of the path is passed over without a message being built: a
    wildcard over 9,000 schemes costs 9,000 steps, not 9,000 searches of the list.

    Raises
    ------
    WalkTooLong
        When ``budget`` is given and the walk would take more steps than it has left.
    """
    return [(".".join(done), value)
            for done, value in _match(data, split(path), [], budget or Budget(math.inf))]


_NONE = object()


def _step(node: Any, part: str, budget: Budget) -> Any:
    """``child(node, part)``, or ``_NONE``; the steps it takes are spent."""
    if isinstance(node, list):
        budget.spend(len(node))
        for item in node:
            if _id_of(item) == part:
                return item
        index = part.isascii() and part.isdecimal() and int(part) < len(node)
        return node[int(part)] if index else _NONE
    budget.spend(1)
    if isinstance(node, dict):
        return node.get(part, _NONE)
    if _is_model(node) and part in type(node).model_fields:
        return getattr(node, part)
    return _NONE


def _match(node: Any, parts: list[str], done: list[str], budget: Budget):
    if not parts:
        yield done, node
        return
    head, rest = parts[0], parts[1:]
    if head != "*":
        sub = _step(node, head, budget)
        if sub is not _NONE:  # else this element has no such field: it is not named
            yield from _match(sub, rest, [*done, head], budget)
        return
    if isinstance(node, list):
        subs = [(str(_id_of(x)), x) for x in node if _id_of(x) is not None]
    elif isinstance(node, dict):
        subs = [(str(k), v) for k, v in node.items()]
    elif _is_model(node):
        subs = [(k, getattr(node, k)) for k in type(node).model_fields]
    else:
        subs = []
    budget.spend(len(subs))
    for key, sub in subs:
        yield from _match(sub, rest, [*done, key], budget)


def set_path(data: dict, path: str, value: Any) -> dict:
    """A deep copy of plain ``data`` with ``value`` at ``path``; missing groups are created."""
    return set_in_place(copy.deepcopy(data), path, value)


def set_in_place(out: dict, path: str, value: Any, ids: Ids | None = None) -> dict:
    """``out`` (plain data, changed) with ``value`` at ``path``; missing groups are created.
    Many overrides go on one copy this way, and with one :class:`Ids` for them all, so applying
    them is linear in their number."""
    parts = split(path)
    node: Any = out
    done: list[str] = []
    for part in parts[:-1]:
        where = ".".join(done) or "the scenario"
        if isinstance(node, dict) and node.get(part) is None:
            node[part] = {}
        node = child(node, part, where, ids)
        done.append(part)
    last, where = parts[-1], ".".join(done) or "the scenario"
    if isinstance(node, list):
        if ids is None:
            node[list_index(node, last, where)] = value
        else:
            ids.replace(node, ids.index(node, last, where), value)
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise KeyError(f"{where} is a value, not a group: cannot set {last!r}")
    return out


def substitute(node: Any, path: str | list[str], value: Any) -> Any:
    """A copy of ``node`` (a frozen model, list or mapping) with ``value`` at ``path``, sharing
    everything else; nothing is validated, so ``value`` may be an array of one value per run."""
    parts = split(path) if isinstance(path, str) else path
    head, rest = parts[0], parts[1:]
    new = substitute(child(node, head), rest, value) if rest else value
    if _is_model(node):
        return node.model_copy(update={head: new})
    if isinstance(node, list):
        out = list(node)
        out[list_index(node, head)] = new
        return out
    out = dict(node)
    out[head] = new
    return out


def substitute_many(node: Any, values: dict[str, Any]) -> Any:
    """:func:`substitute` of every ``{path: value}`` at once: each list, mapping and model on
    the way copied once and each id found once, however many paths pass through it (a shared
    driver set in every organisation of a national scenario costs a look-up each, not a copy
    and a search of the organisations each). The same as substituting them one by one."""
    items = [(split(path), value) for path, value in values.items()]
    return _substitute_tree(node, items) if items else node


def _substitute_tree(node: Any, items: list[tuple[list[str], Any]]) -> Any:
    ids = Ids() if isinstance(node, list) else None
    groups: dict[Any, tuple[str, list]] = {}  # where each head lands -> (head, [(rest, value)])
    for parts, value in items:
        head = parts[0]
        at = ids.index(node, head, "the list") if ids is not None else head
        groups.setdefault(at, (head, []))[1].append((parts[1:], value))
    new: dict[Any, Any] = {}
    for at, (head, below) in groups.items():
        if any(not rest for rest, _ in below):
            if len(below) > 1:  # a node set and changed again: one at a time, in order
                value = child(node, head, ids=ids)
                for rest, v in below:
                    value = substitute(value, rest, v) if rest else v
                new[at] = value
            else:
                new[at] = below[0][1]
        else:
            new[at] = _substitute_tree(child(node, head, ids=ids), below)
    if _is_model(node):
        return node.model_copy(update=new)
    if isinstance(node, list):
        out = list(node)
        for i, value in new.items():
            out[i] = value
        return out
    out = dict(node)
    out.update(new)
    return out


def parse_override(text: str) -> tuple[str, Any]:
    """Split a command-line ``path=value`` override; the value is read as YAML (numbers,
    booleans, lists) within the limits of a scenario file (:mod:`~ccgmodels.inputs.yamlread`);
    text that is not YAML is taken as text.

    Raises
    ------
    ValueError
        If there is no ``=``, or the value breaks a limit (``1:30``, deep nesting, an alias
        bomb).
    """
    if "=" not in text:
        raise ValueError(f"--set {text!r}: expected path=value, e.g. "
                         "organisations.cpr_ccg.allocation.growth.programme=0.05")
    path, raw = text.split("=", 1)
    try:
        value = load(raw) if raw.strip() else ""
    except YamlLimit as exc:
        raise ValueError(f"--set {path.strip()}: value refused: {exc}") from None
    except yaml.YAMLError:
        value = raw
    return path.strip(), value
