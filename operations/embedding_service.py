"""A real embedding service on loopback: infinity-emb (PyPI) serving the shipped all-MiniLM-L6-v2 from the
wheel's own folder, with an OpenAI-compatible /v1/embeddings, as text-embeddings-inference serves it on a
cluster's GPU nodes. For the tests, the benchmark and a developer (`make embedding-service`).

infinity-emb cannot join Sluice's environment: it pins numpy<2, sentence-transformers<4 (so transformers<5,
huggingface_hub<1), click<8.2, rich<14 and typer<0.13, older than requirements.lock's. So its packages (and
only those: no torch, which is ours) are installed with `pip --target` into a folder of the data folder, and
the server runs on this interpreter with that folder first on its path: it shadows the pinned versions in
that process alone. Nothing of Sluice's environment changes. Installing needs PyPI once (about 40 MB).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from operations.local_llm import free_port, stop_server

# What infinity-emb 0.0.78's torch engine and server need beyond what requirements.lock already installs
# (torch, scipy, scikit-learn, pydantic, pillow, requests, prometheus_client), at the versions it accepts.
# fastapi and starlette are here because the lock leaves them out (only `make local-llm` installs them): a
# clean clone has neither, and tests/operations/test_embedding_service_install.py checks the list against
# the lock so that a package installed by hand cannot hide a missing one again.
PACKAGES = (
    "infinity-emb==0.0.78",
    "fastapi==0.165.0",
    "starlette==1.10.0",
    "numpy==1.26.4",
    "sentence-transformers==3.4.1",
    "transformers==4.57.6",
    "tokenizers==0.22.2",
    "huggingface_hub==0.36.2",
    "click==8.1.8",
    "rich==13.9.4",
    "typer==0.12.5",
    "uvicorn==0.32.1",
    "httptools==0.9.0",
    "orjson==3.13.0",
    "posthog==7.91.1",
    "backoff==2.2.1",
    "distro==1.9.0",
    "prometheus-fastapi-instrumentator==8.1.0",
)
SERVED_NAME = "all-MiniLM-L6-v2"
START_TIMEOUT_S = 120.0  # importing torch and transformers, loading and warming the model on 2 busy cores
PASSED_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


class ServiceStartError(RuntimeError):
    """The embedding service could not be installed or did not start in time; the message says where to look."""


def overlay_folder(data_dir: Path) -> Path:
    return data_dir / "embedding-service" / "site"


def install(data_dir: Path) -> Path:
    """Install PACKAGES into the overlay folder unless the same list is there already; return the folder.
    Raises ServiceStartError with pip's last lines when pip fails (no PyPI, say)."""
    folder = overlay_folder(data_dir)
    stamp = folder.parent / "installed.json"
    wanted = {"packages": list(PACKAGES), "python": sys.version.split()[0]}
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / "install.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if stamp.is_file() and json.loads(stamp.read_text()) == wanted and folder.is_dir():
                return folder
            shutil.rmtree(folder, ignore_errors=True)
            command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(folder)]
            result = subprocess.run([*command, *PACKAGES], capture_output=True, text=True)
            if result.returncode != 0:
                shutil.rmtree(folder, ignore_errors=True)
                last = "\n".join((result.stderr or result.stdout).strip().splitlines()[-3:])
                raise ServiceStartError(f"installing infinity-emb into {folder} failed:\n{last}")
            stamp.write_text(json.dumps(wanted))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


def api_key_for(data_dir: Path) -> str:
    """A key of this data folder's service: the service answers no one else on the machine."""
    return "sk-embed-" + hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:24]


class EmbeddingService:
    """infinity-emb on 127.0.0.1:port serving the shipped model as SERVED_NAME at base_url (…/v1), its
    output in log; start() installs it first if needed and returns once it answers."""

    def __init__(self, data_dir: Path, *, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.api_key = api_key_for(data_dir)
        self.log = data_dir / "embedding-service" / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout_s: float = START_TIMEOUT_S, warm_up: bool = True) -> EmbeddingService:
        """Install if needed, start, and return once the model is served. `warm_up`: infinity-emb runs the model
        over batches of each size before it answers (about 20 s of 2 busy cores), so that the first requests are
        as fast as the next; without it, they pay part of that. Raises ServiceStartError."""
        from retrieval.embedders.onnx_export import source_model

        overlay = install(self.data_dir)
        command = [
            sys.executable, "-m", "infinity_emb.cli", "v2",
            "--model-id", str(source_model()),
            "--served-model-name", SERVED_NAME,
            "--engine", "torch", "--device", "cpu", "--dtype", "float32",
            "--batch-size", "32",
            "--no-bettertransformer", "--no-compile",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--url-prefix", "/v1",
            "--api-key", self.api_key,
            "--log-level", "warning",
            *([] if warm_up else ["--no-model-warmup"]),
        ]  # fmt: skip
        environment = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
        environment |= {
            "PYTHONPATH": str(overlay),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "DO_NOT_TRACK": "1",
            "INFINITY_ANONYMOUS_USAGE_STATS": "0",
            "HF_HOME": str(overlay.parent / "hf-home"),
        }
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, env=environment, process_group=0
            )
        self._wait(timeout_s)
        return self

    def _wait(self, timeout_s: float) -> None:
        import httpx

        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        headers = {"Authorization": f"Bearer {self.api_key}"}
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise ServiceStartError(
                        f"infinity-emb exited with status {self.process.returncode}; see {self.log}"
                    )
                try:
                    listed = httpx.get(f"{self.base_url}/models", headers=headers, timeout=2).json()
                    if any(m.get("id") == SERVED_NAME for m in listed.get("data", [])):
                        return
                except (httpx.HTTPError, ValueError, AttributeError):
                    pass
                time.sleep(0.5)
            raise ServiceStartError(
                f"infinity-emb did not answer {self.base_url}/models within {timeout_s:g}s; see {self.log}"
            )
        except BaseException:  # Ctrl-C included: never leave a server behind
            self.stop()
            raise

    def stop(self) -> None:
        if self.process is not None:
            stop_server(self.process)

    def settings(self) -> dict[str, str]:
        """The environment that points Sluice at this service."""
        return {
            "EMBEDDING_BACKEND": "remote",
            "EMBEDDING_BASE_URL": self.base_url,
            "EMBEDDING_MODEL": SERVED_NAME,
            "EMBEDDING_API_KEY": self.api_key,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the shipped embedding model on loopback (infinity-emb).")
    parser.add_argument("data_dir", type=Path, help="the data folder (SLUICE_DATA_DIR); the server goes under it")
    parser.add_argument("--port", type=int, default=7997, help="loopback port (default 7997)")
    arguments = parser.parse_args()
    service = EmbeddingService(arguments.data_dir, port=arguments.port).start()
    print("Serving; point Sluice at it with:")
    for name, value in service.settings().items():
        print(f"  {name}={value}")
    try:
        assert service.process is not None
        service.process.wait()
    except KeyboardInterrupt:
        service.stop()


if __name__ == "__main__":
    main()
