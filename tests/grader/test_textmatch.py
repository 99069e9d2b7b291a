"""Finding rubric phrases in written answers: word forms, prefixes, symbols, negation."""

from __future__ import annotations

import pytest

from grader.marking import textmatch


def found(phrase: str, text: str) -> list[tuple[str, str | None]]:
    return [(m.words, m.negator) for m in textmatch.find(textmatch.phrase(phrase), textmatch.answer(text))]


@pytest.mark.parametrize("forms", [
    ("vanish", "vanishes", "vanished", "vanishing"),
    ("gate", "gates", "gating", "gated"),
    ("multiply", "multiplied", "multiplying", "multiplies"),
    ("memory", "memories"),
    ("dependency", "dependencies"),
    ("stop", "stopped", "stops"),
])
def test_word_forms_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({textmatch.stem(word) for word in forms}) == 1


@pytest.mark.parametrize("word", ["process", "this", "gas", "previous", "h_t", "x_t"])
def test_short_ss_us_and_symbol_words_are_left_alone(word: str) -> None:
    assert textmatch.stem(word) == word


def test_phrases_match_word_forms_and_one_filler_word() -> None:
    assert found("vanishing gradient", "the gradients vanish; vanishing gradients") == [("vanishing gradients", None)]
    assert found("long dependencies", "very long range dependencies") == [("long range dependencies", None)]
    assert found("long dependencies", "long and far-reaching dependencies") == []  # two filler words


def test_a_star_matches_a_prefix_and_only_that() -> None:
    assert found("multipl*", "by multiplication") == [("multiplication", None)]
    assert found("encode", "the encoder reads") == []
    assert found("encode", "each character is encoded") == [("encoded", None)]


def test_symbols_must_stand_side_by_side() -> None:
    assert found("< 1", "if |W_hh|<1 the gradient vanishes") == [("<1", None)]
    assert found("h_{t-1}", "h_t = f(h_{t−1}, x_t)") == [("h_{t-1}", None)]
    assert found("h(t-1)", "h(t) = g(W h(t-1))") == [("h(t-1)", None)]
    assert found("< 1", "< a 1") == []


def test_a_negator_is_never_a_filler_word() -> None:
    assert found("has memory", "a feed-forward network has no memory") == []
    assert found("has memory", "an RNN has memory") == [("has memory", None)]


@pytest.mark.parametrize("text, negator", [
    ("not because of vanishing gradients", "not"),
    ("it does not suffer from vanishing gradients", "not"),
    ("it doesn't suffer from vanishing gradients", "doesn't"),
    ("without vanishing gradients", "without"),
    ("a GRU avoids vanishing gradients", "avoids"),
    ("vanishing gradients are avoided by using more tanh layers", "avoided"),
    ("vanishing gradients are not the problem", "not"),
    ("it is not caused by vanishing gradients", "not"),
    ("it cant be vanishing gradients", "cant"),
    ("vanishing gradients and dont forget the biases", None),
    ("rather than vanishing gradients", "rather"),
    ("do it instead: vanishing gradients", None),
    ("not that; instead vanishing gradients", None),
    ("the cause is vanishing gradients", None),
    ("it does not converge. Vanishing gradients are the cause", None),  # another sentence
    ("there is nothing to fix, so vanishing gradients remain", None),
])
def test_negation_is_looked_for_in_the_clause(text: str, negator: str | None) -> None:
    (match,) = textmatch.find(textmatch.phrase("vanishing gradient*"), textmatch.answer(text))
    assert match.negator == negator


def test_the_means_of_a_negation_is_not_negated() -> None:
    (match,) = textmatch.find(textmatch.phrase("more tanh layer*"),
                              textmatch.answer("vanishing gradients are avoided by using more tanh layers"))
    assert match.negator is None


def test_a_not_phrase_asks_for_negation_and_accepts_remedies() -> None:
    phrase = textmatch.phrase("not vanish*")
    assert phrase.negated and phrase.words == ("vanish*",)
    assert found("not vanish*", "the GRU solves the vanishing gradient problem")[0][1] == "solves"
    assert found("not vanish*", "gradients must not vanish")[0][1] == "not"
    assert found("not vanish*", "gradients vanish")[0][1] is None
    # A remedy word does not void an ordinary phrase: naming the problem a GRU solves still names it.
    assert found("vanish*", "LSTMs solve vanishing gradients")[0][1] is None


def test_regular_expressions_search_the_folded_answer() -> None:
    assert found(r"re:\bnorms?\b", "the Norm of W") == [("norm", None)]
    with pytest.raises(ValueError, match="invalid regular expression"):
        textmatch.phrase("re:(")


@pytest.mark.parametrize("bad", ["", "   ", "*", "not"])
def test_a_phrase_needs_words(bad: str) -> None:
    if bad == "not":
        assert textmatch.phrase(bad).words == ("not",)  # the word itself, not a negation of nothing
        return
    with pytest.raises(ValueError, match="no words"):
        textmatch.phrase(bad)
