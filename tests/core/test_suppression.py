"""The suppression list: one entry per normalized value, erased people kept as a hash only."""

import pytest
from django.core.exceptions import ValidationError

from prospecting.core.models import Suppression
from prospecting.core.suppression import (
    payload_redact,
    phone_normalize,
    string_is_suppressed,
    suppression_add,
    suppression_check,
    suppression_import,
)

pytestmark = pytest.mark.django_db


def test_an_erased_value_is_kept_as_a_hash_only_and_still_matches_every_spelling():
    entry = suppression_add(kind="email", value="Marie.Weber@Example.LU", reason="erased")
    assert entry.value == "" and len(entry.value_hash) == 64
    assert "weber" not in str(Suppression.objects.values_list().get()).lower()
    check = suppression_check(emails=["marie.weber@example.lu", " MARIE.WEBER@example.lu", "other@example.lu"])
    assert check.email("marie.weber@example.lu") and check.email(" MARIE.WEBER@example.lu")
    assert not check.email("other@example.lu")


def test_an_unsubscribe_keeps_the_address_for_staff_and_an_erasure_later_removes_it():
    suppression_add(kind="email", value="a@b.lu", reason="unsubscribed")
    assert Suppression.objects.get().value == "a@b.lu"
    suppression_add(kind="email", value="a@b.lu", reason="bounced")  # repeat: first reason kept
    assert Suppression.objects.get().reason == "unsubscribed"
    suppression_add(kind="email", value="A@B.lu", reason="erased")
    entry = Suppression.objects.get()
    assert (entry.reason, entry.value) == ("erased", "")


def test_phones_match_in_any_format_and_a_domain_covers_its_subdomains_and_addresses():
    suppression_add(kind="phone", value="+352 621 12 34 56", reason="objection")
    suppression_add(kind="domain", value="https://www.weber.lu/contact", reason="erased")
    assert phone_normalize("00352 621 123 456") == phone_normalize("621 123 456") == "+352621123456"
    check = suppression_check(
        phones=["621123456", "+33 1 23 45 67 89"], domains=["shop.weber.lu", "other.lu"], emails=["x@weber.lu"]
    )
    assert check.phone("621123456") and not check.phone("+33 1 23 45 67 89")
    assert check.domain("shop.weber.lu") and not check.domain("other.lu")
    assert check.email("x@weber.lu")


def test_bad_values_are_refused_with_a_reason():
    with pytest.raises(ValidationError):
        suppression_add(kind="email", value="not an address", reason="manual")
    with pytest.raises(ValidationError):
        suppression_add(kind="phone", value="12", reason="manual")
    with pytest.raises(ValidationError):
        suppression_add(kind="email", value="a@b.lu", reason="because")


def test_import_keeps_good_lines_reports_bad_ones_and_erased_imports_keep_no_value():
    result = suppression_import(lines=["email", "a@b.lu", "bad", "A@B.lu", "c@d.lu"], reason="erased")
    assert (result.added, result.already, [line for line, _ in result.invalid]) == (2, 0, [3])
    assert set(Suppression.objects.values_list("value", flat=True)) == {""}
    again = suppression_import(lines=["c@d.lu"])
    assert (again.added, again.already) == (0, 1)


def test_payload_redaction_replaces_suppressed_strings_anywhere_in_a_listing():
    suppression_add(kind="email", value="boss@shop.lu", reason="erased")
    suppression_add(kind="phone", value="+352 621 000 111", reason="objection")
    payload = {
        "tags": {"email": "boss@shop.lu", "phone": "+352 621 000 111", "name": "Shop"},
        "x": ["mailto:boss@shop.lu"],
    }
    check = suppression_check(emails=["boss@shop.lu"], phones=["+352 621 000 111"])
    clean, count = payload_redact(payload, string_is_suppressed(check))
    assert count == 3
    assert clean == {"tags": {"email": "[suppressed]", "phone": "[suppressed]", "name": "Shop"}, "x": ["[suppressed]"]}
