"""Admin forms of the file import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prospecting.prospects.models import Prospect
from prospecting.prospects.services import ImportMode


class ImportUploadForm(forms.Form):
    file = forms.FileField(help_text=_("CSV (any common encoding, , or ; separated) or XLSX."))
    mode = forms.ChoiceField(
        choices=[
            (ImportMode.CREATE.value, "Create new prospects only (existing ones are counted as duplicates)"),
            (ImportMode.UPDATE.value, "Create new prospects and update existing ones"),
            (ImportMode.UPDATE_ONLY.value, "Update existing prospects only (never create)"),
        ],
        initial=ImportMode.CREATE.value,
    )
    source = forms.CharField(required=False, max_length=100, help_text=_("e.g. lu_zone_file, trade_fair_2026"))
    channel = forms.ChoiceField(
        choices=[("", "From the file (digital when not given)"), *Prospect.Channel.choices], required=False
    )
    country = forms.CharField(required=False, max_length=2, help_text=_("Default country code (LU when empty)"))


class ImportConfirmForm(forms.Form):
    batch_id = forms.IntegerField(widget=forms.HiddenInput)
