"""The OpenAI-compatible fake's /metrics: vLLM's (or llama.cpp's) exposition, read by prometheus_client's parser
as Sluice reads it, and never answered from the scripts."""

from __future__ import annotations

import httpx2
from prometheus_client.parser import text_string_to_metric_families

from fakes.common import Script
from fakes.openai_server import FakeOpenAI


def gauges(text: str) -> dict[str, float]:
    return {s.name: s.value for f in text_string_to_metric_families(text) if f.type == "gauge" for s in f.samples}


def test_metrics_report_the_scripted_queue_in_vllms_names(fake_openai: FakeOpenAI) -> None:
    fake_openai.waiting, fake_openai.running = 14, 3
    fake_openai.enqueue(Script(status=500))

    response = httpx2.get(f"{fake_openai.url}/metrics")

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert gauges(response.text) == {"vllm:num_requests_waiting": 14.0, "vllm:num_requests_running": 3.0}
    assert fake_openai.requests == [] and len(fake_openai.scripts) == 1 and fake_openai.metrics_reads == 1


def test_llama_cpp_names_and_no_metrics(fake_openai: FakeOpenAI) -> None:
    fake_openai.metrics_dialect, fake_openai.waiting = "llamacpp", 5

    assert gauges(httpx2.get(f"{fake_openai.url}/metrics").text) == {
        "llamacpp:requests_processing": 0.0,
        "llamacpp:requests_deferred": 5.0,
    }
    fake_openai.waiting = None
    assert httpx2.get(f"{fake_openai.url}/metrics").status_code == 404
