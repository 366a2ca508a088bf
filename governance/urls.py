from __future__ import annotations

from django.urls import path

from governance import views

urlpatterns = [
    path("", views.policy, name="policy"),
    path("versions/<int:version_id>/", views.policy_version, name="policy-version"),
    path("versions/<int:version_id>/activate/", views.activate_version, name="policy-activate"),
    path("edit/", views.edit_policy, name="policy-edit"),
    path("edit/validate/", views.validate_draft, name="policy-validate"),
    path("edit/simulate/", views.simulate_draft, name="policy-simulate"),
    path("edit/replay/", views.replay_draft, name="policy-replay"),
    path("edit/save/", views.save_draft, name="policy-save"),
]
