"""GIFT read back by a reader written from the format's rules: keys, weights and errors
against the banks' verified keys; what GIFT cannot hold is reported."""

from __future__ import annotations

from decimal import Decimal

from export_oracle import (MOODLE_PERCENTS, accepts_exactly, as_plain, error, expected, expected_names, gift_chars,
                           gift_text, read_gift)

from grader.export import gift, shared

def test_every_question_reads_back_with_its_verified_key(items: list[shared.Item]) -> None:
    questions = read_gift(gift.write(items, shared.Notes()).decode("utf-8"))
    names = [q.name for q in questions]
    assert len(names) == len(set(names))
    formulas = {"practice/gru_formula", "practice/output_grad_formula", "practice/lstm_jacobian_matrix",
                "practice/lstm_output_jacobian"}
    split = {"assignment3/q5", "in5400/task1", "practice/bptt", "practice/vanishing", "practice/gru_step",
             "practice/gru_keeps_gradient", "practice/lstm_step"}
    assert set(names) == {n for n in expected_names(3, split) if n.split(",")[0] not in formulas}
    for exported in questions:
        question, key = expected(exported.name)
        assert exported.category.startswith(f"$course$/top/rnnquiz/{question.bank}")
        assert as_plain(exported.text).endswith(question.prompt.strip())
        if question.kind == "number":
            assert exported.answers.startswith("#")
            values = [(float(a.split(":")[0]), Decimal(a.split(":")[1]), w) for _, w, a, _ in exported.alternatives]
            assert values[0][0] == key and values[0][2] == ""
            assert [v for v, _, _ in values[1:]] == [float(w.answer) for w in question.misconceptions]
            for value, written, _ in values:
                assert written == error(question, value) and accepts_exactly(question, value, written)
        elif question.kind == "choice":
            assert [m for m, *_ in exported.alternatives] == ["=" if o.letter == key else "~" for o in question.options]
            assert [as_plain(a) for _, _, a, _ in exported.alternatives] == [f"{o.letter}. {o.text}" for o in question.options]
        elif question.kind == "multi":
            weights = {o.letter: w for o, (_, w, _, _) in zip(question.options, exported.alternatives)}
            assert {letter for letter, w in weights.items() if float(w) > 0} == key
            assert round(sum(float(w) for w in weights.values() if float(w) > 0), 2) == 100
            assert {w.lstrip("-") for w in weights.values()} <= MOODLE_PERCENTS
        else:
            assert question.kind == "text" and exported.answers.startswith("####") and exported.alternatives == []
            assert key in as_plain(exported.general)


def test_what_gift_cannot_hold_is_reported(items: list[shared.Item]) -> None:
    notes = shared.Notes()
    gift.write(items, notes)
    assert "practice/gru_formula: left out: GIFT cannot check a formula (use --format moodle for a STACK question)" \
        in notes.lines
    assert any(line.startswith("in5400/task1: GIFT has no multi-part question") for line in notes.lines)


def test_escaping_survives_every_special_character() -> None:
    hostile = "a\\b ~c =d #e {f} g:h //i\n\n$CATEGORY: x"
    assert gift_text(gift_chars(gift.escape(hostile))) == hostile.strip()
    assert "\n" not in gift.escape(hostile)
