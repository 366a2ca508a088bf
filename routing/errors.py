"""The routing app's errors, rooted in RoutingError. Pure: no Django, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class RoutingError(Exception):
    """Base of every error the routing app raises."""


class ErrorKind(StrEnum):
    """Why a backend failed; the gateway retries, falls back and counts by it."""

    TIMEOUT = "timeout"  # no first token, or no end, within the configured time
    RATE_LIMITED = "rate_limited"  # 429
    OVERLOADED = "overloaded"  # 529, or Anthropic's overloaded_error mid-stream
    SERVER_ERROR = "server_error"  # other 5xx
    UNREACHABLE = "unreachable"  # connection refused or reset before a response
    BAD_RESPONSE = "bad_response"  # a body or stream that is not the protocol
    DROPPED_STREAM = "dropped_stream"  # the stream ended before its end marker
    BAD_REQUEST = "bad_request"  # 400, 413, 422: this request will never work here
    AUTH = "auth"  # 401, 403
    NOT_FOUND = "not_found"  # 404: wrong model name or URL
    EGRESS_BLOCKED = "egress_blocked"  # the outbound payload still held sensitive data
    CIRCUIT_OPEN = "circuit_open"  # not called: too many failures in a row, waiting before a trial call
    NOT_RECORDED = "not_recorded"  # not called: the call could not be put on record first (a database error)
    # Not called: the target requires evidence (policy `requires_evidence`) and the on-prem check found that
    # the passages do not hold an answer; a small model asked anyway invents one.
    NO_EVIDENCE = "no_evidence"


# Kinds a retry cannot fix: the same request to the same backend fails the same way.
PERMANENT_KINDS = frozenset(
    {
        ErrorKind.BAD_REQUEST,
        ErrorKind.AUTH,
        ErrorKind.NOT_FOUND,
        ErrorKind.EGRESS_BLOCKED,
        ErrorKind.CIRCUIT_OPEN,
        ErrorKind.NOT_RECORDED,
        ErrorKind.NO_EVIDENCE,
    }
)


class BackendError(RoutingError):
    """A backend could not answer. `kind` says why; `permanent` whether retrying this backend can help.

    `retry_after` is the server's hint in seconds (429/529), when it gave one. The
    message never holds prompt or answer text, so it may be logged and audited.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool | None = None,
        kind: ErrorKind | str = ErrorKind.SERVER_ERROR,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = ErrorKind(kind)
        self.permanent = self.kind in PERMANENT_KINDS if permanent is None else permanent
        self.retry_after = retry_after


class EgressBlocked(BackendError):
    """The outbound payload of a cloud call still held sensitive data; nothing was sent.

    `counts` maps finding kinds to how many were found, never the values.
    """

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.counts = dict(sorted(counts.items()))
        summary = ", ".join(f"{kind}={n}" for kind, n in self.counts.items())
        super().__init__(f"egress blocked: outbound payload holds {summary}", kind=ErrorKind.EGRESS_BLOCKED)


class AuditHeadError(RoutingError):
    """The audit chain's head cannot be exported or read: nowhere to write it, or a file's last line is no head."""


class HeldRequestError(RoutingError):
    """A held request cannot be approved or denied: `message` says why, for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
