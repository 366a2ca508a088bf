"""The held-out pool: other errands and other shapes than the tuning pool's. Visitor logs, travel bookings,
legal holds, recruiting tables, field dispatch lines, asset returns, JSON, YAML, CSV and log exports,
voicemail transcripts, quoted and forwarded mail, French and Spanish messages, text messages, kudos, and
office texts with no name or address. Only measured: no rule is to be written from these texts."""

from __future__ import annotations

from inspection.pii_texts.draw import (
    MONTHS,
    PRODUCTS,
    TEAMS,
    WEEKDAYS,
    Draw,
    Piece,
    Templates,
    date,
    lookalikes,
    pad,
)

TEMPLATES = Templates()


@TEMPLATES.add
def _visitor_log(d: Draw) -> list[Piece]:
    pieces: list[Piece] = [f"Visitor log — Gate {d.num(1, 14)}, {date(d)}\n"]
    for _ in range(d.rng.randint(2, 4)):
        visitor, host = d.name(d.person()), d.name(d.person())
        time = f"{d.rng.randint(8, 17):02d}:{d.rng.randint(0, 59):02d}"
        pieces += [f"{time}  ", visitor, pad(visitor, 28), "host: ", host, f"  badge V-{d.num(100, 999)}\n"]
    return pieces


@TEMPLATES.add
def _travel_booking(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "Please book a hotel within walking distance of ",
        d.address(form=d.pick(("line", "country"))),
        " for ",
        d.title(p),
        d.name(p),
        f", arriving {date(d)}. Flight {d.pick(('LH', 'BA', 'AF', 'KL', 'TK'))} {d.num(100, 2999)} lands at "
        f"{d.rng.randint(7, 22)}:{d.pick(('05', '20', '45'))}; traveller's mobile: ",
        d.phone(p.locale),
    ]


@TEMPLATES.add
def _legal_hold(d: Draw) -> list[Piece]:
    a, b, counsel = d.person(), d.person(), d.person()
    return [
        "LEGAL HOLD – effective immediately. Preserve all mailboxes, OneDrive folders and Teams chats of ",
        d.name(a),
        " and ",
        d.name(b),
        f" from {date(d)} onward. Do not delete or move anything. Questions: ",
        d.name(counsel),
        ", Legal.",
    ]


@TEMPLATES.add
def _recruiting_markdown(d: Draw) -> list[Piece]:
    pieces: list[Piece] = ["| Candidate | Stage | Recruiter |\n|---|---|---|\n"]
    for _ in range(d.rng.randint(2, 4)):
        stage = d.pick(("Phone screen", "Onsite", "Offer", "Rejected", "Take-home"))
        pieces += ["| ", d.name(d.person()), f" | {stage} | ", d.name(d.person(), "first"), " |\n"]
    return pieces


@TEMPLATES.add
def _field_dispatch(d: Draw) -> list[Piece]:
    tech = d.person()
    return [
        f"DISPATCH {d.num(40000, 49999)} | site: ",
        d.address(form="line"),
        " | tech: ",
        d.name(tech, d.pick(("full_lower", "initial", "full"))),
        f" | eta {d.rng.randint(8, 17)}:30 | note: gate code {d.num(1000, 9999)}",
    ]


@TEMPLATES.add
def _asset_return(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "Return label for ",
        d.name(p),
        ": ship the MacBook from\n",
        d.address(p.locale, "lines"),
        "\nto our depot at\n",
        d.address(form="lines"),
        "\nUse the prepaid box; do not include the charger.",
    ]


@TEMPLATES.add
def _payroll_json(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        '{"employee": "',
        d.name(p, d.pick(("full", "last_first"))),
        '", "home_address": "',
        d.address(p.locale, "line"),
        f'", "effective": "2025-{d.rng.randint(1, 12):02d}-01", "reason": "relocation"}}',
    ]


@TEMPLATES.add
def _voicemail_transcript(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "Voicemail (auto-transcribed): hi this is ",
        d.name(p, "full_lower"),
        " um calling about my new badge it never arrived could you send it to ",
        d.address(p.locale, "line_lower"),
        " thanks bye",
    ]


