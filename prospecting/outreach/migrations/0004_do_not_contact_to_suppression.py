"""The do-not-contact list joins the one suppression list of core (same addresses, same reasons)."""

from django.db import migrations, models


def to_suppression(apps, schema_editor):
    from prospecting.core.suppression import suppression_hash

    DoNotContact = apps.get_model("outreach", "DoNotContact")
    Suppression = apps.get_model("core", "Suppression")
    rows = []
    for entry in DoNotContact.objects.order_by("pk").iterator(chunk_size=1000):
        email = entry.email.strip().lower()
        rows.append(
            Suppression(
                kind="email",
                value_hash=suppression_hash("email", email),
                value=email,
                reason=entry.reason,
                note=entry.note,
                origin=f"campaign send #{entry.send_id}" if entry.send_id else "",
                created_at=entry.created_at,
            )
        )
        if len(rows) == 1000:
            Suppression.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    Suppression.objects.bulk_create(rows, ignore_conflicts=True)


def to_do_not_contact(apps, schema_editor):
    DoNotContact = apps.get_model("outreach", "DoNotContact")
    Suppression = apps.get_model("core", "Suppression")
    reasons = {"unsubscribed", "bounced", "complained", "manual"}
    for entry in Suppression.objects.filter(kind="email").exclude(value="").iterator(chunk_size=1000):
        DoNotContact.objects.get_or_create(
            email=entry.value,
            defaults={"reason": entry.reason if entry.reason in reasons else "manual", "note": entry.note},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_suppression"),
        ("outreach", "0003_outreach_schedule"),
    ]

    operations = [
        migrations.RunPython(to_suppression, to_do_not_contact),
        migrations.DeleteModel(name="DoNotContact"),
        migrations.AlterField(
            model_name="campaignsend",
            name="skip_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("no_email", "No e-mail address"),
                    ("do_not_contact", "On the suppression list"),
                    ("converted", "Prospect converted"),
                    ("inactive", "Prospect inactive"),
                    ("no_address", "No postal address"),
                    ("left_sequence", "Left the sequence"),
                ],
                max_length=20,
            ),
        ),
    ]
