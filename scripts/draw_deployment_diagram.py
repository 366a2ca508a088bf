"""Draw docs/deployment/cluster.svg, the cluster of deploy/kubernetes (overlay `full`), with matplotlib.

Usage: python scripts/draw_deployment_diagram.py [OUTPUT.svg]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "deployment" / "cluster.svg"

SLUICE = "#dbe9f6"
GPU = "#fde7c8"
DATA = "#dff0d8"
OUTSIDE = "#f2f2f2"
OPTIONAL = "#ffffff"


def box(ax, x, y, w, h, title, lines=(), color=SLUICE, dashed=False):  # type: ignore[no-untyped-def]
    ax.add_patch(
        FancyBboxPatch(
            (x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.08", facecolor=color, edgecolor="#333333",
            linewidth=1.2, linestyle="--" if dashed else "-",
        )
    )  # fmt: skip
    ax.text(x + w / 2, y + h - 0.18, title, ha="center", va="top", fontsize=10, fontweight="bold")
    for n, line in enumerate(lines):
        ax.text(x + w / 2, y + h - 0.48 - n * 0.24, line, ha="center", va="top", fontsize=7.5)
    return (x, y, w, h)


def arrow(ax, start, end, label="", dashed=False, color="#333333"):  # type: ignore[no-untyped-def]
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=12, color=color, linewidth=1.1,
            linestyle="--" if dashed else "-", shrinkA=2, shrinkB=2,
        )
    )  # fmt: skip
    if label:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.08, label, ha="center", va="bottom", fontsize=7,
                color=color, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})  # fmt: skip


def draw(output: Path) -> None:
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable
    fig, ax = plt.subplots(figsize=(13, 8.2))
    ax.set_xlim(0, 13)
    ax.set_ylim(0, 8.2)
    ax.axis("off")

    # The namespace and the GPU node pool.
    ax.add_patch(FancyBboxPatch((2.3, 0.25), 8.1, 7.5, boxstyle="round,pad=0.02", facecolor="none",
                                edgecolor="#777777", linewidth=1, linestyle=":"))  # fmt: skip
    ax.text(2.45, 7.62, "namespace sluice: default-deny NetworkPolicy, restricted Pod Security", fontsize=8,
            color="#555555", va="top")  # fmt: skip
    ax.add_patch(FancyBboxPatch((6.9, 0.45), 3.35, 4.35, boxstyle="round,pad=0.02", facecolor="#fff8ee",
                                edgecolor="#c98a2b", linewidth=1, linestyle=":"))  # fmt: skip
    ax.text(7.0, 4.72, "GPU nodes (nvidia.com/gpu: taint, label, limits)", fontsize=7.5, color="#9a5f0f", va="top")

    users = box(ax, 0.2, 5.6, 1.8, 1.2, "Employees", ["browser, API clients"], OUTSIDE)
    ingress = box(ax, 2.6, 5.6, 1.8, 1.2, "Ingress", ["TLS, no buffering", "(streamed answers)"], OUTSIDE)
    web = box(ax, 4.8, 5.5, 2.2, 1.5, "web", ["gunicorn, /healthz probes", "HPA 2-20 on CPU", "PDB: 1 down at most"])
    worker = box(ax, 4.8, 3.5, 2.2, 1.4, "worker", ["queues audit, maintenance", "KEDA: their depth"])
    migrate = box(ax, 2.6, 3.5, 1.8, 1.4, "migrate Job", ["before each release's", "web and workers"])
    embed = box(
        ax, 7.1, 1.75, 3.0, 1.3, "embed", ["ingestion queue: parse, embed, store", "KEDA: its depth; CUDA image"], GPU
    )
    vllm = box(ax, 7.1, 3.25, 3.0, 1.0, "vLLM", ["on-prem model, OpenAI API"], GPU)
    box(ax, 7.1, 0.55, 3.0, 1.0, "embedding service", ["/v1/embeddings (TEI), for the", "remote embedder to come"],
        GPU, dashed=True)  # fmt: skip
    database_lines = [
        "external (DATABASE_URL in a Secret)",
        "or CloudNativePG Cluster, 3 instances",
        "documents, vectors, queue, audit log,",
        "sessions, circuits, budgets",
    ]
    db = box(ax, 2.6, 0.55, 3.6, 2.3, "PostgreSQL + pgvector", database_lines, DATA)
    cloud = box(ax, 10.9, 5.6, 1.95, 1.2, "Cloud model API", ["HTTPS 443 only,", "from web and worker"], OUTSIDE)
    prometheus = box(ax, 10.9, 7.0, 1.95, 0.95, "Prometheus", ["bearer METRICS_TOKEN"], OUTSIDE)
    keda = box(ax, 10.9, 1.9, 1.95, 1.0, "KEDA", ["scales worker and embed", "on their queues' depth"], OPTIONAL,
               dashed=True)  # fmt: skip

    def right(b):  # type: ignore[no-untyped-def]
        return (b[0] + b[2], b[1] + b[3] / 2)

    def left(b):  # type: ignore[no-untyped-def]
        return (b[0], b[1] + b[3] / 2)

    def top(b):  # type: ignore[no-untyped-def]
        return (b[0] + b[2] / 2, b[1] + b[3])

    def bottom(b):  # type: ignore[no-untyped-def]
        return (b[0] + b[2] / 2, b[1])

    arrow(ax, right(users), left(ingress), "HTTPS")
    arrow(ax, right(ingress), left(web), "http 8000")
    arrow(ax, (web[0] + web[2], web[1] + 1.1), left(cloud), "redacted bundle", color="#b03a2e")
    arrow(ax, (worker[0] + worker[2] - 0.3, worker[1] + worker[3]), (cloud[0], cloud[1] + 0.25), "held, approved",
          color="#b03a2e")  # fmt: skip
    arrow(ax, (prometheus[0], prometheus[1] + 0.45), (web[0] + web[2] - 0.4, web[1] + web[3]), "/metrics")
    arrow(ax, (web[0] + web[2] - 0.2, web[1]), top(vllm), "on-prem answers")
    arrow(ax, (web[0] + 0.4, web[1]), (db[0] + db[2] - 0.4, db[1] + db[3]), "")
    arrow(ax, bottom(worker), (db[0] + db[2] - 0.2, db[1] + db[3]), "")
    arrow(ax, bottom(migrate), (migrate[0] + migrate[2] / 2, db[1] + db[3]), "schema")
    arrow(ax, left(embed), (db[0] + db[2], embed[1] + embed[3] / 2), "chunks, vectors")
    arrow(ax, (keda[0], embed[1] + embed[3] / 2), right(embed), "", dashed=True)
    ax.text(0.2, 0.3, "Solid: always there. Dashed: optional components (keda; the embedding service).",
            fontsize=7.5, color="#555555")  # fmt: skip

    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)


if __name__ == "__main__":
    draw(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
