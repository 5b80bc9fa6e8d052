"""Sales users reach only their own and unassigned prospects through the campaigns API too."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from prospecting.outreach.models import CampaignSend
from tests.factories import CampaignSendFactory, UserFactory
from tests.outreach.helpers import email_template, lead_with_email

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/campaigns/"


@pytest.fixture
def sales():
    user = UserFactory(username="sam", is_staff=True)
    user.groups.add(Group.objects.get(name="Sales"))
    client = APIClient()
    client.force_authenticate(user)
    return user, client


def test_sales_cannot_preview_send_to_or_list_another_owners_prospect(sales):
    user, client = sales
    other = UserFactory(username="olga", is_staff=True)
    template = email_template()
    mine = lead_with_email(owner=user)
    theirs = lead_with_email(owner=other)
    CampaignSendFactory(template=template, prospect=theirs)

    preview = client.post(BASE + "preview", {"template_id": template.pk, "prospect_id": theirs.pk}, format="json")
    assert preview.status_code == 404
    assert client.post(BASE + "preview", {"template_id": template.pk, "prospect_id": mine.pk}).status_code == 200

    dry = client.post(
        BASE + "send",
        {"template_id": template.pk, "prospect_ids": [mine.pk, theirs.pk], "dry_run": True},
        format="json",
    )
    assert dry.json()["total"] == 1

    listed = client.get(BASE + "sends").json()
    assert listed["count"] == 0
    assert CampaignSend.objects.count() == 1
