"""An answer set's retrieval, as a BEIR folder and dumped lists for scripts/fusion_study.py --replay.

Usage:
  python scripts/answer_set_lists.py QUESTIONS.jsonl --corpus DIR --out OUT_DIR
  python scripts/fusion_study.py OUT_DIR OUT_DIR/lists.jsonl --replay

Ingests DIR into a throwaway collection as `eval_answers` does (the product's own parsing and
chunking of each file), and for each answerable question reads the two lists as `rank_chunks` reads
them (the question with its shorthand spelled out beside it, the product's candidate depth). Writes
OUT_DIR/queries.jsonl (the question as searched), qrels/test.tsv (the files that answer it, relevance
1), corpus.jsonl (the files' names only: the replay reads no text) and lists.jsonl in the format of
`eval_retrieval --dump-lists` (file, chunk id, score). So the fusion is replayed on questions people
ask about documents, next to SciFact and the entity sets (docs/retrieval-evaluation.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from accounts.clearance import Classification  # noqa: E402
from retrieval.evaluation import read_lists  # noqa: E402
from retrieval.models import Chunk  # noqa: E402
from retrieval.selectors import Reader  # noqa: E402
from retrieval.services import drop_collection  # noqa: E402
from routing.evaluation import ingest_folder, load_questions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    questions = [q for q in load_questions(args.questions) if q.answerable and q.files]
    (args.out / "qrels").mkdir(parents=True, exist_ok=True)
    collection = f"eval-{uuid.uuid4().hex[:12]}"
    reader = Reader(clearance=Classification.RESTRICTED, group_ids=(), collection=collection)
    try:
        documents, failed = ingest_folder(args.corpus, collection)
        if failed:
            print(f"not ingested: {failed}", file=sys.stderr)
        chunk_docs = Chunk.objects.filter(document__collection=collection).values_list("id", "document_id")
        chunk_file = {chunk: documents[doc] for chunk, doc in chunk_docs}
        with (args.out / "lists.jsonl").open("w") as dump, (args.out / "queries.jsonl").open("w") as queries:
            for q in questions:
                read = read_lists(reader, q.question, candidates=settings.SEARCH_CANDIDATES)
                dump.write(read.dumped(q.id, chunk_file) + "\n")
                queries.write(json.dumps({"_id": q.id, "text": read.text}) + "\n")
    finally:
        drop_collection(collection)
    (args.out / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q.id}\t{f}\t1\n" for q in questions for f in q.files)
    )
    (args.out / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": name, "title": "", "text": ""}) + "\n" for name in sorted(set(documents.values())))
    )
    print(f"{len(questions)} questions, {len(documents)} files: {args.out}")


if __name__ == "__main__":
    main()
