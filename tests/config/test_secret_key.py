from __future__ import annotations

import stat

from operations.embedded_db import local_secret_key


def test_the_local_secret_key_is_made_once_and_readable_by_its_owner_only(tmp_path):
    first = local_secret_key(tmp_path)

    assert len(first) >= 50
    assert local_secret_key(tmp_path) == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
