"""Ingestion of many files at the model's pace: each file is read (parsed, chunked, inspected) in a thread
of its own, at a lower priority, while the model embeds the files read before it, in a thread of its own
too; the files of one call are stored while the model embeds the next call's, each file in its own
transaction, as ingest_file stores one. The `ingest` command and the upload worker (retrieval.jobs)
ingest this way.

On two cores the model alone keeps about 1.75 of them busy: beside it, reading and storing take the CPU it
leaves idle, and the reader, at a lower priority, slows it less. Measured on 2026-12-05 (SciFact files,
interleaved runs): 57 % of the model's rate reading in turn, 63 % in a thread, 68 % in a thread at
niceness 10. The model's ONNX or torch run and the tokenizer let go of the GIL; the Python parts of
inspection and storing do not (how much that delays the model's thread on a quiet machine is not measured
yet: under others' load, 2026-12-05, the pipeline matched the model alone). A call to the model carries
several files' chunks up to the embedder's texts_per_call. Everything that touches the database (the
upload rules, the unchanged case, storing) stays on the calling thread: Django's connections are per
thread.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from accounts.clearance import Classification
from retrieval.embedders import get_embedder
from retrieval.embedders.base import Embedder
from retrieval.errors import UploadRefused
from retrieval.models import MAIN_COLLECTION
from retrieval.parsing import ParseError
from retrieval.services import FileToIngest, IngestResult, ReadFile, check_file, read_content, store_read

# Files read ahead of the model at most, and the bytes they may hold between them (a file at least): enough
# to keep the model busy, bounded so that a folder of large files never sits in memory at once.
READ_AHEAD_FILES = 16
READ_AHEAD_BYTES = 64 * 1024 * 1024
# The reader's niceness (Linux): below the model's threads, so it reads in the CPU time they leave idle.
READER_NICENESS = 10

Key = TypeVar("Key")
Result = IngestResult | ParseError | UploadRefused


@dataclass
class _Pending(Generic[Key]):
    key: Key
    file: FileToIngest
    # Being read in the reader thread, or already decided on the calling thread (unchanged, refused).
    read: Future[ReadFile] | Result

    def is_ready(self) -> bool:
        """Decided, or read without an error other than ParseError (one that is raised waits its turn)."""
        if not isinstance(self.read, Future):
            return True
        return self.read.done() and isinstance(self.read.exception(), ParseError | None)

    def outcome(self) -> ReadFile | Result | Exception:
        """The file read, or its result, or what reading raised (an error other than ParseError is raised
        when the file's turn to be stored comes); waits for the reader."""
        if not isinstance(self.read, Future):
            return self.read
        failure = self.read.exception()
        if failure is None:
            return self.read.result()
        if not isinstance(failure, Exception):
            raise failure  # KeyboardInterrupt and the like are not a file's outcome
        return failure


def ingest_files(
    files: Iterable[tuple[str, bytes]],
    *,
    classification: Classification,
    group_names: Sequence[str],
    collection: str = MAIN_COLLECTION,
) -> list[Result]:
    """Ingest many files (name, content) with one classification and reader groups, as ingest_stream
    does. A file that cannot be read gets its error in the list, in the files' order; the others go in
    all the same."""
    stream = ingest_stream(
        (name, FileToIngest(name, content, classification, group_names, collection=collection))
        for name, content in files
    )
    return [result for _, result in stream]


def ingest_stream(files: Iterable[tuple[Key, FileToIngest]]) -> Iterator[tuple[Key, Result]]:
    """Ingest each file of `files` as ingest_file would, yielding its key and result in the files' order,
    each as soon as its document is committed.

    `files` is drawn on the calling thread, lazily: a file is taken when the reader has fewer than
    READ_AHEAD_FILES files (and READ_AHEAD_BYTES) waiting. The model embeds, in one call, the chunks of
    the first file waiting and of the files after it that are read by then, up to the embedder's
    texts_per_call, in a thread of its own; as soon as a call returns, the next one starts, and the files
    of the call before are stored meanwhile on the calling thread, each in its own transaction. A file that
    cannot be parsed (ParseError) or may not be stored (UploadRefused) gets that error as its result. Any
    other error is raised once the files before it are yielded: nothing of the file it happened on, nor of
    the ones after it, is stored. Closing the iterator early stops the reading and the embedding.
    """
    source = iter(files)
    pending: deque[_Pending[Key]] = deque()
    embedder = get_embedder()
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-read", initializer=_yield_to_the_model)
    model = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-embed")
    try:
        _read_ahead(source, pending, reader)
        embedding = _embed_next(pending, model, embedder)
        while embedding is not None:
            batch, vectors = embedding
            done = vectors.result()
            if not pending:
                _read_ahead(source, pending, reader)
            embedding = _embed_next(pending, model, embedder)
            _read_ahead(source, pending, reader)  # the reader goes on while the model embeds
            yield from _store(batch, done)  # and these files are stored meanwhile
    finally:
        model.shutdown(wait=True, cancel_futures=True)
        reader.shutdown(wait=True, cancel_futures=True)


def _yield_to_the_model() -> None:
    """Lower the reader thread's priority: it takes the CPU the model leaves idle rather than slowing it."""
    if sys.platform == "linux":  # niceness is per thread there; elsewhere a thread's id names no process
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), READER_NICENESS)


