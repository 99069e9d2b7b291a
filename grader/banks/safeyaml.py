"""Reading YAML files that may be hostile, keeping line numbers for messages.

This is `yaml.safe_load` taken apart: the libyaml composer (or PyYAML's own when libyaml
is missing) builds the node tree, and PyYAML's `SafeConstructor` turns it into plain
data, so no tag can construct a Python object. Keeping the node tree lets callers point
at the line of any value, and lets us refuse what safe_load would accept but a grader
should not: aliases (billion-laughs bombs), absurd nesting, and duplicate keys, which
PyYAML silently resolves to the last one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 40
"""Deepest nesting accepted; banks need about eight levels, submissions fewer."""


@dataclass(frozen=True)
class YamlIssue:
    """Something wrong with the YAML itself, at a 1-based line (0 when unknown)."""

    line: int
    message: str
    path: tuple[Any, ...] = ()


class YamlRefused(Exception):
    """The text is not YAML we accept; `issue` says why and where."""

    def __init__(self, issue: YamlIssue) -> None:
        self.issue = issue
        super().__init__(issue.message)


@dataclass(frozen=True)
class Parsed:
    """Plain data from a YAML document, with the line of every path in it."""

    data: Any
    lines: dict[tuple[Any, ...], int]
    duplicates: tuple[YamlIssue, ...]

    def line(self, path: tuple[Any, ...]) -> int:
        """The line of `path`, or of its nearest ancestor that exists."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 0)


def parse(text: str, *, allow_aliases: bool = True) -> Parsed:
    """Parse one YAML document safely. Raises YamlRefused with a located message."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or exc.context or "malformed YAML"
        raise YamlRefused(YamlIssue(mark.line + 1 if mark else 0, f"YAML syntax error: {detail}")) from None
    except yaml.YAMLError as exc:
        raise YamlRefused(YamlIssue(0, f"YAML syntax error: {exc}")) from None
    except RecursionError:
        raise YamlRefused(YamlIssue(0, f"nested deeper than {MAX_DEPTH} levels")) from None
    if node is None:
        return Parsed(None, {(): 1}, ())
    lines: dict[tuple[Any, ...], int] = {}
    duplicates: list[YamlIssue] = []
    _walk(node, (), 0, lines, duplicates, set(), allow_aliases)
    try:
        data = SafeConstructor().construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise YamlRefused(YamlIssue(mark.line + 1 if mark else 0, f"refused: {exc.problem}")) from None
    except (ValueError, OverflowError) as exc:
        raise YamlRefused(YamlIssue(0, f"refused: {exc}")) from None
    return Parsed(data, lines, tuple(duplicates))


def _walk(
    node: Node,
    path: tuple[Any, ...],
    depth: int,
    lines: dict[tuple[Any, ...], int],
    duplicates: list[YamlIssue],
    seen: set[int],
    allow_aliases: bool,
) -> None:
    if depth > MAX_DEPTH:
        raise YamlRefused(YamlIssue(node.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels"))
    if id(node) in seen:
        # A node reached twice is an alias (&a ... *a): harmless in a bank, a bomb in a submission.
        if not allow_aliases:
            raise YamlRefused(YamlIssue(node.start_mark.line + 1, "YAML aliases (*name) are not accepted here"))
        return
    if not isinstance(node, ScalarNode):
        seen.add(id(node))
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), depth + 1, lines, duplicates, seen, allow_aliases)
    elif isinstance(node, MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = _key(key_node)
            child = path + (key,)
            if key in keys:
                duplicates.append(
                    YamlIssue(key_node.start_mark.line + 1, f"duplicate key '{key}'; each key may appear once", child)
                )
            keys.add(key)
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, depth + 1, lines, duplicates, seen, allow_aliases)


def _key(node: Node) -> Any:
    """The key as the constructor will build it, so paths match the data."""
    if isinstance(node, ScalarNode):
        if node.tag.endswith(":int"):
            try:
                return int(node.value)
            except ValueError:
                return node.value
        if node.tag.endswith(":bool"):
            return node.value.lower() in ("yes", "true", "on")
        return node.value
    return repr(node.value)
