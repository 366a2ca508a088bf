"""The process-wide embedder: created lazily, so importing Sluice never loads a model."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from retrieval.embedders.base import Embedder

_embedder: Embedder | None = None
_lock = threading.Lock()


def get_embedder() -> Embedder:
    """Return the embedder of this process, creating it (not yet loading weights) on first call."""
    global _embedder
    with _lock:
        if _embedder is None:
            from django.conf import settings

            _embedder = make_embedder(
                resolve_backend(settings.EMBEDDING_BACKEND, device=settings.EMBEDDING_DEVICE),
                device=settings.EMBEDDING_DEVICE,
                batch_size=settings.EMBEDDING_BATCH_SIZE,
            )
        return _embedder


def make_embedder(backend: str, *, device: str = "auto", batch_size: int = 0) -> Embedder:
    """A new embedder of `backend` (torch, onnx, onnx-int8 or remote); its model loads on first use."""
    if backend == "remote":
        from django.conf import settings

        from retrieval.embedders.remote import RemoteEmbedder

        return RemoteEmbedder(
            base_url=settings.EMBEDDING_BASE_URL,
            model=settings.EMBEDDING_MODEL,
            api_key=settings.EMBEDDING_API_KEY,
            timeout_s=settings.EMBEDDING_TIMEOUT,
            texts_per_call=settings.EMBEDDING_TEXTS_PER_CALL,
            retry_attempts=settings.EMBEDDING_RETRY_ATTEMPTS,
        )
    if backend == "torch":
        from retrieval.embedders.sentence_transformers import MiniLMEmbedder

        return MiniLMEmbedder(device=device, batch_size=batch_size)
    from django.conf import settings

    from retrieval.embedders.onnx import OnnxMiniLMEmbedder
    from retrieval.embedders.onnx_export import export_folder

    precision = "int8" if backend == "onnx-int8" else "fp32"
    return OnnxMiniLMEmbedder(folder=export_folder(settings.DATA_DIR), precision=precision, batch_size=batch_size)


def resolve_backend(setting: str, *, device: str, cuda_present: bool | None = None) -> str:
    """The backend EMBEDDING_BACKEND names; `auto` is torch where the model runs on CUDA, else onnx (fp32: the
    same vectors as torch, a query 2.5 times faster on two cores: docs/benchmarks.md)."""
    if setting != "auto":
        return setting
    if device == "cuda":
        return "torch"
    if device == "cpu":
        return "onnx"
    return "torch" if (cuda_present if cuda_present is not None else _cuda_present()) else "onnx"


def _cuda_present() -> bool:
    """Whether torch would find a GPU, told without importing torch: a CUDA build of it and NVIDIA's driver."""
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    try:
        cpu_build = version("torch").endswith("+cpu")
    except PackageNotFoundError:
        return False
    return not cpu_build and Path("/proc/driver/nvidia/version").exists()


def embedder_is_loaded() -> bool:
    return _embedder is not None and getattr(_embedder, "loaded", True)


def embedding_health() -> dict[str, str]:
    """What /healthz says of embeddings: the in-process model's state ("ok" once loaded); with
    EMBEDDING_BACKEND=remote, "served" and the service's state (asked at most every few seconds)."""
    from retrieval.embedders.remote import RemoteEmbedder

    embedder = get_embedder()
    if isinstance(embedder, RemoteEmbedder):
        return {"embedding_model": "served", "embedding_service": embedder.health()}
    return {"embedding_model": "ok" if embedder_is_loaded() else "not loaded"}


def describe_embedder() -> dict[str, str]:
    """For the backends page: what computes the vectors, where, and whether it answers now."""
    from django.conf import settings

    from retrieval.embedders.remote import RemoteEmbedder

    embedder = get_embedder()
    if isinstance(embedder, RemoteEmbedder):
        where = f"the service at {embedder.base_url}, {embedder.texts_per_call} texts a request at most"
        return {"backend": "remote", "model": embedder.model_id, "where": where, "health": embedder.health()}
    backend = resolve_backend(settings.EMBEDDING_BACKEND, device=settings.EMBEDDING_DEVICE)
    state = "loaded" if embedder_is_loaded() else "not loaded yet in this worker"
    return {"backend": backend, "model": embedder.model_id, "where": "in each web and worker process", "health": state}


def loaded_embed() -> Callable[[Sequence[str]], list[list[float]]] | None:
    """The embedder's embed_batch when its model is already loaded, else None: a caller that only
    refines with meaning (the extractive answer, attributing an answer) never loads weights of its own."""
    return get_embedder().embed_batch if embedder_is_loaded() else None
