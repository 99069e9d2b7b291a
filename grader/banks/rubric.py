"""Reading a text question's `rubric:` and labelled `examples:`, every problem located.

Kept apart from the loader because a rubric is a small language of its own: points and
misconceptions, phrase lists, `all:` ideas, `contradicts:`, and answers labelled with the
credit an instructor gives them.
"""

from __future__ import annotations

from typing import Any

from grader.banks.checker import Checker, Where, describe
from grader.marking import textmatch
from grader.marking.rubric import LABELS
from grader.model import LabelledAnswer, RubricPoint

NEGATION = ("voids", "ignored")
"""What a negation near a point's phrase does: void the match (the default), or nothing."""


def rubric(check: Checker, data: dict, path: Where) -> tuple[RubricPoint, ...]:
    """The rubric points of a question (problems recorded on `check`)."""
    raw = data.get("rubric")
    if raw is None:
        if data.get("kind") == "text":
            check.problem(path, "missing required field 'rubric' (a list of points with 'point' and 'any')")
        return ()
    if not isinstance(raw, list) or not raw:
        check.problem(path + ("rubric",), f"expected a non-empty list of rubric points, got {describe(raw)}")
        return ()
    out = [point for index, item in enumerate(raw) if (point := _point(check, item, path + ("rubric", index)))]
    if out and not any(p.weight > 0 for p in out):
        check.problem(path + ("rubric",), "a rubric needs at least one point with a positive weight")
    return tuple(out)


def _point(check: Checker, item: Any, where: Where) -> RubricPoint | None:
    mapping = check.mapping(item, where, "a rubric point {point: ..., any: [...]}")
    if mapping is None:
        return None
    check.fields(mapping, where, ("point", "misconception", "weight", "any", "all", "contradicts", "negation"),
                 "a rubric point")
    misconception = "misconception" in mapping
    if misconception == ("point" in mapping):
        check.problem(where, "a rubric point has either 'point' (what to say) or 'misconception' (a sentence for the student)")
        return None
    text = check.text(mapping, "misconception" if misconception else "point", where, required=True) or ""
    weight = check.number(mapping, "weight", where, -1e6, 1e6, -1.0 if misconception else 1.0)
    if misconception and weight >= 0:
        check.problem(where + ("weight",), f"a misconception's weight is negative (it subtracts), got {weight:g}")
    elif not misconception and weight <= 0:
        check.problem(where + ("weight",), f"a point's weight is positive, got {weight:g}; use 'misconception:' to subtract")
    ideas = [_phrases(check, mapping.get("any"), where + ("any",))] if "any" in mapping else []
    raw_all = mapping.get("all")
    if raw_all is not None:
        if not isinstance(raw_all, list) or not raw_all:
            check.problem(where + ("all",), "'all' is a list of ideas, each a list of phrases: [[gate, Γ], [keep, copy]]")
        else:
            ideas += [_phrases(check, idea, where + ("all", i)) for i, idea in enumerate(raw_all)]
    if not ideas:
        check.problem(where, "a rubric point needs 'any' (a list of phrases) or 'all' (a list of such lists)")
    contradicts = _phrases(check, mapping.get("contradicts"), where + ("contradicts",)) if "contradicts" in mapping else ()
    negation = mapping.get("negation", "voids")
    if negation not in NEGATION:
        check.problem(where + ("negation",), f"negation is one of {', '.join(NEGATION)}, got {describe(negation)}: "
                                             "'ignored' for a point a negated phrase makes too (\"cannot use context\")")
    return RubricPoint(text, weight, tuple(i for i in ideas if i), contradicts, negation == "ignored")


def _phrases(check: Checker, raw: Any, where: Where) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        check.problem(where, "expected a non-empty list of phrases (words, 'word*', 'not word', or 're:' patterns)")
        return ()
    out = []
    for index, item in enumerate(raw):
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            check.problem(where + (index,), f"a phrase is text, got {describe(item)}")
            continue
        try:
            textmatch.phrase(str(item))
        except ValueError as exc:
            check.problem(where + (index,), str(exc))
            continue
        out.append(str(item))
    return tuple(out)


def labelled(check: Checker, data: dict, path: Where, points: tuple[RubricPoint, ...]) -> tuple[LabelledAnswer, ...]:
    """A text question's labelled answers: each with the credit (0–1) an instructor gives it."""
    raw = data.get("examples")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        check.problem(path + ("examples",), "expected a list of labelled answers {answer, credit, label}")
        return ()
    positive = sum(1 for p in points if not p.misconception)
    out = []
    for index, item in enumerate(raw):
        where = path + ("examples", index)
        mapping = check.mapping(item, where, "a labelled answer {answer: ..., credit: 0.5, label: plain}")
        if mapping is None:
            continue
        check.fields(mapping, where, ("answer", "credit", "label", "misses"), "a labelled answer")
        text = check.text(mapping, "answer", where, required=True)
        if "credit" not in mapping:
            check.problem(where, "missing required field 'credit' (the share of the points an instructor gives, 0 to 1)")
        credit = check.number(mapping, "credit", where, 0.0, 1.0, 0.0)
        label = check.text(mapping, "label", where) or ""
        if label and label not in LABELS:
            check.problem(where + ("label",), f"unknown label '{label}'; labels are {', '.join(LABELS)}")
        misses = mapping.get("misses", [])
        if not isinstance(misses, list) or not all(isinstance(m, int) and not isinstance(m, bool)
                                                   and 1 <= m <= positive for m in misses):
            check.problem(where + ("misses",), f"'misses' lists point numbers from 1 to {positive} that this answer must not earn")
            misses = []
        if text:
            out.append(LabelledAnswer(text, credit, label, tuple(misses), check.parsed.line(where)))
    return tuple(out)
