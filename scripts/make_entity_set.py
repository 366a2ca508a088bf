"""Write a generated entity-search set in BEIR format (docs/retrieval-evaluation.md).

Usage:
  python scripts/make_entity_set.py OUT_DIR [--seed 13] [--people 1500] [--queries 400]

A staff directory: one page per person (name, what they do, where, which
team, who they work with). Queries are entity-style, a surname or a team and
a few attribute words ("Okafor lawyer", "Okafor lawyer Denver", "lawyer Denver
payments"). Judgements come from the generated records, not from the text: a
page is relevant when its person has every attribute the query names (all
such pages, 1 to 5 of them), so no judgement depends on a ranking.

What makes keyword matching weak here is what makes it weak on real entity
collections: a page says what a person does in its own words more often than
with the job title a searcher types ("handles contracts and legal questions"
for a lawyer), surnames are shared by a dozen people and mentioned on their
colleagues' pages, and pages name other professions in passing ("works
closely with the designers"). Every profession has one phrasing with the
searched word; the others are paraphrases a reader would accept as meaning it.

The seed and the sizes are the only inputs; the same arguments write the same
files. `--seed 13` is the development set; other seeds are held out.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

# profession: (what a searcher types, ways a page says it; the first uses the searched word)
PROFESSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "designer": (
        "designer",
        (
            "is a product designer",
            "sketches interfaces and runs usability sessions",
            "shapes how the screens look and behave",
        ),
    ),
    "developer": (
        "developer",
        ("is a software developer", "writes and reviews code for the backend", "builds and maintains the web services"),
    ),
    "data scientist": (
        "data scientist",
        ("is a data scientist", "builds statistical models and forecasts", "trains predictive models on usage figures"),
    ),
    "recruiter": (
        "recruiter",
        (
            "is a recruiter",
            "finds and interviews candidates for open positions",
            "sources applicants and books interviews",
        ),
    ),
    "lawyer": (
        "lawyer",
        ("is a lawyer", "handles contracts and legal questions", "advises on privacy law and negotiates agreements"),
    ),
    "accountant": (
        "accountant",
        ("is an accountant", "keeps the books and closes each quarter", "handles invoices, payroll and tax filings"),
    ),
    "security engineer": (
        "security engineer",
        (
            "is a security engineer",
            "hunts vulnerabilities and answers incidents",
            "runs penetration tests and threat models",
        ),
    ),
    "technical writer": (
        "technical writer",
        ("is a technical writer", "edits the manuals and help pages", "documents the product for its users"),
    ),
    "project manager": (
        "project manager",
        (
            "is a project manager",
            "plans timelines and keeps deliveries on schedule",
            "coordinates milestones and deadlines",
        ),
    ),
    "salesperson": (
        "salesperson",
        ("is a salesperson", "sells subscriptions to new customers", "closes deals with enterprise clients"),
    ),
    "support agent": (
        "support agent",
        ("is a support agent", "answers customer tickets and phone calls", "helps customers who are stuck"),
    ),
    "translator": (
        "translator",
        ("is a translator", "localises the product into Spanish and French", "adapts documents for readers abroad"),
    ),
    "economist": (
        "economist",
        ("is an economist", "studies pricing and market trends", "forecasts demand and inflation"),
    ),
    "photographer": (
        "photographer",
        ("is a photographer", "takes pictures for the website", "shoots portraits and product images"),
    ),
    "chef": (
        "chef",
        ("is the chef", "cooks lunch in the office canteen", "runs the kitchen and plans the menus"),
    ),
    "trainer": (
        "trainer",
        ("is a trainer", "teaches onboarding courses for new staff", "runs workshops and classes for employees"),
    ),
    "physician": (
        "physician",
        ("is the company physician", "sees staff for medical check-ups", "runs the occupational health clinic"),
    ),
    "marketer": (
        "marketer",
        ("is a marketer", "plans advertising campaigns", "runs the newsletter and social media ads"),
    ),
    "network administrator": (
        "network administrator",
        (
            "is a network administrator",
            "keeps the routers, firewalls and wifi running",
            "configures switches and VPN access",
        ),
    ),
    "architect": (
        "architect",
        ("is an architect", "draws plans for the new office buildings", "oversees the renovation of the headquarters"),
    ),
}

SURNAMES = [
    "Okafor",
    "Nakamura",
    "Lindqvist",
    "Moreau",
    "Castillo",
    "Brennan",
    "Petrov",
    "Haddad",
    "Kowalski",
    "Osei",
    "Delgado",
    "Fischer",
    "Tanaka",
    "Murphy",
    "Rossi",
    "Novak",
    "Bianchi",
    "Sato",
    "Mensah",
    "Larsen",
    "Dubois",
    "Kaur",
    "Silva",
    "Ferreira",
    "Jansen",
    "Horvat",
    "Ibrahim",
    "Quinn",
    "Walsh",
    "Romero",
    "Yilmaz",
    "Nguyen",
    "Ahmed",
    "Schmidt",
    "Costa",
    "Varga",
    "Keller",
    "Adeyemi",
    "Lund",
    "Marsh",
    "Pereira",
    "Olsen",
    "Ward",
    "Chandra",
    "Barros",
    "Vance",
    "Holt",
    "Rahman",
    "Sousa",
    "Meyer",
]
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Xavier",
    "Yara",
    "Zoe",
    "Aiko",
    "Bruno",
    "Carmen",
    "Diego",
    "Esther",
    "Felix",
    "Hana",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
    "Marco",
    "Nina",
    "Oscar",
]
CITIES = [
    "Denver",
    "Chicago",
    "Austin",
    "Boston",
    "Seattle",
    "Atlanta",
    "Phoenix",
    "Portland",
    "Detroit",
    "Baltimore",
    "Nashville",
    "Omaha",
]
TEAMS = [
    "payments",
    "search",
    "onboarding",
    "billing",
    "mobile",
    "reporting",
    "identity",
    "logistics",
    "compliance",
    "growth",
]
HOBBIES = (
    "plays chess",
    "runs marathons",
    "keeps bees",
    "sings in a choir",
    "restores old bicycles",
    "paints watercolours",
    "climbs on weekends",
    "bakes sourdough",
)


# Query ids start with the shape's name, so that scripts/fusion_study.py can report each shape.
QUERY_SHAPES = {
    "name": ("surname", "profession"),
    "name-city": ("surname", "profession", "city"),
    "attributes": ("profession", "city", "team"),
}


@dataclass(frozen=True)
class Person:
    id: str
    first: str
    surname: str
    profession: str
    city: str
    team: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.surname}"


def make_people(rng: random.Random, count: int) -> list[Person]:
    people: list[Person] = []
    taken: set[tuple[str, str]] = set()
    while len(people) < count:
        first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        if (first, surname) in taken:
            continue
        taken.add((first, surname))
        people.append(
            Person(
                id=f"p{len(people):05d}",
                first=first,
                surname=surname,
                profession=rng.choice(sorted(PROFESSIONS)),
                city=rng.choice(CITIES),
                team=rng.choice(TEAMS),
            )
        )
    return people


def page(rng: random.Random, person: Person, people: list[Person]) -> str:
    pronoun = rng.choice(("She", "He", "They"))
    says = rng.choice(PROFESSIONS[person.profession][1])
    colleagues = rng.sample([p for p in people if p is not person], 2)
    # Profession words on someone else's page, as cross-functional work is described.
    other = rng.choice([p for p in sorted(PROFESSIONS) if p != person.profession])
    sentences = [
        f"{person.name} {says}.",
        f"{pronoun} {'are' if pronoun == 'They' else 'is'} based in {person.city} and on the {person.team} team.",
        f"{pronoun} often {'work' if pronoun == 'They' else 'works'} with {colleagues[0].name}"
        f" and {colleagues[1].name}, and closely with the {PROFESSIONS[other][0]}s.",
        f"Outside work, {person.first} {rng.choice(HOBBIES)}.",
    ]
    return " ".join(sentences)


def matches(person: Person, wanted: dict[str, str]) -> bool:
    return all(getattr(person, field) == value for field, value in wanted.items())


def make_queries(rng: random.Random, people: list[Person], count: int) -> list[tuple[str, str, list[Person]]]:
    queries: list[tuple[str, str, list[Person]]] = []
    seen: set[str] = set()
    shapes = list(QUERY_SHAPES.items())
    while len(queries) < count:
        target = rng.choice(people)
        shape_name, shape = shapes[len(queries) % len(shapes)]
        wanted = {field: getattr(target, field) for field in shape}
        words = [PROFESSIONS[v][0] if f == "profession" else v for f, v in wanted.items()]
        text = " ".join(words)
        relevant = [p for p in people if matches(p, wanted)]
        if text in seen or len(relevant) > 5:
            continue
        seen.add(text)
        queries.append((f"{shape_name}-{len(queries):04d}", text, relevant))
    return queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    people = make_people(rng, args.people)
    queries = make_queries(rng, people, args.queries)
    out: Path = args.out_dir
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as corpus:
        for person in people:
            corpus.write(json.dumps({"_id": person.id, "title": person.name, "text": page(rng, person, people)}) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as lines:
        for query_id, text, _ in queries:
            lines.write(json.dumps({"_id": query_id, "text": text}) + "\n")
    with (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as qrels:
        qrels.write("query-id\tcorpus-id\tscore\n")
        for query_id, _, relevant in queries:
            for person in relevant:
                qrels.write(f"{query_id}\t{person.id}\t1\n")
    print(f"{out}: {len(people)} pages, {len(queries)} queries")


if __name__ == "__main__":
    main()
