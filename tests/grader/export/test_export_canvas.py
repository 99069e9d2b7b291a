"""The Canvas QTI 1.2 package read back: manifest references, question types, keys and
numeric ranges against the banks' verified keys, variants as pick-one groups."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

from export_oracle import accepts_exactly, as_plain, assert_manifest_resolves, error, expected, expected_names

from grader.export import canvas, shared

NS = {"q": canvas.QTI12, "m": canvas.MANIFEST}


def package(items: list[shared.Item], notes: shared.Notes | None = None) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(canvas.write(items, notes or shared.Notes()))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_manifest_references_resolve_both_ways(items: list[shared.Item]) -> None:
    resources = assert_manifest_resolves(package(items), canvas.MANIFEST)
    assert {r.get("type") for r in resources} == {canvas.ASSESSMENT_TYPE, canvas.META_TYPE}


def field(item: ET.Element, label: str) -> str:
    for entry in item.findall("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", NS):
        if entry.findtext("q:fieldlabel", namespaces=NS) == label:
            return entry.findtext("q:fieldentry", namespaces=NS)
    raise KeyError(label)


def test_every_item_reads_back_with_its_verified_key(items: list[shared.Item]) -> None:
    files = package(items)
    titles = []
    for name, data in files.items():
        if name.endswith("assessment_meta.xml") or name == "imsmanifest.xml":
            continue
        for item in ET.fromstring(data).iter(f"{{{canvas.QTI12}}}item"):
            question, key = expected(item.get("title"))
            titles.append(item.get("title"))
            assert field(item, "question_type") == canvas.TYPES[question.kind]
            assert float(field(item, "points_possible")) == question.points
            final = [c for c in item.findall("q:resprocessing/q:respcondition", NS) if c.get("continue") == "No"]
            if question.kind in ("choice", "multi"):
                ids = dict(zip(field(item, "original_answer_ids").split(","), (o.letter for o in question.options)))
                (right,) = final
                assert right.findtext("q:setvar", namespaces=NS) == "100"
                if question.kind == "choice":
                    assert ids[right.findtext("q:conditionvar/q:varequal", namespaces=NS)] == key
                else:
                    every = right.find("q:conditionvar/q:and", NS)
                    ticked = {ids[v.text] for v in every.findall("q:varequal", NS)}
                    unticked = {ids[v.text] for v in every.findall("q:not/q:varequal", NS)}
                    assert ticked == key and unticked == {o.letter for o in question.options} - key
            elif question.kind == "number":
                (right,) = final
                assert float(right.findtext("q:conditionvar/q:or/q:varequal", namespaces=NS)) == key
                low = Decimal(right.findtext("q:conditionvar/q:or/q:and/q:vargte", namespaces=NS))
                high = Decimal(right.findtext("q:conditionvar/q:or/q:and/q:varlte", namespaces=NS))
                written = error(question, key)
                assert (low, high) == (Decimal(repr(key)) - written, Decimal(repr(key)) + written)
                assert accepts_exactly(question, key, written)
            else:
                assert question.kind == "text"
                feedback = item.findtext("q:itemfeedback[@ident='general_fb']/q:flow_mat/q:material/q:mattext",
                                         namespaces=NS)
                assert key in as_plain(feedback)
    formulas = {"practice/gru_formula", "practice/output_grad_formula", "practice/lstm_jacobian_matrix",
                "practice/lstm_output_jacobian"}
    split = {"assignment3/q5", "in5400/task1", "practice/bptt", "practice/vanishing", "practice/gru_step",
             "practice/gru_keeps_gradient", "practice/lstm_step"}
    assert len(titles) == len(set(titles))
    assert set(titles) == {n for n in expected_names(3, split) if n.split(",")[0] not in formulas}


def test_variants_are_pick_one_groups(items: list[shared.Item]) -> None:
    notes = shared.Notes()
    root = ET.fromstring(package(items, notes)["rnnquiz-practice/rnnquiz-practice.xml"])
    groups = {g.get("title"): g for g in root.iter(f"{{{canvas.QTI12}}}section") if g.get("ident") != "root_section"}
    assert set(groups) >= {"practice/gate_params variants", "practice/bptt variants (a)", "practice/vanishing variants (b)"}
    for group in groups.values():
        assert group.findtext("q:selection_ordering/q:selection/q:selection_number", namespaces=NS) == "1"
        assert len(group.findall("q:item", NS)) == 3
    assert any(line.startswith("practice/gru_formula: left out") for line in notes.lines)
