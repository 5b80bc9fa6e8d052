"""The do-not-contact list of an existing installation becomes the suppression list, addresses and reasons kept."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from prospecting.core.models import Suppression
from prospecting.core.suppression import suppression_check


@pytest.mark.django_db(transaction=True)
def test_do_not_contact_rows_move_to_the_suppression_list():
    before = [("outreach", "0003_outreach_schedule"), ("core", "0006_digest_and_quotas")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    DoNotContact = old_apps.get_model("outreach", "DoNotContact")
    DoNotContact.objects.create(email="stop@example.lu", reason="unsubscribed", note="link")
    DoNotContact.objects.create(email="bounce@example.lu", reason="bounced")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    entries = {entry.value: entry.reason for entry in Suppression.objects.all()}
    assert entries == {"stop@example.lu": "unsubscribed", "bounce@example.lu": "bounced"}
    assert suppression_check(emails=["STOP@example.lu"]).email("STOP@example.lu")
