"""The answer checked on its way back to the reader (docs/inspection.md, "What comes back").

Two checks, on the answer as restored (placeholders put back), before it is shown, kept or cached:

- **Identifiers from nowhere.** The answer is inspected (document mode, no name model: names are not
  identifiers here). A secret in it that is not in the question, or any other identifier (e-mail, phone,
  card, IBAN, SSN, IP address, the policy's custom patterns) that is in neither the question nor the
  passages used, came from the model's memory or from an instruction planted in a passage: the whole
  answer is withheld. An answer that only quotes its passages (the in-process extractive backend) may
  quote their secrets too.
- **Links.** Every URL a renderer could turn into a link or a fetch (Markdown links and images,
  autolinks, `<a>`, `<img>` and other HTML tags, bare `http(s)://`, `//host` and `www.` URLs) whose host
  is not allowed loses its URL: an image is replaced by a marker, a link keeps its text and gets a marker,
  a bare URL becomes the marker. Allowed are the hosts of the allow-list and any URL that appears verbatim
  in a passage used (a runbook's own link; not one the model extended with data).

URLs are found with one regular expression over those forms and parsed with `urllib.parse`. A Markdown
parser (markdown-it-py, which ingestion uses) was not used: the answer must come back as written, markers
aside, and its tokens do not give back the spans to rewrite; it finds only what CommonMark renders, not
what other renderers do (GFM's `www.` links, HTML an API client lets through); and what is left over is
caught by the bare-URL pattern anyway, so the regex errs on the side of removing.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import html
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from inspection import CustomPattern, Finding, inspect_text
from inspection.findings import CUSTOM_PREFIX
from inspection.normalise import normalise

# What an answer may not quote from nowhere; names and addresses are not identifiers for this check.
IDENTIFIER_KINDS = frozenset({"email", "phone", "payment_card", "iban", "ssn", "ip_address", "secret"})
_WORDS = {
    "email": "an e-mail address",
    "phone": "a phone number",
    "payment_card": "a payment card number",
    "iban": "an IBAN",
    "ssn": "a social security number",
    "ip_address": "an IP address",
    "secret": "a secret (a key, token or password)",
}
# Markdown's link text may hold one level of brackets (an image inside a link: a badge).
_LABEL = r"(?:[^\[\]]|\[[^\[\]]*\])*"
# A Markdown destination: <anything> or a run without spaces, with balanced parentheses one level deep.
_DEST = r"<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*"
_TITLE = r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?"
# A URL as renderers find one in plain text (GFM's autolinks, linkify-it): http(s) or ftp, a scheme-relative
# //host, or www. Other schemes in plain text (postgres://…) are not made links.
_BARE = r"\b(?:https?|ftps?)://[^\s<>\"'`]+|(?<![\w/:])//[\w\[][^\s<>\"'`]*|\bwww\.[\w\-]+\.[^\s<>\"'`]+"
_FORMS = re.compile(
    rf"!\[(?P<alt>{_LABEL})\]\(\s*(?P<image>{_DEST}){_TITLE}\s*\)"
    rf"|\[(?P<text>{_LABEL})\]\(\s*(?P<link>{_DEST}){_TITLE}\s*\)"
    # A tag or a link's text ends at the next tag's start: each is scanned once, however the answer is written.
    r"|<a\b(?P<a_attrs>[^<>]*)>(?P<a_text>(?:[^<]|<(?!/?a\b))*)</a\s*>"
    r"|<(?P<auto>[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>"
    r"|<(?P<tag>[A-Za-z][A-Za-z0-9\-]*)\b(?P<attrs>[^<>]*)>"
    rf"|(?P<bare>{_BARE})",
    re.IGNORECASE,
)
_BARE_URL = re.compile(_BARE, re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
# HTML attributes whose value a browser fetches or follows (srcset holds several, with descriptors).
_URL_ATTRIBUTES = frozenset({
    "href", "src", "srcset", "poster", "data", "action", "formaction", "background", "cite", "longdesc", "lowsrc",
    "dynsrc", "ping", "codebase", "manifest", "icon", "xlink:href",
})  # fmt: skip
_TRAILING = ".,:;!?'\"*_~"
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_HOST = re.compile(r"(?:\*?\.)?[a-z0-9\-]+(?:\.[a-z0-9\-]+)*")


@dataclass(frozen=True)
class LinkHosts:
    """The hosts an answer may link to: `exact` ones, and the domains in `domains` with their subdomains."""

    exact: frozenset[str] = frozenset()
    domains: tuple[str, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> LinkHosts:
        """From entries as settings.ANSWER_LINK_HOSTS holds them: `docs.example.com` allows that host;
        `.example.com` or `*.example.com` allows example.com and its subdomains (as Django's ALLOWED_HOSTS
        reads a leading dot). Raises ValueError for an entry that is not a host name."""
        exact, domains = set(), []
        for entry in entries:
            host = entry.strip().lower().rstrip(".")
            if not _HOST.fullmatch(host):
                raise ValueError(
                    f"{entry!r} is not a host name: write docs.example.com, or .example.com for it and its subdomains"
                )
            if host.startswith(("*.", ".")):
                domains.append(host.lstrip("*."))
            else:
                exact.add(host)
        return cls(frozenset(exact), tuple(domains))

    def allows(self, host: str) -> bool:
        return host in self.exact or any(host == d or host.endswith("." + d) for d in self.domains)


@dataclass(frozen=True)
class CheckedAnswer:
    """The answer as the reader may see it. `withheld` is the kind of identifier that withheld it ("" when
    it was not); `links_removed` counts the URLs taken out."""

    text: str
    withheld: str = ""
    links_removed: int = 0

    @property
    def reason(self) -> str:
        """Why the text differs from the answer as written, for the reader ("" when it does not)."""
        if self.withheld:
            return f"The answer was withheld: it quoted {_unsourced(self.withheld, 'your question')}."
        if self.links_removed:
            return "Links to hosts that are not allowed were taken out of the answer."
        return ""

    @property
    def withheld_reason(self) -> str:
        """Why it was withheld, for the audit: the kind of identifier, never its value ("" when it was not)."""
        return f"The answer quoted {_unsourced(self.withheld, 'the question')}." if self.withheld else ""


def check_answer(
    text: str,
    *,
    question: str,
    passages: Sequence[str],
    hosts: LinkHosts,
    custom: Sequence[CustomPattern] = (),
    quotes_passages: bool = False,
) -> CheckedAnswer:
    """`text` (the answer, restored) as the reader may see it: withheld when it holds an identifier that did
    not come from `question` or `passages` (the texts of the passages used, titles included), else with
    every link to a host not allowed taken out. `quotes_passages`: the answer is made of the passages' own
    sentences, so their secrets may be in it too. Raises `re.error` if a custom pattern does not compile."""
    kind = unsourced_identifier(
        text, question=question, passages=passages, custom=custom, secrets_from_passages=quotes_passages
    )
    if kind:
        return CheckedAnswer(withheld_notice(kind), withheld=kind)
    checked, removed = neutralise_links(text, sources="\n".join(passages), hosts=hosts)
    return CheckedAnswer(checked, links_removed=removed)


def withheld_notice(kind: str) -> str:
    """What the reader is shown instead of an answer withheld for an identifier of `kind`."""
    return (
        f"This answer was withheld: it quoted {_unsourced(kind, 'your question')}. "
        "Ask again, perhaps in other words, or contact an admin if it happens again."
    )


def _unsourced(kind: str, question: str) -> str:
    if kind.startswith(CUSTOM_PREFIX):
        name = kind.removeprefix(CUSTOM_PREFIX).replace("_", " ")
        what = f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name} (an identifier of the policy)"
    else:
        what = _WORDS.get(kind, "an identifier")
    if kind == "secret":
        return f"{what} that was not in {question}"
    return f"{what} that was neither in {question} nor in the documents used"


# Identifiers


def unsourced_identifier(
    text: str,
    *,
    question: str,
    passages: Sequence[str],
    custom: Sequence[CustomPattern] = (),
    secrets_from_passages: bool = False,
) -> str:
    """The kind of the first identifier in `text` that came from neither `question` nor `passages` (a
    secret: not from `question`, unless `secrets_from_passages`); "" when every one did.

    An identifier came from a text when it is there as written (Unicode folded, whole: not inside a longer
    token), or when the text holds one of its kind with the same value: digits for cards and SSNs, digits
    without the extension, trunk or country code for phones, letters and digits for IBANs, case-folded
    e-mail addresses and custom identifiers, the address itself for IPs. Loopback and unspecified IP
    addresses (127.0.0.1, 0.0.0.0, ::1) identify nobody and are not checked.
    """
    found = [f for f in inspect_text(text, custom=custom, names=False) if _checked_kind(f.kind)]
    found = [f for f in found if not (f.kind == "ip_address" and _identifies_nobody(text[f.start : f.end]))]
    if not found:
        return ""
    sources = _Sources(question, passages, custom)
    for finding in found:
        value = text[finding.start : finding.end]
        only_question = finding.kind == "secret" and not secrets_from_passages
        if not sources.hold(finding.kind, value, only_question=only_question):
            return finding.kind
    return ""


def _checked_kind(kind: str) -> bool:
    return kind in IDENTIFIER_KINDS or kind.startswith(CUSTOM_PREFIX)


def _identifies_nobody(value: str) -> bool:
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


class _Sources:
    """The question and the passages, read as the identifiers are compared: folded, and inspected (each
    once, only when an identifier is not there as written)."""

    def __init__(self, question: str, passages: Sequence[str], custom: Sequence[CustomPattern]) -> None:
        self.texts = [question, *passages]
        self.normalised = [normalise(t).text for t in self.texts]
        self.folded = [t.casefold() for t in self.normalised]
        self.custom = custom
        self._findings: dict[int, list[Finding]] = {}

    def hold(self, kind: str, value: str, *, only_question: bool) -> bool:
        indexes = range(1 if only_question else len(self.texts))
        needle = normalise(value).text.strip()
        if kind == "secret":
            return any(_contains_whole(self.normalised[i], needle) for i in indexes)
        if any(_contains_whole(self.folded[i], needle.casefold()) for i in indexes):
            return True
        key = _key(kind, needle)
        return any(
            f.kind == kind and _same(kind, key, _key(kind, self.normalised[i][f.start : f.end]))
            for i in indexes
            for f in self.findings(i)
        )

    def findings(self, i: int) -> list[Finding]:
        """The findings of text `i`, in the normalised text's offsets."""
        if i not in self._findings:
            # Inspected as normalised: the same text for the detectors, offsets that index `normalised`.
            question = i == 0
            self._findings[i] = inspect_text(self.normalised[i], custom=self.custom, question=question, names=False)
        return self._findings[i]


