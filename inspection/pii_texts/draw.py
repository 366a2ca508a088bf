"""People, addresses, e-mail addresses and phone numbers from many countries, and the words of an office's
day around them: what the templates of `pii_texts` draw from.

Names and most streets come from Faker (`Faker.seed_instance`, one instance per locale); where Faker writes
a country's addresses in another country's format, or only in a script our users rarely type, the address
or name is composed here from short lists in the country's own order. Nothing here reads Sluice's own name
lists: the point of the generated texts is to measure them from outside.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faker import Faker

# Locale → weight. English and the large European locales dominate an internal help desk's traffic, but every
# locale turns up; "ar", "ja", "zh" and "vi" are romanised here, "ru", "uk" and "el" appear in both scripts.
LOCALES: dict[str, int] = {
    "en_US": 4,
    "en_GB": 3,
    "de_DE": 3,
    "fr_FR": 2,
    "es_ES": 2,
    "it_IT": 2,
    "pt_BR": 2,
    "nl_NL": 2,
    "pl_PL": 2,
    "sv_SE": 1,
    "no_NO": 1,
    "da_DK": 1,
    "fi_FI": 1,
    "hu_HU": 1,
    "cs_CZ": 1,
    "tr_TR": 1,
    "ru_RU": 1,
    "uk_UA": 1,
    "el_GR": 1,
    "ja_JP": 1,
    "zh_CN": 1,
    "en_IN": 2,
    "ar": 1,
    "en_NG": 1,
    "vi_VN": 1,
}
# Locales whose Faker has no usable names or addresses of their own: their numbers and streets come from
# the nearest Faker locale.
_FAKER_FOR = {"ar": "ar_EG"}
CYRILLIC_OR_GREEK = ("ru_RU", "uk_UA", "el_GR")
FAMILY_NAME_FIRST = ("hu_HU", "zh_CN", "vi_VN", "ja_JP")

# Language → (titles for women, titles for men), with the space that follows them.
TITLES = {
    "en": (("Ms ", "Ms. ", "Mrs ", "Dr ", "Dr. "), ("Mr ", "Mr. ", "Dr ", "Prof. ")),
    "de": (("Frau ", "Frau Dr. "), ("Herr ", "Herrn ", "Dr. ")),
    "fr": (("Mme ", "Madame "), ("M. ", "Monsieur ")),
    "es": (("Sra. ", "Dra. "), ("Sr. ", "Don ")),
    "it": (("Sig.ra ", "Dott.ssa "), ("Sig. ", "Dott. ")),
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _items(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяєіїґ",
        _words("a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya ye i yi g"),
        strict=True,
    )
)
_UKRAINIAN = {**_CYRILLIC, "г": "h", "и": "y", "е": "e", "й": "i"}
_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρσςτυφχψω",
        _words("a v g d e z i th i k l m n x o p r s s t y f ch ps o"),
        strict=True,
    )
)

_ARABIC_GIVEN = _words(
    "Omar Khalid Youssef Ahmed Mohammed Hassan Tariq Rami Nabil Karim Samir Fatima Layla Noor Mariam Huda Rania "
    "Salma Yasmin Amira Dina Hana Ziad Faisal Bilal Walid Hisham Lina Reem Sara Abdulrahman Mazen"
)
_ARABIC_FAMILY = _words(
    "Al-Mansouri Haddad El-Sayed Khoury Nasser Al-Rashid Hamdan Saleh Abdallah Mahmoud Farouk Qasim Al-Hashimi "
    "Darwish Shalaby Aziz Barakat Mansour Othman Zidan Al-Amin Jaber Suleiman Tawfiq Harb Nassar El-Masri Abboud "
    "Al-Qahtani Al-Harbi Al-Otaibi"
)
_VIET_GIVEN = _words("Minh Anh Hương Tuấn Linh Dũng Thảo Quang Hạnh Phương Khoa Trang Bảo Ngọc Hùng Mai Long Thủy")
_VIET_MIDDLE = ("Văn", "Thị", "Đức", "Ngọc", "Minh", "Thanh", "")

_PLACES = {
    # country → (streets, districts, cities), "|" between items; composed below in the country's own order
    "ja_JP": (
        _items("Nishi-Shinjuku|Jingumae|Ebisu|Roppongi|Umeda|Sakae|Tenjin|Kita-Aoyama|Shibaura|Hakata-ekimae"),
        _items("Shinjuku|Shibuya|Minato|Chiyoda|Kita|Naka|Chuo|Meguro"),
        _items("Tokyo|Osaka|Nagoya|Fukuoka|Yokohama|Sapporo"),
    ),
    "zh_CN": (
        _items("Jianguo|Zhongshan|Nanjing West|Huaihai Middle|Renmin|Jiefang|Xueyuan|Keji South"),
        _items("Chaoyang|Haidian|Pudong New|Xuhui|Tianhe|Nanshan|Xihu"),
        _items("Beijing|Shanghai|Guangzhou|Shenzhen|Hangzhou|Chengdu"),
    ),
    "tr_TR": (
        _items("Atatürk Cad.|İstiklal Caddesi|Bağdat Cad.|Gazi Sokak|Barbaros Bulvarı|Halaskargazi Cad."),
        _items("Kadıköy|Beşiktaş|Şişli|Çankaya|Konak|Nilüfer|Üsküdar"),
        _items("İstanbul|Ankara|İzmir|Bursa"),
    ),
    "en_NG": (
        _items("Adeola Odeku Street|Awolowo Road|Admiralty Way|Herbert Macaulay Way|Allen Avenue"),
        _items("Victoria Island|Ikoyi|Lekki Phase 1|Yaba|Ikeja|Wuse II"),
        _items("Lagos|Abuja|Ibadan"),
    ),
    "vi_VN": (
        _items("Lê Lợi|Nguyễn Huệ|Trần Hưng Đạo|Hai Bà Trưng|Điện Biên Phủ|Lý Thường Kiệt"),
        _items("Quận 1|Quận 3|Ba Đình|Hoàn Kiếm|Hải Châu"),
        _items("Hà Nội|TP. Hồ Chí Minh|Đà Nẵng"),
    ),
}
# Arabic-speaking countries: (street, district, city, country), each a real combination.
_ARAB_PLACES = (
    ("King Fahd Road", "Al Olaya", "Riyadh", "Saudi Arabia"),
    ("Prince Sultan Street", "Al Zahra", "Jeddah", "Saudi Arabia"),
    ("Tahrir Street", "Dokki", "Giza", "Egypt"),
    ("26th of July Street", "Zamalek", "Cairo", "Egypt"),
    ("Al Wasl Road", "Al Safa", "Dubai", "UAE"),
    ("Sheikh Zayed Road", "Al Barsha 1", "Dubai", "UAE"),
    ("Mecca Street", "Um Uthaina", "Amman", "Jordan"),
)
COUNTRIES = {
    "en_US": "USA",
    "en_GB": "United Kingdom",
    "de_DE": "Germany",
    "fr_FR": "France",
    "es_ES": "Spain",
    "it_IT": "Italy",
    "pt_BR": "Brazil",
    "nl_NL": "Netherlands",
    "pl_PL": "Poland",
    "sv_SE": "Sweden",
    "no_NO": "Norway",
    "da_DK": "Denmark",
    "fi_FI": "Finland",
    "hu_HU": "Hungary",
    "cs_CZ": "Czech Republic",
    "tr_TR": "Türkiye",
    "ru_RU": "Russia",
    "uk_UA": "Ukraine",
    "el_GR": "Greece",
    "ja_JP": "Japan",
    "zh_CN": "China",
    "en_IN": "India",
    "en_NG": "Nigeria",
    "vi_VN": "Vietnam",
}
MAIL_DOMAINS = ("example.com", "corp.example", "example.org", "mail.example.net", "sluice-demo.example")


@dataclass(frozen=True)
class Pii:
    """A value to be labelled where it lands in the text."""

    label: str
    value: str
    locale: str = ""


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    locale: str
    female: bool


# Greek pairs that read as one Latin sound; word-initial μπ and ντ are b and d.
_GREEK_PAIRS = (("^μπ", "b"), ("^ντ", "d"), ("ου", "ou"), ("αυ", "av"), ("ευ", "ev"), ("γγ", "ng"), ("γκ", "gk"))


def transliterate(text: str, locale: str) -> str:
    """Latin letters for Cyrillic or Greek text (a plain, passport-like scheme); other text is returned as is."""
    table = _UKRAINIAN if locale == "uk_UA" else _GREEK if locale == "el_GR" else _CYRILLIC
    words = []
    for word in text.split(" "):
        plain = word.lower()
        if locale == "el_GR":
            # Greek accents go; Cyrillic й, ё and ї are letters of their own and stay.
            plain = "".join(unicodedata.normalize("NFD", ch)[0] for ch in plain)
            for pair, latin in _GREEK_PAIRS:
                plain = re.sub(pair, latin, plain)
        plain = "".join(table.get(ch, ch).strip("_") for ch in plain)
        if word.isupper() and len(word) > 1:
            plain = plain.upper()
        elif word[:1].isupper():
            plain = plain.capitalize()
        words.append(plain)
    return " ".join(words)


_UNDECOMPOSED = str.maketrans(
    {"Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "ı": "i"}
)


def ascii_fold(text: str) -> str:
    """What is left of a name in an e-mail address: ASCII letters, digits, dots and hyphens."""
    text = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    return "".join(c for c in text if c.isascii() and (c.isalnum() or c in ".-"))


class Draw:
    """Every random choice of one generation run: `rng` for the templates, one seeded Faker per locale."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._fakers: dict[str, Faker] = {}
        for locale in LOCALES:
            faker_locale = _FAKER_FOR.get(locale, locale)
            fake = Faker(faker_locale)
            fake.seed_instance(rng.getrandbits(32))
            self._fakers[locale] = fake

    def pick(self, options: Sequence[str]) -> str:
        return self.rng.choice(options)

    def num(self, low: int, high: int) -> str:
        return str(self.rng.randint(low, high))

    def locale(self) -> str:
        return self.rng.choices(list(LOCALES), weights=list(LOCALES.values()))[0]

    def person(self, locale: str | None = None) -> Person:
        locale = locale or self.locale()
        female = self.rng.random() < 0.5
        gender = "female" if female else "male"
        fake = self._fakers[locale]
        if locale == "ar":
            return Person(self.rng.choice(_ARABIC_GIVEN), self.rng.choice(_ARABIC_FAMILY), locale, female)
        if locale == "vi_VN":
            middle = self.rng.choice(_VIET_MIDDLE)
            given = f"{middle} {self.rng.choice(_VIET_GIVEN)}".strip()
            return Person(given, fake.last_name(), locale, female)
        if locale in ("ja_JP", "zh_CN"):
            return Person(fake.first_romanized_name(), fake.last_romanized_name(), locale, female)
        first = getattr(fake, f"first_name_{gender}")()
        last = getattr(fake, f"last_name_{gender}")()
        if locale in CYRILLIC_OR_GREEK and self.rng.random() < 0.7:
            first, last = transliterate(first, locale), transliterate(last, locale)
        return Person(first, last, locale, female)

    def name(self, person: Person, form: str = "full") -> Pii:
        """The person's name as text writes it. Forms: full, first, last, last_first ("Last, First"), initial
        ("J. Smith"), family_first, and any of them with "_lower" (as typed in chat)."""
        lower = form.endswith("_lower")
        form = form.removesuffix("_lower")
        first, last = person.first, person.last
        if form == "full" and person.locale in FAMILY_NAME_FIRST and self.rng.random() < 0.5:
            form = "family_first"
        value = {
            "full": f"{first} {last}",
            "first": first.split(" ")[-1] if person.locale == "vi_VN" else first.split(" ")[0],
            "last": last,
            "last_first": f"{last}, {first}",
            "initial": f"{first[0]}. {last}",
            "family_first": f"{last} {first}",
        }[form]
        return Pii("PERSON", value.lower() if lower else value, person.locale)

    def title(self, person: Person) -> str:
        """A courtesy title in the person's language (English for the rest), matching the person's sex."""
        women, men = TITLES.get(person.locale[:2], TITLES["en"])
        return self.rng.choice(women if person.female else men)

    def email(self, person: Person, domain: str | None = None) -> Pii:
        first = ascii_fold(transliterate(person.first, person.locale)).lower()
        last = ascii_fold(transliterate(person.last, person.locale)).lower()
        local = self.rng.choice((f"{first}.{last}", f"{first[:1]}{last}", f"{first}", f"{last}.{first[:1]}"))
        return Pii("EMAIL_ADDRESS", f"{local}@{domain or self.rng.choice(MAIL_DOMAINS)}", person.locale)

    def phone(self, locale: str | None = None) -> Pii:
        locale = locale or self.locale()
        r = self.rng.randint
        if locale == "en_NG":
            value = f"+234 80{r(2, 9)} {r(100, 999)} {r(1000, 9999)}"
        elif locale == "ar":
            value = self.rng.choice(
                (f"+971 50 {r(100, 999)} {r(1000, 9999)}", f"+20 10 {r(1000, 9999)} {r(1000, 9999)}")
            )
        else:
            value = self._fakers[locale].phone_number()
        return Pii("PHONE_NUMBER", value, locale)

    def address(self, locale: str | None = None, form: str = "line") -> Pii:
        """A postal address of the locale. Forms: street (street and number only), line (one line, commas),
        lines (one part a line), country (one line with the country), and "_lower" for any of them."""
        locale = locale or self.locale()
        lower = form.endswith("_lower")
        form = form.removesuffix("_lower")
        if locale == "ar":
            street, district, city, country = self.rng.choice(_ARAB_PLACES)
            unit = self.rng.choice((f"Villa {self.rng.randint(1, 90)}, ", f"Building {self.rng.randint(1, 40)}, ", ""))
            street, locality = f"{unit}{self.rng.randint(1, 240)} {street}", f"{district}, {city}"
        else:
            street, locality = self._street_and_locality(locale)
            country = COUNTRIES[locale]
        if form == "street":
            value = street
        elif form == "lines":
            value = f"{street}\n{locality}"
        elif form == "country":
            value = f"{street}, {locality}, {country}"
        else:
            value = f"{street}, {locality}"
        value = re.sub(r" {2,}", " ", value)
        return Pii("STREET_ADDRESS", value.lower() if lower else value, locale)

    def _street_and_locality(self, locale: str) -> tuple[str, str]:
        fake = self._fakers[locale]
        rng = self.rng
        n = rng.randint(1, 240)
        if locale in _PLACES:
            streets, districts, cities = _PLACES[locale]
            street, district, city = rng.choice(streets), rng.choice(districts), rng.choice(cities)
            if locale == "ja_JP":
                return f"{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)} {street}", (
                    f"{district}-ku, {city} {rng.randint(100, 999)}-{rng.randint(0, 9999):04d}"
                )
            if locale == "zh_CN":
                room = rng.choice(("", f"Room {rng.randint(2, 30)}0{rng.randint(1, 9)}, Building {n % 12 + 1}, "))
                return f"{room}No. {n} {street} Road", f"{district} District, {city} {rng.randint(100000, 999999)}"
            if locale == "tr_TR":
                return f"{street} No: {n} D: {rng.randint(1, 30)}", f"{rng.randint(1000, 81999):05d} {district}/{city}"
            if locale == "vi_VN":
                return f"{n} {street}, Phường {rng.randint(1, 15)}", f"{district}, {city}"
            return f"{n} {street}", f"{district}, {city}"
        if locale == "en_US":
            return fake.street_address(), f"{fake.city()}, {fake.state_abbr()} {fake.zipcode()}"
        if locale == "en_GB":
            flat = rng.choice(("", "", f"Flat {rng.randint(1, 40)}, "))
            return f"{flat}{fake.building_number()} {fake.street_name()}", f"{fake.city()} {fake.postcode()}"
        if locale == "en_IN":
            return f"{fake.building_number()}, {fake.street_name()}", f"{fake.city()} {fake.postcode()}"
        if locale == "fr_FR":
            return f"{n}{rng.choice(('', '', ',', ' bis'))} {fake.street_name()}", f"{fake.postcode()} {fake.city()}"
        if locale == "de_DE":
            return f"{fake.street_name()} {n}{rng.choice(('', '', 'a'))}", f"{fake.postcode()} {fake.city()}"
        if locale == "pt_BR":
            cep = f"{rng.randint(10000, 99999)}-{rng.randint(0, 999):03d}"
            return f"{fake.street_name()}, {n}", f"{fake.bairro()}, {fake.city()} - {fake.estado_sigla()}, {cep}"
        if locale == "it_IT":
            return fake.street_address(), f"{fake.postcode()} {fake.city()} ({fake.state_abbr()})"
        if locale == "pl_PL":
            street = fake.street_address()
            return (street if rng.random() < 0.5 else f"ul. {fake.street_name()} {n}"), (
                f"{fake.postcode()} {fake.city()}"
            )
        if locale in CYRILLIC_OR_GREEK:
            street, locality = fake.street_address(), f"{fake.postcode()} {fake.city()}"
            if rng.random() < 0.6:
                street, locality = transliterate(street, locale), transliterate(locality, locale)
            return street, locality
        # nl, sv, no, da, fi, hu, cs, es: Faker's street addresses are written the country's way
        return fake.street_address().strip(), f"{fake.postcode()} {fake.city()}"


