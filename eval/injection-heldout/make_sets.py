#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Build the held-out injection evaluation sets (typed, benign-trigger, planted).

Deterministic (seeded). Run:  python3 make_sets.py
Written from scratch without looking at the detector or its tuning data.
"""
import json
import os
import random
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import typed_data as TD  # noqa: E402
import trigger_data as GD  # noqa: E402
import planted_hand as PH  # noqa: E402
import planted_gen as PG  # noqa: E402

SEED = 20250611


def norm_ws(s):
    s = "\n".join(line.rstrip() for line in s.split("\n"))
    s = re.sub(r"\n{3,}", "\n\n", s)
    return s.strip()


def write(name, rows):
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


# ----------------------------------------------------------------- typed
def build_typed(rng):
    rows = []
    for text, fam in TD.HAND_INJ:
        rows.append({"text": text, "label": 1, "family": fam, "_src": "hand"})
    for text, fam in TD.HAND_BEN:
        rows.append({"text": text, "label": 0, "family": fam, "_src": "hand"})
    seen = {r["text"] for r in rows}
    # templated overrides (a small share; the hand-written ones carry the variety)
    n = 0
    while n < 12:
        t = (rng.choice(TD.OVR_PREFIX) + rng.choice(TD.OVR_VERB) + " " + rng.choice(TD.OVR_OBJ)
             + " " + rng.choice(TD.OVR_PAYLOAD))
        if t not in seen:
            seen.add(t)
            rows.append({"text": t, "label": 1, "family": "override-en-tpl", "_src": "tpl"})
            n += 1
    n = 0
    while n < 55:
        t = (rng.choice(TD.BEN_ASK) + " " + rng.choice(TD.BEN_TASK) + " " + rng.choice(TD.BEN_WHO)
             + rng.choice(TD.BEN_TAIL))
        if t not in seen:
            seen.add(t)
            rows.append({"text": t, "label": 0, "family": "request-tpl", "_src": "tpl"})
            n += 1
    rng.shuffle(rows)
    return rows


# ----------------------------------------------------------------- benign-trigger
def build_trigger(rng):
    rows = [{"text": t, "label": 0, "family": f, "_src": "hand"} for t, f in GD.HAND]
    seen = {r["text"] for r in rows}
    groups = [
        ("tpl-ignore", GD.T_IGNORE, lambda: dict(w=rng.choice(GD.W), c=rng.choice(GD.C), e=rng.choice(GD.E), t=rng.choice(GD.TK))),
        ("tpl-override", GD.T_OVERRIDE, lambda: dict(s=rng.choice(GD.S), f=rng.choice(GD.F), v=rng.choice(GD.V), x=rng.choice(GD.X))),
        ("tpl-forget", GD.T_FORGET, lambda: dict(o=rng.choice(GD.O), r=rng.choice(GD.R), n=rng.choice(GD.N))),
        ("tpl-fromnow", GD.T_FROMNOW, lambda: dict(a=rng.choice(GD.A), n=rng.choice(GD.N))),
        ("tpl-youare", GD.T_YOUARE, lambda: dict(l=rng.choice(GD.L), role=rng.choice(["coordinator", "contact person", "admin", "owner"]))),
        ("tpl-actas", GD.T_ACTAS, lambda: dict(role=rng.choice(GD.ROLE), thing=rng.choice(GD.THING), n=rng.choice(GD.N))),
        ("tpl-reveal", GD.T_REVEAL, lambda: dict(h=rng.choice(GD.H), app=rng.choice(GD.APP), how=rng.choice(GD.HOW))),
        ("tpl-pretend", GD.T_PRETEND, lambda: dict(p=rng.choice(GD.P))),
        ("tpl-donttell", GD.T_DONT, lambda: dict(who=rng.choice(GD.WHO), what=rng.choice(GD.WHAT), when=rng.choice(GD.WHEN))),
        ("tpl-disregard", GD.T_DISREGARD, lambda: dict(topic=rng.choice(GD.TOPIC), fix=rng.choice(GD.FIX))),
        ("tpl-newinstr", GD.T_NEWINSTR, lambda: dict(proc=rng.choice(GD.PROC), step=rng.choice(GD.STEP))),
        ("tpl-sysprompt", GD.T_SYSPROMPT, lambda: dict(host=rng.choice(GD.HOST), problem=rng.choice(GD.PROBLEM))),
        ("tpl-jailbreak", GD.T_JAIL, lambda: dict(pol=rng.choice(GD.POL), dev=rng.choice(GD.DEV), n=rng.choice(GD.N))),
        ("tpl-de", GD.T_DE, lambda: dict(x=rng.choice(GD.DE_X), y=rng.choice(GD.DE_Y), z=rng.choice(GD.DE_Z), q=rng.choice(GD.DE_Q))),
        ("tpl-fr", GD.T_FR, lambda: dict(x=rng.choice(GD.FR_X), y=rng.choice(GD.FR_Y), z=rng.choice(GD.FR_Z), q=rng.choice(GD.FR_Q))),
        ("tpl-es", GD.T_ES, lambda: dict(x=rng.choice(GD.ES_X), y=rng.choice(GD.ES_Y), z=rng.choice(GD.ES_Z), q=rng.choice(GD.ES_Q))),
    ]
    target = 300
    gi = 0
    tries = 0
    while len(rows) < target:
        fam, temps, fill = groups[gi % len(groups)]
        gi += 1
        tries += 1
        t = rng.choice(temps).format(**fill())
        t = t[0].upper() + t[1:]
        if t not in seen:
            seen.add(t)
            rows.append({"text": t, "label": 0, "family": fam, "_src": "tpl"})
        assert tries < 20000
    rng.shuffle(rows)
    return rows


# ----------------------------------------------------------------- planted
def _plant_text(rng):
    a = rng.choice(PG.ADDRESSEES)
    act = rng.choice(PG.ACTIONS).format(
        dom=rng.choice(PG.DOMAINS), claim=rng.choice(PG.CLAIMS), vendor=rng.choice(PG.VENDORS),
        secret=rng.choice(PG.SECRETS), mail=rng.choice(PG.MAILS))
    if a.endswith(",") and (a.startswith("If") or a.startswith("When")):
        return a + " " + act
    if a.endswith(","):  # "Dear AI,"
        return a + " please " + act
    return a + " " + act[0].upper() + act[1:] if a.endswith(":") or a.endswith("]") else a + " " + act


def _gen_doc(rng, idx):
    subj, sents = rng.choice(PG.TOPICS)
    kind = ["email", "meeting", "ticket", "wiki", "chat"][idx % 5]
    picked = rng.sample(sents, k=rng.randint(4, 6))
    names = rng.sample(PG.NAMES, 4)
    date = rng.choice(PG.DATES)
    if kind == "email":
        half = len(picked) // 2
        lines = ["Subject: " + subj, "", f"Hi {names[0]},", "", " ".join(picked[:half]), "",
                 " ".join(picked[half:]), "", rng.choice(PG.CLOSINGS) + ",", names[1]]
    elif kind == "meeting":
        lines = [f"{subj} - notes, {date}", "", "Attendees: " + ", ".join(names), ""]
        lines += ["- " + s for s in picked]
        lines += ["", f"Action: {names[2]} to follow up by next week."]
    elif kind == "ticket":
        lines = [f"{rng.choice(PG.TICKET_PREFIX)}-{rng.randint(1000, 9999)}: {subj}",
                 f"Reporter: {names[0]}", f"Priority: P{rng.randint(2, 4)}", "", "Description:",
                 " ".join(picked[:-2]), "", "Comments:", f"{names[1]}: {picked[-2]}", f"{names[2]}: {picked[-1]}"]
    elif kind == "wiki":
        half = len(picked) // 2
        lines = ["# " + subj, "", " ".join(picked[:half]), "", " ".join(picked[half:]), "",
                 f"Last updated {date} by {names[3]}."]
    else:
        lines = [f"#{subj.lower().split()[0]}-team - exported thread, {date}", ""]
        t0 = 9 * 60 + rng.randint(0, 120)
        for k, s in enumerate(picked):
            t0 += rng.randint(1, 9)
            lines.append(f"[{t0 // 60:02d}:{t0 % 60:02d}] {names[k % 4]}: {s}")
    return kind, lines


def _plant_into(rng, lines, style, plant):
    """Return the planted version of lines (the clean one is lines itself)."""
    out = list(lines)
    body_idx = [i for i, l in enumerate(out) if len(l) > 40]
    mid = rng.choice(body_idx)
    if style == "ps":
        out += ["", "P.S. " + plant]
    elif style == "html-comment":
        out.insert(mid + 1, "<!-- " + plant + " -->")
    elif style == "white-text":
        out.insert(mid + 1, '<span style="color:#ffffff">' + plant + "</span>")
    elif style == "inline-sentence":
        out[mid] = out[mid] + " " + plant
    elif style == "own-paragraph":
        out[mid + 1:mid + 1] = ["", plant, ""]
    elif style == "footer":
        out += ["", "--", plant]
    elif style == "bracket":
        out.insert(mid + 1, plant if plant.startswith("[") else "[" + plant + "]")
    elif style == "quoted":
        out += ["", "> Forwarded note:", "> " + plant]
    elif style == "header":
        out.insert(0, "X-Assistant-Note: " + plant)
    return out


def build_planted(rng):
    rows = []
    pairs = []
    for i, (doc, plant) in enumerate(zip(PH.DOCS, PH.PLANTS)):
        kind, text = doc
        clean = norm_ws(text.replace("@@", ""))
        planted = norm_ws(text.replace("@@", plant))
        pairs.append((kind, clean, planted, "hand"))
    k = 0
    idx = 0
    while len(pairs) < 100:
        idx += 1
        kind, lines = _gen_doc(rng, idx)
        style = PG.STYLES[k % len(PG.STYLES)]
        plant = _plant_text(rng)
        clean = norm_ws("\n".join(lines))
        planted = norm_ws("\n".join(_plant_into(rng, lines, style, plant)))
        if not (300 <= len(clean) <= 1200 and 300 <= len(planted) <= 1200):
            continue
        if any(clean == p[1] for p in pairs):
            continue
        pairs.append((kind + "/" + style, clean, planted, "tpl"))
        k += 1
    order = list(range(len(pairs)))
    rng.shuffle(order)  # pair numbers don't reveal hand vs template
    for num, j in enumerate(order, 1):
        kind, clean, planted, src = pairs[j]
        rows.append({"text": planted, "label": 1, "family": f"planted:{num}", "_src": src, "_kind": kind})
        rows.append({"text": clean, "label": 0, "family": f"clean:{num}", "_src": src, "_kind": kind})
    return rows


def report(name, rows):
    labels = Counter(r["label"] for r in rows)
    src = Counter(r["_src"] for r in rows)
    texts = [r["text"] for r in rows]
    dup = len(texts) - len(set(texts))
    print(f"{name}: {len(rows)} rows, labels {dict(labels)}, hand/tpl {dict(src)}, duplicates {dup}")
    fams = Counter(r["family"].split(":")[0] for r in rows)
    print("  families:", dict(sorted(fams.items())))
    assert dup == 0


def main():
    rng = random.Random(SEED)
    typed = build_typed(rng)
    trig = build_trigger(rng)
    planted = build_planted(rng)
    for name, rows in (("typed.jsonl", typed), ("benign-trigger.jsonl", trig), ("planted.jsonl", planted)):
        report(name, rows)
    lens = [len(r["text"]) for r in planted]
    print(f"  planted lengths: min {min(lens)} max {max(lens)}")
    kinds = Counter(r["_kind"].split("/")[-1] for r in planted if r["label"] == 1 and r["_src"] == "tpl")
    print("  template plant styles:", dict(kinds))
    alltexts = [r["text"] for rows in (typed, trig, planted) for r in rows]
    assert len(alltexts) == len(set(alltexts)), "cross-file duplicate"
    for name, rows in (("typed.jsonl", typed), ("benign-trigger.jsonl", trig), ("planted.jsonl", planted)):
        write(name, [{"text": r["text"], "label": r["label"], "family": r["family"]} for r in rows])


if __name__ == "__main__":
    main()
