"""Detectors for structured personal data: e-mail, phone, payment card, IBAN, US SSN and IP address.

Each detector is a function `text -> list[Finding]`. Regexes are compiled once at import; anything
costly (phonenumbers, ipaddress) runs only on the few candidates a regex has already found. Patterns
that would otherwise open with a look-behind check it after their first digit instead (a look-behind
one character wider), which matches the same and lets the regex engine skip ahead to the digits.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

import phonenumbers
from phonenumbers import PhoneNumberType

from inspection.findings import Finding
from inspection.scan import finditer_at
from inspection.validators import IBAN_LENGTHS, iban_valid, luhn_valid, ssn_valid

# --- e-mail -------------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w%+-](?:[\w.%+-]{0,63})@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[A-Za-z]{2,24}(?![\w-])"
)


def find_emails(text: str) -> list[Finding]:
    """E-mail addresses with an alphabetic top-level domain (so `user@10.0.0.1` is left to the IP detector)."""
    findings = []
    pos = 0
    # A match has its "@" within 64 characters of its start: search only from there (same matches as finditer).
    while (at := text.find("@", pos)) != -1:
        m = _EMAIL.search(text, max(pos, at - 64))
        if m is None:
            break
        findings.append(Finding("email", m.start(), m.end(), 0.95, "email"))
        pos = m.end()
    return findings


# --- payment cards ------------------------------------------------------------------------------

_CARD = re.compile(r"\d(?<![\w+-]\d)(?:[ ./_-]?\d){11,18}(?![\w]|[-./]\d)")
_CARD_CONTEXT = re.compile(
    r"(?i)\b(?:card|credit|debit|visa|master\s?card|amex|american express|discover|jcb|diners|maestro|cc|pan)\b"
)
_CARD_SEPARATOR = re.compile(r"[ ./_-]")
# Ways card numbers are printed: 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4. Other groupings are phones or ids.
_CARD_GROUPINGS = {(4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 4, 4, 1), (4, 4, 4, 2), (4, 4, 4, 3)}


def _card_prefix_plausible(digits: str) -> bool:
    # Issuer identification numbers in use start with 1 (UATP, JCB 1800), 2 (Mastercard 2-series, Mir, JCB 2131),
    # 3 (Amex, Diners, JCB), 4 (Visa), 5 (Mastercard, Maestro), 6 (Discover, UnionPay, Maestro) or 8 (UnionPay, RuPay).
    if digits[0] not in "1234568":
        return False
    if len(digits) == 12:
        # Only Maestro issues 12-digit numbers.
        return digits[:2] in ("50", "56", "57", "58") or digits[0] == "6"
    return True


def find_payment_cards(text: str) -> list[Finding]:
    """Card numbers of 13-19 digits (12 for Maestro), optionally grouped by one kind of separator (space,
    dash, dot, slash or underscore), Luhn-checked."""
    findings = []
    for m in _CARD.finditer(text):
        raw = m.group()
        digits = _CARD_SEPARATOR.sub("", raw)
        if len(set(_CARD_SEPARATOR.findall(raw))) > 1:  # one separator throughout, as printed numbers have
            continue
        if not 12 <= len(digits) <= 19 or not luhn_valid(digits):
            continue
        context = _CARD_CONTEXT.search(text, max(0, m.start() - 40), m.start()) is not None
        # Said to be a card and Luhn-valid is enough; otherwise the issuer prefix must be one in use.
        if not context and not _card_prefix_plausible(digits):
            continue
        groups = tuple(len(g) for g in _CARD_SEPARATOR.split(raw))
        # Said to be a card, any grouping will do (a zero-width character dropped inside a group moves it).
        if len(groups) > 1 and groups not in _CARD_GROUPINGS and not context:
            continue
        if len(set(digits)) == 1:  # 0000 0000 0000 0000 passes Luhn but is a placeholder
            continue
        findings.append(Finding("payment_card", m.start(), m.end(), 0.95 if context else 0.85, "luhn"))
    return findings


# --- IBAN ---------------------------------------------------------------------------------------

_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,30}")
# Where an IBAN's check digits can be: two digits after two letters. Its country code starts two before.
_IBAN_CHECK_DIGITS = re.compile(r"\d(?<=[A-Za-z]{2}\d)\d")


def find_ibans(text: str) -> list[Finding]:
    """IBANs, compact or in groups of four, any case; cut to the country's length and mod-97-checked."""
    findings = []
    for m in finditer_at(_IBAN, text, (c.start() - 2 for c in _IBAN_CHECK_DIGITS.finditer(text))):
        raw = m.group()
        expected = IBAN_LENGTHS.get(raw[:2].upper())
        if expected is None:
            continue
        # Walk the match until `expected` alphanumerics are consumed: trailing words or digits are not the IBAN.
        count, end = 0, 0
        for i, ch in enumerate(raw):
            if ch not in " -":
                count += 1
                if count == expected:
                    end = i + 1
                    break
        if not end:
            continue
        stop = m.start() + end
        if stop < len(text) and text[stop].isalnum():
            continue
        if iban_valid(raw[:end].replace("-", "")):
            findings.append(Finding("iban", m.start(), stop, 0.95, "mod97"))
    return findings


