"""parse_document on files built in-process: Markdown, text, HTML, PDF (fpdf2) and DOCX (python-docx)."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Sequence

import docx
import pytest
from fpdf import FPDF

from retrieval.parsing import SUPPORTED_EXTENSIONS, ParsedDocument, ParseError, Section, parse_document

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def parse(filename: str, text: str) -> ParsedDocument:
    return parse_document(filename, text.encode())


def paths(document: ParsedDocument) -> list[tuple[str, ...]]:
    return [section.heading_path for section in document.sections]


def all_text(document: ParsedDocument) -> str:
    return "\n\n".join(section.text for section in document.sections)


def make_pdf(pages: list[str], *, title: str | None = None) -> bytes:
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("helvetica", size=11)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def make_docx(*, title: str | None = None, build: Sequence[tuple[str, str]] = ()) -> bytes:
    """build: (style, text) paragraphs; style "table" makes a 2x2 table from "a,b;c,d"."""
    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    for style, text in build:
        if style == "table":
            rows = [row.split(",") for row in text.split(";")]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        else:
            document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


RUNBOOK_MD = """\
Preamble before any heading.

# Incident Response

Declare an incident
when customers are affected.

## Severity levels

### SEV1

Full outage. ![diagram](sev.png) <!-- reviewed by ops -->

### SEV2

- Partial outage
- Degraded latency
  - p99 above 2s

<!-- TODO: add SEV3 -->

| Level | Pager |
|-------|-------|
| SEV1  | yes   |

```bash
page --team sre
```

## Contacts

Call the on-call engineer.
"""


# Markdown


def test_markdown_title_comes_from_front_matter() -> None:
    document = parse("runbook.md", "---\ntitle: On-call Runbook\nowner: sre\n---\n" + RUNBOOK_MD)
    assert document.title == "On-call Runbook"
    assert document.media_type == "text/markdown"
    assert "owner: sre" not in all_text(document)


def test_markdown_title_falls_back_to_first_h1() -> None:
    assert parse("runbook.markdown", "---\nowner: sre\n---\n" + RUNBOOK_MD).title == "Incident Response"


def test_markdown_without_h1_has_no_title() -> None:
    assert parse("notes.md", "## Only a subheading\n\nText.").title is None


def test_markdown_heading_paths_follow_levels() -> None:
    document = parse("runbook.md", RUNBOOK_MD)
    assert paths(document) == [
        (),
        ("Incident Response",),
        ("Incident Response", "Severity levels", "SEV1"),
        ("Incident Response", "Severity levels", "SEV2"),
        ("Incident Response", "Contacts"),
    ]
    assert document.sections[1].text == "Declare an incident when customers are affected."


def test_markdown_lists_tables_and_code_become_text_without_images_or_comments() -> None:
    sections = parse("runbook.md", RUNBOOK_MD).sections
    assert sections[2].text == "Full outage."
    assert sections[3].text == (
        "- Partial outage\n- Degraded latency\n  - p99 above 2s\n\nLevel | Pager\nSEV1 | yes\n\npage --team sre"
    )
    assert "TODO" not in all_text(parse("runbook.md", RUNBOOK_MD))


def test_markdown_raw_html_keeps_text_but_not_scripts() -> None:
    document = parse("page.md", '# Page\n\n<div class="note">Read <b>this</b>.</div>\n\n<script>track()</script>\n')
    assert document.sections == (Section(("Page",), "Read this."),)


def test_markdown_with_broken_front_matter_is_rejected() -> None:
    with pytest.raises(ParseError, match="front matter"):
        parse("bad.md", "---\ntitle: [unclosed\n---\nBody.")


def test_markdown_with_only_comments_has_no_text() -> None:
    with pytest.raises(ParseError, match="no text found in the file"):
        parse("empty.md", "<!-- nothing here -->\n\n![only an image](x.png)\n")


# Plain text


def test_text_title_is_the_first_non_empty_line() -> None:
    document = parse("notes.txt", "\n\nQuarterly review\n\nRevenue grew.")
    assert document.title == "Quarterly review"
    assert document.media_type == "text/plain"


def test_text_with_a_long_first_line_has_no_title() -> None:
    assert parse("notes.txt", "word " * 40 + "\n\nMore.").title is None


def test_text_headings_start_sections_and_wrapped_lines_are_joined() -> None:
    text = (
        "An introduction long enough that an editor wrapped it at column\nseventy.\n\n"
        "Owner: SRE\nVersion: 3\n\n"
        "Backups\n=======\nRun nightly.\n\nRestore drills\n--------------\nQuarterly.\n\n"
        "CONTACTS\n\n* Ops desk\n* Pager\n"
    )
    document = parse("ops.txt", text)
    assert [(s.heading_path, s.text) for s in document.sections] == [
        ((), "An introduction long enough that an editor wrapped it at column seventy.\n\nOwner: SRE\nVersion: 3"),
        (("Backups",), "Run nightly."),
        (("Backups", "Restore drills"), "Quarterly."),
        (("CONTACTS",), "- Ops desk\n- Pager"),
    ]


def test_text_accepts_a_utf8_bom() -> None:
    assert parse_document("bom.txt", "\ufeffCafé menu\n\nCoffee.".encode()).title == "Café menu"


def test_binary_text_file_is_rejected() -> None:
    with pytest.raises(ParseError, match="binary"):
        parse_document("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_text_that_is_not_utf8_is_rejected() -> None:
    with pytest.raises(ParseError, match="not valid UTF-8 text"):
        parse_document("latin1.txt", "Grüße aus Köln".encode("latin-1"))


# HTML

PAGE_HTML = """<!doctype html>
<html><head><title> Travel   Policy </title><style>p { color: red }</style></head>
<body>
<header>Company intranet</header><nav><a href="/">Home</a></nav>
<h1>Travel</h1>
<p>Book through the <b>portal</b>&nbsp;only.
   Keep receipts.</p>
