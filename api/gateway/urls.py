"""The gateway endpoints, under /v1/ at the root as both SDKs expect them (config/urls.py)."""

from __future__ import annotations

from django.urls import path, re_path

from api.gateway import views

urlpatterns = [
    path("chat/completions", views.chat_completions, name="gateway-chat-completions"),
    path("messages", views.messages, name="gateway-messages"),
    path("models", views.models, name="gateway-models"),
    path("models/<str:model_id>", views.models, name="gateway-model"),
    re_path(r"^.*$", views.not_found, name="gateway-not-found"),
]
