"""Importing prospects: every kind of bad input is reported precisely and nothing good is lost."""

import csv
from unittest import mock

import pytest

from prospecting.prospects import services
from prospecting.prospects.models import ImportBatch, ImportRow, Prospect, ProspectContact
from prospecting.prospects.services import imports as import_module
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


def write(tmp_path, content, name="leads.csv", encoding="utf-8"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding, newline="")
    return path


def run_import(path, **options):
    batch = services.import_batch_create(path=path, name=path.name, **options)
    services.import_batch_run(batch=batch)
    batch.refresh_from_db()
    return batch


def failed_lines(batch):
    return {row.line_number: row.error for row in batch.rows.filter(outcome="failed")}


def test_plain_list_of_domains_without_header(tmp_path):
    batch = run_import(write(tmp_path, "example.lu\nhttps://www.Second.LU/\nthird.lu\n"))
    assert (batch.total_rows, batch.created_count) == (3, 3)
    assert set(Prospect.objects.values_list("domain_name", flat=True)) == {"example.lu", "second.lu", "third.lu"}
    prospect = Prospect.objects.get(domain_name="example.lu")
    assert (prospect.status, prospect.channel, prospect.source) == ("pending", "digital", "import")


def test_plain_list_of_domains_with_header(tmp_path):
    batch = run_import(write(tmp_path, "Domain\nexample.lu\nsecond.lu\n"))
    assert batch.created_count == 2
    assert not Prospect.objects.filter(domain_name="domain").exists()


def test_utf8_bom_semicolon_and_lenient_headers(tmp_path):
    content = (
        "\ufeffDomain Name;Company;Ville;Code postal;E-mail\nbakery.lu;Boulangerie Müller;Esch;L-4002;info@bakery.lu\n"
    )
    batch = run_import(write(tmp_path, content))
    assert batch.created_count == 1, failed_lines(batch)
    prospect = Prospect.objects.get()
    assert (prospect.domain_name, prospect.business_name, prospect.city, prospect.postal_code) == (
        "bakery.lu",
        "Boulangerie Müller",
        "Esch",
        "L-4002",
    )
    assert prospect.contacts.get().value == "info@bakery.lu"


def test_latin1_cp1252_file_is_decoded(tmp_path):
    content = "website,company\nsociete.lu,Société Générale du Café – Test\n"
    batch = run_import(write(tmp_path, content, encoding="cp1252"))
    assert batch.created_count == 1
    assert Prospect.objects.get().business_name == "Société Générale du Café – Test"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path, delimiter):
    content = delimiter.join(["url", "name", "city"]) + "\n" + delimiter.join(["a.lu", "A, B & Co", "Wiltz"]) + "\n"
    if delimiter == ",":
        content = 'url,name,city\na.lu,"A, B & Co",Wiltz\n'
    batch = run_import(write(tmp_path, content))
    assert batch.created_count == 1
    assert Prospect.objects.get().business_name == "A, B & Co"


def test_empty_file_is_refused_with_clear_error(tmp_path):
    with pytest.raises(services.ImportFileError, match="empty"):
        services.import_batch_create(path=write(tmp_path, ""), name="empty.csv")
    assert not ImportBatch.objects.exists()


def test_header_only_file_is_refused_with_clear_error(tmp_path):
    with pytest.raises(services.ImportFileError, match="no data rows"):
        services.import_batch_create(path=write(tmp_path, "domain,company\n"), name="header.csv")


