"""Which backend runs the embedding model (EMBEDDING_BACKEND, retrieval.embedders.resolve_backend)."""

from __future__ import annotations

import pytest
from django.core import checks
from django.test import override_settings

from retrieval.embedders import resolve_backend


@pytest.mark.parametrize(
    "setting, device, cuda_present, expected",
    [
        ("auto", "auto", False, "onnx"),
        ("auto", "auto", True, "torch"),
        ("auto", "cpu", True, "onnx"),
        ("auto", "cuda", False, "torch"),
        ("torch", "cpu", False, "torch"),
        ("onnx", "auto", True, "onnx"),
        ("onnx-int8", "cpu", False, "onnx-int8"),
    ],
)
def test_auto_is_torch_on_cuda_and_onnx_on_the_cpu(
    setting: str, device: str, cuda_present: bool, expected: str
) -> None:
    assert resolve_backend(setting, device=device, cuda_present=cuda_present) == expected


def test_int8_warns_at_start_that_stored_vectors_differ() -> None:
    with override_settings(EMBEDDING_BACKEND="onnx-int8"):
        warnings = [m for m in checks.run_checks() if m.id == "retrieval.W001"]
    with override_settings(EMBEDDING_BACKEND="onnx"):
        quiet = [m for m in checks.run_checks() if m.id == "retrieval.W001"]

    assert len(warnings) == 1 and "EMBEDDING_BACKEND=onnx" in warnings[0].hint
    assert quiet == []
