"""A gunicorn worker loads what a question needs before the first question arrives (config/gunicorn_conf.py)."""

from __future__ import annotations

from config.gunicorn_conf import warm_up_models
from inspection import gazetteer, ner


def test_the_warm_up_loads_the_name_model_and_its_lists():
    for cached in (ner._load, gazetteer.name_lists, gazetteer.common_words):
        cached.cache_clear()

    warm_up_models()

    for cached in (ner._load, gazetteer.name_lists, gazetteer.common_words):
        assert cached.cache_info().currsize == 1, cached
