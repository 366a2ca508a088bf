"""Secret detectors: provider tokens, private keys, JWTs, credentials in config lines and URLs, high entropy.

Token values are assembled at run time from a seeded generator, so that no string in this file looks like a
live credential to a repository scanner, while each one has the exact shape its provider issues.
"""

from __future__ import annotations

import base64
import json
import random
import string
import zlib

import pytest

from inspection import inspect_text

_rng = random.Random(20240611)
UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


def rand(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def github_token(prefix: str = "ghp") -> str:
    body = rand(ALNUM, 30)
    alphabet = string.digits + string.ascii_uppercase + string.ascii_lowercase
    crc, checksum = zlib.crc32(body.encode()), ""
    while crc:
        crc, digit = divmod(crc, 62)
        checksum = alphabet[digit] + checksum
    return f"{prefix}_{body}{checksum.rjust(6, '0')}"


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


JWT = ".".join(
    [b64url({"alg": "HS256", "typ": "JWT"}), b64url({"sub": "1234567890", "exp": 1999999999}), rand(URLSAFE, 43)]
)
PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(rand(B64, 64) for _ in range(8)) + "\n-----END RSA PRIVATE KEY-----"
)
AZURE_KEY = rand(B64, 86) + "=="

TOKENS = {
    "aws_access_key": "AKIA" + rand(UPPER_DIGITS, 16),
    "aws_session_key": "ASIA" + rand(UPPER_DIGITS, 16),
    "gcp_api_key": "AIza" + rand(URLSAFE, 35),
    "google_oauth_token": "ya29." + rand(URLSAFE, 60),
    "google_oauth_secret": "GOCSPX-" + rand(URLSAFE, 28),
    "github_classic": github_token("ghp"),
    "github_oauth": github_token("gho"),
    "github_fine_grained": "github_pat_" + rand(ALNUM, 22) + "_" + rand(ALNUM, 59),
    "gitlab": "glpat-" + rand(URLSAFE, 20),
    "slack_bot": "xoxb-" + rand(string.digits, 12) + "-" + rand(string.digits, 13) + "-" + rand(ALNUM, 24),
    "slack_webhook": "https://hooks.slack.com/services/T"
    + rand(UPPER_DIGITS, 10)
    + "/B"
    + rand(UPPER_DIGITS, 10)
    + "/"
    + rand(ALNUM, 24),
    "stripe_live": "sk_live_" + rand(ALNUM, 24),
    "stripe_restricted": "rk_live_" + rand(ALNUM, 24),
    "openai": "sk-proj-" + rand(URLSAFE, 20) + "T3BlbkFJ" + rand(URLSAFE, 20),
    "openai_style": "sk-" + rand(ALNUM, 48),
    "anthropic": "sk-ant-api03-" + rand(URLSAFE, 93) + "AA",
    "twilio": "SK" + rand(HEX, 32),
    "sendgrid": "SG." + rand(URLSAFE, 22) + "." + rand(URLSAFE, 43),
    "npm": "npm_" + rand(ALNUM, 36),
    "pypi": "pypi-AgEIcHlwaS5vcmc" + rand(URLSAFE, 70),
    "huggingface": "hf_" + rand(string.ascii_letters, 34),
    "jwt": JWT,
    "private_key": PRIVATE_KEY,
}


@pytest.mark.parametrize("name", sorted(TOKENS))
def test_provider_tokens_are_secrets_with_their_exact_span(name):
    token = TOKENS[name]
    text = f"please check {token} before the deploy"

    findings = inspect_text(text)

    assert [(f.kind, text[f.start : f.end]) for f in findings] == [("secret", token)]


