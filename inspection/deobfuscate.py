"""Other readings of a text that may hide an instruction: encoded, scrambled or disguised spellings.

An injection can be written so that no cue and no word matches it — in base64 or hex, in ROT13, backwards, in
leetspeak ("1gn0r3 4ll"), or in look-alike letters of other scripts ("іgnоrе" with Cyrillic і and о) — and
still be read by a model, which decodes such text readily. `readings(text)` returns what the text says once
each such disguise is undone, so the injection cues can read it too (`injection.inspect_cues`). A reading is
offered only when it reads better than the text: decoded bytes must be printable text with spaces, and a
ROT13 or reversed reading must hold clearly more common words than the text as written.

Pure: no Django. Each check is one pass over the text; most texts yield no reading at all.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

from inspection.gazetteer import common_words
from inspection.normalise import LOOK_ALIKE_LETTERS as _LOOK_ALIKE_LETTERS
from inspection.normalise import fold

_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX_RUN = re.compile(r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}[\s:]?){8,}(?![0-9A-Za-z])")
_WORD = re.compile(r"[^\W\d_]+")
_MIXED_WORD = re.compile(r"\w+")
# A match starts only where no word character, "@", "$", "|" or "!" comes before: else a long run of "!" would be
# tried from every position (quadratic).
_LEET_WORD = re.compile(
    r"(?<![\w@$|!])(?=[\w@$|!]*[A-Za-z])(?=[\w@$|!]*[0-9@$|!])[A-Za-z0-9@$]+(?:[|!][A-Za-z0-9@$]+)*"
)
_LEET = str.maketrans("013457@$|!", "oieastasli")
# Words common in English and in the injections of every set: a text that holds few of them and whose ROT13 or
# reversed reading holds many has been scrambled.
_COMMON = frozenset(
    re.findall(
        r"\w+",
        "the a an and or to of in on for is are be you your me my i it this that all any now from with as not no do"
        " what tell say print write ignore forget previous above instructions rules prompt system answer reply"
        " respond must should will can",
    )
)
# Words a leetspeak reading spells out even from one substituted character ("4ll").
_SPELLED = _COMMON | frozenset(
    re.findall(
        r"\w+",
        "instruction disregard override reveal password secret jailbreak developer mode pretend act admin unlock"
        " bypass filter filters unfiltered restrictions hack hacked pwned delete send",
    )
)


def readings(text: str) -> list[str]:
    """What `text` says with each disguise undone (decoded, unscrambled, folded), each different from the
    text; [] when it shows none."""
    found = [*_decoded(text), *_unscrambled(text)]
    folded = _folded(text)
    if folded != text:
        found.append(folded)
    return found


def _printable(raw: bytes) -> str | None:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(decoded) < 8 or " " not in decoded.strip():
        return None
    shown = sum(ch.isprintable() or ch in "\n\t" for ch in decoded)
    return decoded if shown >= 0.95 * len(decoded) and _WORD.search(decoded) else None


def _decoded(text: str) -> list[str]:
    out = []
    for match in _BASE64.finditer(text):
        token = match.group(0)
        try:
            raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        if (decoded := _printable(raw)) is not None:
            out.append(decoded)
    for match in _HEX_RUN.finditer(text):
        digits = re.sub(r"[\s:]", "", match.group(0))
        if len(digits) % 2 == 0 and (decoded := _printable(bytes.fromhex(digits))) is not None:
            out.append(decoded)
    return out


def _common_share(text: str) -> float:
    # Words of two letters or more: the single letters of scrambled text ("i", "a") say nothing.
    words = [w for w in _WORD.findall(text.lower()) if len(w) > 1]
    return sum(w in _COMMON for w in words) / len(words) if len(words) >= 3 else 0.0


def _unscrambled(text: str) -> list[str]:
    share = _common_share(text)
    if share >= 0.25:
        return []
    out = []
    for candidate in (codecs.encode(text, "rot13"), text[::-1]):
        if _common_share(candidate) >= max(0.25, share + 0.15):
            out.append(candidate)
    return out


def _folded(text: str) -> str:
    """Words that mix Latin letters with look-alikes of other scripts folded to Latin, and leetspeak words that
    spell a word of `_SPELLED` spelled out; `text` itself when there is neither."""
    if not text.isascii() and not _LOOK_ALIKE_LETTERS.isdisjoint(text):
        text = _MIXED_WORD.sub(_fold_mixed, text)
    return _LEET_WORD.sub(_spell, text)


def _fold_mixed(match: re.Match[str]) -> str:
    word = match.group(0)
    if not any("a" <= ch.lower() <= "z" for ch in word) or _LOOK_ALIKE_LETTERS.isdisjoint(word):
        return word
    return "".join(fold(ch) for ch in word)


def _spell(match: re.Match[str]) -> str:
    # A word of `_SPELLED`, or an everyday word once two or more of its characters are read as letters
    # ("3v3ry7h1ng"); "ipv4", "h264", "CD33" and "p53" stay as they are.
    word = match.group(0)
    spelled = word.translate(_LEET)
    folded = spelled.casefold()
    if folded in _SPELLED:
        return spelled
    substituted = sum(a != b for a, b in zip(word, spelled, strict=True))
    return spelled if substituted >= 2 and spelled.isalpha() and folded in common_words() else word
