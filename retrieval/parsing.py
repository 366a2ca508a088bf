"""Turn uploaded file bytes into titled, heading-aware sections (pure: no Django, no I/O).

Each format has one parser built on one library: python-frontmatter + markdown-it-py
for Markdown, beautifulsoup4 for HTML, pypdf for PDF and python-docx for Word. Section
text uses one shape everywhere: blocks separated by "\\n\\n", list items as "- item" and
table rows as "cell | cell", consecutive items or rows of one list/table in one block.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

import docx
import frontmatter
import yaml
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table, _Cell
from lxml.etree import XMLSyntaxError
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pypdf import PdfReader
from pypdf.errors import DependencyError, DeprecationError, PyPdfError


@dataclass(frozen=True)
class Section:
    """Text under one heading path; blocks separated by a blank line."""

    heading_path: tuple[str, ...]  # () before the first heading; ("Page 3",) for PDFs
    text: str


@dataclass(frozen=True)
class ParsedDocument:
    """A parsed file; title is None when the file names none (the caller uses the file name)."""

    title: str | None
    sections: tuple[Section, ...]
    media_type: str


class ParseError(Exception):
    """The file cannot be ingested; the message says why in words an uploader understands."""


SUPPORTED_EXTENSIONS = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx")

_DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_TITLE_LINE_MAX = 120
_TXT_WRAP_MIN = 60
# Fuzzing fpdf2 output showed pypdf 7.1 letting damage escape as built-ins, not only
# PyPdfError: NotImplementedError (mangled filter name), DeprecationError, KeyError,
# ValueError, TypeError and AttributeError (an object of the wrong type).
_PDF_ERRORS = (PyPdfError, DeprecationError, NotImplementedError, KeyError, ValueError, TypeError, AttributeError)
# What one .docx may hold: a 500-page manual has about 10,000 paragraphs and 100 parts.
DOCX_MAX_PARTS = 2_000
DOCX_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Paragraphs and table cells read: a bound on the work in the file itself, the same on every worker (a
# paragraph or a cell takes some 15-25 microseconds on a 2-core VM).
DOCX_MAX_BLOCKS = 100_000
_DOCX_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, XMLSyntaxError)
NOT_A_DOCX = (
    "not a valid Word document (the file is damaged or is not a .docx): open it in Word or LibreOffice, "
    "save it again as .docx and upload it again"
)
_HTML_DROPPED = ["script", "style", "noscript", "nav", "header", "footer", "template", "svg", "head"]
_HTML_BLOCKS = {
    *("p", "div", "blockquote", "dt", "dd", "dl", "section", "article", "main", "aside", "body", "html"),
    *("figure", "figcaption", "address", "details", "summary", "form", "fieldset", "center", "ul", "ol", "li"),
}
_HEADING_STYLE = re.compile(r"Heading (\d)")
_TXT_LIST_LINE = re.compile(r"([-*\u2022]|\d+[.)])\s+")
_TXT_CAPS_HEADING = re.compile(r".{1,80}(?<![.!?,;])")


def unsupported_type(filename: str) -> str | None:
    """Why a file of this name cannot be parsed, from its extension alone; None when it can be."""
    extension = PurePath(filename).suffix.lower()
    if extension in SUPPORTED_EXTENSIONS:
        return None
    return f"unsupported file type {extension or '(no extension)'}: upload .md, .txt, .html, .pdf or .docx"


def parse_document(filename: str, content: bytes) -> ParsedDocument:
    """Parse `content` according to the extension of `filename` (case-insensitive).

    Returns the document's own title (None when it has none) and its non-empty sections.
    Raises ParseError for an unsupported extension, an empty file, bytes that do not match
    the format (binary text, damaged PDF/DOCX, password-protected PDF), or no text at all.
    """
    unsupported = unsupported_type(filename)
    if unsupported:
        raise ParseError(unsupported)
    extension = PurePath(filename).suffix.lower()
    if not content.strip():
        raise ParseError("the file is empty")
    if extension in (".md", ".markdown"):
        document = _parse_markdown(content)
    elif extension == ".txt":
        document = _parse_text(content)
    elif extension in (".html", ".htm"):
        document = _parse_html(content)
    elif extension == ".pdf":
        document = _parse_pdf(content)
    else:
        document = _parse_docx(content)
    if not document.sections:
        raise ParseError("no text found in the file")
    return document


def _squash(text: str) -> str:
    return " ".join(text.split())


def _clean_title(value: object) -> str | None:
    if value is None:
        return None
    return _squash(str(value)) or None


def _decode_text(content: bytes) -> str:
    if b"\x00" in content:
        raise ParseError("not a text file (it contains binary data); save it as UTF-8 text")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError("not valid UTF-8 text: save the file as UTF-8 and upload it again") from error


class _SectionBuilder:
    """Collects blocks under the current heading path; one Section per heading with text."""

    def __init__(self) -> None:
        self._headings: list[tuple[int, str]] = []
        self._blocks: list[str] = []
        self._sections: list[Section] = []
        self._list_open = False

    def heading(self, level: int, text: str) -> None:
        text = _squash(text)
        if not text:
            return
        self._flush()
        while self._headings and self._headings[-1][0] >= level:
            self._headings.pop()
        self._headings.append((level, text))

    def paragraph(self, text: str) -> None:
        if text.strip():
            self._blocks.append(text)
            self._list_open = False

    def item(self, text: str, depth: int = 0) -> None:
        text = _squash(text)
        if not text:
            return
        line = "  " * depth + "- " + text
        if self._list_open:
            self._blocks[-1] += "\n" + line
        else:
            self._blocks.append(line)
            self._list_open = True

    def table(self, rows: Iterable[list[str]]) -> None:
        lines = [" | ".join(cells).rstrip() for cells in rows if any(cells)]
        self.paragraph("\n".join(lines))

    def finish(self) -> tuple[Section, ...]:
        self._flush()
        return tuple(self._sections)

    def _flush(self) -> None:
        if self._blocks:
            path = tuple(text for _, text in self._headings)
            self._sections.append(Section(path, "\n\n".join(self._blocks)))
        self._blocks = []
        self._list_open = False


def _markdown_inline(token: Token) -> str:
    # Images and raw inline HTML (comments included) carry no readable text.
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return _squash("".join(parts))


def _parse_markdown(content: bytes) -> ParsedDocument:
    try:
        post = frontmatter.loads(_decode_text(content))
    except yaml.YAMLError as error:
        raise ParseError("the front matter between the leading '---' lines is not valid YAML") from error
    tokens = MarkdownIt("commonmark").enable("table").parse(post.content)
    builder = _SectionBuilder()
    title = _clean_title(post.metadata.get("title"))
    list_depth = 0
    row: list[str] = []
    rows: list[list[str]] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            heading = _markdown_inline(tokens[index + 1])
            if title is None and token.tag == "h1":
                title = heading or None
            builder.heading(int(token.tag[1:]), heading)
        elif token.type.endswith("_list_open") or token.type.endswith("_list_close"):
            list_depth += token.nesting
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            rows.append(row)
        elif token.type == "table_close":
            builder.table(rows)
            rows = []
        elif token.type == "inline" and index > 0:
            opener = tokens[index - 1].type
            if opener in ("th_open", "td_open"):
                row.append(_markdown_inline(token))
            elif opener == "paragraph_open" and list_depth:
                builder.item(_markdown_inline(token), list_depth - 1)
            elif opener == "paragraph_open":
                builder.paragraph(_markdown_inline(token))
        elif token.type in ("fence", "code_block"):
            builder.paragraph(token.content.strip("\n").rstrip())
        elif token.type == "html_block":
            # get_text() skips comments and <script>/<style> contents.
            builder.paragraph(_inline_text(BeautifulSoup(token.content, "html.parser")))
    return ParsedDocument(title, builder.finish(), "text/markdown")


def _parse_text(content: bytes) -> ParsedDocument:
    text = _decode_text(content)
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = first_line if len(first_line) < _TITLE_LINE_MAX else None
    builder = _SectionBuilder()
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        block_lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not block_lines:
            continue
        # Headings as in Markdown's setext style: underlined with === (level 1) or --- (level 2);
        # a short ALL CAPS line alone is level 1.
        if len(block_lines) >= 2 and re.fullmatch(r"=+|-+", block_lines[1]) and len(block_lines[1]) >= 3:
            builder.heading(1 if block_lines[1][0] == "=" else 2, block_lines[0])
            block_lines = block_lines[2:]
        elif len(block_lines) == 1 and _TXT_CAPS_HEADING.fullmatch(block_lines[0]) and block_lines[0].isupper():
            builder.heading(1, block_lines[0])
            continue
        builder.paragraph(_join_text_lines(block_lines))
    return ParsedDocument(title, builder.finish(), "text/plain")


def _join_text_lines(lines: list[str]) -> str:
    # Prose in .txt files is often hard-wrapped: a line continues the previous one when that
    # one was long enough to have been wrapped; list items and short lines keep their break.
    joined: list[str] = []
    previous = ""
    for line in lines:
        marker = _TXT_LIST_LINE.match(line)
        if marker:
            bullet = marker.group(1) in "-*\u2022"
            joined.append("- " + _squash(line[marker.end() :]) if bullet else _squash(line))
        elif joined and len(previous) >= _TXT_WRAP_MIN:
            joined[-1] += " " + _squash(line)
        else:
            joined.append(_squash(line))
        previous = line
    return "\n".join(joined)


def _inline_text(tag: Tag) -> str:
    # A get_text() separator would also split "<b>Total</b>:", so only <br> becomes a space.
    for line_break in tag.find_all("br"):
        line_break.replace_with(" ")
    return _squash(tag.get_text())


class _HtmlWalker:
    def __init__(self) -> None:
        self.builder = _SectionBuilder()
        self.first_h1: str | None = None
        self._buffer: list[str] = []
        self._item_depth = 0

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):  # comments, doctype, CDATA
                    self._buffer.append(str(child))
            elif isinstance(child, Tag):
                self._element(child)

    def _element(self, tag: Tag) -> None:
        name = tag.name
        if re.fullmatch(r"h[1-6]", name):
            self._flush()
            text = _inline_text(tag)
            if name == "h1" and self.first_h1 is None:
                self.first_h1 = text or None
            self.builder.heading(int(name[1]), text)
        elif name == "table":
            self._flush()
            self.builder.table(
                [_inline_text(cell) for cell in row.find_all(["td", "th"], recursive=False)]
                for row in tag.find_all("tr")
            )
        elif name == "pre":
            self._flush()
            self.builder.paragraph(tag.get_text().strip("\n").rstrip())
        elif name == "br":
            self._buffer.append(" ")
        elif name in _HTML_BLOCKS:
            self._flush()
            self._item_depth += name == "li"
            self.walk(tag)
            self._flush()
            self._item_depth -= name == "li"
        else:
            self.walk(tag)

    def _flush(self) -> None:
        text = _squash("".join(self._buffer))
        self._buffer = []
        if text and self._item_depth:
            self.builder.item(text, self._item_depth - 1)
        elif text:
            self.builder.paragraph(text)

    def finish(self) -> tuple[Section, ...]:
        self._flush()
        return self.builder.finish()


def _parse_html(content: bytes) -> ParsedDocument:
    if b"\x00" in content:
        raise ParseError("not an HTML file (it contains binary data)")
    # Given bytes, BeautifulSoup honours <meta charset> and BOMs when decoding.
    soup = BeautifulSoup(content, "html.parser")
    title = _clean_title(soup.title.get_text()) if soup.title else None
    for tag in soup.find_all(_HTML_DROPPED):
        tag.decompose()
    walker = _HtmlWalker()
    walker.walk(soup)
    return ParsedDocument(title or walker.first_h1, walker.finish(), "text/html")


def _parse_pdf(content: bytes) -> ParsedDocument:
    # The PDF spec lets readers accept the header anywhere in the first 1024 bytes.
    if b"%PDF-" not in content[:1024]:
        raise ParseError("not a valid PDF (file is damaged or not a PDF)")
    try:
        reader = PdfReader(BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError("the PDF is password-protected: remove the password and upload it again")
        raw_title = reader.metadata.title if reader.metadata else None
        pages = [page.extract_text() for page in reader.pages]
    except DependencyError as error:
        raise ParseError("the PDF is encrypted: remove the protection and upload it again") from error
    except _PDF_ERRORS as error:
        raise ParseError("not a valid PDF (file is damaged or not a PDF)") from error
    texts = [_normalise_pdf_text(raw) for raw in pages]
    sections = tuple(Section((f"Page {number}",), text) for number, text in enumerate(texts, start=1) if text)
    if not sections:
        raise ParseError("the PDF has no extractable text (scanned image?)")
    return ParsedDocument(_clean_title(raw_title), sections, "application/pdf")


def _normalise_pdf_text(raw: str) -> str:
    text = re.sub(r"[\x00-\x08\x0e-\x1f]", "", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub(r"(\w)-\n\s*([a-z])", r"\1\2", text)
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text):
        # Line breaks inside a PDF paragraph are layout, not structure.
        joined = " ".join(_squash(line) for line in block.split("\n") if line.strip())
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


def _check_docx_package(content: bytes) -> None:
    """Refuse a .docx whose zip holds too many parts or unpacks to too much (a zip bomb), before any of
    it is decompressed: the sizes come from the zip's own directory."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise ParseError(NOT_A_DOCX) from error
    if len(parts) > DOCX_MAX_PARTS:
        raise ParseError(f"the document has {len(parts):,} parts (at most {DOCX_MAX_PARTS:,}); save it again in Word")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > DOCX_MAX_UNPACKED_BYTES:
        raise ParseError(
            f"the document unpacks to {unpacked:,} bytes (at most {DOCX_MAX_UNPACKED_BYTES:,}); "
            "split it into smaller documents"
        )


