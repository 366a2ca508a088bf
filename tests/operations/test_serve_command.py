"""`manage.py serve` (what `make run` runs), for real: gunicorn serves every page's stylesheet and scripts,
collected with hashed names and compressed; Ctrl-C and SIGTERM stop everything it started, the embedded
PostgreSQL too, unless another process still holds that."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from tests.conftest import password_of
from tests.serving import ServedSluice, running, wait_until_gone

pytestmark = pytest.mark.slow

HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.(css|js)$")
# serve gives its children 20 s to stop, then kills them; the database stops after that.
STOPPED_WITHIN_S = 45


def linked_assets(html: str) -> list[str]:
    """The stylesheets and scripts a page links."""
    soup = BeautifulSoup(html, "html.parser")
    return [tag["href"] for tag in soup.select('link[rel~="stylesheet"][href]')] + [
        tag["src"] for tag in soup.select("script[src]")
    ]


def sign_in(client: httpx.Client, username: str) -> None:
    form = BeautifulSoup(client.get("/accounts/login/").text, "html.parser")
    token = form.select_one('input[name="csrfmiddlewaretoken"]')["value"]
    response = client.post(
        "/accounts/login/",
        data={"username": username, "password": password_of(username), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200 and "Sign out" in response.text, response.text[:500]


@pytest.mark.parametrize(
    "username, path, own_script",
    [(None, "/accounts/login/", None), ("erin", "/", "ask"), ("ada", "/manage/documents/", "upload")],
)
def test_every_page_gets_its_stylesheet_and_scripts(
    served: ServedSluice, username: str | None, path: str, own_script: str | None
) -> None:
    with httpx.Client(base_url=served.url, follow_redirects=True, timeout=10) as client:
        if username:
            sign_in(client, username)
        page = client.get(path)
        assert page.status_code == 200
        assets = linked_assets(page.text)

        names = [re.sub(r"\.[0-9a-f]{12}\.", ".", asset) for asset in assets]
        assert "/static/sluice.css" in names and "/static/vendor/htmx-2.0.11.min.js" in names
        if own_script:
            assert f"/static/{own_script}.js" in names
        for asset in assets:
            # Hashed names on Sluice's own origin: allowed by the policy's 'self', kept by browsers for good.
            assert HASHED.match(asset), asset
            response = client.get(asset)
            assert response.status_code == 200 and response.content, asset
            expected = "text/css" if asset.endswith(".css") else "text/javascript"
            assert response.headers["content-type"].split(";")[0] == expected, asset
            assert response.headers["content-encoding"] == "gzip", asset
            assert "immutable" in response.headers["cache-control"], asset
            full = client.get(asset, headers={"Accept-Encoding": "identity"})
            assert "content-encoding" not in full.headers and len(full.content) >= len(response.content), asset
    assert "script-src 'self'" in page.headers["content-security-policy"]
    # Served on the event loop (ServeStatic's async responses): Django warns when it must read a file's
    # synchronous iterator in a thread instead, as it did for WhiteNoise's.
    assert "must consume synchronous iterators" not in served.log.read_text(errors="replace")


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServedSluice]:
    """A serve of this test's own, in its own data folder (so its own PostgreSQL), stopped after it."""
    server = ServedSluice(tmp_path / "data").start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "sig, to_group",
    [
        (signal.SIGINT, True),  # Ctrl-C: the terminal signals the foreground process group
        (signal.SIGTERM, False),  # kill, a supervisor, or make passing its own SIGTERM on
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_a_signal_stops_gunicorn_the_worker_and_the_database(
    own_server: ServedSluice, sig: signal.Signals, to_group: bool
) -> None:
    started = own_server.started
    names = " ".join(" ".join(process.cmdline()) for process in started)
    assert "gunicorn" in names and "procrastinate worker" in names and own_server.postmaster() in started

    assert own_server.process is not None
    if to_group:
        os.killpg(own_server.process.pid, sig)
    else:
        own_server.process.send_signal(sig)

    left = wait_until_gone(started, timeout=STOPPED_WITHIN_S)
    assert [" ".join(p.cmdline()) for p in left if running(p)] == [], own_server.log_tail()
    assert own_server.process.wait(timeout=10) == 0
    assert own_server.holders() == "[]"
    assert not (own_server.data_dir / "pg" / "postmaster.pid").exists()


# Holds the embedded server of the data folder given, as a test run beside `make run` does, until stdin closes.
HOLD = """
import sys
from pathlib import Path
from operations.embedded_db import embedded_database_settings
embedded_database_settings(Path(sys.argv[1]))
print("holding", flush=True)
sys.stdin.read()
"""


def test_the_database_keeps_running_while_another_process_holds_it(own_server: ServedSluice) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(own_server.data_dir)],
        cwd=settings.BASE_DIR,
        env=own_server.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        postmaster = own_server.postmaster()
        assert postmaster is not None
        database = [postmaster, *postmaster.children(recursive=True)]
        served = [process for process in own_server.processes() if process not in database]

        assert own_server.process is not None
        own_server.process.send_signal(signal.SIGTERM)

        assert wait_until_gone(served, timeout=STOPPED_WITHIN_S) == [], own_server.log_tail()
        time.sleep(1)
        assert running(postmaster)  # still held
        assert own_server.holders() == f"[{holder.pid}]"
    finally:
        holder.communicate(timeout=60)  # stdin closed: the last holder leaves, and stops the server

    assert wait_until_gone([postmaster], timeout=30) == []
