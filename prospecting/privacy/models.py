"""The register of privacy requests answered (erasures, access exports), kept without the person's data."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PrivacyRequest(models.Model):
    """One erasure (Art. 17) or access export (Art. 15) that was carried out: who did it, when, and how many
    rows of which tables it touched. It never holds the e-mail, phone or name asked about."""

    class Kind(models.TextChoices):
        ERASURE = "erasure", "Erasure (Art. 17)"
        ACCESS = "access", "Access export (Art. 15)"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    counts = models.JSONField(default=dict, blank=True, help_text="Rows touched per table, values suppressed.")
    reference = models.CharField(
        max_length=100, blank=True, help_text="Your own reference for the request (a ticket number), no personal data."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("erase_person", "Can erase a person's data (GDPR Art. 17)"),
            ("export_person", "Can export a person's data (GDPR Art. 15)"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.created_at:%Y-%m-%d})"
