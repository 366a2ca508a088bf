"""Changes an admin makes to a document from the library page."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.clearance import Classification
from accounts.models import User
from retrieval.models import Document
from retrieval.services import IngestResult, check_may_label, delete_document, reclassify_document, reingest_document


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
