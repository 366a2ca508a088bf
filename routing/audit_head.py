"""The audit chain's head, exported where the database's owner cannot rewrite it.

A hash chain shows a row edited, inserted or deleted in its middle, but not its newest rows deleted:
what is left is still a chain. So the head (the last row's id and hash, with an HMAC) is appended now
and then to a file and/or written to the log, outside the database, and verification checks that the
last exported head's row still exists with that hash. Rows written after the last export are not
covered until the next one (settings.AUDIT_HEAD_CRON).
"""

from __future__ import annotations

import fcntl
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection
from django.utils import timezone

from routing.audit import GENESIS, ChainReport, anchor_is_authentic, sign_record, verify_chain
from routing.errors import AuditHeadError
from routing.models import AuditAnchor, AuditEvent

logger = logging.getLogger("sluice.audit_head")
# The last line of a head file is read from its end; a line is about 200 bytes.
TAIL_BYTES = 4096


@dataclass(frozen=True)
class AuditHead:
    """The end of the chain when exported: the last row's id and hash (a purge anchor's when every row
    was purged; 0 and the genesis hash for an empty log), the row count then, the time, the HMAC."""

    id: int
    row_hash: str
    rows: int
    at: str
    hmac: str = ""

    def signed(self, *, key: str) -> str:
        return sign_record(
            {"kind": "head", "id": self.id, "row_hash": self.row_hash, "rows": self.rows, "at": self.at}, key=key
        )

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class HeadProblem:
    row_id: int | None
    text: str
    row_gone: bool = False