@TEMPLATES.add
def _quoted_reply(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        f"Done, token reset.\n\n> On {d.pick(WEEKDAYS)}, {date(d)}, ",
        d.name(p),
        " <",
        d.email(p),
        "> wrote:\n> Can you check why ",
        d.name(q, "first"),
        "'s token keeps expiring?\n> Thanks",
    ]


@TEMPLATES.add
def _forwarded_address_change(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "---------- Forwarded message ---------\nFrom: ",
        d.name(p),
        " <",
        d.email(p),
        f">\nDate: {d.pick(WEEKDAYS)}, {date(d)}\nSubject: change of address\n\n"
        "Please note my new address from next month:\n",
        d.address(p.locale, d.pick(("lines", "country"))),
        "\n\nKind regards\n",
        d.name(p, "first"),
    ]


@TEMPLATES.add
def _french_message(d: Draw) -> list[Piece]:
    p, q = d.person(d.pick(("fr_FR", "fr_FR", "ar", "pt_BR", "vi_VN"))), d.person()
    return [
        "Bonjour, ",
        d.name(p),
        " a déménagé au ",
        d.address("fr_FR"),
        ". Pouvez-vous mettre à jour son dossier avant la paie ? Merci, ",
        d.name(q, "first"),
    ]


@TEMPLATES.add
def _spanish_message(d: Draw) -> list[Piece]:
    p, boss = d.person(d.pick(("es_ES", "es_ES", "pt_BR", "it_IT"))), d.person()
    return [
        "Hola, soy ",
        d.name(p),
        ". ¿Podéis enviar el portátil nuevo a ",
        d.address("es_ES", d.pick(("line", "street"))),
        "? Mi responsable, ",
        d.name(boss),
        ", ya lo aprobó.",
    ]


@TEMPLATES.add
def _text_message(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        d.name(p, "first"),
        " here, running late. Parcel for ",
        d.name(q, "last"),
        " is at ",
        d.address(q.locale, "street"),
        d.pick((", ring twice", " - back door", "")),
    ]


@TEMPLATES.add
def _service_yaml(d: Draw) -> list[Piece]:
    owner, first, second = d.person(), d.person(), d.person()
    return [
        f"service: {d.pick(('payroll-export', 'badge-sync', 'vpn-gateway', 'hr-portal'))}\nowner: ",
        d.name(owner),
        "\nescalation:\n  - ",
        d.name(first),
        "\n  - ",
        d.name(second),
        '\nsite: "',
        d.address(form="line"),
        f'"\ntier: {d.num(1, 3)}',
    ]


@TEMPLATES.add
def _audit_log_lines(d: Draw) -> list[Piece]:
    p, viewer = d.person(), d.person()
    stamp = f"2025-{d.rng.randint(1, 12):02d}-{d.rng.randint(1, 28):02d}T{d.rng.randint(0, 23):02d}:{d.num(10, 59)}"
    return [
        f'{stamp}:44Z INFO hr.profile user="',
        d.name(p),
        '" action=update_address new="',
        d.address(p.locale, "line"),
        f'"\n{stamp}:51Z INFO hr.profile user="',
        d.name(viewer),
        '" action=view',
    ]


@TEMPLATES.add
def _review_surnames(d: Draw) -> list[Piece]:
    a, b, c, e = d.person(), d.person(), d.person(), d.person()
    return [
        d.name(a, "last"),
        " opened the design review. ",
        d.name(b),
        " questioned ",
        d.name(c, "last"),
        f"'s estimate for the {d.pick(PRODUCTS)} work; ",
        d.name(a, "last"),
        " agreed to revisit it with ",
        d.name(e, "first"),
        f" on {d.pick(WEEKDAYS)}.",
    ]


