"""The image's entrypoint (deploy/entrypoint.sh), each role run for real as a plain process (tests/deploy/
entrypoint.py says how it stands in for a container): `bake` collects the static files into its own data
folder, `migrate` builds a fresh database, `web` serves pages, their static files, /healthz and /metrics,
`worker` and `embed` run their queues' jobs, and each long-running role stops on SIGTERM."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.clearance import Classification
from accounts.models import User
from operations.local_llm import free_port
from retrieval.models import Document, IngestionJob
from retrieval.uploads import queue_uploads
from routing.tasks import export_audit_head_job
from tests.deploy.entrypoint import RoleProcess, role_environment, run_role, wait_for
from tests.serving import share_embedding_export

pytestmark = pytest.mark.slow

START_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def baked(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> tuple[Path, str]:
    """A data folder as the image build leaves it: `bake` run in it. The ONNX export is shared from the
    suite's data folder first (made from the installed wheel alone, as the build would make it), so bake's
    export step finds it there instead of spending 10 to 20 s on it again."""
    data_dir = tmp_path_factory.mktemp("image-data")
    share_embedding_export(data_dir)
    env = role_environment(data_dir, database=settings.DATABASES["default"]["NAME"])
    result = run_role("bake", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return data_dir, result.stdout


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database on the suite's server, dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_entrypoint"
    admin = settings.DATABASES["default"] | {"NAME": "postgres"}
    params = {"dbname": "postgres", "user": admin["USER"], "host": admin["HOST"], "port": admin["PORT"]}
    if admin.get("PASSWORD"):
        params["password"] = admin["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_without_a_known_role_it_says_which_there_are(tmp_path: Path) -> None:
    env = role_environment(tmp_path, database="unused")
    for args in ((), ("serve",)):
        result = run_role(*args, env=env)
        assert result.returncode == 64
        assert "web|worker|embed|migrate|bake|manage" in result.stderr


def test_bake_collects_hashed_compressed_static_files_into_the_data_folder(baked: tuple[Path, str]) -> None:
    data_dir, output = baked
    manifest = json.loads((data_dir / "static" / "staticfiles.json").read_text())["paths"]
    css = data_dir / "static" / manifest["sluice.css"]
    assert css.exists() and css.with_name(css.name + ".gz").exists()
    assert "Already exported" in output  # the model's ONNX export, checked complete and kept


def test_migrate_builds_a_fresh_database_and_leaves_nothing_to_apply(tmp_path: Path, fresh_database: str) -> None:
    env = role_environment(tmp_path, database=fresh_database)

    result = run_role("migrate", env=env, timeout=600)

    assert result.returncode == 0, result.stderr[-3000:]
    assert "Applying retrieval.0001_initial... OK" in result.stdout
    check = run_role("manage", "migrate", "--check", env=env)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    again = run_role("migrate", env=env)
    assert again.returncode == 0 and "No migrations to apply" in again.stdout


@pytest.mark.django_db(transaction=True)
def test_web_serves_pages_static_files_health_and_metrics_then_stops_on_sigterm(baked: tuple[Path, str]) -> None:
    data_dir, _ = baked
    port = free_port()
    env = role_environment(data_dir, database=settings.DATABASES["default"]["NAME"]) | {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_WORKERS": "1",
        "STREAM_THREADS": "16",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
    }
    web = RoleProcess("web", env=env, log=data_dir / "web.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(f"{url}/healthz"), timeout=START_TIMEOUT_S, role=web)
        assert httpx.get(f"{url}/healthz").json()["database"] == "ok"
        login = httpx.get(f"{url}/accounts/login/")
        assert login.status_code == 200
        soup = BeautifulSoup(login.text, "html.parser")
        assets = [tag["href"] for tag in soup.select('link[rel~="stylesheet"]')] + [
            tag["src"] for tag in soup.select("script[src]")
        ]
        assert assets
        for asset in assets:
            response = httpx.get(f"{url}{asset}")
            assert response.status_code == 200, asset
            assert response.headers["content-type"].split(";")[0] in ("text/css", "text/javascript")
        assert httpx.get(f"{url}/metrics").status_code == 403
        metrics = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {env['METRICS_TOKEN']}"})
        assert metrics.status_code == 200 and "sluice_" in metrics.text
        # gunicorn's worker files for prometheus-client, in the folder the role emptied and made.
        assert any(Path(env["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"))
    finally:
        status = web.stop()
    assert status == 0, web.log_tail()


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_jobs_of_its_queues_then_stops_on_sigterm(tmp_path: Path) -> None:
    env = role_environment(tmp_path, database=settings.DATABASES["default"]["NAME"]) | {"WORKER_QUEUES": "audit"}
    # A role process started by an earlier test may have deferred the periodic head export already (its queueing
    # lock allows one waiting job): that one is not this test's to wait for.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queueing_lock = 'export_audit_head' AND status = 'todo'")
    job_id = export_audit_head_job.defer(timestamp=int(time.time()))
    worker = RoleProcess("worker", env=env, log=tmp_path / "worker.log")
    try:
        wait_for(lambda: _job_status(job_id) == "succeeded", timeout=START_TIMEOUT_S, role=worker)
    finally:
        status = worker.stop()
    assert status == 0, worker.log_tail()
    assert Path(env["AUDIT_HEAD_FILE"]).exists()  # the job's work, done by the worker process


@pytest.mark.django_db(transaction=True)
def test_embed_ingests_an_uploaded_document_then_stops_on_sigterm(
    baked: tuple[Path, str], tmp_path: Path, admin: User
) -> None:
    data_dir, _ = baked
    env = role_environment(data_dir, database=settings.DATABASES["default"]["NAME"])
    text = "# Rotating the backup keys\n\nThe on-call engineer rotates the backup encryption keys every quarter.\n"
    [job] = queue_uploads(
        files=[SimpleUploadedFile("backup-keys.md", text.encode())],
        classification=Classification.INTERNAL,
        group_names=[],
        acting_user=admin,
    )
    embed = RoleProcess("embed", env=env, log=tmp_path / "embed.log")
    try:
        wait_for(
            lambda: IngestionJob.objects.get(id=job.id).status not in ("queued", "running"),
            timeout=START_TIMEOUT_S,
            role=embed,
        )
    finally:
        status = embed.stop()
    assert status == 0, embed.log_tail()
    job.refresh_from_db()
    assert job.status == IngestionJob.Status.DONE, job.error
    document = Document.objects.get(source_name="backup-keys.md")
    assert document.chunks.exclude(embedding=None).count() >= 1


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _job_status(job_id: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM procrastinate_jobs WHERE id = %s", [job_id])
        row = cursor.fetchone()
    return row[0] if row else None
