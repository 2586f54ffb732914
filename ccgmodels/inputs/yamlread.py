"""Reading scenario YAML within stated limits (:mod:`ccgmodels.inputs.limits`).

:func:`load` parses with libyaml's C parser when PyYAML has it (``CSafeLoader``, many times
faster than the pure-Python one), composes the document into nodes, and checks the node graph
before building any Python value:

* the number of values once aliases are expanded (a "billion laughs" bomb of 1 KB expands to
  billions) and the nesting depth, counted over the graph without expanding it;
* every mapping key a plain value (``? [a, b] : 1`` is refused), every text value within
  :data:`~ccgmodels.inputs.limits.MAX_STRING`;
* the YAML 1.1 surprises PyYAML reads silently: base-60 numbers (``1:30`` is 90), octal
  (``010`` is 8), hexadecimal and binary, digit separators (``1_000``) and ``yes``/``no``/``on``
  /``off`` as booleans. Each is refused with its line; quoted, each is text.

Only then are values constructed, with the duplicate-key check: a mapping with one key twice is
refused, never resolved silently by the later one winning.

:func:`dump` writes scenario data as YAML that :func:`load` reads back as it was (the resolved
scenario a report re-reads).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .limits import MAX_DEPTH, MAX_NODES, MAX_STRING, shown

try:
    _Base, _Dumper = yaml.CSafeLoader, yaml.CSafeDumper
except AttributeError:  # PyYAML built without libyaml
    _Base, _Dumper = yaml.SafeLoader, yaml.SafeDumper


class YamlLimit(ValueError):
    """The document breaks a limit or holds a YAML 1.1 surprise; ``line`` is 1-based or None."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        where = f" at line {line}" if line else ""
        super().__init__(f"{message}{where}")


class Loader(_Base):
    """Safe loader that refuses a mapping with the same key twice."""


def _construct_mapping(loader, node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {shown(key)}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_INT, _FLOAT, _BOOL = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                       "tag:yaml.org,2002:bool")
_SURPRISES = (
    (re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$"),
     "is read by YAML 1.1 as a base-60 number"),
    (re.compile(r"^[-+]?0[0-7_]+$"), "is read by YAML 1.1 as an octal number"),
    (re.compile(r"^[-+]?0[xXbBoO]"), "is read by YAML 1.1 as a hexadecimal or binary number"),
    (re.compile(r"_"), "is read by YAML 1.1 as a number with its underscores dropped"),
)
_WORD_BOOLS = {"yes", "no", "on", "off"}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _surprise(node: yaml.ScalarNode) -> str | None:
    if node.style:  # quoted or block text: never a number (plain is None, or "" from libyaml)
        return None
    text = node.value
    if node.tag in (_INT, _FLOAT):
        for pattern, why in _SURPRISES:
            if pattern.search(text):
                return f"{text!r} {why}: write it as a plain decimal, or quote it as text"
    elif node.tag == _BOOL and text.lower() in _WORD_BOOLS:
        return (f"{text!r} is read by YAML 1.1 as a boolean: write true or false, or quote it "
                "as text")
    return None


def check_nodes(root: yaml.Node) -> None:
    """Check the composed document ``root`` against the limits, without expanding aliases.

    Raises
    ------
    YamlLimit
        On the first limit broken or YAML 1.1 surprise found.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_stack: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        line = node.start_mark.line + 1 if node.start_mark else None
        if isinstance(node, yaml.ScalarNode):
            if key not in size:
                if len(node.value) > MAX_STRING:
                    raise YamlLimit(f"a value of {len(node.value):,} characters: at most "
                                    f"{MAX_STRING:,}", line)
                why = _surprise(node)
                if why:
                    raise YamlLimit(why, line)
                size[key], depth[key] = 1, 0
            continue
        if isinstance(node, yaml.MappingNode):
            kids = []
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode):
                    raise YamlLimit("a mapping key must be a plain value such as a field name, "
                                    "not a list or mapping", k.start_mark.line + 1)
                kids += [k, v]
        else:
            kids = list(node.value)
        if children_done:
            on_stack.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            if size[key] > MAX_NODES:
                raise YamlLimit(f"more than {MAX_NODES:,} values once aliases are expanded "
                                "(an alias bomb?)", line)
            if depth[key] > MAX_DEPTH:
                raise YamlLimit(f"nested more than {MAX_DEPTH} levels deep", line)
            continue
        if key in size:
            continue
        if key in on_stack:
            raise YamlLimit("an alias refers to the value that contains it", line)
        on_stack.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in size)
        if len(on_stack) > MAX_DEPTH + 1:
            raise YamlLimit(f"nested more than {MAX_DEPTH} levels deep", line)


def load(text: str) -> Any:
    """Parse one YAML document within the limits.

    Returns
    -------
    object
        The document's value (None for an empty document).

    Raises
    ------
    YamlLimit
        A limit broken or a YAML 1.1 surprise (see the module docstring).
    yaml.YAMLError
        Not valid YAML; ``problem_mark`` says where when known.
    """
    if _LONE_SURROGATE.search(text):
        raise YamlLimit("holds a character that is not valid Unicode (a lone surrogate such as "
                        "\\ud800) and cannot be written to a file")
    loader = Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except RecursionError:  # the pure-Python composer on deep nesting
            raise YamlLimit(f"nested more than {MAX_DEPTH} levels deep") from None
        if root is None:
            return None
        check_nodes(root)
        try:
            return loader.construct_document(root)
        except (ValueError, TypeError, OverflowError) as exc:  # e.g. !!int "abc"
            mark = getattr(root, "start_mark", None)
            raise yaml.constructor.ConstructorError(
                None, None, f"a value cannot be read: {shown(str(exc))}", mark) from None
    finally:
        loader.dispose()


def dump(data: Any) -> str:
    """``data`` (plain: text, numbers, lists, mappings) as the YAML text of a scenario file, in
    its own key order, non-ASCII text as it is; what :func:`load` reads back as ``data``.

    libyaml's emitter when PyYAML has it: the same text as ``yaml.safe_dump``, about 2.5 times
    faster (0.5 s a MB).
    """
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
