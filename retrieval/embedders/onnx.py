"""all-MiniLM-L6-v2 run by ONNX Runtime on the CPU, from the export in the data folder (onnx_export.py).

The tokenizer, the mean pooling and the normalisation are sentence-transformers' own for this model
(its tokenizer.json, 256 tokens, padding ignored in the mean), so the fp32 graph gives torch's vectors
(cosine 1.0000 over SciFact, docs/benchmarks.md). Neither torch nor transformers is imported here.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from retrieval.embedders.base import Embedder
from retrieval.embedders.onnx_export import FP32_FILE, INT8_FILE, is_exported
from retrieval.errors import EmbedderUnavailable

logger = logging.getLogger(__name__)

Precision = Literal["fp32", "int8"]
GRAPHS: dict[str, str] = {"fp32": FP32_FILE, "int8": INT8_FILE}
PROJECT = Path(__file__).resolve().parents[2]


class OnnxMiniLMEmbedder(Embedder):
    """MiniLM through ONNX Runtime; the session opens on first use, once per process. A missing export is
    made then, in a process of its own (about 15 s), so this process never loads the torch weights."""

    model_id = "sentence-transformers/all-MiniLM-L6-v2"
    dimensions = 384
    texts_per_call = 1  # the CPU's

    def __init__(self, *, folder: Path, precision: Precision = "fp32", batch_size: int = 0, graph: str = "") -> None:
        self.folder = folder
        self.precision = precision
        # Another graph of the export (the benchmark times onnx_export.PLAIN_FILE, the graph before fusion).
        self.graph = graph or GRAPHS[precision]
        self.batch_size = batch_size or 32  # as torch's on two cores; measured in docs/benchmarks.md
        self._session: Any = None
        self._tokenizer: Any = None
        self._run_options: Any = None
        self._lock = threading.Lock()

    def vocabulary(self) -> frozenset[str]:
        from retrieval.embedders.sentence_transformers import wordpiece_vocabulary

        return wordpiece_vocabulary()

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                ensure_exported(self.folder)
                import onnxruntime
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                # tokenizer.json pads and cuts at 128; sentence-transformers cuts at 256 and pads per batch.
                limit = json.loads((self.folder / "sentence_bert_config.json").read_text())["max_seq_length"]
                tokenizer.enable_truncation(max_length=limit)
                tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]"), pad_token="[PAD]")
                options = onnxruntime.SessionOptions()
                options.log_severity_level = 3  # its warnings about unused initialisers are not ours to fix
                # Idle threads sleep instead of spinning: a spinning pool takes the cores PostgreSQL and the
                # worker's other threads need (measured: torch next to a spinning session, 11 ms -> 260 ms).
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                # The memory arena gives its memory back after each run: kept, it holds the largest batch's
                # activations for the process's life (a web worker at 950 MB instead of 720 MB after one
                # batch of 32 passages); without an arena at all, batches of 32 take a fifth longer.
                self._run_options = onnxruntime.RunOptions()
                self._run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
                graph = self.folder / self.graph
                self._session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
                self._tokenizer = tokenizer
                logger.info("Loaded %s from %s (ONNX Runtime, CPU)", self.model_id, graph)
            return self._session, self._tokenizer

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        import numpy

        session, tokenizer = self._load()
        # Longest first, as sentence-transformers batches: less padding in each batch.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = numpy.empty((len(texts), self.dimensions), dtype=numpy.float32)
        for start in range(0, len(order), self.batch_size):
            block = order[start : start + self.batch_size]
            encodings = tokenizer.encode_batch([texts[i] for i in block])
            ids = numpy.array([e.ids for e in encodings], dtype=numpy.int64)
            mask = numpy.array([e.attention_mask for e in encodings], dtype=numpy.int64)
            (hidden,) = session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": numpy.zeros_like(ids)},
                self._run_options,
            )
            weights = mask[..., None].astype(numpy.float32)
            pooled = (hidden * weights).sum(axis=1) / numpy.clip(weights.sum(axis=1), 1e-9, None)
            norms = numpy.linalg.norm(pooled, axis=1, keepdims=True)
            vectors[block] = pooled / numpy.clip(norms, 1e-12, None)
        return vectors.tolist()  # type: ignore[no-any-return]


def ensure_exported(folder: Path) -> None:
    """Export the model into `folder` unless it is there, in a child process (the export imports torch; the
    caller need not). Raises EmbedderUnavailable when the export fails."""
    if is_exported(folder):
        return
    logger.info("Exporting the embedding model to ONNX in %s (once)", folder)
    result = subprocess.run(
        [sys.executable, "-m", "retrieval.embedders.onnx_export", str(folder)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise EmbedderUnavailable(
            f"Exporting the embedding model to ONNX failed (run `manage.py export_embedder` to see why): "
            f"{result.stderr.strip().splitlines()[-1:] or result.returncode}"
        )
