"""Detectors for secrets: private keys, credentials in config lines, commands and URLs, high-entropy
strings; provider tokens come from `inspection.tokens`."""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterator

from inspection.findings import Finding
from inspection.scan import Words, finditer_at
from inspection.tokens import find_tokens, looks_fake
from inspection.validators import shannon_entropy

# --- private keys -------------------------------------------------------------------------------

_PEM_BEGIN = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def _find_private_keys(text: str) -> tuple[list[Finding], list[tuple[int, int]]]:
    """PEM private-key blocks, BEGIN to END (or to the end of the base64 that follows when END is cut off).

    Returns the findings and the spans of encrypted blocks. Keys encrypted with a passphrase
    (`ENCRYPTED PRIVATE KEY`, `Proc-Type: 4,ENCRYPTED`) are not reported: without the passphrase they
    are not a credential. Blocks marked as fakes or elided with "..." (documentation) are skipped too.
    """
    findings = []
    encrypted = []
    pos = 0
    while (m := _PEM_BEGIN.search(text, pos)) is not None:
        end_match = _PEM_END.search(text, m.end(), m.end() + 20_000)
        if end_match is not None:
            end = end_match.end()
        else:
            # No END marker: the key runs on while lines keep carrying base64.
            end = m.end()
            offset = m.end()
            for number, line in enumerate(text[m.end() : m.end() + 20_000].split("\n")):
                if number and not _BASE64_RUN.search(line):
                    break
                end = offset + len(line.rstrip())
                offset += len(line) + 1
        block = text[m.start() : end]
        pos = max(end, m.end())
        if "ENCRYPTED" in m.group(1) or "Proc-Type: 4,ENCRYPTED" in block:
            encrypted.append((m.start(), end))
            continue
        if not _BASE64_RUN.search(block, len(m.group())) or _FAKE_KEY.search(block):
            continue  # a marker alone, or a key shown in documentation
        findings.append(Finding("secret", m.start(), end, 0.99, "private_key"))
    return findings, encrypted


_FAKE_KEY = re.compile(r"(?i)\b(?:fake|example|dummy|not a real)\b|\.\.\.")