def test_binary_file_is_refused(tmp_path):
    with pytest.raises(services.ImportFileError, match="binary"):
        services.import_batch_create(path=write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00"), name="x.csv")


def test_file_without_known_columns_is_refused(tmp_path):
    with pytest.raises(services.ImportFileError, match="No known column"):
        services.import_batch_create(path=write(tmp_path, "foo,bar\n1,2\n"), name="x.csv")


def test_invalid_domains_fail_their_line_and_good_rows_import(tmp_path):
    content = "domain,company\ngood.lu,Good\nnot a domain,Bad\n192.168.1.1,IP\nalso-good.lu,Also\n"
    batch = run_import(write(tmp_path, content))
    assert (batch.created_count, batch.failed_count, batch.total_rows) == (2, 2, 4)
    errors = failed_lines(batch)
    assert set(errors) == {3, 4}
    assert "Invalid domain" in errors[3] and "spaces" in errors[3]
    assert "IP address" in errors[4]


def test_line_numbers_count_multiline_quoted_cells(tmp_path):
    content = 'domain,notes\nfirst.lu,"line one\nline two"\nbad domain,x\n'
    batch = run_import(write(tmp_path, content))
    assert set(failed_lines(batch)) == {4}


def test_duplicates_in_file_are_counted_not_errors(tmp_path):
    content = "domain\nexample.lu\nhttps://www.example.lu/contact\nEXAMPLE.LU\nother.lu\n"
    batch = run_import(write(tmp_path, content))
    assert (batch.created_count, batch.duplicate_count, batch.failed_count) == (2, 2, 0)
    assert Prospect.objects.count() == 2


def test_duplicates_against_database_in_create_mode(tmp_path):
    existing = ProspectFactory(domain_name="example.lu", city="Remich")
    batch = run_import(write(tmp_path, "domain,city\nwww.example.lu,Wiltz\nnew.lu,Wiltz\n"))
    assert (batch.created_count, batch.duplicate_count) == (1, 1)
    existing.refresh_from_db()
    assert existing.city == "Remich"  # create mode never touches existing prospects


def test_update_mode_updates_existing_and_creates_new(tmp_path):
    existing = ProspectFactory(domain_name="example.lu", city="Remich", business_name="Old name")
    batch = run_import(write(tmp_path, "domain,city,company\nexample.lu,Wiltz,\nnew.lu,Wiltz,New\n"), mode="update")
    assert (batch.created_count, batch.updated_count) == (1, 1)
    existing.refresh_from_db()
    assert existing.city == "Wiltz"
    assert existing.business_name == "Old name"  # empty cells never blank out data


def test_update_only_never_creates(tmp_path):
    ProspectFactory(domain_name="known.lu")
    batch = run_import(write(tmp_path, "domain,city\nknown.lu,Wiltz\nunknown.lu,Wiltz\n"), mode="update_only")
    assert (batch.updated_count, batch.created_count, batch.failed_count) == (1, 0, 1)
    assert "unknown.lu" in failed_lines(batch)[3]
    assert not Prospect.objects.filter(domain_name="unknown.lu").exists()


def test_offline_rows_dedupe_by_business_name_and_postal_code(tmp_path):
    content = (
        "company,postal code,city,channel\n"
        "Fleuriste Thill,L-9501,Wiltz,offline\n"
        "FLEURISTE THILL,L-9501,Wiltz,offline\n"
        "Fleuriste Thill,L-1118,Luxembourg,offline\n"
    )
    batch = run_import(write(tmp_path, content))
    assert (batch.created_count, batch.duplicate_count) == (2, 1)
    again = run_import(write(tmp_path, content, name="again.csv"))
    assert (again.created_count, again.duplicate_count) == (0, 3)
    assert Prospect.objects.filter(channel="offline").count() == 2


def test_email_only_row_takes_company_domain_but_never_a_public_mailbox(tmp_path):
    content = "email,company\njean@garage-weber.lu,Garage Weber\nsomeone@gmail.com,\nmarie@pt.lu,Fleuriste Marie\n"
    batch = run_import(write(tmp_path, content))
    assert Prospect.objects.get(domain_name="garage-weber.lu").business_name == "Garage Weber"
    assert "public mailbox" in failed_lines(batch)[3]
    marie = Prospect.objects.get(business_name="Fleuriste Marie")
    assert (marie.domain_name, marie.channel) == (None, "offline")
    assert marie.contacts.get().value == "marie@pt.lu"
    assert not Prospect.objects.filter(domain_name__in=["gmail.com", "pt.lu"]).exists()


def test_unknown_columns_are_kept_in_raw_payload(tmp_path):
    batch = run_import(write(tmp_path, "domain,employees,Secteur\nexample.lu,12,Horeca\n"))
    row = batch.rows.get()
    assert row.raw_payload == {"domain": "example.lu", "employees": "12", "Secteur": "Horeca"}
    assert len(row.data_hash) == 64
    assert row.prospect.domain_name == "example.lu"


def test_contacts_from_email_and_phone_columns(tmp_path):
    content = "domain,email,phone,contact name\nshop.lu,Sales@Shop.lu,+352 26 12 34 56,Anne Klein\n"
    run_import(write(tmp_path, content))
    contacts = {c.contact_type: c for c in ProspectContact.objects.all()}
    assert contacts["email"].value == "sales@shop.lu"
    assert contacts["phone"].value == "+352 26 12 34 56"
    assert contacts["email"].label == "Anne Klein"
    assert contacts["email"].is_primary


def test_xlsx_file(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Website", "Company", "City"])
    sheet.append(["https://www.xlsx-shop.lu", "XLSX Shop", "Mersch"])
    sheet.append(["bad domain", "Broken", "Mersch"])
    sheet.append([None, None, None])
    sheet.append(["second.lu", 42, "Mersch"])
    path = tmp_path / "leads.xlsx"
    workbook.save(path)
    batch = run_import(path)
    assert (batch.created_count, batch.failed_count) == (2, 1)
    assert set(failed_lines(batch)) == {3}
    assert Prospect.objects.get(domain_name="xlsx-shop.lu").city == "Mersch"
    assert Prospect.objects.get(domain_name="second.lu").business_name == "42"


def test_ten_thousand_rows_with_one_percent_bad_gives_exact_counts(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["domain", "company"])
        for index in range(10_000):
            writer.writerow([f"bad domain {index}" if index % 100 == 0 else f"site-{index}.lu", f"Company {index}"])
    batch = run_import(path)
    assert (batch.total_rows, batch.created_count, batch.failed_count, batch.duplicate_count) == (10_000, 9_900, 100, 0)
    assert Prospect.objects.count() == 9_900
    assert ImportRow.objects.filter(batch=batch).count() == 10_000
    assert min(failed_lines(batch)) == 2  # first data line of the file


def test_resume_after_crash_creates_no_duplicates(tmp_path, monkeypatch):
    path = tmp_path / "resume.csv"
    path.write_text("domain\n" + "".join(f"site-{i}.lu\n" for i in range(2_500)) + "site-5.lu\n")
    monkeypatch.setattr(import_module, "CHUNK_SIZE", 1000)
    batch = services.import_batch_create(path=path, name="resume.csv")

    real_chunk = import_module._import_chunk
    calls = {"n": 0}

    def crash_on_third_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real_chunk(*args, **kwargs)

    with mock.patch.object(import_module, "_import_chunk", crash_on_third_chunk), pytest.raises(RuntimeError):
        services.import_batch_run(batch=batch)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert (batch.created_count, Prospect.objects.count()) == (2000, 2000)

    summary = services.import_batch_run(batch=batch)
    batch.refresh_from_db()
    assert summary.skipped_already_done == 2000
    assert (batch.status, batch.total_rows, batch.created_count, batch.duplicate_count) == ("completed", 2501, 2500, 1)
    assert Prospect.objects.count() == 2500
    assert ImportRow.objects.filter(batch=batch).count() == 2501

    services.import_batch_run(batch=batch)  # running a finished batch again changes nothing
    batch.refresh_from_db()
    assert (batch.total_rows, Prospect.objects.count()) == (2501, 2500)


def test_revert_deletes_only_what_the_batch_created(tmp_path):
    existing = ProspectFactory(domain_name="kept.lu", city="Remich")
    batch = run_import(write(tmp_path, "domain,city\nkept.lu,Wiltz\nnew-1.lu,Wiltz\nnew-2.lu,Wiltz\n"), mode="update")
    assert Prospect.objects.count() == 3
    deleted = services.import_batch_revert(batch=batch)
    assert deleted == 2
    assert list(Prospect.objects.values_list("domain_name", flat=True)) == ["kept.lu"]
    existing.refresh_from_db()
    assert existing.city == "Wiltz"
    batch.refresh_from_db()
    assert batch.status == "reverted"


def test_dry_run_writes_nothing_and_predicts_outcomes(tmp_path):
    ProspectFactory(domain_name="known.lu")
    batch = services.import_batch_create(path=write(tmp_path, "domain\nknown.lu\nnew.lu\nbad domain\n"), name="x")
    summary = services.import_batch_run(batch=batch, dry_run=True, keep_outcomes=10)
    assert (summary.created, summary.duplicates, summary.failed) == (1, 1, 1)
    assert [line for line, *_ in summary.outcomes] == [2, 3, 4]
    assert Prospect.objects.count() == 1
    assert not ImportRow.objects.exists()
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows) == ("pending", 0)


def test_unknown_channel_and_country_fail_the_row(tmp_path):
    content = "domain,channel,country\na.lu,telepathy,LU\nb.lu,digital,Luxembourg\nc.lu,digital,be\n"
    batch = run_import(write(tmp_path, content))
    errors = failed_lines(batch)
    assert "Unknown channel" in errors[2]
    assert "two-letter" in errors[3]
    assert Prospect.objects.get().country == "BE"
