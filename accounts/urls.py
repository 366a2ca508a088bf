from __future__ import annotations

from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.users, name="users"),
    path("new/", views.user_new, name="user-new"),
    path("<int:user_id>/", views.user_edit, name="user-edit"),
    path("<int:user_id>/password/", views.user_password_reset, name="user-password-reset"),
]