<script>track("pageview")</script><noscript>Enable JS</noscript>
<h2>Limits</h2>
<ul><li>Hotels: 150 EUR</li><li><p>Meals</p><ul><li>30 EUR a day</li></ul></li></ul>
<table><tr><th>Class</th><th>Allowed</th></tr><tr><td><b>Economy</b>:<br>short-haul</td><td>yes</td></tr></table>
<dl><dt>Per diem</dt><dd>Daily allowance.</dd></dl>
<h3>Exceptions</h3><blockquote>Ask finance.</blockquote>
<h2>Contacts</h2><pre>finance@example.com
  ext. 42</pre>
<footer>Copyright 2025</footer><template><p>hidden</p></template><svg><text>logo</text></svg>
</body></html>"""


def test_html_title_comes_from_title_element() -> None:
    document = parse("travel.html", PAGE_HTML)
    assert document.title == "Travel Policy"
    assert document.media_type == "text/html"


def test_html_title_falls_back_to_first_h1_then_none() -> None:
    assert parse("a.htm", "<h2>Sub</h2><p>x</p><h1>Main <em>page</em></h1><p>y</p>").title == "Main page"
    assert parse("b.html", "<p>Just text.</p>").title is None


def test_html_boilerplate_is_dropped() -> None:
    text = all_text(parse("travel.html", PAGE_HTML))
    for boilerplate in ("intranet", "Home", "track", "Enable JS", "Copyright", "hidden", "logo", "color"):
        assert boilerplate not in text


def test_html_headings_and_blocks_become_sections() -> None:
    document = parse("travel.html", PAGE_HTML)
    assert [(s.heading_path, s.text) for s in document.sections] == [
        (("Travel",), "Book through the portal only. Keep receipts."),
        (
            ("Travel", "Limits"),
            "- Hotels: 150 EUR\n- Meals\n  - 30 EUR a day\n\nClass | Allowed\nEconomy: short-haul | yes\n\n"
            "Per diem\n\nDaily allowance.",
        ),
        (("Travel", "Limits", "Exceptions"), "Ask finance."),
        (("Travel", "Contacts"), "finance@example.com\n  ext. 42"),
    ]


def test_html_with_only_scripts_has_no_text() -> None:
    with pytest.raises(ParseError, match="no text found in the file"):
        parse("app.html", "<html><body><script>main()</script><nav>Menu</nav></body></html>")


# PDF


def test_pdf_title_comes_from_metadata_and_pages_become_sections() -> None:
    content = make_pdf(["First page text.", "", "Third page text."], title="Security Handbook")
    document = parse_document("handbook.pdf", content)
    assert document.title == "Security Handbook"
    assert document.media_type == "application/pdf"
    assert document.sections == (
        Section(("Page 1",), "First page text."),
        Section(("Page 3",), "Third page text."),
    )


def test_pdf_without_metadata_title_has_none() -> None:
    assert parse_document("scan.pdf", make_pdf(["Some text."])).title is None


def test_pdf_text_is_normalised() -> None:
    document = parse_document("a.pdf", make_pdf(["An exam-\nple   with\nwrapped lines."]))
    assert document.sections[0].text == "An example with wrapped lines."


def test_pdf_without_text_is_rejected() -> None:
    with pytest.raises(ParseError, match=r"no extractable text \(scanned image\?\)"):
        parse_document("scan.pdf", make_pdf([""]))


@pytest.mark.parametrize(
    "content",
    [
        random.Random(7).randbytes(4096),
        b"%PDF-1.7\n" + random.Random(8).randbytes(4096),
        make_pdf(["A real page of text."])[:600],
    ],
    ids=["random-bytes", "pdf-header-then-garbage", "truncated-pdf"],
)
def test_damaged_pdf_is_rejected(content: bytes) -> None:
    with pytest.raises(ParseError, match=r"not a valid PDF \(file is damaged or not a PDF\)"):
        parse_document("report.pdf", content)


def test_password_protected_pdf_is_rejected() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.cell(text="Secret salaries.")
    pdf.set_encryption(owner_password="owner", user_password="user")
    with pytest.raises(ParseError, match="password"):
        parse_document("salaries.pdf", bytes(pdf.output()))


# DOCX


def test_docx_title_comes_from_core_properties() -> None:
    document = parse_document("plan.docx", make_docx(title="Roadmap 2026", build=[("Normal", "Body.")]))
    assert document.title == "Roadmap 2026"
    assert document.media_type == DOCX_TYPE


@pytest.mark.parametrize(
    "build, title",
    [
        ([("Title", "Styled Title"), ("Heading 1", "Intro"), ("Normal", "x")], "Styled Title"),
        ([("Heading 2", "Minor"), ("Heading 1", "Chapter One"), ("Normal", "x")], "Chapter One"),
        ([("Normal", "Plain paragraph.")], None),
    ],
)
def test_docx_title_falls_back_to_title_style_then_heading_1(build: list[tuple[str, str]], title: str | None) -> None:
    assert parse_document("plan.docx", make_docx(build=build)).title == title


def test_docx_headings_lists_and_tables() -> None:
    content = make_docx(
        build=[
            ("Normal", "Before headings."),
            ("Heading 1", "Onboarding"),
            ("Normal", "Welcome."),
            ("List Bullet", "Laptop"),
            ("List Number", "Badge"),
            ("Heading 2", "Accounts"),
            ("table", "System,Owner;VPN,IT"),
            ("Heading 1", "Offboarding"),
            ("Normal", "Return the laptop."),
        ]
    )
    assert [(s.heading_path, s.text) for s in parse_document("hr.docx", content).sections] == [
        ((), "Before headings."),
        (("Onboarding",), "Welcome.\n\n- Laptop\n- Badge"),
        (("Onboarding", "Accounts"), "System | Owner\nVPN | IT"),
        (("Offboarding",), "Return the laptop."),
    ]


def _zip_without(content: bytes, member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info, source.read(info))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"This is not a zip archive at all.",
        make_docx(build=[("Normal", "Text.")])[:700],
        _zip_without(make_docx(build=[("Normal", "Text.")]), "word/document.xml"),
    ],
    ids=["not-a-zip", "truncated-zip", "missing-document-part"],
)
def test_corrupt_docx_is_rejected(content: bytes) -> None:
    with pytest.raises(ParseError) as refused:
        parse_document("broken.docx", content)

    assert str(refused.value).startswith("not a valid Word document")
    assert "open it in Word or LibreOffice, save it again as .docx and upload it again" in str(refused.value)


def test_old_word_doc_renamed_to_docx_is_explained() -> None:
    with pytest.raises(ParseError, match=r"old Word \.doc"):
        parse_document("legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)


# Any format


@pytest.mark.parametrize("extension", SUPPORTED_EXTENSIONS)
@pytest.mark.parametrize("content", [b"", b" \n\t\n"], ids=["zero-bytes", "whitespace"])
def test_empty_file_is_rejected(extension: str, content: bytes) -> None:
    with pytest.raises(ParseError, match="the file is empty"):
        parse_document("blank" + extension, content)


@pytest.mark.parametrize("filename", ["budget.xlsx", "README", "archive.tar.gz", "slides.pptx"])
def test_unsupported_extension_is_rejected(filename: str) -> None:
    with pytest.raises(ParseError, match=r"unsupported file type .*: upload \.md, \.txt, \.html, \.pdf or \.docx"):
        parse_document(filename, b"content")


def test_extension_is_case_insensitive() -> None:
    assert parse("NOTES.MD", "# Hello\n\nWorld.").title == "Hello"


def inflated_docx(*, paragraphs: int = 0, parts: int = 0, padding: int = 0, body: bytes = b"") -> bytes:
    """A real .docx with `paragraphs` empty paragraphs, `parts` extra zip members and `padding` bytes of a
    member that compresses to almost nothing: what a tiny hostile upload looks like. `body` is more of
    word/document.xml's body, before them."""
    src = zipfile.ZipFile(io.BytesIO(make_docx(build=[("Heading 1", "Runbook"), ("Normal", "Restart the service.")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + body + b"<w:p/>" * paragraphs, 1)
            package.writestr(item, data)
        for i in range(parts):
            package.writestr(f"extra/part{i}.xml", b"<a/>")
        if padding:
            package.writestr("word/media/pad.bin", b"\0" * padding)
    return out.getvalue()


def test_many_empty_paragraphs_are_read_with_each_style_looked_up_once() -> None:
    # 50,000 empty paragraphs in 19 KB: python-docx's own style lookup made this take about a minute.
    document = parse_document("runbook.docx", inflated_docx(paragraphs=50_000))

    assert paths(document) == [("Runbook",)] and "Restart the service." in all_text(document)


def one_column_table(*rows: bytes) -> bytes:
    return (
        b"<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid>" + b"".join(b"<w:tr>" + r + b"</w:tr>" for r in rows) + b"</w:tbl>"
    )


def test_a_cell_spanning_columns_is_read_once() -> None:
    # python-docx's row.cells gives a cell once per grid column it spans: this tiny file asked for two million.
    span = b'<w:tc><w:tcPr><w:gridSpan w:val="2000000"/></w:tcPr><w:p><w:r><w:t>VPN</w:t></w:r></w:p></w:tc>'

    document = parse_document("runbook.docx", inflated_docx(body=one_column_table(span)))

    assert all_text(document).count("VPN") == 1


def test_a_long_vertical_merge_is_read_without_walking_it_up() -> None:
    # python-docx's row.cells walks a merged cell up to its first row, recursively: 3,000 rows overflowed the stack.
    first = b'<w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>VPN</w:t></w:r></w:p></w:tc>'
    merged = b"<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>"

    document = parse_document("runbook.docx", inflated_docx(body=one_column_table(first, *[merged] * 3_000)))

    assert all_text(document).count("VPN") == 1 and "Restart the service." in all_text(document)


@pytest.mark.parametrize(
    "hostile, says",
    [
        ({"paragraphs": 100_001}, "more than 100,000 paragraphs"),
        ({"body": one_column_table(*[b"<w:tc><w:p/></w:tc>" * 5_001] * 20)}, "paragraphs and table cells"),
        ({"parts": 2_001}, "parts (at most 2,000)"),
        ({"padding": 201 * 1024 * 1024}, "unpacks to"),
    ],
)
def test_a_docx_over_the_limits_is_refused_with_what_to_do(hostile: dict[str, int], says: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_document("bomb.docx", inflated_docx(**hostile))

    assert says in str(refused.value) and ("split it" in str(refused.value) or "save it again" in str(refused.value))
