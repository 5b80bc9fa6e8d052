"""The quick-capture form (a prospect, its contacts and the first interaction, on a phone)."""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect
from prospecting.prospects.services import tag_clean
from prospecting.prospects.services.status import StatusTransitionError, status_transition_check


class CaptureForm(forms.Form):
    business_name = forms.CharField(max_length=255)
    address = forms.CharField(max_length=500, required=False)
    city = forms.CharField(max_length=100, required=False)
    postal_code = forms.CharField(max_length=10, required=False)
    contact_name = forms.CharField(max_length=100, required=False)
    phone = forms.CharField(max_length=50, required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(required=False)
    website = forms.CharField(
        max_length=253, required=False, widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "example.lu"})
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    interaction_type = forms.ChoiceField(
        choices=Interaction.InteractionType.choices, initial=Interaction.InteractionType.VISIT
    )
    next_action = forms.CharField(max_length=255, required=False)
    next_action_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    location_lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    location_lng = forms.FloatField(required=False, min_value=-180, max_value=180)


class TagsField(forms.CharField):
    """Tags typed as a comma-separated line ("salon 2026, bakery"), stored as the prospect's list of tags (a
    JSON list, as older forms and scripts post it, is read too)."""

    def prepare_value(self, value: object) -> object:
        if isinstance(value, list):
            return ", ".join(str(tag) for tag in value)
        return value

    def to_python(self, value: object) -> list[str]:
        text = (super().to_python(value) or "").strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            if isinstance(parsed, list):
                text = ",".join(str(tag) for tag in parsed)
        tags: list[str] = []
        for part in text.split(","):
            if part.strip():
                tag = tag_clean(part)
                if tag not in tags:
                    tags.append(tag)
        return tags


class ProspectAdminForm(forms.ModelForm):
    """The prospect page's form: a status change follows the status pipeline, or is an override with a reason
    (an invalid change is a form error on the status field, nothing is saved)."""

    status_override = forms.BooleanField(
        required=False, label=_("Override the status flow"), help_text=_("Staff only, with a reason.")
    )
    status_reason = forms.CharField(
        required=False, max_length=500, label=_("Reason for the status change"), widget=forms.TextInput()
    )
    tags = TagsField(required=False, help_text=_("Separated by commas, e.g. salon 2026, bakery."))

    class Meta:
        model = Prospect
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose)

    def clean(self) -> dict:
        cleaned = super().clean()
        new = cleaned.get("status")
        old = self.instance.status if self.instance.pk else None
        if old is not None and new and new != old:
            try:
                status_transition_check(
                    old=old,
                    new=new,
                    override=bool(cleaned.get("status_override")),
                    reason=cleaned.get("status_reason") or "",
                )
            except StatusTransitionError as exc:
                self.add_error("status", exc.message_dict["status"])
        return cleaned


class AssignOwnerForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username"),
        required=False,
        empty_label=_("Nobody (unassign)"),
    )


class AddTagForm(forms.Form):
    tag = forms.CharField(max_length=200, help_text=_("One tag, e.g. salon-2026 or met at Foire."))

    def clean_tag(self) -> str:
        return tag_clean(self.cleaned_data["tag"])
