"""deploy/env.example lists every variable config/settings.py reads, each under a comment."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from tests.serving import sluice_variables


def test_every_variable_settings_reads_is_in_env_example():
    source = (Path(settings.BASE_DIR) / "config" / "settings.py").read_text()
    read = set(
        re.findall(
            r"""(?:getenv|environ\.get|environ\[|env(?:bool|int|float|secret))\(?\s*["']([A-Z][A-Z0-9_]*)["']""", source
        )
    )

    assert {"SECRET_KEY", "AUDIT_CHAIN_KEY", "AUDIT_HEAD_FILE", "AUDIT_HEAD_CRON"} <= read
    assert read - sluice_variables() == set()
