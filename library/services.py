"""Changes an admin makes to a document from the library page."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from accounts.clearance import Classification
from accounts.models import User
from library.selectors import flagged_chunks
from retrieval.models import Chunk, Document
from retrieval.services import IngestResult, check_may_label, delete_document, reclassify_document, reingest_document
from routing.audit import record_flag_review

logger = logging.getLogger(__name__)


def change_document_access(
    *, document: Document, classification: Classification, group_names: Sequence[str], acting_user: User
) -> IngestResult:
    """Give `document` a new classification and reader groups; searches see the change once committed.

    The upload rules apply: raises UploadRefused when `classification` is above the acting user's
    clearance, or when they may not read the document as it is.
    """
    check_may_label(name=document.source_name, classification=classification, user=acting_user, verb="classify")
    return reclassify_document(
        document_id=document.id, classification=classification, group_names=group_names, uploaded_by=acting_user
    )


def remove_document(*, document: Document) -> None:
    """Delete `document` (chosen through library.selectors, so the caller may read it); it leaves search at once."""
    delete_document(document=document)


def reingest_library_document(*, document: Document) -> IngestResult:
    """Chunk and embed `document` (chosen through library.selectors, so the caller may read it) again with
    the current settings, while the request waits. Raises ReingestRefused when it has no stored sections."""
    return reingest_document(document=document)


@transaction.atomic
def review_flagged_passage(*, chunk_id: int, cleared: bool, acting_user: User) -> Chunk | None:
    """Clear a passage's injection flag as a false alarm (`cleared`), or flag it again; who and when are kept
    on it, and the review is a row of the hash-chained audit log (written in the same transaction: no review
    without its row). Only a flagged passage (at or above the active policy's threshold) of a document
    `acting_user` may read is found (the access filter in SQL); None otherwise, whether it exists or not."""
    chunk = flagged_chunks(acting_user).filter(id=chunk_id).first()
    if chunk is None:
        return None
    chunk.injection_cleared_by = acting_user.get_username() if cleared else ""
    chunk.injection_cleared_at = timezone.now() if cleared else None
    chunk.save(update_fields=["injection_cleared_by", "injection_cleared_at"])
    record_flag_review(chunk, cleared=cleared, acting_user=acting_user)
    logger.info(
        "%s %s passage %s of document %s (injection score %.2f)",
        acting_user.get_username(),
        "cleared" if cleared else "flagged again",
        chunk.id,
        chunk.document_id,
        chunk.injection_score,
    )
    return chunk
