from __future__ import annotations

from django.urls import path

from assistant import approval_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("ask/", views.ask, name="ask"),
    path("ask/stream/", views.ask_stream, name="ask-stream"),
    path("conversations/<int:conversation_id>/", views.conversation, name="conversation"),
    path("passages/<int:chunk_id>/", views.passage, name="passage"),
    path("history/", views.history, name="history"),
    path("history/delete/", views.history_delete, name="history-delete"),
    path("history/<int:entry_id>/", views.history_entry, name="history-entry"),
    path("history/<int:entry_id>/delete/", views.history_entry_delete, name="history-entry-delete"),
    path("answers/<int:audit_id>/feedback/", views.feedback, name="feedback"),
    # Requests held for approval: the approvers' page.
    path("approvals/", approval_views.approvals, name="approvals"),
    path("approvals/<int:held_id>/", approval_views.approval_decide, name="approval-decide"),
]
