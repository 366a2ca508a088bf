"""EMBEDDING_BACKEND=remote against a real embedding service: infinity-emb from PyPI serving the shipped
all-MiniLM-L6-v2 from the wheel's folder, in a process of its own on loopback (operations/embedding_service.py),
reached through the official openai SDK. Faults (503, a dead port) come from a small loopback proxy in front
of it, so the client sees real HTTP responses."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.test import Client

from operations.embedding_service import SERVED_NAME, EmbeddingService
from operations.local_llm import free_port
from retrieval import embedders
from retrieval.embedders import get_embedder
from retrieval.embedders.remote import RemoteEmbedder
from retrieval.errors import EmbeddingServiceError
from retrieval.models import Chunk, Document

pytestmark = pytest.mark.slow

QUERIES = [
    "how do I roll back a deploy?",
    "VPN",
    "who approves a policy exception",
    "rotate database passwords every ninety days",
    "expense report deadline Q3",
]
PASSAGE = (
    "To roll back a bad deploy, run the rollback pipeline for the previous release tag. The pipeline "
    "restores the previous container image, replays the database migrations' down steps when the release "
    "notes ask for it, and posts a message in the incident channel. "
)
NON_ENGLISH = [
    "Comment puis-je réinitialiser mon mot de passe VPN ?",
    "Die Datenbankpasswörter werden alle neunzig Tage über die Tresor-Konsole rotiert.",
    "¿Quién aprueba las excepciones a la política de seguridad?",
    "如何回滚错误的部署？",
    "デプロイをロールバックするにはどうすればよいですか",
    "Как откатить неудачное развертывание?",
    "كيف يمكنني إعادة تعيين كلمة المرور؟",
]
CODE = [
    "def rotate(secret: str) -> str:\n    return vault.write(path, secret, ttl=90 * DAY)",
    "kubectl -n sluice rollout undo deploy/sluice-web --to-revision=41",
    "SELECT id, title FROM retrieval_document WHERE classification <= 2 ORDER BY id;",
    '{"target": "cloud", "redact": true, "max_passages": 4}',
]


def varied_texts() -> list[str]:
    """Short queries, passages up to past the model's 256-token cut, other languages and scripts, code."""
    passages = [PASSAGE * n for n in (1, 3, 8, 20)]  # the longest is some 1,000 tokens: cut at 256 on both sides
    return [*QUERIES, *passages, *NON_ENGLISH, *CODE, "a", "?!"]


@pytest.fixture(scope="module")
def service() -> Iterator[EmbeddingService]:
    """infinity-emb serving the shipped model; installed once into the data folder (needs PyPI the first time)."""
    running = EmbeddingService(django_settings.DATA_DIR).start()
    yield running
    running.stop()


