"""Findings kept with a passage since its ingestion, and when the gate may use them instead of inspecting.

A chunk is inspected once, when it is ingested; its findings are stored with the inspector's version.
At request time the gate uses them only while that version is the running inspector's: any change to
the code of `inspection`, to the libraries and data it depends on, or to the NER model makes
the version differ, and the passage is inspected live again (the safe default). Custom patterns change
with the policy, so they are never stored: they always run live, on top of the stored findings.

Stale findings cost speed, never redaction. They are refreshed when a document is ingested or re-ingested
again, or in place, in batches, by `manage.py reinspect_chunks` (run it after an upgrade that changed
inspection, libphonenumber or the NER model).

Pure: no Django. The version reads this package's own source files, once per process.
"""

from __future__ import annotations

import functools
import hashlib
import sys
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers

from inspection import find_custom, inspect_text, ner, resolve_overlaps
from inspection.findings import CustomPattern, Finding


def fingerprint(directory: Path) -> str:
    """sha256 of the Python source and JSON data files in `directory`, and of what else decides findings: the Python
    version (regex and Unicode semantics) and libphonenumber's version (its numbering plans)."""
    sources = sorted(directory.glob("*.py"))
    if not sources:
        # Installed without sources (bytecode only): no version can be trusted, so none ever matches.
        return f"unversioned-{uuid.uuid4().hex}"
    digest = hashlib.sha256()
    # The data files beside the code decide findings too (the injection classifier's weights).
    for path in sources + sorted(directory.glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(
        f"python {sys.version_info[:2]} unicode {unicodedata.unidata_version} "
        f"phonenumbers {phonenumbers.__version__}".encode()
    )
    return digest.hexdigest()[:24]


@functools.cache
def _code_fingerprint() -> str:
    return fingerprint(Path(__file__).parent)


def inspector_version() -> str:
    """The version of the running inspector: its code fingerprint and the NER model in use ("ner:off"
    without one). Findings stored under another version are not used."""
    return f"{_code_fingerprint()}+ner:{ner.model_id()}"


@dataclass(frozen=True)
class StoredFindings:
    """The built-in findings of a passage (no custom patterns), computed by inspector `version`."""

    version: str
    findings: tuple[Finding, ...]

    @classmethod
    def from_json(cls, version: str, rows: Any) -> StoredFindings | None:
        """From the stored form ([kind, start, end, confidence, detector] rows); None when there is no
        version (never inspected) or a row is malformed: the passage is then inspected live."""
        if not version or not isinstance(rows, (list, tuple)):
            return None
        findings = []
        for row in rows:
            if not (isinstance(row, (list, tuple)) and len(row) == 5):
                return None
            kind, start, end, confidence, detector = row
            if not (
                isinstance(kind, str)
                and isinstance(detector, str)
                and type(start) is int
                and type(end) is int
                and isinstance(confidence, (int, float))
                and 0 <= start < end
            ):
                return None
            findings.append(Finding(kind, start, end, float(confidence), detector))
        return cls(version=version, findings=tuple(findings))


def findings_to_json(findings: Sequence[Finding]) -> list[list[Any]]:
    """Findings in their stored form: [kind, start, end, confidence, detector] rows."""
    return [[f.kind, f.start, f.end, f.confidence, f.detector] for f in findings]


def inspect_passage(text: str, *, stored: StoredFindings | None, custom: Sequence[CustomPattern] = ()) -> list[Finding]:
    """What `inspect_text(text, custom=custom)` returns, from the stored findings where they are current.

    Stored findings are used only under the running inspector's version and when they fit `text`.
    Custom patterns run live; where one of their matches touches a stored finding, the passage is
    inspected live too, because the overlap rules might then have resolved the uncombined findings
    differently (a custom match that wins over a phone number would leave the address block around
    it whole). A custom match clear of every stored finding resolves the same either way.
    """
    if stored is None or stored.version != inspector_version() or any(f.end > len(text) for f in stored.findings):
        return inspect_text(text, custom=custom)
    extra = find_custom(text, custom) if custom else []
    if not extra:
        return list(stored.findings)
    if any(c.start < f.end and f.start < c.end for c in extra for f in stored.findings):
        return inspect_text(text, custom=custom)
    return resolve_overlaps([*stored.findings, *extra])
