from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from api import audit_events, documents, held, history, pages, policy, views

# The schema and its pages are public: they describe the API, not anyone's data, so they read no credentials
# (nor answer a bad key with an error these views would render as YAML or HTML).
PUBLIC: dict[str, Any] = {"authentication_classes": [], "permission_classes": [AllowAny]}

urlpatterns = [
    path("v1/ask", views.ask, name="api-ask"),
    path("v1/held/<int:held_id>", held.held, name="api-held"),
    path("v1/search", views.search, name="api-search"),
    path("v1/documents", documents.documents, name="api-documents"),
    path("v1/documents/<int:document_id>", documents.document, name="api-document"),
    path("v1/documents/jobs", documents.ingestion_jobs, name="api-ingestion-jobs"),
    path("v1/documents/jobs/<int:job_id>", documents.ingestion_job, name="api-ingestion-job"),
    path("v1/audit/events", audit_events.audit_events, name="api-audit-events"),
    path("v1/audit/events/<int:event_id>", audit_events.audit_event, name="api-audit-event"),
    path("v1/audit/events.csv", audit_events.export_csv, name="api-audit-export-csv"),
    path("v1/audit/events.jsonl", audit_events.export_jsonl, name="api-audit-export-jsonl"),
    path("v1/audit/verify", audit_events.verify, name="api-audit-verify"),
    path("v1/policy/simulate", policy.simulate, name="api-policy-simulate"),
    path("v1/policy/explain", policy.explain, name="api-policy-explain"),
    path("v1/history", history.history, name="api-history"),
    path("v1/history/<int:entry_id>", history.history_entry, name="api-history-entry"),
    path("v1/answers/<int:audit_id>/feedback", history.feedback, name="api-feedback"),
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
