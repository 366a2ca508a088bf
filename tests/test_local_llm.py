"""The openai_compatible backend against the real model of `make local-llm`, served by llama.cpp on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.conf import settings

from operations import local_llm
from routing.backends.base import Bundle, ContextPassage
from routing.backends.openai_compatible import OpenAICompatibleBackend
from routing.grounding import Source, attribute

pytestmark = pytest.mark.slow

# Short passages: on two busy cores, llama.cpp reads the prompt at 10-20 tokens/s.
BUNDLE = Bundle(
    question="How many weeks of parental leave do employees get?",
    passages=(
        ContextPassage(
            n=1,
            chunk_id=1,
            document_id=1,
            title="Leave policy",
            text="Employees get 16 weeks of parental leave at full pay.",
        ),
        ContextPassage(
            n=2,
            chunk_id=2,
            document_id=2,
            title="Expenses",
            text="Receipts over 25 euros must be uploaded within 30 days.",
        ),
    ),
)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (with /v1) of llama.cpp's server, started for this module and always stopped."""
    if not local_llm.is_installed(settings.DATA_DIR):
        pytest.skip("run `make local-llm` first")
    port = local_llm.free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    log = tmp_path_factory.mktemp("llama") / "server.log"
    server = local_llm.start_server(model=local_llm.model_path(settings.DATA_DIR), port=port, log=log)
    try:
        local_llm.wait_until_serving(server, base_url, log=log, timeout=local_llm.START_TIMEOUT)
        yield base_url
    finally:
        local_llm.stop_server(server)


def test_the_local_model_answers_from_the_passages_and_cites_them(llama_server):
    backend = OpenAICompatibleBackend(
        base_url=llama_server, model=local_llm.MODEL_ALIAS, api_key="", first_token_timeout=120, total_timeout=300
    )
    started = time.monotonic()
    try:
        with backend.stream(BUNDLE) as generation:
            answer = "".join(generation)
    finally:
        backend.close()

    assert "16" in answer or "sixteen" in answer.lower(), answer
    # The 1.5B model does not always cite: then the gate attributes the answer to the passage it matches.
    cited = "[1]" in answer
    assert cited or attribute(answer, [Source(p.n, p.title, p.text) for p in BUNDLE.passages]) == (1,), answer
    assert "[2]" not in answer, answer
    assert generation.done and generation.stop_reason == "stop"
    assert generation.model == local_llm.MODEL_ALIAS
    # llama-cpp-python 0.3.36 sends no usage chunk when streaming (it ignores stream_options), so
    # on-prem attempts are recorded without token counts. Assert counts here once the server sends them.
    assert generation.usage is None
    print(f"answered in {time.monotonic() - started:.1f} s: {answer!r}")
