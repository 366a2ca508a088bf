"""Rate limits counted in PostgreSQL: what every web process sees."""

from __future__ import annotations

import pytest

from routing.models import RateWindow
from routing.rate_limits import RateLimit, RateLimited, take

LIMIT = RateLimit(requests=3, per_seconds=60)


def test_the_request_after_the_limit_is_refused_until_the_next_window(db: None) -> None:
    for _ in range(3):
        take("ask:user:1", LIMIT, now=1_000_000_010.0)

    with pytest.raises(RateLimited) as refused:
        take("ask:user:1", LIMIT, now=1_000_000_015.5)

    assert refused.value.retry_after == 5  # the window began at 1,000,000,020 - 60 and ends at ...020
    assert "at most 3 every 60 s" in refused.value.message
    take("ask:user:1", LIMIT, now=1_000_000_020.0)  # a new window
    take("ask:user:2", LIMIT, now=1_000_000_015.0)  # another key was never limited


def test_refused_requests_count_and_old_windows_are_deleted(db: None) -> None:
    for _ in range(3):
        take("k", LIMIT, now=120.0)
    for _ in range(2):
        with pytest.raises(RateLimited):
            take("k", LIMIT, now=120.0)
    assert RateWindow.objects.get(key="k").count == 5

    take("k", LIMIT, now=180.0)

    assert list(RateWindow.objects.filter(key="k").values_list("window_start", "count")) == [(180, 1)]


def test_no_limit_counts_nothing(db: None) -> None:
    take("k", RateLimit(0, 60))

    assert not RateWindow.objects.exists()
