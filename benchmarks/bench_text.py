"""Written answers: how close the rubric comes to the instructors' credits, and what it costs.

Every labelled answer of the built-in banks (`examples:` of each text question) is scored
twice in the same run: by the rubric (words by stem, negation, contradictions,
misconceptions) and by a baseline that awards a point when any of its phrases occurs as a
substring of the folded answer (the rule before labelled answers existed). Prints, for each:
answers more than 0.25 from their credit, mean absolute error, and time per answer.

    python benchmarks/bench_text.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

from grader.banks.catalog import Catalog
from grader.marking import rubric, textmatch
from grader.model import Question


def substring_score(question: Question, text: str) -> float:
    """The baseline: a positive point is earned when any phrase (without `*`) is a substring."""
    folded = textmatch.fold(text)
    points = [p for p in question.rubric if not p.misconception]
    found = sum(p.weight for p in points
                if any(textmatch.fold(phrase.removeprefix("not ").replace("*", "")) in folded
                       for idea in p.ideas for phrase in idea if not phrase.startswith("re:")))
    return found / sum(p.weight for p in points)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timing passes over all answers")
    args = parser.parse_args()
    cases = [(q, e) for bank in Catalog.from_dir().banks() for q in bank.items() for e in q.labelled]
    for name, score in (("rubric", lambda q, t: rubric.assess(q.rubric, t)[0]), ("substring baseline", substring_score)):
        errors = [abs(score(q, e.answer) - e.credit) for q, e in cases]
        start = time.perf_counter()
        for _ in range(args.repeat):
            for q, e in cases:
                score(q, e.answer)
        per = (time.perf_counter() - start) / (args.repeat * len(cases)) * 1000
        print(f"{name:20s} {sum(x > 0.25 for x in errors):3d} of {len(cases)} more than 0.25 off, "
              f"mean abs error {statistics.fmean(errors):.3f}, {per:.3f} ms per answer")


if __name__ == "__main__":
    main()
