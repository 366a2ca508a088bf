"""The `ingest` and `search` management commands, run with call_command as an operator would."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from retrieval.models import Document
from retrieval.services import IngestResult, ingest_file
from tests.conftest import make_user

Ingest = Callable[..., IngestResult]

FILES = {
    "backups.md": "# Backup policy\n\nDatabase backups run every night and are kept for thirty days.\n",
    "vpn.txt": "Remote access\n\nThe office VPN requires a hardware security key for every engineer.\n",
    "holidays.html": (
        "<html><head><title>Holiday calendar</title></head>"
        "<body><p>The office closes between Christmas and New Year.</p></body></html>"
    ),
    "budget.xlsx": "PK not really a spreadsheet",
    "empty.md": "",
}


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_json(name: str, *args: str) -> Any:
    out, _ = run(name, *args, "--json")
    return json.loads(out)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    (tmp_path / ".hidden.md").write_text("# Hidden\n\nEditors leave files like this one behind.\n")
    return tmp_path


def help_text(name: str) -> str:
    return load_command_class("retrieval", name).create_parser("manage.py", name).format_help()


# ingest


def test_ingest_reports_ingested_and_failed_files_as_json(corpus: Path, db: None) -> None:
    summary = run_json("ingest", str(corpus), "--classification", "internal", "--groups", "ops, engineering")

    assert summary == {
        "ingested": 3,
        "unchanged": 0,
        "failed": [
            {
                "path": str(corpus / "budget.xlsx"),
                "error": "unsupported file type .xlsx: upload .md, .txt, .html, .pdf or .docx",
            },
            {"path": str(corpus / "empty.md"), "error": "the file is empty"},
        ],
    }
    assert sorted(Document.objects.values_list("source_name", flat=True)) == ["backups.md", "holidays.html", "vpn.txt"]
    backups = Document.objects.get(source_name="backups.md")
    assert backups.title == "Backup policy"
    assert backups.classification_label == "internal"
    assert sorted(backups.reader_groups.values_list("name", flat=True)) == ["engineering", "ops"]


def test_ingest_prints_each_file_in_the_folders_order_then_one_summary_line(corpus: Path, db: None) -> None:
    out, err = run("ingest", str(corpus), "--classification", "internal")

    assert out == "3 ingested, 0 unchanged, 2 failed\n"
    assert err.splitlines() == [
        f"ingested: {corpus / 'backups.md'} -> Backup policy",
        f"ingested: {corpus / 'holidays.html'} -> Holiday calendar",
        f"ingested: {corpus / 'vpn.txt'} -> Remote access",
        f"failed: {corpus / 'budget.xlsx'}: unsupported file type .xlsx: upload .md, .txt, .html, .pdf or .docx",
        f"failed: {corpus / 'empty.md'}: the file is empty",
    ]


def test_ingest_json_output_is_one_json_object_on_stdout(corpus: Path, db: None) -> None:
    out, err = run("ingest", str(corpus), "--classification", "public", "--json")

    assert out.count("\n") <= 1
    assert set(json.loads(out)) == {"ingested", "unchanged", "failed"}
    assert err == ""


def test_second_ingest_of_the_same_folder_reports_everything_unchanged(corpus: Path, db: None) -> None:
    run_json("ingest", str(corpus), "--classification", "internal")
    versions = dict(Document.objects.values_list("source_name", "version"))

    summary = run_json("ingest", str(corpus), "--classification", "internal")

    assert summary["ingested"] == 0
    assert summary["unchanged"] == 3
    assert [Path(f["path"]).name for f in summary["failed"]] == ["budget.xlsx", "empty.md"]
    assert dict(Document.objects.values_list("source_name", "version")) == versions


def test_ingest_of_a_changed_file_replaces_its_document(corpus: Path, db: None) -> None:
    run_json("ingest", str(corpus), "--classification", "internal")
    (corpus / "backups.md").write_text("# Backup policy\n\nBackups are now kept for ninety days.\n")

    summary = run_json("ingest", str(corpus / "backups.md"), "--classification", "internal")

    assert summary == {"ingested": 1, "unchanged": 0, "failed": []}
    backups = Document.objects.get(source_name="backups.md")
    assert backups.version == 2
    assert "ninety days" in backups.chunks.get().text


def test_second_ingest_reports_unchanged_even_with_same_named_files_in_subfolders(tmp_path: Path, db: None) -> None:
    for team in ("payments", "search"):
        (tmp_path / team).mkdir()
        (tmp_path / team / "README.md").write_text(f"# {team} team\n\nThe {team} team owns the {team} service.\n")
    run_json("ingest", str(tmp_path), "--classification", "internal")

    summary = run_json("ingest", str(tmp_path), "--classification", "internal")

    assert summary == {"ingested": 0, "unchanged": 2, "failed": []}


def test_ingest_beside_two_same_named_documents_replaces_the_one_of_its_class_or_says_what_to_do(
    tmp_path: Path, admin: User
) -> None:
    # Uploaded by two admins, the second not cleared to see the first's (issue 14, finding 9): the
    # command sees both, replaces the one with its own classification and groups, and names none else.
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL)
    for user, classification in ((admin, Classification.RESTRICTED), (junior, Classification.INTERNAL)):
        ingest_file(
            filename="plan.md", content=b"# Plan\n\nThe move is in May.", classification=classification,
            group_names=[], uploaded_by=user,
        )  # fmt: skip
    restricted, internal = Document.objects.order_by("id")
    (tmp_path / "plan.md").write_text("# Plan\n\nThe move is in June.\n")

    replaced = run_json("ingest", str(tmp_path / "plan.md"), "--classification", "internal")
    refused = run_json("ingest", str(tmp_path / "plan.md"), "--classification", "confidential")

    assert replaced == {"ingested": 1, "unchanged": 0, "failed": []}
    assert dict(Document.objects.values_list("id", "version")) == {restricted.id: 1, internal.id: 2}
    assert refused["ingested"] == 0 and len(refused["failed"]) == 1
    assert refused["failed"][0]["error"].startswith(
        "plan.md: 2 documents in the knowledge base have this name, none with this classification"
    )


def test_ingest_of_a_missing_path_is_reported_as_failed(tmp_path: Path, db: None) -> None:
    missing = tmp_path / "nope.md"

    summary = run_json("ingest", str(missing), "--classification", "internal")

    assert summary == {
        "ingested": 0,
        "unchanged": 0,
        "failed": [{"path": str(missing), "error": "cannot read the file: No such file or directory"}],
    }


def test_ingest_with_an_unknown_classification_names_the_valid_ones(corpus: Path, db: None) -> None:
    with pytest.raises(CommandError, match="use one of public, internal, confidential, restricted"):
        run("ingest", str(corpus), "--classification", "secret")
    assert not Document.objects.exists()


def test_ingest_help_describes_its_options() -> None:
    text = help_text("ingest")

    assert "Ingest files (folders are walked)" in text
    assert "--classification" in text and "--groups" in text and "--json" in text


# search


@pytest.fixture
def searchable(ingest: Ingest) -> dict[str, Document]:
    return {
        "backups": ingest("backups.md", FILES["backups.md"], classification="internal").document,
        "salaries": ingest(
            "salaries.md",
            "# Salary bands\n\nDatabase administrators are paid in salary band four.\n",
            classification="confidential",
        ).document,
        "welcome": ingest(
            "welcome.md", "# Welcome\n\nThe database of visitor badges is at the front desk.\n", classification="public"
        ).document,
    }


def test_search_returns_the_json_shape_with_k_results(searchable: dict[str, Document], admin: User) -> None:
    body = run_json("search", "database backups", "--user", "ada", "--k", "3")

    assert set(body) == {"results", "ms"}
    assert isinstance(body["ms"], float | int) and body["ms"] >= 0
    assert len(body["results"]) == 3
    for result in body["results"]:
        assert set(result) == {"document_id", "title", "chunk_id", "classification", "score", "text"}
    top = body["results"][0]
    backups = searchable["backups"]
    assert top == {
        "document_id": backups.id,
        "title": "Backup policy",
        "chunk_id": backups.chunks.get().id,
        "classification": "internal",
        "score": top["score"],
        "text": "Database backups run every night and are kept for thirty days.",
    }
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_search_returns_only_what_the_user_may_read(
    searchable: dict[str, Document], employee: User, contractor: User
) -> None:
    as_employee = run_json("search", "database", "--user", "erin", "--k", "3")
    as_contractor = run_json("search", "database", "--user", "carl", "--k", "3")

    assert {r["classification"] for r in as_employee["results"]} == {"public", "internal"}
    assert searchable["salaries"].id not in {r["document_id"] for r in as_employee["results"]}
    assert [r["document_id"] for r in as_contractor["results"]] == [searchable["welcome"].id]


def test_search_as_an_unknown_user_is_an_error(db: None) -> None:
    with pytest.raises(CommandError, match="no user 'ghost'"):
        run("search", "database", "--user", "ghost")


def test_search_with_k_below_one_is_an_error(employee: User) -> None:
    with pytest.raises(CommandError, match="--k must be at least 1"):
        run("search", "database", "--user", "erin", "--k", "0")


def test_search_help_describes_its_options() -> None:
    text = help_text("search")

    assert "only passages that user may read" in text
    assert "--user" in text and "--k" in text and "--mode" in text and "--json" in text
