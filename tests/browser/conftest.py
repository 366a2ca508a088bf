"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Every module here sets `pytestmark = pytest.mark.browser`, so `pytest -m "not browser"` skips them all.
`make test` installs Chromium (apt-get, once) and the `playwright` package (its Python API and driver;
Playwright's own browser downloads are never used).

The live server is Django's threaded WSGI server on 127.0.0.1, serving static files through
django.contrib.staticfiles' handler (as StaticLiveServerTestCase does), under their plain names. Tests
that use it run on a transactional database: what a test writes is committed, so the server's threads
see it, and the tables are emptied after each test. `served_page` goes to the real `manage.py serve`
instead (gunicorn, ServeStatic, hashed static files), with a database of its own.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
from procrastinate.contrib.django import app
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from tests.conftest import password_of
from tests.serving import ServedSluice

CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium's background connections (updates, sync, field trials) are refused
# by the closed network and slow every launch.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # we run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every wait is bounded: a step that hangs fails in seconds, not at CI's limit.
TIMEOUT_MS = 10_000
WORKER_TIMEOUT_S = 120  # the first ingestion of a session also loads the embedding model
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server on 127.0.0.1 rather than its default 'localhost' (which may resolve to ::1)."""
    server = LiveServer(request.config.getvalue("liveserver") or "127.0.0.1")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the tests of one module, closed after them."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium); "
            "or skip the browser tests with -m 'not browser'"
        )
    # Playwright's sync API keeps an asyncio loop running in this thread while it is open, and Django
    # refuses ORM calls from a thread with a running loop. The test code here is synchronous, so the
    # check is lifted for as long as Playwright runs, and only then.
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as playwright:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000)
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Errors the page reported: console errors (failed loads among them) and uncaught exceptions."""
    return []


@contextlib.contextmanager
def open_page(browser: Browser, base_url: str, console_errors: list[str]) -> Iterator[Page]:
    """A fresh browser context (no cookies) whose relative URLs go to base_url, and whose page reports
    its errors to console_errors; closed on the way out."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        url = message.location.get("url", "")
        # No page names an icon, so Chromium asks for /favicon.ico on its own and logs the 404.
        if message.type == "error" and urlsplit(url).path != "/favicon.ico":
            console_errors.append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, console_errors: list[str]) -> Iterator[Page]:
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    with open_page(browser, live_server.url, console_errors) as page:
        yield page


@pytest.fixture
def served_page(browser: Browser, served: ServedSluice, console_errors: list[str]) -> Iterator[Page]:
    """The same, going to the real `manage.py serve` of tests/conftest.py's `served` (slow to start)."""
    with open_page(browser, served.url, console_errors) as page:
        yield page


SignIn = Callable[[User], None]


@pytest.fixture
def sign_in(page: Page) -> SignIn:
    """sign_in(user): sign in through the real login form as a persona of tests/conftest.py
    (whose password is password_of(username)), and land on the ask page."""

    def _sign_in(user: User) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password_of(user.username))
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    return _sign_in


@pytest.fixture
def run_ingestion_worker(transactional_db: None) -> Callable[[], None]:
    """run_ingestion_worker(): run the queued ingestion jobs to the end, as `manage.py procrastinate
    worker` would, then stop.

    The worker runs in a thread of its own: it starts with asyncio.run(), which refuses to run in a
    thread where Playwright's loop is running.
    """

    def _run() -> None:
        failures: list[BaseException] = []

        def work() -> None:
            try:
                with app.replace_connector(app.connector.get_worker_connector()):
                    app.run_worker(queues=["ingestion"], wait=False, install_signal_handlers=False, listen_notify=False)
            except BaseException as exc:  # handed over to the test's thread, which raises it
                failures.append(exc)

        worker = threading.Thread(target=work, name="ingestion-worker", daemon=True)
        worker.start()
        worker.join(WORKER_TIMEOUT_S)
        assert not worker.is_alive(), f"the ingestion worker did not finish within {WORKER_TIMEOUT_S} s"
        if failures:
            raise failures[0]

    return _run


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], None]:
    """screenshot(name): save the whole page as docs/screenshots/NAME (linked from the README),
    replacing the last run's."""

    def _screenshot(name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / name, full_page=True, animations="disabled")

    return _screenshot
