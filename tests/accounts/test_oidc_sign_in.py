"""Sign-in with the company's identity provider (docs/sign-in.md), through the real redirect flow against a real
OpenID Connect provider process on loopback (tests/oidc_provider/): Django's test client plays Sluice's side of
the browser, requests the provider's side; Sluice itself exchanges the code with the provider over HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth.models import Group
from django.test import Client

from accounts.api_keys import authenticate_api_key, issue_api_key
from accounts.clearance import Classification
from accounts.errors import ApiKeyRejected
from accounts.models import User
from accounts.roles import Role
from tests.conftest import make_user, password_of
from tests.oidc_provider import CLIENT_ID, OidcProvider

pytestmark = pytest.mark.django_db

PASSWORD = "provider-password-1"


def sign_in(client: Client, provider: OidcProvider, username: str, *, next_url: str = ""):  # type: ignore[no-untyped-def]
    """The whole flow: Sluice's start, the provider's sign-in and redirects, Sluice's callback; its answer."""
    start = client.get("/accounts/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302 and start["Location"].startswith(provider.issuer + "/authorize/")
    back = urlsplit(provider.authorize(start["Location"], username=username, password=PASSWORD))
    assert back.netloc == "testserver" and back.path == "/accounts/oidc/callback/"
    return client.get(back.path, parse_qs(back.query))


def csp_directives(response) -> dict[str, str]:
    """The Content-Security-Policy header as {directive: sources}: django-csp writes the directives in no fixed
    order, so a test reads them by name."""
    parts = (part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts if part[0]}


def test_the_first_sign_in_makes_the_account_with_the_mapped_role_clearance_and_groups(
    client: Client, company_sign_in: OidcProvider
) -> None:
    company_sign_in.set_user("olga", password=PASSWORD, groups=["staff", "cleared-confidential", "readers-finance"])

    answer = sign_in(client, company_sign_in, "olga", next_url="/history/")

    assert answer.status_code == 302 and answer["Location"] == "/history/"
    olga = User.objects.get(username="olga")
    assert (olga.role, olga.clearance, olga.email) == (Role.EMPLOYEE, Classification.CONFIDENTIAL, "olga@example.com")
    assert list(olga.groups.values_list("name", flat=True)) == ["finance"]
    assert olga.oidc_subject and not olga.has_usable_password()
    page = client.get("/")
    assert page.status_code == 200 and b"olga" in page.content
    assert b'href="/accounts/password/"' not in page.content  # no Sluice password to change


def test_every_sign_in_brings_role_clearance_and_groups_up_to_date_and_a_group_removed_there_goes_here(
    client: Client, company_sign_in: OidcProvider
) -> None:
    company_sign_in.set_user("piet", password=PASSWORD, groups=["staff", "readers-finance", "readers-legal"])
    sign_in(client, company_sign_in, "piet")
    client.logout()

    company_sign_in.set_user("piet", password=PASSWORD, groups=["sluice-admins", "readers-legal"])
    assert sign_in(client, company_sign_in, "piet").status_code == 302

    piet = User.objects.get(username="piet")
    assert (piet.role, piet.clearance) == (Role.ADMIN, Classification.RESTRICTED)
    assert list(piet.groups.values_list("name", flat=True)) == ["legal"]
    assert Group.objects.filter(name="finance").exists()  # the group stays, for its other members and documents
    assert User.objects.filter(username="piet").count() == 1


def test_someone_with_no_mapped_role_is_refused_on_a_page_and_no_account_is_made(
    client: Client, company_sign_in: OidcProvider
) -> None:
    company_sign_in.set_user("quinn", password=PASSWORD, groups=["readers-finance", "contractors"])

    answer = sign_in(client, company_sign_in, "quinn")

    assert answer.status_code == 403
    assert b"Sign-in refused" in answer.content and b"no group or role that gives access to Sluice" in answer.content
    assert not User.objects.filter(username="quinn").exists()
    assert client.get("/").status_code == 302  # not signed in


def test_an_account_whose_role_was_taken_at_the_provider_is_deactivated_until_it_has_one_again(
    client: Client, company_sign_in: OidcProvider
) -> None:
    company_sign_in.set_user("rosa", password=PASSWORD, groups=["staff"])
    sign_in(client, company_sign_in, "rosa")
    rosa = User.objects.get(username="rosa")
    key = issue_api_key(user=rosa, name="script", acting_user=rosa).key
    client.logout()

    company_sign_in.set_user("rosa", password=PASSWORD, groups=[])
    assert sign_in(client, company_sign_in, "rosa").status_code == 403
    rosa.refresh_from_db()
    assert not rosa.is_active and rosa.deactivated_at_sign_in is not None
    with pytest.raises(ApiKeyRejected):
        authenticate_api_key(key)  # her scripts stop with her

    company_sign_in.set_user("rosa", password=PASSWORD, groups=["staff"])
    assert sign_in(client, company_sign_in, "rosa").status_code == 302
    rosa.refresh_from_db()
    assert rosa.is_active and rosa.deactivated_at_sign_in is None


def test_an_account_an_admin_deactivated_stays_refused(client: Client, company_sign_in: OidcProvider) -> None:
    company_sign_in.set_user("sami", password=PASSWORD, groups=["staff"])
    sign_in(client, company_sign_in, "sami")
    client.logout()
    User.objects.filter(username="sami").update(is_active=False)

    answer = sign_in(client, company_sign_in, "sami")

    assert answer.status_code == 403 and b"deactivated by an admin" in answer.content
    assert not User.objects.get(username="sami").is_active


def test_a_local_account_of_the_same_name_is_never_taken_over(client: Client, company_sign_in: OidcProvider) -> None:
    local = make_user("tara", Role.ADMIN, Classification.RESTRICTED)
    company_sign_in.set_user("tara", password=PASSWORD, groups=["staff"])

    answer = sign_in(client, company_sign_in, "tara")

    assert answer.status_code == 403 and b"already exists in Sluice" in answer.content
    local.refresh_from_db()
    assert local.oidc_subject is None and local.role == Role.ADMIN
    assert client.get("/").status_code == 302


def test_the_sign_in_page_offers_the_company_sign_in_beside_the_password_form(
    client: Client, company_sign_in: OidcProvider, settings
) -> None:
    settings.OIDC_PROVIDER_NAME = "Example Corp"

    page = client.get("/accounts/login/?next=/history/")

    assert b"Sign in with Example Corp" in page.content
    assert b'href="/accounts/oidc/authenticate/?next=/history/"' in page.content
    assert b'name="password"' in page.content


def test_with_local_passwords_off_the_page_offers_only_the_company_sign_in_and_a_password_is_refused(
    client: Client, company_sign_in: OidcProvider, employee: User, settings
) -> None:
    settings.LOCAL_PASSWORDS = False
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesBackend", "accounts.oidc.OidcBackend"]

    page = client.get("/accounts/login/")
    refused = client.post("/accounts/login/", {"username": "erin", "password": password_of("erin")})

    assert b"Sign in with" in page.content and b'name="password"' not in page.content
    assert refused.status_code == 403 and b"Sign-in with a password is switched off" in refused.content
    assert client.get("/").status_code == 302  # not signed in


def test_without_an_issuer_everything_is_as_before(client: Client, employee: User) -> None:
    page = client.get("/accounts/login/")

    assert b"Sign in with" not in page.content and b'name="password"' in page.content
    assert client.get("/accounts/oidc/authenticate/").status_code == 404
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404
    assert client.post("/accounts/login/", {"username": "erin", "password": password_of("erin")}).status_code == 302


def test_a_provider_whose_discovery_names_another_issuer_gets_a_clear_page(
    client: Client, company_sign_in: OidcProvider, settings
) -> None:
    settings.OIDC_ISSUER = company_sign_in.issuer + "/"  # its document says the issuer without the slash

    answer = client.get("/accounts/oidc/authenticate/")

    assert answer.status_code == 503 and b"cannot be reached just now" in answer.content


def test_a_callback_with_a_state_sluice_never_sent_signs_nobody_in(
    client: Client, company_sign_in: OidcProvider
) -> None:
    answer = client.get("/accounts/oidc/callback/", {"code": "forged", "state": "forged"})

    assert answer.status_code == 403 and b"did not complete" in answer.content
    assert client.get("/").status_code == 302


def test_signing_out_of_sluice_ends_the_providers_session_too(client: Client, company_sign_in: OidcProvider) -> None:
    company_sign_in.set_user("uma", password=PASSWORD, groups=["staff"])
    with requests.Session() as browser:  # the provider's cookies, kept as a browser keeps them
        start = client.get("/accounts/oidc/authenticate/")
        back = urlsplit(
            company_sign_in.authorize(start["Location"], username="uma", password=PASSWORD, browser=browser)
        )
        client.get(back.path, parse_qs(back.query))
        # While the provider's session lasts, its authorization page sends her straight back, no password asked.
        again = browser.get(client.get("/accounts/oidc/authenticate/")["Location"], allow_redirects=False, timeout=10)
        assert again.is_redirect and urlsplit(again.headers["Location"]).path == "/accounts/oidc/callback/"

        # Browsers hold a form's redirects to form-action: the pages allow the provider's origin there.
        origin = "http://" + urlsplit(company_sign_in.issuer).netloc
        assert csp_directives(client.get("/"))["form-action"] == f"'self' {origin}"

        out = client.post("/accounts/logout/")

        assert client.get("/").status_code == 302  # signed out of Sluice
        assert out.status_code == 302 and out["Location"].startswith(company_sign_in.issuer + "/logout/?")
        asked = parse_qs(urlsplit(out["Location"]).query)
        assert asked["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
        assert asked["client_id"] == [CLIENT_ID] and asked["id_token_hint"][0].count(".") == 2
        ended = browser.get(out["Location"], allow_redirects=False, timeout=10)
        assert ended.is_redirect and ended.headers["Location"] == "http://testserver/accounts/login/"
        # The provider asks for her password again.
        page = browser.get(client.get("/accounts/oidc/authenticate/")["Location"], timeout=10)
        assert urlsplit(page.url).path == "/login/" and 'name="password"' in page.text


def test_signing_out_of_a_password_session_stays_in_sluice(
    client: Client, company_sign_in: OidcProvider, employee: User
) -> None:
    client.post("/accounts/login/", {"username": "erin", "password": password_of("erin")})

    out = client.post("/accounts/logout/")

    assert out.status_code == 302 and out["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_without_an_issuer_forms_may_go_to_sluice_only(client: Client, employee: User) -> None:
    assert csp_directives(client.get("/accounts/login/"))["form-action"] == "'self'"
