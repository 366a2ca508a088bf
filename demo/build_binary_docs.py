"""Build the binary documents (.docx, .pdf) of the demo corpus from Markdown-ish sources.

Each file demo/sources/<name>.md starts with YAML front matter:

    ---
    title: Month-End Close Procedure
    format: pdf            # docx, pdf, or "docx, pdf"
    owner: Finance - Controller
    version: 6.2
    last_reviewed: 2025-02-03
    ---

followed by a small Markdown subset: "#", "##", "###" headings, paragraphs,
"- " bullets, "1. " numbered items, "|" tables and ``` fenced code blocks;
inline **bold** and `code` are supported.

The script writes demo/corpus/<name>.docx (python-docx, real Heading 1/2/3
styles, core_properties.title set) and/or demo/corpus/<name>.pdf (fpdf2, core
fonts only, so the text must be latin-1; title metadata set).  Output is
reproducible: timestamps come from `last_reviewed`, not from the clock.

Usage (from the repository root):

    .venv/bin/python demo/build_binary_docs.py            # every source
    .venv/bin/python demo/build_binary_docs.py month-end-close-procedure
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEMO_DIR = Path(__file__).resolve().parent
SOURCES_DIR = DEMO_DIR / "sources"
CORPUS_DIR = DEMO_DIR / "corpus"
COMPANY = "Quillfern Systems, Inc."
FORMATS = ("docx", "pdf")


# --------------------------------------------------------------------------- parsing


@dataclass
class Block:
    kind: str  # heading | paragraph | bullet | number | table | code
    text: str = ""
    level: int = 0  # heading level
    rows: list[list[str]] = field(default_factory=list)  # table rows, header first


@dataclass
class Source:
    name: str
    meta: dict
    blocks: list[Block]

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def formats(self) -> list[str]:
        raw = self.meta.get("format", "docx")
        values = raw if isinstance(raw, list) else str(raw).split(",")
        formats = [value.strip().lower() for value in values if value.strip()]
        unknown = sorted(set(formats) - set(FORMATS))
        if unknown:
            raise ValueError(f"{self.name}: unknown format(s) {unknown}; use {FORMATS}")
        return formats

    @property
    def date(self) -> dt.datetime:
        value = self.meta.get("last_reviewed", "2025-01-01")
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return dt.datetime(day.year, day.month, day.day, 9, 0, 0, tzinfo=dt.UTC)

    @property
    def meta_line(self) -> str:
        parts = []
        if self.meta.get("owner"):
            parts.append(f"Owner: {self.meta['owner']}")
        if self.meta.get("version"):
            parts.append(f"Version {self.meta['version']}")
        if self.meta.get("last_reviewed"):
            parts.append(f"Last reviewed {self.meta['last_reviewed']}")
        return ". ".join(parts) + ("." if parts else "")


FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
NUMBERED = re.compile(r"^\d+\.\s+(.*)$")
TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def parse_source(path: Path) -> Source:
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    if not match:
        raise ValueError(f"{path}: missing YAML front matter")
    meta = yaml.safe_load(match.group(1)) or {}
    if not meta.get("title"):
        raise ValueError(f"{path}: front matter has no title")
    return Source(path.stem, meta, parse_blocks(text[match.end() :]))


def parse_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    lines = text.splitlines()

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(line.strip() for line in paragraph)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            blocks.append(Block("code", "\n".join(_dedent(code))))
        elif not stripped:
            flush()
        elif stripped.startswith("#"):
            flush()
            hashes, _, heading = stripped.partition(" ")
            blocks.append(Block("heading", heading.strip(), level=min(len(hashes), 3)))
        elif stripped.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                row = lines[i].strip()
                if not TABLE_RULE.match(row):
                    rows.append([cell.strip() for cell in row.strip("|").split("|")])
                i += 1
            blocks.append(Block("table", rows=rows))
            continue
        elif stripped.startswith(("- ", "* ")):
            flush()
            blocks.append(Block("bullet", stripped[2:].strip()))
        elif NUMBERED.match(stripped):
            flush()
            blocks.append(Block("number", NUMBERED.match(stripped).group(1).strip()))
        elif line.startswith("   ") and blocks and blocks[-1].kind in ("bullet", "number") and not paragraph:
            blocks[-1].text += " " + stripped  # continuation of a list item
        else:
            paragraph.append(line)
        i += 1
    flush()
    return blocks


def _dedent(lines: list[str]) -> list[str]:
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return [line[cut:] for line in lines]


INLINE = re.compile(r"(\*\*.+?\*\*|`[^`]+`)")


def inline_runs(text: str) -> list[tuple[str, str]]:
    """Split text into (style, text) runs; style is '', 'bold' or 'code'."""
    runs = []
    for part in INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            runs.append(("bold", part[2:-2]))
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            runs.append(("code", part[1:-1]))
        else:
            runs.append(("", part))
    return runs


def plain(text: str) -> str:
    return "".join(run for _, run in inline_runs(text))


# --------------------------------------------------------------------------- docx


def build_docx(source: Source, out: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    props = document.core_properties
    props.title = source.title
    props.author = f"{COMPANY} - {source.meta.get('owner', '')}".rstrip(" -")
    props.subject = "Demo corpus for Sluice"
    props.keywords = "Quillfern, demo, Sluice"
    props.last_modified_by = props.author
    props.created = source.date.replace(tzinfo=None)
    props.modified = source.date.replace(tzinfo=None)
    props.revision = 1

    first_heading = True
    for block in source.blocks:
        if block.kind == "heading":
            document.add_heading(plain(block.text), level=block.level)
            if block.level == 1 and first_heading and source.meta_line:
                meta = document.add_paragraph()
                meta.add_run(source.meta_line).italic = True
            first_heading = False
        elif block.kind in ("paragraph", "bullet", "number"):
            style = {"paragraph": None, "bullet": "List Bullet", "number": "List Number"}[block.kind]
            paragraph = document.add_paragraph(style=style)
            for kind, text in inline_runs(block.text):
                run = paragraph.add_run(text)
                if kind == "bold":
                    run.bold = True
                elif kind == "code":
                    run.font.name = "Courier New"
        elif block.kind == "code":
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            run.font.name = "Courier New"
            run.font.size = Pt(9)
        elif block.kind == "table":
            columns = max(len(row) for row in block.rows)
            table = document.add_table(rows=len(block.rows), cols=columns)
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c in range(columns):
                    cell = table.cell(r, c)
                    cell.text = plain(row[c]) if c < len(row) else ""
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True

    buffer = io.BytesIO()
    document.save(buffer)
    out.write_bytes(_stable_zip(buffer.getvalue(), source.date))


def _stable_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a zip with fixed member timestamps so rebuilds are byte-identical."""
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- pdf

