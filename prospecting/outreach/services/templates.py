"""Templates and what they render to: the one place a message is composed, for the preview and for sending."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction

from prospecting.core.db import save_existing
from prospecting.core.services import activity_log_record
from prospecting.outreach import labels
from prospecting.outreach.links import click_url, open_pixel_url, unsubscribe_url
from prospecting.outreach.models import CampaignSend, CampaignTemplate, CustomVariable, SenderAccount
from prospecting.outreach.rendering import (
    BUILTIN_PLACEHOLDERS,
    TemplateError,
    html_links,
    html_links_rewrite,
    links_in_text,
    links_rewrite,
    placeholders_in,
    render,
    template_check,
)
from prospecting.outreach.selectors import Recipient, custom_variable_values, do_not_contact_among

User = AbstractBaseUser | AnonymousUser | None
_TEMPLATE_FIELDS = {
    "name",
    "slug",
    "lead_type",
    "channel",
    "language",
    "subject_template",
    "body_template",
    "html_template",
    "is_active",
}


# --- placeholders and validation --------------------------------------------------------------------------


def placeholders_allowed() -> dict[str, str]:
    """Every placeholder a template may use, with what it stands for (built-in and custom variables)."""
    allowed = dict(BUILTIN_PLACEHOLDERS)
    for key, label, default in CustomVariable.objects.filter(is_active=True).values_list(
        "key", "label", "default_value"
    ):
        allowed.setdefault(key, f"{label or key} (default: {default!r})")
    return allowed


def template_validate(template: CampaignTemplate) -> None:
    """Model validation plus the placeholders: a bad one is an error on the field that holds it."""
    errors: dict[str, list[str]] = {}
    try:
        template.full_clean(validate_unique=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (template.body_template or "").strip():
        errors.setdefault("body_template", []).append("A plain-text body is required.")
    if template.channel == CampaignTemplate.Channel.EMAIL and not (template.subject_template or "").strip():
        errors.setdefault("subject_template", []).append("An e-mail needs a subject.")
    allowed = placeholders_allowed()
    for name in ("subject_template", "body_template", "html_template"):
        try:
            template_check([getattr(template, name) or ""], allowed)
        except TemplateError as exc:
            errors.setdefault(name, []).append(str(exc))
    if errors:
        raise ValidationError(errors)


def _check_fields(data: dict[str, Any]) -> None:
    unknown = set(data) - _TEMPLATE_FIELDS
    if unknown:
        raise ValueError(f"Unknown template fields: {', '.join(sorted(unknown))}")


def template_create(*, data: dict[str, Any], user: User = None) -> CampaignTemplate:
    """A new template, refused (ValidationError naming the field and placeholder) when it cannot render."""
    _check_fields(data)
    template = CampaignTemplate(**data)
    if not template.slug:
        template.slug = None
    template_validate(template)
    with transaction.atomic():
        template.save()
        activity_log_record(entity=template, action="template_created", actor=user, description=template.name)
    return template


def template_update(*, template: CampaignTemplate, data: dict[str, Any], user: User = None) -> CampaignTemplate:
    _check_fields(data)
    changed = sorted(name for name, value in data.items() if getattr(template, name) != value)
    for name, value in data.items():
        setattr(template, name, value)
    if not template.slug:
        template.slug = None
    template_validate(template)
    with transaction.atomic():
        save_existing(template)
        if changed:
            activity_log_record(
                entity=template,
                action="template_changed",
                actor=user,
                description=f"Changed {', '.join(changed)}",
                metadata={"fields": changed},
            )
    return template


class TemplateInUse(Exception):
    """A template that was used keeps its history: deactivate it instead."""


def template_delete(*, template: CampaignTemplate, user: User = None) -> None:
    """Delete a template that never sent anything; one with sends or in a sequence is kept (TemplateInUse)."""
    if CampaignSend.objects.filter(template=template).exists() or template.sequence_steps.exists():
        raise TemplateInUse(
            f"Template “{template.name}” has sends or is a sequence step: deactivate it instead of deleting it."
        )
    with transaction.atomic():
        activity_log_record(entity=template, action="template_deleted", actor=user, description=template.name)
        template.delete()


def custom_variable_save(*, variable: CustomVariable, user: User = None) -> CustomVariable:
    """Create or change a custom variable; its key may not hide a built-in placeholder."""
    if variable.key in BUILTIN_PLACEHOLDERS:
        raise ValidationError({"key": f"{variable.key!r} is a built-in placeholder; pick another key."})
    variable.full_clean()
    with transaction.atomic():
        variable.save()
    return variable


def custom_variable_delete(*, variable: CustomVariable, user: User = None) -> None:
    """Delete a custom variable no template uses (a template using it could no longer render)."""
    key = variable.key
    used = [
        template.name
        for template in CampaignTemplate.objects.only("name", "subject_template", "body_template", "html_template")
        if any(
            name == key
            for text in (template.subject_template, template.body_template, template.html_template)
            for _, name in placeholders_in(text)
        )
    ]
    if used:
        raise ValidationError(f"{{{key}}} is used by: {', '.join(used[:5])}. Remove it from them first.")
    variable.delete()


# --- composing a message ----------------------------------------------------------------------------------


@dataclass
class Composed:
    """A message exactly as it goes out."""

    subject: str
    body: str
    html: str
    recipient: str
    from_email: str
    headers: dict[str, str]
    links: list[str] = field(default_factory=list)
    notice: bool = False  # it carries the privacy notice (the prospect's first message)


def sender_from(account: SenderAccount | None) -> tuple[str, str]:
    """(From header, sender name) of an account, else of DEFAULT_FROM_EMAIL."""
    if account is not None:
        return formataddr((account.from_name, account.from_email)), account.from_name or account.from_email
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return settings.DEFAULT_FROM_EMAIL, settings.OUTREACH_SENDER_NAME or name or address


def message_id_domain() -> str:
    return settings.OUTREACH_MESSAGE_ID_DOMAIN or urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id_for(send_id: int, token: str) -> str:
    return f"<{send_id}.{token}@{message_id_domain()}>"


def placeholder_values(
    *, template: CampaignTemplate, recipient: Recipient, sender_name: str, unsubscribe: str, variables: dict[str, str]
) -> dict[str, str]:
    language = template.language
    values = dict(variables)
    values.update(
        business_name=recipient.business_name or recipient.domain,
        domain=recipient.domain,
        city=recipient.city,
        score="" if recipient.score is None else str(recipient.score),
        lead_tier=labels.tier_text(recipient.lead_tier, language),
        issues=labels.issues_text(recipient.breakdown, language),
        contact_name=recipient.contact_name or labels.generic_contact(language),
        sender_name=sender_name,
        unsubscribe_url=unsubscribe,
    )
    return values


def message_compose(
    *,
    template: CampaignTemplate,
    recipient: Recipient,
    send_id: int,
    message_id: str,
    account: SenderAccount | None,
    variables: dict[str, str],
) -> Composed:
    """Subject, bodies and headers of one message: placeholders filled, an unsubscribe link in the body,
    RFC 8058 one-click unsubscribe headers, and (per the settings) tracked links and an open pixel."""
    from_email, sender_name = sender_from(account)
    unsubscribe = unsubscribe_url(send_id)
    values = placeholder_values(
        template=template, recipient=recipient, sender_name=sender_name, unsubscribe=unsubscribe, variables=variables
    )
    subject = " ".join(render(template.subject_template, values).split())
    body = render(template.body_template, values)
    if unsubscribe not in body:
        body = f"{body.rstrip()}\n\n-- \n{labels.unsubscribe_footer(unsubscribe, template.language)}\n"
    markup = render(template.html_template, values, escape=True) if template.html_template else ""
    if markup and unsubscribe not in markup:
        footer = labels.unsubscribe_footer(unsubscribe, template.language).replace(unsubscribe, "").rstrip(": ")
        markup += f'\n<p style="font-size:12px;color:#666"><a href="{unsubscribe}">{footer}</a></p>'
    links = [url for url in [*links_in_text(body), *html_links(markup)] if url != unsubscribe]
    links = list(dict.fromkeys(links))
    if settings.OUTREACH_TRACK_CLICKS and links:
        tracked = {url: click_url(send_id, index) for index, url in enumerate(links)}
        body = links_rewrite(body, tracked)
        markup = html_links_rewrite(markup, tracked)
    # The privacy notice (first message only) goes in the footer, its links untracked.
    notice = "" if recipient.informed else privacy_notice(template.language)
    if notice:
        body = f"{body.rstrip()}\n\n{notice}\n"
        if markup:
            markup += f'\n<p style="font-size:12px;color:#666">{html.escape(notice)}</p>'
    if markup and settings.OUTREACH_TRACK_OPENS:
        markup += f'\n<img src="{open_pixel_url(send_id)}" width="1" height="1" alt="">'
    headers = {
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return Composed(
        subject=subject,
        body=body,
        html=markup,
        recipient=recipient.email,
        from_email=from_email,
        headers=headers,
        links=links,
        notice=bool(notice),
    )


def privacy_notice(language: str) -> str:
    """The privacy notice (GDPR Art. 14) for the first message to a prospect, in the template's language
    (PRIVACY_NOTICE_<LANG>, else PRIVACY_NOTICE); "" when none is configured."""
    return (settings.PRIVACY_NOTICE_BY_LANGUAGE.get(language) or settings.PRIVACY_NOTICE).strip()


# --- skipping -----------------------------------------------------------------------------------------------


def skip_reason_for(recipient: Recipient | None, *, channel: str, do_not_contact: set[str]) -> str:
    """Why this prospect must not get this message ("" when it may)."""
    reasons = CampaignSend.SkipReason
    if recipient is None:
        return reasons.INACTIVE
    if recipient.status == "converted":
        return reasons.CONVERTED
    if recipient.status == "inactive":
        return reasons.INACTIVE
    if channel == CampaignTemplate.Channel.LETTER:
        return "" if recipient.address.strip() else reasons.NO_ADDRESS
    if not recipient.email:
        return reasons.NO_EMAIL
    if recipient.email in do_not_contact:
        return reasons.DO_NOT_CONTACT
    return ""


@dataclass
class Preview:
    subject: str
    body: str
    html: str
    recipient: str
    from_email: str
    headers: dict[str, str]
    skip_reason: str
    skip_message: str
    already_sent: bool


def campaign_preview(*, template: CampaignTemplate, prospect_id: int) -> Preview:
    """What this template sends to this prospect (subject, body, recipient, headers), or why it would be skipped."""
    from prospecting.outreach.selectors import recipients_load

    recipient = recipients_load([prospect_id]).get(prospect_id)
    if recipient is None:
        raise CampaignSend.DoesNotExist(f"Prospect #{prospect_id} does not exist.")
    existing = CampaignSend.objects.filter(template=template, prospect_id=prospect_id, step__isnull=True).first()
    send_id = existing.pk if existing else 0
    account = SenderAccount.objects.filter(is_active=True).order_by("priority", "pk").first()
    composed = message_compose(
        template=template,
        recipient=recipient,
        send_id=send_id,
        message_id=existing.message_id if existing and existing.message_id else message_id_for(send_id, "preview"),
        account=account,
        variables=custom_variable_values(),
    )
    reason = skip_reason_for(
        recipient, channel=template.channel, do_not_contact=do_not_contact_among([recipient.email])
    )
    already = bool(existing and existing.status not in {CampaignSend.Status.FAILED, CampaignSend.Status.SKIPPED})
    message = CampaignSend.SkipReason(reason).label if reason else ""
    if already and not reason:
        message = "This template was already sent to this prospect."
    return Preview(
        subject=composed.subject,
        body=composed.body,
        html=composed.html,
        recipient=composed.recipient,
        from_email=composed.from_email,
        headers=composed.headers,
        skip_reason=reason or ("already_sent" if already else ""),
        skip_message=message,
        already_sent=already,
    )