# --- US SSN -------------------------------------------------------------------------------------

_SSN = re.compile(r"(\d(?<![\w-]\d)\d{2})([- .]?)(\d{2})\2(\d{4})(?![\w]|-\d)")
_SSN_CONTEXT = re.compile(r"(?i)\b(?:ssn|ssns|social security|social sec|ss#|ss no|taxpayer|tin)\b")


def find_ssns(text: str) -> list[Finding]:
    """US social security numbers (AAA-GG-SSSS): any of that shape after words like "SSN", otherwise only
    those that obey the SSA's area/group/serial rules.

    Nine bare digits are only an SSN when the text says so nearby: otherwise they are ids of every kind.
    """
    findings = []
    for m in _SSN.finditer(text):
        area, sep, group, serial = m.groups()
        context = _SSN_CONTEXT.search(text, max(0, m.start() - 50), m.start()) is not None
        # Said to be an SSN, a number of its shape is one, whatever the SSA's issuing rules (and its list
        # of published examples) say: what leaves is judged conservatively. Without the word, the rules
        # tell SSNs from the many other nine-digit numbers.
        if not context and not ssn_valid(area, group, serial):
            continue
        if not sep and not context:
            continue
        confidence = 0.95 if context else (0.85 if sep == "-" else 0.6)
        findings.append(Finding("ssn", m.start(), m.end(), confidence, "ssn_rules"))
    return findings


# --- IP addresses -------------------------------------------------------------------------------

_IPV4 = re.compile(r"\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\d)")
# A country code or a trunk prefix "(0)" right before four dotted groups of digits.
_PHONE_BEFORE_DOTS = re.compile(r"(?:\+\d{1,3}[ .-]?|\(0\) ?)$")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?(?:%[\w.]+)?(?![\w:]|\.\w)"
)


def find_ip_addresses(text: str) -> list[Finding]:
    """IPv4 and IPv6 addresses, validated by the standard library's `ipaddress` (no leading zeros, ranges)."""
    findings = []
    if "." in text:
        for m in _IPV4.finditer(text):
            if _PHONE_BEFORE_DOTS.search(text, max(0, m.start() - 6), m.start()):
                continue  # "+49 221.206.99.95": a phone number grouped with dots
            try:
                ipaddress.IPv4Address(m.group())
            except ValueError:
                continue
            findings.append(Finding("ip_address", m.start(), m.end(), 0.9, "ipv4"))
    if "::" in text or text.count(":") >= 7:
        for m in _IPV6.finditer(text):
            raw = m.group()
            # "::" and "::1" say nothing about anyone; a clock time like 12:30:45 is not valid IPv6 anyway.
            if sum(ch.isalnum() for ch in raw) < 4:
                continue
            try:
                ipaddress.IPv6Address(raw.split("%", 1)[0])
            except ValueError:
                continue
            findings.append(Finding("ip_address", m.start(), m.end(), 0.9, "ipv6"))
    return findings


