"""The tuning pool: tickets, chat lines, e-mails with signatures, HR and CRM notes, forms, handovers, meeting
notes, and office texts with no name or address. Rules may be written from what these texts miss."""

from __future__ import annotations

from inspection.pii_texts.draw import (
    COMPANIES,
    MONTHS,
    PRODUCTS,
    ROOMS,
    TEAMS,
    TOOLS,
    WEEKDAYS,
    Draw,
    Piece,
    Pii,
    Templates,
    date,
    he,
    him,
    lookalikes,
    pad,
)
from inspection.pii_texts.shapes import TEMPLATES as SHAPE_TEMPLATES

TEMPLATES = Templates()


@TEMPLATES.add
def _ticket_new_starter(d: Draw) -> list[Piece]:
    starter, manager = d.person(), d.person()
    return [
        f"Ticket #{d.num(10000, 99999)}: new starter ",
        d.name(starter),
        " needs a laptop delivered to ",
        d.address(starter.locale, d.pick(("line", "country"))),
        f" before {date(d)}. Line manager: ",
        d.name(manager),
        ".",
    ]


@TEMPLATES.add
def _ticket_locked_out(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        d.pick(("Hi, this is ", "Hello, my name is ", "Hi! I'm ")),
        d.name(p),
        f" from {d.pick(TEAMS)}. I'm locked out of {d.pick(TOOLS)} since the password change this morning. "
        "Could someone call me back on ",
        d.phone(p.locale),
        "? Thanks",
    ]


@TEMPLATES.add
def _chat_lower_full_name(d: Draw) -> list[Piece]:
    p = d.person()
    tool = d.pick(TOOLS).lower()
    return d.pick(
        (
            ["hey can u ask ", d.name(p, "full_lower"), f" to approve my access request for {tool}"],
            ["does anyone know if ", d.name(p, "full_lower"), f" is still admin for {tool}?"],
            ["pls add ", d.name(p, "full_lower"), f" to the {tool} group, thx"],
        )
    )


