"""Split parsed sections into retrieval-sized chunks (pure: no Django, no I/O).

Rules, in order:

1. Sections are never merged: every chunk lies inside one section and carries that
   section's heading_path unchanged, so a citation's heading is true for every sentence
   it shows. A tiny section therefore becomes a small chunk of its own.
2. Within a section, whole paragraphs (blocks separated by a blank line) are packed
   greedily while the chunk stays within max_chars.
3. A paragraph longer than max_chars is cut into units: its lines (list items, table
   rows, code lines), each line into sentences, and a sentence still longer than
   max_chars at word boundaries (a single word longer than that is cut hard). The units
   are then packed greedily like paragraphs.
4. Every chunk after the first in a section starts with the last whole sentences (or
   lines) of the previous chunk, as many as fit in overlap_chars including the separator
   that joins them to the new text. Pieces of a cut sentence are never used as overlap.

So each chunk holds at most max_chars of new text plus at most overlap_chars of
overlap. Separators between kept units are copied from the source text, never invented.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.parsing import Section


@dataclass(frozen=True)
class ChunkDraft:
    """One chunk of a section's text, before it is embedded and stored."""

    heading_path: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class _Unit:
    separator: str  # whitespace that preceded this unit in the section text
    text: str
    whole: bool  # False for the pieces of a sentence cut at word boundaries


# A sentence ends at . ! or ? (plus closing quotes/brackets) followed by whitespace and
# a capital letter or digit, optionally behind an opening quote or bracket.
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(\s+)(?=[\"'(\[]?[A-Z0-9])")
# Words that end in a full stop without ending the sentence, and single-letter initials.
_ABBREVIATION = re.compile(r"\b(?:[Ee]\.g|[Ii]\.e|vs|cf|approx|al|Mr|Mrs|Ms|Dr|Prof|St|No|Fig|[A-Z])\.$")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def chunk_sections(sections: Sequence[Section], *, max_chars: int, overlap_chars: int) -> list[ChunkDraft]:
    """Return the chunks of `sections` in document order (rules in the module docstring).

    Every chunk text is non-empty, not whitespace-only and at most
    max_chars + overlap_chars long; the result is deterministic. Sections without text
    yield no chunks. Raises ValueError unless max_chars > 0 and
    0 <= overlap_chars < max_chars.
    """
    if max_chars <= 0:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    if not 0 <= overlap_chars < max_chars:
        raise ValueError(f"overlap_chars must be between 0 and max_chars - 1, got {overlap_chars}")
    chunks: list[ChunkDraft] = []
    for section in sections:
        groups = _unit_groups(section.text, max_chars)
        for text in _pack(groups, max_chars=max_chars, overlap_chars=overlap_chars):
            chunks.append(ChunkDraft(heading_path=tuple(section.heading_path), text=text))
    return chunks


def _unit_groups(text: str, max_chars: int) -> list[list[_Unit]]:
    """Group the section's units: one group per paragraph that fits, else one per unit."""
    groups: list[list[_Unit]] = []
    for paragraph in _PARAGRAPH_BREAK.split(text.strip("\n")):
        paragraph = paragraph.strip("\n").rstrip()
        if not paragraph.strip():
            continue
        units: list[_Unit] = []
        for line in paragraph.split("\n"):
            if not line.strip():
                continue
            separator = ("\n\n" if groups else "") if not units else "\n"
            for unit in _sentence_units(line.rstrip(), separator):
                if len(unit.text) <= max_chars:
                    units.append(unit)
                else:
                    units.extend(_word_pieces(unit, max_chars))
        if len(_join(units)) <= max_chars:
            groups.append(units)
        else:
            groups.extend([unit] for unit in units)
    return groups


def _sentence_units(line: str, separator: str) -> list[_Unit]:
    units: list[_Unit] = []
    start = 0
    for match in _SENTENCE_END.finditer(line):
        end = match.start(1)
        if _ABBREVIATION.search(line[start:end]):
            continue
        units.append(_Unit(separator, line[start:end], whole=True))
        separator = match.group(1)
        start = match.end(1)
    units.append(_Unit(separator, line[start:], whole=True))
    return units


def _word_pieces(sentence: _Unit, max_chars: int) -> list[_Unit]:
    pieces: list[_Unit] = []
    separator, current = sentence.separator, ""
    for match in re.finditer(r"(\s*)(\S+)", sentence.text):
        space, word = match.groups()
        if current and len(current) + len(space) + len(word) <= max_chars:
            current += space + word
            continue
        if current:
            pieces.append(_Unit(separator, current, whole=False))
            separator = space
        # A "word" longer than a whole chunk (a URL, a hash) can only be cut by length.
        while len(word) > max_chars:
            pieces.append(_Unit(separator, word[:max_chars], whole=False))
            separator, word = "", word[max_chars:]
        current = word
    if current:
        pieces.append(_Unit(separator, current, whole=False))
    return pieces


def _pack(groups: list[list[_Unit]], *, max_chars: int, overlap_chars: int) -> list[str]:
    chunks: list[str] = []
    chunk: list[_Unit] = []
    new_chars = 0  # length of the chunk's text not counting the overlap
    for group in groups:
        group_chars = len(_join(group))
        if chunk and new_chars + len(group[0].separator) + group_chars <= max_chars:
            chunk.extend(group)
            new_chars += len(group[0].separator) + group_chars
            continue
        if chunk:
            chunks.append(_join(chunk))
            chunk = _overlap(chunk, budget=overlap_chars - len(group[0].separator))
        chunk.extend(group)
        new_chars = group_chars
    if chunk:
        chunks.append(_join(chunk))
    return chunks


def _overlap(previous: list[_Unit], *, budget: int) -> list[_Unit]:
    """The longest run of whole units ending `previous` whose text fits in `budget`."""
    taken: list[_Unit] = []
    for unit in reversed(previous):
        if not unit.whole or len(_join([unit, *taken])) > budget:
            break
        taken.insert(0, unit)
    return taken


def _join(units: Sequence[_Unit]) -> str:
    """Units as text; the first unit's separator is dropped because it starts the chunk."""
    return "".join(unit.separator + unit.text if index else unit.text for index, unit in enumerate(units))