LATIN1_REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u2022": "-",
    "\u00a0": " ",
    "\u2192": "->",
}


def latin1(text: str, where: str) -> str:
    for bad, good in LATIN1_REPLACEMENTS.items():
        text = text.replace(bad, good)
    try:
        text.encode("latin-1")
    except UnicodeEncodeError as error:
        raise ValueError(f"{where}: not latin-1 (PDF core fonts): {text[error.start : error.end]!r}") from None
    return text


def build_pdf(source: Source, out: Path) -> None:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    def t(text: str) -> str:
        return latin1(plain(text), source.name)

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "I", 8)
            self.set_text_color(110)
            self.cell(0, 10, t(f"{COMPANY} - {source.title} - page {self.page_no()}"), align="C")
            self.set_text_color(0)

    pdf = Pdf(format="Letter")
    pdf.set_title(t(source.title))
    pdf.set_author(t(f"{COMPANY} - {source.meta.get('owner', '')}".rstrip(" -")))
    pdf.set_subject("Demo corpus for Sluice")
    pdf.set_keywords("Quillfern, demo, Sluice")
    pdf.set_creator("demo/build_binary_docs.py")
    pdf.set_creation_date(source.date)
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    heading_sizes = {1: 18, 2: 14, 3: 12}
    number = 0
    first_heading = True
    for block in source.blocks:
        if block.kind != "number":
            number = 0
        if block.kind == "heading":
            pdf.ln(4 if block.level > 1 else 0)
            pdf.set_font("Helvetica", "B", heading_sizes[block.level])
            pdf.multi_cell(0, heading_sizes[block.level] * 0.5, t(block.text), **line)
            pdf.ln(1.5)
            if block.level == 1 and first_heading and source.meta_line:
                pdf.set_font("Helvetica", "I", 9)
                pdf.multi_cell(0, 5, t(source.meta_line), **line)
                pdf.ln(2)
            first_heading = False
        elif block.kind == "paragraph":
            pdf.set_font("Helvetica", "", 10.5)
            pdf.multi_cell(0, 5.2, t(block.text), **line)
            pdf.ln(2)
        elif block.kind in ("bullet", "number"):
            number += 1
            marker = "-" if block.kind == "bullet" else f"{number}."
            pdf.set_font("Helvetica", "", 10.5)
            pdf.set_x(pdf.l_margin + 4)
            pdf.cell(7, 5.2, marker)
            pdf.multi_cell(0, 5.2, t(block.text), **line)
            pdf.ln(0.8)
        elif block.kind == "code":
            pdf.set_font("Courier", "", 9)
            pdf.set_fill_color(240)
            pdf.multi_cell(0, 4.6, latin1(block.text, source.name), fill=True, **line)
            pdf.ln(2)
        elif block.kind == "table":
            pdf.set_font("Helvetica", "", 9.5)
            columns = max(len(row) for row in block.rows)
            # Column widths in proportion to the longest text in each column (bounded).
            widths = [
                min(max(len(plain(row[c])) if c < len(row) else 0 for row in block.rows), 60) + 6
                for c in range(columns)
            ]
            with pdf.table(col_widths=widths, text_align="LEFT", line_height=5, first_row_as_headings=True) as table:
                for row in block.rows:
                    cells = table.row()
                    for c in range(columns):
                        cells.cell(t(row[c]) if c < len(row) else "")
            pdf.ln(3)

    pdf.output(str(out))


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="source names (default: every demo/sources/*.md)")
    args = parser.parse_args(argv)

    paths = [SOURCES_DIR / f"{name.removesuffix('.md')}.md" for name in args.names] or sorted(SOURCES_DIR.glob("*.md"))
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    builders = {"docx": build_docx, "pdf": build_pdf}
    for path in paths:
        source = parse_source(path)
        for fmt in source.formats:
            out = CORPUS_DIR / f"{source.name}.{fmt}"
            builders[fmt](source, out)
            print(f"wrote {out.relative_to(DEMO_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
