"""Run the optional local model of `make local-llm`: llama.cpp's OpenAI-compatible server on loopback.

`manage.py serve` starts it when the model file and llama_cpp are both there
and LOCAL_LLM_BASE_URL is unset, and the slow test tests/test_local_llm.py
starts it the same way. Nothing here imports llama_cpp or Django, so checking
for the model costs a stat() and a module lookup.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4.gguf"
# The name the server lists under /v1/models and reports in every answer.
MODEL_ALIAS = "qwen2.5-coder-1.5b-instruct-q4"
# About five 1,200-character passages (~1,700 tokens with the prompt) and a 1,024-token answer.
CONTEXT_TOKENS = 4096
THREADS = 2
START_TIMEOUT = 60.0

# The server reads its settings from environment variables named after its options (pydantic-settings,
# no prefix: API_KEY, MODEL, PORT, CONFIG_FILE…), so it gets only what a process needs.
PASSED_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "LD_LIBRARY_PATH")


class LocalModelError(RuntimeError):
    """The local model server did not start or did not answer in time."""


def model_path(data_dir: Path) -> Path:
    return data_dir / "models" / MODEL_FILE


def is_installed(data_dir: Path) -> bool:
    """Whether `make local-llm` has run: the model file is there and llama_cpp is importable."""
    return model_path(data_dir).is_file() and importlib.util.find_spec("llama_cpp") is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(*, model: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """Start `python -m llama_cpp.server` on 127.0.0.1:port, its output appended to log; do not wait."""
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(CONTEXT_TOKENS),
        "--n_threads",
        str(THREADS),
        "--n_threads_batch",
        str(THREADS),
        # The server's default keeps logits for every position: 2.5 GB at this context, and unused.
        "--logits_all",
        "False",
    ]
    environment = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        # A process group of its own, like serve's other children: it stops when serve tells it to.
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment, process_group=0)


def wait_until_serving(server: subprocess.Popen[bytes], base_url: str, *, log: Path, timeout: float) -> None:
    """Return once GET {base_url}/models lists MODEL_ALIAS.

    Raises LocalModelError, naming the log, if the server exits or has not answered within timeout
    seconds, and stops the server whenever it does not return.
    """
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise LocalModelError(f"the local model server exited with status {server.returncode}; see {log}")
            if _lists_model(f"{base_url}/models"):
                return
            time.sleep(0.25)
        raise LocalModelError(f"the local model server did not answer {base_url}/models within {timeout:g}s; see {log}")
    except BaseException:  # Ctrl-C included: never leave a server behind
        stop_server(server)
        raise


def _lists_model(url: str) -> bool:
    import urllib.request  # here: 40 ms that `make run` without a model does not pay

    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return any(model.get("id") == MODEL_ALIAS for model in json.load(response).get("data", []))
    except (OSError, ValueError):  # not listening yet (URLError is an OSError), or half started
        return False


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
