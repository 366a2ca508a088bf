from __future__ import annotations

from django.urls import path

from operations import views

urlpatterns = [
    path("manage/backends/", views.backends, name="backends"),
    path("manage/backends/budget/", views.set_budget, name="set-budget"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.prometheus_metrics, name="metrics"),
]
