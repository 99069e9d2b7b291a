"""Submission files read as text: YAML (or JSON) whose every value is the string written.

A submission is data a student typed, so nothing in it may be reinterpreted: YAML 1.1
would read `0x1F` as 31, `1_000` as 1000, `1:20` as 80 and `yes` as True. This reader
builds plain dicts, lists and strings straight from the parser's events, so each scalar
stays the exact text written (only a value left empty is None). Everything a submission
never needs is refused with its line: tags, anchors and aliases of any kind, duplicate
keys at any depth, keys that are not plain text, several documents, deep nesting.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml import events

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 20
"""Deepest nesting accepted; a submission needs four levels (work: exercise: name: matrix rows)."""


class TextYamlError(ValueError):
    """The text is not a submission document we read; `line` is 1-based (0 when unknown)."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


def read_text(text: str) -> Any:
    """The one document in `text` as dicts, lists, strings and None (for empty values)."""
    try:
        stream = list(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise TextYamlError(mark.line + 1 if mark else 0, f"YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        line = _line_at(text, position) if isinstance(position, int) else 0
        raise TextYamlError(line, f"YAML syntax error: {getattr(exc, 'reason', None) or exc}") from None
    documents = sum(isinstance(e, events.DocumentStartEvent) for e in stream)
    if documents > 1:
        second = [e for e in stream if isinstance(e, events.DocumentStartEvent)][1]
        raise TextYamlError(_line(second), "several YAML documents ('---'); a submission is one document")
    builder = _Builder()
    for event in stream:
        builder.feed(event)
    return builder.result


def _line(event: events.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark else 0


class _Builder:
    """Turns parser events into plain data, refusing what a submission never needs."""

    def __init__(self) -> None:
        self.result: Any = None
        # Open collections, each [container, its pending key (None between entries), keys seen].
        self.stack: list[list[Any]] = []

    def feed(self, event: events.Event) -> None:
        if isinstance(event, events.AliasEvent):
            raise TextYamlError(_line(event), "YAML anchors and aliases (&name, *name) are not accepted in a submission")
        if isinstance(event, (events.ScalarEvent, events.MappingStartEvent, events.SequenceStartEvent)):
            if event.anchor is not None:
                raise TextYamlError(_line(event), "YAML anchors and aliases (&name, *name) are not accepted in a submission")
            if event.tag is not None:
                raise TextYamlError(_line(event), f"YAML tags ({event.tag}) are not accepted in a submission")
        if isinstance(event, events.ScalarEvent):
            plain_empty = event.value == "" and not event.style
            self.add(None if plain_empty else event.value, event)
        elif isinstance(event, events.MappingStartEvent):
            self.open({}, event)
        elif isinstance(event, events.SequenceStartEvent):
            self.open([], event)
        elif isinstance(event, (events.MappingEndEvent, events.SequenceEndEvent)):
            container = self.stack.pop()[0]
            self.add(container, event)

    def open(self, container: Any, event: events.Event) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise TextYamlError(_line(event), f"nested deeper than {MAX_DEPTH} levels")
        if self.stack and isinstance(self.stack[-1][0], dict) and self.stack[-1][1] is None:
            raise TextYamlError(_line(event), "a key must be plain text, not a list or mapping")
        self.stack.append([container, None, set()])

    def add(self, value: Any, event: events.Event) -> None:
        if not self.stack:
            self.result = value
            return
        top = self.stack[-1]
        container = top[0]
        if isinstance(container, list):
            container.append(value)
        elif top[1] is None:
            if value is None:
                raise TextYamlError(_line(event), "an empty key")
            if value in top[2]:
                raise TextYamlError(_line(event), f"duplicate key '{value[:60]}'; each key may appear once")
            top[1] = value
            top[2].add(value)
        else:
            container[top[1]] = value
            top[1] = None


def _line_at(text: str, position: int) -> int:
    """The 1-based line of a reader error's position: libyaml counts bytes, PyYAML characters."""
    if _Loader is not yaml.SafeLoader:
        return text.encode("utf-8")[:position].count(b"\n") + 1
    return text.count("\n", 0, position) + 1