_B64_CANDIDATE = re.compile(r"(?<![A-Za-z0-9+/=_\-])(?:[A-Za-z0-9+/]{4}){10,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def _decode_b64(value: str) -> bytes | None:
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _is_der_private_key(data: bytes) -> bool:
    # PKCS#1 and PKCS#8 private keys are an ASN.1 SEQUENCE whose first element is INTEGER 0 (the version);
    # certificates and public keys start with a nested SEQUENCE instead.
    if len(data) < 64 or data[0] != 0x30:
        return False
    length_octets = data[1] - 0x80 if data[1] & 0x80 else 0
    body = 2 + length_octets
    return data[body : body + 3] == b"\x02\x01\x00" or data[body : body + 3] == b"\x02\x01\x01"


def _find_encoded_keys(text: str) -> list[Finding]:
    """Base64 that decodes to a private key: a PEM block, a DER key, or a JSON Web Key with private parts."""
    findings = []
    for m in _B64_CANDIDATE.finditer(text):
        value = m.group()
        if value.startswith("LS0tLS1CRUdJTi"):  # base64 of "-----BEGIN"
            decoded = _decode_b64(value)
            if decoded and b"PRIVATE KEY" in decoded and b"ENCRYPTED" not in decoded:
                findings.append(Finding("secret", m.start(), m.end(), 0.95, "encoded_private_key"))
        elif value.startswith("MII"):
            decoded = _decode_b64(value)
            if decoded and _is_der_private_key(decoded):
                findings.append(Finding("secret", m.start(), m.end(), 0.9, "der_private_key"))
        elif value.startswith("cmVmdGtu"):  # base64 of "reftkn": a JFrog reference token
            decoded = _decode_b64(value)
            if decoded and re.match(rb"reftkn:\d{2}:\d{10}:[A-Za-z0-9]{16,}", decoded):
                findings.append(Finding("secret", m.start(), m.end(), 0.95, "jfrog_reference_token"))
        elif len(value) >= 60:
            decoded = _decode_b64(value)
            if decoded and b'"kty"' in decoded and (b'"d"' in decoded or b'"k"' in decoded):
                findings.append(Finding("secret", m.start(), m.end(), 0.9, "encoded_jwk"))
            elif decoded and b"PRIVATE KEY-----" in decoded and b"ENCRYPTED" not in decoded:
                findings.append(Finding("secret", m.start(), m.end(), 0.9, "encoded_private_key"))
    return findings


# Atlassian (Jira/Confluence) personal access tokens: base64 of "<12-digit id>:<random bytes>", 44 characters.
_ATLASSIAN_PAT = re.compile(r"(?<![A-Za-z0-9+=_\-])[MNO][A-Za-z0-9+/]{43}(?![A-Za-z0-9+/=_\-])")


def _find_atlassian_pats(text: str) -> list[Finding]:
    findings = []
    for m in _ATLASSIAN_PAT.finditer(text):
        decoded = _decode_b64(m.group())
        if decoded and re.match(rb"\d{12}:", decoded):
            findings.append(Finding("secret", m.start(), m.end(), 0.9, "atlassian_pat"))
    return findings


# A line that carries one base64 run and nothing else but code punctuation: a line of a wrapped blob,
# bare (XML, YAML) or as a string literal in code ("MIIB…"+ / "…\n").
_BLOCK_LINE = re.compile(r"^[\s\"'+,;(){}\[\]=:]*?([A-Za-z0-9+/]{16,}={0,2})(?:\\[nr])*[\s\"'+,;(){}\[\]\\]*$")


def _base64_blocks(text: str) -> list[list[tuple[int, int]]]:
    """Runs of consecutive block lines (each as the span of its base64), two lines or more."""
    blocks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        m = _BLOCK_LINE.match(line)
        if m is not None and (len(m.group(1)) >= 40 or current):
            current.append((offset + m.start(1), offset + m.end(1)))
        else:
            if len(current) >= 2:
                blocks.append(current)
            current = []
        offset += len(line) + 1
    if len(current) >= 2:
        blocks.append(current)
    return blocks


def _find_der_blocks(text: str) -> list[Finding]:
    """A DER private key written as wrapped base64 lines without PEM markers (in XML, YAML, code)."""
    findings = []
    for block in _base64_blocks(text):
        first = text[block[0][0] : block[0][1]]
        if not first.startswith("MII"):
            continue
        decoded = _decode_b64("".join(text[s:e] for s, e in block))
        if decoded and _is_der_private_key(decoded):
            findings.append(Finding("secret", block[0][0], block[-1][1], 0.9, "der_private_key"))
    return findings


_JWK_PRIVATE_MEMBER = re.compile(r'"(?:d|k|p|q|dp|dq|qi)"\s*:\s*"(?P<value>[A-Za-z0-9_\-]{16,})"')


def _find_jwks(text: str) -> list[Finding]:
    """Private members of JSON Web Keys ("d" of RSA/EC/OKP keys, "k" of symmetric keys, RSA primes)."""
    if '"kty"' not in text:
        return []
    return [
        Finding("secret", m.start("value"), m.end("value"), 0.9, "jwk_private_member")
        for m in _JWK_PRIVATE_MEMBER.finditer(text)
    ]


# --- credentials in config lines, commands and URLs ---------------------------------------------

# Words that name a password. Misspellings (pswd, paswrd, passwrd …) are common in real configs.
_PASSWORD_WORDS = r"p(?:a{1,2})?s{1,2}w(?:o?r)?d|passwords?|passphrase|passwort|passcode|pass|pwd|pw|pswd"
_SECRET_WORDS = (
    r"secret|token|credentials?|creds|api[_\-. ]?key|apikey|api|auth|authentication|authorization|bearer|"
    r"(?:access|private|secret|client|master|signing|encryption|app|account|auth|session)[_\-. ]?key|key|"
    r"client[_\-. ]?secret|oauth"
)
_KEYWORD = re.compile(
    r"(?:(?P<pw>" + _PASSWORD_WORDS + r")|(?P<sec>" + _SECRET_WORDS + r"))\d{0,2}(?:[_\-]?val(?:ue)?)?(?![A-Za-z])",
    re.IGNORECASE,
)
# How every _KEYWORD match begins, lower-cased: it is tried only where one of these starts.
_KEYWORD_STARTS = Words(
    "pa", "ps", "pw", "secret", "token", "cred", "api", "auth", "bearer", "access", "private", "client",
    "master", "signing", "encryption", "app", "account", "session", "key", "oauth",
    ignore_case=True,
)  # fmt: skip


def _keywords(text: str) -> Iterator[re.Match[str]]:
    """`_KEYWORD.finditer(text)`, tried only where a keyword can start."""
    starts = _KEYWORD_STARTS.positions(text)
    return _KEYWORD.finditer(text) if starts is None else finditer_at(_KEYWORD, text, starts)


# What follows a keyword in an assignment: an optional closing quote, an optional type, a separator, a value.
_ASSIGNMENT_TAIL = re.compile(
    r"(?P<close>[\"'\])]{0,2})"
    r"(?:\s*:\s*[A-Za-z_][\w\[\]]{0,20}\s*(?==))?"  # a type annotation: `password: str = "..."`
    r"(?P<sep>\s*(?::=|=>|->|:|\+=|===|!==|==|!=|=|,)\s*|[ \t]+(?:(?:is|was)[ \t]+)?)"
    r"(?P<value>&quot;.{1,200}?&quot;|\\?\"(?:[^\"\\\n]|\\.){1,200}?\\?\"|'(?:[^'\\\n]|\\.){1,200}'|`[^`\n]{1,200}`"
    r"|[^\s\"'`,;&<>]{1,200})"
)
_IDENTIFIER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_XML_ELEMENT = re.compile(
    r"<(?P<tag>[\w:.\-]*?(?:password|passwd|pwd|secret|token|api[_\-]?key|credential|key))(?:\s[^<>]*)?>"
    r"(?P<value>[^<>\n]{1,200})</(?P=tag)>",
    re.IGNORECASE,
)
_SQL_PASSWORD = re.compile(
    r"(?i)\bidentified\s+(?:with\s+'?\w+'?\s+)?(?:by|as)\s+(?P<value>'[^'\n]{1,100}'|\"[^\"\n]{1,100}\"|[^\s;'\"]{1,100})"
    r"|\b(?:create|alter)\s+(?:user|role|login)\b[^;\n]{0,80}?\bpassword\s*=?\s*"
    r"(?P<value2>'[^'\n]{1,100}'|\"[^\"\n]{1,100}\"|[^\s;'\"]{1,100})"
)
_CLI_USER_PASSWORD = re.compile(r"(?:^|\s)(?:-u|--user)\s+[\"']?[^\s:\"']{1,64}:(?P<value>[^\s\"'@]{3,128})")
_SECURE_STRING = re.compile(
    r"(?i)ConvertTo-SecureString\s+(?:-(?:String|AsPlainText|Force)\s+)*\\?[\"']?(?P<value>[^\s\"'\\]{4,128})"
)
_AUTH_HEADER = re.compile(
    r"(?i)\b(?:authorization|auth)[\"']?\s*[:=]\s*[\"']?(?:basic|bearer|token|ntlm|negotiate|digest)\s+"
    r"(?P<value>[A-Za-z0-9+/=._~\-]{8,})"
)
_URL_CREDENTIALS = re.compile(
    r"(?i)\b[a-z][a-z0-9+.\-]{1,20}://(?P<user>[^\s:/@\"'<>]{1,64}(?:@[^\s:/@\"'<>]{1,64})?)"
    r":(?P<value>[^\s/@\"'<>]{1,128})@[\w.\-]+"
)

_PLACEHOLDER = re.compile(
    r"(?ix)^(?:"
    r"\*+|x{3,}|\.{2,}|\#+|-+|_+|\?+|0+|1234|12345|123456|"
    r"<[^>]*>|\{\{.*\}\}|\$\{.*\}|\$\(.*\)|\$[A-Za-z_]\w*|%[A-Za-z_]\w*%|%\(?\w*\)?s|\[[^\]]*\]|\{\d*\}|"
    r"ENC\(.*\)|"  # a value encrypted by jasypt/Spring Cloud Config: ciphertext, not the secret
    r"none|null|nil|true|false|undefined|empty|string|str|text|bytes|int|number|boolean|object|required|optional|"
    r"default|value|secret|password|passwd|token|key|apikey|api_key|changeme|change_me|example|sample|dummy|"
    r"redacted|hidden|masked|placeholder|todo|tbd|n/?a|your[_\-]?\w*|my[_\-]?\w*|the[_\-]?\w*|some[_\-]?\w*|"
    r"test|testing|foo|bar|baz|qwerty|admin|root|user|username|guest"
    r")$"
)
# Unquoted values that are code or references rather than literals.
_CODE_EXPRESSION = re.compile(
    r"(?x)^(?:"
    r"[A-Za-z_][\w.]*\(.*|"  # a call: getenv("X"), os.environ.get(
    r"(?:self|this|os|process|env|config|settings|ENV|System|params|request|args|props)\b[.\[].*|"
    r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|"  # dotted reference: settings.SECRET_KEY
    r"0x[0-9A-Fa-f]+|"  # numeric literal, e.g. a bit mask
    r"[{\[(}\\].*|"  # a literal array, a block, an escape
    r"[a-z]+(?:[_\-][a-z]+)+|"  # kebab/snake words: my-client-password, not_a_secret
    r"/[\w./\-]*|[\w\-]+\.(?:pem|key|crt|cer|json|ya?ml|txt|env|cfg|ini|conf|p12|pfx|jks)"  # file paths
    r")$"
)
_EMAIL_VALUE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def _char_classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def _clean_value(raw: str) -> str:
    value = html.unescape(raw).strip()
    for _ in range(2):
        value = value.strip("\\").strip("\"'`").strip()
    value = value.rstrip(".,;")
    # A closing bracket belongs to the surrounding text ("(pw:IhqSb1Gg)") unless the value opened it.
    for opening, closing in ("()", "[]", "{}", "<>"):
        while value.endswith(closing) and value.count(closing) > value.count(opening):
            value = value[:-1]
    return value


def _value_span(raw: str, raw_start: int, value: str) -> tuple[int, int]:
    """Where the cleaned value sits in the text: inside its quotes, without trailing punctuation."""
    index = raw.find(value) if value else -1
    if index >= 0:
        return raw_start + index, raw_start + index + len(value)
    # HTML-escaped quotes (&quot;…&quot;) and the like: take the raw value without its outer quoting.
    inner = re.search(r"[^\\\"'`&;]", raw)
    left = inner.start() if inner else 0
    return raw_start + left, raw_start + len(raw.rstrip("\\\"'`;").removesuffix("&quot"))


def _plausible_password(value: str, *, quoted: bool = False) -> bool:
    if len(value) < 4 or len(value) > 200 or _PLACEHOLDER.match(value) or "***" in value:
        return False
    if not quoted and _CODE_EXPRESSION.match(value):
        return False
    if (value.isdigit() and len(value) < 12) or re.fullmatch(r"0x[0-9A-Fa-f]+", value):
        return False  # ids, ports, counts, numeric literals
    if " " in value.strip():
        return False
    if value.isalpha() and (value.islower() or value.istitle() or value.isupper()) and len(value) < 12:
        return False  # a plain word: "incorrect", "Interface"
    return _char_classes(value) >= 2 or len(value) >= 12


def _plausible_token(value: str, *, quoted: bool = False) -> bool:
    if len(value) < 8 or len(value) > 500 or _PLACEHOLDER.match(value) or "***" in value:
        return False
    if (not quoted and _CODE_EXPRESSION.match(value)) or re.fullmatch(r"[a-z]+(?:[_\-.][a-z0-9]+)+", value):
        return False  # identifiers and file names: attached_file_0, api-custom-key
    if " " in value or value.isdigit() or _EMAIL_VALUE.fullmatch(value):
        return False
    if value.isalpha() and len(value) < 16:
        return False
    if re.fullmatch(r"[A-Za-z]+(?:[A-Z][a-z]+)*", value):
        return False  # CamelCase words are names, not tokens
    return _char_classes(value) >= 2 and shannon_entropy(value) >= 2.8


def _keyword_at_boundary(key: str, key_start: int, keyword_start: int, keyword: str) -> bool:
    """Short keywords (pw, pass, key, api, auth) must be a word of the identifier, not inside another word."""
    if len(keyword) >= 6:
        return True
    offset = keyword_start - key_start
    if offset == 0:
        return True
    prev = key[offset - 1]
    if not prev.isalpha():
        return True
    if prev.islower() and keyword[0].isupper():
        return True  # camelCase boundary: userPassword, apiKey
    return key.isupper()  # MYSQLPASS: identifiers in capitals are not split


def _find_assignments(text: str) -> list[Finding]:
    """Values assigned to password/secret/token/key names: `password = "..."`, `"api_key": "..."`,
    `PASSWORD=...`, YAML `secret: ...`, `--token X`, `PW:xyz` in a document, `<password>…</password>`."""
    findings = []
    for kw in _keywords(text):
        tail = _ASSIGNMENT_TAIL.match(text, kw.end())
        if tail is None:
            continue
        # The keyword must end its identifier; the identifier may have a prefix (db_password, AwsSecretKey).
        start = kw.start()
        while start > 0 and kw.start() - start < 60 and text[start - 1] in _IDENTIFIER_CHARS:
            start -= 1
        key = text[start : kw.end()]
        keyword_group = "pw" if kw.group("pw") else "sec"
        if not _keyword_at_boundary(key, start, kw.start(keyword_group), kw.group(keyword_group)):
            continue
        raw = tail.group("value")
        quoted = raw[:1] in "\"'`" or raw.startswith('\\"') or raw.startswith("&quot;")
        sep = tail.group("sep").strip()
        if not sep and not quoted and not _flag_or_definition(text, start, key):
            continue  # "password Foo" in prose means nothing; a flag (--password Foo) or a #define does
        if sep == "," and (not quoted or tail.group("close")):
            continue  # `CURLOPT_PASSWORD, "…"` is an argument pair; `"api-key", "…"` is a list of strings
        value = _clean_value(raw)
        is_password = keyword_group == "pw"
        plausible = _plausible_password if is_password else _plausible_token
        if not plausible(value, quoted=quoted) or value.lower() == key.lower():
            continue
        start, end = _value_span(raw, tail.start("value"), value)
        findings.append(Finding("secret", start, end, 0.85 if is_password else 0.8, "credential_assignment"))
    if "</" in text:
        for m in _XML_ELEMENT.finditer(text):
            value = _clean_value(m.group("value"))
            tag = m.group("tag").lower()
            plausible = _plausible_password if re.search(r"p(?:ass|w)", tag) else _plausible_token
            if plausible(value, quoted=True):
                start, end = _value_span(m.group("value"), m.start("value"), value)
                findings.append(Finding("secret", start, end, 0.8, "credential_element"))
    return findings


def _flag_or_definition(text: str, start: int, key: str) -> bool:
    if key.startswith("-"):
        return True
    before = text[max(0, start - 10) : start]
    return re.search(r"(?i)(?:define|global|set|export)\s+$", before) is not None


_SQL_ACCOUNT_BEFORE = re.compile(r"(?i)\b(?:user|role|login|grant|alter|create)\b[^;\n]{0,80}$")


def _sql_statement(text: str, start: int, value: str) -> bool:
    """Whether "identified by <value>" reads as SQL: the value quoted, the keywords in capitals, or an
    account statement (CREATE USER, ALTER ROLE, GRANT …) before it on the line."""
    if value[:1] in "'\"" or text[start : start + 10] == "IDENTIFIED":
        return True
    return _SQL_ACCOUNT_BEFORE.search(text, max(0, start - 90), start) is not None


def _find_credential_patterns(text: str) -> list[Finding]:
    findings = []
    lower = text.lower()
    if "identified" in lower or "password" in lower:
        for m in _SQL_PASSWORD.finditer(text):
            group = "value" if m.group("value") is not None else "value2"
            if group == "value" and not _sql_statement(text, m.start(), m.group(group)):
                continue  # "cells were identified by transcriptome profiling" is prose
            value = _clean_value(m.group(group))
            if _plausible_password(value, quoted=True):
                start, end = _value_span(m.group(group), m.start(group), value)
                findings.append(Finding("secret", start, end, 0.85, "sql_password"))
    if "-u" in text:
        for m in _CLI_USER_PASSWORD.finditer(text):
            if _plausible_password(_clean_value(m.group("value"))):
                findings.append(Finding("secret", m.start("value"), m.end("value"), 0.8, "cli_user_password"))
    if "securestring" in lower:
        for m in _SECURE_STRING.finditer(text):
            if _plausible_password(_clean_value(m.group("value")), quoted=True):
                findings.append(Finding("secret", m.start("value"), m.end("value"), 0.85, "secure_string"))
    if "auth" in lower:
        for m in _AUTH_HEADER.finditer(text):
            findings.append(Finding("secret", m.start("value"), m.end("value"), 0.9, "authorization_header"))
    if "://" in text:
        for m in _URL_CREDENTIALS.finditer(text):
            value = _clean_value(m.group("value"))
            if len(value) >= 3 and not _PLACEHOLDER.match(value):
                findings.append(Finding("secret", m.start(), m.end(), 0.95, "url_credentials"))
    return findings


# --- high entropy -------------------------------------------------------------------------------

_ENTROPY_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9+/=_\-.])[A-Za-z0-9+/_\-]{20,}={0,2}(?![A-Za-z0-9+/=_\-]|\.[a-z]{2,4}\b)"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PATH_LIKE = re.compile(r"[a-z]{3,}/[A-Za-z]{3,}|[A-Za-z]{3,}/[a-z]{3,}")
_WORD_SEGMENT = re.compile(r"(?:^|[_\-/])[a-z]{5,}(?=$|[_\-/])")


