from __future__ import annotations

from django.urls import path

from audit import views

urlpatterns = [
    path("", views.audit_log, name="audit-log"),
    path("<int:event_id>/", views.audit_detail, name="audit-detail"),
    path("export.csv", views.export_csv, name="audit-export-csv"),
    path("export.jsonl", views.export_jsonl, name="audit-export-jsonl"),
    path("verify/", views.verify, name="audit-verify"),
    path("dashboard/", views.dashboard, name="audit-dashboard"),
    path("dashboard/<slug:name>.svg", views.chart, name="audit-chart"),
]
