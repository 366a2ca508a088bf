"""Find instructions injected into text a model will read: typed jailbreaks, notes to "the AI" planted in
documents, and requests to send data out.

Two layers. A weighted heuristic: each cue is a regex for a construction that addresses the
reader as a model (override its prior instructions, reassign its role, ask for its system prompt, speak to
"AI assistants reading this", ask it to keep a secret from the user or send data to a URL). Trigger words
alone ("ignore", "override", "prompt", "forget") score nothing; what counts is their object: instructions,
rules, "everything before" — not a warning, a timeout or a VPN profile. Cues combine as a noisy-OR, so one
strong cue or two moderate ones pass the threshold. Given the text's sentence vector (the one retrieval
computes), a trained classifier (`injection_model`) scores it too, and the score is the higher of the two:
the cues explain a verdict, the classifier finds what they have no regex for. Pure: no Django, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from inspection.injection_model import shipped_classifier

DEFAULT_THRESHOLD = 0.5
# The cue name a verdict carries when the classifier's score is above the cues' and flags the text.
CLASSIFIER_CUE = "classifier"

_I = re.IGNORECASE

# Words that name what a model was told before, in English, German, French, Spanish and Croatian.
_PRIOR_OBJECT = (
    r"(?:instructions?|directions?|directives?|rules?|guidelines?|prompts?|commands?|orders?|tasks?|assignments?"
    r"|context|guidance|programming|training|constraints|restrictions|information|conversation|messages?"
    r"|everything|anything|all|Anweisungen|Instruktionen|instruktionen|Befehle|Regeln|Aufgaben|Informationen"
    r"|Ausführungen|alles(?:\s+gesagte)?|Vorgaben|instructions|consignes|todo|instrucciones|instrukcije|sve)"
)
_PRIOR_ADJ = (
    r"(?:previous|prior|above|earlier|preceding|foregoing|original|initial|old|former|existing|system|your|my"
    r"|all|any|every|the|these|those|of\s+the|vorherigen|vorangehenden|bisherigen|obigen|alle|alles|deine|Ihre"
    r"|toutes|les|tus|las|todas|todo)"
)
_OVERRIDE_VERB = (
    r"(?:ignore|ignoring|disregard|forget|skip|abandon|override|overwrite|bypass|drop|discard|neglect|stop\s+following"
    r"|do\s+not\s+follow|don'?t\s+follow|pay\s+no\s+attention\s+to|leave\s+behind|set\s+aside|change"
    r"|ignorier\w*|vergiss|vergessen\s+sie|missachte\w*|oubliez|oublie|ignorez|olvid\w*|zaboravi)"
)

# (name, weight, pattern). Weights are the cue's chance of an injection on its own, set by hand on the tuning
# split and kept round; two cues at 0.5 make 0.75.
_CUES: tuple[tuple[str, float, re.Pattern[str]], ...] = (
    (
        "override_prior",
        0.9,
        re.compile(
            rf"\b{_OVERRIDE_VERB}\s+(?:(?:about|all|of|everything|alle|toutes)\s+)?(?:{_PRIOR_ADJ}\s+){{0,3}}"
            rf"{_PRIOR_OBJECT}\b(?!\s+(?:version|alert|warning|e-?mails?|profile|step|notice|for\s+the))",
            _I,
        ),
    ),
    (
        "forget_before",
        0.9,
        re.compile(
            r"\b(?:forget|ignore|disregard|vergiss|ignoriere)\s+(?:about\s+)?(?:everything|all|alles)"
            r"(?:\s+\w+){0,4}?\s+(?:before|above|previous|earlier|davor|vorher|zuvor|oben)"
            r"|\b(?:forget|vergiss)\s+(?:about\s+)?(?:everything|alles)\b"
            r"|\bdespite\s+what\s+you(?:'ve|\s+have)\s+been\s+told"
            r"|\bprevious\s+(?:information|instructions)\s+(?:is|are)\s+(?:irrelevant|void|cancelled|outdated)",
            _I,
        ),
    ),
    (
        "new_task",
        0.6,
        re.compile(
            r"\byour\s+new\s+(?:task|instructions?)\b"
            r"|\bnew\s+(?:instructions?|tasks?)\s*(?:follow|:)"
            r"|\b(?:now|nun|jetzt)\s+(?:folgen|kommen)\s+(?:weitere|neue)\s+Aufgaben"
            r"|\bneue[nr]?\s+Aufgabe\b|\bstart\s+over\b"
            r"|\bneue\s+Anweisungen\b|\badditional\s+instructions?\s*[-:]"
            r"|\b(?:very\s+good|well\s+done|sehr\s+gut(?:\s+gemacht)?|einfach\s+großartig|ausgezeichnet\w*|excellent"
            r"|great\s+job|fantastic|wonderful)\s*[.!][^?]{0,120}?\b(?:now|nun|jetzt)\b"
            r"|\b(?:that\s+is|that'?s)\s+enough\.?\s+now\b",
            _I,
        ),
    ),
    (
        "reveal_prompt",
        0.9,
        re.compile(
            r"\b(?:reveal|show|print|output|repeat|display|leak|dump|give|tell|spell\s+out|what\s+(?:are|were|is))"
            r"\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:your|the)\s+(?:full\s+|entire\s+|hidden\s+|initial\s+|original\s+)?"
            r"(?:system\s+prompt|prompt\s+texts?|(?:initial|original|hidden)\s+prompt|instructions|configuration"
            r"|programming|rules\s+you\s+were\s+given)"
            r"|\b(?:written|said|stated)\s+(?:at\s+the\s+beginning\s+of\s+this\s+prompt|above\s*\?)"
            r"|\bnot\s+(?:by|from|according\s+to)\s+the\s+(?:articles|documents|context|provided)"
            r"|\bden\s+Systemprompt|\bsystem\s+prompt\s+(?:aus|ausgeben)",
            _I,
        ),
    ),
    (
        "role_reassign",
        0.6,
        re.compile(
            r"\byou\s+are\s+now\s+(?!(?:ready|logged|connected|the\s+owner|able|done|set|signed|on|in\s+the"
            r"|responsible|free|allowed|part)\b)(?:an?\s+|the\s+|in\s+)?\w+"
            r"|\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|act|respond|answer)"
            r"|\b(?:now\s+)?(?:act|behave|respond|function)\s+as\s+(?:an?\s+|if\s+you\s+were\s+)\w+"
            r"(?:\s+\w+){0,2}?\s*(?:interpreter|terminal|translator|ai|bot|model|assistant|chatbot|character|dj)?"
            r"|\bpretend\s+(?:to\s+be|you\s+(?:are|can|have|were))\b(?!\s+a\s+new\s+user)"
            r"|\bimagine\s+(?:that\s+)?you\s+(?:are|were)\b|\bstell\s+dir\s+vor,?\s+du\s+bist\b"
            r"|\b(?:now\s+)?you\s+are\s+(?:the\s+)?(?:dan|stan|dude|aim|devmode|developer\s+mode|jailbroken|unfiltered"
            r"|evil|an?\s+(?:evil|unfiltered|uncensored|unrestricted))\b"
            r"|\b(?:do\s+not|don'?t|never)\s+break\s+character|\bstay\s+in\s+(?:character|(?:their|your)\s+roles?)"
            r"|\bcompletely\s+absorbed\s+in\s+your\s+role|\bwithout\s+(?:any\s+)?(?:restrictions|filters|limits)\b"
            r"|\bjailbreak|\bdeveloper\s+mode\b|\bdo\s+anything\s+now\b"
            r"|\bdu\s+bist\s+(?:jetzt|nun|keine?)\b|\bals\s+\w+(?:-\w+)?(?:,\s*\w+(?:-\w+)?)*\s+(?:und\s+\S+\s+)?fungieren"
            r"|\bjetzt\s+bist\s+du\b|\byou\s+are\s+role-?playing|\brole-?play\s+as\b"
            r"|\bI\s+want\s+you\s+to\s+act\s+as\b|\bbe\s+an?\s+(?:dj|pirate|hacker|villain)\b",
            _I,
        ),
    ),
    (
        "addressed_to_model",
        0.75,
        re.compile(
            r"\b(?:AI|KI|LLMs?|GPT|ChatGPT|chatbots?|language\s+models?|(?:AI|KI)[\s-]+(?:assistants?|models?|readers?)"
            r"|KI-Assistent(?:en)?|KI-Modelle|summari[sz]er|any\s+(?:LLM|model|chatbot|AI))"
            r"[\s,]+(?:reading|processing|summari[sz]ing|quoting|that\s+reads?|who\s+reads?|should|must"
            r"|has\s+to|have\s+to|sollen|müssen)\b"
            r"|\b(?:note|message|notice|instruction|hinweis|nachricht)s?\s+(?:to|for|an)\s+(?:the\s+|any\s+|die\s+)?"
            r"(?:AI|KI|assistant|model|language\s+model|LLM|chatbot|summari[sz]er)"
            r"|\b(?:if|when|wenn)\s+(?:you\s+are|you'?re|an?\s+assistant|du\s+ein)\s+(?:an?\s+)?"
            r"(?:AI|KI|large\s+language|language\s+model|LLM|assistant|chatbot|KI-Assistent|model)"
            r"|\b(?:dear|attention|achtung)\s*,?\s*(?:AI|KI|chatbot|assistant|model|LLM)\b"
            r"|\b(?:to|for)\s+the\s+(?:AI|assistant|model|LLM|chatbot)\s+(?:summari[sz]ing|reading)"
            r"|\bfor\s+AI\s+readers\b|^\s*assistant\s*[:,]"
            r"|\b(?:hallo|hello|hi|hey)\s+(?:GPT|ChatGPT|AI|KI|bot|chatbot)\b",
            _I | re.MULTILINE,
        ),
    ),
    (
        "system_marker",
        0.6,
        re.compile(
            r"\b(?:IMPORTANT|URGENT|CRITICAL)\s+(?:SYSTEM|ADMIN)\s+(?:NOTICE|MESSAGE|UPDATE|OVERRIDE)"
            r"|\[(?:SYSTEM|ADMIN|INST)\]|<\|(?:im_start|system|endoftext)\|>|\bsystem\s+(?:override|message\s+to)\b"
            r"|^\s*#{2,}\s*(?:instructions?\s*:|system\s+(?:prompt|message))|^\s*(?:new\s+)?instruction\s*:"
            r"|\bADMIN\s+OVERRIDE\b|\bend\s+of\s+(?:the\s+)?(?:document|context)\.?\s*(?:new|now)",
            re.MULTILINE | _I,
        ),
    ),
    (
        "secrecy",
        0.6,
        re.compile(
            r"\b(?:do\s+not|don'?t|never)\s+(?:tell|mention|inform|reveal\s+(?:this|to)|say|let)\s+(?:this\s+\w+\s+to\s+)?"
            r"(?:the\s+)?(?:user|reader)s?\b"
            r"|\b(?:do\s+not|don'?t)\s+(?:mention|reveal|say)\s+(?:this|that\s+you)"
            r"|\bwithout\s+telling\s+the\s+(?:user|reader)|\bkeep\s+this\s+(?:instruction|note|message)\s+secret",
            _I,
        ),
    ),
    (
        "exfiltrate",
        0.7,
        re.compile(
            r"\b(?:send|post|append|include|leak|forward|upload|encode|email|e-mail|visit|fetch|load|render|output"
            r"|reveal|disclose|give|share|wire|gib|ausgeben)\b[^.\n]{0,80}?"
            r"(?:conversation|chat\s+history|contents?\s+of\s+this\s+chat|previous\s+messages|user'?s\s+(?:previous"
            r"\s+messages|question|e-?mail|data)|api\s+keys?|credentials|passwords?\s+to|the\s+passwords?|secrets?\b"
            r"|Zugangsdaten|Passw(?:o|ö)rter)"
            r"|!\[[^\]]*\]\(https?://[^)\s]*[?&]\w+="
            r"|\bhttps?://[^\s)]+[?&]\w+=\s+(?:with|followed\s+by)",
            _I,
        ),
    ),
    (
        "forced_output",
        0.5,
        re.compile(
            r"\b(?:say|print|write|output|respond\s+with|answer\s+with|reply\s+with|antworte\s+(?:nur\s+)?mit"
            r"|sag(?:en)?|schreibe?|dites)\s+(?:only\s+|just\s+|nur\s+)?[:\"'“„«]"
            r"|\brepeat\s+after\s+me\b|\bstop\s*[-:]\s*write\b|\bI\s+command\s+you\b"
            r"|\bsay\s+(?:yes|no)\s*[.!]|\binclude\s+that\s+you\b|\bpwned\b"
            r"|\b(?:attention|achtung)\s*[-:!]+\s*(?:stop|stopp)\b|^\s*\$?(?:documents?|context)\s*:\s*[{\"]",
            _I,
        ),
    ),
    (
        "hidden_text",
        0.35,
        re.compile(
            r"[\u200b-\u200f\u2060\ufeff]|<!--|display\s*:\s*none|color\s*:\s*(?:white|#fff)\b|font-size\s*:\s*0",
            _I,
        ),
    ),
)

# Zero-width characters are a cue of their own (above), then removed so they cannot split the words.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
_ESCAPED_NEWLINE = re.compile(r"\\\s?n")


@dataclass(frozen=True)
class InjectionVerdict:
    """The score (0..1) and the names of the cues that fired, for showing why a passage was flagged."""

    score: float
    cues: tuple[str, ...]

    def flagged(self, threshold: float = DEFAULT_THRESHOLD) -> bool:
        return self.score >= threshold


def _prepare(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    return _ESCAPED_NEWLINE.sub("\n", text)


def inspect_cues(text: str) -> InjectionVerdict:
    """Score `text` by the cues alone and name those that fired."""
    hidden = _CUES[-1][2].search(text) is not None
    prepared = _prepare(text)
    fired = []
    miss = 1.0
    for name, weight, pattern in _CUES:
        found = hidden if name == "hidden_text" else pattern.search(prepared) is not None
        if found:
            fired.append(name)
            miss *= 1.0 - weight
    # Hidden text on its own is page markup; it counts only next to another cue.
    if fired == ["hidden_text"]:
        return InjectionVerdict(0.0, ())
    return InjectionVerdict(round(1.0 - miss, 4), tuple(fired))


def classifier_model_id() -> str | None:
    """The embedding model whose vectors the shipped classifier reads; None when none ships."""
    classifier = shipped_classifier()
    return classifier.model_id if classifier else None


def inspect_injection(text: str, vector: Sequence[float] | None = None) -> InjectionVerdict:
    """Score `text` for an injected instruction and name the cues behind the score.

    `vector`: the text's unit-length embedding by `classifier_model_id()`'s model (a chunk's stored vector,
    which also embeds its title and headings, will do). With it the classifier scores the text too
    (`with_classifier`); without it, the cues alone. Raises ValueError for a vector of the wrong size.
    """
    return with_classifier(inspect_cues(text), vector)


def with_classifier(cues: InjectionVerdict, vector: Sequence[float] | None) -> InjectionVerdict:
    """The cues' verdict on a text with the classifier's view of the text's `vector`: the higher score of
    the two, and the cue "classifier" named when the classifier's score decides a flag. Unchanged without a
    vector or without a shipped classifier."""
    classifier = shipped_classifier()
    if vector is None or classifier is None:
        return cues
    learned = round(classifier.probability(vector), 4)
    if learned <= cues.score:
        return cues
    named = (*cues.cues, CLASSIFIER_CUE) if learned >= DEFAULT_THRESHOLD else cues.cues
    return InjectionVerdict(learned, named)


def injection_score(text: str, vector: Sequence[float] | None = None) -> float:
    """The chance-like score (0..1) that `text` holds an instruction injected for a model to follow (with
    its sentence vector, the classifier's view too: `inspect_injection`)."""
    return inspect_injection(text, vector).score