def _decodes_to_text(value: str) -> bool:
    # Random key material decodes to random bytes; base64 that decodes to readable text is encoded data
    # (a JWT header, a YAML file) and is judged by what it contains, elsewhere.
    decoded = _decode_b64(value.replace("-", "+").replace("_", "/").rstrip("="))
    if not decoded or len(decoded) < 12:
        return False
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in decoded)
    return printable / len(decoded) > 0.95


def _find_high_entropy(text: str, blocks: list[tuple[int, int]], *, examples_count: bool) -> list[Finding]:
    """Random-looking strings: base64/base64url of 20+ characters that mix upper, lower and digits.

    Hex strings are left out on purpose: bare hex is most often a hash or a commit id in prose.
    Runs that are lines of a larger base64 block (an image, a gzip blob), paths, file names and
    identifiers made of words are not credentials either.
    """
    findings = []
    for m in _ENTROPY_CANDIDATE.finditer(text):
        value = m.group()
        if _UUID.fullmatch(value) or _PATH_LIKE.search(value) or _WORD_SEGMENT.search(value):
            continue
        core = value.rstrip("=")
        if not (any(c.islower() for c in core) and any(c.isupper() for c in core) and any(c.isdigit() for c in core)):
            continue
        length = len(core)
        entropy = shannon_entropy(core)
        # Expected entropy of random base64 grows with length up to 6 bits; ask for most of it.
        threshold = 4.0 if length < 32 else 4.4 if length < 64 else 4.8
        if entropy < threshold or (looks_fake(core) and not examples_count):
            continue
        if text[max(0, m.start() - 7) : m.start()].endswith("base64,"):
            continue  # data: URIs carry images and fonts
        if any(s <= m.start() and m.end() <= e for s, e in blocks) or _decodes_to_text(core):
            continue
        findings.append(Finding("secret", m.start(), m.end(), 0.6, "high_entropy"))
    return findings


