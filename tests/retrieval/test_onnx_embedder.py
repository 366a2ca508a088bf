"""The ONNX embedding path: the shipped model exported once and offline, and vectors that are torch's
(fp32) or close to them (int8)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedders.onnx import OnnxMiniLMEmbedder
from retrieval.embedders.onnx_export import FP32_FILE, INT8_FILE, MANIFEST, PLAIN_FILE, export_model, is_exported
from retrieval.embedders.sentence_transformers import MiniLMEmbedder

# The export takes 10-25 s on two cores.
pytestmark = pytest.mark.slow

TEXTS = [
    "How do we roll back a bad deploy?",
    "What is the laptop encryption requirement?",
    "Severity 2: a core function fails for fewer than a quarter of customers, or one Enterprise customer is "
    "fully down. Page the on-call engineer and open an incident channel within 15 minutes.",
    "Rotate the database credentials every 90 days; the runbook lists each service that holds a copy.",
    "ok",
]


def _refuse(*args: object, **kwargs: object) -> None:
    raise OSError("the export must not use the network")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One export for the module (about 10 s on two cores), made with every Python socket refused."""
    folder = tmp_path_factory.mktemp("models") / "all-MiniLM-L6-v2-onnx"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _refuse)
        patch.setattr(socket, "create_connection", _refuse)
        assert export_model(folder) is True
    yield folder


def test_the_export_is_made_offline_from_the_installed_model(exported: Path) -> None:
    assert is_exported(exported)
    for name in (PLAIN_FILE, FP32_FILE, INT8_FILE, "tokenizer.json", "modules.json"):
        assert (exported / name).stat().st_size > 0
    # No weights copied beside the graphs: the folder holds what ONNX Runtime and a tokenizer read.
    assert not (exported / "model.safetensors").exists()


def test_a_second_export_leaves_the_first_alone(exported: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in exported.rglob("*")}

    assert export_model(exported) is False
    assert {p: p.stat().st_mtime_ns for p in exported.rglob("*")} == before


def test_an_export_made_under_other_versions_is_not_taken(exported: Path) -> None:
    manifest = exported / MANIFEST
    written = manifest.read_text()
    try:
        manifest.write_text(json.dumps(json.loads(written) | {"onnxruntime": "1.0.0"}))
        assert not is_exported(exported)
    finally:
        manifest.write_text(written)
    assert is_exported(exported)


def test_onnx_vectors_are_torchs_and_int8_close_to_them(exported: Path) -> None:
    torch_vectors = np.array(MiniLMEmbedder(device="cpu").embed_batch(TEXTS))
    fp32 = np.array(OnnxMiniLMEmbedder(folder=exported).embed_batch(TEXTS))
    int8 = np.array(OnnxMiniLMEmbedder(folder=exported, precision="int8").embed_batch(TEXTS))

    for vectors in (fp32, int8):
        assert vectors.shape == (len(TEXTS), 384)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert ((fp32 * torch_vectors).sum(axis=1) >= 0.9999).all()
    # int8 moves each text's vector a little, most for the shortest texts ("ok": 0.965 against torch),
    # which is why it is not the default (docs/benchmarks.md).
    int8_cosine = (int8 * torch_vectors).sum(axis=1)
    assert (int8_cosine >= 0.95).all() and np.median(int8_cosine) >= 0.99


def test_a_batch_gives_each_text_the_vector_it_gets_alone(exported: Path) -> None:
    embedder = OnnxMiniLMEmbedder(folder=exported, batch_size=2)

    batch = np.array(embedder.embed_batch(TEXTS))
    alone = np.array([embedder.embed(text) for text in TEXTS])

    assert np.allclose(batch, alone, atol=1e-5)
