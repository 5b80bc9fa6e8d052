"""Files a hostile but fair tester brings: a bad line fails alone, with its number; the good lines import."""

import io
import threading
import zipfile
from pathlib import Path

import pytest
from django.test import override_settings

from prospecting.prospects import services
from prospecting.prospects.models import ImportBatch, ImportRow, Prospect, ProspectContact
from prospecting.prospects.services import imports as import_module

pytestmark = pytest.mark.django_db
URL = "/api/admin/prospecting/prospects/import"


def run_import(path, **options):
    batch = services.import_batch_create(path=path, name=Path(path).name, **options)
    services.import_batch_run(batch=batch)
    batch.refresh_from_db()
    return batch


def failures(batch):
    return dict(batch.rows.filter(outcome=ImportRow.Outcome.FAILED).values_list("line_number", "error"))


def test_a_stray_byte_that_no_encoding_defines_fails_its_line_only(tmp_path):
    path = tmp_path / "mostly-utf8.csv"
    lines = [b"domain,company"] + [f"site-{i}.lu,Caf\u00e9 {i}".encode() for i in range(1, 20_001)]
    lines[9_000] = b"site-9000.lu,Bad \x81 byte"  # 0x81: not UTF-8, not defined in Windows-1252
    path.write_bytes(b"\n".join(lines) + b"\n")
    batch = run_import(path)
    assert (batch.status, batch.created_count, batch.failed_count) == ("completed", 19_999, 1)
    assert "neither UTF-8 nor Windows-1252" in failures(batch)[9_001]
    assert Prospect.objects.get(domain_name="site-5.lu").business_name == "Caf\u00e9 5"  # UTF-8 kept as UTF-8


def test_a_windows_1252_line_in_a_utf8_file_is_read_as_windows_1252(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("domain,company\na.lu,Boulangerie Müller\n".encode() + b"b.lu,Fleurs \xe0 Wiltz\n")
    run_import(path)
    assert Prospect.objects.get(domain_name="b.lu").business_name == "Fleurs \u00e0 Wiltz"


def test_an_oversized_cell_fails_its_own_line_and_the_rest_of_the_chunk_imports(tmp_path):
    path = tmp_path / "huge-cell.csv"
    huge = "x" * (200 * 1024)
    path.write_text(f"domain,notes\na.lu,short\nb.lu,{huge}\nc.lu,fine\n")
    batch = run_import(path)
    assert sorted(Prospect.objects.values_list("domain_name", flat=True)) == ["a.lu", "c.lu"]
    assert "'notes' is 200 KB" in failures(batch)[3]


def test_an_unclosed_quote_swallowing_the_file_fails_as_one_line(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('domain,notes\na.lu,ok\nb.lu,"never closed\n' + "".join(f"c{i}.lu,x\n" for i in range(20_000)))
    batch = run_import(path)
    assert Prospect.objects.filter(domain_name="a.lu").exists()
    assert 3 in failures(batch)


def test_an_xlsx_with_a_stale_dimension_tag_imports_every_row(tmp_path):
    from openpyxl import Workbook

    written = tmp_path / "written.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["domain", "company"])
    for i in range(1, 51):
        sheet.append([f"site-{i}.lu", f"Company {i}"])
    workbook.save(written)
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(stale, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:B51"/>' in data
                data = data.replace(b'<dimension ref="A1:B51"/>', b'<dimension ref="A1:B3"/>')
            target.writestr(item, data)
    batch = run_import(stale)
    assert (batch.created_count, Prospect.objects.count()) == (50, 50)


def test_a_junk_first_line_above_a_list_of_domains_fails_alone(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("bad domain 0\n" + "".join(f"site-{i}.lu\n" for i in range(1, 1000)))
    batch = run_import(path)
    assert (batch.created_count, batch.failed_count) == (999, 1)
    assert "Invalid domain" in failures(batch)[1]


def test_an_invalid_email_fails_its_line_with_the_reason(tmp_path):
    path = tmp_path / "emails.csv"
    path.write_text("domain,email\na.lu,info@a.lu\nb.lu,info@@b\n")
    batch = run_import(path)
    assert "not a valid e-mail address" in failures(batch)[3]
    assert ProspectContact.objects.get().value == "info@a.lu"


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_new_domains_at_once_count_duplicates_not_errors(tmp_path, monkeypatch):
    """Both imports read "these domains are new" before either writes: the one that loses the race redoes its
    chunk and counts the other's prospects as duplicates. (SQLite runs one writing transaction at a time from
    its start, so the race exists on PostgreSQL only.)"""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite transactions take the write lock when they begin: no such race")
    domains = "".join(f"site-{i}.lu\n" for i in range(500))
    paths = [tmp_path / "one.csv", tmp_path / "two.csv"]
    for path in paths:
        path.write_text("domain\n" + domains)
    batches = [services.import_batch_create(path=path, name=path.name) for path in paths]
    both_read = threading.Barrier(2, timeout=10)
    real_existing = import_module.prospects_by_key
    first_call = threading.local()

    def existing_then_wait(keys):
        found = real_existing(keys)
        if not getattr(first_call, "done", False):
            first_call.done = True
            both_read.wait()
        return found

    monkeypatch.setattr(import_module, "prospects_by_key", existing_then_wait)
    errors = []

    def run(batch):
        try:
            services.import_batch_run(batch=batch)
        except Exception as exc:  # pragma: no cover - the failure this test guards against
            errors.append(exc)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=run, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    counts = sorted(ImportBatch.objects.values_list("status", "created_count", "duplicate_count", "failed_count"))
    assert counts == [("completed", 0, 500, 0), ("completed", 500, 0, 0)]
    assert Prospect.objects.count() == 500


def test_an_upload_over_the_limit_is_refused_with_a_message_and_leaves_no_file(api_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    content = b"domain\n" + b"".join(f"site-{i}.lu\n".encode() for i in range(200))
    response = api_client.post(URL, {"file": io.BytesIO(content)}, format="multipart")
    assert response.status_code == 400
    assert "uploads are limited" in response.json()["file"][0]
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_an_upload_that_fails_before_its_batch_exists_leaves_no_file(api_client, settings, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(import_module, "import_batch_create", broken)
    with override_settings(DEBUG_PROPAGATE_EXCEPTIONS=True), pytest.raises(RuntimeError):
        api_client.post(URL, {"file": io.BytesIO(b"domain\na.lu\n")}, format="multipart")
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_an_e_mail_typed_in_the_admin_or_quick_capture_is_validated(staff_user):
    from django.core.exceptions import ValidationError

    from tests.factories import ProspectFactory

    prospect = ProspectFactory()
    with pytest.raises(ValidationError, match="not a valid e-mail address"):
        services.contact_create(prospect=prospect, data={"contact_type": "email", "value": "info@@x"}, user=staff_user)
    contact = services.contact_create(
        prospect=prospect, data={"contact_type": "email", "value": " Info@Bakery.LU "}, user=staff_user
    )
    assert contact.value == "info@bakery.lu"
