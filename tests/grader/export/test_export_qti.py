"""The QTI 2.1 package read back: manifest references resolve, every key and tolerance matches
the banks' verified keys, and the response processing scores as the banks do."""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from typing import Any

from export_oracle import accepts_exactly, assert_manifest_resolves, error, expected, expected_names, same_formula

from grader.export import qti, shared
from grader.marking.kinds import KINDS

NS = {"q": qti.QTI, "cp": qti.CP}


def package(items: list[shared.Item]) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(qti.write(items, shared.Notes()))) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_manifest_references_resolve_both_ways(items: list[shared.Item]) -> None:
    files = package(items)
    resources = assert_manifest_resolves(files, qti.CP)
    assert {r.get("type") for r in resources} == {qti.ITEM_TYPE, qti.TEST_TYPE}
    for data in files.values():
        for ref in ET.fromstring(data).iter(f"{{{qti.QTI}}}assessmentItemRef"):
            assert "items/" + ref.get("href").rsplit("items/", 1)[1] in files


def test_every_item_reads_back_with_its_verified_key(items: list[shared.Item]) -> None:
    files = package(items)
    titles = []
    for name, data in files.items():
        if not name.startswith("items/"):
            continue
        root = ET.fromstring(data)
        title = root.get("title")
        titles.append(title)
        question, key = expected(title)
        parts = question.parts or (question,)
        keyed = key if question.parts else {"": key}
        for part in parts:
            rid = f"RESPONSE_{part.part}" if part.part else "RESPONSE"
            declaration = root.find(f"q:responseDeclaration[@identifier='{rid}']", NS)
            values = [v.text for v in declaration.findall("q:correctResponse/q:value", NS)]
            if part.kind == "number":
                assert float(values[0]) == keyed[part.part]
                (equal,) = [e for e in root.iter(f"{{{qti.QTI}}}equal")
                            if e.find("q:variable", NS).get("identifier") == rid and e.find("q:correct", NS) is not None]
                low, high = (Decimal(t) for t in equal.get("tolerance").split())
                assert low == high == error(part, keyed[part.part])
                assert accepts_exactly(part, keyed[part.part], low)
            elif part.kind in ("choice", "multi"):
                assert set(values) == ({keyed[part.part]} if part.kind == "choice" else keyed[part.part])
            elif part.kind in ("expression", "matrix"):
                rubric = root.find("q:itemBody/q:rubricBlock[@view='scorer']/q:p", NS).text
                assert same_formula(part, keyed[part.part], rubric.split("Key (Maxima syntax): ")[1].split(";")[0])
    assert set(titles) == expected_names(3, split=set())


def process(root: ET.Element, responses: dict[str, Any]) -> dict[str, Any]:
    """Run the subset of QTI response processing the exporter writes; the outcomes."""
    declarations = {d.get("identifier"): d for d in root.findall("q:responseDeclaration", NS)}
    outcome: dict[str, Any] = {"SCORE": 0.0, "FEEDBACK": set()}

    def value(node: ET.Element) -> Any:
        tag = node.tag.split("}")[1]
        if tag == "baseValue":
            return node.text if node.get("baseType") == "identifier" else float(node.text)
        if tag == "variable":
            return outcome.get(node.get("identifier"), responses.get(node.get("identifier")))
        if tag == "correct":
            values = [v.text for v in declarations[node.get("identifier")].findall("q:correctResponse/q:value", NS)]
            return set(values) if declarations[node.get("identifier")].get("cardinality") == "multiple" else values[0]
        if tag == "mapResponse":
            mapping = declarations[node.get("identifier")].find("q:mapping", NS)
            table = {e.get("mapKey"): float(e.get("mappedValue")) for e in mapping.findall("q:mapEntry", NS)}
            return sum(table[k] for k in responses[node.get("identifier")])
        args = [value(child) for child in node]
        if tag == "sum":
            return sum(args)
        if tag == "product":
            return args[0] * args[1]
        if tag == "match":
            return args[0] == args[1]
        if tag == "member":
            return args[0] in (args[1] or ())
        if tag == "multiple":
            return set(args[0]) | {args[1]}
        assert tag == "equal"
        return args[0] is not None and abs(float(args[0]) - float(args[1])) <= float(node.get("tolerance").split()[0])

    for rule in root.find("q:responseProcessing", NS):
        if rule.tag.endswith("responseCondition"):
            test, action = list(rule.find("q:responseIf", NS))
            if not value(test):
                continue
            rule = action
        outcome[rule.get("identifier")] = value(rule[0])
    return outcome


