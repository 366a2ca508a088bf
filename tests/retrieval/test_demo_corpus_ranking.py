"""Ranking on a small fixture: the demo corpus and its example questions."""

from __future__ import annotations

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.clearance import Classification
from retrieval.selectors import SEARCH_MODES, Reader, search_passages

QUESTIONS = yaml.safe_load((settings.BASE_DIR / "demo" / "questions.yaml").read_text())


@pytest.mark.slow
@pytest.mark.django_db
def test_each_demo_question_finds_its_document_near_the_top():
    call_command("setup_demo", stdout=None)
    reader = Reader(clearance=Classification.RESTRICTED, group_ids=tuple(Group.objects.values_list("id", flat=True)))

    for mode in SEARCH_MODES:
        ranks = []
        for item in QUESTIONS:
            sources = [p.source_name for p in search_passages(reader, item["question"], k=10, mode=mode).passages]
            ranks.append(sources.index(item["answer_in"]) + 1 if item["answer_in"] in sources else None)

        assert None not in ranks, (mode, ranks)
        top1 = sum(rank == 1 for rank in ranks) / len(ranks)
        assert top1 >= (0.8 if mode == "hybrid" else 0.6), (mode, ranks)
