"""What every export format shares: which questions go out, each with its verified key, once.

`collect` picks the questions, draws the variants of randomised ones, and runs the verifier
on each (`verify.checked`, the same per-seed check as `rnnquiz verify --variants`): a
question or variant whose key fails is left out and reported, never exported unverified. The formats then
only translate `Item`s; what a format cannot hold goes into `Notes`, printed on stderr.
"""

from __future__ import annotations

import html
import io
import math
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterator

from grader.marking import keys
from grader.banks.catalog import Catalog
from grader.errors import UsageError
from grader.model import Question
from grader.verify import checked

MOODLE_GRADES = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25,
                 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05)
"""The positive grades Moodle accepts for an answer (and their negatives); an import with any
other fraction is refused."""

CATEGORY_ROOT = "$course$/top/rnnquiz"
"""Where Moodle puts the exported categories: the course's question bank, under `rnnquiz`."""

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Item:
    """One question ready to export: the concrete question, its verified key, and where it goes."""

    question: Question
    """Concrete: a randomised question's drawn variant, or a part split from its exercise."""
    key: Any
    category: str
    """`bank`, or `bank/qid variants` for the variants of a randomised question."""
    name: str
    """Readable and unique: `hse/q2`, `practice/gate_params, seed 3`, `in5400/task1.a`."""
    ident: str
    """Unique and safe in file names and XML ids: `hse-q2`, `practice-gate_params-s3`."""


@dataclass
class Notes:
    """What an export could not hold, one line per question and reason, in order."""

    lines: list[str] = field(default_factory=list)
    left_out: int = 0
    """Questions or variants left out because their key failed verification."""

    def add(self, question_id: str, message: str) -> None:
        """Record a limitation once per question (variants share their question's id)."""
        line = f"{question_id}: {message}"
        if line not in self.lines:
            self.lines.append(line)

    def failed(self, question_id: str, message: str) -> None:
        """Record a question or variant left out because verification failed."""
        self.left_out += 1
        self.add(question_id, message)


def select(selectors: list[str], bank_dir: str | None) -> tuple[list[Question], set[str]]:
    """The questions a command line names, and the part ids among them.

    No selector means every bank; an id with `/` a question, exercise or part; anything else
    a bank id or bank file. A part is exported with its exercise's setting, so the whole
    exercise is selected and the part id returned to pick it out after splitting.
    """
    ids = [s for s in selectors if "/" in s and not s.endswith((".yaml", ".yml"))]
    banks = [s for s in selectors if s not in ids]
    out: list[Question] = []
    if banks or not ids:
        out = [q for bank in Catalog.from_args(banks, bank_dir).banks() for q in bank.questions]
    catalog = Catalog.from_dir(bank_dir)
    parts: set[str] = set()
    for question_id in ids:
        question = catalog.question(question_id)
        if question.parent:
            parts.add(question.id)
            question = catalog.question(question.parent)
        if question not in out:
            out.append(question)
    return out, parts


def collect(questions: list[Question], notes: Notes, *, variants: int = 1, seed: int = 0) -> list[Item]:
    """Every question as verified `Item`s; a randomised one as `variants` drawn variants."""
    if variants < 1:
        raise UsageError(f"--variants must be at least 1, not {variants}")
    items: list[Item] = []
    for question in questions:
        seeds = [None] if question.randomise is None else list(range(seed, seed + variants))
        items += _checked(question, seeds, notes)
        if question.kind == "exercise" and question.solver:
            notes.add(question.id, "follow-through credit for carried values has no equivalent in an LMS; "
                                   "each part is marked on its own")
    for item in items:
        if any(_NOT_XML.search(text) for text in texts(item.question)):
            notes.add(item.question.id, "control characters in its text were removed (XML cannot hold them)")
    return items


def _checked(question: Question, seeds: list[int | None], notes: Notes) -> list[Item]:
    items = []
    for seed in seeds:
        concrete, why = checked(question, seed)
        if concrete is None or why:
            what = "left out" if seed is None else f"seed {seed} left out"
            notes.failed(question.id, f"{what}: it fails verification ({why})")
            continue
        if seed is None:
            items.append(Item(concrete, keys.expected(concrete), question.bank, question.id, safe_id(question.id)))
        else:
            items.append(Item(concrete, keys.expected(concrete), f"{question.bank}/{question.short_id} variants",
                              f"{question.id}, seed {seed}", safe_id(f"{question.id}-s{seed}")))
    return items


def xml_bytes(element: ET.Element) -> bytes:
    """An XML document, indented, UTF-8, with its declaration."""
    ET.indent(element)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True) + b"\n"


def manifest(attributes: dict[str, str], schema: str, version: str) -> tuple[ET.Element, ET.Element]:
    """An IMS content-packaging manifest with its metadata, and its still empty <resources>."""
    root = ET.Element("manifest", {"identifier": "rnnquiz-export", **attributes})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = schema
    ET.SubElement(metadata, "schemaversion").text = version
    ET.SubElement(root, "organizations")
    return root, ET.SubElement(root, "resources")


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip archive of these files (name → content), in this order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def safe_id(text: str) -> str:
    """An id safe as a file name and an XML NCName: `hse/q2` → `hse-q2`."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")
    return cleaned if cleaned[:1].isalpha() else "q-" + cleaned


def texts(question: Question) -> Iterator[str]:
    """Every piece of text a question shows: prompt, options, feedback, hints, explanation, parts."""
    yield from (question.prompt, question.explanation, *question.hints)
    for option in question.options:
        yield option.text
        if option.feedback:
            yield option.feedback
    for wrong in question.misconceptions:
        yield wrong.feedback
    if isinstance(question.answer, str):
        yield question.answer
    for point in question.rubric:
        yield point.point
    for part in question.parts:
        yield from texts(part)


def plain(text: str | None) -> str:
    """Bank text without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text or "").strip()


