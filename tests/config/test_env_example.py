"""deploy/env.example lists every environment variable config/settings.py reads (STYLE.md §5)."""

from __future__ import annotations

import re

from django.conf import settings

READ = re.compile(
    r"""(?:os\.getenv|os\.environ\.get|os\.environ\[|env(?:bool|int|float|secret)\()\(?\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def test_every_variable_settings_reads_is_in_env_example() -> None:
    source = (settings.BASE_DIR / "config" / "settings.py").read_text()
    listed = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (settings.BASE_DIR / "deploy" / "env.example").read_text(), re.M)
    )
    read = set(READ.findall(source))

    assert "SECRET_KEY" in read and "DATABASE_URL" in read  # the pattern finds each way settings.py reads one
    assert sorted(read - listed) == []