Piece = str | Pii
Template = Callable[[Draw], list[Piece]]


class Templates(dict[str, Template]):
    """A pool of templates by id; `@pool.add` registers a function under its name without the underscore."""

    def add(self, fn: Template) -> Template:
        self[fn.__name__.removeprefix("_")] = fn
        return fn


# Words of an office's working day, none of them a person or an address.
MONTHS = _words("January February March April May June July August September October November December")
WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday")
TEAMS = (
    "Platform",
    "Service Desk",
    "Payroll Ops",
    "Data Platform",
    "Network",
    "Facilities",
    "Finance Systems",
    "Identity",
    "Workplace IT",
    "Security Operations",
)
PRODUCTS = (
    "Postgres 16",
    "Windows 11",
    "Python 3.12",
    "Kubernetes 1.29",
    "Java 21",
    "Ubuntu 24.04",
    "macOS 14",
    "Office 365",
    "Jira 9",
    "SAP S/4HANA",
    "Exchange Online",
    "Confluence 8",
)
TOOLS = ("Outlook", "Jira", "Confluence", "Okta", "Zoom", "Slack", "Teams", "Workday", "ServiceNow", "GitLab")
ROOMS = ("4B", "2.17", "Everest", "K2", "Aurora", "Oslo", "3C", "Kilimanjaro", "1.04")
COMPANIES = ("Northwind Traders", "Contoso Ltd", "Fabrikam GmbH", "Tailspin Logistics", "Globex SA", "Initech")