def _parse_docx(content: bytes) -> ParsedDocument:
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ParseError("this is an old Word .doc file: save it as .docx and upload it again")
    if not content.startswith(b"PK\x03\x04"):
        raise ParseError(NOT_A_DOCX)
    _check_docx_package(content)
    try:
        document = docx.Document(BytesIO(content))
    except _DOCX_ERRORS as error:
        raise ParseError(NOT_A_DOCX) from error
    builder = _SectionBuilder()
    title = _clean_title(document.core_properties.title)
    # python-docx looks a paragraph's style up by scanning every style: read them into a dict once.
    style_names = {style.style_id: style.name or "" for style in document.styles}
    default_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    default_name = default_style.name or "" if default_style is not None else ""
    read = 0
    for block in document.iter_inner_content():
        read += int(block._tbl.xpath("count(./w:tr/w:tc)")) if isinstance(block, Table) else 1
        if read > DOCX_MAX_BLOCKS:
            raise ParseError(
                f"the document has more than {DOCX_MAX_BLOCKS:,} paragraphs and table cells; "
                "split it into smaller documents"
            )
        if isinstance(block, Table):
            # Each <w:tc> once: python-docx's row.cells repeats a cell over its gridSpan (a tiny file can ask
            # for millions) and walks a vertical merge up row by row (quadratic, and past the recursion limit).
            builder.table([_squash(_Cell(tc, block).text) for tc in tr.tc_lst] for tr in block._tbl.tr_lst)
            continue
        style_id = block._p.style  # the pStyle value; python-docx has no public accessor that avoids the scan
        style = style_names.get(style_id, default_name) if style_id is not None else default_name
        heading = _HEADING_STYLE.fullmatch(style)
        if style == "Title" or heading:
            level = int(heading.group(1)) if heading else 0
            if title is None and level <= 1:
                title = _clean_title(block.text)
            builder.heading(level, block.text)
        elif style.startswith("List"):
            builder.item(block.text)
        else:
            builder.paragraph(_squash(block.text))
    return ParsedDocument(title, builder.finish(), _DOCX_MEDIA_TYPE)
