"""Files stored as ingestion jobs (retrieval.uploads.queue_uploads): one whose size the caller does not
know is still held to MAX_UPLOAD_BYTES, read no further than one byte past it."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from accounts.clearance import Classification
from accounts.models import User
from retrieval.models import IngestionJob
from retrieval.uploads import queue_uploads


class UnsizedFile:
    """A file that does not say its size (a stream), recording how much it was asked to read."""

    size = None

    def __init__(self, name: str, content: bytes) -> None:
        self.name = name
        self._content = BytesIO(content)
        self.asked: list[int] = []

    def read(self, size: int = -1) -> bytes:
        self.asked.append(size)
        return self._content.read(size)


def queue(files: list[UnsizedFile], user: User) -> dict[str, IngestionJob]:
    jobs = queue_uploads(files=files, classification=Classification.INTERNAL, group_names=[], acting_user=user)
    return {job.filename: job for job in jobs}


def test_a_file_of_unknown_size_over_the_limit_fails_read_no_further_than_past_it(admin: User, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 40
    big = UnsizedFile("big.md", b"# Big\n\n" + b"This sentence makes the file longer than the limit. " * 3)

    job = queue([big], admin)["big.md"]

    assert job.status == IngestionJob.Status.FAILED and bytes(job.content) == b""
    assert job.error == (
        "big.md: the file is over the limit of 40 (MAX_UPLOAD_BYTES); split it or ask an operator to raise it"
    )
    assert big.asked == [41]


def test_a_file_of_unknown_size_within_the_limit_is_queued_whole(admin: User, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 40
    small = UnsizedFile("small.txt", b"Short note.")

    job = queue([small], admin)["small.txt"]

    assert job.status == IngestionJob.Status.QUEUED
    assert bytes(job.content) == b"Short note." and job.size == len(b"Short note.")
