from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.clearance import Classification
from retrieval.models import MAIN_COLLECTION
from retrieval.pipeline import ingest_stream
from retrieval.services import FileToIngest, Outcome


def walk(paths: list[str]) -> list[tuple[Path, str]]:
    """(path, document name) of the files named and of the files inside the folders named.

    A file inside a folder is named by its path relative to that folder, so
    payments/README.md and search/README.md stay two documents. Hidden files are skipped.
    """
    found: list[tuple[Path, str]] = []
    for name in paths:
        path = Path(name)
        if not path.is_dir():
            found.append((path, path.name))
            continue
        for file in sorted(path.rglob("*")):
            relative = file.relative_to(path)
            if file.is_file() and not any(part.startswith(".") for part in relative.parts):
                found.append((file, relative.as_posix()))
    return found


def files_to_ingest(
    found: Sequence[tuple[Path, str]],
    *,
    classification: Classification,
    group_names: Sequence[str],
    unreadable: list[tuple[Path, str]],
    collection: str = MAIN_COLLECTION,
) -> Iterator[tuple[Path, FileToIngest]]:
    """The files `walk` found, for ingest_stream, each read from disk only when the ingestion draws it (so
    memory holds the read-ahead, not the folder). A file that cannot be read is skipped and added to
    `unreadable` with the reason."""
    for path, document_name in found:
        try:
            content = path.read_bytes()
        except OSError as exc:
            unreadable.append((path, f"cannot read the file: {exc.strerror}"))
            continue
        yield path, FileToIngest(document_name, content, classification, group_names, collection=collection)


class Command(BaseCommand):
    help = (
        "Ingest files (folders are walked) into the knowledge base, one transaction per file. A file replaces "
        "the document of its name; of several with that name, the one with this classification and these groups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="files or folders to ingest")
        parser.add_argument("--classification", required=True, help="public, internal, confidential or restricted")
        parser.add_argument("--groups", default="", help="comma-separated reader groups (empty: everyone cleared)")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            classification = Classification.parse(options["classification"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        groups = sorted({g.strip() for g in options["groups"].split(",") if g.strip()})
        summary: dict[str, Any] = {"ingested": 0, "unchanged": 0, "failed": []}
        unreadable: list[tuple[Path, str]] = []
        files = files_to_ingest(
            walk(options["paths"]), classification=classification, group_names=groups, unreadable=unreadable
        )
        for path, result in ingest_stream(files):
            if isinstance(result, Exception):
                summary["failed"].append({"path": str(path), "error": str(result)})
                continue
            summary["unchanged" if result.outcome == Outcome.UNCHANGED else "ingested"] += 1
            if not options["json"]:
                self.stderr.write(f"{result.outcome.value}: {path} -> {result.document.title}")
        summary["failed"] += [{"path": str(path), "error": error} for path, error in unreadable]
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            for failure in summary["failed"]:
                self.stderr.write(f"failed: {failure['path']}: {failure['error']}")
            self.stdout.write(
                f"{summary['ingested']} ingested, {summary['unchanged']} unchanged, {len(summary['failed'])} failed"
            )
