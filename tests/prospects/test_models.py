import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from prospecting.prospects.models import Prospect, ProspectContact
from tests.factories import ProspectContactFactory, ProspectFactory

pytestmark = pytest.mark.django_db


def test_domain_is_stored_normalized_on_save():
    prospect = Prospect.objects.create(domain_name="HTTPS://WWW.Example.LU/path")
    prospect.refresh_from_db()
    assert prospect.domain_name == "example.lu"


def test_duplicate_domain_rejected_after_normalization_by_validation():
    ProspectFactory(domain_name="example.lu")
    duplicate = Prospect(domain_name="HTTPS://WWW.Example.LU/path")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "domain_name" in excinfo.value.message_dict


def test_duplicate_domain_rejected_after_normalization_by_database():
    ProspectFactory(domain_name="example.lu")
    with pytest.raises(IntegrityError), transaction.atomic():
        Prospect.objects.create(domain_name="http://www.EXAMPLE.lu:80/")


def test_bulk_create_normalizes_too():
    Prospect.objects.bulk_create([Prospect(domain_name="WWW.Bulk.LU/x")])
    assert Prospect.objects.filter(domain_name="bulk.lu").exists()


def test_digital_without_domain_rejected_by_validation():
    with pytest.raises(ValidationError) as excinfo:
        Prospect(channel=Prospect.Channel.DIGITAL, business_name="Garage Weber").full_clean()
    assert "domain_name" in excinfo.value.message_dict


def test_digital_without_domain_rejected_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Prospect.objects.create(channel=Prospect.Channel.DIGITAL, business_name="Garage Weber")


def test_offline_without_business_name_rejected_by_validation():
    with pytest.raises(ValidationError) as excinfo:
        Prospect(channel=Prospect.Channel.OFFLINE).full_clean()
    assert "business_name" in excinfo.value.message_dict


def test_offline_without_business_name_rejected_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Prospect.objects.create(channel=Prospect.Channel.OFFLINE, business_name="")


def test_offline_prospect_without_domain_is_valid_and_several_can_coexist():
    for name in ["Fleuriste Thill", "Garage Klein"]:
        prospect = Prospect(channel=Prospect.Channel.OFFLINE, business_name=name)
        prospect.full_clean()
        prospect.save()
    assert Prospect.objects.filter(domain_name__isnull=True).count() == 2


def test_queryset_update_and_lookups_use_the_normalized_form():
    prospect = ProspectFactory(domain_name="clean.lu")
    Prospect.objects.filter(pk=prospect.pk).update(domain_name="WWW.Dirty.lu/path")
    assert Prospect.objects.get(domain_name="https://www.DIRTY.lu/").pk == prospect.pk
    assert not Prospect.objects.filter(domain_name="not a domain").exists()


@pytest.mark.parametrize("bad", ["WWW.Dirty.lu", "dirty.lu/path", "dirty.lu:8080", "www.dirty.lu", ""])
def test_database_rejects_unnormalized_domain_written_with_raw_sql(bad):
    prospect = ProspectFactory(domain_name="clean.lu")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE prospects_prospect SET domain_name = %s WHERE id = %s", [bad, prospect.pk])


def test_invalid_domain_reports_reason():
    with pytest.raises(ValidationError) as excinfo:
        Prospect(domain_name="not a domain").full_clean()
    assert "spaces" in excinfo.value.message_dict["domain_name"][0]


def test_country_code_must_be_two_letters_and_is_uppercased():
    prospect = ProspectFactory.build(domain_name="pays.lu", country="lu")
    prospect.full_clean()
    assert prospect.country == "LU"
    with pytest.raises(ValidationError):
        ProspectFactory.build(domain_name="pays2.lu", country="L1").full_clean()


def test_contact_unique_per_prospect_type_and_value():
    contact = ProspectContactFactory(value="info@example.lu")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProspectContact.objects.create(prospect=contact.prospect, contact_type="email", value="info@example.lu")


def test_only_one_primary_contact_per_type():
    contact = ProspectContactFactory(is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProspectContact.objects.create(
            prospect=contact.prospect, contact_type="email", value="other@example.lu", is_primary=True
        )
