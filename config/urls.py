from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import ChangePasswordForm
from accounts.oidc import OidcCallback, OidcStart, SignOut
from accounts.views import SignInView
from api import urls as api_urls

urlpatterns = [
    path("accounts/login/", SignInView.as_view(), name="login"),
    # The company sign-in (docs/sign-in.md); both answer 404 while OIDC_ISSUER is empty.
    path("accounts/oidc/authenticate/", OidcStart.as_view(), name="oidc_authentication_init"),
    path("accounts/oidc/callback/", OidcCallback.as_view(), name="oidc_authentication_callback"),
    # Ends the company sign-in's session too, where the session came from it.
    path("accounts/logout/", SignOut.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm),
        name="password_change",
    ),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("api/", include("api.urls")),
    path("v1/", include("api.gateway.urls")),
    path("audit/", include("audit.urls")),
    path("manage/policy/", include("governance.urls")),
    path("manage/keys/", include(api_urls.page_urlpatterns)),
    path("manage/", include("library.urls")),
    path("manage/users/", include("accounts.urls")),
    path("", include("operations.urls")),
    path("", include("assistant.urls")),
]
