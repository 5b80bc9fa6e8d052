"""The quick-capture form (a prospect, its contacts and the first interaction, on a phone)."""

from __future__ import annotations

from django import forms

from prospecting.interactions.models import Interaction


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
