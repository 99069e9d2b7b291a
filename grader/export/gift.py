"""GIFT, Moodle's plain-text question format, for the kinds it can express.

choice → `{=right ~wrong#feedback}`, multi → `{~%50%… ~%-25%…}`, number →
`{#=key:error … =%0%wrong:error#feedback}`, text → an essay `{}`. GIFT has no symbolic
or multi-part type: a formula question is left out and an exercise is split into one
question per part, and both are reported. Text is HTML (`[html]`); GIFT's own special
characters are escaped with a backslash, and line breaks never reach the file, since a
blank line ends a question.
"""

from __future__ import annotations

from grader.export.shared import (Item, Notes, as_html, category_path, exact, grader_info, multi_fractions, multi_note,
                                  numeric_answers, percent, split, tolerance_of)

_SPECIAL = {ch: "\\" + ch for ch in "\\~=#{}:"}


def write(items: list[Item], notes: Notes) -> bytes:
    """The GIFT file for these items, as UTF-8 bytes."""
    blocks: list[str] = []
    category = None
    for piece in (piece for item in items for piece in pieces(item, notes)):
        if piece.category != category:
            category = piece.category
            blocks.append(f"$CATEGORY: {category_path(category)}")
        blocks += question_block(piece, notes)
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def escape(text: str) -> str:
    """Text with GIFT's special characters escaped and no line breaks."""
    escaped = "".join(_SPECIAL.get(ch, ch) for ch in text)
    return escaped.replace("\r", "").replace("\n", "\\n")


def _html(text: str | None) -> str:
    return escape(as_html(text))


def pieces(item: Item, notes: Notes) -> list[Item]:
    """The item, or an exercise split into its parts (GIFT has no multi-part question)."""
    if item.question.kind != "exercise":
        return [item]
    notes.add(item.question.id, "GIFT has no multi-part question; exported as one question per part")
    return split(item)


def question_block(item: Item, notes: Notes) -> list[str]:
    """The GIFT block of one question; none for a formula, which GIFT cannot check."""
    question = item.question
    if question.kind in ("expression", "matrix"):
        notes.add(question.id, "left out: GIFT cannot check a formula (use --format moodle for a STACK question)")
        return []
    if question.kind == "text":
        notes.add(question.id, "GIFT essays carry no grader information; the model answer and rubric are in "
                               "the general feedback, which students see after answering")
        return [_block(item, "", grader_info(question, item.key) + as_html(question.explanation))]
    if question.kind == "number":
        answers = [f"={'' if fraction == '100' else '%0%'}{exact(value)}:{tolerance_of(question, value)}"
                   f"#{_html(feedback)}" for value, fraction, feedback in numeric_answers(question, item.key)]
        return [_block(item, "#" + "\n\t".join(answers))]
    if question.kind == "choice":
        options = [f"{'=' if o.letter == item.key else '~'}{_option(o.letter, o.text, o.feedback)}"
                   for o in question.options]
        return [_block(item, "\n\t".join(options))]
    notes.add(question.id, multi_note(question, item.key))
    fractions = multi_fractions(question, item.key)
    options = [f"~%{percent(fractions[o.letter])}%{_option(o.letter, o.text, o.feedback)}" for o in question.options]
    return [_block(item, "\n\t".join(options))]


def _option(letter: str, text: str, feedback: str | None) -> str:
    shown = escape(as_html(f"{letter}. {text}", paragraph=False))
    return f"{shown}#{_html(feedback)}" if feedback else shown


def _block(item: Item, answers: str, general_html: str | None = None) -> str:
    question = item.question
    feedback = escape(as_html(question.explanation) if general_html is None else general_html)
    inner = f"\n\t{answers}" if answers else ""
    if feedback:
        inner += f"\n\t####{feedback}"
    comment = f"// {item.name.replace(chr(10), ' ')}"
    return f"{comment}\n::{escape(item.name)}::[html]{_html(question.prompt)}{{{inner}\n}}"
