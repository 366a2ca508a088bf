"""`retrieval.evaluation.evaluate` (manage.py eval_retrieval): a BEIR folder ingested, ranked and measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.evaluation import evaluate
from retrieval.models import Document

CORPUS = [
    {"_id": "d1", "title": "Rotating secrets", "text": "Production database credentials are rotated every 90 days."},
    {"_id": "d2", "title": "Lunch", "text": "Lunch is served at noon in the atrium on the second floor."},
    {"_id": "d3", "title": "Laptops", "text": "Laptops are refreshed every four years by the IT desk."},
]
QUERIES = [
    {"_id": "q1", "text": "prod db creds"},  # shorthand only: no word of it is in the documents
    {"_id": "q2", "text": "when are laptops refreshed"},
]


def write_beir(folder: Path) -> Path:
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("".join(json.dumps(d) + "\n" for d in CORPUS))
    (folder / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in QUERIES))
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\n")
    return folder


@pytest.mark.django_db
def test_queries_are_searched_as_the_product_searches_them_shorthand_included(tmp_path):
    lists = tmp_path / "lists.jsonl"

    report = evaluate(write_beir(tmp_path / "beir"), modes=["keyword", "hybrid"], k=10, dump_lists=lists)

    # "prod db creds" is found by the keyword list only through what the shorthand stands for.
    assert report["keyword"]["ndcg@10"] == 1.0
    assert report["hybrid"]["ndcg@10"] == 1.0
    rows = {row["query_id"]: row for row in map(json.loads, lists.read_text().splitlines())}
    assert rows["q1"]["keyword"][0][0] == "d1"
    assert not Document.objects.exists()  # the throwaway collection is dropped
