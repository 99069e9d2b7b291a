"""A small bank of every kind a session handles, and a fresh database for each test."""

from __future__ import annotations

from pathlib import Path

import pytest

DEMO_BANK = """\
bank: demo
title: Demo bank for sessions
source: {document: 000_demo.txt, title: Demo}
attempts: 1          # the tests here play one try per question; tests of tries use their own bank
questions:
  - id: q1
    kind: choice
    prompt: Which technique bounds the size of exploding gradients?
    options:
      A: {text: Dropout, feedback: Dropout regularises; it does not bound gradients.}
      B: Gradient clipping
      C: Batch normalisation
    answer: B
    explanation: Clipping rescales the gradient when its norm exceeds a threshold.
    source: {document: "000", question: "1"}
    tags: [gradients]
    hints:
      - Think of rescaling.
      - It has a threshold.
  - id: q2
    kind: multi
    prompt: Which of these are gates of an LSTM?
    options:
      A: forget gate
      B: reset gate
      C: output gate
      D: update gate
    answer: [A, C]
    explanation: An LSTM has input, forget and output gates; reset and update belong to the GRU.
    source: {document: "000", question: "2"}
    tags: [lstm]
  - id: q3
    kind: number
    prompt: With h1 = 2, W_h = 1, W_x = 0.1, x2 = 10 and W_y = 2, what is yhat2?
    answer: 6
    explanation: h2 = 3, so yhat2 = W_y h2 = 6.
    source: {document: "000", question: "3"}
    tags: [gradients]
    misconceptions:
      - answer: 3
        id: forgot-output-layer
        feedback: That is h2; the output layer multiplies by W_y.
  - id: q4
    kind: text
    prompt: Why do plain RNNs struggle with long-range dependencies?
    answer: Gradients vanish through repeated multiplication.
    explanation: Repeated multiplication by W_h and tanh' shrinks or blows up gradients.
    source: {document: "000", question: "4"}
    tags: [vanishing]
    rubric:
      - point: names vanishing gradients
        any: [vanish]
      - point: says why
        any: [repeated, multipl]
  - id: ex1
    kind: exercise
    prompt: A scalar RNN has h0 = 1, x1 = 10, W_h = 1 and W_x = 0.1.
    explanation: h1 = W_h h0 + W_x x1 = 2.
    source: {document: "000", question: "5"}
    tags: [forward]
    hints:
      - Write the recurrence out with numbers.
    parts:
      - id: a
        kind: number
        prompt: Compute h1.
        answer: 2
        explanation: h1 = 1 + 1 = 2.
        misconceptions:
          - answer: 1
            id: forgot-h0
            feedback: The h0 term is missing.
      - id: b
        kind: choice
        prompt: Is h1 larger than h0?
        options:
          A: "yes"
          B: "no"
        answer: A
        explanation: 2 > 1.
"""


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    """A bank directory holding only the demo bank."""
    directory = tmp_path / "banks"
    directory.mkdir()
    (directory / "demo.yaml").write_text(DEMO_BANK, encoding="utf-8")
    return directory


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A fresh attempts database path."""
    return tmp_path / "attempts.db"