def date(d: Draw) -> str:
    day, month = d.rng.randint(1, 28), d.rng.randint(1, 12)
    return d.pick(
        (
            f"{day} {MONTHS[month - 1]}",
            f"{MONTHS[month - 1]} {day}",
            f"2025-{month:02d}-{day:02d}",
            f"{day:02d}.{month:02d}.2025",
        )
    )


def he(person: Person) -> str:
    return "she" if person.female else "he"


def him(person: Person) -> str:
    return "her" if person.female else "him"


def pad(piece: Pii, width: int) -> str:
    return " " * max(1, width - len(piece.value))


def lookalikes(d: Draw, sentences: Sequence[str], *, joiner: str = " ") -> list[Piece]:
    """Two or three of the sentences, their slots filled, as one text with no name and no address."""
    fill = {
        "n": d.num(1, 9),
        "nn": d.num(10, 59),
        "product": d.pick(PRODUCTS),
        "weekday": d.pick(WEEKDAYS),
        "month": d.pick(MONTHS),
        "team": d.pick(TEAMS),
        "room": d.pick(ROOMS),
        "tool": d.pick(TOOLS),
        "company": d.pick(COMPANIES),
    }
    return [joiner.join(s.format(**fill) for s in d.rng.sample(list(sentences), d.rng.randint(2, 3)))]
