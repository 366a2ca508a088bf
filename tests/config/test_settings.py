"""The security settings a deployment gets from the environment, with safe defaults (each variable is listed in
deploy/env.example: tests/config/test_env_example.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def settings_under(**env: str) -> dict[str, object]:
    """The security settings as a deployment with `env` gets them (a fresh process; nothing connects)."""
    done = load_settings(**env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({k: getattr(settings, k, None) for k in ('SECURE_PROXY_SSL_HEADER', "
        "'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_AGE', 'SESSION_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
        "'ANSWER_LINK_HOSTS', 'EMBEDDING_BACKEND')}))"
    )
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    deployment = {"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": "postgres://u@127.0.0.1:1/db",
                  "SECRET_KEY": "x" * 50, "AUDIT_CHAIN_KEY": "k" * 40, "AUDIT_HEAD_FILE": "",
                  "HELD_VAULT_KEY": "v" * 40}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base | deployment | env, capture_output=True, text=True, timeout=60
    )


def test_behind_a_tls_proxy_https_is_recognised_and_plain_http_redirected() -> None:
    proxied = settings_under(TRUST_X_FORWARDED_PROTO="true")
    direct = settings_under()

    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"] and proxied["SECURE_SSL_REDIRECT"]
    assert direct["SECURE_PROXY_SSL_HEADER"] is None and not direct["SECURE_SSL_REDIRECT"]
    assert direct["SESSION_COOKIE_SECURE"] and direct["SECURE_HSTS_SECONDS"] == 31536000


def test_a_session_lasts_a_working_day_unless_set() -> None:
    assert settings_under()["SESSION_COOKIE_AGE"] == 43200
    assert settings_under(SESSION_COOKIE_AGE_S="3600")["SESSION_COOKIE_AGE"] == 3600


def test_answers_link_to_no_host_unless_listed() -> None:
    assert settings_under()["ANSWER_LINK_HOSTS"] == []
    listed = settings_under(ANSWER_LINK_HOSTS=" Docs.Example.com, .corp.example ,*.cdn.example")
    assert listed["ANSWER_LINK_HOSTS"] == ["docs.example.com", ".corp.example", "*.cdn.example"]


def test_an_answer_link_host_that_is_not_a_host_name_stops_the_start() -> None:
    done = load_settings(ANSWER_LINK_HOSTS="docs.example.com,https://evil.example/")

    assert done.returncode != 0
    assert "ANSWER_LINK_HOSTS: 'https://evil.example/' is not a host name" in done.stderr


def test_the_embedding_backend_is_chosen_from_the_hardware_unless_set() -> None:
    assert settings_under()["EMBEDDING_BACKEND"] == "auto"
    assert settings_under(EMBEDDING_BACKEND="onnx-int8")["EMBEDDING_BACKEND"] == "onnx-int8"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"EMBEDDING_BACKEND": "openvino"}, "EMBEDDING_BACKEND must be auto, torch, onnx, onnx-int8 or remote"),
        ({"EMBEDDING_BACKEND": "remote"}, "EMBEDDING_BACKEND=remote needs EMBEDDING_BASE_URL"),
        ({"EMBEDDING_BACKEND": "remote", "EMBEDDING_BASE_URL": "http://embed/v1"}, "and EMBEDDING_MODEL"),
        ({"EMBEDDING_BACKEND": "onnx", "EMBEDDING_DEVICE": "cuda"}, "runs on the CPU only"),
    ],
)
def test_an_embedding_backend_that_cannot_run_stops_the_start(env: dict[str, str], message: str) -> None:
    done = load_settings(**env)

    assert done.returncode != 0 and message in done.stderr