# --- phone numbers ------------------------------------------------------------------------------

# A run of digits with the separators people put in phone numbers (a slash after the area code is German,
# Italian and Hungarian usage), after "+", "00" or "(+39)". Newlines end a number.
_EXTENSION = r"(?:[xX]|[eE][xX][tT](?:[eE][nN][sS][iI][oO][nN])?\.?|[iI][nN][tT](?:[eE][rR][nN][oO])?\.?|#)"
_PHONE = re.compile(
    r"(?<![\w+/.=:-])(?:\(\+\d{1,3}\)[ .-]?|\+|\b00)?(?:\(\d{1,5}\)[ ./-]?)?\d[\d(). \t/-]{2,24}\d"
    rf"(?:[ \t]?{_EXTENSION}[ \t]?\d{{1,6}})?(?![\w/]|[.\-]\d|:\d)"
)
# A business number's extension: "x4587", "ext. 12", "extension 301", "#12", Italian "int. 12".
_PHONE_EXTENSION = re.compile(rf"[ \t]?{_EXTENSION}[ \t]?\d{{1,6}}$")
# Where a phone number can start: "+", "(" or a digit, not after a word character or [+/.=:-].
_PHONE_START = re.compile(r"[+(\d](?<![\w+/.=:-].)")
# Words that say a phone number follows, in the languages of the numbering plans tried below, in the same
# sentence ("cell lines, respectively. PD 0332991" is a compound's code).
_PHONE_CONTEXT_BEFORE = re.compile(
    r"(?i)(?:\b(?:phone|telephone|tel|mobile|mob|cell|cellphone|fax|call|called|calling|dial|ring|text|sms|"
    r"whatsapp|contact|reach|reached|answering|messages?|hotline|helpline|landline|"
    r"telefono|cellulare|chiamare|chiamami|telefon|handy|mobil|anrufen|durchwahl|téléphone|tél|portable|"
    r"appeler|teléfono|móvil|movil|celular|llamar|telefone|ligar|telefoon|mobiel|komórka|kom|tlf|gsm)\b"
    r"|☎|📞)\.?(?:[^\n\d.!?]|(?<=\bno)\.|(?<=\bnr)\.){0,30}$"
)
_PHONE_CONTEXT_AFTER = re.compile(
    r"(?i)^[\s\-–(,:]{0,3}(?:office|fax|mobile|mob|cell|home|work|tel|phone|ext|durchwahl)\b"
)
_DATE_PREFIX = re.compile(
    r"(?:19|20)\d\d([-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])([-./])(?:0?[1-9]|1[0-2])\2\d{4}"
)
# A date: year, month and day in some order, with one kind of separator ("693-91-78" is no date).
_DATE_LIKE = re.compile(r"(?:\d{4}|\d{1,2})([-./])(?:0?[1-9]|[12]\d|3[01])\1(?:\d{4}|\d{1,2})")
# Words right before a number (at most "number is", "no." or "code" and a separator between) that make it a
# postcode, a unit or a reference, not a phone. Only right before: in "wrong number on the account: it
# says (415) 555-0134" the number is a phone.
_NOT_PHONE_BEFORE = re.compile(
    r"(?i)\b(?:zip|postal|postcode|post code|plz|cep|apt|suite|unit|room|order|invoice|ref|reference|"
    r"account|acct|id|ticket|case|serial|version|awb|waybill|tracking|shipment|consignment|parcel|package|"
    r"container|booking|confirmation|po|sku|part|item|lot|batch|isbn|issn|doi|pmid|ein|fein|tin|vat|"
    r"identification|iban|bic|swift|imei|policy|claim|member|customer|client|employee|patient|record|"
    r"registration|license|licence|permit|file|docket|contract|receipt|transaction|pp|pages?)s?\b"
    r"(?:\s+(?:fragment|ending(?:\s+in)?|starting(?:\s+with)?))?"
    r"(?:\s*(?:number|num|no|nr|n°|code|id)\b\.?(?:\s+(?:is|was))?)?[\s:#.\-–)*_]{0,6}$"
)
# An amount, or a section of a code of law ("§301-10.450").
_MONEY_BEFORE = re.compile(r"[$€£¥₹§]\s?$|\b(?:USD|EUR|GBP|CHF|JPY|INR)\s?$")
# Amounts and quantities: a currency or a unit right after the number.
_QUANTITY_AFTER = re.compile(
    r"(?i)^\s?(?:[$€£¥₹%]|(?:USD|EUR|GBP|CHF|JPY|INR|euros?|dollars?|pounds?|mg|g|kg|µg|μg|microg|ml|mL|µl|"
    r"μl|l|iu|units|mmhg|kcal|km|m|cm|mm|grams?|people|persons|adults|subjects|patients|participants|"
    r"cases|deaths|births|times|years|months|weeks|days|hours)\b)"
)
# Look-alikes by shape alone: a year range, a range of decimals, a number with thousands separators (not
# 3-3-3 with spaces or dots: Spanish, Polish and Portuguese mobiles are written so), an air waybill (airline
# prefix and eight digits; with a leading 0 it is a landline of Beijing, Munich or Delhi as well, so it takes
# the word "AWB" to be one), a US employer identification number, the US social security number's shape
# (the SSN detector judges it), a reference numbered by its year.
_NOT_PHONE_SHAPE = re.compile(
    r"(?:19|20)\d\d ?[-–/] ?(?:19|20)\d\d|\d+\.\d+ ?- ?\d+\.\d+|\d{1,2}([ .])\d{3}(?:\1\d{3})+|\d{1,3}(?:,\d{3})+"
    r"|[1-9]\d{2}[- ]\d{8}|[1-9]\d-\d{7}|\d{3}-\d\d-\d{4}|(?:19|20)\d\d/\d{3,}"
)
_NANP_SHAPE = re.compile(r"(?:\+?1[ .-]|001[ .-])?(?:\(\d{3}\) ?|\d{3}([ .-]))\d{3}([ .-])\d{4}")
# Regions whose numbering plans are tried for numbers written without a country code, the most permissive
# early (Germany's plan accepts most lengths), so a valid number is usually settled in three tries.
PHONE_REGIONS = (
    "US", "GB", "DE", "FR", "IN", "AU", "IT", "ES", "NL", "BR", "PL", "MX", "JP", "CN", "RU", "TR", "NG", "VN",
)  # fmt: skip
# A run of 10-11 digits with no separator is a phone without a word saying so only when it is a national
# number with its trunk prefix or a mobile number of one of these plans; otherwise it is as likely an id.
_MOBILE_REGIONS = ("IT", "IN", "CN", "GB", "BR", "MX", "NG", "TR", "VN", "ES", "FR", "PL", "RU")
_TRUNK_NUMBER = re.compile(r"0[1-9]\d{8,9}")


