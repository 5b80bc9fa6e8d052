"""The small "Log interaction" form of the prospect page and of quick capture (no need to save the prospect)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from prospecting.interactions.models import Interaction


class InteractionLogForm(forms.Form):
    interaction_type = forms.ChoiceField(choices=Interaction.InteractionType.choices, initial="call", label=_("Type"))
    subject = forms.CharField(max_length=255, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(choices=[("", "—"), *Interaction.Outcome.choices], required=False)
    next_action = forms.CharField(max_length=255, required=False, label=_("Next action"))
    next_action_date = forms.DateField(
        required=False, label=_("Follow-up date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    follow_up_owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username"),
        required=False,
        label=_("Follow-up owner"),
        help_text=_("Default: the prospect's owner, else you."),
    )

    def service_data(self) -> dict:
        """The cleaned fields as `interaction_create` takes them (empty owner: the default)."""
        data = dict(self.cleaned_data)
        if data.get("follow_up_owner") is None:
            data.pop("follow_up_owner", None)
        return data


class SnoozeForm(forms.Form):
    interaction = forms.IntegerField(min_value=1)
    until = forms.DateField()
