"""Admin doors to import, export and quick capture."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prospecting.core.models import ActivityLog, ScanJob
from prospecting.interactions.models import Interaction
from prospecting.prospects.models import ImportBatch, Prospect, ProspectContact
from tests.factories import ProspectContactFactory, ProspectFactory

pytestmark = pytest.mark.django_db
IMPORT_URL = "/admin/prospects/prospect/import/"
CAPTURE_URL = "/admin/prospects/prospect/capture/"


def upload(content: bytes, name="leads.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_import_button_leads_to_our_import_page(admin_client_logged_in):
    changelist = admin_client_logged_in.get(reverse("admin:prospects_prospect_changelist")).content.decode()
    assert IMPORT_URL in changelist
    assert CAPTURE_URL in changelist
    page = admin_client_logged_in.get(IMPORT_URL)
    assert page.status_code == 200
    assert b"Columns we recognise" in page.content


def test_import_preview_writes_nothing_then_confirm_imports_and_lists_bad_lines(admin_client_logged_in):
    ProspectFactory(domain_name="known.lu")
    content = b"domain,company\nknown.lu,Known\nnew.lu,New SA\nnot a domain,Broken\n"
    preview = admin_client_logged_in.post(IMPORT_URL, {"file": upload(content), "mode": "create"})
    assert preview.status_code == 200
    summary = preview.context["summary"]
    assert (summary.created, summary.duplicates, summary.failed) == (1, 1, 1)
    html = preview.content.decode()
    assert "new.lu" in html and "Invalid domain" in html
    assert Prospect.objects.count() == 1
    batch = preview.context["batch"]

    confirm = admin_client_logged_in.post(IMPORT_URL, {"batch_id": batch.pk, "confirm": "Confirm import"})
    assert confirm.status_code == 302
    assert confirm["Location"] == reverse("admin:prospects_importbatch_change", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.duplicate_count, batch.failed_count) == ("completed", 1, 1, 1)
    assert Prospect.objects.filter(domain_name="new.lu").exists()

    batch_page = admin_client_logged_in.get(confirm["Location"]).content.decode()
    assert "not a domain" in batch_page and "Invalid domain" in batch_page

    again = admin_client_logged_in.post(IMPORT_URL, {"batch_id": batch.pk, "confirm": "Confirm import"})
    assert again.status_code == 404  # a finished batch cannot be imported twice by a double click


def test_import_cancel_discards_the_batch(admin_client_logged_in):
    preview = admin_client_logged_in.post(IMPORT_URL, {"file": upload(b"domain\na.lu\n"), "mode": "create"})
    batch = preview.context["batch"]
    response = admin_client_logged_in.post(IMPORT_URL, {"batch_id": batch.pk, "cancel": "Cancel"})
    assert response.status_code == 302
    assert not ImportBatch.objects.exists()
    assert not Prospect.objects.exists()


def test_import_bad_file_shows_form_error(admin_client_logged_in):
    response = admin_client_logged_in.post(IMPORT_URL, {"file": upload(b"domain,company\n"), "mode": "create"})
    assert response.status_code == 200
    assert "no data rows" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_big_import_is_handed_to_the_workers(
    admin_client_logged_in, settings, django_capture_on_commit_callbacks, sync_tasks
):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    preview = admin_client_logged_in.post(IMPORT_URL, {"file": upload(b"domain\na.lu\nb.lu\n"), "mode": "create"})
    batch = preview.context["batch"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(IMPORT_URL, {"batch_id": batch.pk, "confirm": "Confirm import"})
    assert response.status_code == 302
    job = ScanJob.objects.get(job_type="import")
    assert (job.status, job.processed_items) == ("completed", 2)
    assert Prospect.objects.count() == 2


def test_revert_action_asks_for_confirmation_then_deletes_created_prospects(admin_client_logged_in):
    preview = admin_client_logged_in.post(IMPORT_URL, {"file": upload(b"domain\na.lu\nb.lu\n"), "mode": "create"})
    batch = preview.context["batch"]
    admin_client_logged_in.post(IMPORT_URL, {"batch_id": batch.pk, "confirm": "Confirm import"})
    changelist = reverse("admin:prospects_importbatch_changelist")
    ask = admin_client_logged_in.post(changelist, {"action": "revert_batches", "_selected_action": [batch.pk]})
    assert ask.status_code == 200
    assert "Yes, delete 2 prospects" in ask.content.decode()
    assert Prospect.objects.count() == 2
    done = admin_client_logged_in.post(
        changelist, {"action": "revert_batches", "_selected_action": [batch.pk], "confirm": "yes"}
    )
    assert done.status_code == 302
    assert not Prospect.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "reverted"


def test_export_button_escapes_formula_cells(admin_client_logged_in):
    ProspectFactory(domain_name="evil.lu", business_name='=HYPERLINK("http://x")', city="@SUM(A1)")
    ProspectFactory(domain_name="plain.lu", business_name="Plain", city="-cmd")
    response = admin_client_logged_in.post(
        reverse("admin:prospects_prospect_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"prospectresource_{f}": "on" for f in ["domain_name", "business_name", "city"]},
        },
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = {cell for row in rows for cell in row}
    assert '\'=HYPERLINK("http://x")' in cells
    assert "'@SUM(A1)" in cells
    assert "'-cmd" in cells
    assert "Plain" in cells


def test_export_action_streams_lead_csv_of_selected_prospects(admin_client_logged_in):
    chosen = ProspectFactory(domain_name="chosen.lu", business_name="+Chosen")
    ProspectContactFactory(prospect=chosen, contact_type="email", value="hi@chosen.lu", is_primary=True)
    ProspectFactory(domain_name="other.lu")
    response = admin_client_logged_in.post(
        reverse("admin:prospects_prospect_changelist"),
        {"action": "export_leads_csv", "_selected_action": [chosen.pk]},
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["domain"], r["business"], r["primary_email"]) for r in rows] == [
        ("chosen.lu", "'+Chosen", "hi@chosen.lu")
    ]


CAPTURE = {
    "business_name": "Fleuriste Thill",
    "address": "12, Grand-Rue",
    "city": "Wiltz",
    "postal_code": "L-9501",
    "contact_name": "Marie Thill",
    "phone": "+352 95 12 34",
    "email": "Marie@Fleurs-Thill.lu",
    "website": "https://www.fleurs-thill.lu/",
    "notes": "Wants a shop with opening hours",
    "interaction_type": "visit",
    "next_action": "Send proposal",
    "next_action_date": "2026-12-01",
    "location_lat": "49.96571",
    "location_lng": "5.93245",
}


def test_capture_page_renders_phone_friendly_form(admin_client_logged_in):
    html = admin_client_logged_in.get(CAPTURE_URL).content.decode()
    assert 'name="viewport"' in html
    assert 'id="use-location"' in html and "navigator.geolocation" in html
    assert 'type="tel"' in html
    assert '<option value="visit" selected>' in html


def test_capture_creates_prospect_contacts_and_interaction(admin_client_logged_in, staff_user):
    response = admin_client_logged_in.post(CAPTURE_URL, CAPTURE)
    assert response.status_code == 200, response.content.decode()[:2000]
    prospect = Prospect.objects.get()
    assert (prospect.channel, prospect.business_name, prospect.domain_name) == (
        "offline",
        "Fleuriste Thill",
        "fleurs-thill.lu",
    )
    assert prospect.captured_by == staff_user
    assert (prospect.location_lat, prospect.location_lng) == (49.96571, 5.93245)
    contacts = {c.contact_type: c.value for c in prospect.contacts.all()}
    assert contacts == {
        "phone": "+352 95 12 34",
        "email": "marie@fleurs-thill.lu",
        "website": "https://fleurs-thill.lu",
    }
    interaction = prospect.interactions.get()
    assert (interaction.interaction_type, interaction.next_action, str(interaction.next_action_date)) == (
        "visit",
        "Send proposal",
        "2026-12-01",
    )
    assert interaction.created_by == staff_user
    assert ActivityLog.objects.filter(action="captured").exists()
    assert "Capture another lead" in response.content.decode()


def test_capture_without_website_or_optional_fields(admin_client_logged_in):
    response = admin_client_logged_in.post(CAPTURE_URL, {"business_name": "Garage Klein", "interaction_type": "visit"})
    assert response.status_code == 200
    prospect = Prospect.objects.get()
    assert prospect.domain_name is None
    assert prospect.interactions.count() == 1


def test_capture_is_atomic_when_something_is_invalid(admin_client_logged_in):
    ProspectFactory(domain_name="fleurs-thill.lu")
    response = admin_client_logged_in.post(CAPTURE_URL, CAPTURE)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Prospect.objects.count() == 1
    assert not Interaction.objects.exists()
    assert not ProspectContact.objects.exists()


def test_capture_failure_in_a_later_step_rolls_back_everything(admin_client_logged_in, monkeypatch):
    from prospecting.workspace import services as capture

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(capture.Interaction, "save", broken_save)
    with pytest.raises(RuntimeError):
        admin_client_logged_in.post(CAPTURE_URL, CAPTURE)
    assert not Prospect.objects.exists()
    assert not ProspectContact.objects.exists()


def test_capture_requires_business_name(admin_client_logged_in):
    response = admin_client_logged_in.post(CAPTURE_URL, {**CAPTURE, "business_name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["business_name"]
    assert not Prospect.objects.exists()


def test_a_preview_never_confirmed_is_discarded_with_its_file_by_the_housekeeping(admin_client_logged_in, settings):
    from datetime import timedelta
    from pathlib import Path

    from django.utils import timezone

    from prospecting.core.tasks import jobs_watchdog_task

    settings.IMPORT_PREVIEW_KEEP_HOURS = 24
    left = admin_client_logged_in.post(IMPORT_URL, {"file": upload(b"domain\nleft.lu\n"), "mode": "create"})
    left_batch = left.context["batch"]
    ImportBatch.objects.filter(pk=left_batch.pk).update(created_at=timezone.now() - timedelta(hours=25))
    fresh = admin_client_logged_in.post(IMPORT_URL, {"file": upload(b"domain\nfresh.lu\n"), "mode": "create"})
    done = admin_client_logged_in.post(IMPORT_URL, {"file": upload(b"domain\ndone.lu\n"), "mode": "create"})
    admin_client_logged_in.post(IMPORT_URL, {"batch_id": done.context["batch"].pk, "confirm": "Confirm import"})
    ImportBatch.objects.exclude(pk=fresh.context["batch"].pk).update(created_at=timezone.now() - timedelta(hours=25))

    jobs_watchdog_task()

    assert not ImportBatch.objects.filter(pk=left_batch.pk).exists()
    assert not Path(left_batch.source_file).exists()
    kept = {fresh.context["batch"].pk, done.context["batch"].pk}
    assert set(ImportBatch.objects.values_list("pk", flat=True)) == kept
    assert list(Prospect.objects.values_list("domain_name", flat=True)) == ["done.lu"]


def test_after_an_import_the_user_is_led_to_the_new_prospects_and_to_enriching_them(
    admin_client_logged_in, django_capture_on_commit_callbacks
):
    ProspectFactory(domain_name="known.lu")
    preview = admin_client_logged_in.post(
        IMPORT_URL, {"file": upload(b"domain\nknown.lu\nnew-a.lu\nnew-b.lu\n"), "mode": "create"}
    )
    batch = preview.context["batch"]
    done = admin_client_logged_in.post(
        IMPORT_URL, {"batch_id": batch.pk, "confirm": "Confirm import"}, follow=True
    ).content.decode()
    prospects_link = reverse("admin:prospects_prospect_changelist") + f"?import_batch={batch.pk}"
    enrich_link = reverse("admin:prospects_prospect_enrich_import", args=[batch.pk])
    assert "See the 2 new prospects" in done and prospects_link in done and enrich_link in done

    listed = admin_client_logged_in.get(prospects_link)
    assert sorted(p.domain_name for p in listed.context["cl"].result_list) == ["new-a.lu", "new-b.lu"]

    confirm = admin_client_logged_in.get(enrich_link)
    assert "Enrich 2 prospects" in confirm.content.decode()
    with django_capture_on_commit_callbacks():
        admin_client_logged_in.post(enrich_link)
    job = ScanJob.objects.get(job_type="full")
    assert job.total_items == 2


def test_an_import_batch_page_is_a_read_only_record(admin_client_logged_in):
    preview = admin_client_logged_in.post(IMPORT_URL, {"file": upload(b"domain\na.lu\n"), "mode": "create"})
    batch = preview.context["batch"]
    admin_client_logged_in.post(IMPORT_URL, {"batch_id": batch.pk, "confirm": "Confirm import"})
    page = admin_client_logged_in.get(reverse("admin:prospects_importbatch_change", args=[batch.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    admin_client_logged_in.post(
        reverse("admin:prospects_importbatch_change", args=[batch.pk]), {"name": "renamed", "_save": "Save"}
    )
    batch.refresh_from_db()
    assert batch.name != "renamed"
