from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from retrieval.evaluation import load_beir

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_entity_set.py"


def make(folder: Path, *, seed: int) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), str(folder), "--seed", str(seed), "--people", "300", "--queries", "60"],
        check=True,
        capture_output=True,
    )


def test_the_same_seed_writes_the_same_set(tmp_path: Path) -> None:
    make(tmp_path / "a", seed=5)
    make(tmp_path / "b", seed=5)

    for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_every_judged_page_has_the_names_places_and_teams_its_query_asks_for(tmp_path: Path) -> None:
    make(tmp_path, seed=7)
    data = load_beir(tmp_path)
    shapes = {query_id.rsplit("-", 1)[0] for query_id in data.queries}

    assert len(data.queries) == 60 and shapes == {"name", "name-city", "attributes"}
    for query_id, text in data.queries.items():
        relevant = data.qrels[query_id]
        assert 1 <= len(relevant) <= 5
        for doc_id in relevant:
            title, page = data.corpus[doc_id]
            # The first sentence says who and what; the second says where and which team.
            subject, where = page.split(". ")[:2]
            capitalised = [w for w in text.split() if w[0].isupper()]
            if query_id.startswith("name"):
                assert title.split()[-1] == capitalised[0]
            for word in capitalised[1:] if query_id.startswith("name") else capitalised:
                assert word in where
            if query_id.startswith("attributes"):
                assert f"the {text.split()[-1]} team" in where
