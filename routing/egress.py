"""The egress guard: the exact outbound payload of a cloud call is inspected again before it leaves.

Pure: no Django, no I/O. Placeholders such as [EMAIL_1] are what redaction
leaves behind, so they are not findings; anything else a detector finds blocks
the call with EgressBlocked, which carries counts by kind, never values.

The name model is left out here: the question and every passage were read by it
where they were inspected (the question on the way in, a passage at ingestion), and
redaction masked what it found. Read again as one payload it costs some 20 ms a
kilobyte on two cores, and with titles and markers around each passage it reads
other words as names than it did at the source, blocking answers for names that
are not there ("Roll back the deploy" after a title line).

Each string of a payload is read on its own (the system prompt, the user's message, each turn of a
conversation), and a string this process has read before under the same patterns and inspector is not read
again (routing/seen_texts.py, by digest): the gate's check before a call and the check of the exact bytes of
the request that carries the same strings cost one reading, and the system prompt one per process.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from routing.errors import EgressBlocked
from routing.redaction import PLACEHOLDER
from routing.seen_texts import SeenTexts

if TYPE_CHECKING:
    from inspection import CustomPattern, Finding

__all__ = [
    "EgressBlocked",
    "check_outbound",
    "guard_outbound_texts",
    "outbound_text",
    "outbound_texts",
]

_SUBSTANCE = re.compile(r"[^\W_]")


def check_outbound(payload_text: str, *, custom: Sequence[CustomPattern] = ()) -> list[Finding]:
    """The findings in `payload_text` that hold more than placeholders.

    A finding whose span, placeholders taken out, has no letter or digit left is
    one of redaction's own placeholders (a "Key: [SECRET_1]." line, say).
    """
    from inspection import inspect_text

    return [
        f
        for f in inspect_text(payload_text, custom=custom, names=False)
        if _SUBSTANCE.search(PLACEHOLDER.sub("", payload_text[f.start : f.end]))
    ]


# What check_outbound() found in the strings this process read (by digest: no text is kept).
OUTBOUND = SeenTexts(lambda text, custom: check_outbound(text, custom=custom))


def guard_outbound_texts(texts: Iterable[str], *, custom: Sequence[CustomPattern] = ()) -> None:
    """Raise EgressBlocked when check_outbound() finds anything in one of `texts`, each read on its own;
    texts this process found clean (or not) before are not read again."""
    found = OUTBOUND.findings(texts, custom=custom)
    counts = Counter(f.kind for findings in found.values() for f in findings)
    if counts:
        raise EgressBlocked(counts)


def outbound_texts(body: bytes) -> list[str]:
    """Every string of a JSON request body (keys excluded); the body itself, as text, if not JSON.

    Inspecting the decoded strings rather than the raw bytes matters: JSON escapes
    newlines as backslash-n, which would glue words together for the detectors.
    """
    text = body.decode("utf-8", errors="replace")
    try:
        document = json.loads(text)
    except ValueError:
        return [text]
    return list(json_strings(document))


def outbound_text(body: bytes) -> str:
    """outbound_texts() of `body`, one per paragraph: what a test or an audit reads as the payload sent."""
    return "\n\n".join(outbound_texts(body))


def json_strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (keys excluded)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)