def _read_ahead(
    source: Iterator[tuple[Key, FileToIngest]], pending: deque[_Pending[Key]], reader: ThreadPoolExecutor
) -> None:
    while len(pending) < READ_AHEAD_FILES and (
        not pending or sum(len(p.file.content) for p in pending) < READ_AHEAD_BYTES
    ):
        drawn = next(source, None)
        if drawn is None:
            return
        key, file = drawn
        pending.append(_Pending(key, file, _check_or_read(file, reader)))


def _check_or_read(file: FileToIngest, reader: ThreadPoolExecutor) -> Future[ReadFile] | Result:
    try:
        unchanged = check_file(file)
    except UploadRefused as exc:
        return exc
    return unchanged or reader.submit(read_content, filename=file.filename, content=file.content)


Batch = list[tuple[_Pending[Key], ReadFile | Result | Exception]]


def _embed_next(
    pending: deque[_Pending[Key]], model: ThreadPoolExecutor, embedder: Embedder
) -> tuple[Batch[Key], Future[list[list[float]]]] | None:
    """Take the next batch of files (None when none is left) and start embedding its chunks in the
    model's thread."""
    if not pending:
        return None
    batch = _next_batch(pending, limit=embedder.texts_per_call)
    texts = [c.index_text for _, outcome in batch if isinstance(outcome, ReadFile) for c in outcome.chunks]
    return batch, model.submit(embedder.embed_batch, texts)


def _next_batch(pending: deque[_Pending[Key]], *, limit: int) -> Batch[Key]:
    """The first waiting file (waited for), then every file after it that is ready, up to `limit` chunks."""
    first = pending.popleft()
    batch: Batch[Key] = [(first, first.outcome())]
    chunks = _chunk_count(batch[0][1])
    while pending and pending[0].is_ready():
        outcome = pending[0].outcome()
        if chunks + _chunk_count(outcome) > limit:
            break
        chunks += _chunk_count(outcome)
        batch.append((pending.popleft(), outcome))
    return batch


def _chunk_count(outcome: ReadFile | Result | Exception) -> int:
    return len(outcome.chunks) if isinstance(outcome, ReadFile) else 0


def _store(batch: Batch[Key], vectors: list[list[float]]) -> Iterator[tuple[Key, Result]]:
    """Store each file of `batch` with its chunks' vectors, in the batch's order, each in its own
    transaction; raise a file's unexpected reading error when its turn comes."""
    remaining = iter(vectors)
    for item, outcome in batch:
        if isinstance(outcome, ReadFile):
            mine = [next(remaining) for _ in outcome.chunks]
            try:
                result: Result = store_read(outcome, mine, item.file)
            except UploadRefused as exc:  # a same-named document was uploaded or changed while this file was read
                result = exc
            yield item.key, result
        elif isinstance(outcome, IngestResult | ParseError | UploadRefused):
            yield item.key, outcome
        else:
            raise outcome
