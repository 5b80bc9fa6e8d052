from prospecting.outreach.services.templates import template_create
from prospecting.scoring.models import ProspectScore
from tests.factories import LeadFactory, ProspectContactFactory


def lead_with_email(email: str | None = None, **fields):
    lead = LeadFactory(**fields)
    ProspectScore.objects.filter(prospect=lead).update(
        score_breakdown={"no_https": {"component": "technical_health", "points": 10, "label": "No HTTPS"}}
    )
    if email is not False:
        ProspectContactFactory(prospect=lead, value=email or f"info@{lead.domain_name}", is_primary=True)
    return lead


def email_template(**fields):
    data = {
        "name": "No HTTPS",
        "language": "fr",
        "lead_type": "no_https",
        "subject_template": "{business_name} : site non sécurisé",
        "body_template": "Bonjour {contact_name},\n\n{issues}. Voir https://agence.lu/https\n\n{sender_name}",
        "html_template": '<p>Bonjour {contact_name}</p><p><a href="https://agence.lu/https">En savoir plus</a></p>',
    }
    data.update(fields)
    return template_create(data=data)
