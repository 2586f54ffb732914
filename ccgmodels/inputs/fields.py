"""Field metadata of the typed assumptions, read in one place.

Every assumption's description (with its unit in square brackets), its bounds and its type are
read here from the pydantic models, and nowhere else: validation (suggestions for an unknown
field), uncertainty ranges (a range must lie inside its field's bounds; normal draws are clipped
to them) and the explorer's controls (labels, units, slider limits) all call :func:`describe`.

Bounds come from two places on a field's type: a :class:`Bounds` marker in the ``Annotated``
metadata of the scalar types (``Rate`` 0..1, ``Growth`` -1..1, ``Money`` 0..inf) and pydantic's
``ge`` / ``gt`` / ``le`` / ``lt`` constraints.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel


@dataclass(frozen=True)
class Bounds:
    """Lowest and highest value a scalar type accepts [unit of the field]; pydantic ignores it,
    :func:`describe` reads it."""

    low: float = -math.inf
    high: float = math.inf


@dataclass(frozen=True)
class FieldMeta:
    """What the models say of one assumption."""

    path: str
    description: str  # the pydantic description, unit in square brackets
    unit: str  # the last [...] of the description ("" when it has none)
    low: float  # [unit]
    high: float  # [unit]
    annotation: Any  # the bare type (float, bool, a model class, dict[...], ...)


def unwrap(tp: Any) -> tuple[Any, list]:
    """``(bare type, metadata)`` of an annotation, through ``Annotated`` and ``Optional``."""
    meta: list = []
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp, *extra = get_args(tp)
            meta.extend(extra)
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp, meta
            tp = args[0]
        else:
            return tp, meta


def bounds(metadata: Sequence[Any]) -> tuple[float, float]:
    """Bounds implied by a field's metadata (:class:`Bounds`, ``ge``/``gt``/``le``/``lt``,
    nested ``FieldInfo``) [unit of the field]."""
    lo, hi = -math.inf, math.inf
    for m in metadata:
        if isinstance(m, Bounds):
            lo, hi = max(lo, m.low), min(hi, m.high)
        for attr in ("ge", "gt"):
            v = getattr(m, attr, None)
            if isinstance(v, int | float) and not isinstance(v, bool):
                lo = max(lo, float(v))
        for attr in ("le", "lt"):
            v = getattr(m, attr, None)
            if isinstance(v, int | float) and not isinstance(v, bool):
                hi = min(hi, float(v))
        inner = getattr(m, "metadata", None)
        if isinstance(inner, list):
            a, b = bounds(inner)
            lo, hi = max(lo, a), min(hi, b)
    return lo, hi


def _models(tp: Any) -> list[type[BaseModel]]:
    return [a for a in get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)]


def _member(tp: Any, part: Any, node: Any) -> tuple[type[BaseModel] | None, bool]:
    """The member of a discriminated union that ``part`` (a tag) or ``node`` (its data) picks;
    the flag says whether ``part`` was the tag (and so is used up)."""
    models = _models(tp)
    for m in models:
        kind = m.model_fields.get("kind")
        if kind is not None and part in get_args(unwrap(kind.annotation)[0]):
            return m, True
    tag = node.get("kind") if isinstance(node, dict) else getattr(node, "kind", None)
    for m in models:
        kind = m.model_fields.get("kind")
        if kind is not None and tag in get_args(unwrap(kind.annotation)[0]):
            return m, False
    having = [m for m in models if part in m.model_fields]
    return (having[0] if len(having) == 1 else (models[0] if len(models) == 1 else None)), False


def _child(node: Any, part: Any) -> Any:
    """The data below ``node`` at ``part`` (a field, a mapping key, a list id or index), or None
    when there is none; only used to pick union members."""
    if node is None:
        return None
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list):
        for item in node:
            if (item.get("id") if isinstance(item, dict) else getattr(item, "id", None)) == part:
                return item
        if isinstance(part, int) or (isinstance(part, str) and part.isascii()
                                     and part.isdecimal()):
            i = int(part)
            return node[i] if i < len(node) else None
        return None
    return getattr(node, str(part), None)


def walk(root: type[BaseModel], parts: Sequence[Any], data: Any = None
         ) -> tuple[Any, list, str]:
    """Follow ``parts`` (field names, mapping keys, list ids or indices, union tags) from the
    model class ``root``; returns ``(bare type, metadata, description)`` of where it ends.

    ``data``, the plain data or model instance at ``root``, picks the member of a discriminated
    union when ``parts`` carries no tag.

    Raises
    ------
    KeyError
        If a part names no field.
    """
    tp: Any = root
    meta: list = []
    description = ""
    node = data
    parts = list(parts)
    i = 0
    while i < len(parts):
        part = parts[i]
        tp, extra = unwrap(tp)
        meta = meta + extra
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if part not in tp.model_fields:
                raise KeyError(f"no field {part!r} in {tp.__name__}")
            info = tp.model_fields[part]
            description = info.description or ""
            tp, meta = info.annotation, list(info.metadata)
            node = _child(node, part)
            i += 1
            continue
        origin = get_origin(tp)
        if origin is list:
            tp, meta = get_args(tp)[0], []
            node = _child(node, part)
            i += 1
        elif origin is dict:
            tp, meta = get_args(tp)[1], []
            node = _child(node, part)
            i += 1
        elif origin in (Union, types.UnionType):
            if not _models(tp):  # a number or {year: number}: below it, the mapping
                containers = [a for a in get_args(tp) if get_origin(a) in (dict, list)]
                if not containers:
                    raise KeyError(f"{'.'.join(map(str, parts[:i]))} is a value: no {part!r} "
                                   "below it")
                tp, meta = containers[0], []
                continue
            member, used = _member(tp, part, node)
            if member is None:
                raise KeyError(f"cannot tell which kind of entry {part!r} is in")
            tp, meta = member, []
            i += int(used)
        else:
            raise KeyError(f"{'.'.join(map(str, parts[:i]))} is a value: no {part!r} below it")
    tp, extra = unwrap(tp)
    if get_origin(tp) in (Union, types.UnionType):
        if _models(tp):
            member, _ = _member(tp, None, node)
            tp = member or tp
        else:  # a number or {year: number}: the number's type and bounds
            scalars = [a for a in get_args(tp) if get_origin(a) not in (dict, list)
                       and a is not type(None)]
            if scalars:
                tp, more = unwrap(scalars[0])
                extra = extra + more
    return tp, meta + extra, description


def describe(root: type[BaseModel], path: str | Sequence[Any], data: Any = None) -> FieldMeta:
    """:class:`FieldMeta` of the assumption at dotted ``path`` below the model class ``root``
    (see :func:`walk`)."""
    parts = path.split(".") if isinstance(path, str) else list(path)
    tp, meta, description = walk(root, parts, data)
    units = re.findall(r"\[([^\]]+)\]", description)
    lo, hi = bounds(meta)
    return FieldMeta(".".join(map(str, parts)), description, units[-1] if units else "", lo, hi,
                     tp)


def field_names(root: type[BaseModel], parts: Sequence[Any], data: Any = None) -> list[str]:
    """Names of the fields allowed at ``parts`` below ``root`` ([] where it is no model)."""
    try:
        tp, _, _ = walk(root, parts, data)
    except KeyError:
        return []
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []
