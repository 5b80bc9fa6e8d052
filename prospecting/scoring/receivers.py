"""Scoring listens to the apps below it: when a prospect's facts change, its score is recomputed on commit."""

from __future__ import annotations

from typing import Any

from prospecting.prospects.models import Prospect
from prospecting.scoring.services import score_refresh_on_commit, scores_compute_batch


def scores_refresh_when_prospects_change(*, prospect_ids: list[int], now: bool = False, **kwargs: Any) -> None:
    if now:
        scores_compute_batch(queryset=Prospect.objects.filter(pk__in=prospect_ids), workers=1)
    else:
        score_refresh_on_commit(prospect_ids=prospect_ids)