def _international(raw: str) -> str | None:
    """The number as libphonenumber reads an international one ("+39 …"), or None if it has no country code."""
    if raw.startswith("+"):
        return raw
    if raw.startswith("00"):
        return "+" + raw[2:]
    if raw.startswith("(+"):
        return "+" + raw[2:].replace(")", "", 1)
    return None


def _phone_confidence(raw: str, before: str, after: str) -> float:
    extension = _PHONE_EXTENSION.search(raw)
    if extension is not None:
        # The number is judged without its extension; an extension is said only of phone numbers.
        return _phone_confidence(raw[: extension.start()], before, "ext")
    digits = re.sub(r"\D", "", raw)
    international = _international(raw)
    if not 7 <= len(digits) <= 15 or (international and len(digits) < 8):
        return 0.0
    if _DATE_PREFIX.match(raw) or _DATE_LIKE.fullmatch(raw) or _MONEY_BEFORE.search(before):
        return 0.0
    if "  " in raw or "\t" in raw or raw.count("(") != raw.count(")") or raw.find(")") < raw.find("("):
        return 0.0
    context = bool(_PHONE_CONTEXT_BEFORE.search(before) or _PHONE_CONTEXT_AFTER.match(after))
    if not context and (
        _NOT_PHONE_BEFORE.search(before) or _QUANTITY_AFTER.match(after) or _NOT_PHONE_SHAPE.fullmatch(raw)
    ):
        return 0.0
    groups = re.findall(r"\d+", raw)
    if not context and not international and not _national_grouping(raw, groups):
        return 0.0
    separated = len(groups) > 1
    if international is not None:
        try:
            number = phonenumbers.parse(international, None)
        except phonenumbers.NumberParseException:
            return 0.0  # no such country code
        if phonenumbers.is_valid_number(number):
            return 0.95
        # A country code and the grouping of a phone number: anyone reads it as one, whatever its digits.
        return 0.9 if separated or context or len(digits) >= 10 else 0.0
    # Whether some plan finds it possible only matters with context and no separators (see below).
    possible_matters = context and not separated
    valid = possible = False
    for region in PHONE_REGIONS:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            valid = possible = True
            break
        possible = possible or (possible_matters and phonenumbers.is_possible_number(number))
    if context and (valid or possible or separated):
        # Said to be a phone: strong enough to stay one inside an address block ("Tel. (05485) 19048").
        return 0.9
    if valid and separated:
        return 0.8
    if valid:
        # A bare run of digits that some numbering plan accepts: as likely an order or account number,
        # unless it is written as a national number (trunk prefix) or is a mobile number.
        return 0.7 if 10 <= len(digits) <= 11 and _national_or_mobile(raw) else 0.5
    if _NANP_SHAPE.fullmatch(raw):
        # Written the North American way (3-3-4, one separator), it reads as a phone to anyone, whether
        # or not the area code is assigned: judged conservatively.
        return 0.7
    if separated and _phone_grouped(raw, groups):
        return 0.7
    return 0.0


