"""Provider token formats (cloud keys, source hosting, CI, SaaS, AI providers) and the checks that
tell a live-looking token from a documentation fake.

Each rule carries literal hints, as gitleaks' keywords do: its regex only runs when a hint occurs in the
text, so the ~90 rules cost a few substring scans on ordinary prose. A hint whose characters are not all
in the text is not even looked for; and a rule's regex is tried only where its format alone matches.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from inspection.findings import Finding
from inspection.scan import finditer_at
from inspection.validators import shannon_entropy


@dataclass(frozen=True)
class TokenRule:
    """A provider token format: `pattern` (group 0 is the secret) runs only if a hint occurs in the text.

    `body` is the format without the boundaries `pattern` puts around it: `pattern` can only match
    where `body` does, and `body`, without the look-behinds in front, is quicker to look for.
    """

    detector: str
    pattern: re.Pattern[str]
    body: re.Pattern[str]
    hints: tuple[str, ...]
    confidence: float = 0.95
    min_entropy: float = 0.0


def _rule(
    detector: str, pattern: str, hints: tuple[str, ...], confidence: float = 0.95, min_entropy: float = 0.0
) -> TokenRule:
    # A token starts after anything that cannot be part of it (or after an ANSI colour code in a CI log)
    # and must not run on into more token characters or a host name (akab-….akamaiapis.net).
    compiled = re.compile(
        r"(?:(?<![A-Za-z0-9_\-])|(?<=\x1b\[\dm)|(?<=\x1b\[\d\dm))" + pattern + r"(?![A-Za-z0-9_\-]|\.[A-Za-z0-9])"
    )
    return TokenRule(detector, compiled, re.compile(pattern), hints, confidence, min_entropy)


# Formats published by the providers (or documented by gitleaks/trufflehog/CredSweeper rule sets).
TOKEN_RULES: tuple[TokenRule, ...] = (
    # Cloud
    _rule("aws_access_key", r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|A3T[A-Z0-9])[A-Z0-9]{16}",
          ("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA", "A3T")),
    _rule("aws_bedrock_key", r"(?:ABSK[A-Za-z0-9+/]{100,}={0,2}|bedrock-api-key-[A-Za-z0-9+/=]{20,})",
          ("ABSK", "bedrock-api-key-")),
    _rule("aws_mws_key", r"amzn\.mws\.[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}", ("amzn.mws",)),
    _rule("aws_appsync_key", r"da2-[a-z0-9]{26}", ("da2-",)),
    _rule("gcp_api_key", r"AIza[0-9A-Za-z_\-]{35}", ("AIza",)),
    _rule("google_oauth_secret", r"GOCSPX-[A-Za-z0-9_\-]{28}", ("GOCSPX-",)),
    _rule("google_oauth_token", r"ya29\.[0-9A-Za-z_\-]{20,}", ("ya29.",)),
    _rule("google_refresh_token", r"1//0[0-9A-Za-z_\-]{40,}", ("1//0",)),
    _rule("azure_storage_key", r"(?<=AccountKey=)[A-Za-z0-9+/]{40,}={0,2}", ("AccountKey=",)),
    _rule("azure_shared_access_key", r"(?<=SharedAccessKey=)[A-Za-z0-9+/]{20,}={0,2}", ("SharedAccessKey=",)),
    _rule("azure_client_secret", r"[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}", ("Q~",)),
    _rule("azure_sas_signature", r"sig=[A-Za-z0-9%]{40,}", ("sig=",)),
    _rule("alibaba_access_key", r"LTAI[A-Za-z0-9]{12,20}", ("LTAI",)),
    _rule("digitalocean_token", r"do[opr]_v1_[a-f0-9]{64}", ("_v1_",)),
    _rule("heroku_key", r"HRKU-[A-Za-z0-9_\-]{20,}", ("HRKU-",)),
    _rule("hashicorp_token", r"(?:[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,}|hv[sb]\.[A-Za-z0-9_\-]{24,})",
          ("atlasv1", "hvs.", "hvb.")),
    _rule("doppler_token", r"dp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,}", ("dp.",)),
    _rule("cloudflare_token", r"cf(?:at|ut|k)_[A-Za-z0-9]{40,}", ("cfat_", "cfut_", "cfk_")),
    _rule("databricks_token", r"dapi[a-f0-9]{32}(?:-\d)?", ("dapi",)),
    _rule("akamai_token", r"akab-[a-z0-9]{16}-[a-z0-9]{16}", ("akab-",)),
    _rule("dynatrace_token", r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}", ("dt0c01.",)),
    _rule("planetscale_token", r"pscale_(?:pw|tkn|oauth)_[A-Za-z0-9_.\-]{32,64}", ("pscale_",)),
    _rule("supabase_token", r"sbp_(?:v0_)?[a-f0-9]{40}", ("sbp_",)),
    _rule("vercel_token", r"vc[pkiar]_[A-Za-z0-9]{40,}", ("vcp_", "vck_", "vci_", "vca_", "vcr_")),
    _rule("netlify_token", r"nf[pc]_[A-Za-z0-9]{36,}", ("nfp_", "nfc_")),
    _rule("defined_networking_key", r"dnkey-[A-Za-z0-9=_\-]{26}-[A-Za-z0-9=_\-]{52}", ("dnkey-",)),
    # Source hosting and CI
    _rule("github_token", r"gh[pousr]_[A-Za-z0-9_]{36,255}", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    _rule("github_fine_grained_token", r"github_pat_[A-Za-z0-9_]{50,}", ("github_pat_",)),
    _rule("gitlab_token",
          r"gl(?:pat|oas|dt|rt|rtr|cbt|ptt|ft|imt|agent|soat|ffct|wt|sa|cbt)-[0-9A-Za-z_.\-]{16,}",
          ("gl",)),
    _rule("gitlab_runner_registration", r"GR1348941[0-9A-Za-z_\-]{20}", ("GR1348941",)),
    _rule("gitlab_session", r"_gitlab_session=[0-9a-z]{32}", ("_gitlab_session",)),
    _rule("atlassian_token", r"(?:ATATT3|ATCTT3)[A-Za-z0-9_\-=]{100,}", ("ATATT3", "ATCTT3")),
    _rule("bitbucket_app_password", r"ATBB[A-Za-z0-9]{32}", ("ATBB",)),
    _rule("bitbucket_access_token", r"BBDC-[A-Za-z0-9+/]{40,}", ("BBDC-",)),
    _rule("npm_token", r"npm_[A-Za-z0-9]{36}", ("npm_",)),
    _rule("pypi_token", r"pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}", ("pypi-",)),
    _rule("rubygems_token", r"rubygems_[a-f0-9]{48}", ("rubygems_",)),
    _rule("nuget_key", r"oy2[a-z0-9]{43}", ("oy2",)),
    _rule("clojars_token", r"CLOJARS_[a-z0-9]{60}", ("CLOJARS_",)),
    _rule("docker_token", r"(?:dckr_(?:pat|oat)_[A-Za-z0-9_\-]{20,}|SWMTKN-1-[a-z0-9]{50}-[a-z0-9]{25}|"
          r"SWMKEY-1-[A-Za-z0-9+/]{43})", ("dckr_", "SWMTKN-", "SWMKEY-")),
    _rule("jfrog_token", r"AKCp[A-Za-z0-9]{69}", ("AKCp",)),
    _rule("sonarqube_token", r"sq[upa]_[a-f0-9]{40}", ("squ_", "sqp_", "sqa_")),
    _rule("sentry_token", r"(?:sntrys_eyJ[A-Za-z0-9+/=_\-]{50,}|sntryu_[a-f0-9]{64})", ("sntrys_", "sntryu_")),
    _rule("postman_key", r"(?:PMAK-[a-f0-9]{24}-[a-f0-9]{34}|PMAT-[A-Z0-9]{26})", ("PMAK-", "PMAT-")),
    _rule("grafana_token", r"(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})", ("glsa_", "glc_")),
    _rule("grafana_api_key", r"eyJrIjoi[A-Za-z0-9+/]{40,}={0,2}", ("eyJrIjoi",)),
    _rule("newrelic_key", r"(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_\-]{25,}|NRJS-[a-f0-9]{19}|NRBR-[a-f0-9]{19}|"
          r"[a-z0-9]{36}NRAL)", ("NRAK-", "NRII-", "NRJS-", "NRBR-", "NRAL")),
    _rule("linear_key", r"lin_(?:api|oauth)_[A-Za-z0-9]{40}", ("lin_api_", "lin_oauth_")),
    _rule("figma_token", r"figd_[A-Za-z0-9_\-]{40}", ("figd_",)),
    _rule("notion_token", r"(?:ntn_\d{11}[A-Za-z0-9]{32,35}|secret_[A-Za-z0-9]{43})", ("ntn_", "secret_")),
    _rule("posthog_key", r"ph[xsra]_[A-Za-z0-9]{40,}", ("phx_", "phs_", "phr_", "pha_")),
    _rule("wundergraph_key", r"cosmo_[a-f0-9]{32}", ("cosmo_",)),
    _rule("onepassword_token", r"ops_eyJ[A-Za-z0-9+/=_\-]{100,}", ("ops_eyJ",)),
    _rule("age_secret_key", r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", ("AGE-SECRET-KEY-",)),
    _rule("nkey_seed", r"S[UNOACPX][A-Z2-7]{56}", ("SU", "SN", "SO", "SA", "SC", "SP", "SX")),
    # Messaging and SaaS
    _rule("slack_token", r"(?:xox[abposr]-[0-9A-Za-z\-]{10,}|xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{100,}|"
          r"xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)", ("xox", "xapp-")),
    _rule("slack_webhook", r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{20,}",
          ("hooks.slack.com",)),
    _rule("discord_webhook", r"https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[\w\-]{60,}",
          ("/api/webhooks/",)),
    _rule("discord_bot_token", r"[MNO][A-Za-z\d_\-]{23,25}\.[\w\-]{6}\.[\w\-]{27,}", ("M", "N", "O"), 0.8, 4.0),
    _rule("telegram_bot_token", r"\d{8,10}:AA[A-Za-z0-9_\-]{32,33}", (":AA",)),
    _rule("twitter_bearer_token", r"A{20,22}[A-Za-z0-9%]{30,}", ("AAAAAAAAAAAAAAAAAAAA",)),
    _rule("facebook_token", r"(?:EAA[A-Za-z0-9]{80,}|\d{15,16}\|[A-Za-z0-9_\-]{27})", ("EAA", "|")),
    _rule("instagram_token", r"IGQV[A-Za-z0-9_\-]{100,}", ("IGQV",)),
    _rule("twilio_key", r"(?:SK[0-9a-fA-F]{32}|AC[0-9a-f]{32})", ("SK", "AC")),
    _rule("sendgrid_key", r"SG\.[\w\-]{16,32}\.[\w\-]{16,64}", ("SG.",)),
    _rule("brevo_key", r"x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}", ("xkeysib-", "xsmtpsib-")),
    _rule("mailchimp_key", r"[0-9A-Za-z]{32}-us\d{1,2}", ("-us",)),
    _rule("mailgun_key", r"(?:key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})", ("key-", "-")),
    _rule("stripe_key", r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}", ("sk_live_", "sk_test_", "rk_live_", "rk_test_")),
    _rule("stripe_webhook_secret", r"whsec_[A-Za-z0-9]{24,}", ("whsec_",)),
    _rule("square_token", r"(?:sq0atp-[0-9A-Za-z_\-]{22}|sq0csp-[0-9A-Za-z_\-]{43}|EAAA[A-Za-z0-9_\-+=]{60})",
          ("sq0atp-", "sq0csp-", "EAAA")),
    _rule("paypal_braintree_token", r"access_token\$production\$[a-z0-9]{16}\$[a-f0-9]{32}", ("access_token$",)),
    _rule("shopify_token", r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}", ("shpat_", "shpss_", "shpca_", "shppa_")),
    _rule("dropbox_token", r"(?:sl\.[A-Za-z0-9_\-]{130,}|[a-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_\-]{43})",
          ("sl.", "AAAAAAAAAA")),
    # AI providers
    _rule("anthropic_key", r"sk-ant-(?:api|admin|oat|ort)\d{2}-[A-Za-z0-9_\-]{80,}", ("sk-ant-",)),
    _rule("openai_key", r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{16,}T3BlbkFJ[A-Za-z0-9_\-]{16,}",
          ("T3BlbkFJ",)),
    _rule("sk_api_key", r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{32,}", ("sk-",), 0.9, 3.5),
    _rule("huggingface_token", r"(?:hf_|api_org_)[A-Za-z]{34}", ("hf_", "api_org_")),
    _rule("groq_key", r"gsk_[A-Za-z0-9]{52}", ("gsk_",)),
    _rule("xai_key", r"xai-[A-Za-z0-9]{80}", ("xai-",)),
    _rule("perplexity_key", r"pplx-[A-Za-z0-9]{48}", ("pplx-",)),
    _rule("together_key", r"tgp_v1_[A-Za-z0-9_\-]{43}", ("tgp_v1_",)),
    _rule("tavily_key", r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}", ("tvly-",)),
    _rule("llamacloud_key", r"llx-[A-Za-z0-9_\-]{40,}", ("llx-",)),
    # Generic formats
    _rule("jwt", r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*", ("eyJ",)),
    _rule("salesforce_token", r"00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{80,}", ("00D",)),
    _rule("ntlm_auth_message", r"TlRMTVNTUAAD[A-Za-z0-9+/]{40,}={0,2}", ("TlRMTVNTUAAD",)),
)  # fmt: skip


# Documentation and test fixtures mark fake credentials: AKIA…EXAMPLE, ghp_xxxx…, sk-…123456.
_FAKE_MARKERS = re.compile(
    r"(?i)example|sample|dummy|fake|placeholder|redacted|x{6,}|\*{3,}|abcdef|"
    r"012345|123456|234567|345678|456789|987654|876543|765432|654321|543210"
)
_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def looks_fake(value: str) -> bool:
    """True when a credential-shaped value carries a documentation marker (EXAMPLE, xxxxxx, 123456 …)."""
    return _FAKE_MARKERS.search(value) is not None


def _embedded_in_base64(text: str, start: int, end: int) -> bool:
    # A provider prefix inside a long base64 blob (an image, a certificate) is a coincidence.
    left = start
    while left > 0 and start - left <= 40 and text[left - 1] in _BASE64_CHARS:
        left -= 1
    right = end
    while right < len(text) and right - end <= 40 and text[right] in _BASE64_CHARS:
        right += 1
    return (start - left) + (right - end) > 30


def _github_checksum_ok(token: str) -> bool:
    # GitHub tokens end in a 6-character base62 CRC32 of the random part before it.
    body = token[4:]
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    crc = zlib.crc32(body[:-6].encode())
    encoded = ""
    while crc:
        crc, digit = divmod(crc, 62)
        encoded = alphabet[digit] + encoded
    return encoded.rjust(6, "0") == body[-6:]


# (hint, its characters, index of its rule) of every rule: a hint whose characters are not all in the
# text is not looked for.
_HINTS = tuple((hint, frozenset(hint), i) for i, rule in enumerate(TOKEN_RULES) for hint in rule.hints)


def hinted_rules(text: str) -> list[TokenRule]:
    """The rules, in order, one of whose hints occurs in `text`."""
    chars = set(text)
    hinted = set()
    for hint, needs, index in _HINTS:
        if index not in hinted and needs <= chars and hint in text:
            hinted.add(index)
    return [TOKEN_RULES[index] for index in sorted(hinted)]


def _starts(body: re.Pattern[str], text: str) -> Iterator[int]:
    """Every position where `body` matches, ascending."""
    m = body.search(text)
    while m is not None:
        yield m.start()
        m = body.search(text, m.start() + 1)


def find_tokens(text: str, *, examples_count: bool = False) -> list[Finding]:
    """Provider tokens in `text`, minus prefixes buried in base64 blobs and, unless `examples_count`,
    documentation fakes."""
    findings = []
    for rule in hinted_rules(text):
        for m in finditer_at(rule.pattern, text, _starts(rule.body, text)):
            value = m.group()
            if rule.min_entropy and shannon_entropy(value) < rule.min_entropy:
                continue
            if (looks_fake(value) and not examples_count) or _embedded_in_base64(text, m.start(), m.end()):
                continue
            confidence = rule.confidence
            if rule.detector == "github_token" and not _github_checksum_ok(value):
                if len(value) - 4 == 36 or shannon_entropy(value[4:]) < 3.5:
                    continue
                confidence = 0.75
            findings.append(Finding("secret", m.start(), m.end(), confidence, rule.detector))
    return findings