def score(root: ET.Element, responses: dict[str, Any]) -> float:
    return process(root, responses)["SCORE"]


def test_feedback_is_shown_for_the_options_and_wrong_answers_given(items: list[shared.Item]) -> None:
    files = package(items)
    multi = ET.fromstring(files["items/hse-q2.xml"])
    question, _ = expected("hse/q2")
    modal = {m.get("identifier"): "".join(m.itertext()).strip() for m in multi.findall("q:modalFeedback", NS)}
    assert modal == {f"FB_{o.letter}": o.feedback.strip() for o in question.options if o.feedback}
    assert process(multi, {"RESPONSE": {"A", "B", "C"}})["FEEDBACK"] == {"FB_B", "FB_C"}
    assert process(multi, {"RESPONSE": {"A", "E"}})["FEEDBACK"] == set()
    task = ET.fromstring(files["items/in5400-task1.xml"])
    exercise, _ = expected("in5400/task1")
    right = {"RESPONSE_a": 6.0, "RESPONSE_b": 2.0, "RESPONSE_c": 0.0, "RESPONSE_d": 8.0}
    assert process(task, right)["FEEDBACK"] == set()
    given = process(task, {**right, "RESPONSE_a": 3.0, "RESPONSE_c": -4.0})
    assert given["FEEDBACK"] == {"FB_a_W1", "FB_c_W1"} and given["SCORE"] == 0.5
    modal = {m.get("identifier"): "".join(m.itertext()).strip() for m in task.findall("q:modalFeedback", NS)}
    assert modal["FB_a_W1"] == exercise.parts[0].misconceptions[0].feedback.strip()


def test_multi_select_scores_exactly_as_the_bank_does(items: list[shared.Item]) -> None:
    files = package(items)
    for name in ("hse-q2", "seqmodels-q3"):
        root = ET.fromstring(files[f"items/{name}.xml"])
        question, key = expected(root.get("title"))
        letters = [o.letter for o in question.options]
        for size in range(len(letters) + 1):
            for ticked in itertools.combinations(letters, size):
                bank = KINDS["multi"].check(question, frozenset(ticked), key).score
                assert abs(score(root, {"RESPONSE": set(ticked)}) - bank) < 1e-12, ticked


def test_exercise_scores_by_part_points(items: list[shared.Item]) -> None:
    files = package(items)
    root = ET.fromstring(files["items/in5400-task1.xml"])
    right = {"RESPONSE_a": 6.0, "RESPONSE_b": 2.0, "RESPONSE_c": 0.0, "RESPONSE_d": 8.0}
    assert score(root, right) == 1.0
    assert score(root, {**right, "RESPONSE_d": 4.0}) == 0.75
    assert score(root, {**right, "RESPONSE_a": 6.005}) == 1.0  # within 0.1 % of 6
    assert score(root, {**right, "RESPONSE_a": 6.01}) == 0.75


def test_variants_form_a_section_that_selects_one(items: list[shared.Item]) -> None:
    test = ET.fromstring(package(items)["tests/practice.xml"])
    section = test.find(".//q:assessmentSection[@identifier='practice-gate_params-variants']", NS)
    assert section.find("q:selection", NS).get("select") == "1"
    assert [r.get("identifier") for r in section.findall("q:assessmentItemRef", NS)] == [
        f"practice-gate_params-s{s}" for s in range(3)]