def _national_grouping(raw: str, groups: list[str]) -> bool:
    """Whether a number with no country code and no word saying it is a phone is grouped as national numbers
    are: they end with the subscriber part, the longest group ("5521 119" or "48334 36" are a house number
    and a street number, "3610-114" a postcode); a single digit stands only after a trunk prefix (Budapest's
    "06 1 …"), not in "1995 1.55"; a slash follows an area code with its trunk prefix ("030/1234567") or an
    Italian mobile's prefix ("347/1234567"), where "3529/5237" and "10/2011" are fractions and dates."""
    if len(groups) == 2 and len(groups[1]) < max(4, len(groups[0])):
        return False
    if raw[0] not in "08(" and any(len(g) == 1 for g in groups[1:]):
        return False
    if not raw.lstrip("(").startswith("0") and all(len(g) <= 2 for g in groups) and len(groups) != 4:
        # "10 11 12 13 14": a list of references. Numbers in pairs start with 0 (French) or are four
        # pairs (Danish, Norwegian).
        return False
    if "/" in raw:
        left, right = raw.split("/", 1)
        italian_mobile = re.fullmatch(r"3\d\d ?", left) and 6 <= sum(ch.isdigit() for ch in right) <= 7
        return left.lstrip("( ").startswith("0") or bool(italian_mobile)
    return True


def _national_or_mobile(digits: str) -> bool:
    if _TRUNK_NUMBER.fullmatch(digits):
        return True
    for region in _MOBILE_REGIONS:
        number = phonenumbers.parse(digits, region)
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) == PhoneNumberType.MOBILE:
            return True
    return False


