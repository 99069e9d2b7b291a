"""What an export must contain, computed without the exporter: keys from the banks and solvers,
tolerances from the questions, formulas read back by our own parser.

An exported question is named `bank/qid`, `bank/qid.part`, or `…, seed N` for a variant.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from grader.marking import keys
from grader.banks.catalog import Catalog
from grader.mathinput.equivalence import compare
from grader.mathinput.mathparse import parse
from grader.model import Question, Tolerance
from grader.marking.variants import instantiate

MOODLE_PERCENTS = {"0", "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333",
                   "30", "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5"}
_CATALOG = Catalog.from_dir()


def expected(name: str) -> tuple[Question, Any]:
    """The question an exported name stands for (drawn for its seed) and its key, recomputed."""
    question_id, _, seed = name.partition(", seed ")
    question = _CATALOG.question(question_id)
    if seed:
        if question.parent:
            exercise = instantiate(_CATALOG.question(question.parent), int(seed))
            question = next(p for p in exercise.parts if p.id == question_id)
        else:
            question = instantiate(question, int(seed))
    return question, keys.expected(question)


def expected_names(variants: int, split: set[str]) -> set[str]:
    """Every name an export of all banks holds; exercises in `split` appear as their parts."""
    names = set()
    for bank in _CATALOG.banks():
        for question in bank.questions:
            seeds = [f", seed {s}" for s in range(variants)] if question.randomise else [""]
            ids = [p.id for p in question.parts] if question.id in split else [question.id]
            names |= {i + s for i in ids for s in seeds}
    return names


def error(question: Question, value: float) -> Decimal:
    """The absolute error our tolerance allows at `value`, in exact decimal arithmetic."""
    tolerance = question.tolerance or Tolerance()
    return Decimal(repr(tolerance.abs)) + Decimal(repr(tolerance.rel)) * abs(Decimal(repr(float(value))))


def accepts_exactly(question: Question, key: float, written: Decimal) -> bool:
    """Whether an LMS's absolute error `written` ends where our tolerance ends around the key."""
    tolerance = question.tolerance or Tolerance()
    edge = float(written)
    inside = tolerance.accepts(key + edge * (1 - 1e-9), key) and tolerance.accepts(key - edge * (1 - 1e-9), key)
    outside = not tolerance.accepts(key + edge * (1 + 1e-6) + 1e-300, key)
    return inside and outside


def from_maxima(text: str, question: Question) -> Any:
    """Maxima text read back by our parser: %pi, %e, at(diff(O(x),x,k),x=u) as O′…(u), matrix(…) as [[…]]."""
    text = text.replace("%pi", "pi").replace("%e", "e")
    text = re.sub(r"at\(diff\((\w+)\(x\),x,(\d+)\),x=", lambda m: m.group(1) + "'" * int(m.group(2)) + "(", text)
    matrix = text.startswith("matrix(")
    if matrix:
        text = "[" + text[len("matrix("):-1] + "]"
    return parse(text, variables=None, functions=question.functions, allow_matrix=matrix)


def same_formula(question: Question, key: Any, text: str) -> bool:
    """Whether Maxima text, read back, equals the key (a column matrix stands for a vector key)."""
    read = from_maxima(text, question)
    if getattr(key, "vector", False):
        read = type(key)((tuple(row[0] for row in read.rows),), vector=True)
    return bool(compare(key, read).equivalent)


def assert_manifest_resolves(files: dict[str, bytes], namespace: str) -> list[ET.Element]:
    """Every file and dependency a package's manifest names exists, and every file is named once."""
    manifest = ET.fromstring(files["imsmanifest.xml"])
    resources = manifest.findall(f"{{{namespace}}}resources/{{{namespace}}}resource")
    idents = {r.get("identifier") for r in resources}
    named = []
    for resource in resources:
        hrefs = {f.get("href") for f in resource.findall(f"{{{namespace}}}file")} | ({resource.get("href")} - {None})
        assert hrefs <= set(files), hrefs - set(files)
        named += sorted(hrefs)
        assert {d.get("identifierref") for d in resource.findall(f"{{{namespace}}}dependency")} <= idents
    assert sorted(named) == sorted(set(files) - {"imsmanifest.xml"})
    return resources


def as_plain(fragment: str) -> str:
    """HTML as the exporter writes bank text, back to the bank's plain text."""
    return html.unescape(re.sub(r"</?p>", "", fragment).replace("<br>", "\n"))


# -- a GIFT reader, from the format's rules ---------------------------------------------

Chars = list[tuple[str, bool]]  # each character, and whether a backslash escaped it


@dataclass
class Gift:
    """One question as a GIFT importer sees it."""

    category: str
    name: str
    text: str
    answers: str
    alternatives: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(marker = or ~, weight, answer, feedback)."""
    general: str = ""


def gift_chars(text: str) -> Chars:
    out: Chars = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(("\n" if text[i + 1] == "n" else text[i + 1], True))
            i += 2
        else:
            out.append((text[i], False))
            i += 1
    return out


def find(cs: Chars, target: str, start: int = 0) -> int:
    for i in range(start, len(cs) - len(target) + 1):
        if all(cs[i + k] == (ch, False) for k, ch in enumerate(target)):
            return i
    return -1


def gift_text(cs: Chars) -> str:
    return "".join(ch for ch, _ in cs).strip()


def split_at(cs: Chars, markers: str) -> list[Chars]:
    pieces: list[Chars] = []
    for ch in cs:
        if ch[0] in markers and not ch[1]:
            pieces.append([ch])
        elif pieces:
            pieces[-1].append(ch)
    return pieces


def read_gift(data: str) -> list[Gift]:
    out, category = [], ""
    for block in data.split("\n\n"):
        body = "\n".join(line for line in block.split("\n") if not line.lstrip().startswith("//")).strip()
        if body.startswith("$CATEGORY:"):
            category = body.removeprefix("$CATEGORY:").strip()
            continue
        cs = gift_chars(body)
        assert body.startswith("::")
        end = find(cs, "::", 2)
        opening = find(cs, "{")
        closing = find(cs, "}", opening)
        question = Gift(category, gift_text(cs[2:end]), gift_text(cs[end + 2:opening]).removeprefix("[html]"),
                        gift_text(cs[opening + 1:closing]))
        inner = cs[opening + 1:closing]
        general = find(inner, "####")
        if general >= 0:
            question.general, inner = gift_text(inner[general + 4:]), inner[:general]
        numeric = gift_text(inner).startswith("#")
        for piece in split_at(inner[find(inner, "#") + 1:] if numeric else inner, "=~"):
            marker, rest = piece[0][0], piece[1:]
            weight = re.match(r"%(-?[\d.]+)%", gift_text(rest))
            if weight:
                rest = rest[find(rest, "%", find(rest, "%") + 1) + 1:]
            sharp = find(rest, "#")
            answer, feedback = (rest[:sharp], rest[sharp + 1:]) if sharp >= 0 else (rest, [])
            question.alternatives.append((marker, weight.group(1) if weight else "", gift_text(answer), gift_text(feedback)))
        out.append(question)
    return out
