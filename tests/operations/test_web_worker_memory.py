"""A web worker's resident memory with the embedding model in it and with EMBEDDING_BACKEND=remote: the real
`manage.py serve` (tests/serving.py), each worker warmed up as in production (config.gunicorn_conf loads the
embedding and name models, or with remote asks the service once), then VmRSS of each gunicorn worker."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from operations.embedding_service import EmbeddingService
from tests.serving import ServedSluice

pytestmark = pytest.mark.slow

WARM_UP_S = 40.0  # the warm-up thread's model loads (about 2 s each on two idle cores; serve's start is busy)


def worker_rss_mb(server: ServedSluice) -> list[float]:
    """VmRSS in MiB of each gunicorn worker of the served Sluice, once they are warm."""
    time.sleep(WARM_UP_S)
    workers = [
        p
        for p in server.processes()
        if "gunicorn" in " ".join(p.cmdline()) and "gunicorn" in " ".join(p.parent().cmdline())
    ]
    assert workers, server.log_tail()
    return sorted(round(p.memory_info().rss / 2**20, 1) for p in workers)


def served_rss(data_dir: Path, env: dict[str, str]) -> list[float]:
    server = ServedSluice(data_dir)
    server.env |= env
    server.start()
    try:
        return worker_rss_mb(server)
    finally:
        server.stop()


def test_a_web_worker_is_smaller_with_the_embedding_service(tmp_path: Path) -> None:
    in_process = served_rss(tmp_path / "in-process", {})
    service = EmbeddingService(settings.DATA_DIR).start()
    try:
        remote = served_rss(tmp_path / "remote", service.settings())
        service_mb = round(psutil.Process(service.process.pid).memory_info().rss / 2**20, 1)  # type: ignore[union-attr]
    finally:
        service.stop()

    print(
        f"web worker RSS, in-process model: {in_process} MiB; remote embedder: {remote} MiB; service {service_mb} MiB"
    )
    assert max(remote) < min(in_process) - 100
