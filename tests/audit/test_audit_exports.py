"""Exports of the filtered log (/audit/export.csv, /audit/export.jsonl): streamed, exactly the filtered rows."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from accounts.models import User
from audit.exports import COLUMNS, neutralise_formula
from routing.models import AuditEvent


@pytest.fixture
def rows(write_audit, employee: User, admin: User) -> list[AuditEvent]:
    return [
        write_audit(employee, question="How do I roll back a bad deploy?", findings={"email": 1}),
        write_audit(admin, question='=HYPERLINK("http://evil.example","click")', backend="extractive"),
        write_audit(employee, question="+1 for the deploy runbook", cache_hit=True),
        write_audit(employee, question="@SUM(A1:A9) deploy", outcome=AuditEvent.Outcome.REFUSED, backend=""),
        write_audit(admin, question="-2+3 deploy", data_class=3),
    ]


@pytest.fixture
def export(client: Client, auditor: User):
    client.force_login(auditor)

    def _get(kind: str, **params: str):
        response = client.get(f"/audit/export.{kind}", params)
        assert response.status_code == 200
        assert response.streaming
        return response, b"".join(response.streaming_content).decode()

    return _get


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_holds_every_row_with_every_column(export, rows) -> None:
    response, text = export("csv")

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="sluice-audit-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert text.splitlines()[0].split(",") == list(COLUMNS)
    records = read_csv(text)
    assert [int(r["id"]) for r in records] == [r.id for r in reversed(rows)]
    first = next(r for r in records if int(r["id"]) == rows[0].id)
    assert first["username"] == "erin" and first["data_class"] == "internal" and first["zone"] == "cloud"
    assert first["fallback_used"] == "false" and first["row_hash"] == rows[0].row_hash
    # JSON fields are JSON text in their cells
    assert json.loads(first["findings"]) == {"email": 1}
    assert json.loads(first["decision"])["rule"] == "internal-cloud-redacted"
    assert json.loads(first["attempts"])[0]["target"] == "claude"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user": "ada"}, [1, 4]),
        ({"cache_hit": "yes"}, [2]),
        ({"outcome": "refused"}, [3]),
        ({"q": "deploy", "role": "employee"}, [0, 2, 3]),
        ({"data_class": "3", "user": "ada"}, [4]),
        ({"backend": "nowhere"}, []),
    ],
)
@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_exports_hold_exactly_the_filtered_rows(export, rows, kind: str, params, expected: list[int]) -> None:
    _, text = export(kind, **params)

    if kind == "csv":
        exported = [int(r["id"]) for r in read_csv(text)]
    else:
        exported = [json.loads(line)["id"] for line in text.splitlines()]
    assert exported == sorted((rows[i].id for i in expected), reverse=True)


def test_an_invalid_filter_is_left_out_of_the_export_as_it_is_of_the_page(export, rows) -> None:
    _, text = export("csv", user="ada", data_class="nine")

    assert [int(r["id"]) for r in read_csv(text)] == [rows[4].id, rows[1].id]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(export, rows) -> None:
    _, text = export("csv")

    questions = {int(r["id"]): r["question"] for r in read_csv(text)}
    assert questions[rows[1].id] == '\'=HYPERLINK("http://evil.example","click")'
    assert questions[rows[2].id] == "'+1 for the deploy runbook"
    assert questions[rows[3].id] == "'@SUM(A1:A9) deploy"
    assert questions[rows[4].id] == "'-2+3 deploy"
    assert questions[rows[0].id] == "How do I roll back a bad deploy?"
    for line in text.splitlines()[1:]:
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "-", "@")), cell


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("a=1", "a=1"), ("", "")],
)
def test_neutralise_formula(cell: str, expected: str) -> None:
    assert neutralise_formula(cell) == expected


def test_the_jsonl_holds_one_object_per_row_with_the_json_fields_nested(export, rows) -> None:
    response, text = export("jsonl", user="erin")

    assert response["Content-Type"].startswith("application/x-ndjson")
    assert response["Content-Disposition"].endswith('.jsonl"')
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == 3 and all(list(r) == list(COLUMNS) for r in records)
    oldest = records[-1]
    assert oldest["findings"] == {"email": 1} and oldest["decision"]["targets"][0] == {
        "name": "claude",
        "zone": "cloud",
    }
    assert oldest["question"] == "How do I roll back a bad deploy?"  # JSONL is not a spreadsheet: text as stored
    assert records[0]["question"] == "@SUM(A1:A9) deploy"
