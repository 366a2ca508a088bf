"""Latency figures as the benchmark reports them: median and p95 of the samples, in milliseconds."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Latency:
    median_ms: float
    p95_ms: float
    n: int
    samples_ms: tuple[float, ...] = field(default=(), repr=False)

    @classmethod
    def of(cls, samples_ms: Sequence[float]) -> Latency:
        """Median and p95 (inclusive method: the value below which 95 % of the samples lie)."""
        if not samples_ms:
            raise ValueError("no samples")
        p95 = statistics.quantiles(samples_ms, n=20, method="inclusive")[18] if len(samples_ms) > 1 else samples_ms[0]
        return cls(
            round(statistics.median(samples_ms), 3),
            round(p95, 3),
            len(samples_ms),
            tuple(round(s, 3) for s in samples_ms),
        )

    def as_json(self, *, samples: bool = False) -> dict[str, Any]:
        """{"median", "p95", "n"}, and the samples themselves when asked (for the plots)."""
        data: dict[str, Any] = {"median": self.median_ms, "p95": self.p95_ms, "n": self.n}
        if samples:
            data["samples"] = list(self.samples_ms)
        return data
