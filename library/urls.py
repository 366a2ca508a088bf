from __future__ import annotations

from django.urls import path

from library import views

urlpatterns = [
    path("documents/", views.documents, name="documents"),
    path("documents/jobs/", views.ingestion_jobs, name="ingestion-jobs"),
    path("library/", views.library, name="library"),
    path("library/<int:document_id>/", views.document_access, name="library-document"),
    path("library/<int:document_id>/delete/", views.document_delete, name="library-delete"),
    path("library/<int:document_id>/reingest/", views.document_reingest, name="library-reingest"),
    path("library/flagged/", views.flagged, name="library-flagged"),
    path("library/flagged/<int:chunk_id>/clear/", views.flagged_review, {"cleared": True}, name="library-flag-clear"),
    path(
        "library/flagged/<int:chunk_id>/restore/", views.flagged_review, {"cleared": False}, name="library-flag-restore"
    ),
]
