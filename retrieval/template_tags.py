"""Template tags of static-site generators, read as the built page shows them.

Handbooks kept as Markdown for Jekyll or Hugo hold tags no reader of the built site sees: "{% page "/travel/" %}"
as a link's address, "{% slack_channel "admins-github" %}" for a channel, "{{< ref "ops/guide.md" >}}",
"{% alert %}" around a note. Ingestion keeps them as written (the index, its scores and the passages sent to a model
are the file's text: cleaning them at ingestion was measured and not kept, docs/answer-quality.md, and the audit
shows what was sent); the extractive answer quotes a sentence, and the passage page shows a document
(`{{ text|as_shown }}`, retrieval/templatetags/document_text.py), through `readable`:

- a link whose address is such a tag keeps its text ("[get reimbursement]({% page "/travel/" %})" is "get
  reimbursement"; its address holds spaces, so Markdown never read it as a link);
- a tag that names a chat channel is the channel ("#admins-github");
- any other tag ("{% alert "info" %}", "{{< figure src="map.png" >}}") is dropped.

Text in backticks is left as written ("`helm get values {{ .Release.Name }}`" is the command's own), and so is a
Liquid variable in prose ("{{ first_name }}": it may be what the page explains). Pure: no Django, no I/O.
"""

from __future__ import annotations

import re

_TAG = r"\{%.*?%\}|\{\{[<%].*?[>%]\}\}"
_LINK = re.compile(rf"\[([^\]]*)\]\(\s*(?:{_TAG})[^)]*\)")
_CHANNEL = re.compile(r"\{%-?\s*\w*channel\s+[\"']#?([\w.-]+)[\"'][^%]*%\}")
_ANY = re.compile(_TAG)
_CODE = re.compile(r"(`[^`]*`)")
_SPACES = re.compile(r"[ \t]{2,}")


def readable(text: str) -> str:
    """`text` without the template tags of its prose, as the module says; text without a tag is returned as it is."""
    if "{%" not in text and "{{" not in text:
        return text
    pieces = _CODE.split(text)  # odd pieces are code
    for i in range(0, len(pieces), 2):
        piece = _CHANNEL.sub(r"#\1", _LINK.sub(r"\1", pieces[i]))
        pieces[i] = _SPACES.sub(" ", _ANY.sub("", piece))
    return "".join(pieces).strip()
