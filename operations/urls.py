from __future__ import annotations

from django.urls import path

from operations import views

urlpatterns = [
    path("", views.backends, name="backends"),
    path("budget/", views.set_budget, name="set-budget"),
]