@TEMPLATES.add
def _fire_wardens(d: Draw) -> list[Piece]:
    a, b, c = d.person(), d.person(), d.person()
    return [
        f"Fire wardens for Building {d.pick('ABCDE')}, floor {d.num(1, 6)}: ",
        d.name(a),
        "; ",
        d.name(b),
        "; ",
        d.name(c),
        " (backup).",
    ]


@TEMPLATES.add
def _lower_question_office(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "who replaced ",
        d.name(p, d.pick(("full_lower", "first_lower"))),
        " as the contact for the office at ",
        d.address(form="line_lower"),
        "?",
    ]


@TEMPLATES.add
def _relocation_package(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "Relocation package for ",
        d.name(p),
        ": temporary flat at ",
        d.address(form="line"),
        f" from {d.pick(MONTHS)} 1st; the movers collect from ",
        d.address(p.locale, "line"),
        " the day before.",
    ]


@TEMPLATES.add
def _concierge_delivery(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "Leave with the concierge if nobody answers. ",
        d.address(p.locale, "street"),
        f", {d.pick(('4th floor', 'top floor', 'ground floor'))}, buzzer {d.num(1, 40)}, c/o ",
        d.name(p),
        d.pick((". Mobile: ", " – call ", ", tel. ")),
        d.phone(p.locale),
    ]


@TEMPLATES.add
def _kudos(d: Draw) -> list[Piece]:
    a, b, c = d.person(), d.person(), d.person()
    return [
        "Shout-out to ",
        d.name(a),
        " and ",
        d.name(b, "first"),
        f" 🎉 for getting the {d.pick(PRODUCTS)} cut-over done before {d.pick(MONTHS)}! Drinks on ",
        d.name(c, "last"),
        ".",
    ]


@TEMPLATES.add
def _csv_export(d: Draw) -> list[Piece]:
    pieces: list[Piece] = ["employee_id,name,address,team\n"]
    for _ in range(d.rng.randint(2, 3)):
        p = d.person()
        pieces += [f'{d.num(10000, 99999)},"', d.name(p, "last_first"), '","', d.address(p.locale), '",']
        pieces.append(f"{d.pick(TEAMS)}\n")
    return pieces


_LOOKALIKES_HELD_OUT = (
    "Gate {n} is closed for resurfacing until {weekday}; deliveries use Dock {n}.",
    "Bay {n} in the car park is reserved for visitors from {company}.",
    "Sprint {nn} retro moved to {weekday}.",
    "Windows 11 23H2 rollout paused at Ring {n}; Java 21 images are in Artifactory.",
    "Level {n} support handles Teams, Outlook and Grafana alerts.",
    "Kafka 3.7 and Zookeeper issues go to the Data Platform group.",
    "Hugo builds the docs site; Julia notebooks live in the analytics repository.",
    "The Lisbon and Warsaw offices close early on Christmas Eve.",
    "Meeting room Everest (Building A, floor {n}) has a new Jabra speaker.",
    "August payroll runs on the 25th. Grace period for expense claims ends on the 30th.",
    "Victoria line delays: the {weekday} all-hands starts at 10:{nn} instead.",
    "Mercury, Apollo and Gemini are the three test clusters; Apollo is down for patching.",
)


@TEMPLATES.add
def _no_pii_facilities(d: Draw) -> list[Piece]:
    return lookalikes(d, _LOOKALIKES_HELD_OUT[:4], joiner="\n")


@TEMPLATES.add
def _no_pii_support_levels(d: Draw) -> list[Piece]:
    return lookalikes(d, _LOOKALIKES_HELD_OUT[4:8], joiner="\n")


@TEMPLATES.add
def _no_pii_calendar(d: Draw) -> list[Piece]:
    return lookalikes(d, _LOOKALIKES_HELD_OUT[8:], joiner="\n")


@TEMPLATES.add
def _no_pii_status_page(d: Draw) -> list[Piece]:
    return [
        f"Status {date(d)}: {d.pick(PRODUCTS)} degraded in Region West; Dock {d.num(1, 9)} scanners offline; "
        f"Platform {d.num(1, 9)} build agents back. Next update from the {d.pick(TEAMS)} duty desk at 16:00."
    ]
