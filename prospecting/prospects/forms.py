"""Admin forms: the import upload and the quick-capture form."""

from __future__ import annotations

from django import forms

from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect
from prospecting.prospects.services import ImportMode


class ImportUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV (any common encoding, , or ; separated) or XLSX.")
    mode = forms.ChoiceField(
        choices=[
            (ImportMode.CREATE.value, "Create new prospects only (existing ones are counted as duplicates)"),
            (ImportMode.UPDATE.value, "Create new prospects and update existing ones"),
            (ImportMode.UPDATE_ONLY.value, "Update existing prospects only (never create)"),
        ],
        initial=ImportMode.CREATE.value,
    )
    source = forms.CharField(required=False, max_length=100, help_text="e.g. lu_zone_file, trade_fair_2026")
    channel = forms.ChoiceField(
        choices=[("", "From the file (digital when not given)"), *Prospect.Channel.choices], required=False
    )
    country = forms.CharField(required=False, max_length=2, help_text="Default country code (LU when empty)")


class ImportConfirmForm(forms.Form):
    batch_id = forms.IntegerField(widget=forms.HiddenInput)


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