def _contains_whole(haystack: str, needle: str) -> bool:
    """`needle` in `haystack`, not as part of a longer word or number."""
    start = haystack.find(needle) if needle else -1
    while start != -1:
        end = start + len(needle)
        before = haystack[start - 1] if start else " "
        after = haystack[end] if end < len(haystack) else " "
        if not (needle[0].isalnum() and before.isalnum()) and not (needle[-1].isalnum() and after.isalnum()):
            return True
        start = haystack.find(needle, start + 1)
    return False


def _key(kind: str, value: str) -> str:
    """The value of an identifier, whatever way it was written (see `unsourced_identifier`)."""
    if kind in ("payment_card", "ssn"):
        return re.sub(r"\D", "", value)
    if kind == "phone":
        # The extension goes with the first letter or '#' ("x12", "ext. 12"); leading zeros are a trunk or
        # international prefix ("0044 20 …", "020 …").
        return re.sub(r"\D", "", re.split(r"[A-Za-z#]", value, maxsplit=1)[0]).lstrip("0")
    if kind == "iban":
        return re.sub(r"[^0-9A-Za-z]", "", value).upper()
    if kind == "ip_address":
        try:
            return ipaddress.ip_address(value.strip("[]")).compressed
        except ValueError:
            return value.casefold()
    return value.casefold()


