"""The test OIDC provider's process: `python -m tests.oidc_provider.server FOLDER CLIENT_ID SECRET REDIRECT_URIS
POST_LOGOUT_REDIRECT_URIS`.

Binds a free port on 127.0.0.1, configures Django (SQLite in FOLDER, a fresh RSA key), migrates, registers
Sluice as a confidential client, prints its issuer URL on one line and serves until terminated.
"""

from __future__ import annotations

import sys
from pathlib import Path

import django
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


def main(folder: Path, client_id: str, client_secret: str, redirect_uris: str, post_logout_redirect_uris: str) -> None:
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    issuer = f"http://127.0.0.1:{server.server_port}/o"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    settings.configure(
        DEBUG=False,
        SECRET_KEY="test-oidc-provider-" + "x" * 40,
        ALLOWED_HOSTS=["127.0.0.1"],
        # Cookies are not kept apart by port: under Django's names the provider's would replace Sluice's, whose
        # session holds the sign-in's state, on the same 127.0.0.1.
        SESSION_COOKIE_NAME="provider_sessionid",
        CSRF_COOKIE_NAME="provider_csrftoken",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        ROOT_URLCONF="tests.oidc_provider.app",
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(folder / "provider.sqlite3")}},
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [Path(__file__).parent / "templates"],
                "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
            }
        ],
        AUTHENTICATION_BACKENDS=["tests.oidc_provider.app.UsersFileBackend"],
        USERS_FILE=str(folder / "users.json"),
        LOGIN_URL="/login/",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": pem.decode(),
            "OIDC_ISS_ENDPOINT": issuer,
            "PKCE_REQUIRED": True,
            # RP-Initiated Logout: Sluice's sign-out ends the session here too, without a page to confirm it.
            "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
            "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
            "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.app.GroupsClaimValidator",
            "SCOPES": {"openid": "OpenID Connect", "profile": "Profile", "email": "Email"},
        },
    )
    django.setup()
    call_command("migrate", verbosity=0)
    from oauth2_provider.models import Application

    Application.objects.create(
        name="Sluice",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout_redirect_uris,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server.set_app(get_wsgi_application())
    print(issuer, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
