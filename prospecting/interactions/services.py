"""Writes on the interaction log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect
from prospecting.scoring.services import score_refresh_on_commit


def interaction_create(
    *, prospect: Prospect, data: dict[str, Any], user: AbstractBaseUser | None = None
) -> Interaction:
    """Log a call, visit, e-mail... on a prospect, validated, with its author."""
    interaction = Interaction(prospect=prospect, created_by=user, **data)
    interaction.full_clean()
    with transaction.atomic():
        interaction.save()
        score_refresh_on_commit(prospect_ids=[prospect.pk])
    return interaction
