import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from prospecting.interactions.selectors import followups_upcoming
from prospecting.interactions.services import interaction_create
from tests.factories import InteractionFactory, ProspectFactory

pytestmark = pytest.mark.django_db


def test_interaction_create_records_author(staff_user):
    prospect = ProspectFactory()
    interaction = interaction_create(
        prospect=prospect,
        data={"interaction_type": "visit", "notes": "Met at trade fair", "next_action": "Send proposal"},
        user=staff_user,
    )
    assert interaction.created_by == staff_user
    assert prospect.interactions.get().notes == "Met at trade fair"


def test_interaction_create_rejects_unknown_type(staff_user):
    with pytest.raises(ValidationError):
        interaction_create(prospect=ProspectFactory(), data={"interaction_type": "telepathy"}, user=staff_user)


def test_followups_upcoming_lists_due_actions_in_date_order():
    today = timezone.localdate()
    later = InteractionFactory(next_action_date=today + datetime.timedelta(days=5))
    overdue = InteractionFactory(next_action_date=today - datetime.timedelta(days=2))
    InteractionFactory(next_action_date=today + datetime.timedelta(days=30))
    undescribed = InteractionFactory(next_action="", next_action_date=today)  # a date alone is a task too
    InteractionFactory(next_action="Call back", next_action_date=None)  # an action without a date is a note
    assert list(followups_upcoming()) == [overdue, undescribed, later]
