"""Where ingestion's CPU goes, per chunk: each stage of reading a file (parse and chunk, the detectors, the name
model, the injection cues) timed alone on the benchmark's files, the model's CPU on their chunks (both of its
threads), and the CPU of the whole `ingest` run, this process's and the database server's.

On two cores the model alone keeps both busy, so ingestion reaches the model's rate only when everything else
costs little CPU: these figures say what that everything else is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Any

from django.db import connection

from benchmarks.e2e import children_of, cpu_seconds
from inspection import inspect_text, ner
from inspection.injection import inspect_cues
from retrieval.embedders import get_embedder
from retrieval.parsing import parse_document
from retrieval.services import prepare_chunks


def reading_cpu(files: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    """CPU milliseconds per chunk of each stage of reading `files` (this thread's time), and of the model
    embedding their chunks (the process's time: the model's own threads)."""
    spent = {"parse_and_chunk": 0.0, "detectors": 0.0, "name_model": 0.0, "injection_cues": 0.0}
    texts, index_texts = [], []
    for name, content in files:
        started = time.thread_time()
        parsed = parse_document(name, content)
        chunks = prepare_chunks(title=parsed.title or PurePath(name).stem, sections=parsed.sections)
        spent["parse_and_chunk"] += time.thread_time() - started
        texts += [c.text for c in chunks]
        index_texts += [c.index_text for c in chunks]
    ner.set_enabled(False)
    try:
        spent["detectors"] = _thread_seconds(lambda: [inspect_text(t) for t in texts])
    finally:
        ner.set_enabled(None)
    # The name model's share: inspection with it, less inspection without it.
    spent["name_model"] = _thread_seconds(lambda: [inspect_text(t) for t in texts]) - spent["detectors"]
    spent["injection_cues"] = _thread_seconds(lambda: [inspect_cues(t) for t in texts])
    embedder = get_embedder()
    embedder.embed_batch(index_texts[:8])
    started = time.process_time()
    embedder.embed_batch(index_texts)
    spent["model"] = time.process_time() - started
    return {"chunks": len(texts), "ms_per_chunk": {k: round(v * 1000 / len(texts), 2) for k, v in spent.items()}}


@contextmanager
def cpu_of_run(result: dict[str, Any], *, chunks: int) -> Iterator[None]:
    """Fill `result` with the CPU milliseconds per chunk that the block cost this process (every thread) and
    the database server (its processes alive at the end: a backend that ended meanwhile is not counted; None
    when the server's processes cannot be read, a server on another machine)."""
    process_before, server_before = time.process_time(), cpu_seconds(_server_processes())
    yield
    process = time.process_time() - process_before
    server_pids = _server_processes()
    server_after = cpu_seconds(server_pids)
    server = sum(seconds - server_before.get(pid, 0.0) for pid, seconds in server_after.items())
    result["process_ms_per_chunk"] = round(process * 1000 / chunks, 2)
    result["database_ms_per_chunk"] = round(server * 1000 / chunks, 2) if server_pids else None


def _thread_seconds(work: Callable[[], object]) -> float:
    started = time.thread_time()
    work()
    return time.thread_time() - started


def _server_processes() -> list[int]:
    """The database server's processes: its postmaster (from postmaster.pid in its data folder) and children;
    [] when that folder is not readable here."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        folder = Path(cursor.fetchone()[0])
    try:
        postmaster = int((folder / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    return [postmaster, *children_of(postmaster)]
