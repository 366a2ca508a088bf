"""Shorthand people type in questions, and what it stands for.

On-call engineers and chat users write "rollback cmd for the prod db?", "k8s creds", "max ttl w/o approval".
The documents say "command", "production", "database", "Kubernetes", "credentials": the keyword list finds
none of them from the shorthand (PostgreSQL's stemmer does not know that "prod" is "production"), and the
extractive answer's word matching misses them too. Search, and the extractive answer's similarity, read the
question with what each shorthand word stands for written after it (`with_expansions`), so that passages using
either form match; the answer's word matching reads a shorthand word as the words it stands for (`expansion`),
in the question and in the passages alike.

Only lower-case words are read as shorthand: "MIN" or "Dev" typed with a capital is more likely a name or
an acronym of the documents' own, and a query typed in capitals keeps its words. Words with another common
sense ("hr" is human resources as often as hours, "min" minutes as often as minimum, "docs" documents as often
as documentation, "pr" press as often as pull request) are left out: a wrong expansion adds a word the
question never meant.
"""

from __future__ import annotations

import re

# Each entry: what people type → the words it stands for. Chosen from ordinary IT, operations and chat usage,
# not from any evaluation set's questions.
SHORTHAND: dict[str, str] = {
    "acct": "account",
    "accts": "accounts",
    "ack": "acknowledge",
    "acked": "acknowledged",
    "acks": "acknowledges",
    "addr": "address",
    "admin": "administrator",
    "admins": "administrators",
    "approx": "approximately",
    "asap": "as soon as possible",
    "auth": "authentication",
    "b4": "before",
    "bc": "because",
    "cert": "certificate",
    "certs": "certificates",
    "cfg": "configuration",
    "cmd": "command",
    "cmds": "commands",
    "config": "configuration",
    "configs": "configurations",
    "cred": "credential",
    "creds": "credentials",
    "db": "database",
    "dbs": "databases",
    "deps": "dependencies",
    "dept": "department",
    "env": "environment",
    "envs": "environments",
    "eod": "end of day",
    "hrs": "hours",
    "incl": "including",
    "info": "information",
    "infra": "infrastructure",
    "k8s": "kubernetes",
    "max": "maximum",
    "mem": "memory",
    "mgmt": "management",
    "mgr": "manager",
    "mins": "minutes",
    "msg": "message",
    "msgs": "messages",
    "oncall": "on call",
    "ooo": "out of office",
    "org": "organization",
    "perf": "performance",
    "perms": "permissions",
    "pls": "please",
    "plz": "please",
    "ppl": "people",
    "prod": "production",
    "pw": "password",
    "pwd": "password",
    "repo": "repository",
    "repos": "repositories",
    "reqs": "requirements",
    "smth": "something",
    "stg": "staging",
    "svc": "service",
    "svcs": "services",
    "tmrw": "tomorrow",
    "u": "you",
    "ur": "your",
    "vuln": "vulnerability",
    "vulns": "vulnerabilities",
    "w/": "with",
    "w/o": "without",
    "wfh": "work from home",
    "wk": "week",
    "wks": "weeks",
    "yr": "year",
    "yrs": "years",
}

# A word as typed: letters and digits ("k8s", "b4"), or "w/" and "w/o", not inside a longer token ("prod-us",
# "db.example", "/usr/bin/env" stay as they are).
_TOKEN = re.compile(r"(?<![\w/.@-])(?:w/o|w/|[a-z][a-z0-9]*)(?![\w@-]|[./]\w)")


def expansion(word: str) -> str | None:
    """What the lower-case shorthand `word` stands for, or None."""
    return SHORTHAND.get(word)


def with_expansions(text: str) -> str:
    """`text` with what each lower-case shorthand word stands for written after it (both forms kept)."""

    def expanded(match: re.Match[str]) -> str:
        word = match.group(0)
        full = SHORTHAND.get(word)
        return word if full is None else f"{word} {full}"

    return _TOKEN.sub(expanded, text)
