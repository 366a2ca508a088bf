from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from api import pages, views

# The schema and its pages are public: they describe the API, not anyone's data, so they read no credentials
# (nor answer a bad key with an error these views would render as YAML or HTML).
PUBLIC: dict[str, Any] = {"authentication_classes": [], "permission_classes": [AllowAny]}

urlpatterns = [
    path("v1/ask", views.ask, name="api-ask"),
    path("v1/search", views.search, name="api-search"),
    path("schema/", SpectacularAPIView.as_view(**PUBLIC), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", **PUBLIC),
        name="api-docs",
    ),
]

# The admins' page, under /manage/ with the other admin pages (config/urls.py).
page_urlpatterns = [
    path("", pages.keys, name="keys"),
    path("<int:key_id>/revoke/", pages.key_revoke, name="key-revoke"),
]
