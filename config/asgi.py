"""The web tier's application: gunicorn runs it in uvicorn's workers (config/gunicorn_conf.py), each of which
holds many slow answer streams at once on one event loop."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Each request runs its sync code in a thread of its own (Django's ThreadSensitiveContext), and each step of a
# stream in a pool thread: connections come from a pool of the process instead of being kept per thread.
os.environ.setdefault("DATABASE_POOL_SIZE", "20")
application = get_asgi_application()
