from __future__ import annotations

from django.urls import path

from assistant import views

urlpatterns = [
    path("", views.home, name="home"),
    path("ask/", views.ask, name="ask"),
    path("ask/stream/", views.ask_stream, name="ask-stream"),
    path("passages/<int:chunk_id>/", views.passage, name="passage"),
    path("manage/documents/", views.documents, name="documents"),
    path("manage/documents/jobs/", views.ingestion_jobs, name="ingestion-jobs"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.prometheus_metrics, name="metrics"),
]