def current_head(*, key: str) -> AuditHead:
    """The chain's end now, signed. One statement, so the row and the count are of one snapshot."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id, row_hash, (SELECT count(*) FROM "{table}") FROM "{table}" ORDER BY id DESC LIMIT 1')
        last = cursor.fetchone()
    if last is None:
        anchor = AuditAnchor.objects.order_by("-id").first()
        last = (anchor.purged_through_id, anchor.row_hash, 0) if anchor else (0, GENESIS, 0)
    head = AuditHead(id=last[0], row_hash=last[1], rows=last[2], at=timezone.now().isoformat())
    return replace(head, hmac=head.signed(key=key))


def check_head(head: AuditHead, *, key: str) -> HeadProblem | None:
    """None when the database still ends at or beyond this exported head: its row is there with the
    same hash, or was purged since under an authenticated anchor. Otherwise what is wrong, and where."""
    if not hmac.compare_digest(head.hmac, head.signed(key=key)):
        return HeadProblem(
            None, f"the head exported at {head.at} does not match its HMAC: it was edited, or AUDIT_CHAIN_KEY changed"
        )
    if head.id == 0:
        return None  # exported while the log was empty
    anchor = AuditAnchor.objects.order_by("-id").first()
    if anchor is not None and head.id <= anchor.purged_through_id and anchor_is_authentic(anchor, key=key):
        return None  # purged since the export, by a purge made with the key
    stored = AuditEvent.objects.filter(id=head.id).values_list("row_hash", flat=True).first()
    if stored is None:
        return HeadProblem(
            head.id,
            f"it was the chain's head exported at {head.at} ({head.rows} rows then) and is gone: "
            "rows were deleted from the end of the log after that export",
            row_gone=True,
        )
    if stored != head.row_hash:
        return HeadProblem(
            head.id, f"its hash is not the one exported with the head at {head.at}: the chain was rewritten after it"
        )
    return None


def read_last_head(path: Path) -> AuditHead | None:
    """The last head in a head file (None when the file is missing or empty). A line may be the log's,
    with its prefix: the head is the JSON object from its first brace. Raises AuditHeadError when the
    last line is not a head."""
    try:
        with path.open("rb") as head_file:
            return _last_head_in(head_file, path)
    except FileNotFoundError:
        return None


def _last_head_in(head_file: IO[bytes], path: Path) -> AuditHead | None:
    size = head_file.seek(0, os.SEEK_END)
    head_file.seek(max(0, size - TAIL_BYTES))
    lines = [line for line in head_file.read().decode(errors="replace").splitlines() if line.strip()]
    if not lines:
        return None
    line = lines[-1]
    try:
        fields = json.loads(line[line.index("{") :])
        return AuditHead(
            id=int(fields["id"]),
            row_hash=str(fields["row_hash"]),
            rows=int(fields["rows"]),
            at=str(fields["at"]),
            hmac=str(fields["hmac"]),
        )
    except (ValueError, KeyError, TypeError):
        raise AuditHeadError(
            f"the last line of the head file is not an exported audit head ({line[:80]!r}): check against a copy "
            "of the heads from the log or object store with manage.py verify_audit --head-file COPY"
        ) from None


@dataclass(frozen=True)
class HeadExport:
    head: AuditHead
    written: bool  # False: the file already ended with this head, nothing was written


def export_audit_head(*, path: Path | None, log: bool) -> HeadExport:
    """Append the chain's head to the file at `path` (made if missing) and/or write it to the log.

    Idempotent: when the file already ends with this head, nothing is written. Refuses (AuditHeadError)
    to export while the file's last head no longer holds: a new head would hide the rows deleted since.
    Raises AuditHeadError when there is nowhere to write.
    """
    if path is None and not log:
        raise AuditHeadError("nowhere to export the audit head: set AUDIT_HEAD_FILE, or AUDIT_HEAD_LOG=true")
    key = settings.AUDIT_CHAIN_KEY
    if path is None:
        head = current_head(key=key)
        logger.info("audit head %s", head.line())
        return HeadExport(head, written=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as head_file:
        # Exports at once (the periodic task and a command) append one after the other, each checked.
        fcntl.flock(head_file, fcntl.LOCK_EX)
        previous = _last_head_in(head_file, path)
        if previous is not None:
            problem = check_head(previous, key=key)
            if problem is not None:
                raise AuditHeadError(
                    f"not exported, the last head in the head file no longer holds: {problem.text}; a new head "
                    "would hide it: find what changed the log (manage.py verify_audit) before exporting again"
                )
        head = current_head(key=key)
        if previous is not None and (previous.id, previous.row_hash) == (head.id, head.row_hash):
            return HeadExport(previous, written=False)
        head_file.write((head.line() + "\n").encode())
        head_file.flush()
        os.fsync(head_file.fileno())
    if log:
        logger.info("audit head %s", head.line())
    return HeadExport(head, written=True)


def head_file_setting() -> Path | None:
    """settings.AUDIT_HEAD_FILE as a path; None when set empty (the head goes to the log only)."""
    return Path(settings.AUDIT_HEAD_FILE) if settings.AUDIT_HEAD_FILE else None


def verify_audit_log(*, head_file: Path | None) -> ChainReport:
    """Verify the chain (routing.audit.verify_chain), then check it against the last head exported to
    `head_file`: its row must still be there with its hash, or have been purged with the key. When
    no head has been exported there, the report says so in head_note and covers the chain only."""
    report = verify_chain()
    if not report.ok:
        return report
    if head_file is None:
        return replace(report, head_note="no head file is set (AUDIT_HEAD_FILE): the chain alone was checked")
    try:
        head = read_last_head(head_file)
    except AuditHeadError as exc:
        return replace(report, ok=False, problem=str(exc))
    if head is None:
        return replace(
            report,
            head_note="no head exported to the head file yet (manage.py export_audit_head writes one, the worker "
            "does on AUDIT_HEAD_CRON): the chain alone was checked",
        )
    checked = replace(report, head_id=head.id, head_at=head.at)
    problem = check_head(head, key=settings.AUDIT_CHAIN_KEY)
    if problem is None:
        return checked
    return replace(checked, ok=False, first_bad_id=problem.row_id, problem=problem.text, bad_row_gone=problem.row_gone)
