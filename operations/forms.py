from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.models import Group

from routing.budgets import parse_budget


class BudgetForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Group.objects.order_by("name"), to_field_name="name")
    monthly_limit_usd = forms.CharField(
        label="Monthly limit (USD)", max_length=20, help_text="e.g. 50.00; 'none' removes the budget"
    )

    def clean_monthly_limit_usd(self) -> Decimal | None:
        try:
            return parse_budget(self.cleaned_data["monthly_limit_usd"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
