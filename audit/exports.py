"""Writers of the filtered audit log as CSV and JSONL, row by row, and the streamed download of each
(the query log's export links and the API's export)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from audit.selectors import answering_zone, class_label, filter_audit_events
from routing.models import AuditEvent

# The export's columns, in order; the JSON ones are written as JSON text in a CSV cell.
COLUMNS = (
    "id", "created_at", "username", "role", "workload", "team", "api_key_id", "api_key_name", "data_class", "outcome",
    "backend", "zone", "model", "fallback_used", "cache_hit", "refusal_reason", "cost_usd", "latency_ms",
    "policy_version", "question", "findings", "redacted", "passages", "decision", "attempts", "prev_hash", "row_hash",
    "hash_version",
)  # fmt: skip
JSON_COLUMNS = frozenset({"findings", "redacted", "passages", "decision", "attempts"})
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection");
# tab and carriage return are on OWASP's list too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 500


def export_record(event: AuditEvent) -> dict[str, Any]:
    """One row as exported: the columns above, data class by its name, time in ISO 8601."""
    return {
        "id": event.id,
        "created_at": event.created_at.isoformat(),
        "username": event.username,
        "role": event.role,
        "workload": event.workload,
        "team": event.team,
        "api_key_id": event.api_key_id,
        "api_key_name": event.api_key_name,
        "data_class": class_label(event.data_class),
        "outcome": event.outcome,
        "backend": event.backend,
        "zone": answering_zone(event),
        "model": event.model,
        "fallback_used": event.fallback_used,
        "cache_hit": event.cache_hit,
        "refusal_reason": event.refusal_reason,
        "cost_usd": event.cost_usd,
        "latency_ms": event.latency_ms,
        "policy_version": event.policy_version,
        "question": event.question,
        "findings": event.findings,
        "redacted": event.redacted,
        "passages": event.passages,
        "decision": event.decision,
        "attempts": event.attempts,
        "prev_hash": event.prev_hash,
        "row_hash": event.row_hash,
        "hash_version": event.hash_version,
    }


def neutralise_formula(cell: str) -> str:
    """Prefix an apostrophe to a text cell a spreadsheet would evaluate; others pass unchanged."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _csv_cell(name: str, value: Any) -> Any:
    if name in JSON_COLUMNS:
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise_formula(value) if isinstance(value, str) else value


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _events(events: QuerySet[AuditEvent]) -> Iterable[AuditEvent]:
    # A server-side cursor: the export never holds the whole log in memory.
    return events.iterator(chunk_size=CHUNK_SIZE)


def csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The header, then one CSV line per row of `events`, formula-like cells neutralised."""
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for event in _events(events):
        record = export_record(event)
        yield writer.writerow([_csv_cell(name, record[name]) for name in COLUMNS])


def jsonl_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """One JSON object per line per row of `events`, the JSON fields nested as they are stored."""
    for event in _events(events):
        yield json.dumps(export_record(event), ensure_ascii=False) + "\n"


# Each export's writer and content type, by its file extension.
FORMATS: dict[str, tuple[Callable[[QuerySet[AuditEvent]], Iterator[str]], str]] = {
    "csv": (csv_lines, "text/csv; charset=utf-8"),
    "jsonl": (jsonl_lines, "application/x-ndjson; charset=utf-8"),
}


def export_audit_log(*, filters: Mapping[str, Any], extension: str) -> StreamingHttpResponse:
    """The audit rows matching `filters` (filter_audit_events) as a download streamed row by row, in the
    format of `extension` (a key of FORMATS), named after the time of the export."""
    lines, content_type = FORMATS[extension]
    response = StreamingHttpResponse(lines(filter_audit_events(filters)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="sluice-audit-{timezone.now():%Y%m%d-%H%M%S}.{extension}"'
    return response
