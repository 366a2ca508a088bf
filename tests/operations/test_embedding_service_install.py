"""The embedding service's overlay folder plus requirements.lock must hold every package infinity-emb's
server imports: a clean clone has only those two (CI failed once because fastapi came from `make local-llm`
on the developer's machine, not from either list). Checked on the metadata pip installed, not on what
happens to be importable here."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from operations.embedding_service import PACKAGES, install

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXTRAS_WE_RUN = {"infinity-emb": {"server", "torch"}}  # the CLI server on the torch engine


def locked_versions() -> dict[str, Version]:
    """requirements.lock's packages, plus torch (the Makefile installs it first, alone)."""
    versions = {"torch": Version("2.13.0")}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        if match:
            versions[canonicalize_name(match.group(1))] = Version(match.group(2))
    return versions


def applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras | {""})


def test_every_requirement_of_the_overlay_is_in_the_overlay_or_the_lock() -> None:
    folder = install(django_settings.DATA_DIR)
    overlay = {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions(path=[str(folder)])}
    assert {canonicalize_name(p.split("==")[0]) for p in PACKAGES} <= set(overlay), "pip left a package out"
    locked = locked_versions()
    missing = []
    for name, distribution in overlay.items():
        for line in distribution.requires or []:
            requirement = Requirement(line)
            if not applies(requirement, EXTRAS_WE_RUN.get(name, set())):
                continue
            needed = canonicalize_name(requirement.name)
            version = Version(overlay[needed].version) if needed in overlay else locked.get(needed)
            if version is None or not requirement.specifier.contains(version, prereleases=True):
                missing.append(f"{name} needs {requirement} (have {version or 'nothing'})")
    assert not missing, "add these to PACKAGES in operations/embedding_service.py:\n" + "\n".join(missing)
