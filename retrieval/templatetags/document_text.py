"""`{{ text|as_shown }}`: a document's text as its built page shows it, without a static-site generator's template
tags (retrieval.template_tags), for the pages readers open. The audit keeps and shows the text as it was sent."""

from __future__ import annotations

from django import template

from retrieval.template_tags import readable

register = template.Library()


@register.filter
def as_shown(text: str) -> str:
    return readable(str(text))