def as_html(text: str | None, *, paragraph: bool = True) -> str:
    """Plain bank text as HTML: escaped, line breaks kept, as a paragraph unless told otherwise."""
    cleaned = plain(text)
    # quote=False: quotes need no escaping in element text, and an entity such as &#x27; would
    # bring a '#' that a cloze sub-question reads as the start of its feedback.
    inline = html.escape(cleaned, quote=False).replace("\n", "<br>")
    return f"<p>{inline}</p>" if paragraph and cleaned else inline


def exact(value: Any) -> str:
    """A key as the shortest decimal that reads back as exactly the same float."""
    return repr(float(value))


def tolerance_of(question: Question, value: float) -> str:
    """The absolute error our tolerance allows around `value`, abs + rel·|value|, as a decimal
    (LMSs take one absolute error per answer).

    Computed in decimal from the numbers as written, so 1e-9 + 0.001·6 is 0.006000001,
    not the float sum 0.0060000010000000005.
    """
    tolerance = question.number_tolerance
    error = Decimal(repr(tolerance.abs)) + Decimal(repr(tolerance.rel)) * abs(Decimal(exact(value)))
    return format(error.normalize(), "f")


def multi_fractions(question: Question, key: frozenset[str]) -> dict[str, float]:
    """Per-option fractions for an LMS's multiple-answer question: each keyed option
    +1/|key|, each other option −1/(others), snapped to Moodle's grade list.

    The exact set scores 1, ticking everything or nothing scores 0. No per-option fractions
    credit an option correctly left unticked, so `per_option` cannot be copied exactly.
    """
    others = len(question.options) - len(key)
    right = _snap(1 / len(key)) if key else 0.0
    wrong = -_snap(1 / others) if others else 0.0
    return {o.letter: right if o.letter in key else wrong for o in question.options}


def multi_note(question: Question, key: frozenset[str]) -> str:
    """What a multiple-answer export does to the bank's scoring scheme, in one line."""
    fractions = multi_fractions(question, key)
    right = next((v for v in fractions.values() if v > 0), 0.0)
    wrong = next((v for v in fractions.values() if v < 0), 0.0)
    return (f"{scoring_scheme(question)} cannot be written as per-option fractions; exported as {percent(right)} % "
            f"per right option and {percent(wrong)} % per wrong one (exact set 100 %, all or none 0 %)")


def scoring_scheme(question: Question) -> str:
    """A multi question's scoring scheme, in words."""
    if question.scoring == "all_or_nothing":
        return "all-or-nothing scoring"
    return "per-option scoring (credit for options correctly left unticked)"


def _snap(fraction: float) -> float:
    return min(MOODLE_GRADES, key=lambda grade: abs(grade - fraction))


def percent(fraction: float) -> str:
    """A fraction as Moodle writes a percentage: `50`, `-25`, `33.33333`."""
    return f"{100 * fraction:.5f}".rstrip("0").rstrip(".")


def weights(parts: tuple[Question, ...]) -> list[int]:
    """Parts' points as the smallest whole numbers in the same ratio (cloze marks are integers)."""
    points = [Fraction(p.points).limit_denominator(1000) for p in parts]
    scale = math.lcm(*(value.denominator for value in points))
    whole = [int(value * scale) for value in points]
    common = math.gcd(*whole) or 1
    return [value // common for value in whole]


def split(item: Item) -> list[Item]:
    """An exercise as one question per part, each showing the exercise's setting first."""
    exercise = item.question
    out = []
    suffix = item.name[len(exercise.id):]  # ", seed 3" for a variant
    for part in exercise.parts:
        prompt = f"{exercise.prompt.rstrip()}\n\n({part.part}) {part.prompt}"
        concrete = replace(part, prompt=prompt, hints=exercise.hints + part.hints)
        # A part of a variant goes with the same part of the other variants, so that "one question
        # from this category" draws a part, not any part of any variant.
        category = item.category if item.category == exercise.bank else f"{item.category} ({part.part})"
        out.append(Item(concrete, item.key[part.part], category, part.id + suffix, f"{item.ident}-{part.part}"))
    return out


def only_parts(items: list[Item], part_ids: set[str]) -> list[Item]:
    """Keep whole questions, and of an exercise only the parts named (split from it)."""
    if not part_ids:
        return items
    out = []
    for item in items:
        wanted = [p for p in item.question.parts if p.id in part_ids]
        if not wanted:
            out.append(item)
            continue
        out += [piece for piece in split(item) if piece.question.id in part_ids]
    return out


def category_path(category: str) -> str:
    """Moodle's category path for a bank or a variants category (`/` separates levels)."""
    return f"{CATEGORY_ROOT}/{category}"


def numeric_answers(question: Question, key: float) -> list[tuple[float, str, str | None]]:
    """The key at 100 %, then each known wrong answer at 0 % with its feedback (matched in order)."""
    answers: list[tuple[float, str, str | None]] = [(float(key), "100", "Correct.")]
    for wrong in question.misconceptions:
        if isinstance(wrong.answer, (int, float)) and not isinstance(wrong.answer, bool):
            answers.append((float(wrong.answer), "0", wrong.feedback))
    return answers


def grader_info(question: Question, key: Any) -> str:
    """The model answer and the rubric points with their weights, as HTML for a grader."""
    points = "".join(f"<li>{as_html(p.point, paragraph=False)} (weight {exact(p.weight)})</li>"
                     for p in question.rubric)
    rubric = f"<p>Rubric:</p><ul>{points}</ul>" if points else ""
    return f"<p>Model answer:</p>{as_html(str(key))}{rubric}"
