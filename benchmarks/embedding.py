"""The embedding paths side by side in one run: torch fp32, ONNX fp32 (as exported, and with ONNX Runtime's
fusions: the `onnx` backend) and ONNX int8 (`onnx-int8`), on the same texts, interleaved, so that what
else runs on the machine slows every path alike.

- agreement: each text's cosine between a path's vector and torch's, over every passage and query of the
  evaluation sets (min, p1, median, share at or above 0.99);
- quality: nDCG@10 on each evaluation set, vector and hybrid, with queries and passages embedded by the
  same path, and with a path's queries against torch's passages (vectors stored before a switch). The
  vector list is exact (every passage scored in NumPy, no HNSW), so the paths differ in their vectors
  only; the keyword list is the product's, from a throwaway collection; fusion is `retrieval.fusion`'s;
- speed: one short query at a time (median, p95) and passages in batches of 32;
- memory: a web worker's resident set (gunicorn's warm-up, then a query and a batch of 32), per path,
  each in a fresh process.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ir_measures
import numpy
import yaml
from django.conf import settings
from ir_measures import nDCG

from accounts.clearance import Classification
from benchmarks.stats import Latency
from retrieval.bm25 import query_lexemes
from retrieval.embedders import make_embedder
from retrieval.embedders.base import Embedder
from retrieval.embedders.onnx import OnnxMiniLMEmbedder, ensure_exported
from retrieval.embedders.onnx_export import PLAIN_FILE, export_folder
from retrieval.evaluation import PreparedDocument, documents_run, load_beir, prepare_corpus, store_corpus
from retrieval.fusion import Ranked, fuse
from retrieval.parsing import ParseError, parse_document
from retrieval.selectors import Reader, keyword_candidates
from retrieval.services import drop_collection, prepare_chunks

logger = logging.getLogger(__name__)

SHARED_EVAL = settings.BASE_DIR.parent / "shared" / "eval"
# Every text is embedded by these; `onnx-plain` (the graph as exported, what sentence-transformers'
# backend="onnx" runs) only in the speed figures.
PATHS = ("torch", "onnx", "onnx-int8")
SPEED_PATHS = ("torch", "onnx-plain", "onnx", "onnx-int8")
BLOCK = 256  # texts each path embeds in turn
# Before each timed call: time for the previous path's idle threads to stop (torch's OpenMP pool spins a
# while after each call and would otherwise slow the next path down), as between a worker's requests.
PAUSE_S = 0.02
NDCG = nDCG @ 10
DEPTH = 100


@dataclass
class EvalSet:
    name: str
    documents: list[PreparedDocument]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]

    @property
    def passages(self) -> list[str]:
        return [chunk.index_text for *_, chunks in self.documents for chunk in chunks]


def embedders() -> dict[str, Embedder]:
    """A fresh embedder of each path, on the CPU (the export made first, outside the timings)."""
    folder = export_folder(settings.DATA_DIR)
    ensure_exported(folder)
    return {
        "torch": make_embedder("torch", device="cpu"),
        "onnx-plain": OnnxMiniLMEmbedder(folder=folder, precision="fp32", graph=PLAIN_FILE),
        "onnx": make_embedder("onnx"),
        "onnx-int8": make_embedder("onnx-int8"),
    }


def load_sets(shared: Path, names: Sequence[str], workdir: Path) -> list[EvalSet]:
    """The evaluation sets that are there, of those named: scifact, 18f, demo, entity13, entity14."""
    sets = []
    for name in names:
        loaded = _load_set(name, shared, workdir)
        if loaded is None:
            logger.warning("bench_embedding: %s is not there, left out", name)
        else:
            sets.append(loaded)
    return sets


def _load_set(name: str, shared: Path, workdir: Path) -> EvalSet | None:
    if name == "scifact":
        folder = shared / "beir" / "scifact"
        if not folder.is_dir():
            return None
        beir = load_beir(folder)
        return EvalSet(name, prepare_corpus(beir.corpus), beir.queries, beir.qrels)
    if name.startswith("entity"):
        seed = int(name.removeprefix("entity"))
        folder = workdir / name
        # The sets of docs/retrieval-evaluation.md: seed 13 (1,500 pages) and the held-out 14 (2,000 pages).
        people = {13: "1500", 14: "2000"}.get(seed, "1500")
        script = settings.BASE_DIR / "scripts" / "make_entity_set.py"
        subprocess.run(
            [sys.executable, str(script), str(folder), "--seed", str(seed), "--people", people],
            check=True,
            capture_output=True,
        )
        beir = load_beir(folder)
        return EvalSet(name, prepare_corpus(beir.corpus), beir.queries, beir.qrels)
    if name == "18f":
        corpus = shared / "corpora" / "18f-handbook"
        questions = shared / "qa" / "18f-questions.jsonl"
        if not corpus.is_dir() or not questions.exists():
            return None
        rows = [json.loads(line) for line in questions.read_text().splitlines() if line.strip()]
        answerable = [row for row in rows if row["answerable"]]
        return EvalSet(
            name,
            _parsed_documents(corpus, sorted(p for p in corpus.rglob("*.md"))),
            {row["id"]: row["question"] for row in answerable},
            {row["id"]: dict.fromkeys(row["files"], 1) for row in answerable},
        )
    if name == "demo":
        corpus = settings.BASE_DIR / "demo" / "corpus"
        questions = yaml.safe_load((settings.BASE_DIR / "demo" / "questions.yaml").read_text())
        queries = {f"d{i}": q["question"] for i, q in enumerate(questions)}
        qrels = {f"d{i}": {q["answer_in"]: 1} for i, q in enumerate(questions)}
        return EvalSet(
            name, _parsed_documents(corpus, sorted(p for p in corpus.iterdir() if p.is_file())), queries, qrels
        )
    raise ValueError(f"unknown evaluation set {name!r}")


def _parsed_documents(root: Path, paths: Sequence[Path]) -> list[PreparedDocument]:
    documents = []
    for path in paths:
        try:
            parsed = parse_document(path.name, path.read_bytes())
        except ParseError:
            continue  # refused by ingestion too (a page of front matter only, say)
        title = parsed.title or path.stem
        chunks = prepare_chunks(title=title, sections=parsed.sections)
        if chunks:
            documents.append((path.relative_to(root).as_posix(), title, list(parsed.sections), chunks))
    return documents


def embed_interleaved(
    models: dict[str, Embedder], texts: list[str], paths: Sequence[str]
) -> tuple[dict[str, numpy.ndarray], dict[str, float]]:
    """Every text embedded by every path, a block at a time in turn; the vectors and each path's seconds."""
    vectors: dict[str, list[list[float]]] = {p: [] for p in paths}
    seconds = dict.fromkeys(paths, 0.0)
    for start in range(0, len(texts), BLOCK):
        block = texts[start : start + BLOCK]
        # Who goes first turns over, so none is always the one that follows a warm cache.
        turn = (start // BLOCK) % len(paths)
        for path in [*paths[turn:], *paths[:turn]]:
            time.sleep(PAUSE_S)
            begun = time.perf_counter()
            vectors[path].extend(models[path].embed_batch(block))
            seconds[path] += time.perf_counter() - begun
        logger.info("bench_embedding: embedded %d/%d texts", min(start + BLOCK, len(texts)), len(texts))
    return {p: numpy.asarray(v, dtype=numpy.float32) for p, v in vectors.items()}, seconds


def agreement(vectors: numpy.ndarray, reference: numpy.ndarray) -> dict[str, Any]:
    """Per-text cosine of `vectors` with `reference` (both unit length): its low end and middle."""
    cosine = (vectors * reference).sum(axis=1)
    return {
        "n": int(cosine.size),
        "min": round(float(cosine.min()), 4),
        "p1": round(float(numpy.percentile(cosine, 1)), 4),
        "median": round(float(numpy.median(cosine)), 4),
        "share_at_least_0.99": round(float((cosine >= 0.99).mean()), 4),
    }


def quality(
    data: EvalSet, passage_vectors: dict[str, numpy.ndarray], query_vectors: dict[str, numpy.ndarray]
) -> dict[str, dict[str, float]]:
    """nDCG@10, vector and hybrid, for each pairing of a query path with a passage path."""
    collection = f"bench-embedding-{uuid.uuid4().hex[:12]}"
    reader = Reader(clearance=Classification.RESTRICTED, group_ids=(), collection=collection)
    candidates = max(settings.SEARCH_CANDIDATES, DEPTH)
    try:
        chunk_docs = store_corpus(data.documents, passage_vectors["torch"].tolist(), collection)
        chunk_ids = sorted(chunk_docs)  # stored in passage order
        keyword = {}
        for query_id, text in data.queries.items():
            lexemes = query_lexemes(text)
            keyword[query_id] = (keyword_candidates(reader, text, limit=candidates, lexemes=lexemes), len(lexemes))
    finally:
        drop_collection(collection)
    pairings = [(p, p) for p in PATHS] + [(p, "torch") for p in PATHS if p != "torch"]
    figures: dict[str, dict[str, float]] = {}
    for query_path, passage_path in pairings:
        runs: dict[str, dict[str, dict[str, float]]] = {"vector": {}, "hybrid": {}}
        scores = query_vectors[query_path] @ passage_vectors[passage_path].T
        for row, query_id in enumerate(data.queries):
            top = numpy.argsort(-scores[row], kind="stable")[:candidates]
            vector = [Ranked(id=chunk_ids[i], score=float(scores[row, i])) for i in top]
            kw, terms = keyword[query_id]
            for mode, fused in (("vector", fuse(vector, [])), ("hybrid", fuse(vector, kw, query_terms=terms))):
                runs[mode][query_id] = documents_run((f.id for f in fused), chunk_docs, DEPTH)
        name = query_path if query_path == passage_path else f"{query_path} queries, {passage_path} passages"
        figures[name] = {
            mode: round(ir_measures.calc_aggregate([NDCG], data.qrels, run)[NDCG], 4) for mode, run in runs.items()
        }
    return figures


def query_latency(models: dict[str, Embedder], queries: Sequence[str], *, rounds: int) -> dict[str, Any]:
    """One query at a time, each path in turn on the same query; the order turns over every round."""
    paths = SPEED_PATHS
    for path in paths:
        for text in queries[:20]:
            models[path].embed(text)
    samples: dict[str, list[float]] = {p: [] for p in paths}
    for n in range(rounds):
        text = queries[n % len(queries)]
        for path in [*paths[n % len(paths) :], *paths[: n % len(paths)]]:
            time.sleep(PAUSE_S)
            begun = time.perf_counter()
            models[path].embed(text)
            samples[path].append((time.perf_counter() - begun) * 1000)
    return {p: Latency.of(s).as_json() for p, s in samples.items()}


def batch_throughput(models: dict[str, Embedder], passages: Sequence[str], *, batches: int) -> dict[str, Any]:
    """Passages per second in batches of 32 (the CPU batch size), each path on the same batch in turn."""
    paths = SPEED_PATHS
    seconds: dict[str, list[float]] = {p: [] for p in paths}
    for n in range(batches):
        batch = list(passages[n * 32 : (n + 1) * 32])
        for path in [*paths[n % len(paths) :], *paths[: n % len(paths)]]:
            time.sleep(PAUSE_S)
            begun = time.perf_counter()
            models[path].embed_batch(batch)
            seconds[path].append(time.perf_counter() - begun)
    return {
        p: {
            "passages_per_s": round(32 * len(s) / sum(s), 1),
            "batch_ms_median": round(statistics.median(s) * 1000, 1),
            "batches": len(s),
        }
        for p, s in seconds.items()
    }


WORKER_RSS = """
import json, django, os
django.setup()
from config.wsgi import application
from config.gunicorn_conf import warm_up_models
from retrieval.embedders import get_embedder
warm_up_models()
get_embedder().embed("How do we roll back a bad deploy?")
get_embedder().embed_batch(json.loads(os.environ["BENCH_PASSAGES"]))
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
print(json.dumps({k: round(int(status[k].split()[0]) / 1024, 1) for k in ("VmRSS", "VmHWM")}))
"""


def worker_memory(passages: Sequence[str]) -> dict[str, Any]:
    """A web worker's resident memory with each backend: a fresh process imports the WSGI application, warms
    up as gunicorn's workers do (the embedder and the name model), embeds a query and 32 passages."""
    figures = {}
    for backend in ("torch", "onnx", "onnx-int8"):
        env = os.environ | {
            "EMBEDDING_BACKEND": backend,
            "EMBEDDING_DEVICE": "cpu",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "BENCH_PASSAGES": json.dumps(list(passages[:32])),
        }
        done = subprocess.run(
            [sys.executable, "-c", WORKER_RSS], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"worker memory with {backend}: {done.stderr.strip()[-500:]}")
        memory = json.loads(done.stdout.strip().splitlines()[-1])
        figures[backend] = {"rss_mb": memory["VmRSS"], "peak_rss_mb": memory["VmHWM"]}
    return figures


def embedding_benchmark(*, shared: Path, set_names: Sequence[str], rounds: int, batches: int) -> dict[str, Any]:
    """All of the above in one run; see the module's docstring."""
    models = embedders()
    with tempfile.TemporaryDirectory() as workdir:
        sets = load_sets(shared, set_names, Path(workdir))
    if not sets:
        raise RuntimeError(f"no evaluation set found under {shared}")
    result: dict[str, Any] = {"sets": {}, "paths": list(PATHS), "speed_paths": list(SPEED_PATHS)}
    passages_all: dict[str, list[numpy.ndarray]] = {p: [] for p in PATHS}
    queries_all: dict[str, list[numpy.ndarray]] = {p: [] for p in PATHS}
    embed_seconds = dict.fromkeys(PATHS, 0.0)
    passage_count = 0
    for data in sets:
        passages = data.passages
        passage_vectors, seconds = embed_interleaved(models, passages, PATHS)
        query_vectors, _ = embed_interleaved(models, list(data.queries.values()), PATHS)
        for path in PATHS:
            embed_seconds[path] += seconds[path]
            passages_all[path].append(passage_vectors[path])
            queries_all[path].append(query_vectors[path])
        passage_count += len(passages)
        result["sets"][data.name] = {
            "documents": len(data.documents),
            "passages": len(passages),
            "queries": len(data.queries),
            "ndcg@10": quality(data, passage_vectors, query_vectors),
        }
        logger.info("bench_embedding: %s %s", data.name, result["sets"][data.name])
    reference = {
        "passages": numpy.concatenate(passages_all["torch"]),
        "queries": numpy.concatenate(queries_all["torch"]),
    }
    result["agreement"] = {
        path: {
            kind: agreement(numpy.concatenate(store[path]), reference[kind])
            for kind, store in (("passages", passages_all), ("queries", queries_all))
        }
        for path in PATHS
        if path != "torch"
    }
    result["corpus_passages_per_s"] = {p: round(passage_count / s, 1) for p, s in embed_seconds.items()}
    result["texts"] = {"passages": passage_count, "queries": sum(len(s.queries) for s in sets)}
    return result | speed(models, sets[0], rounds=rounds, batches=batches)


SPEED_KEYS = ("query_latency_ms", "batch32", "worker_memory")


def speed(models: dict[str, Embedder], data: EvalSet, *, rounds: int, batches: int) -> dict[str, Any]:
    """Query latency, batch throughput and a web worker's memory, on the set's queries and passages."""
    return {
        "query_latency_ms": query_latency(models, list(data.queries.values()), rounds=rounds),
        "batch32": batch_throughput(models, data.passages, batches=batches),
        "worker_memory": worker_memory(data.passages),
    }


def speed_benchmark(*, shared: Path, set_name: str, rounds: int, batches: int) -> dict[str, Any]:
    """The speed and memory figures alone (the vectors, so agreement and quality, do not depend on how
    the session runs them: measure those again only when the model or its export changes)."""
    with tempfile.TemporaryDirectory() as workdir:
        sets = load_sets(shared, [set_name], Path(workdir))
    if not sets:
        raise RuntimeError(f"{set_name} is not under {shared}")
    return {"speed_paths": list(SPEED_PATHS)} | speed(embedders(), sets[0], rounds=rounds, batches=batches)
