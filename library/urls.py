from __future__ import annotations

from django.urls import path

from library import views

urlpatterns = [
    path("", views.library, name="library"),
    path("<int:document_id>/", views.document_access, name="library-document"),
    path("<int:document_id>/delete/", views.document_delete, name="library-delete"),
    path("<int:document_id>/reingest/", views.document_reingest, name="library-reingest"),
]
