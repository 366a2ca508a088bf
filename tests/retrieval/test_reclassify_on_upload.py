from __future__ import annotations

from retrieval.selectors import get_reader, search_passages
from retrieval.services import Outcome

TEXT = "# Parking\n\nVisitor parking is on level two of the north garage."


def sources(user) -> list[str]:
    return [p.source_name for p in search_passages(get_reader(user), "visitor parking garage", k=5).passages]


def test_the_same_file_with_a_new_classification_changes_access_at_once(ingest, employee):
    ingest("parking.md", TEXT, "internal")
    assert sources(employee) == ["parking.md"]

    result = ingest("parking.md", TEXT, "confidential")

    assert result.outcome == Outcome.RECLASSIFIED
    assert result.document.version == 2
    assert sources(employee) == []


def test_the_same_file_with_new_groups_changes_access_at_once(ingest, employee):
    ingest("parking.md", TEXT, "internal", ["engineering"])
    assert sources(employee) == ["parking.md"]

    assert ingest("parking.md", TEXT, "internal", ["finance"]).outcome == Outcome.RECLASSIFIED
    assert sources(employee) == []
    assert ingest("parking.md", TEXT, "internal", ["finance"]).outcome == Outcome.UNCHANGED