def _same(kind: str, a: str, b: str) -> bool:
    if kind == "phone":
        # With and without a country code: one ends with the other, and the shorter is a whole number.
        shorter, longer = sorted((a, b), key=len)
        return len(shorter) >= 7 and longer.endswith(shorter)
    return a == b


# Links


def neutralise_links(text: str, *, sources: str, hosts: LinkHosts) -> tuple[str, int]:
    """`text` with every URL whose host `hosts` does not allow, and that is not verbatim in `sources`, taken
    out (see the module's docstring); and how many were."""
    removed = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal removed
        form, whole = match.lastgroup, match.group(0)
        text_group, what, after = None, "link", ""  # a link's text keeps; what follows a bare URL stays
        if form == "bare":
            url = whole.rstrip(_TRAILING)
            while url.endswith(")") and url.count(")") > url.count("("):
                url = url[:-1]
            refusal, after = _refusal(url, sources, hosts, bare=True), whole[len(url) :]
        elif form == "auto":
            refusal = _refusal(match.group("auto"), sources, hosts)
        elif form == "image":
            refusal, what = _destination_refusal(match.group("image"), sources, hosts), "image"
        elif form == "link":
            refusal, text_group = _destination_refusal(match.group("link"), sources, hosts), "text"
        elif form == "a_text":
            refusal, text_group = _tag_refusal(match.group("a_attrs"), sources, hosts), "a_text"
        else:
            refusal = _tag_refusal(match.group("attrs"), sources, hosts)
            if match.group("tag").lower() in ("img", "image", "picture", "source", "svg"):
                what = "image"
        inner = ""
        if text_group:
            # The text of a link may hold links and images itself (a badge): judged on their own.
            inner, n = neutralise_links(match.group(text_group), sources=sources, hosts=hosts)
            removed += n
        if not refusal:
            return _with_group(match, text_group, inner) if text_group else whole
        removed += 1
        return f"{inner + ' ' if text_group else ''}[{what} removed: {refusal}]{after}"

    return _FORMS.sub(replace, text), removed


