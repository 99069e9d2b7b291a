"""Answer groups: written answers that say the same thing are reviewed once, and one
override for a group reaches every member, on every regrade."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from grader.batch import groups
from grader.cli import main
from grader.model import Evidence, Verdict

SAME = [
    "For long sequences, where vanishing gradients must be avoided, so we can keep track of long term info.",
    "for long sequences where vanishing gradients must be avoided so we can keep track of long-term info",
    "For long sequences, where the vanishing gradients must be avoided, so that we keep track of long term info!",
]
OTHER = "A GRU uses gates to keep the old state and add new information, so gradients do not vanish."


def verdict(*states: str) -> Verdict:
    evidence = tuple(Evidence(f"point {i}", 1, state) for i, state in enumerate(states))
    return Verdict("partial", 0.5, "", evidence=evidence)


def test_same_words_group_but_different_findings_do_not() -> None:
    assert groups.same("Gradients vanish.", verdict("earned"), "gradients VANISH", verdict("voided"))
    assert groups.same("the gradients vanish over many steps", verdict("earned"),
                       "gradients vanish over many time steps", verdict("earned"))
    # Nearly the same words, but the rubric found opposite things: not one group.
    assert not groups.same("the gradients vanish over many steps", verdict("earned"),
                           "the gradients do not vanish over many steps", verdict("voided"))
    assert not groups.same("gates keep the state", verdict("earned"), "dropout zeroes activations", verdict("earned"))


def test_groups_are_listed_largest_first_with_their_members() -> None:
    items = [("q", "s1", "b", verdict("missed")), ("q", "s2", "a a", verdict("earned")),
             ("q", "s3", "A. A", verdict("earned")), ("r", "s1", "a a", verdict("earned"))]
    found = groups.group(items)
    assert [(g.question, [m[0] for m in g.members]) for g in found] == [("q", ["s2", "s3"]), ("q", ["s1"]), ("r", ["s1"])]
    assert found[0].to_json()["override"] == {"question": "q", "answer": "a a", "score": 0.5}



def test_a_grouper_keeps_members_on_disk_and_reads_them_back_between_additions(tmp_path: Path) -> None:
    grouper = groups.Grouper(tmp_path)
    tricky = 'line one\nline "two" \u202e ünïcode'
    grouper.add(groups.flagged("q", "s1", SAME[0], verdict("earned")))
    grouper.add(groups.flagged("q", "s2", tricky, verdict("missed")))
    first = grouper.groups()[0]
    assert list(grouper.members(first)) == [("s1", SAME[0])]
    grouper.add(groups.flagged("q", "s3", SAME[1], verdict("earned")))  # after a read: appended, not overwritten
    assert [list(grouper.members(g)) for g in grouper.groups()] == [[("s1", SAME[0]), ("s3", SAME[1])],
                                                                    [("s2", tricky)]]
    assert grouper.answers == 3 and not any(g.members for g in grouper.groups())  # nothing kept in memory
    # a read left half-way, an add, then the rest of the read: each sees the spool where it left it
    reading = grouper.members(grouper.groups()[0])
    assert next(reading) == ("s1", SAME[0])
    grouper.add(groups.flagged("q", "s4", SAME[0], verdict("earned")))
    assert list(reading) == [("s3", SAME[1]), ("s4", SAME[0])]
    grouper.add(groups.flagged("q", "s5", tricky, verdict("missed")))
    assert [list(grouper.members(g)) for g in grouper.groups()] == [
        [("s1", SAME[0]), ("s3", SAME[1]), ("s4", SAME[0])], [("s2", tricky), ("s5", tricky)]]
    grouper.close()

def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, console=Console(file=out, width=160, color_system=None))
    return code, out.getvalue()


def submissions(tmp_path: Path) -> Path:
    folder = tmp_path / "subs"
    folder.mkdir()
    for index, text in enumerate(SAME + [OTHER], 1):
        (folder / f"s{index}.yaml").write_text(
            f"student: s{index}\nanswers:\n  in5400/task2c: {json.dumps(text)}\n", encoding="utf-8")
    return folder


def test_one_group_override_reaches_every_member_and_survives_regrade(tmp_path: Path) -> None:
    folder = submissions(tmp_path)
    out = tmp_path / "out"
    code, printed = run(["grade", str(folder), "--out", str(out)])
    assert code == 0
    queue = json.loads((out / "review-queue.json").read_text(encoding="utf-8"))
    assert queue["answers_to_review"] == 4 and queue["groups_to_review"] == 2
    assert "4 written answers to review in 2 groups" in printed
    biggest = queue["groups"][0]
    assert biggest["question"] == "in5400/task2c" and biggest["size"] == 3
    assert sorted(m["student"] for m in biggest["members"]) == ["s1", "s2", "s3"]

    override = {**biggest["override"], "score": 0.25, "comment": "states the goal, not the mechanism"}
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("groups:\n  - " + json.dumps(override, ensure_ascii=False) + "\n", encoding="utf-8")
    for _ in range(2):  # a regrade applies the same file again
        code, printed = run(["grade", str(folder), "--overrides", str(overrides), "--json", "--out", str(out)])
        assert code == 0
        scores = {s["student"]: s["questions"]["in5400/task2c"] for s in json.loads(printed)["students"]}
        for student in ("s1", "s2", "s3"):
            assert scores[student]["score"] == 0.25 and scores[student]["method"] == "instructor override"
            assert "states the goal" in scores[student]["feedback"]
        assert scores["s4"].get("method") != "instructor override"
        queue = json.loads((out / "review-queue.json").read_text(encoding="utf-8"))
        assert queue["answers_to_review"] == 1 and queue["groups_to_review"] == 1


def test_a_bad_group_override_is_one_line(tmp_path: Path) -> None:
    folder = submissions(tmp_path)
    overrides = tmp_path / "o.yaml"
    overrides.write_text("groups:\n  - {question: in5400/task2c, score: 2}\n", encoding="utf-8")
    code, printed = run(["grade", str(folder), "--overrides", str(overrides)])
    assert code == 2 and "groups[0]" in printed and "Traceback" not in printed
