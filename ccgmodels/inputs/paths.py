"""Dotted paths into a scenario: ``organisations.cpr_ccg.qipp.schemes.avastin.net_saving``.

One syntax serves ``--set path=value`` overrides, ``overrides:`` in scenario files, uncertainty
keys and the ``sources:`` block, and one walker, :func:`child`, follows it through plain data
(mappings and lists) and through the frozen assumption models alike. Segments are mapping keys or
fields; inside a list they pick the element whose ``id`` matches (or a numeric index).
"""

from __future__ import annotations

import copy
import difflib
from typing import Any

import yaml

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
    ids = [_id_of(item) for item in items if _id_of(item) is not None]
    hint = difflib.get_close_matches(key, [str(i) for i in ids], n=1)
    extra = f"; did you mean {hint[0]!r}?" if hint else ""
    raise KeyError(f"no element {key!r} in {where} (have {ids}){extra}")


def _is_model(node: Any) -> bool:
    return hasattr(node, "model_copy") and hasattr(type(node), "model_fields")


def child(node: Any, part: str, where: str = "the scenario") -> Any:
    """The value below ``node`` at one segment: a mapping key, a model field or a list element.

    Raises
    ------
    KeyError
        If there is no such key, field or element; the message names the closest one.
    """
    if isinstance(node, list):
        return node[list_index(node, part, where)]
    if isinstance(node, dict) or _is_model(node):
        keys = list(node) if isinstance(node, dict) else list(type(node).model_fields)
        if part not in keys:
            hint = difflib.get_close_matches(part, [str(k) for k in keys], n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise KeyError(f"no field {part!r} in {where}{extra}")
        return node[part] if isinstance(node, dict) else getattr(node, part)
    raise KeyError(f"{where} is a value, not a group: cannot look up {part!r}")


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` in plain scenario data or a scenario model.

    Raises
    ------
    KeyError
        If the path does not exist; the message names the closest field.
    """
    node = data
    done: list[str] = []
    for part in split(path):
        node = child(node, part, ".".join(done) or "the scenario")
        done.append(part)
    return node


def matches(data: Any, path: str) -> list[str]:
    """The dotted paths that ``path`` names in ``data``: itself, or, where a segment is ``*``,
    one path for each element (list items by id, mapping keys) that has the rest of it.

    ``organisations.*.expenditure.price_inflation`` names the price inflation of every
    organisation that has one: a national driver declared once.
    """
    parts = split(path)
    if "*" not in parts:
        return [path]
    i = parts.index("*")
    head = ".".join(parts[:i])
    try:
        node = get_path(data, head) if head else data
    except KeyError:
        return []
    keys = ([str(_id_of(x)) for x in node if _id_of(x) is not None] if isinstance(node, list)
            else list(node) if isinstance(node, dict)
            else list(type(node).model_fields) if _is_model(node) else [])
    out = []
    for key in keys:
        for candidate in matches(data, ".".join([*parts[:i], key, *parts[i + 1:]])):
            try:
                get_path(data, candidate)
            except KeyError:
                continue
            out.append(candidate)
    return out


def set_path(data: dict, path: str, value: Any) -> dict:
    """A deep copy of plain ``data`` with ``value`` at ``path``; missing groups are created."""
    return set_in_place(copy.deepcopy(data), path, value)


def set_in_place(out: dict, path: str, value: Any) -> dict:
    """``out`` (plain data, changed) with ``value`` at ``path``; missing groups are created.
    Many overrides go on one copy this way, so applying them is linear in their number."""
    parts = split(path)
    node: Any = out
    done: list[str] = []
    for part in parts[:-1]:
        where = ".".join(done) or "the scenario"
        if isinstance(node, dict) and node.get(part) is None:
            node[part] = {}
        node = child(node, part, where)
        done.append(part)
    last, where = parts[-1], ".".join(done) or "the scenario"
    if isinstance(node, list):
        node[list_index(node, last, where)] = value
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