class FaultyProxy:
    """A loopback HTTP proxy to the service that answers the next `failures` requests with `status` (and
    Retry-After: 0) before passing requests on; it counts the requests and their texts."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.removeprefix("http://").split("/")[0]
        self.failures = 0
        self.status = 503
        self.requests: list[int] = []  # texts per request, in order
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                proxy.requests.append(len(json.loads(body)["input"]))
                if proxy.failures > 0:
                    proxy.failures -= 1
                    self._answer(proxy.status, b'{"message": "overloaded"}', {"Retry-After": "0"})
                    return
                connection = http.client.HTTPConnection(proxy.upstream, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                connection.request("POST", self.path, body=body, headers=headers)
                answer = connection.getresponse()
                self._answer(answer.status, answer.read(), {})
                connection.close()

            def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(service: EmbeddingService) -> Iterator[FaultyProxy]:
    running = FaultyProxy(service.base_url)
    yield running
    running.close()


def remote(base_url: str, api_key: str, **options: Any) -> RemoteEmbedder:
    return RemoteEmbedder(base_url=base_url, model=SERVED_NAME, api_key=api_key, sleep=lambda s: None, **options)


def test_its_vectors_are_the_in_process_models(service: EmbeddingService) -> None:
    texts = varied_texts()
    served = np.array(remote(service.base_url, service.api_key).embed_batch(texts))
    local = np.array(get_embedder().embed_batch(texts))

    cosines = (served * local).sum(axis=1) / (np.linalg.norm(served, axis=1) * np.linalg.norm(local, axis=1))
    print(f"per-text cosine, served vs in-process, over {len(texts)} texts: min {cosines.min():.6f}")
    assert served.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(served, axis=1), 1.0, atol=1e-5)
    assert cosines.min() >= 0.999, {t[:40]: round(float(c), 5) for t, c in zip(texts, cosines, strict=True)}


def test_texts_go_in_requests_of_texts_per_call(service: EmbeddingService, proxy: FaultyProxy) -> None:
    texts = [f"passage number {i} about deploys" for i in range(70)]
    embedder = remote(proxy.base_url, service.api_key, texts_per_call=32)

    vectors = embedder.embed_batch(texts)

    assert proxy.requests == [32, 32, 6]
    # In order: each text's vector is the one it gets alone.
    alone = remote(service.base_url, service.api_key).embed_batch([texts[0], texts[45], texts[69]])
    assert np.allclose([vectors[0], vectors[45], vectors[69]], alone, atol=1e-4)


def test_a_503_is_tried_again_and_then_answered(service: EmbeddingService, proxy: FaultyProxy) -> None:
    proxy.failures = 2
    vectors = remote(proxy.base_url, service.api_key, retry_attempts=4).embed_batch(["roll back", "VPN"])

    assert len(vectors) == 2 and proxy.requests == [2, 2, 2]


def test_a_503_that_lasts_fails_after_the_tries_with_a_message_that_says_so(
    service: EmbeddingService, proxy: FaultyProxy
) -> None:
    proxy.failures = 10
    with pytest.raises(EmbeddingServiceError) as failure:
        remote(proxy.base_url, service.api_key, retry_attempts=3).embed_batch(["roll back"])

    assert failure.value.kind == "server_error" and not failure.value.permanent
    assert "503" in failure.value.message and "after 3 tries" in failure.value.message
    assert len(proxy.requests) == 3


def test_a_wrong_key_is_not_tried_again(service: EmbeddingService, proxy: FaultyProxy) -> None:
    with pytest.raises(EmbeddingServiceError) as failure:
        remote(proxy.base_url, "sk-wrong", retry_attempts=4).embed_batch(["roll back"])

    assert failure.value.kind == "auth" and failure.value.permanent
    assert "EMBEDDING_API_KEY" in failure.value.message
    assert len(proxy.requests) == 1


def test_a_service_that_is_down_stores_nothing_and_says_what_to_do(
    ingest: Any, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    down = remote(f"http://127.0.0.1:{free_port()}/v1", "sk-any", retry_attempts=2)
    monkeypatch.setattr(embedders, "_embedder", down)

    with pytest.raises(EmbeddingServiceError) as failure:
        ingest("runbook.md", "# Runbook\n\n## Rolling back\nRun the rollback pipeline.\n", "internal", [])

    assert failure.value.kind == "unreachable"
    assert "Cannot connect to the embedding service" in failure.value.message
    assert "EMBEDDING_BASE_URL" in failure.value.message
    assert Document.objects.count() == 0 and Chunk.objects.count() == 0


def test_healthz_reports_the_service(
    service: EmbeddingService, client: Client, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    monkeypatch.setattr(embedders, "_embedder", remote(service.base_url, service.api_key))
    up = client.get("/healthz").json()
    monkeypatch.setattr(embedders, "_embedder", remote(f"http://127.0.0.1:{free_port()}/v1", "sk-any"))
    down = client.get("/healthz")

    assert up == {"database": "ok", "embedding_model": "served", "embedding_service": "ok"}
    assert down.status_code == 200  # reported, not judged: restarting web pods would not bring it back
    assert down.json()["embedding_service"] == "unavailable: cannot connect"