@TEMPLATES.add
def _chat_lower_first_name(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return d.pick(
        (
            [d.name(p, "first_lower"), " said the vpn is down again, anyone else seeing this?"],
            ["ping ", d.name(p, "first_lower"), " about the printer on 3rd floor, its jammed"],
            ["ok so ", d.name(p, "first_lower"), " and ", d.name(q, "first_lower"), " are both out today?"],
        )
    )


@TEMPLATES.add
def _email_signature(d: Draw) -> list[Piece]:
    p = d.person()
    body = d.pick(
        (
            "the quarterly access review is due on Friday; please check your team's list in Okta.",
            f"the {d.pick(PRODUCTS)} upgrade is done, let me know if anything looks off.",
            "I've attached the updated travel policy. The main change is the hotel cap.",
        )
    )
    return [
        f"Hi all,\n\n{body}\n\n{d.pick(('Best regards', 'Kind regards', 'Thanks', 'Cheers'))},\n",
        d.name(p),
        f"\n{d.pick(('Senior Engineer', 'IT Coordinator', 'HR Business Partner', 'Team Lead'))} | {d.pick(TEAMS)}\n",
        d.phone(p.locale),
        "\n",
        d.address(p.locale, "lines"),
    ]


@TEMPLATES.add
def _email_signature_german(d: Draw) -> list[Piece]:
    p = d.person(d.pick(("de_DE", "de_DE", "pl_PL", "tr_TR", "it_IT")))
    return [
        "Hallo zusammen,\n\nder Drucker im 3. OG ist wieder defekt. Könnt ihr bitte jemanden schicken?\n\n"
        "Viele Grüße\n",
        d.name(p),
        "\n",
        d.address("de_DE", "lines"),
        "\nTel. ",
        d.phone("de_DE"),
    ]


@TEMPLATES.add
def _hr_address_change(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        f"HR note ({date(d)}): ",
        d.name(p),
        " has moved. New home address: ",
        d.address(p.locale, d.pick(("line", "country"))),
        f". Payroll and the benefits provider need it before the {d.pick(MONTHS)} run.",
    ]


@TEMPLATES.add
def _hr_leave_last_first(d: Draw) -> list[Piece]:
    p, cover, payroll = d.person(), d.person(), d.person()
    return [
        d.name(p, "last_first"),
        f" — parental leave from {date(d)} to {date(d)}. Cover: ",
        d.name(cover),
        ". Payroll questions stay with ",
        d.name(payroll, "initial"),
        ".",
    ]


@TEMPLATES.add
def _form_new_hire(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "New hire form\nName: ",
        d.name(p),
        "\nPreferred name: ",
        d.name(p, "first"),
        "\nHome address:\n",
        d.address(p.locale, "lines"),
        f'\nStart date: {date(d)}\nDepartment: {d.pick(TEAMS)}\nEquipment: laptop (14"), headset',
    ]


@TEMPLATES.add
def _form_pipes(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "Full name: ",
        d.name(p),
        " | Address: ",
        d.address(p.locale),
        " | Phone: ",
        d.phone(p.locale),
        f" | Cost centre: CC-{d.num(1000, 9999)}",
    ]


@TEMPLATES.add
def _crm_call_note(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        "Call with ",
        d.name(p),
        f" ({d.pick(COMPANIES)}) — wants invoices sent to ",
        d.address(p.locale),
        " instead of head office. Follow up with ",
        d.title(q),
        d.name(q, "last"),
        " next week.",
    ]


@TEMPLATES.add
def _ship_replacement(d: Draw) -> list[Piece]:
    p = d.person()
    item = d.pick(("headset", "charger", "docking station", "YubiKey", "monitor"))
    return [
        f"Please ship the replacement {item} to ",
        d.name(p),
        ", ",
        d.address(p.locale, d.pick(("line", "lines"))),
        ". Phone for the courier: ",
        d.phone(p.locale),
        ".",
    ]


@TEMPLATES.add
def _meeting_notes(d: Draw) -> list[Piece]:
    a, b, c = d.person(), d.person(), d.person()
    return [
        f"Meeting notes – {d.pick(MONTHS)} {d.num(1, 28)}, room {d.pick(ROOMS)}\nAttendees: ",
        d.name(a),
        ", ",
        d.name(b),
        ", ",
        d.name(c),
        "\n- ",
        d.name(a, "first"),
        f" to check the {d.pick(PRODUCTS)} upgrade\n- ",
        d.name(b, "first"),
        " and ",
        d.name(c, "first"),
        f" to draft the rollback plan (step {d.num(2, 6)} onwards)\n- Next meeting: {d.pick(WEEKDAYS)}",
    ]


@TEMPLATES.add
def _oncall_handover(d: Draw) -> list[Piece]:
    a, b, c = d.person(), d.person(), d.person()
    return [
        "Handover from ",
        d.name(a),
        " to ",
        d.name(b),
        f": db-0{d.num(1, 9)} disk at {d.num(80, 95)}%, the backup job failed twice overnight. ",
        d.name(b, "first"),
        ", please keep an eye on it and escalate to ",
        d.title(c),
        d.name(c, "last"),
        " if it fails again.",
    ]


@TEMPLATES.add
def _incident_fields(d: Draw) -> list[Piece]:
    a, b, c = d.person(), d.person(), d.person()
    return [
        f"Incident INC-{d.num(100000, 999999)}\nSeverity: {d.num(1, 4)}\nReported by: ",
        d.name(a),
        "\nAffected user: ",
        d.name(b),
        f"\nSummary: mailbox full after the move to {d.pick(PRODUCTS)}\nActions: ",
        d.name(c, "initial"),
        " raised the quota and archived 2019–2021.",
    ]


@TEMPLATES.add
def _possessive_stolen_laptop(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        d.name(p),
        "'s laptop was stolen from a car parked outside ",
        d.address(p.locale, "street"),
        ". Please wipe it remotely and send a loaner to ",
        d.address(p.locale),
        ".",
    ]


@TEMPLATES.add
def _spoke_to_object(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        "I spoke to ",
        d.name(p),
        f" yesterday and {he(p)} confirmed the change window. Please forward the final plan to ",
        d.name(q, d.pick(("first", "full"))),
        " as well.",
    ]


@TEMPLATES.add
def _titles_approval(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        d.title(p),
        d.name(p, "last"),
        " approved the request; ",
        d.title(q),
        d.name(q, "last"),
        f" will sign the purchase order on {d.pick(WEEKDAYS)}.",
    ]


@TEMPLATES.add
def _rota_bullets(d: Draw) -> list[Piece]:
    a, b, c = d.person(), d.person(), d.person()
    return [
        "On-call this week:\n- Mon–Tue: ",
        d.name(a),
        "\n- Wed: ",
        d.name(b),
        "\n- Thu–Fri: ",
        d.name(c),
        f"\nEscalation: {d.pick(TEAMS)} lead.",
    ]


@TEMPLATES.add
def _table_extensions(d: Draw) -> list[Piece]:
    pieces: list[Piece] = ["Name                      | Team                | Ext.\n"]
    for _ in range(d.rng.randint(2, 4)):
        name, team = d.name(d.person()), d.pick(TEAMS)
        pieces += [name, pad(name, 26), f"| {team:<20}| {d.num(2000, 2999)}\n"]
    return pieces


@TEMPLATES.add
def _question_owner(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        "Is ",
        d.name(p),
        " still the owner of the payroll export, or did it move to ",
        d.name(q),
        f" when {he(p)} changed teams?",
    ]


@TEMPLATES.add
def _question_postage(d: Draw) -> list[Piece]:
    return [
        d.pick(("How much does it cost to send a monitor to ", "What's the fastest courier option to ")),
        d.address(form=d.pick(("line", "country"))),
        "?",
    ]


@TEMPLATES.add
def _technician_visit(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        f"Technician visit booked for {d.pick(WEEKDAYS)} {date(d)} at\n",
        d.address(p.locale, "lines"),
        "\nContact on site: ",
        d.name(p),
        ", ",
        d.phone(p.locale),
    ]


@TEMPLATES.add
def _email_header(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "From: ",
        d.name(p),
        " <",
        d.email(p),
        ">\nTo: Service Desk <",
        Pii("EMAIL_ADDRESS", "servicedesk@corp.example"),
        f">\nSubject: Monitor flickering\n\nHi,\nthe second screen in room {d.pick(ROOMS)} keeps flickering. "
        "Can someone take a look?\n\n",
        d.name(p, "first"),
    ]


@TEMPLATES.add
def _reference_check(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        "Reference check for ",
        d.name(p),
        f": previously at {d.pick(COMPANIES)} for four years. Referee: ",
        d.title(q),
        d.name(q),
        " (",
        d.phone(q.locale),
        f"), who described {him(p)} as reliable and calm under pressure.",
    ]


@TEMPLATES.add
def _chat_log(d: Draw) -> list[Piece]:
    a, b, c = d.person(), d.person(), d.person()
    return [
        "[09:14] ",
        d.name(a),
        ": deploy to staging done\n[09:15] ",
        d.name(b),
        ": thx! can you tell ",
        d.name(c, "first_lower"),
        " the migration is next?\n[09:16] ",
        d.name(a),
        ": will do",
    ]


@TEMPLATES.add
def _courier_pickup(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "Courier pickup tomorrow at ",
        d.address(p.locale, "street"),
        ", loading dock 3, between 9 and 12. Ask for ",
        d.name(p, "first"),
        " at reception.",
    ]


@TEMPLATES.add
def _expense_taxi(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        "Taxi from ",
        d.address(p.locale),
        " to the airport for ",
        d.name(p),
        f" on {date(d)} — approved by ",
        d.name(q, "last"),
        ".",
    ]


@TEMPLATES.add
def _onboarding_checklist(d: Draw) -> list[Piece]:
    p, buddy = d.person(), d.person()
    return [
        "Onboarding: ",
        d.name(p),
        "\n[x] badge\n[x] laptop imaged (Windows 11)\n[ ] Slack and Jira accounts\n[ ] buddy assigned: ",
        d.name(buddy),
        "\n[ ] welcome pack posted to ",
        d.address(p.locale),
    ]


@TEMPLATES.add
def _subject_leads_migration(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        d.name(p),
        f" will lead the migration to {d.pick(PRODUCTS)} in {d.pick(MONTHS)}; ",
        d.name(q, "last"),
        " covers the Kafka side.",
    ]


@TEMPLATES.add
def _chat_lower_address(d: Draw) -> list[Piece]:
    return [
        d.pick(("can you send the docking station to ", "new address for my hardware: ", "pls ship it to ")),
        d.address(form="line_lower"),
        d.pick(("? i'm working from home this month", " thanks", "")),
    ]


@TEMPLATES.add
def _deliver_to_attn(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "Deliver to:\n",
        d.address(p.locale, "lines"),
        "\nAttn: ",
        d.name(p),
        f"\nReference: PO-{d.num(10000, 99999)}",
    ]


@TEMPLATES.add
def _customer_parcel(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "Customer ",
        d.name(p),
        f" (account {d.num(1000, 99999)}) says the parcel never arrived at ",
        d.address(p.locale),
        f". Tracking shows it was left {d.pick(('with a neighbour', 'at the front door', 'at the post office'))}.",
    ]


@TEMPLATES.add
def _german_question(d: Draw) -> list[Piece]:
    p = d.person(d.pick(("de_DE", "de_DE", "tr_TR", "pl_PL", "ru_RU")))
    return [
        "Wie ändere ich die Adresse von ",
        d.name(p),
        " im HR-Portal? Neue Anschrift: ",
        d.address("de_DE"),
        ".",
    ]


@TEMPLATES.add
def _review_note(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        "Mid-year review: ",
        d.name(p, "first"),
        f" has grown a lot since joining {d.pick(TEAMS)}. ",
        d.name(p, "last"),
        f" mentored two juniors and ran the {d.pick(PRODUCTS)} upgrade. Next step, per ",
        d.title(q),
        d.name(q, "last"),
        ": lead the on-call rotation.",
    ]


@TEMPLATES.add
def _confirm_address_possessive(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "Can you confirm that ",
        d.address(p.locale, "street"),
        " is still the right address for ",
        d.name(p),
        "'s contract documents?",
    ]


@TEMPLATES.add
def _chat_lower_manager(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        "whats ",
        d.name(p, "full_lower"),
        "s manager called? need my expenses signed before ",
        d.pick(MONTHS).lower(),
    ]


@TEMPLATES.add
def _sick_note(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        d.name(p),
        f" called in sick today; {he(p)} will be back on {d.pick(WEEKDAYS)}. ",
        d.name(q, "first"),
        " covers the service desk phone.",
    ]


@TEMPLATES.add
def _contact_list(d: Draw) -> list[Piece]:
    pieces: list[Piece] = ["Office contacts:\n"]
    for i in range(1, d.rng.randint(3, 4)):
        p = d.person()
        contact = d.phone(p.locale) if d.rng.random() < 0.5 else d.email(p)
        pieces += [f"{i}. ", d.name(p), " – ", contact, "\n"]
    return pieces


@TEMPLATES.add
def _german_form(d: Draw) -> list[Piece]:
    p = d.person(d.pick(("de_DE", "de_DE", "it_IT", "tr_TR", "el_GR")))
    return [
        "Mitarbeiter: ",
        d.name(p, d.pick(("full", "last_first"))),
        "\nAnschrift: ",
        d.address("de_DE"),
        f"\nEintritt: 01.{d.rng.randint(1, 12):02d}.2025\nKostenstelle: {d.num(4000, 4999)}",
    ]


@TEMPLATES.add
def _name_with_address_in_brackets(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        d.name(p),
        " (",
        d.address(p.locale),
        f") asked for a second monitor and a {d.pick(('standing desk', 'keyboard', 'chair'))} for home.",
    ]


@TEMPLATES.add
def _initials_status(d: Draw) -> list[Piece]:
    a, b = d.person(), d.person()
    return [
        "Status:\n• ",
        d.name(a, "initial"),
        " — VPN certificate renewed\n• ",
        d.name(b, "initial"),
        f" — {d.pick(PRODUCTS)} patch tested, rollout {d.pick(WEEKDAYS)}",
    ]


@TEMPLATES.add
def _birthday_card(d: Draw) -> list[Piece]:
    p, q = d.person(), d.person()
    return [
        "Please sign the card for ",
        d.name(p, "first"),
        f" before {d.pick(WEEKDAYS)} — it's on ",
        d.name(q),
        "'s desk next to the coffee machine.",
    ]


@TEMPLATES.add
def _address_then_question(d: Draw) -> list[Piece]:
    return [
        d.address(form=d.pick(("line", "street"))),
        d.pick((" – is this inside the delivery zone for same-day hardware?", " — which office is closest to this?")),
    ]


# Texts with no person and no address, with words that look like them.
_LOOKALIKES_TUNING = (
    "Release 24.{n} notes: {product} is now the default, and step {n} of the upgrade guide changed.",
    "Room 4B is booked every {weekday} in {month} for the {team} stand-up.",
    "Jenkins failed on the main branch again, so Ansible rolled back node {n}.",
    "Vault tokens expire after 32 days, so Terraform runs in {month} need a new one.",
    "Step 1: open the Okta admin console. Step 2: go to Directory > People. Step 3: click Reset MFA.",
    "Phase {n} of the {product} rollout starts in {month}.",
    "Team Phoenix takes over the {team} queue from Team Atlas on 1 {month}.",
    "Run sudo apt install postgresql-16 on the jump host, then check that Route 53 resolves the new record.",
    "Building C, floor {n} has the spare projector; room {room} has the spare HDMI cable.",
    "{tool} will be read-only on {weekday} from 18:00 while {product} is patched.",
    "Grafana shows the queue depth; Prometheus keeps 15 days of history.",
    "May and August are freeze months for payroll changes.",
    "Office Suite 2021 licences expire in {month}; the {team} team renews them.",
)


@TEMPLATES.add
def _no_pii_release_notes(d: Draw) -> list[Piece]:
    return lookalikes(d, _LOOKALIKES_TUNING[:4])


@TEMPLATES.add
def _no_pii_runbook(d: Draw) -> list[Piece]:
    return lookalikes(d, _LOOKALIKES_TUNING[4:8])


@TEMPLATES.add
def _no_pii_office(d: Draw) -> list[Piece]:
    return lookalikes(d, _LOOKALIKES_TUNING[8:])


@TEMPLATES.add
def _no_pii_question(d: Draw) -> list[Piece]:
    return [
        d.pick(
            (
                f"How do I upgrade from {d.pick(PRODUCTS)} to the next version?",
                f"Why does {d.pick(TOOLS)} ask me to sign in again every morning?",
                f"Which room is free on {d.pick(WEEKDAYS)}, {d.pick(ROOMS)} or {d.pick(ROOMS)}?",
                f"What changed in step {d.num(2, 7)} of the onboarding guide?",
                f"When does the {d.pick(TEAMS)} team move to the new building?",
            )
        )
    ]


TEMPLATES.update(SHAPE_TEMPLATES)
