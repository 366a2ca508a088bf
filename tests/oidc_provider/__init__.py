"""A real OpenID Connect provider for the tests of the company sign-in: a small Django project of its own on
django-oauth-toolkit's OIDC support, run as a separate process on a free loopback port (server.py).

Its users, their passwords and their groups claim are a JSON file the test writes (`set_user`), read on every
sign-in and every token, so a test changes someone's groups at the provider between two of their sign-ins.
Test-only: the product never imports it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

START_TIMEOUT_S = 60
CLIENT_ID = "sluice-tests"
CLIENT_SECRET = "sluice-tests-client-secret-0123456789"
# Django's test client's host; the live server's loopback address, on whatever port (RFC 8252 §7.3).
REDIRECT_URIS = "http://testserver/accounts/oidc/callback/ http://127.0.0.1/accounts/oidc/callback/"
POST_LOGOUT_REDIRECT_URIS = "http://testserver/accounts/login/ http://127.0.0.1/accounts/login/"


class OidcProvider:
    """The provider process, started in `folder` (its SQLite database and users file); stop() ends it."""

    def __init__(self, folder: Path) -> None:
        self.users_file = folder / "users.json"
        self.users_file.write_text("{}")
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        root = Path(__file__).resolve().parents[2]
        command = [
            sys.executable,
            "-m",
            "tests.oidc_provider.server",
            str(folder),
            CLIENT_ID,
            CLIENT_SECRET,
            REDIRECT_URIS,
            POST_LOGOUT_REDIRECT_URIS,
        ]
        self.process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # the issuer, once it serves; nothing if it failed to start
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError(f"the test OIDC provider did not start (exit {self.process.returncode})")
        self.issuer = line.strip()

    def set_user(self, username: str, *, password: str, groups: list[str], email: str = "") -> None:
        """Create or change a user at the provider: from their next sign-in on, their claims say these."""
        users = json.loads(self.users_file.read_text())
        users[username] = {"password": password, "groups": groups, "email": email or f"{username}@example.com"}
        self.users_file.write_text(json.dumps(users))

    def authorize(
        self, authorize_url: str, *, username: str, password: str, browser: requests.Session | None = None
    ) -> str:
        """Do at the provider what a person's browser does, from the authorization URL Sluice redirected to:
        sign in on its page, follow its redirects, and return the URL it sends the browser back to. `browser`
        keeps the provider's cookies (its session) afterwards; without it each call is a fresh browser."""
        with contextlib.nullcontext(browser) if browser else requests.Session() as browser:
            page = browser.get(authorize_url, timeout=10)  # redirected to its sign-in page
            csrf = browser.cookies["provider_csrftoken"]
            next_url = parse_qs(urlsplit(page.url).query)["next"][0]
            form = {"csrfmiddlewaretoken": csrf, "username": username, "password": password, "next": next_url}
            answer = browser.post(page.url, data=form, allow_redirects=False, timeout=10)
            while answer.is_redirect and urlsplit(answer.headers["Location"]).hostname in (None, "127.0.0.1"):
                answer = browser.get(
                    requests.compat.urljoin(answer.url, answer.headers["Location"]), allow_redirects=False, timeout=10
                )
            assert answer.is_redirect, f"the provider answered {answer.status_code}: {answer.text[:300]}"
            return answer.headers["Location"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
