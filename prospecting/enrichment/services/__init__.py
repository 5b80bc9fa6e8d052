"""Enrichment writes: each step takes a prospect, fetches through the safe fetcher, stores what it found."""

from prospecting.enrichment.services.contacts import contacts_run
from prospecting.enrichment.services.full import enrichment_full_run
from prospecting.enrichment.services.http_check import HttpCheckOutcome, http_check_run
from prospecting.enrichment.services.performance import performance_run
from prospecting.enrichment.services.tech_scan import tech_scan_run

__all__ = [
    "HttpCheckOutcome",
    "contacts_run",
    "enrichment_full_run",
    "http_check_run",
    "performance_run",
    "tech_scan_run",
]
