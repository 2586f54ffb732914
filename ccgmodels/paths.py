"""Dotted paths into plain scenario data: ``organisations.cpr_ccg.qipp.schemes.avastin
.net_saving``.

One syntax serves ``--set path=value`` overrides, ``overrides:`` in scenario files, uncertainty
keys and the ``sources:`` block. Segments are mapping keys; inside a list they pick the element
whose ``id`` matches (or a numeric index).
"""

from __future__ import annotations

import copy
import difflib
from typing import Any

import yaml


def _split(path: str) -> list[str]:
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise KeyError(f"{path!r} is not a dotted path such as 'organisations.cpr_ccg.name'")
    return parts


def _child_in_list(items: list, key: str, where: str) -> int:
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == key:
            return i
    if key.isdigit() and int(key) < len(items):
        return int(key)
    ids = [item.get("id") for item in items if isinstance(item, dict)]
    hint = difflib.get_close_matches(key, [str(i) for i in ids], n=1)
    extra = f"; did you mean {hint[0]!r}?" if hint else ""
    raise KeyError(f"no element {key!r} in {where} (have {ids}){extra}")


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` in plain scenario data.

    Raises
    ------
    KeyError
        If the path does not exist; the message names the closest field.
    """
    node = data
    done: list[str] = []
    for part in _split(path):
        where = ".".join(done) or "the scenario"
        if isinstance(node, list):
            node = node[_child_in_list(node, part, where)]
        elif isinstance(node, dict):
            if part not in node:
                hint = difflib.get_close_matches(part, [str(k) for k in node], n=1)
                extra = f"; did you mean {hint[0]!r}?" if hint else ""
                raise KeyError(f"no field {part!r} in {where}{extra}")
            node = node[part]
        else:
            raise KeyError(f"{where} is a value, not a group: cannot look up {part!r}")
        done.append(part)
    return node


def set_path(data: dict, path: str, value: Any) -> dict:
    """A deep copy of ``data`` with ``value`` at ``path``; missing groups are created."""
    out = copy.deepcopy(data)
    node: Any = out
    parts = _split(path)
    done: list[str] = []
    for part in parts[:-1]:
        where = ".".join(done) or "the scenario"
        if isinstance(node, list):
            node = node[_child_in_list(node, part, where)]
        elif isinstance(node, dict):
            if node.get(part) is None:
                node[part] = {}
            node = node[part]
        else:
            raise KeyError(f"{where} is a value, not a group: cannot set {part!r}")
        done.append(part)
    last = parts[-1]
    if isinstance(node, list):
        node[_child_in_list(node, last, ".".join(done))] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise KeyError(f"{'.'.join(done)} is a value, not a group: cannot set {last!r}")
    return out


def parse_override(text: str) -> tuple[str, Any]:
    """Split a command-line ``path=value`` override; the value is read as YAML (numbers,
    booleans, lists)."""
    if "=" not in text:
        raise ValueError(f"--set {text!r}: expected path=value, e.g. "
                         "organisations.cpr_ccg.allocation.growth.programme=0.05")
    path, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return path.strip(), value