def _with_group(match: re.Match[str], group: str, replacement: str) -> str:
    """The whole match with one of its groups replaced."""
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    whole = match.group(0)
    return whole[:start] + replacement + whole[end:]


def _destination_refusal(destination: str, sources: str, hosts: LinkHosts) -> str:
    """`_refusal` for a Markdown link destination, read as a renderer reads it: brackets off, backslash
    escapes and entities undone. As written in a passage, it may stay."""
    if destination and destination in sources:
        return ""
    if destination.startswith("<") and destination.endswith(">"):
        destination = destination[1:-1]
    return _refusal(html.unescape(_MARKDOWN_ESCAPE.sub(r"\1", destination)), sources, hosts)


def _tag_refusal(attributes: str, sources: str, hosts: LinkHosts) -> str:
    """Why an HTML tag may not stay ("" when it may): a URL in one of its URL attributes, or anywhere in
    it (a style's url(…), a meta refresh), that is not allowed."""
    unescaped = html.unescape(attributes)
    urls = []
    for m in _ATTRIBUTE.finditer(attributes):
        name, value = m.group(1).lower(), html.unescape(next(v for v in m.groups()[1:] if v is not None))
        if name == "srcset":
            urls += [candidate.split()[0] for candidate in value.split(",") if candidate.split()]
        elif name in _URL_ATTRIBUTES:
            urls.append(value.strip())
    urls += [u.rstrip(_TRAILING) for u in _BARE_URL.findall(unescaped)]
    return next((refusal for url in urls if (refusal := _refusal(url, sources, hosts))), "")


def _refusal(url: str, sources: str, hosts: LinkHosts, *, bare: bool = False) -> str:
    """Why `url` may not stay ("" when it may): its host is not allowed, or it is not a web URL.

    A URL verbatim in the sources (the passages used) may stay whatever its host. A `www.` URL without a
    scheme is http; one without a scheme or host is relative to the page that shows it. A backslash is read
    both ways: browsers take it for a slash in a web URL, other clients for part of the host's user info
    (`https://docs.example\\@evil.example`), and the URL stays only when both hosts are allowed.
    """
    if url and url in sources:
        return ""
    url = url.strip()
    if bare and url.lower().startswith("www."):
        url = "http://" + url
    readings = {url, url.replace("\\", "/")}
    return next((refusal for reading in sorted(readings) if (refusal := _host_refusal(reading, hosts))), "")


def _host_refusal(url: str, hosts: LinkHosts) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "it is not a valid URL"
    scheme = parts.scheme.lower()
    if scheme not in ("", "http", "https"):
        return f"{scheme}: links are not allowed"
    if not parts.netloc:
        # No host: relative to the page that shows it (Sluice's own), unless it says http(s) with no host,
        # which browsers read as a host anyway ("https:evil.example").
        return "it names no host" if scheme else ""
    host = (host or "").rstrip(".")
    if not host:
        return "it names no host"
    if hosts.allows(host):
        return ""
    # Named when it is a plain host name: a model-made one could otherwise bring Markdown into the marker.
    return f"{host if _HOST.fullmatch(host) else 'its host'} is not an allowed host"
