"""A gunicorn worker loads what a question needs before the first question arrives (config/gunicorn_conf.py)."""

from __future__ import annotations

import logging

import pytest

from config.gunicorn_conf import warm_up_models
from inspection import gazetteer, injection_model, ner
from operations.local_llm import free_port
from retrieval import embedders
from retrieval.embedders.remote import RemoteEmbedder
from routing.backends import absent_terms

NAME_MODEL = (ner._load, gazetteer.name_lists, gazetteer.common_words)
INJECTION_WEIGHTS = (
    injection_model._shipped,
    injection_model.shipped_sentence_head,
    injection_model.shipped_classifier,
)
# The extractive answer's common English words (routing/backends/absent_terms.py).
WORD_LISTS = (absent_terms.common_english,)


def test_the_warm_up_loads_the_name_model_its_lists_and_the_injection_weights():
    for cached in (*NAME_MODEL, *INJECTION_WEIGHTS, *WORD_LISTS):
        cached.cache_clear()

    warm_up_models()

    for cached in (*NAME_MODEL, *INJECTION_WEIGHTS, *WORD_LISTS):
        assert cached.cache_info().currsize == 1, cached


def test_an_embedding_service_not_up_yet_is_logged_and_the_name_model_is_loaded_all_the_same(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    down = RemoteEmbedder(
        base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", api_key="k", retry_attempts=1, sleep=lambda s: None
    )
    monkeypatch.setattr(embedders, "_embedder", down)
    for cached in NAME_MODEL:
        cached.cache_clear()

    with caplog.at_level(logging.WARNING, logger="config.gunicorn_conf"):
        warm_up_models()

    assert all(cached.cache_info().currsize == 1 for cached in NAME_MODEL)
    assert "The embedding service was not warmed up: Cannot connect" in caplog.text
