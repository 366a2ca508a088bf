"""The audit chain's settings: AUDIT_CHAIN_KEY and AUDIT_HEAD_FILE are required in production (DATABASE_URL
set); otherwise the key is made once into the data folder and the head file sits beside it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from operations.embedded_db import local_secret_key

PRODUCTION = {
    "DATABASE_URL": "postgres://sluice@127.0.0.1:1/sluice",
    "SECRET_KEY": "s" * 50,
    "AUDIT_HEAD_FILE": "",
    "HELD_VAULT_KEY": "v" * 40,
}


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh process with only these Sluice variables; print the key's length and
    the head file."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AUDIT_", "DATABASE_URL", "SECRET_KEY"))}
    clean |= {"SLUICE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    code = "from django.conf import settings; print(len(settings.AUDIT_CHAIN_KEY)); print(settings.AUDIT_HEAD_FILE)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_key(tmp_path):
    result = load_settings(tmp_path, **PRODUCTION)

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set AUDIT_CHAIN_KEY (or AUDIT_CHAIN_KEY_FILE)" in result.stderr
    assert not (tmp_path / "audit_chain_key").exists()


def test_production_reads_the_key_or_its_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("k" * 40 + "\n")

    assert load_settings(tmp_path, **PRODUCTION, AUDIT_CHAIN_KEY="k" * 33).stdout.split("\n")[0] == "33"
    assert load_settings(tmp_path, **PRODUCTION, AUDIT_CHAIN_KEY_FILE=str(key_file)).stdout.split("\n")[0] == "40"


def test_a_short_key_is_refused(tmp_path):
    result = load_settings(tmp_path, **PRODUCTION, AUDIT_CHAIN_KEY="hunter2")

    assert result.returncode != 0 and "AUDIT_CHAIN_KEY must be at least 32 characters" in result.stderr


def test_production_refuses_to_start_without_a_shared_head_file(tmp_path):
    # Each host's own data folder would hold a head file the other hosts' processes never read.
    unset = {k: v for k, v in PRODUCTION.items() if k != "AUDIT_HEAD_FILE"}
    result = load_settings(tmp_path, **unset, AUDIT_CHAIN_KEY="k" * 40)

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set AUDIT_HEAD_FILE to a file on storage every web and worker" in result.stderr


def test_production_takes_the_head_file_it_is_given_or_none(tmp_path):
    shared = "/mnt/append-only/sluice-audit-head.jsonl"
    named = load_settings(tmp_path, **PRODUCTION | {"AUDIT_HEAD_FILE": shared}, AUDIT_CHAIN_KEY="k" * 40)
    log_only = load_settings(tmp_path, **PRODUCTION, AUDIT_CHAIN_KEY="k" * 40)

    assert named.stdout.split("\n")[1] == shared and log_only.stdout.split("\n")[1] == ""


def test_without_a_server_the_head_file_sits_in_the_data_folder(tmp_path):
    assert load_settings(tmp_path).stdout.split("\n")[1] == str(tmp_path / "audit_head.jsonl")


@pytest.mark.skipif(bool(os.getenv("AUDIT_CHAIN_KEY") or os.getenv("AUDIT_CHAIN_KEY_FILE")), reason="a key is set")
def test_the_embedded_set_up_keys_the_chain_with_a_key_made_once_beside_the_data():
    # Without DATABASE_URL, as this suite runs: settings took local_secret_key(DATA_DIR, "audit_chain_key").
    path = settings.DATA_DIR / "audit_chain_key"

    assert settings.AUDIT_CHAIN_KEY == path.read_text().strip() != settings.SECRET_KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_local_key_is_made_once_under_its_own_name(tmp_path):
    key = local_secret_key(tmp_path, "audit_chain_key")

    assert len(key) >= 50 and local_secret_key(tmp_path, "audit_chain_key") == key
    assert key != local_secret_key(tmp_path) and stat.S_IMODE((tmp_path / "audit_chain_key").stat().st_mode) == 0o600