def _phone_grouped(raw: str, groups: list[str]) -> bool:
    """Whether a number no plan tried accepts is still grouped as people group phone numbers: with a trunk
    prefix ("0", "(0…)", Russia's "8") or in three or more groups, each of two to five digits after the
    first (as "8 605 879 5123", "06-1/326 0666")."""
    if raw.lstrip("(").startswith("0") or (groups[0] == "8" and len(groups) >= 4):
        return True
    if all(len(g) == 4 for g in groups[:-1]):
        return False  # groups of four are how card numbers and IBANs are printed
    # "10 11 12 13 14" is a list of references: a subscriber number has a group of three digits or more.
    return len(groups) >= 3 and all(2 <= len(g) <= 5 for g in groups[1:]) and max(map(len, groups)) >= 3


def find_phones(text: str, *, min_confidence: float = 0.6, taken: Sequence[tuple[int, int]] = ()) -> list[Finding]:
    """Phone numbers: candidates by pattern, confirmed by libphonenumber's numbering plans and by context.

    International numbers (+ or 00) are checked against their own country; national ones against
    `PHONE_REGIONS`. Local formats no plan accepts count only next to words like "phone" or "fax".
    Candidates that overlap a `taken` span (start, end) are left out unchecked: `inspect_text` passes
    the findings a phone number would lose to anyway (a card, an IBAN, an IP address), as checking a
    candidate against ten numbering plans is the costly part.
    """
    findings = _find_phones(text, min_confidence, taken)
    if "\n" in text and _LINE_BREAK_IN_NUMBER.search(text):
        # A number wrapped onto the next line: read again with each such break as one space (none after a
        # dash or a dot), spans mapped back. Both readings count, so numbers on consecutive lines stay apart.
        joined, origin = _rejoin_lines(text)
        seen = {(f.start, f.end) for f in findings}
        for f in _find_phones(joined, min_confidence, ()):
            start, end = origin[f.start], origin[f.end - 1] + 1
            # Only numbers that cross a break. `taken` is not consulted here: a wrapped number merges with
            # what the first reading found there, and a stronger finding must then win over both, exactly
            # as when nothing was skipped (the merge happens in resolve_overlaps).
            if "\n" in text[start:end] and (start, end) not in seen:
                findings.append(Finding("phone", start, end, f.confidence, f.detector))
    return findings


# A line break (with the spaces around it) between two parts of what may be one number.
_LINE_BREAK_IN_NUMBER = re.compile(
    r"(?:(?<=[\d()./-])|(?<=[eE][xX][tT])|(?<=[eE][xX][tT]\.)|(?<=[nN][sS][iI][oO][nN]))[ \t]*\r?\n[ \t]*"
    r"(?=[\d(/]|[xX#][ \t]?\d|[eE][xX][tT]|[iI][nN][tT])"
)


def _rejoin_lines(text: str) -> tuple[str, list[int]]:
    """`text` with each line break inside a number replaced, and for each character the index it came from."""
    pieces: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _LINE_BREAK_IN_NUMBER.finditer(text):
        pieces.append(text[pos : m.start()])
        origin.extend(range(pos, m.start()))
        if text[m.start() - 1] not in "-./":
            pieces.append(" ")
            origin.append(m.start())
        pos = m.end()
    pieces.append(text[pos:])
    origin.extend(range(pos, len(text)))
    return "".join(pieces), origin


def _find_phones(text: str, min_confidence: float, taken: Sequence[tuple[int, int]]) -> list[Finding]:
    findings = []
    for m in finditer_at(_PHONE, text, (c.start() for c in _PHONE_START.finditer(text))):
        start = m.start()
        if any(s < m.end() and start < e for s, e in taken):
            continue
        raw = m.group()
        confidence = _phone_confidence(raw, text[max(0, start - 40) : start], text[m.end() : m.end() + 12])
        if confidence >= min_confidence:
            findings.append(Finding("phone", start, m.end(), confidence, "phonenumbers"))
    return findings