def _sealed_secret_regions(text: str) -> list[tuple[int, int]]:
    # Bitnami SealedSecret manifests are made to be committed: their encryptedData values are ciphertext.
    regions = []
    for m in re.finditer(r"(?m)^([ \t]*)encryptedData:[ \t]*\n", text):
        indent = len(m.group(1))
        end = m.end()
        for line in re.finditer(r"(?m)^([ \t]*)\S[^\n]*", text[m.end() :]):
            if len(line.group(1)) <= indent:
                break
            end = m.end() + line.end()
        regions.append((m.end(), end))
    return regions


# Characters of base64 and token alphabets as "a", other ASCII characters as " ": a run of n of them in
# the text is a run of n "a" in its translation. Encoded keys need 40 in a row, Atlassian tokens 44 and
# high-entropy strings 20, so prose with no such run skips their regexes.
_RUN_MASK = str.maketrans(
    {chr(i): "a" if chr(i).isascii() and (chr(i).isalnum() or chr(i) in "+/=_-") else " " for i in range(128)}
)


def find_secrets(text: str, *, examples_count: bool = False) -> list[Finding]:
    """Every secret finding in `text`, possibly overlapping (the caller merges and resolves). With
    `examples_count`, values that carry a documentation marker (EXAMPLE, xxxx) are secrets too."""
    findings = find_tokens(text, examples_count=examples_count)
    encrypted: list[tuple[int, int]] = []
    if "PRIVATE KEY" in text:
        keys, encrypted = _find_private_keys(text)
        findings += keys
    runs = text.translate(_RUN_MASK)
    if "a" * 40 in runs:
        findings += _find_encoded_keys(text)
    if "a" * 44 in runs:
        findings += _find_atlassian_pats(text)
    if "MII" in text:
        findings += _find_der_blocks(text)
    findings += _find_jwks(text)
    findings += _find_assignments(text)
    findings += _find_credential_patterns(text)
    if "a" * 20 in runs:
        blocks = [(b[0][0], b[-1][1]) for b in _base64_blocks(text)]
        findings += _find_high_entropy(text, blocks, examples_count=examples_count)
    # Whatever sits inside an encrypted key block or a sealed secret is ciphertext, whatever it looks like.
    ciphertext = encrypted + (_sealed_secret_regions(text) if "SealedSecret" in text else [])
    if ciphertext:
        findings = [f for f in findings if not any(s <= f.start and f.end <= e for s, e in ciphertext)]
    return findings
