"""DNS records for the tech scan's `dns` fingerprints (NS and SOA name the hosting provider, MX and TXT
name mail and SaaS providers). Off unless ENRICHMENT_DNS_LOOKUPS is set; tests use a fake resolver."""

from __future__ import annotations

from django.conf import settings

RECORD_TYPES = ("NS", "SOA", "MX", "TXT", "CNAME")


def resolve_records(domain: str, record_type: str) -> list[str]:
    """The records of one type, as text; [] when there are none or the lookup fails."""
    import dns.exception
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=not settings.ENRICHMENT_DNS_NAMESERVERS)
    if settings.ENRICHMENT_DNS_NAMESERVERS:
        resolver.nameservers = list(settings.ENRICHMENT_DNS_NAMESERVERS)
    resolver.lifetime = settings.ENRICHMENT_DNS_TIMEOUT
    try:
        answer = resolver.resolve(domain, record_type)
    except (dns.exception.DNSException, ValueError):
        return []
    values = []
    for record in answer:
        if record_type == "SOA":
            values.append(record.mname.to_text().rstrip("."))
        elif record_type == "MX":
            values.append(record.exchange.to_text().rstrip("."))
        elif record_type == "TXT":
            values.append(b"".join(record.strings).decode("utf-8", "replace"))
        else:
            values.append(record.to_text().rstrip("."))
    return values


def dns_records(domain: str) -> dict[str, list[str]]:
    """Every record type the fingerprints use, for `domain`; {} when DNS lookups are disabled."""
    if not settings.ENRICHMENT_DNS_LOOKUPS:
        return {}
    records = {record_type: resolve_records(domain, record_type) for record_type in RECORD_TYPES}
    return {record_type: values for record_type, values in records.items() if values}