@pytest.mark.parametrize(
    "line, value",
    [
        ('password = "Tr0ub4dor&3"', "Tr0ub4dor&3"),
        ("DB_PASSWORD=hunter2-Xy9", "hunter2-Xy9"),
        ('"api_key": "9f8e7d6c5b4a39281706f5e4d3c2b1a0"', "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
        ("secret: Qm9vdHN0cmFwU2VjcmV0MQ", "Qm9vdHN0cmFwU2VjcmV0MQ"),  # YAML
        ("client_secret: 'x7Kp2mQ9vL4sT8wZ'", "x7Kp2mQ9vL4sT8wZ"),
        ("AwsSecretKey: rR3kT9pL2mN8qW4vX7zB1cD5fG0hJ6", "rR3kT9pL2mN8qW4vX7zB1cD5fG0hJ6"),
        ("mysql -u root --password Sne3sd8AZjq", "Sne3sd8AZjq"),
        ("login: ada PW: dipPr10Gg!", "dipPr10Gg!"),
        ('val password: String = "exord13Paw64"', "exord13Paw64"),
        ("<password>cackle!99</password>", "cackle!99"),
        ("CREATE USER app WITH PASSWORD 'SqLpa5sW0rD';", "SqLpa5sW0rD"),
        ("ALTER USER 'root'@'localhost' IDENTIFIED BY 'SqLpa5sW0rD';", "SqLpa5sW0rD"),
        (
            'curl -H "Authorization: Bearer eyJGRpVu1c2VzY2-823r_db32hbf4W1lbj" https://x',
            "eyJGRpVu1c2VzY2-823r_db32hbf4W1lbj",
        ),
        ("curl -u admin:dG9rZW4gUw https://api.example.com", "dG9rZW4gUw"),
    ],
)
def test_credentials_in_config_and_command_lines(line, value):
    findings = [f for f in inspect_text(line) if f.kind == "secret"]

    assert [line[f.start : f.end] for f in findings] == [value]


@pytest.mark.parametrize(
    "text, secret",
    [
        (
            "DATABASE_URL=postgres://app:S3cr3tPassw0rd@10.0.0.5:5432/app",
            "postgres://app:S3cr3tPassw0rd@10.0.0.5",
        ),
        ("smtps://ops@example.com:FnD83JZs@smtp.example.com:465", "smtps://ops@example.com:FnD83JZs@smtp.example.com"),
    ],
)
def test_a_url_with_credentials_is_one_secret_that_swallows_the_host(text, secret):
    findings = inspect_text(text)

    assert [(f.kind, text[f.start : f.end]) for f in findings] == [("secret", secret)]


def test_the_key_of_an_azure_connection_string_is_the_secret():
    text = f"DefaultEndpointsProtocol=https;AccountName=acmedata;AccountKey={AZURE_KEY};EndpointSuffix=core.windows.net"

    assert [(f.kind, text[f.start : f.end]) for f in inspect_text(text)] == [("secret", AZURE_KEY)]


def test_a_random_string_is_a_secret_by_entropy():
    value = rand(ALNUM, 40)

    (finding,) = inspect_text(f"the value is {value} ok")

    assert (finding.kind, finding.detector) == ("secret", "high_entropy")


@pytest.mark.parametrize(
    "text",
    [
        # ordinary prose about credentials
        "The password policy: must be at least 12 characters",
        "I forgot my password, can you reset it?",
        "the password is incorrect",
        "passengers: 12",
        "Primary key: customer_id",
        "token: expired",
        # references, placeholders, ciphertext — not values
        "password = os.environ['DB_PASSWORD']",
        'password: "${DB_PASSWORD}"',
        "api_key = YOUR_API_KEY",
        'password = ""',
        "password: changeme",
        "masked_password = *****1*****2;",
        '{"secretKey": "ENC(2dfRFqV/cS6TzRd+JyO=)"}',
        "#define PASSWORD 0x0dead1beef7cafe2",
        # identifiers and hashes in prose
        "request 3f2a1c9e-8b7d-4e6f-a5c4-1b2d3e4f5a6b failed",
        "commit e83c5163316f89bfbde7d9ab23ca2e25604af290 fixed it",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "see /var/lib/postgresql/data/base/16384/PG_VERSION",
        "AbstractSingletonProxyFactoryBean is a class",
        # documentation fakes and encrypted keys
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "ghp_" + "x" * 36,
        "sk_live_" + "0123456789abcdef01234567",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + rand(B64, 64) + "\n-----END ENCRYPTED PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
        + rand(B64, 64)
        + "\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\nMIIEv...(elided)...\n-----END PRIVATE KEY-----",
    ],
)
def test_does_not_report_a_secret(text):
    assert [text[f.start : f.end] for f in inspect_text(text) if f.kind == "secret"] == []


def test_a_github_token_with_a_wrong_checksum_is_still_reported_when_it_looks_random():
    token = github_token()
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert [f.kind for f in inspect_text(f"token {broken}")] == ["secret"]
    assert [f.confidence for f in inspect_text(token)] == [0.95]


def test_a_private_key_block_is_one_finding_over_all_its_lines():
    text = f"key:\n{PRIVATE_KEY}\nthanks"

    (finding,) = inspect_text(text)

    assert text[finding.start : finding.end] == PRIVATE_KEY
    assert finding.detector == "private_key"


def test_a_private_key_cut_off_before_its_end_marker_runs_to_the_end_of_its_base64():
    body = "\n".join(rand(B64, 64) for _ in range(3))
    text = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n\nthat is all"

    (finding,) = inspect_text(text)

    assert text[finding.start : finding.end].endswith(body[-20:])


def test_a_private_key_in_base64_is_found():
    pem = "-----BEGIN PRIVATE KEY-----\n" + rand(B64, 64) + "\n-----END PRIVATE KEY-----\n"
    encoded = base64.b64encode(pem.encode()).decode()

    assert [f.detector for f in inspect_text(f"key: {encoded}")] == ["encoded_private_key"]


def test_a_sealed_secret_manifest_is_ciphertext():
    values = "\n".join(f"    {k}: Ag{rand(B64, 300)}" for k in ("PASSWORD", "TOKEN"))
    text = f"kind: SealedSecret\nspec:\n  encryptedData:\n{values}\n  template:\n    type: Opaque\n"

    assert inspect_text(text) == []


@pytest.mark.parametrize(
    "prose",
    [
        "The differentiated cells were identified as cardiomyocytes.",
        "Further target genes were identified by transcriptome profiling.",
        "Immune checkpoint inhibitors have been identified as breakthrough treatment.",
    ],
)
def test_identified_by_in_prose_is_not_a_sql_password(prose: str) -> None:
    assert inspect_text(prose) == []


@pytest.mark.parametrize(
    "statement, value",
    [
        ("CREATE USER bob@localhost IDENTIFIED BY hunter2Secret;", "hunter2Secret"),
        ("create user 'bob'@'%' identified by 'S3cret-pass';", "S3cret-pass"),
        ("alter role app identified by Passw0rd99", "Passw0rd99"),
    ],
)
def test_identified_by_in_sql_is_a_password(statement: str, value: str) -> None:
    assert [statement[f.start : f.end] for f in inspect_text(statement)] == [value]
