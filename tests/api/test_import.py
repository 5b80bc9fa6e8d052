import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from prospecting.core.models import ScanJob
from prospecting.prospects.models import ImportBatch, Prospect

pytestmark = pytest.mark.django_db
URL = "/api/admin/prospecting/prospects/import"


def upload(content: bytes, name="leads.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_import_small_file_inline_reports_bad_lines_and_keeps_good_rows(api_client):
    content = b"domain,company\ngood.lu,Good\nnot a domain,Bad\ngood.lu,Again\n"
    response = api_client.post(URL, {"file": upload(content), "source": "lu_zone"}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total_rows"], body["created_count"], body["failed_count"], body["duplicate_count"]) == (3, 1, 1, 1)
    assert body["status"] == "completed"
    assert body["errors"][0]["line"] == 3
    assert "Invalid domain" in body["errors"][0]["error"]
    assert body["errors"][0]["raw_payload"] == {"domain": "not a domain", "company": "Bad"}
    assert Prospect.objects.get().source == "lu_zone"


def test_import_empty_file_is_a_400_with_message(api_client):
    response = api_client.post(URL, {"file": upload(b"")}, format="multipart")
    assert response.status_code == 400
    assert "empty" in response.json()["file"][0]
    assert not ImportBatch.objects.exists()


def test_import_rejects_unknown_mode(api_client):
    response = api_client.post(URL, {"file": upload(b"domain\na.lu\n"), "mode": "merge"}, format="multipart")
    assert response.status_code == 400
    assert "mode" in response.json()


def test_large_file_goes_to_the_workers_and_returns_batch_and_job(
    api_client, settings, django_capture_on_commit_callbacks, sync_tasks
):
    settings.IMPORT_INLINE_MAX_BYTES = 100
    content = b"domain\n" + b"".join(f"site-{i}.lu\n".encode() for i in range(300))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(URL, {"file": upload(content), "mode": "create"}, format="multipart")
    assert response.status_code == 202, response.content
    body = response.json()
    job = ScanJob.objects.get(pk=body["job_id"])
    batch = ImportBatch.objects.get(pk=body["id"])
    assert (job.job_type, job.status, job.processed_items) == ("import", "completed", 300)
    assert (batch.status, batch.created_count) == ("completed", 300)
    assert Prospect.objects.count() == 300


def test_import_command_prints_summary_and_bad_lines(tmp_path, db):
    path = tmp_path / "domains.csv"
    path.write_text("domain\nexample.lu\nbad domain\nexample.lu\n")
    out = io.StringIO()
    call_command("import_prospects", str(path), "--source", "dns_zone", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "3 rows — 1 created, 0 updated, 1 duplicates, 1 failed" in text
    assert "line 3: Invalid domain" in text
    assert Prospect.objects.get().source == "dns_zone"


def test_import_command_refuses_unreadable_file(tmp_path, db):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(CommandError, match="empty"):
        call_command("import_prospects", str(path), "--no-progress", stdout=io.StringIO())


def test_import_command_resumes_a_batch(tmp_path, db):
    from prospecting.prospects import services

    path = tmp_path / "domains.csv"
    path.write_text("domain\na.lu\nb.lu\n")
    batch = services.import_batch_create(path=path, name="x")
    out = io.StringIO()
    call_command("import_prospects", "--resume", str(batch.pk), "--no-progress", stdout=out)
    call_command("import_prospects", "--resume", str(batch.pk), "--no-progress", stdout=out)
    batch.refresh_from_db()
    assert (batch.created_count, batch.total_rows) == (2, 2)
    assert Prospect.objects.count() == 2
