"""Reads of the enrichment app: which prospects a job covered, and what it found for them."""

from __future__ import annotations

from django.db.models import QuerySet

from prospecting.core.models import ScanJob
from prospecting.enrichment.models import CheckResult
from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect


def job_prospects(job: ScanJob) -> QuerySet[Prospect]:
    """The prospects an enrichment job was given (its ids, or its prospect filter)."""
    params = job.params or {}
    if params.get("prospect_ids"):
        return Prospect.objects.filter(pk__in=params["prospect_ids"])
    filterset = ProspectFilter(params.get("filter") or {}, queryset=Prospect.objects.all())
    return filterset.qs if filterset.is_valid() else Prospect.objects.none()


def job_prospects_with_outcome(job: ScanJob, outcome: str) -> QuerySet[Prospect]:
    """The job's prospects whose last HTTP check found `outcome` (active, parked, no website, ...)."""
    if outcome not in CheckResult.values:
        return Prospect.objects.none()
    return job_prospects(job).filter(tech_profile__check_result=outcome)
